import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testVisage, uniqueEmail, type TestVisage } from '../../../test/helpers.js';
import { mailTo } from './mailbox.test-support.js';

/**
 * A real OpenID Connect provider (oidc-provider, with its development login and consent pages) on
 * a random localhost port, and Visage listening on another. Two providers are configured on it:
 * "google" (a known brand) and "acme" (any other issuer).
 */
let t: TestVisage;
let providerServer: Server;
let visageUrl: string;
/** The provider's user directory: login name -> claims it releases. */
const people = new Map<string, { email?: string; email_verified?: boolean; name?: string }>();

beforeAll(async () => {
  providerServer = createServer();
  await new Promise<void>((resolve) => providerServer.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(providerServer.address() as AddressInfo).port}`;
  const client = (name: string) => ({ name, display_name: name, issuer, client_id: `visage-${name}`, client_secret: `secret-of-${name}` });
  t = await testVisage({
    listen: true,
    config: {
      oidcProviders: [client('google'), client('acme')].map((c) => ({ name: c.name, displayName: c.name === 'google' ? 'Google' : 'Acme ID', issuer: c.issuer, clientId: c.client_id, clientSecret: c.client_secret })),
    },
  });
  visageUrl = t.visage.deps.config.publicUrl;
  const provider = new Provider(issuer, {
    clients: ['google', 'acme'].map((name) => ({
      client_id: `visage-${name}`, client_secret: `secret-of-${name}`, token_endpoint_auth_method: 'client_secret_post',
      redirect_uris: [`${visageUrl}/api/auth/oidc/${name}/callback`],
    })),
    findAccount: (_ctx, id) => (people.has(id) ? { accountId: id, claims: () => ({ sub: id, ...people.get(id) }) } : undefined),
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    cookies: { keys: ['oidc-test-cookie-key'] },
    ttl: { Interaction: 600, Session: 600, Grant: 600, AccessToken: 600, IdToken: 600 },
    jwks: { keys: [generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' })] },
  });
  providerServer.on('request', provider.callback());
});

afterAll(async () => {
  await t?.close();
  await new Promise((resolve) => providerServer?.close(resolve));
});

/** Enough of a browser for redirects between two local servers: cookies per origin, no automatic redirects. */
class Browser {
  private readonly jars = new Map<string, Map<string, string>>();

  async request(url: string, form?: Record<string, string>): Promise<Response> {
    const jar = this.jar(new URL(url).origin);
    const headers: Record<string, string> = {};
    if (jar.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(url, { method: form ? 'POST' : 'GET', headers, body: form && new URLSearchParams(form).toString(), redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const name = pair.slice(0, pair.indexOf('=')).trim();
      const value = pair.slice(pair.indexOf('=') + 1).trim();
      const expiry = attributes.map((a) => a.trim()).find((a) => /^expires=/i.test(a));
      if (!value || (expiry && new Date(expiry.slice(8)) <= new Date())) jar.delete(name);
      else jar.set(name, value);
    }
    return res;
  }

  cookie(origin: string, name: string): string | undefined {
    return this.jar(origin).get(name);
  }

  private jar(origin: string) {
    if (!this.jars.has(origin)) this.jars.set(origin, new Map());
    return this.jars.get(origin)!;
  }
}

/**
 * Follows a sign-in from Visage's start URL through the provider's login and consent pages and
 * back; returns where Visage finally sends the browser (a path on Visage).
 */
async function signIn(browser: Browser, start: string, login: string, consent: 'accept' | 'deny' = 'accept'): Promise<string> {
  let step: { url: string; form?: Record<string, string> } = { url: start };
  for (let hops = 0; hops < 20; hops++) {
    const res = await browser.request(step.url, step.form);
    if (res.status >= 300 && res.status < 400) {
      const next = new URL(res.headers.get('location')!, step.url);
      if (next.origin === visageUrl && !next.pathname.startsWith('/api/')) return `${next.pathname}${next.search}`;
      step = { url: next.href };
      continue;
    }
    const page = await res.text();
    const prompt = /name="prompt" value="(\w+)"/.exec(page)?.[1];
    if (prompt === 'login') step = { url: step.url, form: { prompt, login, password: 'any' } };
    else if (prompt === 'consent') step = consent === 'deny' ? { url: `${step.url}/abort` } : { url: step.url, form: { prompt } };
    else throw new Error(`unexpected page ${res.status} at ${step.url}: ${page.slice(0, 300)}`);
  }
  throw new Error('too many redirects');
}

/** GET /api/me with the browser's session cookie. */
async function me(browser: Browser) {
  const res = await browser.request(`${visageUrl}/api/me`);
  return { status: res.status, body: await res.json() };
}

let seq = 0;
/** A person at the provider with a fresh login name. */
function person(claims: { email?: string; email_verified?: boolean; name?: string }): string {
  const login = `person-${++seq}`;
  people.set(login, claims);
  return login;
}

const start = (provider: string, redirect = '/') => `${visageUrl}/api/auth/oidc/${provider}/start?redirect=${encodeURIComponent(redirect)}`;

describe('OIDC sign-in against a real OpenID Connect provider', () => {
  it('lists the configured providers', async () => {
    const res = await t.call('GET', '/api/auth/oidc/providers');
    expect(res.body).toEqual({ items: [{ name: 'google', display_name: 'Google' }, { name: 'acme', display_name: 'Acme ID' }] });
  });

  it('redirects to the provider with PKCE, state and nonce', async () => {
    const res = await new Browser().request(start('google'));
    expect(res.status).toBe(302);
    const url = new URL(res.headers.get('location')!);
    expect(url.searchParams.get('client_id')).toBe('visage-google');
    expect(url.searchParams.get('redirect_uri')).toBe(`${visageUrl}/api/auth/oidc/google/callback`);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    for (const p of ['code_challenge', 'state', 'nonce']) expect(url.searchParams.get(p)).toMatch(/^[\w-]{20,}$/);
    expect(res.headers.getSetCookie().join()).toMatch(/visage_oidc=.*HttpOnly/i);
  });

  it('creates an account on first sign-in, signs in, and finds it again by subject the next time', async () => {
    const email = uniqueEmail('oidc-new');
    const login = person({ email, email_verified: true, name: 'Ayşe Yılmaz' });
    const browser = new Browser();
    expect(await signIn(browser, start('google', '/patients?tab=open'), login)).toBe('/patients?tab=open');
    expect(browser.cookie(visageUrl, 'visage_oidc')).toBeUndefined();
    const first = await me(browser);
    expect(first.status).toBe(200);
    expect(first.body.user).toMatchObject({ email, full_name: 'Ayşe Yılmaz', auth_provider: 'google', email_verified: true });

    people.set(login, { email: uniqueEmail('oidc-renamed'), email_verified: true });
    const again = new Browser();
    expect(await signIn(again, start('google'), login)).toBe('/');
    expect((await me(again)).body.user.id).toBe(first.body.user.id);
  });

  it('links to an existing account when both sides have verified the email, and audits sign_in as oidc:<provider>', async () => {
    const o = await t.owner();
    const [mail] = await mailTo(t, o.email, /verification code/, 1);
    const code = /code: (\d{6})/.exec(mail!.subject)![1]!;
    expect((await t.call('POST', '/api/auth/verify-email', { token: o.token, body: { code } })).status).toBe(200);

    const browser = new Browser();
    expect(await signIn(browser, start('acme'), person({ email: o.email, email_verified: true }))).toBe('/');
    const signedIn = await me(browser);
    expect(signedIn.body.user).toMatchObject({ id: o.userId, auth_provider: 'email' });
    expect(signedIn.body.acting_org_id).toBe(o.orgId);
    const audit = await t.call('GET', '/api/audit?action=sign_in', { token: o.token });
    expect(audit.body.items).toContainEqual(expect.objectContaining({ entity_id: o.userId, outcome: 'success', details: { method: 'oidc:acme' } }));
  });

  it('does not take over an account whose email Visage has not verified', async () => {
    const o = await t.owner();
    const browser = new Browser();
    expect(await signIn(browser, start('google'), person({ email: o.email, email_verified: true }))).toBe('/login?error=account_exists');
    expect((await me(browser)).status).toBe(401);
  });

  it('creates an unverified account when the provider has not verified the email; other issuers are "oidc"', async () => {
    const email = uniqueEmail('oidc-unverified');
    const browser = new Browser();
    expect(await signIn(browser, start('acme'), person({ email, email_verified: false }))).toBe('/');
    expect((await me(browser)).body.user).toMatchObject({ email, auth_provider: 'oidc', email_verified: false });
  });

  it('sends the browser to /login?error=access_denied when the user declines consent', async () => {
    const browser = new Browser();
    expect(await signIn(browser, start('google'), person({ email: uniqueEmail('decline'), email_verified: true }), 'deny')).toBe('/login?error=access_denied');
    expect((await me(browser)).status).toBe(401);
  });

  it('refuses a callback whose state does not match the browser\'s flow', async () => {
    const browser = new Browser();
    await browser.request(start('google'));
    const forged = await browser.request(`${visageUrl}/api/auth/oidc/google/callback?code=stolen&state=forged`);
    expect(forged.status).toBe(302);
    expect(forged.headers.get('location')).toBe('/login?error=invalid_state');
    const noFlow = await new Browser().request(`${visageUrl}/api/auth/oidc/google/callback?code=stolen&state=forged`);
    expect(noFlow.headers.get('location')).toBe('/login?error=invalid_state');
    // A flow cookie written by someone else (its state made to match the forged callback) is refused: it is signed.
    const planted = new Browser();
    await planted.request(start('google'));
    const real = planted.cookie(visageUrl, 'visage_oidc')!;
    const [body, tag] = real.split('.');
    const flow = JSON.parse(Buffer.from(body!, 'base64url').toString('utf8'));
    const forgedBody = Buffer.from(JSON.stringify({ ...flow, state: 'forged' })).toString('base64url');
    const withForgedCookie = await fetch(`${visageUrl}/api/auth/oidc/google/callback?code=stolen&state=forged`,
      { headers: { cookie: `visage_oidc=${forgedBody}.${tag}` }, redirect: 'manual' });
    expect(withForgedCookie.headers.get('location')).toBe('/login?error=invalid_state');
  });

  it('only redirects to paths on this site after sign-in', async () => {
    for (const target of ['//evil.example/x', 'https://evil.example/', '/\\evil.example']) {
      const browser = new Browser();
      expect(await signIn(browser, start('google', target), person({ email: uniqueEmail('redirect'), email_verified: true }))).toBe('/');
    }
  });

  it('answers an unknown provider with a redirect to the sign-in page', async () => {
    const res = await new Browser().request(start('myspace'));
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/login?error=unknown_provider');
  });
});
