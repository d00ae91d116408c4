import type { Tx } from '../../platform/db/client.js';
import type { FieldCipher } from '../../platform/crypto/fields.js';
import { SqlFilter } from '../../platform/db/filter.js';
import { newId } from '../../platform/crypto.js';
import { errors } from '../../platform/http/problem.js';
import { audit, type AuditOrigin } from '../../platform/audit/audit.service.js';
import { findFile } from '../../platform/files/index.js';
import type { Answers } from './intake-flags.js';
import { changedKeys, keepPrevious, LAST_AMENDED, listRecordAmendments } from './record-amendments.js';

/** Findings: free text, or named measurements ({ hydration: 42, pigmentation: "mild" }). */
export type Findings = string | Answers;

interface StoredAnalysis {
  id: string; patient_id: string; analyzed_at: Date; skin_type: string | null; findings_enc: string; file_id: string | null;
  created_by: string | null; created_at: Date;
  /** The latest correction, if any. */
  amended_at: Date | null;
}
export interface AnalysisRow extends Omit<StoredAnalysis, 'findings_enc'> { findings: Findings }

const COLUMNS = `id, patient_id, analyzed_at, skin_type, findings_enc, file_id, created_by, created_at, ${LAST_AMENDED('skin_analysis_id', 'skin_analyses')}`;
const aad = (id: string) => `skin_analyses.findings:${id}`;
const open = (cipher: FieldCipher, r: StoredAnalysis): AnalysisRow => {
  const { findings_enc: enc, ...rest } = r;
  return { ...rest, findings: JSON.parse(cipher.decrypt(enc, aad(r.id))) as Findings };
};

async function fileExists(tx: Tx, fileId: string | null): Promise<void> {
  if (fileId && !await findFile(tx, fileId)) {
    throw errors.validation('No file with that id; upload it through POST /api/files first.', [{ pointer: '/file_id', message: 'not found' }]);
  }
}

/** Seed 001 Analyses: a skin analysis with encrypted findings and, optionally, its report or image (a stored file). */
export async function createAnalysis(tx: Tx, origin: AuditOrigin, cipher: FieldCipher, a: {
  patientId: string; analyzedAt: Date; skinType: string | null; findings: Findings; fileId: string | null; userId: string | null;
}): Promise<AnalysisRow> {
  await fileExists(tx, a.fileId);
  const id = newId();
  const [row] = await tx.query<StoredAnalysis>(
    `INSERT INTO skin_analyses (id, org_id, patient_id, analyzed_at, skin_type, findings_enc, file_id, created_by)
     VALUES ($1, visage_current_org(), $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
    [id, a.patientId, a.analyzedAt, a.skinType, cipher.encrypt(JSON.stringify(a.findings), aad(id)), a.fileId, a.userId]);
  await audit(tx, origin, { action: 'create', entityType: 'skin_analysis', entityId: id, details: { patient_id: a.patientId, with_file: a.fileId !== null } });
  return open(cipher, row!);
}

export async function getAnalysis(tx: Tx, cipher: FieldCipher, id: string): Promise<AnalysisRow | undefined> {
  const [row] = await tx.query<StoredAnalysis>(`SELECT ${COLUMNS} FROM skin_analyses WHERE org_id = visage_current_org() AND id = $1 AND deleted_at IS NULL`, [id]);
  return row && open(cipher, row);
}

export async function listAnalyses(tx: Tx, cipher: FieldCipher, patientId: string, f: { limit: number; cursor?: { at: string; id: string } | null }): Promise<AnalysisRow[]> {
  const q = new SqlFilter('org_id = visage_current_org()', 'deleted_at IS NULL').when('patient_id = ?', patientId).before(['analyzed_at', 'id'], f.cursor, 'skin_analyses');
  const rows = await tx.query<StoredAnalysis>(`SELECT ${COLUMNS} FROM skin_analyses WHERE ${q.where} ORDER BY analyzed_at DESC, id DESC LIMIT ${q.param(f.limit + 1)}`, q.params);
  return rows.map((r) => open(cipher, r));
}

async function lockAnalysis(tx: Tx, id: string): Promise<StoredAnalysis> {
  const [row] = await tx.query<StoredAnalysis>(
    `SELECT ${COLUMNS} FROM skin_analyses WHERE org_id = visage_current_org() AND id = $1 AND deleted_at IS NULL FOR UPDATE`, [id]);
  if (!row) throw errors.notFound('skin analysis');
  return row;
}

const snapshot = (r: StoredAnalysis) => ({ analyzed_at: r.analyzed_at.toISOString(), skin_type: r.skin_type, file_id: r.file_id, findings_enc: r.findings_enc });

export interface AnalysisPatch { findings?: Findings; skinType?: string | null; analyzedAt?: Date; fileId?: string | null; reason: string }

/**
 * Corrects a skin analysis: `findings` replaces the findings as a whole. The version before is
 * kept with the reason (record_amendments); the audit names the changed fields, never values.
 */
export async function amendAnalysis(tx: Tx, origin: AuditOrigin, cipher: FieldCipher, id: string, patch: AnalysisPatch, now: Date): Promise<{ analysis: AnalysisRow; changedFields: string[] }> {
  const old = await lockAnalysis(tx, id);
  const before = open(cipher, old);
  const next = {
    findings: patch.findings ?? before.findings, skinType: patch.skinType !== undefined ? patch.skinType : old.skin_type,
    analyzedAt: patch.analyzedAt ?? old.analyzed_at, fileId: patch.fileId !== undefined ? patch.fileId : old.file_id,
  };
  if (next.analyzedAt.getTime() > now.getTime() + 86_400_000) {
    throw errors.validation('analyzed_at is more than a day ahead.', [{ pointer: '/analyzed_at', message: 'in the future' }]);
  }
  if (next.fileId !== old.file_id) await fileExists(tx, next.fileId);
  const changedFields = [
    ...(next.analyzedAt.getTime() !== old.analyzed_at.getTime() ? ['analyzed_at'] : []),
    ...(next.skinType !== old.skin_type ? ['skin_type'] : []),
    ...(next.fileId !== old.file_id ? ['file_id'] : []),
    ...changedKeys('findings', before.findings, next.findings),
  ];
  if (!changedFields.length) return { analysis: before, changedFields };
  await keepPrevious(tx, { record: { skinAnalysisId: id }, action: 'amend', previous: snapshot(old), changedFields, reason: patch.reason, at: now });
  const [row] = await tx.query<StoredAnalysis>(
    `UPDATE skin_analyses SET analyzed_at = $2, skin_type = $3, findings_enc = $4, file_id = $5
      WHERE org_id = visage_current_org() AND id = $1 RETURNING ${COLUMNS}`,
    [id, next.analyzedAt, next.skinType, cipher.encrypt(JSON.stringify(next.findings), aad(id)), next.fileId]);
  await audit(tx, origin, { action: 'amend', entityType: 'skin_analysis', entityId: id, details: { patient_id: old.patient_id, fields: changedFields } });
  return { analysis: open(cipher, row!), changedFields };
}

/** Removes a skin analysis (soft: the row, its ciphertext and any file stay). */
export async function deleteAnalysis(tx: Tx, origin: AuditOrigin, id: string, reason: string, now: Date): Promise<void> {
  const old = await lockAnalysis(tx, id);
  await keepPrevious(tx, { record: { skinAnalysisId: id }, action: 'delete', previous: snapshot(old), changedFields: ['deleted_at'], reason, at: now });
  await tx.query('UPDATE skin_analyses SET deleted_at = $2 WHERE org_id = visage_current_org() AND id = $1', [id, now]);
  await audit(tx, origin, { action: 'delete', entityType: 'skin_analysis', entityId: id, details: { patient_id: old.patient_id } });
}

export interface AnalysisVersion {
  action: 'amend' | 'delete'; changed_fields: string[]; reason: string; amended_by: string | null; amended_by_name: string | null; amended_at: Date;
  /** The analysis as it was before this change, findings decrypted. */
  previous: { analyzed_at: string; skin_type: string | null; file_id: string | null; findings: Findings };
}

/** A skin analysis's corrections, newest first, each with the version it replaced (decrypted: medical, audited by the caller). */
export async function analysisHistory(tx: Tx, cipher: FieldCipher, id: string): Promise<AnalysisVersion[]> {
  return (await listRecordAmendments(tx, 'skin_analysis_id', id)).map(({ previous, ...a }) => {
    const { findings_enc: enc, ...was } = previous as { analyzed_at: string; skin_type: string | null; file_id: string | null; findings_enc: string };
    return { ...a, previous: { ...was, findings: JSON.parse(cipher.decrypt(enc, aad(id))) as Findings } };
  });
}
