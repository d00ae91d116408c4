import type { Tx } from '../../platform/db/client.js';
import type { FieldCipher } from '../../platform/crypto/fields.js';
import { SqlFilter } from '../../platform/db/filter.js';
import { newId } from '../../platform/crypto.js';
import { errors } from '../../platform/http/problem.js';
import { audit, type AuditOrigin } from '../../platform/audit/audit.service.js';
import { deriveFlags, type Answers } from './intake-flags.js';
import { changedKeys, keepPrevious, LAST_AMENDED, listRecordAmendments } from './record-amendments.js';

export type IntakeKind = 'intake' | 'contraindication';

interface StoredIntake {
  id: string; patient_id: string; kind: IntakeKind; answers_enc: string; flags: string[]; completed_at: Date; created_by: string | null; created_at: Date;
  /** The latest correction, if any. */
  amended_at: Date | null;
}
export interface IntakeRow extends Omit<StoredIntake, 'answers_enc'> { answers: Answers }

const COLUMNS = `id, patient_id, kind, answers_enc, flags, completed_at, created_by, created_at, ${LAST_AMENDED('intake_id', 'intakes')}`;
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

/** A live intake of the caller's organization, locked for a change; 404 for a missing, removed or foreign one. */
async function lockIntake(tx: Tx, id: string): Promise<StoredIntake> {
  const [row] = await tx.query<StoredIntake>(
    `SELECT ${COLUMNS} FROM intakes WHERE org_id = visage_current_org() AND id = $1 AND deleted_at IS NULL FOR UPDATE`, [id]);
  if (!row) throw errors.notFound('intake');
  return row;
}

const snapshot = (r: StoredIntake) => ({ kind: r.kind, completed_at: r.completed_at.toISOString(), flags: r.flags, answers_enc: r.answers_enc });

export interface IntakePatch { kind?: IntakeKind; answers?: Answers; completedAt?: Date; reason: string }

/**
 * Corrects an intake: `answers` replaces the answers as a whole (the corrected form), flags are
 * derived again from them. The version before is kept (record_amendments, its ciphertext as
 * stored) with the reason; the audit names the changed fields, never their values.
 * Nothing changed: nothing is written.
 */
export async function amendIntake(tx: Tx, origin: AuditOrigin, cipher: FieldCipher, id: string, patch: IntakePatch, now: Date): Promise<{ intake: IntakeRow; changedFields: string[] }> {
  const old = await lockIntake(tx, id);
  const before = open(cipher, old);
  const next = {
    kind: patch.kind ?? old.kind, answers: patch.answers ?? before.answers, completedAt: patch.completedAt ?? old.completed_at,
  };
  if (next.completedAt.getTime() > now.getTime() + 86_400_000) {
    throw errors.validation('completed_at is more than a day ahead.', [{ pointer: '/completed_at', message: 'in the future' }]);
  }
  const flags = deriveFlags(next.answers);
  const changedFields = [
    ...(next.kind !== old.kind ? ['kind'] : []),
    ...(next.completedAt.getTime() !== old.completed_at.getTime() ? ['completed_at'] : []),
    ...changedKeys('answers', before.answers, next.answers),
  ];
  if (!changedFields.length) return { intake: before, changedFields };
  await keepPrevious(tx, { record: { intakeId: id }, action: 'amend', previous: snapshot(old), changedFields, reason: patch.reason, at: now });
  const [row] = await tx.query<StoredIntake>(
    `UPDATE intakes SET kind = $2, answers_enc = $3, flags = $4, completed_at = $5
      WHERE org_id = visage_current_org() AND id = $1 RETURNING ${COLUMNS}`,
    [id, next.kind, cipher.encrypt(JSON.stringify(next.answers), aad(id)), flags, next.completedAt]);
  const flagsChanged = [...flags].sort().join() !== [...old.flags].sort().join();
  await audit(tx, origin, {
    action: 'amend', entityType: 'intake', entityId: id,
    details: { patient_id: old.patient_id, fields: changedFields, flags: flags.length, flags_changed: flagsChanged },
  });
  return { intake: open(cipher, row!), changedFields };
}

/** Removes an intake (soft: the row and its ciphertext stay); it no longer counts for screening. */
export async function deleteIntake(tx: Tx, origin: AuditOrigin, id: string, reason: string, now: Date): Promise<void> {
  const old = await lockIntake(tx, id);
  await keepPrevious(tx, { record: { intakeId: id }, action: 'delete', previous: snapshot(old), changedFields: ['deleted_at'], reason, at: now });
  await tx.query('UPDATE intakes SET deleted_at = $2 WHERE org_id = visage_current_org() AND id = $1', [id, now]);
  await audit(tx, origin, { action: 'delete', entityType: 'intake', entityId: id, details: { patient_id: old.patient_id, kind: old.kind } });
}

export interface IntakeVersion {
  action: 'amend' | 'delete'; changed_fields: string[]; reason: string; amended_by: string | null; amended_by_name: string | null; amended_at: Date;
  /** The intake as it was before this change, answers decrypted. */
  previous: { kind: string; completed_at: string; flags: string[]; answers: Answers };
}

/** An intake's corrections, newest first, each with the version it replaced (decrypted: medical, audited by the caller). */
export async function intakeHistory(tx: Tx, cipher: FieldCipher, id: string): Promise<IntakeVersion[]> {
  return (await listRecordAmendments(tx, 'intake_id', id)).map(({ previous, ...a }) => {
    const { answers_enc: enc, ...was } = previous as { kind: string; completed_at: string; flags: string[]; answers_enc: string };
    return { ...a, previous: { ...was, answers: JSON.parse(cipher.decrypt(enc, aad(id))) as Answers } };
  });
}
