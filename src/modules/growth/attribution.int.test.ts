// Attribution: a signed treatment session of a patient a lead became is revenue of the lead's
// campaign and source (one invoice_paid KPI event, idempotent), and nothing else reaches growth.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testVisage, type TestVisage } from '../../../test/helpers.js';
import { newId } from '../../platform/crypto.js';
import { clinic, addPatient, addTreatment, type Clinic } from '../clinical/clinic.fixtures.js';
import { ensureDefaultStages } from './stages.service.js';
import { attributeLeadHistory, attributeRevenue, procedureCodeOf } from './attribution.js';

let t: TestVisage;
let c: Clinic;
let campaignId: string;

const run = <T>(fn: Parameters<TestVisage['db']['run']>[1] extends (tx: infer X) => Promise<unknown> ? (tx: X) => Promise<T> : never) =>
  t.db.run({ scope: 'tenant', orgId: c.owner.orgId, userId: c.owner.userId }, fn);
const sql = <R = Record<string, unknown>>(text: string, params: unknown[] = []) => run((tx) => tx.query<R>(text, params));

async function lead(o: { patientId?: string | null; source?: string; createdAt?: Date; wonAt?: Date | null } = {}): Promise<string> {
  const id = newId();
  await run(async (tx) => {
    await ensureDefaultStages(tx);
    await tx.query(`INSERT INTO leads (id, org_id, first_name, source, campaign_id, ad_platform, stage_id, rank, currency, patient_id, won_at, created_at)
      VALUES ($1, visage_current_org(), 'Amy', $2, $3, 'instagram', (SELECT id FROM pipeline_stages WHERE org_id = visage_current_org() AND kind = 'new'), 'a0', 'TWD', $4, $5, $6)`,
    [id, o.source ?? 'instagram', campaignId, o.patientId ?? null, o.wonAt ?? null, o.createdAt ?? new Date(t.clock.now.getTime() - 2 * 86_400_000)]);
  });
  return id;
}
const session = async (patientId: string, extra: Record<string, unknown> = {}) => {
  const r = await t.call('POST', '/api/treatment-sessions', { token: c.owner.token, body: { patient_id: patientId, treatment_id: 'BOT_MASSETER', dosage_value: 20, ...extra } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.session_id as string;
};
const events = (leadId?: string) => sql<{ id: string; lead_id: string; value_minor: string; currency: string; campaign_id: string; source: string; procedure_code: string | null; source_ref: string; metadata: unknown }>(
  `SELECT id, lead_id, value_minor, currency, campaign_id, source, procedure_code, source_ref, metadata FROM kpi_events WHERE kind = 'invoice_paid' ${leadId ? 'AND lead_id = $1' : ''} ORDER BY created_at`, leadId ? [leadId] : []);
const revenue = async (leadId: string) => Number((await sql<{ r: string }>('SELECT revenue_minor AS r FROM leads WHERE id = $1', [leadId]))[0]!.r);

beforeAll(async () => {
  t = await testVisage();
  c = await clinic(t);
  const camp = await t.call('POST', '/api/campaigns', { token: c.owner.token, body: { name: 'IG Masseter', platform: 'instagram', status: 'active' } });
  expect(camp.status).toBe(201);
  campaignId = camp.body.id;
});
afterAll(async () => { await t?.close(); });

describe('attribution', () => {
  it('maps treatments to seed 004 procedure codes', () => {
    expect([procedureCodeOf('Injection', 'BOT_MASSETER'), procedureCodeOf('Injection', 'HA_FILLER'), procedureCodeOf('Injection', 'HA_LIPS'), procedureCodeOf('Laser', 'LASER_TONING'),
      procedureCodeOf('Surgery', 'RHINOPLASTY'), procedureCodeOf('Device', 'HIFU'), procedureCodeOf('Injection', 'PRP'), procedureCodeOf(null, null)])
      .toEqual(['BTX', 'FILLER', 'FILLER', 'LASER', 'RHINO', null, null, null]);
  });

  it('a signed session of a patient a lead became is an invoice_paid event of the lead\'s campaign; the funnel follows', async () => {
    const patient = c.patients[0]!;
    const leadId = await lead({ patientId: patient });
    const today = new Date(t.clock.now).toISOString().slice(0, 10);
    const funnelRevenue = async () => {
      const f = await t.call('GET', `/api/growth/funnel?from=2020-01-01&to=${today}&group_by=campaign&campaign_id=${campaignId}`, { token: c.owner.token });
      expect(f.status).toBe(200);
      return f.body.totals.revenue_minor as number;
    };
    expect(await funnelRevenue()).toBe(0);

    const sessionId = await session(patient, { clinical_notes: 'CANARY-clinical-7f3a', immediate_reaction: 'CANARY-reaction-7f3a' });
    const ev = await events(leadId);
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ lead_id: leadId, campaign_id: campaignId, source: 'instagram', procedure_code: 'BTX', currency: 'TWD', source_ref: `session:${sessionId}`, metadata: {} });
    expect(Number(ev[0]!.value_minor)).toBe(499_900);
    expect(await revenue(leadId)).toBe(499_900);
    expect(await funnelRevenue()).toBe(499_900);
    // The API lists it for the marketer's dashboard, carrying nothing clinical.
    const listed = await t.call('GET', `/api/kpi-events?lead_id=${leadId}`, { token: c.owner.token });
    expect(listed.body.items).toHaveLength(1);
    expect(JSON.stringify(listed.body)).not.toContain('CANARY');
    const leaked = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM kpi_events WHERE metadata::text LIKE '%CANARY%' OR coalesce(source_ref, '') LIKE '%CANARY%'`);
    expect(leaked[0]!.n).toBe(0);

    // Attributing the same session again (the session hook, the lead's history) has one effect.
    const again = await run((tx) => attributeRevenue(tx, null, { patientId: patient, amountMinor: 499_900, currency: 'TWD', occurredAt: new Date(t.clock.now), sourceRef: `session:${sessionId}` }));
    expect(again).toBe(ev[0]!.id);
    expect(await run((tx) => attributeLeadHistory(tx, null, leadId))).toBe(0);
    expect(await events(leadId)).toHaveLength(1);
    expect(await revenue(leadId)).toBe(499_900);

    // A second session adds to it; a free one (price 0) does not.
    await session(patient, { price_minor: 100_000 });
    await session(patient, { price_minor: 0 });
    expect(await revenue(leadId)).toBe(599_900);
    expect(await funnelRevenue()).toBe(599_900);
  });

  it('a patient no lead became: nothing reaches growth', async () => {
    const before = (await events()).length;
    const stranger = await addPatient(t, c.owner.orgId, 'Walk In');
    await session(stranger);
    expect((await events()).length).toBe(before);
    expect(await run((tx) => attributeRevenue(tx, null, { patientId: stranger, amountMinor: 1000, currency: 'TWD', occurredAt: new Date(t.clock.now), sourceRef: 'payment:x' }))).toBeNull();
  });

  it('with several leads, the most recently won one gets the revenue', async () => {
    const p = await addPatient(t, c.owner.orgId, 'Two Leads');
    const older = await lead({ patientId: p, wonAt: new Date(t.clock.now.getTime() - 86_400_000) });
    const newer = await lead({ patientId: p, createdAt: new Date(t.clock.now.getTime() - 3_600_000) });
    await session(p);
    expect((await events(older)).length).toBe(1);
    expect((await events(newer)).length).toBe(0);
  });

  it('linking a lead to its patient attributes the sessions signed since the lead was created, once', async () => {
    const p = c.patients[1]!;
    const laser = await addTreatment(t, c.owner.orgId, 'LASER_TONING', { category: 'Laser', priceMinor: 350_000 });
    const s1 = await session(p, { treatment_id: laser, dosage_value: 1, dosage_unit: 'session' });
    const s2 = await session(p);
    const old = await session(p, { price_minor: 77_000 });
    // Signed long before the lead existed: not the lead's revenue.
    await sql(`UPDATE treatment_sessions SET signed_at = '2020-01-01T00:00:00Z' WHERE id = $1`, [old]);
    expect((await events()).filter((e) => [s1, s2, old].some((s) => e.source_ref === `session:${s}`))).toHaveLength(0);

    const leadId = await lead({ source: 'google' });
    expect(await run((tx) => attributeLeadHistory(tx, null, leadId))).toBe(0); // not linked yet
    await sql('UPDATE leads SET patient_id = $2 WHERE id = $1', [leadId, p]);
    expect(await run((tx) => attributeLeadHistory(tx, null, leadId))).toBe(2);
    const ev = await events(leadId);
    expect(ev.map((e) => [e.source_ref, Number(e.value_minor), e.procedure_code, e.source]).sort()).toEqual([
      [`session:${s1}`, 350_000, 'LASER', 'google'], [`session:${s2}`, 499_900, 'BTX', 'google'],
    ].sort());
    expect(await revenue(leadId)).toBe(849_900);
    expect(await run((tx) => attributeLeadHistory(tx, null, leadId))).toBe(0);
    expect(await events(leadId)).toHaveLength(2);
  });

  it('a corrected price revises the attributed revenue; a price of 0 or a deleted session voids it', async () => {
    const p = await addPatient(t, c.owner.orgId, 'Dana Wu');
    const leadId = await lead({ patientId: p, source: 'tiktok' });
    const s = await session(p, { price_minor: 100_000 });
    expect(await revenue(leadId)).toBe(100_000);
    const amend = (body: Record<string, unknown>) => t.call('PATCH', `/api/treatment-sessions/${s}`, { token: c.owner.token, body: { reason: 'price corrected at checkout', ...body } });
    expect((await amend({ price_minor: 120_000 })).status).toBe(200);
    expect(await revenue(leadId)).toBe(120_000);
    expect((await amend({ price_minor: 0 })).status).toBe(200);
    expect(await revenue(leadId)).toBe(0);
    expect((await amend({ price_minor: 90_000 })).status).toBe(200);
    expect(await revenue(leadId)).toBe(90_000);
    expect((await events(leadId)).map((e) => Number(e.value_minor))).toEqual([90_000]); // one event, revised in place
    expect((await t.call('DELETE', `/api/treatment-sessions/${s}`, { token: c.owner.token })).status).toBe(204);
    expect(await revenue(leadId)).toBe(0);
    const [voided] = await sql<{ deleted_at: Date | null }>("SELECT deleted_at FROM kpi_events WHERE source_ref = $1", [`session:${s}`]);
    expect(voided!.deleted_at).not.toBeNull();
    // A session priced 0 when signed and corrected later is attributed then.
    const free = await session(p, { price_minor: 0 });
    expect((await t.call('PATCH', `/api/treatment-sessions/${free}`, { token: c.owner.token, body: { reason: 'was not free after all', price_minor: 55_000 } })).status).toBe(200);
    expect(await revenue(leadId)).toBe(55_000);
  });
});
