import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testVisage, type TestVisage } from '../../../test/helpers.js';
import { newId } from '../../platform/crypto.js';
import { addPractitioner, clinic, staff, type Clinic } from '../clinical/clinic.fixtures.js';

let t: TestVisage;
let c: Clinic; // Taipei (UTC+8), TWD
let other: { token: string; userId: string; orgId: string };
let leadId: string;

type Q = <R = Record<string, unknown>>(text: string, params?: unknown[]) => Promise<R[]>;
const sql = <T>(orgId: string, userId: string, fn: (q: Q) => Promise<T>) =>
  t.db.run({ scope: 'tenant', orgId, userId }, (tx) => fn((text, params) => tx.query(text, params)));

/** A pipeline stage and a lead: KPI events hang off a lead. */
async function seedLead(orgId: string, userId: string): Promise<string> {
  const stage = newId();
  const lead = newId();
  await sql(orgId, userId, async (q) => {
    await q(`INSERT INTO pipeline_stages (id, org_id, name, position, color, kind) VALUES ($1, $2, $3, 900, '#336699', 'won')`, [stage, orgId, `Won ${stage.slice(0, 6)}`]);
    await q(`INSERT INTO leads (id, org_id, stage_id, rank, source, currency) VALUES ($1, $2, $3, 'a0', 'google', 'TWD')`, [lead, orgId, stage]);
  });
  return lead;
}

interface Ev { kind: 'invoice_paid' | 'consult_show'; at: string; value?: number; currency?: string | null; code?: string | null; provider: string | null; deleted?: boolean }
async function event(e: Ev): Promise<string> {
  const id = newId();
  await sql(c.owner.orgId, c.owner.userId, (q) => q(
    `INSERT INTO kpi_events (id, org_id, lead_id, kind, value_minor, currency, occurred_at, procedure_code, provider_id, deleted_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7::timestamptz, $8, $9, $10)`,
    [id, c.owner.orgId, leadId, e.kind, e.value ?? null, e.kind === 'invoice_paid' ? (e.currency === undefined ? 'TWD' : e.currency) : null, e.at,
      e.code ?? null, e.provider, e.deleted ? e.at : null]));
  return id;
}

const post = (token: string, url: string, body: unknown) => t.call('POST', url, { token, body });
async function provider(token: string, body: Record<string, unknown>) {
  const r = await post(token, '/api/commission-providers', body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}
const count = (table: string) => sql(c.owner.orgId, c.owner.userId, (q) => q<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).then((r) => r[0]!.n);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

beforeAll(async () => {
  t = await testVisage({ config: { rateLimitPerMinute: 1_000_000 } });
  c = await clinic(t);
  other = await t.owner({ orgName: 'Other Clinic' });
  leadId = await seedLead(c.owner.orgId, c.owner.userId);
});
afterAll(async () => { await t?.close(); });

describe('commission providers', () => {
  it('creates, lists, reads, changes and deletes a provider; a practitioner must be one of the organization', async () => {
    const p = await provider(c.owner.token, { name: 'Dr Wang', role: 'surgeon', practitioner_id: c.practitionerId });
    expect(p).toMatchObject({ name: 'Dr Wang', role: 'surgeon', practitioner_id: c.practitionerId, is_active: true, provider_id: p.id });

    const foreignPractitioner = await addPractitioner(t, other.orgId, 'doc_other');
    const before = await count('commission_providers');
    const bad = await post(c.owner.token, '/api/commission-providers', { name: 'Ghost', role: 'nurse', practitioner_id: foreignPractitioner });
    expect(bad.status).toBe(422);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.body.errors).toEqual([{ pointer: '/practitioner_id', message: 'not found' }]);
    const badRole = await post(c.owner.token, '/api/commission-providers', { name: 'Ghost', role: 'wizard' });
    expect(badRole.status).toBe(422);
    expect(await count('commission_providers')).toBe(before);

    const list = await t.call('GET', '/api/commission-providers?role=surgeon', { token: c.owner.token });
    expect(list.status).toBe(200);
    expect(list.body.items.map((x: { id: string }) => x.id)).toContain(p.id);

    const patched = await t.call('PATCH', `/api/commission-providers/${p.id}`, { token: c.owner.token, body: { role: 'doctor', practitioner_id: null } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ role: 'doctor', practitioner_id: null, name: 'Dr Wang' });

    expect((await t.call('DELETE', `/api/commission-providers/${p.id}`, { token: c.owner.token })).status).toBe(204);
    expect((await t.call('GET', `/api/commission-providers/${p.id}`, { token: c.owner.token })).status).toBe(404);
  });
});

describe('commission rules', () => {
  it('refuses an invalid rule with pointers into /rule and stores nothing; a PHI key is refused too', async () => {
    const p = await provider(c.owner.token, { name: 'Nurse Lee', role: 'injector' });
    const before = await count('commission_rules');
    const bad = await post(c.owner.token, '/api/commission-rules', {
      provider_id: p.id, name: 'Bad',
      rule: { version: 1, components: [{ type: 'percent_of_revenue', percent: 150 }, { type: 'tiered_percent_of_revenue', basis: 'month', mode: 'whole', tiers: [{ from_minor: 10, percent: 5 }] }] },
    });
    expect(bad.status).toBe(422);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.body.code).toBe('invalid_rule');
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/rule/components/0/percent', '/rule/components/1/tiers/0/from_minor']);

    const phi = await post(c.owner.token, '/api/commission-rules', {
      provider_id: p.id, name: 'Sneaky', rule: { version: 1, conditions: ['pregnant'], components: [{ type: 'flat_per_consult_shown', amount_minor: 100 }] },
    });
    expect(phi.status).toBe(422);
    expect(phi.body.code).toBe('phi_not_allowed');

    const notObject = await post(c.owner.token, '/api/commission-rules', { provider_id: p.id, name: 'Str', rule: 'ten percent' });
    expect(notObject.status).toBe(422);

    const dates = await post(c.owner.token, '/api/commission-rules', {
      provider_id: p.id, name: 'Backwards', effective_from: '2025-03-10', effective_to: '2025-03-01',
      rule: { version: 1, components: [{ type: 'flat_per_consult_shown', amount_minor: 100 }] },
    });
    expect(dates.status).toBe(422);
    expect(dates.body.errors[0].pointer).toBe('/effective_to');
    expect(await count('commission_rules')).toBe(before);

    // A valid rule is stored as given; a patch with a bad rule changes nothing.
    const ok = await post(c.owner.token, '/api/commission-rules', {
      provider_id: p.id, name: 'Injector 10%', rule: { version: 1, components: [{ type: 'percent_of_revenue', percent: 10, procedure_codes: ['BTX'] }] },
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body).toMatchObject({ provider_id: p.id, provider_name: 'Nurse Lee', effective_from: null, is_active: true, rule: { version: 1 } });
    const badPatch = await t.call('PATCH', `/api/commission-rules/${ok.body.id}`, { token: c.owner.token, body: { rule: { version: 1, components: [{ type: 'percent_of_revenue', percent: 0 }] } } });
    expect(badPatch.status).toBe(422);
    expect(badPatch.body.errors[0].pointer).toBe('/rule/components/0/percent');
    const read = await t.call('GET', `/api/commission-rules/${ok.body.id}`, { token: c.owner.token });
    expect(read.body.rule.components[0].percent).toBe(10);
    const patched = await t.call('PATCH', `/api/commission-rules/${ok.body.id}`, { token: c.owner.token, body: { effective_from: '2025-01-01', is_active: false } });
    expect(patched.body).toMatchObject({ effective_from: '2025-01-01', is_active: false });
    const listed = await t.call('GET', `/api/commission-rules?provider_id=${p.id}`, { token: c.owner.token });
    expect(listed.body.items.map((r: { id: string }) => r.id)).toEqual([ok.body.id]);
    expect((await t.call('DELETE', `/api/commission-rules/${ok.body.id}`, { token: c.owner.token })).status).toBe(204);
    expect((await t.call('GET', `/api/commission-rules/${ok.body.id}`, { token: c.owner.token })).status).toBe(404);
  });
});

describe('monthly statements', () => {
  let surgeon: { id: string };
  let consultant: { id: string };
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    surgeon = await provider(c.owner.token, { name: 'Dr Surgeon', role: 'surgeon' });
    consultant = await provider(c.owner.token, { name: 'Ms Consult', role: 'consultant' });
    const rule = (providerId: string, name: string, r: unknown, extra: Record<string, unknown> = {}) =>
      post(c.owner.token, '/api/commission-rules', { provider_id: providerId, name, rule: r, ...extra }).then((x) => { expect(x.status, JSON.stringify(x.body)).toBe(201); return x.body; });
    await rule(surgeon.id, 'Injectables 10%', { version: 1, components: [{ type: 'percent_of_revenue', percent: 10, procedure_codes: ['BTX', 'FILLER'] }] });
    await rule(surgeon.id, 'Surgery tiers', {
      version: 1, components: [{ type: 'tiered_percent_of_revenue', basis: 'month', mode: 'marginal', procedure_codes: ['RHINO', 'FACE'], tiers: [{ from_minor: 0, percent: 5 }, { from_minor: 1_000_000, percent: 8 }] }],
    });
    await rule(surgeon.id, 'Old rule', { version: 1, components: [{ type: 'percent_of_revenue', percent: 50 }] }, { effective_to: '2025-02-28' });
    await rule(surgeon.id, 'Inactive', { version: 1, components: [{ type: 'percent_of_revenue', percent: 50 }] }, { is_active: false });
    await rule(consultant.id, 'Per show', { version: 1, cap_minor: 12_000, components: [{ type: 'flat_per_consult_shown', amount_minor: 5000 }] });

    const s = surgeon.id;
    // Taipei is UTC+8: 2025-02-28T16:30Z is 1 March 00:30 there, 2025-03-31T16:30Z is 1 April.
    ids.btx = await event({ kind: 'invoice_paid', at: '2025-02-28T16:30:00Z', value: 12_345, code: 'BTX', provider: s });
    ids.filler = await event({ kind: 'invoice_paid', at: '2025-03-05T03:00:00Z', value: 80_005, code: 'FILLER', provider: s });
    ids.rhino = await event({ kind: 'invoice_paid', at: '2025-03-10T03:00:00Z', value: 700_000, code: 'RHINO', provider: s });
    ids.face = await event({ kind: 'invoice_paid', at: '2025-03-20T03:00:00Z', value: 500_000, code: 'FACE', provider: s });
    ids.laser = await event({ kind: 'invoice_paid', at: '2025-03-21T03:00:00Z', value: 30_000, code: 'LASER', provider: s });
    ids.usd = await event({ kind: 'invoice_paid', at: '2025-03-22T03:00:00Z', value: 10_000, code: 'BTX', provider: s, currency: 'USD' });
    ids.deleted = await event({ kind: 'invoice_paid', at: '2025-03-23T03:00:00Z', value: 999_999, code: 'BTX', provider: s, deleted: true });
    ids.february = await event({ kind: 'invoice_paid', at: '2025-02-28T15:59:00Z', value: 777_777, code: 'BTX', provider: s }); // 23:59 on 28 Feb in Taipei
    ids.april = await event({ kind: 'invoice_paid', at: '2025-03-31T16:30:00Z', value: 888_888, code: 'BTX', provider: s });
    ids.unassigned = await event({ kind: 'invoice_paid', at: '2025-03-12T03:00:00Z', value: 40_000, code: 'BTX', provider: null });
    for (const d of ['03', '04', '05']) await event({ kind: 'consult_show', at: `2025-03-${d}T02:00:00Z`, provider: consultant.id });
    await event({ kind: 'consult_show', at: '2025-03-06T02:00:00Z', provider: consultant.id, deleted: true });
    await event({ kind: 'invoice_paid', at: '2025-03-07T02:00:00Z', value: 50_000, code: 'BTX', provider: consultant.id });
  });

  it('adds up to the underlying events of the month in the org\'s time zone, line by line', async () => {
    const r = await t.call('GET', `/api/commission-statements/${surgeon.id}?month=2025-03`, { token: c.owner.token });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const st = r.body;
    expect(st).toMatchObject({ month: '2025-03', timezone: 'Asia/Taipei', currency: 'TWD', period: { from: '2025-03-01', to: '2025-03-31' } });
    expect(st.provider.id).toBe(surgeon.id);
    expect(st.rules.map((x: { name: string }) => x.name).sort()).toEqual(['Injectables 10%', 'Surgery tiers']);

    // 10% of BTX 12,345 (1234.5 -> 1235) and FILLER 80,005 (8000.5 -> 8001); the surgery tiers:
    // RHINO 700,000 at 5% = 35,000; FACE 500,000 crosses 1,000,000: 300,000 at 5% + 200,000 at 8%.
    const shape = st.lines.map((l: Record<string, unknown>) => [l.event_id, l.component_type, l.tier_index, l.basis_minor, l.rate_percent, l.commission_minor]);
    expect(shape).toEqual(expect.arrayContaining([
      [ids.btx, 'percent_of_revenue', null, 12_345, 10, 1235],
      [ids.filler, 'percent_of_revenue', null, 80_005, 10, 8001],
      [ids.rhino, 'tiered_percent_of_revenue', 0, 700_000, 5, 35_000],
      [ids.face, 'tiered_percent_of_revenue', 0, 300_000, 5, 15_000],
      [ids.face, 'tiered_percent_of_revenue', 1, 200_000, 8, 16_000],
    ]));
    expect(st.lines).toHaveLength(5);
    expect(st.total_minor).toBe(1235 + 8001 + 35_000 + 15_000 + 16_000);
    expect(st.total_minor).toBe(sum(st.lines.map((l: { commission_minor: number }) => l.commission_minor)));
    expect(sum(st.rules.map((x: { subtotal_minor: number }) => x.subtotal_minor))).toBe(st.total_minor);
    for (const l of st.lines) expect(l.occurred_at).toBeTruthy();

    // Another currency is shown as excluded; LASER is paid by no rule; deleted, other-month and other providers' events are not there at all.
    expect(Object.fromEntries(st.excluded.map((x: { event_id: string; reason: string }) => [x.event_id, x.reason]))).toEqual({ [ids.usd!]: 'currency_mismatch', [ids.laser!]: 'no_matching_component' });
    const seen = new Set([...st.lines.map((l: { event_id: string }) => l.event_id), ...st.excluded.map((x: { event_id: string }) => x.event_id)]);
    for (const k of ['deleted', 'february', 'april', 'unassigned']) expect(seen.has(ids[k]), k).toBe(false);
    expect(st.counts).toMatchObject({ invoice_paid: 5, consult_show: 0, excluded: 2 });
    expect(st.revenue_basis_minor).toBe(12_345 + 80_005 + 700_000 + 500_000 + 30_000);
  });

  it('pays a flat amount per consult shown, capped for the month with an adjustment line', async () => {
    const r = await t.call('GET', `/api/commission-statements/${consultant.id}?month=2025-03`, { token: c.owner.token });
    expect(r.status).toBe(200);
    expect(r.body.lines.map((l: { line_type: string; commission_minor: number }) => [l.line_type, l.commission_minor])).toEqual([
      ['event', 5000], ['event', 5000], ['event', 5000], ['cap_adjustment', -3000],
    ]);
    expect(r.body.total_minor).toBe(12_000);
    expect(r.body.counts).toMatchObject({ consult_show: 3, invoice_paid: 1 });
    expect(r.body.excluded.map((x: { reason: string }) => x.reason)).toEqual(['no_matching_component']);
  });

  it('lists every provider\'s total for the month, equal to their statements', async () => {
    const r = await t.call('GET', '/api/commission-statements?month=2025-03', { token: c.owner.token });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ month: '2025-03', currency: 'TWD', timezone: 'Asia/Taipei' });
    const byId = Object.fromEntries(r.body.items.map((i: { provider: { id: string }; total_minor: number; currency: string }) => [i.provider.id, i]));
    expect(byId[surgeon.id]).toMatchObject({ total_minor: 75_236, currency: 'TWD' });
    expect(byId[consultant.id]).toMatchObject({ total_minor: 12_000, currency: 'TWD' });
    expect(r.body.total_minor).toBe(sum(r.body.items.map((i: { total_minor: number }) => i.total_minor)));
    // February: only the old 50% rule is in effect for the surgeon, over the one February event.
    const feb = await t.call('GET', `/api/commission-statements/${surgeon.id}?month=2025-02`, { token: c.owner.token });
    expect(feb.body.rules.map((x: { name: string }) => x.name)).toEqual(expect.arrayContaining(['Old rule']));
    expect(feb.body.total_minor).toBe(Math.round(777_777 * 0.5) + Math.round(777_777 * 0.1));
  });

  it('previews an unsaved rule over a provider\'s month, or the whole organization\'s, storing nothing', async () => {
    const before = await count('commission_rules');
    const rule = { version: 1, components: [{ type: 'tiered_percent_of_revenue', basis: 'month', mode: 'whole', tiers: [{ from_minor: 0, percent: 5 }, { from_minor: 1_000_000, percent: 8 }] }] };
    const p = await post(c.owner.token, '/api/commission-rules/preview', { rule, provider_id: surgeon.id, month: '2025-03' });
    expect(p.status, JSON.stringify(p.body)).toBe(200);
    // 1,322,350 of revenue reaches the 8% tier as a whole.
    expect(p.body.components[0]).toMatchObject({ basis_minor: 1_322_350, tier_reached: 1 });
    expect(p.body.total_minor).toBe(sum(p.body.lines.map((l: { commission_minor: number }) => l.commission_minor)));
    expect(p.body.lines.every((l: { rate_percent: number }) => l.rate_percent === 8)).toBe(true);
    const all = await post(c.owner.token, '/api/commission-rules/preview', { rule: { version: 1, components: [{ type: 'percent_of_revenue', percent: 1 }] }, month: '2025-03' });
    expect(all.status).toBe(200);
    expect(all.body.provider).toBeNull();
    expect(all.body.lines.map((l: { event_id: string }) => l.event_id)).toContain(ids.unassigned);
    const bad = await post(c.owner.token, '/api/commission-rules/preview', { rule: { version: 1, components: [] }, month: '2025-03' });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].pointer).toBe('/rule/components');
    expect((await post(c.owner.token, '/api/commission-rules/preview', { rule, month: '2025-13' })).status).toBe(422);
    expect(await count('commission_rules')).toBe(before);
  });

  it('audits statement reads', async () => {
    await t.call('GET', `/api/commission-statements/${surgeon.id}?month=2025-03`, { token: c.owner.token });
    const rows = await sql(c.owner.orgId, c.owner.userId, (q) => q<{ action: string; details: { month: string } }>(
      `SELECT action, details FROM audit_events WHERE entity_type = 'commission_statement' AND entity_id = $1`, [surgeon.id]));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows[0]).toMatchObject({ action: 'read', details: { month: '2025-03' } });
  });

  it('a marketer reads statements but cannot write; an accountant can', async () => {
    const marketer = await staff(t, c.owner.orgId, c.owner.userId, 'marketer');
    const accountant = await staff(t, c.owner.orgId, c.owner.userId, 'accountant');
    const ms = await t.call('GET', `/api/commission-statements/${surgeon.id}?month=2025-03`, { token: marketer, org: c.owner.orgId });
    expect(ms.status, JSON.stringify(ms.body)).toBe(200);
    expect((await t.call('GET', '/api/commission-statements?month=2025-03', { token: marketer, org: c.owner.orgId })).status).toBe(200);
    expect((await t.call('GET', '/api/commission-providers', { token: marketer, org: c.owner.orgId })).status).toBe(200);
    const postAs = (token: string, url: string, body: unknown) => t.call('POST', url, { token, body, org: c.owner.orgId });
    const rule = { version: 1, components: [{ type: 'flat_per_consult_shown', amount_minor: 100 }] };
    const denied = [
      await postAs(marketer, '/api/commission-providers', { name: 'X', role: 'nurse' }),
      await postAs(marketer, '/api/commission-rules', { provider_id: surgeon.id, name: 'X', rule }),
      await t.call('PATCH', `/api/commission-providers/${surgeon.id}`, { token: marketer, body: { name: 'Hacked' }, org: c.owner.orgId }),
      await t.call('DELETE', `/api/commission-providers/${surgeon.id}`, { token: marketer, org: c.owner.orgId }),
      // Permission before shape: an invalid rule tells a marketer nothing about the language.
      await postAs(marketer, '/api/commission-rules', { provider_id: surgeon.id, name: 'X', rule: { version: 9 } }),
    ];
    expect(denied.map((d) => d.status)).toEqual([403, 403, 403, 403, 403]);
    expect((await t.call('GET', `/api/commission-providers/${surgeon.id}`, { token: c.owner.token })).body.name).toBe('Dr Surgeon');
    const made = await postAs(accountant, '/api/commission-providers', { name: 'Acct Made', role: 'coordinator' });
    expect(made.status).toBe(201);
    expect((await postAs(accountant, '/api/commission-rules', { provider_id: made.body.id, name: 'Shows', rule })).status).toBe(201);
  });

  it('answers 404 for another organization\'s provider, and 422 when one is named in a body', async () => {
    for (const url of [`/api/commission-statements/${surgeon.id}?month=2025-03`, `/api/commission-providers/${surgeon.id}`]) {
      const r = await t.call('GET', url, { token: other.token });
      expect(r.status, url).toBe(404);
    }
    expect((await t.call('PATCH', `/api/commission-providers/${surgeon.id}`, { token: other.token, body: { name: 'Mine' } })).status).toBe(404);
    expect((await t.call('DELETE', `/api/commission-providers/${surgeon.id}`, { token: other.token })).status).toBe(404);
    const rule = { version: 1, components: [{ type: 'flat_per_consult_shown', amount_minor: 100 }] };
    const r = await post(other.token, '/api/commission-rules', { provider_id: surgeon.id, name: 'Theirs', rule });
    expect(r.status).toBe(422);
    expect(r.body.errors).toEqual([{ pointer: '/provider_id', message: 'not found' }]);
    const pv = await post(other.token, '/api/commission-rules/preview', { provider_id: surgeon.id, rule, month: '2025-03' });
    expect(pv.status).toBe(422);
    // The other organization's statements list knows nothing of this one.
    const list = await t.call('GET', '/api/commission-statements?month=2025-03', { token: other.token });
    expect(list.body.items).toEqual([]);
  });
});
