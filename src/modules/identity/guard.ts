import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../platform/deps.js';
import type { PreparedStatement, Tx } from '../../platform/db/client.js';
import { AppError, errors } from '../../platform/http/problem.js';
import { audit, type AuditOrigin } from '../../platform/audit/audit.service.js';
import { principalFrom, principalStatement, SESSION_COOKIE, type Principal } from './sessions.service.js';
import type { Permission } from './permissions.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function origin(req: FastifyRequest): AuditOrigin {
  return { requestId: req.id, ip: req.ip };
}

export function tokenOf(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (h) {
    const m = /^Bearer\s+(\S+)$/i.exec(h);
    if (!m) throw errors.unauthenticated('The Authorization header must be "Bearer <token>".');
    return m[1]!;
  }
  return req.cookies?.[SESSION_COOKIE] ?? null;
}

/** The web app's acting organization, mirrored into a cookie so that plain links and images act in it too. */
export const ORG_COOKIE = 'visage_org';

/**
 * The organization a request names: X-Org-Id; or, for a browser's plain GET (a link, an <img>) signed
 * in by the session cookie and sent without the header, the organization the web app chose last
 * (ORG_COOKIE). It only chooses among the caller's memberships; API clients (Bearer) are unaffected.
 */
function requestedOrgOf(req: FastifyRequest): string | null {
  const header = req.headers['x-org-id'];
  if (typeof header === 'string') return header;
  if (req.method !== 'GET' || req.headers.authorization) return null;
  const chosen = req.cookies?.[ORG_COOKIE];
  return chosen && UUID_RE.test(chosen) ? chosen : null;
}

export interface GuardOptions {
  /** The named permission the caller needs in the acting organization; omit for "any signed-in user". */
  permission?: Permission;
  isolation?: 'serializable';
  /**
   * A read the route always makes, sent in the opening round trip right after the caller is
   * resolved, so it costs no round trip of its own. Its rows are `tx.prelude[0]` in the route. It
   * runs before the permission check, under row-level security as the caller; a denied request's
   * rows are dropped with its rolled-back work, and so are the rows of a request whose token is not
   * valid (answered 401 before the route runs). A statement (with $n parameters, or naming the
   * caller with visage_current_user() / visage_current_org()) prepared once per connection, whose
   * values are sent as literals; plain SQL text would be parsed and planned on every request.
   */
  prelude?: PreparedStatement;
}

/**
 * The one guard. Opens the request's unit of work, resolves the caller from the token inside it,
 * switches the transaction to the caller's user and organization, checks the permission, then
 * runs `fn`. Denials are audited (in a transaction of their own, since the work is rolled back).
 */
export function makeGuard(deps: Deps) {
  return async function guarded<T>(req: FastifyRequest, opts: GuardOptions, fn: (tx: Tx, p: Principal) => Promise<T>): Promise<T> {
    const token = tokenOf(req);
    if (!token) throw errors.unauthenticated();
    const orgHeader = req.headers['x-org-id'];
    if (orgHeader !== undefined && (typeof orgHeader !== 'string' || !UUID_RE.test(orgHeader))) {
      throw new AppError(400, 'invalid_org_header', 'X-Org-Id must be an organization id (UUID).', [{ pointer: '#header/x-org-id', message: 'not a UUID' }]);
    }
    let denied: { principal: Principal; permission: string } | null = null;
    try {
      const requestedOrg = requestedOrgOf(req);
      const lookup = principalStatement(token, requestedOrg, deps.now(), {
        idleMinutes: deps.config.sessionIdleMinutes, absoluteHours: deps.config.sessionAbsoluteHours,
      });
      return await deps.db.run({ scope: 'auth' }, async (tx) => {
        const [principalRows = [], ...routeRows] = tx.prelude;
        tx.prelude = routeRows;
        const p = await principalFrom(tx, principalRows, requestedOrg);
        req.principal = p;
        if (opts.permission) {
          if (!p.orgId) throw errors.forbidden('Create or join an organization first.', 'no_organization');
          if (!p.permissions.has(opts.permission)) {
            denied = { principal: p, permission: opts.permission };
            throw errors.forbidden(`Your role does not allow this (needs ${opts.permission}).`);
          }
        }
        return fn(tx, p);
      }, { isolation: opts.isolation, prelude: opts.prelude ? [lookup, opts.prelude] : [lookup] });
    } finally {
      if (denied) {
        const d = denied as { principal: Principal; permission: string };
        await deps.db.run({ scope: 'tenant', orgId: d.principal.orgId, userId: d.principal.userId }, (tx) =>
          audit(tx, origin(req), { action: 'access', entityType: req.routeOptions.url ?? 'route', outcome: 'denied', details: { permission: d.permission, method: req.method } }),
        ).catch(() => undefined);
      }
    }
  };
}

export type Guard = ReturnType<typeof makeGuard>;

/**
 * Whether the caller of a request that failed validation lacks `permission`: such a caller is
 * answered 403, as a valid request would be, rather than being told how to shape the request.
 * Resolves the principal in a transaction of its own (only on this error path).
 */
export async function callerLacks(deps: Deps, req: FastifyRequest, permission: Permission): Promise<boolean> {
  let token: string | null;
  try { token = tokenOf(req); } catch { return false; }
  if (!token) return false;
  const orgHeader = req.headers['x-org-id'];
  const requestedOrg = orgHeader === undefined ? requestedOrgOf(req) : typeof orgHeader === 'string' && UUID_RE.test(orgHeader) ? orgHeader : null;
  try {
    const lookup = principalStatement(token, requestedOrg, deps.now(), {
      idleMinutes: deps.config.sessionIdleMinutes, absoluteHours: deps.config.sessionAbsoluteHours,
    });
    return await deps.db.run({ scope: 'auth' }, async (tx) => !(await principalFrom(tx, tx.prelude[0] ?? [], requestedOrg)).permissions.has(permission), { prelude: [lookup] });
  } catch {
    return false; // not signed in or no membership: the usual answers apply
  }
}

export function setSessionCookie(reply: FastifyReply, deps: Deps, token: string, expiresAt: Date): void {
  reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true, secure: deps.config.secureCookies, sameSite: 'lax', path: '/', expires: expiresAt,
  });
}

export function clearSessionCookie(reply: FastifyReply, deps: Deps): void {
  reply.clearCookie(SESSION_COOKIE, { httpOnly: true, secure: deps.config.secureCookies, sameSite: 'lax', path: '/' });
}

declare module 'fastify' {
  interface FastifyRequest { principal?: Principal }
}
