import fs from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';

export interface MailMessage { to: string; subject: string; text: string; html?: string }

export interface SendOptions {
  /** A stable id for this message (the job id): a retried delivery carries the same Message-ID. */
  id?: string;
}

export interface Mailer {
  send(msg: MailMessage, opts?: SendOptions): Promise<void>;
  /** Messages sent when no SMTP_URL is set (development), newest last. */
  readonly outbox: MailMessage[];
}

/** Give up on an unresponsive SMTP server well before the mail job's delivery expires (120 s). */
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

/** `Visage <no-reply@visage.local>` -> `visage.local`: Message-IDs use the sender's domain. */
function senderDomain(from: string): string {
  return /@([^>\s]+)/.exec(from)?.[1] ?? 'localhost';
}

/**
 * SMTP through nodemailer when SMTP_URL is set. Without it (development), each message is written
 * as an .eml file into `dropDir` and only its recipient and file name are logged: mails carry
 * sign-in links and codes, which must never reach the logs.
 */
export function createMailer(opts: { smtpUrl?: string; from: string; dropDir?: string; log: (msg: string) => void }): Mailer {
  const dropDir = opts.dropDir;
  if (!opts.smtpUrl && !dropDir) throw new Error('createMailer needs SMTP_URL or a directory to drop mail into');
  const outbox: MailMessage[] = [];
  const transport: Transporter = opts.smtpUrl
    ? nodemailer.createTransport({ url: opts.smtpUrl, ...SMTP_TIMEOUTS })
    : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  const domain = senderDomain(opts.from);
  return {
    outbox,
    async send(msg, sendOpts = {}) {
      const info = await transport.sendMail({
        from: opts.from, to: msg.to, subject: msg.subject, text: msg.text, html: msg.html,
        messageId: sendOpts.id ? `<${sendOpts.id}@${domain}>` : undefined,
      });
      if (opts.smtpUrl) return;
      outbox.push(msg);
      if (outbox.length > 100) outbox.shift();
      await fs.mkdir(dropDir!, { recursive: true, mode: 0o700 });
      const file = path.join(dropDir!, `${new Date().toISOString().replace(/[:.]/g, '-')}-${sendOpts.id ?? 'mail'}.eml`);
      await fs.writeFile(file, (info as unknown as { message: Buffer }).message, { mode: 0o600 });
      opts.log(`mail to ${msg.to} written to ${file} (no SMTP_URL set)`);
    },
  };
}
