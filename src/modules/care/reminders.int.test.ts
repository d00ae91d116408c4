import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testVisage, uniqueEmail, type TestVisage } from '../../../test/helpers.js';
import type { Deps } from '../../platform/deps.js';
import { createJobs, type Jobs } from '../../platform/jobs/jobs.js';
import { createMailer } from '../../platform/mail/mail.js';
import { addDays, clinic, insertPatient, taipeiDate, type Clinic } from './care.fixtures.js';
import { TransientDeliveryError, type ReminderMessage, type ReminderSender } from './messaging.js';
import { REMINDER_SEND_JOB, REMINDER_SWEEP_JOB, reminderJobs, sweepDueReminders, type ReminderJobOptions } from './reminders.js';

interface Received { to: string[]; subject: string; messageId: string; body: string }

/** A real SMTP server on a random local port. */
async function startSmtp() {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'], logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (c: string) => { raw += c; });
      stream.on('end', () => {
        const [head = '', ...body] = raw.replace(/\r\n/g, '\n').split('\n\n');
        const header = (name: string) => new RegExp(`^${name}: (.*)$`, 'mi').exec(head)?.[1] ?? '';
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), subject: header('Subject'), messageId: header('Message-ID'), body: body.join('\n\n') });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`, received, close: () => new Promise<void>((r) => server.close(r)) };
}

/** A local HTTP messaging gateway that records each POST and refuses (400) a recipient that is not a phone number. */
async function startGateway() {
  const requests: { path: string; headers: http.IncomingHttpHeaders; body: Record<string, unknown> }[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => { raw += c; });
    req.on('end', () => {
      const body = JSON.parse(raw) as Record<string, unknown>;
      requests.push({ path: req.url ?? '', headers: req.headers, body });
      const status = /^\+\d{6,15}$/.test(String(body.to)) ? 200 : 400;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(status === 200 ? { message_id: `gw-${requests.length}` } : { error: 'no' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, close: () => new Promise<void>((r) => server.close(() => r())) };
}

let t: TestVisage;
let smtp: Awaited<ReturnType<typeof startSmtp>>;
let gateway: Awaited<ReturnType<typeof startGateway>>;
let org: Clinic;
let schemas = 0;
const running: Jobs[] = [];
/** The clock the reminder jobs see (set per test; independent of real time so that no other worker finds these reminders due). */
let now = new Date();

beforeAll(async () => {
  smtp = await startSmtp();
  gateway = await startGateway();
  t = await testVisage();
  org = await clinic(t);
});
afterEach(async () => { await Promise.all(running.splice(0).map((j) => j.stop())); });
afterAll(async () => {
  await t?.close();
  await smtp?.close();
  await gateway?.close();
});

/** A job queue of its own running the reminder jobs with a real SMTP mailer and the local gateway. */
async function reminderQueue(opts: ReminderJobOptions & { work?: boolean; schema?: string } = {}): Promise<{ jobs: Jobs; deps: Deps }> {
  const mailer = createMailer({ smtpUrl: smtp.url, from: 'Visage <no-reply@visage.local>', log: () => undefined });
  const config = { ...t.visage.deps.config, messaging: { line: `${gateway.url}/line`, webhookUrl: `${gateway.url}/all` } };
  let deps: Deps;
  const jobs = createJobs(t.db, {
    definitions: reminderJobs(() => deps, { retryDelay: 0, ...opts }), work: opts.work ?? false,
    schema: opts.schema ?? `pgboss_reminders_${process.pid}_${++schemas}`, pollingIntervalSeconds: 0.5,
  });
  deps = { ...t.visage.deps, config, mailer, jobs, now: () => now };
  await jobs.start();
  running.push(jobs);
  return { jobs, deps };
}

/** Taipei's "today" for real time; follow-ups are planned days ahead so their reminders lie in the real future. */
const today = () => taipeiDate(new Date());
const dueAt = (scheduled: string) => new Date(`${addDays(scheduled, -1)}T01:00:00Z`); // 09:00 in Taipei the day before

async function plan(patientId: string, scheduled: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await t.call('POST', '/api/followups', { token: org.token, body: { patient_id: patientId, followup_type: 'medical', scheduled_date: scheduled, notify_flag: true, ...extra } });
  expect(res.status).toBe(201);
  return res.body.id;
}

const queuedAt = async (followupId: string) => (await t.db.run({ scope: 'tenant', orgId: org.orgId }, (tx) =>
  tx.query<{ at: Date | null }>('SELECT reminder_queued_at AS at FROM followups WHERE id = $1', [followupId])))[0]!.at;

const deliveries = (followupId: string) => t.db.run({ scope: 'tenant', orgId: org.orgId }, (tx) =>
  tx.query<{ id: string; channel: string; status: string; attempts: number; last_error: string | null; provider_message_id: string | null }>(
    'SELECT id, channel, status, attempts, last_error, provider_message_id FROM reminder_deliveries WHERE followup_id = $1', [followupId]));

describe('follow-up reminders', () => {
  it('emails the patient through SMTP at 09:00 Taipei time the day before, once', async () => {
    const email = uniqueEmail('amy');
    const amy = await insertPatient(t, org.orgId, { name: 'Amy Chen', email, phone: '+886912345678' });
    const date = addDays(today(), 3);
    const id = await plan(amy, date);
    const { jobs, deps } = await reminderQueue();

    now = new Date(dueAt(date).getTime() - 60_000); // 08:59 in Taipei
    await sweepDueReminders(deps);
    expect(await queuedAt(id)).toBeNull();
    now = new Date(dueAt(date).getTime() + 60_000); // 09:01
    await sweepDueReminders(deps);
    const queued = await queuedAt(id);
    expect(queued).not.toBeNull();
    await sweepDueReminders(deps);
    expect(await queuedAt(id)).toEqual(queued); // queued once
    await jobs.drain();

    const mails = smtp.received.filter((m) => m.to.includes(email));
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe(`Reminder: your follow-up at Test Clinic on ${date}`);
    expect(mails[0]!.body).toContain('Hello Amy Chen');
    const [d] = await deliveries(id);
    expect(d).toMatchObject({ channel: 'email', status: 'sent', attempts: 1 });
    expect(mails[0]!.messageId).toBe(`<${d!.id}@visage.local>`);
    expect((await t.call('GET', `/api/followups/${id}`, { token: org.token })).body.reminder_due_at).toBeNull();
    now = new Date(now.getTime() + 2 * 3_600_000);
    await sweepDueReminders(deps);
    await jobs.drain();
    expect(smtp.received.filter((m) => m.to.includes(email))).toHaveLength(1);
  });

  it('sends LINE and SMS through the HTTP adapter; a refused message fails for good without retries', async () => {
    const line = await insertPatient(t, org.orgId, { name: 'Lin Yu', phone: '+886900000001', email: uniqueEmail('lin') });
    const sms = await insertPatient(t, org.orgId, { name: 'Wang Hao', phone: '+886900000002' });
    const refused = await insertPatient(t, org.orgId, { name: 'Tsai Ann', phone: 'not-a-number' });
    const date = addDays(today(), 4);
    const lineFu = await plan(line, date, { channel: 'line' });
    const smsFu = await plan(sms, date);
    const { jobs, deps } = await reminderQueue();
    now = new Date(dueAt(date).getTime() + 1_000);
    const before = gateway.requests.length;
    await sweepDueReminders(deps);
    await jobs.drain();
    const got = gateway.requests.slice(before);
    const toLine = got.find((r) => r.body.followup_id === lineFu)!;
    expect(toLine.path).toBe('/line');
    expect(toLine.body).toMatchObject({ channel: 'line', to: '+886900000001', followup_id: lineFu, scheduled_date: date, organization: { id: org.orgId, name: 'Test Clinic' } });
    expect(toLine.headers['idempotency-key']).toBe(toLine.body.id);
    const toSms = got.find((r) => r.body.followup_id === smsFu)!;
    expect(toSms.path).toBe('/all');
    expect(toSms.body).toMatchObject({ channel: 'sms', to: '+886900000002' });
    expect((await deliveries(lineFu))[0]).toMatchObject({ channel: 'line', status: 'sent', provider_message_id: expect.stringMatching(/^gw-/) });
    expect((await deliveries(smsFu))[0]).toMatchObject({ channel: 'sms', status: 'sent', attempts: 1 });

    const refusedFu = await plan(refused, date);
    const count = gateway.requests.length;
    await sweepDueReminders(deps);
    await jobs.drain();
    expect(gateway.requests.slice(count).filter((r) => r.body.followup_id === refusedFu)).toHaveLength(1);
    expect((await deliveries(refusedFu))[0]).toMatchObject({ status: 'failed', last_error: 'http_400' });
  });

  it('with two workers, duplicate jobs and a first attempt that fails, each reminder goes out exactly once', async () => {
    const date = addDays(today(), 5);
    const patients = await Promise.all([1, 2, 3, 4].map((i) => insertPatient(t, org.orgId, { name: `Patient ${i}`, email: uniqueEmail(`p${i}`) })));
    const ids: string[] = [];
    for (const p of patients) ids.push(await plan(p, date));
    const calls: ReminderMessage[] = [];
    const sent: ReminderMessage[] = [];
    const sender: ReminderSender = {
      async send(msg) {
        calls.push(msg);
        await sleep(30);
        if (calls.filter((c) => c.followupId === msg.followupId).length === 1) throw new TransientDeliveryError('http_503', 'gateway busy');
        sent.push(msg);
        return { providerMessageId: null };
      },
    };
    const schema = `pgboss_reminders_${process.pid}_${++schemas}`;
    const opts = { sender, retryDelay: 1, retryLimit: 10, schema };
    const api = await reminderQueue({ ...opts, work: false });
    await reminderQueue({ ...opts, work: true });
    await reminderQueue({ ...opts, work: true });
    now = new Date(dueAt(date).getTime() + 1_000);
    await sweepDueReminders(api.deps);
    for (const id of ids) expect(await queuedAt(id)).not.toBeNull();
    // A second copy of every send job, as if two sweeps had queued each reminder.
    await t.db.run({ scope: 'system', orgId: org.orgId }, async (tx) => { for (const id of ids) await api.jobs.enqueue(tx, REMINDER_SEND_JOB, { followupId: id }); });
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const open = await t.db.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.job WHERE name = $1 AND state NOT IN ('completed', 'failed', 'cancelled')`, [REMINDER_SEND_JOB]);
      if (open[0]!.n === 0) break;
      await sleep(100);
    }
    for (const id of ids) {
      expect(sent.filter((m) => m.followupId === id)).toHaveLength(1);
      expect(await deliveries(id)).toEqual([expect.objectContaining({ status: 'sent', attempts: 2 })]);
    }
    expect(calls.filter((c) => ids.includes(c.followupId))).toHaveLength(8); // one refused and one accepted attempt each
  });

  it('the sweep reschedules itself; of two chains on one slot only one goes on', async () => {
    const schema = `pgboss_reminders_${process.pid}_${++schemas}`;
    const { jobs } = await reminderQueue({ schema });
    const slot = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 5 * 60_000).toISOString(); // a past slot: due now
    await t.db.run({ scope: 'system', orgId: null }, async (tx) => {
      await jobs.enqueue(tx, REMINDER_SWEEP_JOB, { slot });
      await jobs.enqueue(tx, REMINDER_SWEEP_JOB, { slot });
    });
    await jobs.drain();
    const next = await t.db.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.job WHERE name = $1 AND state = 'created'`, [REMINDER_SWEEP_JOB]);
    expect(next[0]!.n).toBe(1);
  });
});
