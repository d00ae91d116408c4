import { z } from 'zod';
import type { ZApp } from '../../platform/http/app.js';
import type { Deps } from '../../platform/deps.js';
import { decodeCursor, page, pageOf, pageQuery } from '../../platform/http/pagination.js';
import { audit } from '../../platform/audit/audit.service.js';
import { origin, type Guard } from './guard.js';
import { iso, Uuid } from './identity.dto.js';
import { listMembers, removeMember, updateMember, type MemberRow } from './members.service.js';

const MemberDto = z.object({
  id: z.string(), user_id: z.string(), email: z.string(), full_name: z.string(), title: z.string().nullable(),
  status: z.string(), roles: z.array(z.string()), created_at: z.string(),
});
const memberDto = (m: MemberRow): z.infer<typeof MemberDto> => ({
  id: m.id, user_id: m.user_id, email: m.email, full_name: m.full_name, title: m.title, status: m.status, roles: m.roles, created_at: iso(m.created_at)!,
});

const MemberPatch = z.object({
  roles: z.array(z.string().trim().min(1).max(60)).min(1).max(20).optional(),
  status: z.enum(['active', 'suspended']).optional(),
  title: z.string().trim().max(100).nullable().optional(),
});

/** Staff of the acting organization: list, change roles/status/title, remove. */
export function memberRoutes(app: ZApp, _deps: Deps, guard: Guard) {
  app.get('/api/members', {
    schema: {
      tags: ['members'], summary: 'Members of the acting organization, by name',
      querystring: z.object({ ...pageQuery, q: z.string().trim().max(200).optional() }),
      response: { 200: pageOf(MemberDto) },
    },
  }, async (req) => guard(req, { permission: 'member.read' }, async (tx, p) => {
    const q = req.query;
    const cursor = decodeCursor(q.cursor, z.object({ name: z.string(), id: z.string().uuid() }));
    const rows = await listMembers(tx, p.orgId!, { q: q.q || undefined, limit: q.limit, cursor });
    await audit(tx, origin(req), { action: 'list', entityType: 'membership', details: { count: Math.min(rows.length, q.limit), search: Boolean(q.q) } });
    return page(rows, q.limit, (m) => ({ name: m.sort_name, id: m.id }), memberDto);
  }));

  app.patch('/api/members/:id', {
    schema: {
      tags: ['members'], summary: 'Change a member\'s roles, status or title (the organization keeps at least one active owner)',
      params: z.object({ id: Uuid }), body: MemberPatch, response: { 200: MemberDto },
    },
  }, async (req) => guard(req, { permission: 'member.manage' }, async (tx, p) =>
    memberDto(await updateMember(tx, origin(req), p, p.orgId!, req.params.id, req.body))));

  app.delete('/api/members/:id', {
    schema: { tags: ['members'], summary: 'Remove a member from the organization', params: z.object({ id: Uuid }), response: { 204: z.null() } },
  }, async (req, reply) => {
    await guard(req, { permission: 'member.manage' }, (tx, p) => removeMember(tx, origin(req), p, p.orgId!, req.params.id));
    return reply.status(204).send(null);
  });
}
