import type { Config } from './config.js';
import type { Database } from './db/client.js';
import type { Mailer } from './mail/mail.js';
import type { Jobs } from './jobs/jobs.js';
import type { FileStorage } from './files/storage.js';
import type { FieldCipher } from './crypto/fields.js';

/** What every module needs from the platform, passed explicitly (no globals). */
export interface Deps {
  config: Config;
  db: Database;
  mailer: Mailer;
  /** The clock; tests move it to cross expiry windows without sleeping. */
  now: () => Date;
  /** Where uploaded file bytes live (local disk or S3-compatible). */
  storage?: FileStorage;
  /** The job queue: `jobs.enqueue(tx, ...)` queues work in the caller's transaction. */
  jobs?: Jobs;
  /** Field encryption for PHI columns (AES-256-GCM; the key from VISAGE_DATA_KEY or DATA_DIR/keys/data.key). */
  fields?: FieldCipher;
}
