import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testVisage, type TestVisage } from '../../../test/helpers.js';
import { audited, joinAs, type Staff } from '../identity/invitations.fixtures.js';
import {
  addDays, clinic, insertFollowup, insertPatient, insertSession, insertTreatment, taipeiDate, toTaipeiEarlyMorning, type Clinic,
} from './care.fixtures.js';

let t: TestVisage;
let a: Clinic;
let amy: string;
let botox: string;
let session: string;

beforeAll(async () => {
  t = await testVisage();
  a = await clinic(t);
  amy = await insertPatient(t, a.orgId, { name: 'Amy Chen', email: 'amy@example.test' });
  botox = await insertTreatment(t, a.orgId, { code: 'BOT_MASSETER', name: '美國肉毒瘦小臉', priceMinor: 499_900 });
  session = await insertSession(t, a.orgId, { patientId: amy, treatmentId: botox, performedAt: '2025-12-20T03:00:00Z', priceMinor: 499_900 });
});
afterAll(async () => { await t?.close(); });

describe('seed 000 follow-up API', () => {
  it('POST /api/followups accepts the seed\'s body and answers 201 with the follow-up', async () => {
    const res = await t.call('POST', '/api/followups', {
      token: a.token,
      body: { patient_id: amy, session_id: session, followup_type: 'medical', scheduled_date: '2026-01-05', notify_flag: true },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      patient_id: amy, session_id: session, followup_type: 'medical', scheduled_date: '2026-01-05', notify_flag: true,
      status: 'planned', source: 'manual', patient_name: 'Amy Chen', treatment: '美國肉毒瘦小臉', treatment_id: botox,
    });
    expect(res.body.followup_id).toBe(res.body.id);
    // The reminder is due at 09:00 Taipei time (01:00 UTC) the day before.
    expect(res.body.reminder_due_at).toBe('2026-01-04T01:00:00.000Z');
  });

  it('POST /api/followups/recommend plans the re-treatment for the session\'s patient and marks the session\'s latest follow-up', async () => {
    const latest = await insertFollowup(t, a.orgId, { patientId: amy, sessionId: session, treatmentId: botox, type: 'maintenance', date: '2026-04-19' });
    const res = await t.call('POST', '/api/followups/recommend', {
      token: a.token, body: { session_id: session, next_recommend_date: '2026-05-20', followup_type: 'maintenance', notify_flag: true },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      patient_id: amy, session_id: session, followup_type: 'maintenance', scheduled_date: '2026-05-20', next_recommend_date: '2026-05-20',
      notify_flag: true, source: 'recommend', status: 'planned', treatment: '美國肉毒瘦小臉', updated_followup_id: latest,
    });
    const marked = await t.call('GET', `/api/followups/${latest}`, { token: a.token });
    expect(marked.body.next_recommend_date).toBe('2026-05-20');
  });

  it('refuses a recommendation dated before the session, and a session of another patient', async () => {
    const early = await t.call('POST', '/api/followups/recommend', { token: a.token, body: { session_id: session, next_recommend_date: '2025-12-01' } });
    expect(early.status).toBe(422);
    expect(early.body.errors[0].pointer).toBe('/next_recommend_date');
    const bob = await insertPatient(t, a.orgId, { name: 'Bob Lin' });
    const mixed = await t.call('POST', '/api/followups', { token: a.token, body: { patient_id: bob, session_id: session, followup_type: 'medical', scheduled_date: '2026-01-05' } });
    expect(mixed.status).toBe(422);
    expect(mixed.body.errors[0].pointer).toBe('/session_id');
    const bad = await t.call('POST', '/api/followups', { token: a.token, body: { patient_id: amy, followup_type: 'medical', scheduled_date: '2026-02-30' } });
    expect(bad.status).toBe(422);
  });
});

describe('upcoming follow-ups and the worklist in the organization\'s time zone', () => {
  let org: Clinic;
  let today: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    org = await clinic(t);
    toTaipeiEarlyMorning(t); // 04:00 in Taipei: the UTC calendar is still on the day before
    today = taipeiDate(t.clock.now);
    expect(t.clock.now.toISOString().slice(0, 10)).toBe(addDays(today, -1));
    const p = await insertPatient(t, org.orgId, { name: 'Chen Mei' });
    const tr = await insertTreatment(t, org.orgId, { code: 'HIFU', name: '海芙音波', priceMinor: 3_800_000 });
    for (const [key, offset, status] of [
      ['yesterday', -1, 'planned'], ['fiveAgo', -5, 'planned'], ['doneAgo', -3, 'done'], ['today', 0, 'planned'], ['soon', 3, 'planned'],
      ['edge', 30, 'planned'], ['beyond', 31, 'planned'], ['cancelled', 2, 'cancelled'],
    ] as const) {
      ids[key] = await insertFollowup(t, org.orgId, { patientId: p, treatmentId: tr, type: 'medical', date: addDays(today, offset), status });
    }
  });

  it('GET /api/followups?days=30 answers the seed\'s array: planned follow-ups from today to today + 30 in Taipei', async () => {
    const res = await t.call('GET', '/api/followups?days=30', { token: org.token });
    expect(res.status).toBe(200);
    expect(Array.isArray(res.body)).toBe(true);
    expect(res.body.map((f: { followup_id: string }) => f.followup_id)).toEqual([ids.today, ids.soon, ids.edge]);
    expect(res.body[0]).toMatchObject({ patient_name: 'Chen Mei', treatment: '海芙音波', scheduled_date: today, followup_type: 'medical' });
  });

  it('pages a long window through x-next-cursor', async () => {
    const first = await t.call('GET', '/api/followups?days=30&limit=2', { token: org.token });
    expect(first.body).toHaveLength(2);
    const cursor = first.headers['x-next-cursor'] as string;
    expect(cursor).toBeTruthy();
    const next = await t.call('GET', `/api/followups?days=30&limit=2&cursor=${cursor}`, { token: org.token });
    expect(next.body.map((f: { id: string }) => f.id)).toEqual([ids.edge]);
    expect(next.headers['x-next-cursor']).toBeUndefined();
  });

  it('the worklist splits today, overdue and the next days', async () => {
    const res = await t.call('GET', '/api/followups/worklist?days=7', { token: org.token });
    expect(res.status).toBe(200);
    expect(res.body.date).toBe(today);
    expect(res.body.today.map((f: { id: string }) => f.id)).toEqual([ids.today]);
    expect(res.body.overdue.map((f: { id: string }) => f.id)).toEqual([ids.fiveAgo, ids.yesterday]);
    expect(res.body.upcoming.map((f: { id: string }) => f.id)).toEqual([ids.soon]);
  });

  it('lists with filters and cursor: overdue=true, status', async () => {
    const overdue = await t.call('GET', '/api/followups?overdue=true', { token: org.token });
    expect(overdue.body.items.map((f: { id: string }) => f.id)).toEqual([ids.fiveAgo, ids.yesterday]);
    const cancelled = await t.call('GET', '/api/followups?status=cancelled', { token: org.token });
    expect(cancelled.body.items.map((f: { id: string }) => f.id)).toEqual([ids.cancelled]);
    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { items: { id: string }[]; next_cursor: string | null } } = await t.call('GET', `/api/followups?limit=3${cursor ? `&cursor=${cursor}` : ''}`, { token: org.token });
      all.push(...res.body.items.map((f) => f.id));
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(all).toEqual([ids.fiveAgo, ids.doneAgo, ids.yesterday, ids.today, ids.cancelled, ids.soon, ids.edge, ids.beyond]);
  });

  it('rescheduling moves a follow-up between buckets; cancelling takes it off', async () => {
    const moved = await t.call('PATCH', `/api/followups/${ids.yesterday}`, { token: org.token, body: { scheduled_date: addDays(today, 1) } });
    expect(moved.status).toBe(200);
    const cancel = await t.call('POST', `/api/followups/${ids.soon}/cancel`, { token: org.token, body: { reason: 'patient travelling' } });
    expect(cancel.body).toMatchObject({ status: 'cancelled', cancel_reason: 'patient travelling', reminder_due_at: null });
    const w = await t.call('GET', '/api/followups/worklist?days=7', { token: org.token });
    expect(w.body.overdue.map((f: { id: string }) => f.id)).toEqual([ids.fiveAgo]);
    expect(w.body.upcoming.map((f: { id: string }) => f.id)).toEqual([ids.yesterday]);
    const again = await t.call('PATCH', `/api/followups/${ids.soon}`, { token: org.token, body: { scheduled_date: today } });
    expect(again.status).toBe(409);
  });
});

describe('completing a follow-up', () => {
  let fu: string;
  let frontDesk: Staff;
  beforeAll(async () => {
    frontDesk = await joinAs(t, a, 'front_desk');
    fu = (await t.call('POST', '/api/followups', { token: a.token, body: { patient_id: amy, session_id: session, followup_type: 'medical', scheduled_date: taipeiDate(t.clock.now) } })).body.id;
  });

  it('records the actual date (default today in Taipei) and the outcome; outcome notes are PHI: audited reads, hidden without medical.read', async () => {
    const denied = await t.call('POST', `/api/followups/${fu}/complete`, { token: frontDesk.token, body: { outcome_notes: 'mild swelling' } });
    expect(denied.status).toBe(403);
    const done = await t.call('POST', `/api/followups/${fu}/complete`, { token: a.token, body: { outcome_notes: 'Mild swelling, resolved.', next_recommend_date: '2027-05-20' } });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'done', actual_date: taipeiDate(t.clock.now), outcome_notes: 'Mild swelling, resolved.', next_recommend_date: '2027-05-20', reminder_due_at: null });
    const { res, events } = await audited(t, a.orgId, 'GET', `/api/followups/${fu}`, { token: a.token });
    expect(res.body.outcome_notes).toBe('Mild swelling, resolved.');
    expect(events).toEqual([expect.objectContaining({ action: 'read', entity_type: 'followup', entity_id: fu, details: { phi_fields: ['outcome_notes'] } })]);
    expect(JSON.stringify(events)).not.toContain('swelling');
    const desk = await t.call('GET', `/api/followups/${fu}`, { token: frontDesk.token });
    expect(desk.status).toBe(200);
    expect(desk.body.outcome_notes).toBeUndefined();
    expect(desk.body.has_outcome_notes).toBe(true);
    const twice = await t.call('POST', `/api/followups/${fu}/complete`, { token: a.token, body: {} });
    expect(twice.status).toBe(409);
    const future = await t.call('POST', `/api/followups/${(await t.call('POST', '/api/followups', { token: a.token, body: { patient_id: amy, followup_type: 'medical', scheduled_date: '2030-01-01' } })).body.id}/complete`,
      { token: a.token, body: { actual_date: '2030-01-01' } });
    expect(future.status).toBe(422);
  });
});

describe('tenancy and roles', () => {
  it('another organization gets 404 for the follow-up and 422 for the patient; a marketer gets 403', async () => {
    const fu = (await t.call('POST', '/api/followups', { token: a.token, body: { patient_id: amy, followup_type: 'reminder', scheduled_date: '2027-01-01' } })).body.id;
    const b = await clinic(t);
    expect((await t.call('GET', `/api/followups/${fu}`, { token: b.token })).status).toBe(404);
    expect((await t.call('PATCH', `/api/followups/${fu}`, { token: b.token, body: { notify_flag: true } })).status).toBe(404);
    expect((await t.call('POST', `/api/followups/${fu}/complete`, { token: b.token, body: {} })).status).toBe(404);
    expect((await t.call('DELETE', `/api/followups/${fu}`, { token: b.token })).status).toBe(404);
    const foreign = await t.call('POST', '/api/followups', { token: b.token, body: { patient_id: amy, followup_type: 'medical', scheduled_date: '2027-01-01' } });
    expect(foreign.status).toBe(422);
    const rec = await t.call('POST', '/api/followups/recommend', { token: b.token, body: { session_id: session, next_recommend_date: '2027-01-01' } });
    expect(rec.status).toBe(422);
    expect((await t.call('GET', '/api/followups?days=366', { token: a.token })).body.map((f: { id: string }) => f.id)).toContain(fu);
    expect((await t.call('GET', '/api/followups?days=366', { token: b.token })).body).toEqual([]);
    expect((await t.call('GET', '/api/followups', { token: b.token })).body.items).toEqual([]);

    const marketer = await joinAs(t, a, 'marketer');
    for (const [method, url, body] of [
      ['GET', '/api/followups?days=30'], ['GET', '/api/followups'], ['GET', '/api/followups/worklist'], ['GET', `/api/followups/${fu}`],
      ['POST', '/api/followups', { patient_id: amy, followup_type: 'medical', scheduled_date: '2027-01-01' }],
      ['POST', '/api/followups/recommend', { session_id: session, next_recommend_date: '2027-01-01' }],
      ['PATCH', `/api/followups/${fu}`, { notify_flag: true }], ['POST', `/api/followups/${fu}/complete`, {}], ['POST', `/api/followups/${fu}/cancel`, {}],
      ['DELETE', `/api/followups/${fu}`],
    ] as [string, string, unknown?][]) {
      expect((await t.call(method, url, { token: marketer.token, body })).status, `${method} ${url}`).toBe(403);
    }
    const del = await t.call('DELETE', `/api/followups/${fu}`, { token: a.token });
    expect(del.status).toBe(204);
    expect((await t.call('GET', `/api/followups/${fu}`, { token: a.token })).status).toBe(404);
  });
});
