import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';

export interface MailMessage { to: string; subject: string; text: string; html?: string }

export interface Mailer {
  send(msg: MailMessage): Promise<void>;
  /** Messages sent when no SMTP_URL is set (development): printed to the log instead. */
  readonly outbox: MailMessage[];
}

/** SMTP through nodemailer when SMTP_URL is set; otherwise messages go to the log. */
export function createMailer(opts: { smtpUrl?: string; from: string; log: (msg: string) => void }): Mailer {
  const outbox: MailMessage[] = [];
  let transport: Transporter | null = null;
  if (opts.smtpUrl) transport = nodemailer.createTransport(opts.smtpUrl);
  return {
    outbox,
    async send(msg) {
      if (!transport) {
        outbox.push(msg);
        if (outbox.length > 100) outbox.shift();
        opts.log(`mail (no SMTP_URL set) to=${msg.to} subject="${msg.subject}"\n${msg.text}`);
        return;
      }
      await transport.sendMail({ from: opts.from, to: msg.to, subject: msg.subject, text: msg.text, html: msg.html });
    },
  };
}
