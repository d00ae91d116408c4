import type { Tx } from '../../platform/db/client.js';
import { byIdOrCode } from '../../platform/db/refs.js';
import { SqlFilter, likePattern } from '../../platform/db/filter.js';
import { newId } from '../../platform/crypto.js';
import { errors } from '../../platform/http/problem.js';
import { audit, type AuditOrigin } from '../../platform/audit/audit.service.js';

export const DEVICE_TYPES = ['HIFU', 'RF', 'Laser', 'IPL', 'Microneedling', 'PMU_Machine', 'Other'] as const;
export const DEVICE_STATUSES = ['active', 'inactive', 'in_repair'] as const;

export interface DeviceRow {
  id: string; code: string; device_name: string; device_type: (typeof DEVICE_TYPES)[number]; manufacturer: string | null; model: string | null;
  serial_no: string | null; maintenance_cycle_days: number | null; last_maintenance_on: string | null; default_settings: Record<string, unknown>;
  status: (typeof DEVICE_STATUSES)[number]; created_at: Date; updated_at: Date;
  /** last_maintenance_on (or the day the device was registered) + cycle, in the organization's calendar; null without a cycle. */
  next_maintenance_on: string | null;
}

/** Dates as text (YYYY-MM-DD): node-postgres would turn them into local-time Dates. */
export const DEVICE_COLUMNS = `d.id, d.code, d.device_name, d.device_type, d.manufacturer, d.model, d.serial_no, d.maintenance_cycle_days,
  d.last_maintenance_on::text AS last_maintenance_on, d.default_settings, d.status, d.created_at, d.updated_at,
  (coalesce(d.last_maintenance_on, (d.created_at AT TIME ZONE o.timezone)::date) + d.maintenance_cycle_days)::text AS next_maintenance_on`;
const FROM = 'FROM devices d JOIN organizations o ON o.id = d.org_id';
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A live device of the acting organization by id or code, or null. */
export async function findDevice(tx: Tx, ref: string): Promise<DeviceRow | null> {
  const rows = UUID_RE.test(ref)
    ? await tx.query<DeviceRow>(`SELECT ${DEVICE_COLUMNS} ${FROM} WHERE d.org_id = visage_current_org() AND d.id = $1 AND d.deleted_at IS NULL`, [ref])
    : await tx.query<DeviceRow>(`SELECT ${DEVICE_COLUMNS} ${FROM} WHERE d.org_id = visage_current_org() AND lower(d.code) = lower($1) AND d.deleted_at IS NULL`, [ref]);
  return rows[0] ?? null;
}

/** A device named in a request body (id or code); unknown -> 422 pointing at `pointer`. */
export function deviceRef(tx: Tx, ref: string, pointer: string): Promise<Pick<DeviceRow, 'id' | 'code' | 'device_name' | 'device_type' | 'status' | 'default_settings'>> {
  return byIdOrCode(tx, 'devices', 'id, code, device_name, device_type, status, default_settings', ref, pointer);
}

export async function getDevice(tx: Tx, ref: string): Promise<DeviceRow> {
  const row = await findDevice(tx, ref);
  if (!row) throw errors.notFound('device');
  return row;
}


export interface DeviceFilter { q?: string; type?: string; status?: string; limit: number; cursor: { k: string; id: string } | null }

/** By name, keyset-paginated (limit + 1 rows). */
export async function listDevices(tx: Tx, f: DeviceFilter): Promise<(DeviceRow & { sort_key: string })[]> {
  const q = new SqlFilter('d.org_id = visage_current_org()', 'd.deleted_at IS NULL').when('d.device_type = ?', f.type).when('d.status = ?', f.status);
  if (f.q) {
    const p = `$${q.params.length + 1}`; // the ? below
    q.when(`(d.device_name ILIKE ? OR d.code ILIKE ${p} OR d.manufacturer ILIKE ${p} OR d.model ILIKE ${p} OR d.serial_no ILIKE ${p})`, likePattern(f.q));
  }
  if (f.cursor) {
    const k = q.param(f.cursor.k);
    q.when(`(lower(d.device_name), d.id) > (${k}, ?::uuid)`, f.cursor.id);
  }
  return tx.query(`SELECT ${DEVICE_COLUMNS}, lower(d.device_name) AS sort_key ${FROM} WHERE ${q.where}
    ORDER BY lower(d.device_name), d.id LIMIT ${q.param(f.limit + 1)}`, q.params);
}

/** Today in the acting organization's time zone (YYYY-MM-DD). */
export async function orgToday(tx: Tx, now: Date): Promise<string> {
  const [row] = await tx.query<{ today: string }>(`SELECT (($1::timestamptz) AT TIME ZONE timezone)::date::text AS today FROM organizations WHERE id = visage_current_org()`, [now]);
  if (!row) throw new Error('no acting organization');
  return row.today;
}

/**
 * Devices in service whose maintenance falls due within `days` of today (organization calendar), or
 * is overdue: next = last maintenance (or registration day) + cycle. Soonest first.
 */
export async function maintenanceDue(tx: Tx, today: string, days: number): Promise<DeviceRow[]> {
  return tx.query<DeviceRow>(
    `SELECT ${DEVICE_COLUMNS} ${FROM}
      WHERE d.org_id = visage_current_org() AND d.deleted_at IS NULL AND d.status <> 'inactive' AND d.maintenance_cycle_days IS NOT NULL
        AND coalesce(d.last_maintenance_on, (d.created_at AT TIME ZONE o.timezone)::date) + d.maintenance_cycle_days <= $1::date + $2::int
      ORDER BY coalesce(d.last_maintenance_on, (d.created_at AT TIME ZONE o.timezone)::date) + d.maintenance_cycle_days, lower(d.device_name), d.id`,
    [today, days]);
}

export interface DeviceInput {
  code: string; deviceName: string; deviceType: DeviceRow['device_type']; manufacturer?: string | null; model?: string | null;
  serialNo?: string | null; maintenanceCycleDays?: number | null; lastMaintenanceOn?: string | null; defaultSettings?: Record<string, unknown>;
  status?: DeviceRow['status'];
}

async function assertCodeFree(tx: Tx, code: string, exceptId: string | null): Promise<void> {
  const rows = await tx.query('SELECT id FROM devices WHERE org_id = visage_current_org() AND lower(code) = lower($1) AND deleted_at IS NULL AND id IS DISTINCT FROM $2::uuid',
    [code, exceptId]);
  if (rows.length) throw errors.conflict(`A device with code ${code} already exists.`, 'code_taken', [{ pointer: '/code', message: 'already used' }]);
}

function assertNotFuture(date: string | null | undefined, today: string, pointer: string): void {
  if (date && date > today) throw errors.validation('A maintenance date cannot be in the future.', [{ pointer, message: `after today (${today})` }]);
}

export async function createDevice(tx: Tx, origin: AuditOrigin, input: DeviceInput, today: string): Promise<DeviceRow> {
  await assertCodeFree(tx, input.code, null);
  assertNotFuture(input.lastMaintenanceOn, today, '/last_maintenance_on');
  const id = newId();
  await tx.query(
    `INSERT INTO devices (id, org_id, code, device_name, device_type, manufacturer, model, serial_no, maintenance_cycle_days, last_maintenance_on,
                          default_settings, status)
     VALUES ($1, visage_current_org(), $2, $3, $4, $5, $6, $7, $8, $9::date, $10::jsonb, $11)`,
    [id, input.code, input.deviceName, input.deviceType, input.manufacturer ?? null, input.model ?? null, input.serialNo ?? null,
      input.maintenanceCycleDays ?? null, input.lastMaintenanceOn ?? null, JSON.stringify(input.defaultSettings ?? {}), input.status ?? 'active']);
  await audit(tx, origin, { action: 'create', entityType: 'device', entityId: id, details: { code: input.code } });
  return getDevice(tx, id);
}

export async function updateDevice(tx: Tx, origin: AuditOrigin, ref: string, patch: Partial<DeviceInput>, today: string): Promise<DeviceRow> {
  const current = await getDevice(tx, ref);
  if (patch.code !== undefined && patch.code.toLowerCase() !== current.code.toLowerCase()) await assertCodeFree(tx, patch.code, current.id);
  assertNotFuture(patch.lastMaintenanceOn, today, '/last_maintenance_on');
  const has = (k: keyof DeviceInput) => patch[k] !== undefined;
  await tx.query(
    `UPDATE devices SET code = coalesce($2, code), device_name = coalesce($3, device_name), device_type = coalesce($4, device_type),
            manufacturer = CASE WHEN $5 THEN $6 ELSE manufacturer END, model = CASE WHEN $7 THEN $8 ELSE model END,
            serial_no = CASE WHEN $9 THEN $10 ELSE serial_no END,
            maintenance_cycle_days = CASE WHEN $11 THEN $12::int ELSE maintenance_cycle_days END,
            last_maintenance_on = CASE WHEN $13 THEN $14::date ELSE last_maintenance_on END,
            default_settings = coalesce($15::jsonb, default_settings), status = coalesce($16, status), updated_at = now()
      WHERE id = $1 AND org_id = visage_current_org()`,
    [current.id, patch.code ?? null, patch.deviceName ?? null, patch.deviceType ?? null, has('manufacturer'), patch.manufacturer ?? null,
      has('model'), patch.model ?? null, has('serialNo'), patch.serialNo ?? null, has('maintenanceCycleDays'), patch.maintenanceCycleDays ?? null,
      has('lastMaintenanceOn'), patch.lastMaintenanceOn ?? null, patch.defaultSettings ? JSON.stringify(patch.defaultSettings) : null, patch.status ?? null]);
  await audit(tx, origin, { action: 'update', entityType: 'device', entityId: current.id, details: { fields: Object.keys(patch).filter((k) => has(k as keyof DeviceInput)) } });
  return getDevice(tx, current.id);
}

/** Records a maintenance on `on` (default: today in the organization's time zone). */
export async function recordMaintenance(tx: Tx, origin: AuditOrigin, ref: string, on: string, today: string): Promise<DeviceRow> {
  const current = await getDevice(tx, ref);
  assertNotFuture(on, today, '/performed_on');
  await tx.query(
    `UPDATE devices SET last_maintenance_on = greatest(coalesce(last_maintenance_on, $2::date), $2::date), updated_at = now()
      WHERE id = $1 AND org_id = visage_current_org()`, [current.id, on]);
  await audit(tx, origin, { action: 'maintenance', entityType: 'device', entityId: current.id, details: { performed_on: on, previous: current.last_maintenance_on } });
  return getDevice(tx, current.id);
}

export async function deleteDevice(tx: Tx, origin: AuditOrigin, ref: string): Promise<void> {
  const current = await getDevice(tx, ref);
  await tx.query(`UPDATE devices SET deleted_at = now(), status = 'inactive' WHERE id = $1 AND org_id = visage_current_org()`, [current.id]);
  await audit(tx, origin, { action: 'delete', entityType: 'device', entityId: current.id, details: { code: current.code } });
}
