import type { Tx } from '../../platform/db/client.js';
import { byIdOrCode } from '../../platform/db/refs.js';
import { SqlFilter, likePattern } from '../../platform/db/filter.js';
import { newId } from '../../platform/crypto.js';
import { errors } from '../../platform/http/problem.js';
import { audit, type AuditOrigin } from '../../platform/audit/audit.service.js';
import type { FollowupRule } from '../care/followup-rules.js';
import type { DOSAGE_UNITS, TREATMENT_CATEGORIES } from './catalog.schema.js';

export interface TreatmentRow {
  id: string; code: string; name: string; name_en: string | null; category: (typeof TREATMENT_CATEGORIES)[number];
  default_unit: (typeof DOSAGE_UNITS)[number]; base_price_minor: number; currency: string; description: string | null;
  is_active: boolean; consent_required: boolean; followup_rules: FollowupRule[]; contraindications: string[]; ingredients: string[];
  procedure_type: string | null; created_at: Date; updated_at: Date;
}

export const TREATMENT_COLUMNS = `id, code, name, name_en, category, default_unit, base_price_minor, currency, description, is_active,
  consent_required, followup_rules, contraindications, ingredients, procedure_type, created_at, updated_at`;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** int8 arrives as a string from node-postgres. */
const toRow = (r: TreatmentRow): TreatmentRow => ({ ...r, base_price_minor: Number(r.base_price_minor) });

const digitsByCurrency = new Map<string, number>();

/**
 * Digits after the decimal point of a currency (TWD 2, JPY 0, KWD 3), as ISO 4217 / Intl define them.
 * Remembered per currency: building an Intl.NumberFormat costs far more than the lookup (a
 * dashboard converts every figure, and this was its largest cost).
 */
export function minorDigits(currency: string): number {
  let digits = digitsByCurrency.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    digitsByCurrency.set(currency, digits);
  }
  return digits;
}

/** Major units (4999) to minor units of `currency`; undefined when the amount has more decimals than the currency. */
export function toMinor(major: number, currency: string): number | undefined {
  const scaled = major * 10 ** minorDigits(currency);
  const minor = Math.round(scaled);
  return Math.abs(scaled - minor) < 1e-6 && Number.isSafeInteger(minor) ? minor : undefined;
}

export const toMajor = (minor: number, currency: string): number => minor / 10 ** minorDigits(currency);

/** A live treatment of the acting organization by id or code (BOT_MASSETER), or null. */
export async function findTreatment(tx: Tx, ref: string): Promise<TreatmentRow | null> {
  const rows = UUID_RE.test(ref)
    ? await tx.query<TreatmentRow>(`SELECT ${TREATMENT_COLUMNS} FROM treatments WHERE org_id = visage_current_org() AND id = $1 AND deleted_at IS NULL`, [ref])
    : await tx.query<TreatmentRow>(`SELECT ${TREATMENT_COLUMNS} FROM treatments WHERE org_id = visage_current_org() AND lower(code) = lower($1) AND deleted_at IS NULL`, [ref]);
  return rows[0] ? toRow(rows[0]) : null;
}

/** A treatment named in a request body (id or code); unknown -> 422 pointing at `pointer`. */
export async function treatmentRef(tx: Tx, ref: string, pointer: string): Promise<TreatmentRow> {
  return toRow(await byIdOrCode<TreatmentRow>(tx, 'treatments', TREATMENT_COLUMNS, ref, pointer));
}

async function getTreatment(tx: Tx, ref: string): Promise<TreatmentRow> {
  const row = await findTreatment(tx, ref);
  if (!row) throw errors.notFound('treatment');
  return row;
}

export interface TreatmentFilter { q?: string; category?: string; active?: boolean }


/** The catalogue (small: one organization's treatments), by category then code. */
export async function listTreatments(tx: Tx, f: TreatmentFilter): Promise<TreatmentRow[]> {
  const q = new SqlFilter('org_id = visage_current_org()', 'deleted_at IS NULL')
    .when('category = ?', f.category).when('is_active = ?', f.active);
  if (f.q) {
    const p = `$${q.params.length + 1}`; // the ? below
    q.when(`(code ILIKE ? OR name ILIKE ${p} OR name_en ILIKE ${p} OR description ILIKE ${p})`, likePattern(f.q));
  }
  const rows = await tx.query<TreatmentRow>(`SELECT ${TREATMENT_COLUMNS} FROM treatments WHERE ${q.where} ORDER BY category, lower(code)`, q.params);
  return rows.map(toRow);
}

export interface TreatmentInput {
  code: string; name: string; nameEn?: string | null; category: TreatmentRow['category']; defaultUnit: TreatmentRow['default_unit'];
  basePriceMinor: number; currency: string; description?: string | null; isActive?: boolean; consentRequired?: boolean;
  followupRules?: FollowupRule[]; contraindications?: string[]; ingredients?: string[]; procedureType?: string | null;
}

async function assertCodeFree(tx: Tx, code: string, exceptId: string | null): Promise<void> {
  const rows = await tx.query('SELECT id FROM treatments WHERE org_id = visage_current_org() AND lower(code) = lower($1) AND deleted_at IS NULL AND id IS DISTINCT FROM $2::uuid',
    [code, exceptId]);
  if (rows.length) throw errors.conflict(`A treatment with code ${code} already exists.`, 'code_taken', [{ pointer: '/code', message: 'already used' }]);
}

export async function createTreatment(tx: Tx, origin: AuditOrigin, input: TreatmentInput): Promise<TreatmentRow> {
  await assertCodeFree(tx, input.code, null);
  const id = newId();
  const [row] = await tx.query<TreatmentRow>(
    `INSERT INTO treatments (id, org_id, code, name, name_en, category, default_unit, base_price_minor, currency, description, is_active,
                             consent_required, followup_rules, contraindications, ingredients, procedure_type)
     VALUES ($1, visage_current_org(), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13::text[], $14::text[], $15)
     RETURNING ${TREATMENT_COLUMNS}`,
    [id, input.code, input.name, input.nameEn ?? null, input.category, input.defaultUnit, input.basePriceMinor, input.currency,
      input.description ?? null, input.isActive ?? true, input.consentRequired ?? false, JSON.stringify(input.followupRules ?? []),
      input.contraindications ?? [], input.ingredients ?? [], input.procedureType ?? null]);
  await audit(tx, origin, { action: 'create', entityType: 'treatment', entityId: id, details: { code: input.code } });
  return toRow(row!);
}

export type TreatmentPatch = Partial<TreatmentInput>;

/** Column of each patchable field. */
const PATCH_COLUMNS: Record<keyof TreatmentInput, [string, string]> = {
  code: ['code', ''], name: ['name', ''], nameEn: ['name_en', ''], category: ['category', ''], defaultUnit: ['default_unit', ''],
  basePriceMinor: ['base_price_minor', ''], currency: ['currency', ''], description: ['description', ''], isActive: ['is_active', ''],
  consentRequired: ['consent_required', ''], followupRules: ['followup_rules', '::jsonb'], contraindications: ['contraindications', '::text[]'],
  ingredients: ['ingredients', '::text[]'], procedureType: ['procedure_type', ''],
};

/** Arrays and JSON (follow-up rules) compared by content, object keys in any order (jsonb reorders them); scalars by value. */
function sameValue(a: unknown, b: unknown): boolean {
  const canon = (v: unknown): unknown => (Array.isArray(v) ? v.map(canon)
    : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).sort(([k1], [k2]) => (k1 < k2 ? -1 : 1)).map(([k, x]) => [k, canon(x)]))
    : v ?? null);
  return JSON.stringify(canon(a)) === JSON.stringify(canon(b));
}

/**
 * Changes the fields sent (null clears). Only fields whose value really differs are written and
 * named in the audit event (by column, as the API names them); an edit that changes nothing
 * leaves the row and its updated_at alone and is audited with no fields.
 */
export async function updateTreatment(tx: Tx, origin: AuditOrigin, ref: string, patch: TreatmentPatch): Promise<TreatmentRow> {
  const current = await getTreatment(tx, ref);
  if (patch.code !== undefined && patch.code.toLowerCase() !== current.code.toLowerCase()) await assertCodeFree(tx, patch.code, current.id);
  const params: unknown[] = [current.id];
  const sets: string[] = [];
  const fields: string[] = [];
  for (const [key, value] of Object.entries(patch) as [keyof TreatmentInput, unknown][]) {
    if (value === undefined) continue;
    const [column, cast] = PATCH_COLUMNS[key];
    if (sameValue((current as unknown as Record<string, unknown>)[column], value)) continue;
    params.push(key === 'followupRules' ? JSON.stringify(value) : value);
    sets.push(`${column} = $${params.length}${cast}`);
    fields.push(column);
  }
  let row = current;
  if (sets.length) {
    const [updated] = await tx.query<TreatmentRow>(
      `UPDATE treatments SET ${sets.join(', ')}, updated_at = now() WHERE id = $1 AND org_id = visage_current_org() RETURNING ${TREATMENT_COLUMNS}`, params);
    row = toRow(updated!);
  }
  await audit(tx, origin, { action: 'update', entityType: 'treatment', entityId: current.id, details: { fields } });
  return row;
}

/** Soft delete: sessions keep pointing at the row; the code becomes free for a new treatment. */
export async function deleteTreatment(tx: Tx, origin: AuditOrigin, ref: string): Promise<void> {
  const current = await getTreatment(tx, ref);
  await tx.query('UPDATE treatments SET deleted_at = now(), is_active = false WHERE id = $1 AND org_id = visage_current_org()', [current.id]);
  await audit(tx, origin, { action: 'delete', entityType: 'treatment', entityId: current.id, details: { code: current.code } });
}

export { getTreatment };
