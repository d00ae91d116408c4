// Builds one organization at scale for the clinic benchmark: patients, treatment sessions over the
// past year and two follow-ups per session (a medical check at +14 days, a maintenance recall at
// +120), set-based (INSERT ... SELECT FROM generate_series) in chunks through the database gate,
// with a progress bar. Ids are derived from the organization and the row number (md5 -> uuid), so
// the benchmark can name patients without reading them back.
import { createHash } from 'node:crypto';
import type { Database } from '../src/platform/db/client.js';

export interface Scale { patients: number; sessions: number }
export const FULL: Scale = { patients: 100_000, sessions: 1_000_000 };
export const SMALL: Scale = { patients: 1_000, sessions: 10_000 };

/** The uuid the generator gives row `n` of `kind` in `orgId` (same as md5(org || ':' || kind || ':' || n)::uuid in SQL). */
export function benchId(orgId: string, kind: 'p' | 's', n: number): string {
  const h = createHash('md5').update(`${orgId}:${kind}:${n}`).digest('hex');
  // Version 4 and RFC 4122 variant nibbles, so the ids pass strict uuid validation like any client's.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20)}`;
}

/** The SQL twin of benchId: `uid("$1 || ':p:' || g")`. */
const uid = (expr: string) => `(overlay(overlay(md5(${expr}) placing '4' from 13) placing '8' from 17))::uuid`;

/** Five treatments the sessions rotate through (the seed's BOT_MASSETER and HIFU among them). */
const TREATMENTS = [
  { code: 'BOT_MASSETER', name: '美國肉毒瘦小臉', category: 'Injection', unit: 'U', price: 499900, rules: [{ type: 'medical', after_days: 14, notify: true }, { type: 'maintenance', after_days: 120, notify: true }] },
  { code: 'HIFU', name: '海芙音波', category: 'Device', unit: 'lines', price: 3800000, rules: [{ type: 'medical', after_days: 14, notify: true }, { type: 'maintenance', after_days: 120, notify: true }] },
  { code: 'HA_FILLER', name: '玻尿酸填補', category: 'Injection', unit: 'cc', price: 1500000, rules: [{ type: 'medical', after_days: 14, notify: true }, { type: 'maintenance', after_days: 120, notify: true }] },
  { code: 'LASER_TONING', name: '淨膚雷射', category: 'Laser', unit: 'session', price: 350000, rules: [{ type: 'medical', after_days: 14, notify: false }, { type: 'maintenance', after_days: 120, notify: true }] },
  { code: 'PMU_BROWS', name: '飄霧眉', category: 'PMU', unit: 'session', price: 1200000, rules: [{ type: 'medical', after_days: 14, notify: true }, { type: 'maintenance', after_days: 120, notify: true }] },
];

function bar(label: string, done: number, total: number, started: number): void {
  const width = 30;
  const filled = Math.round((done / total) * width);
  const secs = (Date.now() - started) / 1000;
  const rate = done / Math.max(secs, 0.001);
  process.stdout.write(`\r  ${label.padEnd(10)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round((done / total) * 100)).padStart(3)}%  `
    + `${done.toLocaleString('en')}/${total.toLocaleString('en')}  ${secs.toFixed(1)} s  ${Math.round(rate).toLocaleString('en')} rows/s   ${done === total ? '\n' : ''}`);
}

/**
 * Fills `orgId` (which exists, with `userId` as a member) at `scale`. Sessions: patient p gets
 * sessions k = 0..K-1 (K = sessions / patients), the treatment rotating with p + k, so each
 * patient repeats treatments (session_no 1, 2 ...) and the sessions spread over the past year.
 */
export async function generateClinic(db: Database, orgId: string, userId: string, scale: Scale): Promise<{ seconds: number; rows: Record<string, number> }> {
  const started = Date.now();
  const ctx = { scope: 'tenant' as const, orgId, userId };
  const P = scale.patients;
  const K = Math.ceil(scale.sessions / P);
  const S = scale.sessions;
  const ids = await db.run(ctx, async (tx) => {
    const [org] = await tx.query<{ year: number }>(`SELECT extract(year FROM now() AT TIME ZONE timezone)::int AS year FROM organizations WHERE id = $1`, [orgId]);
    const practitioner = benchId(orgId, 'p', -1);
    await tx.query(`INSERT INTO practitioners (id, org_id, code, user_id, full_name, license_no, specialty, kind) VALUES ($1, $2, 'doc_01', $3, 'Dr. Lin Mei-Hua', 'L-0001', 'Dermatology', 'doctor')`, [practitioner, orgId, userId]);
    const treatmentIds: string[] = [];
    for (const [i, t] of TREATMENTS.entries()) {
      const id = benchId(orgId, 's', -10 - i);
      treatmentIds.push(id);
      await tx.query(`INSERT INTO treatments (id, org_id, code, name, category, default_unit, base_price_minor, currency, consent_required, followup_rules)
        VALUES ($1, $2, $3, $4, $5, $6, $7, 'TWD', false, $8::jsonb)`, [id, orgId, t.code, t.name, t.category, t.unit, t.price, JSON.stringify(t.rules)]);
    }
    const product = benchId(orgId, 's', -2);
    await tx.query(`INSERT INTO products (id, org_id, code, name, product_type, unit, supplier) VALUES ($1, $2, 'BOTOX_US', 'Botox 100U (US)', 'Botox', 'U', 'AbbVie')`, [product, orgId]);
    const lot = benchId(orgId, 's', -3);
    await tx.query(`INSERT INTO lots (id, org_id, product_id, lot_number, expiry_date, quantity_received, quantity_on_hand, supplier)
      VALUES ($1, $2, $3, 'BENCH-LOT-1', (now() + interval '2 years')::date, 1000000000, 1000000000, 'AbbVie')`, [lot, orgId, product]);
    await tx.query(`INSERT INTO stock_movements (id, org_id, lot_id, kind, quantity, reason) VALUES ($1, $2, $3, 'receive', 1000000000, 'bench')`, [benchId(orgId, 's', -4), orgId, lot]);
    await tx.query(`INSERT INTO org_sequences (org_id, name, year, value) VALUES ($1, 'patient', $2, $3)`, [orgId, org!.year, P]);
    return { practitioner, treatmentIds, year: org!.year };
  });

  // Patients, 20k per statement.
  const pStart = Date.now();
  for (let a = 0; a < P; a += 20_000) {
    const b = Math.min(P, a + 20_000) - 1;
    await db.run(ctx, (tx) => tx.query(
      `INSERT INTO patients (id, org_id, code, full_name, gender, date_of_birth, phone, email, skin_type, created_by, created_at, updated_at)
       SELECT ${uid("$1 || ':p:' || g")}, $1::uuid, 'PAT-' || $4 || '-' || lpad((g + 1)::text, 6, '0'), 'Bench Patient ' || g,
              CASE WHEN g % 8 = 0 THEN 'male' ELSE 'female' END, date '1965-01-01' + (g * 37 % 12000), '09' || lpad((g * 7919 % 100000000)::text, 8, '0'),
              'patient' || g || '@example.com', (ARRAY['II','III','IV','V'])[1 + g % 4], $5::uuid, now() - interval '400 days', now() - interval '400 days'
         FROM generate_series($2::int, $3::int) g`, [orgId, a, b, ids.year, userId]));
    bar('patients', b + 1, P, pStart);
  }

  // Sessions (50k per statement) and their two follow-ups each.
  const sStart = Date.now();
  const CH = 50_000;
  for (let a = 0; a < S; a += CH) {
    const b = Math.min(S, a + CH) - 1;
    await db.run(ctx, async (tx) => {
      // Bulk load: the dashboard rollup triggers stand aside; visage_dashboard_rebuild() below computes the same rows set-based.
      await tx.query(`SELECT set_config('app.dashboard_bulk', 'on', true)`);
      // g -> patient p = g % P, k = g / P; treatment (p + k) % 5; session_no k / 5 + 1; day: 360 - 36k - (p % 30) days ago (k < 10).
      await tx.query(
        `INSERT INTO treatment_sessions (id, org_id, patient_id, treatment_id, practitioner_id, session_no, dosage_value, dosage_unit, treatment_area,
            performed_at, clinical_notes, price_minor, currency, status, signed_at, signed_by, created_by, created_at, updated_at)
         SELECT ${uid("$1 || ':s:' || g")}, $1::uuid, ${uid("$1 || ':p:' || (g % $4)")}, ($5::uuid[])[1 + ((g % $4) + g / $4) % 5], $6::uuid,
                (g / $4) / 5 + 1, 40, 'U', '{"left_masseter": 20, "right_masseter": 20}'::jsonb, x.at, 'Normal injection, no bleeding',
                499900 - (g % 3) * 50000, 'TWD', 'signed', x.at, $7::uuid, $7::uuid, x.at, x.at
           FROM generate_series($2::int, $3::int) g,
                LATERAL (SELECT now() - make_interval(days => greatest(1, 360 - ((g / $4) % 10) * 36 - (g % $4) % 30), mins => (g % 480))) x(at)`,
        [orgId, a, b, P, ids.treatmentIds, ids.practitioner, userId]);
      await tx.query(
        `INSERT INTO followups (id, org_id, patient_id, session_id, treatment_id, followup_type, scheduled_date, actual_date, notify_flag, status, source,
            created_by, created_at, updated_at)
         SELECT ${uid("$1 || ':f:' || s.id || r.t")}, s.org_id, s.patient_id, s.id, s.treatment_id, r.t, d.sched,
                CASE WHEN d.sched < d.today AND hashtext(s.id::text) % 10 <> 0 AND NOT (r.t = 'maintenance' AND abs(hashtext(s.id::text)) % 10 = 1) THEN d.sched END,
                true,
                CASE WHEN d.sched >= d.today THEN 'planned'
                     WHEN abs(hashtext(s.id::text)) % 10 = 0 THEN 'missed'
                     WHEN r.t = 'maintenance' AND abs(hashtext(s.id::text)) % 10 = 1 THEN 'planned'
                     ELSE 'done' END,
                'rule', s.created_by, s.created_at, s.created_at
           FROM treatment_sessions s
           CROSS JOIN (VALUES ('medical', 14), ('maintenance', 120)) r(t, days)
           CROSS JOIN LATERAL (SELECT (s.performed_at AT TIME ZONE 'Asia/Taipei')::date + r.days AS sched, (now() AT TIME ZONE 'Asia/Taipei')::date AS today) d
          WHERE s.org_id = $1::uuid AND s.id IN (SELECT ${uid("$1 || ':s:' || g")} FROM generate_series($2::int, $3::int) g)`,
        [orgId, a, b]);
    });
    bar('sessions', b + 1, S, sStart);
  }
  const rStart = Date.now();
  await db.run(ctx, (tx) => tx.query('SELECT visage_dashboard_rebuild($1)', [orgId]));
  console.log(`  rollups rebuilt in ${((Date.now() - rStart) / 1000).toFixed(1)} s`);
  await db.ownerQuery('ANALYZE');
  const rows = await db.run(ctx, async (tx) => {
    const out: Record<string, number> = {};
    for (const t of ['patients', 'treatment_sessions', 'followups']) out[t] = Number((await tx.query<{ n: string }>(`SELECT count(*) AS n FROM ${t} WHERE org_id = $1`, [orgId]))[0]!.n);
    return out;
  });
  return { seconds: Math.round((Date.now() - started) / 100) / 10, rows };
}
