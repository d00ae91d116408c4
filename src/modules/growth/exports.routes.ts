import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { ZApp } from '../../platform/http/app.js';
import type { Deps } from '../../platform/deps.js';
import type { Tx } from '../../platform/db/client.js';
import { errors } from '../../platform/http/problem.js';
import { audit } from '../../platform/audit/audit.service.js';
import { origin, type Guard, type Principal } from '../identity/index.js';
import { localDate, orgSettings } from '../clinical/index.js';
import { addDays, daysBetween } from './campaigns.service.js';
import { funnel, GROUP_BYS, type FunnelLine } from './funnel.service.js';
import { leadCriteria, SourceSlug, type LeadCriteria } from './leads.service.js';
import { LEAD_STATUSES } from './growth.schema.js';

/*
 * CSV exports of growth data (what a marketer takes to a spreadsheet). RFC 4180 (CRLF, quoted
 * fields, doubled quotes) with spreadsheet formula injection neutralised. The leads export reads
 * keyset batches, each in its own guarded transaction (PGlite has one connection: a transaction
 * held open for a whole download would stall every other request), so a million rows stream
 * without being held in memory. Nothing is sent before the first batch is read, so a refusal or a
 * bad query is still problem+json. Growth tables only: no clinical table is read.
 */

const BATCH = 2000;
const Uuid = z.string().uuid();
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const DateStr = z.string().regex(DATE_RE, 'Use a date as YYYY-MM-DD.').refine((d) => {
  const t = new Date(`${d}T00:00:00Z`);
  return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === d;
}, 'Not a calendar date.');
const Instant = z.iso.datetime({ offset: true });

type Cell = string | number | boolean | null | undefined | Date;

/** Characters that make a spreadsheet read a cell as a formula (or split it): such text gets a leading apostrophe. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV field: text is neutralised against formula injection, then quoted when RFC 4180 requires it. */
export function csvCell(v: Cell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  let s = v instanceof Date ? v.toISOString() : v;
  if (FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const csvLine = (cells: readonly Cell[]): string => `${cells.map(csvCell).join(',')}\r\n`;

function attachment(reply: FastifyReply, filename: string): FastifyReply {
  return reply
    .header('content-type', 'text/csv; charset=utf-8; header=present')
    .header('content-disposition', `attachment; filename="${filename}"`)
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'private, no-store');
}

// ---- leads ----

export const LEAD_COLUMNS = ['id', 'external_id', 'first_name', 'email', 'phone', 'source', 'campaign', 'ad_platform', 'stage', 'status', 'lead_score',
  'country', 'city', 'age_group', 'deal_value_minor', 'currency', 'created_at', 'last_interaction_at', 'won_at'] as const;

interface ExportRow {
  id: string; external_id: string | null; first_name: string | null; email: string | null; phone: string | null; source: string;
  campaign: string | null; ad_platform: string | null; stage: string; status: string; lead_score: number; country: string | null; city: string | null;
  age_group: string | null; deal_value_minor: string | number | null; currency: string; created_at: Date; last_interaction_at: Date | null;
  won_at: Date | null; ck: string;
}

/** What the export reads of a lead (never the free-text summary or social handles: a spreadsheet needs the contact and the pipeline). */
const LEAD_FIELDS = ['id', 'org_id', 'external_id', 'first_name', 'email', 'phone', 'source', 'campaign_id', 'ad_platform', 'stage_id', 'status', 'lead_score',
  'country', 'city', 'age_group', 'deal_value_minor', 'currency', 'created_at', 'last_interaction_at', 'won_at'].map((c) => `l.${c}`).join(', ');

/** The last row sent: created_at as exact text (microseconds; a JS Date would lose them and skip rows) and id. */
interface Key { at: string; id: string }

async function leadBatch(tx: Tx, f: LeadCriteria, after: Key | null): Promise<ExportRow[]> {
  const w = await leadCriteria(tx, f);
  if (after) {
    // The plain bound lets the (org_id, created_at) index start at the cursor; the row comparison breaks ties by id.
    const at = w.param(after.at);
    w.also(true, `l.created_at >= ${at}::timestamptz AND (l.created_at, l.id) > (${at}::timestamptz, ${w.param(after.id)}::uuid)`);
  }
  // The batch is chosen from leads alone, then named (joined first, the planner sorts every remaining lead). The org filter
  // (a function of the session) makes the planner expect one row, so it would pick a bitmap scan that reads every lead after
  // the cursor on each batch (quadratic over an export); the ordered index scan reads one batch. SET LOCAL ends with the transaction.
  await tx.query('SET LOCAL enable_bitmapscan = off');
  return tx.query<ExportRow>(
    `SELECT l.id, l.external_id, l.first_name, l.email, l.phone, l.source, c.name AS campaign, l.ad_platform, s.name AS stage, l.status,
            l.lead_score, l.country, l.city, l.age_group, l.deal_value_minor, l.currency, l.created_at, l.last_interaction_at, l.won_at,
            to_char(l.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS ck
       FROM (SELECT ${LEAD_FIELDS} FROM leads l WHERE ${w.where} ORDER BY l.created_at, l.id LIMIT ${w.param(BATCH)}) l
       JOIN pipeline_stages s ON s.org_id = l.org_id AND s.id = l.stage_id
       LEFT JOIN campaigns c ON c.org_id = l.org_id AND c.id = l.campaign_id
      ORDER BY l.created_at, l.id`, w.params);
}

const leadLine = (r: ExportRow): string => csvLine([
  r.id, r.external_id, r.first_name, r.email, r.phone, r.source, r.campaign, r.ad_platform, r.stage, r.status, r.lead_score, r.country, r.city,
  r.age_group, r.deal_value_minor === null ? null : Number(r.deal_value_minor), r.currency, new Date(r.created_at),
  r.last_interaction_at ? new Date(r.last_interaction_at) : null, r.won_at ? new Date(r.won_at) : null,
]);

// ---- funnel ----

export const FUNNEL_COLUMNS = ['key', 'label', 'leads', 'contacted', 'consults_booked', 'shows', 'won', 'revenue_minor', 'spend_minor',
  'cost_per_lead_minor', 'cost_per_consult_minor', 'show_rate', 'close_rate', 'roas', 'contact_rate', 'booking_rate', 'lead_to_won'] as const;

const funnelLine = (key: string, label: string, l: FunnelLine): string => csvLine([
  key, label, l.leads, l.contacted, l.consults_booked, l.shows, l.won, l.revenue_minor, l.spend_minor, l.cost_per_lead_minor,
  l.cost_per_consult_minor, l.show_rate, l.close_rate, l.roas, l.contact_rate, l.booking_rate, l.lead_to_won,
]);

/** Longest periods, as GET /api/growth/funnel: ten years, two years by day. */
const MAX_DAYS = 3660;
const MAX_DAYS_BY_DAY = 732;

/** The filters of GET /api/leads (from/to: the older names of created_from/created_to). */
const LeadExportQuery = z.object({
  stage_id: Uuid.optional(), status: z.enum(LEAD_STATUSES).optional(), source: SourceSlug.optional(), campaign_id: Uuid.optional(),
  assigned_user_id: Uuid.optional(), tag: z.string().trim().min(1).max(60).optional().describe('Tag id or name'),
  q: z.string().trim().max(200).optional().describe('Searches first name, email and phone'),
  created_from: z.union([DateStr, Instant]).optional(), created_to: z.union([DateStr, Instant]).optional(),
  from: z.union([DateStr, Instant]).optional().describe('Same as created_from'), to: z.union([DateStr, Instant]).optional().describe('Same as created_to'),
  min_score: z.coerce.number().int().min(0).max(100).optional(),
});

export function exportRoutes(app: ZApp, deps: Deps, guard: Guard): void {
  app.get('/api/growth/exports/leads.csv', {
    schema: {
      tags: ['growth'],
      summary: 'Leads as CSV (a spreadsheet download), oldest first: first name and contact details, campaign, stage, score; never PHI',
      description: `Columns: ${LEAD_COLUMNS.join(', ')}. RFC 4180; text starting with = + - @, tab or CR gets a leading apostrophe (formula injection). `
        + 'from/to: dates of the organization\'s calendar (inclusive) or instants, on created_at. Streamed in batches; the export is audited with its row count.',
      querystring: LeadExportQuery,
    },
  }, async (req, reply) => {
    const q = req.query;
    const f: LeadCriteria = {
      stageId: q.stage_id, status: q.status, source: q.source, campaignId: q.campaign_id, assignedUserId: q.assigned_user_id, tag: q.tag,
      q: q.q || undefined, createdFrom: q.created_from ?? q.from, createdTo: q.created_to ?? q.to, minScore: q.min_score,
    };
    // Which filters, never their text (a search may hold a name or a phone number).
    const details = {
      format: 'csv', from: f.createdFrom ?? null, to: f.createdTo ?? null, campaign_id: q.campaign_id ?? null, stage_id: q.stage_id ?? null,
      filters: Object.entries(q).filter(([, v]) => v !== undefined && v !== '').map(([k]) => k).sort(),
    };
    let rows = 0;
    let done = false;
    /** One batch in a guarded unit of work; the last one (short) records the export with its row count, in the same transaction. */
    const batchAfter = (after: Key | null) => guard(req, { permission: 'lead.read' }, async (tx, p) => {
      const batch = await leadBatch(tx, f, after);
      const last = batch.length < BATCH;
      if (last) await audit(tx, origin(req), { action: 'export', entityType: 'lead', details: { ...details, rows: rows + batch.length } });
      return { batch, last, p, tz: after ? null : (await orgSettings(tx)).timezone };
    });
    // The first batch before any byte: refusals and errors are problem+json.
    const first = await batchAfter(null);
    const principal: Principal = first.p;
    rows = first.batch.length;
    done = first.last;

    async function* body(): AsyncGenerator<string> {
      let batch = first.batch;
      try {
        yield csvLine(LEAD_COLUMNS) + batch.map(leadLine).join('');
        while (!done) {
          const last = batch[batch.length - 1]!;
          // Each batch is its own guarded unit of work: a session revoked mid-download stops it.
          const next = await batchAfter({ at: last.ck, id: last.id });
          batch = next.batch;
          rows += batch.length;
          done = next.last;
          if (batch.length) yield batch.map(leadLine).join('');
        }
      } finally {
        // An interrupted download (client gone, error) is recorded too, with what was read.
        if (!done) {
          await deps.db.run({ scope: 'tenant', orgId: principal.orgId, userId: principal.userId }, (tx) => audit(tx, origin(req), {
            action: 'export', entityType: 'lead', outcome: 'failure', details: { ...details, rows, interrupted: true },
          })).catch((err: unknown) => req.log.warn({ err }, 'could not audit an interrupted export'));
        }
      }
    }
    return attachment(reply, `leads-${localDate(deps.now(), first.tz!)}.csv`).send(Readable.from(body(), { objectMode: false }));
  });

  app.get('/api/growth/exports/funnel.csv', {
    schema: {
      tags: ['growth'],
      summary: 'The funnel as CSV: the rows of GET /api/growth/funnel and a total line',
      description: `Columns: ${FUNNEL_COLUMNS.join(', ')}. Same query as GET /api/growth/funnel (dates in the organization's time zone, inclusive; `
        + 'default: the 30 days up to today). Money in minor units of the organization\'s currency; rates as fractions; empty when undefined.',
      querystring: z.object({
        from: DateStr.optional().describe('Default: 29 days before to'), to: DateStr.optional().describe('Default: today'),
        group_by: z.enum(GROUP_BYS).default('campaign'), campaign_id: Uuid.optional(), source: z.string().trim().min(1).max(100).optional(),
        platform: z.string().trim().min(1).max(60).optional(),
      }),
    },
  }, async (req, reply) => {
    const q = req.query;
    const out = await guard(req, { permission: 'campaign.read' }, async (tx) => {
      const org = await orgSettings(tx);
      const today = localDate(deps.now(), org.timezone);
      const to = q.to ?? today;
      const from = q.from ?? addDays(to, -29);
      if (from > to) throw errors.badRequest('from is on or before to.', [{ pointer: '#query/from', message: 'after to' }]);
      const max = q.group_by === 'day' ? MAX_DAYS_BY_DAY : MAX_DAYS;
      if (daysBetween(from, to) > max) throw errors.badRequest(`The period is at most ${max} days for this grouping.`, [{ pointer: '#query/from', message: 'period too long' }]);
      const r = await funnel(tx, { from, to, groupBy: q.group_by, campaignId: q.campaign_id, source: q.source, platform: q.platform, today });
      await audit(tx, origin(req), {
        action: 'export', entityType: 'growth_funnel', details: { format: 'csv', group_by: q.group_by, from, to, rows: r.rows.length },
      });
      return { r, from, to, currency: org.currency };
    });
    const csv = csvLine(FUNNEL_COLUMNS)
      + out.r.rows.map((row) => funnelLine(row.key, row.label, row)).join('')
      + funnelLine('total', `Total (${out.currency})`, out.r.totals);
    return attachment(reply, `funnel-${q.group_by}-${out.from}-${out.to}.csv`).send(csv);
  });
}
