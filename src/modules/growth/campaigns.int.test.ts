// Campaigns (CRUD, unique names, soft delete), the spend rule with proration, and KPI events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testVisage, type TestVisage } from '../../../test/helpers.js';
import { newId } from '../../platform/crypto.js';
import { ensureDefaultStages } from './stages.service.js';
import { spendOver, type SpendCampaign } from './campaigns.service.js';

let t: TestVisage;
let owner: { token: string; orgId: string; userId: string };

beforeAll(async () => {
  t = await testVisage();
  owner = await t.owner({ orgName: 'Campaign Spa' });
  await t.db.run({ scope: 'tenant', orgId: owner.orgId }, (tx) => tx.query(`UPDATE organizations SET timezone = 'UTC', currency = 'TWD' WHERE id = $1`, [owner.orgId]));
});
afterAll(async () => { await t?.close(); });

const call = (method: string, url: string, body?: unknown, headers?: Record<string, string>) => t.call(method, url, { token: owner.token, body, headers });

async function newLead(opts: { source?: string; campaignId?: string | null; createdAt?: string } = {}): Promise<string> {
  const id = newId();
  await t.db.run({ scope: 'tenant', orgId: owner.orgId, userId: owner.userId }, async (tx) => {
    await ensureDefaultStages(tx);
    await tx.query(
      `INSERT INTO leads (id, org_id, source, campaign_id, stage_id, rank, currency, created_at)
       VALUES ($1, visage_current_org(), $2, $3, (SELECT id FROM pipeline_stages WHERE org_id = visage_current_org() AND kind = 'new' LIMIT 1), 'a0', 'TWD', $4)`,
      [id, opts.source ?? 'facebook', opts.campaignId ?? null, opts.createdAt ?? new Date(t.clock.now.getTime() - 3_600_000).toISOString()]);
  });
  return id;
}

describe('campaigns', () => {
  it('creates, reads, lists, changes and soft-deletes a campaign; names are unique per org without case', async () => {
    const c = await call('POST', '/api/campaigns', {
      name: 'Spring Botox', platform: 'facebook', type: 'facebook_ads', status: 'active', monthly_spend_minor: 3_000_000, budget_minor: 20_000_000,
      target_audience: { age_groups: ['25-34', '35-44'], countries: ['TW'], interests: ['skincare'] }, start_date: '2025-03-01', end_date: '2025-05-31',
    });
    expect(c.status).toBe(201);
    expect(c.body).toMatchObject({ name: 'Spring Botox', platform: 'facebook', type: 'facebook_ads', status: 'active', currency: 'TWD', monthly_spend_minor: 3_000_000,
      budget_minor: 20_000_000, start_date: '2025-03-01', end_date: '2025-05-31', target_audience: { countries: ['TW'] } });
    // Three whole months at the planned monthly spend.
    expect(c.body.spend_to_date_minor).toBe(9_000_000);

    const dup = await call('POST', '/api/campaigns', { name: 'spring BOTOX', platform: 'google' });
    expect(dup.status).toBe(409);
    expect(dup.headers['content-type']).toContain('application/problem+json');
    expect(dup.body.code).toBe('campaign_name_taken');

    const d = await call('POST', '/api/campaigns', { name: 'Draft Google', platform: 'google' });
    expect(d.status).toBe(201);
    expect(d.body).toMatchObject({ status: 'draft', type: null, monthly_spend_minor: 0, spend_to_date_minor: 0, start_date: null });
    expect((await call('PATCH', `/api/campaigns/${d.body.id}`, { name: 'Spring botox' })).status).toBe(409);
    const patched = await call('PATCH', `/api/campaigns/${d.body.id}`, { status: 'paused', budget_minor: null, start_date: '2025-01-01' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ status: 'paused', start_date: '2025-01-01', name: 'Draft Google' });
    // end before the stored start
    const bad = await call('PATCH', `/api/campaigns/${d.body.id}`, { end_date: '2024-12-31' });
    expect(bad.status).toBe(422);

    await newLead({ campaignId: c.body.id });
    await newLead({ campaignId: c.body.id });
    const list = await call('GET', '/api/campaigns?platform=facebook');
    expect(list.status).toBe(200);
    expect(list.body.items.map((x: { name: string }) => x.name)).toEqual(['Spring Botox']);
    expect(list.body.items[0]).toMatchObject({ lead_count: 2, spend_to_date_minor: 9_000_000 });
    expect((await call('GET', '/api/campaigns?q=draft')).body.items.map((x: { id: string }) => x.id)).toEqual([d.body.id]);
    expect((await call('GET', '/api/campaigns?status=paused')).body.items.map((x: { id: string }) => x.id)).toEqual([d.body.id]);

    expect((await call('DELETE', `/api/campaigns/${d.body.id}`)).status).toBe(204);
    expect((await call('GET', `/api/campaigns/${d.body.id}`)).status).toBe(404);
    expect((await call('DELETE', `/api/campaigns/${d.body.id}`)).status).toBe(404);
    expect((await call('GET', '/api/campaigns')).body.items.map((x: { id: string }) => x.id)).toEqual([c.body.id]);
    // The name is free again once deleted.
    const again = await call('POST', '/api/campaigns', { name: 'Draft Google', platform: 'google' });
    expect(again.status).toBe(201);
    await call('DELETE', `/api/campaigns/${again.body.id}`);
  });

  it('refuses bad campaign input with problem+json 4xx and stores nothing', async () => {
    const before = (await call('GET', '/api/campaigns?limit=200')).body.items.length;
    const bad: unknown[] = [
      { name: 'X1', platform: 'myspace' },
      { name: 'X2', platform: 'google', type: 'billboard' },
      { name: 'X3', platform: 'google', status: 'live' },
      { name: 'X4', platform: 'google', start_date: '2025-05-01', end_date: '2025-04-30' },
      { name: 'X5', platform: 'google', monthly_spend_minor: -1 },
      { name: 'X6', platform: 'google', target_audience: { age_groups: ['12-17'] } },
      { name: 'X7', platform: 'google', target_audience: { countries: ['Taiwan'] } },
      { name: 'X8', platform: 'google', target_audience: { conditions: ['acne'] } },
      { name: 'X9', platform: 'google', target_audience: { income: 'high' } },
      { name: 'X10', platform: 'google', start_date: '2025-02-30' },
      { name: '', platform: 'google' },
      { name: 'X11', platform: 'google', currency: 'usd' },
    ];
    for (const body of bad) {
      const r = await call('POST', '/api/campaigns', body);
      expect(r.status, JSON.stringify(body)).toBeGreaterThanOrEqual(400);
      expect(r.status, JSON.stringify(body)).toBeLessThan(500);
      expect(r.headers['content-type']).toContain('application/problem+json');
    }
    const phi = await call('POST', '/api/campaigns', { name: 'X8', platform: 'google', target_audience: { conditions: ['acne'] } });
    expect(phi.body.code).toBe('phi_not_allowed');
    expect((await call('GET', '/api/campaigns?limit=200')).body.items.length).toBe(before);
  });
});

describe('spend', () => {
  it('counts recorded months, else the planned monthly spend for months the campaign ran, prorated by days in the period', async () => {
    // 31,000 a month from 10 March to 30 April 2025; April recorded at 60,000.
    const c = await call('POST', '/api/campaigns', { name: 'Prorated', platform: 'google', status: 'completed', monthly_spend_minor: 31_000, start_date: '2025-03-10', end_date: '2025-04-30' });
    expect(c.status).toBe(201);
    const put = await call('PUT', `/api/campaigns/${c.body.id}/spend/2025-04`, { amount_minor: 60_000 });
    expect(put.status).toBe(200);
    expect(put.body.months).toEqual([
      { month: '2025-03', recorded_minor: null, planned_minor: 31_000, amount_minor: 31_000, basis: 'planned', recorded: false },
      { month: '2025-04', recorded_minor: 60_000, planned_minor: 31_000, amount_minor: 60_000, basis: 'recorded', recorded: true },
    ]);
    expect(put.body.spend_to_date_minor).toBe(91_000);
    // Upsert: a second PUT replaces the amount.
    expect((await call('PUT', `/api/campaigns/${c.body.id}/spend/2025-04`, { amount_minor: 30_000 })).body.spend_to_date_minor).toBe(61_000);
    expect((await call('PUT', `/api/campaigns/${c.body.id}/spend/2025-04`, { amount_minor: 60_000 })).status).toBe(200);
    // A month outside the run with recorded spend counts too.
    await call('PUT', `/api/campaigns/${c.body.id}/spend/2025-06`, { amount_minor: 5_000 });
    const g = await call('GET', `/api/campaigns/${c.body.id}/spend`);
    expect(g.body.months.map((m: { month: string }) => m.month)).toEqual(['2025-03', '2025-04', '2025-06']);
    expect(g.body.spend_to_date_minor).toBe(96_000);
    expect((await call('DELETE', `/api/campaigns/${c.body.id}/spend/2025-06`)).body.spend_to_date_minor).toBe(91_000);
    expect((await call('DELETE', `/api/campaigns/${c.body.id}/spend/2025-06`)).status).toBe(404);

    // Bad spend input.
    expect((await call('PUT', `/api/campaigns/${c.body.id}/spend/2025-13`, { amount_minor: 1 })).status).toBe(400);
    expect((await call('PUT', `/api/campaigns/${c.body.id}/spend/2025-04`, { amount_minor: -1 })).status).toBe(422);
    expect((await call('PUT', `/api/campaigns/${c.body.id}/spend/2025-04`, { amount_minor: 1.5 })).status).toBe(422);
    expect((await call('PUT', `/api/campaigns/${c.body.id}/spend/2099-01`, { amount_minor: 1 })).status).toBe(422);
    expect((await call('PUT', `/api/campaigns/${c.body.id}/spend/2999-01`, { amount_minor: 1 })).status).toBe(400);
    expect((await call('PUT', `/api/campaigns/${newId()}/spend/2025-04`, { amount_minor: 1 })).status).toBe(404);
    expect((await call('GET', `/api/campaigns/${c.body.id}/spend`)).body.spend_to_date_minor).toBe(91_000);

    // The funnel's spend for 2025-03-20..2025-04-15 (the campaign has no leads): March 31,000 x 12/31 + April 60,000 x 15/30.
    const f = await call('GET', `/api/growth/funnel?from=2025-03-20&to=2025-04-15&group_by=campaign&campaign_id=${c.body.id}`);
    expect(f.status).toBe(200);
    expect(f.body.totals.spend_minor).toBe(Math.round(31_000 * 12 / 31 + 30_000));
    expect(f.body.rows).toEqual([expect.objectContaining({ key: c.body.id, label: 'Prorated', leads: 0, spend_minor: Math.round(31_000 * 12 / 31 + 30_000), roas: 0, cost_per_lead_minor: null })]);
  });

  it('applies the rule on dates (pure)', () => {
    const c: SpendCampaign = { id: 'x', platform: 'google', status: 'active', monthly_spend_minor: 28_000, start_date: null, end_date: null, created_on: '2025-02-10', updated_on: '2025-02-10' };
    const none = new Map<string, number>();
    // Created 10 Feb (no dates, not a draft): February counts whole, prorated only by the period.
    expect(spendOver(c, none, '2025-02-01', '2025-02-28', '2025-06-15')).toBe(28_000);
    expect(spendOver(c, none, '2025-02-01', '2025-02-14', '2025-06-15')).toBe(14_000);
    expect(spendOver(c, none, '2025-01-01', '2025-01-31', '2025-06-15')).toBe(0);
    // Runs until today: nothing after this month.
    expect(spendOver(c, none, '2025-07-01', '2025-07-31', '2025-06-15')).toBe(0);
    expect(spendOver({ ...c, status: 'draft' }, none, '2025-02-01', '2025-02-28', '2025-06-15')).toBe(0);
    expect(spendOver({ ...c, status: 'draft' }, new Map([['2025-02', 1000]]), '2025-02-01', '2025-02-28', '2025-06-15')).toBe(1000);
    // A completed campaign without an end date stopped when it was last changed.
    expect(spendOver({ ...c, status: 'completed', updated_on: '2025-03-05' }, none, '2025-04-01', '2025-04-30', '2025-06-15')).toBe(0);
    expect(spendOver({ ...c, status: 'completed', updated_on: '2025-03-05' }, none, '2025-03-01', '2025-03-31', '2025-06-15')).toBe(28_000);
    // Leap February 2024: 29 days.
    expect(spendOver({ ...c, start_date: '2024-01-01', end_date: '2024-12-31', monthly_spend_minor: 29_000 }, none, '2024-02-01', '2024-02-01', '2025-06-15')).toBe(1000);
  });
});

describe('KPI events', () => {
  it('records events with the lead\'s campaign and source, enforces the rules, is idempotent on source_ref and voids softly', async () => {
    const camp = await call('POST', '/api/campaigns', { name: 'KPI campaign', platform: 'instagram', status: 'active' });
    const leadId = await newLead({ source: 'instagram', campaignId: camp.body.id });
    const booked = await call('POST', '/api/kpi-events', { lead_id: leadId, kind: 'consult_booked', metadata: { slot: 'morning' } });
    expect(booked.status).toBe(201);
    expect(booked.body).toMatchObject({ lead_id: leadId, kind: 'consult_booked', value_minor: null, campaign_id: camp.body.id, source: 'instagram', metadata: { slot: 'morning' } });

    const paid = { lead_id: leadId, kind: 'invoice_paid', value_minor: 120_000, source_ref: 'invoice:A-1', procedure_code: 'BTX' };
    const p1 = await call('POST', '/api/kpi-events', paid);
    expect(p1.status).toBe(201);
    expect(p1.body).toMatchObject({ currency: 'TWD', value_minor: 120_000, procedure_code: 'BTX', source_ref: 'invoice:A-1' });
    const p2 = await call('POST', '/api/kpi-events', paid);
    expect(p2.status).toBe(200);
    expect(p2.body.id).toBe(p1.body.id);

    const rev = () => t.db.run({ scope: 'tenant', orgId: owner.orgId }, async (tx) => (await tx.query<{ revenue_minor: string; consult_booked_at: Date | null; lead_score: number; score_factors: unknown[] }>(
      'SELECT revenue_minor, consult_booked_at, lead_score, score_factors FROM leads WHERE id = $1', [leadId]))[0]!);
    const after = await rev();
    expect(Number(after.revenue_minor)).toBe(120_000);
    expect(after.consult_booked_at).not.toBeNull();
    // Rescored: a booked consult is engagement and makes the last interaction recent.
    expect(after.score_factors).toHaveLength(4);
    expect(after.lead_score).toBe(5 + 8 + 20 + 8);

    const now = t.clock.now.getTime();
    const bad: [unknown, number][] = [
      [{ lead_id: leadId, kind: 'invoice_paid' }, 422],
      [{ lead_id: leadId, kind: 'invoice_paid', value_minor: -5 }, 422],
      [{ lead_id: leadId, kind: 'invoice_paid', value_minor: 0 }, 422],
      [{ lead_id: leadId, kind: 'ad_click', value_minor: 1.5 }, 422],
      [{ lead_id: leadId, kind: 'consult_show', occurred_at: new Date(now + 10 * 60_000).toISOString() }, 422],
      [{ lead_id: leadId, kind: 'refund' }, 422],
      [{ lead_id: leadId, kind: 'ad_click', metadata: { diagnosis: 'x' } }, 422],
      [{ lead_id: leadId, kind: 'ad_click', metadata: { nested: { last_name: 'Chen' } } }, 422],
      [{ lead_id: leadId, kind: 'ad_click', provider_id: newId() }, 422],
      [{ lead_id: newId(), kind: 'ad_click' }, 422],
      [{ lead_id: leadId, kind: 'ad_click', procedure_code: 'LIPO' }, 422],
      [{ lead_id: 'nope', kind: 'ad_click' }, 422],
    ];
    for (const [body, status] of bad) {
      const r = await call('POST', '/api/kpi-events', body);
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect(r.headers['content-type']).toContain('application/problem+json');
    }
    // Within the 5 minutes of skew is fine.
    expect((await call('POST', '/api/kpi-events', { lead_id: leadId, kind: 'ad_click', occurred_at: new Date(now + 60_000).toISOString() })).status).toBe(201);

    const list = await call('GET', `/api/kpi-events?lead_id=${leadId}&limit=2`);
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(2);
    expect(list.body.next_cursor).not.toBeNull();
    const rest = await call('GET', `/api/kpi-events?lead_id=${leadId}&limit=2&cursor=${list.body.next_cursor}`);
    expect(rest.body.items).toHaveLength(1);
    expect((await call('GET', `/api/kpi-events?campaign_id=${camp.body.id}&kind=invoice_paid`)).body.items.map((k: { id: string }) => k.id)).toEqual([p1.body.id]);
    expect((await call('GET', '/api/kpi-events?from=2030-01-01')).body.items).toEqual([]);

    // Voiding the payment: the lead's revenue follows.
    expect((await call('DELETE', `/api/kpi-events/${p1.body.id}`)).status).toBe(204);
    expect(Number((await rev()).revenue_minor)).toBe(0);
    expect((await call('DELETE', `/api/kpi-events/${p1.body.id}`)).status).toBe(404);
    expect((await call('GET', `/api/kpi-events/${p1.body.id}`)).status).toBe(404);
    expect((await call('GET', `/api/kpi-events?lead_id=${leadId}`)).body.items).toHaveLength(2);
  });
});
