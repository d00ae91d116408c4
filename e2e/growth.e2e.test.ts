/**
 * The growth screens in Chromium: the funnel's won count, a lead card dragged to Won on the
 * pipeline with a real mouse drag (kept after a reload, recorded in the stage history, counted by
 * the funnel), the lead detail's score explanation and timeline, the new-lead form's refusals,
 * campaigns with their spend and a commission statement that adds up. Campaigns, leads, stages,
 * KPI events and commission rules are seeded through the API.
 */
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { addStaff, browserSuite, type Harness, type Owner, signUpOwner, submitSignIn } from './harness.js';

const OWNER = { email: 'owner@growth-e2e.visage.local', password: 'a growth owner passphrase', full_name: 'Lin Ya-Ting' };
const MARKETER = { email: 'marketing@growth-e2e.visage.local', password: 'a marketer passphrase', full_name: 'Elif Demir' };
const CLINIC = { name: 'Lumière Med Spa', type: 'clinic', timezone: 'Asia/Taipei', currency: 'TWD', locale: 'en' };

let h: Harness;
let page: Page;
let token: string;
let orgId: string;
const stages: Record<string, { id: string; name: string; kind: string }> = {};
const leads: Record<string, string> = {};
let providerId: string;
let campaignId: string;

const shot = (name: string) => page.screenshot({ path: `/tmp/visage-growth-${name}.png`, fullPage: true });

let api: Owner['api'];

/** Two campaigns, five leads spread over the stages, tags, an opportunity, a call, paid revenue and a commission rule. */
async function seed() {
  const owner = await signUpOwner(h, OWNER, CLINIC);
  ({ token, orgId, api } = owner);

  await addStaff(h, owner, MARKETER, 'marketer');

  for (const s of (await api('GET', '/api/pipeline-stages')).items) stages[s.kind] = s;
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: CLINIC.timezone }).format(new Date());
  const ig = await api('POST', '/api/campaigns', {
    name: 'Spring Botox IG', platform: 'instagram', type: 'social_media', status: 'active', monthly_spend_minor: 3_000_000, budget_minor: 30_000_000,
    start_date: `${today.slice(0, 7)}-01`,
  });
  campaignId = ig.id;
  await api('POST', '/api/campaigns', { name: 'Google Search Filler', platform: 'google', type: 'google_ads', status: 'active', monthly_spend_minor: 1_500_000 });

  const lead = async (first_name: string, source: string, stage: string | null, extra: Record<string, unknown> = {}) => {
    const l = await api('POST', '/api/leads', { first_name, source, email: `${first_name.toLowerCase()}@example.com`, campaign_id: ig.id, ...extra });
    if (stage) await api('POST', `/api/leads/${l.id}/move`, { stage_id: stages[stage]!.id });
    leads[first_name] = l.id;
    return l.id as string;
  };
  await lead('Mei', 'instagram', 'contacted', { phone: '+886912345678', deal_value_minor: 1_800_000 });
  await lead('Yuki', 'instagram', null);
  await lead('Hana', 'referral', 'consult_booked');
  const won = await lead('Sofia', 'instagram', 'won');
  await lead('Aylin', 'website', 'lost');
  await api('POST', `/api/leads/${leads.Mei}/tags`, { name: 'Botox' });
  await api('PUT', `/api/leads/${leads.Mei}/opportunity`, { expected_value_minor: 1_800_000, procedure_code: 'BTX', expected_date: today });
  await api('POST', `/api/leads/${leads.Mei}/activities`, { type: 'call', payload: { direction: 'outbound', duration_seconds: 240, outcome: 'answered' } });

  providerId = (await api('POST', '/api/commission-providers', { name: 'Dr. Chen', role: 'injector' })).id;
  await api('POST', '/api/commission-rules', {
    provider_id: providerId, name: 'Injectables 10%', rule: { version: 1, components: [{ type: 'percent_of_revenue', percent: 10 }] },
  });
  await api('POST', '/api/kpi-events', { lead_id: won, kind: 'invoice_paid', value_minor: 2_500_000, procedure_code: 'BTX', provider_id: providerId, source_ref: 'inv-1' });
  await api('POST', '/api/kpi-events', { lead_id: won, kind: 'invoice_paid', value_minor: 1_200_050, procedure_code: 'FILLER', provider_id: providerId, source_ref: 'inv-2' });
}

/** Signs in through the form unless the browser already holds a session. */
async function signIn(who = OWNER) {
  await page.goto(`${h.baseUrl}/growth`);
  await page.getByTestId('pipeline-page').or(page.getByTestId('signin-email')).waitFor();
  if (await page.getByTestId('pipeline-page').isVisible()) return;
  await submitSignIn(page, who);
  await page.getByTestId('pipeline-page').waitFor();
}

const column = (kind: string) => page.locator(`[data-testid="kanban-column"][data-kind="${kind}"]`);
const card = (scope: Locator | Page, name: string) => scope.locator(`[data-testid="lead-card"][data-lead="${name}"]`);

async function funnelWon(): Promise<number> {
  await page.goto(`${h.baseUrl}/growth/funnel`);
  const won = page.getByTestId('funnel-won');
  await won.waitFor();
  return Number((await won.textContent())!.replace(/\D/g, ''));
}

/** Fails when the page scrolls sideways, naming the elements that are wider than their box. */
async function fitsWidth(what: string) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  const wide = await page.evaluate(() => [...document.querySelectorAll<HTMLElement>('*')]
    .filter((el) => el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === 'visible')
    .slice(0, 8).map((el) => `${el.tagName}.${el.className} ${el.scrollWidth}/${el.clientWidth}`).join(' | '));
  expect(overflow, `${what}: ${wide}`).toBeLessThanOrEqual(0);
}

/** Waits for the board's move request (the card shows in its new place before the server answers). */
const moveAnswered = (status = 200) => page.waitForResponse((r) => /\/api\/leads\/[^/]+\/move$/.test(r.url()) && r.request().method() === 'POST')
  .then((r) => expect(r.status()).toBe(status));

/** A real pointer drag: press on the card, move over the target in steps (dragover fires), release. */
async function drag(from: Locator, to: Locator) {
  await to.scrollIntoViewIfNeeded();
  await from.scrollIntoViewIfNeeded();
  const a = (await from.boundingBox())!;
  const b = (await to.boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + 34);
  await page.mouse.down();
  await page.mouse.move(a.x + a.width / 2 + 10, a.y + 24, { steps: 3 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height - 30, { steps: 12 });
  await page.mouse.up();
}

browserSuite('growth', async (harness, p) => {
  h = harness;
  page = p;
  await seed();
});

describe('growth screens in Chromium', () => {
  it('drags a lead to Won: the card stays there after a reload, the history records it and the funnel counts it', async () => {
    await signIn();
    const nav = await page.getByTestId('main-nav').textContent();
    expect(nav).toContain('Growth');
    expect(nav).toContain('Commissions');

    const wonBefore = await funnelWon();
    await shot('funnel');
    expect(wonBefore).toBe(1);

    await page.getByTestId('nav-pipeline').click();
    await page.getByTestId('kanban').waitFor();
    await card(column('contacted'), 'Mei').waitFor();
    await expect(column('won').getByTestId('stage-count').textContent()).resolves.toBe('1');
    await shot('pipeline');

    const answered = moveAnswered();
    await drag(card(column('contacted'), 'Mei'), column('won'));
    await card(column('won'), 'Mei').waitFor();
    await answered;
    await expect(column('won').getByTestId('stage-count').textContent()).resolves.toBe('2');
    await expect(card(column('contacted'), 'Mei').count()).resolves.toBe(0);
    expect(await page.getByTestId('move-error').count()).toBe(0);

    await page.reload();
    await card(column('won'), 'Mei').waitFor();
    await expect(card(column('contacted'), 'Mei').count()).resolves.toBe(0);
    // Dropped below Sofia, so it is ranked after her.
    await expect(column('won').getByTestId('lead-card').evaluateAll((els) => els.map((e) => e.getAttribute('data-lead')))).resolves.toEqual(['Sofia', 'Mei']);

    const history = await api('GET', `/api/leads/${leads.Mei}/stage-history`);
    const last = history.items[history.items.length - 1];
    expect(last).toMatchObject({ stage_id: stages.won!.id, from_stage_id: stages.contacted!.id });

    await expect(funnelWon()).resolves.toBe(wonBefore + 1);
  });

  it('moves a card back with the keyboard alternative, and a refused move puts the card back with the reason', async () => {
    await page.goto(`${h.baseUrl}/growth/pipeline`);
    await card(column('new'), 'Yuki').waitFor();
    const answered = moveAnswered();
    await card(column('new'), 'Yuki').getByTestId('card-move').selectOption({ label: 'Contacted' });
    await card(column('contacted'), 'Yuki').waitFor();
    await answered;
    const history = await api('GET', `/api/leads/${leads.Yuki}/stage-history`);
    expect(history.items.at(-1).stage_id).toBe(stages.contacted!.id);

    // The lead is deleted behind the board's back: the move is refused and undone on screen.
    await api('DELETE', `/api/leads/${leads.Aylin}`, undefined, [204]);
    await card(column('lost'), 'Aylin').getByTestId('card-move').selectOption({ label: 'New' });
    await page.getByTestId('move-error').waitFor();
    await card(column('lost'), 'Aylin').waitFor();
    await expect(card(column('new'), 'Aylin').count()).resolves.toBe(0);
  });

  it('shows a lead with its score explanation, tags, opportunity and a timeline holding the stage change', async () => {
    await page.goto(`${h.baseUrl}/growth/pipeline`);
    await card(column('won'), 'Mei').locator('.card-name').click();
    await page.getByTestId('lead-header').waitFor();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Mei');
    await expect(page.getByTestId('lead-stage').textContent()).resolves.toBe('Won');

    const factors = page.getByTestId('score-factor');
    await factors.first().waitFor();
    const detail = await api('GET', `/api/leads/${leads.Mei}`);
    expect(await factors.count()).toBe(detail.score_factors.length);
    expect(detail.score_factors.length).toBeGreaterThan(0);
    const stage = detail.score_factors.find((f: { factor: string }) => f.factor === 'stage');
    await expect(page.locator('[data-testid="score-factor"][data-factor="stage"] [data-testid="factor-points"]').textContent())
      .resolves.toBe(`${stage.points} of ${stage.max}`);
    await expect(page.locator('[data-testid="score-factor"][data-factor="stage"]').textContent()).resolves.toContain(stage.reason);
    await expect(page.getByTestId('lead-score').getAttribute('data-score')).resolves.toBe(String(detail.lead_score));

    const timeline = page.getByTestId('timeline');
    await timeline.waitFor();
    const stageChange = timeline.locator('[data-testid="activity"][data-type="stage_change"]').first();
    await expect(stageChange.textContent()).resolves.toContain('Moved from Contacted to Won');
    // Newest first: the drag to Won is above the earlier call.
    const types = await timeline.getByTestId('activity').evaluateAll((els) => els.map((e) => e.getAttribute('data-type')));
    expect(types.indexOf('stage_change')).toBeLessThan(types.indexOf('call'));
    await expect(page.getByTestId('stage-history').getByTestId('history-entry').first().textContent()).resolves.toContain('Contacted → Won');
    await expect(page.getByTestId('lead-tags').textContent()).resolves.toContain('Botox');
    await expect(page.getByTestId('opp-value-text').textContent()).resolves.toContain('18,000');
    await shot('lead');

    // Log an SMS and add a tag from the page.
    await page.getByTestId('log-activity').locator('summary').click();
    await page.getByTestId('activity-type').selectOption('sms_sent');
    await page.getByTestId('sms-preview').fill('Your consult is confirmed for Friday 3pm.');
    await page.getByTestId('activity-submit').click();
    await timeline.locator('[data-testid="activity"][data-type="sms_sent"]').waitFor();
    await expect(timeline.getByTestId('activity').first().getAttribute('data-type')).resolves.toBe('sms_sent');
    await page.getByTestId('tag-name').fill('Filler');
    await page.getByTestId('tag-add-submit').click();
    await page.locator('[data-testid="lead-tags"] [data-tag="Filler"]').waitFor();
    await timeline.locator('[data-testid="activity"][data-type="tag_added"]').filter({ hasText: 'Tagged Filler' }).waitFor();
  });

  it('creates a lead from the form; field errors and a PHI refusal are shown next to what caused them', async () => {
    await page.goto(`${h.baseUrl}/growth/leads`);
    await page.getByTestId('leads-table').waitFor();
    await page.getByTestId('lead-new').click();
    await page.getByTestId('lead-first-name').fill('Defne');
    await page.getByTestId('lead-email').fill('defne@example.com');
    await page.getByTestId('lead-phone').fill('12345');
    await page.getByTestId('lead-source').selectOption('instagram');
    await page.getByTestId('lead-submit').click();
    await page.getByTestId('form-error').waitFor();
    await expect(page.locator('.field.has-error').filter({ has: page.getByTestId('lead-phone') }).getByTestId('field-error').count()).resolves.toBe(1);
    await page.getByTestId('lead-phone').fill('+90 532 123 45 67');
    await shot('lead-form-error');

    // A client that slips a last name into the body: the server's PHI refusal reads as the policy.
    await page.route('**/api/leads', async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      const body = JSON.parse(route.request().postData() ?? '{}');
      await route.continue({ postData: JSON.stringify({ ...body, last_name: 'Yılmaz' }) });
    });
    await page.getByTestId('lead-submit').click();
    await page.getByTestId('phi-refusal').waitFor();
    await expect(page.getByTestId('form-error').textContent()).resolves.toContain('last_name');
    await page.unroute('**/api/leads');
    await shot('lead-form-phi');

    await page.getByTestId('lead-campaign').selectOption({ label: 'Spring Botox IG' });
    await page.getByTestId('lead-new-tags').fill('Laser');
    await page.getByTestId('lead-submit').click();
    await page.getByTestId('lead-header').waitFor();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Defne');
    await expect(page.getByTestId('lead-stage').textContent()).resolves.toBe('New');
    await page.locator('[data-testid="lead-tags"] [data-tag="Laser"]').waitFor();
    await page.getByTestId('lead-page').getByText('+905321234567').waitFor();
  });

  it('lists campaigns with spend, records a month\'s spend and opens a commission statement that adds up', async () => {
    await page.goto(`${h.baseUrl}/growth/campaigns`);
    const row = page.locator('[data-testid="campaign-row"][data-campaign="Spring Botox IG"]');
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain('Instagram');
    await row.getByTestId('campaign-spend').click();
    const editor = page.getByTestId('spend-editor');
    await editor.waitFor();
    const month = new Intl.DateTimeFormat('en-CA', { timeZone: CLINIC.timezone }).format(new Date()).slice(0, 7);
    const form = editor.getByTestId(`spend-form-${month}`);
    await form.getByTestId('spend-amount').fill('25000');
    await form.getByTestId('spend-save').click();
    await editor.getByTestId('spend-saved').waitFor();
    await expect(editor.locator(`[data-testid="spend-row"][data-month="${month}"]`).getAttribute('data-basis')).resolves.toBe('recorded');
    const spend = await api('GET', `/api/campaigns/${campaignId}/spend`);
    expect(spend.months.find((m: { month: string }) => m.month === month).recorded_minor).toBe(2_500_000);
    await shot('campaigns');

    await page.getByTestId('growth-tabs').getByText('Commissions').click();
    const provider = page.locator('[data-testid="commission-provider"][data-provider="Dr. Chen"]');
    await provider.waitFor();
    await provider.getByTestId('open-statement').click();
    const total = page.getByTestId('statement-total');
    await total.waitFor();
    const lines = await page.getByTestId('statement-line').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-amount'))));
    expect(lines.length).toBe(2);
    expect(lines.reduce((a, b) => a + b, 0)).toBe(Number(await total.getAttribute('data-total')));
    expect(Number(await total.getAttribute('data-total'))).toBe(370_005);
    await expect(provider.getByTestId('provider-total').textContent()).resolves.toBe(await total.textContent());
    await shot('commissions');
  });

  it('adds a pipeline stage, reorders it with the arrows and by drag and drop, and the kanban follows; refusals say why', async () => {
    await page.goto(`${h.baseUrl}/growth/pipeline`);
    await page.getByTestId('kanban').waitFor();
    await page.getByTestId('stages-toggle').click();
    const panel = page.getByTestId('stages-panel');
    await panel.getByTestId('stage-row').first().waitFor();
    await page.getByTestId('stage-new-name').fill('Follow-up');
    await page.getByTestId('stage-new-color').fill('#aa3377');
    await page.getByTestId('stage-new-kind').selectOption('open');
    await page.getByTestId('stage-new-submit').click();
    const row = panel.locator('[data-testid="stage-row"][data-stage="Follow-up"]');
    await row.waitFor();
    const kanbanOrder = () => page.getByTestId('kanban-column').evaluateAll((els) => els.map((e) => e.getAttribute('data-stage')));
    const panelOrder = () => panel.getByTestId('stage-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-stage')));
    await expect.poll(kanbanOrder).toEqual(['New', 'Contacted', 'Consult Booked', 'Won', 'Lost', 'Follow-up']);
    const created = (await api('GET', '/api/pipeline-stages')).items.find((x: { name: string }) => x.name === 'Follow-up');
    expect(created).toMatchObject({ color: '#aa3377', kind: 'open' });
    await shot('stages');

    // One place up with the arrow button.
    const reordered = page.waitForResponse((r) => r.url().endsWith('/api/pipeline-stages/order') && r.request().method() === 'PUT');
    await row.getByTestId('stage-up').click();
    expect((await reordered).status()).toBe(200);
    await expect.poll(kanbanOrder).toEqual(['New', 'Contacted', 'Consult Booked', 'Won', 'Follow-up', 'Lost']);

    // Dragged by its handle above Contacted.
    const target = panel.locator('[data-testid="stage-row"][data-stage="Contacted"]');
    const from = (await row.getByTestId('stage-drag').boundingBox())!;
    const to = (await target.boundingBox())!;
    const dragged = page.waitForResponse((r) => r.url().endsWith('/api/pipeline-stages/order') && r.request().method() === 'PUT');
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(from.x + from.width / 2, from.y - 10, { steps: 3 });
    await page.mouse.move(to.x + 40, to.y + 6, { steps: 12 });
    await page.mouse.up();
    expect((await dragged).status()).toBe(200);
    const expected = ['New', 'Follow-up', 'Contacted', 'Consult Booked', 'Won', 'Lost'];
    await expect.poll(kanbanOrder).toEqual(expected);
    await expect.poll(panelOrder).toEqual(expected);
    expect((await api('GET', '/api/pipeline-stages')).items.map((x: { name: string }) => x.name)).toEqual(expected);

    // Renamed and recoloured: the column follows.
    await row.getByTestId('stage-name').fill('Follow up');
    await row.getByTestId('stage-color').fill('#225588');
    await row.getByTestId('stage-save').click();
    const renamed = page.locator('[data-testid="kanban-column"][data-stage="Follow up"]');
    await renamed.waitFor();
    await expect(renamed.getAttribute('style')).resolves.toContain('#225588');

    // Contacted holds a lead: its kind cannot change, and the server's reason shows in its row.
    const contacted = panel.locator('[data-testid="stage-row"][data-stage="Contacted"]');
    await contacted.getByTestId('stage-kind').selectOption('open');
    await contacted.getByTestId('stage-save').click();
    await expect(contacted.getByTestId('form-error').textContent()).resolves.toMatch(/Contacted/);
    expect((await api('GET', '/api/pipeline-stages')).items.find((x: { name: string }) => x.name === 'Contacted').kind).toBe('contacted');
    // Leads passed through it: it cannot be deleted either.
    await contacted.getByTestId('stage-delete').click();
    await contacted.getByTestId('stage-delete-confirm').click();
    await expect(contacted.locator('.confirm [role="alert"]').textContent()).resolves.toContain('cannot be deleted');
    await shot('stages-refused');

    // The new stage never held a lead: it goes.
    const followUp = panel.locator('[data-testid="stage-row"][data-stage="Follow up"]');
    await followUp.getByTestId('stage-delete').click();
    await followUp.getByTestId('stage-delete-confirm').click();
    await renamed.waitFor({ state: 'detached' });
    await expect.poll(kanbanOrder).toEqual(['New', 'Contacted', 'Consult Booked', 'Won', 'Lost']);
  });

  it('edits a lead\'s details: a field error sits under its field, and the city and owner are kept after a reload', async () => {
    await page.goto(`${h.baseUrl}/growth/leads/${leads.Hana}`);
    await page.getByTestId('lead-edit').click();
    const form = page.getByTestId('lead-edit-form');
    await form.waitFor();
    await page.getByTestId('edit-city').fill('Taichung');
    await page.getByTestId('edit-country').fill('tw');
    await page.getByTestId('edit-age-group').selectOption('25-34');
    await page.getByTestId('edit-assigned').selectOption({ label: MARKETER.full_name });
    await page.getByTestId('edit-instagram_handle').fill('hana.glow');
    await page.getByTestId('edit-linkedin_url').fill('http://example.com/hana');
    await page.getByTestId('edit-consent').check();
    await page.getByTestId('edit-consent-source').fill('phone call');
    await page.getByTestId('lead-save').click();
    await form.getByTestId('form-error').waitFor();
    await expect(form.locator('.field.has-error').filter({ has: page.getByTestId('edit-linkedin_url') }).getByTestId('field-error').count()).resolves.toBe(1);
    await shot('lead-edit-error');
    await page.getByTestId('edit-linkedin_url').fill('');
    await page.getByTestId('lead-save').click();
    await page.getByTestId('lead-facts').waitFor();
    await expect(page.getByTestId('fact-location').textContent()).resolves.toBe('Taichung, TW');

    await page.reload();
    await expect(page.getByTestId('fact-location').textContent()).resolves.toBe('Taichung, TW');
    await expect.poll(() => page.getByTestId('fact-assigned').textContent()).toBe(MARKETER.full_name);
    await expect(page.getByTestId('fact-consent').textContent()).resolves.toContain('phone call');
    const lead = await api('GET', `/api/leads/${leads.Hana}`);
    expect(lead).toMatchObject({ city: 'Taichung', country: 'TW', age_group: '25-34', instagram_handle: 'hana.glow', linkedin_url: null, contact_consent: true });
    await shot('lead-edited');
  });

  it('records a paid invoice from the lead page: the KPI list shows it and the funnel revenue grows by it', async () => {
    const revenue = async () => {
      await page.goto(`${h.baseUrl}/growth/funnel`);
      const el = page.getByTestId('funnel-revenue');
      await el.waitFor();
      return Number((await el.textContent())!.replace(/\D/g, ''));
    };
    const before = await revenue();
    await page.goto(`${h.baseUrl}/growth/leads/${leads.Mei}`);
    const card = page.getByTestId('kpi-card');
    await card.getByTestId('kpi-add').locator('summary').click();
    await page.getByTestId('kpi-kind').selectOption('invoice_paid');
    await page.getByTestId('kpi-amount').fill('abc');
    await page.getByTestId('kpi-submit').click();
    await card.locator('.field.has-error').filter({ has: page.getByTestId('kpi-amount') }).waitFor();
    await page.getByTestId('kpi-amount').fill('5,000');
    await page.getByTestId('kpi-procedure').selectOption('FILLER');
    await page.getByTestId('kpi-submit').click();
    await page.getByTestId('kpi-recorded').waitFor();
    const event = card.locator('[data-testid="kpi-event"][data-kind="invoice_paid"]');
    await event.waitFor();
    await expect(event.getAttribute('data-value')).resolves.toBe('500000');
    await expect(event.textContent()).resolves.toContain('Filler');

    // A consult booked by mistake is voided.
    await page.getByTestId('kpi-kind').selectOption('consult_booked');
    await page.getByTestId('kpi-submit').click();
    const booked = card.locator('[data-testid="kpi-event"][data-kind="consult_booked"]');
    await booked.waitFor();
    await booked.getByTestId('kpi-void').click();
    await booked.getByTestId('kpi-void-confirm').click();
    await booked.waitFor({ state: 'detached' });
    await shot('lead-kpi');
    expect((await api('GET', `/api/kpi-events?lead_id=${leads.Mei}`)).items.map((k: { kind: string }) => k.kind)).toEqual(['invoice_paid']);

    await expect.poll(revenue).toBe(before + 500_000);
  });

  it('reads money as the organization writes it: in a Turkish clinic "4999,50" is 4,999.50 and "4999.50" is questioned, not guessed', async () => {
    await api('PATCH', `/api/organizations/${orgId}`, { locale: 'tr' });
    try {
      await page.goto(`${h.baseUrl}/growth/leads/${leads.Yuki}`);
      const opportunity = page.getByTestId('opportunity-card');
      await opportunity.getByTestId('opp-edit').click();
      await page.getByTestId('opp-value').fill('4999,50');
      await page.getByTestId('opp-save').click();
      await opportunity.getByTestId('opp-value-text').waitFor();
      expect((await api('GET', `/api/leads/${leads.Yuki}`)).opportunity.expected_value_minor).toBe(499_950);
      // The form opens with the amount in the clinic's own writing, and saving it unchanged keeps it.
      await opportunity.getByTestId('opp-edit').click();
      await expect(page.getByTestId('opp-value').inputValue()).resolves.toBe('4999,5');
      // A point that does not group thousands could be a decimal point: a field error, nothing sent.
      await page.getByTestId('opp-value').fill('4999.50');
      await page.getByTestId('opp-save').click();
      const field = page.getByTestId('opportunity-form').locator('.field.has-error').filter({ has: page.getByTestId('opp-value') });
      await field.getByTestId('field-error').waitFor();
      await shot('tr-money-ambiguous');
      expect((await api('GET', `/api/leads/${leads.Yuki}`)).opportunity.expected_value_minor).toBe(499_950);
      await page.getByTestId('opp-value').fill('5.000');
      await page.getByTestId('opp-save').click();
      await opportunity.getByTestId('opp-value-text').waitFor();
      expect((await api('GET', `/api/leads/${leads.Yuki}`)).opportunity.expected_value_minor).toBe(500_000);
    } finally {
      await api('PATCH', `/api/organizations/${orgId}`, { locale: 'en' });
    }
  });

  it('converts a lead into a patient found by name; the lead then links to the chart', async () => {
    const patient = await api('POST', '/api/patients', { full_name: 'Sofia Rossi' });
    await page.goto(`${h.baseUrl}/growth/leads/${leads.Sofia}`);
    const links = page.getByTestId('links-card');
    await links.getByTestId('patient-q').fill('Rossi');
    await links.getByTestId('patient-search-submit').click();
    await links.locator('[data-testid="patient-hit"][data-patient="Sofia Rossi"]').getByTestId('convert-to').click();
    await links.getByTestId('became-patient').waitFor();
    await expect(page.getByTestId('patient-chart-link').getAttribute('href')).resolves.toBe(`/patients/${patient.id}`);
    expect((await api('GET', `/api/leads/${leads.Sofia}`)).patient_id).toBe(patient.id);
  });

  it('issues the GoHighLevel secret once, rotates it, and the website form snippet posts a lead', async () => {
    await page.goto(`${h.baseUrl}/growth/integrations`);
    const ghl = page.getByTestId('ghl-card');
    await expect(ghl.getByTestId('ghl-status').getAttribute('data-status')).resolves.toBe('none');
    await expect(ghl.getByTestId('ghl-webhook-url').textContent()).resolves.toBe(`${h.baseUrl}/api/webhooks/gohighlevel/${orgId}`);
    await ghl.getByTestId('ghl-create').click();
    const first = (await ghl.getByTestId('ghl-secret-value').textContent())!;
    expect(first.length).toBeGreaterThan(20);
    await expect(ghl.getByTestId('ghl-secret').textContent()).resolves.toContain('will not be shown again');
    await expect.poll(() => ghl.getByTestId('ghl-status').getAttribute('data-status')).toBe('active');
    await shot('integrations-secret');

    // The secret shown is the one that verifies deliveries.
    const raw = JSON.stringify({ delivery_id: 'd-1', type: 'contact.upsert', contact: { id: 'ghl-42', first_name: 'Ece', email: 'ece@example.com' } });
    const sign = (secret: string) => {
      const ts = Math.floor(Date.now() / 1000);
      return `t=${ts},v1=${createHmac('sha256', secret).update(`${ts}.${raw}`).digest('hex')}`;
    };
    const deliver = (secret: string) => fetch(`${h.baseUrl}/api/webhooks/gohighlevel/${orgId}`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-visage-signature': sign(secret) }, body: raw,
    });
    expect((await deliver(first)).status).toBe(200);

    // Rotated: a new secret, shown once; the old one stops working.
    await ghl.getByTestId('ghl-rotate').click();
    await ghl.getByTestId('ghl-rotate-confirm').click();
    await expect.poll(() => ghl.getByTestId('ghl-secret-value').textContent()).not.toBe(first);
    const second = (await ghl.getByTestId('ghl-secret-value').textContent())!;
    await expect(ghl.getByTestId('ghl-secret').textContent()).resolves.toContain('previous secret no longer works');
    expect((await deliver(first)).status).toBe(401);
    await page.reload();
    await expect.poll(() => ghl.getByTestId('ghl-status').getAttribute('data-status')).toBe('active');
    await expect(ghl.getByTestId('ghl-deliveries').textContent()).resolves.toMatch(/^1/);
    expect(await page.getByTestId('ghl-secret').count()).toBe(0);
    expect(await page.getByText(second).count()).toBe(0);

    // Retention on demand: the run is listed with its counts.
    await page.getByTestId('retention-run').click();
    await page.getByTestId('retention-run-confirm').click();
    await page.getByTestId('retention-done').waitFor();
    await page.getByTestId('retention-run-row').first().waitFor();

    // The form snippet, on a page of this origin: a visitor's request becomes a lead.
    const slug = (await api('GET', `/api/organizations/${orgId}`)).slug;
    await expect(page.getByTestId('form-endpoint').textContent()).resolves.toBe(`${h.baseUrl}/api/public/orgs/${slug}/leads`);
    await page.getByTestId('form-snippet-toggle').click();
    const snippet = (await page.getByTestId('form-snippet').textContent())!;
    await shot('integrations');
    // Served bare (the app's own pages forbid inline scripts), from this origin: the endpoint answers no cross-origin preflight.
    await page.route(`${h.baseUrl}/clinic-site/contact`, (route) => route.fulfill({ contentType: 'text/html', body: `<!doctype html><html><body>${snippet}</body></html>` }));
    await page.goto(`${h.baseUrl}/clinic-site/contact`);
    await page.locator('input[name="first_name"]').fill('Zeynep');
    await page.locator('input[name="email"]').fill('zeynep@example.com');
    await page.locator('select[name="interest"]').selectOption('LASER');
    await page.locator('input[name="contact_consent"]').check();
    await page.waitForTimeout(3100); // sooner reads as a bot
    await page.locator('button[type="submit"]').click();
    await page.getByText('Thank you').waitFor();
    await page.unroute(`${h.baseUrl}/clinic-site/contact`);
    const found = await api('GET', '/api/leads?q=zeynep');
    expect(found.items).toHaveLength(1);
    expect(found.items[0].tags.map((t: { name: string }) => t.name).join()).toMatch(/LASER|Laser/i);
  });

  it('exports the leads and the funnel as CSV from their pages', async () => {
    await page.goto(`${h.baseUrl}/growth/leads?stage_id=${stages.won!.id}`);
    await page.getByTestId('leads-table').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('leads-export').click()]);
    const text = fs.readFileSync((await download.path())!, 'utf8');
    const lines = text.trim().split('\r\n');
    expect(lines[0]).toContain('first_name');
    expect(lines.slice(1).every((l) => l.includes('Won'))).toBe(true);
    expect(lines.length - 1).toBe((await api('GET', `/api/leads?stage_id=${stages.won!.id}`)).items.length);
    // A search narrows the export as it narrows the list.
    await page.goto(`${h.baseUrl}/growth/leads?q=zeynep`);
    await page.getByTestId('leads-table').waitFor();
    const [searched] = await Promise.all([page.waitForEvent('download'), page.getByTestId('leads-export').click()]);
    const found = fs.readFileSync((await searched.path())!, 'utf8').trim().split('\r\n').slice(1);
    expect(found).toHaveLength(1);
    expect(found[0]!.toLowerCase()).toContain('zeynep');
    await page.goto(`${h.baseUrl}/growth/funnel?group_by=source`);
    await page.getByTestId('funnel-revenue').waitFor();
    const [funnel] = await Promise.all([page.waitForEvent('download'), page.getByTestId('funnel-export').click()]);
    expect(funnel.suggestedFilename()).toMatch(/^funnel-source-.*\.csv$/);
    expect(fs.readFileSync((await funnel.path())!, 'utf8')).toContain('instagram');
  });

  it('lays every growth page out without sideways scrolling on a 390 px phone and on a desktop', async () => {
    await signIn();
    const pages = ['pipeline', 'leads', `leads/${leads.Mei}`, 'campaigns', 'funnel', `commissions?provider=${providerId}`, 'integrations'];
    for (const [width, height] of [[390, 844], [1280, 820]] as const) {
      await page.setViewportSize({ width, height });
      for (const p of pages) {
        await page.goto(`${h.baseUrl}/growth/${p}`);
        await page.locator('.page h1').waitFor();
        await page.locator('.loading').first().waitFor({ state: 'detached' }).catch(() => undefined);
        await page.waitForTimeout(150);
        await fitsWidth(`${p} at ${width}px`);
        await shot(`${width}-${p.split(/[/?]/)[0]}${p.includes('/') ? '-detail' : ''}`);
        // The panels that open in place must fit too.
        const opener = { pipeline: 'stages-toggle', [`leads/${leads.Mei}`]: 'lead-edit', integrations: 'form-snippet-toggle' }[p];
        if (opener) {
          await page.getByTestId(opener).click();
          if (opener === 'lead-edit') await page.getByTestId('kpi-add').locator('summary').click();
          await page.locator('.loading').first().waitFor({ state: 'detached' }).catch(() => undefined);
          await page.waitForTimeout(150);
          await fitsWidth(`${p} (${opener}) at ${width}px`);
          await shot(`${width}-${p.split(/[/?]/)[0]}${p.includes('/') ? '-detail' : ''}-open`);
        }
      }
    }
    // The pages in Traditional Chinese and Turkish: the growth strings are translated.
    for (const [lang, title] of [['zh-TW', '銷售管道'], ['tr', 'Satış hattı']] as const) {
      await page.goto(`${h.baseUrl}/growth/pipeline`);
      await page.getByTestId('language-switcher').selectOption(lang);
      await expect(page.locator('.page h1').textContent()).resolves.toBe(title);
      await shot(`${lang}-pipeline`);
      await page.goto(`${h.baseUrl}/growth/funnel`);
      await page.getByTestId('funnel-won').waitFor();
      await shot(`${lang}-funnel`);
    }
    await page.getByTestId('language-switcher').selectOption('en');
  });

  it('gives a marketer the growth pages and no medical ones; commission rules stay with the managers', async () => {
    await page.setViewportSize({ width: 1280, height: 820 });
    await h.browser.clearCookies();
    await signIn(MARKETER);
    const nav = (await page.getByTestId('main-nav').textContent())!;
    for (const entry of ['Pipeline', 'Leads', 'Campaigns', 'Funnel', 'Commissions', 'Integrations']) expect(nav).toContain(entry);
    expect(nav).not.toContain('Patients');
    const answered = moveAnswered();
    await card(column('consult_booked'), 'Hana').getByTestId('card-move').selectOption({ label: 'Won' });
    await card(column('won'), 'Hana').waitFor();
    await answered;
    // A lead's page offers no patient conversion without patient.read.
    await page.goto(`${h.baseUrl}/growth/leads/${leads.Yuki}`);
    await page.getByTestId('links-card').waitFor();
    await page.getByTestId('kpi-card').waitFor();
    expect(await page.getByTestId('convert-lead').count()).toBe(0);
    await page.goto(`${h.baseUrl}/growth/commissions`);
    await page.locator('[data-testid="commission-provider"][data-provider="Dr. Chen"]').waitFor();
    await expect(page.getByTestId('manage-commissions').count()).resolves.toBe(0);
    await page.goto(`${h.baseUrl}/patients`);
    await page.getByTestId('no-access').waitFor();
  });
});
