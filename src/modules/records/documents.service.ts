import type { Tx } from '../../platform/db/client.js';
import { SqlFilter } from '../../platform/db/filter.js';
import { newId } from '../../platform/crypto.js';
import { errors } from '../../platform/http/problem.js';
import { audit, type AuditOrigin } from '../../platform/audit/audit.service.js';
import { findFile } from '../../platform/files/index.js';
import { DOCUMENT_TYPES } from './records.schema.js';

export type DocumentType = (typeof DOCUMENT_TYPES)[number];

export interface DocumentRow {
  id: string; patient_id: string; type: DocumentType; file_id: string; notes: string | null; created_by: string | null;
  created_at: Date; updated_at: Date; original_name: string; content_type: string; size_bytes: number; sha256: string; file_kind: string;
}

const COLUMNS = `d.id, d.patient_id, d.type, d.file_id, d.notes, d.created_by, d.created_at, d.updated_at,
  f.original_name, f.content_type, f.size_bytes, f.sha256, f.kind AS file_kind`;
const FROM = 'documents d JOIN files f ON f.org_id = d.org_id AND f.id = d.file_id';
const toRow = (r: DocumentRow): DocumentRow => ({ ...r, size_bytes: Number(r.size_bytes) });

/**
 * Only a file uploaded as a clinical photo (kind photo) is filed as a PHOTO: its kind is what keeps it
 * from roles without photo.read, so a photo uploaded as a plain document is refused here.
 */
const photoTypeNeedsPhoto = () => errors.validation('A PHOTO document must be a file uploaded as a photo (POST /api/files with kind=photo).',
  [{ pointer: '/type', message: 'needs a photo file' }]);

/**
 * Files a stored file (uploaded through POST /api/files) in a patient's documents under one of the
 * 8 types. Clinical photos (files of kind photo) need photo.write as well, like the files API.
 */
export async function createDocument(tx: Tx, origin: AuditOrigin, d: {
  patientId: string; type: DocumentType; fileId: string; notes: string | null; userId: string | null; mayUsePhotos: boolean;
}): Promise<DocumentRow> {
  const file = await findFile(tx, d.fileId);
  if (!file) throw errors.validation('No file with that id; upload it through POST /api/files first.', [{ pointer: '/file_id', message: 'not found' }]);
  if (file.kind === 'photo' && !d.mayUsePhotos) throw errors.forbidden('This file is a clinical photo: filing it needs photo.write.');
  if (d.type === 'PHOTO' && file.kind !== 'photo') throw photoTypeNeedsPhoto();
  const id = newId();
  await tx.query(
    `INSERT INTO documents (id, org_id, patient_id, type, file_id, notes, created_by) VALUES ($1, visage_current_org(), $2, $3, $4, $5, $6)`,
    [id, d.patientId, d.type, d.fileId, d.notes, d.userId]);
  await audit(tx, origin, { action: 'create', entityType: 'document', entityId: id, details: { patient_id: d.patientId, type: d.type, file_id: d.fileId } });
  return (await getDocument(tx, id, true))!;
}

export async function getDocument(tx: Tx, id: string, includePhotos: boolean): Promise<DocumentRow | undefined> {
  const rows = await tx.query<DocumentRow>(
    `SELECT ${COLUMNS} FROM ${FROM} WHERE d.org_id = visage_current_org() AND d.id = $1 AND d.deleted_at IS NULL
       AND ($2::boolean OR f.kind <> 'photo')`, [id, includePhotos]);
  return rows[0] && toRow(rows[0]);
}

export interface DocumentFilter { type?: DocumentType; includePhotos: boolean; limit: number; cursor?: { at: string; id: string } | null }

/** A patient's live documents, newest first (keyset on created_at, id). */
export async function listDocuments(tx: Tx, patientId: string, f: DocumentFilter): Promise<DocumentRow[]> {
  const q = new SqlFilter('d.org_id = visage_current_org()', 'd.deleted_at IS NULL', ...(f.includePhotos ? [] : ["f.kind <> 'photo'"]));
  q.when('d.patient_id = ?', patientId).when('d.type = ?', f.type).before(['d.created_at', 'd.id'], f.cursor, 'documents');
  const rows = await tx.query<DocumentRow>(`SELECT ${COLUMNS} FROM ${FROM} WHERE ${q.where} ORDER BY d.created_at DESC, d.id DESC LIMIT ${q.param(f.limit + 1)}`, q.params);
  return rows.map(toRow);
}

export async function updateDocument(tx: Tx, origin: AuditOrigin, id: string, patch: { type?: DocumentType; notes?: string | null }, includePhotos: boolean): Promise<DocumentRow> {
  const existing = await getDocument(tx, id, includePhotos);
  if (!existing) throw errors.notFound('document');
  if (patch.type === 'PHOTO' && existing.file_kind !== 'photo') throw photoTypeNeedsPhoto();
  const fields = Object.keys(patch).filter((k) => (patch as Record<string, unknown>)[k] !== undefined);
  if (fields.length) {
    await tx.query(
      `UPDATE documents SET type = coalesce($2, type), notes = CASE WHEN $3::boolean THEN $4 ELSE notes END, updated_at = now()
        WHERE org_id = visage_current_org() AND id = $1`, [id, patch.type ?? null, patch.notes !== undefined, patch.notes ?? null]);
  }
  await audit(tx, origin, { action: 'update', entityType: 'document', entityId: id, details: { fields } });
  return (await getDocument(tx, id, includePhotos))!;
}

/** Soft delete: the row and its file are retained (medical records), the document leaves the chart. */
export async function deleteDocument(tx: Tx, origin: AuditOrigin, id: string, includePhotos: boolean, now: Date): Promise<void> {
  const existing = await getDocument(tx, id, includePhotos);
  if (!existing) throw errors.notFound('document');
  await tx.query('UPDATE documents SET deleted_at = $2 WHERE org_id = visage_current_org() AND id = $1 AND deleted_at IS NULL', [id, now]);
  await audit(tx, origin, { action: 'delete', entityType: 'document', entityId: id, details: { patient_id: existing.patient_id, type: existing.type } });
}
