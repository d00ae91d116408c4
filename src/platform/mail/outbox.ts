import type { Tx } from '../db/client.js';
import type { Deps } from '../deps.js';
import type { MailMessage } from './mail.js';

/**
 * Queues an email as part of the caller's transaction: it is sent only if the transaction commits.
 * (Interim: sent right after commit. The job queue will take this over so a crash cannot lose it.)
 */
export async function queueMail(tx: Tx, deps: Deps, msg: MailMessage): Promise<void> {
  tx.afterCommit.push(() => deps.mailer.send(msg));
}
