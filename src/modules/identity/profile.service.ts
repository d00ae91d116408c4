import argon2 from 'argon2';
import type { Tx } from '../../platform/db/client.js';
import { AppError, errors } from '../../platform/http/problem.js';
import { audit, type AuditOrigin } from '../../platform/audit/audit.service.js';
import { findUserByEmail, getUser, hashPassword, nameParts, type UserRow } from './accounts.service.js';
import { revokeAllSessions, type Principal } from './sessions.service.js';

/** The fields a user may change on their own record. Email, status, type and roles are not among them. */
export interface ProfilePatch {
  full_name?: string; phone?: string | null; preferred_language?: string; timezone?: string | null; username?: string | null;
}
const PROFILE_COLUMNS = ['full_name', 'phone', 'preferred_language', 'timezone', 'username'] as const;

export async function updateProfile(tx: Tx, origin: AuditOrigin, userId: string, patch: ProfilePatch): Promise<UserRow> {
  const values: Record<string, unknown> = {};
  for (const col of PROFILE_COLUMNS) if (patch[col] !== undefined) values[col] = patch[col];
  if (patch.full_name !== undefined) Object.assign(values, nameParts(patch.full_name));
  const cols = Object.keys(values);
  if (cols.length) {
    try {
      await tx.query(`UPDATE users SET ${cols.map((c, i) => `${c} = $${i + 2}`).join(', ')}, updated_at = now() WHERE id = $1`,
        [userId, ...Object.values(values)]);
    } catch (err) {
      if ((err as { code?: string }).code === '23505') {
        throw errors.conflict('That username is taken.', 'username_taken', [{ pointer: '/username', message: 'already taken' }]);
      }
      throw err;
    }
  }
  await audit(tx, origin, { action: 'update', entityType: 'user', entityId: userId, details: { fields: Object.keys(patch) } });
  return (await getUser(tx, userId))!;
}

export type PasswordChange = { ok: true } | { ok: false; error: AppError };

/**
 * Changes the caller's password after checking the current one, and signs out every other
 * session. A wrong current password is audited as a failure that commits (the caller throws).
 */
export async function changePassword(tx: Tx, origin: AuditOrigin, p: Principal, input: { current: string; next: string }, now: Date): Promise<PasswordChange> {
  const user = await findUserByEmail(tx, p.email);
  if (!user?.password_hash) {
    throw errors.conflict('Your account has no password yet (you sign in another way). Set one with "forgot password".', 'no_password');
  }
  const event = { action: 'update', entityType: 'user', entityId: p.userId } as const;
  if (!await argon2.verify(user.password_hash, input.current).catch(() => false)) {
    await audit(tx, origin, { ...event, outcome: 'failure', details: { fields: ['password'], reason: 'invalid_current_password' } });
    return { ok: false, error: new AppError(422, 'invalid_current_password', 'The current password is not correct.', [{ pointer: '/current_password', message: 'not correct' }]) };
  }
  await tx.query('UPDATE users SET password_hash = $2, password_changed_at = $3, updated_at = $3 WHERE id = $1', [p.userId, await hashPassword(input.next), now]);
  await revokeAllSessions(tx, p.userId, now, p.sessionId);
  await audit(tx, origin, { ...event, details: { fields: ['password'], other_sessions_revoked: true } });
  return { ok: true };
}
