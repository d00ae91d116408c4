import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testVisage, uniqueEmail, type TestVisage } from '../../../test/helpers.js';
import { checkStored, findFile } from '../../platform/files/files.service.js';
import { decryptPatient, screen } from '../records/index.js';
import { rescoreLead } from '../growth/scoring.js';
import { newId } from '../../platform/crypto.js';
import { addDays, dateIn } from './calendar.js';
import { seedDemo, type DemoResult } from './demo.seed.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'visage-demo-'));
let t: TestVisage;
let demo: DemoResult;
let seedMs = 0;
let today = '';

type Q = <T = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<T[]>;
const inOrg = (orgId: string): Q => (sql, params = []) => t.db.run({ scope: 'tenant', orgId, userId: null }, (tx) => tx.query(sql, params));
const count = async (q: Q, table: string, where = 'true') => Number((await q<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE org_id = visage_current_org() AND ${where}`))[0]!.n);

beforeAll(async () => {
  // Staff addresses are fixed; a unique owner keeps this file independent of other demo seeds on a shared server database.
  t = await testVisage({ config: { dataDir, adminEmail: uniqueEmail('demo-owner'), adminPassword: 'demo owner password' } });
  const started = Date.now();
  demo = await seedDemo(t.visage.deps);
  seedMs = Date.now() - started;
  console.info(`demo seed (first start, both organizations): ${seedMs} ms`);
  today = dateIn(t.visage.deps.now(), 'Asia/Taipei');
});
afterAll(async () => {
  await t?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('demo data', () => {
  it('creates both organizations once, in a few seconds', async () => {
    expect(demo.created).toBe(true);
    expect(seedMs).toBeLessThan(20_000); // a few seconds on an idle machine; generous for a shared CI box
    const again = await seedDemo(t.visage.deps);
    expect(again.created).toBe(false);
    const q = inOrg(demo.clinicId!);
    expect(await count(q, 'patients')).toBe(200);
  });

  it('gives the Taipei clinic a year of work', async () => {
    const q = inOrg(demo.clinicId!);
    expect(await count(q, 'patients')).toBe(200);
    const sessions = await count(q, 'treatment_sessions');
    expect(sessions).toBeGreaterThan(1400);
    expect(sessions).toBeLessThan(1700);
    const [span] = await q<{ first: string; last: string }>(
      `SELECT min(performed_at AT TIME ZONE 'Asia/Taipei')::date::text AS first, max(performed_at AT TIME ZONE 'Asia/Taipei')::date::text AS last
         FROM treatment_sessions WHERE org_id = visage_current_org()`);
    expect(span!.first >= addDays(today, -366)).toBe(true);
    expect(span!.last < today).toBe(true);
    expect(span!.last >= addDays(today, -7)).toBe(true);
    // The seed's example codes exist.
    expect((await q(`SELECT 1 FROM treatments WHERE org_id = visage_current_org() AND code = 'BOT_MASSETER' AND name = '美國肉毒瘦小臉'
      AND base_price_minor = 499900 AND currency = 'TWD' AND consent_required`)).length).toBe(1);
    expect((await q(`SELECT 1 FROM treatments WHERE org_id = visage_current_org() AND code = 'HIFU' AND name = '海芙音波'`)).length).toBe(1);
    expect((await q(`SELECT 1 FROM practitioners WHERE org_id = visage_current_org() AND code = 'doc_01' AND user_id IS NOT NULL`)).length).toBe(1);
    expect((await q(`SELECT 1 FROM products WHERE org_id = visage_current_org() AND code = 'BOTOX_US'`)).length).toBe(1);
    // Session numbers count per patient and treatment without gaps.
    const [gaps] = await q<{ n: string }>(`SELECT count(*) AS n FROM (SELECT patient_id, treatment_id, max(session_no) AS mx, count(*) AS c
      FROM treatment_sessions WHERE org_id = visage_current_org() GROUP BY 1, 2) s WHERE mx <> c`);
    expect(Number(gaps!.n)).toBe(0);
    // Where units apply, the parts of the treatment area add up to the dosage.
    const [bad] = await q<{ n: string }>(`SELECT count(*) AS n FROM treatment_sessions s WHERE org_id = visage_current_org()
      AND (SELECT bool_and(jsonb_typeof(v) = 'number') FROM jsonb_each(s.treatment_area) e(k, v))
      AND (SELECT sum(v::text::numeric) FROM jsonb_each(s.treatment_area) e(k, v)) <> s.dosage_value`);
    expect(Number(bad!.n)).toBe(0);
  });

  it('keeps patient codes, encrypted history and the sequence consistent', async () => {
    const q = inOrg(demo.clinicId!);
    const rows = await q<{ id: string; code: string; medical_history_enc: string | null; allergy_notes_enc: string | null }>(
      `SELECT id, code, medical_history_enc, allergy_notes_enc FROM patients WHERE org_id = visage_current_org() ORDER BY code`);
    const withHistory = rows.filter((r) => r.medical_history_enc || r.allergy_notes_enc);
    expect(withHistory.length).toBeGreaterThan(10);
    expect(withHistory.length).toBeLessThan(80);
    for (const r of withHistory) {
      expect(r.medical_history_enc ?? r.allergy_notes_enc).toMatch(/^v1:/);
      const plain = decryptPatient(t.visage.deps.fields!, r);
      expect(plain.medical_history ?? plain.allergy_notes).toBeTruthy();
    }
    const seq = await q<{ year: number; value: number }>(`SELECT year, value FROM org_sequences WHERE org_id = visage_current_org() AND name = 'patient'`);
    for (const s of seq) {
      const max = Math.max(...rows.filter((r) => r.code.startsWith(`PAT-${s.year}-`)).map((r) => Number(r.code.slice(-6))));
      expect(s.value).toBe(max);
    }
    expect(seq.reduce((a, s) => a + s.value, 0)).toBe(200);
  });

  it('has lots in date except the deliberate expired one, and stock that adds up', async () => {
    const q = inOrg(demo.clinicId!);
    const lots = await q<{ lot_number: string; code: string; expiry_date: string; on_hand: string; received: string; moved: string; used: string }>(
      `SELECT l.lot_number, p.code, l.expiry_date::text, l.quantity_on_hand AS on_hand, l.quantity_received AS received,
              (SELECT coalesce(sum(quantity), 0) FROM stock_movements m WHERE m.org_id = l.org_id AND m.lot_id = l.id) AS moved,
              (SELECT coalesce(sum(amount_used), 0) FROM drug_usages u WHERE u.org_id = l.org_id AND u.lot_id = l.id) AS used
         FROM lots l JOIN products p ON p.org_id = l.org_id AND p.id = l.product_id WHERE l.org_id = visage_current_org()`);
    const expired = lots.filter((l) => l.expiry_date < today && Number(l.on_hand) > 0);
    expect(expired.map((l) => [l.code, l.lot_number])).toEqual([['BOTOX_US', 'C6458C2']]);
    const soon = lots.filter((l) => l.expiry_date >= today && l.expiry_date <= addDays(today, 30));
    expect(soon.map((l) => l.code)).toContain('BOTOX_US');
    for (const l of lots) {
      expect(Number(l.moved)).toBeCloseTo(Number(l.on_hand), 2);
      expect(Number(l.received) - Number(l.used)).toBeCloseTo(Number(l.on_hand), 2);
    }
    // No usage from a lot outside its dates.
    const [outside] = await q<{ n: string }>(`SELECT count(*) AS n FROM drug_usages u JOIN lots l ON l.org_id = u.org_id AND l.id = u.lot_id
      JOIN treatment_sessions s ON s.org_id = u.org_id AND s.id = u.session_id
      WHERE u.org_id = visage_current_org() AND ((s.performed_at AT TIME ZONE 'Asia/Taipei')::date >= l.expiry_date OR s.performed_at < l.received_at)`);
    expect(Number(outside!.n)).toBe(0);
    expect(await count(q, 'drug_usages')).toBeGreaterThan(300);
  });

  it('has follow-ups behind (done or missed) and ahead (planned)', async () => {
    const q = inOrg(demo.clinicId!);
    const rows = await q<{ when: string; status: string; n: string }>(
      `SELECT CASE WHEN scheduled_date < $1::date THEN 'past' ELSE 'future' END AS when, status, count(*) AS n
         FROM followups WHERE org_id = visage_current_org() GROUP BY 1, 2`, [today]);
    const n = (when: string, status: string) => Number(rows.find((r) => r.when === when && r.status === status)?.n ?? 0);
    expect(n('past', 'done')).toBeGreaterThan(300);
    expect(n('past', 'missed')).toBeGreaterThan(30);
    expect(n('past', 'planned')).toBeGreaterThan(0); // overdue, still open: the follow-up risk list
    expect(n('future', 'planned')).toBeGreaterThan(100);
    const [next30] = await q<{ n: string }>(`SELECT count(*) AS n FROM followups WHERE org_id = visage_current_org() AND status = 'planned'
      AND scheduled_date BETWEEN $1::date AND $1::date + 30`, [today]);
    expect(Number(next30!.n)).toBeGreaterThan(20);
    // Done ones carry what happened.
    const [undated] = await q<{ n: string }>(`SELECT count(*) AS n FROM followups WHERE org_id = visage_current_org() AND status = 'done' AND (actual_date IS NULL OR actual_date >= $1::date)`, [today]);
    expect(Number(undated!.n)).toBe(0);
  });

  it('has consents with stored documents, photos and a few open compliance exceptions', async () => {
    const q = inOrg(demo.clinicId!);
    expect(await count(q, 'consent_templates')).toBeGreaterThanOrEqual(6);
    expect(await count(q, 'consent_templates', `NOT is_current`)).toBe(1);
    expect(await count(q, 'consents')).toBeGreaterThan(10);
    expect(await count(q, 'photos')).toBe(60);
    const open = await count(q, 'compliance_exceptions', 'resolved_at IS NULL');
    expect(open).toBeGreaterThanOrEqual(2);
    expect(open).toBeLessThanOrEqual(6);
    expect(await count(q, 'treatment_sessions', `consent_exception = 'missing_consent'`)).toBe(await count(q, 'compliance_exceptions'));
    // A consent document is stored intact and sealed by the recorded SHA-256.
    const [c] = await q<{ document_file_id: string; document_sha256: string }>(`SELECT document_file_id, document_sha256 FROM consents WHERE org_id = visage_current_org() LIMIT 1`);
    const file = await t.db.run({ scope: 'tenant', orgId: demo.clinicId!, userId: null }, (tx) => findFile(tx, c!.document_file_id));
    expect(file!.sha256).toBe(c!.document_sha256);
    expect(await checkStored(t.visage.deps.storage!, file!)).toBe('intact');
    const [total] = await q<{ bytes: string }>('SELECT sum(size_bytes) AS bytes FROM files WHERE org_id = visage_current_org()');
    expect(Number(total!.bytes)).toBeLessThan(12 * 1024 * 1024);
  });

  it('has intakes for most patients, encrypted as the intake service stores them and agreeing with the chart', async () => {
    const q = inOrg(demo.clinicId!);
    const [n] = await q<{ patients: string; intakes: string; forms: string; renewed: string; cancelled: string }>(`SELECT
        (SELECT count(DISTINCT patient_id) FROM intakes WHERE org_id = visage_current_org() AND kind = 'intake') AS patients,
        (SELECT count(*) FROM intakes WHERE org_id = visage_current_org() AND kind = 'intake') AS intakes,
        (SELECT count(*) FROM intakes WHERE org_id = visage_current_org() AND kind = 'contraindication') AS forms,
        (SELECT count(*) FROM (SELECT patient_id FROM intakes WHERE org_id = visage_current_org() AND kind = 'intake' GROUP BY 1 HAVING count(*) > 1) r) AS renewed,
        (SELECT count(*) FROM followups WHERE org_id = visage_current_org() AND status = 'cancelled') AS cancelled`);
    expect(Number(n!.patients)).toBeGreaterThan(170);
    expect(Number(n!.intakes)).toBeGreaterThan(Number(n!.patients));
    expect(Number(n!.renewed)).toBeGreaterThan(20);
    expect(Number(n!.forms)).toBeGreaterThan(20); // before every PMU procedure
    expect(Number(n!.cancelled)).toBeGreaterThan(0); // recalls stopped by a pregnancy or isotretinoin
    expect(await count(q, 'intakes', `answers_enc NOT LIKE 'v1:%'`)).toBe(0);
    expect(await count(q, 'skin_analyses', `findings_enc NOT LIKE 'v1:%'`)).toBe(0);

    // The lidocaine-allergic patients answered so, and the API (the intake service) decrypts what the demo stored.
    const charts = await q<{ id: string; medical_history_enc: string | null; allergy_notes_enc: string | null }>(
      `SELECT id, medical_history_enc, allergy_notes_enc FROM patients WHERE org_id = visage_current_org() AND allergy_notes_enc IS NOT NULL ORDER BY code`);
    const lidocaine = charts.filter((r) => decryptPatient(t.visage.deps.fields!, r).allergy_notes?.includes('lidocaine'));
    expect(lidocaine.length).toBeGreaterThan(0);
    const token = (await t.call('POST', '/api/auth/login', { body: { email: t.visage.deps.config.adminEmail, password: 'demo owner password' } })).body.token as string;
    for (const p of lidocaine) {
      const list = await t.call('GET', `/api/patients/${p.id}/intakes?kind=intake`, { token, org: demo.clinicId });
      expect(list.status, JSON.stringify(list.body).slice(0, 300)).toBe(200);
      const items = list.body.items as { id: string; answers: Record<string, unknown>; flags: string[] }[];
      expect(items.length).toBeGreaterThan(0);
      for (const i of items) {
        expect(i.flags).toContain('allergy:lidocaine');
        expect(i.answers.allergies).toEqual(['lidocaine']);
      }
      const one = await t.call('GET', `/api/intakes/${items[0]!.id}`, { token, org: demo.clinicId });
      expect(one.status).toBe(200);
      expect(one.body.answers).toEqual(items[0]!.answers);
      // Screening answers with the critical allergy for a filler that contains lidocaine.
      const screening = await t.call('GET', `/api/patients/${p.id}/screening?treatment_id=HA_FILLER`, { token, org: demo.clinicId });
      expect(screening.status).toBe(200);
      expect(screening.body.alerts).toContainEqual(expect.objectContaining({ key: 'allergy:lidocaine', severity: 'critical' }));
    }
  });

  it('has critical flags on file, and no session screening would have refused (both organizations)', async () => {
    const token = (await t.call('POST', '/api/auth/login', { body: { email: t.visage.deps.config.adminEmail, password: 'demo owner password' } })).body.token as string;
    for (const orgId of [demo.clinicId!, demo.studioId!]) {
      const q = inOrg(orgId);
      // Each session against the flags in force when it was performed: the latest intake of each kind completed before it.
      const rows = await q<{ id: string; code: string; name: string; category: string; contraindications: string[]; ingredients: string[]; flags: string[][] | null }>(
        `SELECT s.id, t.code, t.name, t.category, t.contraindications, t.ingredients,
                (SELECT json_agg(i.flags) FROM (SELECT DISTINCT ON (kind) flags FROM intakes i
                   WHERE i.org_id = s.org_id AND i.patient_id = s.patient_id AND i.deleted_at IS NULL AND i.completed_at <= s.performed_at
                   ORDER BY kind, completed_at DESC, id DESC) i) AS flags
           FROM treatment_sessions s JOIN treatments t ON t.org_id = s.org_id AND t.id = s.treatment_id
          WHERE s.org_id = visage_current_org()`);
      expect(rows.length).toBeGreaterThan(50);
      const refused = rows.filter((r) => screen(r.flags ? [...new Set(r.flags.flat())].sort() : null, r).some((a) => a.severity === 'critical'));
      expect(refused.map((r) => [r.code, r.id])).toEqual([]);
      // Patients flagged pregnant or on isotretinoin today (the latest intake says so).
      const flagged = await q<{ patient_id: string; flags: string[]; completed_at: Date }>(
        `SELECT DISTINCT ON (patient_id) patient_id, flags, completed_at FROM intakes WHERE org_id = visage_current_org() AND kind = 'intake'
          ORDER BY patient_id, completed_at DESC, id DESC`);
      const current = flagged.filter((f) => f.flags.includes('pregnancy') || f.flags.includes('isotretinoin_6m'));
      expect(current.length).toBeGreaterThanOrEqual(orgId === demo.clinicId ? 3 : 2);
      // Since the flag they had only what it does not stop (for pregnancy: nothing).
      for (const f of current.filter((x) => x.flags.includes('pregnancy'))) {
        expect(await count(q, 'treatment_sessions', `patient_id = '${f.patient_id}' AND performed_at >= '${f.completed_at.toISOString()}'`)).toBe(0);
      }
      // Screening before the next session raises the critical alert (the chart's alert before a session).
      for (const f of current) {
        const pregnant = f.flags.includes('pregnancy');
        const code = orgId === demo.studioId ? 'LIP_BLUSH' : pregnant ? 'BOT_MASSETER' : 'PICO_LASER';
        const r = await t.call('GET', `/api/patients/${f.patient_id}/screening?treatment_id=${code}`, { token, org: orgId });
        expect(r.status).toBe(200);
        expect(r.body.alerts).toContainEqual(expect.objectContaining({ key: pregnant ? 'pregnancy' : 'isotretinoin_6m', severity: 'critical' }));
      }
    }
    // The session service refuses what the demo never recorded: seed 000's example session for a patient pregnant today.
    const [pregnant] = await inOrg(demo.clinicId!)<{ patient_id: string }>(`SELECT patient_id FROM (SELECT DISTINCT ON (patient_id) patient_id, flags FROM intakes
      WHERE org_id = visage_current_org() AND kind = 'intake' ORDER BY patient_id, completed_at DESC, id DESC) latest WHERE 'pregnancy' = ANY(flags) ORDER BY 1 LIMIT 1`);
    const visit = await t.call('POST', '/api/visits', { token, org: demo.clinicId, body: { patient_id: pregnant!.patient_id, visit_type: 'treatment', visit_date: today } });
    expect(visit.status).toBe(201);
    const refused = await t.call('POST', '/api/treatment-sessions', {
      token, org: demo.clinicId,
      body: { visit_id: visit.body.visit_id ?? visit.body.id, patient_id: pregnant!.patient_id, treatment_id: 'BOT_MASSETER', doctor_id: 'doc_01', dosage_value: 40, dosage_unit: 'U',
        treatment_area: { left_masseter: 20, right_masseter: 20 } },
    });
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect(refused.body.code).toBe('contraindicated');

    // One patient came back after isotretinoin: flagged, later cleared, with laser sessions after the clearing intake only.
    const q = inOrg(demo.clinicId!);
    const [resumed] = await q<{ n: string }>(`SELECT count(*) AS n FROM intakes a JOIN intakes b ON b.org_id = a.org_id AND b.patient_id = a.patient_id
      AND b.kind = 'intake' AND b.completed_at > a.completed_at AND NOT 'isotretinoin_6m' = ANY(b.flags)
      WHERE a.org_id = visage_current_org() AND a.kind = 'intake' AND 'isotretinoin_6m' = ANY(a.flags)`);
    expect(Number(resumed!.n)).toBeGreaterThanOrEqual(1);
  });

  it('has skin analyses for laser and PMU patients, a few each over the year', async () => {
    for (const [orgId, min] of [[demo.clinicId!, 250], [demo.studioId!, 50]] as const) {
      const q = inOrg(orgId);
      const [a] = await q<{ n: string; patients: string; outside: string; future: string }>(`SELECT count(*) AS n, count(DISTINCT patient_id) AS patients,
          count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM treatment_sessions s JOIN treatments t ON t.org_id = s.org_id AND t.id = s.treatment_id
            WHERE s.org_id = a.org_id AND s.patient_id = a.patient_id AND t.category IN ('Laser', 'PMU'))) AS outside,
          count(*) FILTER (WHERE a.analyzed_at > now()) AS future
        FROM skin_analyses a WHERE a.org_id = visage_current_org()`);
      expect(Number(a!.n)).toBeGreaterThan(min);
      expect(Number(a!.n)).toBeGreaterThan(1.8 * Number(a!.patients));
      expect(Number(a!.outside)).toBe(0);
      expect(Number(a!.future)).toBe(0);
    }
    // Read back through the API: findings decrypt to named measurements.
    const q = inOrg(demo.clinicId!);
    const [p] = await q<{ patient_id: string }>(`SELECT patient_id FROM skin_analyses WHERE org_id = visage_current_org() GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`);
    const token = (await t.call('POST', '/api/auth/login', { body: { email: t.visage.deps.config.adminEmail, password: 'demo owner password' } })).body.token as string;
    const list = await t.call('GET', `/api/patients/${p!.patient_id}/analyses`, { token, org: demo.clinicId });
    expect(list.status, JSON.stringify(list.body).slice(0, 300)).toBe(200);
    const items = list.body.items as { id: string; skin_type: string; findings: Record<string, unknown> }[];
    expect(items.length).toBeGreaterThanOrEqual(3);
    for (const i of items) expect(['VISIA Gen 7', undefined]).toContain(i.findings.method);
    const visia = items.filter((i) => i.findings.method === 'VISIA Gen 7').reverse(); // oldest first
    if (visia.length >= 2) expect(Number(visia.at(-1)!.findings.brown_spots_percentile)).toBeGreaterThan(Number(visia[0]!.findings.brown_spots_percentile));
    const one = await t.call('GET', `/api/analyses/${items[0]!.id}`, { token, org: demo.clinicId });
    expect(one.status).toBe(200);
    expect(one.body.findings).toEqual(items[0]!.findings);
  });

  it('gives the Los Angeles studio a smaller PMU year', async () => {
    const q = inOrg(demo.studioId!);
    expect(await count(q, 'patients')).toBe(60);
    expect(await count(q, 'treatment_sessions')).toBeGreaterThan(50);
    expect(await count(q, 'treatments', `category <> 'PMU'`)).toBe(0);
    expect(await count(q, 'pigments')).toBeGreaterThanOrEqual(3);
    expect(await count(q, 'treatment_sessions', `pmu->>'lot_number' IS NOT NULL`)).toBeGreaterThan(40);
    expect(await count(q, 'followups', `followup_type = 'touch_up'`)).toBeGreaterThan(40);
  });

  it('gives the clinic a marketing year whose funnel the database agrees with', async () => {
    const q = inOrg(demo.clinicId!);
    const leads = await count(q, 'leads');
    expect(leads).toBeGreaterThan(1500);
    expect(leads).toBeLessThan(2500);
    expect((await q<{ kind: string }>('SELECT kind FROM pipeline_stages WHERE org_id = visage_current_org() ORDER BY position')).map((r) => r.kind))
      .toEqual(['new', 'contacted', 'consult_booked', 'won', 'lost']);
    expect(await count(q, 'campaigns')).toBeGreaterThanOrEqual(8);
    expect(await count(q, 'activities')).toBeGreaterThan(5 * leads);
    expect(await count(q, 'kpi_events', `kind = 'invoice_paid' AND provider_id IS NOT NULL`)).toBeGreaterThan(100);
    expect(await count(q, 'leads', 'patient_id IS NOT NULL AND won_at IS NOT NULL')).toBe(12);
    expect(await count(q, 'commission_rules')).toBe(3);
    // Nothing is dated in the future.
    const [future] = await q<{ n: string }>(`SELECT (SELECT count(*) FROM leads WHERE org_id = visage_current_org() AND greatest(created_at, updated_at, won_at, lost_at, last_interaction_at) > now())
      + (SELECT count(*) FROM lead_stage_history WHERE org_id = visage_current_org() AND changed_at > now())
      + (SELECT count(*) FROM activities WHERE org_id = visage_current_org() AND created_at > now())
      + (SELECT count(*) FROM kpi_events WHERE org_id = visage_current_org() AND occurred_at > now()) AS n`);
    expect(Number(future!.n)).toBe(0);
    // Plausible funnel in the milestones the database computed.
    const [m] = await q<Record<string, string>>(`SELECT count(*) AS n, count(first_contacted_at) AS contacted, count(consult_booked_at) AS booked,
        count(consult_showed_at) AS showed, count(won_at) AS won, sum(revenue_minor) AS revenue FROM leads WHERE org_id = visage_current_org()`);
    expect(Number(m!.contacted) / leads).toBeGreaterThan(0.6);
    expect(Number(m!.booked) / leads).toBeGreaterThan(0.22);
    expect(Number(m!.showed) / Number(m!.booked)).toBeGreaterThan(0.65);
    expect(Number(m!.won) / Number(m!.showed)).toBeGreaterThan(0.45);
    // The rollup is what a full rebuild gives, and the triggers are back on for everyone else.
    const rollup = () => q(`SELECT day::text, campaign_key, source, platform, leads, contacted, booked, showed, won, revenue_minor::text
      FROM growth_funnel_daily WHERE org_id = visage_current_org() ORDER BY 1, 2, 3, 4`);
    const before = await rollup();
    expect(before.reduce((s, r) => s + Number(r.leads), 0)).toBe(leads);
    expect(before.reduce((s, r) => s + Number(r.revenue_minor), 0)).toBe(Number(m!.revenue));
    await q('SELECT visage_growth_rebuild()');
    expect(await rollup()).toEqual(before);
    // Stored scores are what the scoring computes for the same moment.
    const sample = await q<{ id: string; lead_score: number; scored_at: Date }>(
      'SELECT id, lead_score, scored_at FROM leads WHERE org_id = visage_current_org() ORDER BY id LIMIT 25');
    for (const l of sample) {
      const s = await t.db.run({ scope: 'tenant', orgId: demo.clinicId!, userId: null }, (tx) => rescoreLead(tx, l.id, new Date(l.scored_at)));
      expect(s.score, l.id).toBe(l.lead_score);
    }
    // The bulk flag was the seed's own: a lead written now still moves the rollup.
    const stage = (await q<{ id: string }>("SELECT id FROM pipeline_stages WHERE org_id = visage_current_org() AND kind = 'new'"))[0]!.id;
    const probe = newId();
    await q(`INSERT INTO leads (id, org_id, source, stage_id, rank, currency) VALUES ($1, visage_current_org(), 'walk_in', $2, 'zz', 'TWD')`, [probe, stage]);
    const after = await q<{ n: string }>('SELECT sum(leads) AS n FROM growth_funnel_daily WHERE org_id = visage_current_org()');
    expect(Number(after[0]!.n)).toBe(leads + 1);
    await q('DELETE FROM leads WHERE id = $1', [probe]);
  });

  it('serves the growth dashboards on the demo data', async () => {
    const login = await t.call('POST', '/api/auth/login', { body: { email: t.visage.deps.config.adminEmail, password: 'demo owner password' } });
    const token = login.body.token as string;
    const funnel = await t.call('GET', `/api/growth/funnel?from=${addDays(today, -365)}&to=${today}&group_by=campaign`, { token, org: demo.clinicId });
    expect(funnel.status, JSON.stringify(funnel.body).slice(0, 500)).toBe(200);
    expect(funnel.body.totals.leads).toBeGreaterThan(1500);
    expect(funnel.body.rows.length).toBeGreaterThanOrEqual(8);
    for (const path of ['/api/campaigns', '/api/leads/board', '/api/leads?limit=50', '/api/commission-providers', '/api/tags', '/api/pipeline-stages']) {
      const r = await t.call('GET', path, { token, org: demo.clinicId });
      expect(r.status, `${path} ${JSON.stringify(r.body).slice(0, 500)}`).toBe(200);
    }
  });

  it('fills the clinic dashboards: rollups rebuilt after the bulk load agree with the sessions', async () => {
    const login = await t.call('POST', '/api/auth/login', { body: { email: t.visage.deps.config.adminEmail, password: 'demo owner password' } });
    const token = login.body.token as string;
    const q = inOrg(demo.clinicId!);
    const perf = await t.call('GET', '/api/dashboard/treatments', { token, org: demo.clinicId });
    expect(perf.status).toBe(200);
    const year = perf.body.reduce((n: number, r: { series: { sessions: number }[] }) => n + r.series.reduce((m, x) => m + x.sessions, 0), 0);
    const [{ n }] = await q<{ n: number }>(`SELECT count(*)::int AS n FROM treatment_sessions s JOIN organizations o ON o.id = s.org_id
      WHERE s.org_id = visage_current_org() AND s.deleted_at IS NULL
        AND (s.performed_at AT TIME ZONE o.timezone)::date >= date_trunc('month', (now() AT TIME ZONE o.timezone) - interval '11 months')::date`) as [{ n: number }];
    expect(year).toBe(n);
    expect(perf.body.find((r: { treatment_code: string }) => r.treatment_code === 'BOT_MASSETER').patients_12m).toBeGreaterThan(10);
    const retention = await t.call('GET', '/api/dashboard/retention', { token, org: demo.clinicId });
    expect(retention.body.reduce((m: number, r: { clients: number }) => m + r.clients, 0)).toBeGreaterThan(50);
    const risk = await t.call('GET', '/api/dashboard/followup-risk', { token, org: demo.clinicId });
    expect(risk.status).toBe(200);
    expect(risk.body.length).toBeGreaterThan(0);
  });

  it("runs seed 000's examples against the demo clinic as written", async () => {
    const login = await t.call('POST', '/api/auth/login', { body: { email: t.visage.deps.config.adminEmail, password: 'demo owner password' } });
    expect(login.status).toBe(200);
    const token = login.body.token as string;
    const list = await t.call('GET', '/api/treatments', { token });
    expect(JSON.stringify(list.body)).toContain('BOT_MASSETER');
    const [p] = await inOrg(demo.clinicId!)<{ id: string }>(`SELECT id FROM patients WHERE org_id = visage_current_org() AND alert_level = 'none' ORDER BY code LIMIT 1`);
    const visit = await t.call('POST', '/api/visits', { token, body: { patient_id: p!.id, visit_type: 'treatment', visit_date: today } });
    expect(visit.status).toBe(201);
    const session = await t.call('POST', '/api/treatment-sessions', {
      token,
      body: {
        visit_id: visit.body.visit_id ?? visit.body.id, patient_id: p!.id, treatment_id: 'BOT_MASSETER', doctor_id: 'doc_01', dosage_value: 40, dosage_unit: 'U',
        treatment_area: { left_masseter: 20, right_masseter: 20 }, clinical_notes: 'Normal injection, no bleeding',
      },
    });
    expect(session.status, JSON.stringify(session.body)).toBe(201);
    const sessionId = session.body.session_id ?? session.body.id;
    const usage = await t.call('POST', '/api/treatment-drug-usage', { token, body: { session_id: sessionId, drug_id: 'BOTOX_US', amount_used: 40, unit: 'U' } });
    expect(usage.status, JSON.stringify(usage.body)).toBe(201);
    // The earliest-expiring usable lot is the one expiring this month, never the expired one.
    expect(JSON.stringify(usage.body)).toContain('C6803C4');
    // A new chart continues the demo's numbering.
    const created = await t.call('POST', '/api/patients', { token, body: { full_name: 'Amy Chen', gender: 'female', date_of_birth: '1992-06-01', skin_type: 'III', medical_history: 'No autoimmune disease' } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const year = today.slice(0, 4);
    const [seq] = await inOrg(demo.clinicId!)<{ value: number }>(`SELECT value FROM org_sequences WHERE org_id = visage_current_org() AND name = 'patient' AND year = $1`, [Number(year)]);
    expect(JSON.stringify(created.body)).toContain(`PAT-${year}-${String(seq!.value).padStart(6, '0')}`);
    expect(seq!.value).toBeGreaterThan(1);
  });
});
