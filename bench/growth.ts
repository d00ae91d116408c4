// Growth benchmark (issue 4): one organization with 1M leads, 7M activities, 3M KPI events and their
// stage history (generated set-based with a progress bar, funnel triggers off, then one rebuild of
// milestones and the daily rollup), on the PostgreSQL server and on PGlite. Measures through HTTP
// against a running Visage: GET /api/growth/funnel for the past year grouped by campaign, month and
// source (p50/p95/p99), and the GoHighLevel webhook upsert (HMAC-signed deliveries per second), next
// to a raw-SQL baseline in the same run: the same aggregate from growth_funnel_daily, the naive one
// over the leads (for context), and the upsert done by hand; GET /api/me gives the stack's floor.
// Usage: npx tsx bench/growth.ts [--size small|full] [--db postgres|pglite|both] [--seconds 10] [--connections 20]
//   --size small: 20k leads, 140k activities, 60k KPI events (a smoke check in a minute or two).
import { createHmac, randomBytes } from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../src/platform/db/client.js';
import { syncCatalog } from '../src/modules/identity/index.js';
import { addDays, dateIn } from '../src/modules/demo/calendar.js';
import { FULL, generateGrowth, SMALL, withFunnelTriggersOff, type Generated } from './growth-generate.js';
import { load, machine, prepareServerDb, signIn, start, stop, tempDir, writeResults, type Figures } from './lib.js';

const { values } = parseArgs({ options: {
  size: { type: 'string', default: 'full' }, db: { type: 'string', default: 'both' }, seconds: { type: 'string' },
  // Dashboard reads are latency figures (a few marketers at once); webhook deliveries are throughput.
  'read-connections': { type: 'string', default: '4' }, connections: { type: 'string', default: '20' },
} });
if (!['small', 'full'].includes(values.size!)) throw new Error('--size small|full');
if (!['postgres', 'pglite', 'both'].includes(values.db!)) throw new Error('--db postgres|pglite|both');
const small = values.size === 'small';
const scale = small ? SMALL : FULL;
const seconds = Number(values.seconds ?? (small ? 3 : 10));
const connections = Number(values.connections);
const readConnections = Number(values['read-connections']);
const w = { connections, seconds, warmup: small ? 1 : 2 };
const r = { ...w, connections: readConnections };
const dataKey = randomBytes(32).toString('base64');
const TZ = 'Asia/Taipei';
const TARGETS = { funnel_p95_ms: { postgres: 200 } };
const GROUPS = ['campaign', 'month', 'source'] as const;

const failures = new Map<string, number>();
/** Counts failed requests by label, status and code, and prints the first of each kind. */
function failure(label: string, status: number, body: string) {
  let code = '';
  try { code = JSON.parse(body).code ?? ''; } catch { /* not json */ }
  const key = `${label} ${status} ${code}`;
  if (!failures.has(key)) console.log(`  first failure ${key}: ${body.slice(0, 300)}`);
  failures.set(key, (failures.get(key) ?? 0) + 1);
}

/**
 * Webhook deliveries: contact.upsert events with a fresh delivery id each, signed like GoHighLevel
 * would (x-visage-signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">). Contact ids cycle
 * over the generated leads' GoHighLevel ids (every tenth of them: updates) and new ones (creates).
 */
function deliveries(label: string, secret: string, leads: number, headers: Record<string, string>) {
  let n = 0;
  const run = `${process.pid}-${Date.now().toString(36)}`;
  return [{
    method: 'POST', headers: { 'content-type': 'application/json', ...headers },
    setupRequest: (req: any) => {
      const i = n++;
      // Existing GoHighLevel contacts are leads g with g % 10 < 3 ("ghl-<g>"); odd deliveries touch one, even ones bring a new contact.
      const contactId = i % 2 ? `ghl-${((i * 7919) % Math.floor(leads / 10)) * 10}` : `ghl-new-${run}-${i}`;
      const body = JSON.stringify({
        delivery_id: `bench-${run}-${i}`, type: 'contact.upsert',
        contact: { id: contactId, first_name: 'Mei', email: `ghl.${run}.${i}@example.com`, phone: `+8869${String(10_000_000 + (i % 89_999_999))}`, source: 'facebook', tags: ['Botox'] },
      });
      const t = Math.floor(Date.now() / 1000);
      const sig = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
      return { ...req, body, headers: { ...req.headers, 'x-visage-signature': `t=${t},v1=${sig}` } };
    },
    onResponse: (status: number, body: string) => { if (status >= 300) failure(label, status, body); },
  }];
}

async function suite(kind: 'postgres' | 'pglite') {
  console.log(`\n## ${kind}: ${scale.leads.toLocaleString('en')} leads, ${(scale.leads * scale.activitiesPerLead).toLocaleString('en')} activities, `
    + `${(scale.leads * scale.kpiPerLead).toLocaleString('en')} KPI events; reads ${readConnections} / webhooks ${connections} connections, ${seconds} s per run`);
  const dataDir = tempDir();
  const databaseUrl = kind === 'postgres' ? await prepareServerDb('visage_bench_growth') : '';
  const env = { DATA_DIR: dataDir, DATABASE_URL: databaseUrl, PGLITE_DIR: path.join(dataDir, 'pgdata'), VISAGE_WORKER: 'false', VISAGE_DATA_KEY: dataKey };
  const base = 'http://127.0.0.1:3131';

  // Migrate, sign up and connect GoHighLevel through the app (the secret is shown once), then fill
  // the organization with the server stopped (PGlite is one process).
  let visage = await start('visage.ts', { ...env, PORT: '3131' });
  const who = await signIn(base, { name: 'Bench Growth Spa 美麗診所', type: 'clinic', timezone: TZ, currency: 'TWD', locale: 'zh-TW' });
  const auth = { authorization: `Bearer ${who.token}` };
  const ghl = await fetch(`${base}/api/crm-integrations/gohighlevel`, { method: 'PUT', headers: { ...auth, 'content-type': 'application/json' }, body: '{}' });
  const ghlBody = await ghl.json() as { secret?: string; webhook_url?: string };
  if (!ghl.ok || !ghlBody.secret) throw new Error(`PUT /api/crm-integrations/gohighlevel answered ${ghl.status}: ${JSON.stringify(ghlBody).slice(0, 300)}`);
  await stop(visage);
  const db = await openDatabase({ databaseUrl: databaseUrl || undefined, dataDir });
  await db.migrate(syncCatalog);
  let generated: Generated;
  try {
    generated = await withFunnelTriggersOff(db, () => generateGrowth(db, who.orgId, who.userId, scale));
  } finally {
    await db.close();
  }
  console.log(`  generated in ${generated.seconds} s (load ${generated.load_seconds} s, rebuild ${generated.rebuild_seconds} s): ${JSON.stringify(generated.rows)}`);

  const to = dateIn(new Date(), TZ);
  const from = addDays(to, -364);
  const full: Record<string, Figures> = {};
  const raw: Record<string, Figures> = {};
  visage = await start('visage.ts', { ...env, PORT: '3131' });
  // One answer checked before timing many: the funnel counts every generated lead.
  const check = await fetch(`${base}/api/growth/funnel?from=${from}&to=${to}&group_by=campaign`, { headers: auth });
  const checked = await check.json() as { totals?: { leads?: number } };
  if (!check.ok) throw new Error(`GET /api/growth/funnel answered ${check.status}: ${JSON.stringify(checked).slice(0, 300)}`);
  console.log(`  funnel check: ${checked.totals?.leads?.toLocaleString('en')} leads in ${from}..${to}`);
  for (const g of GROUPS) {
    full[`funnel_${g}`] = await load(`${kind} full stack GET /api/growth/funnel group_by=${g}`, `${base}/api/growth/funnel?from=${from}&to=${to}&group_by=${g}`, auth, r);
  }
  full.me = await load(`${kind} full stack GET /api/me`, `${base}/api/me`, auth, w);
  full.webhook = await load(`${kind} full stack POST /api/webhooks/gohighlevel/:orgId`, `${base}/api/webhooks/gohighlevel/${who.orgId}`, {}, { ...w, warmup: 0 },
    { requests: deliveries('webhook', ghlBody.secret, scale.leads, {}) });
  await stop(visage);

  const baseline = await start('growth-baseline.ts', { ...env, PORT: '3132', BENCH_GHL_SECRET: ghlBody.secret });
  const hdr = { 'x-org-id': who.orgId, 'x-user-id': who.userId };
  for (const g of GROUPS) {
    raw[`funnel_${g}`] = await load(`${kind} baseline rollup aggregate group_by=${g}`, `http://127.0.0.1:3132/funnel?from=${from}&to=${to}&group_by=${g}`, hdr, r);
  }
  // The naive aggregate reads every lead: fewer connections, it is context, not a contender.
  for (const g of GROUPS) {
    raw[`naive_${g}`] = await load(`${kind} baseline naive aggregate over leads group_by=${g}`, `http://127.0.0.1:3132/funnel-naive?from=${from}&to=${to}&group_by=${g}`, hdr, { ...r, connections: 1 });
  }
  raw.webhook = await load(`${kind} baseline webhook upsert by hand`, 'http://127.0.0.1:3132/webhook', {}, { ...w, warmup: 0 },
    { requests: deliveries('baseline webhook', ghlBody.secret, scale.leads, { 'x-org-id': who.orgId }) });
  await stop(baseline);

  const summary = {
    funnel_p95_ms: Object.fromEntries(GROUPS.map((g) => [g, full[`funnel_${g}`]!.p95])),
    funnel_p99_ms: Object.fromEntries(GROUPS.map((g) => [g, full[`funnel_${g}`]!.p99])),
    baseline_rollup_p95_ms: Object.fromEntries(GROUPS.map((g) => [g, raw[`funnel_${g}`]!.p95])),
    naive_over_leads_p95_ms: Object.fromEntries(GROUPS.map((g) => [g, raw[`naive_${g}`]!.p95])),
    webhook_deliveries_per_s: { full_stack: full.webhook!.rps, baseline: raw.webhook!.rps, me_per_s: full.me!.rps },
    ratio_to_baseline_rps: Object.fromEntries([...GROUPS.map((g) => `funnel_${g}`), 'webhook'].map((k) => [k, Math.round((full[k]!.rps / Math.max(1, raw[k]!.rps)) * 1000) / 1000])),
    target_met: kind === 'postgres' ? GROUPS.every((g) => (full[`funnel_${g}`]!.p95 ?? Infinity) < TARGETS.funnel_p95_ms.postgres) : null,
  };
  console.log(`  funnel p95: ${GROUPS.map((g) => `${g} ${summary.funnel_p95_ms[g]} ms`).join(', ')}${kind === 'postgres' ? ` (target < ${TARGETS.funnel_p95_ms.postgres} ms)` : ''}`);
  console.log(`  webhook deliveries per second: full stack ${summary.webhook_deliveries_per_s.full_stack}, baseline ${summary.webhook_deliveries_per_s.baseline} (GET /api/me ${full.me!.rps}/s)`);
  return { kind, generated, full_stack: full, baseline: raw, summary };
}

const results = [];
if (values.db !== 'pglite') results.push(await suite('postgres'));
if (values.db !== 'postgres') results.push(await suite('pglite'));
const name = small ? 'growth-small' : 'growth';
const out = { benchmark: name, date: new Date().toISOString(), machine: machine(), scale, read_connections: readConnections, connections, seconds, targets: TARGETS,
  failures: Object.fromEntries(failures), results };
writeResults(name, out);
