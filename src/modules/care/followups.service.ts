import type { Tx } from '../../platform/db/client.js';
import { newId } from '../../platform/crypto.js';
import { SqlFilter, likePattern } from '../../platform/db/filter.js';
import { byIdOrCode } from '../../platform/db/refs.js';
import { errors } from '../../platform/http/problem.js';
import { audit, type AuditOrigin } from '../../platform/audit/audit.service.js';
import type { FOLLOWUP_STATUSES, FOLLOWUP_TYPES, REMINDER_CHANNELS } from './care.schema.js';
import { orgClock } from './org-clock.js';
import { addDays } from './followup-rules.js';

export type FollowupType = (typeof FOLLOWUP_TYPES)[number];
export type FollowupStatus = (typeof FOLLOWUP_STATUSES)[number];
export type ReminderChannel = (typeof REMINDER_CHANNELS)[number];

export interface FollowupRow {
  id: string; patient_id: string; patient_name: string; session_id: string | null; treatment_id: string | null;
  treatment_name: string | null; treatment_code: string | null; followup_type: FollowupType; scheduled_date: string;
  actual_date: string | null; next_recommend_date: string | null; notify_flag: boolean; channel: ReminderChannel | null;
  status: FollowupStatus; source: 'rule' | 'manual' | 'recommend'; reminder_due_at: Date | string | null; cancel_reason: string | null;
  has_outcome_notes: boolean; outcome_notes?: string | null; created_at: Date | string; updated_at: Date | string;
}

const COLUMNS = `f.id, f.patient_id, p.full_name AS patient_name, f.session_id, f.treatment_id, t.name AS treatment_name, t.code AS treatment_code,
  f.followup_type, f.scheduled_date::text AS scheduled_date, f.actual_date::text AS actual_date, f.next_recommend_date::text AS next_recommend_date,
  f.notify_flag, f.channel, f.status, f.source, f.reminder_due_at, f.cancel_reason, (f.outcome_notes IS NOT NULL) AS has_outcome_notes,
  f.created_at, f.updated_at`;
const FROM = `followups f
  JOIN patients p ON p.org_id = f.org_id AND p.id = f.patient_id
  LEFT JOIN treatments t ON t.org_id = f.org_id AND t.id = f.treatment_id`;

export interface Actor { userId: string; now: Date }

/** One live follow-up of the acting organization; with its outcome notes (PHI) only when asked. */
export async function findFollowup(tx: Tx, id: string, opts: { withNotes?: boolean } = {}): Promise<FollowupRow | null> {
  const [row] = await tx.query<FollowupRow>(
    `SELECT ${COLUMNS}${opts.withNotes ? ', f.outcome_notes' : ''} FROM ${FROM}
      WHERE f.org_id = visage_current_org() AND f.id = $1 AND f.deleted_at IS NULL`, [id]);
  return row ?? null;
}

async function mustFind(tx: Tx, id: string, withNotes = false): Promise<FollowupRow> {
  const row = await findFollowup(tx, id, { withNotes });
  if (!row) throw errors.notFound('follow-up');
  return row;
}

interface SessionRef { id: string; patient_id: string; treatment_id: string; performed_on: string }

async function sessionOf(tx: Tx, sessionId: string, pointer: string): Promise<SessionRef> {
  const [s] = await tx.query<SessionRef>(
    `SELECT s.id, s.patient_id, s.treatment_id, (s.performed_at AT TIME ZONE o.timezone)::date::text AS performed_on
       FROM treatment_sessions s JOIN organizations o ON o.id = s.org_id
      WHERE s.org_id = visage_current_org() AND s.id = $1 AND s.deleted_at IS NULL`, [sessionId]);
  if (!s) throw errors.validation('No treatment session with that id.', [{ pointer, message: 'not found' }]);
  return s;
}

async function assertPatient(tx: Tx, patientId: string): Promise<void> {
  const [p] = await tx.query(`SELECT 1 FROM patients WHERE org_id = visage_current_org() AND id = $1 AND deleted_at IS NULL`, [patientId]);
  if (!p) throw errors.validation('No patient with that id.', [{ pointer: '/patient_id', message: 'not found' }]);
}

export interface CreateFollowup {
  patient_id?: string; session_id?: string | null; treatment_id?: string | null; followup_type: FollowupType; scheduled_date: string;
  notify_flag?: boolean; channel?: ReminderChannel | null; next_recommend_date?: string | null;
}

async function insertFollowup(tx: Tx, actor: Actor, v: {
  patientId: string; sessionId: string | null; treatmentId: string | null; type: FollowupType; scheduledDate: string; notify: boolean;
  channel: ReminderChannel | null; nextRecommendDate: string | null; source: 'manual' | 'recommend';
}): Promise<string> {
  const id = newId();
  await tx.query(
    `INSERT INTO followups (id, org_id, patient_id, session_id, treatment_id, followup_type, scheduled_date, notify_flag, channel,
       next_recommend_date, status, source, created_by, created_at, updated_at)
     VALUES ($1, visage_current_org(), $2, $3, $4, $5, $6, $7, $8, $9, 'planned', $10, $11, $12, $12)`,
    [id, v.patientId, v.sessionId, v.treatmentId, v.type, v.scheduledDate, v.notify, v.channel, v.nextRecommendDate, v.source, actor.userId, actor.now]);
  return id;
}

/** Seed 000 POST /api/followups: a follow-up planned by hand (patient from the body or from the session). */
export async function createFollowup(tx: Tx, origin: AuditOrigin, actor: Actor, input: CreateFollowup): Promise<FollowupRow> {
  let patientId = input.patient_id;
  let treatmentId: string | null = null;
  if (input.session_id) {
    const s = await sessionOf(tx, input.session_id, '/session_id');
    if (patientId && patientId !== s.patient_id) {
      throw errors.validation('The session belongs to another patient.', [{ pointer: '/session_id', message: 'not a session of this patient' }]);
    }
    patientId = s.patient_id;
    treatmentId = s.treatment_id;
  }
  if (!patientId) throw errors.validation('Name the patient (patient_id) or the session (session_id).', [{ pointer: '/patient_id', message: 'required' }]);
  await assertPatient(tx, patientId);
  if (input.treatment_id) treatmentId = (await byIdOrCode<{ id: string }>(tx, 'treatments', 'id', input.treatment_id, '/treatment_id')).id;
  const id = await insertFollowup(tx, actor, {
    patientId, sessionId: input.session_id ?? null, treatmentId, type: input.followup_type, scheduledDate: input.scheduled_date,
    notify: input.notify_flag ?? false, channel: input.channel ?? null, nextRecommendDate: input.next_recommend_date ?? null, source: 'manual',
  });
  await audit(tx, origin, { action: 'create', entityType: 'followup', entityId: id, details: { followup_type: input.followup_type, source: 'manual' } });
  return mustFind(tx, id);
}

export interface Recommend { session_id: string; next_recommend_date: string; followup_type?: FollowupType; notify_flag?: boolean; channel?: ReminderChannel | null }

/**
 * Seed 000 POST /api/followups/recommend: a re-treatment recommendation for a session's patient,
 * planned on next_recommend_date (source 'recommend'); the session's latest follow-up records the
 * recommended date as its next_recommend_date.
 */
export async function recommend(tx: Tx, origin: AuditOrigin, actor: Actor, input: Recommend): Promise<{ followup: FollowupRow; updatedFollowupId: string | null }> {
  const s = await sessionOf(tx, input.session_id, '/session_id');
  if (input.next_recommend_date <= s.performed_on) {
    throw errors.validation('The recommended date must come after the session.', [{ pointer: '/next_recommend_date', message: `must be after ${s.performed_on}` }]);
  }
  const [latest] = await tx.query<{ id: string }>(
    `SELECT id FROM followups WHERE org_id = visage_current_org() AND session_id = $1 AND deleted_at IS NULL AND status <> 'cancelled'
      ORDER BY scheduled_date DESC, id DESC LIMIT 1 FOR UPDATE`, [s.id]);
  if (latest) {
    await tx.query('UPDATE followups SET next_recommend_date = $2, updated_at = $3 WHERE org_id = visage_current_org() AND id = $1',
      [latest.id, input.next_recommend_date, actor.now]);
  }
  const type = input.followup_type ?? 'maintenance';
  const id = await insertFollowup(tx, actor, {
    patientId: s.patient_id, sessionId: s.id, treatmentId: s.treatment_id, type, scheduledDate: input.next_recommend_date,
    notify: input.notify_flag ?? true, channel: input.channel ?? null, nextRecommendDate: input.next_recommend_date, source: 'recommend',
  });
  await audit(tx, origin, { action: 'create', entityType: 'followup', entityId: id, details: { followup_type: type, source: 'recommend', updated_followup_id: latest?.id ?? null } });
  return { followup: await mustFind(tx, id), updatedFollowupId: latest?.id ?? null };
}

/** Keyset condition for the ascending (scheduled_date, id) order: rows strictly after the cursor. */
function afterCursor(q: SqlFilter, cursor: { d: string; id: string } | null | undefined): void {
  if (cursor) q.when(`(f.scheduled_date, f.id) > (?::date, ${q.param(cursor.id)}::uuid)`, cursor.d);
}

export interface ListFilter {
  status?: FollowupStatus; overdue?: boolean; patient_id?: string; session_id?: string; followup_type?: FollowupType;
  from?: string; to?: string; q?: string; limit: number; cursor?: { d: string; id: string } | null;
}

/** Follow-ups by scheduled date (oldest first), keyset-paginated; `overdue` = planned and before the organization's today. */
export async function listFollowups(tx: Tx, now: Date, f: ListFilter): Promise<FollowupRow[]> {
  const q = new SqlFilter('f.org_id = visage_current_org()', 'f.deleted_at IS NULL');
  if (f.overdue) {
    const { today } = await orgClock(tx, now);
    q.when(`f.status = 'planned' AND f.scheduled_date < ?::date`, today);
  }
  q.when('f.status = ?', f.status).when('f.patient_id = ?::uuid', f.patient_id).when('f.session_id = ?::uuid', f.session_id)
    .when('f.followup_type = ?', f.followup_type).when('f.scheduled_date >= ?::date', f.from).when('f.scheduled_date <= ?::date', f.to)
    .when(`lower(p.full_name) LIKE ?`, likePattern(f.q?.toLowerCase()));
  afterCursor(q, f.cursor);
  return tx.query<FollowupRow>(`SELECT ${COLUMNS} FROM ${FROM} WHERE ${q.where} ORDER BY f.scheduled_date, f.id LIMIT ${q.param(f.limit + 1)}`, q.params);
}

/** Planned follow-ups from `from` to `to` (inclusive), by date: the seed's "upcoming follow-ups" and the worklist buckets. */
export async function plannedBetween(tx: Tx, from: string | null, to: string | null, limit: number, cursor?: { d: string; id: string } | null): Promise<FollowupRow[]> {
  const q = new SqlFilter('f.org_id = visage_current_org()', `f.status = 'planned'`, 'f.deleted_at IS NULL', 'p.deleted_at IS NULL');
  q.when('f.scheduled_date >= ?::date', from).when('f.scheduled_date <= ?::date', to);
  afterCursor(q, cursor);
  return tx.query<FollowupRow>(`SELECT ${COLUMNS} FROM ${FROM} WHERE ${q.where} ORDER BY f.scheduled_date, f.id LIMIT ${q.param(limit + 1)}`, q.params);
}

/** GET /api/followups?days=N: planned follow-ups from the organization's today to today + N days. */
export async function upcoming(tx: Tx, now: Date, days: number, limit: number, cursor?: { d: string; id: string } | null): Promise<{ today: string; rows: FollowupRow[] }> {
  const { today } = await orgClock(tx, now);
  return { today, rows: await plannedBetween(tx, today, addDays(today, days), limit, cursor) };
}

export interface Worklist { date: string; today: FollowupRow[]; overdue: FollowupRow[]; upcoming: FollowupRow[] }

/** The front desk's worklist in the organization's time zone: due today, overdue (planned, past), and the next `days` days. */
export async function worklist(tx: Tx, now: Date, days: number, limit: number): Promise<Worklist> {
  const { today } = await orgClock(tx, now);
  const cut = (rows: FollowupRow[]) => rows.slice(0, limit);
  return {
    date: today,
    today: cut(await plannedBetween(tx, today, today, limit)),
    overdue: cut(await plannedBetween(tx, null, addDays(today, -1), limit)),
    upcoming: cut(await plannedBetween(tx, addDays(today, 1), addDays(today, days), limit)),
  };
}

export interface Patch {
  followup_type?: FollowupType; scheduled_date?: string; notify_flag?: boolean; channel?: ReminderChannel | null; next_recommend_date?: string | null;
}

/** Reschedules or changes a follow-up; only planned ones move. */
export async function updateFollowup(tx: Tx, origin: AuditOrigin, actor: Actor, id: string, patch: Patch): Promise<FollowupRow> {
  const cur = await mustFind(tx, id);
  const moving = patch.scheduled_date !== undefined || patch.followup_type !== undefined || patch.notify_flag !== undefined || patch.channel !== undefined;
  if (moving && cur.status !== 'planned') throw errors.conflict(`A ${cur.status} follow-up cannot be rescheduled or changed.`, 'followup_not_planned');
  if (cur.status === 'cancelled') throw errors.conflict('A cancelled follow-up cannot be changed.', 'followup_not_planned');
  const fields = Object.keys(patch).filter((k) => (patch as Record<string, unknown>)[k] !== undefined);
  await tx.query(
    `UPDATE followups SET followup_type = $2, scheduled_date = $3, notify_flag = $4, channel = $5, next_recommend_date = $6, updated_at = $7
      WHERE org_id = visage_current_org() AND id = $1`,
    [id, patch.followup_type ?? cur.followup_type, patch.scheduled_date ?? cur.scheduled_date, patch.notify_flag ?? cur.notify_flag,
      patch.channel !== undefined ? patch.channel : cur.channel, patch.next_recommend_date !== undefined ? patch.next_recommend_date : cur.next_recommend_date, actor.now]);
  await audit(tx, origin, { action: 'update', entityType: 'followup', entityId: id, details: { fields } });
  return mustFind(tx, id);
}

export interface Complete { actual_date?: string; outcome_notes?: string | null; next_recommend_date?: string | null }

/** Records that a follow-up took place: actual date (default: the organization's today), outcome (PHI), next recommended date. */
export async function completeFollowup(tx: Tx, origin: AuditOrigin, actor: Actor, id: string, input: Complete): Promise<FollowupRow> {
  const cur = await mustFind(tx, id);
  if (cur.status === 'done') throw errors.conflict('This follow-up is already completed.', 'followup_already_done');
  if (cur.status === 'cancelled') throw errors.conflict('A cancelled follow-up cannot be completed.', 'followup_not_planned');
  const { today } = await orgClock(tx, actor.now);
  const actual = input.actual_date ?? today;
  if (actual > today) throw errors.validation('The actual date cannot be in the future.', [{ pointer: '/actual_date', message: `must be on or before ${today}` }]);
  if (input.next_recommend_date && input.next_recommend_date <= actual) {
    throw errors.validation('The next recommended date must come after the actual date.', [{ pointer: '/next_recommend_date', message: `must be after ${actual}` }]);
  }
  await tx.query(
    `UPDATE followups SET status = 'done', actual_date = $2, outcome_notes = $3, next_recommend_date = coalesce($4, next_recommend_date), updated_at = $5
      WHERE org_id = visage_current_org() AND id = $1`,
    [id, actual, input.outcome_notes ?? null, input.next_recommend_date ?? null, actor.now]);
  const fields = ['status', 'actual_date', ...(input.outcome_notes ? ['outcome_notes'] : []), ...(input.next_recommend_date ? ['next_recommend_date'] : [])];
  await audit(tx, origin, { action: 'update', entityType: 'followup', entityId: id, details: { fields, transition: 'complete' } });
  return mustFind(tx, id, true);
}

/** Cancels a planned (or missed) follow-up; it stays on the chart with its reason. */
export async function cancelFollowup(tx: Tx, origin: AuditOrigin, actor: Actor, id: string, reason: string | null): Promise<FollowupRow> {
  const cur = await mustFind(tx, id);
  if (cur.status === 'done' || cur.status === 'cancelled') throw errors.conflict(`A ${cur.status} follow-up cannot be cancelled.`, 'followup_not_planned');
  await tx.query(`UPDATE followups SET status = 'cancelled', cancel_reason = $2, updated_at = $3 WHERE org_id = visage_current_org() AND id = $1`,
    [id, reason, actor.now]);
  await audit(tx, origin, { action: 'update', entityType: 'followup', entityId: id, details: { fields: ['status', ...(reason ? ['cancel_reason'] : [])], transition: 'cancel' } });
  return mustFind(tx, id);
}

/** Soft delete: hidden from lists, kept for the record. */
export async function deleteFollowup(tx: Tx, origin: AuditOrigin, actor: Actor, id: string): Promise<void> {
  const rows = await tx.query(`UPDATE followups SET deleted_at = $2, updated_at = $2 WHERE org_id = visage_current_org() AND id = $1 AND deleted_at IS NULL RETURNING id`,
    [id, actor.now]);
  if (!rows.length) throw errors.notFound('follow-up');
  await audit(tx, origin, { action: 'delete', entityType: 'followup', entityId: id });
}
