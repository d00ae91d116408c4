import type { Tx } from './client.js';
import { errors } from '../http/problem.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Finds a live row of a coded catalogue table (treatments, practitioners, devices, products) in the
 * acting organization by its id or, as seed 000's examples do, by its code (BOT_MASSETER, doc_01).
 * Unknown -> 422 with a pointer to the field that named it.
 */
export async function byIdOrCode<T>(tx: Tx, table: 'treatments' | 'practitioners' | 'devices' | 'products', columns: string, ref: string, pointer: string): Promise<T> {
  const rows = UUID_RE.test(ref)
    ? await tx.query<T>(`SELECT ${columns} FROM ${table} WHERE org_id = visage_current_org() AND id = $1 AND deleted_at IS NULL`, [ref])
    : await tx.query<T>(`SELECT ${columns} FROM ${table} WHERE org_id = visage_current_org() AND lower(code) = lower($1) AND deleted_at IS NULL`, [ref]);
  if (!rows[0]) throw errors.validation(`No ${table.replace(/s$/, '')} with id or code "${ref}".`, [{ pointer, message: 'not found' }]);
  return rows[0];
}
