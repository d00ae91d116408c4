import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testVisage, type TestVisage } from '../../../test/helpers.js';
import { joinAs } from '../identity/invitations.fixtures.js';
import {
  addDays, clinic, insertFollowup, insertPatient, insertSession, insertTreatment, insertVisit, taipeiDate,
} from '../care/care.fixtures.js';

let t: TestVisage;
beforeAll(async () => { t = await testVisage(); });
afterAll(async () => { await t?.close(); });

const ids = (rows: { patient_id: string }[]) => rows.map((r) => r.patient_id);

describe('GET /api/dashboard/treatments (hand-computed, Asia/Taipei)', () => {
  it('counts October sessions by the Taipei calendar, the 12-month repeat rate and the average price', async () => {
    const o = await clinic(t);
    const bot = await insertTreatment(t, o.orgId, { code: 'BOT_MASSETER', name: '美國肉毒瘦小臉', priceMinor: 499_900 });
    const hifu = await insertTreatment(t, o.orgId, { code: 'HIFU', name: '海芙音波', priceMinor: 3_800_000, category: 'Device' });
    const [p1, p2, p3, p4, p5, p6] = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => insertPatient(t, o.orgId, { name: `P${i}` })));
    const s = (patientId: string, treatmentId: string, performedAt: string, priceMinor: number | null, deleted = false) =>
      insertSession(t, o.orgId, { patientId, treatmentId, performedAt, priceMinor, deleted });
    await s(p1!, bot, '2026-10-05T02:00:00Z', 499_900);
    await s(p1!, bot, '2026-06-10T02:00:00Z', 499_900);
    await s(p2!, bot, '2026-10-31T17:00:00Z', 450_000); // 1 Nov 01:00 in Taipei: November
    await s(p6!, bot, '2026-10-31T16:30:00Z', 499_900); // 1 Nov 00:30 in Taipei: November
    await s(p3!, bot, '2026-09-30T16:30:00Z', 400_000); // 1 Oct 00:30 in Taipei: October
    await s(p3!, bot, '2025-10-15T02:00:00Z', 400_000); // before the 12-month window (from 1 Nov 2025)
    await s(p2!, bot, '2026-10-10T02:00:00Z', 499_900, true); // deleted: not counted
    await s(p1!, hifu, '2026-10-20T02:00:00Z', 3_600_000);
    await s(p4!, hifu, '2026-10-21T02:00:00Z', null); // no price recorded: the base price counts
    await s(p4!, hifu, '2026-02-01T02:00:00Z', 3_800_000);
    await s(p5!, hifu, '2026-03-01T02:00:00Z', 3_800_000);

    const res = await t.call('GET', '/api/dashboard/treatments?month=2026-10', { token: o.token });
    expect(res.status).toBe(200);
    expect(res.body.map((r: { treatment_name: string }) => r.treatment_name)).toEqual(['海芙音波', '美國肉毒瘦小臉']);
    const [h, b] = res.body;
    // HIFU: Oct = P1 + P4 = 2; 12 months: P1 (1), P4 (2), P5 (1) -> 1/3; average (3,600,000 + 3,800,000) / 2 minor = NT$37,000.
    expect(h).toMatchObject({ treatment_name: '海芙音波', monthly_sessions: 2, repeat_rate: 0.3333, avg_revenue: 37_000, revenue: 74_000, currency: 'TWD', patients_12m: 3, repeat_patients_12m: 1 });
    // Botox: Oct (Taipei) = P1 on the 5th + P3 at 00:30 on the 1st = 2; 12 months: P1 (2), P3 (1) -> 1/2; average (499,900 + 400,000) / 2 = NT$4,499.50.
    expect(b).toMatchObject({ treatment_name: '美國肉毒瘦小臉', monthly_sessions: 2, repeat_rate: 0.5, avg_revenue: 4_499.5, month: '2026-10' });
    expect(b.series).toHaveLength(12);
    expect(b.series[0]).toEqual({ month: '2025-11', sessions: 0, revenue: 0 });
    expect(b.series.filter((m: { sessions: number }) => m.sessions > 0)).toEqual([
      { month: '2026-06', sessions: 1, revenue: 4_999 }, { month: '2026-10', sessions: 2, revenue: 8_999 },
    ]);
    const nov = await t.call('GET', '/api/dashboard/treatments?month=2026-11', { token: o.token });
    expect(nov.body.find((r: { treatment_code: string }) => r.treatment_code === 'BOT_MASSETER')).toMatchObject({ monthly_sessions: 2, avg_revenue: 4_749.5 });
    expect((await t.call('GET', '/api/dashboard/treatments?month=2026-13', { token: o.token })).status).toBe(400);
  });
});

describe('GET /api/dashboard/followup-risk', () => {
  it('lists patients past their recommended re-treatment with nothing booked after it, due within 30 days, overdue after', async () => {
    const o = await clinic(t);
    const today = taipeiDate(t.clock.now);
    const d = (n: number) => addDays(today, n);
    const bot = await insertTreatment(t, o.orgId, { code: 'BOT', name: 'Botox', priceMinor: 499_900 });
    const patient = async (name: string, lastSessionDaysAgo: number) => {
      const id = await insertPatient(t, o.orgId, { name });
      await insertSession(t, o.orgId, { patientId: id, treatmentId: bot, performedAt: `${d(-lastSessionDaysAgo)}T02:00:00Z`, priceMinor: 499_900 });
      return id;
    };
    const maint = (p: string, n: number, extra: { status?: string; next?: string } = {}) =>
      insertFollowup(t, o.orgId, { patientId: p, treatmentId: bot, type: 'maintenance', date: d(n), ...extra });
    const q1 = await patient('Q1 due', 130); await maint(q1, -10);
    const q2 = await patient('Q2 overdue', 200); await maint(q2, -60);
    const q3 = await patient('Q3 booked follow-up', 130); await maint(q3, -10);
    await insertFollowup(t, o.orgId, { patientId: q3, type: 'medical', date: d(5) });
    const q4 = await patient('Q4 booked visit', 130); await maint(q4, -10); await insertVisit(t, o.orgId, { patientId: q4, date: d(3) });
    const q5 = await patient('Q5 came back', 130); await maint(q5, -20);
    await insertSession(t, o.orgId, { patientId: q5, treatmentId: bot, performedAt: `${d(-5)}T02:00:00Z`, priceMinor: 499_900 });
    const q6 = await patient('Q6 recommended on completion', 100); await maint(q6, -90, { status: 'done', next: d(-40) });
    const q7 = await patient('Q7 not yet', 100); await maint(q7, 10);
    const q8 = await patient('Q8 cancelled', 130); await maint(q8, -10, { status: 'cancelled' });
    const q9 = await patient('Q9 twice', 140); await maint(q9, -15, { next: d(-15) });

    const res = await t.call('GET', '/api/dashboard/followup-risk', { token: o.token });
    expect(res.status).toBe(200);
    expect(ids(res.body)).toEqual([q1, q9, q6, q2]);
    expect(res.body[0]).toEqual({
      patient_id: q1, patient_name: 'Q1 due', patient_code: expect.any(String), last_treatment: 'Botox', last_treatment_id: bot,
      last_session_date: d(-130), days_since_last: 130, recommended_date: d(-10), days_past: 10, status: 'due',
    });
    expect(res.body.map((r: { status: string }) => r.status)).toEqual(['due', 'due', 'overdue', 'overdue']);
    expect(res.body[3]).toMatchObject({ days_since_last: 200, days_past: 60 });

    expect(ids((await t.call('GET', '/api/dashboard/followup-risk?status=overdue', { token: o.token })).body)).toEqual([q6, q2]);
    expect(ids((await t.call('GET', '/api/dashboard/followup-risk?status=due', { token: o.token })).body)).toEqual([q1, q9]);
    const first = await t.call('GET', '/api/dashboard/followup-risk?limit=3', { token: o.token });
    expect(ids(first.body)).toEqual([q1, q9, q6]);
    const rest = await t.call('GET', `/api/dashboard/followup-risk?limit=3&cursor=${first.headers['x-next-cursor']}`, { token: o.token });
    expect(ids(rest.body)).toEqual([q2]);
    expect(rest.headers['x-next-cursor']).toBeUndefined();
    void [q3, q4, q5, q7, q8];
  });
});

describe('seed 001 analytics', () => {
  it('retention: clients by first-session month (Taipei) who came back on a later day within 12 months', async () => {
    const o = await clinic(t);
    const tr = await insertTreatment(t, o.orgId, { code: 'BOT', name: 'Botox', priceMinor: 499_900 });
    const tr2 = await insertTreatment(t, o.orgId, { code: 'HA', name: 'Filler', priceMinor: 1_200_000 });
    const [c1, c2, c3, c4, c5] = await Promise.all([1, 2, 3, 4, 5].map((i) => insertPatient(t, o.orgId, { name: `C${i}` })));
    const s = (p: string, at: string, treatmentId = tr) => insertSession(t, o.orgId, { patientId: p, treatmentId, performedAt: at, priceMinor: 1 });
    await s(c1!, '2026-01-10T02:00:00Z'); await s(c1!, '2026-05-01T02:00:00Z');
    await s(c2!, '2026-01-20T02:00:00Z'); await s(c2!, '2026-01-20T03:00:00Z', tr2); // two treatments on the same day: not a return
    await s(c3!, '2026-01-31T17:00:00Z'); await s(c3!, '2027-02-15T02:00:00Z'); // February in Taipei; back after more than 12 months
    await s(c4!, '2025-12-15T02:00:00Z'); await s(c4!, '2026-01-15T02:00:00Z'); // December cohort
    await s(c5!, '2026-03-05T02:00:00Z'); await s(c5!, '2026-03-20T02:00:00Z');
    const res = await t.call('GET', '/api/dashboard/retention?from=2026-01&to=2026-03', { token: o.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      { cohort_month: '2026-01', clients: 2, returned: 1, retention_rate: 0.5, complete: false },
      { cohort_month: '2026-02', clients: 1, returned: 0, retention_rate: 0, complete: false },
      { cohort_month: '2026-03', clients: 1, returned: 1, retention_rate: 1, complete: false },
    ]);
    const dec = await t.call('GET', '/api/dashboard/retention?from=2025-12&to=2025-12', { token: o.token });
    // December's last first session (31 Dec 2025) has its full 12 months on 1 Jan 2027.
    expect(dec.body).toEqual([{ cohort_month: '2025-12', clients: 1, returned: 1, retention_rate: 1, complete: false }]);
  });

  it('revenue by procedure type and popular pigments from the sessions\' PMU details, March in Taipei', async () => {
    const o = await clinic(t);
    const mb = await insertTreatment(t, o.orgId, { code: 'MB', name: 'Microblading', priceMinor: 1_200_000, category: 'PMU', procedureType: 'Microblading' });
    const bot = await insertTreatment(t, o.orgId, { code: 'BOT', name: 'Botox', priceMinor: 499_900 });
    const [k1, k2, k3, k4, k5, k6] = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => insertPatient(t, o.orgId, { name: `K${i}` })));
    const s = (p: string, treatmentId: string, at: string, priceMinor: number | null, pmu: Record<string, unknown> | null) =>
      insertSession(t, o.orgId, { patientId: p, treatmentId, performedAt: at, priceMinor, pmu });
    await s(k1!, mb, '2026-03-02T02:00:00Z', 1_200_000, { procedure_type: 'Microblading', pigment_brand: 'Permablend', pigment_color: 'Medium Brown' });
    await s(k1!, mb, '2026-03-30T02:00:00Z', 1_000_000, { procedure_type: 'Microblading', pigment_brand: 'permablend', pigment_color: 'medium brown' });
    await s(k2!, mb, '2026-03-10T02:00:00Z', 1_200_000, { procedure_type: 'Powder Brows', pigment_brand: 'Li Pigments', pigment_color: 'Ash' });
    await s(k3!, mb, '2026-03-11T02:00:00Z', null, { pigment_brand: 'Permablend', pigment_color: 'Medium Brown' });
    await s(k4!, bot, '2026-03-12T02:00:00Z', 499_900, null);
    await s(k5!, mb, '2026-02-28T17:00:00Z', 1_200_000, { procedure_type: 'Microblading', pigment_brand: 'Li Pigments', pigment_color: 'Ash' }); // 1 March in Taipei
    await s(k6!, mb, '2026-03-31T16:30:00Z', 1_200_000, { procedure_type: 'Microblading', pigment_brand: 'Permablend', pigment_color: 'Medium Brown' }); // 1 April in Taipei

    const rev = await t.call('GET', '/api/dashboard/revenue-by-procedure-type?month=2026-03', { token: o.token });
    expect(rev.status).toBe(200);
    expect(rev.body).toEqual([
      { procedure_type: 'Microblading', sessions: 4, revenue: 46_000, avg_revenue: 11_500, currency: 'TWD' },
      { procedure_type: 'Powder Brows', sessions: 1, revenue: 12_000, avg_revenue: 12_000, currency: 'TWD' },
      { procedure_type: 'Injection', sessions: 1, revenue: 4_999, avg_revenue: 4_999, currency: 'TWD' },
    ]);
    const pig = await t.call('GET', '/api/dashboard/popular-pigments?month=2026-03', { token: o.token });
    expect(pig.body).toEqual([
      { pigment_brand: 'Permablend', pigment_color: 'Medium Brown', sessions: 3, clients: 2 },
      { pigment_brand: 'Li Pigments', pigment_color: 'Ash', sessions: 2, clients: 2 },
    ]);
    const range = await t.call('GET', '/api/dashboard/popular-pigments?from=2026-03-01&to=2026-04-30', { token: o.token });
    expect(range.body[0]).toMatchObject({ pigment_brand: 'Permablend', sessions: 4, clients: 3 });
  });
});

describe('who may see dashboards', () => {
  it('a marketer gets 403 on every dashboard; another organization sees none of these numbers', async () => {
    const o = await clinic(t);
    const tr = await insertTreatment(t, o.orgId, { code: 'BOT', name: 'Botox', priceMinor: 499_900 });
    const p = await insertPatient(t, o.orgId, { name: 'Only Here' });
    await insertSession(t, o.orgId, { patientId: p, treatmentId: tr, performedAt: new Date().toISOString(), priceMinor: 499_900, pmu: { pigment_brand: 'X' } });
    const lapsed = await insertPatient(t, o.orgId, { name: 'Lapsed Here' });
    await insertSession(t, o.orgId, { patientId: lapsed, treatmentId: tr, performedAt: `${addDays(taipeiDate(t.clock.now), -100)}T02:00:00Z`, priceMinor: 499_900 });
    await insertFollowup(t, o.orgId, { patientId: lapsed, type: 'maintenance', date: addDays(taipeiDate(t.clock.now), -3) });
    const urls = ['/api/dashboard/treatments', '/api/dashboard/followup-risk', '/api/dashboard/retention', '/api/dashboard/revenue-by-procedure-type', '/api/dashboard/popular-pigments'];
    const marketer = await joinAs(t, o, 'marketer');
    for (const url of urls) expect((await t.call('GET', url, { token: marketer.token })).status, url).toBe(403);
    const mine = await Promise.all(urls.map((url) => t.call('GET', url, { token: o.token })));
    expect(mine.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(mine[0]!.body[0].monthly_sessions).toBe(1);
    expect(ids(mine[1]!.body)).toEqual([lapsed]);
    // A new session shows at once (the stored answer is dropped by the write).
    await insertSession(t, o.orgId, { patientId: p, treatmentId: tr, performedAt: new Date().toISOString(), priceMinor: 499_900 });
    expect((await t.call('GET', urls[0]!, { token: o.token })).body[0].monthly_sessions).toBe(2);
    const other = await clinic(t);
    const theirs = await Promise.all(urls.map((url) => t.call('GET', url, { token: other.token })));
    expect(theirs[0]!.body).toEqual([]);
    expect(theirs[1]!.body).toEqual([]);
    expect(theirs[2]!.body.every((c: { clients: number }) => c.clients === 0)).toBe(true);
    expect(theirs[3]!.body).toEqual([]);
    expect(theirs[4]!.body).toEqual([]);
  });
});
