import type { Tx } from '../../platform/db/client.js';
import { newId } from '../../platform/crypto.js';
import { FollowupRules, plannedFollowups } from './followup-rules.js';
import type { FOLLOWUP_TYPES } from './care.schema.js';

export interface SessionForFollowups {
  id: string;
  patientId: string;
  treatmentId: string;
  /** The session's calendar date in the organization's time zone (YYYY-MM-DD). */
  performedOn: string;
  createdBy?: string | null;
  /** The treatment's followup_rules when the caller already read them (saves a query); read here otherwise. */
  rules?: unknown;
}

export interface GeneratedFollowup {
  id: string;
  followupType: (typeof FOLLOWUP_TYPES)[number];
  scheduledDate: string;
  notifyFlag: boolean;
}

/**
 * Inserts the follow-ups a treatment's rules plan for a session (source 'rule'), in the caller's
 * transaction: a medical check at +14 days and a maintenance recall at +120 for botulinum toxin.
 * Scheduled dates count from the session's date in the organization's time zone.
 */
export async function generateFollowups(tx: Tx, session: SessionForFollowups): Promise<GeneratedFollowup[]> {
  let rules = session.rules;
  if (rules === undefined) {
    const [t] = await tx.query<{ followup_rules: unknown }>(
      'SELECT followup_rules FROM treatments WHERE org_id = visage_current_org() AND id = $1', [session.treatmentId]);
    rules = t?.followup_rules ?? [];
  }
  const parsed = FollowupRules.safeParse(rules);
  // Rules are validated when the catalogue is written; a malformed stored rule set plans nothing rather than failing the session.
  if (!parsed.success) return [];
  const planned = plannedFollowups(parsed.data, session.performedOn);
  const out: GeneratedFollowup[] = planned.map((f) => ({ id: newId(), ...f }));
  if (!out.length) return out;
  // One statement whatever the number of rules (session writes are a hot path).
  await tx.query(
    `INSERT INTO followups (id, org_id, patient_id, session_id, treatment_id, followup_type, scheduled_date, notify_flag, status, source, created_by)
     SELECT f.id, visage_current_org(), $5, $6, $7, f.followup_type, f.scheduled_date, f.notify_flag, 'planned', 'rule', $8
       FROM unnest($1::uuid[], $2::text[], $3::date[], $4::boolean[]) AS f(id, followup_type, scheduled_date, notify_flag)`,
    [out.map((f) => f.id), out.map((f) => f.followupType), out.map((f) => f.scheduledDate), out.map((f) => f.notifyFlag),
      session.patientId, session.id, session.treatmentId, session.createdBy ?? null]);
  return out;
}

/** A deleted session's planned rule follow-ups no longer apply: they are cancelled (kept, not deleted). */
export async function cancelRuleFollowups(tx: Tx, sessionId: string, now: Date): Promise<number> {
  const rows = await tx.query(
    `UPDATE followups SET status = 'cancelled', cancel_reason = 'session deleted', updated_at = $2
      WHERE org_id = visage_current_org() AND session_id = $1 AND source = 'rule' AND status = 'planned' AND deleted_at IS NULL RETURNING id`,
    [sessionId, now]);
  return rows.length;
}
