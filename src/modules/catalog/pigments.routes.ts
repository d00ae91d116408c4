import { z } from 'zod';
import type { ZApp } from '../../platform/http/app.js';
import type { Deps } from '../../platform/deps.js';
import { idempotent } from '../../platform/http/idempotency.js';
import { decodeCursor, page, pageOf, pageQuery } from '../../platform/http/pagination.js';
import { audit } from '../../platform/audit/audit.service.js';
import { origin, type Guard } from '../identity/index.js';
import { createPigment, deletePigment, getPigment, listPigments, updatePigment, type PigmentRow } from './pigments.service.js';

const PigmentDto = z.object({
  id: z.string(), brand: z.string(), color: z.string(), undertone: z.string().nullable(), notes: z.string().nullable(), is_active: z.boolean(),
  created_at: z.string(), updated_at: z.string(),
});
type PigmentDto = z.infer<typeof PigmentDto>;
const pigmentDto = (p: PigmentRow): PigmentDto => ({
  id: p.id, brand: p.brand, color: p.color, undertone: p.undertone, notes: p.notes, is_active: p.is_active,
  created_at: new Date(p.created_at).toISOString(), updated_at: new Date(p.updated_at).toISOString(),
});

const Name = z.string().trim().min(1).max(120);
const PigmentBody = z.object({
  brand: Name, color: Name,
  undertone: z.string().trim().max(60).nullable().optional(),
  notes: z.string().trim().max(2000).nullable().optional(),
  is_active: z.boolean().optional(),
});
const toInput = (b: Partial<z.infer<typeof PigmentBody>>) => ({ brand: b.brand, color: b.color, undertone: b.undertone, notes: b.notes, isActive: b.is_active });
const Id = z.object({ id: z.string().uuid() });

/** Seed 001 pigment library (brand, colour, undertone). Read with treatment.read, change with treatment.manage. */
export function pigmentRoutes(app: ZApp, _deps: Deps, guard: Guard) {
  app.get('/api/pigments', {
    schema: {
      tags: ['catalog'], summary: 'The pigment library by brand and colour',
      querystring: z.object({ ...pageQuery, q: z.string().trim().max(200).optional(), active: z.enum(['true', 'false']).optional() }),
      response: { 200: pageOf(PigmentDto) },
    },
  }, async (req) => guard(req, { permission: 'treatment.read' }, async (tx) => {
    const q = req.query;
    const cursor = decodeCursor(q.cursor, z.object({ k: z.string(), id: z.string().uuid() }));
    const rows = await listPigments(tx, { q: q.q || undefined, active: q.active === undefined ? undefined : q.active === 'true', limit: q.limit, cursor });
    await audit(tx, origin(req), { action: 'list', entityType: 'pigment', details: { count: Math.min(rows.length, q.limit) } });
    return page(rows, q.limit, (p) => ({ k: p.sort_key, id: p.id }), pigmentDto);
  }));

  app.get('/api/pigments/:id', {
    schema: { tags: ['catalog'], summary: 'A pigment', params: Id, response: { 200: PigmentDto } },
  }, async (req) => guard(req, { permission: 'treatment.read' }, async (tx) => {
    const row = await getPigment(tx, req.params.id);
    await audit(tx, origin(req), { action: 'read', entityType: 'pigment', entityId: row.id });
    return pigmentDto(row);
  }));

  app.post('/api/pigments', {
    schema: { tags: ['catalog'], summary: 'Add a pigment to the library', body: PigmentBody, response: { 201: PigmentDto } },
  }, async (req, reply) => {
    const out = await guard(req, { permission: 'treatment.manage' }, (tx) => idempotent(tx, req, async () =>
      ({ status: 201, body: pigmentDto(await createPigment(tx, origin(req), { ...toInput(req.body), brand: req.body.brand, color: req.body.color })) })));
    return reply.status(out.status as 201).send(out.body as PigmentDto);
  });

  app.patch('/api/pigments/:id', {
    schema: { tags: ['catalog'], summary: 'Change a pigment (partial)', params: Id, body: PigmentBody.partial(), response: { 200: PigmentDto } },
  }, async (req) => guard(req, { permission: 'treatment.manage' }, async (tx) =>
    pigmentDto(await updatePigment(tx, origin(req), req.params.id, toInput(req.body)))));

  app.delete('/api/pigments/:id', {
    schema: { tags: ['catalog'], summary: 'Retire a pigment (soft delete)', params: Id, response: { 204: z.null() } },
  }, async (req, reply) => {
    await guard(req, { permission: 'treatment.manage' }, (tx) => deletePigment(tx, origin(req), req.params.id));
    return reply.status(204).send(null);
  });
}
