import { timingSafeEqual } from 'node:crypto';
import type { Tx } from '../../platform/db/client.js';
import type { Deps } from '../../platform/deps.js';
import { randomCode, sha256 } from '../../platform/crypto.js';
import { audit, type AuditOrigin } from '../../platform/audit/audit.service.js';
import { AppError, errors } from '../../platform/http/problem.js';
import { queueMail } from '../../platform/mail/outbox.js';
import { cooldownLeft, storeOneTimeSecret } from './one-time-tokens.js';

export const VERIFY_CODE_TTL_MINUTES = 60 * 24;
/** Guesses allowed per code; a new code (resend) starts over. 5 guesses in 10^6 codes. */
export const MAX_CODE_ATTEMPTS = 5;

/** The code is salted with the user id, so equal codes of two users never collide in the unique index. */
const codeHash = (userId: string, code: string) => sha256(`${userId}:${code}`);

/** Issues a six-digit email verification code (stored hashed) and mails it once the transaction commits. */
export async function startEmailVerification(tx: Tx, deps: Deps, userId: string, email: string, now: Date): Promise<void> {
  const code = randomCode();
  await storeOneTimeSecret(tx, userId, 'verify_email', codeHash(userId, code), VERIFY_CODE_TTL_MINUTES, now);
  await queueMail(tx, deps, {
    to: email,
    subject: `Your Visage verification code: ${code}`,
    text: `Your verification code is ${code}. It expires in 24 hours.\n\nIf you did not create a Visage account, ignore this message.`,
  });
}

/** Mails a fresh code (the previous one stops working); at most one per cooldown, so nobody floods a mailbox. */
export async function resendEmailVerification(tx: Tx, deps: Deps, user: { userId: string; email: string; emailVerified: boolean }, now: Date): Promise<void> {
  if (user.emailVerified) throw errors.conflict('This email address is already verified.', 'email_already_verified');
  const wait = await cooldownLeft(tx, user.userId, 'verify_email', now);
  if (wait > 0) throw errors.tooMany(`A code was sent moments ago. Wait ${wait} seconds before asking for another.`, wait);
  await startEmailVerification(tx, deps, user.userId, user.email, now);
}

export type VerifyResult = { ok: true } | { ok: false; error: AppError };

interface LiveCode { id: string; secret_hash: string; attempts: number; expired: boolean }

/**
 * Checks a code against the user's newest one. Every guess counts, right or wrong, and is
 * committed even when the answer is an error; the row lock makes parallel guesses take turns,
 * so no more than MAX_CODE_ATTEMPTS are ever evaluated per code.
 */
export async function verifyEmail(tx: Tx, origin: AuditOrigin, user: { userId: string; emailVerified: boolean }, code: string, now: Date): Promise<VerifyResult> {
  if (user.emailVerified) return { ok: true };
  const live = (await tx.query<LiveCode>(
    `SELECT id, secret_hash, attempts, expires_at <= $2 AS expired FROM one_time_tokens
      WHERE user_id = $1 AND purpose = 'verify_email' AND used_at IS NULL
      ORDER BY created_at DESC LIMIT 1 FOR UPDATE`, [user.userId, now]))[0];
  const refuse = async (error: AppError): Promise<VerifyResult> => {
    await audit(tx, origin, { action: 'verify', entityType: 'user', entityId: user.userId, outcome: 'failure', details: { method: 'email_code', reason: error.code } });
    return { ok: false, error };
  };
  if (!live) return refuse(invalidCode('There is no verification code to check. Ask for a new one.'));
  if (live.expired) return refuse(new AppError(422, 'code_expired', 'The code has expired. Ask for a new one.', [{ pointer: '/code', message: 'expired' }]));
  if (live.attempts >= MAX_CODE_ATTEMPTS) {
    return refuse(new AppError(429, 'code_locked', 'Too many wrong codes. Ask for a new one.', [{ pointer: '/code', message: 'locked' }]));
  }
  const matches = timingSafeEqual(Buffer.from(live.secret_hash), Buffer.from(codeHash(user.userId, code.trim())));
  await tx.query(`UPDATE one_time_tokens SET attempts = attempts + 1, used_at = CASE WHEN $2::boolean THEN $3::timestamptz END WHERE id = $1`, [live.id, matches, now]);
  if (!matches) {
    const left = MAX_CODE_ATTEMPTS - live.attempts - 1;
    return refuse(invalidCode(left > 0 ? `The code is not correct. ${left} attempt(s) left.` : 'The code is not correct, and no attempts are left. Ask for a new one.'));
  }
  await tx.query('UPDATE users SET email_verified_at = $2, updated_at = $2 WHERE id = $1', [user.userId, now]);
  await audit(tx, origin, { action: 'verify', entityType: 'user', entityId: user.userId, details: { method: 'email_code' } });
  return { ok: true };
}

const invalidCode = (detail: string) => new AppError(422, 'invalid_code', detail, [{ pointer: '/code', message: 'not correct' }]);
