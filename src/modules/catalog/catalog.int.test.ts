import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testVisage, type TestVisage } from '../../../test/helpers.js';
import { audited, joinAs, type Actor } from '../identity/invitations.fixtures.js';

let t: TestVisage;
beforeAll(async () => { t = await testVisage(); });
afterAll(async () => { await t?.close(); });

async function clinic(): Promise<Actor> {
  const o = await t.owner();
  expect((await t.call('PATCH', `/api/organizations/${o.orgId}`, { token: o.token, body: { timezone: 'Asia/Taipei', currency: 'TWD' } })).status).toBe(200);
  return o;
}

const as = (who: { token: string; orgId: string }) => ({
  get: (url: string) => t.call('GET', url, { token: who.token, org: who.orgId }),
  post: (url: string, body: unknown) => t.call('POST', url, { token: who.token, org: who.orgId, body }),
  patch: (url: string, body: unknown) => t.call('PATCH', url, { token: who.token, org: who.orgId, body }),
  del: (url: string) => t.call('DELETE', url, { token: who.token, org: who.orgId }),
});

const BOTOX = {
  code: 'BOT_MASSETER', name: '美國肉毒瘦小臉', name_en: 'Botox masseter slimming', category: 'Injection', default_unit: 'U', base_price: 4999,
  consent_required: true, followup_rules: [{ type: 'medical', after_days: 14 }, { type: 'maintenance', after_days: 120, notify: true }],
  ingredients: ['botulinum_toxin'], contraindications: ['pregnancy'],
};
const HIFU = { treatment_code: 'HIFU_FACE', treatment_name: '海芙音波', category: 'Device', default_unit: 'lines', base_price_minor: 3800000 };

describe('treatments', () => {
  it('answers GET /api/treatments in seed 000\'s shape: an array with the code as treatment_id and base_price in major units', async () => {
    const o = await clinic();
    const created = await as(o).post('/api/treatments', BOTOX);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ currency: 'TWD', base_price_minor: 499900, followup_rules: [{ type: 'medical', after_days: 14, notify: true }, { type: 'maintenance', after_days: 120, notify: true }] });
    expect((await as(o).post('/api/treatments', HIFU)).status).toBe(201);

    const list = await as(o).get('/api/treatments');
    expect(list.status).toBe(200);
    expect(Array.isArray(list.body)).toBe(true);
    expect(list.body).toHaveLength(2);
    const bot = list.body.find((x: { code: string }) => x.code === 'BOT_MASSETER');
    expect(bot).toMatchObject({ treatment_id: 'BOT_MASSETER', treatment_name: '美國肉毒瘦小臉', category: 'Injection', default_unit: 'U', base_price: 4999 });
    expect(bot).toMatchObject({ id: created.body.id, consent_required: true, is_active: true });
    expect(list.body.find((x: { code: string }) => x.code === 'HIFU_FACE')).toMatchObject({ treatment_name: '海芙音波', base_price: 38000 });
  });

  it('filters by q, category and active, and reads, changes and retires by id or code', async () => {
    const o = await clinic();
    const bot = (await as(o).post('/api/treatments', BOTOX)).body;
    await as(o).post('/api/treatments', HIFU);
    await as(o).post('/api/treatments', { code: 'PMU_BROWS', name: 'Powder Brows', category: 'PMU', default_unit: 'session', base_price: 12000, is_active: false,
      followup_rules: [{ type: 'touch_up', after_days: 42 }] });
    const codes = async (qs: string) => (await as(o).get(`/api/treatments${qs}`)).body.map((x: { code: string }) => x.code);
    expect(await codes('?q=肉毒')).toEqual(['BOT_MASSETER']);
    expect(await codes('?q=brows')).toEqual(['PMU_BROWS']);
    expect(await codes('?category=Device')).toEqual(['HIFU_FACE']);
    expect(await codes('?active=false')).toEqual(['PMU_BROWS']);
    expect((await as(o).get('/api/treatments?category=Massage')).status).toBe(400);

    expect((await as(o).get('/api/treatments/bot_masseter')).body.id).toBe(bot.id);
    const patched = await as(o).patch('/api/treatments/BOT_MASSETER', { base_price: 5500, description: 'Masseter reduction' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ base_price: 5500, base_price_minor: 550000, description: 'Masseter reduction', name: '美國肉毒瘦小臉' });

    const del = await audited(t, o.orgId, 'DELETE', `/api/treatments/${bot.id}`, { token: o.token });
    expect(del.res.status).toBe(204);
    expect(del.events[0]).toMatchObject({ action: 'delete', entity_type: 'treatment', entity_id: bot.id });
    expect((await as(o).get('/api/treatments/BOT_MASSETER')).status).toBe(404);
    expect(await codes('')).not.toContain('BOT_MASSETER');
    // The code is free again once the old entry is retired.
    expect((await as(o).post('/api/treatments', BOTOX)).status).toBe(201);
  });

  it('audits an edit with only the fields that were sent and really changed', async () => {
    const o = await clinic();
    const bot = (await as(o).post('/api/treatments', BOTOX)).body;
    const patch = (body: unknown) => audited(t, o.orgId, 'PATCH', `/api/treatments/${bot.id}`, { token: o.token, body });

    // The whole form sent back (as an edit screen does) with a new price and description: two fields changed.
    const rulesReordered = BOTOX.followup_rules.map((r) => Object.fromEntries(Object.entries({ notify: true, ...r }).reverse()));
    const edit = await patch({ ...BOTOX, followup_rules: rulesReordered, base_price: 5500, description: 'Masseter reduction' });
    expect(edit.res.status).toBe(200);
    expect(edit.events).toEqual([expect.objectContaining({ action: 'update', entity_type: 'treatment', entity_id: bot.id })]);
    expect(edit.events[0]!.details).toEqual({ fields: ['base_price_minor', 'description'] });

    // The same again changes nothing: no field named, the row untouched.
    const again = await patch({ ...BOTOX, base_price: 5500, description: 'Masseter reduction' });
    expect(again.res.status).toBe(200);
    expect(again.events[0]!.details).toEqual({ fields: [] });
    expect(again.res.body.updated_at).toBe(edit.res.body.updated_at);

    // A cleared value and a changed rule list count; an unchanged flag sent along does not.
    const rules = await patch({ description: null, followup_rules: [{ type: 'medical', after_days: 21 }], consent_required: true });
    expect(rules.events[0]!.details).toEqual({ fields: ['description', 'followup_rules'] });
    expect(rules.res.body).toMatchObject({ description: null, consent_required: true, followup_rules: [{ type: 'medical', after_days: 21, notify: true }] });
  });

  it('validates follow-up rules, codes, prices and duplicates with pointers', async () => {
    const o = await clinic();
    const bad = await as(o).post('/api/treatments', { ...BOTOX, followup_rules: [{ type: 'medical', after_days: 0 }, { type: 'party', after_days: 3 }] });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(expect.arrayContaining(['/followup_rules/0/after_days', '/followup_rules/1/type']));
    expect((await as(o).post('/api/treatments', { ...BOTOX, code: 'has space' })).body.errors[0].pointer).toBe('/code');
    expect((await as(o).post('/api/treatments', { ...BOTOX, code: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b' })).status).toBe(422);
    expect((await as(o).post('/api/treatments', { ...BOTOX, base_price: 49.999 })).body.errors[0].pointer).toBe('/base_price');
    expect((await as(o).post('/api/treatments', { ...BOTOX, base_price_minor: 1 })).body.errors[0].pointer).toBe('/base_price_minor');
    const { code: _c, ...noCode } = BOTOX;
    expect((await as(o).post('/api/treatments', noCode)).body.errors).toEqual([{ pointer: '/code', message: 'required' }]);
    expect((await as(o).post('/api/treatments', BOTOX)).status).toBe(201);
    const dup = await as(o).post('/api/treatments', { ...BOTOX, code: 'bot_masseter' });
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ code: 'code_taken', errors: [{ pointer: '/code', message: 'already used' }] });
    expect((await as(o).patch('/api/treatments/BOT_MASSETER', { followup_rules: [{ type: 'maintenance', after_days: 99999 }] })).status).toBe(422);
    expect((await as(o).get('/api/treatments')).body).toHaveLength(1);
  });

  it('keeps organizations apart and refuses writers without treatment.manage and marketers', async () => {
    const o = await clinic();
    const other = await clinic();
    const bot = (await as(o).post('/api/treatments', BOTOX)).body;
    expect((await as(other).get(`/api/treatments/${bot.id}`)).status).toBe(404);
    expect((await as(other).get('/api/treatments/BOT_MASSETER')).status).toBe(404);
    expect((await as(other).patch(`/api/treatments/${bot.id}`, { name: 'x' })).status).toBe(404);
    expect((await as(other).get('/api/treatments')).body).toEqual([]);
    // Another clinic may use the same code.
    expect((await as(other).post('/api/treatments', BOTOX)).status).toBe(201);

    const doctor = await joinAs(t, o, 'practitioner');
    expect((await as(doctor).get('/api/treatments')).status).toBe(200);
    expect((await as(doctor).post('/api/treatments', { ...BOTOX, code: 'NEW' })).status).toBe(403);
    const marketer = await joinAs(t, o, 'marketer');
    for (const [m, url, body] of [['GET', '/api/treatments'], ['GET', `/api/treatments/${bot.id}`], ['POST', '/api/treatments', BOTOX],
      ['PATCH', `/api/treatments/${bot.id}`, { name: 'x' }], ['DELETE', `/api/treatments/${bot.id}`], ['GET', '/api/pigments'],
      ['POST', '/api/pigments', { brand: 'Permablend', color: 'Medium Brown' }]] as [string, string, unknown?][]) {
      expect((await t.call(m, url, { token: marketer.token, body })).status).toBe(403);
    }
  });
});

describe('pigments (seed 001 library)', () => {
  it('adds, lists by brand and colour with pagination, changes and retires pigments', async () => {
    const o = await clinic();
    const made = [];
    for (const [brand, color] of [['Permablend', 'Medium Brown'], ['Li Pigments', 'Toffee'], ['Permablend', 'Ash Brown'], ['Biotouch', 'Cherry Red']]) {
      const r = await as(o).post('/api/pigments', { brand, color, undertone: 'warm' });
      expect(r.status).toBe(201);
      made.push(r.body);
    }
    expect((await as(o).post('/api/pigments', { brand: 'permablend', color: 'medium brown' })).status).toBe(409);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await as(o).get(`/api/pigments?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...res.body.items.map((p: { brand: string; color: string }) => `${p.brand} ${p.color}`));
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(['Biotouch Cherry Red', 'Li Pigments Toffee', 'Permablend Ash Brown', 'Permablend Medium Brown']);
    expect((await as(o).get('/api/pigments?q=toffee')).body.items).toHaveLength(1);

    const p = await as(o).patch(`/api/pigments/${made[0].id}`, { undertone: null, notes: 'Best seller' });
    expect(p.body).toMatchObject({ brand: 'Permablend', color: 'Medium Brown', undertone: null, notes: 'Best seller' });
    expect((await as(o).del(`/api/pigments/${made[0].id}`)).status).toBe(204);
    expect((await as(o).get(`/api/pigments/${made[0].id}`)).status).toBe(404);
    expect((await as(o).get('/api/pigments')).body.items).toHaveLength(3);
    expect((await as(o).post('/api/pigments', { brand: '', color: 'x' })).body.errors[0].pointer).toBe('/brand');
  });
});

describe('OpenAPI', () => {
  it('documents the catalogue, directory and patient endpoints', async () => {
    const doc = await t.call('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    for (const path of ['/api/treatments', '/api/treatments/{ref}', '/api/pigments', '/api/patients', '/api/patients/{ref}', '/api/practitioners',
      '/api/devices', '/api/devices/maintenance-due', '/api/devices/{ref}/maintenance']) expect(doc.body.paths).toHaveProperty([path]);
  });
});
