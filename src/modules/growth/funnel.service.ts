import type { Tx } from '../../platform/db/client.js';
import { SqlFilter } from '../../platform/db/filter.js';
import {
  addDays, firstOfMonth, lastOfMonth, monthOf, recordedSpend, spendCampaign, spendCampaigns, spendOver, type CampaignRow,
} from './campaigns.service.js';

/*
 * The funnel (docs/funnel.md). Everything about leads comes from the growth_funnel_daily rollup
 * (maintained by triggers, one row per day x campaign x source x platform), never from leads or
 * kpi_events, so a dashboard over a million leads reads a few thousand rows. Spend comes from the
 * campaigns and campaign_spend by the spend rule of campaigns.service.ts.
 */

export const GROUP_BYS = ['campaign', 'source', 'platform', 'month', 'week', 'day'] as const;
export type GroupBy = (typeof GROUP_BYS)[number];
export const NIL_UUID = '00000000-0000-0000-0000-000000000000';

export interface FunnelFilter {
  from: string; to: string; groupBy: GroupBy; campaignId?: string; source?: string; platform?: string; today: string;
}

export interface FunnelCounts {
  leads: number; contacted: number; consults_booked: number; shows: number; won: number; revenue_minor: number; spend_minor: number;
}
export interface FunnelRates {
  cost_per_lead_minor: number | null; cost_per_consult_minor: number | null; contact_rate: number | null; booking_rate: number | null;
  show_rate: number | null; close_rate: number | null; lead_to_won: number | null; roas: number | null;
}
export type FunnelLine = FunnelCounts & FunnelRates;
export interface FunnelRow extends FunnelLine { key: string; label: string }
export interface FunnelResult { rows: FunnelRow[]; totals: FunnelLine }

const ratio = (a: number, b: number, digits = 4): number | null => (b > 0 ? Math.round((a / b) * 10 ** digits) / 10 ** digits : null);

/** The derived figures of a line: costs in whole minor units, rates as fractions (4 decimals), null when the denominator is 0. */
export function withRates(c: FunnelCounts): FunnelLine {
  return {
    ...c,
    cost_per_lead_minor: c.leads > 0 ? Math.round(c.spend_minor / c.leads) : null,
    cost_per_consult_minor: c.consults_booked > 0 ? Math.round(c.spend_minor / c.consults_booked) : null,
    contact_rate: ratio(c.contacted, c.leads),
    booking_rate: ratio(c.consults_booked, c.contacted),
    show_rate: ratio(c.shows, c.consults_booked),
    close_rate: ratio(c.won, c.shows),
    lead_to_won: ratio(c.won, c.leads),
    roas: ratio(c.revenue_minor, c.spend_minor),
  };
}

const zero = (): FunnelCounts => ({ leads: 0, contacted: 0, consults_booked: 0, shows: 0, won: 0, revenue_minor: 0, spend_minor: 0 });

/** The platform a rollup row counts under: the lead's ad platform, else its campaign's platform. */
const PLATFORM = `COALESCE(NULLIF(f.platform, ''), c.platform, '')`;

const KEY: Record<GroupBy, string> = {
  campaign: 'f.campaign_key::text',
  source: 'f.source',
  platform: PLATFORM,
  month: `to_char(f.day, 'YYYY-MM')`,
  week: `(date_trunc('week', f.day)::date)::text`,
  day: 'f.day::text',
};

function rollupFilter(f: FunnelFilter): SqlFilter {
  const w = new SqlFilter('f.org_id = visage_current_org()');
  w.when('f.day >= ?::date', f.from).when('f.day <= ?::date', f.to)
    .when('f.campaign_key = ?::uuid', f.campaignId).when('f.source = ?', f.source).when(`${PLATFORM} = ?`, f.platform);
  return w;
}

interface Bucket { key: string; from: string; to: string }

/** The time buckets of the period (clipped to it), in order: every one, so charts have no gaps. */
export function timeBuckets(groupBy: 'month' | 'week' | 'day', from: string, to: string): Bucket[] {
  const out: Bucket[] = [];
  let d = from;
  if (groupBy === 'day') {
    for (; d <= to; d = addDays(d, 1)) out.push({ key: d, from: d, to: d });
  } else if (groupBy === 'week') {
    // ISO weeks start on Monday; the key is the Monday (which may precede the period).
    const dow = (new Date(`${from}T00:00:00Z`).getUTCDay() + 6) % 7;
    for (let monday = addDays(from, -dow); monday <= to; monday = addDays(monday, 7)) {
      const end = addDays(monday, 6);
      out.push({ key: monday, from: monday < from ? from : monday, to: end > to ? to : end });
    }
  } else {
    for (let m = monthOf(from); m <= monthOf(to);) {
      const start = firstOfMonth(m), end = lastOfMonth(m);
      out.push({ key: m, from: start < from ? from : start, to: end > to ? to : end });
      m = monthOf(addDays(end, 1));
    }
  }
  return out;
}

interface RollupRow { key: string; leads: number; contacted: number; booked: number; showed: number; won: number; revenue_minor: string | number }

export async function funnel(tx: Tx, f: FunnelFilter): Promise<FunnelResult> {
  const w = rollupFilter(f);
  const rows = await tx.query<RollupRow>(
    `SELECT ${KEY[f.groupBy]} AS key, sum(f.leads)::int AS leads, sum(f.contacted)::int AS contacted, sum(f.booked)::int AS booked,
            sum(f.showed)::int AS showed, sum(f.won)::int AS won, sum(f.revenue_minor) AS revenue_minor
       FROM growth_funnel_daily f LEFT JOIN campaigns c ON c.org_id = f.org_id AND c.id = f.campaign_key
      WHERE ${w.where} GROUP BY 1`, w.params);

  const lines = new Map<string, FunnelCounts & { spendExact: number }>();
  const line = (key: string) => {
    let l = lines.get(key);
    if (!l) lines.set(key, (l = { ...zero(), spendExact: 0 }));
    return l;
  };
  for (const r of rows) {
    const l = line(r.key);
    l.leads += r.leads; l.contacted += r.contacted; l.consults_booked += r.booked; l.shows += r.showed; l.won += r.won; l.revenue_minor += Number(r.revenue_minor);
  }

  // ---- spend ----
  const all = await spendCampaigns(tx, null);
  const names = new Map(all.map((c) => [c.id, c]));
  const campaigns = all.filter((c) => (f.campaignId === undefined || c.id === f.campaignId) && (f.platform === undefined || c.platform === f.platform));
  const recorded = await recordedSpend(tx, f.campaignId ? [f.campaignId] : null, monthOf(f.from), monthOf(f.to));
  const sc = campaigns.map((c) => ({ row: c, s: spendCampaign(c), rec: recorded.get(c.id) ?? new Map<string, number>() }));

  // Leads of each campaign by source in the period (and filters): source shares of campaign spend.
  let shares: Map<string, Map<string, number>> | null = null;
  if (f.groupBy === 'source' || f.source !== undefined) {
    const sw = rollupFilter({ ...f, source: undefined });
    const byCs = await tx.query<{ campaign_key: string; source: string; leads: number }>(
      `SELECT f.campaign_key::text AS campaign_key, f.source, sum(f.leads)::int AS leads
         FROM growth_funnel_daily f LEFT JOIN campaigns c ON c.org_id = f.org_id AND c.id = f.campaign_key
        WHERE ${sw.where} GROUP BY 1, 2`, sw.params);
    shares = new Map();
    const totals = new Map<string, number>();
    for (const r of byCs) totals.set(r.campaign_key, (totals.get(r.campaign_key) ?? 0) + r.leads);
    for (const r of byCs) {
      const t = totals.get(r.campaign_key)!;
      if (t <= 0 || r.leads <= 0) continue;
      let m = shares.get(r.campaign_key);
      if (!m) shares.set(r.campaign_key, (m = new Map()));
      m.set(r.source, r.leads / t);
    }
  }
  /** The part of a campaign's spend that belongs to the source filter (1 without one). */
  const filterShare = (id: string) => (f.source === undefined ? 1 : shares!.get(id)?.get(f.source) ?? 0);

  if (f.groupBy === 'month' || f.groupBy === 'week' || f.groupBy === 'day') {
    const buckets = timeBuckets(f.groupBy, f.from, f.to);
    for (const b of buckets) {
      const l = line(b.key);
      for (const c of sc) l.spendExact += spendOver(c.s, c.rec, b.from, b.to, f.today) * filterShare(c.s.id);
    }
  } else {
    for (const c of sc) {
      const spend = spendOver(c.s, c.rec, f.from, f.to, f.today) * filterShare(c.s.id);
      if (spend <= 0) continue;
      if (f.groupBy === 'campaign') line(c.s.id).spendExact += spend;
      else if (f.groupBy === 'platform') line(c.s.platform).spendExact += spend;
      else {
        const bySource = shares!.get(c.s.id);
        if (!bySource || !bySource.size) line('').spendExact += spend; // spend with no leads in the period
        else for (const [source, share] of bySource) if (f.source === undefined || f.source === source) line(source).spendExact += spend * (f.source === undefined ? share : 1);
      }
    }
  }

  const label = labeler(f.groupBy, names);
  const out: FunnelRow[] = [];
  for (const [key, l] of lines) {
    const { spendExact, ...counts } = l;
    counts.spend_minor = Math.round(spendExact);
    if (f.groupBy !== 'month' && f.groupBy !== 'week' && f.groupBy !== 'day' && !counts.leads && !counts.spend_minor && !counts.revenue_minor) continue;
    out.push({ key, label: label(key), ...withRates(counts) });
  }
  if (f.groupBy === 'month' || f.groupBy === 'week' || f.groupBy === 'day') out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  else out.sort((a, b) => b.leads - a.leads || b.spend_minor - a.spend_minor || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));

  // Totals are the sum of the rows (spend rounded per row), so the table adds up.
  const t = zero();
  for (const r of out) {
    t.leads += r.leads; t.contacted += r.contacted; t.consults_booked += r.consults_booked; t.shows += r.shows; t.won += r.won;
    t.revenue_minor += r.revenue_minor; t.spend_minor += r.spend_minor;
  }
  return { rows: out, totals: withRates(t) };
}

function labeler(groupBy: GroupBy, campaigns: Map<string, CampaignRow>): (key: string) => string {
  switch (groupBy) {
    case 'campaign': return (k) => {
      if (k === NIL_UUID) return 'No campaign';
      const c = campaigns.get(k);
      return c ? `${c.name}${c.deleted_at ? ' (deleted)' : ''}` : 'Unknown campaign';
    };
    case 'source': return (k) => (k === '' ? 'No leads (unattributed spend)' : k);
    case 'platform': return (k) => (k === '' ? 'Unknown' : k);
    case 'week': return (k) => `Week of ${k}`;
    default: return (k) => k;
  }
}

export interface RevenueRow { key: string; label: string; revenue_minor: number; payments: number }

/**
 * Revenue by payment date straight from invoice_paid KPI events (kpi_events_kind_idx: org, kind,
 * occurred_at), grouped by the campaign or source the event carries. from/to are dates in the
 * organization's time zone, inclusive.
 */
export async function revenueByPaymentDate(tx: Tx, f: { from: string; to: string; groupBy: 'campaign' | 'source'; timezone: string }): Promise<{ rows: RevenueRow[]; totals: { revenue_minor: number; payments: number } }> {
  const rows = await tx.query<{ key: string; revenue_minor: string | number; payments: number }>(
    `SELECT ${f.groupBy === 'campaign' ? `COALESCE(k.campaign_id::text, '${NIL_UUID}')` : `COALESCE(k.source, '')`} AS key,
            sum(k.value_minor) AS revenue_minor, count(*)::int AS payments
       FROM kpi_events k
      WHERE k.org_id = visage_current_org() AND k.kind = 'invoice_paid'
        AND k.occurred_at >= ($1::date)::timestamp AT TIME ZONE $3 AND k.occurred_at < (($2::date) + 1)::timestamp AT TIME ZONE $3
        AND k.deleted_at IS NULL
      GROUP BY 1`, [f.from, f.to, f.timezone]);
  const names = new Map(f.groupBy === 'campaign' ? (await spendCampaigns(tx, null)).map((c) => [c.id, c] as const) : []);
  const out = rows.map((r) => ({
    key: r.key,
    label: f.groupBy === 'campaign' ? (r.key === NIL_UUID ? 'No campaign' : names.get(r.key)?.name ?? 'Unknown campaign') : (r.key || 'Unknown'),
    revenue_minor: Number(r.revenue_minor), payments: r.payments,
  })).sort((a, b) => b.revenue_minor - a.revenue_minor || (a.key < b.key ? -1 : 1));
  return { rows: out, totals: { revenue_minor: out.reduce((s, r) => s + r.revenue_minor, 0), payments: out.reduce((s, r) => s + r.payments, 0) } };
}
