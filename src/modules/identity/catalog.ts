import type { OwnerQuery } from '../../platform/db/client.js';
import { newId } from '../../platform/crypto.js';
import { BUILTIN_ROLES, PERMISSIONS } from './permissions.js';

/**
 * Brings the permissions table and the built-in roles in line with permissions.ts. Runs as the
 * schema owner right after migrations, under the migration lock (`db.migrate(syncCatalog)`); idempotent.
 */
export async function syncCatalog(q: OwnerQuery): Promise<void> {
  for (const [name, description] of Object.entries(PERMISSIONS)) {
    const context = name.split('.')[0] ?? 'platform';
    await q(
      `INSERT INTO permissions (id, name, description, context) VALUES ($1, $2, $3, $4)
       ON CONFLICT (name) DO UPDATE SET description = excluded.description, context = excluded.context`,
      [newId(), name, description, context]);
  }
  // A permission removed from the catalogue leaves every role, built-in or custom.
  const names = Object.keys(PERMISSIONS);
  await q('DELETE FROM role_permissions WHERE permission_id IN (SELECT id FROM permissions WHERE NOT (name = ANY($1::text[])))', [names]);
  await q('DELETE FROM permissions WHERE NOT (name = ANY($1::text[]))', [names]);
  for (const [name, role] of Object.entries(BUILTIN_ROLES)) {
    const existing = await q<{ id: string }>('SELECT id FROM roles WHERE org_id IS NULL AND name = $1', [name]);
    let roleId = existing[0]?.id;
    if (!roleId) {
      roleId = newId();
      await q('INSERT INTO roles (id, org_id, name, description, builtin) VALUES ($1, NULL, $2, $3, true)', [roleId, name, role.description]);
    } else {
      await q('UPDATE roles SET description = $2, updated_at = now() WHERE id = $1', [roleId, role.description]);
    }
    await q(
      `DELETE FROM role_permissions WHERE role_id = $1 AND permission_id NOT IN (SELECT id FROM permissions WHERE name = ANY($2::text[]))`,
      [roleId, role.permissions]);
    await q(
      `INSERT INTO role_permissions (role_id, permission_id, org_id)
       SELECT $1, p.id, NULL FROM permissions p WHERE p.name = ANY($2::text[]) ON CONFLICT DO NOTHING`,
      [roleId, role.permissions]);
  }
}
