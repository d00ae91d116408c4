import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testVisage, type TestVisage } from '../../../test/helpers.js';
import type { Tx } from '../db/client.js';
import { audit } from '../audit/audit.service.js';
import { createJobs, type JobDefinition, type Jobs, type JobsOptions } from './jobs.js';

let t: TestVisage;
let org: { orgId: string; userId: string };
const running: Jobs[] = [];
let schemas = 0;
const newSchema = () => `pgboss_jobs_test_${process.pid}_${++schemas}`;

beforeAll(async () => { t = await testVisage(); org = await t.owner(); });
afterEach(async () => { await Promise.all(running.splice(0).map((jobs) => jobs.stop())); });
afterAll(async () => { await t?.close(); });

/** A job queue of its own (its own pg-boss schema) on the test database. */
async function startJobs(definitions: JobDefinition<{ key: string }>[], opts: Partial<JobsOptions> = {}): Promise<Jobs> {
  const jobs = createJobs(t.db, { definitions: definitions as JobDefinition<unknown>[], work: false, schema: newSchema(), pollingIntervalSeconds: 0.5, ...opts });
  await jobs.start();
  running.push(jobs);
  return jobs;
}

/** A change a user of the organization would see (here an audit event), made in the job's transaction. */
const effect = (tx: Tx, key: string) => audit(tx, {}, { action: 'test.effect', entityType: 'test_job', entityId: key });

async function effects(key: string): Promise<number> {
  return t.db.run({ scope: 'tenant', orgId: org.orgId }, async (tx) => (await tx.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM audit_events WHERE entity_type = 'test_job' AND entity_id = $1`, [key]))[0]!.n);
}

const inOrg = <T>(fn: (tx: Tx) => Promise<T>) => t.db.run({ scope: 'tenant', orgId: org.orgId, userId: org.userId }, fn);

async function jobState(schema: string, id: string): Promise<string | undefined> {
  return (await t.db.ownerQuery<{ state: string }>(`SELECT state FROM ${schema}.job WHERE id = $1`, [id]))[0]?.state;
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

describe('the job queue', () => {
  it('runs a job queued by a committed transaction through the gate, as the system for the organization that queued it', async () => {
    const seen: unknown[] = [];
    const jobs = await startJobs([{
      name: 'test.record',
      handler: async (job) => {
        await job.once(async (tx) => {
          const [who] = await tx.query(`SELECT current_user AS role, current_setting('app.scope') AS scope, visage_current_org()::text AS org`);
          seen.push({ data: job.data, ...who });
          await effect(tx, job.data.key);
        });
      },
    }]);
    await inOrg((tx) => jobs.enqueue(tx, 'test.record', { key: 'record-1' }));
    await jobs.drain();
    expect(seen).toEqual([{ data: { key: 'record-1' }, role: 'visage_app', scope: 'system', org: org.orgId }]);
    expect(await effects('record-1')).toBe(1);
  });

  it('drops a job queued by a transaction that rolls back: it never exists and never runs', async () => {
    const ran: string[] = [];
    const schema = newSchema();
    const jobs = await startJobs([{ name: 'test.count', handler: async (job) => { ran.push(job.data.key); } }], { schema });
    let rolledBack = '';
    await expect(inOrg(async (tx) => {
      rolledBack = await jobs.enqueue(tx, 'test.count', { key: 'rolled-back' });
      throw new Error('the change was refused');
    })).rejects.toThrow('the change was refused');
    await inOrg((tx) => jobs.enqueue(tx, 'test.count', { key: 'committed' }));
    await jobs.drain();
    expect(ran).toEqual(['committed']);
    expect(await jobState(schema, rolledBack)).toBeUndefined();
  });

  it('a worker started with the queue takes a committed job at once, without waiting for its next poll', async () => {
    const ran: string[] = [];
    const jobs = await startJobs([{ name: 'test.count', handler: async (job) => { ran.push(job.data.key); } }],
      { work: true, pollingIntervalSeconds: 60 });
    await sleep(200); // the worker's first poll found nothing; the next is a minute away
    const queuedAt = Date.now();
    await inOrg((tx) => jobs.enqueue(tx, 'test.count', { key: 'prompt' }));
    await waitFor('the job to run', () => ran.length === 1, 5_000);
    expect(Date.now() - queuedAt).toBeLessThan(5_000);
  });

  it('retries a failing handler; the effects of failed attempts roll back and the job takes effect once', async () => {
    const schema = newSchema();
    let attempts = 0;
    const jobs = await startJobs([{
      name: 'test.flaky', retryLimit: 3, retryDelay: 0,
      handler: async (job) => {
        await job.once(async (tx) => {
          attempts++;
          await effect(tx, job.data.key);
          if (job.retryCount < 2) throw new Error('transient failure');
        });
      },
    }], { schema });
    const id = await inOrg((tx) => jobs.enqueue(tx, 'test.flaky', { key: 'flaky-1' }));
    await jobs.drain();
    expect(attempts).toBe(3);
    expect(await effects('flaky-1')).toBe(1);
    expect(await jobState(schema, id)).toBe('completed');
  });

  it('holds a job queued to start later until its time', async () => {
    const ran: string[] = [];
    const schema = newSchema();
    const jobs = await startJobs([{ name: 'test.count', handler: async (job) => { ran.push(job.data.key); } }], { schema });
    const id = await inOrg((tx) => jobs.enqueue(tx, 'test.count', { key: 'tomorrow' }, { startAfter: new Date(Date.now() + 86_400_000) }));
    await inOrg((tx) => jobs.enqueue(tx, 'test.count', { key: 'now' }));
    await jobs.drain();
    expect(ran).toEqual(['now']);
    expect(await jobState(schema, id)).toBe('created');
  });

  it('keeps queued payloads away from the app role: a tenant transaction cannot read the jobs of any organization', async () => {
    const schema = newSchema();
    const jobs = await startJobs([{ name: 'test.count', handler: async () => undefined }], { schema });
    await inOrg((tx) => jobs.enqueue(tx, 'test.count', { key: 'secret-ish' }));
    await expect(inOrg((tx) => tx.query(`SELECT data FROM ${schema}.job`))).rejects.toThrow(/permission denied/);
  });

  it('refuses to queue a job that no handler is defined for', async () => {
    const jobs = await startJobs([{ name: 'test.count', handler: async () => undefined }]);
    await expect(inOrg((tx) => jobs.enqueue(tx, 'test.typo', { key: 'x' }))).rejects.toThrow(/no job named "test.typo"/);
  });
});

describe('several workers on one queue', () => {
  it('share the jobs queued by an API-only process: every job runs, none is lost, none takes effect twice', async () => {
    const schema = newSchema();
    const appliedBy: string[] = [];
    const shared = (worker: string): JobDefinition<{ key: string }> => ({
      name: 'test.shared',
      handler: async (job) => {
        await sleep(50);
        if (await job.once((tx) => effect(tx, job.data.key))) appliedBy.push(worker);
      },
    });
    const api = await startJobs([shared('api')], { schema, work: false });
    await startJobs([shared('w1')], { schema, work: true });
    await startJobs([shared('w2')], { schema, work: true });
    const keys = Array.from({ length: 40 }, (_, i) => `shared-${i}`);
    for (let i = 0; i < keys.length; i += 5) {
      await inOrg(async (tx) => { for (const key of keys.slice(i, i + 5)) await api.enqueue(tx, 'test.shared', { key }); });
    }
    await waitFor('every job to run', () => appliedBy.length === keys.length, 30_000);
    await sleep(300); // a duplicate delivery would show up now
    for (const key of keys) expect(await effects(key)).toBe(1);
    expect(appliedBy.filter((w) => w === 'w1').length).toBeGreaterThan(0);
    expect(appliedBy.filter((w) => w === 'w2').length).toBeGreaterThan(0);
    expect(appliedBy).not.toContain('api');
  });

  it('redelivers a job whose worker stalled past its expiry; the stalled delivery finds it done and does nothing', async () => {
    const schema = newSchema();
    const deliveries: { retryCount: number; applied: boolean }[] = [];
    const stalling: JobDefinition<{ key: string }> = {
      name: 'test.stall', expireInSeconds: 1, retryLimit: 2, retryDelay: 0,
      handler: async (job) => {
        if (job.retryCount === 0) await sleep(2_500); // the first delivery stalls past its 1 s expiry
        deliveries.push({ retryCount: job.retryCount, applied: await job.once((tx) => effect(tx, job.data.key)) });
      },
    };
    const w1 = await startJobs([stalling], { schema, work: true });
    await startJobs([stalling], { schema, work: true });
    const id = await inOrg((tx) => w1.enqueue(tx, 'test.stall', { key: 'stall-1' }));
    await waitFor('both deliveries to finish', () => deliveries.length === 2);
    expect(deliveries).toEqual([{ retryCount: 1, applied: true }, { retryCount: 0, applied: false }]);
    expect(await effects('stall-1')).toBe(1);
    expect(await jobState(schema, id)).toBe('completed');
  });
});
