import type { Tx } from '../../platform/db/client.js';
import { newId } from '../../platform/crypto.js';

/**
 * Intakes and skin analyses are corrected or removed, never silently overwritten: the version
 * before the change is kept in record_amendments (append-only) with who, when, why and which
 * fields. `previous` holds the clear columns and the ciphertext exactly as stored (still bound to
 * its row by the AAD, so it decrypts with the row's id and nowhere else).
 */
export async function keepPrevious(tx: Tx, a: {
  record: { intakeId: string } | { skinAnalysisId: string }; action: 'amend' | 'delete';
  previous: Record<string, unknown>; changedFields: string[]; reason: string; at: Date;
}): Promise<void> {
  await tx.query(
    `INSERT INTO record_amendments (id, org_id, intake_id, skin_analysis_id, action, previous, changed_fields, reason, amended_by, amended_at)
     VALUES ($1, visage_current_org(), $2, $3, $4, $5, $6, $7, $8, $9)`,
    [newId(), 'intakeId' in a.record ? a.record.intakeId : null, 'skinAnalysisId' in a.record ? a.record.skinAnalysisId : null,
      a.action, JSON.stringify(a.previous), a.changedFields, a.reason, tx.ctx.userId ?? null, a.at]);
}

/** A value in a canonical form (object keys sorted), to compare two versions. */
export function stable(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`).join(',')}}`;
}

/**
 * The names of what differs between two sets of answers or findings (`answers.pregnant`), never
 * their values: what the audit trail and the amendment say changed. Text against an object (or
 * the reverse) is the field itself.
 */
export function changedKeys(field: string, before: unknown, after: unknown): string[] {
  const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isMap(before) || !isMap(after)) return stable(before) === stable(after) ? [] : [field];
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()
    .filter((k) => stable(before[k]) !== stable(after[k])).map((k) => `${field}.${k}`);
}

/** The latest correction of each record: shown as "corrected on" next to it. */
export const LAST_AMENDED = (column: 'intake_id' | 'skin_analysis_id', alias: string) =>
  `(SELECT max(ra.amended_at) FROM record_amendments ra WHERE ra.org_id = ${alias}.org_id AND ra.${column} = ${alias}.id AND ra.action = 'amend') AS amended_at`;

export interface RecordAmendment {
  action: 'amend' | 'delete'; changed_fields: string[]; reason: string; amended_by: string | null; amended_by_name: string | null;
  amended_at: Date; previous: Record<string, unknown>;
}

/** A record's corrections, newest first, with who made them; `previous` as stored (ciphertext included). */
export async function listRecordAmendments(tx: Tx, column: 'intake_id' | 'skin_analysis_id', id: string): Promise<RecordAmendment[]> {
  return tx.query<RecordAmendment>(
    `SELECT ra.action, ra.changed_fields, ra.reason, ra.amended_by, u.full_name AS amended_by_name, ra.amended_at, ra.previous
       FROM record_amendments ra LEFT JOIN users u ON u.id = ra.amended_by
      WHERE ra.org_id = visage_current_org() AND ra.${column} = $1
      ORDER BY ra.amended_at DESC, ra.id DESC`, [id]);
}
