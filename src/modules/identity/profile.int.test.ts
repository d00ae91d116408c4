import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testVisage, type TestVisage } from '../../../test/helpers.js';
import { audited, auditText } from './invitations.fixtures.js';

let t: TestVisage;
beforeAll(async () => { t = await testVisage(); });
afterAll(async () => { await t?.close(); });

describe('PATCH /api/me', () => {
  it('changes the profile fields, answers the /api/me user, and audits one update with field names only', async () => {
    const o = await t.owner();
    const username = `lin-${o.userId.slice(-8)}`;
    const { res, events } = await audited(t, o.orgId, 'PATCH', '/api/me', {
      token: o.token, body: { full_name: 'Lin  Mei Hua', phone: '+886 912 345 678', preferred_language: 'zh-TW', timezone: 'Asia/Taipei', username },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      full_name: 'Lin  Mei Hua', first_name: 'Lin', last_name: 'Mei Hua', phone: '+886 912 345 678', preferred_language: 'zh-TW', timezone: 'Asia/Taipei', username,
    });
    expect(res.body).toEqual((await t.call('GET', '/api/me', { token: o.token })).body.user);
    expect(events).toEqual([expect.objectContaining({ action: 'update', entity_type: 'user', entity_id: o.userId, details: { fields: ['full_name', 'phone', 'preferred_language', 'timezone', 'username'] } })]);
    expect(await auditText(t, o.orgId)).not.toContain('912 345');

    const cleared = await t.call('PATCH', '/api/me', { token: o.token, body: { phone: null, timezone: null } });
    expect(cleared.body).toMatchObject({ phone: null, timezone: null, preferred_language: 'zh-TW' });
  });

  it('refuses a taken username (any case), an unknown time zone and an unsupported language', async () => {
    const a = await t.owner();
    const b = await t.owner();
    const name = `taken-${a.userId.slice(-8)}`;
    await t.call('PATCH', '/api/me', { token: a.token, body: { username: name } });
    const taken = await t.call('PATCH', '/api/me', { token: b.token, body: { username: name.toUpperCase() } });
    expect(taken.status).toBe(409);
    expect(taken.body).toMatchObject({ code: 'username_taken', errors: [{ pointer: '/username' }] });
    const invalid = await t.call('PATCH', '/api/me', { token: b.token, body: { timezone: 'Mars/Olympus', preferred_language: 'fr' } });
    expect(invalid.status).toBe(422);
    expect(invalid.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/preferred_language', '/timezone']);
  });

  it('never persists extra fields: email, status, user type, roles, default organization', async () => {
    const a = await t.owner();
    const b = await t.owner();
    const before = (await t.call('GET', '/api/me', { token: a.token })).body;
    const r = await t.call('PATCH', '/api/me', {
      token: a.token,
      body: { full_name: 'Still Me', email: 'evil@example.com', status: 'suspended', user_type: 'admin', role: 'platform_admin', roles: ['platform_admin'], default_org_id: b.orgId, email_verified: false, id: b.userId },
    });
    expect(r.status).toBe(200);
    const after = (await t.call('GET', '/api/me', { token: a.token })).body;
    expect(after.user).toEqual({ ...before.user, full_name: 'Still Me', first_name: 'Still', last_name: 'Me' });
    expect(after.organizations).toEqual(before.organizations);
    expect(after.permissions).toEqual(before.permissions);
    expect((await t.call('GET', '/api/me', { token: b.token })).body.user.full_name).toBe('Test Owner');
  });
});

describe('POST /api/me/password', () => {
  it('with the right current password: changes it, keeps this session, signs out the others (one audit event)', async () => {
    const o = await t.owner();
    const other = (await t.call('POST', '/api/auth/login', { body: { email: o.email, password: o.password } })).body.token;
    const pat = (await t.call('POST', '/api/me/tokens', { token: o.token, body: { name: 'CI', scopes: ['org.read'] } })).body.token;
    const { res, events } = await audited(t, o.orgId, 'POST', '/api/me/password', { token: o.token, body: { current_password: o.password, new_password: 'a brand new passphrase' } });
    expect(res.status).toBe(204);
    expect(events).toEqual([expect.objectContaining({ action: 'update', entity_type: 'user', outcome: 'success', details: { fields: ['password'], other_sessions_revoked: true } })]);
    expect(await auditText(t, o.orgId)).not.toContain('brand new passphrase');
    expect((await t.call('GET', '/api/me', { token: o.token })).status).toBe(200);
    expect((await t.call('GET', '/api/me', { token: other })).status).toBe(401);
    expect((await t.call('GET', '/api/me', { token: pat })).status).toBe(200);
    expect((await t.call('POST', '/api/auth/login', { body: { email: o.email, password: o.password } })).status).toBe(401);
    expect((await t.call('POST', '/api/auth/login', { body: { email: o.email, password: 'a brand new passphrase' } })).status).toBe(200);
  });

  it('with a wrong current password: 422 on /current_password, nothing changes, the failure is audited once', async () => {
    const o = await t.owner();
    const other = (await t.call('POST', '/api/auth/login', { body: { email: o.email, password: o.password } })).body.token;
    const { res, events } = await audited(t, o.orgId, 'POST', '/api/me/password', { token: o.token, body: { current_password: 'not it at all', new_password: 'a brand new passphrase' } });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'invalid_current_password', errors: [{ pointer: '/current_password' }] });
    expect(events).toEqual([expect.objectContaining({ action: 'update', entity_type: 'user', outcome: 'failure' })]);
    expect((await t.call('GET', '/api/me', { token: other })).status).toBe(200);
    expect((await t.call('POST', '/api/auth/login', { body: { email: o.email, password: o.password } })).status).toBe(200);
    const short = await t.call('POST', '/api/me/password', { token: o.token, body: { current_password: o.password, new_password: 'short' } });
    expect(short.status).toBe(422);
    expect(short.body.errors[0].pointer).toBe('/new_password');
  });
});
