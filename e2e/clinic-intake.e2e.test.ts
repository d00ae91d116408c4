/**
 * The intakes page in Chromium: an intake declaring pregnancy and a lidocaine allergy shows the
 * flags the API derived and the screening alerts they raise; the session form for a botulinum
 * toxin treatment then shows a critical alert; a PMU contraindication form; skin analyses listed
 * newest first with their findings; the API's field errors under the fields; an intake and a
 * skin analysis corrected (the same form prefilled, with a reason) and removed (with a reason),
 * checked through the API and the audit trail; and a front desk user (no medical.read) gets a
 * notice instead of the medical data.
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { addStaff, browserSuite, type Harness, type Owner, signUpOwner, submitSignIn, switchUser } from './harness.js';

const OWNER = { email: 'owner@clinic-intake-e2e.visage.local', password: 'a clinic owner passphrase', full_name: 'Chen Mei-Hua' };
const DESK = { email: 'desk@clinic-intake-e2e.visage.local', password: 'a front desk passphrase', full_name: 'Wang Xiao-Ling' };
const READER = { email: 'reader@clinic-intake-e2e.visage.local', password: 'a chart reviewer passphrase', full_name: 'Huang Li-Ting' };
const CLINIC = { name: 'Jade Aesthetic Clinic', type: 'clinic', timezone: 'Asia/Taipei', currency: 'TWD', locale: 'en' };
const TZ = 'Asia/Taipei';

let h: Harness;
let page: Page;
let api: Owner['api'];
let patientId: string;
let botId: string;
let fillerId: string;

const shot = (name: string) => page.screenshot({ path: `/tmp/visage-intake-${name}.png`, fullPage: true });
const taipeiDay = (offset = 0) => new Intl.DateTimeFormat('en-CA', { timeZone: TZ }).format(new Date(Date.now() + offset * 86_400_000));
const text = (testId: string) => page.getByTestId(testId).first().textContent();

async function seed() {
  const owner = await signUpOwner(h, OWNER, CLINIC);
  ({ api } = owner);
  botId = (await api('POST', '/api/treatments', {
    treatment_code: 'BOT_MASSETER', treatment_name: '美國肉毒瘦小臉', name_en: 'Botulinum toxin, masseter', category: 'Injection', default_unit: 'U',
    base_price: 4999, ingredients: ['botulinum_toxin'],
  })).id;
  fillerId = (await api('POST', '/api/treatments', {
    treatment_code: 'HA_FILLER', treatment_name: '玻尿酸', name_en: 'Hyaluronic acid filler with lidocaine', category: 'Injection', default_unit: 'cc',
    base_price: 12000, ingredients: ['hyaluronic_acid', 'lidocaine'],
  })).id;
  await api('POST', '/api/practitioners', { code: 'doc_01', full_name: 'Dr. Lin Wei', specialty: 'Dermatology', license_no: 'TW-DERM-0042' });
  patientId = (await api('POST', '/api/patients', { full_name: 'Lin Mei-Hua', gender: 'female', date_of_birth: '1990-04-02', phone: '0912-000-111' })).id;
  await addStaff(h, owner, DESK, 'front_desk');
  // A custom role that may read medical data but not record it.
  await api('POST', '/api/roles', { name: 'chart_reviewer', permissions: ['org.read', 'member.read', 'patient.read', 'medical.read'] });
  await addStaff(h, owner, READER, 'chart_reviewer');
}

browserSuite('intake', async (harness, p) => {
  h = harness;
  page = p;
  await seed();
});

describe('intakes and skin analyses in Chromium', () => {
  it('records an intake declaring pregnancy and a lidocaine allergy, shows the derived flags and the screening alerts', async () => {
    await page.goto(`${h.baseUrl}/patients/${patientId}`);
    await submitSignIn(page, OWNER);
    await page.getByTestId('chart-page').waitFor();
    await page.getByTestId('chart-intakes').click();
    await page.getByTestId('intakes-page').waitFor();
    expect(new URL(page.url()).pathname).toBe(`/patients/${patientId}/intakes`);
    await page.getByTestId('intakes-empty').waitFor();
    await page.getByTestId('analyses-empty').waitFor();
    await page.getByTestId('intake-screening-none').waitFor();
    // Nothing on file: screening says so for any treatment.
    await page.getByTestId('intake-screening-pick').selectOption(botId);
    await expect.poll(() => page.locator('[data-testid="intake-screening-chosen"] [data-testid="screening-alert"]').first().textContent())
      .toContain('No intake or contraindication form on file');

    const form = page.getByTestId('intake-form');
    // The API's own field error shows under the field it names (/answers/allergies: at most 2000 characters).
    await form.getByTestId('intake-allergies').evaluate((el) => el.removeAttribute('maxlength'));
    await form.getByTestId('intake-allergies').fill('x'.repeat(2001));
    await form.getByTestId('intake-submit').click();
    const allergiesField = page.locator('.field', { has: page.getByTestId('intake-allergies') });
    await expect.poll(() => allergiesField.getByTestId('field-error').textContent()).toContain('2000');
    await expect(form.getByTestId('intake-allergies').getAttribute('aria-invalid')).resolves.toBe('true');
    expect((await api('GET', `/api/patients/${patientId}/intakes`)).items).toHaveLength(0);
    await shot('field-error');

    // Labels are tied to their inputs: the questions are found by their label.
    await page.getByLabel('Pregnant', { exact: true }).check();
    await page.getByLabel('Weeks of pregnancy').fill('12');
    await form.getByTestId('intake-allergies').fill('Lidocaine, latex');
    await page.getByLabel('Current medications').fill('Prenatal vitamins');
    await page.getByLabel('What the patient wants treated').fill('Square jaw, night-time teeth grinding');
    await shot('intake-form');
    await form.getByTestId('intake-submit').click();

    await page.getByTestId('intake-saved').waitFor();
    const saved = page.getByTestId('intake-saved-flags');
    await expect(saved.locator('[data-testid="intake-flag"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-flag'))))
      .resolves.toEqual(['allergy:latex', 'allergy:lidocaine', 'pregnancy']);
    await expect(saved.textContent()).resolves.toBe('Allergy: latexAllergy: lidocainePregnancy');
    // The form was cleared for the next one.
    await expect(page.getByLabel('Pregnant', { exact: true }).isChecked()).resolves.toBe(false);

    // Listed with who recorded it and the flags as labels.
    const row = page.getByTestId('intake-row').first();
    await row.waitFor();
    await expect(row.getAttribute('data-kind')).resolves.toBe('intake');
    await expect(row.textContent()).resolves.toContain('Intake questionnaire');
    await expect(row.textContent()).resolves.toContain(`${OWNER.full_name} (You)`);
    await expect(row.getByTestId('intake-flags').textContent()).resolves.toContain('Allergy: lidocaine');

    // Screening for the treatment chosen, refreshed after the save: pregnancy stops botulinum toxin.
    const chosen = page.getByTestId('intake-screening-chosen');
    await expect.poll(() => chosen.locator('[data-testid="screening-alert"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-severity') + ':' + e.textContent)))
      .toEqual([expect.stringMatching(/^critical:Contraindication: Pregnancy: contraindicated for .*\(BOT_MASSETER\)/)]);
    // The lidocaine allergy stops the filler that contains it.
    await page.getByTestId('intake-screening-pick').selectOption(fillerId);
    await expect.poll(async () => (await chosen.locator('[data-testid="screening-alert"][data-severity="critical"]').allTextContents()).join('\n'))
      .toMatch(/Allergy to lidocaine, an ingredient of .*\(HA_FILLER\)/);
    await shot('intake-saved');

    // The answers open on click, and from the keyboard.
    await row.getByTestId('intake-toggle').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('intake-detail').waitFor();
    await expect(row.getByTestId('intake-toggle').getAttribute('aria-expanded')).resolves.toBe('true');
    const answer = (key: string) => page.locator(`[data-testid="intake-answer"][data-key="${key}"]`).textContent();
    await expect(answer('pregnant')).resolves.toBe('Yes');
    await expect(answer('pregnancy_weeks')).resolves.toBe('12');
    await expect(answer('allergies')).resolves.toBe('Lidocaine, latex');
    await expect(answer('neuromuscular_disorder')).resolves.toBe('No');
    await shot('intake-detail');

    // Exactly what the form sent, with the API's keys.
    const [stored] = (await api('GET', `/api/patients/${patientId}/intakes`)).items;
    expect(stored).toMatchObject({
      kind: 'intake', flags: ['allergy:latex', 'allergy:lidocaine', 'pregnancy'],
      answers: { pregnant: true, breastfeeding: false, pregnancy_weeks: 12, allergies: 'Lidocaine, latex', medications: 'Prenatal vitamins', isotretinoin_6m: false, pacemaker: false },
    });
  });

  it('shows a critical screening alert on the session form for the botulinum toxin treatment', async () => {
    await page.goto(`${h.baseUrl}/patients/${patientId}/session`);
    await page.getByTestId('session-page').waitFor();
    await page.getByTestId('session-treatment').selectOption(botId);
    const critical = page.locator('[data-testid="screening-alert"][data-severity="critical"]');
    await critical.first().waitFor();
    await expect(critical.first().textContent()).resolves.toMatch(/Pregnancy: contraindicated for .*\(BOT_MASSETER\)/);
    await shot('session-alert');
  });

  it('records a PMU contraindication form, listed first', async () => {
    await page.goto(`${h.baseUrl}/patients/${patientId}/intakes`);
    await page.getByTestId('intake-row').first().waitFor();
    await expect(page.getByTestId('intake-section-pmu').count()).resolves.toBe(0);
    await page.getByTestId('intake-kind').selectOption('contraindication');
    await page.getByTestId('intake-section-pmu').waitFor();
    await page.getByLabel('Alcohol in the last 24 hours').check();
    await page.getByLabel('Cold sores (herpes simplex)').check();
    await page.getByLabel('Previous permanent makeup').fill('Microblading in 2019, faded');
    await page.getByTestId('intake-submit').click();
    await page.getByTestId('intake-saved').waitFor();
    await expect(page.getByTestId('intake-saved').textContent()).resolves.toContain('Contraindication form (PMU)');
    await expect(page.locator('[data-testid="intake-saved-flags"] [data-testid="intake-flag"]').allTextContents()).resolves.toEqual(['Cold sores (herpes simplex)']);
    await expect.poll(() => page.getByTestId('intake-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')))).toEqual(['contraindication', 'intake']);
    const [latest] = (await api('GET', `/api/patients/${patientId}/intakes?kind=contraindication`)).items;
    expect(latest.answers).toMatchObject({ alcohol_24h: true, herpes_simplex: true, previous_pmu: 'Microblading in 2019, faded', pregnant: false });
    await shot('contraindication');
  });

  it('records skin analyses and lists them newest first with their key findings', async () => {
    const form = page.getByTestId('analysis-form');
    // Nothing found: said under the findings, nothing sent.
    await form.getByTestId('analysis-submit').click();
    await expect.poll(() => text('analysis-findings-error')).toBe('Enter at least one finding.');

    // An earlier analysis, dated in the clinic's time.
    await page.getByLabel('Analysed at').fill(`${taipeiDay(-30)}T10:30`);
    await page.getByLabel('Assessment').fill('Baseline before the laser series');
    await form.getByTestId('analysis-submit').click();
    await page.getByTestId('analysis-saved').waitFor();
    await page.getByTestId('analysis-row').first().waitFor();

    await page.getByLabel('Fitzpatrick skin type').selectOption('III');
    await page.getByLabel('Method or device').fill('VISIA Gen 7');
    await page.getByLabel('Hydration (%)').fill('42');
    await page.getByLabel('Sensitivity').selectOption('moderate');
    await page.getByLabel('Pigmentation').fill('Melasma on both cheeks');
    await page.getByLabel('Assessment').fill('Laser toning, 8 sessions, daily sunscreen');
    // The scanner's image, attached to this analysis.
    const scan = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 200, g: 150, b: 130 } } }).png().toBuffer();
    await form.getByTestId('analysis-file').setInputFiles({ name: 'visia-scan.png', mimeType: 'image/png', buffer: scan });
    await shot('analysis-form');
    await form.getByTestId('analysis-submit').click();
    await expect.poll(() => page.getByTestId('analysis-row').count()).toBe(2);

    const rows = page.getByTestId('analysis-row');
    await expect(rows.first().textContent()).resolves.toContain('Fitzpatrick III');
    await expect(rows.first().getByTestId('analysis-key-findings').textContent())
      .resolves.toBe('Laser toning, 8 sessions, daily sunscreen · Hydration (%): 42 · Sensitivity: moderate · Pigmentation: Melasma on both cheeks');
    await expect(rows.nth(1).getByTestId('analysis-key-findings').textContent()).resolves.toBe('Baseline before the laser series');

    await rows.first().getByTestId('analysis-toggle').click();
    await page.getByTestId('analysis-detail').waitFor();
    await expect(page.locator('[data-testid="analysis-finding"][data-key="method"]').textContent()).resolves.toBe('VISIA Gen 7');

    const stored = (await api('GET', `/api/patients/${patientId}/analyses`)).items;
    expect(stored).toHaveLength(2);
    expect(stored[0]).toMatchObject({ skin_type: 'III', findings: { method: 'VISIA Gen 7', hydration_pct: 42, sensitivity: 'moderate' } });
    expect(stored[0].file_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(stored[1].file_id).toBeNull();
    // The detail links the attached image, which the browser's session can open.
    const link = page.getByTestId('analysis-detail').getByRole('link', { name: 'Report or image' });
    await expect(link.getAttribute('href')).resolves.toBe(`/api/files/${stored[0].file_id}/content`);
    const opened = await page.request.get(`${h.baseUrl}/api/files/${stored[0].file_id}/content`);
    expect(opened.status()).toBe(200);
    expect(opened.headers()['content-type']).toBe('image/png');
    expect((await sharp(await opened.body()).metadata()).width).toBe(8);
    // 10:30 in Taipei is 02:30 UTC.
    expect(stored[1]).toMatchObject({ skin_type: null, analyzed_at: `${taipeiDay(-30)}T02:30:00.000Z`, findings: { assessment: 'Baseline before the laser series' } });
    await shot('analyses');
  });

  it('corrects an intake through the prefilled form, with a reason; flags and screening follow', async () => {
    await page.goto(`${h.baseUrl}/patients/${patientId}/intakes`);
    const intakeRow = page.locator('[data-testid="intake-row"][data-kind="intake"]');
    await intakeRow.waitFor();
    const intakeId = (await intakeRow.getAttribute('data-id'))!;
    await intakeRow.getByTestId('intake-edit').click();
    const form = page.getByTestId('intake-edit-form');
    await form.waitFor();
    // One questionnaire on the page: the form to record a new one gives way to the correction.
    await expect(page.getByTestId('intake-form').count()).resolves.toBe(0);
    // Prefilled with the answers on file.
    await expect(form.getByLabel('Pregnant', { exact: true }).isChecked()).resolves.toBe(true);
    await expect(form.getByLabel('Weeks of pregnancy').inputValue()).resolves.toBe('12');
    await expect(form.getByTestId('intake-allergies').inputValue()).resolves.toBe('Lidocaine, latex');
    await expect(form.getByLabel('Current medications').inputValue()).resolves.toBe('Prenatal vitamins');
    await expect(form.getByTestId('intake-kind').inputValue()).resolves.toBe('intake');

    await form.getByLabel('Pregnant', { exact: true }).uncheck();
    await form.getByLabel('Weeks of pregnancy').fill('');
    await form.getByTestId('intake-allergies').fill('latex');
    // No reason, no correction: said under the reason field, nothing sent.
    await form.getByTestId('intake-edit-reason').evaluate((el) => { el.removeAttribute('required'); el.removeAttribute('minlength'); });
    await form.getByTestId('intake-submit').click();
    const reasonField = page.locator('.field', { has: page.getByTestId('intake-edit-reason') });
    await expect.poll(() => reasonField.getByTestId('field-error').textContent()).toContain('at least 3 characters');
    expect((await api('GET', `/api/intakes/${intakeId}`)).answers.pregnant).toBe(true);
    await form.getByLabel('Reason for the correction').fill('Patient misread the pregnancy question');
    await shot('intake-edit');
    await form.getByTestId('intake-submit').click();

    await page.getByTestId('intake-corrected').waitFor();
    await expect(page.locator('[data-testid="intake-saved-flags"] [data-testid="intake-flag"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-flag'))))
      .resolves.toEqual(['allergy:latex']);
    await expect(page.getByTestId('intake-edit-form').count()).resolves.toBe(0);
    await expect.poll(() => intakeRow.getByTestId('record-corrected').count()).toBe(1);
    await expect(intakeRow.getByTestId('intake-flags').textContent()).resolves.toBe('Allergy: latex');

    // Through the API: the corrected answers, the rest of the form as it was, flags derived again.
    const stored = await api('GET', `/api/intakes/${intakeId}`);
    expect(stored).toMatchObject({
      kind: 'intake', flags: ['allergy:latex'], amended_at: expect.any(String),
      answers: { pregnant: false, allergies: 'latex', medications: 'Prenatal vitamins', concerns: 'Square jaw, night-time teeth grinding' },
    });
    expect(stored.answers).not.toHaveProperty('pregnancy_weeks');
    // Audited with the fields, never the answers nor the reason (free text, kept with the record's history).
    const [amend] = (await api('GET', `/api/audit?entity_type=intake&entity_id=${intakeId}&action=amend`)).items;
    expect(amend.details).toMatchObject({ fields: ['answers.allergies', 'answers.pregnancy_weeks', 'answers.pregnant'] });
    expect(JSON.stringify(amend)).not.toMatch(/Prenatal|misread/);
    // Screening follows: pregnancy no longer stops botulinum toxin.
    const screening = await api('GET', `/api/patients/${patientId}/screening?treatment_id=${botId}`);
    expect(screening.alerts.map((a: { key: string }) => a.key)).not.toContain('pregnancy');
    await page.getByTestId('intake-screening-pick').selectOption(botId);
    await expect.poll(async () => (await page.locator('[data-testid="intake-screening-chosen"] [data-testid="screening-alert"]').allTextContents()).join('\n'))
      .not.toMatch(/Pregnancy/);
    // The correction shows in the intake's detail: who, what and why.
    await intakeRow.getByTestId('intake-toggle').click();
    const correction = page.getByTestId('correction-history').getByTestId('correction');
    await expect.poll(() => correction.count()).toBe(1);
    await expect(correction.getByTestId('correction-reason').textContent()).resolves.toBe('Reason: Patient misread the pregnancy question');
    await expect(correction.textContent()).resolves.toContain(OWNER.full_name);
    await expect(correction.getByTestId('correction-fields').textContent()).resolves.not.toContain('answers.');
    await intakeRow.getByTestId('intake-toggle').click();
    await shot('intake-corrected');
  });

  it('removes the PMU contraindication form after asking why; it leaves the list, GET and screening', async () => {
    const row = page.locator('[data-testid="intake-row"][data-kind="contraindication"]');
    const id = (await row.getAttribute('data-id'))!;
    await row.getByTestId('intake-remove').click();
    const form = page.getByTestId('intake-remove-form');
    await form.waitFor();
    await expect(form.textContent()).resolves.toContain('no longer counts for screening');
    // Cancel leaves it be.
    await form.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.getByTestId('intake-remove-form').count()).resolves.toBe(0);
    await row.getByTestId('intake-remove').click();
    await page.getByTestId('intake-remove-form-reason').fill('Signed for another client by mistake');
    await shot('intake-remove');
    await page.getByTestId('intake-remove-form-submit').click();

    await page.getByTestId('intake-removed').waitFor();
    await expect.poll(() => page.getByTestId('intake-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')))).toEqual(['intake']);
    const list = (await api('GET', `/api/patients/${patientId}/intakes`)).items;
    expect(list.map((i: { id: string }) => i.id)).not.toContain(id);
    expect(list).toHaveLength(1);
    const gone = await page.request.get(`${h.baseUrl}/api/intakes/${id}`);
    expect(gone.status()).toBe(404);
    // Its cold sores no longer count: screening reads only the intake left.
    const screening = await api('GET', `/api/patients/${patientId}/screening?treatment_id=${fillerId}`);
    expect(screening.intake_ids).toEqual([list[0].id]);
    expect(screening.alerts.map((a: { key: string }) => a.key)).not.toContain('herpes_simplex');
    const [removal] = (await api('GET', `/api/audit?entity_type=intake&entity_id=${id}&action=delete`)).items;
    expect(removal).toMatchObject({ action: 'delete', entity_id: id });
    expect(JSON.stringify(removal)).not.toContain('another client');
  });

  it('corrects a skin analysis and removes another, with reasons', async () => {
    const rows = page.getByTestId('analysis-row');
    const [latest, baseline] = (await api('GET', `/api/patients/${patientId}/analyses`)).items;
    await rows.first().getByTestId('analysis-edit').click();
    const form = page.getByTestId('analysis-edit-form');
    await form.waitFor();
    await expect(page.getByTestId('analysis-form').count()).resolves.toBe(0);
    await expect(form.getByLabel('Hydration (%)').inputValue()).resolves.toBe('42');
    await expect(form.getByLabel('Method or device').inputValue()).resolves.toBe('VISIA Gen 7');
    await expect(form.getByLabel('Sensitivity').inputValue()).resolves.toBe('moderate');
    await expect(form.getByLabel('Fitzpatrick skin type').inputValue()).resolves.toBe('III');
    await form.getByLabel('Hydration (%)').fill('45');
    await form.getByLabel('Fitzpatrick skin type').selectOption('IV');
    await form.getByLabel('Reason for the correction').fill('Scanner was not calibrated');
    await shot('analysis-edit');
    await form.getByTestId('analysis-submit').click();
    await page.getByTestId('analysis-corrected').waitFor();
    await expect.poll(() => rows.first().textContent()).toContain('Fitzpatrick IV');

    const corrected = await api('GET', `/api/analyses/${latest.id}`);
    // The rest as it was, the attached image included.
    expect(corrected).toMatchObject({
      skin_type: 'IV', file_id: latest.file_id, analyzed_at: latest.analyzed_at, amended_at: expect.any(String),
      findings: { method: 'VISIA Gen 7', hydration_pct: 45, sensitivity: 'moderate', pigmentation: 'Melasma on both cheeks' },
    });
    const [amend] = (await api('GET', `/api/audit?entity_type=skin_analysis&entity_id=${latest.id}&action=amend`)).items;
    expect(amend.details).toMatchObject({ fields: ['skin_type', 'findings.hydration_pct'] });
    expect(JSON.stringify(amend)).not.toContain('calibrated');

    const baselineRow = page.locator(`[data-testid="analysis-row"][data-id="${baseline.id}"]`);
    await baselineRow.getByTestId('analysis-remove').click();
    await page.getByTestId('analysis-remove-form-reason').fill('Duplicate of the paper record');
    await page.getByTestId('analysis-remove-form-submit').click();
    await page.getByTestId('analysis-removed').waitFor();
    await expect.poll(() => rows.count()).toBe(1);
    expect((await api('GET', `/api/patients/${patientId}/analyses`)).items.map((a: { id: string }) => a.id)).toEqual([latest.id]);
    expect((await page.request.get(`${h.baseUrl}/api/analyses/${baseline.id}`)).status()).toBe(404);
    await shot('analysis-removed');
  });

  it('lets a user who may read but not record medical data see the intakes and analyses, without the forms', async () => {
    await switchUser(page, READER);
    await page.goto(`${h.baseUrl}/patients/${patientId}`);
    await page.getByTestId('chart-intakes').click();
    await page.getByTestId('intakes-read-only').waitFor();
    await expect.poll(() => page.getByTestId('intake-row').count()).toBe(1);
    await expect.poll(() => page.getByTestId('analysis-row').count()).toBe(1);
    await expect(page.getByTestId('intake-row').first().getByTestId('intake-flags').textContent()).resolves.toContain('Allergy: latex');
    // Corrections and removals need medical.write: no buttons for them.
    await expect(page.getByTestId('intake-edit').count()).resolves.toBe(0);
    await expect(page.getByTestId('intake-remove').count()).resolves.toBe(0);
    await expect(page.getByTestId('analysis-edit').count()).resolves.toBe(0);
    await expect(page.getByTestId('analysis-remove').count()).resolves.toBe(0);
    // Recorded by the owner, named from the member list.
    await expect(page.getByTestId('intake-row').first().textContent()).resolves.toContain(OWNER.full_name);
    await expect(page.getByTestId('intake-form').count()).resolves.toBe(0);
    await expect(page.getByTestId('analysis-form').count()).resolves.toBe(0);
    await shot('read-only');
  });

  it('tells a front desk user that intakes are medical data, and shows no link on the chart', async () => {
    await switchUser(page, DESK);
    await page.goto(`${h.baseUrl}/patients/${patientId}`);
    await page.getByTestId('chart-page').waitFor();
    await expect(page.getByTestId('chart-intakes').count()).resolves.toBe(0);
    await page.goto(`${h.baseUrl}/patients/${patientId}/intakes`);
    await page.getByTestId('intakes-no-access').waitFor();
    await expect(text('intakes-no-access')).resolves.toContain('medical data');
    await expect(page.getByTestId('intake-form').count()).resolves.toBe(0);
    await expect(page.getByTestId('analysis-form').count()).resolves.toBe(0);
    await expect(page.getByTestId('intakes-list').count()).resolves.toBe(0);
    await shot('front-desk');
  });
});
