import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testVisage, uniqueEmail, type TestVisage } from '../../../test/helpers.js';
import { audited, auditText } from './invitations.fixtures.js';

let t: TestVisage;
beforeAll(async () => { t = await testVisage(); });
afterAll(async () => { await t?.close(); });

const DAY = 86_400_000;
const MISSING = '018f0000-0000-7000-8000-000000000000';
const login = async (email: string, password: string, userAgent = 'vitest') =>
  (await t.call('POST', '/api/auth/login', { body: { email, password }, headers: { 'user-agent': userAgent } })).body.token as string;
const sameProblem = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  expect({ ...a, instance: 0, request_id: 0 }).toEqual({ ...b, instance: 0, request_id: 0 });

describe('sessions', () => {
  it('lists your sessions with the current one marked; revoking one ends it (401) and is audited once', async () => {
    const o = await t.owner();
    const laptop = await login(o.email, o.password, 'Laptop browser');
    const { res, events } = await audited(t, o.orgId, 'GET', '/api/me/sessions', { token: o.token });
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(2);
    const current = res.body.items.find((s: { current: boolean }) => s.current);
    const other = res.body.items.find((s: { user_agent: string }) => s.user_agent === 'Laptop browser');
    expect(current.method).toBe('signup');
    expect(other).toMatchObject({ method: 'password', current: false, ip: expect.any(String), expires_at: expect.any(String) });
    expect(events).toEqual([expect.objectContaining({ action: 'list', entity_type: 'session' })]);

    const revoke = await audited(t, o.orgId, 'DELETE', `/api/me/sessions/${other.id}`, { token: o.token });
    expect(revoke.res.status).toBe(204);
    expect(revoke.events).toEqual([expect.objectContaining({ action: 'revoke', entity_type: 'session', entity_id: other.id })]);
    expect((await t.call('GET', '/api/me', { token: laptop })).status).toBe(401);
    expect((await t.call('GET', '/api/me', { token: o.token })).status).toBe(200);
    expect((await t.call('GET', '/api/me/sessions', { token: o.token })).body.items.map((s: { id: string }) => s.id)).toEqual([current.id]);
  });

  it("answers another user's session id exactly like a missing one, and it keeps working", async () => {
    const a = await t.owner();
    const b = await t.owner();
    const theirs = (await t.call('GET', '/api/me/sessions', { token: b.token })).body.items[0].id;
    const foreign = await t.call('DELETE', `/api/me/sessions/${theirs}`, { token: a.token });
    expect(foreign.status).toBe(404);
    sameProblem(foreign.body, (await t.call('DELETE', `/api/me/sessions/${MISSING}`, { token: a.token })).body);
    expect((await t.call('GET', '/api/me', { token: b.token })).status).toBe(200);
  });

  it('revoking your current session signs you out and clears the cookie', async () => {
    const o = await t.owner();
    const mine = (await t.call('GET', '/api/me/sessions', { token: o.token })).body.items[0].id;
    const r = await t.call('DELETE', `/api/me/sessions/${mine}`, { token: o.token });
    expect(r.status).toBe(204);
    expect(String(r.headers['set-cookie'])).toMatch(/visage_session=;/);
    expect((await t.call('GET', '/api/me', { token: o.token })).status).toBe(401);
  });
});

describe('personal API tokens', () => {
  it('creates a token shown once; it acts with the user\'s permissions intersected with its scopes', async () => {
    const o = await t.owner();
    const { res, events } = await audited(t, o.orgId, 'POST', '/api/me/tokens', { token: o.token, body: { name: 'Audit export', scopes: ['audit.read'], expires_in_days: 30 } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.any(String), name: 'Audit export', scopes: ['audit.read'], token: expect.stringMatching(/^vpat_/), expires_at: expect.any(String) });
    expect(events).toEqual([expect.objectContaining({ action: 'create', entity_type: 'api_token', entity_id: res.body.id })]);
    const pat = res.body.token as string;

    expect((await t.call('GET', '/api/audit', { token: pat })).status).toBe(200);
    const invite = await t.call('POST', '/api/invitations', { token: pat, body: { email: uniqueEmail('no'), role: 'front_desk' } });
    expect(invite.status).toBe(403);
    expect((await t.call('GET', '/api/me', { token: pat })).body.permissions).toEqual(['audit.read']);

    const list = await audited(t, o.orgId, 'GET', '/api/me/tokens', { token: o.token });
    expect(list.res.body.items).toEqual([{ id: res.body.id, name: 'Audit export', scopes: ['audit.read'], created_at: expect.any(String), last_seen_at: expect.any(String), expires_at: res.body.expires_at }]);
    expect(list.events).toHaveLength(1);
    expect(JSON.stringify(list.res.body)).not.toContain(pat);
    expect(await auditText(t, o.orgId)).not.toContain(pat);
    expect((await t.call('GET', '/api/me/sessions', { token: o.token })).body.items.some((s: { id: string }) => s.id === res.body.id)).toBe(false);
  });

  it('a token cannot mint tokens, revoke sessions or change the password, even with scope "*"', async () => {
    const o = await t.owner();
    const pat = (await t.call('POST', '/api/me/tokens', { token: o.token, body: { name: 'All', scopes: ['*'] } })).body.token;
    expect((await t.call('POST', '/api/invitations', { token: pat, body: { email: uniqueEmail('ok'), role: 'front_desk' } })).status).toBe(201);
    const mint = await t.call('POST', '/api/me/tokens', { token: pat, body: { name: 'More', scopes: ['*'] } });
    expect(mint.status).toBe(403);
    expect(mint.body.code).toBe('session_required');
    const session = (await t.call('GET', '/api/me/sessions', { token: o.token })).body.items[0].id;
    expect((await t.call('DELETE', `/api/me/sessions/${session}`, { token: pat })).body.code).toBe('session_required');
    expect((await t.call('POST', '/api/me/password', { token: pat, body: { current_password: o.password, new_password: 'another long password' } })).body.code).toBe('session_required');
    expect((await t.call('GET', '/api/me', { token: o.token })).status).toBe(200);
  });

  it('revoked and expired tokens get 401', async () => {
    const o = await t.owner();
    const short = (await t.call('POST', '/api/me/tokens', { token: o.token, body: { name: 'Short', scopes: ['org.read'], expires_in_days: 1 } })).body;
    const forever = (await t.call('POST', '/api/me/tokens', { token: o.token, body: { name: 'Forever', scopes: ['org.read'] } })).body;
    expect(forever.expires_at).toBeNull();
    const revoke = await audited(t, o.orgId, 'DELETE', `/api/me/tokens/${forever.id}`, { token: o.token });
    expect(revoke.res.status).toBe(204);
    expect(revoke.events).toEqual([expect.objectContaining({ action: 'revoke', entity_type: 'api_token', entity_id: forever.id })]);
    expect((await t.call('GET', '/api/me', { token: forever.token })).status).toBe(401);
    expect((await t.call('GET', '/api/me', { token: short.token })).status).toBe(200);
    t.clock.advance(DAY + 60_000);
    expect((await t.call('GET', '/api/me', { token: short.token })).status).toBe(401);
  });

  it('validates scopes and lifetime with pointers', async () => {
    const o = await t.owner();
    const unknown = await t.call('POST', '/api/me/tokens', { token: o.token, body: { name: 'X', scopes: ['audit.read', 'toString'] } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors).toEqual([{ pointer: '/scopes/1', message: 'unknown permission "toString"' }]);
    for (const days of [0, 366, 1.5]) {
      const r = await t.call('POST', '/api/me/tokens', { token: o.token, body: { name: 'X', scopes: ['*'], expires_in_days: days } });
      expect(r.status).toBe(422);
      expect(r.body.errors[0].pointer).toBe('/expires_in_days');
    }
    expect((await t.call('POST', '/api/me/tokens', { token: o.token, body: { name: 'X', scopes: [] } })).status).toBe(422);
    expect((await t.call('GET', '/api/me/tokens', { token: o.token })).body.items).toEqual([]);
  });

  it("answers another user's token id exactly like a missing one, and it keeps working", async () => {
    const a = await t.owner();
    const b = await t.owner();
    const theirs = (await t.call('POST', '/api/me/tokens', { token: b.token, body: { name: 'B', scopes: ['org.read'] } })).body;
    const foreign = await t.call('DELETE', `/api/me/tokens/${theirs.id}`, { token: a.token });
    expect(foreign.status).toBe(404);
    sameProblem(foreign.body, (await t.call('DELETE', `/api/me/tokens/${MISSING}`, { token: a.token })).body);
    const session = (await t.call('GET', '/api/me/sessions', { token: a.token })).body.items[0].id;
    expect((await t.call('DELETE', `/api/me/tokens/${session}`, { token: a.token })).status).toBe(404);
    expect((await t.call('GET', '/api/me', { token: theirs.token })).status).toBe(200);
  });
});
