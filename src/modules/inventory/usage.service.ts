import type { Tx } from '../../platform/db/client.js';
import { newId } from '../../platform/crypto.js';
import { byIdOrCode, found, refParams, refSubquery } from '../../platform/db/refs.js';
import { SqlFilter } from '../../platform/db/filter.js';
import { AppError, errors } from '../../platform/http/problem.js';
import { audit, type AuditOrigin } from '../../platform/audit/audit.service.js';
import { recordMovement, type LotStatus } from './lots.service.js';
import { localDate } from '../clinical/index.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface NewUsage { sessionId: string; product: string; productPointer: string; amountUsed: number; unit: string; lotId?: string; lotNumber?: string }

export interface UsageRow {
  id: string; session_id: string; patient_id: string; product_id: string; product_code: string; product_name: string; lot_id: string; lot_number: string;
  expiry_date: string; quantity_on_hand: string | number; amount_used: string | number; unit: string; created_by: string | null; created_at: Date;
}

export interface RecordedUsage { usage: UsageRow; chosenBy: 'named' | 'fefo'; warnings: string[] }

interface ProductRef { id: string; code: string; name: string; unit: string; is_active: boolean }

/** A lot as read when choosing or taking it. */
interface ChosenLot { id: string; product_id: string; lot_number: string; expiry_date: string; quantity_on_hand: string | number; status: LotStatus }

const LOT_COLUMNS = 'id, product_id, lot_number, expiry_date::text AS expiry_date, quantity_on_hand, status';
const fmt = (n: number) => String(Math.round(n * 100) / 100);

function refuseLot(lot: ChosenLot, amount: number, unit: string, today: string, pointer: string): void {
  if (lot.status !== 'active') {
    const why = { quarantined: 'is quarantined', recalled: 'has been recalled', disposed: 'has been disposed of', active: '' }[lot.status];
    throw new AppError(422, `lot_${lot.status}`, `Lot ${lot.lot_number} ${why} and cannot be used.`, [{ pointer, message: `lot ${lot.status}` }]);
  }
  if (lot.expiry_date < today) {
    throw new AppError(422, 'lot_expired', `Lot ${lot.lot_number} expired on ${lot.expiry_date} and cannot be used.`, [{ pointer, message: `expired ${lot.expiry_date}` }]);
  }
  const onHand = Number(lot.quantity_on_hand);
  if (onHand < amount) {
    throw new AppError(422, 'insufficient_stock', `Lot ${lot.lot_number} has ${fmt(onHand)} ${unit} on hand; ${fmt(amount)} ${unit} were requested.`,
      [{ pointer: '/amount_used', message: `available ${fmt(onHand)} ${unit}` }]);
  }
}

/**
 * Records a product used in a session and takes it from a lot: the named one, or the usable lot
 * that expires first (FEFO: active, not expired on the organization's today, enough on hand).
 * The lot is decremented by one conditional statement, so concurrent usages cannot overdraw it.
 */
export async function recordUsage(tx: Tx, origin: AuditOrigin, input: NewUsage, now: Date): Promise<RecordedUsage> {
  // The session, the organization's time zone and the product named (by id or code) in one statement.
  const [session] = await tx.query<{ id: string; patient_id: string; timezone: string; product: ProductRef | null }>(
    `SELECT s.id, s.patient_id, o.timezone, ${refSubquery('products', 'id, code, name, unit, is_active', '$2', '$3')} AS product
       FROM treatment_sessions s JOIN organizations o ON o.id = s.org_id
      WHERE s.org_id = visage_current_org() AND s.id = $1 AND s.deleted_at IS NULL`, [input.sessionId, ...refParams(input.product)]);
  if (!session) throw errors.validation(`No treatment session with id "${input.sessionId}".`, [{ pointer: '/session_id', message: 'not found' }]);
  // Expiry is judged on the organization's calendar date.
  const today = localDate(now, session.timezone);
  const product = found(session.product, 'products', input.product, input.productPointer);
  if (input.unit.toLowerCase() !== product.unit.toLowerCase()) {
    throw new AppError(422, 'unit_mismatch', `${product.code} is counted in ${product.unit}, not ${input.unit}.`, [{ pointer: '/unit', message: `use ${product.unit}` }]);
  }
  const unit = product.unit;
  const warnings: string[] = [];
  if (!product.is_active) warnings.push(`${product.code} is marked inactive.`);

  // The lot is taken by one conditional statement: a product's current lot is the one row every
  // usage of it writes, so it is held only from that statement to COMMIT. Without a named lot the
  // statement itself picks the usable lot that expires first (FEFO); a named lot is judged first,
  // to say why it cannot be used. Losing a race for the last units of a lot re-chooses or re-judges.
  const chosenBy: 'named' | 'fefo' = input.lotId || input.lotNumber ? 'named' : 'fefo';
  for (let attempt = 0; ; attempt++) {
    const named = chosenBy === 'named' ? await namedLot(tx, input, product, unit, today) : null;
    const id = newId();
    const [taken] = await tx.query<ChosenLot>(
      `WITH pick AS (
         SELECT id FROM lots
          WHERE org_id = visage_current_org() AND product_id = $7 AND status = 'active' AND expiry_date >= $4::date AND quantity_on_hand >= $2
            AND ($1::uuid IS NULL OR id = $1::uuid)
          ORDER BY expiry_date, received_at, id LIMIT 1
       ), l AS (
         UPDATE lots SET quantity_on_hand = quantity_on_hand - $2, updated_at = $3
           FROM pick
          WHERE lots.org_id = visage_current_org() AND lots.id = pick.id AND lots.status = 'active' AND lots.quantity_on_hand >= $2
          RETURNING lots.id, lots.product_id, lots.lot_number, lots.expiry_date::text AS expiry_date, lots.quantity_on_hand, lots.status
       ), u AS (
         INSERT INTO drug_usages (id, org_id, session_id, product_id, lot_id, amount_used, unit, created_by, created_at)
         SELECT $5, visage_current_org(), $6, $7, l.id, $2, $8, $9, $3 FROM l RETURNING id, lot_id
       ), m AS (
         INSERT INTO stock_movements (id, org_id, lot_id, kind, quantity, usage_id, created_by, created_at)
         SELECT $10, visage_current_org(), u.lot_id, 'use', -($2::numeric), u.id, $9, $3 FROM u
       )
       SELECT * FROM l`,
      [named?.id ?? null, input.amountUsed, now, today, id, session.id, product.id, unit, tx.ctx.userId ?? null, newId()]);
    if (!taken) {
      // No usable lot holds the amount (fefoLot says why), or another usage took it first: try again.
      if (!named) await fefoLot(tx, input, product, unit, today);
      if (attempt < 3) continue;
      throw new AppError(409, 'concurrent_update', 'The lot changed while this usage was recorded; retry.');
    }
    const lot = taken;
    const daysLeft = Math.round((Date.parse(`${lot.expiry_date}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000);
    if (daysLeft <= 30) warnings.push(`Lot ${lot.lot_number} expires on ${lot.expiry_date} (${daysLeft} day(s)).`);
    await audit(tx, origin, { action: 'create', entityType: 'drug_usage', entityId: id, details: { session_id: session.id, product_id: product.id, lot_id: lot.id, chosen_by: chosenBy } });
    const usage: UsageRow = {
      id, session_id: session.id, patient_id: session.patient_id, product_id: product.id, product_code: product.code, product_name: product.name,
      lot_id: lot.id, lot_number: lot.lot_number, expiry_date: lot.expiry_date, quantity_on_hand: lot.quantity_on_hand, amount_used: input.amountUsed,
      unit, created_by: tx.ctx.userId ?? null, created_at: now,
    };
    return { usage, chosenBy, warnings };
  }
}

/** The lot the caller named (by id or number), refused with the reason when it cannot give the amount. */
async function namedLot(tx: Tx, input: NewUsage, product: { id: string; code: string }, unit: string, today: string): Promise<ChosenLot> {
  const pointer = input.lotId ? '/lot_id' : '/lot_number';
  const [lot] = input.lotId
    ? await tx.query<ChosenLot>(`SELECT ${LOT_COLUMNS} FROM lots WHERE org_id = visage_current_org() AND id = $1`, [input.lotId])
    : await tx.query<ChosenLot>(`SELECT ${LOT_COLUMNS} FROM lots WHERE org_id = visage_current_org() AND product_id = $1 AND lot_number = $2`, [product.id, input.lotNumber]);
  if (!lot) throw errors.validation(`No lot ${input.lotId ?? input.lotNumber} of ${product.code}.`, [{ pointer, message: 'not found' }]);
  if (lot.product_id !== product.id) throw errors.validation(`Lot ${lot.lot_number} is not a lot of ${product.code}.`, [{ pointer, message: 'lot of another product' }]);
  if (input.lotId && input.lotNumber && input.lotNumber !== lot.lot_number) {
    throw errors.validation(`lot_id names lot ${lot.lot_number}, not ${input.lotNumber}.`, [{ pointer: '/lot_number', message: 'does not match lot_id' }]);
  }
  refuseLot(lot, input.amountUsed, unit, today, pointer);
  return lot;
}

/** The usable lot that expires first (active, not expired today, enough on hand), or 422 saying why there is none. */
async function fefoLot(tx: Tx, input: NewUsage, product: { id: string; code: string }, unit: string, today: string): Promise<ChosenLot> {
  const [lot] = await tx.query<ChosenLot>(
    `SELECT ${LOT_COLUMNS} FROM lots
      WHERE org_id = visage_current_org() AND product_id = $1 AND status = 'active' AND expiry_date >= $2::date AND quantity_on_hand >= $3
      ORDER BY expiry_date, received_at, id LIMIT 1`, [product.id, today, input.amountUsed]);
  if (lot) return lot;
  const [s] = await tx.query<{ usable: string | number; largest: string | number; expired: string | number; blocked: string | number }>(
    `SELECT COALESCE(sum(quantity_on_hand) FILTER (WHERE status = 'active' AND expiry_date >= $2::date), 0) AS usable,
            COALESCE(max(quantity_on_hand) FILTER (WHERE status = 'active' AND expiry_date >= $2::date), 0) AS largest,
            COALESCE(sum(quantity_on_hand) FILTER (WHERE status = 'active' AND expiry_date < $2::date), 0) AS expired,
            COALESCE(sum(quantity_on_hand) FILTER (WHERE status <> 'active'), 0) AS blocked
       FROM lots WHERE org_id = visage_current_org() AND product_id = $1`, [product.id, today]);
  const usable = Number(s!.usable);
  const largest = Number(s!.largest);
  const extra = [
    Number(s!.expired) > 0 ? `${fmt(Number(s!.expired))} ${unit} in expired lots` : '',
    Number(s!.blocked) > 0 ? `${fmt(Number(s!.blocked))} ${unit} in quarantined or recalled lots` : '',
  ].filter(Boolean).join(' and ');
  const split = usable >= input.amountUsed ? ` No single lot holds it (largest ${fmt(largest)} ${unit}): record the amount in parts, naming each lot_id.` : '';
  throw new AppError(422, 'insufficient_stock',
    `${product.code}: ${fmt(input.amountUsed)} ${unit} requested, ${fmt(usable)} ${unit} usable on hand${extra ? ` (not counting ${extra})` : ''}.${split}`,
    [{ pointer: '/amount_used', message: `available ${fmt(usable)} ${unit}` }]);
}

const SELECT = `SELECT u.id, u.session_id, s.patient_id, u.product_id, pr.code AS product_code, pr.name AS product_name, u.lot_id, l.lot_number,
    l.expiry_date::text AS expiry_date, l.quantity_on_hand, u.amount_used, u.unit, u.created_by, u.created_at
  FROM drug_usages u
  JOIN treatment_sessions s ON s.org_id = u.org_id AND s.id = u.session_id
  JOIN products pr ON pr.org_id = u.org_id AND pr.id = u.product_id
  JOIN lots l ON l.org_id = u.org_id AND l.id = u.lot_id`;

export async function findUsage(tx: Tx, id: string): Promise<UsageRow | null> {
  const [u] = await tx.query<UsageRow>(`${SELECT} WHERE u.org_id = visage_current_org() AND u.id = $1 AND u.deleted_at IS NULL`, [id]);
  return u ?? null;
}

export interface UsageFilter { sessionId?: string; patientId?: string; lotId?: string; product?: string; limit: number; cursor: { at: string; id: string } | null }

export async function listUsages(tx: Tx, f: UsageFilter): Promise<UsageRow[]> {
  const productId = f.product ? (UUID_RE.test(f.product) ? f.product
    : (await byIdOrCode<{ id: string }>(tx, 'products', 'id', f.product, '#query/drug_id')).id) : undefined;
  const w = new SqlFilter('u.org_id = visage_current_org()', 'u.deleted_at IS NULL')
    .when('u.session_id = ?', f.sessionId).when('s.patient_id = ?', f.patientId).when('u.lot_id = ?', f.lotId).when('u.product_id = ?', productId)
    .before(['u.created_at', 'u.id'], f.cursor, 'drug_usages');
  return tx.query<UsageRow>(`${SELECT} WHERE ${w.where} ORDER BY u.created_at DESC, u.id DESC LIMIT ${w.param(f.limit + 1)}`, w.params);
}

/** Undoes a usage recorded in error: soft delete, the amount goes back to its lot ('return'). */
export async function deleteUsage(tx: Tx, origin: AuditOrigin, id: string, now: Date): Promise<void> {
  const [u] = await tx.query<{ lot_id: string; amount_used: string | number }>(
    'UPDATE drug_usages SET deleted_at = $2 WHERE org_id = visage_current_org() AND id = $1 AND deleted_at IS NULL RETURNING lot_id, amount_used', [id, now]);
  if (!u) throw errors.notFound('drug usage');
  await tx.query('UPDATE lots SET quantity_on_hand = quantity_on_hand + $2, updated_at = $3 WHERE org_id = visage_current_org() AND id = $1', [u.lot_id, u.amount_used, now]);
  await recordMovement(tx, { lotId: u.lot_id, kind: 'return', quantity: Number(u.amount_used), usageId: id, reason: 'usage deleted', at: now });
  await audit(tx, origin, { action: 'delete', entityType: 'drug_usage', entityId: id });
}
