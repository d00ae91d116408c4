/**
 * Screening enforced when a session is recorded: a critical contraindication (screening.ts) stops
 * the session until a practitioner overrides it with a reason. Warnings never stop a session.
 *
 * The cost on the session write path is one statement (the treatment's screening columns and the
 * flags of the patient's latest intake of each kind, together); an override's compliance exception
 * and audit events travel with the COMMIT (Tx.deferToCommit), so they add no round trip.
 */
import { literal, type Tx } from '../../platform/db/client.js';
import { newId } from '../../platform/crypto.js';
import { AppError, errors, type FieldError } from '../../platform/http/problem.js';
import { audit, type AuditOrigin } from '../../platform/audit/audit.service.js';
import { screen, type Alert } from './screening.js';

/** The permission that lets a caller record a session despite a critical contraindication. */
export const OVERRIDE_PERMISSION = 'contraindication.override';

/** Who records the session, as far as screening is concerned. */
export interface ScreeningCaller {
  /** `contraindication_override` of the request body, when sent. */
  override?: { reason: string } | null;
  /** Holds contraindication.override. */
  canOverride: boolean;
  /** Holds medical.read (may see the alerts, as GET /api/patients/{id}/screening shows them). */
  canSeeAlerts: boolean;
}

/** 409 contraindicated: the critical alerts in `errors` (key and message), when the caller may see them. */
export class ContraindicatedError extends AppError {
  constructor(treatmentCode: string, readonly alerts: Alert[], shown: boolean) {
    const list: (FieldError & { key: string; severity: 'critical' })[] = shown
      ? alerts.map((a) => ({ pointer: '/contraindication_override', message: a.message, key: a.key, severity: 'critical' }))
      : [];
    super(409, 'contraindicated',
      shown
        ? `Screening found ${alerts.length === 1 ? 'a critical contraindication' : `${alerts.length} critical contraindications`} for ${treatmentCode} `
          + `(${alerts.map((a) => a.key).join(', ')}): the session is not recorded. A practitioner may override it with a reason of at least 10 characters `
          + '(contraindication_override.reason); the override is filed on the compliance worklist.'
        : `Screening found a critical contraindication for ${treatmentCode}. The session is not recorded; a practitioner must review the screening and may override it.`,
      list);
  }
}

interface ScreeningRow {
  code: string; name: string; category: string; contraindications: string[]; ingredients: string[];
  /** The flags of the latest intake of each kind; null when the patient has no intake. */
  intake_flags: string[][] | null;
}

/**
 * Called by createSession before the session row is written. Refuses (409 contraindicated) when the
 * screening has a critical alert and no override was sent; 403 override_not_permitted when the
 * caller sent one without holding contraindication.override. An accepted override files a
 * compliance exception of kind contraindication_override (who, reason, alert keys) for the session
 * and audits it, in the same transaction. Returns warnings for the response (empty when clear).
 */
export async function enforceScreening(tx: Tx, origin: AuditOrigin, s: {
  patientId: string; treatmentId: string; sessionId: string; caller?: ScreeningCaller;
}): Promise<string[]> {
  const [row] = await tx.query<ScreeningRow>(
    `SELECT t.code, t.name, t.category, t.contraindications, t.ingredients,
       (SELECT json_agg(i.flags) FROM (
          SELECT DISTINCT ON (kind) flags FROM intakes
           WHERE org_id = visage_current_org() AND patient_id = $1 AND deleted_at IS NULL
           ORDER BY kind, completed_at DESC, id DESC) i) AS intake_flags
     FROM treatments t WHERE t.org_id = visage_current_org() AND t.id = $2`, [s.patientId, s.treatmentId]);
  // No intake on file: screening says only "no_intake", a warning, which never blocks.
  if (!row || row.intake_flags === null) return [];
  const flags = [...new Set(row.intake_flags.flat())].sort();
  const critical = screen(flags, row).filter((a) => a.severity === 'critical');
  if (!critical.length) return [];

  const caller = s.caller ?? { canOverride: false, canSeeAlerts: true };
  if (!caller.override) throw new ContraindicatedError(row.code, critical, caller.canSeeAlerts);
  if (!caller.canOverride) {
    throw errors.forbidden(`Overriding a contraindication needs the ${OVERRIDE_PERMISSION} permission, which your role does not hold. Ask a practitioner.`,
      'override_not_permitted');
  }

  const exceptionId = newId();
  const keys = critical.map((a) => a.key);
  const userId = tx.ctx.userId ?? null;
  const details = { treatment_id: s.treatmentId, treatment_code: row.code, alerts: keys, reason: caller.override.reason, overridden_by: userId };
  tx.deferToCommit(`INSERT INTO compliance_exceptions (id, org_id, patient_id, session_id, kind, details)
VALUES (${literal(exceptionId)}, visage_current_org(), ${literal(s.patientId)}, ${literal(s.sessionId)}, 'contraindication_override', ${literal(JSON.stringify(details))}::jsonb)`);
  // The audit names what was overridden by count only (the keys are medical; the exception holds them).
  await audit(tx, origin, { action: 'create', entityType: 'compliance_exception', entityId: exceptionId, details: { kind: 'contraindication_override', session_id: s.sessionId } });
  await audit(tx, origin, {
    action: 'contraindication_override', entityType: 'treatment_session', entityId: s.sessionId,
    details: { patient_id: s.patientId, treatment_id: s.treatmentId, exception_id: exceptionId, critical: keys.length },
  });
  const what = keys.length === 1 ? 'a critical contraindication' : `${keys.length} critical contraindications`;
  return [`Recorded despite ${what}${caller.canSeeAlerts ? ` (${keys.join(', ')})` : ''}, overridden with a reason: `
    + `filed on the compliance worklist (exception ${exceptionId}).`];
}
