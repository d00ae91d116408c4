import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testVisage, type TestVisage } from '../../../test/helpers.js';

let t: TestVisage;
beforeAll(async () => { t = await testVisage(); });
afterAll(async () => { await t?.close(); });

describe('HTTP conventions', () => {
  it('answers /health and /ready', async () => {
    expect((await t.call('GET', '/health')).body).toEqual({ status: 'ok' });
    expect((await t.call('GET', '/ready')).body).toEqual({ status: 'ready', database: t.db.kind });
  });

  it('sends security headers and a request id on every answer, and echoes a sane incoming one', async () => {
    const r = await t.call('GET', '/health', { headers: { 'x-request-id': 'trace-abc-12345' } });
    expect(r.headers['x-request-id']).toBe('trace-abc-12345');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(r.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(r.headers['strict-transport-security']).toBeDefined();
    const bogus = await t.call('GET', '/health', { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(bogus.headers['x-request-id']).not.toBe('bad id with spaces');
    // Errors carry them too: an unknown route and a refused request.
    for (const e of [await t.call('GET', '/api/no-such-thing', { headers: { 'x-request-id': 'trace-404' } }),
      await t.call('POST', '/api/auth/login', { headers: { 'x-request-id': 'trace-400' }, body: { email: 'not an email' } })]) {
      expect(e.status).toBeGreaterThanOrEqual(400);
      expect(e.headers['x-request-id']).toMatch(/^trace-40[04]$/);
      expect(e.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('unknown routes are problem+json 404s', async () => {
    const r = await t.call('GET', '/api/nothing-here');
    expect(r.status).toBe(404);
    expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(r.body).toMatchObject({ status: 404, code: 'not_found', instance: '/api/nothing-here' });
  });

  it('refuses bodies over the limit with 413 and stores nothing', async () => {
    const o = await t.owner();
    const r = await t.call('POST', '/api/organizations', { token: o.token, body: { name: 'x'.repeat(2 * 1024 * 1024), type: 'clinic' } });
    expect(r.status).toBe(413);
    expect(r.body.code).toBe('body_too_large');
    const orgs = await t.call('GET', '/api/organizations', { token: o.token });
    expect(orgs.body.items).toHaveLength(1);
  });

  it('never persists fields the client must not set', async () => {
    const o = await t.owner();
    const r = await t.call('POST', '/api/organizations', { token: o.token, body: { name: 'Sneaky', type: 'clinic', id: '00000000-0000-4000-8000-000000000000', org_id: o.orgId, status: 'suspended', created_by: '00000000-0000-4000-8000-000000000001' } });
    expect(r.status).toBe(201);
    expect(r.body.id).not.toBe('00000000-0000-4000-8000-000000000000');
    expect(r.body.status).toBe('active');
    const patch = await t.call('PATCH', `/api/organizations/${o.orgId}`, { token: o.token, body: { name: 'Renamed', id: r.body.id, status: 'suspended' } });
    expect(patch.status).toBe(200);
    expect(patch.body).toMatchObject({ id: o.orgId, name: 'Renamed', status: 'active' });
  });

  it('maps invalid values to 422 with a pointer, never 500', async () => {
    const o = await t.owner();
    const r = await t.call('POST', '/api/organizations', { token: o.token, body: { name: 'Tz', type: 'spa', timezone: 'Mars/Olympus', currency: 'XXXX' } });
    expect(r.status).toBe(422);
    expect(r.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/currency', '/timezone', '/type']);
  });
});

describe('idempotency keys', () => {
  it('the same key retried concurrently 10 times has one effect and one answer', async () => {
    const o = await t.owner();
    const body = { name: 'Once Only Clinic', type: 'clinic' };
    const answers = await Promise.all(Array.from({ length: 10 }, () =>
      t.call('POST', '/api/organizations', { token: o.token, body, headers: { 'idempotency-key': 'create-once-1' } })));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(201));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    const orgs = await t.call('GET', '/api/organizations', { token: o.token });
    expect(orgs.body.items.filter((x: { name: string }) => x.name === 'Once Only Clinic')).toHaveLength(1);
  });

  it('the same key with a different body is refused with 422', async () => {
    const o = await t.owner();
    const first = await t.call('POST', '/api/organizations', { token: o.token, body: { name: 'First', type: 'clinic' }, headers: { 'idempotency-key': 'k-2' } });
    expect(first.status).toBe(201);
    const second = await t.call('POST', '/api/organizations', { token: o.token, body: { name: 'Second', type: 'clinic' }, headers: { 'idempotency-key': 'k-2' } });
    expect(second.status).toBe(422);
    expect(second.body.code).toBe('idempotency_key_reused');
  });

  it('a failed effect does not burn the key', async () => {
    const o = await t.owner();
    const bad = await t.call('POST', '/api/organizations', { token: o.token, body: { name: 'Bad', type: 'clinic', timezone: 'Nowhere/Nope' }, headers: { 'idempotency-key': 'k-3' } });
    expect(bad.status).toBe(422);
    const good = await t.call('POST', '/api/organizations', { token: o.token, body: { name: 'Good', type: 'clinic' }, headers: { 'idempotency-key': 'k-3' } });
    expect(good.status).toBe(201);
  });
});

describe('rate limits', () => {
  it('answers 429 problem+json with Retry-After past the per-minute limit', async () => {
    const limited = await testVisage({ config: { rateLimitPerMinute: 5 } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await limited.call('GET', '/api/me')).status);
      expect(statuses.slice(0, 5)).toEqual(Array(5).fill(401));
      expect(statuses.slice(5)).toEqual([429, 429]);
      const r = await limited.call('GET', '/api/me');
      expect(r.headers['content-type']).toMatch(/problem\+json/);
      expect(r.body.code).toBe('too_many_requests');
      expect(r.headers['retry-after']).toBeDefined();
    } finally {
      await limited.close();
    }
  });
});
