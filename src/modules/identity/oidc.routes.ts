import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ZApp } from '../../platform/http/app.js';
import type { Deps } from '../../platform/deps.js';
import { audit } from '../../platform/audit/audit.service.js';
import { origin, setSessionCookie } from './guard.js';
import { OidcProviders, OidcSignInError, safeRedirectPath, signInWithOidc, type OidcFlow } from './oidc.service.js';

/** Carries state, nonce, PKCE verifier and redirect from start to callback; HttpOnly, signed, 10 minutes. */
const FLOW_COOKIE = 'visage_oidc';
const FLOW_PATH = '/api/auth/oidc';
const FLOW_SECONDS = 600;

const FlowCookie = z.object({ provider: z.string(), state: z.string(), nonce: z.string(), verifier: z.string(), redirect: z.string() });
const ProviderParams = z.object({ provider: z.string().max(40) });
const Redirect = z.null().describe('302 redirect (a browser navigation, not an API call)');

/** The flow as the cookie's value: its JSON and an HMAC tag, so a cookie set by anyone else (a sibling domain) is refused. */
function sealFlow(flow: OidcFlow, mac: (data: string) => string): string {
  const body = Buffer.from(JSON.stringify(flow)).toString('base64url');
  return `${body}.${mac(body)}`;
}

function readFlow(req: FastifyRequest, mac: (data: string) => string): OidcFlow | null {
  const raw = req.cookies[FLOW_COOKIE];
  if (!raw) return null;
  const [body = '', tag = ''] = raw.split('.');
  const expected = Buffer.from(mac(body));
  const given = Buffer.from(tag);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    return FlowCookie.parse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
  } catch {
    return null;
  }
}

/**
 * Sign-in through OpenID Connect providers (Google, Facebook, Apple or any other). These are
 * browser navigations: every outcome is a redirect, failures to `/login?error=<code>`.
 */
export function oidcRoutes(app: ZApp, deps: Deps) {
  const providers = new OidcProviders(deps.config.oidcProviders);
  const callbackUrl = (provider: string) => `${deps.config.publicUrl}${FLOW_PATH}/${encodeURIComponent(provider)}/callback`;
  const cookieOptions = () => ({ httpOnly: true, secure: deps.config.secureCookies, sameSite: 'lax' as const, path: FLOW_PATH });
  // Tagged with a key derived from the field key; without one (some tests), a key of this process.
  const processKey = randomBytes(32);
  const mac = (data: string) => (deps.fields ? deps.fields.mac('oidc flow cookie', data) : createHmac('sha256', processKey).update(data).digest('base64url'));

  /** Failed sign-ins are audited in a transaction of their own (the sign-in's own work, if any, was rolled back). */
  async function fail(req: FastifyRequest, reply: FastifyReply, provider: string, err: unknown) {
    const code = err instanceof OidcSignInError ? err.code : 'oidc_failed';
    req.log.warn({ provider, code, reason: (err as Error).message }, 'oidc sign-in failed');
    await deps.db.run({ scope: 'auth' }, (tx) => audit(tx, origin(req), {
      action: 'sign_in', entityType: 'user', outcome: 'failure', details: { method: `oidc:${provider}`, reason: code },
    }));
    return reply.redirect(`/login?error=${code}`, 302);
  }

  app.get('/api/auth/oidc/providers', {
    schema: {
      tags: ['auth'], summary: 'OpenID Connect providers offered for sign-in', security: [],
      response: { 200: z.object({ items: z.array(z.object({ name: z.string(), display_name: z.string() })) }) },
    },
  }, async () => ({ items: providers.list().map((p) => ({ name: p.name, display_name: p.displayName })) }));

  app.get('/api/auth/oidc/:provider/start', {
    schema: {
      tags: ['auth'], summary: 'Start signing in with a provider (redirects to it)', security: [],
      params: ProviderParams,
      querystring: z.object({ redirect: z.string().max(2000).optional().describe('a path on this site to land on afterwards') }),
      response: { 302: Redirect },
    },
  }, async (req, reply) => {
    const { provider } = req.params;
    try {
      const { url, flow } = await providers.authorizationUrl(provider, callbackUrl(provider), safeRedirectPath(req.query.redirect));
      reply.setCookie(FLOW_COOKIE, sealFlow(flow, mac), { ...cookieOptions(), maxAge: FLOW_SECONDS });
      return reply.redirect(url.href, 302);
    } catch (err) {
      return fail(req, reply, provider, err);
    }
  });

  app.get('/api/auth/oidc/:provider/callback', {
    // The query carries the authorization code: keep this route out of the request log.
    logLevel: 'warn',
    schema: {
      tags: ['auth'], summary: 'Where the provider sends the browser back; signs in and redirects', security: [],
      params: ProviderParams,
      querystring: z.looseObject({ state: z.string().optional() }),
      response: { 302: Redirect },
    },
  }, async (req, reply) => {
    const { provider } = req.params;
    const flow = readFlow(req, mac);
    reply.clearCookie(FLOW_COOKIE, cookieOptions());
    try {
      if (!flow || flow.provider !== provider || flow.state !== req.query.state) throw new OidcSignInError('invalid_state', 'missing or mismatched state');
      const url = new URL(callbackUrl(provider));
      url.search = new URL(req.url, url).search;
      const claims = await providers.claims(flow, url);
      const session = await deps.db.run({ scope: 'auth' }, (tx) => signInWithOidc(tx, req, deps, provider, claims));
      setSessionCookie(reply, deps, session.token, session.expiresAt);
      return reply.redirect(flow.redirect, 302);
    } catch (err) {
      return fail(req, reply, provider, err);
    }
  });
}
