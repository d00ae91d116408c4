/** Files: stored bytes (local disk or S3-compatible) and their authorized HTTP endpoints. */
import path from 'node:path';
import type { Config } from '../config.js';
import { LocalStorage } from './local.storage.js';
import { S3Storage } from './s3.storage.js';
import type { FileStorage } from './storage.js';

export { fileRoutes, sendVerifiedFile } from './files.routes.js';
export { createFile, findFile, softDeleteFile, type Actor, type FileRow } from './files.service.js';
export type { FileKind } from './file-types.js';
export type { FileStorage } from './storage.js';

/** The driver chosen by STORAGE_DRIVER: local disk under DATA_DIR/files (default) or S3-compatible. */
export function createStorage(config: Config): FileStorage {
  const s = config.storage;
  if (s.driver === 's3') {
    if (!s.s3Bucket) throw new Error('S3_BUCKET is required when STORAGE_DRIVER=s3');
    return new S3Storage({ bucket: s.s3Bucket, endpoint: s.s3Endpoint, region: s.s3Region, forcePathStyle: s.s3ForcePathStyle });
  }
  return new LocalStorage(path.join(config.dataDir, 'files'));
}
