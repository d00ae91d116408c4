import type { PreparedStatement, Tx } from '../../platform/db/client.js';
import { SqlFilter, likePattern } from '../../platform/db/filter.js';
import { newId } from '../../platform/crypto.js';
import type { FieldCipher } from '../../platform/crypto/fields.js';
import { AppError, errors } from '../../platform/http/problem.js';
import { audit, type AuditOrigin } from '../../platform/audit/audit.service.js';
import type { SKIN_TYPES } from './records.schema.js';

export const GENDERS = ['female', 'male', 'other', 'unknown'] as const;
/** The PHI columns of a chart, encrypted at rest; named in audit details, never their values. */
export const MEDICAL_FIELDS = ['medical_history', 'allergy_notes'] as const;
export type MedicalField = (typeof MEDICAL_FIELDS)[number];

export interface PatientRow {
  id: string; code: string; user_id: string | null; full_name: string; gender: (typeof GENDERS)[number] | null; date_of_birth: string | null;
  phone: string | null; email: string | null; skin_type: (typeof SKIN_TYPES)[number] | null; medical_history_enc: string | null;
  allergy_notes_enc: string | null; emergency_contact: string | null; notes: string | null; is_active: boolean;
  alert_level: 'none' | 'standard' | 'critical'; created_by: string | null; created_at: Date; updated_at: Date; sort_key: string;
}

/** Dates as text (YYYY-MM-DD): node-postgres would turn them into local-time Dates. */
export const PATIENT_COLUMNS = `id, code, user_id, full_name, gender, date_of_birth::text AS date_of_birth, phone, email, skin_type,
  medical_history_enc, allergy_notes_enc, emergency_contact, notes, is_active, alert_level, created_by, created_at, updated_at,
  lower(full_name) AS sort_key`;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Associated data binding an encrypted value to its row and column: a ciphertext copied elsewhere does not decrypt. */
export const medicalAad = (patientId: string, field: MedicalField): string => `patients.${field}:${patientId}`;

/** The decrypted PHI of a chart. Callers check medical.read and audit the read. */
export function decryptPatient(cipher: FieldCipher, row: Pick<PatientRow, 'id' | 'medical_history_enc' | 'allergy_notes_enc'>): Record<MedicalField, string | null> {
  return {
    medical_history: cipher.decryptNullable(row.medical_history_enc, medicalAad(row.id, 'medical_history')),
    allergy_notes: cipher.decryptNullable(row.allergy_notes_enc, medicalAad(row.id, 'allergy_notes')),
  };
}

/** A live patient of the acting organization by id or code (PAT-2026-000123), or null. */
/** The statement that finds a live patient by id or by code (PAT-2026-000001, any case). */
export function patientLookup(ref: string): PreparedStatement {
  return UUID_RE.test(ref)
    ? { text: `SELECT ${PATIENT_COLUMNS} FROM patients WHERE org_id = visage_current_org() AND id = $1 AND deleted_at IS NULL`, values: [ref] }
    : { text: `SELECT ${PATIENT_COLUMNS} FROM patients WHERE org_id = visage_current_org() AND code = upper($1) AND deleted_at IS NULL`, values: [ref] };
}

export async function findPatient(tx: Tx, ref: string): Promise<PatientRow | null> {
  const lookup = patientLookup(ref);
  return (await tx.query<PatientRow>(lookup.text, lookup.values))[0] ?? null;
}

/** A live patient or 404 (another organization's id answers exactly like a missing one). */
export async function getPatient(tx: Tx, ref: string): Promise<PatientRow> {
  const row = await findPatient(tx, ref);
  if (!row) throw errors.notFound('patient');
  return row;
}

/** A patient named in a request body (id or code); unknown -> 422 pointing at `pointer`. */
export async function patientRef(tx: Tx, ref: string, pointer: string): Promise<PatientRow> {
  const row = await findPatient(tx, ref);
  if (!row) throw errors.validation(`No patient with id or code "${ref}".`, [{ pointer, message: 'not found' }]);
  return row;
}

/**
 * The next value of a per-organization counter for `year`. One statement, so concurrent callers
 * serialize on the counter row and never get the same value.
 */
export async function nextSequence(tx: Tx, name: string, year: number): Promise<number> {
  const [row] = await tx.query<{ value: number }>(
    `INSERT INTO org_sequences (org_id, name, year, value) VALUES (visage_current_org(), $1, $2, 1)
     ON CONFLICT (org_id, name, year) DO UPDATE SET value = org_sequences.value + 1 RETURNING value`, [name, year]);
  return Number(row!.value);
}

/** The calendar year of `now` in the acting organization's time zone. */
export async function orgYear(tx: Tx, now: Date): Promise<number> {
  const [row] = await tx.query<{ year: number }>(
    'SELECT extract(year FROM ($1::timestamptz AT TIME ZONE timezone))::int AS year FROM organizations WHERE id = visage_current_org()', [now]);
  if (!row) throw new Error('no acting organization');
  return Number(row.year);
}

/** PAT-YYYY-NNNNNN, numbered per organization and year (the organization's calendar). */
export async function nextPatientCode(tx: Tx, now: Date): Promise<string> {
  const year = await orgYear(tx, now);
  return `PAT-${year}-${String(await nextSequence(tx, 'patient', year)).padStart(6, '0')}`;
}

export const phoneDigits = (phone: string | null | undefined): string | null => (phone ? phone.replace(/\D/g, '') || null : null);

export interface Duplicate { id: string; code: string; matched_on: ('phone' | 'email')[] }

export class DuplicatePatientError extends AppError {
  constructor(readonly duplicates: Duplicate[]) {
    const on = [...new Set(duplicates.flatMap((d) => d.matched_on))];
    super(409, 'possible_duplicate', `A patient with the same ${on.join(' and ')} already exists (${duplicates.map((d) => d.code).join(', ')}). `
      + 'Open that chart, or send "allow_duplicate": true to create another one.', on.map((f) => ({ pointer: `/${f}`, message: 'matches an existing patient' })));
  }
}

/**
 * Live patients whose phone (digits) or email (any case) match. Takes transaction-scoped advisory
 * locks on the keys first, so two requests creating the same person at once take turns and the
 * second one sees the first.
 */
export async function findDuplicates(tx: Tx, phone: string | null | undefined, email: string | null | undefined, exceptId: string | null): Promise<Duplicate[]> {
  const digits = phoneDigits(phone);
  const mail = email ? email.toLowerCase() : null;
  const keys = [digits && `phone:${digits}`, mail && `email:${mail}`].filter((k): k is string => Boolean(k)).sort();
  if (!keys.length) return [];
  for (const key of keys) await tx.query(`SELECT pg_advisory_xact_lock(hashtext('patient-dedupe:' || visage_current_org()::text || ':' || $1))`, [key]);
  const rows = await tx.query<{ id: string; code: string; phone_match: boolean; email_match: boolean }>(
    `SELECT id, code, coalesce(phone_digits = $1, false) AS phone_match, coalesce(email_key = $2, false) AS email_match
       FROM patients
      WHERE org_id = visage_current_org() AND deleted_at IS NULL AND id IS DISTINCT FROM $3::uuid
        AND (phone_digits = $1 OR email_key = $2)
      ORDER BY created_at LIMIT 20`, [digits, mail, exceptId]);
  return rows.map((r) => ({ id: r.id, code: r.code, matched_on: [...(r.phone_match ? ['phone' as const] : []), ...(r.email_match ? ['email' as const] : [])] }));
}

export interface PatientInput {
  fullName: string; gender?: PatientRow['gender']; dateOfBirth?: string | null; phone?: string | null; email?: string | null;
  skinType?: PatientRow['skin_type']; medicalHistory?: string | null; allergyNotes?: string | null; emergencyContact?: string | null;
  notes?: string | null; isActive?: boolean; userId?: string | null;
}

export interface PatientContext { cipher: FieldCipher; now: Date; origin: AuditOrigin; actorUserId: string | null }

const given = (o: object) => Object.entries(o).filter(([, v]) => v !== undefined).map(([k]) => k);

/** Creates a chart with the next PAT code; PHI encrypted; duplicates refused unless allowed. */
export async function createPatient(tx: Tx, ctx: PatientContext, input: PatientInput, opts: { allowDuplicate?: boolean } = {}): Promise<PatientRow> {
  const dups = await findDuplicates(tx, input.phone, input.email, null);
  if (dups.length && !opts.allowDuplicate) throw new DuplicatePatientError(dups);
  const id = newId();
  const code = await nextPatientCode(tx, ctx.now);
  const [row] = await tx.query<PatientRow>(
    `INSERT INTO patients (id, org_id, code, user_id, full_name, gender, date_of_birth, phone, email, skin_type, medical_history_enc, allergy_notes_enc,
                           emergency_contact, notes, is_active, created_by)
     VALUES ($1, visage_current_org(), $2, $3, $4, $5, $6::date, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING ${PATIENT_COLUMNS}`,
    [id, code, input.userId ?? null, input.fullName, input.gender ?? null, input.dateOfBirth ?? null, input.phone ?? null, input.email ?? null,
      input.skinType ?? null, ctx.cipher.encryptNullable(input.medicalHistory, medicalAad(id, 'medical_history')),
      ctx.cipher.encryptNullable(input.allergyNotes, medicalAad(id, 'allergy_notes')), input.emergencyContact ?? null, input.notes ?? null,
      input.isActive ?? true, ctx.actorUserId]);
  await audit(tx, ctx.origin, {
    action: 'create', entityType: 'patient', entityId: id,
    details: { code, fields: given(input), ...(dups.length ? { duplicate_of: dups.map((d) => d.id) } : {}) },
  });
  return row!;
}

const PATCH_COLUMNS: Record<keyof PatientInput, string> = {
  fullName: 'full_name', gender: 'gender', dateOfBirth: 'date_of_birth', phone: 'phone', email: 'email', skinType: 'skin_type',
  medicalHistory: 'medical_history_enc', allergyNotes: 'allergy_notes_enc', emergencyContact: 'emergency_contact', notes: 'notes',
  isActive: 'is_active', userId: 'user_id',
};

/** Changes the fields given (null clears); a new phone or email is checked for duplicates like a new chart. */
export async function updatePatient(tx: Tx, ctx: PatientContext, ref: string, patch: Partial<PatientInput>, opts: { allowDuplicate?: boolean } = {}): Promise<PatientRow> {
  const current = await getPatient(tx, ref);
  const phoneChanged = patch.phone !== undefined && phoneDigits(patch.phone) !== phoneDigits(current.phone);
  const emailChanged = patch.email !== undefined && (patch.email ?? '').toLowerCase() !== (current.email ?? '').toLowerCase();
  if ((phoneChanged || emailChanged) && !opts.allowDuplicate) {
    const dups = await findDuplicates(tx, phoneChanged ? patch.phone : null, emailChanged ? patch.email : null, current.id);
    if (dups.length) throw new DuplicatePatientError(dups);
  }
  const params: unknown[] = [current.id];
  const sets: string[] = [];
  for (const key of given(patch) as (keyof PatientInput)[]) {
    let value = patch[key];
    if (key === 'medicalHistory') value = ctx.cipher.encryptNullable(patch.medicalHistory, medicalAad(current.id, 'medical_history'));
    if (key === 'allergyNotes') value = ctx.cipher.encryptNullable(patch.allergyNotes, medicalAad(current.id, 'allergy_notes'));
    params.push(value);
    sets.push(`${PATCH_COLUMNS[key]} = $${params.length}${key === 'dateOfBirth' ? '::date' : ''}`);
  }
  if (!sets.length) return current;
  const [row] = await tx.query<PatientRow>(
    `UPDATE patients SET ${sets.join(', ')}, updated_at = now() WHERE id = $1 AND org_id = visage_current_org() RETURNING ${PATIENT_COLUMNS}`, params);
  await audit(tx, ctx.origin, { action: 'update', entityType: 'patient', entityId: current.id, details: { fields: given(patch) } });
  return row!;
}

/** Soft delete: the chart is kept (medical records are retained) and disappears from lists and lookups. */
export async function deletePatient(tx: Tx, origin: AuditOrigin, ref: string): Promise<void> {
  const current = await getPatient(tx, ref);
  await tx.query('UPDATE patients SET deleted_at = now(), is_active = false WHERE id = $1 AND org_id = visage_current_org() AND deleted_at IS NULL', [current.id]);
  await audit(tx, origin, { action: 'delete', entityType: 'patient', entityId: current.id, details: { code: current.code } });
}


export interface PatientFilter { q?: string; active?: boolean; limit: number; cursor: { k: string; id: string } | null }

/**
 * Live patients by name, keyset-paginated (limit + 1 rows). `q` matches name, code or email
 * (substring, any case) and phone by its digits.
 */
export async function listPatients(tx: Tx, f: PatientFilter): Promise<PatientRow[]> {
  const q = new SqlFilter('org_id = visage_current_org()', 'deleted_at IS NULL').when('is_active = ?', f.active);
  if (f.q) {
    const p = `$${q.params.length + 1}`; // the ? below
    const digits = f.q.replace(/\D/g, '');
    const byPhone = digits.length >= 3 ? ` OR phone_digits LIKE $${q.params.length + 2}` : '';
    q.when(`(full_name ILIKE ? OR code ILIKE ${p} OR email ILIKE ${p}${byPhone})`, likePattern(f.q));
    if (byPhone) q.param(`%${digits}%`);
  }
  if (f.cursor) {
    const k = q.param(f.cursor.k);
    q.when(`(lower(full_name), id) > (${k}, ?::uuid)`, f.cursor.id);
  }
  return tx.query<PatientRow>(`SELECT ${PATIENT_COLUMNS} FROM patients WHERE ${q.where} ORDER BY lower(full_name), id LIMIT ${q.param(f.limit + 1)}`, q.params);
}
