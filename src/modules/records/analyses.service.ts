import type { Tx } from '../../platform/db/client.js';
import type { FieldCipher } from '../../platform/crypto/fields.js';
import { SqlFilter } from '../../platform/db/filter.js';
import { newId } from '../../platform/crypto.js';
import { errors } from '../../platform/http/problem.js';
import { audit, type AuditOrigin } from '../../platform/audit/audit.service.js';
import { findFile } from '../../platform/files/index.js';
import type { Answers } from './intake-flags.js';

/** Findings: free text, or named measurements ({ hydration: 42, pigmentation: "mild" }). */
export type Findings = string | Answers;

interface StoredAnalysis {
  id: string; patient_id: string; analyzed_at: Date; skin_type: string | null; findings_enc: string; file_id: string | null;
  created_by: string | null; created_at: Date;
}
export interface AnalysisRow extends Omit<StoredAnalysis, 'findings_enc'> { findings: Findings }

const COLUMNS = 'id, patient_id, analyzed_at, skin_type, findings_enc, file_id, created_by, created_at';
const aad = (id: string) => `skin_analyses.findings:${id}`;
const open = (cipher: FieldCipher, r: StoredAnalysis): AnalysisRow => {
  const { findings_enc: enc, ...rest } = r;
  return { ...rest, findings: JSON.parse(cipher.decrypt(enc, aad(r.id))) as Findings };
};

/** Seed 001 Analyses: a skin analysis with encrypted findings and, optionally, its report or image (a stored file). */
export async function createAnalysis(tx: Tx, origin: AuditOrigin, cipher: FieldCipher, a: {
  patientId: string; analyzedAt: Date; skinType: string | null; findings: Findings; fileId: string | null; userId: string | null;
}): Promise<AnalysisRow> {
  if (a.fileId && !await findFile(tx, a.fileId)) {
    throw errors.validation('No file with that id; upload it through POST /api/files first.', [{ pointer: '/file_id', message: 'not found' }]);
  }
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
