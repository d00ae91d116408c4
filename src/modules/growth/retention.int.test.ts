import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testVisage, uniqueEmail, type TestVisage } from '../../../test/helpers.js';
import { staff } from '../clinical/clinic.fixtures.js';
import { newId } from '../../platform/crypto.js';
import { cutoffsAt, nextRetentionSlot, rescoreDecayed, RETENTION_JOB, runGrowthRetention, yearsBefore } from './retention.js';

let t: TestVisage;

const DAY = 86_400_000;
const YEAR_MS = 365.25 * DAY;

const q = <R = Record<string, unknown>>(orgId: string, text: string, params: unknown[] = []) =>
  t.db.run({ scope: 'system', orgId }, (tx) => tx.query<R>(text, params));

/** A stage of the organization's pipeline (created through the web form path, which creates the defaults). */
async function stageId(orgId: string): Promise<string> {
  const [s] = await q<{ id: string }>(orgId, `SELECT id FROM pipeline_stages WHERE org_id = visage_current_org() ORDER BY position LIMIT 1`);
  return s!.id;
}

async function slugOf(orgId: string): Promise<string> {
  const [o] = await q<{ slug: string }>(orgId, 'SELECT slug FROM organizations WHERE id = visage_current_org()');
  return o!.slug;
}

async function submitForm(orgId: string, email = uniqueEmail('ret')): Promise<string> {
  const r = await t.call('POST', `/api/public/orgs/${await slugOf(orgId)}/leads`, {
    body: { first_name: 'Rae', email, contact_consent: true, interest: ['LASER'], form_started_at: t.clock.now.getTime() - 10_000 },
  });
  expect(r.status).toBe(202);
  const [l] = await q<{ id: string }>(orgId, 'SELECT id FROM leads WHERE email = $1', [email]);
  return l!.id;
}

/** A lead whose own time stamps are `at` (created, updated, last interaction). */
async function oldLead(orgId: string, at: Date, lastInteraction: Date | null = at): Promise<string> {
  const id = newId();
  await q(orgId, `INSERT INTO leads (id, org_id, first_name, source, stage_id, rank, currency, created_at, updated_at, last_interaction_at)
    VALUES ($1, visage_current_org(), 'Old', 'website', $2, $3, 'USD', $4, $4, $5)`, [id, await stageId(orgId), `a${id.slice(-6)}`, at, lastInteraction]);
  return id;
}
const activity = async (orgId: string, leadId: string, at: Date) => {
  const id = newId();
  await q(orgId, `INSERT INTO activities (id, org_id, lead_id, type, payload, created_at) VALUES ($1, visage_current_org(), $2, 'call', '{}', $3)`, [id, leadId, at]);
  return id;
};
const kpi = async (orgId: string, leadId: string, at: Date) => {
  const id = newId();
  await q(orgId, `INSERT INTO kpi_events (id, org_id, lead_id, kind, occurred_at, created_at) VALUES ($1, visage_current_org(), $2, 'consult_booked', $3, $3)`, [id, leadId, at]);
  return id;
};
const journey = async (orgId: string, leadId: string | null, at: Date) => {
  const id = newId();
  await q(orgId, `INSERT INTO journey_events (id, org_id, lead_id, event_type, created_at) VALUES ($1, visage_current_org(), $2, 'page_view', $3)`, [id, leadId, at]);
  return id;
};
const ids = async (orgId: string, table: string) =>
  new Set((await q<{ id: string }>(orgId, `SELECT id FROM ${table} WHERE org_id = visage_current_org()`)).map((r) => r.id));

beforeAll(async () => {
  t = await testVisage({ config: { rateLimitPerMinute: 1_000_000, leadFormPerIpPerMinute: 1_000_000, leadFormPerOrgPerMinute: 1_000_000 } });
});
afterAll(async () => { await t?.close(); });

describe('retention cut-offs', () => {
  it('counts calendar years back, 29 February falling on the 28th', () => {
    expect(yearsBefore(new Date('2031-05-10T12:00:00Z'), 3).toISOString()).toBe('2028-05-10T12:00:00.000Z');
    expect(yearsBefore(new Date('2028-02-29T08:00:00Z'), 3).toISOString()).toBe('2025-02-28T08:00:00.000Z');
    const c = cutoffsAt(new Date('2030-01-01T00:00:00Z'));
    expect([c.activities, c.kpi_events, c.leads].map((d) => d.toISOString().slice(0, 4))).toEqual(['2027', '2025', '2023']);
    expect(nextRetentionSlot(new Date('2030-01-01T02:59:59Z')).toISOString()).toBe('2030-01-01T03:00:00.000Z');
    expect(nextRetentionSlot(new Date('2030-01-01T03:00:00Z')).toISOString()).toBe('2030-01-02T03:00:00.000Z');
  });
});

describe('runGrowthRetention', () => {
  it('removes exactly the rows past their cut-off, per organization, and records each run', async () => {
    const a = await t.owner({ orgName: 'Retention A' });
    const b = await t.owner({ orgName: 'Retention B' });
    await submitForm(a.orgId); // a live lead of today, and the default stages
    await submitForm(b.orgId);
    const now = t.clock.now;
    const c = cutoffsAt(now);
    const before = (d: Date) => new Date(d.getTime() - 60_000);
    const after = (d: Date) => new Date(d.getTime() + 60_000);

    // L1: silent for 8 years, with one of everything: goes, and its dependants with it.
    const eight = new Date(now.getTime() - 8 * YEAR_MS);
    const l1 = await oldLead(a.orgId, eight);
    const l1Act = await activity(a.orgId, l1, eight);
    const l1Kpi = await kpi(a.orgId, l1, eight);
    const l1Journey = await journey(a.orgId, l1, eight);
    await q(a.orgId, `INSERT INTO lead_stage_history (id, org_id, lead_id, stage_id, changed_at) VALUES ($1, visage_current_org(), $2, $3, $4)`, [newId(), l1, await stageId(a.orgId), eight]);
    await q(a.orgId, `INSERT INTO tags (id, org_id, name, color) VALUES ($1, visage_current_org(), 'Old tag', '#000000')`, [newId()]);
    await q(a.orgId, `INSERT INTO lead_tags (id, org_id, lead_id, tag_id) SELECT $1, visage_current_org(), $2, id FROM tags WHERE name = 'Old tag'`, [newId(), l1]);
    await q(a.orgId, `INSERT INTO opportunities (id, org_id, lead_id, expected_value_minor, currency, procedure_code) VALUES ($1, visage_current_org(), $2, 1000, 'USD', 'BTX')`, [newId(), l1]);
    // L2: created 8 years ago but heard from just inside 7 years: stays; its rows each on either side of their own cut-off.
    const l2 = await oldLead(a.orgId, eight, after(c.leads));
    const actOld = await activity(a.orgId, l2, before(c.activities));
    const actNew = await activity(a.orgId, l2, after(c.activities));
    const kpiOld = await kpi(a.orgId, l2, before(c.kpi_events));
    const kpiNew = await kpi(a.orgId, l2, after(c.kpi_events));
    // L3: silent for 8 years by its own dates, but a journey event a year ago says it is alive.
    const l3 = await oldLead(a.orgId, eight);
    await journey(a.orgId, l3, new Date(now.getTime() - YEAR_MS));
    // L4: just past the lead cut-off, nothing else: goes.
    const l4 = await oldLead(a.orgId, before(c.leads), null);
    // Journey events of no lead follow the leads' 7 years.
    const orphanOld = await journey(a.orgId, null, before(c.leads));
    const orphanNew = await journey(a.orgId, null, after(c.leads));
    // Organization B: one old lead.
    const bOld = await oldLead(b.orgId, eight);

    const leadsBefore = await ids(a.orgId, 'leads');
    const actsBefore = await ids(a.orgId, 'activities');
    const kpiBefore = await ids(a.orgId, 'kpi_events');
    const journeyBefore = await ids(a.orgId, 'journey_events');

    const runs = await runGrowthRetention(t.visage.deps, now, { batch: 2, orgIds: [a.orgId, b.orgId] }); // tiny batches: the loop must go round
    const runA = runs.find((r) => r.orgId === a.orgId)!;
    const runB = runs.find((r) => r.orgId === b.orgId)!;
    expect(runA.removed).toEqual({ activities: 2, kpi_events: 2, leads: 2, lead_tags: 1, lead_stage_history: 1, opportunities: 1, journey_events: 2 });
    expect(runB.removed).toMatchObject({ leads: 1 });

    const gone = (set: Set<string>, now2: Set<string>) => [...set].filter((x) => !now2.has(x)).sort();
    expect(gone(leadsBefore, await ids(a.orgId, 'leads'))).toEqual([l1, l4].sort());
    expect(gone(actsBefore, await ids(a.orgId, 'activities'))).toEqual([l1Act, actOld].sort());
    expect(gone(kpiBefore, await ids(a.orgId, 'kpi_events'))).toEqual([l1Kpi, kpiOld].sort());
    expect(gone(journeyBefore, await ids(a.orgId, 'journey_events'))).toEqual([l1Journey, orphanOld].sort());
    const left = await ids(a.orgId, 'leads');
    expect(left.has(l2) && left.has(l3)).toBe(true);
    expect((await ids(a.orgId, 'activities')).has(actNew)).toBe(true);
    expect((await ids(a.orgId, 'kpi_events')).has(kpiNew)).toBe(true);
    expect((await ids(a.orgId, 'journey_events')).has(orphanNew)).toBe(true);
    expect((await ids(b.orgId, 'leads')).has(bOld)).toBe(false);
    expect(await q(a.orgId, 'SELECT 1 FROM lead_stage_history WHERE lead_id = $1', [l1])).toHaveLength(0);

    // The run is recorded in each organization with its cut-offs and counts only.
    const [rec] = await q<any>(a.orgId, 'SELECT * FROM growth_retention_runs WHERE id = $1', [runA.runId]);
    expect(rec.cutoffs).toEqual({ activities: c.activities.toISOString(), kpi_events: c.kpi_events.toISOString(), leads: c.leads.toISOString() });
    expect(rec.removed).toEqual(runA.removed);
    expect(await q(b.orgId, 'SELECT 1 FROM growth_retention_runs')).toHaveLength(1);

    // Nothing more to remove: a second run removes nothing and is recorded too.
    const again = await runGrowthRetention(t.visage.deps, now, { orgIds: [a.orgId, b.orgId] });
    expect(Object.values(again.find((r) => r.orgId === a.orgId)!.removed).every((v) => v === 0)).toBe(true);
    expect(await q(a.orgId, 'SELECT 1 FROM growth_retention_runs')).toHaveLength(2);
  });
});

describe('the daily job', () => {
  it('runs once per slot whatever the number of chains, and records a run per organization', async () => {
    const o = await t.owner({ orgName: 'Job Clinic' });
    await submitForm(o.orgId);
    // The sweep visits every organization of the database (other test files share it on a server):
    // run it with the clock 30 years back, so its cut-offs reach nothing, and put the clock back after.
    t.clock.advance(-30 * YEAR_MS);
    const jobs = t.visage.deps.jobs!;
    const slot = new Date(Math.floor((Date.now() - 3_600_000) / 1000) * 1000); // due already (pg-boss compares with the database clock)
    const queue = () => t.db.run({ scope: 'system', orgId: null }, (tx) => jobs.enqueue(tx, RETENTION_JOB, { slot: slot.toISOString() }, { startAfter: slot }));
    const runs = async () => (await q(o.orgId, 'SELECT 1 FROM growth_retention_runs')).length;
    const before = await runs();
    await queue();
    await queue(); // a second chain (another process) for the same day
    await jobs.drain();
    // The job marks itself done (and queues the next day) before the sweep itself: wait for the sweep.
    for (let i = 0; i < 200 && await runs() === before; i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    await jobs.drain();
    t.clock.advance(30 * YEAR_MS);
    expect(await runs()).toBe(before + 1);
    const [rec] = await q<any>(o.orgId, 'SELECT removed FROM growth_retention_runs ORDER BY ran_at DESC LIMIT 1');
    expect(Object.values(rec.removed).every((v) => v === 0)).toBe(true);
  });
});

describe('retention over time, through the API', () => {
  it('removes the activity after 3 years, the KPI event after 5, the lead after 7, as the clock moves', async () => {
    const o = await t.owner({ orgName: 'Clock Clinic' });
    const email = uniqueEmail('clock');
    const lead = await submitForm(o.orgId, email);
    const click = await t.call('POST', '/api/leads/ad-click', { token: o.token, org: o.orgId, body: { platform: 'google', click_id: `clock-${newId().slice(-6)}`, email } });
    expect(click.status).toBe(201);
    // Sessions expire as the clock moves on: sign in again before each call.
    const signIn = async () => (await t.call('POST', '/api/auth/login', { body: { email: o.email, password: o.password }, org: o.orgId })).body.token as string;
    const run = async () => t.call('POST', '/api/growth/retention/run', { token: await signIn(), org: o.orgId });

    const first = await run();
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(Object.values(first.body.removed).every((v) => v === 0)).toBe(true);

    t.clock.advance(3 * YEAR_MS + 2 * DAY);
    const r3 = await run();
    expect(r3.body.removed).toMatchObject({ activities: 2, kpi_events: 0, leads: 0 }); // form_submit and tag_added
    expect(await q(o.orgId, 'SELECT 1 FROM leads WHERE id = $1', [lead])).toHaveLength(1);

    t.clock.advance(2 * YEAR_MS);
    const r5 = await run();
    expect(r5.body.removed).toMatchObject({ activities: 0, kpi_events: 1, leads: 0 });

    t.clock.advance(2 * YEAR_MS);
    const r7 = await run();
    // The lead goes with what has no retention of its own: its tag link, stage history and journey (form, click).
    expect(r7.body.removed).toEqual({ activities: 0, kpi_events: 0, leads: 1, lead_tags: 1, lead_stage_history: 1, opportunities: 0, journey_events: 2 });
    expect(await q(o.orgId, 'SELECT 1 FROM leads WHERE id = $1', [lead])).toHaveLength(0);

    const token = await signIn();
    const list = await t.call('GET', '/api/growth/retention/runs?limit=3', { token, org: o.orgId });
    expect(list.status).toBe(200);
    expect(list.body.items.map((x: any) => x.run_id)).toEqual([r7.body.run_id, r5.body.run_id, r3.body.run_id]);
    expect(list.body.next_cursor).not.toBeNull();
    const rest = await t.call('GET', `/api/growth/retention/runs?limit=3&cursor=${list.body.next_cursor}`, { token, org: o.orgId });
    expect(rest.body.items.map((x: any) => x.run_id)).toEqual([first.body.run_id]);

    const marketer = await staff(t, o.orgId, o.userId, 'marketer');
    expect((await t.call('POST', '/api/growth/retention/run', { token: marketer, org: o.orgId })).status).toBe(200);
    const practitioner = await staff(t, o.orgId, o.userId, 'practitioner');
    expect((await t.call('POST', '/api/growth/retention/run', { token: practitioner, org: o.orgId })).status).toBe(403);
    expect((await t.call('GET', '/api/growth/retention/runs', { token: practitioner, org: o.orgId })).status).toBe(403);
  });
});

describe('nightly rescoring of decaying scores', () => {
  it('rescores leads whose recency has aged since they were scored, and leaves settled ones alone', async () => {
    const o = await t.owner({ orgName: 'Decay Spa' });
    const fresh = await submitForm(o.orgId); // scored now, interaction now: recency at its top band
    const score = async (id: string) => (await q<{ lead_score: number; factors: { factor: string; points: number }[] }>(o.orgId,
      'SELECT lead_score, score_factors AS factors FROM leads WHERE id = $1', [id]))[0]!;
    const before = await score(fresh);
    const recency = (s: { factors: { factor: string; points: number }[] }) => s.factors.find((f) => f.factor === 'recency')!.points;
    expect(recency(before)).toBe(20);
    // A lead scored long after its last interaction has settled: it is not picked again.
    const settled = await oldLead(o.orgId, new Date(t.clock.now.getTime() - 400 * DAY));
    await q(o.orgId, 'UPDATE leads SET scored_at = $2, lead_score = 7 WHERE id = $1', [settled, new Date(t.clock.now.getTime() - 2 * DAY)]);

    expect(await rescoreDecayed(t.visage.deps, t.clock.now, { orgIds: [o.orgId] })).toBe(0); // scored minutes ago
    const later = new Date(t.clock.now.getTime() + 10 * DAY);
    expect(await rescoreDecayed(t.visage.deps, later, { orgIds: [o.orgId] })).toBe(1);
    const after = await score(fresh);
    expect(recency(after)).toBeLessThan(recency(before));
    expect(after.lead_score).toBe(before.lead_score - (recency(before) - recency(after)));
    expect((await score(settled)).lead_score).toBe(7);
    expect(await rescoreDecayed(t.visage.deps, later, { orgIds: [o.orgId] })).toBe(0); // done for tonight
  });
});

