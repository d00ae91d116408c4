import type { Deps } from '../../platform/deps.js';
import type { Tx, TxContext } from '../../platform/db/client.js';
import type { JobDefinition } from '../../platform/jobs/jobs.js';
import { newId } from '../../platform/crypto.js';
import { audit } from '../../platform/audit/audit.service.js';
import type { ReminderChannel } from './followups.service.js';
import { channelSender, PermanentDeliveryError, TransientDeliveryError, type ReminderMessage, type ReminderSender } from './messaging.js';

/**
 * Follow-up reminders. A follow-up with notify_flag is due for its reminder at 09:00 in the
 * organization's time zone on the day before scheduled_date (reminder_due_at, set by a trigger).
 * A sweep (every minute, a self-rescheduling job) queues one send job per due reminder; the send
 * job claims the reminder_deliveries row (unique per follow-up and channel) before sending and marks
 * it sent after, so a reminder goes out once whatever the number of workers, retries and sweeps.
 */
export const REMINDER_SWEEP_JOB = 'care.reminders.sweep';
export const REMINDER_SEND_JOB = 'care.reminder.send';
const SWEEP_EVERY_MS = 60_000;
/** How long a claimed delivery belongs to the worker that claimed it (longer than the send job's expiry). */
const LEASE_SECONDS = 300;
/** A queued reminder not sent within this long is queued again by the sweep (while its date has not passed). */
const REQUEUE_AFTER = '1 hour';

export interface SendData { followupId: string }
export interface SweepData { slot: string }

type ReminderDeps = Pick<Deps, 'db' | 'mailer' | 'config' | 'now' | 'jobs'>;

const nextSlot = (after: Date): string => new Date((Math.floor(after.getTime() / SWEEP_EVERY_MS) + 1) * SWEEP_EVERY_MS).toISOString();

/**
 * Queues a send job for every due reminder (all organizations), marking each follow-up queued in the
 * same transaction. Returns how many were queued. The cross-organization lookup sees only ids
 * (visage_due_reminders); each organization's follow-ups are then marked in its own transaction.
 */
export async function sweepDueReminders(deps: ReminderDeps, now: Date = deps.now(), batch = 500): Promise<number> {
  const jobs = deps.jobs;
  if (!jobs) throw new Error('the reminder sweep needs the job queue');
  const due = await deps.db.run({ scope: 'system', orgId: null }, (tx) =>
    tx.query<{ org_id: string; followup_id: string }>('SELECT org_id, followup_id FROM visage_due_reminders($1, $2)', [now, batch]));
  const byOrg = new Map<string, string[]>();
  for (const d of due) byOrg.set(d.org_id, [...(byOrg.get(d.org_id) ?? []), d.followup_id]);
  let queued = 0;
  for (const [orgId, ids] of byOrg) {
    queued += await deps.db.run({ scope: 'system', orgId }, async (tx) => {
      const rows = await tx.query<{ id: string }>(
        `UPDATE followups SET reminder_queued_at = $2
          WHERE org_id = visage_current_org() AND id = ANY($1::uuid[]) AND reminder_due_at IS NOT NULL AND reminder_due_at <= $2
            AND (reminder_queued_at IS NULL OR reminder_queued_at < $2::timestamptz - interval '${REQUEUE_AFTER}')
          RETURNING id`, [ids, now]);
      for (const r of rows) await jobs.enqueue<SendData>(tx, REMINDER_SEND_JOB, { followupId: r.id });
      return rows.length;
    });
  }
  return queued;
}

/** Starts this process's sweep chain at the next minute; of several chains, the first to claim a slot goes on. */
export async function startReminderSweeps(deps: ReminderDeps): Promise<void> {
  const jobs = deps.jobs;
  if (!jobs) return;
  const slot = nextSlot(deps.now());
  await deps.db.run({ scope: 'system', orgId: null }, (tx) => jobs.enqueue<SweepData>(tx, REMINDER_SWEEP_JOB, { slot }, { startAfter: new Date(slot) }));
}

type Claim =
  | { kind: 'send'; message: ReminderMessage }
  | { kind: 'skip'; clear: boolean }
  | { kind: 'busy' };

interface DueRow {
  id: string; status: string; notify_flag: boolean; deleted: boolean; reminder_due_at: Date | string | null; scheduled_date: string;
  channel: ReminderChannel | null; full_name: string; email: string | null; phone: string | null; org_name: string; today: string;
}

function compose(channel: ReminderChannel, r: DueRow): { subject: string; text: string } {
  // No treatment or medical detail: a reminder may be read by someone else on the patient's phone.
  const subject = `Reminder: your follow-up at ${r.org_name} on ${r.scheduled_date}`;
  const text = channel === 'email'
    ? `Hello ${r.full_name},\n\nThis is a reminder of your follow-up visit at ${r.org_name} on ${r.scheduled_date}.\nIf you need to change it, please contact us.\n\n${r.org_name}`
    : `${r.org_name}: a reminder of your follow-up visit on ${r.scheduled_date}. Contact us to change it.`;
  return { subject, text };
}

/** Decides whether the reminder is still wanted and claims its delivery row (insert, or re-claim a failed or abandoned one). */
async function claim(tx: Tx, followupId: string, now: Date): Promise<Claim> {
  const [r] = await tx.query<DueRow>(
    `SELECT f.id, f.status, f.notify_flag, (f.deleted_at IS NOT NULL) AS deleted, f.reminder_due_at, f.scheduled_date::text AS scheduled_date,
            f.channel, p.full_name, p.email, p.phone, o.name AS org_name, (($2::timestamptz) AT TIME ZONE o.timezone)::date::text AS today
       FROM followups f JOIN patients p ON p.org_id = f.org_id AND p.id = f.patient_id JOIN organizations o ON o.id = f.org_id
      WHERE f.org_id = visage_current_org() AND f.id = $1`, [followupId, now]);
  if (!r || r.deleted || r.status !== 'planned' || !r.notify_flag || r.reminder_due_at === null) return { kind: 'skip', clear: false };
  if (new Date(r.reminder_due_at).getTime() > now.getTime()) return { kind: 'skip', clear: false }; // rescheduled: the sweep queues it again when due
  if (r.scheduled_date < r.today) return { kind: 'skip', clear: true }; // too late to remind
  const channel: ReminderChannel | null = r.channel ?? (r.email ? 'email' : r.phone ? 'sms' : null);
  const to = channel === 'email' ? r.email : r.phone;
  if (!channel || !to) {
    await tx.query(
      `INSERT INTO reminder_deliveries (id, org_id, followup_id, channel, status, attempts, last_error, created_at)
       VALUES ($1, visage_current_org(), $2, $3, 'failed', 0, 'no_contact', $4) ON CONFLICT (org_id, followup_id, channel) DO NOTHING`,
      [newId(), followupId, channel ?? 'email', now]);
    return { kind: 'skip', clear: true };
  }
  const [claimed] = await tx.query<{ id: string }>(
    `INSERT INTO reminder_deliveries (id, org_id, followup_id, channel, status, attempts, claimed_until, created_at)
     VALUES ($1, visage_current_org(), $2, $3, 'sending', 1, $4::timestamptz + interval '${LEASE_SECONDS} seconds', $4)
     ON CONFLICT (org_id, followup_id, channel) DO UPDATE
        SET status = 'sending', attempts = reminder_deliveries.attempts + 1, claimed_until = EXCLUDED.claimed_until, last_error = NULL
      WHERE reminder_deliveries.status = 'failed' OR (reminder_deliveries.status = 'sending' AND reminder_deliveries.claimed_until < $4)
     RETURNING id`, [newId(), followupId, channel, now]);
  if (!claimed) {
    const [held] = await tx.query<{ status: string }>(
      'SELECT status FROM reminder_deliveries WHERE org_id = visage_current_org() AND followup_id = $1 AND channel = $2', [followupId, channel]);
    return held?.status === 'sent' ? { kind: 'skip', clear: true } : { kind: 'busy' };
  }
  const orgId = tx.ctx.orgId!;
  return {
    kind: 'send',
    message: { deliveryId: claimed.id, channel, to, ...compose(channel, r), orgId, orgName: r.org_name, followupId, scheduledDate: r.scheduled_date },
  };
}

const clearDue = (tx: Tx, followupId: string) =>
  tx.query('UPDATE followups SET reminder_due_at = NULL WHERE org_id = visage_current_org() AND id = $1', [followupId]);

export interface ReminderJobOptions {
  /** How reminders leave (default: SMTP for email, the HTTP gateway for the rest). */
  sender?: ReminderSender;
  /** Seconds before a failed send is retried (default 30, doubling). */
  retryDelay?: number;
  retryLimit?: number;
}

/** The reminder queues: the minute sweep and the per-reminder send. `deps` is read when a job runs. */
export function reminderJobs(deps: () => ReminderDeps, opts: ReminderJobOptions = {}): JobDefinition<unknown>[] {
  const send: JobDefinition<SendData> = {
    name: REMINDER_SEND_JOB,
    retryLimit: opts.retryLimit ?? 8,
    retryDelay: opts.retryDelay ?? 30,
    retryBackoff: (opts.retryDelay ?? 30) > 0,
    expireInSeconds: 120,
    async handler(job) {
      const d = deps();
      if (!job.orgId) return;
      const ctx: TxContext = { scope: 'system', orgId: job.orgId };
      const now = d.now();
      const c = await d.db.run(ctx, (tx) => claim(tx, job.data.followupId, now));
      if (c.kind === 'busy') throw new Error('another worker holds this reminder; retrying later');
      if (c.kind === 'skip') {
        if (c.clear) await job.once((tx) => clearDue(tx, job.data.followupId).then(() => undefined));
        return;
      }
      const sender = opts.sender ?? channelSender(d);
      let providerMessageId: string | null = null;
      try {
        ({ providerMessageId } = await sender.send(c.message));
      } catch (err) {
        const permanent = err instanceof PermanentDeliveryError;
        const code = err instanceof PermanentDeliveryError || err instanceof TransientDeliveryError ? err.code
          : String((err as { responseCode?: unknown }).responseCode ?? (err as { code?: unknown }).code ?? 'send_failed').slice(0, 40);
        await d.db.run(ctx, async (tx) => {
          await tx.query(`UPDATE reminder_deliveries SET status = 'failed', last_error = $2, claimed_until = NULL WHERE org_id = visage_current_org() AND id = $1`,
            [c.message.deliveryId, code]);
          if (permanent) await clearDue(tx, job.data.followupId);
        });
        if (permanent) return;
        throw err;
      }
      await job.once(async (tx) => {
        await tx.query(
          `UPDATE reminder_deliveries SET status = 'sent', sent_at = $2, provider_message_id = $3, claimed_until = NULL
            WHERE org_id = visage_current_org() AND id = $1`, [c.message.deliveryId, d.now(), providerMessageId]);
        await clearDue(tx, job.data.followupId);
        await audit(tx, {}, { action: 'send', entityType: 'reminder_delivery', entityId: c.message.deliveryId, details: { channel: c.message.channel, followup_id: job.data.followupId } });
      });
    },
  };
  const sweep: JobDefinition<SweepData> = {
    name: REMINDER_SWEEP_JOB,
    retryLimit: 2,
    retryDelay: 5,
    expireInSeconds: 60,
    async handler(job) {
      const d = deps();
      let mine = false;
      // The chain goes on first (its next run is queued with this job's completion), then the sweep;
      // a failed sweep is reported and the next slot picks the reminders up.
      await job.once(async (tx) => {
        const claimed = await tx.query('INSERT INTO reminder_sweep_slots (slot) VALUES ($1) ON CONFLICT DO NOTHING RETURNING slot', [job.data.slot]);
        if (!claimed.length) return; // another chain ran this slot: this one ends here
        mine = true;
        await tx.query('DELETE FROM reminder_sweep_slots WHERE slot < $1', [new Date(Date.parse(job.data.slot) - 86_400_000)]);
        const next = nextSlot(new Date(Math.max(d.now().getTime(), Date.parse(job.data.slot))));
        await d.jobs!.enqueue<SweepData>(tx, REMINDER_SWEEP_JOB, { slot: next }, { startAfter: new Date(next) });
      });
      if (mine) await sweepDueReminders(d);
    },
  };
  return [send as JobDefinition<unknown>, sweep as JobDefinition<unknown>];
}
