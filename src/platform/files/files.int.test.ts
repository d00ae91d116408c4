import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testVisage, uniqueEmail, type TestVisage } from '../../../test/helpers.js';
import { addMember } from '../../modules/identity/index.js';

const MAX_UPLOAD = 200 * 1024;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'visage-files-'));
const filesDir = path.join(dataDir, 'files');
const stagingDir = path.join(dataDir, 'tmp', 'uploads');

let t: TestVisage;
beforeAll(async () => { t = await testVisage({ config: { dataDir, maxUploadBytes: MAX_UPLOAD } }); });
afterAll(async () => {
  await t?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

/** A 40x20 JPEG whose EXIF says "rotate 90°" and carries a GPS position and the camera make. */
async function jpegWithGps(): Promise<Buffer> {
  return sharp({ create: { width: 40, height: 20, channels: 3, background: '#c08080' } })
    .jpeg()
    .withMetadata({ orientation: 6 })
    .withExif({ IFD0: { Make: 'AcmeCam' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '25/1 2/1 0/1', GPSLongitudeRef: 'E', GPSLongitude: '121/1 33/1 0/1' } })
    .toBuffer();
}

/** Whether a TIFF-structured EXIF block has a GPS IFD pointer (tag 0x8825). */
function hasGpsIfd(exif: Buffer): boolean {
  const littleEndian = exif.subarray(6, 8).toString('latin1') === 'II';
  return exif.includes(Buffer.from(littleEndian ? [0x25, 0x88] : [0x88, 0x25]));
}

interface Part { data: Buffer; name: string; type?: string }

function form(fields: Record<string, string>, file?: Part, fileFirst = false): FormData {
  const f = new FormData();
  const addFile = () => { if (file) f.append('file', new Blob([new Uint8Array(file.data)], { type: file.type ?? 'application/octet-stream' }), file.name); };
  if (fileFirst) addFile();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  if (!fileFirst) addFile();
  return f;
}

/** Who calls: a token acting in an organization. */
interface Caller { token: string; orgId: string }

const call = (who: Caller, method: string, url: string) => t.call(method, url, { token: who.token, org: who.orgId });

const upload = (who: Caller, fields: Record<string, string>, file?: Part, fileFirst = false) =>
  t.call('POST', '/api/files', { token: who.token, org: who.orgId, body: form(fields, file, fileFirst) });

async function download(who: Caller, id: string, query = '') {
  const res = await t.app.inject({
    method: 'GET', url: `/api/files/${id}/content${query}`, headers: { authorization: `Bearer ${who.token}`, 'x-org-id': who.orgId },
  });
  return { status: res.statusCode, headers: res.headers, bytes: res.rawPayload, json: () => res.json() };
}

/** The stored file of a row, found on disk by its id (keys end with the file id). */
function storedPath(fileId: string): string {
  const rel = (fs.readdirSync(filesDir, { recursive: true }) as string[]).find((p) => p.endsWith(fileId));
  if (!rel) throw new Error(`no stored file for ${fileId}`);
  return path.join(filesDir, rel);
}

/** A new user who joins the owner's organization with one role. */
async function member(owner: Caller & { userId: string }, role: string): Promise<Caller> {
  const s = await t.call('POST', '/api/auth/signup', { body: { email: uniqueEmail(role), password: 'correct horse battery staple', full_name: `A ${role}` } });
  await t.db.run({ scope: 'tenant', orgId: owner.orgId, userId: owner.userId }, (tx) => addMember(tx, s.body.user.id, [role]));
  return { token: s.body.token as string, orgId: owner.orgId };
}

const auditOf = async (who: Caller, fileId: string) =>
  (await call(who, 'GET', `/api/audit?entity_type=file&entity_id=${fileId}`)).body.items as { action: string; outcome: string; details: Record<string, unknown> }[];

describe('uploading and downloading files', () => {
  it('strips EXIF (GPS, camera) from a photo, applies its orientation, and serves the stored bytes with safe headers', async () => {
    const o = await t.owner();
    const original = await jpegWithGps();
    const before = await sharp(original).metadata();
    expect(before.orientation).toBe(6);
    expect(hasGpsIfd(before.exif!)).toBe(true);

    const patientId = randomUUID();
    const res = await upload(o, { kind: 'photo', entity_type: 'patient', entity_id: patientId },
      { data: original, name: 'C:\\fakepath\\Before — 正面.jpg', type: 'application/octet-stream' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ kind: 'photo', entity_type: 'patient', entity_id: patientId, original_name: 'Before — 正面.jpg', content_type: 'image/jpeg' });

    const got = await download(o, res.body.id);
    expect(got.status).toBe(200);
    expect(got.headers['content-type']).toBe('image/jpeg');
    expect(got.headers['x-content-type-options']).toBe('nosniff');
    expect(got.headers['cache-control']).toBe('private, no-store');
    expect(got.headers['content-disposition']).toBe(`attachment; filename="Before _ __.jpg"; filename*=UTF-8''Before%20%E2%80%94%20%E6%AD%A3%E9%9D%A2.jpg`);
    expect(got.bytes.length).toBe(res.body.size_bytes);
    expect(sha256(got.bytes)).toBe(res.body.sha256);

    const after = await sharp(got.bytes).metadata();
    expect(after.exif).toBeUndefined();
    expect(got.bytes.includes(Buffer.from('AcmeCam'))).toBe(false);
    expect([after.width, after.height, after.orientation]).toEqual([20, 40, undefined]);

    const inline = await download(o, res.body.id, '?inline=1');
    expect(inline.headers['content-disposition']).toMatch(/^inline; /);
  });

  it('accepts fields after the file part and keeps a PDF byte for byte; a PDF is never sent inline', async () => {
    const o = await t.owner();
    const res = await upload(o, { kind: 'document' }, { data: PDF, name: 'consent.pdf', type: 'image/png' }, true);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ content_type: 'application/pdf', size_bytes: PDF.length, sha256: sha256(PDF), entity_type: null });
    const got = await download(o, res.body.id, '?inline=1');
    expect(got.bytes.equals(PDF)).toBe(true);
    expect(got.headers['content-disposition']).toMatch(/^attachment; /);
  });

  it('judges the type by the bytes, not the declared type or name: mismatches are 415 unsupported_file_type', async () => {
    const o = await t.owner();
    const pdfAsPhoto = await upload(o, { kind: 'photo' }, { data: PDF, name: 'selfie.jpg', type: 'image/jpeg' });
    expect(pdfAsPhoto.status).toBe(415);
    expect(pdfAsPhoto.body.code).toBe('unsupported_file_type');
    const htmlAsPdf = await upload(o, { kind: 'document' }, { data: Buffer.from('<html><script>alert(1)</script></html>'), name: 'report.pdf', type: 'application/pdf' });
    expect(htmlAsPdf.status).toBe(415);
    const jpegSignature = await upload(o, { kind: 'signature' }, { data: await jpegWithGps(), name: 'sig.png', type: 'image/png' });
    expect(jpegSignature.status).toBe(201);
    expect(jpegSignature.body.content_type).toBe('image/jpeg');
    expect((await call(o, 'GET', '/api/files')).body.items.map((f: { kind: string }) => f.kind)).toEqual(['signature']);
  });

  it('refuses a HEIC photo it cannot decode (its location could not be removed) and a damaged JPEG', async () => {
    const o = await t.owner();
    const ftyp = Buffer.alloc(24);
    ftyp.writeUInt32BE(24, 0);
    ftyp.write('ftypheic', 4);
    ftyp.write('mif1heic', 16);
    const heic = await upload(o, { kind: 'photo' }, { data: Buffer.concat([ftyp, Buffer.alloc(256)]), name: 'IMG_0001.HEIC' });
    expect(heic.status).toBe(415);
    expect(heic.body.detail).toMatch(/HEIC/);
    const damaged = await upload(o, { kind: 'photo' }, { data: (await jpegWithGps()).subarray(0, 300), name: 'cut.jpg' });
    expect(damaged.status).toBe(422);
    expect(damaged.body.code).toBe('invalid_file');
  });

  it('refuses a file over MAX_UPLOAD_BYTES with 413 file_too_large and keeps nothing of it', async () => {
    const o = await t.owner();
    const big = Buffer.concat([PDF, Buffer.alloc(MAX_UPLOAD + 1, 0x20)]);
    const res = await upload(o, { kind: 'document' }, { data: big, name: 'big.pdf' });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('file_too_large');
    expect(fs.readdirSync(stagingDir)).toEqual([]);
    expect(fs.existsSync(path.join(filesDir, o.orgId))).toBe(false);
    expect((await call(o, 'GET', '/api/files')).body.items).toEqual([]);
  });

  it('validates the form fields with pointers and asks for multipart', async () => {
    const o = await t.owner();
    const noKind = await upload(o, {}, { data: PDF, name: 'a.pdf' });
    expect(noKind.status).toBe(422);
    expect(noKind.body.errors).toEqual([expect.objectContaining({ pointer: '/kind' })]);
    const halfLink = await upload(o, { kind: 'document', entity_id: randomUUID() }, { data: PDF, name: 'a.pdf' });
    expect(halfLink.body.errors).toEqual([expect.objectContaining({ pointer: '/entity_id' })]);
    const twoFiles = form({ kind: 'document' }, { data: PDF, name: 'a.pdf' });
    twoFiles.append('file', new Blob([new Uint8Array(PDF)]), 'b.pdf');
    expect((await t.call('POST', '/api/files', { token: o.token, body: twoFiles })).status).toBe(400);
    const noFile = await upload(o, { kind: 'document' });
    expect(noFile.status).toBe(422);
    expect(noFile.body.errors).toEqual([expect.objectContaining({ pointer: '/file' })]);
    const json = await t.call('POST', '/api/files', { token: o.token, body: { kind: 'document' } });
    expect(json.status).toBe(415);
    expect(fs.readdirSync(stagingDir)).toEqual([]);
  });
});

describe('retried uploads', () => {
  it('answers a retry with the same Idempotency-Key, fields and bytes with the first file, stores one; other bytes under the key are 422', async () => {
    const o = await t.owner();
    const send = (key: string, data: Buffer) => t.call('POST', '/api/files', {
      token: o.token, org: o.orgId, headers: { 'idempotency-key': key }, body: form({ kind: 'document' }, { data, name: 'waiver.pdf', type: 'application/pdf' }),
    });
    const first = await send('upload-1', PDF);
    expect(first.status).toBe(201);
    const again = await send('upload-1', PDF);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    // Ten at once with a new key: one file.
    const burst = await Promise.all(Array.from({ length: 10 }, () => send('upload-2', PDF)));
    expect(burst.map((r) => r.status)).toEqual(Array(10).fill(201));
    expect(new Set(burst.map((r) => r.body.id)).size).toBe(1);
    const listed = (await call(o, 'GET', '/api/files?limit=50')).body.items as { id: string }[];
    expect(listed.map((f) => f.id).sort()).toEqual([first.body.id, burst[0]!.body.id].sort());
    // Only the two files' bytes stay on disk: the retries' copies were removed.
    const stored = (fs.readdirSync(path.join(filesDir, o.orgId), { recursive: true }) as string[]).filter((p) => fs.statSync(path.join(filesDir, o.orgId, p)).isFile());
    expect(stored).toHaveLength(2);
    // The same key with other bytes is a different request.
    const other = await send('upload-1', Buffer.concat([PDF, Buffer.from('% another\n')]));
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('idempotency_key_reused');
  });
});

describe('stored bytes are verified on download', () => {
  it('answers 500 file_integrity_failed for a tampered or missing file and audits the failure', async () => {
    const o = await t.owner();
    const up = await upload(o, { kind: 'document' }, { data: PDF, name: 'lab.pdf' });
    const stored = storedPath(up.body.id);
    const tampered = Buffer.from(PDF);
    tampered[10] = tampered[10]! ^ 0xff;
    fs.writeFileSync(stored, tampered);

    const got = await download(o, up.body.id);
    expect(got.status).toBe(500);
    expect(got.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(got.json().code).toBe('file_integrity_failed');
    const events = await auditOf(o, up.body.id);
    expect(events.find((e) => e.action === 'download')).toMatchObject({ outcome: 'failure', details: { reason: 'altered' } });

    fs.rmSync(stored);
    const missing = await download(o, up.body.id);
    expect(missing.status).toBe(500);
    expect(missing.json().code).toBe('file_integrity_failed');
    expect((await auditOf(o, up.body.id)).find((e) => e.action === 'download')).toMatchObject({ outcome: 'failure', details: { reason: 'missing' } });
  });
});

describe('metadata, lists and deletion', () => {
  it('lists by entity and kind with cursor pagination, soft-deletes, and audits every step', async () => {
    const o = await t.owner();
    const patient = randomUUID();
    const ids: string[] = [];
    for (const name of ['a.pdf', 'b.pdf', 'c.pdf']) {
      ids.push((await upload(o, { kind: 'scan', entity_type: 'patient', entity_id: patient }, { data: PDF, name })).body.id);
    }
    await upload(o, { kind: 'document', entity_type: 'patient', entity_id: randomUUID() }, { data: PDF, name: 'other.pdf' });

    const first = await call(o, 'GET', `/api/files?entity_type=patient&entity_id=${patient}&limit=2`);
    expect(first.body.items.map((f: { original_name: string }) => f.original_name)).toEqual(['c.pdf', 'b.pdf']);
    const second = await call(o, 'GET', `/api/files?entity_type=patient&entity_id=${patient}&limit=2&cursor=${first.body.next_cursor}`);
    expect(second.body).toEqual({ items: [expect.objectContaining({ original_name: 'a.pdf' })], next_cursor: null });
    expect((await call(o, 'GET', '/api/files?kind=document')).body.items).toHaveLength(1);

    const meta = await call(o, 'GET', `/api/files/${ids[0]}`);
    expect(meta.body).toEqual({
      id: ids[0], kind: 'scan', entity_type: 'patient', entity_id: patient, original_name: 'a.pdf', content_type: 'application/pdf',
      size_bytes: PDF.length, sha256: sha256(PDF), created_at: expect.any(String),
    });
    await download(o, ids[0]!);

    expect((await call(o, 'DELETE', `/api/files/${ids[0]}`)).status).toBe(204);
    expect((await call(o, 'GET', `/api/files/${ids[0]}`)).status).toBe(404);
    expect((await download(o, ids[0]!)).status).toBe(404);
    expect((await call(o, 'DELETE', `/api/files/${ids[0]}`)).status).toBe(404);
    expect((await call(o, 'GET', `/api/files?entity_id=${patient}&entity_type=patient`)).body.items).toHaveLength(2);
    expect(fs.existsSync(storedPath(ids[0]!))).toBe(true);

    const actions = (await auditOf(o, ids[0]!)).map((e) => `${e.action}:${e.outcome}`).reverse();
    expect(actions).toEqual(['create:success', 'read:success', 'download:success', 'delete:success']);
    const lists = (await call(o, 'GET', '/api/audit?entity_type=file&action=list')).body.items;
    expect(lists.length).toBe(4);
    expect(lists.at(-1).details).toMatchObject({ entity_type: 'patient', entity_id: patient, count: 2 });
  });
});

describe('access', () => {
  it("answers 404 for another organization's file exactly as for a missing id", async () => {
    const a = await t.owner({ orgName: 'Clinic A' });
    const b = await t.owner({ orgName: 'Clinic B' });
    const file = (await upload(a, { kind: 'document' }, { data: PDF, name: 'a.pdf' })).body.id as string;
    const missing = randomUUID();
    for (const [method, suffix] of [['GET', ''], ['GET', '/content'], ['DELETE', '']] as const) {
      const theirs = await call(b, method, `/api/files/${file}${suffix}`);
      const none = await call(b, method, `/api/files/${missing}${suffix}`);
      expect(theirs.status).toBe(404);
      expect({ ...theirs.body, instance: null, request_id: null }).toEqual({ ...none.body, instance: null, request_id: null });
    }
    expect((await call(b, 'GET', '/api/files')).body.items).toEqual([]);
    expect((await download(a, file)).status).toBe(200);
  });

  it('lets front-desk staff handle documents but not clinical photos; refusals are audited', async () => {
    const o = await t.owner();
    const desk = await member(o, 'front_desk');
    const photo = (await upload(o, { kind: 'photo' }, { data: await jpegWithGps(), name: 'before.jpg' })).body.id as string;

    expect((await upload(desk, { kind: 'document' }, { data: PDF, name: 'id-card.pdf' })).status).toBe(201);
    const denied = await upload(desk, { kind: 'photo' }, { data: await jpegWithGps(), name: 'after.jpg' });
    expect(denied.status).toBe(403);
    expect(denied.body.detail).toMatch(/photo\.write/);
    expect((await call(desk, 'GET', `/api/files/${photo}`)).status).toBe(403);
    expect((await download(desk, photo)).status).toBe(403);
    expect((await call(desk, 'DELETE', `/api/files/${photo}`)).status).toBe(403);
    expect((await call(desk, 'GET', '/api/files')).body.items.map((f: { kind: string }) => f.kind)).toEqual(['document']);
    expect((await call(o, 'GET', '/api/files')).body.items).toHaveLength(2);

    const refusals = (await auditOf(o, photo)).filter((e) => e.outcome === 'denied').map((e) => e.details.permission);
    expect(refusals.sort()).toEqual(['photo.read', 'photo.read', 'photo.write']);
    expect((await download(o, photo)).status).toBe(200);
  });

  it('refuses callers without file permissions and anonymous callers', async () => {
    const o = await t.owner();
    const marketer = await member(o, 'marketer');
    const file = (await upload(o, { kind: 'document' }, { data: PDF, name: 'a.pdf' })).body.id as string;
    expect((await download(marketer, file)).status).toBe(403);
    expect((await upload(marketer, { kind: 'document' }, { data: PDF, name: 'b.pdf' })).status).toBe(403);
    expect((await t.call('GET', `/api/files/${file}/content`)).status).toBe(401);
    expect((await t.call('POST', '/api/files', { body: form({ kind: 'document' }, { data: PDF, name: 'c.pdf' }) })).status).toBe(401);
  });
});
