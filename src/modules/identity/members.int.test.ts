import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testVisage, type Res, type TestVisage } from '../../../test/helpers.js';
import { audited, joinAs } from './invitations.fixtures.js';

let t: TestVisage;
beforeAll(async () => { t = await testVisage(); });
afterAll(async () => { await t?.close(); });

const ownerMembership = async (token: string) => (await t.call('GET', '/api/members', { token })).body.items.find((m: { roles: string[] }) => m.roles.includes('owner')).id as string;

describe('listing members', () => {
  it('lists by name with roles, searches name and email, pages by cursor, and audits one event', async () => {
    const o = await t.owner();
    const desk = await joinAs(t, o, 'front_desk', { title: 'Reception' });
    await joinAs(t, o, 'marketer');
    const { res, events } = await audited(t, o.orgId, 'GET', '/api/members', { token: desk.token });
    expect(res.status).toBe(200);
    expect(res.body.items.map((m: { full_name: string }) => m.full_name)).toEqual(['Staff front_desk', 'Staff marketer', 'Test Owner']);
    expect(res.body.items[0]).toEqual({
      id: desk.membershipId, user_id: desk.userId, email: desk.email, full_name: 'Staff front_desk', title: 'Reception', status: 'active',
      roles: ['front_desk'], created_at: expect.any(String),
    });
    expect(events).toEqual([expect.objectContaining({ action: 'list', entity_type: 'membership' })]);

    const byEmail = await t.call('GET', `/api/members?q=${encodeURIComponent(o.email.toUpperCase())}`, { token: o.token });
    expect(byEmail.body.items.map((m: { user_id: string }) => m.user_id)).toEqual([o.userId]);
    const wildcard = await t.call('GET', '/api/members?q=%25', { token: o.token });
    expect(wildcard.body.items).toEqual([]);

    const seen: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const p: Res = await t.call('GET', `/api/members?limit=1${cursor ? `&cursor=${cursor}` : ''}`, { token: o.token });
      seen.push(...p.body.items.map((m: { full_name: string }) => m.full_name));
      cursor = p.body.next_cursor;
    }
    expect(seen).toEqual(['Staff front_desk', 'Staff marketer', 'Test Owner']);
  });
});

describe('changing members', () => {
  it('changes roles, title and status in one audited update; a suspended member loses access until reactivated', async () => {
    const o = await t.owner();
    const staff = await joinAs(t, o, 'front_desk');
    const { res, events } = await audited(t, o.orgId, 'PATCH', `/api/members/${staff.membershipId}`, {
      token: o.token, body: { roles: ['practitioner', 'front_desk'], title: 'Nurse' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ roles: ['front_desk', 'practitioner'], title: 'Nurse', status: 'active' });
    expect(events).toEqual([expect.objectContaining({
      action: 'update', entity_type: 'membership', entity_id: staff.membershipId,
      details: { fields: ['roles', 'title'], added: ['practitioner'], removed: [] },
    })]);
    expect((await t.call('GET', '/api/me', { token: staff.token })).body.permissions).toContain('medical.read');

    expect((await t.call('PATCH', `/api/members/${staff.membershipId}`, { token: o.token, body: { status: 'suspended', title: null } })).body)
      .toMatchObject({ status: 'suspended', title: null });
    const locked = await t.call('GET', '/api/members', { token: staff.token, org: o.orgId });
    expect(locked.status).toBe(403);
    expect(locked.body.code).toBe('not_a_member');
    await t.call('PATCH', `/api/members/${staff.membershipId}`, { token: o.token, body: { status: 'active' } });
    expect((await t.call('GET', '/api/members', { token: staff.token, org: o.orgId })).status).toBe(200);
  });

  it('refuses unknown roles with a pointer to the entry', async () => {
    const o = await t.owner();
    const staff = await joinAs(t, o, 'front_desk');
    const r = await t.call('PATCH', `/api/members/${staff.membershipId}`, { token: o.token, body: { roles: ['front_desk', 'astronaut'] } });
    expect(r.status).toBe(422);
    expect(r.body.errors).toEqual([{ pointer: '/roles/1', message: 'unknown role' }]);
  });

  it('never leaves the organization without an active owner', async () => {
    const o = await t.owner();
    const mine = await ownerMembership(o.token);
    for (const body of [{ roles: ['manager'] }, { status: 'suspended' }]) {
      const r = await t.call('PATCH', `/api/members/${mine}`, { token: o.token, body });
      expect(r.status).toBe(409);
      expect(r.body.code).toBe('last_owner');
    }
    const leave = await t.call('DELETE', `/api/members/${mine}`, { token: o.token });
    expect(leave.status).toBe(409);
    expect(leave.body.code).toBe('last_owner');
    expect((await t.call('GET', '/api/members', { token: o.token })).body.items[0]).toMatchObject({ roles: ['owner'], status: 'active' });

    const second = await joinAs(t, o, 'manager');
    expect((await t.call('PATCH', `/api/members/${second.membershipId}`, { token: o.token, body: { roles: ['owner'] } })).status).toBe(200);
    expect((await t.call('PATCH', `/api/members/${mine}`, { token: o.token, body: { roles: ['manager'] } })).status).toBe(200);
    const lastNow = await t.call('DELETE', `/api/members/${second.membershipId}`, { token: second.token });
    expect(lastNow.body.code).toBe('last_owner');
  });

  it('only owners grant the owner role or touch an owner; nobody grants permissions they lack', async () => {
    const o = await t.owner();
    const manager = await joinAs(t, o, 'manager');
    const staff = await joinAs(t, o, 'front_desk');
    const grant = await t.call('PATCH', `/api/members/${staff.membershipId}`, { token: manager.token, body: { roles: ['owner'] } });
    expect(grant.status).toBe(403);
    expect(grant.body.code).toBe('owner_required');
    const demote = await t.call('PATCH', `/api/members/${await ownerMembership(o.token)}`, { token: manager.token, body: { status: 'suspended' } });
    expect(demote.status).toBe(403);
    expect(demote.body.code).toBe('owner_required');

    const custom = await t.call('POST', '/api/roles', { token: o.token, body: { name: 'Role admin', permissions: ['role.manage', 'member.read'] } });
    const escalate = await t.call('PATCH', `/api/members/${manager.membershipId}`, { token: manager.token, body: { roles: ['manager', 'Role admin'] } });
    expect(escalate.status).toBe(403);
    expect(escalate.body).toMatchObject({ code: 'permission_not_held', errors: [{ pointer: '/roles/1' }] });
    expect((await t.call('PATCH', `/api/members/${manager.membershipId}`, { token: o.token, body: { roles: ['manager', custom.body.name] } })).status).toBe(200);
  });

  it('front desk and marketers get 403 on every member.manage endpoint', async () => {
    const o = await t.owner();
    const target = await joinAs(t, o, 'practitioner');
    for (const role of ['front_desk', 'marketer']) {
      const staff = await joinAs(t, o, role);
      const patch = await t.call('PATCH', `/api/members/${target.membershipId}`, { token: staff.token, body: { title: 'x' } });
      expect(patch.status).toBe(403);
      expect(patch.body.code).toBe('forbidden');
      expect((await t.call('DELETE', `/api/members/${target.membershipId}`, { token: staff.token })).status).toBe(403);
      expect((await t.call('GET', '/api/members', { token: staff.token })).status).toBe(200);
    }
    expect((await t.call('GET', `/api/members?q=${encodeURIComponent(target.email)}`, { token: o.token })).body.items[0].title).toBeNull();
  });

  it('never persists extra fields such as user_id or org_id', async () => {
    const a = await t.owner();
    const b = await t.owner();
    const staff = await joinAs(t, a, 'front_desk');
    const r = await t.call('PATCH', `/api/members/${staff.membershipId}`, {
      token: a.token, body: { title: 'Coordinator', user_id: a.userId, org_id: b.orgId, created_at: '2000-01-01T00:00:00Z' },
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ user_id: staff.userId, title: 'Coordinator' });
    expect(r.body.created_at).not.toBe('2000-01-01T00:00:00.000Z');
    expect((await t.call('GET', '/api/members', { token: b.token })).body.items).toHaveLength(1);
  });

  it("answers another organization's member id exactly like a missing one, and changes nothing there", async () => {
    const a = await t.owner();
    const b = await t.owner();
    const theirs = await joinAs(t, b, 'front_desk');
    const missing = '018f0000-0000-7000-8000-000000000000';
    for (const [method, body] of [['PATCH', { title: 'hijacked' }], ['DELETE', undefined]] as const) {
      const foreign = await t.call(method, `/api/members/${theirs.membershipId}`, { token: a.token, body });
      const none = await t.call(method, `/api/members/${missing}`, { token: a.token, body });
      expect(foreign.status).toBe(404);
      expect({ ...foreign.body, instance: 0, request_id: 0 }).toEqual({ ...none.body, instance: 0, request_id: 0 });
    }
    const stillThere = await t.call('GET', `/api/members?q=${encodeURIComponent(theirs.email)}`, { token: b.token });
    expect(stillThere.body.items[0]).toMatchObject({ id: theirs.membershipId, title: null });
  });
});

describe('removing members', () => {
  it('removes a member with one audited delete; they can no longer act in the organization', async () => {
    const o = await t.owner();
    const staff = await joinAs(t, o, 'accountant');
    const { res, events } = await audited(t, o.orgId, 'DELETE', `/api/members/${staff.membershipId}`, { token: o.token });
    expect(res.status).toBe(204);
    expect(events).toEqual([expect.objectContaining({ action: 'delete', entity_type: 'membership', entity_id: staff.membershipId })]);
    expect((await t.call('GET', '/api/members', { token: staff.token, org: o.orgId })).body.code).toBe('not_a_member');
    expect((await t.call('GET', '/api/members', { token: o.token })).body.items).toHaveLength(1);
  });
});
