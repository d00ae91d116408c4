import { setTimeout as sleep } from 'node:timers/promises';
import PgBoss from 'pg-boss';
import { APP_ROLE, type Database, type Tx } from '../db/client.js';

/** One delivery of a job to its handler. Delivery is at least once: a handler may see a job again. */
export interface Job<T> {
  id: string;
  name: string;
  data: T;
  /** The organization of the transaction that queued the job (null before sign-in, e.g. sign-up mail). */
  orgId: string | null;
  /** 0 on the first delivery, 1 on the first retry, and so on. */
  retryCount: number;
  /**
   * The idempotent way to change the database: runs `fn` through the gate (scope 'system', the job's
   * organization) in one transaction that also marks the job completed. A later delivery of the same
   * job finds it completed and skips `fn`, so the effects commit exactly once. Returns false when
   * skipped. Call it last: once it commits, the job is done even if the handler then throws.
   */
  once(fn: (tx: Tx) => Promise<void>): Promise<boolean>;
}

export interface JobDefinition<T> {
  /** The queue's name, e.g. 'mail.send'. */
  name: string;
  handler(job: Job<T>): Promise<void>;
  /** Retries after the first failure (pg-boss default 2). */
  retryLimit?: number;
  /** Seconds before a retry; doubled (with jitter) on each retry when `retryBackoff` is set. */
  retryDelay?: number;
  retryBackoff?: boolean;
  /** A delivery still running after this long counts as failed and is retried (default 15 minutes). */
  expireInSeconds?: number;
}

export interface EnqueueOptions {
  /** Run no earlier than this. */
  startAfter?: Date;
}

export interface JobsOptions {
  definitions: JobDefinition<unknown>[];
  /** Run workers (and queue maintenance) in this process; false for an API-only process. */
  work: boolean;
  /** pg-boss's schema (default 'pgboss'); tests give each instance its own so parallel files do not take each other's jobs. */
  schema?: string;
  /** How often an idle worker looks for jobs queued by other processes (default 2 s). */
  pollingIntervalSeconds?: number;
  /** Failed deliveries and queue errors; the job is retried by the queue, this only reports. */
  onError?: (err: unknown, job?: { name: string; id: string; retryCount: number }) => void;
}

export interface Jobs {
  /**
   * Queues a job inside the caller's transaction: it exists only if that transaction commits. The
   * job acts for the transaction's organization. Returns the job id.
   */
  enqueue<T>(tx: Tx, name: string, data: T, options?: EnqueueOptions): Promise<string>;
  /** Installs or migrates pg-boss's schema, creates the queues, grants the app role, starts workers. */
  start(): Promise<void>;
  /** Runs every due job now and returns when none is due or running: tests call it before looking at effects. */
  drain(): Promise<void>;
  /** Stops workers, letting running handlers finish (running ones are failed, hence retried, after 30 s). */
  stop(): Promise<void>;
}

/** pg-boss rejects an option that is present but undefined. */
function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** What pg-boss stores as the job's data: the payload plus the organization it acts for. */
interface Envelope<T> { orgId: string | null; data: T }

/** pg-boss's own SQL, as the schema owner: parameterized statements, or scripts of several statements. */
function ownerSql(db: Database): PgBoss.Db {
  return {
    executeSql: async (text, values) =>
      ({ rows: values?.length ? await db.ownerQuery(text, values) : await db.ownerExec(text) }),
  };
}

/**
 * pg-boss's SQL inside the caller's transaction (as the app role): the job commits or rolls back
 * with it (and, like every Tx.query, is prepared once per connection on a server).
 */
function txSql(tx: Tx): PgBoss.Db {
  return { executeSql: async (text, values) => ({ rows: await tx.query(text, values) }) };
}

/**
 * What the app role needs: queue jobs (INSERT, reading back the id, the queue's settings) and mark
 * one completed in its handler's transaction (`Job.once`). Not the job data: jobs of every
 * organization share the table. Serialized because concurrent GRANTs on one object can fail.
 */
function grantSql(schema: string): string {
  return `BEGIN;
    SELECT pg_advisory_xact_lock(7426117002);
    GRANT USAGE ON SCHEMA ${schema} TO ${APP_ROLE};
    GRANT SELECT ON ${schema}.queue TO ${APP_ROLE};
    GRANT INSERT, SELECT (id, name, state), UPDATE (state, completed_on) ON ${schema}.job TO ${APP_ROLE};
    COMMIT;`;
}

/** A PostgreSQL-backed job queue (pg-boss) on the server or on PGlite, through the database gate. */
export function createJobs(db: Database, opts: JobsOptions): Jobs {
  const schema = opts.schema ?? 'pgboss';
  const definitions = new Map(opts.definitions.map((d) => [d.name, d]));
  const workerIds = new Map<string, string>();
  const onError = opts.onError ?? (() => undefined);
  const boss = new PgBoss({
    db: ownerSql(db),
    schema,
    supervise: opts.work,
    schedule: false,
    // Payloads (mail carries one-time codes) should not linger: archive completed jobs after an
    // hour, failed ones after a week, and drop archived jobs after a day.
    archiveCompletedAfterSeconds: 60 * 60,
    archiveFailedAfterSeconds: 7 * 24 * 60 * 60,
    deleteAfterDays: 1,
  });
  boss.on('error', (err) => onError(err));

  const claimSql = `UPDATE ${schema}.job SET state = 'completed', completed_on = now()
    WHERE name = $1 AND id = $2 AND state = 'active' RETURNING true AS claimed`;

  function toJob<T>(raw: PgBoss.JobWithMetadata<Envelope<T>>): Job<T> {
    const { orgId, data } = raw.data;
    return {
      id: raw.id, name: raw.name, data, orgId, retryCount: raw.retryCount,
      once: (fn) => db.run({ scope: 'system', orgId }, async (tx) => {
        if ((await tx.query(claimSql, [raw.name, raw.id])).length === 0) return false;
        await fn(tx);
        return true;
      }),
    };
  }

  /** Runs one delivery; throws when the handler fails, so the queue retries it. */
  async function deliver(def: JobDefinition<unknown>, raw: PgBoss.JobWithMetadata<Envelope<unknown>>): Promise<void> {
    try {
      await def.handler(toJob(raw));
    } catch (err) {
      onError(err, { name: raw.name, id: raw.id, retryCount: raw.retryCount });
      throw err;
    }
  }

  /** Fetches and runs one due job of the queue; false when none was due. */
  async function runOneDue(def: JobDefinition<unknown>): Promise<boolean> {
    const [raw] = await boss.fetch<Envelope<unknown>>(def.name, { includeMetadata: true });
    if (!raw) return false;
    try {
      await deliver(def, raw);
      await boss.complete(def.name, raw.id);
    } catch (err) {
      await boss.fail(def.name, raw.id, err as object);
    }
    return true;
  }

  /** Wakes this process's worker of the queue, which otherwise sleeps a polling interval after each fetch. */
  function wake(name: string): void {
    const worker = workerIds.get(name);
    if (worker) boss.notifyWorker(worker);
  }

  /** Whether a job is running, or due but not fetched by us (a worker may be fetching it right now). */
  async function anyDueOrRunning(): Promise<boolean> {
    const rows = await db.ownerQuery(`SELECT 1 FROM ${schema}.job WHERE name = ANY($1::text[])
      AND (state = 'active' OR (state < 'active' AND start_after < now())) LIMIT 1`, [[...definitions.keys()]]);
    return rows.length > 0;
  }

  return {
    async enqueue(tx, name, data, options = {}) {
      if (!definitions.has(name)) throw new Error(`no job named "${name}" is defined`);
      const envelope: Envelope<typeof data> = { orgId: tx.ctx.orgId ?? null, data };
      const id = await boss.send(name, envelope as object, { startAfter: options.startAfter, db: txSql(tx) });
      if (!id) throw new Error(`job "${name}" was not queued: its queue does not exist (start the job queue first)`);
      tx.afterCommit.push(() => wake(name)); // start on it now rather than at the next poll
      return id;
    },

    async start() {
      await boss.start();
      for (const def of definitions.values()) {
        const queue = { name: def.name, ...definedOnly({ retryLimit: def.retryLimit, retryDelay: def.retryDelay, retryBackoff: def.retryBackoff, expireInSeconds: def.expireInSeconds }) };
        await boss.createQueue(def.name, queue);
        await boss.updateQueue(def.name, queue); // an existing queue takes the current settings
      }
      await db.ownerExec(grantSql(schema));
      if (!opts.work) return;
      for (const def of definitions.values()) {
        const workOptions = { includeMetadata: true as const, ...definedOnly({ pollingIntervalSeconds: opts.pollingIntervalSeconds }) };
        // One job per fetch, so pg-boss completes or fails exactly the delivery that ran; waking the
        // worker after each job keeps it fetching while jobs are due.
        workerIds.set(def.name, await boss.work<Envelope<unknown>>(def.name, workOptions, async ([raw]) => {
          try { await deliver(def, raw!); } finally { wake(def.name); }
        }));
      }
    },

    async drain() {
      for (;;) {
        let ran = false;
        for (const def of definitions.values()) ran = (await runOneDue(def)) || ran;
        if (ran) continue;
        if (!(await anyDueOrRunning())) return;
        await sleep(10); // a worker holds a job: wait for it to finish
      }
    },

    async stop() {
      await boss.stop({ graceful: true, timeout: 30_000 });
    },
  };
}
