import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { digestOf, IntegrityError, verifying } from './integrity.js';

const chunks = [Buffer.from('first chunk '), Buffer.from('second chunk '), Buffer.from('last chunk')];
const whole = Buffer.concat(chunks);
const expected = { sha256: createHash('sha256').update(whole).digest('hex'), sizeBytes: whole.length };

/** Pipes `input` through `verifying(expected)` and collects what reached the consumer. */
async function passThrough(input: Buffer[]): Promise<{ received: Buffer; error: unknown }> {
  const received: Buffer[] = [];
  const sink = new Writable({ write(chunk, _e, done) { received.push(chunk); done(); } });
  const error = await pipeline(Readable.from(input), verifying(expected), sink).then(() => null, (err: unknown) => err);
  return { received: Buffer.concat(received), error };
}

describe('integrity', () => {
  it('digests a stream', async () => {
    expect(await digestOf(Readable.from(chunks))).toEqual(expected);
  });

  it('passes intact bytes through unchanged', async () => {
    const { received, error } = await passThrough(chunks);
    expect(error).toBeNull();
    expect(received.equals(whole)).toBe(true);
  });

  it('fails altered bytes of the same length before the consumer has the whole body', async () => {
    const altered = [chunks[0]!, Buffer.from('SECOND chunk '), chunks[2]!];
    const { received, error } = await passThrough(altered);
    expect(error).toBeInstanceOf(IntegrityError);
    expect(received.length).toBeLessThan(whole.length);
  });

  it('fails truncated bytes', async () => {
    const { error } = await passThrough(chunks.slice(0, 2));
    expect(error).toBeInstanceOf(IntegrityError);
  });
});
