import type { PreparedStatement, Tx } from '../../platform/db/client.js';
import { newId, randomToken, sha256 } from '../../platform/crypto.js';
import { errors } from '../../platform/http/problem.js';
import type { Permission } from './permissions.js';

export const SESSION_COOKIE = 'visage_session';

export interface SessionPolicy { idleMinutes: number; absoluteHours: number }

/** The signed-in caller of a request, resolved from a session or API token. */
export interface Principal {
  userId: string;
  sessionId: string;
  tokenKind: 'session' | 'personal';
  email: string;
  fullName: string;
  emailVerified: boolean;
  /** The acting organization, or null when the user has none (yet). */
  orgId: string | null;
  roles: string[];
  permissions: ReadonlySet<string>;
}

interface PrincipalRow {
  session_id: string; kind: 'session' | 'personal'; scopes: string[]; user_id: string; email: string; full_name: string;
  email_verified: boolean; status: string; expired: boolean; org_id: string | null; roles: RoleRef[] | null;
}

interface RoleRef { id: string; name: string; v: string }

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The statement that resolves a token (db/migrations/0003: visage_resolve_principal), for the guard
 * to send with the transaction's opening batch: prepared once per connection, run with these values.
 */
export function principalStatement(token: string, requestedOrg: string | null, now: Date, policy: SessionPolicy): PreparedStatement {
  if (requestedOrg !== null && !UUID.test(requestedOrg)) throw new Error('invalid principal lookup');
  return { text: 'SELECT * FROM visage_resolve_principal($1, $2, $3, $4)', values: [sha256(token), now.toISOString(), requestedOrg, String(policy.idleMinutes)] };
}

/** Permission names per role id, valid while the role's updated_at (bumped by a trigger) is unchanged. */
const roleCache = new Map<string, { v: string; permissions: string[] }>();
/** The union for a combination of role versions, shared read-only by every request holding it. */
const permissionSets = new Map<string, ReadonlySet<string>>();

async function rolePermissions(tx: Tx, roles: RoleRef[]): Promise<ReadonlySet<string>> {
  const stale = roles.filter((r) => roleCache.get(r.id)?.v !== r.v);
  if (stale.length) {
    const rows = await tx.query<{ role_id: string; names: string[] }>(
      `SELECT rp.role_id, array_agg(p.name) AS names FROM role_permissions rp JOIN permissions p ON p.id = rp.permission_id
        WHERE rp.role_id = ANY($1::uuid[]) GROUP BY rp.role_id`, [stale.map((r) => r.id)]);
    for (const r of stale) roleCache.set(r.id, { v: r.v, permissions: rows.find((x) => x.role_id === r.id)?.names ?? [] });
  }
  const key = roles.map((r) => `${r.id}@${r.v}`).join(',');
  let set = permissionSets.get(key);
  if (!set) {
    if (permissionSets.size > 10_000) permissionSets.clear();
    set = new Set(roles.flatMap((r) => roleCache.get(r.id)!.permissions));
    permissionSets.set(key, set);
  }
  return set;
}

/**
 * Resolves a bearer/cookie token inside a transaction in 'auth' scope and switches the transaction
 * to the acting user and organization. The guard sends the same lookup with the opening batch
 * (principalStatement) and hands its rows to principalFrom.
 */
export async function resolvePrincipal(tx: Tx, token: string, requestedOrg: string | null, now: Date, policy: SessionPolicy): Promise<Principal> {
  const lookup = principalStatement(token, requestedOrg, now, policy);
  return principalFrom(tx, await tx.query(lookup.text, lookup.values), requestedOrg);
}

/** The principal from the lookup's rows; 401 for an ended or unknown token, 403 for a foreign X-Org-Id. */
export async function principalFrom(tx: Tx, rows: Record<string, unknown>[], requestedOrg: string | null): Promise<Principal> {
  const s = rows[0] as PrincipalRow | undefined;
  if (!s || s.expired || s.status === 'suspended' || s.status === 'inactive') {
    throw errors.unauthenticated('The session has ended or the token is not valid. Sign in again.');
  }
  if (requestedOrg && !s.org_id) throw errors.forbidden('You are not a member of the organization named in X-Org-Id.', 'not_a_member');
  tx.contextApplied(s.org_id ? { scope: 'tenant', orgId: s.org_id, userId: s.user_id } : { scope: 'user', orgId: null, userId: s.user_id });
  const roles = s.roles ?? [];
  let permissions = await rolePermissions(tx, roles);
  if (s.kind === 'personal' && !s.scopes.includes('*')) permissions = new Set([...permissions].filter((p) => s.scopes.includes(p)));
  return {
    userId: s.user_id, sessionId: s.session_id, tokenKind: s.kind, email: s.email, fullName: s.full_name,
    emailVerified: s.email_verified, orgId: s.org_id, roles: roles.map((r) => r.name).sort(), permissions,
  };
}

export function hasPermission(p: Principal, permission: Permission): boolean {
  return p.permissions.has(permission);
}

/** Starts a session for a user (sign-in by any method). Returns the opaque token, shown once. */
export async function createSession(tx: Tx, userId: string, opts: { method: string; ip?: string | null; userAgent?: string | null; now: Date; policy: SessionPolicy }): Promise<{ token: string; sessionId: string; expiresAt: Date }> {
  const token = randomToken('vs_');
  const sessionId = newId();
  const expiresAt = new Date(opts.now.getTime() + opts.policy.absoluteHours * 3600_000);
  const idle = new Date(opts.now.getTime() + opts.policy.idleMinutes * 60_000);
  await tx.query(
    `INSERT INTO sessions (id, user_id, token_hash, kind, method, ip, user_agent, created_at, last_seen_at, idle_expires_at, expires_at)
     VALUES ($1, $2, $3, 'session', $4, $5, $6, $7, $7, $8, $9)`,
    [sessionId, userId, sha256(token), opts.method, opts.ip ?? null, opts.userAgent?.slice(0, 300) ?? null, opts.now, idle, expiresAt]);
  await tx.query('UPDATE users SET last_login_at = $2 WHERE id = $1', [userId, opts.now]);
  return { token, sessionId, expiresAt };
}

export async function revokeSession(tx: Tx, userId: string, sessionId: string, now: Date): Promise<boolean> {
  const r = await tx.query('UPDATE sessions SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL RETURNING id', [sessionId, userId, now]);
  return r.length > 0;
}

export async function revokeAllSessions(tx: Tx, userId: string, now: Date, exceptSessionId?: string): Promise<void> {
  await tx.query(`UPDATE sessions SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL AND kind = 'session' AND id <> coalesce($3::uuid, '00000000-0000-0000-0000-000000000000')`,
    [userId, now, exceptSessionId ?? null]);
}

export interface TokenRow { id: string; name: string | null; scopes: string[]; created_at: Date; last_seen_at: Date; expires_at: Date | null; revoked_at: Date | null; kind: string; method: string; ip: string | null; user_agent: string | null }

export async function listCredentials(tx: Tx, userId: string, kind: 'session' | 'personal', now: Date): Promise<TokenRow[]> {
  return tx.query<TokenRow>(
    `SELECT id, name, scopes, created_at, last_seen_at, expires_at, revoked_at, kind, method, ip, user_agent FROM sessions
      WHERE user_id = $1 AND kind = $2 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $3)
        AND (idle_expires_at IS NULL OR idle_expires_at > $3)
      ORDER BY created_at DESC LIMIT 200`, [userId, kind, now]);
}

/** A personal API token: named, scoped to permissions ('*' = all the user's), optional expiry. */
export async function createPersonalToken(tx: Tx, userId: string, orgId: string | null, input: { name: string; scopes: string[]; expiresAt: Date | null; now: Date }) {
  const token = randomToken('vpat_');
  const id = newId();
  await tx.query(
    `INSERT INTO sessions (id, user_id, token_hash, kind, name, scopes, org_id, method, created_at, last_seen_at, expires_at)
     VALUES ($1, $2, $3, 'personal', $4, $5, $6, 'api_token', $7, $7, $8)`,
    [id, userId, sha256(token), input.name, input.scopes, orgId, input.now, input.expiresAt]);
  return { id, token };
}
