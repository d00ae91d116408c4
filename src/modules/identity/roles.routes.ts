import { z } from 'zod';
import type { ZApp } from '../../platform/http/app.js';
import type { Deps } from '../../platform/deps.js';
import { idempotent } from '../../platform/http/idempotency.js';
import { audit } from '../../platform/audit/audit.service.js';
import { origin, type Guard } from './guard.js';
import { Uuid } from './identity.dto.js';
import { createRole, deleteRole, listPermissions, listRoles, updateRole, type RoleRow } from './roles.service.js';

const RoleDto = z.object({
  id: z.string(), name: z.string(), description: z.string(), builtin: z.boolean(), permissions: z.array(z.string()), member_count: z.number(),
});
const roleDto = (r: RoleRow): z.infer<typeof RoleDto> => ({
  id: r.id, name: r.name, description: r.description, builtin: r.builtin, permissions: r.permissions, member_count: r.member_count,
});

const RoleInput = z.object({
  name: z.string().trim().min(2).max(60),
  description: z.string().trim().max(500).optional(),
  permissions: z.array(z.string().max(100)).max(200).transform((ps) => [...new Set(ps)]),
});

/**
 * Roles of the acting organization (built-in and custom) and the permission catalogue. Reading
 * roles needs member.read, like the member list that shows them: every staff role can see what
 * the roles it sees on colleagues mean, and whoever assigns roles (member.manage) can pick one.
 */
export function roleRoutes(app: ZApp, _deps: Deps, guard: Guard) {
  app.get('/api/roles', {
    schema: { tags: ['roles'], summary: 'Built-in and custom roles with their permissions', response: { 200: z.object({ items: z.array(RoleDto) }) } },
  }, async (req) => guard(req, { permission: 'member.read' }, async (tx, p) => {
    const roles = await listRoles(tx, p.orgId!);
    await audit(tx, origin(req), { action: 'list', entityType: 'role', details: { count: roles.length } });
    return { items: roles.map(roleDto) };
  }));

  app.post('/api/roles', {
    schema: { tags: ['roles'], summary: 'Create a custom role (only with permissions you hold)', body: RoleInput, response: { 201: RoleDto } },
  }, async (req, reply) => {
    const out = await guard(req, { permission: 'role.manage' }, (tx, p) => idempotent(tx, req, async () =>
      ({ status: 201, body: roleDto(await createRole(tx, origin(req), p, p.orgId!, req.body)) })));
    return reply.status(out.status as 201).send(out.body as z.infer<typeof RoleDto>);
  });

  app.patch('/api/roles/:id', {
    schema: { tags: ['roles'], summary: 'Change a custom role', params: z.object({ id: Uuid }), body: RoleInput.partial(), response: { 200: RoleDto } },
  }, async (req) => guard(req, { permission: 'role.manage' }, async (tx, p) =>
    roleDto(await updateRole(tx, origin(req), p, p.orgId!, req.params.id, req.body))));

  app.delete('/api/roles/:id', {
    schema: { tags: ['roles'], summary: 'Delete a custom role nobody holds', params: z.object({ id: Uuid }), response: { 204: z.null() } },
  }, async (req, reply) => {
    await guard(req, { permission: 'role.manage' }, (tx, p) => deleteRole(tx, origin(req), p.orgId!, req.params.id));
    return reply.status(204).send(null);
  });

  app.get('/api/permissions', {
    schema: {
      tags: ['roles'], summary: 'The permission catalogue (the same for every organization)',
      response: { 200: z.object({ items: z.array(z.object({ name: z.string(), description: z.string(), context: z.string() })) }) },
    },
  }, async (req) => guard(req, {}, async (tx) => ({ items: await listPermissions(tx) })));
}
