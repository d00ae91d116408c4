import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testVisage, type TestVisage } from '../../../test/helpers.js';
import { audited, joinAs } from '../identity/invitations.fixtures.js';
import { addPatient, addSession, addTreatment, download, jpeg, upload, type Caller } from './consent-media.fixtures.js';

let t: TestVisage;
beforeAll(async () => { t = await testVisage(); });
afterAll(async () => { await t?.close(); });

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const call = (who: Caller, method: string, url: string, body?: unknown) => t.call(method, url, { token: who.token, org: who.orgId, body });
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

async function clinic() {
  const owner = await t.owner();
  const treatmentId = await addTreatment(t, owner.orgId, { code: 'BOT_MASSETER' });
  const patient = await addPatient(t, owner.orgId);
  const sessionId = await addSession(t, owner.orgId, patient.id, treatmentId);
  return { owner, treatmentId, patient, sessionId };
}

async function photo(who: Caller, patientId: string, body: Record<string, unknown> = {}, size: [number, number] = [1200, 800]) {
  const file = await upload(t, who, 'photo', await jpeg(size[0], size[1]), 'face.jpg', 'image/jpeg');
  const res = await call(who, 'POST', `/api/patients/${patientId}/photos`, { file_id: file.id, media_type: 'before', angle: 'front', ...body });
  return { file, res };
}

describe('documents', () => {
  it('files an upload under a type, lists by type, changes notes and type, deletes softly', async () => {
    const { owner, patient } = await clinic();
    const file = await upload(t, owner, 'document', PDF, 'waiver.pdf', 'application/pdf');
    const created = await call(owner, 'POST', `/api/patients/${patient.id}/documents`, { type: 'WAIVER', file_id: file.id, notes: 'Signed at reception' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ type: 'WAIVER', original_name: 'waiver.pdf', content_type: 'application/pdf', content_url: `/api/files/${file.id}/content` });
    const id = await upload(t, owner, 'scan', PDF, 'passport.pdf', 'application/pdf');
    await call(owner, 'POST', `/api/patients/${patient.id}/documents`, { type: 'ID_DOCUMENT', file_id: id.id });

    const waivers = await call(owner, 'GET', `/api/patients/${patient.id}/documents?type=WAIVER`);
    expect(waivers.body.items.map((d: { id: string }) => d.id)).toEqual([created.body.id]);
    expect((await call(owner, 'GET', `/api/patients/${patient.id}/documents`)).body.items).toHaveLength(2);

    const patched = await call(owner, 'PATCH', `/api/documents/${created.body.id}`, { type: 'CONSENT_FORM', notes: null });
    expect(patched.body).toMatchObject({ type: 'CONSENT_FORM', notes: null });
    expect((await call(owner, 'DELETE', `/api/documents/${created.body.id}`)).status).toBe(204);
    expect((await call(owner, 'GET', `/api/documents/${created.body.id}`)).status).toBe(404);
    expect((await call(owner, 'GET', `/api/patients/${patient.id}/documents`)).body.items.map((d: { type: string }) => d.type)).toEqual(['ID_DOCUMENT']);

    const missing = await call(owner, 'POST', `/api/patients/${patient.id}/documents`, { type: 'OTHER', file_id: crypto.randomUUID() });
    expect(missing.status).toBe(422);
    expect((await call(owner, 'POST', `/api/patients/${patient.id}/documents`, { type: 'SELFIE', file_id: file.id })).status).toBe(422);

    // A PHOTO is a file uploaded as a photo: its kind is what hides it from roles without photo.read.
    const asPhoto = await call(owner, 'POST', `/api/patients/${patient.id}/documents`, { type: 'PHOTO', file_id: id.id });
    expect(asPhoto.status).toBe(422);
    expect(asPhoto.body.errors).toEqual([expect.objectContaining({ pointer: '/type' })]);
    const idDoc = (await call(owner, 'GET', `/api/patients/${patient.id}/documents`)).body.items[0];
    const retyped = await call(owner, 'PATCH', `/api/documents/${idDoc.id}`, { type: 'PHOTO' });
    expect(retyped.status).toBe(422);
    expect((await call(owner, 'GET', `/api/documents/${idDoc.id}`)).body.type).toBe('ID_DOCUMENT');
    const photo = await upload(t, owner, 'photo', await sharp({ create: { width: 4, height: 4, channels: 3, background: '#c98' } }).png().toBuffer(), 'face.png', 'image/png');
    expect((await call(owner, 'POST', `/api/patients/${patient.id}/documents`, { type: 'PHOTO', file_id: photo.id })).status).toBe(201);
  });
});

describe('photos', () => {
  it('stores a photo with a 320 px thumbnail, both served verified', async () => {
    const { owner, patient, sessionId } = await clinic();
    const { file, res } = await photo(owner, patient.id, { session_id: sessionId, angle: 'left45', captured_at: '2026-03-01T10:00:00+08:00' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ session_id: sessionId, angle: 'left45', media_type: 'before', captured_at: '2026-03-01T02:00:00.000Z', marketing_consent: false });
    expect(res.body.thumbnail_file_id).toBeTruthy();

    const thumb = await download(t, owner, res.body.thumbnail_url);
    expect(thumb.status).toBe(200);
    const meta = await sharp(thumb.bytes).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 320, 213]);
    const content = await download(t, owner, res.body.content_url);
    expect(sha256(content.bytes)).toBe(file.sha256);

    const bySession = await call(owner, 'GET', `/api/patients/${patient.id}/photos?session_id=${sessionId}`);
    expect(bySession.body.items.map((p: { id: string }) => p.id)).toEqual([res.body.id]);
    const doc = await upload(t, owner, 'document', PDF, 'x.pdf', 'application/pdf');
    const notPhoto = await call(owner, 'POST', `/api/patients/${patient.id}/photos`, { file_id: doc.id, media_type: 'after' });
    expect(notPhoto.status).toBe(422);
    expect(notPhoto.body.errors[0].pointer).toBe('/file_id');
  });

  it('compares two photos of one patient and refuses two patients', async () => {
    const { owner, patient, treatmentId } = await clinic();
    const before = (await photo(owner, patient.id, { captured_at: '2026-01-01T09:00:00Z' })).res.body;
    const after = (await photo(owner, patient.id, { media_type: 'after', captured_at: '2026-01-15T09:00:00Z' })).res.body;
    const cmp = await call(owner, 'GET', `/api/photos/compare?before=${before.id}&after=${after.id}`);
    expect(cmp.status).toBe(200);
    expect(cmp.body).toMatchObject({ patient_id: patient.id, days_between: 14, before: { id: before.id, thumbnail_url: before.thumbnail_url }, after: { id: after.id } });

    const someoneElse = await addPatient(t, owner.orgId, 'Chen Ya-Ting');
    const theirs = (await photo(owner, someoneElse.id)).res.body;
    const refused = await call(owner, 'GET', `/api/photos/compare?before=${before.id}&after=${theirs.id}`);
    expect(refused.status).toBe(422);
    // A session of another patient cannot hold this patient's photo.
    const theirSession = await addSession(t, owner.orgId, someoneElse.id, treatmentId);
    expect((await photo(owner, patient.id, { session_id: theirSession })).res.status).toBe(422);
  });

  it('lists for marketing only photos with marketing consent, recorded with its time and audited', async () => {
    const { owner, patient } = await clinic();
    const a = (await photo(owner, patient.id)).res.body;
    const b = (await photo(owner, patient.id, { marketing_consent: true })).res.body;
    expect(b.marketing_consent_at).not.toBeNull();
    const marketing = async () => (await call(owner, 'GET', '/api/photos?marketing=true')).body.items.map((p: { id: string }) => p.id);
    expect(await marketing()).toEqual([b.id]);

    const { res, events } = await audited(t, owner.orgId, 'PATCH', `/api/photos/${a.id}`, { token: owner.token, org: owner.orgId, body: { marketing_consent: true } });
    expect(res.body.marketing_consent).toBe(true);
    expect(res.body.marketing_consent_at).not.toBeNull();
    expect(events.map((e) => e.action)).toEqual(['marketing_consent_granted']);
    expect((await marketing()).sort()).toEqual([a.id, b.id].sort());

    const withdrawn = await audited(t, owner.orgId, 'PATCH', `/api/photos/${b.id}`, { token: owner.token, org: owner.orgId, body: { marketing_consent: false } });
    expect(withdrawn.events.map((e) => e.action)).toEqual(['marketing_consent_withdrawn']);
    expect(await marketing()).toEqual([a.id]);
    // Clinical use is unaffected: the chart still lists both.
    expect((await call(owner, 'GET', `/api/patients/${patient.id}/photos`)).body.items).toHaveLength(2);
    expect((await call(owner, 'DELETE', `/api/photos/${a.id}`)).status).toBe(204);
    expect(await marketing()).toEqual([]);
  });
});

describe('access', () => {
  it('another organization gets 404, a marketer 403', async () => {
    const { owner, patient } = await clinic();
    const p = (await photo(owner, patient.id, { marketing_consent: true })).res.body;
    const file = await upload(t, owner, 'document', PDF, 'id.pdf', 'application/pdf');
    const d = (await call(owner, 'POST', `/api/patients/${patient.id}/documents`, { type: 'ID_DOCUMENT', file_id: file.id })).body;

    const other = await t.owner();
    for (const url of [`/api/photos/${p.id}`, `/api/photos/${p.id}/thumbnail`, `/api/photos/${p.id}/content`, `/api/patients/${patient.id}/photos`,
      `/api/documents/${d.id}`, `/api/patients/${patient.id}/documents`, `/api/photos/compare?before=${p.id}&after=${p.id}`]) {
      expect((await call(other, 'GET', url)).status, url).toBe(404);
    }
    expect((await call(other, 'GET', '/api/photos?marketing=true')).body.items).toEqual([]);
    expect((await call(other, 'PATCH', `/api/photos/${p.id}`, { marketing_consent: false })).status).toBe(404);

    const marketer = await joinAs(t, owner, 'marketer');
    for (const [method, url, body] of [
      ['GET', '/api/photos?marketing=true'], ['GET', `/api/photos/${p.id}`], ['GET', `/api/photos/${p.id}/thumbnail`], ['GET', `/api/photos/${p.id}/content`],
      ['GET', `/api/patients/${patient.id}/photos`], ['POST', `/api/patients/${patient.id}/photos`, { file_id: p.file_id, media_type: 'after' }],
      ['PATCH', `/api/photos/${p.id}`, { marketing_consent: false }], ['DELETE', `/api/photos/${p.id}`], ['GET', `/api/photos/compare?before=${p.id}&after=${p.id}`],
      ['GET', `/api/patients/${patient.id}/documents`], ['POST', `/api/patients/${patient.id}/documents`, { type: 'OTHER', file_id: file.id }],
      ['GET', `/api/documents/${d.id}`], ['PATCH', `/api/documents/${d.id}`, { notes: 'x' }], ['DELETE', `/api/documents/${d.id}`],
    ] as [string, string, unknown?][]) {
      expect((await call(marketer, method, url, body)).status, `${method} ${url}`).toBe(403);
    }
    // Front desk files documents but never sees clinical photos.
    const desk = await joinAs(t, owner, 'front_desk');
    expect((await call(desk, 'GET', `/api/patients/${patient.id}/documents`)).status).toBe(200);
    expect((await call(desk, 'GET', `/api/photos/${p.id}`)).status).toBe(403);
  });
});
