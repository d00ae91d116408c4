import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testVisage, type TestVisage } from '../../../test/helpers.js';
import { S3Storage } from './s3.storage.js';
import { storageKey, StoredObjectMissing } from './storage.js';
import { digestOf } from './integrity.js';

const BUCKET = 'visage-test';
const ACCESS_KEY = 'AKIAVISAGETEST000001';

interface SeenRequest { method: string; path: string; headers: http.IncomingHttpHeaders }

/**
 * A stand-in S3 endpoint for one bucket, path-style, answering PUT, GET and DELETE object the way
 * S3 does (XML errors, NoSuchKey). It records requests but does not verify SigV4 signatures.
 */
function fakeS3() {
  const objects = new Map<string, { body: Buffer; contentType: string }>();
  const seen: SeenRequest[] = [];
  const xmlError = (res: http.ServerResponse, status: number, code: string) =>
    res.writeHead(status, { 'content-type': 'application/xml' })
      .end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code}</Message><RequestId>1</RequestId></Error>`);
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url!, 'http://s3.local');
    seen.push({ method: req.method!, path: url.pathname, headers: req.headers });
    if (!url.pathname.startsWith(`/${BUCKET}/`)) return xmlError(res, 404, 'NoSuchBucket');
    const key = decodeURIComponent(url.pathname.slice(BUCKET.length + 2));
    if (req.method === 'PUT') {
      const digest = createHash('sha256').update(body).digest('base64');
      if (req.headers['x-amz-checksum-sha256'] !== digest) return xmlError(res, 400, 'BadDigest');
      objects.set(key, { body, contentType: req.headers['content-type'] ?? 'binary/octet-stream' });
      return res.writeHead(200, { etag: '"1"' }).end();
    }
    if (req.method === 'GET') {
      const o = objects.get(key);
      if (!o) return xmlError(res, 404, 'NoSuchKey');
      return res.writeHead(200, { 'content-type': o.contentType, 'content-length': o.body.length }).end(o.body);
    }
    if (req.method === 'DELETE') {
      objects.delete(key);
      return res.writeHead(204).end();
    }
    return xmlError(res, 405, 'MethodNotAllowed');
  });
  return { server, objects, seen };
}

const s3 = fakeS3();
let endpoint = '';
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'visage-s3-'));

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = ACCESS_KEY;
  process.env.AWS_SECRET_ACCESS_KEY = 'visage-test-secret';
  await new Promise<void>((resolve) => s3.server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(s3.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  s3.server.closeAllConnections();
  await new Promise((resolve) => s3.server.close(resolve));
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
const sha256Hex = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('S3Storage through the AWS SDK against an HTTP endpoint', () => {
  const orgId = '0190f7a0-0000-7000-8000-0000000000aa';
  const key = storageKey(orgId, '0190f7a0-0000-7000-8000-0000000000bb', new Date('2026-07-01T00:00:00Z'));
  const storage = () => new S3Storage({ bucket: BUCKET, endpoint, region: 'eu-central-1', forcePathStyle: true });

  it('puts path-style with type, length, SHA-256 and a SigV4 signature from AWS_* variables; gets and deletes', async () => {
    const s = storage();
    await s.put(key, Readable.from([PDF]), { contentType: 'application/pdf', sizeBytes: PDF.length, sha256: sha256Hex(PDF) });
    const put = s3.seen.at(-1)!;
    expect(put.method).toBe('PUT');
    expect(put.path).toBe(`/${BUCKET}/${key}`);
    expect(put.headers['content-type']).toBe('application/pdf');
    expect(put.headers['content-length']).toBe(String(PDF.length));
    expect(put.headers['content-encoding']).toBeUndefined();
    expect(put.headers.authorization).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${ACCESS_KEY}/\\d{8}/eu-central-1/s3/aws4_request, SignedHeaders=[^,]*x-amz-checksum-sha256`));
    expect(s3.objects.get(key)!.body.equals(PDF)).toBe(true);

    expect(await digestOf(await s.get(key))).toEqual({ sha256: sha256Hex(PDF), sizeBytes: PDF.length });
    await s.delete(key);
    expect(s3.objects.has(key)).toBe(false);
    await expect(s.get(key)).rejects.toBeInstanceOf(StoredObjectMissing);
  });

  it('fails the put when the bytes do not match the SHA-256 it declares', async () => {
    await expect(storage().put(key, Readable.from([PDF]), { contentType: 'application/pdf', sizeBytes: PDF.length, sha256: sha256Hex(Buffer.from('other')) }))
      .rejects.toThrow(/BadDigest/);
    expect(s3.objects.has(key)).toBe(false);
  });
});

describe('files API with STORAGE_DRIVER=s3', () => {
  let t: TestVisage;
  beforeAll(async () => {
    t = await testVisage({ config: { dataDir, storage: { driver: 's3', s3Bucket: BUCKET, s3Endpoint: endpoint, s3Region: 'us-east-1', s3ForcePathStyle: true } } });
  });
  afterAll(async () => { await t?.close(); });

  it('stores uploads in the bucket under <org>/<yyyy>/<mm>/<id>, serves them verified, and refuses tampered objects', async () => {
    const o = await t.owner();
    const form = new FormData();
    form.append('kind', 'document');
    form.append('file', new Blob([new Uint8Array(PDF)]), 'referral.pdf');
    const up = await t.call('POST', '/api/files', { token: o.token, body: form });
    expect(up.status).toBe(201);

    const now = new Date();
    const key = `${o.orgId}/${now.getUTCFullYear()}/${String(now.getUTCMonth() + 1).padStart(2, '0')}/${up.body.id}`;
    expect(s3.objects.get(key)).toEqual({ body: PDF, contentType: 'application/pdf' });
    expect(fs.existsSync(path.join(dataDir, 'files'))).toBe(false);

    const get = () => t.app.inject({ method: 'GET', url: `/api/files/${up.body.id}/content`, headers: { authorization: `Bearer ${o.token}` } });
    const ok = await get();
    expect(ok.statusCode).toBe(200);
    expect(ok.rawPayload.equals(PDF)).toBe(true);

    s3.objects.set(key, { body: Buffer.from(PDF.toString().replace('1 0 obj', '2 0 obj')), contentType: 'application/pdf' });
    const tampered = await get();
    expect(tampered.statusCode).toBe(500);
    expect(tampered.json().code).toBe('file_integrity_failed');
  });
});
