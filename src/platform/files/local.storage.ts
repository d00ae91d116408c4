import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertStorageKey, StoredObjectMissing, type FileStorage } from './storage.js';

/**
 * Files on local disk under one root (DATA_DIR/files). Only the owner of the process can read
 * them (directories 0700, files 0600); the HTTP layer never serves this directory directly.
 */
export class LocalStorage implements FileStorage {
  readonly driver = 'local' as const;

  constructor(readonly root: string) {}

  pathOf(key: string): string {
    assertStorageKey(key);
    return path.join(this.root, ...key.split('/'));
  }

  /** Atomic: the bytes go to a temp file in the target directory, are fsynced, then renamed into place. */
  async put(key: string, body: Readable): Promise<void> {
    const target = this.pathOf(key);
    await fs.mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
    const temp = `${target}.${randomUUID()}.tmp`;
    try {
      // flush: fsync before close, so the rename never publishes bytes still in the page cache.
      await pipeline(body, createWriteStream(temp, { flags: 'wx', mode: 0o600, flush: true }));
      await fs.rename(temp, target);
    } catch (err) {
      await fs.rm(temp, { force: true });
      throw err;
    }
  }

  async get(key: string): Promise<Readable> {
    try {
      const handle = await fs.open(this.pathOf(key), 'r');
      return handle.createReadStream();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new StoredObjectMissing(key);
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await fs.rm(this.pathOf(key), { force: true });
  }
}
