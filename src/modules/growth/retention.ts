import { z } from 'zod';
import type { ZApp } from '../../platform/http/app.js';
import type { JobDefinition } from '../../platform/jobs/jobs.js';
import type { Deps } from '../../platform/deps.js';
import type { Tx } from '../../platform/db/client.js';
import { newId } from '../../platform/crypto.js';
import { audit, type AuditOrigin } from '../../platform/audit/audit.service.js';
import { decodeCursor, page, pageOf, pageQuery } from '../../platform/http/pagination.js';
import { origin, type Guard } from '../identity/index.js';
import { rescoreDecayedBatch } from './scoring.js';

/*
 * Growth retention (seed 004): activities are kept 3 years (from created_at), KPI events 5 years
 * (from occurred_at), leads 7 years from their last sign of life: max(created_at, updated_at,
 * last_interaction_at), and only once nothing of theirs (activity, KPI event, journey event, stage
 * change) is younger than that. By then their own activities and KPI events are already past
 * their own retention, so removing a lead takes with it only what has no retention of its own
 * (tags, stage history, opportunity, journey events). Journey events with no lead follow the
 * leads' 7 years. Soft-deleted rows age the same way (soft delete hides, retention removes).
 * Every run records its cut-offs and how many rows it removed per table, never their contents.
 * See docs/crm-sync.md ("Retention").
 */

export const RETENTION_JOB = 'growth.retention.sweep';
export const RETENTION_YEARS = { activities: 3, kpi_events: 5, leads: 7 } as const;
/** Rows removed per statement: each batch is its own transaction in the daily job, so locks stay short. */
export const RETENTION_BATCH = 5_000;
/** The daily run's time of day (UTC): a quiet hour for most clinics. */
const RUN_AT_UTC_HOUR = 3;

export interface Cutoffs { activities: Date; kpi_events: Date; leads: Date }
export interface Removed {
  activities: number; kpi_events: number; leads: number; lead_tags: number; lead_stage_history: number; opportunities: number; journey_events: number;
}
export interface RetentionRun { runId: string; orgId: string; ranAt: Date; cutoffs: Cutoffs; removed: Removed }

const emptyRemoved = (): Removed => ({ activities: 0, kpi_events: 0, leads: 0, lead_tags: 0, lead_stage_history: 0, opportunities: 0, journey_events: 0 });

/** `years` calendar years before `now` (29 February falls back to the 28th). */
export function yearsBefore(now: Date, years: number): Date {
  const d = new Date(now.getTime());
  d.setUTCFullYear(d.getUTCFullYear() - years);
  if (d.getUTCDate() !== now.getUTCDate()) d.setUTCDate(0); // 29 Feb -> 1 Mar: step back to the last day of February
  return d;
}

export function cutoffsAt(now: Date): Cutoffs {
  return { activities: yearsBefore(now, RETENTION_YEARS.activities), kpi_events: yearsBefore(now, RETENTION_YEARS.kpi_events), leads: yearsBefore(now, RETENTION_YEARS.leads) };
}

const count = async (tx: Tx, sql: string, params: unknown[]): Promise<number> => (await tx.query(sql, params)).length;

/**
 * One batch of the acting organization's expired rows: activities, then KPI events, then leads
 * (counting the dependants that go with them). Adds to `removed`; returns how many rows it removed.
 */
export async function retentionStep(tx: Tx, c: Cutoffs, removed: Removed, batch = RETENTION_BATCH): Promise<number> {
  let n = 0;
  const a = await count(tx,
    `DELETE FROM activities WHERE org_id = visage_current_org() AND id IN (
       SELECT id FROM activities WHERE org_id = visage_current_org() AND created_at < $1 LIMIT $2) RETURNING 1`, [c.activities, batch]);
  removed.activities += a; n += a;
  const k = await count(tx,
    `DELETE FROM kpi_events WHERE org_id = visage_current_org() AND id IN (
       SELECT id FROM kpi_events WHERE org_id = visage_current_org() AND occurred_at < $1 LIMIT $2) RETURNING 1`, [c.kpi_events, batch]);
  removed.kpi_events += k; n += k;
  if (a === batch || k === batch) return n; // dependants first: leads once their activities and events are through

  const leads = await tx.query<{ id: string }>(
    `SELECT l.id FROM leads l
      WHERE l.org_id = visage_current_org() AND GREATEST(l.created_at, l.updated_at, COALESCE(l.last_interaction_at, l.created_at)) < $1
        AND NOT EXISTS (SELECT 1 FROM activities x WHERE x.org_id = l.org_id AND x.lead_id = l.id AND x.created_at >= $1)
        AND NOT EXISTS (SELECT 1 FROM kpi_events x WHERE x.org_id = l.org_id AND x.lead_id = l.id AND x.occurred_at >= $1)
        AND NOT EXISTS (SELECT 1 FROM journey_events x WHERE x.org_id = l.org_id AND x.lead_id = l.id AND x.created_at >= $1)
        AND NOT EXISTS (SELECT 1 FROM lead_stage_history x WHERE x.org_id = l.org_id AND x.lead_id = l.id AND x.changed_at >= $1)
      LIMIT $2`, [c.leads, batch]);
  if (leads.length) {
    const ids = leads.map((l) => l.id);
    const [deps] = await tx.query<Record<string, number>>(
      `SELECT (SELECT count(*)::int FROM activities WHERE org_id = visage_current_org() AND lead_id = ANY($1::uuid[])) AS activities,
              (SELECT count(*)::int FROM kpi_events WHERE org_id = visage_current_org() AND lead_id = ANY($1::uuid[])) AS kpi_events,
              (SELECT count(*)::int FROM lead_tags WHERE org_id = visage_current_org() AND lead_id = ANY($1::uuid[])) AS lead_tags,
              (SELECT count(*)::int FROM lead_stage_history WHERE org_id = visage_current_org() AND lead_id = ANY($1::uuid[])) AS lead_stage_history,
              (SELECT count(*)::int FROM opportunities WHERE org_id = visage_current_org() AND lead_id = ANY($1::uuid[])) AS opportunities,
              (SELECT count(*)::int FROM journey_events WHERE org_id = visage_current_org() AND lead_id = ANY($1::uuid[])) AS journey_events`, [ids]);
    for (const [table, v] of Object.entries(deps!)) { removed[table as keyof Removed] += Number(v); n += Number(v); }
    // The dependants go by ON DELETE CASCADE with their lead.
    const l = await count(tx, 'DELETE FROM leads WHERE org_id = visage_current_org() AND id = ANY($1::uuid[]) RETURNING 1', [ids]);
    removed.leads += l; n += l;
    if (leads.length === batch) return n;
  }
  const j = await count(tx,
    `DELETE FROM journey_events WHERE org_id = visage_current_org() AND id IN (
       SELECT id FROM journey_events WHERE org_id = visage_current_org() AND lead_id IS NULL AND created_at < $1 LIMIT $2) RETURNING 1`, [c.leads, batch]);
  removed.journey_events += j;
  return n + j;
}

const removedAny = (r: Removed) => Object.values(r).some((v) => v > 0);

/** Records a run (cut-offs and counts per table) in the acting organization. */
async function recordRun(tx: Tx, origin: AuditOrigin, ranAt: Date, c: Cutoffs, removed: Removed, trigger: 'schedule' | 'manual'): Promise<string> {
  const id = newId();
  const cutoffs = { activities: c.activities.toISOString(), kpi_events: c.kpi_events.toISOString(), leads: c.leads.toISOString() };
  await tx.query('INSERT INTO growth_retention_runs (id, org_id, ran_at, cutoffs, removed) VALUES ($1, visage_current_org(), $2, $3, $4)',
    [id, ranAt, JSON.stringify(cutoffs), JSON.stringify(removed)]);
  await audit(tx, origin, { action: 'retention', entityType: 'growth_retention_run', entityId: id, details: { trigger, removed } });
  return id;
}

/** The acting organization's retention inside one transaction (the manual trigger), recorded. */
export async function runOrgRetention(tx: Tx, origin: AuditOrigin, now: Date, batch = RETENTION_BATCH): Promise<RetentionRun> {
  const c = cutoffsAt(now);
  const removed = emptyRemoved();
  while (await retentionStep(tx, c, removed, batch) > 0) { /* next batch */ }
  const runId = await recordRun(tx, origin, now, c, removed, 'manual');
  return { runId, orgId: tx.ctx.orgId!, ranAt: now, cutoffs: c, removed };
}

/** The organizations with growth data; `only` narrows a run (tests on a shared database, a targeted re-run). */
async function growthOrgIds(deps: Pick<Deps, 'db'>, only?: string[]): Promise<string[]> {
  const all = await deps.db.run({ scope: 'system', orgId: null }, (tx) => tx.query<{ org_id: string }>('SELECT org_id FROM visage_growth_org_ids()'));
  return all.map((o) => o.org_id).filter((id) => !only || only.includes(id));
}

/**
 * Every organization with growth data: its expired rows, batch by batch (each batch its own
 * transaction), then one run record. Returns the runs.
 */
export async function runGrowthRetention(deps: Pick<Deps, 'db'>, now: Date, opts: { batch?: number; orgIds?: string[] } = {}): Promise<RetentionRun[]> {
  const batch = opts.batch ?? RETENTION_BATCH;
  const c = cutoffsAt(now);
  const runs: RetentionRun[] = [];
  for (const orgId of await growthOrgIds(deps, opts.orgIds)) {
    const removed = emptyRemoved();
    while (await deps.db.run({ scope: 'system', orgId }, (tx) => retentionStep(tx, c, removed, batch)) > 0) { /* next batch */ }
    const runId = await deps.db.run({ scope: 'system', orgId }, (tx) => recordRun(tx, {}, now, c, removed, 'schedule'));
    runs.push({ runId, orgId, ranAt: now, cutoffs: c, removed });
  }
  return runs;
}

/** The nightly pass over decaying lead scores (scoring.ts), each organization batch by batch. Returns how many were rescored. */
export async function rescoreDecayed(deps: Pick<Deps, 'db'>, now: Date, opts: { orgIds?: string[] } = {}): Promise<number> {
  let total = 0;
  for (const orgId of await growthOrgIds(deps, opts.orgIds)) {
    let n: number;
    do {
      n = await deps.db.run({ scope: 'system', orgId }, (tx) => rescoreDecayedBatch(tx, now));
      total += n;
    } while (n > 0);
  }
  return total;
}

export interface RunRow { id: string; ran_at: Date; cutoffs: Record<string, string>; removed: Record<string, number> }

/** The acting organization's runs, newest first. */
export async function listRuns(tx: Tx, limit: number, cursor: { at: string; id: string } | null): Promise<RunRow[]> {
  return tx.query<RunRow>(
    `SELECT id, ran_at, cutoffs, removed FROM growth_retention_runs WHERE org_id = visage_current_org()
       ${cursor ? 'AND (ran_at, id) < ($2::timestamptz, $3::uuid)' : ''} ORDER BY ran_at DESC, id DESC LIMIT $1`,
    cursor ? [limit + 1, cursor.at, cursor.id] : [limit + 1]);
}

// ---------------------------------------------------------------------------------------------
// The daily job
// ---------------------------------------------------------------------------------------------

interface SweepData { slot: string }

/** The next daily slot strictly after `after`. */
export function nextRetentionSlot(after: Date): Date {
  const d = new Date(Date.UTC(after.getUTCFullYear(), after.getUTCMonth(), after.getUTCDate(), RUN_AT_UTC_HOUR));
  if (d.getTime() <= after.getTime()) d.setUTCDate(d.getUTCDate() + 1);
  return d;
}

/*
 * Several processes each start a chain of daily jobs; the first job to claim a slot runs and queues
 * the next day, the others end. The claim is a row of reminder_sweep_slots (the platform's slot
 * table, pruned after a day): the reminder sweep's slots fall on whole minutes, growth's carry a
 * marker of 7 ms, so the two never collide.
 */
const SLOT_MARKER_MS = 7;
const claimKey = (slot: Date) => new Date(slot.getTime() + SLOT_MARKER_MS);

/** Growth's pg-boss queues: the daily retention sweep. `deps` is read when a job runs. */
export function growthJobs(deps: () => Deps): JobDefinition<unknown>[] {
  const sweep: JobDefinition<SweepData> = {
    name: RETENTION_JOB,
    retryLimit: 2,
    retryDelay: 60,
    expireInSeconds: 60 * 60,
    async handler(job) {
      const d = deps();
      const slot = new Date(job.data.slot);
      let mine = false;
      await job.once(async (tx) => {
        const claimed = await tx.query('INSERT INTO reminder_sweep_slots (slot) VALUES ($1) ON CONFLICT DO NOTHING RETURNING slot', [claimKey(slot)]);
        if (!claimed.length) return; // another chain has this day
        mine = true;
        const next = nextRetentionSlot(new Date(Math.max(d.now().getTime(), slot.getTime())));
        await d.jobs!.enqueue<SweepData>(tx, RETENTION_JOB, { slot: next.toISOString() }, { startAfter: next });
      });
      if (mine) {
        await runGrowthRetention(d, d.now());
        await rescoreDecayed(d, d.now());
      }
    },
  };
  return [sweep as JobDefinition<unknown>];
}

/** Starts this process's daily chain at the next slot (only in a worker process). */
export async function startGrowthRetention(deps: Deps): Promise<void> {
  const jobs = deps.jobs;
  if (!jobs) return;
  const slot = nextRetentionSlot(deps.now());
  await deps.db.run({ scope: 'system', orgId: null }, (tx) => jobs.enqueue<SweepData>(tx, RETENTION_JOB, { slot: slot.toISOString() }, { startAfter: slot }));
}

// ---------------------------------------------------------------------------------------------
// Routes: run now, and the record of runs
// ---------------------------------------------------------------------------------------------

const RemovedDto = z.object({
  activities: z.number().int(), kpi_events: z.number().int(), leads: z.number().int(), lead_tags: z.number().int(),
  lead_stage_history: z.number().int(), opportunities: z.number().int(), journey_events: z.number().int(),
});
const RunDto = z.object({
  run_id: z.string(), ran_at: z.string(),
  cutoffs: z.object({ activities: z.string(), kpi_events: z.string(), leads: z.string() }).describe('Rows older than these were removed'),
  removed: RemovedDto.describe('Rows removed per table (counts only)'),
});
const runDto = (r: RunRow): z.infer<typeof RunDto> => ({
  run_id: r.id, ran_at: new Date(r.ran_at).toISOString(),
  cutoffs: { activities: String(r.cutoffs.activities), kpi_events: String(r.cutoffs.kpi_events), leads: String(r.cutoffs.leads) },
  removed: { ...emptyRemoved(), ...Object.fromEntries(Object.entries(r.removed).map(([k, v]) => [k, Number(v)])) } as Removed,
});

/** POST /api/growth/retention/run and GET /api/growth/retention/runs (wired through crmRoutes: the data lifecycle). */
export function retentionRoutes(app: ZApp, deps: Deps, guard: Guard): void {
  app.post('/api/growth/retention/run', {
    schema: {
      tags: ['growth'], summary: 'Remove this organization\'s growth data past retention now (activities 3 y, KPI events 5 y, leads 7 y) and record the run',
      response: { 200: RunDto },
    },
  }, async (req) => guard(req, { permission: 'campaign.write' }, async (tx) => {
    const r = await runOrgRetention(tx, origin(req), deps.now());
    const c = r.cutoffs;
    return runDto({ id: r.runId, ran_at: r.ranAt, cutoffs: { activities: c.activities.toISOString(), kpi_events: c.kpi_events.toISOString(), leads: c.leads.toISOString() }, removed: { ...r.removed } });
  }));

  app.get('/api/growth/retention/runs', {
    schema: { tags: ['growth'], summary: 'Retention runs, newest first: cut-offs and rows removed per table', querystring: z.object(pageQuery), response: { 200: pageOf(RunDto) } },
  }, async (req) => guard(req, { permission: 'campaign.read' }, async (tx) => {
    const cursor = decodeCursor(req.query.cursor, z.object({ at: z.string(), id: z.string().uuid() }));
    const rows = await listRuns(tx, req.query.limit, cursor);
    return page(rows, req.query.limit, (r) => ({ at: new Date(r.ran_at).toISOString(), id: r.id }), runDto);
  }));
}
