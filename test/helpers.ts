import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../src/platform/config.js';
import { openPglite, openPostgres, type Database } from '../src/platform/db/client.js';
import { syncCatalog } from '../src/modules/identity/index.js';
import { createVisage, type Visage } from '../src/server.js';
import { FieldCipher } from '../src/platform/crypto/fields.js';
import type { MailMessage } from '../src/platform/mail/mail.js';

export const dbKind = process.env.VISAGE_TEST_DB === 'postgres' ? 'postgres' : 'pglite';

/** A fresh database for a test file: in-memory PGlite, or the CI server database (migrated once per file, idempotently). */
export async function testDatabase(): Promise<Database> {
  let db: Database;
  if (dbKind === 'postgres') {
    const url = process.env.VISAGE_TEST_DATABASE_URL;
    if (!url) throw new Error('VISAGE_TEST_DATABASE_URL is not set (global setup did not run)');
    db = await openPostgres(url, 10);
    const [who] = await db.ownerQuery<{ rolsuper: boolean }>('SELECT rolsuper FROM pg_roles WHERE rolname = current_user');
    if (who?.rolsuper) throw new Error('tests must not connect as a superuser');
  } else {
    db = await openPglite(null);
  }
  await db.migrate(syncCatalog);
  return db;
}

export interface Res<T = any> { status: number; body: T; headers: Record<string, string | string[] | number | undefined> }

export interface TestVisage {
  visage: Visage;
  app: FastifyInstance;
  db: Database;
  mail: MailMessage[];
  clock: { now: Date; advance(ms: number): void };
  call<T = any>(method: string, url: string, opts?: { token?: string; body?: unknown; headers?: Record<string, string>; org?: string }): Promise<Res<T>>;
  /** Signs up a new user and creates an organization they own. */
  owner(opts?: { orgName?: string; type?: string; timezone?: string }): Promise<{ token: string; userId: string; orgId: string; email: string; password: string }>;
  close(): Promise<void>;
}

let seq = 0;

/**
 * Points the app's pino logger at `into`. Request and plugin loggers are pino children, which read
 * the destination through their prototype chain, so replacing the root's stream redirects them all.
 */
function captureLogs(app: FastifyInstance, into: string[]): void {
  const log = app.log as unknown as Record<symbol, unknown>;
  const streamSym = Object.getOwnPropertySymbols(log).find((s) => s.description === 'pino.stream');
  if (!streamSym) throw new Error('captureLogs: the logger has no pino stream (is logging on?)');
  log[streamSym] = { write: (line: string) => { into.push(line); } };
}

export const uniqueEmail = (tag = 'user') => `${tag}.${Date.now().toString(36)}.${process.pid}.${++seq}@test.visage.local`;

/**
 * `listen`: also serve on a real localhost port (for flows driven over HTTP, e.g. OIDC redirects); publicUrl follows it.
 * `logs`: turn the server log on (at config.logLevel, e.g. 'trace') and collect every line it writes here instead of stdout.
 */
export async function testVisage(opts: { config?: Partial<Config>; listen?: boolean; logs?: string[] } = {}): Promise<TestVisage> {
  const db = await testDatabase();
  const mail: MailMessage[] = [];
  const clock = { now: new Date(), advance(ms: number) { this.now = new Date(this.now.getTime() + ms); } };
  // Time runs on by itself too, so ordering by time stays meaningful.
  const realStart = Date.now();
  const clockStart = clock.now.getTime();
  let offset = 0;
  clock.advance = (ms: number) => { offset += ms; };
  const now = () => new Date(clockStart + (Date.now() - realStart) + offset);
  Object.defineProperty(clock, 'now', { get: now });
  // Uploaded files and keys go to a directory of this instance, removed on close.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'visage-test-data-'));
  const config = loadConfig({ dataDir, databaseUrl: undefined, ...opts.config });
  const visage = await createVisage({
    config, db, logger: opts.logs !== undefined, web: false, now, fields: FieldCipher.random(),
    mailer: { outbox: mail, async send(m) { mail.push(m); } },
    jobsSchema: `pgboss_${process.pid}_${++seq}`, // on the shared server database, each instance works only its own jobs
  });
  const app = visage.app;
  if (opts.logs) captureLogs(app, opts.logs);
  await app.ready();
  if (opts.listen) {
    await app.listen({ port: 0, host: '127.0.0.1' });
    config.publicUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  }
  const call: TestVisage['call'] = async (method, url, opts = {}) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.org) headers['x-org-id'] = opts.org;
    const res = await app.inject({ method: method as 'GET', url, headers, ...(opts.body !== undefined ? { payload: opts.body as object } : {}) });
    await visage.deps.jobs?.drain(); // queued mail has been sent when a request returns
    let body: unknown = res.body;
    try { body = res.body ? JSON.parse(res.body) : null; } catch { /* not json */ }
    return { status: res.statusCode, body: body as any, headers: res.headers };
  };
  const owner: TestVisage['owner'] = async (o = {}) => {
    const email = uniqueEmail('owner');
    const password = 'correct horse battery staple';
    const s = await call('POST', '/api/auth/signup', { body: { email, password, full_name: 'Test Owner' } });
    if (s.status !== 201) throw new Error(`signup failed: ${s.status} ${JSON.stringify(s.body)}`);
    const org = await call('POST', '/api/organizations', { token: s.body.token, body: { name: o.orgName ?? 'Test Clinic', type: o.type ?? 'clinic', ...(o.timezone ? { timezone: o.timezone } : {}) } });
    if (org.status !== 201) throw new Error(`create org failed: ${org.status} ${JSON.stringify(org.body)}`);
    return { token: s.body.token, userId: s.body.user.id, orgId: org.body.id, email, password };
  };
  return {
    visage, app, db, mail, clock, call, owner,
    async close() { await visage.close(); await db.close(); fs.rmSync(dataDir, { recursive: true, force: true }); },
  };
}
