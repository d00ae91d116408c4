import type { MailMessage } from '../../platform/mail/mail.js';
import type { TestVisage } from '../../../test/helpers.js';

/**
 * The messages to `email` whose subject matches, once at least `count` have arrived. On the
 * PostgreSQL server the job worker can still be sending a message when the request that queued
 * it has returned (jobs.drain() can miss a job a worker is in the middle of fetching), so this polls.
 */
export async function mailTo(t: TestVisage, email: string, subject: RegExp, count: number): Promise<MailMessage[]> {
  for (let waited = 0; ; waited += 20) {
    const found = t.mail.filter((m) => m.to === email && subject.test(m.subject));
    if (found.length >= count) return found;
    if (waited >= 3000) throw new Error(`expected ${count} message(s) "${subject.source}" to ${email}, got ${found.length}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
