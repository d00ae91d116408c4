import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';

export interface MailMessage { to: string; subject: string; text: string; html?: string }

export interface SendOptions {
  /** A stable id for this message (the job id): a retried delivery carries the same Message-ID. */
  id?: string;
}

export interface Mailer {
  send(msg: MailMessage, opts?: SendOptions): Promise<void>;
  /** Messages sent when no SMTP_URL is set (development): printed to the log instead. */
  readonly outbox: MailMessage[];
}

/** Give up on an unresponsive SMTP server well before the mail job's delivery expires (120 s). */
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

/** `Visage <no-reply@visage.local>` -> `visage.local`: Message-IDs use the sender's domain. */
function senderDomain(from: string): string {
  return /@([^>\s]+)/.exec(from)?.[1] ?? 'localhost';
}

/** SMTP through nodemailer when SMTP_URL is set; otherwise messages go to the log. */
export function createMailer(opts: { smtpUrl?: string; from: string; log: (msg: string) => void }): Mailer {
  const outbox: MailMessage[] = [];
  let transport: Transporter | null = null;
  if (opts.smtpUrl) transport = nodemailer.createTransport({ url: opts.smtpUrl, ...SMTP_TIMEOUTS });
  const domain = senderDomain(opts.from);
  return {
    outbox,
    async send(msg, sendOpts = {}) {
      if (!transport) {
        outbox.push(msg);
        if (outbox.length > 100) outbox.shift();
        opts.log(`mail (no SMTP_URL set) to=${msg.to} subject="${msg.subject}"\n${msg.text}`);
        return;
      }
      await transport.sendMail({
        from: opts.from, to: msg.to, subject: msg.subject, text: msg.text, html: msg.html,
        messageId: sendOpts.id ? `<${sendOpts.id}@${domain}>` : undefined,
      });
    },
  };
}
