import type { Tx } from '../../platform/db/client.js';
import { newId } from '../../platform/crypto.js';
import { byIdOrCode } from '../../platform/db/refs.js';
import { SqlFilter, likePattern } from '../../platform/db/filter.js';
import { AppError, errors } from '../../platform/http/problem.js';
import { audit, type AuditOrigin } from '../../platform/audit/audit.service.js';
import { requirePatient } from './refs.js';

export const VISIT_TYPES = ['consultation', 'treatment', 'follow_up'] as const;
export type VisitType = (typeof VISIT_TYPES)[number];

export interface VisitRow {
  id: string; patient_id: string; patient_code: string; patient_name: string; visit_date: string; visit_type: VisitType;
  practitioner_id: string | null; practitioner_code: string | null; practitioner_name: string | null; notes: string | null;
  session_count: number; created_by: string | null; created_at: Date; updated_at: Date;
}

const SELECT = `SELECT v.id, v.patient_id, p.code AS patient_code, p.full_name AS patient_name, v.visit_date::text AS visit_date, v.visit_type,
    v.practitioner_id, pr.code AS practitioner_code, pr.full_name AS practitioner_name, v.notes,
    (SELECT count(*)::int FROM treatment_sessions s WHERE s.org_id = v.org_id AND s.visit_id = v.id AND s.deleted_at IS NULL) AS session_count,
    v.created_by, v.created_at, v.updated_at
  FROM visits v JOIN patients p ON p.org_id = v.org_id AND p.id = v.patient_id
  LEFT JOIN practitioners pr ON pr.org_id = v.org_id AND pr.id = v.practitioner_id`;

export async function findVisit(tx: Tx, id: string): Promise<VisitRow | null> {
  const [v] = await tx.query<VisitRow>(`${SELECT} WHERE v.org_id = visage_current_org() AND v.id = $1 AND v.deleted_at IS NULL`, [id]);
  return v ?? null;
}

async function practitionerId(tx: Tx, ref: string | null | undefined): Promise<string | null | undefined> {
  if (ref === undefined) return undefined;
  if (ref === null) return null;
  return (await byIdOrCode<{ id: string }>(tx, 'practitioners', 'id', ref, '/practitioner_id')).id;
}

export interface NewVisit { patientId: string; visitType: VisitType; visitDate: string; practitioner?: string | null; notes?: string | null }

export async function createVisit(tx: Tx, origin: AuditOrigin, input: NewVisit): Promise<VisitRow> {
  await requirePatient(tx, input.patientId);
  const id = newId();
  await tx.query(
    `INSERT INTO visits (id, org_id, patient_id, visit_date, visit_type, practitioner_id, notes, created_by)
     VALUES ($1, visage_current_org(), $2, $3, $4, $5, $6, $7)`,
    [id, input.patientId, input.visitDate, input.visitType, (await practitionerId(tx, input.practitioner)) ?? null, input.notes ?? null, tx.ctx.userId ?? null]);
  await audit(tx, origin, { action: 'create', entityType: 'visit', entityId: id, details: { patient_id: input.patientId, visit_type: input.visitType } });
  return (await findVisit(tx, id))!;
}

export interface VisitFilter {
  patientId?: string; visitType?: VisitType; from?: string; to?: string; practitioner?: string; q?: string;
  limit: number; cursor: { date: string; id: string } | null;
}

/** Newest first by visit date. `q` searches the patient's name and chart code. */
export async function listVisits(tx: Tx, f: VisitFilter): Promise<VisitRow[]> {
  const w = new SqlFilter('v.org_id = visage_current_org()', 'v.deleted_at IS NULL')
    .when('v.patient_id = ?', f.patientId).when('v.visit_type = ?', f.visitType)
    .when('v.visit_date >= ?::date', f.from).when('v.visit_date <= ?::date', f.to)
    .when('v.practitioner_id = ?', f.practitioner ? await practitionerId(tx, f.practitioner) : undefined);
  w.when(`(p.full_name || ' ' || p.code) ILIKE ?`, likePattern(f.q));
  if (f.cursor) w.when(`(v.visit_date, v.id) < (${w.param(f.cursor.date)}::date, ?::uuid)`, f.cursor.id);
  return tx.query<VisitRow>(`${SELECT} WHERE ${w.where} ORDER BY v.visit_date DESC, v.id DESC LIMIT ${w.param(f.limit + 1)}`, w.params);
}

export interface VisitPatch { visitType?: VisitType; visitDate?: string; practitioner?: string | null; notes?: string | null }

export async function updateVisit(tx: Tx, origin: AuditOrigin, id: string, patch: VisitPatch, now: Date): Promise<VisitRow> {
  const before = await findVisit(tx, id);
  if (!before) throw errors.notFound('visit');
  const prId = await practitionerId(tx, patch.practitioner);
  const changed = [
    ['visit_type', patch.visitType !== undefined && patch.visitType !== before.visit_type],
    ['visit_date', patch.visitDate !== undefined && patch.visitDate !== before.visit_date],
    ['practitioner_id', prId !== undefined && prId !== before.practitioner_id],
    ['notes', patch.notes !== undefined && patch.notes !== before.notes],
  ].filter(([, c]) => c).map(([f]) => f as string);
  if (changed.length) {
    await tx.query(
      `UPDATE visits SET visit_type = COALESCE($2, visit_type), visit_date = COALESCE($3::date, visit_date),
          practitioner_id = CASE WHEN $4 THEN $5::uuid ELSE practitioner_id END,
          notes = CASE WHEN $6 THEN $7 ELSE notes END, updated_at = $8
        WHERE org_id = visage_current_org() AND id = $1 AND deleted_at IS NULL`,
      [id, patch.visitType ?? null, patch.visitDate ?? null, prId !== undefined, prId ?? null, patch.notes !== undefined, patch.notes ?? null, now]);
  }
  await audit(tx, origin, { action: 'update', entityType: 'visit', entityId: id, details: { fields: changed } });
  return (await findVisit(tx, id))!;
}

/** Soft delete. A visit that still holds sessions is kept: delete (or move) its sessions first. */
export async function deleteVisit(tx: Tx, origin: AuditOrigin, id: string, now: Date): Promise<void> {
  const v = await findVisit(tx, id);
  if (!v) throw errors.notFound('visit');
  if (v.session_count > 0) {
    throw new AppError(409, 'visit_has_sessions', `This visit holds ${v.session_count} treatment session(s); delete them first (clinical records are kept, so the visit stays their context).`);
  }
  await tx.query('UPDATE visits SET deleted_at = $2, updated_at = $2 WHERE org_id = visage_current_org() AND id = $1 AND deleted_at IS NULL', [id, now]);
  await audit(tx, origin, { action: 'delete', entityType: 'visit', entityId: id });
}
