import fs from 'node:fs';
import { Readable } from 'node:stream';
import type { Database, Tx } from '../db/client.js';
import { SqlFilter } from '../db/filter.js';
import { newId, sha256 } from '../crypto.js';
import { audit, type AuditOrigin } from '../audit/audit.service.js';
import { cleanImage, detectAllowedType, isImage, type FileKind } from './file-types.js';
import { digestOf, type Digest } from './integrity.js';
import { storageKey, StoredObjectMissing, type FileStorage } from './storage.js';

export interface FileRow {
  id: string; org_id: string; kind: FileKind; entity_type: string | null; entity_id: string | null; storage_key: string;
  original_name: string; content_type: string; size_bytes: number; sha256: string; created_by: string | null; created_at: Date;
}

const COLUMNS = `id, org_id, kind, entity_type, entity_id, storage_key, original_name, content_type, size_bytes, sha256,
  created_by, created_at`;

/** int8 arrives as a string from node-postgres. */
const toRow = (r: FileRow): FileRow => ({ ...r, size_bytes: Number(r.size_bytes) });

export interface Upload {
  /** The received bytes, staged on local disk. */
  stagedPath: string;
  /** The client's file name: kept for display and downloads only, never used as a path. */
  originalName: string;
  kind: FileKind;
  entityType: string | null;
  entityId: string | null;
}

/** Who acts: the tenant transaction context of the uploader. */
export interface Actor { orgId: string; userId: string }

/** The last path segment of a client's file name, without control characters, at most 200 characters. */
function displayName(name: string): string {
  const base = name.split(/[\\/]/).pop()!.normalize('NFC').replace(/\p{Cc}/gu, '').trim();
  return Array.from(base).slice(0, 200).join('') || 'file';
}

interface Prepared extends Digest { contentType: string; open(): Readable }

/** The bytes that will be stored: type checked from content, images re-encoded without metadata. */
async function prepare(upload: Upload): Promise<Prepared> {
  const detected = await detectAllowedType(upload.stagedPath, upload.kind);
  if (isImage(detected)) {
    const image = await cleanImage(upload.stagedPath, detected);
    return { sha256: sha256(image.data), sizeBytes: image.data.length, contentType: image.mime, open: () => Readable.from([image.data]) };
  }
  const digest = await digestOf(fs.createReadStream(upload.stagedPath));
  return { ...digest, contentType: detected, open: () => fs.createReadStream(upload.stagedPath) };
}

/**
 * Stores an upload and records it. The bytes are written first (outside any transaction, which
 * would hold the database during a slow upload); if the row cannot be committed, the bytes are
 * removed again so no orphan object stays behind. `once` wraps the row's insert (the route's
 * Idempotency-Key): when it answers an earlier upload's file, the bytes just stored are removed.
 */
export async function createFile(db: Database, storage: FileStorage, origin: AuditOrigin, actor: Actor, upload: Upload, now: Date): Promise<FileRow>;
export async function createFile<T extends { id: string }>(db: Database, storage: FileStorage, origin: AuditOrigin, actor: Actor, upload: Upload, now: Date,
  once: (tx: Tx, store: () => Promise<FileRow>) => Promise<T>): Promise<T>;
export async function createFile(db: Database, storage: FileStorage, origin: AuditOrigin, actor: Actor, upload: Upload, now: Date,
  once: (tx: Tx, store: () => Promise<FileRow>) => Promise<{ id: string }> = (_tx, store) => store()): Promise<{ id: string }> {
  const file = await prepare(upload);
  const id = newId();
  const key = storageKey(actor.orgId, id, now);
  await storage.put(key, file.open(), { contentType: file.contentType, sizeBytes: file.sizeBytes, sha256: file.sha256 });
  try {
    const row = await db.run({ scope: 'tenant', ...actor }, (tx) => once(tx, () => insertFile(tx, origin, actor, upload, file, id, key, now)));
    // A retry answered with the first upload's file (Idempotency-Key): these bytes are not needed.
    if (row.id !== id) await storage.delete(key).catch(() => undefined);
    return row;
  } catch (err) {
    await storage.delete(key).catch(() => undefined);
    throw err;
  }
}

/** The file's row and its audit event, in the caller's transaction. */
async function insertFile(tx: Tx, origin: AuditOrigin, actor: Actor, upload: Upload, file: Prepared, id: string, key: string, now: Date): Promise<FileRow> {
  const [row] = await tx.query<FileRow>(
    `INSERT INTO files (id, org_id, kind, entity_type, entity_id, storage_key, original_name, content_type, size_bytes, sha256, created_by, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING ${COLUMNS}`,
    [id, actor.orgId, upload.kind, upload.entityType, upload.entityId, key, displayName(upload.originalName), file.contentType, file.sizeBytes,
      file.sha256, actor.userId, now]);
  await audit(tx, origin, {
    action: 'create', entityType: 'file', entityId: id,
    details: { kind: upload.kind, content_type: file.contentType, size_bytes: file.sizeBytes, entity_type: upload.entityType, entity_id: upload.entityId },
  });
  return toRow(row!);
}

/** A live (not deleted) file of the acting organization. */
export async function findFile(tx: Tx, id: string): Promise<FileRow | undefined> {
  const rows = await tx.query<FileRow>(
    `SELECT ${COLUMNS} FROM files WHERE id = $1 AND org_id = visage_current_org() AND deleted_at IS NULL`, [id]);
  return rows[0] && toRow(rows[0]);
}

export interface FileFilter {
  entityType?: string; entityId?: string; kind?: FileKind; excludeKind?: FileKind;
  limit: number; cursor?: { at: string; id: string } | null;
}

/** Live files of the acting organization, newest first, keyset-paginated (limit + 1 rows). */
export async function listFiles(tx: Tx, f: FileFilter): Promise<FileRow[]> {
  const q = new SqlFilter('org_id = visage_current_org()', 'deleted_at IS NULL')
    .when('entity_type = ?', f.entityType).when('entity_id = ?', f.entityId).when('kind = ?', f.kind).when('kind <> ?', f.excludeKind)
    .before(['created_at', 'id'], f.cursor, 'files');
  const rows = await tx.query<FileRow>(
    `SELECT ${COLUMNS} FROM files WHERE ${q.where} ORDER BY created_at DESC, id DESC LIMIT ${q.param(f.limit + 1)}`, q.params);
  return rows.map(toRow);
}

/** Soft delete: the row and the bytes are kept (medical records are retained), the file disappears from the API. */
export async function softDeleteFile(tx: Tx, id: string, now: Date): Promise<boolean> {
  const rows = await tx.query('UPDATE files SET deleted_at = $2 WHERE id = $1 AND org_id = visage_current_org() AND deleted_at IS NULL RETURNING id', [id, now]);
  return rows.length === 1;
}

export type StoredState = 'intact' | 'missing' | 'altered';

/** Reads the stored bytes once and compares them with the SHA-256 and size recorded at upload. */
export async function checkStored(storage: FileStorage, file: FileRow): Promise<StoredState> {
  try {
    const digest = await digestOf(await storage.get(file.storage_key));
    return digest.sha256 === file.sha256 && digest.sizeBytes === file.size_bytes ? 'intact' : 'altered';
  } catch (err) {
    if (err instanceof StoredObjectMissing) return 'missing';
    throw err;
  }
}
