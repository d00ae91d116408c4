import { z } from 'zod';
import type { ZApp } from '../../platform/http/app.js';
import type { Deps } from '../../platform/deps.js';
import { byIdOrCode } from '../../platform/db/refs.js';
import { idempotent } from '../../platform/http/idempotency.js';
import { errors } from '../../platform/http/problem.js';
import { decodeCursor, page, pageOf, pageQuery } from '../../platform/http/pagination.js';
import { audit } from '../../platform/audit/audit.service.js';
import { origin, type Guard } from '../identity/index.js';
import { iso, Uuid } from './consent-media.shared.js';
import { createTemplate, getTemplate, listTemplates, type TemplateRow } from './consent-templates.service.js';

/** A treatment named by id or catalogue code (BOT_MASSETER). */
export const TreatmentRef = z.string().trim().min(1).max(64);

export const TemplateDto = z.object({
  id: z.string(), treatment_id: z.string(), treatment_code: z.string(), treatment_name: z.string(), title: z.string(), body: z.string(),
  version: z.number().int(), is_current: z.boolean(), created_by: z.string().nullable(), created_at: z.string(),
});
const templateDto = (t: TemplateRow): z.infer<typeof TemplateDto> => ({
  id: t.id, treatment_id: t.treatment_id, treatment_code: t.treatment_code, treatment_name: t.treatment_name, title: t.title, body: t.body,
  version: t.version, is_current: t.is_current, created_by: t.created_by, created_at: iso(t.created_at)!,
});

const TemplateInput = z.object({
  treatment_id: TreatmentRef.describe('The treatment\'s id or code'),
  title: z.string().trim().min(1).max(300),
  body: z.string().trim().min(1).max(20_000),
});

/** Consent templates, versioned per treatment. */
export function consentTemplateRoutes(app: ZApp, _deps: Deps, guard: Guard) {
  app.post('/api/consent-templates', {
    schema: {
      tags: ['consents'], summary: 'Publish a consent template version for a treatment (version 1, or the next); it becomes the current one',
      body: TemplateInput, response: { 201: TemplateDto },
    },
  }, async (req, reply) => {
    const out = await guard(req, { permission: 'consent.write' }, (tx, p) => idempotent(tx, req, async () => {
      const t = await createTemplate(tx, origin(req), p.userId, { treatment: req.body.treatment_id, title: req.body.title, body: req.body.body });
      return { status: 201, body: templateDto(t) };
    }));
    return reply.status(out.status as 201).send(out.body as z.infer<typeof TemplateDto>);
  });

  app.get('/api/consent-templates', {
    schema: {
      tags: ['consents'], summary: 'Consent templates, newest first; filter by treatment (id or code) and current',
      querystring: z.object({ ...pageQuery, treatment_id: TreatmentRef.optional(), current: z.enum(['true', 'false']).optional() }),
      response: { 200: pageOf(TemplateDto) },
    },
  }, async (req) => guard(req, { permission: 'consent.read' }, async (tx) => {
    const q = req.query;
    const cursor = decodeCursor(q.cursor, z.object({ at: z.string(), id: Uuid }));
    const treatmentId = q.treatment_id
      ? (await byIdOrCode<{ id: string }>(tx, 'treatments', 'id', q.treatment_id, '#query/treatment_id')).id : undefined;
    const rows = await listTemplates(tx, { treatmentId, current: q.current === undefined ? undefined : q.current === 'true', limit: q.limit, cursor });
    return page(rows, q.limit, (t) => ({ at: iso(t.created_at), id: t.id }), templateDto);
  }));

  app.get('/api/consent-templates/:id', {
    schema: { tags: ['consents'], summary: 'A consent template version', params: z.object({ id: Uuid }), response: { 200: TemplateDto } },
  }, async (req) => guard(req, { permission: 'consent.read' }, async (tx) => {
    const t = await getTemplate(tx, req.params.id);
    if (!t) throw errors.notFound('consent template');
    await audit(tx, origin(req), { action: 'read', entityType: 'consent_template', entityId: t.id });
    return templateDto(t);
  }));
}
