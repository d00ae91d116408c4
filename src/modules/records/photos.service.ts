import sharp from 'sharp';
import type { Tx } from '../../platform/db/client.js';
import { SqlFilter } from '../../platform/db/filter.js';
import { sha256 } from '../../platform/crypto.js';
import { AppError, errors } from '../../platform/http/problem.js';
import { audit, type AuditOrigin } from '../../platform/audit/audit.service.js';
import { findFile, type FileRow, type FileStorage } from '../../platform/files/index.js';

export const MEDIA_TYPES = ['before', 'after', 'progress'] as const;
export const ANGLES = ['front', 'left', 'right', 'left45', 'right45', 'top', 'back', 'other'] as const;
export const THUMBNAIL_SIZE = 320;

export interface PhotoRow {
  id: string; patient_id: string; session_id: string | null; file_id: string; thumbnail_file_id: string | null; media_type: string;
  angle: string; captured_at: Date; marketing_consent: boolean; marketing_consent_at: Date | null; notes: string | null;
  created_by: string | null; created_at: Date;
}
const COLUMNS = `id, patient_id, session_id, file_id, thumbnail_file_id, media_type, angle, captured_at, marketing_consent, marketing_consent_at,
  notes, created_by, created_at`;

/** The stored photo a new photo record points at: a live file of kind photo. */
export async function photoFile(tx: Tx, fileId: string): Promise<FileRow> {
  const file = await findFile(tx, fileId);
  if (!file) throw errors.validation('No file with that id; upload the photo through POST /api/files (kind photo) first.', [{ pointer: '/file_id', message: 'not found' }]);
  if (file.kind !== 'photo') throw errors.validation(`The file is a ${file.kind}, not a photo.`, [{ pointer: '/file_id', message: 'not a photo' }]);
  return file;
}

/** A session of the same patient (a photo cannot be filed under another patient's session). */
export async function assertSessionOf(tx: Tx, sessionId: string, patientId: string): Promise<void> {
  const rows = await tx.query('SELECT id FROM treatment_sessions WHERE org_id = visage_current_org() AND id = $1 AND patient_id = $2 AND deleted_at IS NULL', [sessionId, patientId]);
  if (!rows[0]) throw errors.validation('No session of this patient with that id.', [{ pointer: '/session_id', message: 'not a session of this patient' }]);
}

/**
 * A 320 px (longest side) JPEG of a stored photo. The bytes are checked against the SHA-256 recorded
 * at upload before they are decoded.
 */
export async function makeThumbnail(storage: FileStorage, file: FileRow): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await storage.get(file.storage_key)) chunks.push(chunk as Buffer);
  const bytes = Buffer.concat(chunks);
  if (sha256(bytes) !== file.sha256) {
    throw new AppError(500, 'file_integrity_failed', 'The stored photo failed its integrity check; no thumbnail was made.');
  }
  return sharp(bytes).rotate().resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 80 }).toBuffer();
}

export interface NewPhoto {
  id: string; patientId: string; sessionId: string | null; fileId: string; thumbnailFileId: string; mediaType: string; angle: string;
  capturedAt: Date; marketingConsent: boolean; notes: string | null; userId: string | null; now: Date;
}

export async function insertPhoto(tx: Tx, origin: AuditOrigin, p: NewPhoto): Promise<PhotoRow> {
  const [row] = await tx.query<PhotoRow>(
    `INSERT INTO photos (id, org_id, patient_id, session_id, file_id, thumbnail_file_id, media_type, angle, captured_at, marketing_consent,
       marketing_consent_at, notes, created_by)
     VALUES ($1, visage_current_org(), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING ${COLUMNS}`,
    [p.id, p.patientId, p.sessionId, p.fileId, p.thumbnailFileId, p.mediaType, p.angle, p.capturedAt, p.marketingConsent,
      p.marketingConsent ? p.now : null, p.notes, p.userId]);
  await audit(tx, origin, {
    action: 'create', entityType: 'photo', entityId: p.id,
    details: { patient_id: p.patientId, session_id: p.sessionId, media_type: p.mediaType, file_id: p.fileId, marketing_consent: p.marketingConsent },
  });
  return row!;
}

export async function getPhoto(tx: Tx, id: string): Promise<PhotoRow | undefined> {
  return (await tx.query<PhotoRow>(`SELECT ${COLUMNS} FROM photos WHERE org_id = visage_current_org() AND id = $1 AND deleted_at IS NULL`, [id]))[0];
}

export interface PhotoFilter {
  patientId?: string; sessionId?: string; mediaType?: string; marketing?: boolean; limit: number; cursor?: { at: string; id: string } | null;
}

/** Photos, latest capture first. `marketing: true` lists only photos with marketing-use consent. */
export async function listPhotos(tx: Tx, f: PhotoFilter): Promise<PhotoRow[]> {
  const fixed = ['org_id = visage_current_org()', 'deleted_at IS NULL'];
  if (f.marketing === true) fixed.push('marketing_consent');
  if (f.marketing === false) fixed.push('NOT marketing_consent');
  const q = new SqlFilter(...fixed).when('patient_id = ?', f.patientId).when('session_id = ?', f.sessionId).when('media_type = ?', f.mediaType)
    .before(['captured_at', 'id'], f.cursor, 'photos');
  return tx.query<PhotoRow>(`SELECT ${COLUMNS} FROM photos WHERE ${q.where} ORDER BY captured_at DESC, id DESC LIMIT ${q.param(f.limit + 1)}`, q.params);
}

export interface PhotoPatch {
  marketing_consent?: boolean; media_type?: string; angle?: string; captured_at?: string; notes?: string | null; session_id?: string | null;
}

/**
 * Changes a photo. Marketing-use consent is recorded apart from clinical use: granting or
 * withdrawing it stamps marketing_consent_at and writes its own audit event.
 */
export async function updatePhoto(tx: Tx, origin: AuditOrigin, id: string, patch: PhotoPatch, now: Date): Promise<PhotoRow> {
  const existing = await getPhoto(tx, id);
  if (!existing) throw errors.notFound('photo');
  if (patch.session_id) await assertSessionOf(tx, patch.session_id, existing.patient_id);
  const consentChanged = patch.marketing_consent !== undefined && patch.marketing_consent !== existing.marketing_consent;
  await tx.query(
    `UPDATE photos SET
       media_type = coalesce($2, media_type), angle = coalesce($3, angle), captured_at = coalesce($4::timestamptz, captured_at),
       notes = CASE WHEN $5::boolean THEN $6 ELSE notes END,
       session_id = CASE WHEN $7::boolean THEN $8::uuid ELSE session_id END,
       marketing_consent = CASE WHEN $9::boolean THEN $10::boolean ELSE marketing_consent END,
       marketing_consent_at = CASE WHEN $9::boolean THEN $11::timestamptz ELSE marketing_consent_at END
     WHERE org_id = visage_current_org() AND id = $1`,
    [id, patch.media_type ?? null, patch.angle ?? null, patch.captured_at ?? null, patch.notes !== undefined, patch.notes ?? null,
      patch.session_id !== undefined, patch.session_id ?? null, consentChanged, patch.marketing_consent ?? false, now]);
  const fields = Object.keys(patch).filter((k) => k !== 'marketing_consent' && (patch as Record<string, unknown>)[k] !== undefined);
  if (fields.length) await audit(tx, origin, { action: 'update', entityType: 'photo', entityId: id, details: { fields } });
  if (consentChanged) {
    await audit(tx, origin, {
      action: patch.marketing_consent ? 'marketing_consent_granted' : 'marketing_consent_withdrawn', entityType: 'photo', entityId: id,
      details: { patient_id: existing.patient_id },
    });
  }
  return (await getPhoto(tx, id))!;
}

export async function deletePhoto(tx: Tx, origin: AuditOrigin, id: string, now: Date): Promise<void> {
  const existing = await getPhoto(tx, id);
  if (!existing) throw errors.notFound('photo');
  await tx.query('UPDATE photos SET deleted_at = $2 WHERE org_id = visage_current_org() AND id = $1 AND deleted_at IS NULL', [id, now]);
  await audit(tx, origin, { action: 'delete', entityType: 'photo', entityId: id, details: { patient_id: existing.patient_id } });
}
