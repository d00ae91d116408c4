import argon2 from 'argon2';
import type { Tx } from '../../platform/db/client.js';
import { newId } from '../../platform/crypto.js';
import { AppError, errors } from '../../platform/http/problem.js';
import { audit, type AuditOrigin } from '../../platform/audit/audit.service.js';
import { createSession, type SessionPolicy } from './sessions.service.js';

/** argon2id with OWASP's recommended minimum (19 MiB, 2 passes). */
const ARGON = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;
export const hashPassword = (password: string) => argon2.hash(password, ARGON);
/** Verified against when the account does not exist, so both answers take the same time. */
const DUMMY_HASH = await argon2.hash('visage-no-such-account', ARGON);

export const MAX_FAILURES_PER_HOUR = 100;

export interface UserRow {
  id: string; email: string; username: string | null; full_name: string; first_name: string | null; last_name: string | null;
  phone: string | null; avatar_url: string | null; preferred_language: string; timezone: string | null; user_type: string;
  status: string; auth_provider: string; email_verified_at: Date | null; default_org_id: string | null; created_at: Date;
}

const USER_COLUMNS = `id, email, username, full_name, first_name, last_name, phone, avatar_url, preferred_language, timezone,
  user_type, status, auth_provider, email_verified_at, default_org_id, created_at`;

export async function findUserByEmail(tx: Tx, email: string): Promise<(UserRow & { password_hash: string | null }) | undefined> {
  return (await tx.query<UserRow & { password_hash: string | null }>(
    `SELECT ${USER_COLUMNS}, password_hash FROM users WHERE email_key = $1 AND deleted_at IS NULL`, [email.toLowerCase()]))[0];
}

export async function getUser(tx: Tx, id: string): Promise<UserRow | undefined> {
  return (await tx.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1 AND deleted_at IS NULL`, [id]))[0];
}

export interface OrgSummary { id: string; name: string; type: string; timezone: string; currency: string; locale: string; roles: string[] }

/** The organizations a user belongs to, with their roles in each (for the organization switcher). */
export async function userOrganizations(tx: Tx, userId: string): Promise<OrgSummary[]> {
  const [row] = await tx.query<{ organizations: OrgSummary[] }>('SELECT visage_user_organizations($1) AS organizations', [userId]);
  return row?.organizations ?? [];
}

/**
 * The caller's user and their organizations in one statement (what GET /api/me shows), as a guard
 * prelude (GuardOptions.prelude): read in the round trip that opens the transaction and resolves the
 * caller, so the request makes two round trips in all. Nothing when no user was resolved. The
 * organizations come from visage_user_organizations (migration 0022), whose plan the database keeps.
 */
export const CALLER_WITH_ORGANIZATIONS = `SELECT ${USER_COLUMNS.replace(/(\w+)/g, 'u.$1')}, visage_user_organizations(u.id) AS organizations
  FROM users u WHERE u.id = visage_current_user() AND u.deleted_at IS NULL`;

/** A user-with-organizations row as the user and their organizations. */
export function splitOrganizations(row: (UserRow & { organizations: OrgSummary[] }) | undefined): { user: UserRow; organizations: OrgSummary[] } | undefined {
  if (!row) return undefined;
  const { organizations, ...user } = row;
  return { user, organizations };
}

/** First and last name follow the full name (first word, the rest). */
export function nameParts(fullName: string): { first_name: string | null; last_name: string | null } {
  const [first, ...rest] = fullName.trim().split(/\s+/);
  return { first_name: first ?? null, last_name: rest.join(' ') || null };
}

export interface NewUser { email: string; fullName: string; password?: string | null; userType?: string; emailVerified?: boolean; authProvider?: string; phone?: string | null }

/** Creates a user (any human). The email is unique case-insensitively; 409 if taken. */
export async function createUser(tx: Tx, input: NewUser, now: Date): Promise<string> {
  const id = newId();
  const passwordHash = input.password ? await hashPassword(input.password) : null;
  const names = nameParts(input.fullName);
  try {
    await tx.query(
      `INSERT INTO users (id, email, full_name, first_name, last_name, phone, user_type, status, auth_provider, email_verified_at, password_hash, password_changed_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8, $9, $10, $11, $12, $12)`,
      [id, input.email.trim(), input.fullName.trim(), names.first_name, names.last_name, input.phone ?? null, input.userType ?? 'staff',
        input.authProvider ?? 'email', input.emailVerified ? now : null, passwordHash, passwordHash ? now : null, now]);
  } catch (err) {
    if ((err as { code?: string }).code === '23505') {
      throw new AppError(409, 'email_taken', 'An account with that email already exists. Sign in, or reset the password.', [{ pointer: '/email', message: 'already registered' }]);
    }
    throw err;
  }
  return id;
}

export type LoginResult =
  | { ok: true; userId: string; token: string; sessionId: string }
  | { ok: false; error: AppError };

/**
 * Password sign-in. Unknown account and wrong password get the same answer in the same time.
 * Per account, at most MAX_FAILURES_PER_HOUR failures are evaluated in any trailing hour; past that
 * the account answers 429 (without checking the password) until the oldest failures age out.
 * Failures are recorded and committed even though the answer is an error.
 */
export async function login(tx: Tx, origin: AuditOrigin, input: { email: string; password: string; userAgent?: string | null }, now: Date, policy: SessionPolicy): Promise<LoginResult> {
  const user = await findUserByEmail(tx, input.email);
  const invalid = new AppError(401, 'invalid_credentials', 'The email or password is not correct.');
  if (!user || !user.password_hash) {
    await argon2.verify(DUMMY_HASH, input.password).catch(() => false);
    await audit(tx, origin, { action: 'sign_in', entityType: 'user', outcome: 'failure', details: { reason: 'invalid_credentials', method: 'password' } });
    return { ok: false, error: invalid };
  }
  const windowStart = new Date(now.getTime() - 3600_000);
  const failures = await tx.query<{ n: number; oldest: Date | null }>(
    'SELECT count(*)::int AS n, min(occurred_at) AS oldest FROM login_failures WHERE user_id = $1 AND occurred_at > $2 AND occurred_at <= $3',
    [user.id, windowStart, now]);
  const f = failures[0]!;
  if (f.n >= MAX_FAILURES_PER_HOUR) {
    const retry = f.oldest ? Math.max(1, Math.ceil((new Date(f.oldest).getTime() + 3600_000 - now.getTime()) / 1000)) : 3600;
    await audit(tx, origin, { action: 'sign_in', entityType: 'user', entityId: user.id, actorUserId: user.id, orgId: user.default_org_id, outcome: 'denied', details: { reason: 'too_many_failures' } });
    return { ok: false, error: errors.tooMany('Too many failed sign-in attempts for this account. Try again later or reset the password.', retry) };
  }
  const ok = await argon2.verify(user.password_hash, input.password).catch(() => false);
  if (!ok || user.status === 'suspended' || user.status === 'inactive') {
    await tx.query('INSERT INTO login_failures (id, user_id, ip, occurred_at) VALUES ($1, $2, $3, $4)', [newId(), user.id, origin.ip ?? null, now]);
    await audit(tx, origin, { action: 'sign_in', entityType: 'user', entityId: user.id, actorUserId: user.id, orgId: user.default_org_id, outcome: 'failure', details: { reason: ok ? 'account_disabled' : 'invalid_credentials', method: 'password' } });
    return { ok: false, error: invalid };
  }
  const session = await createSession(tx, user.id, { method: 'password', ip: origin.ip, userAgent: input.userAgent, now, policy });
  await audit(tx, origin, { action: 'sign_in', entityType: 'user', entityId: user.id, actorUserId: user.id, orgId: user.default_org_id, details: { method: 'password' } });
  return { ok: true, userId: user.id, token: session.token, sessionId: session.sessionId };
}
