import type { Tx } from '../../platform/db/client.js';
import { newId } from '../../platform/crypto.js';
import { SqlFilter, likePattern } from '../../platform/db/filter.js';
import { AppError, errors } from '../../platform/http/problem.js';
import { audit, type AuditOrigin } from '../../platform/audit/audit.service.js';

export const PRODUCT_TYPES = ['Botox', 'HA', 'PRP', 'Pigment', 'Anesthetic', 'Skincare', 'Other'] as const;
export type ProductType = (typeof PRODUCT_TYPES)[number];

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ProductRow {
  id: string; code: string; name: string; product_type: ProductType; unit: string; supplier: string | null; pigment_id: string | null;
  ingredients: string[]; reorder_level: string | number | null; is_active: boolean; on_hand: string | number; usable_on_hand: string | number;
  lot_count: number; next_expiry: string | null; created_at: Date; updated_at: Date;
}

/** Stock totals: usable = active lots not expired on the organization's `today` ($n). */
const select = (today: string) => `SELECT pr.id, pr.code, pr.name, pr.product_type, pr.unit, pr.supplier, pr.pigment_id, pr.ingredients, pr.reorder_level,
    pr.is_active, pr.created_at, pr.updated_at,
    COALESCE(st.on_hand, 0) AS on_hand, COALESCE(st.usable_on_hand, 0) AS usable_on_hand, COALESCE(st.lot_count, 0)::int AS lot_count, st.next_expiry::text AS next_expiry
  FROM products pr
  LEFT JOIN LATERAL (
    SELECT sum(l.quantity_on_hand) AS on_hand,
           sum(l.quantity_on_hand) FILTER (WHERE l.status = 'active' AND l.expiry_date >= ${today}::date) AS usable_on_hand,
           count(*) FILTER (WHERE l.quantity_on_hand > 0) AS lot_count,
           min(l.expiry_date) FILTER (WHERE l.status = 'active' AND l.quantity_on_hand > 0 AND l.expiry_date >= ${today}::date) AS next_expiry
      FROM lots l WHERE l.org_id = pr.org_id AND l.product_id = pr.id) st ON true`;

/** A live product by id or code (BOTOX_US). */
export async function findProduct(tx: Tx, ref: string, today: string): Promise<ProductRow | null> {
  const [p] = await tx.query<ProductRow>(
    `${select('$2')} WHERE pr.org_id = visage_current_org() AND pr.deleted_at IS NULL AND ${UUID_RE.test(ref) ? 'pr.id = $1::uuid' : 'lower(pr.code) = lower($1)'}`, [ref, today]);
  return p ?? null;
}

export interface ProductInput {
  code: string; name: string; productType: ProductType; unit: string; supplier?: string | null; pigmentId?: string | null;
  ingredients?: string[]; reorderLevel?: number | null; isActive?: boolean;
}

export async function createProduct(tx: Tx, origin: AuditOrigin, input: ProductInput, today: string): Promise<ProductRow> {
  const [dup] = await tx.query('SELECT 1 FROM products WHERE org_id = visage_current_org() AND lower(code) = lower($1) AND deleted_at IS NULL', [input.code]);
  if (dup) throw errors.conflict(`A product with code "${input.code}" already exists.`, 'product_code_taken', [{ pointer: '/code', message: 'already used' }]);
  const id = newId();
  await tx.query(
    `INSERT INTO products (id, org_id, code, name, product_type, unit, supplier, pigment_id, ingredients, reorder_level, is_active)
     VALUES ($1, visage_current_org(), $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [id, input.code, input.name, input.productType, input.unit, input.supplier ?? null, input.pigmentId ?? null, input.ingredients ?? [], input.reorderLevel ?? null, input.isActive ?? true]);
  await audit(tx, origin, { action: 'create', entityType: 'product', entityId: id, details: { code: input.code } });
  return (await findProduct(tx, id, today))!;
}

export interface ProductFilter { q?: string; productType?: ProductType; active?: boolean; lowStock?: boolean; limit: number; cursor: { name: string; id: string } | null }

/** By name; q searches code and name. */
export async function listProducts(tx: Tx, f: ProductFilter, today: string): Promise<ProductRow[]> {
  const w = new SqlFilter('pr.org_id = visage_current_org()', 'pr.deleted_at IS NULL');
  const t = w.param(today);
  w.when(`(pr.code || ' ' || pr.name) ILIKE ?`, likePattern(f.q))
    .when('pr.product_type = ?', f.productType).when('pr.is_active = ?', f.active)
    .when('(pr.reorder_level IS NOT NULL AND COALESCE(st.usable_on_hand, 0) <= pr.reorder_level) = ?', f.lowStock);
  if (f.cursor) w.when(`(lower(pr.name), pr.id) > (${w.param(f.cursor.name)}, ?::uuid)`, f.cursor.id);
  return tx.query<ProductRow>(`${select(t)} WHERE ${w.where} ORDER BY lower(pr.name), pr.id LIMIT ${w.param(f.limit + 1)}`, w.params);
}

export type ProductPatch = Partial<Omit<ProductInput, 'code'>> & { code?: string };

export async function updateProduct(tx: Tx, origin: AuditOrigin, ref: string, patch: ProductPatch, today: string, now: Date): Promise<ProductRow> {
  const p = await findProduct(tx, ref, today);
  if (!p) throw errors.notFound('product');
  if (patch.unit !== undefined && patch.unit !== p.unit) {
    const [used] = await tx.query('SELECT 1 FROM lots WHERE org_id = visage_current_org() AND product_id = $1 LIMIT 1', [p.id]);
    if (used) throw new AppError(409, 'unit_in_use', `${p.code} already has lots counted in ${p.unit}; its unit cannot change.`, [{ pointer: '/unit', message: 'lots exist' }]);
  }
  if (patch.code !== undefined && patch.code.toLowerCase() !== p.code.toLowerCase()) {
    const [dup] = await tx.query('SELECT 1 FROM products WHERE org_id = visage_current_org() AND lower(code) = lower($1) AND deleted_at IS NULL', [patch.code]);
    if (dup) throw errors.conflict(`A product with code "${patch.code}" already exists.`, 'product_code_taken', [{ pointer: '/code', message: 'already used' }]);
  }
  const fields = Object.entries(patch).filter(([, v]) => v !== undefined).map(([k]) => k);
  await tx.query(
    `UPDATE products SET code = COALESCE($2, code), name = COALESCE($3, name), product_type = COALESCE($4, product_type), unit = COALESCE($5, unit),
        supplier = CASE WHEN $6 THEN $7 ELSE supplier END, pigment_id = CASE WHEN $8 THEN $9::uuid ELSE pigment_id END,
        ingredients = COALESCE($10, ingredients), reorder_level = CASE WHEN $11 THEN $12::numeric ELSE reorder_level END,
        is_active = COALESCE($13, is_active), updated_at = $14
      WHERE org_id = visage_current_org() AND id = $1`,
    [p.id, patch.code ?? null, patch.name ?? null, patch.productType ?? null, patch.unit ?? null, patch.supplier !== undefined, patch.supplier ?? null,
      patch.pigmentId !== undefined, patch.pigmentId ?? null, patch.ingredients ?? null, patch.reorderLevel !== undefined, patch.reorderLevel ?? null,
      patch.isActive ?? null, now]);
  await audit(tx, origin, { action: 'update', entityType: 'product', entityId: p.id, details: { fields } });
  return (await findProduct(tx, p.id, today))!;
}

/** Soft delete; refused while stock is on hand (dispose or use it first). */
export async function deleteProduct(tx: Tx, origin: AuditOrigin, ref: string, today: string, now: Date): Promise<void> {
  const p = await findProduct(tx, ref, today);
  if (!p) throw errors.notFound('product');
  if (Number(p.on_hand) > 0) throw new AppError(409, 'product_has_stock', `${p.code} still has ${Number(p.on_hand)} ${p.unit} on hand; dispose of or use its lots first.`);
  await tx.query('UPDATE products SET deleted_at = $2, updated_at = $2 WHERE org_id = visage_current_org() AND id = $1', [p.id, now]);
  await audit(tx, origin, { action: 'delete', entityType: 'product', entityId: p.id });
}
