import type { Tx } from '../../platform/db/client.js';
import { AppError, errors } from '../../platform/http/problem.js';
import { audit, type AuditOrigin } from '../../platform/audit/audit.service.js';
import type { Principal } from './sessions.service.js';
import { assertCanGrant, OWNER_ROLE, rolesByName } from './roles.service.js';
import { likePattern } from '../../platform/db/filter.js';

/** A staff membership of the acting organization, with the member's name and email. */
export interface MemberRow {
  id: string; user_id: string; email: string; full_name: string; title: string | null; status: string; roles: string[]; created_at: Date;
}

const MEMBER_COLUMNS = `m.id, m.user_id, u.email, u.full_name, m.title, m.status, m.created_at,
       array(SELECT r.name FROM membership_roles mr JOIN roles r ON r.id = mr.role_id WHERE mr.membership_id = m.id ORDER BY r.name) AS roles`;
const MEMBER_FROM = 'FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1';

export interface MemberCursor { name: string; id: string }

/**
 * Members ordered by name, keyset-paginated; `q` matches name or email (substring, any case).
 * Each row carries its sort key as the database lowercases it, for the next cursor.
 */
export async function listMembers(tx: Tx, orgId: string, f: { q?: string; limit: number; cursor: MemberCursor | null }): Promise<(MemberRow & { sort_name: string })[]> {
  const params: unknown[] = [orgId];
  const where: string[] = [];
  if (f.q) {
    params.push(likePattern(f.q));
    where.push(`(u.full_name ILIKE $${params.length} OR u.email ILIKE $${params.length})`);
  }
  if (f.cursor) {
    params.push(f.cursor.name, f.cursor.id);
    where.push(`(lower(u.full_name), m.id) > ($${params.length - 1}, $${params.length}::uuid)`);
  }
  params.push(f.limit + 1);
  return tx.query<MemberRow & { sort_name: string }>(
    `SELECT ${MEMBER_COLUMNS}, lower(u.full_name) AS sort_name ${MEMBER_FROM}${where.map((w) => ` AND ${w}`).join('')} ORDER BY lower(u.full_name), m.id LIMIT $${params.length}`, params);
}

async function getMember(tx: Tx, orgId: string, id: string): Promise<MemberRow> {
  const row = (await tx.query<MemberRow>(`SELECT ${MEMBER_COLUMNS} ${MEMBER_FROM} AND m.id = $2`, [orgId, id]))[0];
  if (!row) throw errors.notFound('member');
  return row;
}

/**
 * Loads a membership to change or remove, after locking the organization row so that concurrent
 * changes take turns (two owners demoting each other at once must not both succeed). Only an
 * owner may change or remove an owner's membership.
 */
async function memberForChange(tx: Tx, p: Principal, orgId: string, id: string): Promise<MemberRow> {
  await tx.query('SELECT id FROM organizations WHERE id = $1 FOR UPDATE', [orgId]);
  const member = await getMember(tx, orgId, id);
  if (member.roles.includes(OWNER_ROLE) && !p.roles.includes(OWNER_ROLE)) {
    throw errors.forbidden('Only an owner can change or remove an owner.', 'owner_required');
  }
  return member;
}

/** After a change to an owner's membership: the organization must keep at least one active owner. */
async function assertOwnerRemains(tx: Tx, orgId: string): Promise<void> {
  const [row] = await tx.query<{ ok: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM memberships m JOIN membership_roles mr ON mr.membership_id = m.id JOIN roles r ON r.id = mr.role_id
                     WHERE m.org_id = $1 AND m.status = 'active' AND r.org_id IS NULL AND r.name = $2) AS ok`, [orgId, OWNER_ROLE]);
  if (!row?.ok) throw new AppError(409, 'last_owner', 'The organization must keep at least one active owner. Make someone else an owner first.');
}

export interface MemberPatch { roles?: string[]; status?: 'active' | 'suspended'; title?: string | null }

/** Replaces the member's roles with `names`; every newly granted role must pass `assertCanGrant`. */
async function replaceRoles(tx: Tx, p: Principal, orgId: string, member: MemberRow, names: string[]): Promise<{ added: string[]; removed: string[] }> {
  const roles = await rolesByName(tx, orgId, names, (i) => `/roles/${i}`);
  const added = roles.filter((r) => !member.roles.includes(r.name));
  for (const role of added) assertCanGrant(p, role, `/roles/${names.indexOf(role.name)}`);
  await tx.query('DELETE FROM membership_roles WHERE membership_id = $1 AND org_id = $2 AND NOT (role_id = ANY($3::uuid[]))',
    [member.id, orgId, roles.map((r) => r.id)]);
  await tx.query(
    `INSERT INTO membership_roles (org_id, membership_id, role_id, granted_by) SELECT $1, $2, unnest($3::uuid[]), $4`,
    [orgId, member.id, added.map((r) => r.id), p.userId]);
  return { added: added.map((r) => r.name), removed: member.roles.filter((n) => !names.includes(n)) };
}

export async function updateMember(tx: Tx, origin: AuditOrigin, p: Principal, orgId: string, id: string, patch: MemberPatch): Promise<MemberRow> {
  const member = await memberForChange(tx, p, orgId, id);
  const roleChange = patch.roles ? await replaceRoles(tx, p, orgId, member, [...new Set(patch.roles)]) : undefined;
  await tx.query(
    `UPDATE memberships SET status = coalesce($3, status), title = CASE WHEN $4 THEN $5 ELSE title END, updated_at = now()
      WHERE id = $1 AND org_id = $2`,
    [id, orgId, patch.status ?? null, patch.title !== undefined, patch.title ?? null]);
  if (member.roles.includes(OWNER_ROLE)) await assertOwnerRemains(tx, orgId);
  await audit(tx, origin, { action: 'update', entityType: 'membership', entityId: id, details: { fields: Object.keys(patch), ...roleChange } });
  return getMember(tx, orgId, id);
}

export async function removeMember(tx: Tx, origin: AuditOrigin, p: Principal, orgId: string, id: string): Promise<void> {
  const member = await memberForChange(tx, p, orgId, id);
  await tx.query('DELETE FROM memberships WHERE id = $1 AND org_id = $2', [id, orgId]);
  if (member.roles.includes(OWNER_ROLE)) await assertOwnerRemains(tx, orgId);
  await audit(tx, origin, { action: 'delete', entityType: 'membership', entityId: id, details: { user_id: member.user_id, roles: member.roles } });
}
