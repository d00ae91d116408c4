import type { Tx } from '../../platform/db/client.js';
import { errors } from '../../platform/http/problem.js';

/** A live patient of the acting organization, or 422 pointing at the field that named it. */
export async function requirePatient(tx: Tx, patientId: string, pointer = '/patient_id'): Promise<{ id: string; code: string; full_name: string }> {
  const [p] = await tx.query<{ id: string; code: string; full_name: string }>(
    'SELECT id, code, full_name FROM patients WHERE org_id = visage_current_org() AND id = $1 AND deleted_at IS NULL', [patientId]);
  if (!p) throw errors.validation(`No patient with id "${patientId}".`, [{ pointer, message: 'not found' }]);
  return p;
}
