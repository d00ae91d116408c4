import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testVisage, uniqueEmail, type TestVisage } from '../../../test/helpers.js';

let t: TestVisage;
beforeAll(async () => { t = await testVisage(); });
afterAll(async () => { await t?.close(); });

describe('sign-in contract', () => {
  it('signup answers like login, sends a verification code, and the token works as Bearer', async () => {
    const email = uniqueEmail('signup');
    const res = await t.call('POST', '/api/auth/signup', { body: { email, password: 'a long enough password', full_name: 'Ada Lovelace' } });
    expect(res.status).toBe(201);
    expect(res.body.token).toMatch(/^vs_/);
    expect(res.body.user).toMatchObject({ email, full_name: 'Ada Lovelace', email_verified: false });
    expect(res.body.organizations).toEqual([]);
    expect(String(res.headers['set-cookie'])).toMatch(/visage_session=.*HttpOnly.*SameSite=Lax/i);
    const sent = t.mail.find((m) => m.to === email);
    expect(sent?.subject).toMatch(/verification code: \d{6}/);

    const me = await t.call('GET', '/api/me', { token: res.body.token });
    expect(me.status).toBe(200);
    expect(me.body.user.email).toBe(email);
    expect(me.body.acting_org_id).toBeNull();
  });

  it('login returns token, user and organizations; the org becomes the default', async () => {
    const o = await t.owner({ orgName: 'Lotus Clinic' });
    const res = await t.call('POST', '/api/auth/login', { body: { email: o.email.toUpperCase(), password: o.password } });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['organizations', 'token', 'user']);
    expect(res.body.organizations).toEqual([expect.objectContaining({ id: o.orgId, name: 'Lotus Clinic', roles: ['owner'] })]);
    const me = await t.call('GET', '/api/me', { token: res.body.token });
    expect(me.body.acting_org_id).toBe(o.orgId);
    expect(me.body.permissions).toContain('audit.read');
  });

  it('unknown user and wrong password get the same answer', async () => {
    const o = await t.owner();
    const wrong = await t.call('POST', '/api/auth/login', { body: { email: o.email, password: 'not the password' } });
    const unknown = await t.call('POST', '/api/auth/login', { body: { email: uniqueEmail('ghost'), password: 'not the password' } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const strip = (b: Record<string, unknown>) => ({ ...b, request_id: undefined });
    expect(strip(wrong.body)).toEqual(strip(unknown.body));
    expect(wrong.headers['content-type']).toMatch(/application\/problem\+json/);
  });

  it('a token is refused after logout, and the session cookie is cleared', async () => {
    const o = await t.owner();
    const out = await t.call('POST', '/api/auth/logout', { token: o.token });
    expect(out.status).toBe(204);
    const again = await t.call('GET', '/api/me', { token: o.token });
    expect(again.status).toBe(401);
    expect(again.body.code).toBe('unauthenticated');
  });

  it('a session ends after the idle timeout, and after the absolute lifetime even when used', async () => {
    const o = await t.owner();
    const idleMs = t.visage.deps.config.sessionIdleMinutes * 60_000;
    t.clock.advance(idleMs - 60_000);
    expect((await t.call('GET', '/api/me', { token: o.token })).status).toBe(200);
    t.clock.advance(idleMs - 60_000); // used a minute before the idle limit: still alive, and extended
    expect((await t.call('GET', '/api/me', { token: o.token })).status).toBe(200);
    t.clock.advance(idleMs + 60_000);
    expect((await t.call('GET', '/api/me', { token: o.token })).status).toBe(401);

    const b = await t.owner();
    const stepMs = idleMs / 2;
    const absoluteMs = t.visage.deps.config.sessionAbsoluteHours * 3600_000;
    for (let used = 0; used + stepMs < absoluteMs; used += stepMs) {
      t.clock.advance(stepMs);
      expect((await t.call('GET', '/api/me', { token: b.token })).status).toBe(200);
    }
    t.clock.advance(stepMs);
    expect((await t.call('GET', '/api/me', { token: b.token })).status).toBe(401);
  });

  it('X-Org-Id switches organization among memberships and is refused for others', async () => {
    const a = await t.owner({ orgName: 'A' });
    const second = await t.call('POST', '/api/organizations', { token: a.token, body: { name: 'A2', type: 'studio', timezone: 'Europe/Istanbul', currency: 'try', locale: 'tr' } });
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({ type: 'studio', timezone: 'Europe/Istanbul', currency: 'TRY', locale: 'tr' });
    const me2 = await t.call('GET', '/api/me', { token: a.token, org: second.body.id });
    expect(me2.body.acting_org_id).toBe(second.body.id);
    const b = await t.owner({ orgName: 'B' });
    const foreign = await t.call('GET', '/api/me', { token: a.token, org: b.orgId });
    expect(foreign.status).toBe(403);
    expect(foreign.body.code).toBe('not_a_member');
    const bad = await t.call('GET', '/api/me', { token: a.token, org: 'not-a-uuid' });
    expect(bad.status).toBe(400);
  });

  it('rejects malformed bodies with field pointers and never 500', async () => {
    const r = await t.call('POST', '/api/auth/signup', { body: { email: 'nope', password: 'short', full_name: '' } });
    expect(r.status).toBe(422);
    expect(r.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/email', '/full_name', '/password']);
    const notJson = await t.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"email":' });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.headers['content-type']).toMatch(/problem\+json/);
  });

  it('a second signup with the same email (any case) is a 409 with a clear code', async () => {
    const email = uniqueEmail('dup');
    await t.call('POST', '/api/auth/signup', { body: { email, password: 'a long enough password', full_name: 'One' } });
    const r = await t.call('POST', '/api/auth/signup', { body: { email: email.toUpperCase(), password: 'a long enough password', full_name: 'Two' } });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('email_taken');
  });
});

describe('brute force', () => {
  it('evaluates at most 100 failures per account per hour, then lets the owner in after the cooldown', async () => {
    const o = await t.owner();
    for (let i = 0; i < 100; i++) {
      const r = await t.call('POST', '/api/auth/login', { body: { email: o.email, password: `wrong-${i}` } });
      expect(r.status).toBe(401);
    }
    const blocked = await t.call('POST', '/api/auth/login', { body: { email: o.email, password: o.password } });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    t.clock.advance(61 * 60_000);
    const after = await t.call('POST', '/api/auth/login', { body: { email: o.email, password: o.password } });
    expect(after.status).toBe(200);
  }, 120_000);
});

describe('audit', () => {
  it('records sign-in and reads of the user record; owners browse and filter it', async () => {
    const o = await t.owner();
    const login = await t.call('POST', '/api/auth/login', { body: { email: o.email, password: o.password } });
    await t.call('GET', '/api/me', { token: login.body.token });
    const events = await t.call('GET', '/api/audit?limit=100', { token: login.body.token });
    expect(events.status).toBe(200);
    const actions = events.body.items.map((e: { action: string }) => e.action);
    expect(actions).toContain('sign_in');
    expect(actions).toContain('read');
    expect(events.body.items.every((e: { org_id: string }) => e.org_id === o.orgId)).toBe(true);
    const signIns = await t.call('GET', '/api/audit?action=sign_in', { token: login.body.token });
    expect(signIns.body.items.length).toBeGreaterThan(0);
    expect(signIns.body.items.every((e: { action: string; ip: string }) => e.action === 'sign_in' && e.ip)).toBe(true);
    const page1 = await t.call('GET', '/api/audit?limit=1', { token: login.body.token });
    expect(page1.body.next_cursor).toBeTruthy();
    const page2 = await t.call('GET', `/api/audit?limit=1&cursor=${page1.body.next_cursor}`, { token: login.body.token });
    expect(page2.body.items[0].id).not.toBe(page1.body.items[0].id);
    const badCursor = await t.call('GET', '/api/audit?cursor=%%%', { token: login.body.token });
    expect(badCursor.status).toBe(400);
  });

  it('the app role cannot update or delete audit rows', async () => {
    const o = await t.owner();
    await expect(t.db.run({ scope: 'tenant', orgId: o.orgId, userId: o.userId }, (tx) => tx.query('UPDATE audit_events SET action = $1', ['tampered'])))
      .rejects.toThrow(/permission denied/);
    await expect(t.db.run({ scope: 'tenant', orgId: o.orgId, userId: o.userId }, (tx) => tx.query('DELETE FROM audit_events')))
      .rejects.toThrow(/permission denied/);
  });
});
