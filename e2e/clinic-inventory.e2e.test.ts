/**
 * The inventory page's recall and pigment library in Chromium: from a lot's row, the patients who
 * received it with their sessions (dated on the clinic's calendar), amounts and practitioner, the
 * counts, a CSV of that list made in the browser and the lot's stock movements; a stock keeper
 * without patient.read sees the movements but not the names; the PMU pigment library is searched,
 * added to (a duplicate refused on its field), changed and retired.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { addStaff, browserSuite, type Harness, type Owner, signUpOwner, submitSignIn } from './harness.js';

const OWNER = { email: 'owner@clinic-inventory-e2e.visage.local', password: 'a clinic owner passphrase', full_name: 'Chen Mei-Hua' };
const KEEPER = { email: 'stock@clinic-inventory-e2e.visage.local', password: 'a stock keeper passphrase', full_name: 'Tsai Yu-Ting' };
const CLINIC = { name: 'Jade Aesthetic Clinic', type: 'clinic', timezone: 'Asia/Taipei', currency: 'TWD', locale: 'en' };
const TZ = 'Asia/Taipei';

let h: Harness;
let page: Page;
let api: Owner['api'];
type Seeded = 'lotX' | 'lotY' | 'unused' | 'amy' | 'siobhan' | 'lin' | 'kai' | 's1' | 's2' | 's3' | 's4' | 's5';
const ids = {} as Record<Seeded, string>;

const shot = (name: string) => page.screenshot({ path: `/tmp/visage-inventory-${name}.png`, fullPage: true });
const taipeiDay = (offset = 0) => new Intl.DateTimeFormat('en-CA', { timeZone: TZ }).format(new Date(Date.now() + offset * 86_400_000));
const lotRow = (lot: string) => page.locator(`[data-testid="lot-row"][data-lot="${lot}"]`);
const pigmentRow = (name: string) => page.locator(`[data-testid="pigment-row"][data-pigment="${name}"]`);

async function session(patientId: string, performedAt: string, units: number): Promise<string> {
  return (await api('POST', '/api/treatment-sessions', {
    patient_id: patientId, treatment_id: 'BOT_MASSETER', doctor_id: 'doc_01', dosage_value: units, dosage_unit: 'U', performed_at: performedAt,
    treatment_area: { left_masseter: units / 2, right_masseter: units / 2 }, clinical_notes: 'Normal injection, no bleeding',
  })).id;
}
const use = (sessionId: string, lotId: string, amount: number) =>
  api('POST', '/api/treatment-drug-usage', { session_id: sessionId, drug_id: 'BOTOX_US', amount_used: amount, unit: 'U', lot_id: lotId });

async function seed() {
  const owner = await signUpOwner(h, OWNER, CLINIC);
  ({ api } = owner);
  await api('POST', '/api/treatments', {
    treatment_code: 'BOT_MASSETER', treatment_name: '美國肉毒瘦小臉', name_en: 'Botulinum toxin, masseter', category: 'Injection', default_unit: 'U',
    base_price: 4999, ingredients: ['botulinum_toxin'],
  });
  await api('POST', '/api/practitioners', { code: 'doc_01', full_name: 'Dr. Lin Wei', specialty: 'Dermatology', license_no: 'TW-DERM-0042' });
  await api('POST', '/api/products', { code: 'BOTOX_US', name: 'Botox 100U', product_type: 'Botox', unit: 'U', supplier: 'Allergan' });
  ids.lotX = (await api('POST', '/api/products/BOTOX_US/lots', { lot_number: 'X-RECALL', expiry_date: taipeiDay(40), quantity: 200 })).id;
  ids.lotY = (await api('POST', '/api/products/BOTOX_US/lots', { lot_number: 'Y-OTHER', expiry_date: taipeiDay(45), quantity: 200 })).id;
  ids.unused = (await api('POST', '/api/products/BOTOX_US/lots', { lot_number: 'Z-UNUSED', expiry_date: taipeiDay(50), quantity: 100 })).id;
  const patient = async (full_name: string, phone: string) => (await api('POST', '/api/patients', { full_name, gender: 'female', date_of_birth: '1990-04-02', phone })).id as string;
  ids.amy = await patient('Amy Chen', '0912-000-111');
  ids.siobhan = await patient('O\'Brien, Siobhan', '0922-333-444');
  ids.lin = await patient('Lin Mei', '0933-555-666');
  ids.kai = await patient('Kai Wu', '0944-777-888');
  // 17:30 UTC is 01:30 the next day in Taipei: the recall dates it on the clinic's calendar.
  ids.s1 = await session(ids.amy, '2026-03-14T17:30:00Z', 40);
  ids.s2 = await session(ids.amy, '2026-05-02T03:00:00Z', 20);
  ids.s3 = await session(ids.siobhan, '2026-04-10T06:15:00Z', 10);
  ids.s4 = await session(ids.lin, '2026-04-11T06:15:00Z', 40);
  ids.s5 = await session(ids.kai, '2026-04-12T06:15:00Z', 10);
  await use(ids.s1, ids.lotX, 40);
  await use(ids.s2, ids.lotX, 20);
  await use(ids.s3, ids.lotX, 10);
  await use(ids.s4, ids.lotY, 40);
  // Recorded in error and undone: Kai did not receive the lot.
  const kai = await use(ids.s5, ids.lotX, 10);
  await api('DELETE', `/api/treatment-drug-usage/${kai.id}`, undefined, [204]);
  // A stock keeper: inventory, but no patients and no catalogue.
  await api('POST', '/api/roles', { name: 'stock_keeper', permissions: ['org.read', 'inventory.read', 'inventory.write'] });
  await addStaff(h, owner, KEEPER, 'stock_keeper');
}

browserSuite('inventory', async (harness, p) => {
  h = harness;
  page = p;
  await seed();
});

describe('lot recall and the pigment library in Chromium', () => {
  it('opens a lot\'s recall: the patients and sessions that received it, the counts and its movements', async () => {
    await page.goto(`${h.baseUrl}/inventory`);
    await submitSignIn(page, OWNER);
    await page.getByTestId('lots-table').waitFor();
    await lotRow('X-RECALL').getByTestId('lot-recall').click();
    const panel = page.locator('[data-testid="recall-panel"][data-lot="X-RECALL"]');
    await panel.getByTestId('recall-table').waitFor();
    await expect(panel.locator('h3').textContent()).resolves.toBe('Lot X-RECALL of Botox 100U');

    await expect(panel.getByTestId('recall-patient-count').textContent()).resolves.toBe('2');
    await expect(panel.getByTestId('recall-session-count').textContent()).resolves.toBe('3');
    await expect(panel.getByTestId('recall-total-used').textContent()).resolves.toBe('70 U');
    // Exactly the patients given the lot, by name: not Lin (another lot), not Kai (usage undone).
    await expect(panel.getByTestId('recall-patient').evaluateAll((els) => els.map((e) => e.getAttribute('data-patient'))))
      .resolves.toEqual([ids.amy, ids.siobhan]);
    const amy = panel.locator(`[data-testid="recall-patient"][data-patient="${ids.amy}"]`);
    await expect(amy.getByTestId('recall-patient-link').getAttribute('href')).resolves.toBe(`/patients/${ids.amy}`);
    await expect(amy.getByTestId('recall-phone').textContent()).resolves.toContain('0912-000-111');
    await expect(amy.getByTestId('recall-session').evaluateAll((els) => els.map((e) => e.getAttribute('data-session')))).resolves.toEqual([ids.s1, ids.s2]);
    const first = amy.locator(`[data-testid="recall-session"][data-session="${ids.s1}"]`);
    // 2026-03-14 17:30 UTC was 15 March, 01:30 in Taipei.
    await expect(first.getByTestId('recall-performed').textContent()).resolves.toBe('Mar 15, 20261:30 AM');
    await expect(first.getByTestId('recall-amount').textContent()).resolves.toBe('40 U');
    await expect(first.textContent()).resolves.toContain('Dr. Lin Wei');
    await expect(first.getByTestId('recall-session-link').getAttribute('href')).resolves.toBe(`/patients/${ids.amy}/sessions/${ids.s1}`);
    const siobhan = panel.locator(`[data-testid="recall-patient"][data-patient="${ids.siobhan}"]`);
    await expect(siobhan.getByTestId('recall-amount').textContent()).resolves.toBe('10 U');

    // Movements, newest first: received 200, three uses, Kai's use and its return.
    await expect.poll(() => panel.getByTestId('recall-movement').evaluateAll((els) => els.map((e) => e.getAttribute('data-kind'))))
      .toEqual(['return', 'use', 'use', 'use', 'use', 'receive']);
    await expect(panel.locator('[data-testid="recall-movement"][data-kind="receive"]').textContent()).resolves.toContain('+200');
    // Each use links to its session; so do the use and return of Kai's usage recorded in error (not on the recall list: named only as a session).
    await expect(panel.getByTestId('movement-session-link').evaluateAll((els) => els.map((e) => e.getAttribute('href')).sort()))
      .resolves.toEqual([`/patients/${ids.amy}/sessions/${ids.s1}`, `/patients/${ids.amy}/sessions/${ids.s2}`, `/patients/${ids.siobhan}/sessions/${ids.s3}`,
        `/patients/${ids.kai}/sessions/${ids.s5}`, `/patients/${ids.kai}/sessions/${ids.s5}`].sort());
    await expect(panel.locator('[data-testid="recall-movement"][data-kind="return"]').textContent()).resolves.toContain('Open the session');
    await shot('recall');

    // The session link opens the session.
    await first.getByTestId('recall-session-link').click();
    await page.getByTestId('session-detail-page').waitFor();
    expect(new URL(page.url()).pathname).toBe(`/patients/${ids.amy}/sessions/${ids.s1}`);
    await page.goBack();
    await page.getByTestId('lots-table').waitFor();

    // Escape closes the view and gives focus back to the button that opened it.
    await lotRow('X-RECALL').getByTestId('lot-recall').click();
    await page.getByTestId('recall-table').waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('recall-panel').waitFor({ state: 'detached' });
    await expect(page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).resolves.toBe('lot-recall');
    await expect(page.evaluate(() => document.activeElement?.closest('tr')?.getAttribute('data-lot'))).resolves.toBe('X-RECALL');

    // A lot nobody received says so.
    await lotRow('Z-UNUSED').getByTestId('lot-recall').click();
    await page.getByTestId('recall-empty').waitFor();
    await expect(page.getByTestId('recall-patient-count').textContent()).resolves.toBe('0');
    await expect(page.getByTestId('recall-csv').count()).resolves.toBe(0);
    await page.getByTestId('recall-close').click();
  });

  it('downloads the recall list as CSV, one line per session', async () => {
    await lotRow('X-RECALL').getByTestId('lot-recall').click();
    await page.getByTestId('recall-table').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('recall-csv').click()]);
    expect(download.suggestedFilename()).toBe(`recall-X-RECALL-${taipeiDay(0)}.csv`);
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv.slice(1).split('\r\n')).toEqual([
      'Patient name,Patient code,Phone,Email,Session date,Treatment,Practitioner,Amount used,Unit',
      expect.stringMatching(/^Amy Chen,[^,]+,0912-000-111,,2026-03-15,美國肉毒瘦小臉 \(BOT_MASSETER\),Dr. Lin Wei,40,U$/),
      expect.stringMatching(/^Amy Chen,[^,]+,0912-000-111,,2026-05-02,美國肉毒瘦小臉 \(BOT_MASSETER\),Dr. Lin Wei,20,U$/),
      expect.stringMatching(/^"O'Brien, Siobhan",[^,]+,0922-333-444,,2026-04-10,美國肉毒瘦小臉 \(BOT_MASSETER\),Dr. Lin Wei,10,U$/),
      '',
    ]);
    // The patient codes are the API's.
    const recall = await api('GET', `/api/lots/${ids.lotX}/recall`);
    expect(csv).toContain(`Amy Chen,${recall.patients[0].patient_code},`);
    await page.getByTestId('recall-close').click();
  });

  it('shows the recall in Traditional Chinese', async () => {
    await page.getByTestId('language-switcher').selectOption('zh-TW');
    await lotRow('X-RECALL').getByRole('button', { name: '追溯與異動：批號 X-RECALL' }).click();
    const panel = page.getByTestId('recall-panel');
    await panel.getByTestId('recall-table').waitFor();
    await expect(panel.locator('h4').allTextContents()).resolves.toEqual(['使用過此批號的病患', '庫存異動']);
    await expect(panel.getByTestId('recall-counts').textContent()).resolves.toBe('2病患3療程70 U總用量');
    await expect(page.getByTestId('tab-pigments').textContent()).resolves.toBe('色料');
    await shot('recall-zh-TW');
    await page.getByTestId('recall-close').click();
    await page.getByTestId('language-switcher').selectOption('en');
    await page.getByTestId('tab-pigments').getByText('Pigments').waitFor();
  });

  it('adds, finds, changes and deletes a pigment; a duplicate is refused on the colour field', async () => {
    await page.getByTestId('tab-pigments').click();
    await page.getByTestId('pigments-empty').waitFor();
    await page.getByTestId('pigment-new').click();
    let form = page.getByTestId('pigment-form');
    await form.getByLabel('Brand').fill('Permablend');
    await form.getByLabel('Colour').fill('Medium Brown');
    await form.getByLabel('Undertone').fill('warm');
    await form.getByLabel('Notes').fill('Brows, for fair skin');
    await form.getByTestId('pigment-save').click();
    await page.getByTestId('edit-saved').getByText('Pigment Permablend Medium Brown added to the library.').waitFor();
    await expect(pigmentRow('Permablend Medium Brown').textContent()).resolves.toContain('Brows, for fair skin');

    // The same brand and colour again: the API's 409 shows on the colour field.
    await page.getByTestId('pigment-new').click();
    form = page.getByTestId('pigment-form');
    await form.getByLabel('Brand').fill('permablend');
    await form.getByLabel('Colour').fill('medium brown');
    await form.getByTestId('pigment-save').click();
    const colourField = form.locator('.field', { has: page.getByTestId('pigment-color-input') });
    await expect.poll(() => colourField.getByTestId('field-error').textContent()).toBe('already in the library');
    await expect(form.getByTestId('pigment-color-input').getAttribute('aria-invalid')).resolves.toBe('true');
    await shot('pigment-duplicate');
    await form.getByLabel('Colour').fill('Dark Brown');
    await form.getByLabel('Undertone').fill('cool');
    await form.getByTestId('pigment-save').click();
    await pigmentRow('permablend Dark Brown').waitFor();

    // Search by colour.
    await page.getByTestId('pigments-q').fill('medium');
    await page.getByTestId('pigments-search').click();
    await expect.poll(() => page.getByTestId('pigment-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-pigment'))))
      .toEqual(['Permablend Medium Brown']);

    // Change it: another colour, and no longer in use.
    const row = pigmentRow('Permablend Medium Brown');
    await row.getByTestId('pigment-edit').click();
    form = page.getByTestId('pigment-form');
    await expect(form.getByLabel('Undertone').inputValue()).resolves.toBe('warm');
    await form.getByLabel('Colour').fill('Medium Brown 2');
    await form.getByLabel('In use').uncheck();
    await form.getByTestId('pigment-save').click();
    await page.getByTestId('edit-saved').getByText('Pigment Permablend Medium Brown 2 saved.').waitFor();
    await expect(pigmentRow('Permablend Medium Brown 2').textContent()).resolves.toContain('No longer used');
    const pigments = (await api('GET', '/api/pigments')).items as { id: string; brand: string; color: string; is_active: boolean; undertone: string | null }[];
    const changed = pigments.find((p) => p.color === 'Medium Brown 2')!;
    expect(changed).toMatchObject({ brand: 'Permablend', is_active: false, undertone: 'warm' });

    // Only pigments in use: the retired one is hidden.
    await page.getByTestId('pigments-q').fill('');
    await page.getByTestId('pigments-active').selectOption('true');
    await page.getByTestId('pigments-search').click();
    await expect.poll(() => page.getByTestId('pigment-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-pigment'))))
      .toEqual(['permablend Dark Brown']);
    await page.getByTestId('pigments-active').selectOption('');
    await page.getByTestId('pigments-search').click();
    await expect.poll(() => page.getByTestId('pigment-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-pigment'))))
      .toEqual(['permablend Dark Brown', 'Permablend Medium Brown 2']);
    await shot('pigments');

    // Delete asks first; cancelling keeps it.
    await pigmentRow('Permablend Medium Brown 2').getByTestId('pigment-delete').click();
    await pigmentRow('Permablend Medium Brown 2').getByRole('button', { name: 'Cancel' }).click();
    await pigmentRow('Permablend Medium Brown 2').getByTestId('pigment-delete').click();
    await pigmentRow('Permablend Medium Brown 2').getByTestId('pigment-delete-confirm').click();
    await page.getByTestId('edit-saved').getByText('Pigment Permablend Medium Brown 2 removed from the library.').waitFor();
    await pigmentRow('Permablend Medium Brown 2').waitFor({ state: 'detached' });
    await api('GET', `/api/pigments/${changed.id}`, undefined, [404]);
    await expect.poll(() => page.getByTestId('pigment-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-pigment'))))
      .toEqual(['permablend Dark Brown']);
  });

  it('a stock keeper without patient.read sees the movements but not who received the lot, and no pigments', async () => {
    await page.getByTestId('user-menu').click();
    await page.getByTestId('sign-out').click();
    await page.getByTestId('signin-page').waitFor();
    await submitSignIn(page, KEEPER);
    await page.getByTestId('nav-inventory').click();
    await page.getByTestId('lots-table').waitFor();
    await expect(page.getByTestId('tab-pigments').count()).resolves.toBe(0);
    await lotRow('X-RECALL').getByTestId('lot-recall').click();
    await page.getByTestId('recall-no-access').waitFor();
    await expect.poll(() => page.getByTestId('recall-movement').count()).toBe(6);
    await expect(page.getByTestId('recall-table').count()).resolves.toBe(0);
    // Movements name no patient: the sessions are not linked.
    await expect(page.getByTestId('movement-session-link').count()).resolves.toBe(0);
    await shot('recall-keeper');
    // Opened by its address anyway, the pigments tab says why it is empty.
    await page.goto(`${h.baseUrl}/inventory?tab=pigments`);
    await page.getByTestId('pigments-no-access').waitFor();
  });
});
