import type { Tx } from './client.js';
import { errors } from '../http/problem.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Finds a live row of a coded catalogue table (treatments, practitioners, devices, products) in the
 * acting organization by its id or, as seed 000's examples do, by its code (BOT_MASSETER, doc_01).
 * Unknown -> 422 with a pointer to the field that named it.
 */
export async function byIdOrCode<T>(tx: Tx, table: CodedTable, columns: string, ref: string, pointer: string): Promise<T> {
  const rows = UUID_RE.test(ref)
    ? await tx.query<T>(`SELECT ${columns} FROM ${table} WHERE org_id = visage_current_org() AND id = $1 AND deleted_at IS NULL`, [ref])
    : await tx.query<T>(`SELECT ${columns} FROM ${table} WHERE org_id = visage_current_org() AND lower(code) = lower($1) AND deleted_at IS NULL`, [ref]);
  return found(rows[0] ?? null, table, ref, pointer);
}

type CodedTable = 'treatments' | 'practitioners' | 'devices' | 'products';

/**
 * The same lookup as a scalar subquery (the row as JSON, or null), so that a hot path can resolve
 * several references in the statement it sends anyway. Bind `refParams(ref)` at `idParam` and
 * `codeParam`, then check the answer with `found`.
 */
export function refSubquery(table: CodedTable, columns: string, idParam: string, codeParam: string): string {
  return `(SELECT row_to_json(r) FROM (SELECT ${columns} FROM ${table} WHERE org_id = visage_current_org() AND deleted_at IS NULL
            AND (id = ${idParam}::uuid OR lower(code) = lower(${codeParam}::text)) LIMIT 1) r)`;
}

/** [id, code] parameters of a reference for refSubquery: one of them, or neither when there is no reference. */
export function refParams(ref: string | null | undefined): [string | null, string | null] {
  if (!ref) return [null, null];
  return UUID_RE.test(ref) ? [ref, null] : [null, ref];
}

/** The row a reference named, or 422 with a pointer to the field that named it. */
export function found<T>(row: T | null, table: CodedTable, ref: string, pointer: string): T {
  if (!row) throw errors.validation(`No ${table.replace(/s$/, '')} with id or code "${ref}".`, [{ pointer, message: 'not found' }]);
  return row;
}
