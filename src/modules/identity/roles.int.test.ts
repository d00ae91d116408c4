import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testVisage, type TestVisage } from '../../../test/helpers.js';
import { BUILTIN_ROLES, PERMISSIONS } from './permissions.js';
import { audited, joinAs } from './invitations.fixtures.js';

let t: TestVisage;
beforeAll(async () => { t = await testVisage(); });
afterAll(async () => { await t?.close(); });

interface Role { id: string; name: string; builtin: boolean; permissions: string[]; member_count: number }
const rolesOf = async (token: string): Promise<Role[]> => (await t.call('GET', '/api/roles', { token })).body.items;

describe('reading roles and permissions', () => {
  it('every staff member sees the built-in roles with their permissions and member counts (one audit event)', async () => {
    const o = await t.owner();
    const desk = await joinAs(t, o, 'front_desk');
    const { res, events } = await audited(t, o.orgId, 'GET', '/api/roles', { token: desk.token });
    expect(res.status).toBe(200);
    expect(res.body.items.map((r: Role) => r.name).sort()).toEqual(Object.keys(BUILTIN_ROLES).sort());
    const owner = res.body.items.find((r: Role) => r.name === 'owner');
    expect(owner).toMatchObject({ builtin: true, member_count: 1 });
    expect(owner.permissions).toEqual([...BUILTIN_ROLES.owner!.permissions].sort());
    expect(res.body.items.find((r: Role) => r.name === 'front_desk').member_count).toBe(1);
    expect(events).toEqual([expect.objectContaining({ action: 'list', entity_type: 'role' })]);
  });

  it('lists the permission catalogue', async () => {
    const o = await t.owner();
    const r = await t.call('GET', '/api/permissions', { token: o.token });
    expect(r.body.items).toHaveLength(Object.keys(PERMISSIONS).length);
    expect(r.body.items).toContainEqual({ name: 'medical.read', description: PERMISSIONS['medical.read'], context: 'medical' });
  });
});

describe('custom roles', () => {
  it('creates a role (one audit event) whose holders get exactly its permissions; edits reach them', async () => {
    const o = await t.owner();
    const { res, events } = await audited(t, o.orgId, 'POST', '/api/roles', {
      token: o.token, body: { name: 'Lead nurse', description: 'Nurses plus stock', permissions: ['inventory.write', 'patient.read', 'patient.read'] },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.any(String), name: 'Lead nurse', description: 'Nurses plus stock', builtin: false, permissions: ['inventory.write', 'patient.read'], member_count: 0 });
    expect(events).toEqual([expect.objectContaining({ action: 'create', entity_type: 'role', entity_id: res.body.id })]);

    const nurse = await joinAs(t, o, 'Lead nurse');
    expect((await t.call('GET', '/api/me', { token: nurse.token })).body.permissions).toEqual(['inventory.write', 'patient.read']);
    const edit = await audited(t, o.orgId, 'PATCH', `/api/roles/${res.body.id}`, { token: o.token, body: { name: 'Head nurse', permissions: ['patient.read', 'appointment.read'] } });
    expect(edit.res.body).toMatchObject({ name: 'Head nurse', description: 'Nurses plus stock', permissions: ['appointment.read', 'patient.read'], member_count: 1 });
    expect(edit.events).toEqual([expect.objectContaining({ action: 'update', entity_type: 'role' })]);
    expect((await t.call('GET', '/api/me', { token: nurse.token })).body.permissions).toEqual(['appointment.read', 'patient.read']);
  });

  it('refuses duplicate names (any case, built-in included), unknown permissions (422 with pointer) and permissions the caller lacks', async () => {
    const o = await t.owner();
    await t.call('POST', '/api/roles', { token: o.token, body: { name: 'Laser tech', permissions: [] } });
    for (const name of ['laser TECH', 'Owner']) {
      const dup = await t.call('POST', '/api/roles', { token: o.token, body: { name, permissions: [] } });
      expect(dup.status).toBe(409);
      expect(dup.body.code).toBe('role_name_taken');
    }
    const unknown = await t.call('POST', '/api/roles', { token: o.token, body: { name: 'X1', permissions: ['patient.read', 'patient.fly'] } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors).toEqual([{ pointer: '/permissions/1', message: 'unknown permission "patient.fly"' }]);
    const notHeld = await t.call('POST', '/api/roles', { token: o.token, body: { name: 'X2', permissions: ['platform.admin'] } });
    expect(notHeld.status).toBe(403);
    expect(notHeld.body.code).toBe('permission_not_held');
    const bad = await t.call('POST', '/api/roles', { token: o.token, body: { name: 'X3' } });
    expect(bad.status).toBe(422);
    expect((await rolesOf(o.token)).filter((r) => !r.builtin).map((r) => r.name)).toEqual(['Laser tech']);
  });

  it('needs role.manage: a manager may read roles but not create, change or delete them', async () => {
    const o = await t.owner();
    const manager = await joinAs(t, o, 'manager');
    const role = await t.call('POST', '/api/roles', { token: o.token, body: { name: 'Temp', permissions: [] } });
    expect((await t.call('GET', '/api/roles', { token: manager.token })).status).toBe(200);
    expect((await t.call('POST', '/api/roles', { token: manager.token, body: { name: 'Mine', permissions: [] } })).status).toBe(403);
    expect((await t.call('PATCH', `/api/roles/${role.body.id}`, { token: manager.token, body: { name: 'Renamed' } })).status).toBe(403);
    expect((await t.call('DELETE', `/api/roles/${role.body.id}`, { token: manager.token })).status).toBe(403);
  });

  it('built-in roles are read-only; a role in use cannot be deleted; an unused one can (one audit event)', async () => {
    const o = await t.owner();
    const owner = (await rolesOf(o.token)).find((r) => r.name === 'owner')!;
    for (const [method, body] of [['PATCH', { permissions: [] }], ['DELETE', undefined]] as const) {
      const r = await t.call(method, `/api/roles/${owner.id}`, { token: o.token, body });
      expect(r.status).toBe(403);
      expect(r.body.code).toBe('builtin_role');
    }
    const role = await t.call('POST', '/api/roles', { token: o.token, body: { name: 'Seasonal', permissions: ['appointment.read'] } });
    const staff = await joinAs(t, o, 'front_desk');
    await t.call('PATCH', `/api/members/${staff.membershipId}`, { token: o.token, body: { roles: ['front_desk', 'Seasonal'] } });
    const inUse = await t.call('DELETE', `/api/roles/${role.body.id}`, { token: o.token });
    expect(inUse.status).toBe(409);
    expect(inUse.body.code).toBe('role_in_use');
    await t.call('PATCH', `/api/members/${staff.membershipId}`, { token: o.token, body: { roles: ['front_desk'] } });
    const { res, events } = await audited(t, o.orgId, 'DELETE', `/api/roles/${role.body.id}`, { token: o.token });
    expect(res.status).toBe(204);
    expect(events).toEqual([expect.objectContaining({ action: 'delete', entity_type: 'role', entity_id: role.body.id })]);
    expect((await rolesOf(o.token)).some((r) => r.id === role.body.id)).toBe(false);
  });

  it('a role offered by a pending invitation is in use; once withdrawn, the role can go and the invitation keeps its name', async () => {
    const o = await t.owner();
    const role = await t.call('POST', '/api/roles', { token: o.token, body: { name: 'Trainee', permissions: [] } });
    const inv = await t.call('POST', '/api/invitations', { token: o.token, body: { email: 'trainee@test.visage.local', role: 'Trainee' } });
    expect((await t.call('DELETE', `/api/roles/${role.body.id}`, { token: o.token })).body.code).toBe('role_in_use');
    expect((await t.call('DELETE', `/api/invitations/${inv.body.id}`, { token: o.token })).status).toBe(204);
    expect((await t.call('DELETE', `/api/roles/${role.body.id}`, { token: o.token })).status).toBe(204);
    const list = await t.call('GET', '/api/invitations', { token: o.token });
    expect(list.body.items).toEqual([expect.objectContaining({ id: inv.body.id, role: 'Trainee', status: 'revoked' })]);
  });
});

describe('tenancy of roles', () => {
  it("another organization's role is invisible and answers 404 like a missing id; extra fields are not persisted", async () => {
    const a = await t.owner();
    const b = await t.owner();
    const theirs = await t.call('POST', '/api/roles', { token: b.token, body: { name: 'B only', permissions: ['org.read'], org_id: a.orgId, builtin: true, member_count: 9 } });
    expect(theirs.body).toMatchObject({ builtin: false, member_count: 0 });
    expect((await rolesOf(a.token)).some((r) => r.name === 'B only')).toBe(false);
    expect((await rolesOf(b.token)).some((r) => r.name === 'B only')).toBe(true);
    const missing = '018f0000-0000-7000-8000-000000000000';
    for (const [method, body] of [['PATCH', { name: 'stolen' }], ['DELETE', undefined]] as const) {
      const foreign = await t.call(method, `/api/roles/${theirs.body.id}`, { token: a.token, body });
      const none = await t.call(method, `/api/roles/${missing}`, { token: a.token, body });
      expect(foreign.status).toBe(404);
      expect({ ...foreign.body, instance: 0, request_id: 0 }).toEqual({ ...none.body, instance: 0, request_id: 0 });
    }
    const grant = await t.call('POST', '/api/invitations', { token: a.token, body: { email: 'b-only@test.visage.local', role: 'B only' } });
    expect(grant.status).toBe(422);
    expect((await rolesOf(b.token)).find((r) => r.id === theirs.body.id)?.name).toBe('B only');
  });
});
