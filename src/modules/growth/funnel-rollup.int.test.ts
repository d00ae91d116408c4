// The funnel's database machinery (0013): lead milestones follow activities, stage history and KPI
// events; the daily rollup follows leads; a set-based rebuild gives the same rollup.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyBetween } from 'fractional-indexing';
import { testDatabase } from '../../../test/helpers.js';
import type { Database, Tx } from '../../platform/db/client.js';
import { newId } from '../../platform/crypto.js';
import { createOrganization, createUser } from '../identity/index.js';

let db: Database;
let orgId: string;
let userId: string;
const ctx = () => ({ scope: 'tenant' as const, orgId, userId });
const stages: Record<string, string> = {};
let campaignId: string;

beforeAll(async () => {
  db = await testDatabase();
  userId = await db.run({ scope: 'auth' }, (tx) => createUser(tx, { email: `rollup.${Date.now()}@test.visage.local`, password: 'rollup password 1', fullName: 'R' }, new Date()));
  orgId = (await db.run({ scope: 'user', orgId: null, userId }, (tx) => createOrganization(tx, {}, userId, { name: 'Rollup Spa', type: 'clinic', timezone: 'Asia/Taipei' }))).id;
  await db.run(ctx(), async (tx) => {
    let pos = 0;
    for (const [name, kind] of [['New', 'new'], ['Contacted', 'contacted'], ['Consult Booked', 'consult_booked'], ['Won', 'won'], ['Lost', 'lost']]) {
      stages[kind!] = newId();
      await tx.query('INSERT INTO pipeline_stages (id, org_id, name, position, color, kind) VALUES ($1, visage_current_org(), $2, $3, $4, $5)', [stages[kind!], name, pos++, '#336699', kind]);
    }
    campaignId = newId();
    await tx.query(`INSERT INTO campaigns (id, org_id, name, platform, currency) VALUES ($1, visage_current_org(), 'Spring Botox', 'facebook', 'TWD')`, [campaignId]);
  });
});
afterAll(async () => { await db?.close(); });

async function lead(tx: Tx, createdAt: string, source = 'facebook', campaign: string | null = campaignId): Promise<string> {
  const id = newId();
  await tx.query(`INSERT INTO leads (id, org_id, source, campaign_id, ad_platform, stage_id, rank, currency, created_at)
    VALUES ($1, visage_current_org(), $2, $3, 'facebook', $4, $5, 'TWD', $6)`, [id, source, campaign, stages.new, generateKeyBetween(null, null), createdAt]);
  return id;
}
const rollup = (tx: Tx) => tx.query<{ day: string; source: string; leads: number; contacted: number; booked: number; showed: number; won: number; revenue_minor: number }>(
  'SELECT day::text AS day, source, leads, contacted, booked, showed, won, revenue_minor::float8 AS revenue_minor FROM growth_funnel_daily WHERE leads <> 0 OR revenue_minor <> 0 ORDER BY day, source');

describe('funnel rollup', () => {
  it('counts leads by creation day in the org timezone and follows milestones and revenue', async () => {
    await db.run(ctx(), async (tx) => {
      await tx.query('SET CONSTRAINTS ALL IMMEDIATE'); // the rollup triggers fire at each statement, not at COMMIT
      // 2026-03-01 17:30 UTC is 2026-03-02 in Taipei.
      const a = await lead(tx, '2026-03-01T17:30:00Z');
      const b = await lead(tx, '2026-03-01T10:00:00Z');
      await lead(tx, '2026-03-01T11:00:00Z', 'google', null);
      expect(await rollup(tx)).toEqual([
        { day: '2026-03-01', source: 'facebook', leads: 1, contacted: 0, booked: 0, showed: 0, won: 0, revenue_minor: 0 },
        { day: '2026-03-01', source: 'google', leads: 1, contacted: 0, booked: 0, showed: 0, won: 0, revenue_minor: 0 },
        { day: '2026-03-02', source: 'facebook', leads: 1, contacted: 0, booked: 0, showed: 0, won: 0, revenue_minor: 0 },
      ]);
      // An outbound SMS contacts b; a form submission does not count as contact.
      await tx.query(`INSERT INTO activities (id, org_id, lead_id, type, payload, created_at) VALUES ($1, visage_current_org(), $2, 'form_submit', '{}', '2026-03-01T10:01:00Z')`, [newId(), b]);
      expect((await rollup(tx))[0]!.contacted).toBe(0);
      await tx.query(`INSERT INTO activities (id, org_id, lead_id, type, payload, created_at) VALUES ($1, visage_current_org(), $2, 'sms_sent', '{}', '2026-03-01T12:00:00Z')`, [newId(), b]);
      // a enters Consult Booked (history), shows up and pays twice; one payment is later voided (soft delete).
      await tx.query(`INSERT INTO lead_stage_history (id, org_id, lead_id, stage_id, changed_at) VALUES ($1, visage_current_org(), $2, $3, '2026-03-03T09:00:00Z')`, [newId(), a, stages.consult_booked]);
      await tx.query(`INSERT INTO kpi_events (id, org_id, lead_id, kind, occurred_at) VALUES ($1, visage_current_org(), $2, 'consult_show', '2026-03-05T09:00:00Z')`, [newId(), a]);
      const pay1 = newId();
      await tx.query(`INSERT INTO kpi_events (id, org_id, lead_id, kind, value_minor, currency, occurred_at) VALUES ($1, visage_current_org(), $2, 'invoice_paid', 1200000, 'TWD', '2026-03-05T10:00:00Z')`, [pay1, a]);
      await tx.query(`INSERT INTO kpi_events (id, org_id, lead_id, kind, value_minor, currency, occurred_at) VALUES ($1, visage_current_org(), $2, 'invoice_paid', 300000, 'TWD', '2026-03-06T10:00:00Z')`, [newId(), a]);
      await tx.query('UPDATE kpi_events SET deleted_at = now() WHERE id = $1', [pay1]);
      const [la] = await tx.query<{ first_contacted_at: Date; consult_booked_at: Date; consult_showed_at: Date; revenue_minor: number }>(
        'SELECT first_contacted_at, consult_booked_at, consult_showed_at, revenue_minor::float8 AS revenue_minor FROM leads WHERE id = $1', [a]);
      expect(la!.first_contacted_at.toISOString()).toBe('2026-03-03T09:00:00.000Z');
      expect(la!.consult_booked_at.toISOString()).toBe('2026-03-03T09:00:00.000Z');
      expect(la!.consult_showed_at.toISOString()).toBe('2026-03-05T09:00:00.000Z');
      expect(la!.revenue_minor).toBe(300000);
      // b is won: won implies contacted, booked and shown in the funnel.
      await tx.query(`UPDATE leads SET won_at = '2026-03-09T00:00:00Z', status = 'converted' WHERE id = $1`, [b]);
      expect(await rollup(tx)).toEqual([
        { day: '2026-03-01', source: 'facebook', leads: 1, contacted: 1, booked: 1, showed: 1, won: 1, revenue_minor: 0 },
        { day: '2026-03-01', source: 'google', leads: 1, contacted: 0, booked: 0, showed: 0, won: 0, revenue_minor: 0 },
        { day: '2026-03-02', source: 'facebook', leads: 1, contacted: 1, booked: 1, showed: 1, won: 0, revenue_minor: 300000 },
      ]);
      // Moving a lead to another campaign/source moves its whole contribution; soft-deleting removes it.
      await tx.query(`UPDATE leads SET source = 'instagram' WHERE id = $1`, [a]);
      await tx.query('UPDATE leads SET deleted_at = now() WHERE id = $1', [b]);
      expect(await rollup(tx)).toEqual([
        { day: '2026-03-01', source: 'google', leads: 1, contacted: 0, booked: 0, showed: 0, won: 0, revenue_minor: 0 },
        { day: '2026-03-02', source: 'instagram', leads: 1, contacted: 1, booked: 1, showed: 1, won: 0, revenue_minor: 300000 },
      ]);
      // The set-based rebuild agrees with what the triggers maintained.
      const before = await rollup(tx);
      expect(await tx.query<{ n: number }>('SELECT visage_growth_rebuild() AS n')).toEqual([{ n: 2 }]);
      expect(await rollup(tx)).toEqual(before);
      // Hard delete (retention) cascades to the lead's events and leaves the rollup consistent.
      await tx.query('DELETE FROM leads WHERE id = $1', [a]);
      expect(await rollup(tx)).toEqual([{ day: '2026-03-01', source: 'google', leads: 1, contacted: 0, booked: 0, showed: 0, won: 0, revenue_minor: 0 }]);
    });
  });

  it('another organization sees none of it', async () => {
    const other = await db.run({ scope: 'auth' }, (tx) => createUser(tx, { email: `rollup2.${Date.now()}@test.visage.local`, password: 'rollup password 2', fullName: 'S' }, new Date()));
    const org2 = (await db.run({ scope: 'user', orgId: null, userId: other }, (tx) => createOrganization(tx, {}, other, { name: 'Other Spa', type: 'clinic' }))).id;
    const rows = await db.run({ scope: 'tenant', orgId: org2, userId: other }, (tx) => tx.query('SELECT * FROM growth_funnel_daily'));
    expect(rows).toEqual([]);
    const mine = await db.run(ctx(), (tx) => tx.query('SELECT * FROM growth_funnel_daily WHERE leads <> 0'));
    expect(mine.length).toBeGreaterThan(0);
  });
});

describe('rollup at commit', () => {
  it('is touched when the transaction commits, and a rebuild mid-transaction is not counted twice', async () => {
    const count = () => db.run(ctx(), async (tx) => Number((await tx.query<{ n: string }>('SELECT coalesce(sum(leads), 0) AS n FROM growth_funnel_daily'))[0]!.n));
    const before = await count();
    await db.run(ctx(), async (tx) => {
      await lead(tx, '2026-04-01T10:00:00Z');
      const [mid] = await tx.query<{ n: string }>('SELECT coalesce(sum(leads), 0) AS n FROM growth_funnel_daily');
      expect(Number(mid!.n)).toBe(before); // deferred: not yet
      await lead(tx, '2026-04-01T11:00:00Z');
      await tx.query('SELECT visage_growth_rebuild()');
      const [rebuilt] = await tx.query<{ n: string }>('SELECT coalesce(sum(leads), 0) AS n FROM growth_funnel_daily');
      expect(Number(rebuilt!.n)).toBe(before + 2);
      await lead(tx, '2026-04-02T11:00:00Z');
    });
    expect(await count()).toBe(before + 3);
  });
});
