import type { PreparedStatement, Tx } from '../../platform/db/client.js';
import { newId } from '../../platform/crypto.js';
import { byIdOrCode, found, refParams, refSubquery } from '../../platform/db/refs.js';
import { SqlFilter, likePattern } from '../../platform/db/filter.js';
import { errors } from '../../platform/http/problem.js';
import { audit, type AuditOrigin } from '../../platform/audit/audit.service.js';
import { checkSessionConsent, enforceScreening, flagMissingConsent, type ScreeningCaller } from '../records/index.js';
import { generateFollowups, cancelRuleFollowups, type GeneratedFollowup } from '../care/index.js';
import { checkAreaUnits, type TreatmentArea } from './treatment-area.js';
import { localDate } from './org-time.js';
import { attributeRevenue, reviseRevenue } from '../growth/index.js';

/** Seed 001 PMU specifics of a procedure. */
export interface PmuSpecs {
  procedure_type?: string; area_treated?: string; duration_min?: number; voltage?: number; needle_configuration?: string;
  depth?: string; pigment_brand?: string; pigment_color?: string; lot_number?: string;
}

export interface SessionRow {
  id: string; visit_id: string | null; patient_id: string; patient_code: string; patient_name: string;
  treatment_id: string; treatment_code: string; treatment_name: string;
  practitioner_id: string | null; practitioner_code: string | null; practitioner_name: string | null;
  device_id: string | null; device_code: string | null; device_name: string | null; device_settings: Record<string, unknown> | null;
  session_no: number; dosage_value: string | number | null; dosage_unit: string | null; treatment_area: TreatmentArea | null; pmu: PmuSpecs | null;
  performed_at: Date; performed_on: string; immediate_reaction: string | null; clinical_notes: string | null;
  price_minor: string | number | null; currency: string | null; status: 'draft' | 'signed'; version: number;
  signed_at: Date | null; signed_by: string | null; consent_exception: string | null; created_by: string | null; created_at: Date; updated_at: Date;
}

const SELECT = `SELECT s.id, s.visit_id, s.patient_id, p.code AS patient_code, p.full_name AS patient_name,
    s.treatment_id, t.code AS treatment_code, t.name AS treatment_name,
    s.practitioner_id, pr.code AS practitioner_code, pr.full_name AS practitioner_name,
    s.device_id, d.code AS device_code, d.device_name, s.device_settings,
    s.session_no, s.dosage_value, s.dosage_unit, s.treatment_area, s.pmu, s.performed_at,
    (s.performed_at AT TIME ZONE o.timezone)::date::text AS performed_on, s.immediate_reaction, s.clinical_notes,
    s.price_minor, s.currency, s.status, s.version, s.signed_at, s.signed_by, s.consent_exception, s.created_by, s.created_at, s.updated_at
  FROM treatment_sessions s
  JOIN organizations o ON o.id = s.org_id
  JOIN patients p ON p.org_id = s.org_id AND p.id = s.patient_id
  JOIN treatments t ON t.org_id = s.org_id AND t.id = s.treatment_id
  LEFT JOIN practitioners pr ON pr.org_id = s.org_id AND pr.id = s.practitioner_id
  LEFT JOIN devices d ON d.org_id = s.org_id AND d.id = s.device_id`;

/** The statement that finds a live session by id (a guard prelude's, and findSession's). */
export const sessionLookup = (id: string): PreparedStatement =>
  ({ text: `${SELECT} WHERE s.org_id = visage_current_org() AND s.id = $1 AND s.deleted_at IS NULL`, values: [id] });

export async function findSession(tx: Tx, id: string): Promise<SessionRow | null> {
  const lookup = sessionLookup(id);
  const [s] = await tx.query<SessionRow>(lookup.text, lookup.values);
  return s ?? null;
}

interface TreatmentRef { id: string; code: string; name: string; category: string; consent_required: boolean; followup_rules: unknown; base_price_minor: string | number; currency: string; default_unit: string; is_active: boolean }
interface DeviceRef { id: string; code: string; device_name: string; status: string; due: boolean }

interface PractitionerRef { id: string; code: string; full_name: string; status: string }
const TREATMENT_REF = 'id, code, name, category, consent_required, followup_rules, base_price_minor, currency, default_unit, is_active';
const PRACTITIONER_REF = 'id, code, full_name, status';
const DEVICE_REF = `id, code, device_name, status, (maintenance_cycle_days IS NOT NULL AND last_maintenance_on IS NOT NULL
     AND last_maintenance_on + maintenance_cycle_days < (now() AT TIME ZONE (SELECT timezone FROM organizations WHERE id = visage_current_org()))::date) AS due`;
const treatmentRef = (tx: Tx, ref: string) => byIdOrCode<TreatmentRef>(tx, 'treatments', TREATMENT_REF, ref, '/treatment_id');
const practitionerRef = (tx: Tx, ref: string, pointer: string) => byIdOrCode<PractitionerRef>(tx, 'practitioners', PRACTITIONER_REF, ref, pointer);
const deviceRef = (tx: Tx, ref: string) => byIdOrCode<DeviceRef>(tx, 'devices', DEVICE_REF, ref, '/device_id');

async function visitOf(tx: Tx, visitId: string, patientId: string): Promise<void> {
  const [v] = await tx.query<{ patient_id: string }>(
    'SELECT patient_id FROM visits WHERE org_id = visage_current_org() AND id = $1 AND deleted_at IS NULL', [visitId]);
  if (!v) throw errors.validation(`No visit with id "${visitId}".`, [{ pointer: '/visit_id', message: 'not found' }]);
  if (v.patient_id !== patientId) throw errors.validation('The visit belongs to another patient.', [{ pointer: '/visit_id', message: 'visit of another patient' }]);
}

function assertArea(area: TreatmentArea | null | undefined, dosage: number | null | undefined, unit: string | null | undefined): number | null {
  const r = checkAreaUnits(area, dosage, unit);
  if (!r.ok) throw errors.validation(r.detail, r.errors);
  return r.dosage;
}

export interface NewSession {
  visitId?: string | null; patientId: string; treatment: string; practitioner?: string | null; practitionerPointer?: string;
  device?: string | null; deviceSettings?: Record<string, unknown> | null;
  dosageValue?: number | null; dosageUnit?: string | null; treatmentArea?: TreatmentArea | null; pmu?: PmuSpecs | null;
  performedAt?: Date; immediateReaction?: string | null; clinicalNotes?: string | null; priceMinor?: number | null; currency?: string | null;
  screening?: ScreeningCaller;
}

export type ConsentAnswer =
  | { state: 'not_required'; policy: 'flag' | 'strict' }
  | { state: 'signed'; policy: 'flag' | 'strict'; consent_id: string; template_version: number }
  | { state: 'missing'; policy: 'flag' | 'strict'; template_id: string | null; template_version: number | null; exception_id: string | null };

export interface CreatedSession { session: SessionRow; followups: GeneratedFollowup[]; consent: ConsentAnswer; warnings: string[] }

/**
 * Records a signed treatment session with, in the same transaction, its follow-ups (from the
 * treatment's rules) and, when consent is missing under the 'flag' policy, a compliance exception.
 * Under the 'strict' policy a missing consent refuses the session (409 consent_required).
 */
export async function createSession(tx: Tx, origin: AuditOrigin, input: NewSession, now: Date): Promise<CreatedSession> {
  // Locks the patient's chart (not its key: references to the patient stay free) so that two
  // sessions recorded at once get consecutive numbers; reads the organization's settings and
  // resolves the treatment, practitioner and device named (by id or code) in the same statement.
  const [patient] = await tx.query<{
    id: string; code: string; full_name: string; timezone: string; consent_policy: 'flag' | 'strict';
    treatment: TreatmentRef | null; practitioner: PractitionerRef | null; device: DeviceRef | null;
  }>(
    `SELECT p.id, p.code, p.full_name, o.timezone, o.consent_policy,
            ${refSubquery('treatments', TREATMENT_REF, '$2', '$3')} AS treatment,
            ${refSubquery('practitioners', PRACTITIONER_REF, '$4', '$5')} AS practitioner,
            ${refSubquery('devices', DEVICE_REF, '$6', '$7')} AS device
       FROM patients p JOIN organizations o ON o.id = p.org_id
      WHERE p.org_id = visage_current_org() AND p.id = $1 AND p.deleted_at IS NULL FOR NO KEY UPDATE OF p`,
    [input.patientId, ...refParams(input.treatment), ...refParams(input.practitioner), ...refParams(input.device)]);
  if (!patient) throw errors.validation(`No patient with id "${input.patientId}".`, [{ pointer: '/patient_id', message: 'not found' }]);
  const settings = { timezone: patient.timezone, consentPolicy: patient.consent_policy };
  const treatment = found(patient.treatment, 'treatments', input.treatment, '/treatment_id');
  const warnings: string[] = [];
  if (!treatment.is_active) warnings.push(`Treatment ${treatment.code} is no longer offered (inactive).`);
  const practitioner = input.practitioner ? found(patient.practitioner, 'practitioners', input.practitioner, input.practitionerPointer ?? '/doctor_id') : null;
  if (practitioner && practitioner.status !== 'active') warnings.push(`Practitioner ${practitioner.code} is ${practitioner.status}.`);
  const practitionerId = practitioner?.id ?? null;
  const device = input.device ? found(patient.device, 'devices', input.device, '/device_id') : null;
  if (device && device.status !== 'active') warnings.push(`Device ${device.code} is ${device.status}.`);
  if (device?.due) warnings.push(`Device ${device.code} is past its maintenance date.`);
  const deviceId = device?.id ?? null;
  if (input.visitId) await visitOf(tx, input.visitId, input.patientId);
  const performedAt = input.performedAt ?? now;
  if (performedAt.getTime() > now.getTime() + 86_400_000) {
    throw errors.validation('A session is recorded once performed; performed_at is more than a day ahead.', [{ pointer: '/performed_at', message: 'in the future' }]);
  }
  const dosageUnit = input.dosageUnit ?? treatment.default_unit;
  const dosage = assertArea(input.treatmentArea, input.dosageValue, dosageUnit);

  // Strict policy: refused here (409 consent_required), before anything is written.
  const { status } = await checkSessionConsent(tx, input.patientId, { id: treatment.id, code: treatment.code, consent_required: treatment.consent_required });

  const id = newId();
  warnings.push(...await enforceScreening(tx, origin, { patientId: input.patientId, treatmentId: treatment.id, sessionId: id, caller: input.screening }));
  const userId = tx.ctx.userId ?? null;
  // The stored values come back with the insert (numbers, JSON as the database keeps them): the answer needs no second read.
  const [stored] = await tx.query<Omit<SessionRow, 'patient_code' | 'patient_name' | 'treatment_code' | 'treatment_name' | 'practitioner_code'
      | 'practitioner_name' | 'device_code' | 'device_name' | 'performed_on'>>(
    `INSERT INTO treatment_sessions (id, org_id, visit_id, patient_id, treatment_id, practitioner_id, device_id, session_no, dosage_value, dosage_unit,
        treatment_area, device_settings, pmu, performed_at, immediate_reaction, clinical_notes, price_minor, currency, status, version,
        signed_at, signed_by, consent_exception, created_by, created_at, updated_at)
     VALUES ($1, visage_current_org(), $2, $3, $4, $5, $6,
             -- Numbered after the patient's live sessions of the treatment; the chart lock above makes this read current.
             (SELECT COALESCE(max(n.session_no), 0)::int + 1 FROM treatment_sessions n
               WHERE n.org_id = visage_current_org() AND n.patient_id = $3 AND n.treatment_id = $4 AND n.deleted_at IS NULL),
             $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 'signed', 1, $17, $18, $19, $18, $17, $17)
     RETURNING id, visit_id, patient_id, treatment_id, practitioner_id, device_id, device_settings, session_no, dosage_value, dosage_unit, treatment_area, pmu,
       performed_at, immediate_reaction, clinical_notes, price_minor, currency, status, version, signed_at, signed_by, consent_exception, created_by, created_at, updated_at`,
    [id, input.visitId ?? null, input.patientId, treatment.id, practitionerId, deviceId, dosage, dosageUnit,
      json(input.treatmentArea), json(input.deviceSettings), json(input.pmu), performedAt, input.immediateReaction ?? null, input.clinicalNotes ?? null,
      input.priceMinor ?? Number(treatment.base_price_minor), input.currency ?? treatment.currency, now, userId,
      status.state === 'missing' ? 'missing_consent' : null]);
  // A signed session is revenue: growth attributes it to the lead that became this patient (if any).
  const priceMinor = input.priceMinor ?? Number(treatment.base_price_minor);
  if (priceMinor > 0) {
    await attributeRevenue(tx, origin, {
      patientId: input.patientId, amountMinor: priceMinor, currency: input.currency ?? treatment.currency, occurredAt: now, sourceRef: `session:${id}`,
      treatment: { category: treatment.category, code: treatment.code }, providerId: null,
    });
  }

  let consent: ConsentAnswer;
  if (status.state === 'missing') {
    const exceptionId = await flagMissingConsent(tx, origin, { patientId: input.patientId, sessionId: id, treatmentId: treatment.id, status });
    consent = { state: 'missing', policy: settings.consentPolicy, template_id: status.templateId, template_version: status.templateVersion, exception_id: exceptionId };
    warnings.push(`No signed consent for ${treatment.code}: the session is flagged for the compliance worklist until resolved.`);
  } else if (status.state === 'signed') {
    consent = { state: 'signed', policy: settings.consentPolicy, consent_id: status.consentId, template_version: status.templateVersion };
  } else {
    consent = { state: 'not_required', policy: settings.consentPolicy };
  }

  const followups = await generateFollowups(tx, {
    id, patientId: input.patientId, treatmentId: treatment.id, performedOn: localDate(performedAt, settings.timezone), createdBy: userId,
    rules: treatment.followup_rules,
  });
  await audit(tx, origin, {
    action: 'create', entityType: 'treatment_session', entityId: id,
    details: { patient_id: input.patientId, treatment_id: treatment.id, session_no: stored!.session_no, consent: status.state, followups: followups.length, fields: presentFields(input) },
  });
  const session: SessionRow = {
    ...stored!, patient_code: patient.code, patient_name: patient.full_name, treatment_code: treatment.code, treatment_name: treatment.name,
    practitioner_code: practitioner?.code ?? null, practitioner_name: practitioner?.full_name ?? null,
    device_code: device?.code ?? null, device_name: device?.device_name ?? null, performed_on: localDate(stored!.performed_at, settings.timezone),
  };
  return { session, followups, consent, warnings };
}

const json = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v));

function presentFields(input: object): string[] {
  return Object.entries(input).filter(([, v]) => v !== undefined && v !== null).map(([k]) => k);
}

export interface SessionFilter {
  patientId?: string; treatment?: string; visitId?: string; practitioner?: string; from?: string; to?: string; q?: string;
  limit: number; cursor: { at: string; id: string } | null;
}

/** Newest first. from/to are calendar dates in the organization's time zone (inclusive). */
export async function listSessions(tx: Tx, f: SessionFilter): Promise<SessionRow[]> {
  const w = new SqlFilter('s.org_id = visage_current_org()', 's.deleted_at IS NULL')
    .when('s.patient_id = ?', f.patientId)
    .when('s.treatment_id = ?', f.treatment ? (await byIdOrCode<{ id: string }>(tx, 'treatments', 'id', f.treatment, '#query/treatment_id')).id : undefined)
    .when('s.practitioner_id = ?', f.practitioner ? (await practitionerRef(tx, f.practitioner, '#query/practitioner_id')).id : undefined)
    .when('s.visit_id = ?', f.visitId)
    .when('s.performed_at >= (?::date)::timestamp AT TIME ZONE o.timezone', f.from)
    .when('s.performed_at < ((?::date) + 1)::timestamp AT TIME ZONE o.timezone', f.to)
    .when(`(p.full_name || ' ' || p.code || ' ' || t.code || ' ' || t.name) ILIKE ?`, likePattern(f.q))
    .before(['s.performed_at', 's.id'], f.cursor, 'treatment_sessions');
  return tx.query<SessionRow>(`${SELECT} WHERE ${w.where} ORDER BY s.performed_at DESC, s.id DESC LIMIT ${w.param(f.limit + 1)}`, w.params);
}

export interface SessionPatch {
  reason?: string;
  visitId?: string | null; practitioner?: string | null; practitionerPointer?: string; device?: string | null; deviceSettings?: Record<string, unknown> | null;
  dosageValue?: number | null; dosageUnit?: string | null; treatmentArea?: TreatmentArea | null; pmu?: PmuSpecs | null; performedAt?: Date;
  immediateReaction?: string | null; clinicalNotes?: string | null; priceMinor?: number | null; currency?: string | null;
}

/** The stored row as it was (to_jsonb): the body of an amendment's `previous`. */
type Snapshot = Record<string, unknown> & {
  version: number; status: string; patient_id: string; visit_id: string | null; practitioner_id: string | null; device_id: string | null;
  device_settings: unknown; dosage_value: number | null; dosage_unit: string | null; treatment_area: unknown; pmu: unknown; performed_at: string;
  immediate_reaction: string | null; clinical_notes: string | null; price_minor: number | null; currency: string | null;
};

function stable(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`).join(',')}}`;
}

/**
 * Corrects a session. A signed session is never overwritten silently: the previous version is kept
 * as an amendment (who, when, why, which fields) and the version number goes up.
 */
export async function amendSession(tx: Tx, origin: AuditOrigin, id: string, patch: SessionPatch, now: Date): Promise<{ session: SessionRow; amended: boolean; changedFields: string[] }> {
  const [row] = await tx.query<{ snap: Snapshot }>(
    'SELECT to_jsonb(s) - \'org_id\' AS snap FROM treatment_sessions s WHERE org_id = visage_current_org() AND id = $1 AND deleted_at IS NULL FOR UPDATE', [id]);
  if (!row) throw errors.notFound('treatment session');
  const old = row.snap;
  if (old.status === 'signed' && !patch.reason) {
    throw errors.validation('This session is signed: say why it is corrected ("reason"); the earlier version is kept.', [{ pointer: '/reason', message: 'required to amend a signed session' }]);
  }
  const next = {
    visit_id: patch.visitId !== undefined ? patch.visitId : old.visit_id,
    practitioner_id: patch.practitioner === undefined ? old.practitioner_id
      : patch.practitioner === null ? null : (await practitionerRef(tx, patch.practitioner, patch.practitionerPointer ?? '/doctor_id')).id,
    device_id: patch.device === undefined ? old.device_id : patch.device === null ? null : (await deviceRef(tx, patch.device)).id,
    device_settings: patch.deviceSettings !== undefined ? patch.deviceSettings : old.device_settings,
    dosage_value: patch.dosageValue !== undefined ? patch.dosageValue : (old.dosage_value === null ? null : Number(old.dosage_value)),
    dosage_unit: patch.dosageUnit !== undefined ? patch.dosageUnit : old.dosage_unit,
    treatment_area: patch.treatmentArea !== undefined ? patch.treatmentArea : old.treatment_area,
    pmu: patch.pmu !== undefined ? patch.pmu : old.pmu,
    performed_at: patch.performedAt !== undefined ? patch.performedAt.toISOString() : new Date(old.performed_at).toISOString(),
    immediate_reaction: patch.immediateReaction !== undefined ? patch.immediateReaction : old.immediate_reaction,
    clinical_notes: patch.clinicalNotes !== undefined ? patch.clinicalNotes : old.clinical_notes,
    price_minor: patch.priceMinor !== undefined ? patch.priceMinor : (old.price_minor === null ? null : Number(old.price_minor)),
    currency: patch.currency !== undefined ? patch.currency : old.currency,
  };
  if (patch.visitId) await visitOf(tx, patch.visitId, old.patient_id);
  if (patch.performedAt && patch.performedAt.getTime() > now.getTime() + 86_400_000) {
    throw errors.validation('performed_at is more than a day ahead.', [{ pointer: '/performed_at', message: 'in the future' }]);
  }
  next.dosage_value = assertArea(next.treatment_area as TreatmentArea | null, next.dosage_value, next.dosage_unit);
  const before: Record<string, unknown> = { ...old, performed_at: new Date(old.performed_at).toISOString(), dosage_value: old.dosage_value === null ? null : Number(old.dosage_value), price_minor: old.price_minor === null ? null : Number(old.price_minor) };
  const changedFields = (Object.keys(next) as (keyof typeof next)[]).filter((k) => stable(next[k]) !== stable(before[k]));
  if (!changedFields.length) return { session: (await findSession(tx, id))!, amended: false, changedFields };

  const version = old.version + 1;
  if (old.status === 'signed') {
    await tx.query(
      `INSERT INTO session_amendments (id, org_id, session_id, version, previous, changed_fields, reason, amended_by, amended_at)
       VALUES ($1, visage_current_org(), $2, $3, $4, $5, $6, $7, $8)`,
      [newId(), id, version, JSON.stringify(old), changedFields, patch.reason ?? '', tx.ctx.userId ?? null, now]);
  }
  await tx.query(
    `UPDATE treatment_sessions SET visit_id = $2, practitioner_id = $3, device_id = $4, device_settings = $5, dosage_value = $6, dosage_unit = $7,
        treatment_area = $8, pmu = $9, performed_at = $10, immediate_reaction = $11, clinical_notes = $12, price_minor = $13, currency = $14,
        version = $15, updated_at = $16
      WHERE org_id = visage_current_org() AND id = $1`,
    [id, next.visit_id, next.practitioner_id, next.device_id, json(next.device_settings), next.dosage_value, next.dosage_unit, json(next.treatment_area),
      json(next.pmu), next.performed_at, next.immediate_reaction, next.clinical_notes, next.price_minor, next.currency, version, now]);
  await audit(tx, origin, { action: 'amend', entityType: 'treatment_session', entityId: id, details: { version, fields: changedFields } });
  if (old.status === 'signed' && (changedFields.includes('price_minor') || changedFields.includes('currency'))) await reviseSessionRevenue(tx, origin, id, old, next, now);
  return { session: (await findSession(tx, id))!, amended: true, changedFields };
}

export interface AmendmentRow { id: string; version: number; previous: Snapshot; changed_fields: string[]; reason: string; amended_by: string | null; amended_by_name: string | null; amended_at: Date }

export async function listAmendments(tx: Tx, sessionId: string): Promise<{ current: number; items: AmendmentRow[] }> {
  const [s] = await tx.query<{ version: number }>(
    'SELECT version FROM treatment_sessions WHERE org_id = visage_current_org() AND id = $1 AND deleted_at IS NULL', [sessionId]);
  if (!s) throw errors.notFound('treatment session');
  const items = await tx.query<AmendmentRow>(
    `SELECT a.id, a.version, a.previous, a.changed_fields, a.reason, a.amended_by, u.full_name AS amended_by_name, a.amended_at
       FROM session_amendments a LEFT JOIN users u ON u.id = a.amended_by
      WHERE a.org_id = visage_current_org() AND a.session_id = $1 ORDER BY a.version`, [sessionId]);
  return { current: s.version, items };
}

/** A corrected price reaches growth's attribution: revised, voided, or attributed when it was 0 before. */
async function reviseSessionRevenue(tx: Tx, origin: AuditOrigin, id: string, old: Snapshot, next: { price_minor: number | null; currency: string | null }, now: Date): Promise<void> {
  const ref = `session:${id}`;
  if (await reviseRevenue(tx, origin, ref, next.price_minor, now)) return;
  if (!next.price_minor || next.price_minor <= 0) return;
  const treatment = await treatmentRef(tx, String(old.treatment_id));
  await attributeRevenue(tx, origin, {
    patientId: old.patient_id, amountMinor: next.price_minor, currency: next.currency ?? treatment.currency, occurredAt: new Date(String(old.signed_at ?? old.performed_at)),
    sourceRef: ref, treatment: { category: treatment.category, code: treatment.code }, providerId: null,
  });
}

/** Soft delete: the record is kept (retention); its planned rule follow-ups are cancelled. */
export async function deleteSession(tx: Tx, origin: AuditOrigin, id: string, now: Date): Promise<void> {
  const rows = await tx.query('UPDATE treatment_sessions SET deleted_at = $2, updated_at = $2 WHERE org_id = visage_current_org() AND id = $1 AND deleted_at IS NULL RETURNING id', [id, now]);
  if (!rows.length) throw errors.notFound('treatment session');
  const cancelled = await cancelRuleFollowups(tx, id, now);
  await reviseRevenue(tx, origin, `session:${id}`, null, now); // a deleted session is no longer revenue
  await audit(tx, origin, { action: 'delete', entityType: 'treatment_session', entityId: id, details: { followups_cancelled: cancelled } });
}
