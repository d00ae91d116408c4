import { z } from 'zod';
import type { ZApp } from '../http/app.js';
import { decodeCursor, page, pageOf, pageQuery } from '../http/pagination.js';
import { listAudit } from './audit.service.js';
import type { Guard } from '../../modules/identity/index.js';

const AuditDto = z.object({
  id: z.string(), occurred_at: z.string(), org_id: z.string().nullable(), actor_user_id: z.string().nullable(), actor_type: z.string(),
  actor_name: z.string().nullable(), action: z.string(), entity_type: z.string(), entity_id: z.string().nullable(), outcome: z.string(),
  request_id: z.string().nullable(), ip: z.string().nullable(), details: z.record(z.string(), z.unknown()),
});

/** Owners browse and filter their organization's audit trail. */
export function auditRoutes(app: ZApp, guard: Guard) {
  app.get('/api/audit', {
    schema: {
      tags: ['audit'], summary: 'Browse the audit log of the acting organization (newest first)',
      querystring: z.object({
        ...pageQuery,
        entity_type: z.string().max(100).optional(), entity_id: z.string().max(100).optional(), action: z.string().max(50).optional(),
        actor_user_id: z.string().uuid().optional(), outcome: z.enum(['success', 'failure', 'denied']).optional(),
        from: z.coerce.date().optional(), to: z.coerce.date().optional(),
      }),
      response: { 200: pageOf(AuditDto) },
    },
  }, async (req) => guard(req, { permission: 'audit.read' }, async (tx) => {
    const q = req.query;
    const cursor = decodeCursor(q.cursor, z.object({ at: z.string(), id: z.string().uuid() }));
    const rows = await listAudit(tx, {
      entityType: q.entity_type, entityId: q.entity_id, action: q.action, actorUserId: q.actor_user_id, outcome: q.outcome,
      from: q.from, to: q.to, limit: q.limit, cursor,
    });
    return page(rows, q.limit, (r) => ({ at: new Date(r.occurred_at).toISOString(), id: r.id }), (r) => ({ ...r, occurred_at: new Date(r.occurred_at).toISOString() }));
  }));
}
