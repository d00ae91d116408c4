/**
 * Screening enforced on POST /api/treatment-sessions: a critical contraindication refuses the
 * session (409 contraindicated, nothing stored) unless a caller holding contraindication.override
 * sends a reason; the override is a compliance exception (who, reason, alert keys) written in the
 * same transaction and audited. Warnings never block.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testVisage, type TestVisage } from '../../../test/helpers.js';
import { audited, joinAs, type Actor, type Staff } from '../identity/invitations.fixtures.js';
import { addPatient, addTreatment } from './consent-media.fixtures.js';

let t: TestVisage;
let owner: Actor;
let practitioner: Staff;
let assistant: Staff;
let frontDesk: Staff;

beforeAll(async () => {
  t = await testVisage({ config: { rateLimitPerMinute: 1_000_000 } });
  owner = await t.owner({ orgName: 'Override Clinic' });
  await addTreatment(t, owner.orgId, { code: 'BOT_MASSETER', name: '美國肉毒瘦小臉', ingredients: ['botulinum_toxin'] });
  await addTreatment(t, owner.orgId, { code: 'HA_LIDO', name: 'HA filler with lidocaine', ingredients: ['hyaluronic_acid', 'lidocaine'] });
  practitioner = await joinAs(t, owner, 'practitioner');
  frontDesk = await joinAs(t, owner, 'front_desk');
  // A custom role that records sessions and reads the chart, but may not override a contraindication.
  const role = await t.call('POST', '/api/roles', {
    token: owner.token, org: owner.orgId,
    body: { name: 'Injection assistant', permissions: ['org.read', 'patient.read', 'medical.read', 'session.read', 'session.write', 'consent.read'] },
  });
  expect(role.status, JSON.stringify(role.body)).toBe(201);
  assistant = await joinAs(t, owner, 'Injection assistant');
});
afterAll(async () => { await t?.close(); });

const call = (who: Actor, method: string, url: string, body?: unknown) => t.call(method, url, { token: who.token, org: who.orgId, body });
const inOrg = <R>(sql: string, params: unknown[] = []) => t.db.run({ scope: 'tenant', orgId: owner.orgId }, (tx) => tx.query<R>(sql, params));

const seedBody = (patientId: string, extra: Record<string, unknown> = {}) => ({
  patient_id: patientId, treatment_id: 'BOT_MASSETER', dosage_value: 40, dosage_unit: 'U',
  treatment_area: { left_masseter: 20, right_masseter: 20 }, clinical_notes: 'Normal injection, no bleeding', ...extra,
});

async function patientWith(answers: Record<string, unknown>, name = 'Lin Mei-Hua'): Promise<string> {
  const p = await addPatient(t, owner.orgId, name);
  const intake = await call(owner, 'POST', `/api/patients/${p.id}/intakes`, { kind: 'intake', answers });
  expect(intake.status).toBe(201);
  return p.id;
}

async function stored(patientId: string) {
  const [r] = await inOrg<{ sessions: number; followups: number; exceptions: number }>(
    `SELECT (SELECT count(*)::int FROM treatment_sessions WHERE patient_id = $1) AS sessions,
            (SELECT count(*)::int FROM followups WHERE patient_id = $1) AS followups,
            (SELECT count(*)::int FROM compliance_exceptions WHERE patient_id = $1) AS exceptions`, [patientId]);
  return r!;
}

describe('contraindication override on POST /api/treatment-sessions', () => {
  it('refuses a session with a critical alert (409 contraindicated, the alerts listed) and stores nothing', async () => {
    const patientId = await patientWith({ pregnant: 'yes', allergies: 'botox' });
    const res = await call(practitioner, 'POST', '/api/treatment-sessions', seedBody(patientId));
    expect(res.status).toBe(409);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.code).toBe('contraindicated');
    expect(res.body.detail).toContain('BOT_MASSETER');
    expect(res.body.errors.map((e: { key: string }) => e.key)).toEqual(['allergy:botulinum_toxin', 'pregnancy']);
    expect(res.body.errors.every((e: { pointer: string; severity: string }) => e.pointer === '/contraindication_override' && e.severity === 'critical')).toBe(true);
    // What the screening endpoint shows the same user, no more.
    const screening = await call(practitioner, 'GET', `/api/patients/${patientId}/screening?treatment_id=BOT_MASSETER`);
    expect(res.body.errors.map((e: { key: string; message: string }) => ({ key: e.key, message: e.message })))
      .toEqual(screening.body.alerts.map((a: { key: string; message: string }) => ({ key: a.key, message: a.message })));
    expect(await stored(patientId)).toMatchObject({ sessions: 0, followups: 0, exceptions: 0 });

    // A reason too short is bad input (422), not an override.
    const short = await call(practitioner, 'POST', '/api/treatment-sessions', seedBody(patientId, { contraindication_override: { reason: 'ok' } }));
    expect(short.status).toBe(422);
    expect(short.body.errors[0].pointer).toBe('/contraindication_override/reason');
    expect(await stored(patientId)).toMatchObject({ sessions: 0, exceptions: 0 });
  });

  it('records the session when a practitioner overrides with a reason: exception (who, reason, keys) in the worklist, audited', async () => {
    const patientId = await patientWith({ breastfeeding: true });
    const reason = 'Weaned last week; benefit discussed with the patient and obstetrician.';
    const { res, events } = await audited(t, owner.orgId, 'POST', '/api/treatment-sessions', {
      token: practitioner.token, org: owner.orgId, body: seedBody(patientId, { contraindication_override: { reason } }),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.session_no).toBe(1);
    expect(res.body.warnings.join(' ')).toMatch(/critical contraindication \(breastfeeding\).*compliance worklist/);

    const [exception] = await inOrg<{ id: string; kind: string; session_id: string; details: Record<string, unknown>; resolved_at: Date | null }>(
      'SELECT id, kind, session_id, details, resolved_at FROM compliance_exceptions WHERE patient_id = $1', [patientId]);
    expect(exception).toMatchObject({
      kind: 'contraindication_override', session_id: res.body.id, resolved_at: null,
      details: { alerts: ['breastfeeding'], reason, overridden_by: practitioner.userId, treatment_code: 'BOT_MASSETER' },
    });
    expect(events).toEqual(expect.arrayContaining([
      expect.objectContaining({ action: 'create', entity_type: 'treatment_session', entity_id: res.body.id }),
      expect.objectContaining({ action: 'contraindication_override', entity_type: 'treatment_session', entity_id: res.body.id }),
      expect.objectContaining({ action: 'create', entity_type: 'compliance_exception', entity_id: exception!.id }),
    ]));
    // The audit holds no reason and no flag (medical); the exception does.
    expect(JSON.stringify(events)).not.toContain('Weaned');
    expect(JSON.stringify(events)).not.toContain('breastfeeding');

    // The compliance worklist shows it with its session until resolved.
    const list = await call(practitioner, 'GET', `/api/compliance/exceptions?open=true&patient_id=${patientId}`);
    expect(list.body.items).toEqual([expect.objectContaining({
      id: exception!.id, kind: 'contraindication_override', open: true, details: expect.objectContaining({ reason }),
      session: expect.objectContaining({ id: res.body.id, treatment_code: 'BOT_MASSETER', recorded_by: practitioner.userId }),
    })]);
    // Who recorded (and so overrode) is named by the API, for any role that may read the worklist.
    const me = (await call(practitioner, 'GET', '/api/me')).body;
    expect(list.body.items[0].session.recorded_by_name).toBe(me.user?.full_name ?? me.full_name);
    const resolved = await call(owner, 'POST', `/api/compliance/exceptions/${exception!.id}/resolve`, { resolution: 'Reviewed by the medical director.' });
    expect(resolved.status).toBe(200);
    expect(resolved.body.resolved_by_name).toBe('Test Owner');
    expect((await call(practitioner, 'GET', `/api/compliance/exceptions?open=true&patient_id=${patientId}`)).body.items).toEqual([]);
  });

  it('refuses an override from a role without contraindication.override (403), storing nothing; the owner may', async () => {
    const patientId = await patientWith({ active_infection: 'yes' });
    // (No clinical notes: the assistant holds no medical.write.)
    const body = seedBody(patientId, { clinical_notes: undefined, contraindication_override: { reason: 'The infection is on the forehead, far from the masseter.' } });
    const denied = await call(assistant, 'POST', '/api/treatment-sessions', body);
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('override_not_permitted');
    const refused = await call(assistant, 'POST', '/api/treatment-sessions', seedBody(patientId, { clinical_notes: undefined }));
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('contraindicated');
    expect(await stored(patientId)).toMatchObject({ sessions: 0, followups: 0, exceptions: 0 });
    // Front desk may not record sessions at all.
    expect((await call(frontDesk, 'POST', '/api/treatment-sessions', body)).status).toBe(403);

    const roles = (await call(owner, 'GET', '/api/roles')).body.items as { name: string; permissions: string[] }[];
    const holders = roles.filter((r) => r.permissions.includes('contraindication.override')).map((r) => r.name).sort();
    expect(holders).toEqual(['manager', 'owner', 'practitioner']);
    const ok = await call(owner, 'POST', '/api/treatment-sessions', body);
    expect(ok.status).toBe(201);
    expect(await stored(patientId)).toMatchObject({ sessions: 1, exceptions: 1 });
  });

  it('does not show the alerts to a caller without medical.read', async () => {
    const role = await call(owner, 'POST', '/api/roles', { name: 'Session clerk', permissions: ['org.read', 'patient.read', 'session.read', 'session.write'] });
    expect(role.status).toBe(201);
    const clerk = await joinAs(t, owner, 'Session clerk');
    const patientId = await patientWith({ pregnant: true });
    const res = await call(clerk, 'POST', '/api/treatment-sessions', { patient_id: patientId, treatment_id: 'BOT_MASSETER', dosage_value: 40 });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('contraindicated');
    expect(res.body.errors).toBeUndefined();
    expect(res.body.detail).not.toContain('pregnan');
  });

  it('never blocks on warnings, nor without an intake; an override without a critical alert files nothing', async () => {
    // Anticoagulants against a hyaluronic-acid filler: a warning.
    const warned = await patientWith({ anticoagulants: 'yes', allergies: 'none' });
    const screening = await call(practitioner, 'GET', `/api/patients/${warned}/screening?treatment_id=HA_LIDO`);
    expect(screening.body.alerts).toEqual([expect.objectContaining({ key: 'anticoagulants', severity: 'warning' })]);
    const ha = await call(practitioner, 'POST', '/api/treatment-sessions', { patient_id: warned, treatment_id: 'HA_LIDO', dosage_value: 1, dosage_unit: 'cc' });
    expect(ha.status, JSON.stringify(ha.body)).toBe(201);
    expect(ha.body.warnings).toEqual([]);

    // A critical flag for another treatment (lidocaine allergy) does not stop botulinum toxin.
    const lido = await patientWith({ allergies: 'lignocaine' });
    expect((await call(practitioner, 'POST', '/api/treatment-sessions', seedBody(lido))).status).toBe(201);
    expect((await call(practitioner, 'POST', '/api/treatment-sessions', { patient_id: lido, treatment_id: 'HA_LIDO', dosage_value: 1, dosage_unit: 'cc' })).status).toBe(409);

    // No intake at all: the no_intake warning does not block (seed 000's examples).
    const none = await addPatient(t, owner.orgId, 'Amy Chen');
    const seed = await call(owner, 'POST', '/api/treatment-sessions', seedBody(none.id));
    expect(seed.status).toBe(201);
    expect(seed.body.warnings).toEqual([]);

    // A later intake that clears the flag clears the block.
    const cleared = await patientWith({ pregnant: 'yes' });
    expect((await call(practitioner, 'POST', '/api/treatment-sessions', seedBody(cleared))).status).toBe(409);
    expect((await call(practitioner, 'POST', `/api/patients/${cleared}/intakes`, { kind: 'intake', answers: { pregnant: 'no' } })).status).toBe(201);
    const after = await call(practitioner, 'POST', '/api/treatment-sessions', seedBody(cleared, { contraindication_override: { reason: 'Sent out of habit, nothing to override.' } }));
    expect(after.status).toBe(201);
    expect(await stored(cleared)).toMatchObject({ sessions: 1, exceptions: 0 });
  });
});
