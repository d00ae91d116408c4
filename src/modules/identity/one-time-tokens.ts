import type { Tx } from '../../platform/db/client.js';
import { newId, randomToken, sha256 } from '../../platform/crypto.js';
import { AppError } from '../../platform/http/problem.js';
import { findUserByEmail, getUser, type UserRow } from './accounts.service.js';
import { canSignIn } from './session-response.js';

/** What a one-time secret proves: a verification code, a password-reset link or a magic link. */
export type TokenPurpose = 'verify_email' | 'password_reset' | 'magic_link';
type LinkPurpose = Exclude<TokenPurpose, 'verify_email'>;

/** A user gets at most one secret of a purpose per cooldown, so nobody can flood a mailbox. */
export const RESEND_COOLDOWN_SECONDS = 60;

/**
 * Stores a one-time secret (as its hash) for a user. Earlier unused secrets of the same purpose
 * stop working, so at most one is live per user and purpose.
 */
export async function storeOneTimeSecret(tx: Tx, userId: string, purpose: TokenPurpose, secretHash: string, ttlMinutes: number, now: Date): Promise<void> {
  await tx.query('UPDATE one_time_tokens SET used_at = $3 WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL', [userId, purpose, now]);
  await tx.query(
    'INSERT INTO one_time_tokens (id, user_id, purpose, secret_hash, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
    [newId(), userId, purpose, secretHash, new Date(now.getTime() + ttlMinutes * 60_000), now]);
}

/** Seconds until another secret of this purpose may be sent to the user (0: now). */
export async function cooldownLeft(tx: Tx, userId: string, purpose: TokenPurpose, now: Date): Promise<number> {
  const rows = await tx.query<{ last: Date | null }>(
    'SELECT max(created_at) AS last FROM one_time_tokens WHERE user_id = $1 AND purpose = $2', [userId, purpose]);
  const last = rows[0]?.last;
  if (!last) return 0;
  return Math.max(0, Math.ceil((new Date(last).getTime() + RESEND_COOLDOWN_SECONDS * 1000 - now.getTime()) / 1000));
}

/**
 * Issues an emailed link (a random 256-bit token; only its hash is stored) for the account with
 * this email. Returns null, and stores nothing, when there is no such account, it cannot sign in,
 * or a link went out within the cooldown: callers answer the same either way, so the answer never
 * tells whether an account exists.
 */
export async function issueEmailLink(tx: Tx, email: string, link: { purpose: LinkPurpose; ttlMinutes: number; url: string }, now: Date): Promise<{ user: UserRow; url: string } | null> {
  const user = await findUserByEmail(tx, email);
  if (!user || !canSignIn(user) || await cooldownLeft(tx, user.id, link.purpose, now) > 0) return null;
  const token = randomToken();
  await storeOneTimeSecret(tx, user.id, link.purpose, sha256(token), link.ttlMinutes, now);
  const url = new URL(link.url);
  url.searchParams.set('token', token);
  return { user, url: url.href };
}

/**
 * Uses up an emailed link token and returns its user, or null when the token is unknown, used,
 * expired, or the account can no longer sign in. One UPDATE both checks and consumes, so two
 * concurrent uses cannot both succeed. Following the link proves the user reads that mailbox,
 * so the email counts as verified from then on.
 */
export async function redeemEmailLink(tx: Tx, purpose: LinkPurpose, token: string, now: Date): Promise<UserRow | null> {
  const rows = await tx.query<{ user_id: string }>(
    `UPDATE one_time_tokens SET used_at = $3
      WHERE purpose = $1 AND secret_hash = $2 AND used_at IS NULL AND expires_at > $3
      RETURNING user_id`, [purpose, sha256(token), now]);
  const user = rows[0] && await getUser(tx, rows[0].user_id);
  if (!user || !canSignIn(user)) return null;
  if (!user.email_verified_at) {
    await tx.query('UPDATE users SET email_verified_at = $2, updated_at = $2 WHERE id = $1', [user.id, now]);
    user.email_verified_at = now;
  }
  return user;
}

/** The one answer for a link that does not work, whatever the reason (no oracle for guessing). */
export const invalidLinkToken = () => new AppError(400, 'invalid_token',
  'This link is not valid: it was already used, has expired, or was replaced by a newer one. Ask for a new link.',
  [{ pointer: '/token', message: 'invalid or expired' }]);
