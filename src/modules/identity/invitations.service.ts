import type { Tx } from '../../platform/db/client.js';
import { SqlFilter } from '../../platform/db/filter.js';
import type { Deps } from '../../platform/deps.js';
import { newId, randomToken, sha256 } from '../../platform/crypto.js';
import { AppError, errors } from '../../platform/http/problem.js';
import { audit, type AuditOrigin } from '../../platform/audit/audit.service.js';
import { queueMail } from '../../platform/mail/outbox.js';
import { createUser, findUserByEmail } from './accounts.service.js';
import { addMember, getOrganization } from './organizations.service.js';
import { createSession, resolvePrincipal, type Principal, type SessionPolicy } from './sessions.service.js';
import { assertCanGrant, rolesByName } from './roles.service.js';

export const INVITATION_TTL_DAYS = 7;
export const INVITATION_STATUSES = ['pending', 'accepted', 'revoked', 'expired'] as const;
export type InvitationStatus = typeof INVITATION_STATUSES[number];

export interface InvitationRow {
  id: string; email: string; role: string; title: string | null; status: InvitationStatus; expires_at: Date; created_at: Date; invited_by: string;
}

/** $1 = org, $2 = now: a pending invitation past its expiry reads as expired. */
const INVITATION_SELECT = `SELECT * FROM (
  SELECT i.id, i.email, i.role_name AS role, i.title, i.expires_at, i.created_at, i.invited_by,
         CASE WHEN i.status = 'pending' AND i.expires_at <= $2 THEN 'expired' ELSE i.status END AS status
    FROM invitations i
   WHERE i.org_id = $1) inv`;

async function getInvitation(tx: Tx, orgId: string, id: string, now: Date): Promise<InvitationRow> {
  const row = (await tx.query<InvitationRow>(`${INVITATION_SELECT} WHERE inv.id = $3`, [orgId, now, id]))[0];
  if (!row) throw errors.notFound('invitation');
  return row;
}

export interface InvitationCursor { at: string; id: string }

/** Newest first, keyset-paginated, optionally by (effective) status. */
export async function listInvitations(tx: Tx, orgId: string, now: Date, f: { status?: InvitationStatus; limit: number; cursor: InvitationCursor | null }): Promise<InvitationRow[]> {
  const q = new SqlFilter();
  q.param(orgId); // $1 and $2 of INVITATION_SELECT
  q.param(now);
  q.when('inv.status = ?', f.status).before(['inv.created_at', 'inv.id'], f.cursor, 'invitations');
  return tx.query<InvitationRow>(
    `${INVITATION_SELECT} WHERE ${q.where} ORDER BY inv.created_at DESC, inv.id DESC LIMIT ${q.param(f.limit + 1)}`, q.params);
}

export interface NewInvitation { email: string; role: string; title?: string | null }

/**
 * Invites an email address to the acting organization with one role, and mails the invitee a
 * single-use link. The token exists only in that mail; the database keeps its hash.
 */
export async function createInvitation(tx: Tx, deps: Deps, origin: AuditOrigin, p: Principal, orgId: string, input: NewInvitation): Promise<InvitationRow> {
  const now = deps.now();
  const [role] = await rolesByName(tx, orgId, [input.role], () => '/role');
  assertCanGrant(p, role!, '/role');
  const member = await tx.query(
    'SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 AND lower(u.email) = lower($2)', [orgId, input.email]);
  if (member.length) throw errors.conflict('That person is already a member of this organization.', 'already_member', [{ pointer: '/email', message: 'already a member' }]);
  // A pending invitation past its expiry no longer blocks a new one.
  await tx.query(`UPDATE invitations SET status = 'expired', updated_at = $3 WHERE org_id = $1 AND lower(email) = lower($2) AND status = 'pending' AND expires_at <= $3`,
    [orgId, input.email, now]);
  const token = randomToken('vinv_');
  const id = newId();
  const expiresAt = new Date(now.getTime() + INVITATION_TTL_DAYS * 86_400_000);
  try {
    await tx.query(
      `INSERT INTO invitations (id, org_id, email, role_id, role_name, title, token_hash, status, invited_by, expires_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9, $10, $10)`,
      [id, orgId, input.email, role!.id, role!.name, input.title ?? null, sha256(token), p.userId, expiresAt, now]);
  } catch (err) {
    if ((err as { code?: string }).code === '23505') {
      throw errors.conflict('That email already has a pending invitation. Revoke it to send a new one.', 'invitation_pending', [{ pointer: '/email', message: 'already invited' }]);
    }
    throw err;
  }
  const org = (await getOrganization(tx, orgId))!;
  await queueMail(tx, deps, {
    to: input.email,
    subject: `${p.fullName} invited you to join ${org.name} on Visage`,
    text: `${p.fullName} invited you to join ${org.name} on Visage as ${role!.name}.\n\n`
      + `Accept the invitation: ${deps.config.publicUrl}/invite?token=${token}\n\n`
      + `The link works once and expires in ${INVITATION_TTL_DAYS} days. If you did not expect it, ignore this message.`,
  });
  await audit(tx, origin, { action: 'invite', entityType: 'invitation', entityId: id, details: { role: role!.name, fields: Object.keys(input) } });
  return getInvitation(tx, orgId, id, now);
}

/** Revokes a pending invitation; its link stops working. */
export async function revokeInvitation(tx: Tx, origin: AuditOrigin, orgId: string, id: string, now: Date): Promise<void> {
  const inv = await getInvitation(tx, orgId, id, now);
  if (inv.status !== 'pending') throw errors.conflict(`The invitation is already ${inv.status}.`, 'invitation_not_pending');
  await tx.query(`UPDATE invitations SET status = 'revoked', updated_at = $3 WHERE id = $1 AND org_id = $2`, [id, orgId, now]);
  await audit(tx, origin, { action: 'revoke', entityType: 'invitation', entityId: id });
}

interface TokenInvitation { id: string; org_id: string; email: string; role_id: string | null; role_name: string; title: string | null; status: string; expires_at: Date; invited_by: string }

/** Finds an invitation by its link token. Only in 'auth' scope: the invitee is not known yet. */
async function findByToken(tx: Tx, token: string): Promise<TokenInvitation> {
  const inv = (await tx.query<TokenInvitation>(
    'SELECT id, org_id, email, role_id, role_name, title, status, expires_at, invited_by FROM invitations WHERE token_hash = $1', [sha256(token)]))[0];
  if (!inv) throw new AppError(404, 'invitation_not_found', 'This invitation link is not valid. Ask for a new invitation.');
  return inv;
}

const effectiveStatus = (inv: TokenInvitation, now: Date): InvitationStatus =>
  (inv.status === 'pending' && new Date(inv.expires_at) <= now ? 'expired' : inv.status as InvitationStatus);

export interface InvitationPreview { organization_name: string; email: string; role: string; status: InvitationStatus; expires_at: Date }

/** What the invitee sees before accepting: where, as whom, and whether the link still works. */
export async function previewInvitation(tx: Tx, origin: AuditOrigin, token: string, now: Date): Promise<InvitationPreview> {
  const inv = await findByToken(tx, token);
  await tx.setContext({ scope: 'tenant', orgId: inv.org_id, userId: null });
  const [org] = await tx.query<{ name: string }>('SELECT name FROM organizations WHERE id = $1', [inv.org_id]);
  await audit(tx, origin, { action: 'read', entityType: 'invitation', entityId: inv.id });
  return { organization_name: org!.name, email: inv.email, role: inv.role_name, status: effectiveStatus(inv, now), expires_at: inv.expires_at };
}

const UNUSABLE: Record<Exclude<InvitationStatus, 'pending'>, [string, string]> = {
  accepted: ['invitation_used', 'This invitation was already accepted. Sign in instead.'],
  revoked: ['invitation_revoked', 'This invitation was withdrawn. Ask for a new one.'],
  expired: ['invitation_expired', 'This invitation has expired. Ask for a new one.'],
};

function assertPending(inv: TokenInvitation, now: Date): void {
  const status = effectiveStatus(inv, now);
  if (status !== 'pending') throw new AppError(410, ...UNUSABLE[status]);
}

export interface AcceptInput {
  token: string;
  fullName?: string;
  password?: string;
  /** The caller's session or API token, if they sent one: the signed-in user joins. */
  sessionToken: string | null;
  /** The token came from the session cookie, not an Authorization header. */
  fromCookie: boolean;
  userAgent?: string | null;
}

export interface AcceptResult { userId: string; orgId: string; session: { token: string; expiresAt: Date } | null }

/** Without a session: the invitee has no account yet; create it (verified, since the link came by email) and sign them in. */
async function createInvitee(tx: Tx, origin: AuditOrigin, inv: TokenInvitation, input: AcceptInput, now: Date, policy: SessionPolicy) {
  if (await findUserByEmail(tx, inv.email)) {
    throw errors.conflict('An account with this email already exists. Sign in, then open the invitation link again.', 'account_exists');
  }
  const missing = (['fullName', 'password'] as const).filter((k) => !input[k]);
  if (missing.length) {
    throw errors.validation('Choose your name and a password to create your account.',
      missing.map((k) => ({ pointer: k === 'fullName' ? '/full_name' : '/password', message: 'required for a new account' })));
  }
  const userId = await createUser(tx, { email: inv.email, fullName: input.fullName!, password: input.password!, emailVerified: true }, now);
  const session = await createSession(tx, userId, { method: 'invitation', ip: origin.ip, userAgent: input.userAgent, now, policy });
  return { userId, session };
}

/**
 * The signed-in caller, if any. A stale session cookie counts as signed out (browsers keep sending
 * it); an invalid Bearer token is still a 401.
 */
async function signedInCaller(tx: Tx, input: AcceptInput, now: Date, policy: SessionPolicy): Promise<Principal | null> {
  if (!input.sessionToken) return null;
  try {
    return await resolvePrincipal(tx, input.sessionToken, null, now, policy);
  } catch (err) {
    if (input.fromCookie && err instanceof AppError && err.status === 401) return null;
    throw err;
  }
}

/** With a session: the signed-in user joins, provided the invitation was sent to their email. */
function assertSameEmail(p: Principal, inv: TokenInvitation): void {
  if (p.email.toLowerCase() !== inv.email.toLowerCase()) {
    throw errors.forbidden('This invitation was sent to a different email address than the one you are signed in with.', 'email_mismatch');
  }
}

/**
 * Accepts an invitation: the invitee joins the organization with the invited role and title.
 * Runs in 'auth' scope until the invitee is known, then in the invitation's organization.
 */
export async function acceptInvitation(tx: Tx, origin: AuditOrigin, input: AcceptInput, now: Date, policy: SessionPolicy): Promise<AcceptResult> {
  const found = await findByToken(tx, input.token);
  assertPending(found, now);
  const caller = await signedInCaller(tx, input, now, policy);
  if (caller) assertSameEmail(caller, found);
  const invitee = caller ? { userId: caller.userId, session: null } : await createInvitee(tx, origin, found, input, now, policy);
  await tx.setContext({ scope: 'tenant', orgId: found.org_id, userId: invitee.userId });
  if ((await tx.query('SELECT 1 FROM memberships WHERE org_id = $1 AND user_id = $2', [found.org_id, invitee.userId])).length) {
    throw errors.conflict('You are already a member of this organization.', 'already_member');
  }
  // Claimed with a guarded update, so two concurrent accepts cannot both succeed.
  const claimed = await tx.query(`UPDATE invitations SET status = 'accepted', accepted_by = $2, accepted_at = $3, updated_at = $3
     WHERE id = $1 AND status = 'pending' RETURNING id`, [found.id, invitee.userId, now]);
  if (!claimed.length) throw new AppError(410, ...UNUSABLE.accepted);
  const [role] = await tx.query<{ name: string }>('SELECT name FROM roles WHERE id = $1', [found.role_id]);
  if (!role) throw new AppError(410, 'invitation_role_gone', 'The role this invitation offered no longer exists. Ask for a new invitation.');
  const membershipId = await addMember(tx, invitee.userId, [role!.name], { title: found.title, grantedBy: found.invited_by });
  await audit(tx, origin, {
    action: 'accept', entityType: 'invitation', entityId: found.id,
    details: { membership_id: membershipId, role: role!.name, account_created: invitee.session !== null },
  });
  return { userId: invitee.userId, orgId: found.org_id, session: invitee.session };
}
