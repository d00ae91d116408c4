import fs from 'node:fs';
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testVisage, type TestVisage } from '../../../test/helpers.js';
import { joinAs } from '../identity/invitations.fixtures.js';
import { AppError } from '../../platform/http/problem.js';
import { checkSessionConsent, flagMissingConsent } from './consent-status.js';
import { addPatient, addTreatment, download, signatureDataUrl, storedPath, type Caller } from './consent-media.fixtures.js';

let t: TestVisage;
beforeAll(async () => { t = await testVisage(); });
afterAll(async () => { await t?.close(); });

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const call = (who: Caller, method: string, url: string, body?: unknown) => t.call(method, url, { token: who.token, org: who.orgId, body });

/** An organization with BOT_MASSETER (consent required), a patient and a published template. */
async function clinic() {
  const owner = await t.owner();
  await call(owner, 'PATCH', `/api/organizations/${owner.orgId}`, { timezone: 'Asia/Taipei' });
  const treatmentId = await addTreatment(t, owner.orgId, { code: 'BOT_MASSETER', name: '美國肉毒瘦小臉', consentRequired: true, ingredients: ['botulinum_toxin'] });
  const patient = await addPatient(t, owner.orgId, '王小明');
  const tpl = await call(owner, 'POST', '/api/consent-templates', { treatment_id: 'BOT_MASSETER', title: '肉毒桿菌注射同意書', body: 'I understand the risks: bruising, headache, asymmetry.' });
  expect(tpl.status).toBe(201);
  return { owner, treatmentId, patient, template: tpl.body };
}

async function sign(who: Caller, patientId: string, extra: Record<string, unknown> = {}) {
  return call(who, 'POST', `/api/patients/${patientId}/consents`, { treatment_id: 'BOT_MASSETER', signed_name: '王小明', signature_png: await signatureDataUrl(), ...extra });
}

/** What P2's session endpoint does: check consent, write the session, flag it when the policy says so. */
async function recordSession(orgId: string, patientId: string, treatmentId: string, sessionNo: number) {
  return t.db.run({ scope: 'tenant', orgId }, async (tx) => {
    const { status } = await checkSessionConsent(tx, patientId, { id: treatmentId, code: 'BOT_MASSETER', consent_required: true });
    const sessionId = await addSessionIn(tx, orgId, patientId, treatmentId, sessionNo);
    const exceptionId = await flagMissingConsent(tx, {}, { patientId, sessionId, treatmentId, status });
    return { status, sessionId, exceptionId };
  });
}
async function addSessionIn(tx: { query: (s: string, p?: unknown[]) => Promise<unknown[]> }, orgId: string, patientId: string, treatmentId: string, sessionNo: number) {
  const id = crypto.randomUUID();
  await tx.query('INSERT INTO treatment_sessions (id, org_id, patient_id, treatment_id, session_no, performed_at, signed_at) VALUES ($1, $2, $3, $4, $5, now(), now())',
    [id, orgId, patientId, treatmentId, sessionNo]);
  return id;
}

describe('consent templates', () => {
  it('versions per treatment: each new version is current and the previous one stops being current', async () => {
    const { owner, template: v1 } = await clinic();
    expect(v1).toMatchObject({ version: 1, is_current: true, treatment_code: 'BOT_MASSETER' });
    const v2 = await call(owner, 'POST', '/api/consent-templates', { treatment_id: v1.treatment_id, title: 'Botulinum toxin consent', body: 'Revised text.' });
    expect(v2.body).toMatchObject({ version: 2, is_current: true });
    expect((await call(owner, 'GET', `/api/consent-templates/${v1.id}`)).body.is_current).toBe(false);
    const current = await call(owner, 'GET', '/api/consent-templates?treatment_id=BOT_MASSETER&current=true');
    expect(current.body.items.map((x: { version: number }) => x.version)).toEqual([2]);
    const all = await call(owner, 'GET', '/api/consent-templates?treatment_id=BOT_MASSETER');
    expect(all.body.items.map((x: { version: number }) => x.version)).toEqual([2, 1]);
    const unknown = await call(owner, 'POST', '/api/consent-templates', { treatment_id: 'NO_SUCH', title: 'x', body: 'y' });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors[0].pointer).toBe('/treatment_id');
  });
});

describe('signing', () => {
  it('stores the signature and a rendered document whose SHA-256 matches the download', async () => {
    const { owner, patient, template } = await clinic();
    const res = await sign(owner, patient.id);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ patient_id: patient.id, template_id: template.id, template_version: 1, signed_name: '王小明', is_current_version: true, withdrawn_at: null });
    expect(res.body.signed_ip).toBeTruthy();

    const doc = await download(t, owner, res.body.document_url);
    expect(doc.status).toBe(200);
    expect(doc.headers['content-type']).toBe('image/png');
    expect(sha256(doc.bytes)).toBe(res.body.document_sha256);
    const meta = await sharp(doc.bytes).metadata();
    expect(meta.width).toBe(1240);
    expect(meta.height).toBeGreaterThan(600);

    const sig = await call(owner, 'GET', `/api/files/${res.body.signature_file_id}`);
    expect(sig.body).toMatchObject({ kind: 'signature', entity_type: 'consent', entity_id: res.body.id, content_type: 'image/png' });
    const docs = await call(owner, 'GET', `/api/patients/${patient.id}/documents?type=CONSENT_FORM`);
    expect(docs.body.items.map((d: { file_id: string }) => d.file_id)).toEqual([res.body.document_file_id]);
    const list = await call(owner, 'GET', `/api/patients/${patient.id}/consents`);
    expect(list.body.items.map((c: { id: string }) => c.id)).toEqual([res.body.id]);
  });

  it('detects a tampered document on download and sends none of it', async () => {
    const { owner, patient } = await clinic();
    const res = await sign(owner, patient.id);
    const file = storedPath(t.visage.deps.config.dataDir, res.body.document_file_id);
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 20]! ^= 0xff;
    fs.writeFileSync(file, bytes);
    const doc = await download(t, owner, res.body.document_url);
    expect(doc.status).toBe(500);
    expect(doc.json().code).toBe('file_integrity_failed');
    expect(doc.headers['content-type']).toContain('application/problem+json');
  });

  it('refuses a superseded version, a missing template, and blank or non-PNG signatures', async () => {
    const { owner, patient, template } = await clinic();
    await call(owner, 'POST', '/api/consent-templates', { treatment_id: 'BOT_MASSETER', title: 'v2', body: 'Second version.' });
    const old = await sign(owner, patient.id, { treatment_id: undefined, template_id: template.id });
    expect(old.status).toBe(409);
    expect(old.body.code).toBe('template_superseded');

    await addTreatment(t, owner.orgId, { code: 'HIFU', category: 'Device', unit: 'shots' });
    const none = await sign(owner, patient.id, { treatment_id: 'HIFU' });
    expect(none.status).toBe(422);
    expect(none.body.errors[0].pointer).toBe('/treatment_id');

    const blank = await sharp({ create: { width: 300, height: 100, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer();
    const b = await sign(owner, patient.id, { signature_png: `data:image/png;base64,${blank.toString('base64')}` });
    expect(b.status).toBe(422);
    expect(b.body.code).toBe('invalid_signature');
    const notPng = await sign(owner, patient.id, { signature_png: `data:image/png;base64,${Buffer.from('GIF89a not really').toString('base64')}` });
    expect(notPng.status).toBe(422);
    const huge = await sign(owner, patient.id, { signature_png: `data:image/png;base64,${'A'.repeat(400_000)}` });
    expect(huge.status).toBe(422);
    expect((await call(owner, 'GET', `/api/patients/${patient.id}/consents`)).body.items).toEqual([]);
  });

  it('withdrawal: the consent stays on record but no longer counts', async () => {
    const { owner, patient } = await clinic();
    const signed = await sign(owner, patient.id);
    const status = () => call(owner, 'GET', `/api/patients/${patient.id}/consent-status?treatment_id=BOT_MASSETER`);
    expect((await status()).body).toMatchObject({ state: 'signed', consent_id: signed.body.id, template_version: 1 });
    const w = await call(owner, 'POST', `/api/consents/${signed.body.id}/withdraw`, { reason: 'Patient changed her mind' });
    expect(w.status).toBe(200);
    expect(w.body.withdrawn_at).not.toBeNull();
    expect((await status()).body.state).toBe('missing');
    expect((await call(owner, 'POST', `/api/consents/${signed.body.id}/withdraw`, {})).body.code).toBe('already_withdrawn');
  });
});

describe('consent policy and the compliance worklist', () => {
  it('flag (default): a session without consent is recorded and listed as an open exception until resolved', async () => {
    const { owner, patient, treatmentId } = await clinic();
    expect((await call(owner, 'GET', `/api/organizations/${owner.orgId}`)).body.consent_policy).toBe('flag');
    const s = await recordSession(owner.orgId, patient.id, treatmentId, 1);
    expect(s.status.state).toBe('missing');
    expect(s.exceptionId).toBeTruthy();

    const open = await call(owner, 'GET', '/api/compliance/exceptions?open=true');
    expect(open.body.items).toHaveLength(1);
    expect(open.body.items[0]).toMatchObject({
      id: s.exceptionId, kind: 'missing_consent', open: true,
      patient: { id: patient.id, code: patient.code, full_name: '王小明' },
      session: { id: s.sessionId, session_no: 1, treatment_code: 'BOT_MASSETER' },
    });
    const resolved = await call(owner, 'POST', `/api/compliance/exceptions/${s.exceptionId}/resolve`, { resolution: 'Consent signed after the session' });
    expect(resolved.body).toMatchObject({ open: false, resolution: 'Consent signed after the session' });
    expect((await call(owner, 'GET', '/api/compliance/exceptions?open=true')).body.items).toEqual([]);
    expect((await call(owner, 'GET', '/api/compliance/exceptions?open=false')).body.items).toHaveLength(1);
    expect((await call(owner, 'POST', `/api/compliance/exceptions/${s.exceptionId}/resolve`, { resolution: 'again' })).status).toBe(409);

    await sign(owner, patient.id);
    const after = await recordSession(owner.orgId, patient.id, treatmentId, 2);
    expect(after.status.state).toBe('signed');
    expect(after.exceptionId).toBeNull();
  });

  it('strict: a session without the current signed version is refused', async () => {
    const { owner, patient, treatmentId } = await clinic();
    const patch = await call(owner, 'PATCH', `/api/organizations/${owner.orgId}`, { consent_policy: 'strict' });
    expect(patch.body.consent_policy).toBe('strict');
    const refused = recordSession(owner.orgId, patient.id, treatmentId, 1);
    await expect(refused).rejects.toBeInstanceOf(AppError);
    await expect(refused).rejects.toMatchObject({ status: 409, code: 'consent_required' });

    await sign(owner, patient.id);
    expect((await recordSession(owner.orgId, patient.id, treatmentId, 1)).status.state).toBe('signed');
    // A new version makes the signed one outdated: refused again until re-signed.
    await call(owner, 'POST', '/api/consent-templates', { treatment_id: 'BOT_MASSETER', title: 'v2', body: 'New risks listed.' });
    await expect(recordSession(owner.orgId, patient.id, treatmentId, 2)).rejects.toMatchObject({ code: 'consent_required' });
    expect((await call(owner, 'GET', '/api/compliance/exceptions?open=true')).body.items).toEqual([]);
    const bad = await call(owner, 'PATCH', `/api/organizations/${owner.orgId}`, { consent_policy: 'sometimes' });
    expect(bad.status).toBe(422);
  });
});

describe('bad input', () => {
  it('answers nasty values with 4xx problems and stores nothing partial', async () => {
    const { owner, patient } = await clinic();
    const nasty = ['\u0000', 'a\u0000b', '\ud800', '<svg onload=alert(1)>', ' ', '𝕏'.repeat(300), '../../etc/passwd', '%00', '\u202e'];
    for (const v of nasty) {
      for (const [url, body] of [
        ['/api/consent-templates', { treatment_id: 'BOT_MASSETER', title: v, body: v }],
        [`/api/patients/${patient.id}/consents`, { treatment_id: v, signed_name: v, signature_png: await signatureDataUrl() }],
        [`/api/patients/${patient.id}/consents`, { treatment_id: 'BOT_MASSETER', signed_name: v, signature_png: `data:image/png;base64,${v}` }],
        [`/api/patients/${patient.id}/intakes`, { answers: { pregnant: v, allergies: [v] } }],
        [`/api/patients/${patient.id}/analyses`, { findings: v }],
      ] as [string, unknown][]) {
        const res = await call(owner, 'POST', url, body);
        expect(res.status, `${url} ${JSON.stringify(body).slice(0, 80)}`).toBeLessThan(500);
        if (res.status >= 400) expect(res.headers['content-type']).toContain('application/problem+json');
      }
    }
    const sig = await sign(owner, patient.id, { signed_name: 'Ann\u0000\u0007 Lee' });
    expect(sig.body.signed_name).toBe('Ann Lee');
    const [row] = await t.db.run({ scope: 'tenant', orgId: owner.orgId }, (tx) => tx.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM files WHERE org_id = $1 AND kind IN ('signature', 'document') AND deleted_at IS NULL", [owner.orgId]));
    expect(row?.n).toBe(2); // only the one successful signing left files behind
  });
});

describe('access', () => {
  it('another organization gets 404, a marketer 403, front desk reads but cannot sign', async () => {
    const { owner, patient, template } = await clinic();
    const signed = await sign(owner, patient.id);
    const ex = await recordSession(owner.orgId, patient.id, (await addTreatment(t, owner.orgId, { code: 'FILLER', consentRequired: true })), 1);

    const other = await t.owner();
    for (const url of [`/api/consents/${signed.body.id}`, `/api/consents/${signed.body.id}/document`, `/api/patients/${patient.id}/consents`,
      `/api/consent-templates/${template.id}`, `/api/compliance/exceptions/${ex.exceptionId}`]) {
      expect((await call(other, 'GET', url)).status, url).toBe(404);
    }
    expect((await call(other, 'GET', '/api/compliance/exceptions')).body.items).toEqual([]);
    expect((await sign(other, patient.id)).status).toBe(404);

    const marketer = await joinAs(t, owner, 'marketer');
    const requests: [string, string, unknown?][] = [
      ['GET', '/api/consent-templates'], ['POST', '/api/consent-templates', { treatment_id: 'BOT_MASSETER', title: 'x', body: 'y' }],
      ['GET', `/api/consent-templates/${template.id}`], ['GET', `/api/patients/${patient.id}/consents`], ['GET', `/api/consents/${signed.body.id}`],
      ['GET', `/api/consents/${signed.body.id}/document`], ['POST', `/api/consents/${signed.body.id}/withdraw`, {}],
      ['GET', `/api/patients/${patient.id}/consent-status?treatment_id=BOT_MASSETER`], ['GET', '/api/compliance/exceptions?open=true'],
      ['POST', `/api/compliance/exceptions/${ex.exceptionId}/resolve`, { resolution: 'x' }],
    ];
    for (const [method, url, body] of requests) expect((await call(marketer, method, url, body)).status, `${method} ${url}`).toBe(403);
    expect((await call(marketer, 'PATCH', `/api/organizations/${owner.orgId}`, { consent_policy: 'strict' })).status).toBe(403);
    expect((await sign(marketer, patient.id)).status).toBe(403);

    const desk = await joinAs(t, owner, 'front_desk');
    expect((await call(desk, 'GET', `/api/patients/${patient.id}/consents`)).status).toBe(200);
    expect((await sign(desk, patient.id)).status).toBe(403);
  });
});
