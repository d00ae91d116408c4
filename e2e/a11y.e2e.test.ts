/**
 * Accessibility: every screen of the web app, signed out and signed in over the demo data, audited
 * in Chromium with axe-core against WCAG 2.1 A and AA; and the shell used with the keyboard alone.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserSuite, submitSignIn, type Harness } from './harness.js';
import { seedDemo } from '../src/modules/demo/index.js';

const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let h: Harness;
let page: Page;
let owner: { email: string; password: string };
let patientId: string;

interface Violation { rule: string; impact: string | null; help: string; targets: string[] }

/** The page's WCAG 2.1 A/AA violations once it has settled (no request in flight, no loading state). */
async function violations(): Promise<Violation[]> {
  await page.waitForLoadState('networkidle');
  await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'), undefined, { timeout: 10_000 }).catch(() => undefined);
  await page.evaluate(axeSource); // through the DevTools protocol: the app's CSP rightly refuses inline scripts
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => ({ rule: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 6).map((n) => n.target.join(' ')) }));
  });
}

/**
 * Opens `path` (then clicks `open`, to audit a form or menu it opens) and answers what axe finds
 * there, each violation named with its page for the failure message.
 */
async function audit(path: string, ready: string, open?: string): Promise<string[]> {
  await page.goto(h.baseUrl + path);
  await page.getByTestId(ready).first().waitFor();
  const where = open ? `${path} with ${open} open` : path;
  if (await page.getByTestId('not-found').or(page.getByTestId('no-access')).count()) return [`${where}: the page did not open`];
  if (open) {
    await page.waitForLoadState('networkidle');
    // Opened: a form's fields appeared, a menu expanded, or the page moved to the form.
    const state = () => page.evaluate((id) => ({
      url: location.href,
      fields: [...document.querySelectorAll<HTMLElement>('input, select, textarea')].filter((e) => e.offsetParent !== null).length,
      expanded: document.querySelector(`[data-testid="${id}"]`)?.getAttribute('aria-expanded') === 'true',
    }), open);
    const before = await state();
    await page.getByTestId(open).first().click();
    let opened = false;
    for (let i = 0; i < 50 && !opened; i++) {
      const now = await state();
      opened = now.url !== before.url || now.fields > before.fields || (now.expanded && !before.expanded);
      if (!opened) await page.waitForTimeout(200);
    }
    if (!opened) return [`${where}: clicking ${open} opened nothing`];
  }
  return (await violations()).map((v) => `${where}: ${v.rule} (${v.impact}) ${v.help} -> ${v.targets.join(' | ')}`);
}

/** The focused element: what it is, and whether a focus indicator (outline or box shadow) shows. */
function focused() {
  return page.evaluate(() => {
    const e = document.activeElement as HTMLElement | null;
    if (!e || e === document.body) return null;
    const style = getComputedStyle(e);
    const visible = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
    return { tag: e.tagName.toLowerCase(), id: e.id, className: e.className, testid: e.dataset.testid ?? null, visible };
  });
}

/** Presses Tab (or Shift+Tab) until `selector` has the focus; fails after 80 presses. */
async function tabTo(selector: string, direction: 'forwards' | 'backwards' = 'forwards'): Promise<void> {
  for (let i = 0; i < 80; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press(direction === 'forwards' ? 'Tab' : 'Shift+Tab');
  }
  throw new Error(`Tab never reached ${selector}`);
}

/** Signs the demo owner in, unless an earlier test already did. */
async function signedIn(): Promise<void> {
  await page.goto(`${h.baseUrl}/`);
  const shown = await page.getByTestId('nav-patients').or(page.getByTestId('signin-page')).first();
  await shown.waitFor();
  if (await page.getByTestId('signin-page').count()) {
    await submitSignIn(page, owner);
    await page.getByTestId('nav-patients').waitFor();
  }
}

browserSuite('a11y', async (harness, p) => {
  h = harness;
  page = p;
  const demo = await seedDemo(h.visage.deps);
  owner = { email: demo.email, password: demo.password };
  const login = await h.call('POST', '/api/auth/login', owner);
  const patients = await h.call('GET', '/api/patients?limit=1', undefined, login.body.token, demo.clinicId);
  patientId = patients.body.items[0].id;
});

describe('accessibility in Chromium (axe-core, WCAG 2.1 A and AA)', () => {
  it('the signed-out pages have no violations', async () => {
    const found = [
      ...await audit('/sign-in', 'signin-page'),
      ...await audit('/sign-up', 'signup-page'),
      ...await audit('/forgot-password', 'forgot-page'),
    ];
    expect(found).toEqual([]);
  });

  it('every screen of the signed-in app has no violations', async () => {
    await signedIn();
    const screens: [string, string][] = [
      ['/', 'nav-patients'],
      ['/patients', 'nav-patients'],
      [`/patients/${patientId}`, 'nav-patients'],
      [`/patients/${patientId}/photos`, 'nav-patients'],
      [`/patients/${patientId}/intakes`, 'nav-patients'],
      [`/patients/${patientId}/documents`, 'nav-patients'],
      [`/patients/${patientId}/consent`, 'nav-patients'],
      ['/treatments', 'nav-patients'],
      ['/inventory', 'nav-patients'],
      ['/care', 'nav-patients'],
      ['/care/compliance', 'nav-patients'],
      ['/dashboards', 'nav-patients'],
      ['/growth/pipeline', 'nav-patients'],
      ['/growth/leads', 'nav-patients'],
      ['/growth/campaigns', 'nav-patients'],
      ['/growth/funnel', 'nav-patients'],
      ['/growth/commissions', 'nav-patients'],
      ['/growth/integrations', 'nav-patients'],
      ['/settings/organization', 'nav-patients'],
      ['/settings/members', 'nav-patients'],
      ['/settings/roles', 'nav-patients'],
      ['/settings/invitations', 'nav-patients'],
      ['/settings/audit', 'nav-patients'],
      ['/profile', 'nav-patients'],
      ['/calendar', 'nav-patients'],
    ];
    const found: string[] = [];
    for (const [path, ready] of screens) found.push(...await audit(path, ready));
    expect(found).toEqual([]);
  });

  it('the forms and menus the main screens open have no violations', async () => {
    await signedIn();
    const opened: [string, string][] = [
      ['/patients', 'patient-new'],
      [`/patients/${patientId}`, 'chart-record-session'],
      [`/patients/${patientId}`, 'chart-record-visit'],
      ['/treatments', 'treatment-new'],
      ['/inventory?tab=products', 'product-new'],
      ['/inventory?tab=pigments', 'pigment-new'],
      ['/care', 'followup-new'],
      ['/growth/leads', 'lead-new'],
      ['/growth/campaigns', 'campaign-new'],
      ['/settings/roles', 'role-new'],
      ['/', 'user-menu'],
    ];
    const found: string[] = [];
    for (const [path, open] of opened) found.push(...await audit(path, 'nav-patients', open));
    expect(found).toEqual([]);
  });

  it('the shell works from the keyboard alone, with the focus always visible', async () => {
    await signedIn();
    await page.goto(`${h.baseUrl}/dashboards`);
    await page.getByTestId('nav-patients').waitFor();
    await page.waitForLoadState('networkidle');
    // A page that opens puts the focus on its heading, where the new content starts.
    expect(await focused()).toMatchObject({ tag: 'h1' });
    // Before the header, the skip link: shown when focused, it takes the focus to the content.
    await tabTo('.skip-link', 'backwards');
    expect(await focused()).toMatchObject({ visible: true });
    await page.keyboard.press('Enter');
    expect(await focused()).toMatchObject({ id: 'main' });
    // The navigation: Tab to Patients, Enter opens it.
    await tabTo('[data-testid="nav-patients"]', 'backwards');
    expect(await focused()).toMatchObject({ visible: true });
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/patients$/);
    // The user menu opens with Enter, its links are next in the tab order, Escape closes it and
    // gives the focus back to its button.
    await tabTo('[data-testid="user-menu"]');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('user-menu').getAttribute('aria-expanded')).resolves.toBe('true');
    await page.keyboard.press('Tab');
    expect(await focused()).toMatchObject({ testid: 'menu-profile', visible: true });
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('user-menu').getAttribute('aria-expanded')).resolves.toBe('false');
    expect(await focused()).toMatchObject({ testid: 'user-menu' });
    // The organization switcher: arrow keys choose another organization.
    const before = await page.getByTestId('org-switcher').inputValue();
    await tabTo('[data-testid="org-switcher"]', 'backwards');
    await page.keyboard.press(before === (await page.getByTestId('org-switcher').locator('option').first().getAttribute('value')) ? 'ArrowDown' : 'ArrowUp');
    await page.waitForFunction((b) => (document.querySelector('[data-testid="org-switcher"]') as HTMLSelectElement).value !== b, before);
    await page.getByTestId('org-switcher').selectOption(before); // back to the clinic for the next test
  });

  it('in Traditional Chinese and Turkish the document language follows and nothing is violated', async () => {
    await signedIn();
    const found: string[] = [];
    for (const [lang, label] of [['zh-TW', '繁體中文'], ['tr', 'Türkçe']] as const) {
      await page.goto(`${h.baseUrl}/patients/${patientId}`);
      await page.getByTestId('nav-patients').waitFor();
      await page.getByTestId('language-switcher').selectOption({ label });
      await page.waitForFunction((l) => document.documentElement.lang === l, lang);
      found.push(...await audit(`/patients/${patientId}`, 'nav-patients'), ...await audit('/growth/funnel', 'nav-patients'));
    }
    expect(found).toEqual([]);
  });
});
