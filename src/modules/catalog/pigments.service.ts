import type { Tx } from '../../platform/db/client.js';
import { SqlFilter, likePattern } from '../../platform/db/filter.js';
import { newId } from '../../platform/crypto.js';
import { errors } from '../../platform/http/problem.js';
import { audit, type AuditOrigin } from '../../platform/audit/audit.service.js';

export interface PigmentRow {
  id: string; brand: string; color: string; undertone: string | null; notes: string | null; is_active: boolean;
  created_at: Date; updated_at: Date; sort_key: string;
}

const COLUMNS = `id, brand, color, undertone, notes, is_active, created_at, updated_at, lower(brand || ' ' || color) AS sort_key`;

export async function findPigment(tx: Tx, id: string): Promise<PigmentRow | null> {
  const rows = await tx.query<PigmentRow>(`SELECT ${COLUMNS} FROM pigments WHERE org_id = visage_current_org() AND id = $1 AND deleted_at IS NULL`, [id]);
  return rows[0] ?? null;
}

async function getPigment(tx: Tx, id: string): Promise<PigmentRow> {
  const row = await findPigment(tx, id);
  if (!row) throw errors.notFound('pigment');
  return row;
}


/** The pigment library by brand and colour, keyset-paginated (limit + 1 rows). */
export async function listPigments(tx: Tx, f: { q?: string; active?: boolean; limit: number; cursor: { k: string; id: string } | null }): Promise<PigmentRow[]> {
  const q = new SqlFilter('org_id = visage_current_org()', 'deleted_at IS NULL').when('is_active = ?', f.active);
  if (f.q) {
    const p = `$${q.params.length + 1}`; // the ? below
    q.when(`(brand ILIKE ? OR color ILIKE ${p} OR undertone ILIKE ${p})`, likePattern(f.q));
  }
  if (f.cursor) {
    const k = q.param(f.cursor.k);
    q.when(`(lower(brand || ' ' || color), id) > (${k}, ?::uuid)`, f.cursor.id);
  }
  return tx.query<PigmentRow>(`SELECT ${COLUMNS} FROM pigments WHERE ${q.where} ORDER BY lower(brand || ' ' || color), id LIMIT ${q.param(f.limit + 1)}`, q.params);
}

export interface PigmentInput { brand: string; color: string; undertone?: string | null; notes?: string | null; isActive?: boolean }

async function assertFree(tx: Tx, brand: string, color: string, exceptId: string | null): Promise<void> {
  const rows = await tx.query(
    `SELECT id FROM pigments WHERE org_id = visage_current_org() AND lower(brand) = lower($1) AND lower(color) = lower($2) AND deleted_at IS NULL
        AND id IS DISTINCT FROM $3::uuid`, [brand, color, exceptId]);
  if (rows.length) throw errors.conflict(`${brand} ${color} is already in the library.`, 'pigment_exists', [{ pointer: '/color', message: 'already in the library' }]);
}

export async function createPigment(tx: Tx, origin: AuditOrigin, input: PigmentInput): Promise<PigmentRow> {
  await assertFree(tx, input.brand, input.color, null);
  const id = newId();
  const [row] = await tx.query<PigmentRow>(
    `INSERT INTO pigments (id, org_id, brand, color, undertone, notes, is_active) VALUES ($1, visage_current_org(), $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
    [id, input.brand, input.color, input.undertone ?? null, input.notes ?? null, input.isActive ?? true]);
  await audit(tx, origin, { action: 'create', entityType: 'pigment', entityId: id });
  return row!;
}

export async function updatePigment(tx: Tx, origin: AuditOrigin, id: string, patch: Partial<PigmentInput>): Promise<PigmentRow> {
  const current = await getPigment(tx, id);
  const next = { brand: patch.brand ?? current.brand, color: patch.color ?? current.color };
  if (next.brand.toLowerCase() !== current.brand.toLowerCase() || next.color.toLowerCase() !== current.color.toLowerCase()) {
    await assertFree(tx, next.brand, next.color, id);
  }
  const [row] = await tx.query<PigmentRow>(
    `UPDATE pigments SET brand = $2, color = $3, undertone = CASE WHEN $4 THEN $5 ELSE undertone END, notes = CASE WHEN $6 THEN $7 ELSE notes END,
            is_active = coalesce($8, is_active), updated_at = now()
      WHERE id = $1 AND org_id = visage_current_org() RETURNING ${COLUMNS}`,
    [id, next.brand, next.color, patch.undertone !== undefined, patch.undertone ?? null, patch.notes !== undefined, patch.notes ?? null, patch.isActive ?? null]);
  await audit(tx, origin, { action: 'update', entityType: 'pigment', entityId: id, details: { fields: Object.keys(patch).filter((k) => (patch as Record<string, unknown>)[k] !== undefined) } });
  return row!;
}

export async function deletePigment(tx: Tx, origin: AuditOrigin, id: string): Promise<void> {
  await getPigment(tx, id);
  await tx.query('UPDATE pigments SET deleted_at = now(), is_active = false WHERE id = $1 AND org_id = visage_current_org()', [id]);
  await audit(tx, origin, { action: 'delete', entityType: 'pigment', entityId: id });
}

export { getPigment };
