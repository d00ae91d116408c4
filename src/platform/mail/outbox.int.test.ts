import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testDatabase, uniqueEmail } from '../../../test/helpers.js';
import { loadConfig } from '../config.js';
import type { Database } from '../db/client.js';
import { createJobs, type Jobs } from '../jobs/jobs.js';
import { createVisage, type Visage } from '../../server.js';
import { createMailer, type MailMessage } from './mail.js';
import { mailJob, queueMail } from './outbox.js';

interface Received { to: string[]; subject: string; messageId: string; body: string }

/** A real SMTP server on a random local port that records what it accepts and can refuse the next attempts. */
async function startSmtpServer() {
  const received: Received[] = [];
  const state = { attempts: 0, refuseNext: 0 };
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'], logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => { raw += chunk; });
      stream.on('end', () => {
        state.attempts++;
        if (state.refuseNext > 0) {
          state.refuseNext--;
          return callback(Object.assign(new Error('Mailbox busy, try again later'), { responseCode: 451 }));
        }
        const [head = '', ...body] = raw.replace(/\r\n/g, '\n').split('\n\n');
        const header = (name: string) => new RegExp(`^${name}: (.*)$`, 'mi').exec(head)?.[1] ?? '';
        received.push({
          to: session.envelope.rcptTo.map((r) => r.address), subject: header('Subject'),
          messageId: header('Message-ID'), body: body.join('\n\n').trim(),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  return { url, received, state, close: () => new Promise<void>((resolve) => server.close(resolve)) };
}

let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let db: Database;
let visage: Visage;
let schemas = 0;
let dataDir: string;

beforeAll(async () => {
  smtp = await startSmtpServer();
  db = await testDatabase();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'visage-outbox-test-'));
  const config = loadConfig({ dataDir, databaseUrl: undefined, smtpUrl: smtp.url });
  visage = await createVisage({ config, db, logger: false, web: false, jobsSchema: `pgboss_mail_test_${process.pid}_${++schemas}` });
});
beforeEach(() => { smtp.state.refuseNext = 0; });
afterAll(async () => {
  await visage?.close();
  await db?.close();
  await smtp?.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

const sentTo = (email: string) => smtp.received.filter((m) => m.to.includes(email));

describe('mail through the job queue', () => {
  it('sends a signup\'s verification code through the queue to the SMTP server, once, to that address', async () => {
    const email = uniqueEmail('mail');
    const res = await visage.app.inject({ method: 'POST', url: '/api/auth/signup', payload: { email, password: 'correct horse battery staple', full_name: 'Mai Lin' } });
    expect(res.statusCode).toBe(201);
    await visage.deps.jobs!.drain();
    const mails = sentTo(email);
    expect(mails).toHaveLength(1);
    const code = /^Your Visage verification code: (\d{6})$/.exec(mails[0]!.subject)?.[1];
    expect(code).toBeDefined();
    expect(mails[0]!.body).toContain(`Your verification code is ${code}.`);
    expect(mails[0]!.messageId).toMatch(/^<[0-9a-f-]{36}@visage\.local>$/);
  });

  it('sends nothing for a transaction that rolls back', async () => {
    const msg: MailMessage = { to: uniqueEmail('rollback'), subject: 'Your appointment', text: 'See you on Monday.' };
    await expect(db.run({ scope: 'auth' }, async (tx) => {
      await queueMail(tx, visage.deps, msg);
      throw new Error('the booking was refused');
    })).rejects.toThrow('the booking was refused');
    await db.run({ scope: 'auth' }, (tx) => queueMail(tx, visage.deps, { ...msg, subject: 'Committed' }));
    await visage.deps.jobs!.drain();
    expect(sentTo(msg.to).map((m) => m.subject)).toEqual(['Committed']);
  });

  describe('when the SMTP server refuses a message for a while', () => {
    let jobs: Jobs;
    beforeAll(async () => {
      // The production mail job waits 30 s before its first retry; the same job here retries at once.
      const mailer = createMailer({ smtpUrl: smtp.url, from: 'Visage <no-reply@visage.local>', log: () => undefined });
      jobs = createJobs(db, { definitions: [{ ...mailJob(mailer), retryDelay: 0, retryBackoff: false }], work: false, schema: `pgboss_mail_test_${process.pid}_${++schemas}` });
      await jobs.start();
    });
    afterAll(async () => { await jobs?.stop(); });

    it('retries a mail refused with a transient error (451) and delivers it exactly once', async () => {
      const msg: MailMessage = { to: uniqueEmail('retry'), subject: 'Your aftercare plan', text: 'Day 1: keep the area dry.' };
      smtp.state.refuseNext = 1;
      const attemptsBefore = smtp.state.attempts;
      await db.run({ scope: 'auth' }, (tx) => queueMail(tx, { jobs }, msg));
      await jobs.drain();
      expect(smtp.state.attempts - attemptsBefore).toBe(2);
      expect(sentTo(msg.to)).toEqual([expect.objectContaining({ to: [msg.to], subject: msg.subject, body: msg.text })]);
    });
  });
});
