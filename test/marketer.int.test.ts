// A marketer (growth role) gets 403 on every endpoint that holds medical or clinical data, whatever
// ids and (schema-valid) bodies they send.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testVisage, uniqueEmail, type TestVisage } from './helpers.js';
import { mutate, operations, rng, valid } from './openapi.js';
import { addMember, createUser } from '../src/modules/identity/index.js';

/** Path prefixes of the clinical contexts (records, clinical, care, inventory, catalogue, insight, files). */
const CLINICAL = /^\/api\/(patients|visits|treatment-sessions|treatment-drug-usage|followups|dashboard|treatments|practitioners|devices|products|lots|pigments|consent|consents|compliance|photos|documents|files|intakes|analyses)(\/|$)/;

let t: TestVisage;
let token: string;
beforeAll(async () => {
  t = await testVisage({ config: { rateLimitPerMinute: 10_000_000 } });
  const owner = await t.owner();
  const email = uniqueEmail('marketer');
  const userId = await t.db.run({ scope: 'auth' }, (tx) => createUser(tx, { email, password: 'marketer password 1', fullName: 'Mia Marketer' }, new Date()));
  await t.db.run({ scope: 'tenant', orgId: owner.orgId, userId: owner.userId }, (tx) => addMember(tx, userId, ['marketer']));
  token = (await t.call('POST', '/api/auth/login', { body: { email, password: 'marketer password 1' } })).body.token;
});
afterAll(async () => { await t?.close(); });

describe('growth roles and medical data', () => {
  it('the marketer gets 403 on every clinical endpoint, with valid and with malformed requests', async () => {
    const doc = (await t.call('GET', '/openapi.json')).body;
    const ops = operations(doc).filter((op) => CLINICAL.test(op.path));
    expect(ops.length).toBeGreaterThan(3);
    const r = rng(42);
    const answers: string[] = [];
    for (const op of ops) {
      for (let i = 0; i < 5; i++) {
        const malformed = i >= 3; // a junk body: still 403, not a lesson in the endpoint's schema
        let url = op.path.replace(/\{(\w+)\}/g, (_m, name: string) =>
          encodeURIComponent(String(valid(op.params.find((p) => p.in === 'path' && p.name === name)?.schema, r))));
        const query = op.params.filter((p) => p.in === 'query' && p.required).map((p) => `${p.name}=${encodeURIComponent(String(valid(p.schema, r)))}`);
        if (query.length) url += `?${query.join('&')}`;
        const body = op.body ? (malformed ? mutate(valid(op.body, r), op.body, r) : valid(op.body, r)) : undefined;
        const res = await t.call(op.method, url, { token, body });
        if (res.status !== 403) answers.push(`${op.method} ${op.path} -> ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`);
      }
    }
    expect(answers).toEqual([]);
  });
});
