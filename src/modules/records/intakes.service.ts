import type { Tx } from '../../platform/db/client.js';
import type { FieldCipher } from '../../platform/crypto/fields.js';
import { SqlFilter } from '../../platform/db/filter.js';
import { newId } from '../../platform/crypto.js';
import { audit, type AuditOrigin } from '../../platform/audit/audit.service.js';
import { deriveFlags, type Answers } from './intake-flags.js';

export type IntakeKind = 'intake' | 'contraindication';

interface StoredIntake {
  id: string; patient_id: string; kind: IntakeKind; answers_enc: string; flags: string[]; completed_at: Date; created_by: string | null; created_at: Date;
}
export interface IntakeRow extends Omit<StoredIntake, 'answers_enc'> { answers: Answers }

const COLUMNS = 'id, patient_id, kind, answers_enc, flags, completed_at, created_by, created_at';
/** The answers are bound to their row: a ciphertext copied into another intake does not decrypt. */
const aad = (id: string) => `intakes.answers:${id}`;

const open = (cipher: FieldCipher, r: StoredIntake): IntakeRow => {
  const { answers_enc: enc, ...rest } = r;
  return { ...rest, answers: JSON.parse(cipher.decrypt(enc, aad(r.id))) as Answers };
};

/** Stores an intake: answers encrypted (AES-256-GCM), flags derived from them in clear. */
export async function createIntake(tx: Tx, origin: AuditOrigin, cipher: FieldCipher, i: {
  patientId: string; kind: IntakeKind; answers: Answers; completedAt: Date; userId: string | null;
}): Promise<IntakeRow> {
  const id = newId();
  const flags = deriveFlags(i.answers);
  const [row] = await tx.query<StoredIntake>(
    `INSERT INTO intakes (id, org_id, patient_id, kind, answers_enc, flags, completed_at, created_by)
     VALUES ($1, visage_current_org(), $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
    [id, i.patientId, i.kind, cipher.encrypt(JSON.stringify(i.answers), aad(id)), flags, i.completedAt, i.userId]);
  await audit(tx, origin, { action: 'create', entityType: 'intake', entityId: id, details: { patient_id: i.patientId, kind: i.kind, fields: Object.keys(i.answers), flags: flags.length } });
  return open(cipher, row!);
}

export async function getIntake(tx: Tx, cipher: FieldCipher, id: string): Promise<IntakeRow | undefined> {
  const [row] = await tx.query<StoredIntake>(`SELECT ${COLUMNS} FROM intakes WHERE org_id = visage_current_org() AND id = $1 AND deleted_at IS NULL`, [id]);
  return row && open(cipher, row);
}

export async function listIntakes(tx: Tx, cipher: FieldCipher, patientId: string, f: { kind?: IntakeKind; limit: number; cursor?: { at: string; id: string } | null }): Promise<IntakeRow[]> {
  const q = new SqlFilter('org_id = visage_current_org()', 'deleted_at IS NULL')
    .when('patient_id = ?', patientId).when('kind = ?', f.kind).before(['completed_at', 'id'], f.cursor, 'intakes');
  const rows = await tx.query<StoredIntake>(`SELECT ${COLUMNS} FROM intakes WHERE ${q.where} ORDER BY completed_at DESC, id DESC LIMIT ${q.param(f.limit + 1)}`, q.params);
  return rows.map((r) => open(cipher, r));
}

/**
 * The flags in force for screening: those of the latest intake of each kind (a later intake form
 * replaces an earlier one; a contraindication form does not cancel what the intake declared).
 * `null` when the patient has none. Reads only the clear flags, never the answers.
 */
export async function currentFlags(tx: Tx, patientId: string): Promise<{ flags: string[]; intakeIds: string[] } | null> {
  const rows = await tx.query<{ id: string; flags: string[] }>(
    `SELECT DISTINCT ON (kind) id, flags FROM intakes WHERE org_id = visage_current_org() AND patient_id = $1 AND deleted_at IS NULL
      ORDER BY kind, completed_at DESC, id DESC`, [patientId]);
  if (!rows.length) return null;
  return { flags: [...new Set(rows.flatMap((r) => r.flags))].sort(), intakeIds: rows.map((r) => r.id) };
}
