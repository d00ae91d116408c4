/** Helpers shared by the consent, screening and media parts of the records context. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { Deps } from '../../platform/deps.js';
import type { Tx } from '../../platform/db/client.js';
import type { AuditOrigin } from '../../platform/audit/audit.service.js';
import { newId } from '../../platform/crypto.js';
import type { FieldCipher } from '../../platform/crypto/fields.js';
import { errors } from '../../platform/http/problem.js';
import { createFile, type Actor, type FileKind, type FileRow } from '../../platform/files/index.js';

export const Uuid = z.string().uuid();

export const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());

/** An instant sent by a client: ISO 8601 with an offset or Z (kept a string, so Idempotency-Key hashing sees it). */
export const Instant = z.string().datetime({ offset: true });
export const instant = (s: string | undefined, fallback: Date): Date => (s === undefined ? fallback : new Date(s));

export interface PatientRef { id: string; code: string; full_name: string }

/** A live patient of the acting organization; another organization's id answers 404 like a missing one. */
export async function livePatient(tx: Tx, id: string): Promise<PatientRef> {
  const [p] = await tx.query<PatientRef>(
    'SELECT id, code, full_name FROM patients WHERE org_id = visage_current_org() AND id = $1 AND deleted_at IS NULL', [id]);
  if (!p) throw errors.notFound('patient');
  return p;
}

/** The field cipher (P1's platform/crypto); a process without one cannot store PHI. */
export function cipherOf(deps: Deps): FieldCipher {
  if (!deps.fields) throw new Error('deps.fields (field encryption) is not configured');
  return deps.fields;
}

/** The caller's tenant: a guard that checked a permission guarantees an acting organization. */
export const actorOf = (p: { orgId: string | null; userId: string }): Actor => ({ orgId: p.orgId!, userId: p.userId });

/**
 * Stores bytes made by the server (a rendered document, a thumbnail) through the files service,
 * which checks the type from the content and records the SHA-256. Staged under DATA_DIR/tmp.
 */
export async function storeGenerated(deps: Deps, origin: AuditOrigin, actor: Actor, bytes: Buffer,
  file: { kind: FileKind; name: string; entityType: string; entityId: string }): Promise<FileRow> {
  if (!deps.storage) throw new Error('file storage is not configured');
  const dir = path.join(deps.config.dataDir, 'tmp', 'generated');
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const staged = path.join(dir, newId());
  await fs.writeFile(staged, bytes, { mode: 0o600 });
  try {
    return await createFile(deps.db, deps.storage, origin, actor, {
      stagedPath: staged, originalName: file.name, kind: file.kind, entityType: file.entityType, entityId: file.entityId,
    }, deps.now());
  } finally {
    await fs.rm(staged, { force: true });
  }
}
