import { z } from 'zod';
import type { ZApp } from '../../platform/http/app.js';
import type { Deps } from '../../platform/deps.js';
import type { Tx } from '../../platform/db/client.js';
import { decodeCursor, page, pageOf, pageQuery } from '../../platform/http/pagination.js';
import { idempotent } from '../../platform/http/idempotency.js';
import { errors } from '../../platform/http/problem.js';
import { audit } from '../../platform/audit/audit.service.js';
import { origin, type Guard } from '../identity/index.js';
import { localDate, orgSettings } from '../clinical/index.js';
import { AGE_GROUPS, CAMPAIGN_PLATFORMS, CAMPAIGN_STATUSES, CAMPAIGN_TYPES, KPI_KINDS, PROCEDURE_CODES } from './growth.schema.js';
import {
  clearSpend, createCampaign, deleteCampaign, findCampaign, listCampaigns, recordedSpend, setSpend, spendCampaign, spendMonths, spendToDate, updateCampaign,
  type CampaignInput, type CampaignRow,
} from './campaigns.service.js';
import { deleteKpiEvent, findKpiEvent, listKpiEvents, recordKpiEvent, type KpiRow } from './kpi.service.js';

const Uuid = z.string().uuid();
const DateStr = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Use a date as YYYY-MM-DD.').refine((d) => {
  const t = new Date(`${d}T00:00:00Z`);
  return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === d;
}, 'Not a calendar date.');
const MonthStr = z.string().regex(/^20\d{2}-(0[1-9]|1[0-2])$/, 'Use a month as YYYY-MM (2000-2099).');
/** Campaign dates are bounded so that month-by-month spend stays a short loop. */
const CampaignDate = DateStr.refine((d) => d >= '2000-01-01' && d <= '2099-12-31', 'A date between 2000 and 2099.');
const Currency = z.string().regex(/^[A-Z]{3}$/, 'An ISO 4217 code such as TWD.');
const Minor = z.number().int().min(0).max(1e13);
const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());
const num = (v: string | number | null): number | null => (v === null ? null : Number(v));

async function today(tx: Tx, deps: Deps): Promise<string> {
  return localDate(deps.now(), (await orgSettings(tx)).timezone);
}

/** seed 003 target_audience: demographics and interests only (never health data). */
const Audience = z.object({
  age_groups: z.array(z.enum(AGE_GROUPS)).max(AGE_GROUPS.length).optional(),
  countries: z.array(z.string().regex(/^[A-Z]{2}$/, 'ISO 3166-1 alpha-2, e.g. TW.')).max(250).optional(),
  interests: z.array(z.string().trim().min(1).max(60)).max(50).optional(),
}).strict();

const CampaignDto = z.object({
  id: z.string(), campaign_id: z.string(), name: z.string(), platform: z.enum(CAMPAIGN_PLATFORMS), type: z.enum(CAMPAIGN_TYPES).nullable(),
  status: z.enum(CAMPAIGN_STATUSES), target_audience: Audience, monthly_spend_minor: z.number(), budget_minor: z.number().nullable(), currency: z.string(),
  start_date: z.string().nullable(), end_date: z.string().nullable(),
  lead_count: z.number().int().optional().describe('Live leads of the campaign (lists only)'),
  spend_to_date_minor: z.number().describe('Spend from the campaign start to today by the spend rule (docs/funnel.md)'),
  created_by: z.string().nullable(), created_at: z.string(), updated_at: z.string(),
});
type CampaignOut = z.infer<typeof CampaignDto>;
const campaignDto = (c: CampaignRow & { lead_count?: number }, spend: number): CampaignOut => ({
  id: c.id, campaign_id: c.id, name: c.name, platform: c.platform, type: c.type, status: c.status, target_audience: c.target_audience ?? {},
  monthly_spend_minor: Number(c.monthly_spend_minor), budget_minor: num(c.budget_minor), currency: c.currency, start_date: c.start_date, end_date: c.end_date,
  ...(c.lead_count !== undefined ? { lead_count: c.lead_count } : {}), spend_to_date_minor: spend,
  created_by: c.created_by, created_at: iso(c.created_at)!, updated_at: iso(c.updated_at)!,
});

const CampaignFields = {
  name: z.string().trim().min(1).max(200), platform: z.enum(CAMPAIGN_PLATFORMS), type: z.enum(CAMPAIGN_TYPES).nullable().optional(),
  status: z.enum(CAMPAIGN_STATUSES).optional(), target_audience: Audience.optional(), monthly_spend_minor: Minor.optional(),
  budget_minor: Minor.nullable().optional(), currency: Currency.optional(), start_date: CampaignDate.nullable().optional(), end_date: CampaignDate.nullable().optional(),
};
const datesInOrder = (b: { start_date?: string | null; end_date?: string | null }) => !b.start_date || !b.end_date || b.end_date >= b.start_date;
const NewCampaign = z.object(CampaignFields).strict().refine(datesInOrder, { message: 'end_date is on or after start_date.', path: ['end_date'] });
const CampaignPatch = z.object({ ...CampaignFields, name: CampaignFields.name.optional(), platform: CampaignFields.platform.optional() }).strict()
  .refine(datesInOrder, { message: 'end_date is on or after start_date.', path: ['end_date'] });

const input = (b: z.infer<typeof CampaignPatch>): Partial<CampaignInput> => ({
  name: b.name, platform: b.platform, type: b.type, status: b.status, targetAudience: b.target_audience, monthlySpendMinor: b.monthly_spend_minor,
  budgetMinor: b.budget_minor, currency: b.currency, startDate: b.start_date, endDate: b.end_date,
});

const SpendMonthDto = z.object({
  month: z.string(), recorded_minor: z.number().nullable().describe('What was recorded for the month, if anything'),
  planned_minor: z.number().describe('monthly_spend_minor when the campaign ran that month, else 0'),
  amount_minor: z.number().describe('What the funnel counts for the whole month'), basis: z.enum(['recorded', 'planned']), recorded: z.boolean(),
});
const SpendDto = z.object({ campaign_id: z.string(), currency: z.string(), months: z.array(SpendMonthDto), spend_to_date_minor: z.number() });

const KpiDto = z.object({
  id: z.string(), kpi_event_id: z.string(), lead_id: z.string(), kind: z.enum(KPI_KINDS), value_minor: z.number().nullable(), currency: z.string().nullable(),
  occurred_at: z.string(), metadata: z.record(z.string(), z.unknown()), campaign_id: z.string().nullable(), source: z.string().nullable(),
  procedure_code: z.enum(PROCEDURE_CODES).nullable(), provider_id: z.string().nullable(), source_ref: z.string().nullable(), created_at: z.string(),
});
const kpiDto = (k: KpiRow): z.infer<typeof KpiDto> => ({
  id: k.id, kpi_event_id: k.id, lead_id: k.lead_id, kind: k.kind, value_minor: num(k.value_minor), currency: k.currency, occurred_at: iso(k.occurred_at)!,
  metadata: k.metadata ?? {}, campaign_id: k.campaign_id, source: k.source, procedure_code: k.procedure_code, provider_id: k.provider_id,
  source_ref: k.source_ref, created_at: iso(k.created_at)!,
});

const NewKpi = z.object({
  lead_id: Uuid, kind: z.enum(KPI_KINDS),
  value_minor: z.number().int().positive('value_minor is positive.').max(1e13).nullable().optional().describe('Minor units; required for invoice_paid'),
  currency: Currency.optional(), occurred_at: z.iso.datetime({ offset: true }).optional().describe('Default now; never in the future'),
  metadata: z.record(z.string().min(1).max(60), z.unknown()).optional(), procedure_code: z.enum(PROCEDURE_CODES).nullable().optional(),
  provider_id: Uuid.nullable().optional(), source_ref: z.string().trim().min(1).max(200).optional().describe('Idempotency: the same kind and source_ref return the first event'),
}).strict().refine((b) => b.kind !== 'invoice_paid' || (b.value_minor !== undefined && b.value_minor !== null),
  { message: 'An invoice_paid event carries the amount paid.', path: ['value_minor'] });

export function campaignRoutes(app: ZApp, deps: Deps, guard: Guard): void {
  // ---- campaigns ----
  app.post('/api/campaigns', {
    schema: { tags: ['growth'], summary: 'Create a campaign (seed 004 platform and monthly spend, seed 003 type, status, audience, budget, dates)', body: NewCampaign, response: { 201: CampaignDto } },
  }, async (req, reply) => {
    const out = await guard(req, { permission: 'campaign.write' }, (tx) => idempotent(tx, req, async () => {
      const b = req.body;
      const c = await createCampaign(tx, origin(req), { ...input(b), name: b.name, platform: b.platform }, (await orgSettings(tx)).currency);
      return { status: 201, body: campaignDto(c, spendToDate(spendCampaign(c), new Map(), await today(tx, deps))) };
    }));
    return reply.status(out.status as 201).send(out.body as CampaignOut);
  });

  app.get('/api/campaigns', {
    schema: {
      tags: ['growth'], summary: 'Campaigns by name, with their lead count and spend to date; q searches the name',
      querystring: z.object({ ...pageQuery, status: z.enum(CAMPAIGN_STATUSES).optional(), platform: z.enum(CAMPAIGN_PLATFORMS).optional(), q: z.string().trim().max(200).optional() }),
      response: { 200: pageOf(CampaignDto) },
    },
  }, async (req) => guard(req, { permission: 'campaign.read' }, async (tx) => {
    const q = req.query;
    const cursor = decodeCursor(q.cursor, z.object({ name: z.string(), id: Uuid }));
    const rows = await listCampaigns(tx, { status: q.status, platform: q.platform, q: q.q || undefined, limit: q.limit, cursor });
    const spend = await recordedSpend(tx, rows.map((r) => r.id));
    const t = await today(tx, deps);
    await audit(tx, origin(req), { action: 'list', entityType: 'campaign', details: { count: Math.min(rows.length, q.limit) } });
    return page(rows, q.limit, (c) => ({ name: c.name.toLowerCase(), id: c.id }), (c) => campaignDto(c, spendToDate(spendCampaign(c), spend.get(c.id) ?? new Map(), t)));
  }));

  app.get('/api/campaigns/:id', {
    schema: { tags: ['growth'], summary: 'A campaign', params: z.object({ id: Uuid }), response: { 200: CampaignDto } },
  }, async (req) => guard(req, { permission: 'campaign.read' }, async (tx) => {
    const c = await findCampaign(tx, req.params.id);
    if (!c) throw errors.notFound('campaign');
    const spend = await recordedSpend(tx, [c.id]);
    await audit(tx, origin(req), { action: 'read', entityType: 'campaign', entityId: c.id });
    return campaignDto(c, spendToDate(spendCampaign(c), spend.get(c.id) ?? new Map(), await today(tx, deps)));
  }));

  app.patch('/api/campaigns/:id', {
    schema: { tags: ['growth'], summary: 'Change a campaign', params: z.object({ id: Uuid }), body: CampaignPatch, response: { 200: CampaignDto } },
  }, async (req) => guard(req, { permission: 'campaign.write' }, async (tx) => {
    const c = await updateCampaign(tx, origin(req), req.params.id, input(req.body), deps.now());
    const spend = await recordedSpend(tx, [c.id]);
    return campaignDto(c, spendToDate(spendCampaign(c), spend.get(c.id) ?? new Map(), await today(tx, deps)));
  }));

  app.delete('/api/campaigns/:id', {
    schema: { tags: ['growth'], summary: 'Delete a campaign (soft; its leads and spend stay in the funnel)', params: z.object({ id: Uuid }), response: { 204: z.null() } },
  }, async (req, reply) => {
    await guard(req, { permission: 'campaign.write' }, (tx) => deleteCampaign(tx, origin(req), req.params.id, deps.now()));
    return reply.status(204).send(null);
  });

  // ---- spend ----
  const spendOf = async (tx: Tx, id: string): Promise<z.infer<typeof SpendDto>> => {
    const c = await findCampaign(tx, id);
    if (!c) throw errors.notFound('campaign');
    const recorded = (await recordedSpend(tx, [c.id])).get(c.id) ?? new Map<string, number>();
    const t = await today(tx, deps);
    const sc = spendCampaign(c);
    return { campaign_id: c.id, currency: c.currency, months: spendMonths(sc, recorded, t), spend_to_date_minor: spendToDate(sc, recorded, t) };
  };

  app.put('/api/campaigns/:id/spend/:month', {
    schema: {
      tags: ['growth'], summary: 'Record what a campaign spent in a month (replaces the planned monthly spend for that month)',
      params: z.object({ id: Uuid, month: MonthStr }), body: z.object({ amount_minor: Minor }).strict(), response: { 200: SpendDto },
    },
  }, async (req) => guard(req, { permission: 'campaign.write' }, async (tx) => {
    await setSpend(tx, origin(req), req.params.id, req.params.month, req.body.amount_minor, await today(tx, deps), deps.now());
    return spendOf(tx, req.params.id);
  }));

  app.delete('/api/campaigns/:id/spend/:month', {
    schema: { tags: ['growth'], summary: 'Remove a month\'s recorded spend (the planned monthly spend applies again)', params: z.object({ id: Uuid, month: MonthStr }), response: { 200: SpendDto } },
  }, async (req) => guard(req, { permission: 'campaign.write' }, async (tx) => {
    await clearSpend(tx, origin(req), req.params.id, req.params.month);
    return spendOf(tx, req.params.id);
  }));

  app.get('/api/campaigns/:id/spend', {
    schema: { tags: ['growth'], summary: 'Months with recorded or planned spend, oldest first', params: z.object({ id: Uuid }), response: { 200: SpendDto } },
  }, async (req) => guard(req, { permission: 'campaign.read' }, async (tx) => {
    const out = await spendOf(tx, req.params.id);
    await audit(tx, origin(req), { action: 'list', entityType: 'campaign_spend', entityId: req.params.id, details: { count: out.months.length } });
    return out;
  }));

  // ---- KPI events ----
  app.post('/api/kpi-events', {
    schema: {
      tags: ['growth'], summary: 'Record a KPI event on a lead (ad_click, consult_booked, consult_show, invoice_paid); a repeated source_ref returns the first event with 200',
      body: NewKpi, response: { 200: KpiDto, 201: KpiDto },
    },
  }, async (req, reply) => {
    const out = await guard(req, { permission: 'lead.write' }, (tx) => idempotent(tx, req, async () => {
      const b = req.body;
      const r = await recordKpiEvent(tx, origin(req), {
        leadId: b.lead_id, kind: b.kind, valueMinor: b.value_minor, currency: b.currency, occurredAt: b.occurred_at ? new Date(b.occurred_at) : undefined,
        metadata: b.metadata, procedureCode: b.procedure_code, providerId: b.provider_id, sourceRef: b.source_ref,
      }, deps.now());
      return { status: r.created ? 201 : 200, body: kpiDto(r.event) };
    }));
    return reply.status(out.status as 201).send(out.body as z.infer<typeof KpiDto>);
  });

  app.get('/api/kpi-events', {
    schema: {
      tags: ['growth'], summary: 'KPI events, newest first (from/to: dates in the organization\'s time zone, inclusive)',
      querystring: z.object({
        ...pageQuery, lead_id: Uuid.optional(), kind: z.enum(KPI_KINDS).optional(), campaign_id: Uuid.optional(), from: DateStr.optional(), to: DateStr.optional(),
      }),
      response: { 200: pageOf(KpiDto) },
    },
  }, async (req) => guard(req, { permission: 'lead.read' }, async (tx) => {
    const q = req.query;
    const cursor = decodeCursor(q.cursor, z.object({ at: z.iso.datetime({ offset: true }), id: Uuid }));
    const rows = await listKpiEvents(tx, {
      leadId: q.lead_id, kind: q.kind, campaignId: q.campaign_id, from: q.from, to: q.to, timezone: (await orgSettings(tx)).timezone, limit: q.limit, cursor,
    });
    await audit(tx, origin(req), { action: 'list', entityType: 'kpi_event', details: { count: Math.min(rows.length, q.limit) } });
    return page(rows, q.limit, (k) => ({ at: iso(k.occurred_at), id: k.id }), kpiDto);
  }));

  app.get('/api/kpi-events/:id', {
    schema: { tags: ['growth'], summary: 'A KPI event', params: z.object({ id: Uuid }), response: { 200: KpiDto } },
  }, async (req) => guard(req, { permission: 'lead.read' }, async (tx) => {
    const k = await findKpiEvent(tx, req.params.id);
    if (!k) throw errors.notFound('KPI event');
    await audit(tx, origin(req), { action: 'read', entityType: 'kpi_event', entityId: k.id });
    return kpiDto(k);
  }));

  app.delete('/api/kpi-events/:id', {
    schema: { tags: ['growth'], summary: 'Void a KPI event (soft); the lead\'s milestones, revenue and the funnel follow', params: z.object({ id: Uuid }), response: { 204: z.null() } },
  }, async (req, reply) => {
    await guard(req, { permission: 'lead.write' }, (tx) => deleteKpiEvent(tx, origin(req), req.params.id, deps.now()));
    return reply.status(204).send(null);
  });
}
