/**
 * The clinic screens in Chromium: a new patient, the chart, a session placed on the face map
 * (refused until the points add up to the dosage), a consent signed on the signature pad, photo
 * comparison, the follow-up worklist, inventory expiry, device maintenance and the dashboard.
 * The catalogue, staff, devices and stock are seeded through the API.
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserSuite, type Harness, type Owner, signUpOwner, submitSignIn } from './harness.js';

const OWNER = { email: 'owner@clinic-e2e.visage.local', password: 'a clinic owner passphrase', full_name: 'Chen Mei-Hua' };
const CLINIC = { name: 'Jade Aesthetic Clinic 玉診所', type: 'clinic', timezone: 'Asia/Taipei', currency: 'TWD', locale: 'zh-TW' };
const PATIENT = { name: 'Amy Chen', phone: '0912-345-678', email: 'amy.chen@example.com' };
const TZ = 'Asia/Taipei';
/** Money as the clinic writes it: Intl in the organization's locale and currency. */
// Whole amounts are shown without decimals (lib/format.ts).
const twd = (major: number) => new Intl.NumberFormat(CLINIC.locale, { style: 'currency', currency: CLINIC.currency, maximumFractionDigits: 0 }).format(major);

let h: Harness;
let page: Page;
let token: string;
let orgId: string;
let patientId: string;

/** How long a check waits for the page to reach what it expects (loading under a busy CPU takes a while). */
const SETTLE = { timeout: 15_000, interval: 100 };

const shot = (name: string) => page.screenshot({ path: `/tmp/visage-clinic-${name}.png`, fullPage: true });
/** A calendar date in Taipei, `offset` days from today. */
const taipeiDay = (offset = 0) => new Intl.DateTimeFormat('en-CA', { timeZone: TZ }).format(new Date(Date.now() + offset * 86_400_000));

let api: Owner['api'];

/** Treatments, a practitioner, a device due for maintenance, a drug with lots near and past expiry. */
async function seed() {
  ({ token, orgId, api } = await signUpOwner(h, OWNER, CLINIC));

  await api('POST', '/api/treatments', {
    treatment_code: 'BOT_MASSETER', treatment_name: '美國肉毒瘦小臉', name_en: 'Botulinum toxin, masseter', category: 'Injection', default_unit: 'U',
    base_price: 4999, consent_required: true, ingredients: ['botulinum_toxin'],
    followup_rules: [{ type: 'medical', after_days: 14, notify: true }, { type: 'maintenance', after_days: 120, notify: true }],
  });
  await api('POST', '/api/treatments', {
    treatment_code: 'HIFU_FACE', treatment_name: '海芙音波', name_en: 'HIFU face lift', category: 'Device', default_unit: 'lines', base_price: 38000,
    followup_rules: [{ type: 'maintenance', after_days: 180, notify: true }],
  });
  await api('POST', '/api/consent-templates', {
    treatment_id: 'BOT_MASSETER', title: 'Botulinum toxin consent',
    body: 'I understand the expected effects, the risks (bruising, asymmetry, temporary weakness) and the alternatives of botulinum toxin injection.',
  });
  await api('POST', '/api/practitioners', { code: 'doc_01', full_name: 'Dr. Lin Wei', specialty: 'Dermatology', license_no: 'TW-DERM-0042' });
  await api('POST', '/api/devices', {
    code: 'HIFU_01', device_name: 'Ulthera HIFU', device_type: 'HIFU', manufacturer: 'Merz', model: 'Ultherapy',
    maintenance_cycle_days: 90, last_maintenance_on: taipeiDay(-100),
  });
  await api('POST', '/api/products', { code: 'BOTOX_US', name: 'Botox 100U', product_type: 'Botox', unit: 'U', supplier: 'Allergan' });
  await api('POST', '/api/products/BOTOX_US/lots', { lot_number: 'C5-SOON', expiry_date: taipeiDay(20), quantity: 200 });
  await api('POST', '/api/products/BOTOX_US/lots', { lot_number: 'C7-LATER', expiry_date: taipeiDay(50), quantity: 300 });
  // A lot received in date whose expiry is then corrected into the past: it shows as expired.
  const past = await api('POST', '/api/products/BOTOX_US/lots', { lot_number: 'C1-OLD', expiry_date: taipeiDay(5), quantity: 50 });
  await api('PATCH', `/api/lots/${past.id}`, { expiry_date: taipeiDay(-3), reason: 'Expiry misread on receipt' });
}

/** A small photo made on the spot, uploaded and filed under the patient. */
async function uploadPhoto(mediaType: 'before' | 'after', hue: { r: number; g: number; b: number }, capturedAt: string) {
  const png = await sharp({ create: { width: 240, height: 300, channels: 3, background: hue } }).png().toBuffer();
  const form = new FormData();
  form.set('kind', 'photo');
  form.set('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), `${mediaType}.png`);
  const res = await fetch(`${h.baseUrl}/api/files`, { method: 'POST', body: form, headers: { authorization: `Bearer ${token}`, 'x-org-id': orgId } });
  expect(res.status).toBe(201);
  const file = await res.json() as { id: string };
  await api('POST', `/api/patients/${patientId}/photos`, { file_id: file.id, media_type: mediaType, angle: 'front', captured_at: capturedAt });
}

browserSuite('clinic', async (harness, p) => {
  h = harness;
  page = p;
  await seed();
});

describe('clinic screens in Chromium', () => {
  it('creates a patient from the list and opens the chart; a second chart with the same phone is questioned', async () => {
    await page.goto(`${h.baseUrl}/patients`);
    await submitSignIn(page, OWNER);
    await page.getByTestId('patients-page').waitFor();
    await page.getByTestId('patients-empty').waitFor();

    await page.getByTestId('patient-new').click();
    await page.getByTestId('patient-name').fill(PATIENT.name);
    await page.getByTestId('patient-gender').selectOption('female');
    await page.getByTestId('patient-dob').fill('1992-06-01');
    await page.getByTestId('patient-phone').fill(PATIENT.phone);
    await page.getByTestId('patient-email').fill(PATIENT.email);
    await page.getByTestId('patient-skin').selectOption('III');
    await page.getByTestId('patient-history').fill('No autoimmune disease');
    await page.getByTestId('patient-allergies').fill('Lidocaine');
    // The API's message for a medical field (pointer /medical_history) shows under that field.
    await page.getByTestId('patient-history').fill('x'.repeat(20_001));
    await page.getByTestId('patient-submit').click();
    const historyField = page.locator('.field.has-error').filter({ has: page.getByTestId('patient-history') });
    await historyField.getByTestId('field-error').waitFor();
    await expect(historyField.getByTestId('field-error').textContent()).resolves.toMatch(/20000|20,000/);
    await expect(page.getByTestId('patient-history').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.locator('.field.has-error').count()).resolves.toBe(1);
    await shot('patient-history-error');
    await page.getByTestId('patient-history').fill('No autoimmune disease');
    await shot('patient-form');
    await page.getByTestId('patient-submit').click();

    await page.getByTestId('chart-page').waitFor();
    patientId = new URL(page.url()).pathname.split('/')[2]!;
    await expect(page.getByTestId('chart-code').textContent()).resolves.toMatch(/^PAT-\d{4}-\d{6}$/);
    await expect(page.getByTestId('chart-allergies').textContent()).resolves.toBe('Lidocaine');
    await expect(page.getByTestId('chart-summary').textContent()).resolves.toContain('Fitzpatrick III');

    await page.getByTestId('nav-patients').click();
    await page.locator('[data-testid="patient-row"]').first().waitFor();
    await page.getByTestId('patient-new').click();
    await page.getByTestId('patient-name').fill('Amy C.');
    await page.getByTestId('patient-phone').fill('0912345678');
    await page.getByTestId('patient-submit').click();
    await page.getByTestId('patient-form').getByTestId('form-error').waitFor();
    await page.getByTestId('patient-allow-duplicate').waitFor();
    await shot('patient-duplicate');
    await expect(page.locator('[data-testid="patient-row"]').count()).resolves.toBe(1);

    await page.getByTestId('patients-q').fill('amy.chen@');
    await page.getByTestId('patients-search-submit').click();
    await page.locator('[data-testid="patient-row"]').first().getByTestId('patient-link').click();
    await page.getByTestId('chart-page').waitFor();
  });

  it('records a session on the face map: refused while the points do not add up to the dosage', async () => {
    await page.getByTestId('chart-record-session').click();
    await page.getByTestId('session-page').waitFor();
    const treatment = await api<{ id: string; treatment_id: string }[]>('GET', '/api/treatments');
    await page.getByTestId('session-treatment').selectOption(treatment.find((t) => t.treatment_id === 'BOT_MASSETER')!.id);
    await page.getByTestId('session-treatment-facts').getByText(twd(4999), { exact: false }).waitFor();
    await page.getByTestId('session-practitioner').selectOption({ label: 'Dr. Lin Wei · Dermatology' });
    await expect(page.getByTestId('session-unit').inputValue()).resolves.toBe('U');
    await page.getByTestId('session-dosage').fill('40');

    // An injection needs its points: nothing placed yet, nothing to submit.
    await expect(page.getByTestId('session-submit').isDisabled()).resolves.toBe(true);

    // Two clicks on the face: the patient's right masseter (the viewer's left) and left masseter.
    const svg = page.getByTestId('face-map-svg');
    const box = (await svg.boundingBox())!;
    await svg.click({ position: { x: box.width * 0.2, y: box.height * 0.7 } });
    await svg.click({ position: { x: box.width * 0.8, y: box.height * 0.7 } });
    await expect(page.locator('[data-testid="face-point"]').count()).resolves.toBe(2);
    await expect(page.locator('[data-testid="point-area"]').nth(0).inputValue()).resolves.toBe('right_masseter');
    await expect(page.locator('[data-testid="point-area"]').nth(1).inputValue()).resolves.toBe('left_masseter');

    const units = page.locator('[data-testid="point-units"]');
    await units.nth(0).fill('20');
    await units.nth(1).fill('15');
    const sum = page.getByTestId('map-sum');
    await expect(sum.getAttribute('data-state')).resolves.toBe('mismatch');
    await expect(sum.textContent()).resolves.toBe('The points add up to 35 U but the dosage is 40 U: 5 U still to place.');
    await expect(page.getByTestId('session-submit').isDisabled()).resolves.toBe(true);
    await expect(page.getByTestId('session-blocked').textContent()).resolves.toContain('5 U still to place');
    await shot('session-mismatch');

    // The API refuses the same mismatch on its own, naming the field.
    const refused = await h.call('POST', '/api/treatment-sessions', {
      patient_id: patientId, treatment_id: 'BOT_MASSETER', dosage_value: 40,
      treatment_area: [{ x: 0.2, y: 0.7, units: 20, area: 'right_masseter' }, { x: 0.8, y: 0.7, units: 15, area: 'left_masseter' }],
    }, token, orgId);
    expect(refused.status).toBe(422);
    expect(JSON.stringify(refused.body.errors)).toContain('/treatment_area');

    await units.nth(1).fill('20');
    await expect(sum.getAttribute('data-state')).resolves.toBe('match');
    await expect(sum.textContent()).resolves.toBe('The points add up to the dosage: 40 U.');
    await page.getByTestId('session-reaction').fill('Mild redness');
    await page.getByTestId('session-notes').fill('Normal injection, no bleeding');
    await shot('session-form');
    await page.getByTestId('session-submit').click();

    // Back on the chart: the follow-ups it planned, and the missing consent flagged.
    await page.getByTestId('chart-recorded').waitFor();
    const planned = await page.getByTestId('chart-recorded-followups').textContent();
    expect(planned).toContain('Medical check');
    expect(planned).toContain('Maintenance recall');
    await expect(page.getByTestId('chart-recorded-warning').textContent()).resolves.toContain('consent');
    await page.getByTestId('chart-exceptions').waitFor();
    const session = page.locator('[data-testid="timeline-entry"][data-kind="session"]');
    await session.waitFor();
    await expect(session.textContent()).resolves.toContain('Session 1: 美國肉毒瘦小臉');
    await expect(session.getByTestId('timeline-dose').textContent()).resolves.toBe('40 U');
    await expect(session.locator('[data-testid="face-point"]').count()).resolves.toBe(2);
    await expect(page.locator('[data-testid="chart-upcoming-followup"]').count()).resolves.toBe(2);
    await page.locator('[data-testid="timeline-entry"][data-kind="visit"]').waitFor();

    // Stored as the seed's face-map points: x, y as fractions of the drawing where the clicks landed, units, area.
    const stored = await api<{ items: { treatment_area: { x: number; y: number; units: number; area: string }[]; dosage_value: number }[] }>(
      'GET', `/api/treatment-sessions?patient_id=${patientId}`);
    expect(stored.items[0]!.dosage_value).toBe(40);
    const points = stored.items[0]!.treatment_area;
    expect(points.map((p) => [p.area, p.units])).toEqual([['right_masseter', 20], ['left_masseter', 20]]);
    for (const [p, x] of [[points[0]!, 0.2], [points[1]!, 0.8]] as const) {
      expect(p.x).toBeCloseTo(x, 1);
      expect(p.y).toBeCloseTo(0.7, 1);
    }
    await shot('chart');
  });

  it('signs a consent with the signature pad and links the signed document', async () => {
    await page.getByTestId('chart-sign-consent').click();
    await page.getByTestId('consent-page').waitFor();
    const treatments = await api<{ id: string; treatment_id: string }[]>('GET', '/api/treatments');
    await page.getByTestId('consent-treatment').selectOption(treatments.find((t) => t.treatment_id === 'BOT_MASSETER')!.id);
    await expect(page.getByTestId('consent-template').textContent()).resolves.toContain('Botulinum toxin consent');
    await page.getByTestId('consent-name').fill(PATIENT.name);
    // No signature yet: nothing to submit.
    await expect(page.getByTestId('consent-submit').isDisabled()).resolves.toBe(true);
    await expect(page.getByTestId('consent-blocked').textContent()).resolves.toBe('The patient signs in the box.');

    const pad = page.getByTestId('signature-pad');
    await pad.scrollIntoViewIfNeeded();
    const box = (await pad.boundingBox())!;
    const at = (fx: number, fy: number) => [box.x + box.width * fx, box.y + box.height * fy] as const;
    await page.mouse.move(...at(0.1, 0.6));
    await page.mouse.down();
    for (const [fx, fy] of [[0.2, 0.3], [0.3, 0.7], [0.4, 0.35], [0.5, 0.65], [0.62, 0.4], [0.75, 0.6], [0.88, 0.45]] as const) {
      await page.mouse.move(...at(fx, fy), { steps: 4 });
    }
    await page.mouse.up();
    await expect(page.getByTestId('consent-submit').isEnabled()).resolves.toBe(true);
    // Clearing empties the pad; the signature is drawn again.
    await page.getByTestId('signature-clear').click();
    await expect(page.getByTestId('consent-submit').isDisabled()).resolves.toBe(true);
    await page.mouse.move(...at(0.15, 0.5));
    await page.mouse.down();
    for (const [fx, fy] of [[0.3, 0.25], [0.45, 0.75], [0.6, 0.3], [0.8, 0.55]] as const) await page.mouse.move(...at(fx, fy), { steps: 5 });
    await page.mouse.up();
    await shot('consent-pad');
    await page.getByTestId('consent-submit').click();

    await expect(page.getByTestId('consent-signed').textContent()).resolves.toContain(`Signed by ${PATIENT.name}`);
    const href = await page.getByTestId('consent-document-link').getAttribute('href');
    expect(href).toMatch(/^\/api\/consents\/[0-9a-f-]+\/document$/);
    const doc = await page.evaluate(async (url) => {
      const res = await fetch(url);
      return { status: res.status, type: res.headers.get('content-type'), size: (await res.arrayBuffer()).byteLength };
    }, href!);
    expect(doc.status).toBe(200);
    expect(doc.size).toBeGreaterThan(1000);
    // The drawn signature is stored as a PNG with ink on it.
    const consents = await api<{ items: { signature_file_id: string }[] }>('GET', `/api/patients/${patientId}/consents`);
    const sig = await fetch(`${h.baseUrl}/api/files/${consents.items[0]!.signature_file_id}/content`, { headers: { authorization: `Bearer ${token}`, 'x-org-id': orgId } });
    const stats = await sharp(Buffer.from(await sig.arrayBuffer())).stats();
    expect(stats.channels[0]!.min).toBeLessThan(100);
    await shot('consent-signed');

    await page.getByTestId('consent-to-chart').click();
    await page.getByTestId('chart-consent-signed').waitFor();
    await page.locator('[data-testid="timeline-entry"][data-kind="consent"]').waitFor();
    await page.locator('[data-testid="timeline-entry"][data-kind="document"]').waitFor();

    // Signed after the session: the open exception is resolved, saying so, and leaves the chart.
    await page.getByTestId('exception-resolve').click();
    await page.getByTestId('exception-resolution').fill('Consent signed after the session');
    await page.getByTestId('exception-resolve-submit').click();
    await page.getByTestId('chart-exceptions').waitFor({ state: 'detached' });
  });

  it('compares a before and an after photo side by side and with the slider', async () => {
    await uploadPhoto('before', { r: 200, g: 160, b: 140 }, new Date(Date.now() - 30 * 86_400_000).toISOString());
    await uploadPhoto('after', { r: 230, g: 200, b: 185 }, new Date().toISOString());
    await page.getByTestId('chart-photos').click();
    await page.getByTestId('photos-page').waitFor();
    // The page draws before the photos arrive: wait for both rather than reading the empty list.
    await expect.poll(() => page.locator('[data-testid="photo-item"]').count(), SETTLE).toBe(2);
    const beforeOptions = page.getByTestId('compare-before').locator('option');
    await expect.poll(async () => (await beforeOptions.allTextContents()).filter((o) => /^(Before|After)/.test(o)).length, SETTLE).toBe(2);
    const options = await beforeOptions.allTextContents();
    await page.getByTestId('compare-before').selectOption({ label: options.find((o) => o.startsWith('Before'))! });
    await page.getByTestId('compare-after').selectOption({ label: options.find((o) => o.startsWith('After'))! });
    await page.getByTestId('compare-side').waitFor();
    await expect.poll(() => page.getByTestId('compare-days').textContent(), SETTLE).toBe('30 days apart');
    // The images really load (verified downloads through the API).
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="compare-side"] img')].every((i) => (i as HTMLImageElement).naturalWidth > 0));
    await shot('photos-side');
    await page.getByTestId('compare-mode-slider').click();
    await page.getByTestId('compare-slider').waitFor();
    await shot('photos-slider');

    // A third photo uploaded from the page, its time typed on the clinic's clock.
    const png = await sharp({ create: { width: 120, height: 150, channels: 3, background: { r: 215, g: 180, b: 160 } } }).png().toBuffer();
    await page.getByTestId('photo-file').setInputFiles({ name: 'progress.png', mimeType: 'image/png', buffer: png });
    await page.getByTestId('photo-type').selectOption('progress');
    await page.getByTestId('photo-captured').fill(`${taipeiDay()}T08:15`);
    // Tied to the patient's session, with the patient's consent to marketing use.
    const session = (await api('GET', `/api/treatment-sessions?patient_id=${patientId}`)).items[0] as { id: string };
    await page.getByTestId('photo-session').selectOption(session.id);
    await page.getByTestId('photo-marketing').check();
    await page.getByTestId('photo-submit').click();
    await expect.poll(() => page.locator('[data-testid="photo-item"]').count(), SETTLE).toBe(3);
    type StoredPhoto = { id: string; media_type: string; captured_at: string; session_id: string | null; marketing_consent: boolean; marketing_consent_at: string | null };
    const photos = (await api('GET', `/api/patients/${patientId}/photos`)).items as StoredPhoto[];
    const progress = photos.find((p) => p.media_type === 'progress')!;
    // 08:15 in Taipei is 00:15 UTC.
    expect(progress).toMatchObject({ captured_at: `${taipeiDay()}T00:15:00.000Z`, session_id: session.id, marketing_consent: true });
    expect(progress.marketing_consent_at).not.toBeNull();
    expect(photos.filter((p) => p.marketing_consent)).toHaveLength(1);

    // Marketing use is withdrawn from the grid; clinical use is unaffected.
    const item = page.locator(`[data-testid="photo-item"][data-id="${progress.id}"]`);
    await item.getByTestId('photo-marketing-toggle').uncheck();
    await expect.poll(() => item.getAttribute('data-marketing'), SETTLE).toBe('false');
    await expect.poll(async () => (await api('GET', `/api/photos/${progress.id}`)).marketing_consent, SETTLE).toBe(false);
    // Removing asks first; the photo leaves the chart.
    await item.getByTestId('photo-remove').click();
    await item.getByTestId('photo-remove-confirm').click();
    await expect.poll(() => page.locator('[data-testid="photo-item"]').count(), SETTLE).toBe(2);
    expect((await h.call('GET', `/api/photos/${progress.id}`, undefined, token, orgId)).status).toBe(404);
  });

  it('lists the follow-ups the session generated in the worklist and completes an overdue one', async () => {
    const overdue = await api('POST', '/api/followups', { patient_id: patientId, followup_type: 'reminder', scheduled_date: taipeiDay(-2) });
    await page.getByTestId('nav-care').click();
    await page.getByTestId('followups-page').waitFor();
    const upcoming = page.getByTestId('followups-upcoming');
    const medical = upcoming.locator('[data-testid="followup-row"][data-type="medical"]');
    await medical.waitFor();
    await expect(medical.textContent()).resolves.toContain(PATIENT.name);
    await expect(medical.textContent()).resolves.toContain('in 14 days');
    // The 120-day recall shows once the window reaches it.
    await expect(upcoming.locator('[data-testid="followup-row"][data-type="maintenance"]').count()).resolves.toBe(0);
    await page.getByTestId('followups-days').selectOption('90');
    await expect(page.getByTestId('followup-count-upcoming').textContent()).resolves.toContain('90');
    await page.getByTestId('followups-days').selectOption('14');

    const late = page.getByTestId('followups-overdue').locator('[data-testid="followup-row"]');
    await late.waitFor();
    await expect(late.textContent()).resolves.toContain('2 days late');
    await shot('worklist');
    await late.getByTestId('followup-complete').click();
    await page.getByTestId('followup-outcome').fill('Called; the patient is doing well.');
    await page.getByTestId('followup-complete-submit').click();
    await page.getByTestId('followup-completed').waitFor();
    await page.getByTestId('followups-overdue').getByText('Nothing overdue.').waitFor();
    const done = await api<{ status: string; actual_date: string }>('GET', `/api/followups/${overdue.id}`);
    expect(done.status).toBe('done');
    expect(done.actual_date).toBe(taipeiDay(0));
  });

  it('shows lots by expiry (expired red, expiring soon amber) and the products', async () => {
    await page.getByTestId('nav-inventory').click();
    await page.getByTestId('lots-table').waitFor();
    const row = (lot: string) => page.locator(`[data-testid="lot-row"][data-lot="${lot}"]`);
    await expect(row('C1-OLD').getAttribute('data-expiry')).resolves.toBe('expired');
    await expect(row('C1-OLD').textContent()).resolves.toContain('expired 3 days ago');
    await expect(row('C5-SOON').getAttribute('data-expiry')).resolves.toBe('soon');
    await expect(row('C7-LATER').getAttribute('data-expiry')).resolves.toBe('soon');
    const red = await row('C1-OLD').locator('td').first().evaluate((td) => getComputedStyle(td).backgroundColor);
    const amber = await row('C5-SOON').locator('td').first().evaluate((td) => getComputedStyle(td).backgroundColor);
    expect(red).not.toBe(amber);
    await shot('inventory-lots');
    // Within 30 days: the 50-day lot is not listed.
    await page.getByTestId('lots-within').selectOption('30');
    await page.getByTestId('lots-apply').click();
    await row('C7-LATER').waitFor({ state: 'detached' });
    await page.getByTestId('tab-products').click();
    const product = page.locator('[data-testid="product-row"][data-code="BOTOX_US"]');
    await product.waitFor();
    await expect(product.textContent()).resolves.toContain('Botox 100U');
  });

  it('shows devices due for maintenance and records one', async () => {
    await page.getByTestId('nav-treatments').click();
    await page.locator('[data-testid="treatment-row"][data-code="BOT_MASSETER"]').waitFor();
    await expect(page.locator('[data-testid="treatment-row"][data-code="BOT_MASSETER"]').textContent()).resolves.toContain('Medical check after 14 days');
    await page.getByTestId('tab-devices').click();
    const device = page.locator('[data-testid="device-row"][data-code="HIFU_01"]');
    await device.waitFor();
    await expect(device.getAttribute('data-due')).resolves.toBe('yes');
    await expect(device.textContent()).resolves.toContain('10 days overdue');
    await shot('devices');
    await device.getByTestId('device-maintain').click();
    await page.getByTestId('maintenance-submit').click();
    await page.getByTestId('maintenance-saved').waitFor();
    // The list reloads after the save: wait for what the user then sees.
    await page.locator('[data-testid="device-row"][data-code="HIFU_01"][data-due="no"]').waitFor({ timeout: 10_000 });
    await page.getByTestId('devices-due-summary').filter({ hasText: 'No device is due' }).waitFor({ timeout: 10_000 });
  });

  it('shows the owner dashboard with charts and their numbers as text', async () => {
    await page.getByTestId('nav-dashboards').click();
    await page.getByTestId('dashboard-page').waitFor();
    // The figures show '…' until the dashboard has loaded: wait for the number, not for the page.
    await expect.poll(() => page.getByTestId('kpi-sessions').textContent(), SETTLE).toBe('1');
    const bars = page.getByTestId('chart-monthly-sessions');
    await bars.locator('[data-testid="chart-bar"]').first().waitFor();
    await expect.poll(() => bars.textContent(), SETTLE).toContain('美國肉毒瘦小臉');
    await expect.poll(() => page.getByTestId('chart-avg-revenue').textContent(), SETTLE).toContain(twd(4999));
    await expect(page.getByTestId('chart-sessions-month').locator('svg').getAttribute('role')).resolves.toBe('img');
    await page.getByTestId('dash-risk').waitFor();
    await shot('dashboard');
  });

  it('shows the clinic screens in Traditional Chinese', async () => {
    await page.getByTestId('language-switcher').selectOption('zh-TW');
    await page.goto(`${h.baseUrl}/patients/${patientId}/session`);
    await page.getByTestId('session-page').waitFor();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('記錄療程');
    await shot('session-zh-TW');
    await page.goto(`${h.baseUrl}/patients/${patientId}`);
    await page.locator('[data-testid="timeline-entry"][data-kind="session"]').waitFor();
    await shot('chart-zh-TW');
    await page.getByTestId('language-switcher').selectOption('en');
  });

  it('lists the signed consent on the consent page and withdraws it with a reason; it no longer counts as signed', async () => {
    expect((await api('GET', `/api/patients/${patientId}/consent-status?treatment_id=BOT_MASSETER`)).state).toBe('signed');
    await page.goto(`${h.baseUrl}/patients/${patientId}/consent`);
    const row = page.getByTestId('consent-row');
    await expect.poll(() => row.count(), SETTLE).toBe(1);
    await expect(row.getByTestId('consent-state').textContent()).resolves.toBe('In force');
    await row.getByTestId('consent-withdraw').click();
    // The reason is required: the browser refuses the empty field, nothing is sent.
    await page.getByTestId('consent-withdraw-submit').click();
    expect((await api('GET', `/api/patients/${patientId}/consent-status?treatment_id=BOT_MASSETER`)).state).toBe('signed');
    await page.getByTestId('consent-withdraw-reason').fill('Patient withdrew consent by phone');
    await page.getByTestId('consent-withdraw-submit').click();
    await expect.poll(() => row.getByTestId('consent-state').textContent(), SETTLE).toContain('Patient withdrew consent by phone');
    await expect(row.getByTestId('consent-withdraw').count()).resolves.toBe(0);
    expect((await api('GET', `/api/patients/${patientId}/consent-status?treatment_id=BOT_MASSETER`)).state).toBe('missing');
    const stored = (await api('GET', `/api/patients/${patientId}/consents`)).items[0];
    expect(stored).toMatchObject({ withdrawal_reason: 'Patient withdrew consent by phone' });
    expect(stored.withdrawn_at).not.toBeNull();
    await shot('consent-withdrawn');
  });
});
