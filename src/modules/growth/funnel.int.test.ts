// The funnel, cohorts and revenue views against hand-counted numbers for a small fixture, with
// spend by the spend rule; the marketer reads them but none of the chart; rescoring every lead.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testVisage, type TestVisage } from '../../../test/helpers.js';
import { newId } from '../../platform/crypto.js';
import { staff } from '../clinical/clinic.fixtures.js';
import { ensureDefaultStages } from './stages.service.js';

let t: TestVisage;
let owner: { token: string; orgId: string; userId: string };
let A: string; // facebook, 31,000 a month, March-April 2025
let B: string; // google, 62,000 recorded for March 2025 only
const L: Record<string, string> = {};
const NIL = '00000000-0000-0000-0000-000000000000';

const call = (method: string, url: string, body?: unknown) => t.call(method, url, { token: owner.token, body });
const sql = <R = Record<string, unknown>>(text: string, params: unknown[] = []) =>
  t.db.run({ scope: 'tenant', orgId: owner.orgId, userId: owner.userId }, (tx) => tx.query<R>(text, params));

async function lead(name: string, o: { source: string; campaign: string | null; platform: string | null; createdAt: string }): Promise<string> {
  const id = newId();
  await sql(`INSERT INTO leads (id, org_id, first_name, source, campaign_id, ad_platform, stage_id, rank, currency, created_at)
    VALUES ($1, visage_current_org(), $2, $3, $4, $5, (SELECT id FROM pipeline_stages WHERE org_id = visage_current_org() AND kind = 'new'), 'a0', 'TWD', $6)`,
  [id, name, o.source, o.campaign, o.platform, o.createdAt]);
  L[name] = id;
  return id;
}
async function kpi(leadId: string, kind: string, occurredAt: string, value?: number): Promise<string> {
  const r = await call('POST', '/api/kpi-events', { lead_id: leadId, kind, occurred_at: occurredAt, ...(value ? { value_minor: value } : {}) });
  expect(r.status).toBe(201);
  return r.body.id;
}

beforeAll(async () => {
  t = await testVisage();
  owner = await t.owner({ orgName: 'Funnel Spa' });
  await sql(`UPDATE organizations SET timezone = 'UTC', currency = 'TWD' WHERE id = $1`, [owner.orgId]);
  await t.db.run({ scope: 'tenant', orgId: owner.orgId, userId: owner.userId }, (tx) => ensureDefaultStages(tx));
  A = (await call('POST', '/api/campaigns', { name: 'FB Botox', platform: 'facebook', status: 'active', monthly_spend_minor: 31_000, start_date: '2025-03-01', end_date: '2025-04-30' })).body.id;
  B = (await call('POST', '/api/campaigns', { name: 'Google Filler', platform: 'google', status: 'completed', start_date: '2025-03-01', end_date: '2025-03-31' })).body.id;
  expect((await call('PUT', `/api/campaigns/${B}/spend/2025-03`, { amount_minor: 62_000 })).status).toBe(200);

  // March 2025 (UTC): five live leads and a deleted one; April: one.
  await lead('l1', { source: 'facebook', campaign: A, platform: 'facebook', createdAt: '2025-03-05T10:00:00Z' });
  await lead('l2', { source: 'instagram', campaign: A, platform: 'instagram', createdAt: '2025-03-06T10:00:00Z' });
  await lead('l3', { source: 'facebook', campaign: A, platform: null, createdAt: '2025-03-20T10:00:00Z' });
  await lead('l4', { source: 'google', campaign: B, platform: 'google', createdAt: '2025-03-10T10:00:00Z' });
  await lead('l5', { source: 'referral', campaign: null, platform: null, createdAt: '2025-03-15T10:00:00Z' });
  await lead('l6', { source: 'google', campaign: B, platform: 'google', createdAt: '2025-04-02T10:00:00Z' });
  await lead('gone', { source: 'facebook', campaign: A, platform: 'facebook', createdAt: '2025-03-07T10:00:00Z' });

  // l1: contacted, booked, showed, won, paid 100,000 in March. l2: contacted only. l3: booked.
  // l4: showed, paid 50,000 in April. l5: won (no other milestone), paid 20,000 in March.
  await sql(`INSERT INTO activities (id, org_id, lead_id, type, payload, created_at) VALUES ($1, visage_current_org(), $2, 'sms_sent', '{}', '2025-03-05T11:00:00Z')`, [newId(), L.l1]);
  await sql(`INSERT INTO activities (id, org_id, lead_id, type, payload, created_at) VALUES ($1, visage_current_org(), $2, 'call', '{"direction":"outbound","duration_seconds":60,"outcome":"answered"}', '2025-03-07T11:00:00Z')`, [newId(), L.l2]);
  await kpi(L.l1!, 'consult_booked', '2025-03-06T09:00:00Z');
  await kpi(L.l1!, 'consult_show', '2025-03-12T09:00:00Z');
  await kpi(L.l1!, 'invoice_paid', '2025-03-25T09:00:00Z', 100_000);
  await kpi(L.l3!, 'consult_booked', '2025-03-21T09:00:00Z');
  await kpi(L.l4!, 'consult_show', '2025-03-18T09:00:00Z');
  await kpi(L.l4!, 'invoice_paid', '2025-04-05T09:00:00Z', 50_000);
  await kpi(L.l5!, 'invoice_paid', '2025-03-28T09:00:00Z', 20_000);
  await kpi(L.gone!, 'consult_booked', '2025-03-08T09:00:00Z');
  await sql(`UPDATE leads SET won_at = '2025-03-26T00:00:00Z' WHERE id = ANY($1::uuid[])`, [[L.l1, L.l5]]);
  await sql('UPDATE leads SET deleted_at = now() WHERE id = $1', [L.gone]);
});
afterAll(async () => { await t?.close(); });

type Row = { key: string; label: string; leads: number; contacted: number; consults_booked: number; shows: number; won: number; revenue_minor: number; spend_minor: number };
const pick = (r: Row) => [r.leads, r.contacted, r.consults_booked, r.shows, r.won, r.revenue_minor, r.spend_minor];
const byKey = (rows: Row[]) => Object.fromEntries(rows.map((r) => [r.key, pick(r)]));
const MARCH = 'from=2025-03-01&to=2025-03-31';

function sumsUp(body: { rows: Row[]; totals: Row }) {
  const sum = body.rows.reduce((s, r) => pick(r).map((v, i) => s[i]! + v), [0, 0, 0, 0, 0, 0, 0]);
  expect(pick(body.totals)).toEqual(sum);
}

describe('funnel', () => {
  it('by campaign: counts, revenue (by lead creation) and spend, hand-counted; totals are the sum of rows', async () => {
    const r = await call('GET', `/api/growth/funnel?${MARCH}&group_by=campaign`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ period: { from: '2025-03-01', to: '2025-03-31' }, currency: 'TWD', group_by: 'campaign' });
    //                     leads contacted booked shows won revenue spend
    expect(byKey(r.body.rows)).toEqual({
      [A]: [3, 3, 2, 1, 1, 100_000, 31_000],
      [B]: [1, 1, 1, 1, 0, 50_000, 62_000],
      [NIL]: [1, 1, 1, 1, 1, 20_000, 0],
    });
    expect(r.body.rows.map((x: Row) => x.label)).toEqual(['FB Botox', 'Google Filler', 'No campaign']);
    sumsUp(r.body);
    expect(r.body.totals).toEqual({
      leads: 5, contacted: 5, consults_booked: 4, shows: 3, won: 2, revenue_minor: 170_000, spend_minor: 93_000,
      cost_per_lead_minor: 18_600, cost_per_consult_minor: 23_250, contact_rate: 1, booking_rate: 0.8, show_rate: 0.75, close_rate: 0.6667,
      lead_to_won: 0.4, roas: 1.828,
    });
    const a = r.body.rows.find((x: Row) => x.key === A);
    expect(a).toMatchObject({ cost_per_lead_minor: 10_333, cost_per_consult_minor: 15_500, show_rate: 0.5, close_rate: 1, roas: 3.2258 });
    const none = r.body.rows.find((x: Row) => x.key === NIL);
    expect(none).toMatchObject({ roas: null, cost_per_lead_minor: 0 });
  });

  it('by source: campaign spend split by the campaign\'s leads share; by platform: the campaign\'s platform', async () => {
    const s = await call('GET', `/api/growth/funnel?${MARCH}&group_by=source`);
    expect(byKey(s.body.rows)).toEqual({
      facebook: [2, 2, 2, 1, 1, 100_000, 20_667],
      instagram: [1, 1, 0, 0, 0, 0, 10_333],
      google: [1, 1, 1, 1, 0, 50_000, 62_000],
      referral: [1, 1, 1, 1, 1, 20_000, 0],
    });
    sumsUp(s.body);
    expect(s.body.totals.spend_minor).toBe(93_000);

    const p = await call('GET', `/api/growth/funnel?${MARCH}&group_by=platform`);
    expect(byKey(p.body.rows)).toEqual({
      facebook: [2, 2, 2, 1, 1, 100_000, 31_000], // l1 (ad platform), l3 (its campaign's platform)
      instagram: [1, 1, 0, 0, 0, 0, 0],
      google: [1, 1, 1, 1, 0, 50_000, 62_000],
      '': [1, 1, 1, 1, 1, 20_000, 0],
    });
    expect(p.body.rows.find((x: Row) => x.key === '').label).toBe('Unknown');
    sumsUp(p.body);
  });

  it('by week and by day: every bucket of the period, spend prorated by day', async () => {
    const w = await call('GET', `/api/growth/funnel?${MARCH}&group_by=week`);
    // 1 March 2025 is a Saturday: the first ISO week starts on 24 February (2 days inside the period). 3,000 a day.
    expect(w.body.rows.map((x: Row) => [x.key, x.leads, x.spend_minor])).toEqual([
      ['2025-02-24', 0, 6_000], ['2025-03-03', 2, 21_000], ['2025-03-10', 2, 21_000], ['2025-03-17', 1, 21_000], ['2025-03-24', 0, 21_000], ['2025-03-31', 0, 3_000],
    ]);
    expect(w.body.rows[0].label).toBe('Week of 2025-02-24');
    sumsUp(w.body);
    const d = await call('GET', `/api/growth/funnel?${MARCH}&group_by=day`);
    expect(d.body.rows).toHaveLength(31);
    expect(d.body.rows.every((x: Row) => x.spend_minor === 3_000)).toBe(true);
    expect(d.body.rows.find((x: Row) => x.key === '2025-03-05')).toMatchObject({ leads: 1, won: 1, revenue_minor: 100_000 });
    sumsUp(d.body);
    expect(d.body.totals.leads).toBe(5);
  });

  it('filters by campaign, source and platform, spend following the same rules', async () => {
    const a = await call('GET', `/api/growth/funnel?${MARCH}&group_by=month&campaign_id=${A}`);
    expect(byKey(a.body.rows)).toEqual({ '2025-03': [3, 3, 2, 1, 1, 100_000, 31_000] });
    const fb = await call('GET', `/api/growth/funnel?${MARCH}&group_by=campaign&source=facebook`);
    expect(byKey(fb.body.rows)).toEqual({ [A]: [2, 2, 2, 1, 1, 100_000, 20_667] });
    const g = await call('GET', `/api/growth/funnel?${MARCH}&group_by=source&platform=google`);
    expect(byKey(g.body.rows)).toEqual({ google: [1, 1, 1, 1, 0, 50_000, 62_000] });
    const none = await call('GET', `/api/growth/funnel?from=2020-01-01&to=2020-01-31&group_by=campaign`);
    expect(none.body.rows).toEqual([]);
    expect(none.body.totals).toMatchObject({ leads: 0, spend_minor: 0, roas: null, show_rate: null, cost_per_lead_minor: null });
  });

  it('follows events: a won lead, a voided payment', async () => {
    await sql(`UPDATE leads SET won_at = '2025-03-27T00:00:00Z' WHERE id = $1`, [L.l2]);
    let r = await call('GET', `/api/growth/funnel?${MARCH}&group_by=campaign&campaign_id=${A}`);
    expect(byKey(r.body.rows)[A]).toEqual([3, 3, 3, 2, 2, 100_000, 31_000]);
    await sql('UPDATE leads SET won_at = NULL WHERE id = $1', [L.l2]);
    const paid = await call('GET', `/api/kpi-events?lead_id=${L.l5}&kind=invoice_paid`);
    expect((await call('DELETE', `/api/kpi-events/${paid.body.items[0].id}`)).status).toBe(204);
    r = await call('GET', `/api/growth/funnel?${MARCH}&group_by=campaign`);
    expect(byKey(r.body.rows)[NIL]).toEqual([1, 1, 1, 1, 1, 0, 0]);
    await kpi(L.l5!, 'invoice_paid', '2025-03-28T09:00:00Z', 20_000);
  });

  it('refuses bad queries with 400 problem+json', async () => {
    for (const q of ['from=2025-04-01&to=2025-03-01', 'from=2025-02-30', 'group_by=year', 'from=2015-01-01&to=2025-12-31', 'from=2023-01-01&to=2025-12-31&group_by=day', 'campaign_id=x']) {
      const r = await call('GET', `/api/growth/funnel?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.headers['content-type']).toContain('application/problem+json');
    }
  });
});

describe('cohorts and revenue by payment date', () => {
  it('cohorts by month of lead creation with the month\'s spend', async () => {
    const c = await call('GET', '/api/growth/cohorts?from_month=2025-02&to_month=2025-04');
    expect(c.status).toBe(200);
    expect(c.body.rows.map((r: Row & { month: string }) => [r.month, ...pick(r)])).toEqual([
      ['2025-02', 0, 0, 0, 0, 0, 0, 0],
      ['2025-03', 5, 5, 4, 3, 2, 170_000, 93_000],
      ['2025-04', 1, 0, 0, 0, 0, 0, 31_000],
    ]);
    expect(c.body.rows[1]).toMatchObject({ show_rate: 0.75, close_rate: 0.6667 });
    sumsUp(c.body);
    const b = await call('GET', `/api/growth/cohorts?from_month=2025-03&to_month=2025-04&campaign_id=${B}`);
    expect(b.body.rows.map((r: Row & { month: string }) => [r.month, r.leads, r.spend_minor])).toEqual([['2025-03', 1, 62_000], ['2025-04', 1, 0]]);
    expect((await call('GET', '/api/growth/cohorts?from_month=2025-05&to_month=2025-04')).status).toBe(400);
  });

  it('revenue by payment date comes from invoice_paid events, not lead creation', async () => {
    const r = await call('GET', '/api/growth/revenue?from=2025-03-01&to=2025-03-31&group_by=campaign');
    expect(r.status).toBe(200);
    expect(r.body.rows).toEqual([
      { key: A, label: 'FB Botox', revenue_minor: 100_000, payments: 1 },
      { key: NIL, label: 'No campaign', revenue_minor: 20_000, payments: 1 },
    ]);
    expect(r.body.totals).toEqual({ revenue_minor: 120_000, payments: 2 });
    const apr = await call('GET', '/api/growth/revenue?from=2025-04-01&to=2025-04-30&group_by=source');
    expect(apr.body.rows).toEqual([{ key: 'google', label: 'google', revenue_minor: 50_000, payments: 1 }]);
  });
});

describe('roles and rescoring', () => {
  it('the marketer reads the funnel but no treatment session', async () => {
    const marketer = await staff(t, owner.orgId, owner.userId, 'marketer');
    expect((await t.call('GET', `/api/growth/funnel?${MARCH}`, { token: marketer, org: owner.orgId })).status).toBe(200);
    expect((await t.call('GET', '/api/growth/cohorts', { token: marketer, org: owner.orgId })).status).toBe(200);
    expect((await t.call('GET', '/api/growth/revenue', { token: marketer, org: owner.orgId })).status).toBe(200);
    expect((await t.call('GET', '/api/treatment-sessions', { token: marketer, org: owner.orgId })).status).toBe(403);
    expect((await t.call('POST', '/api/treatment-sessions', { token: marketer, org: owner.orgId, body: { patient_id: newId(), treatment_id: 'X' } })).status).toBe(403);
    const audits = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events WHERE entity_type = 'growth_funnel' AND action = 'list'`);
    expect(audits[0]!.n).toBeGreaterThan(0);
  });

  it('rescores every live lead with explainable factors', async () => {
    await sql(`UPDATE leads SET lead_score = 0, score_factors = '[]', scored_at = NULL`);
    const r = await call('POST', '/api/growth/rescore');
    expect(r.status).toBe(200);
    expect(r.body.rescored).toBe(6);
    const rows = await sql<{ id: string; lead_score: number; score_factors: { factor: string; points: number; max: number; reason: string }[]; scored_at: Date | null; deleted_at: Date | null }>(
      'SELECT id, lead_score, score_factors, scored_at, deleted_at FROM leads');
    for (const l of rows) {
      if (l.deleted_at) { expect(l.scored_at).toBeNull(); continue; }
      expect(l.scored_at).not.toBeNull();
      expect(l.score_factors.map((f) => f.factor)).toEqual(['stage', 'source', 'recency', 'engagement']);
      expect(l.score_factors.reduce((s, f) => s + f.points, 0)).toBe(l.lead_score);
    }
    // l5 (referral) outscores l6 (google, nothing else); both sit in New.
    const s = Object.fromEntries(rows.map((x) => [x.id, x]));
    expect(s[L.l5!]!.score_factors[1]).toMatchObject({ points: 15, reason: 'Source referral (referral): 15 of 15' });
    expect(s[L.l6!]!.lead_score).toBe(5 + 10);
    const marketer = await staff(t, owner.orgId, owner.userId, 'marketer');
    expect((await t.call('POST', '/api/growth/rescore', { token: marketer, org: owner.orgId })).status).toBe(200);
  });
});
