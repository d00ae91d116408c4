import { z } from 'zod';
import type { ZApp } from '../../platform/http/app.js';
import type { Deps } from '../../platform/deps.js';
import { decodeCursor, page, pageOf, pageQuery } from '../../platform/http/pagination.js';
import { idempotent } from '../../platform/http/idempotency.js';
import { errors } from '../../platform/http/problem.js';
import { audit } from '../../platform/audit/audit.service.js';
import { origin, type Guard } from '../identity/index.js';
import { DateStr, iso, Ref, Uuid } from './dto.js';
import { localDate, orgSettings } from './org-time.js';
import { createVisit, deleteVisit, findVisit, listVisits, updateVisit, VISIT_TYPES, type VisitRow } from './visits.service.js';

const VisitDto = z.object({
  visit_id: z.string(), id: z.string(), patient_id: z.string(), patient_code: z.string(), patient_name: z.string(),
  visit_type: z.enum(VISIT_TYPES), visit_date: z.string(), practitioner_id: z.string().nullable(), practitioner_code: z.string().nullable(),
  practitioner_name: z.string().nullable(), notes: z.string().nullable(), session_count: z.number().int(), created_at: z.string(), updated_at: z.string(),
});
const visitDto = (v: VisitRow): z.infer<typeof VisitDto> => ({
  visit_id: v.id, id: v.id, patient_id: v.patient_id, patient_code: v.patient_code, patient_name: v.patient_name, visit_type: v.visit_type,
  visit_date: v.visit_date, practitioner_id: v.practitioner_id, practitioner_code: v.practitioner_code, practitioner_name: v.practitioner_name,
  notes: v.notes, session_count: v.session_count, created_at: iso(v.created_at)!, updated_at: iso(v.updated_at)!,
});

const Notes = z.string().max(10_000);
const NewVisit = z.object({
  patient_id: Uuid,
  visit_type: z.enum(VISIT_TYPES),
  visit_date: DateStr.optional().describe('Defaults to today in the organization\'s time zone.'),
  practitioner_id: Ref.nullable().optional().describe('Practitioner id or code (doc_01).'),
  doctor_id: Ref.nullable().optional().describe('Seed 000 name for practitioner_id.'),
  notes: Notes.nullable().optional(),
}).strict();
const VisitPatch = z.object({
  visit_type: z.enum(VISIT_TYPES).optional(), visit_date: DateStr.optional(), practitioner_id: Ref.nullable().optional(),
  doctor_id: Ref.nullable().optional(), notes: Notes.nullable().optional(),
}).strict();

function practitionerOf(b: { practitioner_id?: string | null; doctor_id?: string | null }): string | null | undefined {
  if (b.practitioner_id !== undefined && b.doctor_id !== undefined && b.practitioner_id !== b.doctor_id) {
    throw errors.validation('Send practitioner_id or doctor_id, not two different ones.', [{ pointer: '/doctor_id', message: 'differs from practitioner_id' }]);
  }
  return b.practitioner_id !== undefined ? b.practitioner_id : b.doctor_id;
}

/** Seed 000 VISIT: one clinic visit, which may hold several treatment sessions. */
export function visitRoutes(app: ZApp, deps: Deps, guard: Guard) {
  app.post('/api/visits', {
    schema: { tags: ['visits'], summary: 'Record a visit (seed 000: {"patient_id","visit_type","visit_date"})', body: NewVisit, response: { 201: VisitDto } },
  }, async (req, reply) => {
    const out = await guard(req, { permission: 'visit.write' }, (tx) => idempotent(tx, req, async () => {
      const b = req.body;
      const visitDate = b.visit_date ?? localDate(deps.now(), (await orgSettings(tx)).timezone);
      const v = await createVisit(tx, origin(req), { patientId: b.patient_id, visitType: b.visit_type, visitDate, practitioner: practitionerOf(b), notes: b.notes });
      return { status: 201, body: visitDto(v) };
    }));
    return reply.status(out.status as 201).send(out.body as z.infer<typeof VisitDto>);
  });

  app.get('/api/visits', {
    schema: {
      tags: ['visits'], summary: 'Visits, newest first; q searches the patient\'s name and chart code',
      querystring: z.object({
        ...pageQuery, q: z.string().trim().max(200).optional(), patient_id: Uuid.optional(), visit_type: z.enum(VISIT_TYPES).optional(),
        practitioner_id: Ref.optional(), from: DateStr.optional(), to: DateStr.optional(),
      }),
      response: { 200: pageOf(VisitDto) },
    },
  }, async (req) => guard(req, { permission: 'visit.read' }, async (tx) => {
    const q = req.query;
    const cursor = decodeCursor(q.cursor, z.object({ date: DateStr, id: Uuid }));
    const rows = await listVisits(tx, {
      patientId: q.patient_id, visitType: q.visit_type, practitioner: q.practitioner_id, from: q.from, to: q.to, q: q.q || undefined, limit: q.limit, cursor,
    });
    await audit(tx, origin(req), { action: 'list', entityType: 'visit', details: { patient_id: q.patient_id ?? null, count: Math.min(rows.length, q.limit) } });
    return page(rows, q.limit, (v) => ({ date: v.visit_date, id: v.id }), visitDto);
  }));

  app.get('/api/visits/:id', {
    schema: { tags: ['visits'], summary: 'A visit', params: z.object({ id: Uuid }), response: { 200: VisitDto } },
  }, async (req) => guard(req, { permission: 'visit.read' }, async (tx) => {
    const v = await findVisit(tx, req.params.id);
    if (!v) throw errors.notFound('visit');
    await audit(tx, origin(req), { action: 'read', entityType: 'visit', entityId: v.id });
    return visitDto(v);
  }));

  app.patch('/api/visits/:id', {
    schema: { tags: ['visits'], summary: 'Change a visit', params: z.object({ id: Uuid }), body: VisitPatch, response: { 200: VisitDto } },
  }, async (req) => guard(req, { permission: 'visit.write' }, async (tx) => {
    const b = req.body;
    return visitDto(await updateVisit(tx, origin(req), req.params.id, {
      visitType: b.visit_type, visitDate: b.visit_date, practitioner: practitionerOf(b), notes: b.notes,
    }, deps.now()));
  }));

  app.delete('/api/visits/:id', {
    schema: { tags: ['visits'], summary: 'Delete a visit (soft; refused while it holds sessions)', params: z.object({ id: Uuid }), response: { 204: z.null() } },
  }, async (req, reply) => {
    await guard(req, { permission: 'visit.write' }, (tx) => deleteVisit(tx, origin(req), req.params.id, deps.now()));
    return reply.status(204).send(null);
  });
}
