import { z } from 'zod';
import type { ZApp } from '../../platform/http/app.js';
import type { Deps } from '../../platform/deps.js';
import { errors } from '../../platform/http/problem.js';
import { audit } from '../../platform/audit/audit.service.js';
import { origin, type Guard } from '../identity/index.js';
import { localDate, orgSettings } from '../clinical/index.js';
import { addDays, daysBetween, firstOfMonth, lastOfMonth } from './campaigns.service.js';
import { funnel, GROUP_BYS, revenueByPaymentDate } from './funnel.service.js';
import { rescoreAllLeads } from './scoring.js';

const Uuid = z.string().uuid();
const DateStr = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Use a date as YYYY-MM-DD.').refine((d) => {
  const t = new Date(`${d}T00:00:00Z`);
  return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === d;
}, 'Not a calendar date.');
const MonthStr = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'Use a month as YYYY-MM.');

/** Longest periods: ten years in general, two years by day (a chart of at most 732 points). */
const MAX_DAYS = 3660;
const MAX_DAYS_BY_DAY = 732;

const Line = {
  leads: z.number().int(), contacted: z.number().int(), consults_booked: z.number().int(), shows: z.number().int(), won: z.number().int(),
  revenue_minor: z.number(), spend_minor: z.number(),
  cost_per_lead_minor: z.number().nullable(), cost_per_consult_minor: z.number().nullable(),
  contact_rate: z.number().nullable().describe('contacted / leads'), booking_rate: z.number().nullable().describe('consults_booked / contacted'),
  show_rate: z.number().nullable().describe('shows / consults_booked'), close_rate: z.number().nullable().describe('won / shows'),
  lead_to_won: z.number().nullable().describe('won / leads'), roas: z.number().nullable().describe('revenue / spend; null when spend is 0'),
};
const RowDto = z.object({ key: z.string(), label: z.string(), ...Line });
const FunnelDto = z.object({
  period: z.object({ from: z.string(), to: z.string() }), currency: z.string(), group_by: z.enum(GROUP_BYS), rows: z.array(RowDto), totals: z.object(Line),
});
const CohortDto = z.object({
  from_month: z.string(), to_month: z.string(), currency: z.string(),
  rows: z.array(RowDto.extend({ month: z.string() })), totals: z.object(Line),
});
const RevenueDto = z.object({
  period: z.object({ from: z.string(), to: z.string() }), currency: z.string(), group_by: z.enum(['campaign', 'source']),
  rows: z.array(z.object({ key: z.string(), label: z.string(), revenue_minor: z.number(), payments: z.number().int() })),
  totals: z.object({ revenue_minor: z.number(), payments: z.number().int() }),
});

function period(from: string | undefined, to: string | undefined, today: string, maxDays: number): { from: string; to: string } {
  const t = to ?? today;
  const f = from ?? addDays(t, -29);
  if (f > t) throw errors.badRequest('from is on or before to.', [{ pointer: '#query/from', message: 'after to' }]);
  if (daysBetween(f, t) > maxDays) throw errors.badRequest(`The period is at most ${maxDays} days for this grouping.`, [{ pointer: '#query/from', message: 'period too long' }]);
  return { from: f, to: t };
}

export function funnelRoutes(app: ZApp, deps: Deps, guard: Guard): void {
  app.get('/api/growth/funnel', {
    schema: {
      tags: ['growth'],
      summary: 'The funnel of leads created in a period (dates in the organization\'s time zone, inclusive), by campaign, source, platform, month, week or day',
      description: 'Counts come from the funnel rollup by day of lead creation; spend by the spend rule; see docs/funnel.md for every figure.',
      querystring: z.object({
        from: DateStr.optional().describe('Default: 29 days before to'), to: DateStr.optional().describe('Default: today'),
        group_by: z.enum(GROUP_BYS).default('campaign'), campaign_id: Uuid.optional(), source: z.string().trim().min(1).max(100).optional(),
        platform: z.string().trim().min(1).max(60).optional(),
      }),
      response: { 200: FunnelDto },
    },
  }, async (req) => guard(req, { permission: 'campaign.read' }, async (tx) => {
    const q = req.query;
    const org = await orgSettings(tx);
    const today = localDate(deps.now(), org.timezone);
    const p = period(q.from, q.to, today, q.group_by === 'day' ? MAX_DAYS_BY_DAY : MAX_DAYS);
    const r = await funnel(tx, { ...p, groupBy: q.group_by, campaignId: q.campaign_id, source: q.source, platform: q.platform, today });
    await audit(tx, origin(req), { action: 'list', entityType: 'growth_funnel', details: { group_by: q.group_by, from: p.from, to: p.to, count: r.rows.length } });
    return { period: p, currency: org.currency, group_by: q.group_by, rows: r.rows, totals: r.totals };
  }));

  app.get('/api/growth/cohorts', {
    schema: {
      tags: ['growth'], summary: 'Cohorts by month of lead creation: how far each month\'s leads went, their revenue and the month\'s spend',
      querystring: z.object({ from_month: MonthStr.optional().describe('Default: 11 months before to_month'), to_month: MonthStr.optional().describe('Default: this month'), campaign_id: Uuid.optional() }),
      response: { 200: CohortDto },
    },
  }, async (req) => guard(req, { permission: 'campaign.read' }, async (tx) => {
    const q = req.query;
    const org = await orgSettings(tx);
    const today = localDate(deps.now(), org.timezone);
    const toMonth = q.to_month ?? today.slice(0, 7);
    const fromMonth = q.from_month ?? addDays(firstOfMonth(toMonth), -320).slice(0, 7);
    if (fromMonth > toMonth) throw errors.badRequest('from_month is on or before to_month.', [{ pointer: '#query/from_month', message: 'after to_month' }]);
    const p = period(firstOfMonth(fromMonth), lastOfMonth(toMonth), today, MAX_DAYS);
    const r = await funnel(tx, { ...p, groupBy: 'month', campaignId: q.campaign_id, today });
    await audit(tx, origin(req), { action: 'list', entityType: 'growth_cohort', details: { from_month: fromMonth, to_month: toMonth, count: r.rows.length } });
    return { from_month: fromMonth, to_month: toMonth, currency: org.currency, rows: r.rows.map((row) => ({ month: row.key, ...row })), totals: r.totals };
  }));

  app.get('/api/growth/revenue', {
    schema: {
      tags: ['growth'], summary: 'Revenue by payment date (invoice_paid KPI events in the period), by campaign or source',
      description: 'The funnel counts revenue under the month the lead was created; this view counts it when it was paid.',
      querystring: z.object({ from: DateStr.optional(), to: DateStr.optional(), group_by: z.enum(['campaign', 'source']).default('campaign') }),
      response: { 200: RevenueDto },
    },
  }, async (req) => guard(req, { permission: 'campaign.read' }, async (tx) => {
    const q = req.query;
    const org = await orgSettings(tx);
    const p = period(q.from, q.to, localDate(deps.now(), org.timezone), MAX_DAYS);
    const r = await revenueByPaymentDate(tx, { ...p, groupBy: q.group_by, timezone: org.timezone });
    await audit(tx, origin(req), { action: 'list', entityType: 'growth_revenue', details: { group_by: q.group_by, from: p.from, to: p.to, count: r.rows.length } });
    return { period: p, currency: org.currency, group_by: q.group_by, ...r };
  }));

  app.post('/api/growth/rescore', {
    schema: {
      tags: ['growth'], summary: 'Recompute the score of every live lead (docs/lead-scoring.md)',
      response: { 200: z.object({ rescored: z.number().int(), scored_at: z.string() }) },
    },
  }, async (req) => guard(req, { permission: 'campaign.write' }, async (tx) => {
    const now = deps.now();
    const n = await rescoreAllLeads(tx, now);
    await audit(tx, origin(req), { action: 'update', entityType: 'lead_score', details: { rescored: n } });
    return { rescored: n, scored_at: now.toISOString() };
  }));
}
