import type { Config } from './config.js';
import type { Database } from './db/client.js';
import type { Mailer } from './mail/mail.js';

/** What every module needs from the platform, passed explicitly (no globals). */
export interface Deps {
  config: Config;
  db: Database;
  mailer: Mailer;
  /** The clock; tests move it to cross expiry windows without sleeping. */
  now: () => Date;
}
