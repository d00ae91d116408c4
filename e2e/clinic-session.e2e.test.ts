/**
 * The session screens in Chromium: a session for a patient whose intake has a critical flag is
 * refused, then recorded with a practitioner's override (the chart shows the "override" badge);
 * the session page amends it and shows the version history; drug usage recorded without naming a
 * lot shows the lot the API chose, and the API's refusals (more than on hand, expired lot).
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserSuite, type Harness, type Owner, signUpOwner, submitSignIn } from './harness.js';

const OWNER = { email: 'owner@clinic-session-e2e.visage.local', password: 'a clinic owner passphrase', full_name: 'Chen Mei-Hua' };
const CLINIC = { name: 'Jade Aesthetic Clinic', type: 'clinic', timezone: 'Asia/Taipei', currency: 'TWD', locale: 'en' };
const TZ = 'Asia/Taipei';
const REASON = 'Pregnancy test negative today; intake answer was outdated, confirmed with the patient.';

let h: Harness;
let page: Page;
let token: string;
let orgId: string;
let patientId: string;
let sessionId: string;

const shot = (name: string) => page.screenshot({ path: `/tmp/visage-session-${name}.png`, fullPage: true });
const taipeiDay = (offset = 0) => new Intl.DateTimeFormat('en-CA', { timeZone: TZ }).format(new Date(Date.now() + offset * 86_400_000));

let api: Owner['api'];

async function seed() {
  ({ token, orgId, api } = await signUpOwner(h, OWNER, CLINIC));
  await api('POST', '/api/treatments', {
    treatment_code: 'BOT_MASSETER', treatment_name: '美國肉毒瘦小臉', name_en: 'Botulinum toxin, masseter', category: 'Injection', default_unit: 'U',
    base_price: 4999, ingredients: ['botulinum_toxin'], followup_rules: [{ type: 'medical', after_days: 14, notify: true }],
  });
  await api('POST', '/api/practitioners', { code: 'doc_01', full_name: 'Dr. Lin Wei', specialty: 'Dermatology', license_no: 'TW-DERM-0042' });
  await api('POST', '/api/products', { code: 'BOTOX_US', name: 'Botox 100U', product_type: 'Botox', unit: 'U', supplier: 'Allergan' });
  await api('POST', '/api/products/BOTOX_US/lots', { lot_number: 'C7-LATER', expiry_date: taipeiDay(50), quantity: 300 });
  await api('POST', '/api/products/BOTOX_US/lots', { lot_number: 'C5-SOON', expiry_date: taipeiDay(20), quantity: 100 });
  const past = await api('POST', '/api/products/BOTOX_US/lots', { lot_number: 'C1-OLD', expiry_date: taipeiDay(5), quantity: 50 });
  await api('PATCH', `/api/lots/${past.id}`, { expiry_date: taipeiDay(-3), reason: 'Expiry misread on receipt' });
  const patient = await api('POST', '/api/patients', { full_name: 'Lin Mei-Hua', gender: 'female', date_of_birth: '1990-04-02', phone: '0912-000-111' });
  patientId = patient.id;
  await api('POST', `/api/patients/${patientId}/intakes`, { kind: 'intake', answers: { pregnant: 'yes', allergies: 'none' } });
}

browserSuite('session', async (harness, p) => {
  h = harness;
  page = p;
  await seed();
});

describe('session screens in Chromium', () => {
  it('refuses a session with a critical contraindication, records it with an override and a reason, and badges it on the chart', async () => {
    await page.goto(`${h.baseUrl}/patients/${patientId}/session`);
    await submitSignIn(page, OWNER);
    await page.getByTestId('session-page').waitFor();

    const treatment = await api('GET', '/api/treatments/BOT_MASSETER');
    await page.getByTestId('session-treatment').selectOption(treatment.id);
    await page.locator('[data-testid="screening-alert"][data-severity="critical"]').waitFor();
    await page.getByTestId('override-section').waitFor();
    await page.getByTestId('session-dosage').fill('40');
    await page.getByTestId('session-add-point').click();
    await expect(page.getByTestId('map-sum').getAttribute('data-state')).resolves.toBe('match');

    // Without the override: the API's 409 message, nothing recorded.
    await page.getByTestId('session-submit').click();
    await page.getByTestId('session-refused').waitFor();
    await expect(page.getByTestId('session-refused').textContent()).resolves.toMatch(/critical contraindication for BOT_MASSETER \(pregnancy\)/);
    expect((await api('GET', `/api/treatment-sessions?patient_id=${patientId}`)).items).toHaveLength(0);
    await shot('refused');

    // A reason too short is caught before sending.
    await page.getByTestId('override-checkbox').check();
    await page.getByTestId('override-reason').fill('ok');
    await page.getByTestId('session-submit').click();
    await expect.poll(() => page.getByTestId('form-error').first().textContent()).toBe('Say why, in at least 10 characters.');
    expect((await api('GET', `/api/treatment-sessions?patient_id=${patientId}`)).items).toHaveLength(0);

    await page.getByTestId('override-reason').fill(REASON);
    await shot('override');
    await page.getByTestId('session-submit').click();
    await page.getByTestId('chart-recorded').waitFor();
    sessionId = new URL(page.url()).searchParams.get('recorded')!;
    await expect(page.getByTestId('chart-recorded-warning').first().textContent()).resolves.toContain('compliance worklist');
    await page.getByTestId('timeline-override').waitFor();
    await expect(page.getByTestId('timeline-override').textContent()).resolves.toBe('Override');
    await expect(page.getByTestId('chart-exceptions').textContent()).resolves.toContain('despite a contraindication');
    // One visit, though the session was sent three times.
    expect((await api('GET', `/api/visits?patient_id=${patientId}`)).items).toHaveLength(1);
    const exceptions = (await api('GET', `/api/compliance/exceptions?patient_id=${patientId}&kind=contraindication_override`)).items;
    expect(exceptions).toEqual([expect.objectContaining({ details: expect.objectContaining({ reason: REASON, alerts: ['pregnancy'] }) })]);
    await shot('chart-override');
  });

  it('opens the session from the timeline, amends it with a reason and shows the version history', async () => {
    await page.getByTestId('timeline-session-link').first().click();
    await page.getByTestId('session-detail-page').waitFor();
    expect(new URL(page.url()).pathname).toBe(`/patients/${patientId}/sessions/${sessionId}`);
    await page.getByTestId('session-override-notice').waitFor();
    await expect(page.getByTestId('session-override-notice').textContent()).resolves.toContain(REASON);
    await page.getByTestId('history-empty').waitFor();
    await expect(page.getByTestId('session-version').textContent()).resolves.toBe('Version 1');

    await page.getByTestId('session-amend-start').click();
    // The reason is required: the browser refuses the empty field, nothing is sent.
    await page.getByTestId('amend-reaction').fill('Mild redness at the injection sites');
    await page.getByTestId('amend-submit').click();
    expect((await api('GET', `/api/treatment-sessions/${sessionId}/amendments`)).items).toHaveLength(0);
    await page.getByTestId('amend-reason').fill('Reaction noted after the patient left');
    await page.getByTestId('amend-submit').click();
    await page.getByTestId('session-amended').waitFor();
    await expect(page.getByTestId('session-amended').textContent()).resolves.toContain('version 2');
    await expect(page.getByTestId('session-version').textContent()).resolves.toBe('Version 2');

    const entry = page.locator('[data-testid="history-entry"][data-version="2"]');
    await entry.waitFor();
    await expect(entry.getByTestId('history-reason').textContent()).resolves.toBe('Reaction noted after the patient left');
    await expect(entry.textContent()).resolves.toContain(OWNER.full_name);
    const change = entry.locator('[data-testid="history-change"][data-field="immediate_reaction"]');
    await expect(change.getByTestId('history-before').textContent()).resolves.toBe('—');
    await expect(change.getByTestId('history-after').textContent()).resolves.toBe('Mild redness at the injection sites');

    // A second amendment: the first one's "after" is now the second one's "before".
    await page.getByTestId('session-amend-start').click();
    await page.getByTestId('amend-reaction').fill('Mild redness, gone after 2 hours');
    await page.getByTestId('amend-reason').fill('Follow-up call');
    await page.getByTestId('amend-submit').click();
    await page.locator('[data-testid="history-entry"][data-version="3"]').waitFor();
    await expect(page.locator('[data-testid="history-entry"][data-version="3"] [data-testid="history-before"]').textContent())
      .resolves.toBe('Mild redness at the injection sites');
    await expect(page.locator('[data-testid="history-entry"][data-version="2"] [data-testid="history-after"]').textContent())
      .resolves.toBe('Mild redness at the injection sites');
    await shot('history');
  });

  it('amends the dosage together with the face map, the time on the clinic clock and the price', async () => {
    const before = await api('GET', `/api/treatment-sessions/${sessionId}`);
    expect(before.dosage_value).toBe(40);
    await page.getByTestId('session-amend-start').click();
    await page.getByTestId('amend-area').waitFor();
    // The stored point is on the map; a new dosage alone no longer adds up, and saving is refused on the field.
    await expect(page.getByTestId('point-row').count()).resolves.toBe(1);
    await page.getByTestId('amend-dosage').fill('50');
    await expect(page.getByTestId('map-sum').getAttribute('data-state')).resolves.toBe('mismatch');
    await page.getByTestId('amend-reason').fill('Dosage written down wrong');
    await page.getByTestId('amend-submit').click();
    await page.getByTestId('amend-area-error').waitFor();
    await expect(page.getByTestId('amend-area-error').textContent()).resolves.toContain('50 U');
    expect((await api('GET', `/api/treatment-sessions/${sessionId}`)).version).toBe(before.version);

    // Split across two points that add up: 30 + 20.
    await page.getByTestId('point-units').first().fill('30');
    await page.getByTestId('session-add-area').selectOption('left_masseter');
    await page.getByTestId('session-add-point').click();
    await expect(page.getByTestId('point-units').nth(1).inputValue()).resolves.toBe('20');
    await expect(page.getByTestId('map-sum').getAttribute('data-state')).resolves.toBe('match');
    const day = taipeiDay();
    await page.getByTestId('amend-performed').fill(`${day}T09:30`);
    await page.getByTestId('amend-price').fill('5,200');
    await page.getByTestId('amend-submit').click();
    await page.getByTestId('session-amended').waitFor();

    const after = await api('GET', `/api/treatment-sessions/${sessionId}`);
    expect(after.version).toBe(before.version + 1);
    expect(after.dosage_value).toBe(50);
    const area = after.treatment_area as { units: number; area: string }[];
    expect(area.map((p) => p.units)).toEqual([30, 20]);
    expect(area[1]!.area).toBe('left_masseter');
    // 09:30 in Taipei (UTC+8) is 01:30 UTC.
    expect(new Date(after.performed_at).toISOString()).toBe(`${day}T01:30:00.000Z`);
    const digits = new Intl.NumberFormat('en', { style: 'currency', currency: 'TWD' }).resolvedOptions().maximumFractionDigits!;
    expect(after.price_minor).toBe(5200 * 10 ** digits);
    const entry = page.locator(`[data-testid="history-entry"][data-version="${after.version}"]`);
    await entry.waitFor();
    for (const f of ['dosage_value', 'treatment_area', 'performed_at', 'price_minor']) {
      await entry.locator(`[data-testid="history-change"][data-field="${f}"]`).waitFor();
    }
    await expect(entry.locator('[data-testid="history-change"][data-field="treatment_area"] [data-testid="history-after"]').textContent())
      .resolves.toBe('1. Forehead 30 · 2. Left masseter 20');
    await shot('amend-area');
  });

  it('records a consultation visit from the chart; it joins the timeline with its practitioner and notes', async () => {
    await page.goto(`${h.baseUrl}/patients/${patientId}`);
    await page.getByTestId('chart-record-visit').click();
    const form = page.getByTestId('visit-form');
    await expect(form.getByTestId('visit-date').inputValue()).resolves.toBe(taipeiDay());
    await form.getByTestId('visit-date').fill(taipeiDay(-2));
    const doc = (await api('GET', '/api/practitioners/doc_01')).id as string;
    await form.getByTestId('visit-practitioner').selectOption(doc);
    await form.getByTestId('visit-notes').fill('Discussed masseter reduction; plan 3 sessions, 4 months apart.');
    await form.getByTestId('visit-submit').click();
    await page.getByTestId('chart-visit-saved').waitFor();
    const visits = (await api('GET', `/api/visits?patient_id=${patientId}`)).items as { visit_type: string; visit_date: string; practitioner_id: string; notes: string }[];
    const consultation = visits.find((v) => v.visit_type === 'consultation');
    expect(consultation).toMatchObject({ visit_date: taipeiDay(-2), practitioner_id: doc, notes: 'Discussed masseter reduction; plan 3 sessions, 4 months apart.' });
    const entry = page.locator('[data-testid="timeline-entry"][data-kind="visit"]', { hasText: 'Discussed masseter reduction' });
    await entry.waitFor();
    await expect(entry.textContent()).resolves.toContain('Dr. Lin Wei');
    // The chart also offers planning a follow-up for this patient.
    await expect(page.getByTestId('chart-plan-followup').getAttribute('href')).resolves.toBe(`/care?patient=${patientId}`);
    await shot('visit');
    await page.goto(`${h.baseUrl}/patients/${patientId}/sessions/${sessionId}`);
    await page.getByTestId('session-detail-page').waitFor();
  });

  it('records drug usage without naming a lot and shows the lot the API chose; shows its refusals; voids a usage', async () => {
    await page.getByTestId('usage-empty').waitFor();
    const product = await api('GET', '/api/products/BOTOX_US');
    await page.getByTestId('usage-product').selectOption(product.id);
    await expect(page.getByTestId('usage-unit').inputValue()).resolves.toBe('U');
    await page.getByTestId('usage-amount').fill('40');
    await page.getByTestId('usage-submit').click();
    await page.getByTestId('usage-recorded').waitFor();
    // C5-SOON expires first among the usable lots (C1-OLD is expired).
    await expect(page.getByTestId('usage-recorded').textContent()).resolves.toMatch(/40 U from lot C5-SOON .*earliest-expiring usable lot/);
    await expect(page.getByTestId('usage-warning').first().textContent()).resolves.toContain('C5-SOON');
    await page.locator('[data-testid="usage-row"][data-lot="C5-SOON"]').waitFor();
    await shot('usage');

    // More than on hand: the API's reason.
    await page.getByTestId('usage-product').selectOption(product.id);
    await page.getByTestId('usage-amount').fill('5000');
    await page.getByTestId('usage-submit').click();
    await page.locator('[data-testid="usage-form"] [data-testid="form-error"]').waitFor();
    await expect(page.locator('[data-testid="usage-form"] [data-testid="form-error"]').textContent()).resolves.toMatch(/5000 U requested, 360 U usable on hand/);

    // An expired lot, named: refused, and why.
    const lots = (await api('GET', '/api/lots?product_id=BOTOX_US&in_stock=true')).items as { id: string; lot_number: string }[];
    const old = lots.find((l) => l.lot_number === 'C1-OLD')!;
    await page.getByTestId('usage-amount').fill('5');
    await page.getByTestId('usage-lot-select').selectOption(old.id);
    await page.getByTestId('usage-submit').click();
    await expect.poll(() => page.locator('[data-testid="usage-form"] [data-testid="form-error"]').textContent()).toMatch(/Lot C1-OLD expired on .* and cannot be used/);
    await shot('usage-refused');
    expect((await api('GET', `/api/treatment-drug-usage?session_id=${sessionId}`)).items).toHaveLength(1);

    // Void: the amount returns to the lot.
    await page.locator('[data-testid="usage-row"][data-lot="C5-SOON"] [data-testid="usage-void"]').click();
    await page.getByTestId('usage-void-confirm').click();
    await page.getByTestId('usage-voided').waitFor();
    await page.getByTestId('usage-empty').waitFor();
    const soon = (await api('GET', '/api/lots?product_id=BOTOX_US&in_stock=true')).items.find((l: { lot_number: string }) => l.lot_number === 'C5-SOON');
    expect(soon.quantity_on_hand).toBe(100);
  });
});
