// Platform benchmark (issue 2): the full stack (GET /api/me and an org-scoped GET by id, with auth,
// tenant transaction and audit) next to a raw fastify + database baseline doing the same database
// work by hand, in the same run, on the PostgreSQL server and on PGlite.
// Usage: npm run bench [-- --seconds 10 --connections 50 --only postgres|pglite]
import autocannon from 'autocannon';
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, connections: { type: 'string', default: '50' }, rounds: { type: 'string', default: '3' }, only: { type: 'string' } } });
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const connections = Number(values.connections);
const here = path.dirname(new URL(import.meta.url).pathname);

function start(script: string, env: Record<string, string>): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(here, 'servers', script), [], { execArgv: ['--import', 'tsx'], env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}
const stop = (c: ChildProcess) => new Promise<void>((r) => { c.once('exit', () => r()); c.kill('SIGTERM'); setTimeout(() => c.kill('SIGKILL'), 5000).unref(); });

interface Figures { name: string; rps: number; p50: number; p99: number; errors: number; non2xx: number }
async function load(name: string, url: string, headers: Record<string, string>): Promise<Figures> {
  await autocannon({ url, headers, connections, duration: 2 }); // warm-up
  const r = await autocannon({ url, headers, connections, duration: seconds });
  const f = { name, rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, errors: r.errors, non2xx: r.non2xx };
  console.log(`${name.padEnd(44)} ${String(f.rps).padStart(7)} req/s  p50 ${f.p50} ms  p99 ${f.p99} ms  errors ${f.errors} non-2xx ${f.non2xx}`);
  return f;
}

async function signIn(base: string) {
  const email = `bench.${Date.now()}@bench.visage.local`;
  const post = (p: string, body: unknown, token?: string) => fetch(base + p, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) }).then((r) => r.json() as Promise<any>);
  const s = await post('/api/auth/signup', { email, password: 'benchmark password', full_name: 'Bench Owner' });
  const org = await post('/api/organizations', { name: 'Bench Clinic', type: 'clinic' }, s.token);
  return { token: s.token as string, userId: s.user.id as string, orgId: org.id as string };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Runs full stack and baseline alternately `rounds` times (this machine's neighbours make single
 * runs vary by several percent) and reports every run and the median ratio.
 */
async function suite(kind: 'postgres' | 'pglite', env: Record<string, string>) {
  console.log(`\n## ${kind}: ${connections} connections, ${seconds} s per run, ${rounds} rounds`);
  const runs: { me: Figures; byId: Figures; baseline: Figures }[] = [];
  let who: Awaited<ReturnType<typeof signIn>> | null = null;
  for (let round = 0; round < rounds; round++) {
    const visage = await start('visage.ts', { ...env, PORT: '3101' });
    who ??= await signIn('http://127.0.0.1:3101');
    const auth = { authorization: `Bearer ${who.token}` };
    const me = await load(`${kind} full stack GET /api/me`, 'http://127.0.0.1:3101/api/me', auth);
    const byId = await load(`${kind} full stack GET /api/organizations/:id`, `http://127.0.0.1:3101/api/organizations/${who.orgId}`, auth);
    await stop(visage);
    const baseline = await start('baseline.ts', { ...env, PORT: '3102' });
    const base = await load(`${kind} baseline (fastify + ${kind === 'postgres' ? 'pg' : 'PGlite'}, same SQL)`, `http://127.0.0.1:3102/org/${who.orgId}`, { 'x-user-id': who.userId });
    await stop(baseline);
    runs.push({ me, byId, baseline: base });
  }
  const ratioById = median(runs.map((r) => r.byId.rps / r.baseline.rps));
  const ratioMe = median(runs.map((r) => r.me.rps / r.baseline.rps));
  const p99ById = median(runs.map((r) => r.byId.p99));
  console.log(`median ratio full stack / baseline: GET by id ${(ratioById * 100).toFixed(1)}%, /api/me ${(ratioMe * 100).toFixed(1)}%; median p99 GET by id ${p99ById} ms`);
  return { kind, runs, median_ratio_by_id: ratioById, median_ratio_me: ratioMe, median_p99_by_id_ms: p99ById };
}

async function prepareServerDb(): Promise<string> {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  const admin = new pg.Client({ connectionString: process.env.PG_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  await admin.query(`DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'visage_app') THEN CREATE ROLE visage_app NOLOGIN; END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'visage_bench') THEN CREATE ROLE visage_bench LOGIN NOSUPERUSER; END IF;
  END $$`);
  await admin.query('GRANT visage_app TO visage_bench');
  await admin.query('DROP DATABASE IF EXISTS visage_bench WITH (FORCE)');
  await admin.query('CREATE DATABASE visage_bench OWNER visage_bench');
  await admin.end();
  return 'postgres://visage_bench@127.0.0.1:5432/visage_bench';
}

const results = [];
if (values.only !== 'pglite') results.push(await suite('postgres', { DATABASE_URL: await prepareServerDb(), DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'visage-bench-')) }));
if (values.only !== 'postgres') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'visage-bench-'));
  results.push(await suite('pglite', { DATA_DIR: dir, PGLITE_DIR: path.join(dir, 'pgdata'), DATABASE_URL: '' }));
}
const out = { benchmark: 'platform', date: new Date().toISOString(), machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version }, connections, seconds, rounds, results };
fs.mkdirSync(path.join(here, 'results'), { recursive: true });
const file = path.join(here, 'results', `platform-${out.date.slice(0, 10)}.json`);
fs.writeFileSync(file, JSON.stringify(out, null, 2));
console.log(`\nwritten ${path.relative(process.cwd(), file)}`);
