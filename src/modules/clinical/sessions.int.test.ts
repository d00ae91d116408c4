import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testVisage, type TestVisage } from '../../../test/helpers.js';
import { addDays } from '../care/followup-rules.js';
import { localDate } from './org-time.js';
import { addPatient, addTreatment, asOrg, clinic, staff, type Clinic } from './clinic.fixtures.js';

let t: TestVisage;
let c: Clinic;

beforeAll(async () => {
  t = await testVisage({ config: { rateLimitPerMinute: 1_000_000 } });
  c = await clinic(t);
});
afterAll(async () => { await t?.close(); });

const seedSession = (visitId: string | null, patientId: string) => ({
  ...(visitId ? { visit_id: visitId } : {}),
  patient_id: patientId,
  treatment_id: 'BOT_MASSETER',
  doctor_id: 'doc_01',
  dosage_value: 40,
  dosage_unit: 'U',
  treatment_area: { left_masseter: 20, right_masseter: 20 },
  clinical_notes: 'Normal injection, no bleeding',
});

async function countSessions(orgId: string, patientId: string): Promise<number> {
  const [r] = await asOrg(t, orgId, (q) => q<{ n: number }>('SELECT count(*)::int AS n FROM treatment_sessions WHERE patient_id = $1', [patientId]));
  return r!.n;
}

describe('seed 000 examples', () => {
  it('creates a visit and a session with the seed bodies, and generates the +14/+120 follow-ups in the clinic\'s time zone', async () => {
    const visit = await t.call('POST', '/api/visits', { token: c.owner.token, body: { patient_id: c.patients[0], visit_type: 'treatment', visit_date: '2025-12-20' } });
    expect(visit.status).toBe(201);
    expect(visit.body).toMatchObject({ visit_type: 'treatment', visit_date: '2025-12-20', patient_id: c.patients[0] });
    expect(visit.body.visit_id).toBe(visit.body.id);

    const s = await t.call('POST', '/api/treatment-sessions', { token: c.owner.token, body: seedSession(visit.body.visit_id, c.patients[0]!) });
    expect(s.status).toBe(201);
    expect(s.body).toMatchObject({
      visit_id: visit.body.visit_id, treatment_id: c.treatmentId, treatment_code: 'BOT_MASSETER', treatment_name: '美國肉毒瘦小臉', doctor_id: c.practitionerId,
      practitioner_code: 'doc_01', dosage_value: 40, dosage_unit: 'U', treatment_area: { left_masseter: 20, right_masseter: 20 },
      clinical_notes: 'Normal injection, no bleeding', session_no: 1, status: 'signed', version: 1, price_minor: 499_900, currency: 'TWD',
      consent: { state: 'not_required', policy: 'flag' }, warnings: [],
    });
    expect(s.body.session_id).toBe(s.body.id);
    expect(s.body.signed_at).toBeTruthy();
    const { followups: _f, consent: _c, warnings: _w, ...created } = s.body;
    expect(created).toEqual((await t.call('GET', `/api/treatment-sessions/${s.body.id}`, { token: c.owner.token })).body);
    const today = localDate(new Date(s.body.performed_at), 'Asia/Taipei');
    expect(s.body.performed_on).toBe(today);
    expect(s.body.followups.map((f: { followup_type: string; scheduled_date: string; notify_flag: boolean }) => [f.followup_type, f.scheduled_date, f.notify_flag]))
      .toEqual([['medical', addDays(today, 14), true], ['maintenance', addDays(today, 120), true]]);
    const stored = await asOrg(t, c.owner.orgId, (q) => q<{ source: string; session_id: string; treatment_id: string; status: string }>(
      'SELECT source, session_id, treatment_id, status FROM followups WHERE session_id = $1', [s.body.id]));
    expect(stored).toHaveLength(2);
    expect(stored.every((f) => f.source === 'rule' && f.treatment_id === c.treatmentId && f.status === 'planned')).toBe(true);
  });

  it('dates follow-ups by the clinic\'s calendar day: 23:30 UTC is already the next day in Taipei', async () => {
    const p = await addPatient(t, c.owner.orgId, 'Night Owl');
    const s = await t.call('POST', '/api/treatment-sessions', {
      token: c.owner.token, body: { ...seedSession(null, p), performed_at: '2025-12-19T23:30:00Z' },
    });
    expect(s.status).toBe(201);
    expect(s.body.performed_on).toBe('2025-12-20');
    expect(s.body.followups[0].scheduled_date).toBe('2026-01-03');
  });
});

describe('treatment area', () => {
  it('refuses areas that do not add up to the dosage, says the sum, and stores nothing', async () => {
    const p = await addPatient(t, c.owner.orgId, 'Sum Check');
    const r = await t.call('POST', '/api/treatment-sessions', {
      token: c.owner.token, body: { ...seedSession(null, p), treatment_area: { left_masseter: 20, right_masseter: 15 } },
    });
    expect(r.status).toBe(422);
    expect(r.headers['content-type']).toContain('application/problem+json');
    expect(r.body.detail).toContain('add up to 35 U');
    expect(r.body.errors[0].pointer).toBe('/treatment_area');
    expect(await countSessions(c.owner.orgId, p)).toBe(0);
    const [f] = await asOrg(t, c.owner.orgId, (q) => q<{ n: number }>('SELECT count(*)::int AS n FROM followups WHERE patient_id = $1', [p]));
    expect(f!.n).toBe(0);
  });

  it('accepts face-map points whose units add up, and PMU specifics', async () => {
    const p = await addPatient(t, c.owner.orgId, 'Face Map');
    await addTreatment(t, c.owner.orgId, 'PMU_BROWS', { category: 'PMU', unit: 'session', rules: [{ type: 'touch_up', after_days: 42, notify: true }] });
    const pts = [{ x: 0.42, y: 0.3, units: 4, area: 'glabella' }, { x: 0.58, y: 0.3, units: 4, area: 'glabella' }];
    const r = await t.call('POST', '/api/treatment-sessions', { token: c.owner.token, body: { patient_id: p, treatment_id: 'BOT_MASSETER', dosage_value: 8, treatment_area: pts } });
    expect(r.status).toBe(201);
    expect(r.body.treatment_area).toEqual(pts);
    expect(r.body.dosage_unit).toBe('U');
    const pmu = { procedure_type: 'Microblading', area_treated: 'Eyebrows', duration_min: 120, voltage: 7.5, needle_configuration: '18 needles, 0.18mm', depth: '0.2-0.3mm', pigment_brand: 'Permablend', pigment_color: 'Medium Brown', lot_number: 'MB-2024-001' };
    const b = await t.call('POST', '/api/treatment-sessions', { token: c.owner.token, body: { patient_id: p, treatment_id: 'pmu_brows', pmu, immediate_reaction: 'mild redness' } });
    expect(b.status).toBe(201);
    expect(b.body.pmu).toEqual(pmu);
    expect(b.body.followups).toMatchObject([{ followup_type: 'touch_up' }]);
    // The create answer is built from the insert's stored values and the references it resolved: it is the session as read back.
    for (const created of [r.body, b.body]) {
      const { followups: _f, consent: _c, warnings: _w, ...session } = created;
      const read = await t.call('GET', `/api/treatment-sessions/${created.session_id}`, { token: c.owner.token });
      expect(read.status).toBe(200);
      expect(session).toEqual(read.body);
    }
    const bad = await t.call('POST', '/api/treatment-sessions', { token: c.owner.token, body: { patient_id: p, treatment_id: 'BOT_MASSETER', dosage_value: 9, treatment_area: pts } });
    expect(bad.status).toBe(422);
    expect(bad.body.detail).toContain('add up to 8 U');
  });

  it('names an unknown code and an unknown patient with pointers', async () => {
    const r = await t.call('POST', '/api/treatment-sessions', { token: c.owner.token, body: { ...seedSession(null, c.patients[0]!), treatment_id: 'NOPE' } });
    expect(r.status).toBe(422);
    expect(r.body.errors[0].pointer).toBe('/treatment_id');
    const d = await t.call('POST', '/api/treatment-sessions', { token: c.owner.token, body: { ...seedSession(null, c.patients[0]!), doctor_id: 'doc_99' } });
    expect(d.body.errors[0].pointer).toBe('/doctor_id');
    const u = await t.call('POST', '/api/treatment-sessions', { token: c.owner.token, body: seedSession(null, '0190a0a0-0000-7000-8000-000000000000') });
    expect(u.status).toBe(422);
    expect(u.body.errors[0].pointer).toBe('/patient_id');
  });
});

describe('session numbers', () => {
  it('counts per patient and treatment, and stays consecutive under concurrent writes', async () => {
    const p = await addPatient(t, c.owner.orgId, 'Regular');
    const other = await addPatient(t, c.owner.orgId, 'Other');
    await addTreatment(t, c.owner.orgId, 'HIFU', { category: 'Device', unit: 'lines' });
    const nos: number[] = [];
    for (let i = 0; i < 2; i++) nos.push((await t.call('POST', '/api/treatment-sessions', { token: c.owner.token, body: seedSession(null, p) })).body.session_no);
    const parallel = await Promise.all([0, 1, 2, 3].map(() => t.call('POST', '/api/treatment-sessions', { token: c.owner.token, body: seedSession(null, p) })));
    expect(parallel.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    nos.push(...parallel.map((r) => r.body.session_no));
    expect(nos.slice(0, 2)).toEqual([1, 2]);
    expect([...nos].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
    const hifu = await t.call('POST', '/api/treatment-sessions', { token: c.owner.token, body: { patient_id: p, treatment_id: 'HIFU', dosage_value: 1000, treatment_area: { full_face: 600, neck: 400 } } });
    expect(hifu.body).toMatchObject({ session_no: 1, dosage_unit: 'lines' });
    const o = await t.call('POST', '/api/treatment-sessions', { token: c.owner.token, body: seedSession(null, other) });
    expect(o.body.session_no).toBe(1);
    // Deleting the latest session frees its number; the earlier numbers stay as they were.
    const last = parallel.find((r) => r.body.session_no === 6)!;
    expect((await t.call('DELETE', `/api/treatment-sessions/${last.body.id}`, { token: c.owner.token })).status).toBe(204);
    expect((await t.call('POST', '/api/treatment-sessions', { token: c.owner.token, body: seedSession(null, p) })).body.session_no).toBe(6);
  });
});

describe('amendments', () => {
  it('needs a reason and keeps the earlier version', async () => {
    const p = await addPatient(t, c.owner.orgId, 'Amend Me');
    const s = await t.call('POST', '/api/treatment-sessions', { token: c.owner.token, body: seedSession(null, p) });
    const url = `/api/treatment-sessions/${s.body.id}`;
    const noReason = await t.call('PATCH', url, { token: c.owner.token, body: { clinical_notes: 'Slight bruise on the left' } });
    expect(noReason.status).toBe(422);
    expect(noReason.body.errors[0].pointer).toBe('/reason');

    const wrongSum = await t.call('PATCH', url, { token: c.owner.token, body: { reason: 'dose corrected', dosage_value: 50 } });
    expect(wrongSum.status).toBe(422);
    expect(wrongSum.body.detail).toContain('add up to 40 U');

    const a = await t.call('PATCH', url, {
      token: c.owner.token,
      body: { reason: 'Right side received 25 U', dosage_value: 45, treatment_area: { left_masseter: 20, right_masseter: 25 }, clinical_notes: 'Normal injection; right side 25 U' },
    });
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ version: 2, amended: true, dosage_value: 45, clinical_notes: 'Normal injection; right side 25 U' });
    expect(a.body.changed_fields.sort()).toEqual(['clinical_notes', 'dosage_value', 'treatment_area']);

    const same = await t.call('PATCH', url, { token: c.owner.token, body: { reason: 'no-op', dosage_value: 45 } });
    expect(same.body).toMatchObject({ version: 2, amended: false });

    const h = await t.call('GET', `${url}/amendments`, { token: c.owner.token });
    expect(h.status).toBe(200);
    expect(h.body.current_version).toBe(2);
    expect(h.body.items).toHaveLength(1);
    expect(h.body.items[0]).toMatchObject({ version: 2, reason: 'Right side received 25 U', amended_by: c.owner.userId });
    expect(h.body.items[0].previous).toMatchObject({ version: 1, dosage_value: 40, clinical_notes: 'Normal injection, no bleeding', treatment_area: { left_masseter: 20, right_masseter: 20 } });
    const rows = await asOrg(t, c.owner.orgId, (q) => q('SELECT version FROM session_amendments WHERE session_id = $1', [s.body.id]));
    expect(rows).toHaveLength(1);
  });
});

describe('consent policy', () => {
  it('flags a session without the required consent (default) and refuses it under the strict policy', async () => {
    const owner = await t.owner({ orgName: 'Consent Clinic' });
    const p = await addPatient(t, owner.orgId, 'No Consent');
    const tr = await addTreatment(t, owner.orgId, 'FILLER_LIPS', { consentRequired: true, unit: 'cc' });
    await asOrg(t, owner.orgId, (q) => q(`INSERT INTO consent_templates (id, org_id, treatment_id, title, version, body) VALUES (gen_random_uuid(), $1, $2, 'Filler consent', 3, 'I consent.')`, [owner.orgId, tr]));
    const flagged = await t.call('POST', '/api/treatment-sessions', { token: owner.token, body: { patient_id: p, treatment_id: 'FILLER_LIPS', dosage_value: 1 } });
    expect(flagged.status).toBe(201);
    expect(flagged.body.consent).toMatchObject({ state: 'missing', policy: 'flag', template_version: 3 });
    expect(flagged.body.consent_exception).toBe('missing_consent');
    expect(flagged.body.warnings.join(' ')).toContain('consent');
    const ex = await asOrg(t, owner.orgId, (q) => q<{ kind: string; resolved_at: Date | null }>('SELECT kind, resolved_at FROM compliance_exceptions WHERE session_id = $1', [flagged.body.id]));
    expect(ex).toEqual([{ kind: 'missing_consent', resolved_at: null }]);

    await asOrg(t, owner.orgId, (q) => q(`UPDATE organizations SET consent_policy = 'strict' WHERE id = $1`, [owner.orgId]));
    const refused = await t.call('POST', '/api/treatment-sessions', { token: owner.token, body: { patient_id: p, treatment_id: 'FILLER_LIPS', dosage_value: 1 } });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('consent_required');
    expect(await countSessions(owner.orgId, p)).toBe(1);
  });
});

describe('lists, reads and deletes', () => {
  it('filters by patient, treatment code and dates, pages by cursor, and audits reads of clinical notes', async () => {
    const p = await addPatient(t, c.owner.orgId, 'Filter Me');
    for (const at of ['2025-10-01T02:00:00Z', '2025-11-01T02:00:00Z', '2025-12-01T02:00:00Z']) {
      expect((await t.call('POST', '/api/treatment-sessions', { token: c.owner.token, body: { ...seedSession(null, p), performed_at: at } })).status).toBe(201);
    }
    const all = await t.call('GET', `/api/treatment-sessions?patient_id=${p}&treatment_id=BOT_MASSETER&limit=2`, { token: c.owner.token });
    expect(all.body.items.map((s: { performed_on: string }) => s.performed_on)).toEqual(['2025-12-01', '2025-11-01']);
    const next = await t.call('GET', `/api/treatment-sessions?patient_id=${p}&limit=2&cursor=${all.body.next_cursor}`, { token: c.owner.token });
    expect(next.body.items.map((s: { performed_on: string }) => s.performed_on)).toEqual(['2025-10-01']);
    expect(next.body.next_cursor).toBeNull();
    const window = await t.call('GET', `/api/treatment-sessions?patient_id=${p}&from=2025-10-15&to=2025-11-01`, { token: c.owner.token });
    expect(window.body.items.map((s: { performed_on: string }) => s.performed_on)).toEqual(['2025-11-01']);

    const id = all.body.items[0].id;
    const read = await t.call('GET', `/api/treatment-sessions/${id}`, { token: c.owner.token, headers: { 'x-request-id': `read-${id}` } });
    expect(read.body.clinical_notes).toBe('Normal injection, no bleeding');
    const ev = await asOrg(t, c.owner.orgId, (q) => q<{ action: string; details: { fields: string[] } }>('SELECT action, details FROM audit_events WHERE request_id = $1', [`read-${id}`]));
    expect(ev).toHaveLength(1);
    expect(ev[0]!.action).toBe('read');
    expect(ev[0]!.details.fields).toContain('clinical_notes');
    expect(JSON.stringify(ev)).not.toContain('no bleeding');

    expect((await t.call('DELETE', `/api/treatment-sessions/${id}`, { token: c.owner.token })).status).toBe(204);
    expect((await t.call('GET', `/api/treatment-sessions/${id}`, { token: c.owner.token })).status).toBe(404);
    const fu = await asOrg(t, c.owner.orgId, (q) => q<{ status: string }>('SELECT status FROM followups WHERE session_id = $1', [id]));
    expect(fu.map((f) => f.status)).toEqual(['cancelled', 'cancelled']);
    const kept = await asOrg(t, c.owner.orgId, (q) => q('SELECT id FROM treatment_sessions WHERE id = $1 AND deleted_at IS NOT NULL', [id]));
    expect(kept).toHaveLength(1);
  });

  it('visits: list, patch, and delete only once empty', async () => {
    const p = await addPatient(t, c.owner.orgId, 'Visitor');
    const v = await t.call('POST', '/api/visits', { token: c.owner.token, body: { patient_id: p, visit_type: 'consultation', doctor_id: 'doc_01' } });
    expect(v.status).toBe(201);
    expect(v.body.visit_date).toBe(localDate(new Date(), 'Asia/Taipei'));
    expect(v.body.practitioner_code).toBe('doc_01');
    const patched = await t.call('PATCH', `/api/visits/${v.body.id}`, { token: c.owner.token, body: { visit_type: 'treatment', notes: 'Came for masseter' } });
    expect(patched.body).toMatchObject({ visit_type: 'treatment', notes: 'Came for masseter' });
    const s = await t.call('POST', '/api/treatment-sessions', { token: c.owner.token, body: seedSession(v.body.id, p) });
    expect(s.status).toBe(201);
    const listed = await t.call('GET', `/api/visits?patient_id=${p}`, { token: c.owner.token });
    expect(listed.body.items).toMatchObject([{ id: v.body.id, session_count: 1 }]);
    expect((await t.call('GET', `/api/visits?q=visitor`, { token: c.owner.token })).body.items).toHaveLength(1);
    expect((await t.call('DELETE', `/api/visits/${v.body.id}`, { token: c.owner.token })).body.code).toBe('visit_has_sessions');
    await t.call('DELETE', `/api/treatment-sessions/${s.body.id}`, { token: c.owner.token });
    expect((await t.call('DELETE', `/api/visits/${v.body.id}`, { token: c.owner.token })).status).toBe(204);
    expect((await t.call('GET', `/api/visits/${v.body.id}`, { token: c.owner.token })).status).toBe(404);
    const other = await addPatient(t, c.owner.orgId, 'Someone Else');
    const v2 = await t.call('POST', '/api/visits', { token: c.owner.token, body: { patient_id: other, visit_type: 'treatment' } });
    const mismatch = await t.call('POST', '/api/treatment-sessions', { token: c.owner.token, body: seedSession(v2.body.id, p) });
    expect(mismatch.status).toBe(422);
    expect(mismatch.body.errors[0].pointer).toBe('/visit_id');
  });
});

describe('access', () => {
  it('answers another organization\'s ids with 404 and refuses its patients', async () => {
    const s = await t.call('POST', '/api/treatment-sessions', { token: c.owner.token, body: seedSession(null, c.patients[1]!) });
    const v = await t.call('POST', '/api/visits', { token: c.owner.token, body: { patient_id: c.patients[1], visit_type: 'treatment' } });
    const other = await t.owner({ orgName: 'Other Clinic' });
    await addTreatment(t, other.orgId, 'BOT_MASSETER');
    for (const url of [`/api/treatment-sessions/${s.body.id}`, `/api/treatment-sessions/${s.body.id}/amendments`, `/api/visits/${v.body.id}`]) {
      expect((await t.call('GET', url, { token: other.token })).status).toBe(404);
    }
    expect((await t.call('PATCH', `/api/treatment-sessions/${s.body.id}`, { token: other.token, body: { reason: 'hijack', clinical_notes: 'x' } })).status).toBe(404);
    expect((await t.call('DELETE', `/api/visits/${v.body.id}`, { token: other.token })).status).toBe(404);
    const cross = await t.call('POST', '/api/treatment-sessions', { token: other.token, body: { patient_id: c.patients[1], treatment_id: 'BOT_MASSETER', dosage_value: 40 } });
    expect(cross.status).toBe(422);
    expect((await t.call('GET', '/api/treatment-sessions', { token: other.token })).body.items).toEqual([]);
  });

  it('refuses a marketer on every clinical endpoint, and hides notes from a role without medical.read', async () => {
    const marketer = await staff(t, c.owner.orgId, c.owner.userId, 'marketer');
    const s = await t.call('POST', '/api/treatment-sessions', { token: c.owner.token, body: seedSession(null, c.patients[1]!) });
    const id = s.body.id;
    const calls: [string, string, unknown?][] = [
      ['GET', '/api/visits'], ['POST', '/api/visits', { patient_id: c.patients[1], visit_type: 'treatment' }], ['GET', `/api/visits/${id}`],
      ['PATCH', `/api/visits/${id}`, { notes: 'x' }], ['DELETE', `/api/visits/${id}`],
      ['GET', '/api/treatment-sessions'], ['POST', '/api/treatment-sessions', seedSession(null, c.patients[1]!)], ['GET', `/api/treatment-sessions/${id}`],
      ['PATCH', `/api/treatment-sessions/${id}`, { reason: 'typo fix', clinical_notes: 'y' }], ['GET', `/api/treatment-sessions/${id}/amendments`],
      ['DELETE', `/api/treatment-sessions/${id}`],
    ];
    for (const [method, url, body] of calls) {
      const r = await t.call(method, url, { token: marketer, body, org: c.owner.orgId });
      expect(r.status, `${method} ${url}`).toBe(403);
    }
    expect((await t.call('GET', `/api/treatment-sessions/${id}`, { token: c.owner.token })).status).toBe(200);

    const role = await t.call('POST', '/api/roles', { token: c.owner.token, body: { name: 'session_viewer', permissions: ['session.read'] } });
    expect(role.status).toBe(201);
    {
      const viewer = await staff(t, c.owner.orgId, c.owner.userId, 'session_viewer');
      const r = await t.call('GET', `/api/treatment-sessions/${id}`, { token: viewer, org: c.owner.orgId });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ clinical_notes: null, clinical_notes_hidden: true });
    }
  });
});
