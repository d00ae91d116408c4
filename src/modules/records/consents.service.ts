import sharp from 'sharp';
import type { Tx } from '../../platform/db/client.js';
import { SqlFilter } from '../../platform/db/filter.js';
import { byIdOrCode } from '../../platform/db/refs.js';
import { AppError, errors } from '../../platform/http/problem.js';
import { audit, type AuditOrigin } from '../../platform/audit/audit.service.js';
import { livePatient, type PatientRef } from './consent-media.shared.js';
import { currentTemplate, getTemplate, type TemplateRow } from './consent-templates.service.js';

/** The largest drawn signature accepted, decoded (a signature pad's PNG is typically 5-60 kB). */
export const MAX_SIGNATURE_BYTES = 256 * 1024;
const MAX_SIGNATURE_SIDE = 3000;
const DATA_URL = /^data:image\/png;base64,([A-Za-z0-9+/]+={0,2})$/;
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const badSignature = (message: string, detail: string) =>
  new AppError(422, 'invalid_signature', detail, [{ pointer: '/signature_png', message }]);

/**
 * The drawn signature from a `data:image/png;base64,...` URL: a real PNG, at most 256 kB and
 * 3000 px a side, not blank (a canvas nobody drew on has one colour), re-encoded without metadata.
 */
export async function decodeSignature(dataUrl: string): Promise<Buffer> {
  const m = DATA_URL.exec(dataUrl);
  if (!m) throw badSignature('not a PNG data URL', 'Send the drawn signature as a data URL: data:image/png;base64,...');
  const bytes = Buffer.from(m[1]!, 'base64');
  if (bytes.length > MAX_SIGNATURE_BYTES) throw badSignature('too large', `The signature image is larger than ${MAX_SIGNATURE_BYTES} bytes.`);
  if (!bytes.subarray(0, 8).equals(PNG_MAGIC)) throw badSignature('not a PNG', 'The signature is not a PNG image.');
  try {
    const image = sharp(bytes, { limitInputPixels: MAX_SIGNATURE_SIDE * MAX_SIGNATURE_SIDE });
    const meta = await image.metadata();
    if (meta.format !== 'png' || !meta.width || !meta.height) throw new Error('not a png');
    if (meta.width > MAX_SIGNATURE_SIDE || meta.height > MAX_SIGNATURE_SIDE) {
      throw badSignature('too large', `The signature image is larger than ${MAX_SIGNATURE_SIDE} pixels on a side.`);
    }
    const stats = await image.stats();
    if (stats.channels.every((c) => c.min === c.max)) throw badSignature('blank', 'The signature is blank: draw it before signing.');
    return await sharp(bytes).png().toBuffer();
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw badSignature('damaged image', 'The signature image is damaged and could not be read.');
  }
}

export interface SigningContext {
  patient: PatientRef;
  template: TemplateRow;
  treatment: { id: string; code: string; name: string };
  org: { name: string; timezone: string };
}

/**
 * What a signature will be attached to: a live patient and the current template, named directly
 * (template_id) or through the treatment (id or code). A superseded version cannot be signed.
 */
export async function signingContext(tx: Tx, patientId: string, input: { template_id?: string; treatment_id?: string }): Promise<SigningContext> {
  const patient = await livePatient(tx, patientId);
  let template: TemplateRow | undefined;
  if (input.template_id) {
    template = await getTemplate(tx, input.template_id);
    if (!template) throw errors.validation('No consent template with that id.', [{ pointer: '/template_id', message: 'not found' }]);
    if (!template.is_current) {
      throw errors.conflict(`Version ${template.version} of this consent has been superseded; sign the current version.`, 'template_superseded',
        [{ pointer: '/template_id', message: 'not the current version' }]);
    }
  }
  if (input.treatment_id) {
    const treatment = await byIdOrCode<{ id: string; code: string }>(tx, 'treatments', 'id, code', input.treatment_id, '/treatment_id');
    if (template && template.treatment_id !== treatment.id) {
      throw errors.validation('The template belongs to another treatment.', [{ pointer: '/template_id', message: 'not a template of treatment_id' }]);
    }
    template ??= await currentTemplate(tx, treatment.id);
    if (!template) {
      throw errors.validation(`Treatment ${treatment.code} has no consent template yet; publish one first.`, [{ pointer: '/treatment_id', message: 'no consent template' }]);
    }
  }
  if (!template) throw errors.validation('Name the consent: template_id or treatment_id.', [{ pointer: '/template_id', message: 'required' }]);
  const [org] = await tx.query<{ name: string; timezone: string }>('SELECT name, timezone FROM organizations WHERE id = visage_current_org()');
  return {
    patient, template, treatment: { id: template.treatment_id, code: template.treatment_code, name: template.treatment_name },
    org: org ?? { name: '', timezone: 'UTC' },
  };
}

export interface ConsentRow {
  id: string; patient_id: string; template_id: string; treatment_id: string | null; treatment_code: string | null; title: string;
  template_version: number; is_current_version: boolean; signed_name: string; signed_at: Date; signed_ip: string | null;
  signature_file_id: string; document_file_id: string; document_sha256: string; withdrawn_at: Date | null; withdrawal_reason: string | null;
  created_at: Date;
}

const COLUMNS = `c.id, c.patient_id, c.template_id, c.treatment_id, t.code AS treatment_code, ct.title, c.template_version,
  ct.is_current AS is_current_version, c.signed_name, c.signed_at, c.signed_ip, c.signature_file_id, c.document_file_id, c.document_sha256,
  c.withdrawn_at, c.withdrawal_reason, c.created_at`;
const FROM = `consents c JOIN consent_templates ct ON ct.org_id = c.org_id AND ct.id = c.template_id
  LEFT JOIN treatments t ON t.org_id = c.org_id AND t.id = c.treatment_id`;

export interface NewConsent {
  id: string; patientId: string; template: TemplateRow; signedName: string; signatureFileId: string; documentFileId: string;
  documentSha256: string; signedAt: Date; signedIp: string | null; userId: string;
}

/** Records a signed consent. The template must still be the current version (it may have changed while the document was rendered). */
export async function insertConsent(tx: Tx, origin: AuditOrigin, c: NewConsent): Promise<ConsentRow> {
  await livePatient(tx, c.patientId);
  const current = await getTemplate(tx, c.template.id);
  if (!current?.is_current) {
    throw errors.conflict('A new version of this consent was published while signing; sign the current version.', 'template_superseded',
      [{ pointer: '/template_id', message: 'not the current version' }]);
  }
  await tx.query(
    `INSERT INTO consents (id, org_id, patient_id, template_id, treatment_id, template_version, signed_name, signature_file_id, document_file_id,
       document_sha256, signed_at, signed_ip, created_by)
     VALUES ($1, visage_current_org(), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [c.id, c.patientId, c.template.id, c.template.treatment_id, c.template.version, c.signedName, c.signatureFileId, c.documentFileId,
      c.documentSha256, c.signedAt, c.signedIp, c.userId]);
  await audit(tx, origin, {
    action: 'create', entityType: 'consent', entityId: c.id,
    details: { patient_id: c.patientId, template_id: c.template.id, template_version: c.template.version, document_file_id: c.documentFileId },
  });
  return (await getConsent(tx, c.id))!;
}

export async function getConsent(tx: Tx, id: string): Promise<ConsentRow | undefined> {
  return (await tx.query<ConsentRow>(`SELECT ${COLUMNS} FROM ${FROM} WHERE c.org_id = visage_current_org() AND c.id = $1`, [id]))[0];
}

/** A patient's consents, newest signature first (keyset on signed_at, id). */
export async function listConsents(tx: Tx, patientId: string, f: { treatmentId?: string; limit: number; cursor?: { at: string; id: string } | null }): Promise<ConsentRow[]> {
  const q = new SqlFilter('c.org_id = visage_current_org()');
  q.when('c.patient_id = ?', patientId).when('c.treatment_id = ?', f.treatmentId).before(['c.signed_at', 'c.id'], f.cursor, 'consents');
  return tx.query<ConsentRow>(`SELECT ${COLUMNS} FROM ${FROM} WHERE ${q.where} ORDER BY c.signed_at DESC, c.id DESC LIMIT ${q.param(f.limit + 1)}`, q.params);
}

/** Withdraws a consent: it stays on record (with who, when and why) but no longer counts as signed. */
export async function withdrawConsent(tx: Tx, origin: AuditOrigin, id: string, userId: string, reason: string | null, now: Date): Promise<ConsentRow> {
  const existing = await getConsent(tx, id);
  if (!existing) throw errors.notFound('consent');
  if (existing.withdrawn_at) throw errors.conflict('This consent was already withdrawn.', 'already_withdrawn');
  await tx.query(
    `UPDATE consents SET withdrawn_at = $2, withdrawn_by = $3, withdrawal_reason = $4
      WHERE org_id = visage_current_org() AND id = $1 AND withdrawn_at IS NULL`, [id, now, userId, reason]);
  await audit(tx, origin, { action: 'withdraw', entityType: 'consent', entityId: id, details: { patient_id: existing.patient_id, reason_given: reason !== null } });
  return (await getConsent(tx, id))!;
}
