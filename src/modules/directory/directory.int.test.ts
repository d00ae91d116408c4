import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testVisage, type TestVisage } from '../../../test/helpers.js';
import { audited, joinAs, type Actor } from '../identity/invitations.fixtures.js';

let t: TestVisage;
beforeAll(async () => { t = await testVisage(); });
afterAll(async () => { await t?.close(); });

async function clinic(timezone = 'Asia/Taipei'): Promise<Actor> {
  const o = await t.owner();
  expect((await t.call('PATCH', `/api/organizations/${o.orgId}`, { token: o.token, body: { timezone } })).status).toBe(200);
  return o;
}

const as = (who: { token: string; orgId: string }) => ({
  get: (url: string) => t.call('GET', url, { token: who.token, org: who.orgId }),
  post: (url: string, body?: unknown) => t.call('POST', url, { token: who.token, org: who.orgId, body }),
  patch: (url: string, body: unknown) => t.call('PATCH', url, { token: who.token, org: who.orgId, body }),
  del: (url: string) => t.call('DELETE', url, { token: who.token, org: who.orgId }),
});

/** Today's date in a time zone, as the organization's calendar sees it. */
const dayIn = (tz: string, at = t.clock.now) => new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
const addDays = (d: string, n: number) => new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

describe('practitioners', () => {
  it('accepts seed 000 doctor_id as the code, PMU artists too, and finds them by id or code', async () => {
    const o = await clinic();
    const doc = await as(o).post('/api/practitioners', { doctor_id: 'doc_01', full_name: 'Dr. Lin Mei-Hua', license_no: 'TW-DERM-0192', specialty: 'Dermatology' });
    expect(doc.status).toBe(201);
    expect(doc.body).toMatchObject({ doctor_id: 'doc_01', code: 'doc_01', kind: 'doctor', status: 'active', license_no: 'TW-DERM-0192' });
    const artist = await as(o).post('/api/practitioners', { code: 'pmu_02', full_name: 'Alex Rivera', kind: 'pmu_artist', user_id: o.userId });
    expect(artist.body).toMatchObject({ kind: 'pmu_artist', user_id: o.userId });
    expect((await as(o).get('/api/practitioners/DOC_01')).body.id).toBe(doc.body.id);
    expect((await as(o).get(`/api/practitioners/${doc.body.id}`)).body.full_name).toBe('Dr. Lin Mei-Hua');

    expect((await as(o).get('/api/practitioners?kind=pmu_artist')).body.items.map((p: { code: string }) => p.code)).toEqual(['pmu_02']);
    expect((await as(o).get('/api/practitioners?q=derm')).body.items.map((p: { code: string }) => p.code)).toEqual(['doc_01']);
    const page1 = await as(o).get('/api/practitioners?limit=1');
    const page2 = await as(o).get(`/api/practitioners?limit=1&cursor=${page1.body.next_cursor}`);
    expect([...page1.body.items, ...page2.body.items].map((p: { full_name: string }) => p.full_name)).toEqual(['Alex Rivera', 'Dr. Lin Mei-Hua']);
    expect(page2.body.next_cursor).toBeNull();

    const upd = await as(o).patch('/api/practitioners/doc_01', { status: 'inactive', specialty: null });
    expect(upd.body).toMatchObject({ status: 'inactive', specialty: null, license_no: 'TW-DERM-0192' });
    expect((await as(o).post('/api/practitioners', { code: 'DOC_01', full_name: 'Someone' })).status).toBe(409);
    expect((await as(o).post('/api/practitioners', { code: 'doc_03', full_name: 'X', user_id: '00000000-0000-4000-8000-000000000000' })).body.errors[0].pointer).toBe('/user_id');
    expect((await as(o).post('/api/practitioners', { full_name: 'No code' })).body.errors).toEqual([{ pointer: '/code', message: 'required' }]);

    const del = await audited(t, o.orgId, 'DELETE', '/api/practitioners/doc_01', { token: o.token });
    expect(del.res.status).toBe(204);
    expect(del.events[0]).toMatchObject({ action: 'delete', entity_type: 'practitioner', entity_id: doc.body.id });
    expect((await as(o).get('/api/practitioners/doc_01')).status).toBe(404);
  });
});

describe('devices and maintenance', () => {
  it('lists devices due within N days or overdue, in the organization\'s calendar, and records maintenance today', async () => {
    const tz = 'Asia/Taipei';
    const o = await clinic(tz);
    const today = dayIn(tz);
    const mk = async (code: string, cycle: number | null, last: string | null, extra = {}) => {
      const r = await as(o).post('/api/devices', {
        code, device_name: `Device ${code}`, device_type: 'HIFU', manufacturer: 'Classys', model: 'Ultraformer III',
        maintenance_cycle_days: cycle, last_maintenance_on: last, ...extra,
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body;
    };
    const overdue = await mk('hifu_01', 90, addDays(today, -100)); // due 10 days ago
    const soon = await mk('rf_01', 30, addDays(today, -10), { device_type: 'RF' }); // due in 20 days
    await mk('laser_01', 180, addDays(today, -10), { device_type: 'Laser' }); // due in 170 days
    await mk('ipl_01', null, null, { device_type: 'IPL' }); // no cycle: never listed
    const todayDue = await mk('hifu_02', 30, addDays(today, -30)); // due today
    await mk('old_01', 30, addDays(today, -60), { status: 'inactive' }); // out of service: not listed
    expect(overdue.next_maintenance_on).toBe(addDays(today, -10));

    const due = await as(o).get('/api/devices/maintenance-due?days=30');
    expect(due.status).toBe(200);
    expect(due.body.today).toBe(today);
    expect(due.body.items.map((d: { code: string; state: string; days_until_due: number }) => [d.code, d.state, d.days_until_due])).toEqual([
      ['hifu_01', 'overdue', -10], ['hifu_02', 'due_today', 0], ['rf_01', 'due_soon', 20],
    ]);
    expect((await as(o).get('/api/devices/maintenance-due?days=0')).body.items.map((d: { code: string }) => d.code)).toEqual(['hifu_01', 'hifu_02']);
    expect((await as(o).get('/api/devices/maintenance-due')).body.days).toBe(30);

    const m = await audited(t, o.orgId, 'POST', `/api/devices/${overdue.code}/maintenance`, { token: o.token });
    expect(m.res.status).toBe(200);
    expect(m.res.body).toMatchObject({ last_maintenance_on: today, next_maintenance_on: addDays(today, 90) });
    expect(m.events[0]).toMatchObject({ action: 'maintenance', entity_type: 'device', details: { performed_on: today } });
    const after = await as(o).get('/api/devices/maintenance-due?days=30');
    expect(after.body.items.map((d: { code: string }) => d.code)).toEqual(['hifu_02', 'rf_01']);

    expect((await as(o).post(`/api/devices/${soon.id}/maintenance`, { performed_on: addDays(today, 1) })).body.errors[0].pointer).toBe('/performed_on');
    expect((await as(o).post(`/api/devices/${todayDue.id}/maintenance`, { performed_on: addDays(today, -3) })).body.last_maintenance_on).toBe(addDays(today, -3));
  });

  it('uses the organization\'s date, not the server\'s, around midnight', async () => {
    // 23:30 UTC is already the next day in Taipei (UTC+8) and still the same day in Los Angeles.
    const now = t.clock.now;
    const lateUtc = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 23, 30) + 86_400_000;
    t.clock.advance(lateUtc - now.getTime());
    const taipei = await clinic('Asia/Taipei');
    const la = await clinic('America/Los_Angeles');
    const utcDay = new Date(lateUtc).toISOString().slice(0, 10);
    expect((await as(taipei).get('/api/devices/maintenance-due')).body.today).toBe(addDays(utcDay, 1));
    expect((await as(la).get('/api/devices/maintenance-due')).body.today).toBe(utcDay);
    const d = await as(taipei).post('/api/devices', { code: 'hifu_tpe', device_name: 'HIFU', device_type: 'HIFU', maintenance_cycle_days: 7 });
    expect((await as(taipei).post(`/api/devices/${d.body.id}/maintenance`)).body.last_maintenance_on).toBe(addDays(utcDay, 1));
  });

  it('validates, keeps codes unique, soft-deletes, hides other organizations and refuses marketers', async () => {
    const o = await clinic();
    const bad = await as(o).post('/api/devices', { code: 'x1', device_name: 'X', device_type: 'Toaster', maintenance_cycle_days: 0, last_maintenance_on: '2025-13-01' });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(expect.arrayContaining(['/device_type', '/maintenance_cycle_days', '/last_maintenance_on']));
    const dev = await as(o).post('/api/devices', { device_id: 'laser_01', device_name: 'PicoSure', device_type: 'Laser', default_settings: { spot_mm: 6, fluence: 2.8 } });
    expect(dev.body).toMatchObject({ device_id: 'laser_01', default_settings: { spot_mm: 6, fluence: 2.8 }, next_maintenance_on: null });
    expect((await as(o).post('/api/devices', { code: 'LASER_01', device_name: 'Y', device_type: 'Laser' })).status).toBe(409);
    expect((await as(o).patch('/api/devices/laser_01', { model: 'PicoSure Pro', maintenance_cycle_days: 60 })).body).toMatchObject({ model: 'PicoSure Pro', maintenance_cycle_days: 60 });
    expect((await as(o).get('/api/devices?q=pico')).body.items).toHaveLength(1);
    expect((await as(o).get('/api/devices?device_type=HIFU')).body.items).toHaveLength(0);

    const other = await clinic();
    expect((await as(other).get(`/api/devices/${dev.body.id}`)).status).toBe(404);
    expect((await as(other).post(`/api/devices/${dev.body.id}/maintenance`)).status).toBe(404);
    expect((await as(other).del(`/api/devices/${dev.body.id}`)).status).toBe(404);

    const desk = await joinAs(t, o, 'front_desk');
    expect((await as(desk).get('/api/devices')).status).toBe(200);
    expect((await as(desk).post(`/api/devices/${dev.body.id}/maintenance`)).status).toBe(403);
    const marketer = await joinAs(t, o, 'marketer');
    for (const [m, url, body] of [['GET', '/api/devices'], ['GET', '/api/devices/maintenance-due'], ['GET', `/api/devices/${dev.body.id}`],
      ['POST', '/api/devices', { code: 'a', device_name: 'a', device_type: 'RF' }], ['PATCH', `/api/devices/${dev.body.id}`, { model: 'x' }],
      ['POST', `/api/devices/${dev.body.id}/maintenance`], ['DELETE', `/api/devices/${dev.body.id}`], ['GET', '/api/practitioners'],
      ['POST', '/api/practitioners', { code: 'doc_09', full_name: 'x' }]] as [string, string, unknown?][]) {
      expect((await t.call(m, url, { token: marketer.token, body })).status).toBe(403);
    }

    expect((await as(o).del('/api/devices/laser_01')).status).toBe(204);
    expect((await as(o).get('/api/devices')).body.items).toHaveLength(0);
    const [row] = await t.db.run({ scope: 'tenant', orgId: o.orgId }, (tx) => tx.query<{ deleted_at: Date | null }>('SELECT deleted_at FROM devices WHERE id = $1', [dev.body.id]));
    expect(row!.deleted_at).not.toBeNull();
  });
});
