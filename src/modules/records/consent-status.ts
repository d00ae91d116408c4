import type { Tx } from '../../platform/db/client.js';
import { newId } from '../../platform/crypto.js';
import { AppError } from '../../platform/http/problem.js';
import { audit, type AuditOrigin } from '../../platform/audit/audit.service.js';

export type ConsentStatus =
  | { state: 'not_required' }
  | { state: 'signed'; consentId: string; templateVersion: number }
  | { state: 'missing'; templateId: string | null; templateVersion: number | null };

export type ConsentPolicy = 'flag' | 'strict';

/**
 * Whether a patient holds a signed, not withdrawn consent of the current template version for a
 * treatment. Treatments that do not require consent answer not_required.
 */
export async function consentStatus(tx: Tx, patientId: string, treatment: { id: string; consent_required: boolean }): Promise<ConsentStatus> {
  if (!treatment.consent_required) return { state: 'not_required' };
  const [tpl] = await tx.query<{ id: string; version: number }>(
    `SELECT id, version FROM consent_templates WHERE org_id = visage_current_org() AND treatment_id = $1 AND is_current`, [treatment.id]);
  if (!tpl) return { state: 'missing', templateId: null, templateVersion: null };
  const [signed] = await tx.query<{ id: string }>(
    `SELECT id FROM consents WHERE org_id = visage_current_org() AND patient_id = $1 AND template_id = $2 AND withdrawn_at IS NULL
      ORDER BY signed_at DESC LIMIT 1`, [patientId, tpl.id]);
  return signed ? { state: 'signed', consentId: signed.id, templateVersion: tpl.version } : { state: 'missing', templateId: tpl.id, templateVersion: tpl.version };
}

/** The acting organization's consent policy: 'flag' (default) or 'strict'. */
export async function consentPolicy(tx: Tx): Promise<ConsentPolicy> {
  const [org] = await tx.query<{ consent_policy: ConsentPolicy }>('SELECT consent_policy FROM organizations WHERE id = visage_current_org()');
  return org?.consent_policy ?? 'flag';
}

export interface SessionConsent { status: ConsentStatus; policy: ConsentPolicy }

/**
 * Call before recording a session. Under the strict policy a session of a treatment that requires
 * consent, without a signed consent of the current version, is refused (409 consent_required).
 * Under the flag policy the answer has state 'missing': record the session, then call
 * `flagMissingConsent` with its id in the same transaction.
 */
export async function checkSessionConsent(tx: Tx, patientId: string, treatment: { id: string; code?: string; consent_required: boolean }): Promise<SessionConsent> {
  const status = await consentStatus(tx, patientId, treatment);
  if (status.state !== 'missing') return { status, policy: 'flag' };
  const policy = await consentPolicy(tx);
  if (policy === 'strict') {
    const what = status.templateVersion === null
      ? 'this treatment has no consent template yet, so nobody can sign one'
      : `the patient has not signed the current consent (version ${status.templateVersion})`;
    throw new AppError(409, 'consent_required',
      `${treatment.code ?? 'This treatment'} requires consent and ${what}. The organization refuses such sessions (consent policy: strict).`,
      [{ pointer: '/patient_id', message: 'no signed consent of the current version' }]);
  }
  return { status, policy };
}

/**
 * Records a session recorded without the current signed consent as an open compliance exception
 * (one per session). Returns the exception id, or null when the status does not call for one.
 */
export async function flagMissingConsent(tx: Tx, origin: AuditOrigin, args: { patientId: string; sessionId: string; treatmentId: string; status: ConsentStatus }): Promise<string | null> {
  if (args.status.state !== 'missing') return null;
  const id = newId();
  const rows = await tx.query<{ id: string }>(
    `INSERT INTO compliance_exceptions (id, org_id, patient_id, session_id, kind, details)
     VALUES ($1, visage_current_org(), $2, $3, 'missing_consent', $4)
     ON CONFLICT (org_id, session_id, kind) WHERE session_id IS NOT NULL DO NOTHING RETURNING id`,
    [id, args.patientId, args.sessionId, JSON.stringify({
      treatment_id: args.treatmentId, template_id: args.status.templateId, template_version: args.status.templateVersion,
    })]);
  if (!rows[0]) return null;
  await audit(tx, origin, { action: 'create', entityType: 'compliance_exception', entityId: id, details: { kind: 'missing_consent', session_id: args.sessionId } });
  return id;
}
