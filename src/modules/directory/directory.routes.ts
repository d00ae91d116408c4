import { z } from 'zod';
import type { ZApp } from '../../platform/http/app.js';
import type { Deps } from '../../platform/deps.js';
import { idempotent } from '../../platform/http/idempotency.js';
import { decodeCursor, page, pageOf, pageQuery } from '../../platform/http/pagination.js';
import { errors } from '../../platform/http/problem.js';
import { audit } from '../../platform/audit/audit.service.js';
import { origin, type Guard } from '../identity/index.js';
import { CatalogCode } from '../catalog/index.js';
import {
  createPractitioner, deletePractitioner, getPractitioner, listPractitioners, updatePractitioner,
  PRACTITIONER_KINDS, PRACTITIONER_STATUSES, type PractitionerInput, type PractitionerRow,
} from './practitioners.service.js';
import {
  createDevice, deleteDevice, getDevice, listDevices, maintenanceDue, orgToday, recordMaintenance, updateDevice,
  DEVICE_STATUSES, DEVICE_TYPES, type DeviceInput, type DeviceRow,
} from './devices.service.js';

const Ref = z.object({ ref: z.string().trim().min(1).max(64) });
const Text = (max: number) => z.string().trim().max(max);
const iso = (d: Date) => new Date(d).toISOString();
/** A calendar date (YYYY-MM-DD) that exists. */
const DateOnly = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Use YYYY-MM-DD.')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'Not a calendar date.');
const PageCursor = z.object({ k: z.string(), id: z.string().uuid() });

/** One of two synonyms; both given and different -> 422. */
function either<T>(a: T | undefined, b: T | undefined, pointers: [string, string]): T | undefined {
  if (a !== undefined && b !== undefined && a !== b) throw errors.validation(`Send ${pointers[0].slice(1)} or ${pointers[1].slice(1)}, not two different values.`, [{ pointer: pointers[1], message: 'differs' }]);
  return a ?? b;
}

// ---- practitioners (seed 000 DOCTOR; PMU artists too) ----

const PractitionerDto = z.object({
  id: z.string(), doctor_id: z.string().describe('The code (seed 000 doctor_id, e.g. doc_01)'), code: z.string(), user_id: z.string().nullable(),
  full_name: z.string(), license_no: z.string().nullable(), specialty: z.string().nullable(), kind: z.enum(PRACTITIONER_KINDS),
  status: z.enum(PRACTITIONER_STATUSES), created_at: z.string(), updated_at: z.string(),
});
type PractitionerDto = z.infer<typeof PractitionerDto>;
export const practitionerDto = (p: PractitionerRow): PractitionerDto => ({
  id: p.id, doctor_id: p.code, code: p.code, user_id: p.user_id, full_name: p.full_name, license_no: p.license_no, specialty: p.specialty,
  kind: p.kind, status: p.status, created_at: iso(p.created_at), updated_at: iso(p.updated_at),
});

const PractitionerBody = z.object({
  code: CatalogCode.optional(), doctor_id: CatalogCode.optional().describe('Seed 000 synonym of code'),
  full_name: Text(200).min(1).optional(),
  user_id: z.string().uuid().nullable().optional().describe('The staff account of this practitioner (a member of the organization)'),
  license_no: Text(100).nullable().optional(), specialty: Text(200).nullable().optional(),
  kind: z.enum(PRACTITIONER_KINDS).optional(), status: z.enum(PRACTITIONER_STATUSES).optional(),
});
type PractitionerBody = z.infer<typeof PractitionerBody>;
const practitionerInput = (b: PractitionerBody): Partial<PractitionerInput> => ({
  code: either(b.code, b.doctor_id, ['/code', '/doctor_id']), fullName: b.full_name, userId: b.user_id, licenseNo: b.license_no,
  specialty: b.specialty, kind: b.kind, status: b.status,
});

// ---- devices (seed 000 DEVICE) ----

const DeviceDto = z.object({
  id: z.string(), device_id: z.string().describe('The code'), code: z.string(), device_name: z.string(), device_type: z.enum(DEVICE_TYPES),
  manufacturer: z.string().nullable(), model: z.string().nullable(), serial_no: z.string().nullable(),
  maintenance_cycle_days: z.number().int().nullable(), last_maintenance_on: z.string().nullable(), next_maintenance_on: z.string().nullable(),
  default_settings: z.record(z.string(), z.unknown()), status: z.enum(DEVICE_STATUSES), created_at: z.string(), updated_at: z.string(),
});
type DeviceDto = z.infer<typeof DeviceDto>;
export const deviceDto = (d: DeviceRow): DeviceDto => ({
  id: d.id, device_id: d.code, code: d.code, device_name: d.device_name, device_type: d.device_type, manufacturer: d.manufacturer,
  model: d.model, serial_no: d.serial_no, maintenance_cycle_days: d.maintenance_cycle_days, last_maintenance_on: d.last_maintenance_on,
  next_maintenance_on: d.next_maintenance_on, default_settings: d.default_settings, status: d.status, created_at: iso(d.created_at), updated_at: iso(d.updated_at),
});

const DeviceBody = z.object({
  code: CatalogCode.optional(), device_id: CatalogCode.optional().describe('Synonym of code'),
  device_name: Text(200).min(1).optional(), device_type: z.enum(DEVICE_TYPES).optional(),
  manufacturer: Text(200).nullable().optional(), model: Text(200).nullable().optional(), serial_no: Text(100).nullable().optional(),
  maintenance_cycle_days: z.number().int().min(1).max(3650).nullable().optional(),
  last_maintenance_on: DateOnly.nullable().optional(),
  default_settings: z.record(z.string().max(60), z.union([z.string().max(200), z.number(), z.boolean(), z.null()]))
    .refine((o) => Object.keys(o).length <= 50, 'At most 50 settings.').optional()
    .describe('Default settings shown on a new session (e.g. {"energy_j": 0.8, "lines": 400})'),
  status: z.enum(DEVICE_STATUSES).optional(),
});
type DeviceBody = z.infer<typeof DeviceBody>;
const deviceInput = (b: DeviceBody): Partial<DeviceInput> => ({
  code: either(b.code, b.device_id, ['/code', '/device_id']), deviceName: b.device_name, deviceType: b.device_type, manufacturer: b.manufacturer,
  model: b.model, serialNo: b.serial_no, maintenanceCycleDays: b.maintenance_cycle_days, lastMaintenanceOn: b.last_maintenance_on,
  defaultSettings: b.default_settings, status: b.status,
});

function required(fields: Record<string, unknown>): void {
  const missing = Object.entries(fields).filter(([, v]) => v === undefined).map(([pointer]) => ({ pointer, message: 'required' }));
  if (missing.length) throw errors.validation('Some required fields are missing.', missing);
}

/** Practitioners and devices: read with practitioner.read, change with practitioner.manage. */
export function directoryRoutes(app: ZApp, deps: Deps, guard: Guard) {
  app.get('/api/practitioners', {
    schema: {
      tags: ['directory'], summary: 'Practitioners (doctors, nurses, PMU artists...) by name',
      querystring: z.object({ ...pageQuery, q: z.string().trim().max(200).optional(), kind: z.enum(PRACTITIONER_KINDS).optional(), status: z.enum(PRACTITIONER_STATUSES).optional() }),
      response: { 200: pageOf(PractitionerDto) },
    },
  }, async (req) => guard(req, { permission: 'practitioner.read' }, async (tx) => {
    const q = req.query;
    const rows = await listPractitioners(tx, { q: q.q || undefined, kind: q.kind, status: q.status, limit: q.limit, cursor: decodeCursor(q.cursor, PageCursor) });
    await audit(tx, origin(req), { action: 'list', entityType: 'practitioner', details: { count: Math.min(rows.length, q.limit) } });
    return page(rows, q.limit, (r) => ({ k: r.sort_key, id: r.id }), practitionerDto);
  }));

  app.get('/api/practitioners/:ref', {
    schema: { tags: ['directory'], summary: 'A practitioner by id or code (doc_01)', params: Ref, response: { 200: PractitionerDto } },
  }, async (req) => guard(req, { permission: 'practitioner.read' }, async (tx) => {
    const row = await getPractitioner(tx, req.params.ref);
    await audit(tx, origin(req), { action: 'read', entityType: 'practitioner', entityId: row.id });
    return practitionerDto(row);
  }));

  app.post('/api/practitioners', {
    schema: { tags: ['directory'], summary: 'Add a practitioner (code = seed 000 doctor_id)', body: PractitionerBody, response: { 201: PractitionerDto } },
  }, async (req, reply) => {
    const out = await guard(req, { permission: 'practitioner.manage' }, (tx) => idempotent(tx, req, async () => {
      const input = practitionerInput(req.body);
      required({ '/code': input.code, '/full_name': input.fullName });
      return { status: 201, body: practitionerDto(await createPractitioner(tx, origin(req), input as PractitionerInput)) };
    }));
    return reply.status(out.status as 201).send(out.body as PractitionerDto);
  });

  app.patch('/api/practitioners/:ref', {
    schema: { tags: ['directory'], summary: 'Change a practitioner (partial)', params: Ref, body: PractitionerBody, response: { 200: PractitionerDto } },
  }, async (req) => guard(req, { permission: 'practitioner.manage' }, async (tx) =>
    practitionerDto(await updatePractitioner(tx, origin(req), req.params.ref, practitionerInput(req.body)))));

  app.delete('/api/practitioners/:ref', {
    schema: { tags: ['directory'], summary: 'Remove a practitioner (soft delete; sessions keep them)', params: Ref, response: { 204: z.null() } },
  }, async (req, reply) => {
    await guard(req, { permission: 'practitioner.manage' }, (tx) => deletePractitioner(tx, origin(req), req.params.ref));
    return reply.status(204).send(null);
  });

  app.get('/api/devices', {
    schema: {
      tags: ['directory'], summary: 'Devices (HIFU, RF, Laser...) by name',
      querystring: z.object({ ...pageQuery, q: z.string().trim().max(200).optional(), device_type: z.enum(DEVICE_TYPES).optional(), status: z.enum(DEVICE_STATUSES).optional() }),
      response: { 200: pageOf(DeviceDto) },
    },
  }, async (req) => guard(req, { permission: 'practitioner.read' }, async (tx) => {
    const q = req.query;
    const rows = await listDevices(tx, { q: q.q || undefined, type: q.device_type, status: q.status, limit: q.limit, cursor: decodeCursor(q.cursor, PageCursor) });
    await audit(tx, origin(req), { action: 'list', entityType: 'device', details: { count: Math.min(rows.length, q.limit) } });
    return page(rows, q.limit, (r) => ({ k: r.sort_key, id: r.id }), deviceDto);
  }));

  app.get('/api/devices/maintenance-due', {
    schema: {
      tags: ['directory'], summary: 'Devices whose maintenance is due within `days` (organization calendar) or overdue, soonest first',
      querystring: z.object({ days: z.coerce.number().int().min(0).max(3650).default(30) }),
      response: {
        200: z.object({
          today: z.string(), days: z.number().int(),
          items: z.array(DeviceDto.extend({ due_on: z.string(), days_until_due: z.number().int(), state: z.enum(['overdue', 'due_today', 'due_soon']) })),
        }),
      },
    },
  }, async (req) => guard(req, { permission: 'practitioner.read' }, async (tx) => {
    const today = await orgToday(tx, deps.now());
    const rows = await maintenanceDue(tx, today, req.query.days);
    await audit(tx, origin(req), { action: 'list', entityType: 'device', details: { maintenance_due_days: req.query.days, count: rows.length } });
    const dayMs = 86_400_000;
    return {
      today, days: req.query.days,
      items: rows.map((d) => {
        const until = Math.round((Date.parse(`${d.next_maintenance_on}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / dayMs);
        return { ...deviceDto(d), due_on: d.next_maintenance_on!, days_until_due: until, state: until < 0 ? 'overdue' as const : until === 0 ? 'due_today' as const : 'due_soon' as const };
      }),
    };
  }));

  app.get('/api/devices/:ref', {
    schema: { tags: ['directory'], summary: 'A device by id or code', params: Ref, response: { 200: DeviceDto } },
  }, async (req) => guard(req, { permission: 'practitioner.read' }, async (tx) => {
    const row = await getDevice(tx, req.params.ref);
    await audit(tx, origin(req), { action: 'read', entityType: 'device', entityId: row.id });
    return deviceDto(row);
  }));

  app.post('/api/devices', {
    schema: { tags: ['directory'], summary: 'Add a device', body: DeviceBody, response: { 201: DeviceDto } },
  }, async (req, reply) => {
    const out = await guard(req, { permission: 'practitioner.manage' }, (tx) => idempotent(tx, req, async () => {
      const input = deviceInput(req.body);
      required({ '/code': input.code, '/device_name': input.deviceName, '/device_type': input.deviceType });
      const today = await orgToday(tx, deps.now());
      return { status: 201, body: deviceDto(await createDevice(tx, origin(req), input as DeviceInput, today)) };
    }));
    return reply.status(out.status as 201).send(out.body as DeviceDto);
  });

  app.patch('/api/devices/:ref', {
    schema: { tags: ['directory'], summary: 'Change a device (partial)', params: Ref, body: DeviceBody, response: { 200: DeviceDto } },
  }, async (req) => guard(req, { permission: 'practitioner.manage' }, async (tx) =>
    deviceDto(await updateDevice(tx, origin(req), req.params.ref, deviceInput(req.body), await orgToday(tx, deps.now())))));

  app.post('/api/devices/:ref/maintenance', {
    schema: {
      tags: ['directory'], summary: 'Record a maintenance (default: today in the organization\'s time zone)', params: Ref,
      body: z.object({ performed_on: DateOnly.optional() }).nullish(), response: { 200: DeviceDto },
    },
  }, async (req) => guard(req, { permission: 'practitioner.manage' }, async (tx) => {
    const today = await orgToday(tx, deps.now());
    return deviceDto(await recordMaintenance(tx, origin(req), req.params.ref, req.body?.performed_on ?? today, today));
  }));

  app.delete('/api/devices/:ref', {
    schema: { tags: ['directory'], summary: 'Retire a device (soft delete; sessions keep it)', params: Ref, response: { 204: z.null() } },
  }, async (req, reply) => {
    await guard(req, { permission: 'practitioner.manage' }, (tx) => deleteDevice(tx, origin(req), req.params.ref));
    return reply.status(204).send(null);
  });
}
