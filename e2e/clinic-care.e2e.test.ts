/**
 * The care pages in Chromium: a follow-up planned by hand (patient found by search, and opened
 * from a chart link /care?patient={id}) shows in the worklist; a maintenance re-treatment is
 * recommended after a session (the API's field error under the date first); a follow-up is moved
 * and another cancelled with a reason; a session recorded through the API without the required
 * consent (the organization's default "flag" policy) and one recorded over a contraindication show
 * on the compliance worklist, which resolves one with a resolution; and a role without
 * consent.read sees neither the link nor the page.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { addStaff, browserSuite, type Harness, type Owner, signUpOwner, submitSignIn } from './harness.js';

const OWNER = { email: 'owner@clinic-care-e2e.visage.local', password: 'a clinic owner passphrase', full_name: 'Chen Mei-Hua' };
const COORDINATOR = { email: 'coord@clinic-care-e2e.visage.local', password: 'a care coordinator passphrase', full_name: 'Wang Xiao-Ling' };
const CLINIC = { name: 'Jade Aesthetic Clinic', type: 'clinic', timezone: 'Asia/Taipei', currency: 'TWD', locale: 'en' };
const TZ = 'Asia/Taipei';

let h: Harness;
let page: Page;
let api: Owner['api'];
let orgId: string;
let linId: string;
let chenId: string;
let huangId: string;
let wuId: string;
let hifuSessionId: string;

const shot = (name: string) => page.screenshot({ path: `/tmp/visage-care-${name}.png`, fullPage: true });
const taipeiDay = (offset = 0) => new Intl.DateTimeFormat('en-CA', { timeZone: TZ }).format(new Date(Date.now() + offset * 86_400_000));

interface ApiFollowup { id: string; patient_id: string; session_id: string | null; followup_type: string; scheduled_date: string; status: string;
  source: string; notify_flag: boolean; next_recommend_date: string | null; cancel_reason: string | null; treatment: string | null;
  reminder_due_at: string | null }
const followupsOf = async (patientId: string) => (await api<{ items: ApiFollowup[] }>('GET', `/api/followups?patient_id=${patientId}&limit=50`)).items;

async function seed() {
  const owner = await signUpOwner(h, OWNER, CLINIC);
  ({ api, orgId } = owner);
  await api('POST', '/api/treatments', {
    treatment_code: 'BOT_MASSETER', treatment_name: '美國肉毒瘦小臉', name_en: 'Botulinum toxin, masseter', category: 'Injection', default_unit: 'U',
    base_price: 4999, consent_required: true, ingredients: ['botulinum_toxin'],
  });
  await api('POST', '/api/consent-templates', {
    treatment_id: 'BOT_MASSETER', title: 'Botulinum toxin consent',
    body: 'I understand the expected effects, the risks (bruising, asymmetry, temporary weakness) and the alternatives of botulinum toxin injection.',
  });
  await api('POST', '/api/treatments', {
    treatment_code: 'HIFU_FACE', treatment_name: '海芙音波', name_en: 'HIFU face lift', category: 'Device', default_unit: 'lines', base_price: 38000,
  });
  linId = (await api('POST', '/api/patients', { full_name: 'Lin Mei-Hua', gender: 'female', date_of_birth: '1990-04-02', phone: '0912-000-111' })).id;
  chenId = (await api('POST', '/api/patients', { full_name: 'Chen Yu-Ting', gender: 'female', date_of_birth: '1985-11-20', phone: '0912-000-222' })).id;
  huangId = (await api('POST', '/api/patients', { full_name: 'Huang Shu-Fen', gender: 'female', phone: '0912-000-333' })).id;
  wuId = (await api('POST', '/api/patients', { full_name: 'Wu Ya-Ting', gender: 'female', phone: '0912-000-444' })).id;
  // Lin had a HIFU session ten days ago (no consent needed): recommendations follow it.
  hifuSessionId = (await api('POST', '/api/treatment-sessions', {
    patient_id: linId, treatment_id: 'HIFU_FACE', dosage_value: 400, performed_at: new Date(Date.now() - 10 * 86_400_000).toISOString(),
  })).id;
  // A role that works the follow-up list but may not read consents (nor compliance exceptions).
  await api('POST', '/api/roles', { name: 'care_coordinator', permissions: ['org.read', 'member.read', 'patient.read', 'followup.read', 'followup.write'] });
  await addStaff(h, owner, COORDINATOR, 'care_coordinator');
}

browserSuite('care', async (harness, p) => {
  h = harness;
  page = p;
  await seed();
});

describe('follow-ups and the compliance worklist in Chromium', () => {
  it('plans a follow-up by hand for a patient found by search, and sees it in the worklist', async () => {
    await page.goto(`${h.baseUrl}/care`);
    await submitSignIn(page, OWNER);
    await page.getByTestId('followups-page').waitFor();
    await page.getByTestId('followups-upcoming').getByText('Nothing planned in the coming days.').waitFor();

    await page.getByTestId('followup-new').click();
    const form = page.getByTestId('followup-plan-form');
    await form.waitFor();
    // No patient chosen yet: the form says so under the patient field, and nothing is stored.
    await form.getByTestId('followup-form-type').selectOption('reminder');
    await form.getByTestId('followup-form-date').fill(taipeiDay(3));
    await form.getByTestId('followup-form-submit').click();
    await expect.poll(() => form.getByTestId('field-error').first().textContent()).toBe('Choose the patient first.');
    expect(await followupsOf(chenId)).toHaveLength(0);
    await expect(page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).resolves.toBe('care-patient-search');

    // The search finds by phone too; only the matching patient is offered.
    await page.getByLabel('Patient', { exact: true }).fill('0912-000-222');
    const option = form.getByTestId('care-patient-option');
    await expect.poll(() => option.count()).toBe(1);
    await expect(option.getAttribute('data-patient-id')).resolves.toBe(chenId);
    await page.getByLabel('Patient', { exact: true }).fill('Nobody Here');
    await form.getByTestId('care-patient-none').waitFor();
    await page.getByLabel('Patient', { exact: true }).fill('chen yu');
    await expect.poll(() => option.count()).toBe(1);
    await option.click();
    // Chosen: the message is gone.
    await expect(form.getByTestId('field-error').count()).resolves.toBe(0);
    await expect(form.getByTestId('form-error').count()).resolves.toBe(0);
    await expect(form.getByTestId('care-patient-name').inputValue()).resolves.toBe(`Chen Yu-Ting · ${(await api('GET', `/api/patients/${chenId}`)).code}`);
    await form.getByTestId('followup-form-notify').check();
    await form.getByTestId('followup-form-channel').selectOption('sms');
    await shot('plan-form');
    await form.getByTestId('followup-form-submit').click();

    await expect.poll(() => page.getByTestId('followup-planned').textContent()).toContain('Reminder for Chen Yu-Ting planned on');
    await expect(form.count()).resolves.toBe(0);
    const row = page.getByTestId('followups-upcoming').locator('[data-testid="followup-row"][data-patient="Chen Yu-Ting"]');
    await row.waitFor();
    await expect(row.getAttribute('data-source')).resolves.toBe('manual');
    await expect(row.textContent()).resolves.toContain('in 3 days');
    await expect(page.getByTestId('followup-count-upcoming').locator('.stat-value').textContent()).resolves.toBe('1');

    const [stored] = await followupsOf(chenId);
    expect(stored).toMatchObject({ followup_type: 'reminder', scheduled_date: taipeiDay(3), status: 'planned', source: 'manual', notify_flag: true, session_id: null });
  });

  it('opens the plan form for the patient of a chart link (/care?patient=) and ties the follow-up to a session', async () => {
    await page.goto(`${h.baseUrl}/care?patient=${linId}`);
    const form = page.getByTestId('followup-plan-form');
    await form.waitFor();
    await expect.poll(() => form.getByTestId('care-patient-name').inputValue().catch(() => '')).toContain('Lin Mei-Hua');
    const session = form.getByTestId('followup-form-session');
    await session.waitFor();
    await expect(session.locator('option').allTextContents()).resolves.toEqual(['Not tied to a session', expect.stringContaining('Session 1: 海芙音波')]);
    await session.selectOption(hifuSessionId);
    await form.getByTestId('followup-form-type').selectOption('medical');
    await form.getByTestId('followup-form-date').fill(taipeiDay(5));
    await form.getByTestId('followup-form-submit').click();
    await page.getByTestId('followup-planned').waitFor();
    // The chart's parameter is dropped once done, so a reload does not open the form again.
    expect(new URL(page.url()).search).toBe('');
    const row = page.getByTestId('followups-upcoming').locator('[data-testid="followup-row"][data-patient="Lin Mei-Hua"]');
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain('海芙音波');
    await expect(row.getAttribute('data-type')).resolves.toBe('medical');
    const [stored] = await followupsOf(linId);
    expect(stored).toMatchObject({ session_id: hifuSessionId, followup_type: 'medical', scheduled_date: taipeiDay(5), source: 'manual', notify_flag: false });
  });

  it('recommends a maintenance re-treatment after a session and shows what it planned', async () => {
    await page.getByTestId('followup-recommend-open').click();
    const form = page.getByTestId('followup-recommend-form');
    await form.waitFor();
    // By keyboard: Enter in the search box takes the only match (and does not submit the form); focus stays on the patient.
    await page.getByLabel('Patient', { exact: true }).fill('Lin');
    await form.getByTestId('care-patient-option').waitFor();
    await page.getByLabel('Patient', { exact: true }).press('Enter');
    await form.getByTestId('care-patient-chosen').waitFor();
    await expect(form.getByTestId('care-patient-chosen').getAttribute('data-patient-id')).resolves.toBe(linId);
    await expect(page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).resolves.toBe('care-patient-name');
    await expect(form.getByTestId('form-error').count()).resolves.toBe(0);
    const session = form.getByTestId('followup-form-session');
    await session.waitFor();
    await expect(session.inputValue()).resolves.toBe(hifuSessionId);
    // Defaults of the seed's recommendation: maintenance, with a reminder.
    await expect(form.getByTestId('followup-form-type').inputValue()).resolves.toBe('maintenance');
    await expect(form.getByTestId('followup-form-notify').isChecked()).resolves.toBe(true);

    // A date before the session: the API's own message shows under the date field.
    await form.getByTestId('followup-form-date').fill(taipeiDay(-30));
    await form.getByTestId('followup-form-submit').click();
    const dateField = form.locator('.field', { has: page.getByTestId('followup-form-date') });
    await expect.poll(() => dateField.getByTestId('field-error').textContent()).toContain('must be after');
    await expect(form.getByTestId('followup-form-date').getAttribute('aria-invalid')).resolves.toBe('true');
    expect((await followupsOf(linId)).filter((f) => f.source === 'recommend')).toHaveLength(0);

    await form.getByTestId('followup-form-date').fill(taipeiDay(10));
    await form.getByTestId('followup-form-submit').click();
    const result = page.getByTestId('recommend-result');
    await result.waitFor();
    await expect(result.getByTestId('recommend-result-type').textContent()).resolves.toBe('Maintenance recall');
    await expect(result.getByTestId('recommend-result-date').getAttribute('data-date')).resolves.toBe(taipeiDay(10));
    await expect(result.getByTestId('recommend-result-notify').textContent()).resolves.toBe('Reminder on');
    await expect(result.textContent()).resolves.toContain('海芙音波');
    // The medical check planned on the session in the previous test now carries the recommended date.
    await expect(result.getByTestId('recommend-result-updated').textContent()).resolves.toContain('now records');
    await shot('recommended');

    const row = page.getByTestId('followups-upcoming').locator('[data-testid="followup-row"][data-source="recommend"]');
    await row.waitFor();
    await expect(row.getAttribute('data-patient')).resolves.toBe('Lin Mei-Hua');
    await expect(row.textContent()).resolves.toContain('Maintenance recall');
    const stored = await followupsOf(linId);
    expect(stored.find((f) => f.source === 'recommend')).toMatchObject({
      session_id: hifuSessionId, followup_type: 'maintenance', scheduled_date: taipeiDay(10), notify_flag: true, status: 'planned',
    });
    expect(stored.find((f) => f.source === 'manual')!.next_recommend_date).toBe(taipeiDay(10));
    await result.getByTestId('recommend-result-close').click();
    await expect(result.count()).resolves.toBe(0);
  });

  it('reschedules a follow-up and cancels another with a reason', async () => {
    const upcoming = page.getByTestId('followups-upcoming');
    const chen = upcoming.locator('[data-testid="followup-row"][data-patient="Chen Yu-Ting"]');
    await chen.getByTestId('followup-reschedule').click();
    const move = page.getByTestId('followup-reschedule-form');
    await move.waitFor();
    // The same day is refused in place.
    await move.getByTestId('followup-reschedule-submit').click();
    await expect.poll(() => move.getByTestId('field-error').textContent()).toBe('Pick a different day from the one planned.');
    await move.getByTestId('followup-reschedule-date').fill(taipeiDay(6));
    await shot('reschedule');
    await move.getByTestId('followup-reschedule-submit').click();
    await expect.poll(() => page.getByTestId('followup-rescheduled').textContent()).toContain('Follow-up of Chen Yu-Ting moved to');
    // The worklist reloads with the new date.
    await expect.poll(() => chen.getByTestId('followup-date').getAttribute('data-date')).toBe(taipeiDay(6));
    await expect(chen.textContent()).resolves.toContain('in 6 days');
    // The reminder moved with it: 09:00 Taipei time the day before.
    expect((await followupsOf(chenId))[0]).toMatchObject({
      scheduled_date: taipeiDay(6), status: 'planned', reminder_due_at: new Date(`${taipeiDay(5)}T09:00:00+08:00`).toISOString(),
    });

    const recommended = upcoming.locator('[data-testid="followup-row"][data-source="recommend"]');
    const id = await recommended.getAttribute('data-id');
    await recommended.getByTestId('followup-cancel').click();
    const cancel = page.getByTestId('followup-cancel-form');
    await cancel.getByTestId('followup-cancel-reason').fill('The patient prefers to wait until after the summer.');
    await shot('cancel');
    await cancel.getByTestId('followup-cancel-submit').click();
    await expect.poll(() => page.getByTestId('followup-cancelled').textContent()).toBe('Follow-up of Lin Mei-Hua cancelled.');
    await expect.poll(() => upcoming.locator(`[data-testid="followup-row"][data-id="${id}"]`).count()).toBe(0);
    const cancelled = await api<ApiFollowup>('GET', `/api/followups/${id}`);
    expect(cancelled).toMatchObject({ status: 'cancelled', cancel_reason: 'The patient prefers to wait until after the summer.' });
    // The other two stay planned.
    await expect(upcoming.locator('[data-testid="followup-row"]').count()).resolves.toBe(2);
  });

  it('lists sessions recorded without consent or over a contraindication on the compliance worklist and resolves one', async () => {
    // The organization keeps the default consent policy: a session without the signed consent is recorded and flagged.
    expect((await api('GET', `/api/organizations/${orgId}`)).consent_policy).toBe('flag');
    const noConsent = await api('POST', '/api/treatment-sessions', {
      patient_id: huangId, treatment_id: 'BOT_MASSETER', dosage_value: 40, dosage_unit: 'U', treatment_area: { left_masseter: 20, right_masseter: 20 },
    });
    expect(noConsent.warnings.join(' ')).toContain('consent');
    // Wu is breastfeeding: the session goes ahead over the contraindication with a reason (and without consent either).
    await api('POST', `/api/patients/${wuId}/intakes`, { kind: 'intake', answers: { breastfeeding: true } });
    const reason = 'Weaned last week; benefit discussed with the patient and her obstetrician.';
    const overridden = await api('POST', '/api/treatment-sessions', {
      patient_id: wuId, treatment_id: 'BOT_MASSETER', dosage_value: 20, dosage_unit: 'U', treatment_area: { left_masseter: 10, right_masseter: 10 },
      contraindication_override: { reason },
    });

    await page.getByTestId('care-compliance-link').click();
    await page.getByTestId('compliance-page').waitFor();
    expect(new URL(page.url()).pathname).toBe('/care/compliance');
    const rows = page.locator('[data-testid="compliance-row"]');
    await expect.poll(() => rows.count()).toBe(3);
    const huang = page.locator('[data-testid="compliance-row"][data-patient="Huang Shu-Fen"]');
    await expect(huang.getAttribute('data-kind')).resolves.toBe('missing_consent');
    await expect(huang.textContent()).resolves.toContain('No signed consent');
    await expect(huang.getByTestId('compliance-patient').getAttribute('href')).resolves.toBe(`/patients/${huangId}`);
    await expect(huang.getByTestId('compliance-session').getAttribute('href')).resolves.toBe(`/patients/${huangId}/sessions/${noConsent.id}`);
    await expect(huang.getByTestId('compliance-session').textContent()).resolves.toBe('Session 1: 美國肉毒瘦小臉');
    // Who recorded the session without consent, named by the API.
    await expect(huang.getByTestId('compliance-who').textContent()).resolves.toBe('Recorded by Chen Mei-Hua (you)');
    const override = page.locator('[data-testid="compliance-row"][data-kind="contraindication_override"]');
    await expect(override.getAttribute('data-patient')).resolves.toBe('Wu Ya-Ting');
    await expect(override.getByTestId('compliance-who').textContent()).resolves.toBe('Overridden by Chen Mei-Hua (you)');
    await expect(override.getByTestId('compliance-reason').textContent()).resolves.toBe(`Reason: ${reason}`);
    await expect(override.getByTestId('compliance-session').getAttribute('href')).resolves.toBe(`/patients/${wuId}/sessions/${overridden.id}`);
    // The kind filter.
    await page.getByTestId('compliance-kind').selectOption('contraindication_override');
    await expect.poll(() => rows.count()).toBe(1);
    await page.getByTestId('compliance-kind').selectOption('');
    await expect.poll(() => rows.count()).toBe(3);
    await shot('compliance-open');

    await huang.getByTestId('compliance-resolve').click();
    const form = page.getByTestId('compliance-resolve-form');
    await form.waitFor();
    // An empty resolution is refused under the field, and nothing is resolved.
    await form.getByTestId('compliance-resolve-submit').click();
    await expect.poll(() => form.getByTestId('field-error').textContent().catch(() => '')).toBe('Say how it was resolved.');
    await expect(form.getByTestId('compliance-resolution-text').getAttribute('aria-invalid')).resolves.toBe('true');
    expect((await api('GET', `/api/compliance/exceptions?patient_id=${huangId}&open=true`)).items).toHaveLength(1);
    const resolution = 'The patient signed the current consent (version 1) on her next visit.';
    await form.getByTestId('compliance-resolution-text').fill(resolution);
    await shot('compliance-resolve');
    await form.getByTestId('compliance-resolve-submit').click();
    await expect.poll(() => page.getByTestId('compliance-resolved').textContent()).toBe('Exception of Huang Shu-Fen resolved.');
    await expect.poll(() => rows.count()).toBe(2);
    await expect(huang.count()).resolves.toBe(0);

    await page.getByTestId('tab-resolved').click();
    expect(new URL(page.url()).search).toBe('?tab=resolved');
    await expect.poll(() => rows.count()).toBe(1);
    await expect(rows.first().getAttribute('data-patient')).resolves.toBe('Huang Shu-Fen');
    await expect(rows.first().getAttribute('data-open')).resolves.toBe('false');
    const done = rows.first().getByTestId('compliance-resolution');
    await expect(done.textContent()).resolves.toContain(resolution);
    await expect(done.textContent()).resolves.toContain('Chen Mei-Hua (you)');
    await expect(rows.first().getByTestId('compliance-resolve').count()).resolves.toBe(0);
    await shot('compliance-resolved');
    await page.getByTestId('tab-all').click();
    await expect.poll(() => rows.count()).toBe(3);

    const stored = await api('GET', `/api/compliance/exceptions?patient_id=${huangId}`);
    expect(stored.items).toHaveLength(1);
    expect(stored.items[0]).toMatchObject({ kind: 'missing_consent', open: false, resolution, session: { id: noConsent.id } });
  });

  it('hides the compliance worklist from a role without consent.read', async () => {
    await page.getByTestId('user-menu').click();
    await page.getByTestId('sign-out').click();
    await page.getByTestId('signin-page').waitFor();
    await submitSignIn(page, COORDINATOR);
    await page.getByTestId('nav-care').click();
    await page.getByTestId('followups-page').waitFor();
    await page.locator('[data-testid="followup-row"]').first().waitFor();
    await expect(page.getByTestId('nav-compliance').count()).resolves.toBe(0);
    await expect(page.getByTestId('care-compliance-link').count()).resolves.toBe(0);
    // Planning is allowed; recommending (which starts from a session) needs session.read, which this role lacks.
    await expect(page.getByTestId('followup-new').count()).resolves.toBe(1);
    await expect(page.getByTestId('followup-recommend-open').count()).resolves.toBe(0);
    await page.goto(`${h.baseUrl}/care/compliance`);
    await page.getByTestId('no-access').waitFor();
    await expect(page.getByTestId('compliance-page').count()).resolves.toBe(0);
    await shot('no-access');
    // The API agrees: the worklist of follow-ups yes, compliance exceptions no.
    const login = await h.call('POST', '/api/auth/login', { email: COORDINATOR.email, password: COORDINATOR.password });
    expect(login.status).toBe(200);
    expect((await h.call('GET', '/api/followups/worklist', undefined, login.body.token, orgId)).status).toBe(200);
    expect((await h.call('GET', '/api/compliance/exceptions?open=true', undefined, login.body.token, orgId)).status).toBe(403);

    // In Traditional Chinese: this role plans follow-ups for the patient alone (no session.read), and is told so.
    await page.goto(`${h.baseUrl}/care`);
    await page.getByTestId('language-switcher').selectOption('zh-TW');
    await expect.poll(() => page.getByTestId('followup-new').textContent()).toBe('安排追蹤');
    await page.getByTestId('followup-new').click();
    const form = page.getByTestId('followup-plan-form');
    await page.getByLabel('病患', { exact: true }).fill('Lin');
    await form.getByTestId('care-patient-option').click();
    await expect.poll(() => form.textContent()).toContain('您的角色不包含讀取療程紀錄');
    await expect(form.getByTestId('followup-form-session').count()).resolves.toBe(0);
    await shot('plan-zh-TW');
  });
});
