import { z } from 'zod';
import type { ZApp } from '../../platform/http/app.js';
import type { Deps } from '../../platform/deps.js';
import { decodeCursor, page, pageOf, pageQuery } from '../../platform/http/pagination.js';
import { idempotent } from '../../platform/http/idempotency.js';
import { errors } from '../../platform/http/problem.js';
import { audit } from '../../platform/audit/audit.service.js';
import { origin, type Guard, type Principal } from '../identity/index.js';
import { Currency, DateStr, iso, num, Ref, Uuid } from './dto.js';
import { TreatmentArea } from './treatment-area.js';
import { OVERRIDE_PERMISSION } from '../records/index.js';
import { amendSession, createSession, deleteSession, listAmendments, listSessions, sessionLookup, type SessionRow } from './sessions.service.js';

const Text = (max: number) => z.string().trim().max(max);
const Pmu = z.object({
  procedure_type: Text(100).optional(), area_treated: Text(200).optional(), duration_min: z.number().int().min(0).max(1440).optional(),
  voltage: z.number().min(0).max(50).optional(), needle_configuration: Text(200).optional(), depth: Text(100).optional(),
  pigment_brand: Text(100).optional(), pigment_color: Text(100).optional(), lot_number: Text(100).optional(),
}).strict().describe('Seed 001 PMU specifics');
const DeviceSettings = z.record(z.string().min(1).max(60), z.union([z.string().max(200), z.number(), z.boolean(), z.null()]))
  .refine((r) => Object.keys(r).length <= 50, 'At most 50 settings.').describe('Device settings, e.g. {"energy_j": 0.8, "lines": 600, "cartridge": "4.5mm"}');

const Fields = {
  visit_id: Uuid.nullable().optional(),
  doctor_id: Ref.nullable().optional().describe('Practitioner id or code (seed 000: doc_01).'),
  practitioner_id: Ref.nullable().optional().describe('Same as doctor_id.'),
  device_id: Ref.nullable().optional().describe('Device id or code.'),
  device_settings: DeviceSettings.nullable().optional(),
  dosage_value: z.number().min(0).max(1_000_000).nullable().optional(),
  dosage_unit: Text(20).min(1).nullable().optional().describe('Defaults to the treatment\'s unit.'),
  treatment_area: TreatmentArea.nullable().optional()
    .describe('Named areas {"left_masseter": 20} or face-map points [{"x":0.4,"y":0.6,"units":4}]; units must add up to dosage_value.'),
  pmu: Pmu.nullable().optional(),
  performed_at: z.iso.datetime({ offset: true }).optional().describe('Defaults to now.'),
  immediate_reaction: Text(2000).nullable().optional(),
  clinical_notes: Text(20_000).nullable().optional(),
  price_minor: z.number().int().min(0).max(1e12).nullable().optional().describe('Defaults to the treatment\'s base price.'),
  currency: Currency.optional(),
};
const ContraindicationOverride = z.object({ reason: Text(2000).min(10).describe('Why the session goes ahead despite the contraindication (at least 10 characters)') }).strict()
  .describe('Records the session despite a critical screening alert (needs contraindication.override); filed on the compliance worklist');
const NewSession = z.object({
  patient_id: Uuid, treatment_id: Ref.describe('Treatment id or code (BOT_MASSETER).'), ...Fields, contraindication_override: ContraindicationOverride.nullable().optional(),
}).strict();
const SessionPatch = z.object({ reason: Text(1000).min(3).optional().describe('Required for a signed session.'), ...Fields }).strict();

const SessionDto = z.object({
  session_id: z.string(), id: z.string(), visit_id: z.string().nullable(), patient_id: z.string(), patient_code: z.string(), patient_name: z.string(),
  treatment_id: z.string(), treatment_code: z.string(), treatment_name: z.string(),
  doctor_id: z.string().nullable(), practitioner_code: z.string().nullable(), practitioner_name: z.string().nullable(),
  device_id: z.string().nullable(), device_code: z.string().nullable(), device_name: z.string().nullable(), device_settings: z.unknown(),
  session_no: z.number().int(), dosage_value: z.number().nullable(), dosage_unit: z.string().nullable(), treatment_area: z.unknown(), pmu: z.unknown(),
  performed_at: z.string(), performed_on: z.string(), immediate_reaction: z.string().nullable(), clinical_notes: z.string().nullable(),
  clinical_notes_hidden: z.boolean(), price_minor: z.number().nullable(), currency: z.string().nullable(), status: z.string(), version: z.number().int(),
  signed_at: z.string().nullable(), signed_by: z.string().nullable(), consent_exception: z.string().nullable(), created_at: z.string(), updated_at: z.string(),
});
type SessionDto = z.infer<typeof SessionDto>;

/** Clinical notes and reactions are medical: shown only with medical.read. */
function sessionDto(s: SessionRow, medical: boolean): SessionDto {
  return {
    session_id: s.id, id: s.id, visit_id: s.visit_id, patient_id: s.patient_id, patient_code: s.patient_code, patient_name: s.patient_name,
    treatment_id: s.treatment_id, treatment_code: s.treatment_code, treatment_name: s.treatment_name,
    doctor_id: s.practitioner_id, practitioner_code: s.practitioner_code, practitioner_name: s.practitioner_name,
    device_id: s.device_id, device_code: s.device_code, device_name: s.device_name, device_settings: s.device_settings,
    session_no: s.session_no, dosage_value: num(s.dosage_value), dosage_unit: s.dosage_unit, treatment_area: s.treatment_area, pmu: s.pmu,
    performed_at: iso(s.performed_at)!, performed_on: s.performed_on,
    immediate_reaction: medical ? s.immediate_reaction : null, clinical_notes: medical ? s.clinical_notes : null, clinical_notes_hidden: !medical,
    price_minor: num(s.price_minor), currency: s.currency, status: s.status, version: s.version, signed_at: iso(s.signed_at), signed_by: s.signed_by,
    consent_exception: s.consent_exception, created_at: iso(s.created_at)!, updated_at: iso(s.updated_at)!,
  };
}

const FollowupDto = z.object({ followup_id: z.string(), followup_type: z.string(), scheduled_date: z.string(), notify_flag: z.boolean() });
const ConsentDto = z.object({
  state: z.enum(['not_required', 'signed', 'missing']), policy: z.enum(['flag', 'strict']), consent_id: z.string().optional(),
  template_id: z.string().nullable().optional(), template_version: z.number().int().nullable().optional(), exception_id: z.string().nullable().optional(),
});
const CreatedDto = SessionDto.extend({ followups: z.array(FollowupDto), consent: ConsentDto, warnings: z.array(z.string()) });
const AmendmentDto = z.object({
  version: z.number().int().describe('The version this amendment created'), changed_fields: z.array(z.string()), reason: z.string(),
  amended_by: z.string().nullable(), amended_by_name: z.string().nullable(), amended_at: z.string(),
  previous: z.record(z.string(), z.unknown()).describe('The session as it was before (version - 1)'),
});

type Body = z.infer<typeof NewSession> | z.infer<typeof SessionPatch>;

function practitionerOf(b: Body): { ref: string | null | undefined; pointer: string } {
  if (b.practitioner_id !== undefined && b.doctor_id !== undefined && b.practitioner_id !== b.doctor_id) {
    throw errors.validation('Send doctor_id or practitioner_id, not two different ones.', [{ pointer: '/practitioner_id', message: 'differs from doctor_id' }]);
  }
  return b.doctor_id !== undefined ? { ref: b.doctor_id, pointer: '/doctor_id' } : { ref: b.practitioner_id, pointer: '/practitioner_id' };
}

/** Writing clinical notes or reactions is writing medical data. */
function assertMedicalWrite(p: Principal, b: Body): void {
  if ((b.clinical_notes != null || b.immediate_reaction != null) && !p.permissions.has('medical.write')) {
    throw errors.forbidden('Your role does not allow writing clinical notes (needs medical.write).');
  }
}

const MEDICAL_FIELDS = ['clinical_notes', 'immediate_reaction'];

export function sessionRoutes(app: ZApp, deps: Deps, guard: Guard) {
  app.post('/api/treatment-sessions', {
    schema: {
      tags: ['treatment sessions'], summary: 'Record a signed treatment session (seed 000 body); follow-ups are generated from the treatment\'s rules',
      description: 'treatment_id, doctor_id and device_id take an id or a code. A treatment that requires consent without a signed one answers 409 consent_required under the strict policy, or stores the session flagged (consent.state missing) under the default flag policy. A critical contraindication in the patient\'s screening answers 409 contraindicated unless contraindication_override {reason} is sent by a caller holding contraindication.override (403 override_not_permitted otherwise); the override is filed as a compliance exception.',
      body: NewSession, response: { 201: CreatedDto },
    },
  }, async (req, reply) => {
    const out = await guard(req, { permission: 'session.write' }, (tx, p) => idempotent(tx, req, async () => {
      const b = req.body;
      assertMedicalWrite(p, b);
      const pr = practitionerOf(b);
      const r = await createSession(tx, origin(req), {
        visitId: b.visit_id, patientId: b.patient_id, treatment: b.treatment_id, practitioner: pr.ref, practitionerPointer: pr.pointer,
        device: b.device_id, deviceSettings: b.device_settings, dosageValue: b.dosage_value, dosageUnit: b.dosage_unit, treatmentArea: b.treatment_area,
        pmu: b.pmu, performedAt: b.performed_at ? new Date(b.performed_at) : undefined, immediateReaction: b.immediate_reaction,
        clinicalNotes: b.clinical_notes, priceMinor: b.price_minor, currency: b.currency,
        screening: { override: b.contraindication_override, canOverride: p.permissions.has(OVERRIDE_PERMISSION), canSeeAlerts: p.permissions.has('medical.read') },
      }, deps.now());
      const body: z.infer<typeof CreatedDto> = {
        ...sessionDto(r.session, p.permissions.has('medical.read')),
        followups: r.followups.map((f) => ({ followup_id: f.id, followup_type: f.followupType, scheduled_date: f.scheduledDate, notify_flag: f.notifyFlag })),
        consent: r.consent, warnings: r.warnings,
      };
      return { status: 201, body };
    }));
    return reply.status(out.status as 201).send(out.body as z.infer<typeof CreatedDto>);
  });

  app.get('/api/treatment-sessions', {
    schema: {
      tags: ['treatment sessions'], summary: 'Treatment sessions, newest first (from/to: dates in the organization\'s time zone)',
      querystring: z.object({
        ...pageQuery, q: z.string().trim().max(200).optional(), patient_id: Uuid.optional(), treatment_id: Ref.optional(), visit_id: Uuid.optional(),
        practitioner_id: Ref.optional(), from: DateStr.optional(), to: DateStr.optional(),
      }),
      response: { 200: pageOf(SessionDto) },
    },
  }, async (req) => guard(req, { permission: 'session.read' }, async (tx, p) => {
    const q = req.query;
    const cursor = decodeCursor(q.cursor, z.object({ at: z.string(), id: Uuid }));
    const rows = await listSessions(tx, {
      patientId: q.patient_id, treatment: q.treatment_id, visitId: q.visit_id, practitioner: q.practitioner_id, from: q.from, to: q.to,
      q: q.q || undefined, limit: q.limit, cursor,
    });
    const medical = p.permissions.has('medical.read');
    await audit(tx, origin(req), {
      action: 'list', entityType: 'treatment_session',
      details: { patient_id: q.patient_id ?? null, count: Math.min(rows.length, q.limit), fields: medical ? MEDICAL_FIELDS : [] },
    });
    return page(rows, q.limit, (s) => ({ at: iso(s.performed_at), id: s.id }), (s) => sessionDto(s, medical));
  }));

  app.get('/api/treatment-sessions/:id', {
    schema: { tags: ['treatment sessions'], summary: 'A treatment session (clinical notes with medical.read; the read is audited)', params: z.object({ id: Uuid }), response: { 200: SessionDto } },
  }, async (req) => guard(req, { permission: 'session.read', prelude: sessionLookup(req.params.id) }, async (tx, p) => {
    const s = tx.prelude[0]?.[0] as SessionRow | undefined; // read in the opening round trip
    if (!s) throw errors.notFound('treatment session');
    const medical = p.permissions.has('medical.read');
    await audit(tx, origin(req), { action: 'read', entityType: 'treatment_session', entityId: s.id, details: { patient_id: s.patient_id, fields: medical ? MEDICAL_FIELDS : [] } });
    return sessionDto(s, medical);
  }));

  app.patch('/api/treatment-sessions/:id', {
    schema: {
      tags: ['treatment sessions'], summary: 'Amend a signed session: needs a reason; the previous version is kept (GET .../amendments)',
      params: z.object({ id: Uuid }), body: SessionPatch, response: { 200: SessionDto.extend({ amended: z.boolean(), changed_fields: z.array(z.string()) }) },
    },
  }, async (req) => guard(req, { permission: 'session.write' }, async (tx, p) => {
    const b = req.body;
    assertMedicalWrite(p, b);
    const pr = practitionerOf(b);
    const r = await amendSession(tx, origin(req), req.params.id, {
      reason: b.reason, visitId: b.visit_id, practitioner: pr.ref, practitionerPointer: pr.pointer, device: b.device_id, deviceSettings: b.device_settings,
      dosageValue: b.dosage_value, dosageUnit: b.dosage_unit, treatmentArea: b.treatment_area, pmu: b.pmu,
      performedAt: b.performed_at ? new Date(b.performed_at) : undefined, immediateReaction: b.immediate_reaction, clinicalNotes: b.clinical_notes,
      priceMinor: b.price_minor, currency: b.currency,
    }, deps.now());
    return { ...sessionDto(r.session, p.permissions.has('medical.read')), amended: r.amended, changed_fields: r.changedFields };
  }));

  app.get('/api/treatment-sessions/:id/amendments', {
    schema: {
      tags: ['treatment sessions'], summary: 'Every earlier version of a session, oldest first',
      params: z.object({ id: Uuid }), response: { 200: z.object({ current_version: z.number().int(), items: z.array(AmendmentDto) }) },
    },
  }, async (req) => guard(req, { permission: 'session.read' }, async (tx, p) => {
    const r = await listAmendments(tx, req.params.id);
    const medical = p.permissions.has('medical.read');
    await audit(tx, origin(req), { action: 'list', entityType: 'session_amendment', entityId: req.params.id, details: { count: r.items.length, fields: medical ? MEDICAL_FIELDS : [] } });
    return {
      current_version: r.current,
      items: r.items.map((a) => ({
        version: a.version, changed_fields: a.changed_fields, reason: a.reason, amended_by: a.amended_by, amended_by_name: a.amended_by_name,
        amended_at: iso(a.amended_at)!,
        previous: medical ? a.previous : { ...a.previous, clinical_notes: null, immediate_reaction: null },
      })),
    };
  }));

  app.delete('/api/treatment-sessions/:id', {
    schema: { tags: ['treatment sessions'], summary: 'Delete a session (soft: the record is retained; planned rule follow-ups are cancelled)', params: z.object({ id: Uuid }), response: { 204: z.null() } },
  }, async (req, reply) => {
    await guard(req, { permission: 'session.write' }, (tx) => deleteSession(tx, origin(req), req.params.id, deps.now()));
    return reply.status(204).send(null);
  });
}
