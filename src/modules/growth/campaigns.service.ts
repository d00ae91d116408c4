import type { Tx } from '../../platform/db/client.js';
import { newId } from '../../platform/crypto.js';
import { SqlFilter, likePattern } from '../../platform/db/filter.js';
import { errors } from '../../platform/http/problem.js';
import { audit, type AuditOrigin } from '../../platform/audit/audit.service.js';
import type { AGE_GROUPS } from './growth.schema.js';
import { CAMPAIGN_PLATFORMS, CAMPAIGN_STATUSES, CAMPAIGN_TYPES } from './growth.schema.js';
import { assertNoPhi } from './phi.js';

export type CampaignPlatform = (typeof CAMPAIGN_PLATFORMS)[number];
export type CampaignType = (typeof CAMPAIGN_TYPES)[number];
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

export interface TargetAudience { age_groups?: (typeof AGE_GROUPS)[number][]; countries?: string[]; interests?: string[] }

export interface CampaignRow {
  id: string; name: string; platform: CampaignPlatform; type: CampaignType | null; status: CampaignStatus; target_audience: TargetAudience;
  monthly_spend_minor: string | number; budget_minor: string | number | null; currency: string; start_date: string | null; end_date: string | null;
  created_by: string | null; created_at: Date; updated_at: Date; deleted_at: Date | null;
  /** created_at / updated_at as calendar dates in the organization's time zone (the spend rule works in dates). */
  created_on: string; updated_on: string;
}

export interface CampaignListRow extends CampaignRow { lead_count: number }

const SELECT = `SELECT c.id, c.name, c.platform, c.type, c.status, c.target_audience, c.monthly_spend_minor, c.budget_minor, c.currency,
    c.start_date::text AS start_date, c.end_date::text AS end_date, c.created_by, c.created_at, c.updated_at, c.deleted_at,
    (c.created_at AT TIME ZONE o.timezone)::date::text AS created_on, (c.updated_at AT TIME ZONE o.timezone)::date::text AS updated_on
  FROM campaigns c JOIN organizations o ON o.id = c.org_id`;

// ---------------------------------------------------------------------------------------------
// The spend rule (docs/funnel.md). Pure functions on calendar dates (YYYY-MM-DD, YYYY-MM).
// ---------------------------------------------------------------------------------------------

const DAY_MS = 86_400_000;
const toMs = (d: string) => Date.parse(`${d}T00:00:00Z`);
const fromMs = (ms: number) => new Date(ms).toISOString().slice(0, 10);
export const addDays = (d: string, n: number) => fromMs(toMs(d) + n * DAY_MS);
/** Inclusive number of days from a to b (0 when b < a). */
export const daysBetween = (a: string, b: string) => Math.max(0, Math.round((toMs(b) - toMs(a)) / DAY_MS) + 1);
export const monthOf = (d: string) => d.slice(0, 7);
export const firstOfMonth = (m: string) => `${m}-01`;
export function lastOfMonth(m: string): string {
  const [y, mo] = m.split('-').map(Number) as [number, number];
  return fromMs(Date.UTC(y, mo, 0));
}
export function nextMonth(m: string): string {
  const [y, mo] = m.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, mo, 1)).toISOString().slice(0, 7);
}
const minStr = (a: string, b: string) => (a < b ? a : b);
const maxStr = (a: string, b: string) => (a > b ? a : b);

export interface SpendCampaign {
  id: string; platform: string; status: CampaignStatus; monthly_spend_minor: number;
  start_date: string | null; end_date: string | null; created_on: string; updated_on: string;
}

/**
 * The days a campaign ran, for its planned spend: start_date..end_date; a missing start is the day
 * it was created, a missing end is today (or, for a completed campaign, the day it was last
 * changed). A draft without a start date never ran. Null when it did not run.
 */
export function runInterval(c: SpendCampaign, today: string): [string, string] | null {
  if (c.status === 'draft' && !c.start_date) return null;
  const start = c.start_date ?? c.created_on;
  const end = c.end_date ?? (c.status === 'completed' ? minStr(c.updated_on, today) : today);
  return end >= start ? [start, end] : null;
}

/** A month's spend: the recorded amount, else monthly_spend_minor when the campaign ran that month, else 0. */
export function monthSpend(c: SpendCampaign, recorded: ReadonlyMap<string, number>, month: string, today: string): { amount: number; basis: 'recorded' | 'planned' | 'none' } {
  const r = recorded.get(month);
  if (r !== undefined) return { amount: r, basis: 'recorded' };
  const run = runInterval(c, today);
  if (run && run[0] <= lastOfMonth(month) && run[1] >= firstOfMonth(month) && c.monthly_spend_minor > 0) return { amount: c.monthly_spend_minor, basis: 'planned' };
  return { amount: 0, basis: 'none' };
}

/**
 * Spend in [from, to] (inclusive dates): for each calendar month overlapping the period, the
 * month's spend times the share of the month's days inside the period. Not rounded (callers round
 * the figure they show, so buckets add up before rounding).
 */
export function spendOver(c: SpendCampaign, recorded: ReadonlyMap<string, number>, from: string, to: string, today: string): number {
  if (to < from) return 0;
  let total = 0;
  for (let m = monthOf(from); m <= monthOf(to); m = nextMonth(m)) {
    const { amount } = monthSpend(c, recorded, m, today);
    if (!amount) continue;
    const days = daysBetween(maxStr(from, firstOfMonth(m)), minStr(to, lastOfMonth(m)));
    total += (amount * days) / daysBetween(firstOfMonth(m), lastOfMonth(m));
  }
  return total;
}

/** The first day anything could be spent: the run's start or the first recorded month. */
function spendStart(c: SpendCampaign, recorded: ReadonlyMap<string, number>, today: string): string | null {
  const run = runInterval(c, today);
  const months = [...recorded.keys()].sort();
  const candidates = [run?.[0], months[0] ? firstOfMonth(months[0]) : undefined].filter((x): x is string => !!x);
  return candidates.length ? candidates.sort()[0]! : null;
}

export function spendToDate(c: SpendCampaign, recorded: ReadonlyMap<string, number>, today: string): number {
  // From the first day of the first month: a month the campaign ran counts whole, as in any period covering it.
  const start = spendStart(c, recorded, today);
  return start && start <= today ? Math.round(spendOver(c, recorded, firstOfMonth(monthOf(start)), today, today)) : 0;
}

export interface SpendMonth { month: string; recorded_minor: number | null; planned_minor: number; amount_minor: number; basis: 'recorded' | 'planned'; recorded: boolean }

/** Every month with recorded spend or in which the campaign ran (up to this month), oldest first. */
export function spendMonths(c: SpendCampaign, recorded: ReadonlyMap<string, number>, today: string): SpendMonth[] {
  const run = runInterval(c, today);
  const months = new Set(recorded.keys());
  if (run && c.monthly_spend_minor > 0) {
    const last = monthOf(minStr(run[1], today));
    let n = 0;
    for (let m = monthOf(run[0]); m <= last && n < 600; m = nextMonth(m), n++) months.add(m);
  }
  return [...months].sort().map((m) => {
    const s = monthSpend(c, recorded, m, today);
    const ran = !!run && run[0] <= lastOfMonth(m) && run[1] >= firstOfMonth(m);
    return { month: m, recorded_minor: recorded.get(m) ?? null, planned_minor: ran ? c.monthly_spend_minor : 0, amount_minor: s.amount, basis: s.basis === 'recorded' ? 'recorded' : 'planned', recorded: s.basis === 'recorded' };
  });
}

export const spendCampaign = (c: CampaignRow): SpendCampaign => ({
  id: c.id, platform: c.platform, status: c.status, monthly_spend_minor: Number(c.monthly_spend_minor), start_date: c.start_date, end_date: c.end_date,
  created_on: c.created_on, updated_on: c.updated_on,
});

/** Recorded spend of some campaigns (all of the org's when ids is null), by campaign then month (YYYY-MM). */
export async function recordedSpend(tx: Tx, ids: string[] | null, fromMonth?: string, toMonth?: string): Promise<Map<string, Map<string, number>>> {
  const w = new SqlFilter('org_id = visage_current_org()');
  if (ids) w.when('campaign_id = ANY(?::uuid[])', ids);
  w.when('month >= ?::date', fromMonth ? firstOfMonth(fromMonth) : undefined).when('month <= ?::date', toMonth ? firstOfMonth(toMonth) : undefined);
  const rows = await tx.query<{ campaign_id: string; month: string; amount_minor: string | number }>(
    `SELECT campaign_id, to_char(month, 'YYYY-MM') AS month, amount_minor FROM campaign_spend WHERE ${w.where}`, w.params);
  const out = new Map<string, Map<string, number>>();
  for (const r of rows) {
    let m = out.get(r.campaign_id);
    if (!m) out.set(r.campaign_id, (m = new Map()));
    m.set(r.month, Number(r.amount_minor));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Campaigns
// ---------------------------------------------------------------------------------------------

export async function findCampaign(tx: Tx, id: string, opts: { withDeleted?: boolean } = {}): Promise<CampaignRow | null> {
  const [c] = await tx.query<CampaignRow>(`${SELECT} WHERE c.org_id = visage_current_org() AND c.id = $1 ${opts.withDeleted ? '' : 'AND c.deleted_at IS NULL'}`, [id]);
  return c ?? null;
}

export interface CampaignInput {
  name: string; platform: CampaignPlatform; type?: CampaignType | null; status?: CampaignStatus; targetAudience?: TargetAudience;
  monthlySpendMinor?: number; budgetMinor?: number | null; currency?: string; startDate?: string | null; endDate?: string | null;
}

async function assertNameFree(tx: Tx, name: string, except: string | null): Promise<void> {
  const [dup] = await tx.query(
    'SELECT 1 FROM campaigns WHERE org_id = visage_current_org() AND lower(name) = lower($1) AND deleted_at IS NULL AND id IS DISTINCT FROM $2::uuid', [name, except]);
  if (dup) throw errors.conflict(`A campaign named "${name}" already exists.`, 'campaign_name_taken', [{ pointer: '/name', message: 'already used' }]);
}

function assertDates(start: string | null, end: string | null): void {
  if (start && end && end < start) throw errors.validation('end_date is on or after start_date.', [{ pointer: '/end_date', message: 'before start_date' }]);
}

export async function createCampaign(tx: Tx, origin: AuditOrigin, input: CampaignInput, orgCurrency: string): Promise<CampaignRow> {
  assertNoPhi(input.targetAudience ?? {}, '/target_audience');
  assertDates(input.startDate ?? null, input.endDate ?? null);
  await assertNameFree(tx, input.name, null);
  const id = newId();
  await tx.query(
    `INSERT INTO campaigns (id, org_id, name, platform, type, status, target_audience, monthly_spend_minor, budget_minor, currency, start_date, end_date, created_by)
     VALUES ($1, visage_current_org(), $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10, $11, $12)`,
    [id, input.name, input.platform, input.type ?? null, input.status ?? 'draft', JSON.stringify(input.targetAudience ?? {}), input.monthlySpendMinor ?? 0,
      input.budgetMinor ?? null, input.currency ?? orgCurrency, input.startDate ?? null, input.endDate ?? null, tx.ctx.userId ?? null]);
  await audit(tx, origin, { action: 'create', entityType: 'campaign', entityId: id, details: { platform: input.platform } });
  return (await findCampaign(tx, id))!;
}

export async function updateCampaign(tx: Tx, origin: AuditOrigin, id: string, patch: Partial<CampaignInput>, now: Date): Promise<CampaignRow> {
  const c = await findCampaign(tx, id);
  if (!c) throw errors.notFound('campaign');
  if (patch.targetAudience !== undefined) assertNoPhi(patch.targetAudience, '/target_audience');
  const start = patch.startDate !== undefined ? patch.startDate : c.start_date;
  const end = patch.endDate !== undefined ? patch.endDate : c.end_date;
  assertDates(start, end);
  if (patch.name !== undefined && patch.name.toLowerCase() !== c.name.toLowerCase()) await assertNameFree(tx, patch.name, c.id);
  const fields = Object.entries(patch).filter(([, v]) => v !== undefined).map(([k]) => k);
  await tx.query(
    `UPDATE campaigns SET name = COALESCE($2, name), platform = COALESCE($3, platform), type = CASE WHEN $4 THEN $5 ELSE type END,
        status = COALESCE($6, status), target_audience = COALESCE($7::jsonb, target_audience), monthly_spend_minor = COALESCE($8, monthly_spend_minor),
        budget_minor = CASE WHEN $9 THEN $10::bigint ELSE budget_minor END, currency = COALESCE($11, currency), start_date = $12::date, end_date = $13::date,
        updated_at = $14
      WHERE org_id = visage_current_org() AND id = $1`,
    [c.id, patch.name ?? null, patch.platform ?? null, patch.type !== undefined, patch.type ?? null, patch.status ?? null,
      patch.targetAudience !== undefined ? JSON.stringify(patch.targetAudience) : null, patch.monthlySpendMinor ?? null,
      patch.budgetMinor !== undefined, patch.budgetMinor ?? null, patch.currency ?? null, start, end, now]);
  await audit(tx, origin, { action: 'update', entityType: 'campaign', entityId: c.id, details: { fields } });
  return (await findCampaign(tx, c.id))!;
}

/** Soft delete: the campaign leaves lists and pickers; its leads, events and spend stay in the funnel. */
export async function deleteCampaign(tx: Tx, origin: AuditOrigin, id: string, now: Date): Promise<void> {
  const rows = await tx.query('UPDATE campaigns SET deleted_at = $2, updated_at = $2 WHERE org_id = visage_current_org() AND id = $1 AND deleted_at IS NULL RETURNING id', [id, now]);
  if (!rows.length) throw errors.notFound('campaign');
  await audit(tx, origin, { action: 'delete', entityType: 'campaign', entityId: id });
}

export interface CampaignFilter {
  status?: CampaignStatus; platform?: CampaignPlatform; q?: string; limit: number; cursor: { name: string; id: string } | null;
}

/**
 * By name. The lead count comes from the funnel rollup (live leads by campaign), so the list
 * stays fast with a million leads.
 */
export async function listCampaigns(tx: Tx, f: CampaignFilter): Promise<CampaignListRow[]> {
  const w = new SqlFilter('c.org_id = visage_current_org()', 'c.deleted_at IS NULL')
    .when('c.status = ?', f.status).when('c.platform = ?', f.platform).when('c.name ILIKE ?', likePattern(f.q));
  if (f.cursor) w.when(`(lower(c.name), c.id) > (${w.param(f.cursor.name)}, ?::uuid)`, f.cursor.id);
  return tx.query<CampaignListRow>(
    `SELECT x.*, COALESCE((SELECT sum(g.leads) FROM growth_funnel_daily g WHERE g.org_id = visage_current_org() AND g.campaign_key = x.id), 0)::int AS lead_count
       FROM (${SELECT} WHERE ${w.where} ORDER BY lower(c.name), c.id LIMIT ${w.param(f.limit + 1)}) x
      ORDER BY lower(x.name), x.id`, w.params);
}

/** Upserts what a campaign spent in a month (YYYY-MM); not for months after the current one. */
export async function setSpend(tx: Tx, origin: AuditOrigin, campaignId: string, month: string, amountMinor: number, today: string, now: Date): Promise<void> {
  const c = await findCampaign(tx, campaignId);
  if (!c) throw errors.notFound('campaign');
  if (month > monthOf(today)) throw errors.validation('Spend is recorded for the current or a past month.', [{ pointer: '#params/month', message: 'in the future' }]);
  await tx.query(
    `INSERT INTO campaign_spend (id, org_id, campaign_id, month, amount_minor, created_at, updated_at)
     VALUES ($1, visage_current_org(), $2, $3::date, $4, $5, $5)
     ON CONFLICT (org_id, campaign_id, month) DO UPDATE SET amount_minor = EXCLUDED.amount_minor, updated_at = EXCLUDED.updated_at`,
    [newId(), c.id, firstOfMonth(month), amountMinor, now]);
  await audit(tx, origin, { action: 'update', entityType: 'campaign_spend', entityId: c.id, details: { month, amount_minor: amountMinor } });
}

/** Removes a month's recorded spend (the month falls back to the planned monthly spend). */
export async function clearSpend(tx: Tx, origin: AuditOrigin, campaignId: string, month: string): Promise<void> {
  const c = await findCampaign(tx, campaignId);
  if (!c) throw errors.notFound('campaign');
  const rows = await tx.query('DELETE FROM campaign_spend WHERE org_id = visage_current_org() AND campaign_id = $1 AND month = $2::date RETURNING id', [c.id, firstOfMonth(month)]);
  if (!rows.length) throw errors.notFound('recorded spend for that month');
  await audit(tx, origin, { action: 'delete', entityType: 'campaign_spend', entityId: c.id, details: { month } });
}

/** All campaigns that can carry spend in the funnel, deleted ones included (the money was spent). */
export async function spendCampaigns(tx: Tx, ids: string[] | null): Promise<(CampaignRow)[]> {
  const w = new SqlFilter('c.org_id = visage_current_org()');
  if (ids) w.when('c.id = ANY(?::uuid[])', ids);
  return tx.query<CampaignRow>(`${SELECT} WHERE ${w.where}`, w.params);
}
