import type { Tx } from '../../platform/db/client.js';
import { byIdOrCode } from '../../platform/db/refs.js';
import { SqlFilter, likePattern } from '../../platform/db/filter.js';
import { newId } from '../../platform/crypto.js';
import { errors } from '../../platform/http/problem.js';
import { audit, type AuditOrigin } from '../../platform/audit/audit.service.js';

export const PRACTITIONER_KINDS = ['doctor', 'nurse', 'pmu_artist', 'surgeon', 'therapist', 'other'] as const;
export const PRACTITIONER_STATUSES = ['active', 'inactive'] as const;

export interface PractitionerRow {
  id: string; code: string; user_id: string | null; full_name: string; license_no: string | null; specialty: string | null;
  kind: (typeof PRACTITIONER_KINDS)[number]; status: (typeof PRACTITIONER_STATUSES)[number]; created_at: Date; updated_at: Date;
}

export const PRACTITIONER_COLUMNS = 'id, code, user_id, full_name, license_no, specialty, kind, status, created_at, updated_at';
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A live practitioner of the acting organization by id or code (doc_01), or null. */
export async function findPractitioner(tx: Tx, ref: string): Promise<PractitionerRow | null> {
  const rows = UUID_RE.test(ref)
    ? await tx.query<PractitionerRow>(`SELECT ${PRACTITIONER_COLUMNS} FROM practitioners WHERE org_id = visage_current_org() AND id = $1 AND deleted_at IS NULL`, [ref])
    : await tx.query<PractitionerRow>(`SELECT ${PRACTITIONER_COLUMNS} FROM practitioners WHERE org_id = visage_current_org() AND lower(code) = lower($1) AND deleted_at IS NULL`, [ref]);
  return rows[0] ?? null;
}

/** A practitioner named in a request body (id or code); unknown -> 422 pointing at `pointer`. */
export function practitionerRef(tx: Tx, ref: string, pointer: string): Promise<PractitionerRow> {
  return byIdOrCode<PractitionerRow>(tx, 'practitioners', PRACTITIONER_COLUMNS, ref, pointer);
}

export async function getPractitioner(tx: Tx, ref: string): Promise<PractitionerRow> {
  const row = await findPractitioner(tx, ref);
  if (!row) throw errors.notFound('practitioner');
  return row;
}


export interface PractitionerFilter {
  q?: string; kind?: string; status?: string; limit: number; cursor: { k: string; id: string } | null;
}

/** By name, keyset-paginated (limit + 1 rows); `q` matches name, code, licence number, specialty. */
export async function listPractitioners(tx: Tx, f: PractitionerFilter): Promise<(PractitionerRow & { sort_key: string })[]> {
  const q = new SqlFilter('org_id = visage_current_org()', 'deleted_at IS NULL').when('kind = ?', f.kind).when('status = ?', f.status);
  if (f.q) {
    const p = `$${q.params.length + 1}`; // the ? below
    q.when(`(full_name ILIKE ? OR code ILIKE ${p} OR license_no ILIKE ${p} OR specialty ILIKE ${p})`, likePattern(f.q));
  }
  if (f.cursor) {
    const k = q.param(f.cursor.k);
    q.when(`(lower(full_name), id) > (${k}, ?::uuid)`, f.cursor.id);
  }
  return tx.query(`SELECT ${PRACTITIONER_COLUMNS}, lower(full_name) AS sort_key FROM practitioners WHERE ${q.where}
    ORDER BY lower(full_name), id LIMIT ${q.param(f.limit + 1)}`, q.params);
}

export interface PractitionerInput {
  code: string; fullName: string; userId?: string | null; licenseNo?: string | null; specialty?: string | null;
  kind?: PractitionerRow['kind']; status?: PractitionerRow['status'];
}

async function assertCodeFree(tx: Tx, code: string, exceptId: string | null): Promise<void> {
  const rows = await tx.query('SELECT id FROM practitioners WHERE org_id = visage_current_org() AND lower(code) = lower($1) AND deleted_at IS NULL AND id IS DISTINCT FROM $2::uuid',
    [code, exceptId]);
  if (rows.length) throw errors.conflict(`A practitioner with code ${code} already exists.`, 'code_taken', [{ pointer: '/code', message: 'already used' }]);
}

/** A linked user account must be a member of the acting organization. */
async function assertMember(tx: Tx, userId: string | null | undefined): Promise<void> {
  if (!userId) return;
  const rows = await tx.query('SELECT 1 FROM memberships WHERE org_id = visage_current_org() AND user_id = $1', [userId]);
  if (!rows.length) throw errors.validation('user_id is not a member of this organization.', [{ pointer: '/user_id', message: 'not a member' }]);
}

export async function createPractitioner(tx: Tx, origin: AuditOrigin, input: PractitionerInput): Promise<PractitionerRow> {
  await assertCodeFree(tx, input.code, null);
  await assertMember(tx, input.userId);
  const id = newId();
  const [row] = await tx.query<PractitionerRow>(
    `INSERT INTO practitioners (id, org_id, code, user_id, full_name, license_no, specialty, kind, status)
     VALUES ($1, visage_current_org(), $2, $3, $4, $5, $6, $7, $8) RETURNING ${PRACTITIONER_COLUMNS}`,
    [id, input.code, input.userId ?? null, input.fullName, input.licenseNo ?? null, input.specialty ?? null, input.kind ?? 'doctor', input.status ?? 'active']);
  await audit(tx, origin, { action: 'create', entityType: 'practitioner', entityId: id, details: { code: input.code } });
  return row!;
}

export async function updatePractitioner(tx: Tx, origin: AuditOrigin, ref: string, patch: Partial<PractitionerInput>): Promise<PractitionerRow> {
  const current = await getPractitioner(tx, ref);
  if (patch.code !== undefined && patch.code.toLowerCase() !== current.code.toLowerCase()) await assertCodeFree(tx, patch.code, current.id);
  await assertMember(tx, patch.userId);
  const has = (k: keyof PractitionerInput) => patch[k] !== undefined;
  const [row] = await tx.query<PractitionerRow>(
    `UPDATE practitioners SET code = coalesce($2, code), full_name = coalesce($3, full_name),
            user_id = CASE WHEN $4 THEN $5::uuid ELSE user_id END, license_no = CASE WHEN $6 THEN $7 ELSE license_no END,
            specialty = CASE WHEN $8 THEN $9 ELSE specialty END, kind = coalesce($10, kind), status = coalesce($11, status), updated_at = now()
      WHERE id = $1 AND org_id = visage_current_org() RETURNING ${PRACTITIONER_COLUMNS}`,
    [current.id, patch.code ?? null, patch.fullName ?? null, has('userId'), patch.userId ?? null, has('licenseNo'), patch.licenseNo ?? null,
      has('specialty'), patch.specialty ?? null, patch.kind ?? null, patch.status ?? null]);
  await audit(tx, origin, { action: 'update', entityType: 'practitioner', entityId: current.id, details: { fields: Object.keys(patch).filter((k) => has(k as keyof PractitionerInput)) } });
  return row!;
}

/** Soft delete: sessions keep their practitioner; the code becomes free. */
export async function deletePractitioner(tx: Tx, origin: AuditOrigin, ref: string): Promise<void> {
  const current = await getPractitioner(tx, ref);
  await tx.query(`UPDATE practitioners SET deleted_at = now(), status = 'inactive' WHERE id = $1 AND org_id = visage_current_org()`, [current.id]);
  await audit(tx, origin, { action: 'delete', entityType: 'practitioner', entityId: current.id, details: { code: current.code } });
}
