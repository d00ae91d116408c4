import type { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { assertStorageKey, StoredObjectMissing, type FileStorage, type PutInfo } from './storage.js';

export interface S3Options {
  bucket: string;
  /** For S3-compatible services (MinIO, R2, Ceph...); unset means AWS S3. */
  endpoint?: string;
  region?: string;
  forcePathStyle: boolean;
}

/**
 * S3-compatible object storage. Credentials come from the SDK's default chain (AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_PROFILE, instance roles...).
 */
export class S3Storage implements FileStorage {
  readonly driver = 's3' as const;
  private readonly client: S3Client;

  constructor(private readonly opts: S3Options) {
    this.client = new S3Client({
      endpoint: opts.endpoint,
      region: opts.region ?? 'us-east-1',
      forcePathStyle: opts.forcePathStyle,
      // The SDK's default CRC32 trailers (aws-chunked uploads) are not understood by many
      // S3-compatible servers; we send our own SHA-256 instead (below).
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async put(key: string, body: Readable, info: PutInfo): Promise<void> {
    assertStorageKey(key);
    await this.client.send(new PutObjectCommand({
      Bucket: this.opts.bucket, Key: key, Body: body, ContentType: info.contentType, ContentLength: info.sizeBytes,
      // The server refuses the upload if the bytes it received have another digest.
      ChecksumSHA256: Buffer.from(info.sha256, 'hex').toString('base64'),
    }));
  }

  async get(key: string): Promise<Readable> {
    assertStorageKey(key);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.opts.bucket, Key: key }));
      // In Node.js the SDK's body is an http.IncomingMessage, a Readable.
      return out.Body as Readable;
    } catch (err) {
      if (err instanceof NoSuchKey) throw new StoredObjectMissing(key);
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    assertStorageKey(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.opts.bucket, Key: key }));
  }
}
