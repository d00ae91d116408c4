import type { Tx } from '../../platform/db/client.js';
import { errors } from '../../platform/http/problem.js';
import { audit, type AuditOrigin } from '../../platform/audit/audit.service.js';
import { createPersonalToken, revokeSession, type Principal } from './sessions.service.js';
import { PERMISSIONS } from './permissions.js';

const ENTITY = { session: 'session', personal: 'api_token' } as const;

/**
 * Credentials are managed from a sign-in session only: an API token, whatever its scopes, must
 * not mint broader tokens, revoke sessions or change the password.
 */
export function assertSignInSession(p: Principal): void {
  if (p.tokenKind !== 'session') throw errors.forbidden('Sign in to manage your account; API tokens cannot do this.', 'session_required');
}

/** Revokes one of the caller's own live credentials of the given kind; anyone else's id is a 404. */
export async function revokeOwnCredential(tx: Tx, origin: AuditOrigin, p: Principal, kind: 'session' | 'personal', id: string, now: Date): Promise<void> {
  const own = await tx.query('SELECT 1 FROM sessions WHERE id = $1 AND user_id = $2 AND kind = $3 AND revoked_at IS NULL', [id, p.userId, kind]);
  if (!own.length) throw errors.notFound(kind === 'session' ? 'session' : 'token');
  await revokeSession(tx, p.userId, id, now);
  await audit(tx, origin, { action: 'revoke', entityType: ENTITY[kind], entityId: id });
}

export interface NewToken { name: string; scopes: string[]; expiresInDays?: number }

/** A personal API token; its scopes are '*' or permission names (422 for anything else). Shown once. */
export async function issueToken(tx: Tx, origin: AuditOrigin, p: Principal, input: NewToken, now: Date) {
  const unknown = input.scopes.flatMap((s, i) => (s === '*' || Object.hasOwn(PERMISSIONS, s) ? [] : [{ pointer: `/scopes/${i}`, message: `unknown permission "${s}"` }]));
  if (unknown.length) throw errors.validation('A scope is "*" or a permission name; GET /api/permissions lists them.', unknown);
  const scopes = [...new Set(input.scopes)];
  const expiresAt = input.expiresInDays ? new Date(now.getTime() + input.expiresInDays * 86_400_000) : null;
  const { id, token } = await createPersonalToken(tx, p.userId, p.orgId, { name: input.name, scopes, expiresAt, now });
  await audit(tx, origin, { action: 'create', entityType: ENTITY.personal, entityId: id, details: { scopes, expires_in_days: input.expiresInDays ?? null } });
  return { id, name: input.name, scopes, token, expiresAt };
}
