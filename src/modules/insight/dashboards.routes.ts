import { z } from 'zod';
import type { ZApp } from '../../platform/http/app.js';
import type { Deps } from '../../platform/deps.js';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.js';
import { audit } from '../../platform/audit/audit.service.js';
import { origin, type Guard } from '../identity/index.js';
import { followupRisk, periodOf, popularPigments, retention, revenueByProcedureType, treatmentPerformance } from './dashboards.service.js';

const Month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'Use YYYY-MM.');
const DateOnly = z.iso.date();
const PeriodQuery = z.object({
  month: Month.optional().describe('A calendar month in the organization\'s time zone'),
  from: DateOnly.optional().describe('First day (inclusive); default: the first day of the month 11 months ago'),
  to: DateOnly.optional().describe('Last day (inclusive); default: the last day of the current month'),
});

const TreatmentPerformanceDto = z.object({
  treatment_name: z.string(), monthly_sessions: z.number().int(), repeat_rate: z.number().nullable(), avg_revenue: z.number().nullable(),
  treatment_id: z.string(), treatment_code: z.string(), month: z.string(), patients_12m: z.number().int(), repeat_patients_12m: z.number().int(),
  revenue: z.number(), currency: z.string(),
  series: z.array(z.object({ month: z.string(), sessions: z.number().int(), revenue: z.number() })),
});

const RiskDto = z.object({
  patient_id: z.string(), patient_name: z.string(), last_treatment: z.string().nullable(), days_since_last: z.number().int().nullable(),
  status: z.enum(['due', 'overdue']), recommended_date: z.string(), days_past: z.number().int(), patient_code: z.string(),
  last_treatment_id: z.string().nullable(), last_session_date: z.string().nullable(),
});

/** Owner dashboards (dashboard.read; docs/dashboards.md). Each answers for the acting organization in its time zone. */
export function dashboardRoutes(app: ZApp, deps: Deps, guard: Guard) {
  app.get('/api/dashboard/treatments', {
    schema: {
      tags: ['dashboard'], summary: 'Treatment performance: sessions in the month, 12-month repeat rate, average revenue (seed 000)',
      querystring: z.object({ month: Month.optional().describe('Default: the current month in the organization\'s time zone') }),
      response: { 200: z.array(TreatmentPerformanceDto) },
    },
  }, async (req) => guard(req, { permission: 'dashboard.read' }, async (tx) => {
    const rows = await treatmentPerformance(tx, deps.now(), req.query.month);
    await audit(tx, origin(req), { action: 'read', entityType: 'dashboard', entityId: 'treatments', details: { month: rows[0]?.month ?? req.query.month ?? null } });
    return rows;
  }));

  app.get('/api/dashboard/followup-risk', {
    schema: {
      tags: ['dashboard'], summary: 'Patients past their recommended re-treatment with nothing booked after it (seed 000)',
      querystring: z.object({
        status: z.enum(['due', 'overdue']).optional(),
        grace_days: z.coerce.number().int().min(0).max(365).default(30).describe('Days past the recommended date that still count as due'),
        limit: z.coerce.number().int().min(1).max(500).default(100),
        cursor: z.string().max(500).optional().describe('From the x-next-cursor header of the previous page'),
      }),
      response: { 200: z.array(RiskDto) },
    },
  }, async (req, reply) => guard(req, { permission: 'dashboard.read' }, async (tx) => {
    const q = req.query;
    const cursor = decodeCursor(q.cursor, z.object({ r: DateOnly, p: z.string().uuid() }));
    const rows = await followupRisk(tx, deps.now(), { graceDays: q.grace_days, status: q.status, limit: q.limit, cursor });
    const items = rows.slice(0, q.limit);
    if (rows.length > q.limit) reply.header('x-next-cursor', encodeCursor({ r: items.at(-1)!.recommended_date, p: items.at(-1)!.patient_id }));
    await audit(tx, origin(req), { action: 'read', entityType: 'dashboard', entityId: 'followup-risk', details: { count: items.length } });
    return items;
  }));

  app.get('/api/dashboard/retention', {
    schema: {
      tags: ['dashboard'], summary: 'Client retention by cohort month: clients returning within 12 months of their first session (seed 001)',
      querystring: z.object({ from: Month.optional().describe('First cohort month; default 11 months before `to`'), to: Month.optional().describe('Last cohort month; default the current month') }),
      response: { 200: z.array(z.object({ cohort_month: z.string(), clients: z.number().int(), returned: z.number().int(), retention_rate: z.number().nullable(), complete: z.boolean() })) },
    },
  }, async (req) => guard(req, { permission: 'dashboard.read' }, async (tx) => {
    const rows = await retention(tx, deps.now(), req.query.from, req.query.to);
    await audit(tx, origin(req), { action: 'read', entityType: 'dashboard', entityId: 'retention' });
    return rows;
  }));

  app.get('/api/dashboard/revenue-by-procedure-type', {
    schema: {
      tags: ['dashboard'], summary: 'Sessions and revenue per procedure type (seed 001)', querystring: PeriodQuery,
      response: { 200: z.array(z.object({ procedure_type: z.string(), sessions: z.number().int(), revenue: z.number(), avg_revenue: z.number().nullable(), currency: z.string() })) },
    },
  }, async (req) => guard(req, { permission: 'dashboard.read' }, async (tx) => {
    const rows = await revenueByProcedureType(tx, await periodOf(tx, deps.now(), req.query));
    await audit(tx, origin(req), { action: 'read', entityType: 'dashboard', entityId: 'revenue-by-procedure-type' });
    return rows;
  }));

  app.get('/api/dashboard/popular-pigments', {
    schema: {
      tags: ['dashboard'], summary: 'PMU pigments by use: brand and colour recorded on sessions (seed 001)',
      querystring: PeriodQuery.extend({ limit: z.coerce.number().int().min(1).max(200).default(20) }),
      response: { 200: z.array(z.object({ pigment_brand: z.string(), pigment_color: z.string().nullable(), sessions: z.number().int(), clients: z.number().int() })) },
    },
  }, async (req) => guard(req, { permission: 'dashboard.read' }, async (tx) => {
    const rows = await popularPigments(tx, await periodOf(tx, deps.now(), req.query), req.query.limit);
    await audit(tx, origin(req), { action: 'read', entityType: 'dashboard', entityId: 'popular-pigments' });
    return rows;
  }));
}
