import type { Tx } from '../../platform/db/client.js';
import { newId } from '../../platform/crypto.js';
import { errors } from '../../platform/http/problem.js';
import { audit, type AuditOrigin } from '../../platform/audit/audit.service.js';

export interface OrgRow {
  id: string; name: string; slug: string; type: string; timezone: string; currency: string; locale: string;
  country: string | null; city: string | null; email: string | null; phone: string | null; status: string; consent_policy: 'flag' | 'strict';
  created_at: Date; updated_at: Date;
}
const ORG_COLUMNS = 'id, name, slug, type, timezone, currency, locale, country, city, email, phone, status, consent_policy, created_at, updated_at';

export interface NewOrg { name: string; type: string; timezone?: string; currency?: string; locale?: string; country?: string | null; city?: string | null; email?: string | null; phone?: string | null }

function slugify(name: string): string {
  const base = name.normalize('NFKD').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40);
  return `${base || 'org'}-${newId().slice(-8)}`;
}

export async function roleIdByName(tx: Tx, name: string): Promise<string> {
  const r = await tx.query<{ id: string }>(
    'SELECT id FROM roles WHERE name = $1 AND (org_id = visage_current_org() OR org_id IS NULL) ORDER BY org_id NULLS LAST LIMIT 1', [name]);
  if (!r[0]) throw errors.validation(`There is no role named "${name}".`, [{ pointer: '/role', message: 'unknown role' }]);
  return r[0].id;
}

/** Adds a user to the acting organization with the given roles. */
export async function addMember(tx: Tx, userId: string, roleNames: string[], opts: { title?: string | null; grantedBy?: string | null } = {}): Promise<string> {
  const orgId = tx.ctx.orgId;
  if (!orgId) throw new Error('addMember needs an acting organization');
  const membershipId = newId();
  await tx.query('INSERT INTO memberships (id, org_id, user_id, title) VALUES ($1, $2, $3, $4)', [membershipId, orgId, userId, opts.title ?? null]);
  for (const name of roleNames) {
    await tx.query('INSERT INTO membership_roles (org_id, membership_id, role_id, granted_by) VALUES ($1, $2, $3, $4)',
      [orgId, membershipId, await roleIdByName(tx, name), opts.grantedBy ?? null]);
  }
  await tx.query('UPDATE users SET default_org_id = coalesce(default_org_id, $2) WHERE id = $1', [userId, orgId]);
  return membershipId;
}

/**
 * Creates an organization whose owner is the calling user, and makes it the acting organization
 * of the transaction.
 */
export async function createOrganization(tx: Tx, origin: AuditOrigin, userId: string, input: NewOrg): Promise<OrgRow> {
  const id = newId();
  await tx.setContext({ scope: 'tenant', orgId: id, userId });
  await tx.query(
    `INSERT INTO organizations (id, name, slug, type, timezone, currency, locale, country, city, email, phone, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [id, input.name.trim(), slugify(input.name), input.type, input.timezone ?? 'UTC', input.currency ?? 'USD', input.locale ?? 'en',
      input.country ?? null, input.city ?? null, input.email ?? null, input.phone ?? null, userId]);
  await addMember(tx, userId, ['owner'], { grantedBy: userId });
  await audit(tx, origin, { action: 'create', entityType: 'organization', entityId: id, details: { fields: Object.keys(input) } });
  return (await getOrganization(tx, id))!;
}

/** An organization by id, with $1 the id (a guard prelude's statement, and getOrganization's). */
export const ORGANIZATION_BY_ID = `SELECT ${ORG_COLUMNS} FROM organizations WHERE id = $1 AND deleted_at IS NULL`;

export async function getOrganization(tx: Tx, id: string): Promise<OrgRow | undefined> {
  return (await tx.query<OrgRow>(ORGANIZATION_BY_ID, [id]))[0];
}

export async function updateOrganization(tx: Tx, origin: AuditOrigin, id: string, patch: Partial<NewOrg> & { consent_policy?: 'flag' | 'strict' }): Promise<OrgRow> {
  if (id !== tx.ctx.orgId) throw errors.notFound('organization');
  const map: Record<string, string> = {
    name: 'name', type: 'type', timezone: 'timezone', currency: 'currency', locale: 'locale', country: 'country', city: 'city', email: 'email', phone: 'phone',
    consent_policy: 'consent_policy',
  };
  const sets: string[] = [];
  const params: unknown[] = [id];
  for (const [k, col] of Object.entries(map)) {
    const v = (patch as Record<string, unknown>)[k];
    if (v !== undefined) { params.push(v); sets.push(`${col} = $${params.length}`); }
  }
  if (sets.length) await tx.query(`UPDATE organizations SET ${sets.join(', ')}, updated_at = now() WHERE id = $1`, params);
  await audit(tx, origin, { action: 'update', entityType: 'organization', entityId: id, details: { fields: Object.keys(patch) } });
  const row = await getOrganization(tx, id);
  if (!row) throw errors.notFound('organization');
  return row;
}
