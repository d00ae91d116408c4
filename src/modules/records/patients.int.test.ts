import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testVisage, type TestVisage } from '../../../test/helpers.js';
import { audited, joinAs, type Actor } from '../identity/invitations.fixtures.js';

let t: TestVisage;
beforeAll(async () => { t = await testVisage(); });
afterAll(async () => { await t?.close(); });

/** A clinic in Taipei (TWD), owned by a new user. */
async function clinic(): Promise<Actor> {
  const o = await t.owner();
  const r = await t.call('PATCH', `/api/organizations/${o.orgId}`, { token: o.token, body: { timezone: 'Asia/Taipei', currency: 'TWD' } });
  expect(r.status).toBe(200);
  return o;
}

const as = (who: { token: string; orgId: string }) => ({
  get: (url: string) => t.call('GET', url, { token: who.token, org: who.orgId }),
  post: (url: string, body: unknown, headers?: Record<string, string>) => t.call('POST', url, { token: who.token, org: who.orgId, body, headers }),
  patch: (url: string, body: unknown) => t.call('PATCH', url, { token: who.token, org: who.orgId, body }),
  del: (url: string) => t.call('DELETE', url, { token: who.token, org: who.orgId }),
});

/** Seed 000's example body, exactly. */
const AMY = { full_name: 'Amy Chen', gender: 'female', date_of_birth: '1992-06-01', skin_type: 'III', medical_history: 'No autoimmune disease' };

const taipeiYear = (d: Date) => Number(new Intl.DateTimeFormat('en', { timeZone: 'Asia/Taipei', year: 'numeric' }).format(d));

describe('POST /api/patients', () => {
  it('accepts seed 000\'s body as written and answers 201 with patient_id and a PAT code', async () => {
    const o = await clinic();
    const r = await as(o).post('/api/patients', AMY);
    expect(r.status).toBe(201);
    expect(r.body.patient_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.body.id).toBe(r.body.patient_id);
    expect(r.body.code).toBe(`PAT-${taipeiYear(t.clock.now)}-000001`);
    expect(r.body).toMatchObject({ ...AMY, phone: null, email: null, is_active: true, allergy_notes: null });
    const second = await as(o).post('/api/patients', { full_name: 'Bea Lin' });
    expect(second.body.code).toBe(`PAT-${taipeiYear(t.clock.now)}-000002`);
  });

  it('takes seed 001 client fields (allergies, emergency contact, notes, active flag, an ISO birth date-time)', async () => {
    const o = await clinic();
    const r = await as(o).post('/api/patients', {
      full_name: 'Jane Doe', email: 'Jane@Example.com', phone: '+1234567890', date_of_birth: '1990-05-15T00:00:00Z',
      emergency_contact: 'John Doe +1234567891', medical_history: 'No known medical conditions', allergies: 'None reported',
      skin_type: 'III', is_active: true, notes: 'Prefers natural-looking brows',
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      email: 'jane@example.com', date_of_birth: '1990-05-15', allergy_notes: 'None reported', emergency_contact: 'John Doe +1234567891',
      notes: 'Prefers natural-looking brows',
    });
  });

  it('stores medical history and allergy notes encrypted: the raw columns hold no plaintext', async () => {
    const o = await clinic();
    const secret = 'Hypertension; lidocaine allergy 9f3a';
    const r = await as(o).post('/api/patients', { full_name: 'Cora Wu', medical_history: secret, allergy_notes: 'Lidocaine 77b1' });
    const [raw] = await t.db.run({ scope: 'tenant', orgId: o.orgId }, (tx) => tx.query<Record<string, unknown>>(
      'SELECT * FROM patients WHERE id = $1', [r.body.id]));
    const text = JSON.stringify(raw);
    expect(text).not.toContain('Hypertension');
    expect(text).not.toContain('Lidocaine');
    expect(raw!.medical_history_enc).toMatch(/^v1:[0-9a-f]{8}:/);
    expect(raw!.allergy_notes_enc).toMatch(/^v1:[0-9a-f]{8}:/);
    // Copying one patient's ciphertext into another chart does not disclose it there.
    const other = await as(o).post('/api/patients', { full_name: 'Dan Ho' });
    await t.db.run({ scope: 'tenant', orgId: o.orgId }, (tx) => tx.query('UPDATE patients SET medical_history_enc = $1 WHERE id = $2', [raw!.medical_history_enc, other.body.id]));
    expect((await as(o).get(`/api/patients/${other.body.id}`)).status).toBe(500);
    expect((await as(o).get(`/api/patients/${r.body.id}`)).body.medical_history).toBe(secret);
  });

  it('refuses invalid input with pointers and stores nothing', async () => {
    const o = await clinic();
    const bad = await as(o).post('/api/patients', { full_name: '', skin_type: 'VII', date_of_birth: '2990-01-01', email: 'nope' });
    expect(bad.status).toBe(422);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    const pointers = bad.body.errors.map((e: { pointer: string }) => e.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['/full_name', '/skin_type', '/date_of_birth', '/email']));
    expect((await as(o).post('/api/patients', { full_name: 'X', date_of_birth: '1990-02-30' })).status).toBe(422);
    expect((await as(o).post('/api/patients', { full_name: 'X', allergies: 'a', allergy_notes: 'b' })).body.errors[0].pointer).toBe('/allergies');
    expect((await as(o).get('/api/patients')).body.items).toHaveLength(0);
  });

  it('replays the answer for a repeated Idempotency-Key instead of creating a second chart', async () => {
    const o = await clinic();
    const a = await as(o).post('/api/patients', { full_name: 'Eve Tsai', phone: '0912-000-111' }, { 'idempotency-key': 'create-eve' });
    const b = await as(o).post('/api/patients', { full_name: 'Eve Tsai', phone: '0912-000-111' }, { 'idempotency-key': 'create-eve' });
    expect(b.status).toBe(201);
    expect(b.body.id).toBe(a.body.id);
    expect((await as(o).get('/api/patients')).body.items).toHaveLength(1);
  });

  it('numbers concurrent creations without gaps or repeats', async () => {
    const o = await clinic();
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => as(o).post('/api/patients', { full_name: `Parallel ${i}` })));
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(201));
    const numbers = results.map((r) => Number(r.body.code.slice(-6))).sort((a, b) => a - b);
    expect(numbers).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});

describe('duplicate detection', () => {
  it('answers 409 possible_duplicate for the same phone digits or email (any case), naming the charts', async () => {
    const o = await clinic();
    const first = await as(o).post('/api/patients', { full_name: 'Fay Kuo', phone: '0912-345-678', email: 'fay@example.com' });
    const byPhone = await as(o).post('/api/patients', { full_name: 'Fay K.', phone: '0912 345 678' });
    expect(byPhone.status).toBe(409);
    expect(byPhone.headers['content-type']).toContain('application/problem+json');
    expect(byPhone.body.code).toBe('possible_duplicate');
    expect(byPhone.body.duplicates).toEqual([{ patient_id: first.body.id, id: first.body.id, code: first.body.code, matched_on: ['phone'] }]);
    expect(byPhone.body.errors).toEqual([{ pointer: '/phone', message: expect.any(String) }]);
    const byEmail = await as(o).post('/api/patients', { full_name: 'Fay', email: 'FAY@example.COM' });
    expect(byEmail.status).toBe(409);
    expect(byEmail.body.duplicates[0].matched_on).toEqual(['email']);
    expect((await as(o).get('/api/patients')).body.items).toHaveLength(1);

    const allowed = await as(o).post('/api/patients', { full_name: 'Fay Kuo (twin)', phone: '0912345678', allow_duplicate: true });
    expect(allowed.status).toBe(201);
    // Changing a phone to one already used is refused too.
    const other = await as(o).post('/api/patients', { full_name: 'Gus Lee', phone: '0933 111 222' });
    const clash = await as(o).patch(`/api/patients/${other.body.id}`, { email: 'fay@example.com' });
    expect(clash.status).toBe(409);
    expect(clash.body.duplicates[0].code).toBe(first.body.code);
  });

  it('lets only one of two simultaneous creations of the same person through', async () => {
    const o = await clinic();
    const [a, b] = await Promise.all([1, 2].map((i) => as(o).post('/api/patients', { full_name: `Ivy ${i}`, email: 'ivy@example.com' })));
    expect([a!.status, b!.status].sort()).toEqual([201, 409]);
  });

  it('ignores archived patients and other organizations', async () => {
    const o = await clinic();
    const other = await clinic();
    const a = await as(o).post('/api/patients', { full_name: 'Hana Ito', phone: '+886 900 000 001' });
    expect((await as(other).post('/api/patients', { full_name: 'Hana Ito', phone: '+886 900 000 001' })).status).toBe(201);
    expect((await as(o).del(`/api/patients/${a.body.id}`)).status).toBe(204);
    expect((await as(o).post('/api/patients', { full_name: 'Hana Ito', phone: '+886900000001' })).status).toBe(201);
  });
});

describe('reading, searching, changing and archiving', () => {
  it('shows medical fields only to medical.read, and audits the read with the field names', async () => {
    const o = await clinic();
    const desk = await joinAs(t, o, 'front_desk');
    const doctor = await joinAs(t, o, 'practitioner');
    const p = await as(o).post('/api/patients', { ...AMY, allergy_notes: 'Penicillin' });

    const { res, events } = await audited(t, o.orgId, 'GET', `/api/patients/${p.body.code}`, { token: doctor.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: p.body.id, medical_history: 'No autoimmune disease', allergy_notes: 'Penicillin' });
    expect(events).toEqual([expect.objectContaining({ action: 'read', entity_type: 'patient', entity_id: p.body.id, details: { fields: ['medical_history', 'allergy_notes'] } })]);
    expect(JSON.stringify(events)).not.toContain('Penicillin');

    const deskRead = await audited(t, o.orgId, 'GET', `/api/patients/${p.body.id}`, { token: desk.token });
    expect(deskRead.res.status).toBe(200);
    expect(deskRead.res.body.full_name).toBe('Amy Chen');
    expect(deskRead.res.body).not.toHaveProperty('medical_history');
    expect(deskRead.res.body).not.toHaveProperty('allergy_notes');
    expect(deskRead.events[0]!.details).toEqual({ fields: [] });
  });

  it('needs medical.write to write medical fields; the refusal is audited and nothing changes', async () => {
    const o = await clinic();
    const desk = await joinAs(t, o, 'front_desk');
    const refused = await audited(t, o.orgId, 'POST', '/api/patients', { token: desk.token, body: AMY });
    expect(refused.res.status).toBe(403);
    expect(refused.events).toEqual([expect.objectContaining({ action: 'access', outcome: 'denied', details: { permission: 'medical.write', method: 'POST' } })]);
    const { medical_history: _omit, ...plain } = AMY;
    const created = await as(desk).post('/api/patients', plain);
    expect(created.status).toBe(201);
    expect((await as(desk).patch(`/api/patients/${created.body.id}`, { allergies: 'Latex' })).status).toBe(403);
    const changed = await as(desk).patch(`/api/patients/${created.body.id}`, { phone: '02-2345-6789', notes: 'Prefers mornings' });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ phone: '02-2345-6789', notes: 'Prefers mornings', full_name: 'Amy Chen', skin_type: 'III' });
    expect((await as(o).get(`/api/patients/${created.body.id}`)).body.allergy_notes).toBeNull();
  });

  it('updates partially (null clears), including medical history re-encrypted', async () => {
    const o = await clinic();
    const p = await as(o).post('/api/patients', { ...AMY, notes: 'n1' });
    const r = await as(o).patch(`/api/patients/${p.body.id}`, { notes: null, medical_history: 'Now on isotretinoin', skin_type: 'IV' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ notes: null, medical_history: 'Now on isotretinoin', skin_type: 'IV', gender: 'female', date_of_birth: '1992-06-01' });
    expect((await as(o).patch(`/api/patients/${p.body.id}`, { full_name: null })).status).toBe(422);
  });

  it('searches by name, code, email and phone digits, paginates by name, and hides archived charts', async () => {
    const o = await clinic();
    const names = ['Zoe Park', 'amy Wang', 'Ben Su', 'Chloe Lai', 'Amy Chen'];
    const made: Record<string, { id: string; code: string }> = {};
    for (const [i, n] of names.entries()) made[n] = (await as(o).post('/api/patients', { full_name: n, phone: `0955-100-00${i}`, email: `p${i}@mail.test` })).body;

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await as(o).get(`/api/patients?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((p: { full_name: string }) => p.full_name));
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(['Amy Chen', 'amy Wang', 'Ben Su', 'Chloe Lai', 'Zoe Park']);

    const names_ = async (q: string) => {
      const res = await as(o).get(`/api/patients?q=${encodeURIComponent(q)}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.items.map((p: { full_name: string }) => p.full_name);
    };
    expect(await names_('amy')).toEqual(['Amy Chen', 'amy Wang']);
    expect(await names_(made['Ben Su']!.code.toLowerCase())).toEqual(['Ben Su']);
    expect(await names_('p3@MAIL')).toEqual(['Chloe Lai']);
    expect(await names_('0955 100 000')).toEqual(['Zoe Park']);
    expect(await names_('Amy%')).toEqual([]); // % is a character, not a wildcard
    const list = (await as(o).get('/api/patients')).body.items[0];
    expect(list).not.toHaveProperty('medical_history');

    const del = await audited(t, o.orgId, 'DELETE', `/api/patients/${made['Ben Su']!.id}`, { token: o.token });
    expect(del.res.status).toBe(204);
    expect(del.events[0]).toMatchObject({ action: 'delete', entity_id: made['Ben Su']!.id });
    expect((await as(o).get(`/api/patients/${made['Ben Su']!.id}`)).status).toBe(404);
    expect(await names_('Ben')).toEqual([]);
    expect((await as(o).del(`/api/patients/${made['Ben Su']!.id}`)).status).toBe(404);
    // Never hard-deleted: the row is still there, archived.
    const [row] = await t.db.run({ scope: 'tenant', orgId: o.orgId }, (tx) => tx.query<{ deleted_at: Date | null }>('SELECT deleted_at FROM patients WHERE id = $1', [made['Ben Su']!.id]));
    expect(row!.deleted_at).not.toBeNull();
  });

  it('answers another organization\'s patient exactly like a missing one', async () => {
    const o = await clinic();
    const other = await clinic();
    const p = await as(o).post('/api/patients', AMY);
    for (const [method, body] of [['GET', undefined], ['PATCH', { notes: 'x' }], ['DELETE', undefined]] as const) {
      const theirs = await t.call(method, `/api/patients/${p.body.id}`, { token: other.token, org: other.orgId, body });
      const missing = await t.call(method, '/api/patients/00000000-0000-4000-8000-000000000000', { token: other.token, org: other.orgId, body });
      expect(theirs.status).toBe(404);
      expect(theirs.body.code).toBe(missing.body.code);
    }
    expect((await as(other).get(`/api/patients/${p.body.code}`)).status).toBe(404);
  });

  it('refuses a marketer on every patient endpoint', async () => {
    const o = await clinic();
    const marketer = await joinAs(t, o, 'marketer');
    const p = await as(o).post('/api/patients', AMY);
    const calls: [string, string, unknown?][] = [
      ['GET', '/api/patients'], ['GET', `/api/patients/${p.body.id}`], ['POST', '/api/patients', { full_name: 'Lead' }],
      ['PATCH', `/api/patients/${p.body.id}`, { notes: 'x' }], ['DELETE', `/api/patients/${p.body.id}`],
    ];
    for (const [method, url, body] of calls) expect((await t.call(method, url, { token: marketer.token, body })).status).toBe(403);
  });
});

describe('codes follow the organization\'s calendar', () => {
  // Runs last: it moves the clock to New Year's Eve.
  it('starts a new year\'s numbering at midnight in Taipei, while it is still the old year in UTC', async () => {
    const now = t.clock.now;
    const eve = Date.UTC(now.getUTCFullYear(), 11, 31, 16, 30); // 00:30 on 1 January in Taipei (UTC+8)
    t.clock.advance(eve - now.getTime());
    const o = await clinic();
    const r = await as(o).post('/api/patients', { full_name: 'New Year Baby' });
    expect(new Date(eve).getUTCFullYear()).toBe(now.getUTCFullYear());
    expect(r.body.code).toBe(`PAT-${now.getUTCFullYear() + 1}-000001`);
  });
});
