import type { Tx } from '../../platform/db/client.js';
import { newId } from '../../platform/crypto.js';
import { SqlFilter } from '../../platform/db/filter.js';
import { errors } from '../../platform/http/problem.js';
import { assertNoPhi } from './phi.js';
import { rescoreLead } from './scoring.js';

/** Seed 003 patient_journey_events event types: snake_case (website_visit, consultation_scheduled, booking_made...). */
export const EVENT_TYPE_RE = /^[a-z][a-z0-9_]{1,59}$/;
/** Journey data is a small record of what happened, not a document. */
export const MAX_JOURNEY_DATA_BYTES = 8_000;

export interface JourneyInput {
  leadId?: string | null; userId?: string | null; patientId?: string | null;
  eventType: string; data?: Record<string, unknown>; source?: string | null; sessionId?: string | null;
  /** When it happened (default: now); a lead's event also rescores the lead as of `now`. */
  at?: Date; now?: Date;
}

export interface JourneyRow {
  id: string; lead_id: string | null; user_id: string | null; patient_id: string | null; event_type: string; data: Record<string, unknown>;
  source: string | null; session_id: string | null; created_at: Date;
}

const COLUMNS = 'id, lead_id, user_id, patient_id, event_type, data, source, session_id, created_at';

/**
 * Records one step of a prospect's path. An event on a lead takes the lead's user and patient ids
 * (once identified) and rescores the lead. Refuses PHI in `data`. For the API, intake and the CRM sync.
 */
export async function recordJourneyEvent(tx: Tx, input: JourneyInput): Promise<JourneyRow> {
  if (!EVENT_TYPE_RE.test(input.eventType)) {
    throw errors.validation('An event type is a snake_case name such as website_visit.', [{ pointer: '/event_type', message: 'not snake_case' }]);
  }
  const data = input.data ?? {};
  assertNoPhi(data, '/data');
  if (Buffer.byteLength(JSON.stringify(data)) > MAX_JOURNEY_DATA_BYTES) {
    throw errors.validation(`Journey data is limited to ${MAX_JOURNEY_DATA_BYTES} bytes.`, [{ pointer: '/data', message: 'too large' }]);
  }
  let userId = input.userId ?? null;
  let patientId = input.patientId ?? null;
  if (input.leadId) {
    const [l] = await tx.query<{ user_id: string | null; patient_id: string | null }>(
      'SELECT user_id, patient_id FROM leads WHERE org_id = visage_current_org() AND id = $1 AND deleted_at IS NULL', [input.leadId]);
    if (!l) throw errors.notFound('lead');
    userId ??= l.user_id;
    patientId ??= l.patient_id;
  }
  const [row] = await tx.query<JourneyRow>(
    `INSERT INTO journey_events (id, org_id, lead_id, user_id, patient_id, event_type, data, source, session_id, created_at)
     VALUES ($1, visage_current_org(), $2, $3, $4, $5, $6::jsonb, $7, $8, COALESCE($9::timestamptz, now()))
     RETURNING ${COLUMNS}`,
    [newId(), input.leadId ?? null, userId, patientId, input.eventType, JSON.stringify(data), input.source ?? null, input.sessionId ?? null, input.at ?? input.now ?? null]);
  if (input.leadId) await rescoreLead(tx, input.leadId, input.now ?? input.at ?? new Date(row!.created_at));
  return row!;
}

export interface JourneyFilter { leadId?: string; sessionId?: string; eventType?: string; limit: number; cursor: { at: string; id: string } | null }

/** Newest first. */
export async function listJourneyEvents(tx: Tx, f: JourneyFilter): Promise<JourneyRow[]> {
  const w = new SqlFilter('org_id = visage_current_org()', 'deleted_at IS NULL')
    .when('lead_id = ?', f.leadId).when('session_id = ?', f.sessionId).when('event_type = ?', f.eventType).before(['created_at', 'id'], f.cursor, 'journey_events');
  return tx.query<JourneyRow>(`SELECT ${COLUMNS} FROM journey_events WHERE ${w.where} ORDER BY created_at DESC, id DESC LIMIT ${w.param(f.limit + 1)}`, w.params);
}
