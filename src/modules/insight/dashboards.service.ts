import type { Tx } from '../../platform/db/client.js';
import { errors } from '../../platform/http/problem.js';
import { toMajor } from '../catalog/index.js';
import { addDays, daysBetween, orgClock } from '../care/index.js';

/**
 * Owner dashboards (docs/dashboards.md defines every figure). All periods are calendar periods in
 * the organization's time zone: a month runs from 00:00 on its first day to 00:00 on the next
 * month's first day, local time. Money is summed in integer minor units and answered in major units.
 */

const MONTH_RE = /^\d{4}-(0[1-9]|1[0-2])$/;

/** 'YYYY-MM' plus n months. */
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const i = y * 12 + (m - 1) + n;
  return `${String(Math.floor(i / 12)).padStart(4, '0')}-${String((i % 12) + 1).padStart(2, '0')}`;
}

function monthOrCurrent(month: string | undefined, today: string, pointer: string): string {
  if (month === undefined) return today.slice(0, 7);
  if (!MONTH_RE.test(month)) throw errors.badRequest('Use a month as YYYY-MM.', [{ pointer, message: 'not YYYY-MM' }]);
  return month;
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

export interface TreatmentPerformance {
  treatment_id: string; treatment_code: string; treatment_name: string; month: string; monthly_sessions: number; repeat_rate: number | null;
  patients_12m: number; repeat_patients_12m: number; avg_revenue: number | null; revenue: number; currency: string;
  series: { month: string; sessions: number; revenue: number }[];
}

/**
 * GET /api/dashboard/treatments: per treatment, sessions in the month, repeat rate over the 12 months
 * ending with it, average and total revenue in the month, and the 12-month series.
 */
export async function treatmentPerformance(tx: Tx, now: Date, monthParam?: string): Promise<TreatmentPerformance[]> {
  const clock = await orgClock(tx, now);
  const month = monthOrCurrent(monthParam, clock.today, '#query/month');
  const first = addMonths(month, -11);
  // Rollups of migration 0019: sessions per local day, and the repeat counts of the window ending with the month.
  const perMonth = await tx.query<{ treatment_id: string; month: string; sessions: number; priced: number; revenue: string | null }>(
    `SELECT d.treatment_id, to_char(d.day, 'YYYY-MM') AS month, sum(d.sessions)::int AS sessions, sum(d.priced)::int AS priced, sum(d.revenue_minor)::text AS revenue
       FROM session_day_stats d
      WHERE d.org_id = visage_current_org() AND d.day >= $1::date AND d.day < $2::date
      GROUP BY 1, 2 HAVING sum(d.sessions) > 0`, [`${first}-01`, `${addMonths(month, 1)}-01`]);
  const repeat = await tx.query<{ treatment_id: string; patients: number; repeaters: number }>(
    `SELECT r.treatment_id, sum(r.patients)::int AS patients, sum(r.repeaters)::int AS repeaters
       FROM treatment_repeat_stats r
      WHERE r.org_id = visage_current_org() AND r.month = $1::date
      GROUP BY 1 HAVING sum(r.patients) > 0`, [`${month}-01`]);
  const ids = [...new Set(perMonth.map((r) => r.treatment_id))];
  const treatments = await tx.query<{ id: string; code: string; name: string; currency: string; base_price_minor: string | number }>(
    `SELECT id, code, name, currency, base_price_minor FROM treatments
      WHERE org_id = visage_current_org() AND ((deleted_at IS NULL AND is_active) OR id = ANY($1::uuid[]))`, [ids]);
  const months = Array.from({ length: 12 }, (_, i) => addMonths(first, i));
  const out = treatments.map((t): TreatmentPerformance => {
    const base = num(t.base_price_minor);
    // Revenue of a session is its price; a session recorded without one counts at the treatment's base price.
    const revenueOf = (r: { sessions: number; priced: number; revenue: string | null } | undefined) => (r ? num(r.revenue) + (r.sessions - r.priced) * base : 0);
    const rows = new Map(perMonth.filter((r) => r.treatment_id === t.id).map((r) => [r.month, r]));
    const cur = rows.get(month);
    const rep = repeat.find((r) => r.treatment_id === t.id);
    const sessions = cur?.sessions ?? 0;
    const revenueMinor = revenueOf(cur);
    return {
      treatment_id: t.id, treatment_code: t.code, treatment_name: t.name, month, monthly_sessions: sessions,
      repeat_rate: rep && rep.patients > 0 ? Math.round((rep.repeaters / rep.patients) * 10_000) / 10_000 : null,
      patients_12m: rep?.patients ?? 0, repeat_patients_12m: rep?.repeaters ?? 0,
      avg_revenue: sessions > 0 ? toMajor(Math.round(revenueMinor / sessions), t.currency) : null,
      revenue: toMajor(revenueMinor, t.currency), currency: t.currency,
      series: months.map((m) => ({ month: m, sessions: rows.get(m)?.sessions ?? 0, revenue: toMajor(revenueOf(rows.get(m)), t.currency) })),
    };
  });
  return out.sort((a, b) => b.monthly_sessions - a.monthly_sessions || b.patients_12m - a.patients_12m || a.treatment_name.localeCompare(b.treatment_name));
}

export interface RiskRow {
  patient_id: string; patient_name: string; patient_code: string; last_treatment: string | null; last_treatment_id: string | null;
  last_session_date: string | null; days_since_last: number | null; recommended_date: string; days_past: number; status: 'due' | 'overdue';
}

/**
 * GET /api/dashboard/followup-risk: patients whose recommended re-treatment date R (a planned
 * maintenance follow-up, or a follow-up's next_recommend_date) has come, with nothing after it: no
 * later recommendation or planned follow-up, no visit and no session on or after R. Status is due up
 * to `graceDays` days past R, overdue after. Newest R first, keyset-paginated on (R, patient).
 */
export async function followupRisk(tx: Tx, now: Date, opts: { graceDays: number; status?: 'due' | 'overdue'; limit: number; cursor?: { r: string; p: string } | null }): Promise<RiskRow[]> {
  const clock = await orgClock(tx, now);
  const cutoff = addDays(clock.today, -opts.graceDays); // R >= cutoff: due; R < cutoff: overdue
  const hi = opts.status === 'overdue' ? addDays(cutoff, -1) : clock.today;
  const lo = opts.status === 'due' ? cutoff : '0001-01-01';
  const c = opts.cursor ?? { r: '9999-12-31', p: 'ffffffff-ffff-ffff-ffff-ffffffffffff' };
  // patient_care_summary.risk_date is R when nothing comes after it (migration 0019 keeps it).
  // $1 upper date, $2 lower date, $3 tz, $4/$5 cursor, $6 limit
  const rows = await tx.query<{
    patient_id: string; rec: string; full_name: string; code: string; last_at_date: string | null; treatment_id: string | null; treatment_name: string | null;
  }>(
    `SELECT c.patient_id, c.risk_date::text AS rec, p.full_name, p.code,
            (c.last_session_at AT TIME ZONE $3)::date::text AS last_at_date, c.last_treatment_id AS treatment_id, t.name AS treatment_name
       FROM patient_care_summary c
       JOIN patients p ON p.org_id = c.org_id AND p.id = c.patient_id AND p.deleted_at IS NULL
       LEFT JOIN treatments t ON t.org_id = c.org_id AND t.id = c.last_treatment_id
      WHERE c.org_id = visage_current_org() AND c.risk_date IS NOT NULL
        -- The cursor as least(...) and an OR, not a row comparison: a btree starts a backward scan at the
        -- row comparison's bound and walked every later entry (17 ms at 100k patients) before this.
        AND c.risk_date <= least($1::date, $4::date) AND c.risk_date >= $2::date AND (c.risk_date < $4::date OR c.patient_id < $5::uuid)
      ORDER BY c.risk_date DESC, c.patient_id DESC
      LIMIT $6`,
    [hi, lo, clock.timezone, c.r, c.p, opts.limit + 1]);
  return rows.map((r) => {
    const daysPast = daysBetween(r.rec, clock.today);
    return {
      patient_id: r.patient_id, patient_name: r.full_name, patient_code: r.code, last_treatment: r.treatment_name, last_treatment_id: r.treatment_id,
      last_session_date: r.last_at_date, days_since_last: r.last_at_date ? daysBetween(r.last_at_date, clock.today) : null,
      recommended_date: r.rec, days_past: daysPast, status: r.rec >= cutoff ? 'due' : 'overdue',
    };
  });
}

export interface RetentionCohort { cohort_month: string; clients: number; returned: number; retention_rate: number | null; complete: boolean }

/**
 * GET /api/dashboard/retention (seed 001 client retention): clients by the month of their first
 * session (cohort), and how many returned for another session on a later day within 12 months of it.
 */
export async function retention(tx: Tx, now: Date, from?: string, to?: string): Promise<RetentionCohort[]> {
  const clock = await orgClock(tx, now);
  const last = monthOrCurrent(to, clock.today, '#query/to');
  const firstMonth = from === undefined ? addMonths(last, -11) : monthOrCurrent(from, clock.today, '#query/from');
  if (firstMonth > last) throw errors.badRequest('from must not be after to.', [{ pointer: '#query/from', message: 'after to' }]);
  if (addMonths(firstMonth, 120) <= last) throw errors.badRequest('Ask for at most 120 cohort months.', [{ pointer: '#query/from', message: 'more than 120 months before to' }]);
  const rows = await tx.query<{ cohort: string; clients: number; returned: number }>(
    `SELECT to_char(c.first_session_at AT TIME ZONE $3, 'YYYY-MM') AS cohort, count(*)::int AS clients, (count(*) FILTER (WHERE c.returned))::int AS returned
       FROM patient_care_summary c
      WHERE c.org_id = visage_current_org() AND c.first_session_at IS NOT NULL
        AND c.first_session_at >= ($1::date::timestamp AT TIME ZONE $3) AND c.first_session_at < ($2::date::timestamp AT TIME ZONE $3)
      GROUP BY 1`,
    [`${firstMonth}-01`, `${addMonths(last, 1)}-01`, clock.timezone]);
  const byMonth = new Map(rows.map((r) => [r.cohort, r]));
  const out: RetentionCohort[] = [];
  for (let m = firstMonth; m <= last; m = addMonths(m, 1)) {
    const r = byMonth.get(m);
    out.push({
      cohort_month: m, clients: r?.clients ?? 0, returned: r?.returned ?? 0,
      retention_rate: r && r.clients > 0 ? Math.round((r.returned / r.clients) * 10_000) / 10_000 : null,
      // The last first-session of a cohort has had its full 12 months once the month 12 months later has ended.
      complete: `${addMonths(m, 13)}-01` <= clock.today,
    });
  }
  return out;
}

/** A period of whole local days: ?month=YYYY-MM, or ?from=&to= (dates, inclusive); default: the 12 months ending with the current one. */
export interface Period { from: string; to: string }

export async function periodOf(tx: Tx, now: Date, q: { month?: string; from?: string; to?: string }): Promise<Period & { timezone: string }> {
  const clock = await orgClock(tx, now);
  if (q.month !== undefined) {
    const m = monthOrCurrent(q.month, clock.today, '#query/month');
    return { from: `${m}-01`, to: addDays(`${addMonths(m, 1)}-01`, -1), timezone: clock.timezone };
  }
  const cur = clock.today.slice(0, 7);
  const from = q.from ?? `${addMonths(cur, -11)}-01`;
  const to = q.to ?? addDays(`${addMonths(cur, 1)}-01`, -1);
  if (from > to) throw errors.badRequest('from must not be after to.', [{ pointer: '#query/from', message: 'after to' }]);
  return { from, to, timezone: clock.timezone };
}

export interface ProcedureRevenue { procedure_type: string; sessions: number; revenue: number; avg_revenue: number | null; currency: string }

/**
 * GET /api/dashboard/revenue-by-procedure-type (seed 001): sessions and revenue per procedure type —
 * the session's PMU procedure type (Microblading, Powder Brows...), else the treatment's procedure
 * type, else its category — per currency.
 */
export async function revenueByProcedureType(tx: Tx, period: Period & { timezone: string }): Promise<ProcedureRevenue[]> {
  const rows = await tx.query<{ ptype: string | null; t_ptype: string | null; category: string; currency: string; base: string; sessions: number; priced: number; revenue: string | null }>(
    `SELECT x.ptype, t.procedure_type AS t_ptype, t.category, t.currency, t.base_price_minor::text AS base, x.sessions, x.priced, x.revenue
       FROM (SELECT d.treatment_id, nullif(d.procedure_type, '') AS ptype, sum(d.sessions)::int AS sessions,
                    sum(d.priced)::int AS priced, sum(d.revenue_minor)::text AS revenue
               FROM session_day_stats d
              WHERE d.org_id = visage_current_org() AND d.day >= $1::date AND d.day <= $2::date
              GROUP BY 1, 2 HAVING sum(d.sessions) > 0) x
       JOIN treatments t ON t.org_id = visage_current_org() AND t.id = x.treatment_id`, [period.from, period.to]);
  const groups = new Map<string, { type: string; currency: string; sessions: number; minor: number }>();
  for (const r of rows) {
    const type = r.ptype ?? r.t_ptype ?? r.category;
    const key = `${type.toLowerCase()}\u0000${r.currency}`;
    const g = groups.get(key) ?? { type, currency: r.currency, sessions: 0, minor: 0 };
    g.sessions += r.sessions;
    g.minor += num(r.revenue) + (r.sessions - r.priced) * num(r.base);
    groups.set(key, g);
  }
  return [...groups.values()]
    .map((g) => ({
      procedure_type: g.type, sessions: g.sessions, revenue: toMajor(g.minor, g.currency),
      avg_revenue: g.sessions ? toMajor(Math.round(g.minor / g.sessions), g.currency) : null, currency: g.currency,
    }))
    .sort((a, b) => b.revenue - a.revenue || b.sessions - a.sessions || a.procedure_type.localeCompare(b.procedure_type));
}

export interface PigmentPopularity { pigment_brand: string; pigment_color: string | null; sessions: number; clients: number }

/** GET /api/dashboard/popular-pigments (seed 001): PMU sessions per pigment brand and colour (case-insensitive; shown in the most used spelling), most used first. */
export async function popularPigments(tx: Tx, period: Period & { timezone: string }, limit: number): Promise<PigmentPopularity[]> {
  const rows = await tx.query<PigmentPopularity>(
    `SELECT mode() WITHIN GROUP (ORDER BY trim(s.pmu->>'pigment_brand')) AS pigment_brand,
            mode() WITHIN GROUP (ORDER BY nullif(trim(s.pmu->>'pigment_color'), '')) AS pigment_color,
            count(*)::int AS sessions, count(DISTINCT s.patient_id)::int AS clients
       FROM treatment_sessions s
      WHERE s.org_id = visage_current_org() AND s.deleted_at IS NULL AND s.pmu IS NOT NULL
        AND s.performed_at >= ($1::date::timestamp AT TIME ZONE $3) AND s.performed_at < (($2::date + 1)::timestamp AT TIME ZONE $3)
        AND nullif(trim(s.pmu->>'pigment_brand'), '') IS NOT NULL
      GROUP BY lower(trim(s.pmu->>'pigment_brand')), lower(coalesce(nullif(trim(s.pmu->>'pigment_color'), ''), ''))
      ORDER BY sessions DESC, pigment_brand, pigment_color
      LIMIT $4`, [period.from, period.to, period.timezone, limit]);
  return rows;
}
