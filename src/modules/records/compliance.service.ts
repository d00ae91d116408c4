import type { Tx } from '../../platform/db/client.js';
import { SqlFilter } from '../../platform/db/filter.js';
import { errors } from '../../platform/http/problem.js';
import { audit, type AuditOrigin } from '../../platform/audit/audit.service.js';

export interface ExceptionRow {
  id: string; kind: string; details: Record<string, unknown>; created_at: Date; resolved_at: Date | null; resolved_by: string | null;
  resolved_by_name: string | null; resolution: string | null;
  patient_id: string; patient_code: string; patient_name: string;
  session_id: string | null; session_performed_at: Date | null; session_no: number | null; treatment_id: string | null;
  treatment_code: string | null; treatment_name: string | null;
  session_recorded_by: string | null; session_recorded_by_name: string | null; practitioner_name: string | null;
}

const COLUMNS = `e.id, e.kind, e.details, e.created_at, e.resolved_at, e.resolved_by, rb.full_name AS resolved_by_name, e.resolution,
  p.id AS patient_id, p.code AS patient_code, p.full_name AS patient_name,
  s.id AS session_id, s.performed_at AS session_performed_at, s.session_no, t.id AS treatment_id, t.code AS treatment_code, t.name AS treatment_name,
  s.created_by AS session_recorded_by, ru.full_name AS session_recorded_by_name, pr.full_name AS practitioner_name`;
const FROM = `compliance_exceptions e
  JOIN patients p ON p.org_id = e.org_id AND p.id = e.patient_id
  LEFT JOIN treatment_sessions s ON s.org_id = e.org_id AND s.id = e.session_id
  LEFT JOIN treatments t ON t.org_id = s.org_id AND t.id = s.treatment_id
  LEFT JOIN practitioners pr ON pr.org_id = s.org_id AND pr.id = s.practitioner_id
  LEFT JOIN users ru ON ru.id = s.created_by
  LEFT JOIN users rb ON rb.id = e.resolved_by`;

export interface ExceptionFilter { open?: boolean; patientId?: string; kind?: string; limit: number; cursor?: { at: string; id: string } | null }

/** The compliance worklist, newest first (keyset on created_at, id). */
export async function listExceptions(tx: Tx, f: ExceptionFilter): Promise<ExceptionRow[]> {
  const fixed = ['e.org_id = visage_current_org()'];
  if (f.open === true) fixed.push('e.resolved_at IS NULL');
  if (f.open === false) fixed.push('e.resolved_at IS NOT NULL');
  const q = new SqlFilter(...fixed).when('e.patient_id = ?', f.patientId).when('e.kind = ?', f.kind).before(['e.created_at', 'e.id'], f.cursor, 'compliance_exceptions');
  return tx.query<ExceptionRow>(`SELECT ${COLUMNS} FROM ${FROM} WHERE ${q.where} ORDER BY e.created_at DESC, e.id DESC LIMIT ${q.param(f.limit + 1)}`, q.params);
}

export async function getException(tx: Tx, id: string): Promise<ExceptionRow | undefined> {
  return (await tx.query<ExceptionRow>(`SELECT ${COLUMNS} FROM ${FROM} WHERE e.org_id = visage_current_org() AND e.id = $1`, [id]))[0];
}

/** Closes an exception with what was done about it (e.g. "consent signed after the session"). */
export async function resolveException(tx: Tx, origin: AuditOrigin, id: string, userId: string, resolution: string, now: Date): Promise<ExceptionRow> {
  const existing = await getException(tx, id);
  if (!existing) throw errors.notFound('compliance exception');
  if (existing.resolved_at) throw errors.conflict('This exception is already resolved.', 'already_resolved');
  await tx.query(
    `UPDATE compliance_exceptions SET resolved_at = $2, resolved_by = $3, resolution = $4
      WHERE org_id = visage_current_org() AND id = $1 AND resolved_at IS NULL`, [id, now, userId, resolution]);
  await audit(tx, origin, { action: 'resolve', entityType: 'compliance_exception', entityId: id, details: { kind: existing.kind, patient_id: existing.patient_id } });
  return (await getException(tx, id))!;
}
