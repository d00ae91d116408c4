import type { FastifyRequest } from 'fastify';
import type { Tx } from '../../platform/db/client.js';
import type { Deps } from '../../platform/deps.js';
import { audit } from '../../platform/audit/audit.service.js';
import { queueMail } from '../../platform/mail/outbox.js';
import { hashPassword } from './accounts.service.js';
import { revokeAllSessions } from './sessions.service.js';
import { origin } from './guard.js';
import { invalidLinkToken, issueEmailLink, redeemEmailLink } from './one-time-tokens.js';
import { loadSignedIn, startSession, type SignInResult } from './session-response.js';

export const PASSWORD_RESET_TTL_MINUTES = 60;

/** Mails a reset link if the account exists; the caller answers the same either way. */
export async function requestPasswordReset(tx: Tx, deps: Deps, email: string, now: Date): Promise<void> {
  const issued = await issueEmailLink(tx, email, {
    purpose: 'password_reset', ttlMinutes: PASSWORD_RESET_TTL_MINUTES, url: `${deps.config.publicUrl}/reset-password`,
  }, now);
  if (!issued) return;
  await queueMail(tx, deps, {
    to: issued.user.email,
    subject: 'Reset your Visage password',
    text: `Someone asked to reset the password of your Visage account. To choose a new password, open this link within an hour:\n\n${issued.url}\n\n`
      + 'If it was not you, ignore this message: your password stays as it is.',
  });
}

/**
 * Sets a new password from a reset link and signs the user in. Every other session ends (whoever
 * knew the old password is out) and the failed-sign-in counter is cleared, so an owner locked out
 * by brute force gets back in. A refused link is audited and committed.
 */
export async function completePasswordReset(tx: Tx, req: FastifyRequest, deps: Deps, input: { token: string; password: string }): Promise<SignInResult> {
  const now = deps.now();
  const user = await redeemEmailLink(tx, 'password_reset', input.token, now);
  if (!user) {
    await audit(tx, origin(req), { action: 'password_reset', entityType: 'user', outcome: 'failure', details: { reason: 'invalid_token' } });
    return { ok: false, error: invalidLinkToken() };
  }
  await tx.query('UPDATE users SET password_hash = $2, password_changed_at = $3, updated_at = $3 WHERE id = $1', [user.id, await hashPassword(input.password), now]);
  await tx.query('DELETE FROM login_failures WHERE user_id = $1', [user.id]);
  await revokeAllSessions(tx, user.id, now);
  const session = await startSession(tx, req, deps, user.id, 'password_reset');
  await audit(tx, origin(req), { action: 'password_reset', entityType: 'user', entityId: user.id, actorUserId: user.id, orgId: user.default_org_id, details: { fields: ['password'] } });
  return { ok: true, signedIn: await loadSignedIn(tx, user.id, session) };
}
