import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ZApp } from '../../platform/http/app.js';
import type { Deps } from '../../platform/deps.js';
import type { Tx } from '../../platform/db/client.js';
import type { FieldCipher } from '../../platform/crypto/fields.js';
import { idempotent } from '../../platform/http/idempotency.js';
import { decodeCursor, page, pageOf, pageQuery } from '../../platform/http/pagination.js';
import { errors, problemBody } from '../../platform/http/problem.js';
import { audit } from '../../platform/audit/audit.service.js';
import { origin, type Guard, type Permission, type Principal } from '../identity/index.js';
import { SKIN_TYPES } from './records.schema.js';
import {
  createPatient, decryptPatient, deletePatient, DuplicatePatientError, listPatients, patientLookup, updatePatient, GENDERS, MEDICAL_FIELDS,
  type PatientContext, type PatientInput, type PatientRow,
} from './patients.service.js';

const iso = (d: Date) => new Date(d).toISOString();
const Text = (max: number) => z.string().trim().max(max);
const Nullable = (max: number) => Text(max).nullable().optional();

/** A birth date: YYYY-MM-DD (seed 001's "1990-05-15T00:00:00Z" form is accepted too), a real day, not in the future. */
const BirthDate = z.string().regex(/^\d{4}-\d{2}-\d{2}(T00:00(:00(\.0+)?)?(Z|[+-]00:?00)?)?$/, 'Use YYYY-MM-DD.')
  .transform((s) => s.slice(0, 10))
  .refine((d) => { const t = Date.parse(`${d}T00:00:00Z`); return !Number.isNaN(t) && new Date(t).toISOString().startsWith(d); }, 'Not a calendar date.')
  .refine((d) => d >= '1900-01-01' && Date.parse(`${d}T00:00:00Z`) <= Date.now() + 86_400_000, 'A birth date lies between 1900 and today.');
const Phone = Text(40).regex(/^\+?[0-9 ()./-]{3,40}$/, 'Use digits, spaces, + ( ) - . only.').refine((p) => (p.match(/\d/g) ?? []).length >= 3, 'Too few digits.');
const Email = z.string().trim().toLowerCase().email().max(254);

const PatientFields = z.object({
  full_name: Text(200).min(1),
  gender: z.enum(GENDERS).nullable().optional(),
  date_of_birth: BirthDate.nullable().optional(),
  phone: Phone.nullable().optional(),
  email: Email.nullable().optional(),
  skin_type: z.enum(SKIN_TYPES).nullable().optional().describe('Fitzpatrick I-VI'),
  medical_history: Nullable(20_000).describe('PHI: encrypted at rest; needs medical.write'),
  allergy_notes: Nullable(5_000).describe('PHI: encrypted at rest; needs medical.write'),
  allergies: Nullable(5_000).describe('Seed 001 synonym of allergy_notes'),
  emergency_contact: Nullable(300),
  notes: Nullable(5_000),
  is_active: z.boolean().optional(),
  allow_duplicate: z.boolean().optional().describe('Create even when the phone or email matches a live patient'),
});
type PatientFields = z.infer<typeof PatientFields>;
const PatientPatch = PatientFields.partial();

const PatientDto = z.object({
  id: z.string(), patient_id: z.string(), code: z.string(), full_name: z.string(), gender: z.enum(GENDERS).nullable(),
  date_of_birth: z.string().nullable(), phone: z.string().nullable(), email: z.string().nullable(), skin_type: z.enum(SKIN_TYPES).nullable(),
  emergency_contact: z.string().nullable(), notes: z.string().nullable(), is_active: z.boolean(), alert_level: z.string(),
  user_id: z.string().nullable(), created_at: z.string(), updated_at: z.string(),
  medical_history: z.string().nullable().optional().describe('Only for callers with medical.read'),
  allergy_notes: z.string().nullable().optional().describe('Only for callers with medical.read'),
});
type PatientDto = z.infer<typeof PatientDto>;

/** The chart; medical fields only when `cipher` is given (the caller holds medical.read). */
export function patientDto(p: PatientRow, cipher?: FieldCipher): PatientDto {
  return {
    id: p.id, patient_id: p.id, code: p.code, full_name: p.full_name, gender: p.gender, date_of_birth: p.date_of_birth, phone: p.phone,
    email: p.email, skin_type: p.skin_type, emergency_contact: p.emergency_contact, notes: p.notes, is_active: p.is_active,
    alert_level: p.alert_level, user_id: p.user_id, created_at: iso(p.created_at), updated_at: iso(p.updated_at),
    ...(cipher ? decryptPatient(cipher, p) : {}),
  };
}

/** Body to service input; `allergies` (seed 001) and `allergy_notes` are one field. */
function inputOf(b: Partial<PatientFields>): Partial<PatientInput> {
  if (b.allergies !== undefined && b.allergy_notes !== undefined && b.allergies !== b.allergy_notes) {
    throw errors.validation('Send allergy_notes or allergies, not two different values.', [{ pointer: '/allergies', message: 'differs from allergy_notes' }]);
  }
  return {
    fullName: b.full_name, gender: b.gender, dateOfBirth: b.date_of_birth, phone: b.phone, email: b.email, skinType: b.skin_type,
    medicalHistory: b.medical_history, allergyNotes: b.allergy_notes !== undefined ? b.allergy_notes : b.allergies,
    emergencyContact: b.emergency_contact, notes: b.notes, isActive: b.is_active,
  };
}

const writesMedical = (b: Partial<PatientFields>) => b.medical_history !== undefined || b.allergy_notes !== undefined || b.allergies !== undefined;

/** A refusal decided inside the transaction, thrown after it committed so that its audit row stays. */
class Denied { constructor(readonly permission: Permission) {} }

function sendDuplicate(req: FastifyRequest, reply: FastifyReply, err: DuplicatePatientError) {
  return reply.status(409).type('application/problem+json').send({
    ...problemBody(req, 409, err.code, err.message, err.errors),
    duplicates: err.duplicates.map((d) => ({ patient_id: d.id, id: d.id, code: d.code, matched_on: d.matched_on })),
  });
}

/**
 * Patient charts (seed 000 PATIENT + seed 001 Clients). patient.read / patient.write / patient.delete;
 * medical history and allergy notes additionally need medical.read (shown, audited) and
 * medical.write (changed). A marketer holds none of these.
 */
export function patientRoutes(app: ZApp, deps: Deps, guard: Guard) {
  const cipher = deps.fields;
  if (!cipher) throw new Error('patientRoutes needs deps.fields (field encryption)');
  const ctxOf = (req: FastifyRequest, p: Principal): PatientContext => ({ cipher, now: deps.now(), origin: origin(req), actorUserId: p.userId });

  /** Runs `fn` under `permission`; writing medical fields also needs medical.write (refusal audited and committed). */
  async function guarded<T>(req: FastifyRequest, permission: Permission, medical: boolean, fn: (tx: Tx, p: Principal) => Promise<T>): Promise<T> {
    const out = await guard(req, { permission }, async (tx, p) => {
      if (medical && !p.permissions.has('medical.write')) {
        await audit(tx, origin(req), { action: 'access', entityType: 'patient', outcome: 'denied', details: { permission: 'medical.write', method: req.method } });
        return new Denied('medical.write');
      }
      return { value: await fn(tx, p) };
    });
    if (out instanceof Denied) throw errors.forbidden(`Your role does not allow this (needs ${out.permission} to write medical history or allergies).`);
    return out.value;
  }

  app.post('/api/patients', {
    schema: {
      tags: ['patients'], summary: 'Create a patient (seed 000): answers the chart with its PAT-YYYY-NNNNNN code',
      description: 'A phone (same digits) or email (any case) of a live patient answers 409 possible_duplicate with `duplicates`, unless allow_duplicate is true.',
      body: PatientFields, response: { 201: PatientDto },
    },
  }, async (req, reply) => {
    try {
      const out = await guarded(req, 'patient.write', writesMedical(req.body), (tx, p) => idempotent(tx, req, async () => {
        const row = await createPatient(tx, ctxOf(req, p), inputOf(req.body) as PatientInput, { allowDuplicate: req.body.allow_duplicate });
        return { status: 201, body: patientDto(row, p.permissions.has('medical.read') ? cipher : undefined) };
      }));
      return await reply.status(out.status as 201).send(out.body as PatientDto);
    } catch (err) {
      if (err instanceof DuplicatePatientError) return sendDuplicate(req, reply, err);
      throw err;
    }
  });

  app.get('/api/patients', {
    schema: {
      tags: ['patients'], summary: 'Patients by name; q searches name, code, email and phone digits (no medical fields)',
      querystring: z.object({ ...pageQuery, q: z.string().trim().max(200).optional(), active: z.enum(['true', 'false']).optional() }),
      response: { 200: pageOf(PatientDto) },
    },
  }, async (req) => guard(req, { permission: 'patient.read' }, async (tx) => {
    const q = req.query;
    const cursor = decodeCursor(q.cursor, z.object({ k: z.string(), id: z.string().uuid() }));
    const rows = await listPatients(tx, { q: q.q || undefined, active: q.active === undefined ? undefined : q.active === 'true', limit: q.limit, cursor });
    await audit(tx, origin(req), { action: 'list', entityType: 'patient', details: { count: Math.min(rows.length, q.limit), search: Boolean(q.q) } });
    return page(rows, q.limit, (r) => ({ k: r.sort_key, id: r.id }), (r) => patientDto(r));
  }));

  app.get('/api/patients/:ref', {
    schema: {
      tags: ['patients'], summary: 'A patient chart by id or code; medical history and allergy notes only with medical.read (the read is audited)',
      params: z.object({ ref: z.string().trim().min(1).max(64) }), response: { 200: PatientDto },
    },
  }, async (req) => guard(req, { permission: 'patient.read', prelude: patientLookup(req.params.ref) }, async (tx, p) => {
    const row = tx.prelude[0]?.[0] as PatientRow | undefined; // read in the opening round trip
    if (!row) throw errors.notFound('patient');
    const medical = p.permissions.has('medical.read');
    await audit(tx, origin(req), { action: 'read', entityType: 'patient', entityId: row.id, details: { fields: medical ? [...MEDICAL_FIELDS] : [] } });
    return patientDto(row, medical ? cipher : undefined);
  }));

  app.patch('/api/patients/:ref', {
    schema: {
      tags: ['patients'], summary: 'Change a patient (partial; null clears a field). Medical fields need medical.write.',
      params: z.object({ ref: z.string().trim().min(1).max(64) }), body: PatientPatch, response: { 200: PatientDto },
    },
  }, async (req, reply) => {
    try {
      const dto = await guarded(req, 'patient.write', writesMedical(req.body), async (tx, p) => {
        const { allow_duplicate: allowDuplicate, ...fields } = req.body;
        const row = await updatePatient(tx, ctxOf(req, p), req.params.ref, inputOf(fields), { allowDuplicate });
        return patientDto(row, p.permissions.has('medical.read') ? cipher : undefined);
      });
      return await reply.send(dto);
    } catch (err) {
      if (err instanceof DuplicatePatientError) return sendDuplicate(req, reply, err);
      throw err;
    }
  });

  app.delete('/api/patients/:ref', {
    schema: {
      tags: ['patients'], summary: 'Archive a patient (soft delete: the record is retained, never erased here)',
      params: z.object({ ref: z.string().trim().min(1).max(64) }), response: { 204: z.null() },
    },
  }, async (req, reply) => {
    await guard(req, { permission: 'patient.delete' }, (tx) => deletePatient(tx, origin(req), req.params.ref));
    return reply.status(204).send(null);
  });
}
