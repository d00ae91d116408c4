import type { Tx } from '../../platform/db/client.js';
import type { Deps } from '../../platform/deps.js';
import { newId, randomCode, sha256 } from '../../platform/crypto.js';
import { queueMail } from '../../platform/mail/outbox.js';

export const VERIFY_CODE_TTL_MINUTES = 60 * 24;

/** Issues a six-digit email verification code (stored hashed) and mails it once the transaction commits. */
export async function startEmailVerification(tx: Tx, deps: Deps, userId: string, email: string, now: Date): Promise<void> {
  const code = randomCode();
  await tx.query(`UPDATE one_time_tokens SET used_at = $2 WHERE user_id = $1 AND purpose = 'verify_email' AND used_at IS NULL`, [userId, now]);
  await tx.query(
    `INSERT INTO one_time_tokens (id, user_id, purpose, secret_hash, expires_at, created_at) VALUES ($1, $2, 'verify_email', $3, $4, $5)`,
    [newId(), userId, sha256(`${userId}:${code}`), new Date(now.getTime() + VERIFY_CODE_TTL_MINUTES * 60_000), now]);
  await queueMail(tx, deps, {
    to: email,
    subject: `Your Visage verification code: ${code}`,
    text: `Your verification code is ${code}. It expires in 24 hours.\n\nIf you did not create a Visage account, ignore this message.`,
  });
}
