import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import * as schema from './schema.js';
import { acquireDataDirLock, type DataDirLock } from './lock.js';

export const APP_ROLE = 'visage_app';
export type Drizzle = PgDatabase<PgQueryResultHKT, typeof schema>;

/**
 * Who acts in a unit of work.
 * - tenant: a user acting in an organization (the normal case).
 * - user: a signed-in user with no organization (their profile, creating an organization).
 * - auth: before a user is known (sign-in, sign-up, token lookups); only identity code uses it.
 * - system: a job acting for an organization, with no user.
 */
export interface TxContext {
  scope: 'tenant' | 'user' | 'auth' | 'system';
  orgId?: string | null;
  userId?: string | null;
}

function runAfterCommit(tx: Tx): void {
  for (const cb of tx.afterCommit) {
    // Detached on purpose: the request must not wait for (or fail with) post-commit work.
    void Promise.resolve().then(cb).catch((err) => process.emitWarning(`after-commit callback failed: ${String(err)}`));
  }
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SCOPES = new Set(['tenant', 'user', 'auth', 'system']);

/** The statement that opens every unit of work: the app role plus the acting org and user. */
function contextSql(ctx: TxContext): string {
  const orgId = ctx.orgId ?? '';
  const userId = ctx.userId ?? '';
  if ((orgId && !UUID_RE.test(orgId)) || (userId && !UUID_RE.test(userId)) || !SCOPES.has(ctx.scope)) {
    throw new Error('invalid transaction context');
  }
  return `SET LOCAL ROLE ${APP_ROLE}; SELECT set_config('app.org_id', '${orgId}', true), `
    + `set_config('app.user_id', '${userId}', true), set_config('app.scope', '${ctx.scope}', true)`;
}

/** One transaction as the app role. Every query of Visage runs through one of these. */
export class Tx {
  /** Callbacks to run once the transaction has committed (never on rollback). */
  readonly afterCommit: (() => void | Promise<void>)[] = [];
  /** Rows of each `RunOptions.prelude` statement, sent with the opening batch, in order. */
  prelude: Record<string, unknown>[][] = [];
  /** Statements sent in the same round trip as COMMIT, each with the context it was deferred in. */
  readonly deferred: Deferred[] = [];

  private drizzle: Drizzle | null = null;

  constructor(
    private readonly makeDb: () => Drizzle,
    private readonly raw: (text: string, params?: unknown[]) => Promise<Record<string, unknown>[]>,
    private readonly exec: (text: string) => Promise<void>,
    public ctx: TxContext,
  ) {}

  /** The Drizzle query builder bound to this transaction (built on first use: it is not free). */
  get db(): Drizzle {
    this.drizzle ??= this.makeDb();
    return this.drizzle;
  }

  /** Raw SQL with $n parameters. On a server each distinct text becomes a prepared statement. */
  query<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
    return this.raw(text, params) as Promise<T[]>;
  }

  /** Switch the acting org/user inside the transaction (after sign-in resolves the principal). */
  async setContext(ctx: TxContext): Promise<void> {
    await this.exec(contextSql(ctx));
    this.ctx = ctx;
  }

  /**
   * Runs a statement as part of the COMMIT round trip: still inside this transaction (it commits
   * with the work or not at all), one network round trip cheaper. Values must be inlined with
   * `literal()`; the statement must not be needed by anything later in the transaction.
   */
  deferToCommit(statement: string): void {
    this.deferred.push({ ctx: this.ctx, statement });
  }

  /**
   * Like deferToCommit, for a statement sent on every request (the audit row): `text` has $n
   * parameters and is prepared once per connection with SQL PREPARE, so the COMMIT round trip only
   * carries `EXECUTE name(values)` and the server does not parse and plan it each time.
   */
  deferPrepared(text: string, values: (string | null)[]): void {
    this.deferred.push({ ctx: this.ctx, statement: executeSql({ text, values }), prepare: { text } });
  }

  /** Records a context that a statement of the caller already applied with set_config(). */
  contextApplied(ctx: TxContext): void {
    this.ctx = ctx;
  }
}

/** A statement with $n parameters, prepared once per connection and executed with `values`. */
export interface PreparedStatement { text: string; values: (string | null)[] }

export interface RunOptions {
  isolation?: 'serializable';
  /**
   * Statements sent in the same round trip as BEGIN and the context, each prepared once per
   * connection and executed with its values; their rows land in `tx.prelude`, one list each.
   */
  prelude?: PreparedStatement[];
}

/** A statement to run with the COMMIT; `prepare` names the SQL PREPARE that `statement` executes. */
export interface Deferred { ctx: TxContext; statement: string; prepare?: { text: string } }

/** Names statements by a digest of their text, computed once per text. */
function statementNamer(prefix: string, encoding: 'hex' | 'base64url'): (text: string) => string {
  const names = new Map<string, string>();
  return (text) => {
    let name = names.get(text);
    if (!name) {
      name = `${prefix}${createHash('sha1').update(text).digest(encoding)}`;
      names.set(text, name);
    }
    return name;
  };
}

/**
 * The name of a statement prepared with SQL PREPARE: a plain identifier (hex), and a prefix of its
 * own, since protocol-level statements (statementName) share the connection's namespace.
 */
const sqlStatementName = statementNamer('d_', 'hex');

/**
 * Prepares on this connection the statements it has not prepared yet: one round trip each, once
 * per connection and statement. PREPARE is not transactional, so a later rollback keeps it.
 */
async function ensurePrepared(texts: string[], prepared: Set<string>, exec: (text: string) => Promise<unknown>): Promise<void> {
  for (const text of texts) {
    const name = sqlStatementName(text);
    if (!prepared.has(name)) {
      await exec(`PREPARE ${name} AS ${text}`);
      prepared.add(name);
    }
  }
}

/** The deferred statements' PREPAREs (see ensurePrepared). */
const prepareDeferred = (tx: Tx, prepared: Set<string>, exec: (text: string) => Promise<unknown>) =>
  ensurePrepared(tx.deferred.flatMap((d) => (d.prepare ? [d.prepare.text] : [])), prepared, exec);

/** The prelude's prepared statements' PREPAREs, sent before the unit of work opens (see ensurePrepared). */
const preparePrelude = (opts: RunOptions | undefined, prepared: Set<string>, exec: (text: string) => Promise<unknown>) =>
  ensurePrepared((opts?.prelude ?? []).map((p) => p.text), prepared, exec);

/** A prepared statement's execution, with its values as literals. */
const executeSql = (p: PreparedStatement) => `EXECUTE ${sqlStatementName(p.text)}${p.values.length ? `(${p.values.map(literal).join(', ')})` : ''}`;

/**
 * A value as an SQL literal (NULL, or a safely quoted string), for statements sent as text. Text in
 * PostgreSQL cannot hold NUL, and in a statement's text it would cut the statement short, so such a
 * value is refused as the server refuses it as a parameter (22021: answered as an invalid value).
 */
export function literal(value: string | null): string {
  if (value === null) return 'NULL';
  if (value.includes('\u0000')) throw Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' });
  return pg.escapeLiteral(value);
}

/** The deferred statements, each under the context it was deferred in, and COMMIT: one round trip. */
function commitBatch(tx: Tx): string {
  const parts: string[] = [];
  let ctx = tx.ctx;
  for (const d of tx.deferred) {
    if (d.ctx !== ctx) parts.push(contextSql(d.ctx));
    ctx = d.ctx;
    parts.push(d.statement);
  }
  parts.push('COMMIT');
  return parts.join('; ');
}

/** BEGIN, the role and context, and the prelude statements: one round trip. */
function openingBatch(ctx: TxContext, opts?: RunOptions): string {
  const prelude = (opts?.prelude ?? []).map(executeSql);
  return [`BEGIN${opts?.isolation === 'serializable' ? ' ISOLATION LEVEL SERIALIZABLE' : ''}`, contextSql(ctx), ...prelude].join('; ');
}

/** The rows of the prelude statements: the last results of the opening batch. */
function preludeRows(results: { rows: unknown[] }[], opts?: RunOptions): Record<string, unknown>[][] {
  const n = opts?.prelude?.length ?? 0;
  return n ? results.slice(-n).map((r) => r.rows as Record<string, unknown>[]) : [];
}

export type OwnerQuery = <T = Record<string, unknown>>(text: string, params?: unknown[]) => Promise<T[]>;

export interface Database {
  readonly kind: 'pglite' | 'postgres';
  /** The one gate: runs `fn` in a transaction as the app role with `ctx` set. */
  run<T>(ctx: TxContext, fn: (tx: Tx) => Promise<T>, opts?: RunOptions): Promise<T>;
  /** Schema-owner access for migrations, start-up checks and the job queue's own schema. */
  ownerQuery<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /**
   * Schema-owner script of several statements, without parameters (the job queue installs and
   * maintains its schema this way); answers the last statement's rows. A failed script is rolled back.
   */
  ownerExec<T = Record<string, unknown>>(script: string): Promise<T[]>;
  /**
   * Applies migrations as the schema owner, then runs `after` (e.g. the role catalogue sync) with
   * the same connection, all while holding the migration lock, so processes starting together on
   * one server take turns.
   */
  migrate(after?: (q: OwnerQuery) => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

const migrationsFolder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../db/migrations');

/** A promise-chain mutex: PGlite has one connection, so units of work take turns. */
class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn, fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

export async function openPglite(dataDir: string | null): Promise<Database> {
  let lock: DataDirLock | null = null;
  let pgDataDir: string | undefined;
  if (dataDir) {
    fs.mkdirSync(dataDir, { recursive: true });
    lock = acquireDataDirLock(dataDir);
    pgDataDir = path.join(dataDir, 'pgdata');
  }
  let client: PGlite;
  try {
    client = await PGlite.create({ dataDir: pgDataDir, relaxedDurability: true });
  } catch (err) {
    lock?.release();
    throw err;
  }
  const db = drizzlePglite(client, { schema }) as unknown as Drizzle;
  const mutex = new Mutex();
  const prepared = new Set<string>();
  const raw = async (text: string, params?: unknown[]) => (await client.query(text, params)).rows as Record<string, unknown>[];
  const exec = async (text: string) => { await client.exec(text); };

  return {
    kind: 'pglite',
    run(ctx, fn, opts) {
      return mutex.run(async () => {
        await preparePrelude(opts, prepared, exec);
        try {
          // Inside the try: a failed opening batch leaves an aborted transaction to roll back.
          const opened = await client.exec(openingBatch(ctx, opts));
          const tx = new Tx(() => db, raw, exec, ctx);
          tx.prelude = preludeRows(opened, opts);
          const result = await fn(tx);
          await prepareDeferred(tx, prepared, exec);
          await client.exec(commitBatch(tx));
          runAfterCommit(tx);
          return result;
        } catch (err) {
          await client.exec('ROLLBACK').catch(() => undefined);
          throw err;
        }
      });
    },
    ownerQuery: (text, params) => mutex.run(async () => (await client.query(text, params)).rows as never),
    ownerExec: (script) => mutex.run(async () => {
      try {
        return ((await client.exec(script)).at(-1)?.rows ?? []) as never;
      } catch (err) {
        await client.exec('ROLLBACK').catch(() => undefined); // a script that opened a transaction left it aborted
        throw err;
      }
    }),
    migrate: (after) => mutex.run(async () => {
      await migratePglite(drizzlePglite(client), { migrationsFolder });
      if (after) await after(async (text, params) => (await client.query(text, params)).rows as never);
    }),
    async close() {
      await mutex.run(() => client.close());
      lock?.release();
    },
  };
}

/**
 * Refuses to run when the role requests switch to could bypass row-level security. `role` is only
 * a parameter so that tests can point it at a deliberately unsafe role.
 */
export async function assertSafeAppRole(q: { query: pg.Pool['query'] }, role: string = APP_ROLE): Promise<void> {
  const r = (await q.query<{ rolsuper: boolean; rolbypassrls: boolean }>('SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = $1', [role])).rows[0];
  if (r && (r.rolsuper || r.rolbypassrls)) {
    throw new Error(`Refusing to start: database role "${role}" is a superuser or has BYPASSRLS, so row-level security would not protect tenants. Run: ALTER ROLE ${role} NOSUPERUSER NOBYPASSRLS;`);
  }
}

/**
 * Every Tx.query statement is prepared once per connection under a name derived from its text, so
 * the server parses and plans it once instead of on every execution.
 */
const statementName = statementNamer('v_', 'base64url');

/** The statements each pooled connection has prepared with SQL PREPARE (a new connection has none). */
const preparedByConnection = new WeakMap<pg.PoolClient, Set<string>>();
function preparedOn(client: pg.PoolClient): Set<string> {
  let set = preparedByConnection.get(client);
  if (!set) preparedByConnection.set(client, (set = new Set()));
  return set;
}

export async function openPostgres(url: string, poolSize = 20): Promise<Database> {
  // timestamptz as Date, int8 as string by default; keep numeric types as strings (money is integer minor units).
  // Hot statements are named (prepared once per connection). Generic plans skip re-planning them on
  // every execution, which costs more than running them (measured: 0.9 ms planning vs 0.3 ms run for
  // the principal lookup). A statement that needs a custom plan can SET LOCAL plan_cache_mode = auto.
  const pool = new pg.Pool({ connectionString: url, max: poolSize, options: '-c plan_cache_mode=force_generic_plan' });
  pool.on('error', () => undefined); // idle client errors are surfaced on next use
  try {
    await assertSafeAppRole(pool);
  } catch (err) {
    await pool.end();
    throw err;
  }
  return {
    kind: 'postgres',
    async run(ctx, fn, opts) {
      const client = await pool.connect();
      let broken = false;
      try {
        await preparePrelude(opts, preparedOn(client), (text) => client.query(text));
        const opened = (await client.query(openingBatch(ctx, opts))) as unknown as pg.QueryResult[];
        const raw = async (text: string, params?: unknown[]) =>
          (await client.query({ name: statementName(text), text, values: params })).rows;
        const exec = async (text: string) => { await client.query(text); };
        const tx = new Tx(() => drizzlePg(client, { schema }) as unknown as Drizzle, raw, exec, ctx);
        tx.prelude = preludeRows(opened, opts);
        const result = await fn(tx);
        await prepareDeferred(tx, preparedOn(client), exec);
        await client.query(commitBatch(tx));
        runAfterCommit(tx);
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => { broken = true; });
        throw err;
      } finally {
        client.release(broken);
      }
    },
    ownerQuery: async (text, params) => (await pool.query(text, params)).rows as never,
    async ownerExec(script) {
      const client = await pool.connect();
      let broken = false;
      try {
        const results: pg.QueryResult | pg.QueryResult[] = await client.query(script);
        return ((Array.isArray(results) ? results.at(-1) : results)?.rows ?? []) as never;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => { broken = true; }); // a script that opened a transaction left it aborted
        throw err;
      } finally {
        client.release(broken);
      }
    },
    async migrate(after) {
      const client = await pool.connect();
      try {
        // One migrator at a time across processes.
        await client.query('SELECT pg_advisory_lock(7426117001)');
        await migratePg(drizzlePg(client), { migrationsFolder });
        await assertSafeAppRole(client as unknown as pg.Pool);
        if (after) await after(async (text, params) => (await client.query(text, params)).rows as never);
      } finally {
        await client.query('SELECT pg_advisory_unlock(7426117001)').catch(() => undefined);
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

export function openDatabase(opts: { databaseUrl?: string; dataDir: string | null }): Promise<Database> {
  return opts.databaseUrl ? openPostgres(opts.databaseUrl) : openPglite(opts.dataDir);
}
