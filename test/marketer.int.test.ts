// A marketer (growth role) gets 403 on every endpoint that holds medical or clinical data, whatever
// ids and (schema-valid) bodies they send, and can work the growth endpoints.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testVisage, uniqueEmail, type TestVisage } from './helpers.js';
import { mutate, operations, rng, valid } from './openapi.js';
import { addMember, createUser, MEDICAL_PERMISSIONS } from '../src/modules/identity/index.js';

/**
 * The OpenAPI tags of the clinical contexts (records, clinical, care, inventory, catalogue,
 * directory, insight, files). Every tag of the document must be classified here or in
 * NOT_CLINICAL, so a context added later cannot slip past this test unnoticed.
 */
const CLINICAL_TAGS = new Set(['patients', 'consents', 'compliance', 'screening', 'documents', 'photos', 'files', 'catalog', 'directory', 'visits',
  'treatment sessions', 'inventory', 'followups', 'dashboard']);
/** Identity and platform (no medical data; their own permissions apply) and growth (the marketer's own). */
const NOT_CLINICAL = new Set(['platform', 'auth', 'account', 'organizations', 'members', 'roles', 'invitations', 'audit', 'growth']);

/** Path prefixes of the clinical contexts: a cross-check of the tags (an untagged or mis-tagged clinical route is still covered). */
const CLINICAL = /^\/api\/(patients|visits|treatment-sessions|treatment-drug-usage|followups|dashboard|treatments|practitioners|devices|products|lots|pigments|consent-templates|consents|compliance|photos|documents|files|intakes|analyses)(\/|$)/;

type Doc = Parameters<typeof operations>[0] & { paths: Record<string, Record<string, { tags?: string[] }>> };
const tagsOf = (doc: Doc, method: string, path: string): string[] => doc.paths[path]?.[method.toLowerCase()]?.tags ?? [];

let t: TestVisage;
let token: string;
let ownerToken: string;
let orgId: string;
/** The marketer, acting in the clinic (without X-Org-Id a user with no default organization is refused for that reason alone). */
const asMarketer = (method: string, url: string, body?: unknown) => t.call(method, url, { token, org: orgId, body });
beforeAll(async () => {
  t = await testVisage({ config: { rateLimitPerMinute: 10_000_000 } });
  const owner = await t.owner();
  ownerToken = owner.token;
  orgId = owner.orgId;
  const email = uniqueEmail('marketer');
  const userId = await t.db.run({ scope: 'auth' }, (tx) => createUser(tx, { email, password: 'marketer password 1', fullName: 'Mia Marketer' }, new Date()));
  await t.db.run({ scope: 'tenant', orgId: owner.orgId, userId: owner.userId }, (tx) => addMember(tx, userId, ['marketer']));
  token = (await t.call('POST', '/api/auth/login', { body: { email, password: 'marketer password 1' } })).body.token;
});
afterAll(async () => { await t?.close(); });

describe('growth roles and medical data', () => {
  it('classifies every OpenAPI tag as clinical or not, and every clinical path prefix carries a clinical tag', async () => {
    const doc = (await t.call('GET', '/openapi.json')).body as Doc;
    const ops = operations(doc);
    const tags = new Set(ops.flatMap((op) => tagsOf(doc, op.method, op.path)));
    expect([...tags].filter((tag) => !CLINICAL_TAGS.has(tag) && !NOT_CLINICAL.has(tag))).toEqual([]);
    expect(ops.filter((op) => !tagsOf(doc, op.method, op.path).length).map((op) => `${op.method} ${op.path}`)).toEqual([]);
    // A route under a clinical prefix tagged as something else would be a mislabelled clinical route.
    expect(ops.filter((op) => CLINICAL.test(op.path) && !tagsOf(doc, op.method, op.path).some((tag) => CLINICAL_TAGS.has(tag)))
      .map((op) => `${op.method} ${op.path}`)).toEqual([]);
  });

  it('the marketer gets 403 on every clinical endpoint, with valid and with malformed requests', async () => {
    const doc = (await t.call('GET', '/openapi.json')).body;
    const ops = operations(doc).filter((op) => CLINICAL.test(op.path) || tagsOf(doc, op.method, op.path).some((tag) => CLINICAL_TAGS.has(tag)));
    // Every clinical context is exercised (a shrinking list would make this test quietly weaker).
    const covered = new Set(ops.flatMap((op) => tagsOf(doc, op.method, op.path)));
    expect([...CLINICAL_TAGS].filter((tag) => !covered.has(tag))).toEqual([]);
    expect(ops.length).toBeGreaterThan(80);
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
        const res = await asMarketer(op.method, url, body);
        // 403 for the missing permission, not for want of an organization (which would prove nothing).
        if (res.status !== 403 || res.body?.code === 'no_organization') answers.push(`${op.method} ${op.path} -> ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`);
      }
    }
    expect(answers).toEqual([]);
    // The control: the refusals are the role's. The owner is let into the same endpoints (lists without ids).
    const lists = ops.filter((op) => op.method === 'GET' && !op.path.includes('{') && !op.params.some((p) => p.in === 'query' && p.required));
    expect(lists.length).toBeGreaterThan(15);
    const ownerRefused: string[] = [];
    for (const op of lists) {
      const res = await t.call('GET', op.path, { token: ownerToken, org: orgId });
      if (res.status === 403 || res.status === 401) ownerRefused.push(`${op.path} -> ${res.status}`);
    }
    expect(ownerRefused).toEqual([]);
  });

  it('the marketer holds none of the medical permissions', async () => {
    const me = await asMarketer('GET', '/api/me');
    expect(me.body.acting_org_id).toBe(orgId);
    expect(me.status).toBe(200);
    const held = me.body.permissions as string[];
    expect(held).toEqual(expect.arrayContaining(['lead.read', 'lead.write', 'campaign.read', 'campaign.write', 'commission.read']));
    expect(held.filter((p) => (MEDICAL_PERMISSIONS as string[]).includes(p))).toEqual([]);
    // Nor any other clinical one (the chart's catalogue, directory, inventory, files, dashboards).
    expect(held.filter((p) => /^(patient|medical|consent|visit|session|photo|followup|file|treatment|practitioner|inventory|dashboard|appointment|message)\./.test(p))).toEqual([]);
  });

  it('the marketer uses the growth endpoints and exports, but cannot change commission rules or convert a lead', async () => {
    for (const url of ['/api/leads', '/api/leads/board', '/api/pipeline-stages', '/api/tags', '/api/campaigns', '/api/kpi-events', '/api/growth/funnel',
      '/api/growth/cohorts', '/api/commission-statements', '/api/commission-providers', '/api/commission-rules']) {
      const res = await asMarketer('GET', url);
      expect(res.status, `${url}: ${JSON.stringify(res.body).slice(0, 200)}`).toBe(200);
    }
    const campaign = await asMarketer('POST', '/api/campaigns', { name: 'Spring Botox', platform: 'instagram', monthly_spend_minor: 3_000_000 });
    expect(campaign.status).toBe(201);
    const lead = await asMarketer('POST', '/api/leads', { first_name: 'Mia', email: uniqueEmail('lead'), source: 'instagram', campaign_id: campaign.body.id });
    expect(lead.status).toBe(201);
    for (const url of ['/api/growth/exports/leads.csv', '/api/growth/exports/funnel.csv']) {
      const res = await asMarketer('GET', url);
      expect(res.status, url).toBe(200);
      expect(String(res.headers['content-type'])).toMatch(/^text\/csv/);
    }

    // Commission rules are commission.manage (the accountant's and owner's), not the marketer's.
    const provider = await t.call('POST', '/api/commission-providers', { token: ownerToken, org: orgId, body: { name: 'Dr Wu', role: 'surgeon' } });
    expect(provider.status).toBe(201);
    const rule = { version: 1, components: [{ type: 'percent_of_revenue', percent: 10 }] };
    const refused = await asMarketer('POST', '/api/commission-rules', { provider_id: provider.body.id, name: 'Ten percent', rule });
    expect(refused.status).toBe(403);
    expect((await asMarketer('POST', '/api/commission-providers', { name: 'Nurse Lin', role: 'nurse' })).status).toBe(403);
    const made = await t.call('POST', '/api/commission-rules', { token: ownerToken, org: orgId, body: { provider_id: provider.body.id, name: 'Ten percent', rule } });
    expect(made.status).toBe(201);
    expect((await asMarketer('PATCH', `/api/commission-rules/${made.body.id}`, { name: 'Twenty percent' })).status).toBe(403);
    expect((await asMarketer('DELETE', `/api/commission-rules/${made.body.id}`)).status).toBe(403);
    expect((await asMarketer('GET', `/api/commission-rules/${made.body.id}`)).status).toBe(200);

    // Converting a lead names a patient: a chart act the marketer cannot do (nor learn whether the patient exists).
    const convert = await asMarketer('POST', `/api/leads/${lead.body.id}/convert`, { patient_id: '0190f3a2-0000-7000-8000-000000000001' });
    expect(convert.status).toBe(403);
  });
});
