import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';

export interface Digest { sha256: string; sizeBytes: number }

/** Reads a stream to its end and returns the SHA-256 (hex) and length of its bytes. */
export async function digestOf(stream: Readable): Promise<Digest> {
  const hash = createHash('sha256');
  let sizeBytes = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    sizeBytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), sizeBytes };
}

export class IntegrityError extends Error {}

/**
 * Passes bytes through and fails the stream at its end when they are not the expected ones. The
 * last chunk is held back until the check, so a client never receives the complete (Content-Length)
 * body of altered content: the response is aborted instead.
 */
export function verifying(expected: Digest): Transform {
  const hash = createHash('sha256');
  let sizeBytes = 0;
  let held: Buffer | null = null;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      sizeBytes += chunk.length;
      const previous = held;
      held = chunk;
      done(null, previous ?? undefined);
    },
    flush(done) {
      if (sizeBytes !== expected.sizeBytes || hash.digest('hex') !== expected.sha256) {
        done(new IntegrityError('stored bytes do not match their recorded SHA-256'));
        return;
      }
      done(null, held ?? undefined);
    },
  });
}
