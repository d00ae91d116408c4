import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalStorage } from './local.storage.js';
import { storageKey, StoredObjectMissing, type FileStorage } from './storage.js';
import { digestOf } from './integrity.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'visage-local-storage-'));
const storage: FileStorage = new LocalStorage(root);
const orgId = '0190f7a0-0000-7000-8000-000000000001';
const key = (n: number) => storageKey(orgId, `0190f7a0-0000-7000-8000-00000000000${n}`, new Date('2026-03-05T10:00:00Z'));
const info = { contentType: 'application/pdf', sizeBytes: 5, sha256: 'unused-by-local-driver' };
const filesUnder = (dir: string) => fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name);

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('LocalStorage', () => {
  it('stores under <org>/<yyyy>/<mm>/<id>, private to the process owner, and reads back', async () => {
    await storage.put(key(1), Readable.from([Buffer.from('hello')]), info);
    const file = path.join(root, orgId, '2026', '03', '0190f7a0-0000-7000-8000-000000000001');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect((await digestOf(await storage.get(key(1)))).sizeBytes).toBe(5);
  });

  it('leaves neither the file nor a temp file when the incoming stream fails', async () => {
    const failing = new Readable({ read() { this.push(Buffer.from('partial')); this.destroy(new Error('client went away')); } });
    await expect(storage.put(key(2), failing, info)).rejects.toThrow('client went away');
    expect(filesUnder(root).filter((n) => n.includes('000000000002'))).toEqual([]);
  });

  it('replaces a file atomically: a reader sees the old or the new bytes, never a mix', async () => {
    await storage.put(key(3), Readable.from([Buffer.from('old')]), info);
    const reader = await storage.get(key(3));
    await storage.put(key(3), Readable.from([Buffer.from('new bytes')]), info);
    expect((await digestOf(reader)).sizeBytes).toBe(3);
    expect((await digestOf(await storage.get(key(3)))).sizeBytes).toBe(9);
  });

  it('reports a missing object and refuses keys it did not make', async () => {
    await expect(storage.get(key(4))).rejects.toBeInstanceOf(StoredObjectMissing);
    await expect(storage.get(`${orgId}/../../etc/passwd`)).rejects.toThrow('invalid storage key');
    await storage.delete(key(1));
    await expect(storage.get(key(1))).rejects.toBeInstanceOf(StoredObjectMissing);
  });
});
