import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserSuite, type Harness, submitSignIn } from './harness.js';

const OWNER = { email: 'mei-ling@e2e.visage.local', password: 'correct horse battery staple', full_name: 'Mei-Ling Chen' };
const PRACTITIONER = { email: 'dr.aydin@e2e.visage.local', password: 'another long passphrase', full_name: 'Dr. Selin Aydın' };
const FRONT_DESK = { email: 'desk@e2e.visage.local', password: 'front desk passphrase', full_name: 'Lin Hsiao-Wen' };
const CLINIC = { name: 'Lotus Aesthetic Clinic 蓮花診所', type: 'clinic', timezone: 'Asia/Taipei', currency: 'TWD', locale: 'zh-TW' };
const STUDIO = { name: 'Atelier Brow Studio', type: 'studio', timezone: 'Europe/Istanbul', currency: 'TRY', locale: 'tr' };

let h: Harness;
let page: Page;
let clinicId: string;
let studioId: string;

/** The owner of two organizations (the clinic first, so it is the default) and a practitioner invited to the clinic. */
async function seed() {
  const signup = await h.call('POST', '/api/auth/signup', OWNER);
  expect(signup.status).toBe(201);
  const token = signup.body.token as string;
  clinicId = (await h.call('POST', '/api/organizations', CLINIC, token)).body.id;
  studioId = (await h.call('POST', '/api/organizations', STUDIO, token)).body.id;
  const invite = await h.call('POST', '/api/invitations', { email: PRACTITIONER.email, role: 'practitioner', title: 'Dermatologist' }, token, clinicId);
  expect(invite.status).toBe(201);
  const inviteToken = await h.mailed(PRACTITIONER.email, /invite\?token=(\S+)/);
  const accepted = await h.call('POST', '/api/invitations/accept', { token: inviteToken, full_name: PRACTITIONER.full_name, password: PRACTITIONER.password });
  expect(accepted.status).toBe(200);
}

const shot = (name: string) => page.screenshot({ path: `/tmp/visage-${name}.png`, fullPage: true });

const signIn = (email: string, password: string) => submitSignIn(page, { email, password });

async function signOut() {
  await page.getByTestId('user-menu').click();
  await page.getByTestId('sign-out').click();
  await page.getByTestId('signin-page').waitFor();
}

browserSuite('web', async (harness, p) => {
  h = harness;
  page = p;
  await seed();
});

describe('web app in Chromium', () => {
  it('refuses a wrong password with the API message, then signs in to the default organization', async () => {
    await page.goto(`${h.baseUrl}/settings/audit`);
    await page.getByTestId('signin-page').waitFor();
    await shot('signin');
    await signIn(OWNER.email, 'not the password at all');
    await expect(page.getByTestId('form-error').textContent()).resolves.toMatch(/email or password/i);

    await signIn(OWNER.email, OWNER.password);
    // Back where the sign-in was asked for, acting in the default organization (the first one created).
    await page.getByTestId('audit-page').waitFor();
    expect(new URL(page.url()).pathname).toBe('/settings/audit');
    expect(await page.getByTestId('org-switcher').inputValue()).toBe(clinicId);
  });

  it('shows the sign-in in the audit log, timed in the organization’s time zone', async () => {
    const row = page.locator('[data-testid="audit-row"][data-action="sign_in"]').first();
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain(OWNER.full_name);
    const instant = await row.locator('time').getAttribute('datetime');
    const taipei = new Intl.DateTimeFormat('zh-TW', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'Asia/Taipei' }).format(new Date(instant!));
    await expect(row.locator('time').textContent()).resolves.toBe(taipei);
    await expect(page.getByTestId('audit-page').textContent()).resolves.toContain('Asia/Taipei');
    await shot('audit');

    // Filtering by outcome keeps only matching events.
    await page.getByTestId('audit-filter-outcome').selectOption('failure');
    await page.getByTestId('audit-apply').click();
    await page.locator('[data-testid="audit-row"][data-action="sign_in"]').first().waitFor();
    const outcomes = await page.locator('[data-testid="audit-row"] .badge').allTextContents();
    expect(outcomes.length).toBeGreaterThan(0);
    expect(new Set(outcomes)).toEqual(new Set(['Failure']));

    // Dates are days in the organization's time zone: today in Taipei holds the sign-in, tomorrow nothing.
    const day = (offset: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Taipei' }).format(new Date(Date.parse(instant!) + offset * 86_400_000));
    await page.getByTestId('audit-filter-outcome').selectOption('');
    await page.getByTestId('audit-filter-from').fill(day(0));
    await page.getByTestId('audit-filter-to').fill(day(0));
    await page.getByTestId('audit-apply').click();
    await page.locator('[data-testid="audit-row"][data-action="sign_in"]').first().waitFor();
    await page.getByTestId('audit-filter-from').fill(day(1));
    await page.getByTestId('audit-filter-to').fill(day(1));
    await page.getByTestId('audit-apply').click();
    await page.getByTestId('audit-empty').waitFor();
  });

  it('switches organization: the pages reload for it, and the choice survives a reload', async () => {
    await page.getByTestId('org-switcher').selectOption(studioId);
    await page.getByTestId('audit-table').waitFor();
    // The studio's trail has its own creation, and none of the clinic's events (the sign-in was recorded there).
    await page.locator('[data-testid="audit-row"][data-action="create"]').first().waitFor();
    await expect(page.locator('[data-testid="audit-row"][data-action="sign_in"]').count()).resolves.toBe(0);

    await page.reload();
    await page.getByTestId('audit-page').waitFor();
    expect(await page.getByTestId('org-switcher').inputValue()).toBe(studioId);

    await page.getByTestId('nav-home').click();
    await expect(page.getByTestId('home-org').textContent()).resolves.toContain(STUDIO.name);
    await expect(page.getByTestId('home-org').textContent()).resolves.toContain('Europe/Istanbul');
    await page.getByTestId('org-switcher').selectOption(clinicId);
    await page.getByText(CLINIC.name, { exact: true }).last().waitFor();
    await expect(page.getByTestId('home-org').textContent()).resolves.toContain('Asia/Taipei');
    await shot('home');
  });

  it('lists members with their roles and shows contexts not built yet as such', async () => {
    await page.getByTestId('nav-members').click();
    const practitioner = page.locator(`[data-testid="member-row"][data-email="${PRACTITIONER.email}"]`);
    await practitioner.waitFor();
    await expect(practitioner.textContent()).resolves.toContain('practitioner');
    await shot('members');

    await page.getByTestId('nav-calendar').click();
    await page.getByTestId('not-available').waitFor();
  });

  it('administers the organization: invitations, a custom role, the settings', async () => {
    await page.getByTestId('nav-invitations').click();
    for (const email of [FRONT_DESK.email, 'typo@e2e.visage.local']) {
      await page.getByTestId('invitation-email').fill(email);
      await page.getByTestId('invitation-role').selectOption('front_desk');
      await page.getByTestId('invitation-submit').click();
      await page.locator(`[data-testid="invitation-row"][data-email="${email}"]`).waitFor();
    }
    const typo = page.locator('[data-testid="invitation-row"][data-email="typo@e2e.visage.local"]');
    await typo.getByTestId('invitation-revoke').click();
    await typo.getByTestId('invitation-revoke-confirm').click();
    await typo.getByText('Withdrawn').waitFor();
    await shot('invitations');

    await page.getByTestId('nav-roles').click();
    await page.getByTestId('role-new').click();
    await page.getByTestId('role-name').fill('consultant');
    await page.getByTestId('role-description').fill('Sees patients and the calendar');
    await page.getByTestId('role-form').getByLabel('patient.read').check();
    await page.getByTestId('role-form').getByLabel('appointment.read').check();
    await shot('role-form');
    await page.getByTestId('role-save').click();
    const consultant = page.locator('[data-testid="role-item"][data-role="consultant"]');
    await consultant.waitFor();
    await expect(consultant.textContent()).resolves.toContain('2 permissions');
    await shot('roles');

    await page.getByTestId('nav-organization').click();
    await page.getByTestId('org-settings-name').fill('Lotus Aesthetic Clinic Taipei');
    await page.getByTestId('org-settings-save').click();
    await page.getByTestId('org-saved').waitFor();
    // The switcher follows the new name without a reload.
    await page.locator('[data-testid="org-switcher"] option', { hasText: 'Lotus Aesthetic Clinic Taipei' }).waitFor({ state: 'attached' });
    await shot('org-settings');
  });

  it('switches the UI language (and keeps the organization’s formats)', async () => {
    await page.getByTestId('language-switcher').selectOption('zh-TW');
    await expect(page.getByTestId('nav-audit').textContent()).resolves.toBe('稽核紀錄');
    await expect(page.evaluate(() => document.documentElement.lang)).resolves.toBe('zh-TW');
    await page.getByTestId('nav-audit').click();
    await page.getByTestId('audit-table').waitFor();
    await shot('audit-zh-TW');
    await page.getByTestId('language-switcher').selectOption('tr');
    await expect(page.getByTestId('nav-audit').textContent()).resolves.toBe('Denetim kaydı');
    await page.getByTestId('language-switcher').selectOption('en');
    await expect(page.getByTestId('nav-audit').textContent()).resolves.toBe('Audit log');
  });

  it('signs out: the session is gone and app pages ask to sign in again', async () => {
    await signOut();
    const me = await page.evaluate(() => fetch('/api/me').then((r) => r.status));
    expect(me).toBe(401);
    await page.goto(`${h.baseUrl}/settings/members`);
    await page.getByTestId('signin-page').waitFor();
  });

  it('shows a practitioner only the navigation their role allows', async () => {
    await signIn(PRACTITIONER.email, PRACTITIONER.password);
    await page.getByTestId('members-page').waitFor();
    const nav = await page.getByTestId('main-nav').textContent();
    expect(nav).toContain('Patients');
    expect(nav).not.toContain('Audit log');
    expect(nav).not.toContain('Growth');
    await page.goto(`${h.baseUrl}/settings/audit`);
    await page.getByTestId('no-access').waitFor();
    await signOut();
  });

  it('accepts an emailed invitation with a new account and joins the organization', async () => {
    const link = await h.mailed(FRONT_DESK.email, /(\S*\/invite\?token=\S+)/);
    await page.goto(link);
    await expect(page.getByTestId('invite-summary').textContent()).resolves.toContain('front_desk');
    await page.getByTestId('invite-name').fill(FRONT_DESK.full_name);
    await page.getByTestId('invite-password').fill(FRONT_DESK.password);
    await shot('invite');
    await page.getByTestId('invite-accept').click();
    await page.getByTestId('home-page').waitFor();
    await expect(page.getByTestId('home-org').textContent()).resolves.toContain('Lotus Aesthetic Clinic Taipei');
    await expect(page.getByTestId('home-org').textContent()).resolves.toContain('front_desk');
    await signOut();
  });

  it('self-service: signs up, creates an organization, confirms the email with the mailed code', async () => {
    const email = 'new.studio@e2e.visage.local';
    await page.getByTestId('signup-link').click();
    await page.getByTestId('signup-name').fill('Ayşe Yılmaz');
    await page.getByTestId('signup-email').fill(email);
    await page.getByTestId('signup-password').fill('a long enough password');
    await page.getByTestId('signup-submit').click();

    await page.getByTestId('create-org-page').waitFor();
    await page.getByTestId('org-name').fill('Ayşe PMU Studio');
    await page.getByTestId('org-type').selectOption('studio');
    await page.getByTestId('org-timezone').selectOption('Europe/Istanbul');
    await page.getByTestId('org-currency').selectOption('TRY');
    await page.getByTestId('org-locale').selectOption('tr');
    await shot('create-org');
    await page.getByTestId('create-org-submit').click();
    await page.getByTestId('home-page').waitFor();
    await expect(page.getByTestId('home-org').textContent()).resolves.toContain('Ayşe PMU Studio');

    // A wrong code is refused with the API's message; the mailed one confirms the address.
    await page.getByTestId('verify-code').fill('000000');
    await page.getByTestId('verify-submit').click();
    await page.getByTestId('verify-form').getByTestId('form-error').waitFor();
    const code = await h.mailed(email, /code is (\d+)/);
    await page.getByTestId('verify-code').fill(code);
    await page.getByTestId('verify-submit').click();
    await page.getByTestId('verify-banner').waitFor({ state: 'detached' });
    await signOut();
  });

  it('signs in with an emailed magic link', async () => {
    await page.getByTestId('magic-link-open').click();
    await page.getByTestId('magic-link-email').fill(OWNER.email);
    await page.getByTestId('magic-link-submit').click();
    await page.getByTestId('magic-link-sent').waitFor();
    const link = await h.mailed(OWNER.email, /(\S*\/magic-link\?token=\S+)/);
    await page.goto(link);
    await page.getByTestId('home-page').waitFor();
    await expect(page.getByTestId('user-menu').textContent()).resolves.toContain(OWNER.full_name);
    await page.getByTestId('user-menu').click();
    await page.getByTestId('menu-profile').click();
    await page.getByTestId('profile-page').waitFor();
    await page.getByTestId('session-item').first().waitFor();
    await shot('profile');
  });
});
