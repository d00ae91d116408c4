// Raw baseline for the clinic benchmark: fastify + pg (or PGlite) doing by hand the database work of
// the dashboards, the 30-day follow-up list and a session write with drug usage and follow-ups:
// one transaction that sets the role and org, the same SQL as the services (a snapshot of
// src/modules/insight/dashboards.service.ts over the rollups of migration 0019, care/followups.service.ts, clinical/sessions.service.ts,
// inventory), and the audit row. No auth, no schemas, no framework on top.
import Fastify from 'fastify';
import { openTenant, type Q } from './tenant.js';
import { randomUUID } from 'node:crypto';

const port = Number(process.env.PORT);

const AUDIT = `INSERT INTO audit_events (id, org_id, actor_user_id, actor_type, action, entity_type, entity_id, outcome, request_id, ip, details)
  VALUES ($1, $2, $3, 'user', $4, $5, $6, 'success', $7, $8, '{}')`;
const CLOCK = `SELECT timezone, name, (now() AT TIME ZONE timezone)::date::text AS today FROM organizations WHERE id = visage_current_org()`;

const addMonths = (month: string, n: number) => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const i = y * 12 + (m - 1) + n;
  return `${String(Math.floor(i / 12)).padStart(4, '0')}-${String((i % 12) + 1).padStart(2, '0')}`;
};
const plusDays = (date: string, days: number) => { const d = new Date(`${date}T00:00:00Z`); d.setUTCDate(d.getUTCDate() + days); return d.toISOString().slice(0, 10); };

async function treatments(q: Q) {
  const [c] = await q(CLOCK);
  const month = c!.today.slice(0, 7);
  const perMonth = await q(`SELECT d.treatment_id, to_char(d.day, 'YYYY-MM') AS month, sum(d.sessions)::int AS sessions, sum(d.priced)::int AS priced,
      sum(d.revenue_minor)::text AS revenue FROM session_day_stats d
     WHERE d.org_id = visage_current_org() AND d.day >= $1::date AND d.day < $2::date GROUP BY 1, 2 HAVING sum(d.sessions) > 0`,
  [`${addMonths(month, -11)}-01`, `${addMonths(month, 1)}-01`]);
  const repeat = await q(`SELECT r.treatment_id, sum(r.patients)::int AS patients, sum(r.repeaters)::int AS repeaters FROM treatment_repeat_stats r
     WHERE r.org_id = visage_current_org() AND r.month = $1::date GROUP BY 1 HAVING sum(r.patients) > 0`, [`${month}-01`]);
  const ts = await q(`SELECT id, code, name, currency, base_price_minor FROM treatments WHERE org_id = visage_current_org() AND deleted_at IS NULL AND is_active`);
  return ts.map((t) => {
    const cur = perMonth.find((r) => r.treatment_id === t.id && r.month === month);
    const rep = repeat.find((r) => r.treatment_id === t.id);
    return { treatment_name: t.name, monthly_sessions: cur?.sessions ?? 0, repeat_rate: rep ? rep.repeaters / rep.patients : null,
      avg_revenue: cur ? Number(cur.revenue) / cur.sessions / 100 : null,
      series: perMonth.filter((r) => r.treatment_id === t.id).map((r) => ({ month: r.month, sessions: r.sessions })) };
  });
}

async function risk(q: Q) {
  const [c] = await q(CLOCK);
  const cutoff = plusDays(c!.today, -30);
  const rows = await q(`SELECT c.patient_id, c.risk_date::text AS rec, p.full_name, p.code, (c.last_session_at AT TIME ZONE $3)::date::text AS last_at_date,
         c.last_treatment_id AS treatment_id, t.name AS treatment_name
       FROM patient_care_summary c
       JOIN patients p ON p.org_id = c.org_id AND p.id = c.patient_id AND p.deleted_at IS NULL
       LEFT JOIN treatments t ON t.org_id = c.org_id AND t.id = c.last_treatment_id
      WHERE c.org_id = visage_current_org() AND c.risk_date IS NOT NULL AND c.risk_date <= least($1::date, $4::date) AND c.risk_date >= $2::date
        AND (c.risk_date < $4::date OR c.patient_id < $5::uuid)
      ORDER BY c.risk_date DESC, c.patient_id DESC LIMIT $6`,
  [c!.today, '0001-01-01', c!.timezone, '9999-12-31', 'ffffffff-ffff-ffff-ffff-ffffffffffff', 101]);
  return rows.slice(0, 100).map((r) => ({ patient_id: r.patient_id, last_treatment: r.treatment_name, recommended_date: r.rec, status: r.rec >= cutoff ? 'due' : 'overdue' }));
}

async function upcoming(q: Q) {
  const [c] = await q(CLOCK);
  return q(`SELECT f.id, f.patient_id, p.full_name AS patient_name, t.name AS treatment, f.scheduled_date::text AS scheduled_date, f.followup_type
      FROM followups f JOIN patients p ON p.org_id = f.org_id AND p.id = f.patient_id LEFT JOIN treatments t ON t.org_id = f.org_id AND t.id = f.treatment_id
     WHERE f.org_id = visage_current_org() AND f.status = 'planned' AND f.deleted_at IS NULL AND p.deleted_at IS NULL
       AND f.scheduled_date >= $1::date AND f.scheduled_date <= $2::date ORDER BY f.scheduled_date, f.id LIMIT $3`, [c!.today, plusDays(c!.today, 30), 51]);
}

/** A session of BOT_MASSETER by doc_01 with its rule follow-ups (the service's statements, by hand). */
async function session(q: Q, orgId: string, userId: string, patientId: string) {
  const [p] = await q(`SELECT p.id, o.timezone,
      (SELECT row_to_json(t) FROM (SELECT id, code, default_unit, base_price_minor, currency, consent_required, followup_rules FROM treatments
        WHERE org_id = visage_current_org() AND lower(code) = lower($2) AND deleted_at IS NULL) t) AS treatment,
      (SELECT row_to_json(r) FROM (SELECT id FROM practitioners WHERE org_id = visage_current_org() AND lower(code) = lower($3) AND deleted_at IS NULL) r) AS practitioner
    FROM patients p JOIN organizations o ON o.id = p.org_id
    WHERE p.org_id = visage_current_org() AND p.id = $1 AND p.deleted_at IS NULL FOR NO KEY UPDATE OF p`, [patientId, 'BOT_MASSETER', 'doc_01']);
  if (!p?.treatment || !p.practitioner) throw new Error('missing catalogue rows');
  const t = p.treatment;
  const id = randomUUID();
  const now = new Date();
  await q(`INSERT INTO treatment_sessions (id, org_id, patient_id, treatment_id, practitioner_id, session_no, dosage_value, dosage_unit, treatment_area,
      performed_at, clinical_notes, price_minor, currency, status, version, signed_at, signed_by, created_by, created_at, updated_at)
    VALUES ($1, visage_current_org(), $2, $3, $4, (SELECT COALESCE(max(session_no), 0)::int + 1 FROM treatment_sessions
      WHERE org_id = visage_current_org() AND patient_id = $2 AND treatment_id = $3 AND deleted_at IS NULL),
      40, 'U', $5, $6, 'Normal injection, no bleeding', $7, $8, 'signed', 1, $6, $9, $9, $6, $6)`,
  [id, patientId, t.id, p.practitioner.id, JSON.stringify({ left_masseter: 20, right_masseter: 20 }), now, t.base_price_minor, t.currency, userId]);
  const [clock] = await q(CLOCK);
  const rules = t.followup_rules as { type: string; after_days: number; notify: boolean }[];
  const f = rules.map((r) => ({ id: randomUUID(), type: r.type, date: plusDays(clock!.today, r.after_days), notify: r.notify }));
  await q(`INSERT INTO followups (id, org_id, patient_id, session_id, treatment_id, followup_type, scheduled_date, notify_flag, status, source, created_by)
     SELECT f.id, visage_current_org(), $5, $6, $7, f.followup_type, f.scheduled_date, f.notify_flag, 'planned', 'rule', $8
       FROM unnest($1::uuid[], $2::text[], $3::date[], $4::boolean[]) AS f(id, followup_type, scheduled_date, notify_flag)`,
  [f.map((x) => x.id), f.map((x) => x.type), f.map((x) => x.date), f.map((x) => x.notify), patientId, id, t.id, userId]);
  await q(AUDIT, [randomUUID(), orgId, userId, 'create', 'treatment_session', id, null, null]);
  return { session_id: id };
}

/** Drug usage from the earliest-expiring usable lot: session and product in one read, then one statement picks and takes the lot. */
async function usage(q: Q, orgId: string, userId: string, sessionId: string) {
  const [s] = await q(`SELECT s.id, (SELECT row_to_json(p) FROM (SELECT id, unit FROM products WHERE org_id = visage_current_org() AND lower(code) = lower($2)
      AND deleted_at IS NULL) p) AS product FROM treatment_sessions s WHERE s.org_id = visage_current_org() AND s.id = $1 AND s.deleted_at IS NULL`, [sessionId, 'BOTOX_US']);
  if (!s?.product) throw new Error('missing rows');
  const id = randomUUID();
  const [taken] = await q(`WITH pick AS (SELECT id FROM lots WHERE org_id = visage_current_org() AND product_id = $4 AND status = 'active'
        AND expiry_date > (now() AT TIME ZONE 'Asia/Taipei')::date AND quantity_on_hand >= $1 ORDER BY expiry_date, received_at LIMIT 1),
      l AS (UPDATE lots SET quantity_on_hand = quantity_on_hand - $1, updated_at = now() FROM pick
        WHERE lots.org_id = visage_current_org() AND lots.id = pick.id AND lots.quantity_on_hand >= $1 RETURNING lots.id, lots.lot_number, lots.quantity_on_hand),
      u AS (INSERT INTO drug_usages (id, org_id, session_id, product_id, lot_id, amount_used, unit, created_by)
        SELECT $2, visage_current_org(), $3, $4, l.id, $1, 'U', $5 FROM l RETURNING id, lot_id),
      m AS (INSERT INTO stock_movements (id, org_id, lot_id, kind, quantity, usage_id, created_by)
        SELECT $6, visage_current_org(), u.lot_id, 'use', -($1::numeric), u.id, $5 FROM u)
    SELECT lot_number, quantity_on_hand FROM l`, [40, id, sessionId, s.product.id, userId, randomUUID()]);
  if (!taken) throw new Error('no lot');
  await q(AUDIT, [randomUUID(), orgId, userId, 'create', 'drug_usage', id, null, null]);
  return { usage_id: id, lot_number: taken.lot_number };
}

const app = Fastify({ logger: false });
const UUID = /^[0-9a-f-]{36}$/;
const tenant = await openTenant();

type Req = { headers: Record<string, string | string[] | undefined>; id: string; ip: string };
const who = (req: Req) => {
  const orgId = String(req.headers['x-org-id']);
  const userId = String(req.headers['x-user-id']);
  if (!UUID.test(orgId) || !UUID.test(userId)) throw new Error('x-org-id and x-user-id');
  return { orgId, userId };
};
const read = (entity: string, fn: (q: Q) => Promise<unknown>) => async (req: Req) => {
  const { orgId, userId } = who(req);
  return tenant(orgId, userId, async (q) => {
    const out = await fn(q);
    await q(AUDIT, [randomUUID(), orgId, userId, 'read', entity, null, req.id, req.ip]);
    return out;
  });
};
app.get('/dashboard/treatments', read('dashboard', treatments));
app.get('/dashboard/followup-risk', read('dashboard', risk));
app.get('/followups', read('followup', upcoming));
app.post<{ Body: { patient_id: string } }>('/treatment-sessions', async (req) => {
  const { orgId, userId } = who(req);
  return tenant(orgId, userId, (q) => session(q, orgId, userId, req.body.patient_id));
});
app.post<{ Body: { session_id: string } }>('/treatment-drug-usage', async (req) => {
  const { orgId, userId } = who(req);
  return tenant(orgId, userId, (q) => usage(q, orgId, userId, req.body.session_id));
});
await app.listen({ port, host: '127.0.0.1' });
process.send?.('ready');
