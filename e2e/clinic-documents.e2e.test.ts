/**
 * The patient documents page in Chromium: filing uploaded files under the document types (picked
 * and dropped), the API's refusal of a file type shown at the file field, the list with type,
 * size and uploader, filtering by type, downloading the exact bytes, changing a document's type
 * and notes, removing one after confirming; a reader without file.write gets no upload form and no
 * edit buttons, front desk (no photo permissions) neither sees nor files clinical photos, and a
 * role without file.read gets a notice and no link on the chart.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { addStaff, browserSuite, type Harness, type Owner, signUpOwner, submitSignIn, switchUser } from './harness.js';

const OWNER = { email: 'owner@clinic-docs-e2e.visage.local', password: 'a studio owner passphrase', full_name: 'Chen Mei-Hua' };
const DESK = { email: 'desk@clinic-docs-e2e.visage.local', password: 'a front desk passphrase', full_name: 'Wang Xiao-Ling' };
const READER = { email: 'reader@clinic-docs-e2e.visage.local', password: 'a records reader passphrase', full_name: 'Huang Li-Ting' };
const CHART_ONLY = { email: 'chart@clinic-docs-e2e.visage.local', password: 'a chart only passphrase', full_name: 'Tsai Yu-Chen' };
const STUDIO = { name: 'Brow Atelier Taipei', type: 'clinic', timezone: 'Asia/Taipei', currency: 'TWD', locale: 'en' };

// A small PDF (the server reads the type from the bytes: %PDF) with a non-ASCII byte, so a text round trip would show.
const CONSENT_PDF = Buffer.concat([
  Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% Microblading consent, signed 2026-11-20\n'),
  Buffer.from([0xe2, 0xe3, 0xcf, 0xd3, 0x0a]),
  Buffer.from('trailer << /Root 1 0 R >>\n%%EOF\n'),
]);
const ID_PDF = Buffer.from('%PDF-1.7\n% National ID card, scanned front and back\ntrailer <<>>\n%%EOF\n');
const CONSENT_NAME = 'Consent_Microblading_Lin.pdf';
const ID_NAME = 'ID card — 林美華.pdf';

let h: Harness;
let page: Page;
let owner: Owner;
let api: Owner['api'];
let patientId: string;
let photoDocId: string;

const shot = (name: string) => page.screenshot({ path: `/tmp/visage-docs-${name}.png`, fullPage: true });
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const rows = () => page.getByTestId('document-row');
const rowNamed = (name: string) => rows().filter({ has: page.locator('[data-testid="document-name"]', { hasText: name }) });
const fileField = () => page.locator('.field', { has: page.getByTestId('documents-file') });

/** POST /api/files as the owner from Node (multipart), as another client would. */
async function uploadAsOwner(kind: string, data: Buffer, name: string, type: string): Promise<string> {
  const form = new FormData();
  form.set('kind', kind);
  form.set('entity_type', 'patient');
  form.set('entity_id', patientId);
  form.set('file', new Blob([new Uint8Array(data)], { type }), name);
  const res = await fetch(`${h.baseUrl}/api/files`, { method: 'POST', body: form, headers: { authorization: `Bearer ${owner.token}`, 'x-org-id': owner.orgId } });
  if (res.status !== 201) throw new Error(`upload -> ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

async function seed() {
  owner = await signUpOwner(h, OWNER, STUDIO);
  ({ api } = owner);
  patientId = (await api('POST', '/api/patients', { full_name: 'Lin Mei-Hua', gender: 'female', date_of_birth: '1990-04-02', phone: '0912-000-111' })).id;
  // A clinical photo filed as a document: only roles with photo.read may see it.
  const jpeg = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#c8a08c' } }).jpeg().toBuffer();
  const photoFile = await uploadAsOwner('photo', jpeg, 'brows-before.jpg', 'image/jpeg');
  photoDocId = (await api('POST', `/api/patients/${patientId}/documents`, { type: 'PHOTO', file_id: photoFile, notes: 'Brows before the first session' })).id;
  await addStaff(h, owner, DESK, 'front_desk');
  await api('POST', '/api/roles', { name: 'records_reader', permissions: ['org.read', 'member.read', 'patient.read', 'file.read'] });
  await addStaff(h, owner, READER, 'records_reader');
  await api('POST', '/api/roles', { name: 'chart_only', permissions: ['org.read', 'patient.read'] });
  await addStaff(h, owner, CHART_ONLY, 'chart_only');
}

async function signIn(user: { email: string; password: string }) {
  await submitSignIn(page, user);
  await page.getByTestId('nav-patients').waitFor();
}

async function openDocumentsFromChart() {
  await page.goto(`${h.baseUrl}/patients/${patientId}`);
  await page.getByTestId('chart-page').waitFor();
  await page.getByTestId('chart-documents').click();
  await page.getByTestId('documents-page').waitFor();
  expect(new URL(page.url()).pathname).toBe(`/patients/${patientId}/documents`);
}

browserSuite('docs', async (harness, p) => {
  h = harness;
  page = p;
  await seed();
});

describe('patient documents in Chromium', () => {
  it('files a PDF under a type after showing what is missing and the API refusing an HTML file', async () => {
    await page.goto(`${h.baseUrl}/patients/${patientId}`);
    await signIn(OWNER);
    await openDocumentsFromChart();
    // The clinical photo filed through the API is the only document.
    await expect.poll(() => rows().count()).toBe(1);
    await expect(rows().first().getAttribute('data-type')).resolves.toBe('PHOTO');

    const form = page.getByTestId('documents-upload');
    // Nothing chosen: said at the file field, nothing stored.
    await form.getByTestId('documents-submit').click();
    await expect.poll(() => fileField().getByTestId('field-error').textContent()).toBe('Choose a file to upload.');
    await expect(page.getByTestId('documents-file').getAttribute('aria-invalid')).resolves.toBe('true');

    // A file but no type: said at the type field.
    await page.getByTestId('documents-file').setInputFiles({ name: CONSENT_NAME, mimeType: 'application/pdf', buffer: CONSENT_PDF });
    await expect(page.getByTestId('documents-chosen').textContent()).resolves.toBe(`Selected: ${CONSENT_NAME} (${CONSENT_PDF.length} byte)`);
    await form.getByTestId('documents-submit').click();
    const typeField = page.locator('.field', { has: page.getByTestId('documents-type') });
    await expect.poll(() => typeField.getByTestId('field-error').textContent()).toBe('Choose the type to file the document under.');

    // An HTML page named .pdf: the API reads the bytes and refuses it; its message shows at the file field.
    await page.getByLabel('Document type').selectOption('OTHER');
    await page.getByTestId('documents-file').setInputFiles({ name: 'report.pdf', mimeType: 'application/pdf', buffer: Buffer.from('<html><script>alert(1)</script></html>') });
    await form.getByTestId('documents-submit').click();
    await expect.poll(() => fileField().getByTestId('field-error').textContent()).toBe('type not allowed');
    await expect(form.getByTestId('form-error').textContent()).resolves.toContain('A document must be one of: application/pdf');
    await shot('refused');
    expect((await api('GET', `/api/patients/${patientId}/documents`)).items).toHaveLength(1);

    // The consent, with notes; the hint says what the type is for.
    await page.getByLabel('Document type').selectOption('CONSENT_FORM');
    await expect(typeField.locator('.hint').textContent()).resolves.toBe('A signed consent for a procedure (paper or scanned).');
    await page.getByTestId('documents-file').setInputFiles({ name: CONSENT_NAME, mimeType: 'application/pdf', buffer: CONSENT_PDF });
    await page.getByLabel('Notes (optional)').fill('Signed consent for microblading');
    await form.getByTestId('documents-submit').click();
    await expect.poll(() => page.getByTestId('documents-filed').textContent()).toBe(`“${CONSENT_NAME}” was filed as Consent form.`);
    // The form is cleared for the next one.
    await expect(page.getByLabel('Document type').inputValue()).resolves.toBe('');
    await expect(page.getByLabel('Notes (optional)').inputValue()).resolves.toBe('');
    await expect(page.getByTestId('documents-chosen').count()).resolves.toBe(0);

    await expect.poll(() => rows().count()).toBe(2);
    const row = rowNamed(CONSENT_NAME);
    await expect(row.getAttribute('data-type')).resolves.toBe('CONSENT_FORM');
    await expect(row.getByTestId('document-type').textContent()).resolves.toBe('Consent form');
    await expect(row.getByTestId('document-notes').textContent()).resolves.toBe('Signed consent for microblading');
    await expect(row.getByTestId('document-size').textContent()).resolves.toBe(`${CONSENT_PDF.length} byte`);
    await expect(row.getByTestId('document-uploaded').textContent()).resolves.toMatch(new RegExp(`^\\w{3} \\d+, 20\\d\\d, .*[AP]Mby ${OWNER.full_name} \\(you\\)$`));

    // Stored as sent, under the patient, as a document (not a photo).
    const [stored] = (await api('GET', `/api/patients/${patientId}/documents?type=CONSENT_FORM`)).items;
    expect(stored).toMatchObject({ type: 'CONSENT_FORM', original_name: CONSENT_NAME, content_type: 'application/pdf', size_bytes: CONSENT_PDF.length, sha256: sha256(CONSENT_PDF), notes: 'Signed consent for microblading' });
    expect((await api('GET', `/api/files/${stored.file_id}`))).toMatchObject({ kind: 'document', entity_type: 'patient', entity_id: patientId });
  });

  it('files a dropped file, lists newest first and filters by type', async () => {
    await page.getByLabel('Document type').selectOption('ID_DOCUMENT');
    // Dropped on the drop area, as from the desktop.
    const dropped = await page.evaluateHandle(({ bytes, name }) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(bytes)], name, { type: 'application/pdf' }));
      return dt;
    }, { bytes: [...ID_PDF], name: ID_NAME });
    await page.getByTestId('documents-dropzone').dispatchEvent('drop', { dataTransfer: dropped });
    await expect(page.getByTestId('documents-chosen').textContent()).resolves.toBe(`Selected: ${ID_NAME} (${ID_PDF.length} byte)`);
    await page.getByTestId('documents-submit').click();
    await expect.poll(() => page.getByTestId('documents-filed').textContent()).toBe(`“${ID_NAME}” was filed as ID document.`);

    await expect.poll(() => rows().evaluateAll((els) => els.map((e) => e.getAttribute('data-type')))).toEqual(['ID_DOCUMENT', 'CONSENT_FORM', 'PHOTO']);
    await expect(rowNamed(ID_NAME).getByTestId('document-type').textContent()).resolves.toBe('ID document');
    await shot('list');

    await page.getByLabel('Show').selectOption('ID_DOCUMENT');
    await expect.poll(() => rows().evaluateAll((els) => els.map((e) => e.getAttribute('data-type')))).toEqual(['ID_DOCUMENT']);
    await page.getByLabel('Show').selectOption('WAIVER');
    await expect.poll(() => page.getByTestId('documents-empty').textContent()).toBe('No documents of this type on file.');
    await expect(rows().count()).resolves.toBe(0);
    await shot('filter-empty');
    await page.getByLabel('Show').selectOption('');
    await expect.poll(() => rows().count()).toBe(3);
  });

  it('downloads the exact bytes under the original name', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      rowNamed(CONSENT_NAME).getByTestId('document-download').click(),
    ]);
    expect(download.suggestedFilename()).toBe(CONSENT_NAME);
    const got = fs.readFileSync((await download.path())!);
    expect(got.equals(CONSENT_PDF)).toBe(true);

    const [second] = await Promise.all([page.waitForEvent('download'), rowNamed(ID_NAME).getByTestId('document-download').click()]);
    expect(second.suggestedFilename()).toBe(ID_NAME);
    expect(fs.readFileSync((await second.path())!).equals(ID_PDF)).toBe(true);

    // An image opens in a new tab, with the stored bytes.
    const [tab] = await Promise.all([h.browser.waitForEvent('page'), rowNamed('brows-before.jpg').getByTestId('document-open').click()]);
    await expect.poll(() => tab.url()).toMatch(/^blob:/);
    // The browser shows the 16×16 photo itself.
    await expect.poll(() => tab.evaluate(() => ({ type: document.contentType, width: document.images[0]?.naturalWidth ?? 0 })))
      .toEqual({ type: 'image/jpeg', width: 16 });
    await tab.close();
  });

  it('changes a document’s type and notes', async () => {
    await rowNamed(CONSENT_NAME).getByTestId('document-edit').click();
    const edit = page.getByTestId('document-edit-form');
    await edit.waitFor();
    await expect(edit.getByTestId('document-edit-type').inputValue()).resolves.toBe('CONSENT_FORM');
    await edit.getByTestId('document-edit-type').selectOption('WAIVER');
    await expect(page.locator('.field', { has: page.getByTestId('document-edit-type') }).locator('.hint').textContent()).resolves.toBe('A signed liability waiver.');
    await edit.getByTestId('document-edit-notes').fill('Liability waiver, signed with the consent');
    await shot('edit');
    await edit.getByTestId('document-edit-save').click();
    await expect.poll(() => page.getByTestId('documents-saved').textContent()).toBe(`The changes to “${CONSENT_NAME}” were saved.`);
    await expect(page.getByTestId('document-edit-form').count()).resolves.toBe(0);
    // Focus goes back to the row's edit button.
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('document-edit');

    const row = rowNamed(CONSENT_NAME);
    await expect.poll(() => row.getAttribute('data-type')).toBe('WAIVER');
    await expect(row.getByTestId('document-type').textContent()).resolves.toBe('Waiver');
    await expect(row.getByTestId('document-notes').textContent()).resolves.toBe('Liability waiver, signed with the consent');
    const waivers = (await api('GET', `/api/patients/${patientId}/documents?type=WAIVER`)).items;
    expect(waivers).toHaveLength(1);
    expect(waivers[0]).toMatchObject({ original_name: CONSENT_NAME, notes: 'Liability waiver, signed with the consent' });
    expect((await api('GET', `/api/patients/${patientId}/documents?type=CONSENT_FORM`)).items).toHaveLength(0);

    // Listed under its new type.
    await page.getByLabel('Show').selectOption('WAIVER');
    await expect.poll(() => rows().evaluateAll((els) => els.map((e) => e.getAttribute('data-type')))).toEqual(['WAIVER']);
    await page.getByLabel('Show').selectOption('');
    await expect.poll(() => rows().count()).toBe(3);
  });

  it('removes a document after confirming, and keeps it when cancelled', async () => {
    const row = rowNamed(ID_NAME);
    const id = await row.getAttribute('data-id');
    await row.getByTestId('document-remove').click();
    await expect(row.getByRole('group').getAttribute('aria-label')).resolves.toBe(`Remove “${ID_NAME}” from the chart? It stays in the record’s history but is no longer listed.`);
    await row.getByRole('button', { name: 'Cancel' }).click();
    await expect(rows().count()).resolves.toBe(3);

    await row.getByTestId('document-remove').click();
    await shot('remove-confirm');
    await row.getByTestId('document-remove-confirm').click();
    await expect.poll(() => page.getByTestId('documents-removed').textContent()).toBe(`“${ID_NAME}” was removed from the chart.`);
    await expect.poll(() => rows().evaluateAll((els) => els.map((e) => e.getAttribute('data-type')))).toEqual(['WAIVER', 'PHOTO']);
    expect((await api('GET', `/api/patients/${patientId}/documents`)).items.map((d: { id: string }) => d.id)).not.toContain(id);
    await api('GET', `/api/documents/${id}`, undefined, [404]);
  });

  it('shows a reader without file.write the documents to download, without the upload form or edit buttons', async () => {
    await switchUser(page, READER);
    await openDocumentsFromChart();
    await page.getByTestId('documents-read-only').waitFor();
    // No photo.read: the clinical photo is not listed.
    await expect.poll(() => rows().evaluateAll((els) => els.map((e) => e.getAttribute('data-type')))).toEqual(['WAIVER']);
    await expect(page.getByTestId('documents-upload').count()).resolves.toBe(0);
    await expect(page.getByTestId('document-edit').count()).resolves.toBe(0);
    await expect(page.getByTestId('document-remove').count()).resolves.toBe(0);
    // Uploaded by the owner, named from the member list.
    await expect(rows().first().getByTestId('document-uploaded').textContent()).resolves.toMatch(new RegExp(`[AP]Mby ${OWNER.full_name}$`));
    const [download] = await Promise.all([page.waitForEvent('download'), rows().first().getByTestId('document-download').click()]);
    expect(fs.readFileSync((await download.path())!).equals(CONSENT_PDF)).toBe(true);
    await shot('read-only');
  });

  it('lets front desk file documents but not see or file clinical photos', async () => {
    await switchUser(page, DESK);
    await openDocumentsFromChart();
    await page.getByTestId('documents-upload').waitFor();
    await expect.poll(() => rows().evaluateAll((els) => els.map((e) => e.getAttribute('data-type')))).toEqual(['WAIVER']);
    const offered = await page.getByLabel('Document type').locator('option').evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value));
    expect(offered).toEqual(['', 'ID_DOCUMENT', 'CONSENT_FORM', 'WAIVER', 'INTAKE_FORM', 'CONTRAINDICATION_FORM', 'ANALYSIS_REPORT', 'OTHER']);
    // Nor offered as a filter: there is nothing of that type they may see.
    await expect(page.getByLabel('Show').locator('option[value="PHOTO"]').count()).resolves.toBe(0);
    // The photo exists for the owner.
    await api('GET', `/api/documents/${photoDocId}`);

    // In Traditional Chinese and Turkish.
    await page.getByTestId('language-switcher').selectOption('zh-TW');
    await expect.poll(() => page.locator('h1').first().textContent()).toBe('文件');
    await expect(rows().first().getByTestId('document-type').textContent()).resolves.toBe('免責聲明');
    await expect(page.getByLabel('文件類型').locator('option').first().textContent()).resolves.toBe('請選擇類型…');
    await page.getByTestId('language-switcher').selectOption('tr');
    await expect.poll(() => page.locator('h1').first().textContent()).toBe('Belgeler');
    await expect(rows().first().getByTestId('document-download').textContent()).resolves.toBe('İndir');
    await shot('tr');
    await page.getByTestId('language-switcher').selectOption('en');
    await expect.poll(() => page.locator('h1').first().textContent()).toBe('Documents');
  });

  it('tells a role without file.read that documents are not theirs to see, and shows no link on the chart', async () => {
    await switchUser(page, CHART_ONLY);
    await page.goto(`${h.baseUrl}/patients/${patientId}`);
    await page.getByTestId('chart-page').waitFor();
    await expect(page.getByTestId('chart-documents').count()).resolves.toBe(0);
    await page.goto(`${h.baseUrl}/patients/${patientId}/documents`);
    await page.getByTestId('documents-no-access').waitFor();
    await expect(page.getByTestId('documents-no-access').textContent()).resolves.toContain('(file.read)');
    await expect(page.getByTestId('documents-list').count()).resolves.toBe(0);
    await expect(page.getByTestId('documents-upload').count()).resolves.toBe(0);
    await shot('no-access');
  });
});
