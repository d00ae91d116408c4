// Builds one organization at scale for the growth benchmark: 30 campaigns with a year of recorded
// spend, the default pipeline, leads created over the past year with their stage history, seven
// activities and three KPI events per lead (1M leads: 7M activities, 3M KPI events, about 2.3M
// history rows), set-based (INSERT ... SELECT FROM generate_series) in chunks through the database
// gate, with a progress bar. The funnel triggers (0013) are switched off for the load, as the
// schema owner, and `visage_growth_rebuild()` then computes milestones and the daily rollup in one
// pass; they are switched back on whatever happens. Ids derive from the organization and the row
// number (md5 -> uuid), so the benchmark can name leads without reading them back.
import { createHash } from 'node:crypto';
import type { Database } from '../src/platform/db/client.js';

export interface GrowthScale { leads: number; activitiesPerLead: number; kpiPerLead: number; campaigns: number }
export const FULL: GrowthScale = { leads: 1_000_000, activitiesPerLead: 7, kpiPerLead: 3, campaigns: 30 };
export const SMALL: GrowthScale = { leads: 20_000, activitiesPerLead: 7, kpiPerLead: 3, campaigns: 30 };

/** The uuid the generator gives row `n` of `kind` in `orgId` (md5(org || ':' || kind || ':' || n) as a v4-shaped uuid, as in SQL below). */
export function growthId(orgId: string, kind: string, n: number): string {
  const h = createHash('md5').update(`${orgId}:${kind}:${n}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20)}`;
}
/** The SQL twin of growthId for an expression giving n. */
const uid = (kind: string, n: string) => `(overlay(overlay(md5($1::text || ':${kind}:' || (${n})::text) placing '4' from 13) placing '8' from 17))::uuid`;

const PLATFORMS = ['facebook', 'instagram', 'google', 'tiktok', 'youtube', 'email', 'sms', 'referral'] as const;
const PAID = new Set(['facebook', 'instagram', 'google', 'tiktok', 'youtube']);
/** Sources of leads without a campaign. */
const ORGANIC = ['website', 'walk_in', 'instagram_dm'] as const;
const STAGES = [['New', 'new', '#3b82f6'], ['Contacted', 'contacted', '#f59e0b'], ['Consult Booked', 'consult_booked', '#8b5cf6'], ['Won', 'won', '#10b981'], ['Lost', 'lost', '#ef4444']] as const;
const NAMES = ['雅婷', '怡君', '欣怡', 'Vivian', '佳穎', 'Grace', '思妤', 'Joyce', '家豪', 'Irene'];
const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** The funnel triggers a bulk load switches off (the rebuild does their work in one pass). */
export const FUNNEL_TRIGGERS: [string, string][] = [
  ['leads', 'leads_funnel_insert_delete'], ['leads', 'leads_funnel_update'], ['lead_stage_history', 'lead_stage_history_milestones'],
  ['activities', 'activities_milestones'], ['kpi_events', 'kpi_events_milestones'],
];

/**
 * What lead `g` is, in SQL, as columns of a LATERAL: its campaign slot, creation time (g = 0 the
 * oldest, spread over 364 days before $base), and how far it went. Leads younger than 15 days stay
 * new, so no event is dated after $base. About 70% contacted, 30% booked, 22.5% showed, 12.4% won.
 * Parameters: $1 org id, $4 leads (N), $5 campaigns (C), $6 base time.
 */
const facts = (g: string) => `
  CROSS JOIN LATERAL (SELECT abs(hashtext((${g})::text)) % 1000 AS h, ((${g}) % ($5::int + 3))::int AS slot,
      $6::timestamptz - make_interval(secs => 3600 + ((($4::bigint - 1 - (${g})) * 31449600) / $4::bigint)::float8) AS created) x0
  CROSS JOIN LATERAL (SELECT x0.h, x0.slot, x0.created, x0.created < $6::timestamptz - interval '15 days' AS ok) x1
  CROSS JOIN LATERAL (SELECT x1.h, x1.slot, x1.created, x1.ok, x1.ok AND x1.h < 700 AS contacted, x1.ok AND x1.h < 300 AS booked, x1.ok AND x1.h < 225 AS showed,
      x1.ok AND x1.h < 124 AS won, x1.ok AND x1.h >= 124 AND x1.h % 3 = 0 AS lost,
      CASE WHEN x1.slot < $5::int THEN ${uid('c', 'x1.slot')} END AS campaign_id,
      CASE WHEN x1.slot < $5::int THEN (ARRAY['${PLATFORMS.join("','")}'])[1 + x1.slot % ${PLATFORMS.length}]
           ELSE (ARRAY['${ORGANIC.join("','")}'])[1 + x1.slot - $5::int] END AS source) x`;

/** The fractional-index rank of lead g: 'd' and four base-62 digits (valid keys, unique up to 14.7M). */
const rank = (g: string) => `'d' || ${[3, 2, 1, 0].map((p) => `substr('${B62}', 1 + ((${g}) / ${62 ** p}) % 62, 1)`).join(' || ')}`;

function bar(label: string, done: number, total: number, started: number): void {
  const width = 30;
  const filled = Math.round((done / total) * width);
  const secs = (Date.now() - started) / 1000;
  const rate = done / Math.max(secs, 0.001);
  process.stdout.write(`\r  ${label.padEnd(12)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round((done / total) * 100)).padStart(3)}%  `
    + `${done.toLocaleString('en')}/${total.toLocaleString('en')}  ${secs.toFixed(1)} s  ${Math.round(rate).toLocaleString('en')} rows/s   ${done === total ? '\n' : ''}`);
}

export interface Generated { seconds: number; load_seconds: number; rebuild_seconds: number; rows: Record<string, number>; base: string }

/**
 * Fills `orgId` (which exists, with `userId` as a member, and has no growth data yet) at `scale`.
 * `base` is the instant everything is dated back from.
 */
export async function generateGrowth(db: Database, orgId: string, userId: string, scale: GrowthScale, base = new Date()): Promise<Generated> {
  const started = Date.now();
  const ctx = { scope: 'tenant' as const, orgId, userId };
  const N = scale.leads;
  const C = scale.campaigns;
  const common = (a: number, b: number) => [orgId, a, b, N, C, base.toISOString()];
  const stageId = (kind: string) => growthId(orgId, 'stage', STAGES.findIndex((s) => s[1] === kind));

  await db.run(ctx, async (tx) => {
    await tx.query(
      `INSERT INTO pipeline_stages (id, org_id, name, position, color, kind)
       SELECT ${uid('stage', 's.n - 1')}, $1::uuid, s.name, (s.n - 1)::int, s.color, s.kind
         FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS s(name, kind, color, n)`,
      [orgId, STAGES.map((s) => s[0]), STAGES.map((s) => s[1]), STAGES.map((s) => s[2])]);
    // 30 campaigns over the platforms, running the whole year, with twelve recorded months each.
    await tx.query(
      `INSERT INTO campaigns (id, org_id, name, platform, type, status, monthly_spend_minor, budget_minor, currency, start_date, created_by, created_at, updated_at)
       SELECT ${uid('c', 'c')}, $1::uuid, 'Bench campaign ' || lpad(c::text, 2, '0') || ' ' || p.platform, p.platform,
              CASE p.platform WHEN 'google' THEN 'google_ads' WHEN 'facebook' THEN 'facebook_ads' WHEN 'email' THEN 'email' WHEN 'referral' THEN 'referral' ELSE 'social_media' END,
              'active', 3000000 + (c % 7) * 1000000, (3000000 + (c % 7) * 1000000) * 12, 'TWD', ($3::timestamptz - interval '365 days')::date, $4::uuid,
              $3::timestamptz - interval '372 days', $3::timestamptz - interval '372 days'
         FROM generate_series(0, $2::int - 1) c CROSS JOIN LATERAL (SELECT (ARRAY['${PLATFORMS.join("','")}'])[1 + c % ${PLATFORMS.length}] AS platform) p`,
      [orgId, C, base.toISOString(), userId]);
    await tx.query(
      `INSERT INTO campaign_spend (id, org_id, campaign_id, month, amount_minor)
       SELECT ${uid('spend', 'c * 100 + m')}, $1::uuid, ${uid('c', 'c')}, (date_trunc('month', $3::timestamptz AT TIME ZONE 'Asia/Taipei') - make_interval(months => m))::date,
              (3000000 + (c % 7) * 1000000) * (85 + (c * 7 + m * 13) % 30) / 100
         FROM generate_series(0, $2::int - 1) c, generate_series(1, 12) m`,
      [orgId, C, base.toISOString()]);
    // Three providers for commission statements.
    await tx.query(
      `INSERT INTO commission_providers (id, org_id, name, role)
       SELECT ${uid('prov', 'p.i')}, $1::uuid, p.name, p.role FROM (VALUES (0, 'Bench Surgeon', 'surgeon'), (1, 'Bench Injector', 'injector'), (2, 'Bench Consultant', 'consultant')) p(i, name, role)`,
      [orgId]);
  });

  const loadStarted = Date.now();
  const rows: Record<string, number> = {};
  // Leads, with their milestones as the rebuild will find them (it then rewrites none of them).
  const CH = 50_000;
  let t0 = Date.now();
  for (let a = 0; a < N; a += CH) {
    const b = Math.min(N, a + CH) - 1;
    await db.run(ctx, (tx) => tx.query(
      `INSERT INTO leads (id, org_id, external_id, first_name, email, phone, source, campaign_id, ad_platform, stage_id, rank, status, currency,
          first_contacted_at, consult_booked_at, consult_showed_at, revenue_minor, won_at, lost_at, last_interaction_at, contact_consent_at, contact_consent_source,
          created_at, updated_at)
       SELECT ${uid('l', 'g')}, $1::uuid, CASE WHEN g % 10 < 3 THEN 'ghl-' || g END, (ARRAY['${NAMES.join("','")}'])[1 + g % ${NAMES.length}],
              'lead' || g || '@example.com', '+8869' || lpad((g % 100000000)::text, 8, '0'), x.source, x.campaign_id,
              CASE WHEN x.source IN ('${[...PAID].join("','")}') AND x.campaign_id IS NOT NULL THEN x.source END,
              CASE WHEN x.won THEN $9::uuid WHEN x.lost THEN $10::uuid WHEN x.booked THEN $8::uuid WHEN x.contacted THEN $7::uuid ELSE $11::uuid END,
              ${rank('g')},
              CASE WHEN x.won THEN 'converted' WHEN x.lost THEN 'lost' WHEN x.booked THEN 'qualified' WHEN x.contacted THEN 'contacted' ELSE 'new' END, 'TWD',
              CASE WHEN x.contacted THEN x.created + interval '1 hour' END, CASE WHEN x.booked THEN x.created + interval '2 days' END,
              CASE WHEN x.showed THEN x.created + interval '5 days' END, CASE WHEN x.won THEN 500000 + (x.h * 7919 % 20) * 100000 ELSE 0 END,
              CASE WHEN x.won THEN x.created + interval '10 days' END, CASE WHEN x.lost THEN x.created + interval '12 days' END,
              least(x.created + interval '6 hours', $6::timestamptz - interval '1 second'), x.created, 'web_form:consult_request',
              x.created, CASE WHEN x.won THEN x.created + interval '10 days' WHEN x.lost THEN x.created + interval '12 days' ELSE x.created END
         FROM generate_series($2::int, $3::int) g ${facts('g')}`,
      [...common(a, b), stageId('contacted'), stageId('consult_booked'), stageId('won'), stageId('lost'), stageId('new')]));
    bar('leads', b + 1, N, t0);
  }
  rows.leads = N;

  // Stage history: New at creation, then Contacted, Consult Booked, Won or Lost.
  t0 = Date.now();
  let history = 0;
  for (let a = 0; a < N; a += CH) {
    const b = Math.min(N, a + CH) - 1;
    const [r] = await db.run(ctx, (tx) => tx.query<{ n: string }>(
      `WITH ins AS (INSERT INTO lead_stage_history (id, org_id, lead_id, stage_id, from_stage_id, changed_at)
       SELECT ${uid('h', 'g * 4 + s.step')}, $1::uuid, ${uid('l', 'g')},
              CASE s.step WHEN 0 THEN $11::uuid WHEN 1 THEN $7::uuid WHEN 2 THEN $8::uuid ELSE CASE WHEN x.won THEN $9::uuid ELSE $10::uuid END END,
              CASE s.step WHEN 0 THEN NULL WHEN 1 THEN $11::uuid WHEN 2 THEN $7::uuid
                   ELSE CASE WHEN x.booked THEN $8::uuid WHEN x.contacted THEN $7::uuid ELSE $11::uuid END END,
              CASE s.step WHEN 0 THEN x.created WHEN 1 THEN x.created + interval '1 hour' WHEN 2 THEN x.created + interval '2 days'
                   ELSE CASE WHEN x.won THEN x.created + interval '10 days' ELSE x.created + interval '12 days' END END
         FROM generate_series($2::int, $3::int) g ${facts('g')}
         CROSS JOIN (VALUES (0), (1), (2), (3)) s(step)
        WHERE s.step = 0 OR (s.step = 1 AND x.contacted) OR (s.step = 2 AND x.booked) OR (s.step = 3 AND (x.won OR x.lost))
        RETURNING 1) SELECT count(*) AS n FROM ins`,
      [...common(a, b), stageId('contacted'), stageId('consult_booked'), stageId('won'), stageId('lost'), stageId('new')]));
    history += Number(r!.n);
    bar('history', b + 1, N, t0);
  }
  rows.lead_stage_history = history;

  // Activities: row a is activity k = a / N of lead g = a % N (contacted leads get SMS, calls and email; others forms and tags).
  const A = N * scale.activitiesPerLead;
  const ACH = CH * scale.activitiesPerLead;
  t0 = Date.now();
  const tagId = growthId(orgId, 'tag', 0);
  await db.run(ctx, (tx) => tx.query(`INSERT INTO tags (id, org_id, name, color) VALUES ($1, $2, 'Botox', '#6366f1')`, [tagId, orgId]));
  for (let a = 0; a < A; a += ACH) {
    const b = Math.min(A, a + ACH) - 1;
    await db.run(ctx, (tx) => tx.query(
      `INSERT INTO activities (id, org_id, lead_id, type, payload, created_at)
       SELECT ${uid('a', 'a')}, $1::uuid, ${uid('l', 'a % $4::int')}, t.type,
              CASE t.type WHEN 'sms_sent' THEN '{"template": "bench_follow_up"}'::jsonb
                          WHEN 'call' THEN '{"direction": "outbound", "duration_seconds": 120, "outcome": "answered"}'::jsonb
                          WHEN 'email_sent' THEN '{"subject": "Your consultation"}'::jsonb
                          WHEN 'form_submit' THEN '{"form": "consult_request"}'::jsonb
                          WHEN 'tag_added' THEN jsonb_build_object('tag_id', $7::text, 'tag', 'Botox')
                          ELSE jsonb_build_object('from_stage_id', $8::text, 'from_stage', 'New', 'to_stage_id', $9::text, 'to_stage', 'Contacted') END,
              least(x.created + make_interval(hours => (a / $4::int)::int), $6::timestamptz - interval '1 second')
         FROM generate_series($2::bigint, $3::bigint) a ${facts('a % $4::int')}
         CROSS JOIN LATERAL (SELECT CASE WHEN x.contacted THEN (ARRAY['form_submit', 'sms_sent', 'call', 'email_sent', 'sms_sent', 'call', 'stage_change'])[1 + ((a / $4::int) % 7)::int]
                                         ELSE (ARRAY['form_submit', 'tag_added', 'form_submit', 'tag_added', 'form_submit', 'tag_added', 'tag_added'])[1 + ((a / $4::int) % 7)::int] END AS type) t`,
      [...common(a, b), tagId, stageId('new'), stageId('contacted')]));
    bar('activities', b + 1, A, t0);
  }
  rows.activities = A;

  // KPI events: k = a / N of lead g: 0 ad click (won: the invoice), 1 ad click (booked: the booking), 2 ad click (showed: the consult shown).
  const K = N * scale.kpiPerLead;
  const KCH = CH * scale.kpiPerLead;
  t0 = Date.now();
  for (let a = 0; a < K; a += KCH) {
    const b = Math.min(K, a + KCH) - 1;
    await db.run(ctx, (tx) => tx.query(
      `INSERT INTO kpi_events (id, org_id, lead_id, kind, value_minor, currency, occurred_at, campaign_id, source, procedure_code, provider_id)
       SELECT ${uid('k', 'a')}, $1::uuid, ${uid('l', 'a % $4::int')}, e.kind,
              CASE WHEN e.kind = 'invoice_paid' THEN 500000 + (x.h * 7919 % 20) * 100000 END, CASE WHEN e.kind = 'invoice_paid' THEN 'TWD' END,
              e.at, x.campaign_id, x.source,
              CASE WHEN e.kind = 'invoice_paid' THEN (ARRAY['BTX', 'FILLER', 'LASER', 'RHINO'])[1 + x.h % 4] END,
              CASE e.kind WHEN 'invoice_paid' THEN CASE WHEN x.h % 4 = 3 THEN $7::uuid ELSE $8::uuid END WHEN 'consult_show' THEN $9::uuid END
         FROM generate_series($2::bigint, $3::bigint) a ${facts('a % $4::int')}
         CROSS JOIN LATERAL (SELECT CASE (a / $4::int) % 3
             WHEN 0 THEN CASE WHEN x.won THEN 'invoice_paid' ELSE 'ad_click' END
             WHEN 1 THEN CASE WHEN x.booked THEN 'consult_booked' ELSE 'ad_click' END
             ELSE CASE WHEN x.showed THEN 'consult_show' ELSE 'ad_click' END END AS kind) k0
         CROSS JOIN LATERAL (SELECT k0.kind, CASE k0.kind WHEN 'invoice_paid' THEN x.created + interval '11 days' WHEN 'consult_booked' THEN x.created + interval '2 days'
             WHEN 'consult_show' THEN x.created + interval '5 days'
             ELSE least(x.created + make_interval(days => ((a / $4::int) % 3)::int), $6::timestamptz - interval '1 second') END AS at) e`,
      [...common(a, b), growthId(orgId, 'prov', 0), growthId(orgId, 'prov', 1), growthId(orgId, 'prov', 2)]));
    bar('kpi events', b + 1, K, t0);
  }
  rows.kpi_events = K;
  const loadSeconds = (Date.now() - loadStarted) / 1000;

  await db.ownerQuery('ANALYZE');
  const rb = Date.now();
  process.stdout.write('  rebuild      milestones and the daily rollup (visage_growth_rebuild) ...');
  await db.run(ctx, (tx) => tx.query('SELECT visage_growth_rebuild()'));
  const rebuildSeconds = (Date.now() - rb) / 1000;
  process.stdout.write(` ${rebuildSeconds.toFixed(1)} s\n`);
  await db.ownerQuery('ANALYZE growth_funnel_daily');
  rows.growth_funnel_daily = Number((await db.run(ctx, (tx) => tx.query<{ n: string }>('SELECT count(*) AS n FROM growth_funnel_daily WHERE org_id = $1', [orgId])))[0]!.n);
  rows.campaigns = C;
  return { seconds: Math.round((Date.now() - started) / 100) / 10, load_seconds: Math.round(loadSeconds * 10) / 10, rebuild_seconds: Math.round(rebuildSeconds * 10) / 10, rows, base: base.toISOString() };
}

/** Runs `fn` with the funnel triggers off (as the schema owner), and switches them back on whatever happens. */
export async function withFunnelTriggersOff<T>(db: Database, fn: () => Promise<T>): Promise<T> {
  for (const [table, trigger] of FUNNEL_TRIGGERS) await db.ownerQuery(`ALTER TABLE ${table} DISABLE TRIGGER ${trigger}`);
  try {
    return await fn();
  } finally {
    for (const [table, trigger] of FUNNEL_TRIGGERS) await db.ownerQuery(`ALTER TABLE ${table} ENABLE TRIGGER ${trigger}`);
  }
}
