import type { Tx } from '../../platform/db/client.js';
import { errors } from '../../platform/http/problem.js';
import type { STAGE_KINDS } from './growth.schema.js';

/**
 * Lead scoring (docs/lead-scoring.md): a deterministic 0-100 score from four factors whose points
 * add up to the score, each with the reason it gave them. `scoreLead` is pure (unit-tested);
 * `rescoreLead` gathers a lead's inputs with indexed queries and stores the result.
 */
export interface ScoreFactor { factor: 'stage' | 'source' | 'recency' | 'engagement'; points: number; max: number; reason: string }
export interface LeadScore { score: number; factors: ScoreFactor[] }

type StageKind = (typeof STAGE_KINDS)[number];

/** What the score is computed from; counts cover the ENGAGEMENT_WINDOW_DAYS before `now`. */
export interface ScoreInputs {
  stageKind: StageKind;
  stageName: string;
  source: string;
  /** The lead's last interaction (activities, consult KPI events), or null. */
  lastInteractionAt: Date | null;
  formSubmits: number;
  inboundCalls: number;
  answeredOutboundCalls: number;
  journeyEvents: number;
  adClicks: number;
  consultsBooked: number;
  consultsShown: number;
}

export const ENGAGEMENT_WINDOW_DAYS = 90;
export const MAX_POINTS = { stage: 40, source: 15, recency: 20, engagement: 25 } as const;

export const STAGE_POINTS: Record<StageKind, number> = { new: 5, open: 10, contacted: 15, consult_booked: 30, won: 40, lost: 0 };

/** Source families, first match wins; anything else is "other" (5). */
const SOURCE_RULES: { test: RegExp; points: number; label: string }[] = [
  { test: /^referral|^word_of_mouth|^friend/, points: 15, label: 'referral' },
  { test: /^(website|web|web_form|organic|seo|direct|walk_in)/, points: 12, label: 'website/organic' },
  { test: /^(google|youtube)/, points: 10, label: 'Google' },
  { test: /^(instagram|facebook|fb|meta|tiktok)/, points: 8, label: 'social' },
];

/** Recency bands: at most this many days since the last interaction gives these points. */
export const RECENCY_BANDS: { days: number; points: number }[] = [
  { days: 1, points: 20 }, { days: 7, points: 15 }, { days: 30, points: 8 }, { days: 90, points: 3 },
];

/** Engagement points per event in the window, each kind capped, the sum capped at 25. */
export const ENGAGEMENT_RULES = {
  formSubmits: { each: 3, cap: 9, label: 'form submission' },
  inboundCalls: { each: 3, cap: 9, label: 'inbound call' },
  answeredOutboundCalls: { each: 2, cap: 6, label: 'answered outbound call' },
  journeyEvents: { each: 1, cap: 5, label: 'journey event' },
  adClicks: { each: 1, cap: 3, label: 'ad click' },
  consultsBooked: { each: 8, cap: 8, label: 'consult booked' },
  consultsShown: { each: 10, cap: 10, label: 'consult attended' },
} as const satisfies Record<string, { each: number; cap: number; label: string }>;

const DAY_MS = 86_400_000;

export function normalizeSource(source: string): string {
  return source.trim().toLowerCase().replace(/[\s-]+/g, '_');
}

/** The pure score: same inputs and `now`, same result. */
export function scoreLead(inputs: ScoreInputs, now: Date): LeadScore {
  const stagePts = STAGE_POINTS[inputs.stageKind] ?? 0;
  const stage: ScoreFactor = { factor: 'stage', points: stagePts, max: MAX_POINTS.stage, reason: `Stage ${inputs.stageName}: ${stagePts} of ${MAX_POINTS.stage}` };

  const src = normalizeSource(inputs.source);
  const rule = SOURCE_RULES.find((r) => r.test.test(src));
  const srcPts = rule?.points ?? 5;
  const source: ScoreFactor = {
    factor: 'source', points: srcPts, max: MAX_POINTS.source,
    reason: `Source ${inputs.source} (${rule?.label ?? 'other'}): ${srcPts} of ${MAX_POINTS.source}`,
  };

  let recPts = 0;
  let recReason: string;
  if (!inputs.lastInteractionAt) {
    recReason = `No interaction yet: 0 of ${MAX_POINTS.recency}`;
  } else {
    // An interaction stamped after `now` (clock skew) counts as just now.
    const ageMs = Math.max(0, now.getTime() - inputs.lastInteractionAt.getTime());
    const band = RECENCY_BANDS.find((b) => ageMs <= b.days * DAY_MS);
    recPts = band?.points ?? 0;
    const days = Math.floor(ageMs / DAY_MS);
    const ago = days === 0 ? 'today (under a day ago)' : `${days} day${days === 1 ? '' : 's'} ago`;
    recReason = `Last interaction ${ago}${band ? ` (within ${band.days} day${band.days === 1 ? '' : 's'})` : ` (over ${RECENCY_BANDS[RECENCY_BANDS.length - 1]!.days} days)`}: ${recPts} of ${MAX_POINTS.recency}`;
  }
  const recency: ScoreFactor = { factor: 'recency', points: recPts, max: MAX_POINTS.recency, reason: recReason };

  const parts: string[] = [];
  let raw = 0;
  for (const [key, r] of Object.entries(ENGAGEMENT_RULES) as [keyof typeof ENGAGEMENT_RULES, (typeof ENGAGEMENT_RULES)[keyof typeof ENGAGEMENT_RULES]][]) {
    const count = Math.max(0, Math.floor(inputs[key] ?? 0));
    if (!count) continue;
    const pts = Math.min(r.cap, count * r.each);
    raw += pts;
    parts.push(`${count} ${r.label}${count === 1 ? '' : 's'} +${pts}`);
  }
  const engPts = Math.min(MAX_POINTS.engagement, raw);
  const engagement: ScoreFactor = {
    factor: 'engagement', points: engPts, max: MAX_POINTS.engagement,
    reason: parts.length
      ? `Last ${ENGAGEMENT_WINDOW_DAYS} days: ${parts.join(', ')}${raw > engPts ? ` (capped)` : ''}: ${engPts} of ${MAX_POINTS.engagement}`
      : `No engagement in the last ${ENGAGEMENT_WINDOW_DAYS} days: 0 of ${MAX_POINTS.engagement}`,
  };

  const factors = [stage, source, recency, engagement];
  return { score: factors.reduce((s, f) => s + f.points, 0), factors };
}

interface InputRow {
  id: string; stage_kind: StageKind; stage_name: string; source: string; last_at: Date | null;
  form_submits: number; inbound_calls: number; answered_outbound: number; journey: number;
  ad_clicks: number; booked: number; shown: number;
}

/**
 * The inputs of many leads in one statement. Every count is a lateral aggregate over the lead's own
 * rows in the window, which the (org_id, lead_id, time) indexes of activities, journey_events and
 * kpi_events serve directly.
 */
async function inputsOf(tx: Tx, leadIds: string[], now: Date): Promise<Map<string, ScoreInputs>> {
  const since = new Date(now.getTime() - ENGAGEMENT_WINDOW_DAYS * DAY_MS);
  const rows = await tx.query<InputRow>(
    `SELECT l.id, s.kind AS stage_kind, s.name AS stage_name, l.source,
            GREATEST(l.last_interaction_at, k.last_consult) AS last_at,
            a.form_submits, a.inbound_calls, a.answered_outbound, j.journey, k.ad_clicks, k.booked, k.shown
       FROM leads l
       JOIN pipeline_stages s ON s.org_id = l.org_id AND s.id = l.stage_id
       CROSS JOIN LATERAL (
         SELECT count(*) FILTER (WHERE a.type = 'form_submit')::int AS form_submits,
                count(*) FILTER (WHERE a.type = 'call' AND a.payload->>'direction' = 'inbound')::int AS inbound_calls,
                count(*) FILTER (WHERE a.type = 'call' AND a.payload->>'direction' = 'outbound' AND a.payload->>'outcome' = 'answered')::int AS answered_outbound
           FROM activities a
          WHERE a.org_id = l.org_id AND a.lead_id = l.id AND a.created_at >= $2 AND a.created_at <= $3 AND a.deleted_at IS NULL) a
       CROSS JOIN LATERAL (
         SELECT count(*)::int AS journey FROM journey_events j
          WHERE j.org_id = l.org_id AND j.lead_id = l.id AND j.created_at >= $2 AND j.created_at <= $3 AND j.deleted_at IS NULL) j
       CROSS JOIN LATERAL (
         SELECT count(*) FILTER (WHERE k.kind = 'ad_click' AND k.occurred_at >= $2)::int AS ad_clicks,
                count(*) FILTER (WHERE k.kind = 'consult_booked' AND k.occurred_at >= $2)::int AS booked,
                count(*) FILTER (WHERE k.kind = 'consult_show' AND k.occurred_at >= $2)::int AS shown,
                max(k.occurred_at) FILTER (WHERE k.kind IN ('consult_booked', 'consult_show')) AS last_consult
           FROM kpi_events k
          WHERE k.org_id = l.org_id AND k.lead_id = l.id AND k.occurred_at <= $3 AND k.deleted_at IS NULL) k
      WHERE l.org_id = visage_current_org() AND l.id = ANY($1::uuid[])`,
    [leadIds, since, now]);
  return new Map(rows.map((r) => [r.id, {
    stageKind: r.stage_kind, stageName: r.stage_name, source: r.source, lastInteractionAt: r.last_at,
    formSubmits: r.form_submits, inboundCalls: r.inbound_calls, answeredOutboundCalls: r.answered_outbound, journeyEvents: r.journey,
    adClicks: r.ad_clicks, consultsBooked: r.booked, consultsShown: r.shown,
  }]));
}

async function store(tx: Tx, scores: { id: string; s: LeadScore }[], now: Date): Promise<void> {
  if (!scores.length) return;
  await tx.query(
    `UPDATE leads l SET lead_score = v.score, score_factors = v.factors, scored_at = $4
       FROM (SELECT unnest($1::uuid[]) AS id, unnest($2::int[]) AS score, unnest($3::jsonb[]) AS factors) v
      WHERE l.org_id = visage_current_org() AND l.id = v.id`,
    [scores.map((x) => x.id), scores.map((x) => x.s.score), scores.map((x) => JSON.stringify(x.s.factors)), now]);
}

/**
 * Recomputes a lead's score from its stage, source, recency and engagement, stores lead_score,
 * score_factors and scored_at, and returns it. Callers run it whenever a lead's stage, activities,
 * KPI events or journey events change.
 */
export async function rescoreLead(tx: Tx, leadId: string, now: Date): Promise<LeadScore> {
  const inputs = (await inputsOf(tx, [leadId], now)).get(leadId);
  if (!inputs) throw errors.notFound('lead');
  const s = scoreLead(inputs, now);
  await store(tx, [{ id: leadId, s }], now);
  return s;
}

/** Rescores every live lead of the acting organization, `batch` at a time (keyset on id); returns how many. */
export async function rescoreAllLeads(tx: Tx, now: Date, batch = 500): Promise<number> {
  let after = '00000000-0000-0000-0000-000000000000';
  let total = 0;
  for (;;) {
    const ids = (await tx.query<{ id: string }>(
      `SELECT id FROM leads WHERE org_id = visage_current_org() AND deleted_at IS NULL AND id > $1 ORDER BY id LIMIT $2`, [after, batch])).map((r) => r.id);
    if (!ids.length) return total;
    const inputs = await inputsOf(tx, ids, now);
    await store(tx, [...inputs].map(([id, i]) => ({ id, s: scoreLead(i, now) })), now);
    total += ids.length;
    after = ids[ids.length - 1]!;
  }
}

/**
 * Scores decay with time (recency bands, the engagement window) while nothing happens to a lead.
 * The leads whose stored score may have decayed are those last scored more than `minAgeHours` ago
 * while their last interaction was still inside the decay horizon (the window plus a margin):
 * once a lead is scored beyond the horizon its score no longer changes by itself, so it drops out.
 * Rescores up to `batch` of them in the acting organization; returns how many (0 when done).
 */
export async function rescoreDecayedBatch(tx: Tx, now: Date, batch = 500, minAgeHours = 20): Promise<number> {
  const ids = (await tx.query<{ id: string }>(
    `SELECT id FROM leads
      WHERE org_id = visage_current_org() AND deleted_at IS NULL AND last_interaction_at IS NOT NULL
        AND (scored_at IS NULL OR (scored_at < $1::timestamptz - make_interval(hours => $2)
             AND scored_at < last_interaction_at + make_interval(days => $3)))
      ORDER BY id LIMIT $4`, [now, minAgeHours, ENGAGEMENT_WINDOW_DAYS + 10, batch])).map((r) => r.id);
  if (!ids.length) return 0;
  const inputs = await inputsOf(tx, ids, now);
  await store(tx, [...inputs].map(([id, i]) => ({ id, s: scoreLead(i, now) })), now);
  return ids.length;
}
