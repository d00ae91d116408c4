// Shared pieces of the benchmarks: child servers, autocannon runs, a throw-away server database,
// signing in, medians and results files.
import autocannon from 'autocannon';
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export const here = path.dirname(new URL(import.meta.url).pathname);

/** Starts bench/servers/<script> in a child process and resolves once it says it is ready. */
export function start(script: string, env: Record<string, string>): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(here, 'servers', script), [], { execArgv: ['--import', 'tsx'], env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

export const stop = (c: ChildProcess) => new Promise<void>((r) => { c.once('exit', () => r()); c.kill('SIGTERM'); setTimeout(() => c.kill('SIGKILL'), 5000).unref(); });

export interface Figures { name: string; rps: number; p50: number; p95?: number; p99: number; errors: number; non2xx: number }

export interface LoadOptions { connections: number; seconds: number; warmup?: number }

/** Latency percentile (ms) of a list of response times. */
export function percentile(times: number[], p: number): number {
  if (!times.length) return 0;
  const sorted = [...times].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! * 10) / 10;
}

/**
 * One autocannon run (after a short warm-up): requests per second, p50/p95/p99 latency from every
 * response time, errors and non-2xx answers. `requests` chains several requests per iteration.
 */
export async function load(name: string, url: string, headers: Record<string, string>, o: LoadOptions, extra: Partial<autocannon.Options> = {}): Promise<Figures> {
  if (o.warmup !== 0) await autocannon({ url, headers, connections: o.connections, duration: o.warmup ?? 2, ...extra });
  const times: number[] = [];
  const instance = autocannon({ url, headers, connections: o.connections, duration: o.seconds, ...extra });
  instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => { times.push(responseTime); });
  const r = await instance;
  const f: Figures = { name, rps: Math.round(r.requests.average), p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99), errors: r.errors, non2xx: r.non2xx };
  console.log(`${name.padEnd(58)} ${String(f.rps).padStart(7)} req/s  p50 ${f.p50} ms  p95 ${f.p95} ms  p99 ${f.p99} ms  errors ${f.errors} non-2xx ${f.non2xx}`);
  return f;
}

export async function postJson<T = any>(base: string, p: string, body: unknown, token?: string): Promise<T> {
  const res = await fetch(base + p, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
  return res.json() as Promise<T>;
}

/** Signs up a bench owner and creates their organization. */
export async function signIn(base: string, org: Record<string, unknown> = { name: 'Bench Clinic', type: 'clinic' }) {
  const email = `bench.${Date.now()}@bench.visage.local`;
  const s = await postJson(base, '/api/auth/signup', { email, password: 'benchmark password', full_name: 'Bench Owner' });
  const o = await postJson(base, '/api/organizations', org, s.token);
  return { token: s.token as string, userId: s.user.id as string, orgId: o.id as string };
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * A throw-away database on the PostgreSQL server (PG_ADMIN_URL), owned by a non-superuser login
 * role, plus the app role; or DATABASE_URL as given.
 */
export async function prepareServerDb(name = 'visage_bench'): Promise<string> {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  const admin = new pg.Client({ connectionString: process.env.PG_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  await admin.query(`DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'visage_app') THEN CREATE ROLE visage_app NOLOGIN; END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'visage_bench') THEN CREATE ROLE visage_bench LOGIN NOSUPERUSER; END IF;
  END $$`);
  await admin.query('GRANT visage_app TO visage_bench');
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name} OWNER visage_bench`);
  await admin.end();
  return `postgres://visage_bench@127.0.0.1:5432/${name}`;
}

export const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'visage-bench-'));

export const machine = () => ({ cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100) });

/** Writes bench/results/<name>-<date>.json and says where. */
export function writeResults(name: string, out: { date: string } & Record<string, unknown>): string {
  fs.mkdirSync(path.join(here, 'results'), { recursive: true });
  const file = path.join(here, 'results', `${name}-${out.date.slice(0, 10)}.json`);
  fs.writeFileSync(file, JSON.stringify(out, null, 2));
  console.log(`\nwritten ${path.relative(process.cwd(), file)}`);
  return file;
}
