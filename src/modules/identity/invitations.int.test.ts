import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testVisage, uniqueEmail, type TestVisage } from '../../../test/helpers.js';
import { sha256 } from '../../platform/crypto.js';
import { audited, auditText, invitationTokenFor, joinAs } from './invitations.fixtures.js';

let t: TestVisage;
beforeAll(async () => { t = await testVisage(); });
afterAll(async () => { await t?.close(); });

const DAY = 86_400_000;

describe('inviting staff', () => {
  it('creates a pending invitation, mails a single link, stores only its hash and audits one event without the token', async () => {
    const o = await t.owner({ orgName: 'Jade Clinic' });
    const email = uniqueEmail('nurse');
    const { res, events } = await audited(t, o.orgId, 'POST', '/api/invitations', { token: o.token, body: { email, role: 'practitioner', title: 'Nurse' } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String), email, role: 'practitioner', title: 'Nurse', status: 'pending',
      expires_at: expect.any(String), created_at: expect.any(String), invited_by: o.userId,
    });
    const ttl = new Date(res.body.expires_at).getTime() - new Date(res.body.created_at).getTime();
    expect(ttl).toBe(7 * DAY);
    expect(events).toEqual([expect.objectContaining({ action: 'invite', entity_type: 'invitation', entity_id: res.body.id })]);

    const token = await invitationTokenFor(t, email);
    const mail = t.mail.filter((m) => m.to === email);
    expect(mail).toHaveLength(1);
    expect(mail[0]!.text).toContain(`${t.visage.deps.config.publicUrl}/invite?token=${token}`);
    expect(mail[0]!.text).toContain('Jade Clinic');
    const [stored] = await t.db.run({ scope: 'tenant', orgId: o.orgId }, (tx) => tx.query<{ token_hash: string }>('SELECT token_hash FROM invitations WHERE id = $1', [res.body.id]));
    expect(stored!.token_hash).toBe(sha256(token));
    expect(JSON.stringify(res.body)).not.toContain(token);
    expect(await auditText(t, o.orgId)).not.toContain(token);
  });

  it('refuses a second pending invitation, an existing member and an unknown role, with clear codes', async () => {
    const o = await t.owner();
    const email = uniqueEmail('dup');
    expect((await t.call('POST', '/api/invitations', { token: o.token, body: { email, role: 'front_desk' } })).status).toBe(201);
    const again = await t.call('POST', '/api/invitations', { token: o.token, body: { email: email.toUpperCase(), role: 'marketer' } });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('invitation_pending');
    const member = await t.call('POST', '/api/invitations', { token: o.token, body: { email: o.email, role: 'manager' } });
    expect(member.status).toBe(409);
    expect(member.body.code).toBe('already_member');
    const unknown = await t.call('POST', '/api/invitations', { token: o.token, body: { email: uniqueEmail('x'), role: 'wizard' } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors).toEqual([{ pointer: '/role', message: 'unknown role' }]);
  });

  it('only owners invite owners; front desk and marketers cannot manage invitations at all', async () => {
    const o = await t.owner();
    const manager = await joinAs(t, o, 'manager');
    const asOwner = await t.call('POST', '/api/invitations', { token: manager.token, body: { email: uniqueEmail('boss'), role: 'owner' } });
    expect(asOwner.status).toBe(403);
    expect(asOwner.body.code).toBe('owner_required');
    expect((await t.call('POST', '/api/invitations', { token: manager.token, body: { email: uniqueEmail('desk'), role: 'front_desk' } })).status).toBe(201);

    const pending = await t.call('POST', '/api/invitations', { token: o.token, body: { email: uniqueEmail('p'), role: 'accountant' } });
    for (const role of ['front_desk', 'marketer']) {
      const staff = await joinAs(t, o, role);
      expect((await t.call('POST', '/api/invitations', { token: staff.token, body: { email: uniqueEmail('y'), role: 'front_desk' } })).status).toBe(403);
      expect((await t.call('GET', '/api/invitations', { token: staff.token })).status).toBe(403);
      expect((await t.call('DELETE', `/api/invitations/${pending.body.id}`, { token: staff.token })).status).toBe(403);
    }
  });

  it('never persists extra fields such as org_id, invited_by or status', async () => {
    const a = await t.owner();
    const b = await t.owner();
    const email = uniqueEmail('extra');
    const res = await t.call('POST', '/api/invitations', {
      token: a.token, body: { email, role: 'front_desk', org_id: b.orgId, invited_by: b.userId, status: 'accepted', expires_at: '2099-01-01T00:00:00Z', token_hash: 'x' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'pending', invited_by: a.userId });
    expect(res.body.expires_at).not.toBe('2099-01-01T00:00:00.000Z');
    const listA = await t.call('GET', '/api/invitations', { token: a.token });
    expect(listA.body.items.map((i: { email: string }) => i.email)).toEqual([email]);
    expect((await t.call('GET', '/api/invitations', { token: b.token })).body.items).toEqual([]);
  });
});

describe('listing and revoking', () => {
  it('lists newest first with cursor pages and status filter; revoking kills the link', async () => {
    const o = await t.owner();
    const emails = [uniqueEmail('i1'), uniqueEmail('i2'), uniqueEmail('i3')];
    const ids: string[] = [];
    for (const email of emails) ids.push((await t.call('POST', '/api/invitations', { token: o.token, body: { email, role: 'front_desk' } })).body.id);

    const { res: page1, events } = await audited(t, o.orgId, 'GET', '/api/invitations?limit=2', { token: o.token });
    expect(page1.body.items.map((i: { id: string }) => i.id)).toEqual([ids[2], ids[1]]);
    expect(events).toHaveLength(1);
    const page2 = await t.call('GET', `/api/invitations?limit=2&cursor=${page1.body.next_cursor}`, { token: o.token });
    expect(page2.body).toEqual({ items: [expect.objectContaining({ id: ids[0] })], next_cursor: null });

    const revoke = await audited(t, o.orgId, 'DELETE', `/api/invitations/${ids[0]}`, { token: o.token });
    expect(revoke.res.status).toBe(204);
    expect(revoke.events).toEqual([expect.objectContaining({ action: 'revoke', entity_type: 'invitation', entity_id: ids[0] })]);
    const revoked = await t.call('GET', '/api/invitations?status=revoked', { token: o.token });
    expect(revoked.body.items.map((i: { id: string }) => i.id)).toEqual([ids[0]]);
    const accept = await t.call('POST', '/api/invitations/accept', { body: { token: await invitationTokenFor(t, emails[0]!), full_name: 'Late', password: 'long enough password' } });
    expect(accept.status).toBe(410);
    expect(accept.body.code).toBe('invitation_revoked');
    const twice = await t.call('DELETE', `/api/invitations/${ids[0]}`, { token: o.token });
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('invitation_not_pending');
  });

  it("answers another organization's invitation id exactly like a missing one", async () => {
    const a = await t.owner();
    const b = await t.owner();
    const theirs = await t.call('POST', '/api/invitations', { token: b.token, body: { email: uniqueEmail('b'), role: 'front_desk' } });
    const foreign = await t.call('DELETE', `/api/invitations/${theirs.body.id}`, { token: a.token });
    const missing = await t.call('DELETE', '/api/invitations/018f0000-0000-7000-8000-000000000000', { token: a.token });
    expect(foreign.status).toBe(404);
    expect({ ...foreign.body, instance: 0, request_id: 0 }).toEqual({ ...missing.body, instance: 0, request_id: 0 });
    const still = await t.call('GET', '/api/invitations?status=pending', { token: b.token });
    expect(still.body.items).toHaveLength(1);
  });

  it('expires after 7 days: lookup says expired, accept is 410, and the email can be invited again', async () => {
    const o = await t.owner();
    const email = uniqueEmail('slow');
    await t.call('POST', '/api/invitations', { token: o.token, body: { email, role: 'front_desk' } });
    const token = await invitationTokenFor(t, email);
    t.clock.advance(7 * DAY + 60_000);
    expect((await t.call('GET', `/api/invitations/lookup?token=${token}`)).body.status).toBe('expired');
    const accept = await t.call('POST', '/api/invitations/accept', { body: { token, full_name: 'Slow', password: 'long enough password' } });
    expect(accept.status).toBe(410);
    expect(accept.body.code).toBe('invitation_expired');
    // The owner's own session idled out meanwhile.
    const owner = (await t.call('POST', '/api/auth/login', { body: { email: o.email, password: o.password } })).body.token;
    expect((await t.call('GET', '/api/invitations?status=expired', { token: owner })).body.items).toHaveLength(1);
    expect((await t.call('POST', '/api/invitations', { token: owner, body: { email, role: 'front_desk' } })).status).toBe(201);
  });
});

describe('accepting', () => {
  it('lookup needs no sign-in and tells where, as whom and whether the link works; a bad token is 404', async () => {
    const o = await t.owner({ orgName: 'Lumen Studio' });
    const email = uniqueEmail('look');
    await t.call('POST', '/api/invitations', { token: o.token, body: { email, role: 'marketer' } });
    const token = await invitationTokenFor(t, email);
    const { res, events } = await audited(t, o.orgId, 'GET', `/api/invitations/lookup?token=${token}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ organization_name: 'Lumen Studio', email, role: 'marketer', status: 'pending', expires_at: expect.any(String) });
    expect(events).toEqual([expect.objectContaining({ action: 'read', entity_type: 'invitation' })]);
    const bad = await t.call('GET', '/api/invitations/lookup?token=vinv_not-a-real-token');
    expect(bad.status).toBe(404);
    expect(bad.body.code).toBe('invitation_not_found');
  });

  it('without a session, creates a verified account, signs it in like login, and the link works only once', async () => {
    const o = await t.owner({ orgName: 'Orchid Clinic' });
    const email = uniqueEmail('newbie');
    await t.call('POST', '/api/invitations', { token: o.token, body: { email, role: 'practitioner', title: 'Dermatologist' } });
    const token = await invitationTokenFor(t, email);
    const missing = await t.call('POST', '/api/invitations/accept', { body: { token } });
    expect(missing.status).toBe(422);
    expect(missing.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/full_name', '/password']);

    const { res, events } = await audited(t, o.orgId, 'POST', '/api/invitations/accept', { body: { token, full_name: 'Dr. Wu', password: 'a long enough password', role: 'owner' } });
    expect(res.status).toBe(200);
    expect(res.body.token).toMatch(/^vs_/);
    expect(res.body.user).toMatchObject({ email, full_name: 'Dr. Wu', email_verified: true });
    expect(res.body.organizations).toEqual([expect.objectContaining({ id: o.orgId, name: 'Orchid Clinic', roles: ['practitioner'] })]);
    expect(res.body.organization_id).toBe(o.orgId);
    expect(String(res.headers['set-cookie'])).toMatch(/visage_session=.*HttpOnly/i);
    expect(events).toEqual([expect.objectContaining({ action: 'accept', entity_type: 'invitation', details: expect.objectContaining({ account_created: true }) })]);
    expect(await auditText(t, o.orgId)).not.toContain(token);

    const me = await t.call('GET', '/api/me', { token: res.body.token });
    expect(me.body.acting_org_id).toBe(o.orgId);
    expect(me.body.permissions).toContain('medical.read');
    expect(me.body.permissions).not.toContain('member.manage');
    const members = await t.call('GET', `/api/members?q=${encodeURIComponent(email)}`, { token: o.token });
    expect(members.body.items[0]).toMatchObject({ full_name: 'Dr. Wu', title: 'Dermatologist', status: 'active', roles: ['practitioner'] });

    const reuse = await t.call('POST', '/api/invitations/accept', { body: { token, full_name: 'Again', password: 'a long enough password' } });
    expect(reuse.status).toBe(410);
    expect(reuse.body.code).toBe('invitation_used');
    expect((await t.call('GET', `/api/invitations/lookup?token=${token}`)).body.status).toBe('accepted');
  });

  it('a stale session cookie counts as signed out, but an invalid Bearer token is a 401', async () => {
    const o = await t.owner();
    const email = uniqueEmail('shared-pc');
    await t.call('POST', '/api/invitations', { token: o.token, body: { email, role: 'front_desk' } });
    const token = await invitationTokenFor(t, email);
    const body = { token, full_name: 'New Person', password: 'a long enough password' };
    const bearer = await t.call('POST', '/api/invitations/accept', { token: 'vs_expired-or-made-up', body });
    expect(bearer.status).toBe(401);
    const cookie = await t.call('POST', '/api/invitations/accept', { headers: { cookie: 'visage_session=vs_expired-or-made-up' }, body });
    expect(cookie.status).toBe(200);
    expect(cookie.body.user.email).toBe(email);
  });

  it('an existing account must sign in first; signed in, it joins; signed in as someone else is 403', async () => {
    const o = await t.owner();
    const other = await t.owner();
    const inviteeOwner = await t.owner({ orgName: 'Their own studio' });
    await t.call('POST', '/api/invitations', { token: o.token, body: { email: inviteeOwner.email, role: 'front_desk' } });
    const token = await invitationTokenFor(t, inviteeOwner.email);

    const anonymous = await t.call('POST', '/api/invitations/accept', { body: { token, full_name: 'X', password: 'a long enough password' } });
    expect(anonymous.status).toBe(409);
    expect(anonymous.body.code).toBe('account_exists');
    const mismatch = await t.call('POST', '/api/invitations/accept', { token: other.token, body: { token } });
    expect(mismatch.status).toBe(403);
    expect(mismatch.body.code).toBe('email_mismatch');

    const joined = await t.call('POST', '/api/invitations/accept', { token: inviteeOwner.token, body: { token } });
    expect(joined.status).toBe(200);
    expect(joined.body.token).toBeUndefined();
    expect(joined.headers['set-cookie']).toBeUndefined();
    expect(joined.body.organizations.map((org: { id: string; roles: string[] }) => [org.id, org.roles]))
      .toEqual(expect.arrayContaining([[o.orgId, ['front_desk']], [inviteeOwner.orgId, ['owner']]]));
    const inOrg = await t.call('GET', '/api/me', { token: inviteeOwner.token, org: o.orgId });
    expect(inOrg.body.acting_org_id).toBe(o.orgId);
  });
});
