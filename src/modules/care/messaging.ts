import type { Config } from '../../platform/config.js';
import type { Mailer } from '../../platform/mail/mail.js';
import type { ReminderChannel } from './followups.service.js';

/** One reminder to one patient through one channel. `deliveryId` is stable across retries. */
export interface ReminderMessage {
  deliveryId: string;
  channel: ReminderChannel;
  /** Email address, or phone number for SMS, WhatsApp and LINE (the gateway maps it to the LINE user). */
  to: string;
  subject: string;
  text: string;
  orgId: string;
  orgName: string;
  followupId: string;
  scheduledDate: string;
}

export interface ReminderSender {
  send(msg: ReminderMessage): Promise<{ providerMessageId: string | null }>;
}

/** A delivery that retrying cannot fix (no endpoint configured, the gateway refused the request as invalid). */
export class PermanentDeliveryError extends Error {
  constructor(readonly code: string, message: string) { super(message); }
}

/** A delivery that failed for now (network, timeout, 5xx, 429); the queue retries it. */
export class TransientDeliveryError extends Error {
  constructor(readonly code: string, message: string) { super(message); }
}

/**
 * The HTTP adapter for SMS, WhatsApp and LINE: POSTs the message as JSON to the channel's endpoint
 * (VISAGE_<CHANNEL>_WEBHOOK_URL, else VISAGE_MESSAGING_WEBHOOK_URL) with the delivery id as
 * Idempotency-Key, so a gateway can drop a repeat. 2xx = sent; 408/429/5xx and network errors are
 * retried; other 4xx are permanent.
 */
export async function postToGateway(cfg: Config['messaging'], msg: ReminderMessage, timeoutMs = 10_000): Promise<{ providerMessageId: string | null }> {
  const url = (msg.channel === 'email' ? undefined : cfg[msg.channel]) ?? cfg.webhookUrl;
  if (!url) throw new PermanentDeliveryError('no_endpoint', `No messaging endpoint is configured for ${msg.channel}.`);
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': msg.deliveryId, ...(cfg.token ? { authorization: `Bearer ${cfg.token}` } : {}) },
      body: JSON.stringify({
        id: msg.deliveryId, channel: msg.channel, to: msg.to, text: msg.text,
        organization: { id: msg.orgId, name: msg.orgName }, followup_id: msg.followupId, scheduled_date: msg.scheduledDate,
      }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new TransientDeliveryError('network', `The messaging gateway could not be reached (${(err as Error).name}).`);
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    const code = `http_${res.status}`;
    if (res.status === 408 || res.status === 429 || res.status >= 500) throw new TransientDeliveryError(code, `The messaging gateway answered ${res.status}.`);
    throw new PermanentDeliveryError(code, `The messaging gateway refused the message (${res.status}).`);
  }
  const body = (await res.json().catch(() => null)) as { id?: unknown; message_id?: unknown } | null;
  const id = body?.message_id ?? body?.id;
  return { providerMessageId: typeof id === 'string' || typeof id === 'number' ? String(id).slice(0, 200) : null };
}

/** Email through the platform mailer (SMTP; Message-ID = the delivery id), everything else through the HTTP gateway. */
export function channelSender(deps: { mailer: Mailer; config: Config }): ReminderSender {
  return {
    async send(msg) {
      if (msg.channel === 'email') {
        await deps.mailer.send({ to: msg.to, subject: msg.subject, text: msg.text }, { id: msg.deliveryId });
        return { providerMessageId: null };
      }
      return postToGateway(deps.config.messaging, msg);
    },
  };
}
