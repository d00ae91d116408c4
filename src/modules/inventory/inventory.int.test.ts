import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testVisage, type TestVisage } from '../../../test/helpers.js';
import { addDays } from '../care/followup-rules.js';
import { localDate } from '../clinical/org-time.js';
import { addPatient, addPractitioner, addTreatment, asOrg, clinic, staff, type Clinic } from '../clinical/clinic.fixtures.js';
import { audited } from '../identity/invitations.fixtures.js';

let t: TestVisage;
let c: Clinic;
let today: string;
/** Every organization of these tests keeps the clinic's calendar, which `today` is a date of. */
const ZONE = 'Asia/Taipei';

beforeAll(async () => {
  t = await testVisage({ config: { rateLimitPerMinute: 1_000_000 } });
  c = await clinic(t);
  today = localDate(t.clock.now, ZONE);
});
afterAll(async () => { await t?.close(); });

async function product(owner: { token: string }, code: string, unit = 'U', type = 'Botox') {
  const r = await t.call('POST', '/api/products', { token: owner.token, body: { code, name: `${code} 100U`, product_type: type, unit, supplier: 'Allergan' } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}
async function lot(owner: { token: string }, productRef: string, lotNumber: string, inDays: number, quantity: number) {
  const r = await t.call('POST', `/api/products/${productRef}/lots`, { token: owner.token, body: { lot_number: lotNumber, expiry_date: addDays(today, inDays), quantity, unit_cost_minor: 1200 } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}
async function session(owner: { token: string }, patientId: string): Promise<string> {
  const r = await t.call('POST', '/api/treatment-sessions', {
    token: owner.token,
    body: { patient_id: patientId, treatment_id: 'BOT_MASSETER', doctor_id: 'doc_01', dosage_value: 40, dosage_unit: 'U', treatment_area: { left_masseter: 20, right_masseter: 20 }, clinical_notes: 'Normal injection, no bleeding' },
  });
  expect(r.status).toBe(201);
  return r.body.id;
}
const use = (token: string, body: Record<string, unknown>) => t.call('POST', '/api/treatment-drug-usage', { token, body });
/** Expiry moved into the past as time would (the API refuses to receive an expired lot). */
const expire = (orgId: string, lotId: string, daysAgo: number) =>
  asOrg(t, orgId, (q) => q('UPDATE lots SET expiry_date = $2::date WHERE id = $1', [lotId, addDays(today, -daysAgo)]));

describe('seed 000 drug usage', () => {
  it('records the seed body verbatim and takes it from the earliest-expiring usable lot (FEFO), saying which', async () => {
    const p = await product(c.owner, 'BOTOX_US');
    expect(p).toMatchObject({ drug_id: 'BOTOX_US', unit: 'U', quantity_on_hand: 0 });
    const late = await lot(c.owner, 'BOTOX_US', 'LATE-01', 200, 100);
    const soon = await lot(c.owner, p.id, 'SOON-01', 30, 50);
    const old = await lot(c.owner, p.id, 'OLD-01', 10, 100);
    await expire(c.owner.orgId, old.id, 1);
    const sessionId = await session(c.owner, c.patients[0]!);

    const r = await use(c.owner.token, { session_id: sessionId, drug_id: 'BOTOX_US', amount_used: 40, unit: 'U' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      session_id: sessionId, drug_id: 'BOTOX_US', product_id: p.id, amount_used: 40, unit: 'U', patient_id: c.patients[0],
      lot_id: soon.id, lot_number: 'SOON-01', expiry_date: addDays(today, 30), quantity_on_hand: 10, lot_chosen_by: 'fefo',
    });
    expect(r.body.usage_id).toBe(r.body.id);
    expect(r.body.warnings.join(' ')).toContain('expires');

    // SOON-01 has 10 left: the next 40 U come from LATE-01.
    const r2 = await use(c.owner.token, { session_id: sessionId, drug_id: 'BOTOX_US', amount_used: 40, unit: 'U' });
    expect(r2.body).toMatchObject({ lot_number: 'LATE-01', quantity_on_hand: 60, lot_chosen_by: 'fefo' });
    expect(late.id).toBe(r2.body.lot_id);

    const stock = await t.call('GET', '/api/products/BOTOX_US', { token: c.owner.token });
    expect(stock.body).toMatchObject({ quantity_on_hand: 170, usable_on_hand: 70, next_expiry_date: addDays(today, 30) });
  });

  it('refuses an expired lot, more than is on hand, a recalled or quarantined lot and a wrong unit, each saying why', async () => {
    await product(c.owner, 'HA_FILL', 'cc', 'HA');
    const good = await lot(c.owner, 'HA_FILL', 'HA-GOOD', 100, 2);
    const old = await lot(c.owner, 'HA_FILL', 'HA-OLD', 5, 3);
    await expire(c.owner.orgId, old.id, 2);
    const s = await session(c.owner, c.patients[1]!);
    const before = await asOrg(t, c.owner.orgId, (q) => q<{ n: number }>('SELECT count(*)::int AS n FROM drug_usages WHERE session_id = $1', [s]));

    const expired = await use(c.owner.token, { session_id: s, drug_id: 'HA_FILL', amount_used: 1, unit: 'cc', lot_id: old.id });
    expect(expired.status).toBe(422);
    expect(expired.body.code).toBe('lot_expired');
    expect(expired.body.detail).toContain(`expired on ${addDays(today, -2)}`);

    const byNumber = await use(c.owner.token, { session_id: s, drug_id: 'HA_FILL', amount_used: 1, unit: 'cc', lot_number: 'HA-OLD' });
    expect(byNumber.body.code).toBe('lot_expired');

    const tooMuch = await use(c.owner.token, { session_id: s, drug_id: 'HA_FILL', amount_used: 2.5, unit: 'cc', lot_id: good.id });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.code).toBe('insufficient_stock');
    expect(tooMuch.body.detail).toContain('has 2 cc on hand');
    expect(tooMuch.body.errors[0]).toEqual({ pointer: '/amount_used', message: 'available 2 cc' });

    const fefoTooMuch = await use(c.owner.token, { session_id: s, drug_id: 'HA_FILL', amount_used: 4, unit: 'cc' });
    expect(fefoTooMuch.body.code).toBe('insufficient_stock');
    expect(fefoTooMuch.body.detail).toContain('2 cc usable on hand');
    expect(fefoTooMuch.body.detail).toContain('3 cc in expired lots');

    const unit = await use(c.owner.token, { session_id: s, drug_id: 'HA_FILL', amount_used: 1, unit: 'U' });
    expect(unit.status).toBe(422);
    expect(unit.body.code).toBe('unit_mismatch');
    expect(unit.body.detail).toContain('counted in cc');

    const q = await t.call('PATCH', `/api/lots/${good.id}`, { token: c.owner.token, body: { status: 'quarantined', reason: 'cold chain broken' } });
    expect(q.body.status).toBe('quarantined');
    expect((await use(c.owner.token, { session_id: s, drug_id: 'HA_FILL', amount_used: 1, unit: 'cc', lot_id: good.id })).body.code).toBe('lot_quarantined');
    expect((await use(c.owner.token, { session_id: s, drug_id: 'HA_FILL', amount_used: 1, unit: 'cc' })).body.code).toBe('insufficient_stock');
    await t.call('PATCH', `/api/lots/${good.id}`, { token: c.owner.token, body: { status: 'recalled', reason: 'manufacturer recall' } });
    const recalled = await use(c.owner.token, { session_id: s, drug_id: 'HA_FILL', amount_used: 1, unit: 'cc', lot_id: good.id });
    expect(recalled.body.code).toBe('lot_recalled');
    expect(recalled.body.detail).toContain('recalled');
    expect((await t.call('PATCH', `/api/lots/${good.id}`, { token: c.owner.token, body: { status: 'active', reason: 'oops' } })).body.code).toBe('invalid_lot_transition');

    const after = await asOrg(t, c.owner.orgId, (q2) => q2<{ n: number }>('SELECT count(*)::int AS n FROM drug_usages WHERE session_id = $1', [s]));
    expect(after).toEqual(before);
    expect((await t.call('GET', `/api/lots/${good.id}`, { token: c.owner.token })).body.quantity_on_hand).toBe(2);
  });

  it('two concurrent usages cannot overdraw a lot', async () => {
    await product(c.owner, 'PRP_KIT', 'vial', 'PRP');
    const l = await lot(c.owner, 'PRP_KIT', 'PRP-1', 60, 50);
    const s = await session(c.owner, c.patients[0]!);
    const named = await Promise.all([0, 1, 2].map(() => use(c.owner.token, { session_id: s, drug_id: 'PRP_KIT', amount_used: 20, unit: 'vial', lot_id: l.id })));
    expect(named.map((r) => r.status).sort()).toEqual([201, 201, 422]);
    const fefo = await Promise.all([0, 1].map(() => use(c.owner.token, { session_id: s, drug_id: 'PRP_KIT', amount_used: 10, unit: 'vial' })));
    expect(fefo.map((r) => r.status).sort()).toEqual([201, 422]);
    const after = await t.call('GET', `/api/lots/${l.id}`, { token: c.owner.token });
    expect(after.body.quantity_on_hand).toBe(0);
    const [sum] = await asOrg(t, c.owner.orgId, (q) => q<{ total: string }>('SELECT sum(quantity)::text AS total FROM stock_movements WHERE lot_id = $1', [l.id]));
    expect(Number(sum!.total)).toBe(0);
  });
});

describe('lots', () => {
  it('lists lots expiring within N days with expired ones flagged, and keeps a movement for every change', async () => {
    const owner = await t.owner({ orgName: 'Stock Room', timezone: ZONE });
    await product(owner, 'PIG_BROWN', 'ml', 'Pigment');
    const a = await lot(owner, 'PIG_BROWN', 'PB-A', 20, 10);
    await lot(owner, 'PIG_BROWN', 'PB-B', 90, 10);
    const gone = await lot(owner, 'PIG_BROWN', 'PB-OLD', 3, 5);
    await expire(owner.orgId, gone.id, 3);
    const soon = await t.call('GET', '/api/lots?expiring_within_days=30&product_id=PIG_BROWN', { token: owner.token });
    expect(soon.status).toBe(200);
    expect(soon.body.items.map((l: { lot_number: string; expired: boolean; days_to_expiry: number }) => [l.lot_number, l.expired, l.days_to_expiry]))
      .toEqual([['PB-OLD', true, -3], ['PB-A', false, 20]]);

    expect((await t.call('POST', `/api/lots/${a.id}/movements`, { token: owner.token, body: { kind: 'adjust', quantity: -1.5, reason: 'recount' } })).status).toBe(201);
    expect((await t.call('POST', `/api/lots/${a.id}/movements`, { token: owner.token, body: { kind: 'waste', quantity: 0.5, reason: 'spilled' } })).status).toBe(201);
    const below = await t.call('POST', `/api/lots/${a.id}/movements`, { token: owner.token, body: { kind: 'waste', quantity: 9, reason: 'too much' } });
    expect(below.body.code).toBe('insufficient_stock');
    const p = await addPatient(t, owner.orgId, 'Pigment Client');
    await addTreatment(t, owner.orgId, 'BOT_MASSETER');
    await addPractitioner(t, owner.orgId, 'doc_01');
    const s = await session(owner, p);
    const u = await use(owner.token, { session_id: s, drug_id: 'PIG_BROWN', amount_used: 1, unit: 'ml', lot_number: 'PB-A' });
    expect(u.body).toMatchObject({ lot_id: a.id, quantity_on_hand: 7, lot_chosen_by: 'named' });
    expect((await t.call('DELETE', `/api/treatment-drug-usage/${u.body.id}`, { token: owner.token })).status).toBe(204);
    const m = await t.call('GET', `/api/lots/${a.id}/movements`, { token: owner.token });
    expect(m.body.items.map((x: { kind: string; quantity: number }) => [x.kind, x.quantity]).reverse())
      .toEqual([['receive', 10], ['adjust', -1.5], ['waste', -0.5], ['use', -1], ['return', 1]]);
    // A use names its session and the session's patient.
    expect(m.body.items.find((x: { kind: string }) => x.kind === 'use')).toMatchObject({ session_id: s, patient_id: p });
    expect(m.body.items.find((x: { kind: string }) => x.kind === 'receive')).toMatchObject({ session_id: null, patient_id: null });
    const lotNow = await t.call('GET', `/api/lots/${a.id}`, { token: owner.token });
    expect(lotNow.body.quantity_on_hand).toBe(8);
    const disposed = await t.call('PATCH', `/api/lots/${a.id}`, { token: owner.token, body: { status: 'disposed', reason: 'end of line' } });
    expect(disposed.body).toMatchObject({ status: 'disposed', quantity_on_hand: 0 });
    // A PMU procedure that names the pigment lot only in its record (seed 001) is part of that lot's recall.
    const b = (await t.call('GET', '/api/lots?product_id=PIG_BROWN&q=PB-B', { token: owner.token })).body.items[0];
    const pmu = await t.call('POST', '/api/treatment-sessions', { token: owner.token, body: { patient_id: p, treatment_id: 'BOT_MASSETER', pmu: { procedure_type: 'Microblading', lot_number: 'pb-b' } } });
    expect(pmu.status).toBe(201);
    const recall = await t.call('GET', `/api/lots/${b.id}/recall`, { token: owner.token });
    expect(recall.body.patients).toMatchObject([{ patient_id: p, sessions: [{ session_id: pmu.body.id, source: 'pmu_record', amount_used: null }] }]);
    expect((await t.call('POST', '/api/products/PIG_BROWN/lots', { token: owner.token, body: { lot_number: 'PB-B', expiry_date: addDays(today, 9), quantity: 1 } })).body.code).toBe('lot_exists');
    expect((await t.call('POST', '/api/products/PIG_BROWN/lots', { token: owner.token, body: { lot_number: 'PB-X', expiry_date: addDays(today, -1), quantity: 1 } })).body.code).toBe('lot_expired');
  });

  it('keeps the reason given with any change of a lot, not only with a status change', async () => {
    const owner = await t.owner({ orgName: 'Stock Corrections', timezone: ZONE });
    await product(owner, 'HA_CORR', 'cc', 'HA');
    const l = await lot(owner, 'HA_CORR', 'HA-C1', 60, 4);
    const patch = (body: unknown) => audited(t, owner.orgId, 'PATCH', `/api/lots/${l.id}`, { token: owner.token, body });

    // An expiry misread on receipt, corrected with a reason: the reason and both dates are in the audit event.
    const expiry = await patch({ expiry_date: addDays(today, 30), reason: 'Expiry misread on receipt' });
    expect(expiry.res.status).toBe(200);
    expect(expiry.res.body).toMatchObject({ expiry_date: addDays(today, 30), status: 'active' });
    expect(expiry.events).toEqual([expect.objectContaining({ action: 'update', entity_type: 'lot', entity_id: l.id })]);
    expect(expiry.events[0]!.details).toMatchObject({ reason: 'Expiry misread on receipt', expiry_from: addDays(today, 60), expiry_to: addDays(today, 30) });

    const supplier = await patch({ supplier: 'Galderma TW', unit_cost_minor: 1500, reason: 'Invoice shows the distributor' });
    expect(supplier.events[0]!.details).toMatchObject({ reason: 'Invoice shows the distributor', fields: expect.arrayContaining(['supplier', 'unitCostMinor']) });
    expect(supplier.events[0]!.details).not.toHaveProperty('expiry_from');

    // A status change keeps its reason as before, with the transition; disposal writes the reason on the waste movement.
    const quarantined = await patch({ status: 'quarantined', reason: 'Cold chain broken' });
    expect(quarantined.events[0]!.details).toMatchObject({ from: 'active', to: 'quarantined', reason: 'Cold chain broken' });
    const disposed = await patch({ status: 'disposed', reason: 'Warm on arrival' });
    expect(disposed.events[0]!.details).toMatchObject({ from: 'quarantined', to: 'disposed', reason: 'Warm on arrival' });
    const m = await t.call('GET', `/api/lots/${l.id}/movements`, { token: owner.token });
    expect(m.body.items[0]).toMatchObject({ kind: 'waste', quantity: -4, reason: 'Warm on arrival' });

    // Without a reason a correction is still accepted (only a status change needs one) and nothing is made up.
    const plain = await patch({ supplier: 'Galderma' });
    expect(plain.res.status).toBe(200);
    expect(plain.events[0]!.details).not.toHaveProperty('reason');
  });

  it('recall lists exactly the patients who received the lot, with sessions, dates and amounts', async () => {
    const owner = await t.owner({ orgName: 'Recall Clinic', timezone: ZONE });
    await asOrg(t, owner.orgId, (q) => q(`UPDATE organizations SET timezone = 'Asia/Taipei' WHERE id = $1`, [owner.orgId]));
    await addTreatment(t, owner.orgId, 'BOT_MASSETER');
    await addPractitioner(t, owner.orgId, 'doc_01');
    await product(owner, 'BOTOX_US');
    const x = await lot(owner, 'BOTOX_US', 'X-1', 100, 200);
    const y = await lot(owner, 'BOTOX_US', 'Y-1', 200, 200);
    const [amy, lin, kai] = [await addPatient(t, owner.orgId, 'Amy Chen'), await addPatient(t, owner.orgId, 'Lin Mei'), await addPatient(t, owner.orgId, 'Kai Wu')];
    const s1 = await session(owner, amy!);
    const s2 = await session(owner, amy!);
    const s3 = await session(owner, lin!);
    const s4 = await session(owner, kai!);
    for (const [s, l, n] of [[s1, x, 40], [s2, x, 20], [s3, y, 40], [s4, x, 10]] as const) {
      expect((await use(owner.token, { session_id: s, drug_id: 'BOTOX_US', amount_used: n, unit: 'U', lot_id: l.id })).status).toBe(201);
    }
    const kaiUsage = await t.call('GET', `/api/treatment-drug-usage?session_id=${s4}`, { token: owner.token });
    await t.call('DELETE', `/api/treatment-drug-usage/${kaiUsage.body.items[0].id}`, { token: owner.token });

    const r = await t.call('GET', `/api/lots/${x.id}/recall`, { token: owner.token });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ patient_count: 1, total_used: 60, lot: { lot_number: 'X-1' } });
    expect(r.body.patients[0]).toMatchObject({ patient_id: amy, full_name: 'Amy Chen', total_used: 60 });
    expect(r.body.patients[0].sessions.map((s: { session_id: string; amount_used: number; treatment_code: string }) => [s.session_id, s.amount_used, s.treatment_code]))
      .toEqual([[s1, 40, 'BOT_MASSETER'], [s2, 20, 'BOT_MASSETER']]);
    expect(r.body.patients[0].sessions[0].performed_on).toBe(today);
    const ry = await t.call('GET', `/api/lots/${y.id}/recall`, { token: owner.token });
    expect(ry.body.patients.map((p: { full_name: string }) => p.full_name)).toEqual(['Lin Mei']);
  });
});

describe('access', () => {
  it('answers another organization\'s ids with 404 and refuses a marketer and front desk', async () => {
    const p = await t.call('GET', '/api/products/BOTOX_US', { token: c.owner.token });
    const lots = await t.call('GET', `/api/lots?product_id=${p.body.id}`, { token: c.owner.token });
    const lotId = lots.body.items[0].id;
    const usage = await t.call('GET', '/api/treatment-drug-usage', { token: c.owner.token });
    const usageId = usage.body.items[0].id;
    const other = await t.owner({ orgName: 'Elsewhere', timezone: ZONE });
    for (const url of [`/api/products/${p.body.id}`, '/api/products/BOTOX_US', `/api/lots/${lotId}`, `/api/lots/${lotId}/recall`, `/api/lots/${lotId}/movements`, `/api/treatment-drug-usage/${usageId}`]) {
      expect((await t.call('GET', url, { token: other.token })).status, url).toBe(404);
    }
    expect((await t.call('PATCH', `/api/lots/${lotId}`, { token: other.token, body: { status: 'recalled', reason: 'sabotage' } })).status).toBe(404);
    expect((await t.call('GET', '/api/lots', { token: other.token })).body.items).toEqual([]);
    const sessions = await t.call('GET', '/api/treatment-sessions?limit=1', { token: c.owner.token });
    const cross = await use(other.token, { session_id: sessions.body.items[0].id, drug_id: 'BOTOX_US', amount_used: 1, unit: 'U' });
    expect(cross.status).toBe(422);
    expect(cross.body.errors[0].pointer).toBe('/session_id');

    const marketer = await staff(t, c.owner.orgId, c.owner.userId, 'marketer');
    const frontDesk = await staff(t, c.owner.orgId, c.owner.userId, 'front_desk');
    const calls: [string, string, unknown?][] = [
      ['GET', '/api/products'], ['POST', '/api/products', { code: 'NEW', name: 'n', product_type: 'Other', unit: 'U' }], ['GET', `/api/products/${p.body.id}`],
      ['PATCH', `/api/products/${p.body.id}`, { name: 'x' }], ['DELETE', `/api/products/${p.body.id}`],
      ['POST', `/api/products/${p.body.id}/lots`, { lot_number: 'Z', expiry_date: addDays(today, 10), quantity: 1 }],
      ['GET', '/api/lots'], ['GET', `/api/lots/${lotId}`], ['PATCH', `/api/lots/${lotId}`, { supplier: 'x' }],
      ['POST', `/api/lots/${lotId}/movements`, { kind: 'adjust', quantity: 1, reason: 'recount' }], ['GET', `/api/lots/${lotId}/movements`],
      ['GET', `/api/lots/${lotId}/recall`], ['GET', '/api/treatment-drug-usage'], ['GET', `/api/treatment-drug-usage/${usageId}`],
      ['POST', '/api/treatment-drug-usage', { session_id: sessions.body.items[0].id, drug_id: 'BOTOX_US', amount_used: 1, unit: 'U' }],
      ['DELETE', `/api/treatment-drug-usage/${usageId}`],
    ];
    for (const token of [marketer, frontDesk]) {
      for (const [method, url, body] of calls) {
        expect((await t.call(method, url, { token, body, org: c.owner.orgId })).status, `${method} ${url}`).toBe(403);
      }
    }
  });
});
