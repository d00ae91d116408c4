import { z } from 'zod';
import type { ZApp } from '../../platform/http/app.js';
import type { Deps } from '../../platform/deps.js';
import { errors } from '../../platform/http/problem.js';
import { decodeCursor, page, pageOf, pageQuery } from '../../platform/http/pagination.js';
import { audit } from '../../platform/audit/audit.service.js';
import { origin, type Guard } from '../identity/index.js';
import { iso, Uuid } from './consent-media.shared.js';
import { getException, listExceptions, resolveException, type ExceptionRow } from './compliance.service.js';

const KINDS = ['missing_consent', 'contraindication_override'] as const;

const ExceptionDto = z.object({
  id: z.string(), kind: z.enum(KINDS), details: z.record(z.string(), z.unknown()), created_at: z.string(),
  open: z.boolean(), resolved_at: z.string().nullable(), resolved_by: z.string().nullable(), resolved_by_name: z.string().nullable(), resolution: z.string().nullable(),
  patient: z.object({ id: z.string(), code: z.string(), full_name: z.string() }),
  session: z.object({
    id: z.string(), performed_at: z.string().nullable(), session_no: z.number().int().nullable(), treatment_id: z.string().nullable(),
    treatment_code: z.string().nullable(), treatment_name: z.string().nullable(),
    recorded_by: z.string().nullable().describe('Who recorded the session (for an override, who overrode)'), recorded_by_name: z.string().nullable(),
    practitioner_name: z.string().nullable(),
  }).nullable(),
});
const exceptionDto = (e: ExceptionRow): z.infer<typeof ExceptionDto> => ({
  id: e.id, kind: e.kind as (typeof KINDS)[number], details: e.details, created_at: iso(e.created_at)!, open: e.resolved_at === null,
  resolved_at: iso(e.resolved_at), resolved_by: e.resolved_by, resolved_by_name: e.resolved_by_name, resolution: e.resolution,
  patient: { id: e.patient_id, code: e.patient_code, full_name: e.patient_name },
  session: e.session_id ? {
    id: e.session_id, performed_at: iso(e.session_performed_at), session_no: e.session_no, treatment_id: e.treatment_id,
    treatment_code: e.treatment_code, treatment_name: e.treatment_name,
    recorded_by: e.session_recorded_by, recorded_by_name: e.session_recorded_by_name, practitioner_name: e.practitioner_name,
  } : null,
});

/** The compliance worklist: sessions recorded without the current signed consent (flag policy), until resolved. */
export function complianceRoutes(app: ZApp, deps: Deps, guard: Guard) {
  app.get('/api/compliance/exceptions', {
    schema: {
      tags: ['compliance'], summary: 'Compliance exceptions with patient and session, newest first; ?open=true for the worklist',
      querystring: z.object({ ...pageQuery, open: z.enum(['true', 'false']).optional(), patient_id: Uuid.optional(), kind: z.enum(KINDS).optional() }),
      response: { 200: pageOf(ExceptionDto) },
    },
  }, async (req) => guard(req, { permission: 'consent.read' }, async (tx) => {
    const q = req.query;
    const cursor = decodeCursor(q.cursor, z.object({ at: z.string(), id: Uuid }));
    const rows = await listExceptions(tx, {
      open: q.open === undefined ? undefined : q.open === 'true', patientId: q.patient_id, kind: q.kind, limit: q.limit, cursor,
    });
    await audit(tx, origin(req), { action: 'list', entityType: 'compliance_exception', details: { open: q.open ?? null, count: Math.min(rows.length, q.limit) } });
    return page(rows, q.limit, (e) => ({ at: iso(e.created_at), id: e.id }), exceptionDto);
  }));

  app.get('/api/compliance/exceptions/:id', {
    schema: { tags: ['compliance'], summary: 'A compliance exception', params: z.object({ id: Uuid }), response: { 200: ExceptionDto } },
  }, async (req) => guard(req, { permission: 'consent.read' }, async (tx) => {
    const e = await getException(tx, req.params.id);
    if (!e) throw errors.notFound('compliance exception');
    await audit(tx, origin(req), { action: 'read', entityType: 'compliance_exception', entityId: e.id });
    return exceptionDto(e);
  }));

  app.post('/api/compliance/exceptions/:id/resolve', {
    schema: {
      tags: ['compliance'], summary: 'Resolve an exception, saying how (e.g. consent signed after the session)',
      params: z.object({ id: Uuid }), body: z.object({ resolution: z.string().trim().min(1).max(2000) }), response: { 200: ExceptionDto },
    },
  }, async (req) => guard(req, { permission: 'consent.write' }, async (tx, p) =>
    exceptionDto(await resolveException(tx, origin(req), req.params.id, p.userId, req.body.resolution, deps.now()))));
}
