/**
 * The dashboard rollups (migration 0019) kept by triggers equal (a) a rebuild from scratch and
 * (b) the dashboards' definitions computed straight from the rows (docs/dashboards.md), after
 * random inserts, moves, price changes and soft deletes of sessions, follow-ups and visits,
 * including a time zone change of the organization. Seeded, so a failure replays.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../platform/crypto.js';
import { dbKind, testVisage, type TestVisage } from '../../../test/helpers.js';
import { clinic, insertPatient, insertTreatment } from '../care/care.fixtures.js';

let t: TestVisage;
beforeAll(async () => { t = await testVisage(); });
afterAll(async () => { await t?.close(); });

/** mulberry32: a small deterministic generator. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]! };
}

type Q = <R = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<R[]>;
const asOrg = <T>(orgId: string, fn: (q: Q) => Promise<T>) =>
  t.db.run({ scope: 'tenant', orgId }, (tx) => fn((sql, params) => tx.query(sql, params))) as Promise<T>;

/** The rollups as the dashboards read them: slots summed, empty groups left out. */
async function rollups(orgId: string) {
  return asOrg(orgId, async (q) => ({
    days: await q(`SELECT day::text, treatment_id, procedure_type, sum(sessions)::int AS sessions, sum(priced)::int AS priced, sum(revenue_minor)::text AS revenue
                     FROM session_day_stats WHERE org_id = $1 GROUP BY 1, 2, 3
                   HAVING sum(sessions) <> 0 OR sum(priced) <> 0 OR sum(revenue_minor) <> 0 ORDER BY 1, 2, 3`, [orgId]),
    repeat: await q(`SELECT month::text, treatment_id, sum(patients)::int AS patients, sum(repeaters)::int AS repeaters
                       FROM treatment_repeat_stats WHERE org_id = $1 GROUP BY 1, 2
                     HAVING sum(patients) <> 0 OR sum(repeaters) <> 0 ORDER BY 1, 2`, [orgId]),
    care: await q(`SELECT patient_id, first_session_at, returned, last_session_at, last_treatment_id, recommended_date::text, risk_date::text
                     FROM patient_care_summary WHERE org_id = $1 ORDER BY patient_id`, [orgId]),
  }));
}

/** The same figures from the rows, by the documented definitions (independent of the rollup SQL). */
async function fromDefinitions(orgId: string) {
  return asOrg(orgId, async (q) => {
    const [{ tz }] = await q<{ tz: string }>('SELECT timezone AS tz FROM organizations WHERE id = $1', [orgId]) as [{ tz: string }];
    const days = await q(`SELECT (performed_at AT TIME ZONE $2)::date::text AS day, treatment_id, coalesce(nullif(trim(pmu->>'procedure_type'), ''), '') AS procedure_type,
                                 count(*)::int AS sessions, count(price_minor)::int AS priced, coalesce(sum(price_minor), 0)::text AS revenue
                            FROM treatment_sessions WHERE org_id = $1 AND deleted_at IS NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`, [orgId, tz]);
    // Every month that ends a window holding a session: patients with >= 1 and >= 2 sessions in its 12 months.
    const repeat = await q(`WITH s AS (SELECT treatment_id, patient_id, date_trunc('month', performed_at AT TIME ZONE $2)::date AS m
                                         FROM treatment_sessions WHERE org_id = $1 AND deleted_at IS NULL),
                                 months AS (SELECT DISTINCT treatment_id, (m + make_interval(months => k))::date AS month FROM s, generate_series(0, 11) k),
                                 w AS (SELECT months.month, months.treatment_id, x.patient_id, count(*) AS n
                                         FROM months JOIN s x ON x.treatment_id = months.treatment_id
                                          AND x.m > (months.month - interval '12 months') AND x.m <= months.month
                                        GROUP BY 1, 2, 3)
                            SELECT month::text, treatment_id, count(*)::int AS patients, (count(*) FILTER (WHERE n >= 2))::int AS repeaters FROM w
                             GROUP BY 1, 2 ORDER BY 1, 2`, [orgId, tz]);
    // Follow-up risk as the dashboard defined it before the rollups: every candidate R with nothing after it, the latest per patient.
    const risk = await q<{ patient_id: string; rec: string }>(`
      SELECT DISTINCT ON (c.patient_id) c.patient_id, c.rec::text AS rec FROM (
        SELECT patient_id, scheduled_date AS rec FROM followups WHERE org_id = $1 AND status = 'planned' AND followup_type = 'maintenance' AND deleted_at IS NULL
        UNION ALL
        SELECT patient_id, next_recommend_date FROM followups WHERE org_id = $1 AND next_recommend_date IS NOT NULL AND status <> 'cancelled' AND deleted_at IS NULL) c
       WHERE NOT EXISTS (SELECT 1 FROM followups g WHERE g.org_id = $1 AND g.patient_id = c.patient_id AND g.deleted_at IS NULL
               AND ((g.status = 'planned' AND g.scheduled_date > c.rec) OR (g.status <> 'cancelled' AND g.next_recommend_date > c.rec)))
         AND NOT EXISTS (SELECT 1 FROM visits v WHERE v.org_id = $1 AND v.patient_id = c.patient_id AND v.deleted_at IS NULL AND v.visit_date >= c.rec)
         AND NOT EXISTS (SELECT 1 FROM treatment_sessions s WHERE s.org_id = $1 AND s.patient_id = c.patient_id AND s.deleted_at IS NULL
               AND s.performed_at >= (c.rec::timestamp AT TIME ZONE $2))
       ORDER BY c.patient_id, c.rec DESC`, [orgId, tz]);
    const retention = await q(`WITH f AS (SELECT patient_id, min(performed_at) AS first_at FROM treatment_sessions WHERE org_id = $1 AND deleted_at IS NULL GROUP BY 1)
      SELECT f.patient_id, f.first_at, EXISTS (SELECT 1 FROM treatment_sessions r WHERE r.org_id = $1 AND r.patient_id = f.patient_id AND r.deleted_at IS NULL
               AND (r.performed_at AT TIME ZONE $2)::date > (f.first_at AT TIME ZONE $2)::date AND r.performed_at < f.first_at + interval '12 months') AS returned
        FROM f ORDER BY 1`, [orgId, tz]);
    return { days, repeat, risk, retention };
  });
}

const STATUSES = ['planned', 'planned', 'done', 'missed', 'cancelled'] as const;
const TYPES = ['medical', 'maintenance', 'maintenance', 'touch_up'] as const;

describe('dashboard rollups', () => {
  it('triggers, rebuild and the definitions agree after 400 random writes (and a time zone change)', async () => {
    const o = await clinic(t);
    const r = rng(20261126);
    const treatments = await Promise.all(['A', 'B', 'C'].map((c, i) => insertTreatment(t, o.orgId, { code: `RT_${c}`, name: `T${c}`, priceMinor: 1000 * (i + 1) })));
    const patients = await Promise.all(Array.from({ length: 8 }, (_, i) => insertPatient(t, o.orgId, { name: `R${i}` })));
    const sessions: string[] = [];
    const followups: string[] = [];
    const visits: string[] = [];
    const base = Date.parse('2025-06-01T00:00:00Z');
    // Instants across 18 months, often near local midnight (Taipei) where days and months change.
    const instant = () => new Date(base + r.int(540) * 86_400_000 + r.pick([0, 15.5, 16, 16.5, 23.9]) * 3_600_000).toISOString();
    const date = () => instant().slice(0, 10);

    for (let i = 0; i < 400; i++) {
      const op = r.int(100);
      await asOrg(o.orgId, async (q) => {
        if (op < 30 || sessions.length < 5) {
          const id = newId();
          sessions.push(id);
          // One in ten is recorded already deleted (an import of a voided session): it counts nowhere.
          await q(`INSERT INTO treatment_sessions (id, org_id, patient_id, treatment_id, session_no, performed_at, price_minor, currency, pmu, status, signed_at, deleted_at)
                   VALUES ($1, visage_current_org(), $2, $3, $7, $4, $5, 'TWD', $6, 'signed', $4, CASE WHEN $8 THEN now() END)`,
          [id, r.pick(patients), r.pick(treatments), instant(), r.int(4) === 0 ? null : 500 + r.int(5000),
            r.int(3) === 0 ? JSON.stringify({ procedure_type: r.pick(['Microblading', 'Powder Brows', ' ']) }) : null, i + 1, r.int(10) === 0]);
        } else if (op < 40) {
          await q('UPDATE treatment_sessions SET performed_at = $2 WHERE id = $1', [r.pick(sessions), instant()]);
        } else if (op < 45) {
          await q('UPDATE treatment_sessions SET treatment_id = $2, patient_id = $3 WHERE id = $1', [r.pick(sessions), r.pick(treatments), r.pick(patients)]);
        } else if (op < 50) {
          await q('UPDATE treatment_sessions SET price_minor = $2 WHERE id = $1', [r.pick(sessions), r.int(2) ? null : r.int(9000)]);
        } else if (op < 58) {
          await q('UPDATE treatment_sessions SET deleted_at = CASE WHEN deleted_at IS NULL THEN now() END WHERE id = $1', [r.pick(sessions)]);
        } else if (op < 75) {
          // One statement, several rows: the statement trigger refreshes each patient once.
          const n = 1 + r.int(3);
          const rows = Array.from({ length: n }, () => ({ id: newId(), p: r.pick(patients), type: r.pick(TYPES), d: date(), s: r.pick(STATUSES), next: r.int(3) === 0 ? date() : null }));
          followups.push(...rows.map((x) => x.id));
          await q(`INSERT INTO followups (id, org_id, patient_id, followup_type, scheduled_date, status, next_recommend_date, source)
                   SELECT x.id, visage_current_org(), x.p, x.t, x.d, x.s, x.n, 'manual' FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::date[], $5::text[], $6::date[]) AS x(id, p, t, d, s, n)`,
          [rows.map((x) => x.id), rows.map((x) => x.p), rows.map((x) => x.type), rows.map((x) => x.d), rows.map((x) => x.s), rows.map((x) => x.next)]);
        } else if (op < 85 && followups.length) {
          const id = r.pick(followups);
          const change = r.int(4);
          if (change === 0) await q('UPDATE followups SET status = $2 WHERE id = $1', [id, r.pick(STATUSES)]);
          else if (change === 1) await q('UPDATE followups SET scheduled_date = $2, next_recommend_date = $3 WHERE id = $1', [id, date(), r.int(2) ? date() : null]);
          else if (change === 2) await q('UPDATE followups SET deleted_at = CASE WHEN deleted_at IS NULL THEN now() END WHERE id = $1', [id]);
          else await q('UPDATE followups SET patient_id = $2 WHERE id = $1', [id, r.pick(patients)]);
        } else if (op < 92) {
          const id = newId();
          visits.push(id);
          await q(`INSERT INTO visits (id, org_id, patient_id, visit_date, visit_type) VALUES ($1, visage_current_org(), $2, $3, 'consultation')`, [id, r.pick(patients), date()]);
        } else if (visits.length) {
          const id = r.pick(visits);
          if (r.int(2)) await q('UPDATE visits SET visit_date = $2 WHERE id = $1', [id, date()]);
          else await q('UPDATE visits SET deleted_at = CASE WHEN deleted_at IS NULL THEN now() END WHERE id = $1', [id]);
        }
      });
      if (i === 250) {
        // Every local day and month moves: the organization's rollups are rebuilt in the same transaction.
        await asOrg(o.orgId, (q) => q(`UPDATE organizations SET timezone = 'America/Los_Angeles' WHERE id = visage_current_org()`));
      }
    }

    const kept = await rollups(o.orgId);
    const defs = await fromDefinitions(o.orgId);
    expect(kept.days.length).toBeGreaterThan(50);
    expect(kept.days).toEqual(defs.days);
    expect(kept.repeat.filter((x: any) => x.repeaters > 0).length).toBeGreaterThan(3);
    expect(kept.repeat).toEqual(defs.repeat);
    expect(kept.care.filter((c: any) => c.risk_date).map((c: any) => ({ patient_id: c.patient_id, rec: c.risk_date }))).toEqual(defs.risk);
    expect(kept.care.filter((c: any) => c.first_session_at).map((c: any) => ({ patient_id: c.patient_id, first_at: c.first_session_at, returned: c.returned })))
      .toEqual(defs.retention);

    await asOrg(o.orgId, (q) => q('SELECT visage_dashboard_rebuild($1)', [o.orgId]));
    expect(await rollups(o.orgId)).toEqual(kept);

    // A session recorded already deleted, later than anything else of a patient, changes nothing.
    const withSessions = kept.care.find((c: any) => c.first_session_at)!;
    await asOrg(o.orgId, (q) => q(`INSERT INTO treatment_sessions (id, org_id, patient_id, treatment_id, session_no, performed_at, currency, status, signed_at, deleted_at)
      VALUES ($1, visage_current_org(), $2, $3, 100000, now() + interval '1 hour', 'TWD', 'signed', now(), now())`, [newId(), withSessions.patient_id, treatments[0]]));
    expect(await rollups(o.orgId)).toEqual(kept);
  });

  it('a bulk load skips the triggers and ends with the same rollups after a rebuild; the rollups are tenant rows', async () => {
    const a = await clinic(t);
    const b = await clinic(t);
    const tr = await insertTreatment(t, a.orgId, { code: 'BULK', name: 'Bulk', priceMinor: 1000 });
    const p = await insertPatient(t, a.orgId, { name: 'Bulk patient' });
    await t.db.run({ scope: 'tenant', orgId: a.orgId }, async (tx) => {
      await tx.query(`SELECT set_config('app.dashboard_bulk', 'on', true)`);
      await tx.query(`INSERT INTO treatment_sessions (id, org_id, patient_id, treatment_id, session_no, performed_at, price_minor, currency, status, signed_at)
                      SELECT gen_random_uuid(), visage_current_org(), $1, $2, g, now() - make_interval(days => g * 20), 1000, 'TWD', 'signed', now()
                        FROM generate_series(1, 10) g`, [p, tr]);
    });
    expect((await rollups(a.orgId)).days).toEqual([]);
    await asOrg(a.orgId, (q) => q('SELECT visage_dashboard_rebuild($1)', [a.orgId]));
    const built = await rollups(a.orgId);
    expect(built.days.reduce((n: number, d: any) => n + d.sessions, 0)).toBe(10);
    expect(built).toEqual(await rollups(a.orgId));
    expect((await fromDefinitions(a.orgId)).days).toEqual(built.days);
    // Another organization reads none of it, even naming the org.
    const seen = await asOrg(b.orgId, (q) => q('SELECT count(*)::int AS n FROM session_day_stats WHERE org_id = $1', [a.orgId]));
    expect(seen).toEqual([{ n: 0 }]);
  });

  // PGlite has one connection (transactions queue); on a server they overlap and take turns per patient.
  it.skipIf(dbKind !== 'postgres')('concurrent sessions of one patient still count each window once', async () => {
    const o = await clinic(t);
    const tr = await insertTreatment(t, o.orgId, { code: 'CONC', name: 'Concurrent', priceMinor: 1000 });
    const ps = await Promise.all([1, 2].map((i) => insertPatient(t, o.orgId, { name: `C${i}` })));
    await Promise.all(Array.from({ length: 24 }, (_, i) => asOrg(o.orgId, (q) => q(
      `INSERT INTO treatment_sessions (id, org_id, patient_id, treatment_id, session_no, performed_at, price_minor, currency, status, signed_at)
       VALUES ($1, visage_current_org(), $2, $3, $4, $5, 1000, 'TWD', 'signed', $5)`,
      [newId(), ps[i % 2], tr, i + 1, new Date(Date.parse('2026-03-01T04:00:00Z') + (i % 3) * 30 * 86_400_000).toISOString()]))));
    const kept = await rollups(o.orgId);
    const defs = await fromDefinitions(o.orgId);
    expect(kept.repeat).toEqual(defs.repeat);
    expect(kept.repeat.every((x: any) => x.patients === 2 && x.repeaters === 2)).toBe(true);
    expect(kept.days).toEqual(defs.days);
  });
});
