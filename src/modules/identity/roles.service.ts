import type { Tx } from '../../platform/db/client.js';
import { newId } from '../../platform/crypto.js';
import { AppError, errors } from '../../platform/http/problem.js';
import { audit, type AuditOrigin } from '../../platform/audit/audit.service.js';
import type { Principal } from './sessions.service.js';

export const OWNER_ROLE = 'owner';

/** A role visible in the acting organization: built-in (shared) or the organization's own. */
export interface RoleRow { id: string; name: string; description: string; builtin: boolean; permissions: string[]; member_count: number }

const ROLE_SELECT = `SELECT r.id, r.name, r.description, r.builtin,
       array(SELECT p.name FROM role_permissions rp JOIN permissions p ON p.id = rp.permission_id WHERE rp.role_id = r.id ORDER BY p.name) AS permissions,
       (SELECT count(*)::int FROM membership_roles mr WHERE mr.role_id = r.id AND mr.org_id = $1) AS member_count
  FROM roles r
 WHERE (r.org_id IS NULL OR r.org_id = $1)`;

export async function listRoles(tx: Tx, orgId: string): Promise<RoleRow[]> {
  return tx.query<RoleRow>(`${ROLE_SELECT} ORDER BY r.builtin DESC, lower(r.name)`, [orgId]);
}

export async function getRole(tx: Tx, orgId: string, id: string): Promise<RoleRow | undefined> {
  return (await tx.query<RoleRow>(`${ROLE_SELECT} AND r.id = $2`, [orgId, id]))[0];
}

/**
 * Resolves role names in the acting organization. Unknown names are a 422 pointing at the
 * offending entry (`pointerOf(index)`).
 */
export async function rolesByName(tx: Tx, orgId: string, names: string[], pointerOf: (i: number) => string): Promise<RoleRow[]> {
  const rows = await tx.query<RoleRow>(`${ROLE_SELECT} AND r.name = ANY($2::text[])`, [orgId, names]);
  const unknown = names.map((n, i) => ({ n, i })).filter(({ n }) => !rows.some((r) => r.name === n));
  if (unknown.length) {
    throw errors.validation(`There is no role named ${unknown.map(({ n }) => `"${n}"`).join(', ')}.`,
      unknown.map(({ i }) => ({ pointer: pointerOf(i), message: 'unknown role' })));
  }
  return rows;
}

/**
 * Nobody hands out more than they hold: only owners grant the owner role, and every permission of
 * a granted role must be one the caller has (so a manager cannot grant themselves role.manage
 * through a custom role).
 */
export function assertCanGrant(p: Principal, role: RoleRow, pointer: string): void {
  if (role.builtin && role.name === OWNER_ROLE && !p.roles.includes(OWNER_ROLE)) {
    throw new AppError(403, 'owner_required', 'Only an owner can grant the owner role.', [{ pointer, message: 'owner role' }]);
  }
  const missing = role.permissions.filter((perm) => !p.permissions.has(perm));
  if (missing.length) {
    throw new AppError(403, 'permission_not_held', `The role "${role.name}" includes permissions you do not hold: ${missing.join(', ')}.`,
      [{ pointer, message: 'exceeds your permissions' }]);
  }
}

/**
 * Checks a role's permission list: every name must exist (422) and be held by the caller (403).
 * Returns the permission ids.
 */
async function permissionIds(tx: Tx, p: Principal, names: string[]): Promise<string[]> {
  const rows = await tx.query<{ id: string; name: string }>('SELECT id, name FROM permissions WHERE name = ANY($1::text[])', [names]);
  const byName = new Map(rows.map((r) => [r.name, r.id]));
  const unknown = names.flatMap((n, i) => (byName.has(n) ? [] : [{ pointer: `/permissions/${i}`, message: `unknown permission "${n}"` }]));
  if (unknown.length) throw errors.validation('Some permissions do not exist; GET /api/permissions lists them.', unknown);
  const notHeld = names.flatMap((n, i) => (p.permissions.has(n) ? [] : [{ pointer: `/permissions/${i}`, message: `you do not hold "${n}"` }]));
  if (notHeld.length) throw new AppError(403, 'permission_not_held', 'A custom role may only contain permissions you hold yourself.', notHeld);
  return names.map((n) => byName.get(n)!);
}

/** Role names are unique per organization case-insensitively, and never shadow a built-in role. */
async function assertNameFree(tx: Tx, orgId: string, name: string, exceptId: string | null): Promise<void> {
  const taken = await tx.query(
    'SELECT 1 FROM roles WHERE lower(name) = lower($2) AND (org_id IS NULL OR org_id = $1) AND id IS DISTINCT FROM $3::uuid',
    [orgId, name, exceptId]);
  if (taken.length) throw errors.conflict(`A role named "${name}" already exists.`, 'role_name_taken', [{ pointer: '/name', message: 'already exists' }]);
}

async function setRolePermissions(tx: Tx, orgId: string, roleId: string, permissionIdList: string[]): Promise<void> {
  await tx.query('DELETE FROM role_permissions WHERE role_id = $1 AND org_id = $2', [roleId, orgId]);
  await tx.query(
    'INSERT INTO role_permissions (role_id, permission_id, org_id) SELECT $1, unnest($2::uuid[]), $3', [roleId, permissionIdList, orgId]);
}

export interface RoleInput { name: string; description?: string; permissions: string[] }

export async function createRole(tx: Tx, origin: AuditOrigin, p: Principal, orgId: string, input: RoleInput): Promise<RoleRow> {
  await assertNameFree(tx, orgId, input.name, null);
  const ids = await permissionIds(tx, p, input.permissions);
  const id = newId();
  await tx.query('INSERT INTO roles (id, org_id, name, description, builtin) VALUES ($1, $2, $3, $4, false)',
    [id, orgId, input.name, input.description ?? '']);
  await setRolePermissions(tx, orgId, id, ids);
  await audit(tx, origin, { action: 'create', entityType: 'role', entityId: id, details: { name: input.name, permissions: input.permissions } });
  return (await getRole(tx, orgId, id))!;
}

/** A custom role of the acting organization; built-in roles are read-only (403), others' roles 404. */
async function customRole(tx: Tx, orgId: string, id: string): Promise<RoleRow> {
  const role = await getRole(tx, orgId, id);
  if (!role) throw errors.notFound('role');
  if (role.builtin) throw errors.forbidden('Built-in roles cannot be changed or deleted; create a custom role instead.', 'builtin_role');
  return role;
}

export async function updateRole(tx: Tx, origin: AuditOrigin, p: Principal, orgId: string, id: string, patch: Partial<RoleInput>): Promise<RoleRow> {
  await customRole(tx, orgId, id);
  if (patch.name !== undefined) await assertNameFree(tx, orgId, patch.name, id);
  if (patch.permissions !== undefined) await setRolePermissions(tx, orgId, id, await permissionIds(tx, p, patch.permissions));
  await tx.query(
    'UPDATE roles SET name = coalesce($3, name), description = coalesce($4, description), updated_at = now() WHERE id = $1 AND org_id = $2',
    [id, orgId, patch.name ?? null, patch.description ?? null]);
  await audit(tx, origin, { action: 'update', entityType: 'role', entityId: id, details: { fields: Object.keys(patch), permissions: patch.permissions } });
  return (await getRole(tx, orgId, id))!;
}

/** Deletes a custom role nobody holds and no pending invitation offers (past invitations keep its name). */
export async function deleteRole(tx: Tx, origin: AuditOrigin, orgId: string, id: string): Promise<void> {
  const role = await customRole(tx, orgId, id);
  const [inv] = await tx.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM invitations WHERE role_id = $1 AND org_id = $2 AND status = 'pending' AND expires_at > now()`, [id, orgId]);
  if (role.member_count > 0 || inv!.n > 0) {
    throw errors.conflict(`The role "${role.name}" is held by ${role.member_count} member(s) and offered by ${inv!.n} pending invitation(s); reassign or withdraw them first.`, 'role_in_use');
  }
  await tx.query('DELETE FROM roles WHERE id = $1 AND org_id = $2', [id, orgId]);
  await audit(tx, origin, { action: 'delete', entityType: 'role', entityId: id, details: { name: role.name } });
}

export interface PermissionRow { name: string; description: string; context: string }

export async function listPermissions(tx: Tx): Promise<PermissionRow[]> {
  return tx.query<PermissionRow>('SELECT name, description, context FROM permissions ORDER BY context, name');
}
