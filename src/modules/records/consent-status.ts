import type { Tx } from '../../platform/db/client.js';

export type ConsentStatus =
  | { state: 'not_required' }
  | { state: 'signed'; consentId: string; templateVersion: number }
  | { state: 'missing'; templateId: string | null; templateVersion: number | null };

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
