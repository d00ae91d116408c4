import type { Tx } from '../../platform/db/client.js';
import { newId } from '../../platform/crypto.js';
import { SqlFilter, likePattern } from '../../platform/db/filter.js';
import { AppError, errors } from '../../platform/http/problem.js';
import { audit, type AuditOrigin } from '../../platform/audit/audit.service.js';
import { findProduct } from './products.service.js';

export const LOT_STATUSES = ['active', 'quarantined', 'recalled', 'disposed'] as const;
export type LotStatus = (typeof LOT_STATUSES)[number];

export interface LotRow {
  id: string; product_id: string; product_code: string; product_name: string; unit: string; lot_number: string; expiry_date: string;
  quantity_received: string | number; quantity_on_hand: string | number; received_at: Date; supplier: string | null;
  unit_cost_minor: string | number | null; currency: string | null; status: LotStatus; days_to_expiry: number; created_at: Date; updated_at: Date;
}

/** `today` is the organization's calendar date: days_to_expiry < 0 means expired. */
const select = (today: string) => `SELECT l.id, l.product_id, pr.code AS product_code, pr.name AS product_name, pr.unit, l.lot_number,
    l.expiry_date::text AS expiry_date, l.quantity_received, l.quantity_on_hand, l.received_at, l.supplier, l.unit_cost_minor, l.currency,
    l.status, (l.expiry_date - ${today}::date)::int AS days_to_expiry, l.created_at, l.updated_at
  FROM lots l JOIN products pr ON pr.org_id = l.org_id AND pr.id = l.product_id`;

export async function findLot(tx: Tx, id: string, today: string): Promise<LotRow | null> {
  const [l] = await tx.query<LotRow>(`${select('$2')} WHERE l.org_id = visage_current_org() AND l.id = $1`, [id, today]);
  return l ?? null;
}

/** One signed stock movement (+ receive/return, - use/waste, either for adjust). Movements are insert-only. */
export async function recordMovement(tx: Tx, m: { lotId: string; kind: 'receive' | 'use' | 'adjust' | 'waste' | 'return'; quantity: number; usageId?: string | null; reason?: string | null; at: Date }): Promise<string> {
  const id = newId();
  await tx.query(
    `INSERT INTO stock_movements (id, org_id, lot_id, kind, quantity, usage_id, reason, created_by, created_at)
     VALUES ($1, visage_current_org(), $2, $3, $4, $5, $6, $7, $8)`,
    [id, m.lotId, m.kind, m.quantity, m.usageId ?? null, m.reason ?? null, tx.ctx.userId ?? null, m.at]);
  return id;
}

export interface NewLot { lotNumber: string; expiryDate: string; quantity: number; supplier?: string | null; unitCostMinor?: number | null; currency?: string | null; receivedAt?: Date }

/** Receives a lot of a product: the lot and its 'receive' movement. An already expired lot is refused. */
export async function receiveLot(tx: Tx, origin: AuditOrigin, productRef: string, input: NewLot, today: string, now: Date): Promise<LotRow> {
  const p = await findProduct(tx, productRef, today);
  if (!p) throw errors.notFound('product');
  if (input.expiryDate < today) {
    throw new AppError(422, 'lot_expired', `Lot ${input.lotNumber} expired on ${input.expiryDate}; an expired lot cannot be received into stock.`, [{ pointer: '/expiry_date', message: 'in the past' }]);
  }
  const [dup] = await tx.query('SELECT id FROM lots WHERE org_id = visage_current_org() AND product_id = $1 AND lot_number = $2', [p.id, input.lotNumber]);
  if (dup) throw errors.conflict(`Lot ${input.lotNumber} of ${p.code} is already recorded; adjust its quantity instead.`, 'lot_exists', [{ pointer: '/lot_number', message: 'already recorded' }]);
  const id = newId();
  await tx.query(
    `INSERT INTO lots (id, org_id, product_id, lot_number, expiry_date, quantity_received, quantity_on_hand, received_at, supplier, unit_cost_minor, currency, status, created_at, updated_at)
     VALUES ($1, visage_current_org(), $2, $3, $4, $5, $5, $6, $7, $8, $9, 'active', $10, $10)`,
    [id, p.id, input.lotNumber, input.expiryDate, input.quantity, input.receivedAt ?? now, input.supplier ?? p.supplier, input.unitCostMinor ?? null,
      input.unitCostMinor != null ? (input.currency ?? (await orgCurrency(tx))) : null, now]);
  await recordMovement(tx, { lotId: id, kind: 'receive', quantity: input.quantity, at: now });
  await audit(tx, origin, { action: 'create', entityType: 'lot', entityId: id, details: { product_id: p.id, quantity: input.quantity } });
  return (await findLot(tx, id, today))!;
}

async function orgCurrency(tx: Tx): Promise<string> {
  const [o] = await tx.query<{ currency: string }>('SELECT currency FROM organizations WHERE id = visage_current_org()');
  return o!.currency;
}

export interface LotFilter {
  product?: string; status?: LotStatus; expiringWithinDays?: number; inStock?: boolean; q?: string;
  limit: number; cursor: { date: string; id: string } | null;
}

/**
 * Lots by expiry, soonest first. With expiring_within_days: lots in stock (active or quarantined)
 * that expire within N days of today, expired ones included (days_to_expiry < 0).
 */
export async function listLots(tx: Tx, f: LotFilter, today: string): Promise<LotRow[]> {
  const w = new SqlFilter('l.org_id = visage_current_org()', 'pr.deleted_at IS NULL');
  const t = w.param(today);
  if (f.product) {
    const p = await findProduct(tx, f.product, today);
    if (!p) throw errors.badRequest(`No product with id or code "${f.product}".`, [{ pointer: '#query/product_id', message: 'not found' }]);
    w.when('l.product_id = ?', p.id);
  }
  w.when('l.status = ?', f.status).when('l.lot_number ILIKE ?', likePattern(f.q));
  if (f.expiringWithinDays !== undefined) {
    w.when(`l.expiry_date <= ${t}::date + ?::int`, f.expiringWithinDays);
    w.when('l.status = ANY(?::text[])', ['active', 'quarantined']);
    w.when('l.quantity_on_hand > ?', 0);
  }
  if (f.inStock !== undefined) w.when(f.inStock ? 'l.quantity_on_hand > ?' : 'l.quantity_on_hand <= ?', 0);
  if (f.cursor) w.when(`(l.expiry_date, l.id) > (${w.param(f.cursor.date)}::date, ?::uuid)`, f.cursor.id);
  return tx.query<LotRow>(`${select(t)} WHERE ${w.where} ORDER BY l.expiry_date, l.id LIMIT ${w.param(f.limit + 1)}`, w.params);
}

const TRANSITIONS: Record<LotStatus, LotStatus[]> = {
  active: ['quarantined', 'recalled', 'disposed'],
  quarantined: ['active', 'recalled', 'disposed'],
  recalled: ['disposed'],
  disposed: [],
};

export interface LotPatch { status?: LotStatus; reason?: string; supplier?: string | null; unitCostMinor?: number | null; expiryDate?: string }

/**
 * Quarantine, release, recall or dispose of a lot (a status change needs a reason), or correct its
 * expiry, supplier or cost. A reason given with any change is kept in the audit event (with the
 * status and expiry before and after), so a corrected expiry says why. Disposing writes off what
 * is left with a 'waste' movement carrying the reason.
 */
export async function updateLot(tx: Tx, origin: AuditOrigin, id: string, patch: LotPatch, today: string, now: Date): Promise<LotRow> {
  const [lot] = await tx.query<{ status: LotStatus; quantity_on_hand: string | number; lot_number: string; expiry_date: string }>(
    'SELECT status, quantity_on_hand, lot_number, expiry_date::text AS expiry_date FROM lots WHERE org_id = visage_current_org() AND id = $1 FOR UPDATE', [id]);
  if (!lot) throw errors.notFound('lot');
  const details: Record<string, unknown> = { fields: Object.entries(patch).filter(([, v]) => v !== undefined).map(([k]) => k) };
  if (patch.reason) details.reason = patch.reason;
  if (patch.expiryDate !== undefined && patch.expiryDate !== lot.expiry_date) {
    details.expiry_from = lot.expiry_date;
    details.expiry_to = patch.expiryDate;
  }
  if (patch.status !== undefined && patch.status !== lot.status) {
    if (!TRANSITIONS[lot.status].includes(patch.status)) {
      throw errors.conflict(`A ${lot.status} lot cannot become ${patch.status}.`, 'invalid_lot_transition', [{ pointer: '/status', message: `not allowed from ${lot.status}` }]);
    }
    if (!patch.reason) throw errors.validation('Say why the lot\'s status changes ("reason").', [{ pointer: '/reason', message: 'required with a status change' }]);
    details.from = lot.status;
    details.to = patch.status;
    const left = Number(lot.quantity_on_hand);
    if (patch.status === 'disposed' && left > 0) {
      await tx.query('UPDATE lots SET quantity_on_hand = 0 WHERE org_id = visage_current_org() AND id = $1', [id]);
      await recordMovement(tx, { lotId: id, kind: 'waste', quantity: -left, reason: patch.reason, at: now });
    }
  }
  await tx.query(
    `UPDATE lots SET status = COALESCE($2, status), supplier = CASE WHEN $3 THEN $4 ELSE supplier END,
        unit_cost_minor = CASE WHEN $5 THEN $6::bigint ELSE unit_cost_minor END, expiry_date = COALESCE($7::date, expiry_date), updated_at = $8
      WHERE org_id = visage_current_org() AND id = $1`,
    [id, patch.status ?? null, patch.supplier !== undefined, patch.supplier ?? null, patch.unitCostMinor !== undefined, patch.unitCostMinor ?? null, patch.expiryDate ?? null, now]);
  await audit(tx, origin, { action: patch.status === 'recalled' ? 'recall' : 'update', entityType: 'lot', entityId: id, details });
  return (await findLot(tx, id, today))!;
}

/**
 * A manual stock change: 'adjust' by a signed quantity (a count correction) or 'waste' of a
 * positive quantity (broken vial, expired remainder). Never below zero.
 */
export async function adjustLot(tx: Tx, origin: AuditOrigin, id: string, input: { kind: 'adjust' | 'waste'; quantity: number; reason: string }, today: string, now: Date): Promise<{ lot: LotRow; movementId: string }> {
  const delta = input.kind === 'waste' ? -Math.abs(input.quantity) : input.quantity;
  const [row] = await tx.query<{ quantity_on_hand: string | number }>(
    `UPDATE lots SET quantity_on_hand = quantity_on_hand + $2, updated_at = $3
      WHERE org_id = visage_current_org() AND id = $1 AND quantity_on_hand + $2 >= 0 RETURNING quantity_on_hand`, [id, delta, now]);
  if (!row) {
    const lot = await findLot(tx, id, today);
    if (!lot) throw errors.notFound('lot');
    throw new AppError(422, 'insufficient_stock', `Lot ${lot.lot_number} has ${Number(lot.quantity_on_hand)} ${lot.unit} on hand; it cannot go below zero.`,
      [{ pointer: '/quantity', message: `available ${Number(lot.quantity_on_hand)} ${lot.unit}` }]);
  }
  const movementId = await recordMovement(tx, { lotId: id, kind: input.kind, quantity: delta, reason: input.reason, at: now });
  await audit(tx, origin, { action: input.kind, entityType: 'lot', entityId: id, details: { quantity: delta } });
  return { lot: (await findLot(tx, id, today))!, movementId };
}

export interface MovementRow {
  id: string; kind: string; quantity: string | number; usage_id: string | null; session_id: string | null; patient_id: string | null;
  reason: string | null; created_by: string | null; created_at: Date;
}

export async function listMovements(tx: Tx, lotId: string, limit: number, cursor: { at: string; id: string } | null): Promise<MovementRow[]> {
  const w = new SqlFilter('m.org_id = visage_current_org()').when('m.lot_id = ?', lotId).before(['m.created_at', 'm.id'], cursor, 'stock_movements');
  return tx.query<MovementRow>(
    `SELECT m.id, m.kind, m.quantity, m.usage_id, u.session_id, s.patient_id, m.reason, m.created_by, m.created_at
       FROM stock_movements m LEFT JOIN drug_usages u ON u.org_id = m.org_id AND u.id = m.usage_id
       LEFT JOIN treatment_sessions s ON s.org_id = u.org_id AND s.id = u.session_id
      WHERE ${w.where} ORDER BY m.created_at DESC, m.id DESC LIMIT ${w.param(limit + 1)}`, w.params);
}

export interface RecallLine {
  patient_id: string; patient_code: string; full_name: string; phone: string | null; email: string | null;
  session_id: string; usage_id: string | null; performed_at: Date; performed_on: string; treatment_code: string; treatment_name: string;
  practitioner_name: string | null; amount_used: string | number | null; unit: string | null; source: 'usage' | 'pmu_record'; session_deleted: boolean;
}

/**
 * Who received a lot: every recorded usage of it (also of sessions deleted since: the patient still
 * received it) plus, for pigments, PMU sessions whose procedure record names the lot number.
 */
export async function recallLines(tx: Tx, lotId: string): Promise<RecallLine[]> {
  return tx.query<RecallLine>(
    `WITH lot AS (SELECT l.id, l.lot_number, pr.product_type FROM lots l JOIN products pr ON pr.org_id = l.org_id AND pr.id = l.product_id
                   WHERE l.org_id = visage_current_org() AND l.id = $1),
     hits AS (
       SELECT u.session_id, u.id AS usage_id, u.amount_used, u.unit, 'usage' AS source
         FROM drug_usages u WHERE u.org_id = visage_current_org() AND u.lot_id = $1 AND u.deleted_at IS NULL
       UNION ALL
       SELECT s.id, NULL, NULL, NULL, 'pmu_record'
         FROM treatment_sessions s, lot
        WHERE s.org_id = visage_current_org() AND lot.product_type = 'Pigment' AND s.pmu ? 'lot_number' AND lower(s.pmu->>'lot_number') = lower(lot.lot_number)
          AND NOT EXISTS (SELECT 1 FROM drug_usages u2 WHERE u2.org_id = s.org_id AND u2.session_id = s.id AND u2.lot_id = $1 AND u2.deleted_at IS NULL))
     SELECT p.id AS patient_id, p.code AS patient_code, p.full_name, p.phone, p.email, s.id AS session_id, h.usage_id, s.performed_at,
            (s.performed_at AT TIME ZONE o.timezone)::date::text AS performed_on, t.code AS treatment_code, t.name AS treatment_name,
            pr.full_name AS practitioner_name, h.amount_used, h.unit, h.source, s.deleted_at IS NOT NULL AS session_deleted
       FROM hits h
       JOIN treatment_sessions s ON s.org_id = visage_current_org() AND s.id = h.session_id
       JOIN organizations o ON o.id = s.org_id
       JOIN patients p ON p.org_id = s.org_id AND p.id = s.patient_id
       JOIN treatments t ON t.org_id = s.org_id AND t.id = s.treatment_id
       LEFT JOIN practitioners pr ON pr.org_id = s.org_id AND pr.id = s.practitioner_id
      ORDER BY p.full_name, p.id, s.performed_at`, [lotId]);
}
