// Clinic benchmark (issue 3): one organization with 100k patients, 1M treatment sessions and 2M
// follow-ups (generated set-based, with a progress bar), on the PostgreSQL server and on PGlite.
// Measures both owner dashboards and GET /api/followups?days=30 (p50/p95), and POST
// /api/treatment-sessions + POST /api/treatment-drug-usage with follow-up generation (requests/s),
// each next to a raw-SQL baseline doing the same statements by hand, in the same run.
// Usage: npx tsx bench/clinic.ts [--small] [--only postgres|pglite] [--seconds 10] [--connections 20]
//   --small: 1k patients, 10k sessions, 20k follow-ups (a smoke check in under a minute).
//   --writes-only: skip the read measurements (for profiling the write path; writes no results file).
//   --statements: print the costliest statements of each write run (needs pg_stat_statements loaded on the server).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openDatabase } from '../src/platform/db/client.js';
import { syncCatalog } from '../src/modules/identity/index.js';
import { benchId, FULL, generateClinic, SMALL } from './clinic-generate.js';
import { load, machine, prepareServerDb, signIn, start, stop, tempDir, writeResults, type Figures } from './lib.js';

const { values } = parseArgs({ options: {
  small: { type: 'boolean' }, only: { type: 'string' }, seconds: { type: 'string' }, 'writes-only': { type: 'boolean' }, statements: { type: 'boolean' },
  // Reads are latency figures (a few owners at once); writes are throughput (many front desks).
  'read-connections': { type: 'string', default: '4' }, connections: { type: 'string', default: '20' },
} });
const scale = values.small ? SMALL : FULL;
const seconds = Number(values.seconds ?? (values.small ? 3 : 10));
const connections = Number(values.connections);
const readConnections = Number(values['read-connections']);
const o = { connections, seconds, warmup: values.small ? 1 : 2 };
const r = { ...o, connections: readConnections };
const dataKey = randomBytes(32).toString('base64');
const TARGETS = { dashboard_p95_ms: { postgres: 50, pglite: 250 }, session_writes_per_s: { postgres: 1000 } };

const failures = new Map<string, number>();
/** Counts failed writes by path, status and code, and prints the first of each kind. */
function failure(p: string, status: number, body: string) {
  let code = '';
  try { code = JSON.parse(body).code ?? ''; } catch { /* not json */ }
  const key = `${p} ${status} ${code}`;
  if (!failures.has(key)) console.log(`  first failure ${key}: ${body.slice(0, 300)}`);
  failures.set(key, (failures.get(key) ?? 0) + 1);
}

/** Requests of one iteration: a session of BOT_MASSETER by doc_01 (seed 000's body), then its drug usage (BOTOX_US). */
function sessionChain(orgId: string, patients: number, paths: { session: string; usage: string }) {
  let n = 0;
  return [
    {
      method: 'POST', path: paths.session, headers: { 'content-type': 'application/json' },
      setupRequest: (req: any) => ({ ...req, body: JSON.stringify({
        patient_id: benchId(orgId, 'p', (n++ * 7919) % patients), treatment_id: 'BOT_MASSETER', doctor_id: 'doc_01', dosage_value: 40, dosage_unit: 'U',
        treatment_area: { left_masseter: 20, right_masseter: 20 }, clinical_notes: 'Normal injection, no bleeding',
      }) }),
      onResponse: (status: number, body: string, ctx: Record<string, unknown>) => {
        ctx.sessionId = status === 201 || status === 200 ? JSON.parse(body).session_id : null;
        if (!ctx.sessionId) failure(paths.session, status, body);
      },
    },
    {
      method: 'POST', path: paths.usage, headers: { 'content-type': 'application/json' },
      setupRequest: (req: any, ctx: Record<string, unknown>) => ({ ...req, body: JSON.stringify({ session_id: ctx.sessionId, drug_id: 'BOTOX_US', amount_used: 40, unit: 'U' }) }),
      onResponse: (status: number, body: string) => { if (status >= 300) failure(paths.usage, status, body); },
    },
  ];
}

/** With --statements on the server: resets pg_stat_statements before a run (run null) and prints its costliest statements after. */
async function statements(kind: string, databaseUrl: string, run: Figures | null) {
  if (!values.statements || kind !== 'postgres') return;
  const admin = new pg.Client({ connectionString: process.env.PG_ADMIN_URL || databaseUrl.replace(/\/\/[^@]+@/, '//postgres@') });
  await admin.connect();
  try {
    if (!run) { await admin.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements'); await admin.query('SELECT pg_stat_statements_reset()'); return; }
    const pairs = (run.rps / 2) * seconds;
    const { rows } = await admin.query(`SELECT calls, round(total_exec_time::numeric, 0) AS ms, left(regexp_replace(query, '\\s+', ' ', 'g'), 150) AS query
      FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) ORDER BY total_exec_time DESC LIMIT 25`);
    console.log(`  costliest statements of ${run.name} (~${Math.round(pairs)} pairs; ms = total execution time):`);
    for (const r of rows) console.log(`    ${String(r.ms).padStart(7)} ms ${String(r.calls).padStart(7)}x ${(Number(r.ms) / pairs).toFixed(3)} ms/pair  ${r.query}`);
  } finally { await admin.end(); }
}

async function suite(kind: 'postgres' | 'pglite') {
  console.log(`\n## ${kind}: ${scale.patients.toLocaleString('en')} patients, ${scale.sessions.toLocaleString('en')} sessions; reads ${readConnections} / writes ${connections} connections, ${seconds} s per run`);
  const dataDir = tempDir();
  const databaseUrl = kind === 'postgres' ? await prepareServerDb('visage_bench_clinic') : '';
  // A server deployment needs its field-encryption key from the environment.
  const env = { DATA_DIR: dataDir, DATABASE_URL: databaseUrl, PGLITE_DIR: path.join(dataDir, 'pgdata'), VISAGE_WORKER: 'false', VISAGE_DATA_KEY: dataKey };

  // Migrate and sign up through the app, then fill the organization with the server stopped (PGlite is one process).
  let visage = await start('visage.ts', { ...env, PORT: '3111' });
  const who = await signIn('http://127.0.0.1:3111', { name: 'Bench Clinic 美麗診所', type: 'clinic', timezone: 'Asia/Taipei', currency: 'TWD', locale: 'zh-TW' });
  await stop(visage);
  const db = await openDatabase({ databaseUrl: databaseUrl || undefined, dataDir });
  await db.migrate(syncCatalog);
  const generated = await generateClinic(db, who.orgId, who.userId, scale);
  await db.close();
  console.log(`  generated in ${generated.seconds} s: ${JSON.stringify(generated.rows)}`);

  const auth = { authorization: `Bearer ${who.token}` };
  const base = { 'x-org-id': who.orgId, 'x-user-id': who.userId };
  const full: Record<string, Figures> = {};
  const raw: Record<string, Figures> = {};
  visage = await start('visage.ts', { ...env, PORT: '3111' });
  if (!values['writes-only']) {
    full.treatments = await load(`${kind} full stack GET /api/dashboard/treatments`, 'http://127.0.0.1:3111/api/dashboard/treatments', auth, r);
    full.risk = await load(`${kind} full stack GET /api/dashboard/followup-risk`, 'http://127.0.0.1:3111/api/dashboard/followup-risk', auth, r);
    full.followups = await load(`${kind} full stack GET /api/followups?days=30`, 'http://127.0.0.1:3111/api/followups?days=30', auth, r);
  }
  await statements(kind, databaseUrl, null);
  full.sessions = await load(`${kind} full stack POST session + drug usage (pairs)`, 'http://127.0.0.1:3111', auth, { ...o, warmup: 0 },
    { requests: sessionChain(who.orgId, scale.patients, { session: '/api/treatment-sessions', usage: '/api/treatment-drug-usage' }) });
  await statements(kind, databaseUrl, full.sessions);
  await stop(visage);
  const baseline = await start('clinic-baseline.ts', { ...env, PORT: '3112' });
  if (!values['writes-only']) {
    raw.treatments = await load(`${kind} baseline dashboard treatments`, 'http://127.0.0.1:3112/dashboard/treatments', base, r);
    raw.risk = await load(`${kind} baseline dashboard followup-risk`, 'http://127.0.0.1:3112/dashboard/followup-risk', base, r);
    raw.followups = await load(`${kind} baseline followups 30 days`, 'http://127.0.0.1:3112/followups', base, r);
  }
  await statements(kind, databaseUrl, null);
  raw.sessions = await load(`${kind} baseline session + drug usage (pairs)`, 'http://127.0.0.1:3112', base, { ...o, warmup: 0 },
    { requests: sessionChain(who.orgId, scale.patients, { session: '/treatment-sessions', usage: '/treatment-drug-usage' }) });
  await statements(kind, databaseUrl, raw.sessions);
  await stop(baseline);

  // Each iteration is two requests (session, then its drug usage): sessions per second = requests per second / 2.
  const sessionsPerSecond = { full_stack: Math.round(full.sessions!.rps / 2), baseline: Math.round(raw.sessions!.rps / 2) };
  const summary = {
    dashboard_treatments_p95_ms: full.treatments?.p95, dashboard_risk_p95_ms: full.risk?.p95, followups_30d_p95_ms: full.followups?.p95,
    sessions_with_usage_per_s: sessionsPerSecond,
    ratio_to_baseline_rps: Object.fromEntries(Object.keys(full).map((k) => [k, Math.round((full[k]!.rps / Math.max(1, raw[k]!.rps)) * 1000) / 1000])),
  };
  // A run where requests failed measures failures, not work: say so in the results rather than quote it.
  const failed = [...Object.values(full), ...Object.values(raw)].filter((f) => f.errors > 0 || f.non2xx > 0).map((f) => `${f.name}: ${f.errors} errors, ${f.non2xx} non-2xx`);
  if (failed.length) console.log(`  !!! requests failed, these figures are not valid:\n    ${failed.join('\n    ')}`);
  Object.assign(summary, { failed_runs: failed });
  console.log(`  sessions with drug usage per second: full stack ${sessionsPerSecond.full_stack}, baseline ${sessionsPerSecond.baseline}`);
  console.log(`  p95: treatments ${summary.dashboard_treatments_p95_ms} ms, followup-risk ${summary.dashboard_risk_p95_ms} ms, followups?days=30 ${summary.followups_30d_p95_ms} ms (target ${TARGETS.dashboard_p95_ms[kind]} ms)`);
  return { kind, generated, full_stack: full, baseline: raw, summary };
}

const results: (Awaited<ReturnType<typeof suite>> & { date?: string })[] = [];
if (values.only !== 'pglite') results.push(await suite('postgres'));
if (values.only !== 'postgres') results.push(await suite('pglite'));
if (values['writes-only']) process.exit(0);
// A run of one database (--only) keeps the other database's results of the same day's file, each with its own date.
const name = values.small ? 'clinic-small' : 'clinic';
const date = new Date().toISOString();
const earlier = path.join(import.meta.dirname, 'results', `${name}-${date.slice(0, 10)}.json`);
const kept = (() => {
  if (!values.only || !fs.existsSync(earlier)) return [];
  const file = JSON.parse(fs.readFileSync(earlier, 'utf8')) as { date: string; results: { kind: string; date?: string }[] };
  return file.results.filter((r) => !results.some((x) => x.kind === r.kind)).map((r) => ({ ...r, date: r.date ?? file.date }));
})();
for (const r of results) Object.assign(r, { date });
const out = { benchmark: name, date, machine: machine(), scale, read_connections: readConnections, connections, seconds, targets: TARGETS, results: [...results, ...kept] };
writeResults(name, out);
