import type { FastifyRequest } from 'fastify';
import * as client from 'openid-client';
import type { OidcProviderConfig } from '../../platform/config.js';
import type { Tx } from '../../platform/db/client.js';
import type { Deps } from '../../platform/deps.js';
import { newId } from '../../platform/crypto.js';
import { audit } from '../../platform/audit/audit.service.js';
import { createUser, findUserByEmail, getUser } from './accounts.service.js';
import { origin } from './guard.js';
import { canSignIn, startSession } from './session-response.js';

/** Why an OIDC sign-in did not finish; the web app shows it from `/login?error=<code>`. */
export type OidcErrorCode =
  | 'unknown_provider' | 'provider_unavailable' | 'invalid_state' | 'access_denied' | 'oidc_failed'
  | 'email_required' | 'account_exists' | 'account_disabled';

export class OidcSignInError extends Error {
  constructor(readonly code: OidcErrorCode, message: string = code) {
    super(message);
  }
}

/** What the browser carries from start to callback (in an HttpOnly cookie). */
export interface OidcFlow { provider: string; state: string; nonce: string; verifier: string; redirect: string }

/** Who the provider says the user is. */
export interface OidcClaims { subject: string; email: string | null; emailVerified: boolean; name: string | null; profile: Record<string, unknown> }

const SCOPE = 'openid email profile';
/** Profile claims kept on the linked identity; never tokens. */
const KEPT_CLAIMS = ['iss', 'sub', 'email', 'email_verified', 'name', 'given_name', 'family_name', 'picture', 'locale'];
const KNOWN_PROVIDERS = new Set(['google', 'facebook', 'apple']);

/**
 * openid-client refuses plain-http issuers. Allowed only for a provider on this machine
 * (development and the test suite's local provider), never for a remote one.
 */
const isLocalHttp = (issuer: URL) => issuer.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(issuer.hostname);

/**
 * Where to send the browser after sign-in: a path on this site only. Anything else (absolute
 * URLs, scheme-relative `//host`, backslash tricks, control characters) becomes `/`.
 */
export function safeRedirectPath(raw: string | undefined): string {
  if (!raw || !raw.startsWith('/') || raw.startsWith('//') || /[\\\u0000-\u001f\u007f]/.test(raw)) return '/';
  const url = new URL(raw, 'http://visage.invalid');
  return url.origin === 'http://visage.invalid' ? `${url.pathname}${url.search}${url.hash}` : '/';
}

/** The configured providers, each discovered once (on first use) and cached; a failed discovery is retried next time. */
export class OidcProviders {
  private readonly configurations = new Map<string, Promise<client.Configuration>>();

  constructor(private readonly providers: OidcProviderConfig[]) {}

  list(): { name: string; displayName: string }[] {
    return this.providers.map((p) => ({ name: p.name, displayName: p.displayName }));
  }

  /** The provider's authorization URL (PKCE S256, state, nonce) and the flow to keep until the callback. */
  async authorizationUrl(name: string, redirectUri: string, redirect: string): Promise<{ url: URL; flow: OidcFlow }> {
    const config = await this.configuration(name);
    const flow: OidcFlow = { provider: name, state: client.randomState(), nonce: client.randomNonce(), verifier: client.randomPKCECodeVerifier(), redirect };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri, scope: SCOPE, state: flow.state, nonce: flow.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(flow.verifier), code_challenge_method: 'S256',
    });
    return { url, flow };
  }

  /**
   * Exchanges the authorization code (checking state, PKCE, nonce, issuer and the ID token's
   * signature) and returns the user's claims. The ID token may leave out email (providers that
   * follow the spec strictly put it in UserInfo only), so UserInfo fills the gap when offered.
   */
  async claims(flow: OidcFlow, callbackUrl: URL): Promise<OidcClaims> {
    const config = await this.configuration(flow.provider);
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(config, callbackUrl, { expectedState: flow.state, expectedNonce: flow.nonce, pkceCodeVerifier: flow.verifier });
    } catch (err) {
      if (err instanceof client.AuthorizationResponseError) {
        throw new OidcSignInError(err.error === 'access_denied' ? 'access_denied' : 'oidc_failed', `provider answered ${err.error}`);
      }
      throw new OidcSignInError('oidc_failed', (err as Error).message);
    }
    let claims: Record<string, unknown> = { ...tokens.claims()! };
    if (claims.email === undefined && config.serverMetadata().userinfo_endpoint) {
      claims = { ...claims, ...await client.fetchUserInfo(config, tokens.access_token, String(claims.sub)) };
    }
    const email = typeof claims.email === 'string' && claims.email.includes('@') ? claims.email.trim().toLowerCase() : null;
    return {
      subject: String(claims.sub),
      email,
      // Some providers (Apple) send the boolean as a string.
      emailVerified: email !== null && (claims.email_verified === true || claims.email_verified === 'true'),
      name: typeof claims.name === 'string' && claims.name.trim() ? claims.name.trim() : null,
      profile: Object.fromEntries(KEPT_CLAIMS.filter((k) => claims[k] !== undefined).map((k) => [k, claims[k]])),
    };
  }

  private configuration(name: string): Promise<client.Configuration> {
    const provider = this.providers.find((p) => p.name === name);
    if (!provider) return Promise.reject(new OidcSignInError('unknown_provider', `no OIDC provider named ${name}`));
    let config = this.configurations.get(name);
    if (!config) {
      const issuer = new URL(provider.issuer);
      config = client.discovery(issuer, provider.clientId, provider.clientSecret, undefined, isLocalHttp(issuer) ? { execute: [client.allowInsecureRequests] } : undefined)
        .catch((err: Error) => {
          this.configurations.delete(name);
          throw new OidcSignInError('provider_unavailable', `discovery of ${provider.issuer} failed: ${err.message}`);
        });
      this.configurations.set(name, config);
    }
    return config;
  }
}

/** users.auth_provider for an account first created through this provider. */
const authProviderOf = (provider: string) => (KNOWN_PROVIDERS.has(provider) ? provider : 'oidc');

/**
 * The user behind an OIDC identity: the one already linked to (provider, subject); else the account
 * with the same email, linked now when both the provider and Visage have verified that email
 * (otherwise someone could pre-register a victim's address, or claim one they do not own); else a
 * new account.
 */
async function resolveUser(tx: Tx, provider: string, claims: OidcClaims, now: Date): Promise<{ userId: string; created: boolean }> {
  const linked = (await tx.query<{ user_id: string }>(
    'UPDATE oidc_identities SET email = $3, claims = $4 WHERE provider = $1 AND subject = $2 RETURNING user_id',
    [provider, claims.subject, claims.email, JSON.stringify(claims.profile)]))[0];
  if (linked) return { userId: linked.user_id, created: false };
  if (!claims.email) throw new OidcSignInError('email_required', 'the provider did not share an email address');
  const existing = await findUserByEmail(tx, claims.email);
  if (existing && !(claims.emailVerified && existing.email_verified_at)) {
    throw new OidcSignInError('account_exists', 'an account with this email exists; sign in to it first');
  }
  const userId = existing?.id ?? await createUser(tx, {
    email: claims.email, fullName: claims.name ?? claims.email.split('@')[0]!,
    authProvider: authProviderOf(provider), emailVerified: claims.emailVerified,
  }, now);
  await tx.query('INSERT INTO oidc_identities (id, user_id, provider, subject, email, claims, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    [newId(), userId, provider, claims.subject, claims.email, JSON.stringify(claims.profile), now]);
  return { userId, created: !existing };
}

/** Signs in (linking or creating the account as needed) and returns the new session. Audited as sign_in with method oidc:<provider>. */
export async function signInWithOidc(tx: Tx, req: FastifyRequest, deps: Deps, provider: string, claims: OidcClaims) {
  const now = deps.now();
  const method = `oidc:${provider}`;
  const { userId, created } = await resolveUser(tx, provider, claims, now);
  const user = (await getUser(tx, userId))!;
  if (!canSignIn(user)) throw new OidcSignInError('account_disabled', 'the account is suspended or inactive');
  if (created) await audit(tx, origin(req), { action: 'sign_up', entityType: 'user', entityId: userId, actorUserId: userId, details: { method } });
  const session = await startSession(tx, req, deps, userId, method);
  await audit(tx, origin(req), { action: 'sign_in', entityType: 'user', entityId: userId, actorUserId: userId, orgId: user.default_org_id, details: { method } });
  return session;
}
