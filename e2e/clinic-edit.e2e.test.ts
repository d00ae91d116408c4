/**
 * The clinic's create and edit screens in Chromium: a treatment's price and follow-up rules, a
 * retired treatment, practitioners, a device's maintenance cycle, a new product with a received
 * lot and its expiry warning, stock adjustments the API refuses (and says why), and a patient's
 * phone, Fitzpatrick type and allergies changed from the chart. Field errors come from the API's
 * problem+json `errors[].pointer` and show under the field they name.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { addStaff, browserSuite, type Harness, type Owner, signUpOwner, submitSignIn } from './harness.js';

const OWNER = { email: 'owner@clinic-edit-e2e.visage.local', password: 'a clinic owner passphrase', full_name: 'Chen Mei-Hua' };
const DESK = { email: 'desk@clinic-edit-e2e.visage.local', password: 'a front desk passphrase', full_name: 'Wang Xiao-Ling' };
const CLINIC = { name: 'Jade Aesthetic Clinic 玉診所', type: 'clinic', timezone: 'Asia/Taipei', currency: 'TWD', locale: 'zh-TW' };
const TZ = 'Asia/Taipei';
// Whole amounts are shown without decimals (lib/format.ts).
const twd = (major: number) => new Intl.NumberFormat(CLINIC.locale, { style: 'currency', currency: CLINIC.currency, maximumFractionDigits: 0 }).format(major);
/** A calendar date in Taipei, `offset` days from today. */
const taipeiDay = (offset = 0) => new Intl.DateTimeFormat('en-CA', { timeZone: TZ }).format(new Date(Date.now() + offset * 86_400_000));

let h: Harness;
let page: Page;
let token: string;
let orgId: string;
let patientId: string;

const shot = (name: string) => page.screenshot({ path: `/tmp/visage-edit-${name}.png`, fullPage: true });

let api: Owner['api'];

async function seed() {
  const owner = await signUpOwner(h, OWNER, CLINIC);
  ({ token, orgId, api } = owner);
  await api('POST', '/api/treatments', {
    treatment_code: 'BOT_MASSETER', treatment_name: '美國肉毒瘦小臉', name_en: 'Botulinum toxin, masseter', category: 'Injection', default_unit: 'U',
    base_price: 4999, consent_required: true, followup_rules: [{ type: 'medical', after_days: 14, notify: true }],
  });
  await api('POST', '/api/treatments', { treatment_code: 'OLD_PEEL', treatment_name: 'Chemical peel (old)', category: 'Other', default_unit: 'session', base_price: 1200 });
  await api('POST', '/api/practitioners', { code: 'doc_01', full_name: 'Dr. Lin Wei', specialty: 'Dermatology', license_no: 'TW-DERM-0042' });
  await api('POST', '/api/devices', {
    code: 'HIFU_01', device_name: 'Ulthera HIFU', device_type: 'HIFU', manufacturer: 'Merz', model: 'Ultherapy',
    maintenance_cycle_days: 90, last_maintenance_on: taipeiDay(-100),
  });
  const p = await api('POST', '/api/patients', {
    full_name: 'Amy Chen', phone: '0912-345-678', email: 'amy.chen@example.com', skin_type: 'III', allergy_notes: 'Lidocaine', medical_history: 'None known',
  });
  patientId = p.id;
  await api('POST', '/api/patients', { full_name: 'Bella Wu', phone: '0922-000-111' });
  await addStaff(h, owner, DESK, 'front_desk');
}

browserSuite('edit', async (harness, p) => {
  h = harness;
  page = p;
  await seed();
});

/** Inputs of a form with no label (a <label for>, a wrapping label or aria-label): none expected. */
const unlabelled = (testId: string) => page.getByTestId(testId).evaluate((form) =>
  [...form.querySelectorAll<HTMLInputElement>('input, select, textarea')]
    .filter((el) => el.type !== 'hidden' && !el.labels?.length && !el.getAttribute('aria-label'))
    .map((el) => el.name || el.outerHTML.slice(0, 80)));

const treatmentRow = (code: string) => page.locator(`[data-testid="treatment-row"][data-code="${code}"]`);

describe('clinic create and edit screens in Chromium', () => {
  it('edits a treatment\'s price and follow-up rules from the keyboard and sees them in the list', async () => {
    await page.goto(`${h.baseUrl}/treatments`);
    await submitSignIn(page, OWNER);
    await treatmentRow('BOT_MASSETER').waitFor();
    await expect(treatmentRow('BOT_MASSETER').getByTestId('treatment-price').textContent()).resolves.toBe(twd(4999));

    // Keyboard: Enter on the row's Edit button opens the form with the code field focused.
    await treatmentRow('BOT_MASSETER').getByTestId('treatment-edit').focus();
    await page.keyboard.press('Enter');
    const form = page.getByTestId('treatment-form');
    await form.waitFor();
    await expect(page.evaluate(() => (document.activeElement as HTMLInputElement).name)).resolves.toBe('code');
    await expect(form.getByTestId('treatment-price-input').inputValue()).resolves.toBe('4999');
    await expect(form.getByLabel('Base price (TWD)').inputValue()).resolves.toBe('4999');
    await expect(unlabelled('treatment-form')).resolves.toEqual([]);

    // A code the API refuses: its message shows under the code field.
    await form.getByTestId('treatment-code').fill('BAD CODE!');
    await form.getByTestId('treatment-price-input').fill('5500');
    await form.getByTestId('treatment-save').click();
    const codeField = form.locator('.field.has-error').filter({ has: page.getByTestId('treatment-code') });
    await codeField.getByTestId('field-error').waitFor();
    await expect(codeField.getByTestId('field-error').textContent()).resolves.toContain('Use 1-40 letters');
    await expect(form.getByTestId('treatment-code').getAttribute('aria-invalid')).resolves.toBe('true');
    await shot('treatment-code-error');

    await form.getByTestId('treatment-code').fill('BOT_MASSETER');
    await form.getByTestId('rule-add').click();
    const rules = form.getByTestId('treatment-rule');
    await expect(rules.count()).resolves.toBe(2);
    await rules.nth(1).getByTestId('rule-type').selectOption('maintenance');
    // Out of range: the API's message shows beside that rule, not the other one.
    await rules.nth(1).getByTestId('rule-days').fill('4000');
    await form.getByTestId('treatment-save').click();
    await rules.nth(1).getByTestId('field-error').waitFor();
    await expect(rules.nth(1).getByTestId('field-error').textContent()).resolves.toContain('3650');
    await expect(rules.nth(0).getByTestId('field-error').count()).resolves.toBe(0);
    await expect(rules.nth(1).getByTestId('rule-days').getAttribute('aria-invalid')).resolves.toBe('true');
    await rules.nth(1).getByTestId('rule-days').fill('120');
    await shot('treatment-form');
    await form.getByTestId('treatment-save').click();

    await page.getByTestId('edit-saved').filter({ hasText: '美國肉毒瘦小臉 saved' }).waitFor();
    await treatmentRow('BOT_MASSETER').getByTestId('treatment-price').filter({ hasText: twd(5500) }).waitFor();
    await expect(treatmentRow('BOT_MASSETER').textContent()).resolves.toContain('Maintenance recall after 120 days');
    // Focus returns to the button that opened the form.
    await expect(page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).resolves.toBe('treatment-edit');
    const saved = (await api<{ treatment_id: string; base_price_minor: number; followup_rules: unknown[] }[]>('GET', '/api/treatments'))
      .find((t) => t.treatment_id === 'BOT_MASSETER')!;
    expect(saved.base_price_minor).toBe(550000);
    expect(saved.followup_rules).toEqual([{ type: 'medical', after_days: 14, notify: true }, { type: 'maintenance', after_days: 120, notify: true }]);
    await shot('treatments');
  });

  it('creates a treatment, refuses a duplicate code next to the field, and retires one after a confirmation', async () => {
    await page.getByTestId('treatment-new').click();
    const form = page.getByTestId('treatment-form');
    await form.getByTestId('treatment-code').fill('BOT_MASSETER');
    await form.getByTestId('treatment-name').fill('PMU brows');
    await form.getByTestId('treatment-category').selectOption('PMU');
    await form.getByTestId('treatment-unit').selectOption('session');
    await form.getByTestId('treatment-price-input').fill('12,000');
    await form.getByTestId('treatment-consent').check();
    await form.getByTestId('rule-add').click();
    await form.getByTestId('treatment-rule').first().getByTestId('rule-type').selectOption('touch_up');
    await form.getByTestId('treatment-rule').first().getByTestId('rule-days').fill('42');
    await form.getByTestId('treatment-save').click();
    await form.getByTestId('form-error').waitFor();
    await expect(form.getByTestId('form-error').textContent()).resolves.toContain('already exists');
    await expect(form.locator('.field.has-error').filter({ has: page.getByTestId('treatment-code') }).getByTestId('field-error').textContent())
      .resolves.toBe('already used');

    await form.getByTestId('treatment-code').fill('PMU_BROWS');
    await form.getByTestId('treatment-save').click();
    await treatmentRow('PMU_BROWS').waitFor();
    await expect(treatmentRow('PMU_BROWS').getByTestId('treatment-price').textContent()).resolves.toBe(twd(12000));
    await expect(treatmentRow('PMU_BROWS').textContent()).resolves.toContain('Touch-up after 42 days');
    await expect(treatmentRow('PMU_BROWS').textContent()).resolves.toContain('Consent required');

    await treatmentRow('OLD_PEEL').getByTestId('treatment-retire').click();
    await shot('treatment-retire-confirm');
    await treatmentRow('OLD_PEEL').getByTestId('treatment-retire-confirm').click();
    await treatmentRow('OLD_PEEL').waitFor({ state: 'detached' });
    await expect(page.getByTestId('edit-saved').textContent()).resolves.toContain('Chemical peel (old) retired');
    await api('GET', '/api/treatments/OLD_PEEL', undefined, [404]);
  });

  it('adds and edits a practitioner', async () => {
    await page.getByTestId('tab-practitioners').click();
    await page.getByTestId('practitioners-table').waitFor();
    await page.getByTestId('practitioner-new').click();
    const form = page.getByTestId('practitioner-form');
    await expect(unlabelled('practitioner-form')).resolves.toEqual([]);
    await form.getByTestId('practitioner-code').fill('pmu_01');
    await form.getByTestId('practitioner-name').fill('Lee Hsin-Yi');
    await form.getByTestId('practitioner-kind').selectOption('pmu_artist');
    await form.getByTestId('practitioner-specialty').fill('Brows and lips');
    await form.getByTestId('practitioner-save').click();
    const row = page.locator('[data-testid="practitioner-row"][data-code="pmu_01"]');
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain('PMU artist');

    const doc = page.locator('[data-testid="practitioner-row"][data-code="doc_01"]');
    await doc.getByTestId('practitioner-edit').click();
    await page.getByTestId('practitioner-license').fill('TW-DERM-0099');
    await page.getByTestId('practitioner-status').selectOption('inactive');
    await shot('practitioner-form');
    await page.getByTestId('practitioner-save').click();
    await page.getByTestId('edit-saved').waitFor();
    // The list reloads after the save: wait for what the user then sees.
    await doc.filter({ hasText: 'TW-DERM-0099' }).filter({ hasText: 'Inactive' }).waitFor();
    await shot('practitioners');
  });

  it('edits a device\'s maintenance cycle (no longer due) and still records a maintenance', async () => {
    await page.getByTestId('tab-devices').click();
    const device = page.locator('[data-testid="device-row"][data-code="HIFU_01"]');
    await device.waitFor();
    await expect(device.getAttribute('data-due')).resolves.toBe('yes');
    await expect(device.textContent()).resolves.toContain('10 days overdue');

    await device.getByTestId('device-edit').click();
    const form = page.getByTestId('device-form');
    await expect(form.getByTestId('device-cycle-input').inputValue()).resolves.toBe('90');
    await expect(unlabelled('device-form')).resolves.toEqual([]);
    await form.getByTestId('device-cycle-input').fill('180');
    await form.getByTestId('device-serial').fill('UT-2024-0042');
    await shot('device-form');
    await form.getByTestId('device-save').click();
    await page.getByTestId('edit-saved').waitFor();
    await page.locator('[data-testid="device-row"][data-code="HIFU_01"][data-due="no"]').waitFor({ timeout: 10_000 });
    await expect(device.getByTestId('device-cycle').textContent()).resolves.toBe('every 180 days');
    await expect(device.getByTestId('device-next').textContent()).resolves.toContain('in 80 days');
    await page.getByTestId('devices-due-summary').filter({ hasText: 'No device is due' }).waitFor({ timeout: 10_000 });
    expect((await api('GET', '/api/devices/HIFU_01')).maintenance_cycle_days).toBe(180);

    // A new device, then the maintenance recording next to the edit button still works.
    await page.getByTestId('device-new').click();
    const create = page.getByTestId('device-form');
    await create.getByTestId('device-code').fill('RF_01');
    await create.getByTestId('device-name').fill('Thermage FLX');
    await create.getByTestId('device-type').selectOption('RF');
    await create.getByTestId('device-cycle-input').fill('60');
    await create.getByTestId('device-last').fill(taipeiDay(-70));
    await create.getByTestId('device-save').click();
    const rf = page.locator('[data-testid="device-row"][data-code="RF_01"]');
    await rf.waitFor();
    await expect(rf.getAttribute('data-due')).resolves.toBe('yes');
    await rf.getByTestId('device-maintain').click();
    await page.getByTestId('maintenance-submit').click();
    await page.getByTestId('maintenance-saved').waitFor();
    await page.locator('[data-testid="device-row"][data-code="RF_01"][data-due="no"]').waitFor({ timeout: 10_000 });
    await shot('devices');
  });

  it('creates a product, receives a lot and sees it with its expiry warning; the API\'s refusals show in the forms', async () => {
    await page.getByTestId('nav-inventory').click();
    await page.getByTestId('inventory-page').waitFor();
    await page.getByTestId('tab-products').click();
    await page.getByTestId('product-new').click();
    const form = page.getByTestId('product-form');
    await expect(unlabelled('product-form')).resolves.toEqual([]);
    await form.getByTestId('product-code').fill('HA_JUVE');
    await form.getByTestId('product-name').fill('Juvéderm Voluma 1ml');
    await form.getByTestId('product-type').selectOption('HA');
    await form.getByTestId('product-unit').fill('ml');
    await form.getByTestId('product-supplier').fill('Allergan Taiwan');
    await form.getByTestId('product-reorder').fill('5');
    await form.getByTestId('product-ingredients').fill('hyaluronic_acid, lidocaine');
    await shot('product-form');
    await form.getByTestId('product-save').click();
    const product = page.locator('[data-testid="product-row"][data-code="HA_JUVE"]');
    await product.waitFor();
    await expect(product.textContent()).resolves.toContain('Hyaluronic acid filler');

    // An expired lot is refused by the API, with its reason under the expiry date.
    await product.getByTestId('product-receive').click();
    const receive = page.getByTestId('lot-receive-form');
    await expect(unlabelled('lot-receive-form')).resolves.toEqual([]);
    await receive.getByTestId('receive-lot-number').fill('VOL-2401');
    await receive.getByTestId('receive-expiry').fill(taipeiDay(-1));
    await receive.getByTestId('receive-quantity').fill('10');
    await receive.getByTestId('receive-save').click();
    await receive.getByTestId('form-error').waitFor();
    await expect(receive.getByTestId('form-error').textContent()).resolves.toContain('cannot be received');
    await expect(receive.locator('.field.has-error').filter({ has: page.getByTestId('receive-expiry') }).getByTestId('field-error').textContent())
      .resolves.toBe('in the past');
    await shot('lot-receive-refused');
    await receive.getByTestId('receive-expiry').fill(taipeiDay(30));
    await receive.getByTestId('receive-cost').fill('3,200');
    await receive.getByTestId('receive-save').click();
    await page.getByTestId('lot-received').waitFor();
    await expect(page.getByTestId('lot-received').textContent()).resolves.toContain('Lot VOL-2401 of Juvéderm Voluma 1ml received');
    await product.filter({ hasText: '10 ml' }).waitFor();
    // A product with stock on hand is not deleted: the API's reason shows beside the buttons.
    await product.getByTestId('product-delete').click();
    await product.getByTestId('product-delete-confirm').click();
    await expect(product.getByRole('alert').textContent()).resolves.toContain('still has 10 ml on hand');
    await product.getByRole('button', { name: 'Cancel' }).click();
    await shot('products');

    // Unit is fixed once a lot is counted in it: the API says so next to the unit.
    await product.getByTestId('product-edit').click();
    await page.getByTestId('product-unit').fill('syringe');
    await page.getByTestId('product-save').click();
    const unitField = page.getByTestId('product-form').locator('.field.has-error').filter({ has: page.getByTestId('product-unit') });
    await expect(unitField.getByTestId('field-error').textContent()).resolves.toBe('lots exist');
    await page.getByTestId('product-unit').fill('ml');
    await page.getByTestId('product-reorder').fill('3');
    await page.getByTestId('product-save').click();
    await page.getByTestId('edit-saved').waitFor();
    expect((await api('GET', '/api/products/HA_JUVE')).reorder_level).toBe(3);

    await page.getByTestId('lot-received-link').or(page.getByTestId('tab-lots')).first().click();
    const lot = page.locator('[data-testid="lot-row"][data-lot="VOL-2401"]');
    await lot.waitFor();
    await expect(lot.getAttribute('data-expiry')).resolves.toBe('soon');
    await expect(lot.textContent()).resolves.toContain('Expiring soon');
    await expect(lot.textContent()).resolves.toContain('in 30 days');
    expect((await api('GET', '/api/lots?product_id=HA_JUVE')).items[0].unit_cost_minor).toBe(320000);
  });

  it('records stock adjustments on a lot; below zero is refused with the reason; a status change needs one', async () => {
    const lot = page.locator('[data-testid="lot-row"][data-lot="VOL-2401"]');
    await lot.getByTestId('lot-adjust').click();
    const form = page.getByTestId('lot-adjust-form');
    await expect(unlabelled('lot-adjust-form')).resolves.toEqual([]);
    await form.getByTestId('adjust-kind').selectOption('waste');
    await form.getByTestId('adjust-quantity').fill('12');
    await form.getByTestId('adjust-reason').fill('Box dropped');
    await form.getByTestId('adjust-save').click();
    await form.getByTestId('form-error').waitFor();
    await expect(form.getByTestId('form-error').textContent()).resolves.toContain('has 10 ml on hand; it cannot go below zero');
    await expect(form.locator('.field.has-error').filter({ has: page.getByTestId('adjust-quantity') }).getByTestId('field-error').textContent())
      .resolves.toBe('available 10 ml');
    await expect(form.getByTestId('lot-movements').textContent()).resolves.toContain('Received');
    await shot('lot-adjust-refused');

    await form.getByTestId('adjust-quantity').fill('2');
    await form.getByTestId('adjust-save').click();
    await page.getByTestId('edit-saved').waitFor();
    await expect(page.getByTestId('edit-saved').textContent()).resolves.toContain('Lot VOL-2401 now has 8 ml on hand');
    await lot.getByTestId('lot-on-hand').filter({ hasText: /^8 ml$/ }).waitFor();

    // Quarantine: the reason is required in the browser and the API; the expiry is corrected too.
    await lot.getByTestId('lot-edit').click();
    const edit = page.getByTestId('lot-edit-form');
    await expect(unlabelled('lot-edit-form')).resolves.toEqual([]);
    await edit.getByTestId('lot-status-input').selectOption('quarantined');
    await expect(edit.getByTestId('lot-reason').getAttribute('required')).resolves.not.toBeNull();
    await edit.getByTestId('lot-reason').fill('Cold chain break reported by supplier');
    await edit.getByTestId('lot-expiry-input').fill(taipeiDay(25));
    await shot('lot-edit');
    await edit.getByTestId('lot-save').click();
    await page.getByTestId('edit-saved').waitFor();
    await lot.getByTestId('lot-status').filter({ hasText: 'Quarantined' }).waitFor();
    await expect(lot.textContent()).resolves.toContain('in 25 days');
    const moves = await api('GET', `/api/lots/${(await api('GET', '/api/lots?product_id=HA_JUVE')).items[0].id}/movements`);
    expect(moves.items.map((m: { kind: string; quantity: number }) => [m.kind, m.quantity])).toEqual([['waste', -2], ['receive', 10]]);
    await shot('lots');
  });

  it('edits a patient\'s phone, Fitzpatrick type and allergies from the chart and sees them there', async () => {
    await page.goto(`${h.baseUrl}/patients/${patientId}`);
    await page.getByTestId('chart-page').waitFor();
    await expect(page.getByTestId('chart-allergies').textContent()).resolves.toBe('Lidocaine');
    await page.getByTestId('chart-edit-patient').click();
    await page.getByTestId('patient-edit-page').waitFor();
    const form = page.getByTestId('patient-edit-form');
    await expect(form.getByTestId('edit-patient-allergies').inputValue()).resolves.toBe('Lidocaine');
    await expect(form.getByTestId('edit-patient-skin').inputValue()).resolves.toBe('III');
    await expect(unlabelled('patient-edit-form')).resolves.toEqual([]);

    // Bella's phone: questioned as a possible duplicate, the message under the phone field.
    await form.getByTestId('edit-patient-phone').fill('0922 000 111');
    await form.getByTestId('edit-patient-save').click();
    await form.getByTestId('form-error').waitFor();
    await expect(form.locator('.field.has-error').filter({ has: page.getByTestId('edit-patient-phone') }).getByTestId('field-error').textContent())
      .resolves.toBe('matches an existing patient');
    await form.getByTestId('edit-patient-allow-duplicate').waitFor();
    await shot('patient-duplicate');

    await form.getByTestId('edit-patient-phone').fill('0987-654-321');
    await form.getByTestId('edit-patient-skin').selectOption('IV');
    await form.getByTestId('edit-patient-emergency').fill('Chen Wei (husband) 0912-000-111');
    await form.getByTestId('edit-patient-allergies').fill('Lidocaine\nLatex');
    await shot('patient-edit');
    await form.getByTestId('edit-patient-save').click();

    await page.getByTestId('chart-patient-saved').waitFor();
    const summary = page.getByTestId('chart-summary');
    await expect(summary.textContent()).resolves.toContain('0987-654-321');
    await expect(summary.textContent()).resolves.toContain('Fitzpatrick IV');
    await expect(summary.textContent()).resolves.toContain('Chen Wei (husband)');
    await expect(page.getByTestId('chart-allergies').textContent()).resolves.toBe('Lidocaine\nLatex');
    await shot('patient-chart');

    // Only the changed fields went to the API, and the change of allergies is in the audit log.
    const saved = await api('GET', `/api/patients/${patientId}`);
    expect(saved).toMatchObject({ phone: '0987-654-321', skin_type: 'IV', allergy_notes: 'Lidocaine\nLatex', medical_history: 'None known', email: 'amy.chen@example.com' });
    const audit = await api('GET', `/api/audit?entity_type=patient&entity_id=${patientId}&action=update`, undefined, [200]);
    const fields = (audit.items as { details: { fields?: string[] } }[]).flatMap((e) => e.details.fields ?? []);
    expect(fields.sort()).toEqual(['allergyNotes', 'emergencyContact', 'phone', 'skinType']);
  });

  it('front desk edits a patient\'s contact details but never sees or sends the medical fields; no catalogue or stock buttons', async () => {
    await page.getByTestId('user-menu').click();
    await page.getByTestId('sign-out').click();
    await page.getByTestId('signin-page').waitFor();
    await submitSignIn(page, DESK);
    await page.getByTestId('nav-patients').waitFor();
    await page.goto(`${h.baseUrl}/patients/${patientId}`);
    await page.getByTestId('chart-page').waitFor();
    await expect(page.getByTestId('chart-medical').count()).resolves.toBe(0);
    await page.getByTestId('chart-edit-patient').click();
    const form = page.getByTestId('patient-edit-form');
    await form.waitFor();
    await expect(form.getByTestId('edit-patient-medical').count()).resolves.toBe(0);
    await expect(form.getByTestId('edit-patient-medical-hidden').textContent()).resolves.toContain('not shown to your role');
    await form.getByTestId('edit-patient-notes').fill('Prefers afternoon appointments');
    await shot('patient-edit-front-desk');
    await form.getByTestId('edit-patient-save').click();
    await page.getByTestId('chart-patient-saved').waitFor();
    await expect(page.getByTestId('chart-summary').textContent()).resolves.toContain('Prefers afternoon appointments');
    // The medical fields were left alone (read back by the owner).
    expect(await api('GET', `/api/patients/${patientId}`)).toMatchObject({ allergy_notes: 'Lidocaine\nLatex', medical_history: 'None known' });

    await page.getByTestId('nav-treatments').click();
    await treatmentRow('BOT_MASSETER').waitFor();
    await expect(page.getByTestId('treatment-new').count()).resolves.toBe(0);
    await expect(page.getByTestId('treatment-edit').count()).resolves.toBe(0);
    await page.getByTestId('tab-devices').click();
    await page.locator('[data-testid="device-row"][data-code="HIFU_01"]').waitFor();
    await expect(page.getByTestId('device-edit').count()).resolves.toBe(0);
    await expect(page.getByTestId('device-new').count()).resolves.toBe(0);
    await expect(page.getByTestId('nav-inventory').count()).resolves.toBe(0);
  });
});
