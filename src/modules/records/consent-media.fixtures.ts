/** Test fixtures for consent, screening and media: patients, treatments and sessions written directly, uploads through the API. */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import type { TestVisage } from '../../../test/helpers.js';

export interface Caller { token: string; orgId: string; userId?: string }

const asOrg = <T>(t: TestVisage, orgId: string, fn: (q: <R = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<R[]>) => Promise<T>) =>
  t.db.run({ scope: 'tenant', orgId }, (tx) => fn((sql, params) => tx.query(sql, params)));

let seq = 0;

export async function addPatient(t: TestVisage, orgId: string, fullName = 'Lin Mei-Hua'): Promise<{ id: string; code: string }> {
  const id = randomUUID();
  const code = `PAT-2026-${String(++seq).padStart(6, '0')}`;
  await asOrg(t, orgId, (q) => q('INSERT INTO patients (id, org_id, code, full_name) VALUES ($1, $2, $3, $4)', [id, orgId, code, fullName]));
  return { id, code };
}

export interface TreatmentSpec {
  code: string; name?: string; category?: string; unit?: string; consentRequired?: boolean; contraindications?: string[]; ingredients?: string[];
}

export async function addTreatment(t: TestVisage, orgId: string, s: TreatmentSpec): Promise<string> {
  const id = randomUUID();
  await asOrg(t, orgId, (q) => q(
    `INSERT INTO treatments (id, org_id, code, name, category, default_unit, currency, consent_required, contraindications, ingredients)
     VALUES ($1, $2, $3, $4, $5, $6, 'TWD', $7, $8, $9)`,
    [id, orgId, s.code, s.name ?? s.code, s.category ?? 'Injection', s.unit ?? 'U', s.consentRequired ?? false, s.contraindications ?? [], s.ingredients ?? []]));
  return id;
}

/** A session row as P2's endpoint would write it (number 1 of the patient and treatment unless given). */
export async function addSession(t: TestVisage, orgId: string, patientId: string, treatmentId: string, sessionNo = 1): Promise<string> {
  const id = randomUUID();
  await asOrg(t, orgId, (q) => q(
    `INSERT INTO treatment_sessions (id, org_id, patient_id, treatment_id, session_no, performed_at, signed_at) VALUES ($1, $2, $3, $4, $5, now(), now())`,
    [id, orgId, patientId, treatmentId, sessionNo]));
  return id;
}

/** A drawn-looking signature as a PNG data URL (a transparent canvas with a stroke). */
export async function signatureDataUrl(): Promise<string> {
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="600" height="200"><path d="M20 150 C 120 20, 220 20, 300 130 S 480 190, 580 40" stroke="#000" stroke-width="5" fill="none"/></svg>';
  return `data:image/png;base64,${(await sharp(Buffer.from(svg)).png().toBuffer()).toString('base64')}`;
}

export async function jpeg(width: number, height: number, color = '#c08070'): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: color } }).jpeg().toBuffer();
}

/** Uploads bytes through POST /api/files. */
export async function upload(t: TestVisage, who: Caller, kind: string, data: Buffer, name: string, type: string): Promise<{ id: string; sha256: string }> {
  const f = new FormData();
  f.append('kind', kind);
  f.append('file', new Blob([new Uint8Array(data)], { type }), name);
  const res = await t.call('POST', '/api/files', { token: who.token, org: who.orgId, body: f });
  if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Raw bytes of a GET (files, documents, thumbnails). */
export async function download(t: TestVisage, who: Caller, url: string) {
  const res = await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${who.token}`, 'x-org-id': who.orgId } });
  return { status: res.statusCode, headers: res.headers, bytes: res.rawPayload, json: () => res.json() };
}

/** The stored object of a file, found on disk under DATA_DIR/files (keys end with the file id). */
export function storedPath(dataDir: string, fileId: string): string {
  const dir = path.join(dataDir, 'files');
  const rel = (fs.readdirSync(dir, { recursive: true }) as string[]).find((p) => p.endsWith(fileId));
  if (!rel) throw new Error(`no stored file for ${fileId}`);
  return path.join(dir, rel);
}

export { asOrg };
