// OpenAPI-driven fuzzing: for every operation of /openapi.json, at least FUZZ_PER_ENDPOINT generated
// payloads (valid ones built from the schema and invalid ones made by mutating them) through the
// full stack. The property: no answer is a 5xx, and every error is problem+json.
// The operations are dealt round-robin to FUZZ_SHARDS test files (fuzz-<n>.int.test.ts), which the
// test runner's workers run side by side, each on its own Visage and database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testVisage, type TestVisage } from './helpers.js';
import { mutate, NASTY, operations, rng, valid } from './openapi.js';

const PER_ENDPOINT = Number(process.env.FUZZ_PER_ENDPOINT || 500);
export const FUZZ_SHARDS = 2;

/** Registers the fuzz test of shard `shard` (0-based) of FUZZ_SHARDS. */
export function fuzzShard(shard: number): void {
  let t: TestVisage;
  let token: string;
  beforeAll(async () => {
    t = await testVisage({ config: { rateLimitPerMinute: 10_000_000, authRateLimitPerMinute: 10_000_000 } });
    token = (await t.owner({ orgName: 'Fuzz Clinic' })).token;
  });
  afterAll(async () => { await t?.close(); });

  describe(`OpenAPI-driven fuzzing, shard ${shard + 1} of ${FUZZ_SHARDS}`, () => {
    it(`sends at least ${PER_ENDPOINT} generated payloads to every operation of the shard: no 5xx, errors are problem+json`, async () => {
      const doc = (await t.call('GET', '/openapi.json')).body;
      const all = operations(doc);
      expect(all.length).toBeGreaterThan(20);
      // Every operation falls in exactly one shard.
      const ops = all.filter((_, i) => i % FUZZ_SHARDS === shard);
      expect(ops.length).toBeGreaterThanOrEqual(Math.floor(all.length / FUZZ_SHARDS));
      const seed = Number(process.env.FUZZ_SEED || Date.now() % 1_000_000) + shard;
      const r = rng(seed);
      const failures: string[] = [];
      let sent = 0;
      for (const op of ops) {
        for (let i = 0; i < PER_ENDPOINT; i++) {
          const good = r.chance(0.4);
          let url = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
            const p = op.params.find((x) => x.in === 'path' && x.name === name);
            const v = good || r.chance(0.5) ? valid(p?.schema, r) : r.pick(NASTY);
            return encodeURIComponent(typeof v === 'string' ? v : JSON.stringify(v));
          });
          const query = op.params.filter((p) => p.in === 'query' && (p.required || r.chance(0.5)))
            .map((p) => `${encodeURIComponent(p.name)}=${encodeURIComponent(String(good ? valid(p.schema, r) : r.pick(NASTY)))}`);
          if (query.length) url += `?${query.join('&')}`;
          const base = valid(op.body, r);
          const body = op.body ? (good ? base : mutate(base, op.body, r)) : (r.chance(0.2) ? r.pick(NASTY) : undefined);
          // Logging out would end the fuzzing session: that one operation runs signed out.
          const useToken = op.path === '/api/auth/logout' ? undefined : token;
          const res = await t.app.inject({
            method: op.method as 'GET', url,
            headers: { ...(useToken ? { authorization: `Bearer ${useToken}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
            ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
          });
          sent++;
          const problem = res.statusCode >= 400 && !/application\/problem\+json/.test(String(res.headers['content-type']));
          if (res.statusCode >= 500 || problem) {
            failures.push(`seed ${seed}: ${op.method} ${url.slice(0, 120)} ${JSON.stringify(body)?.slice(0, 160)} -> ${res.statusCode} ${res.body.slice(0, 200)}`);
          }
        }
      }
      expect(failures.slice(0, 20)).toEqual([]);
      expect(sent).toBeGreaterThanOrEqual(ops.length * PER_ENDPOINT);
    }, 1_800_000);
  });
}
