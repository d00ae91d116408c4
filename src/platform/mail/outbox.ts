import type { Tx } from '../db/client.js';
import type { Deps } from '../deps.js';
import type { JobDefinition } from '../jobs/jobs.js';
import type { MailMessage, Mailer } from './mail.js';

export const MAIL_JOB = 'mail.send';

/**
 * Queues an email as part of the caller's transaction: a 'mail.send' job that exists only if the
 * transaction commits, sent by a worker and retried while the SMTP server refuses it.
 */
export async function queueMail(tx: Tx, deps: Pick<Deps, 'jobs'>, msg: MailMessage): Promise<void> {
  if (!deps.jobs) throw new Error('queueMail needs the job queue (deps.jobs)');
  await deps.jobs.enqueue(tx, MAIL_JOB, msg);
}

/**
 * Sends queued mail. Delivery is at least once: should a worker die between the SMTP server's
 * acceptance and the job's completion, the retry resends it with the same Message-ID (the job id).
 * Retries wait 30 s, then twice as long each time (with jitter): two to four hours in all (greylisting, outages).
 */
export function mailJob(mailer: Mailer): JobDefinition<MailMessage> {
  return {
    name: MAIL_JOB,
    retryLimit: 8,
    retryDelay: 30,
    retryBackoff: true,
    expireInSeconds: 120,
    handler: (job) => mailer.send(job.data, { id: job.id }),
  };
}
