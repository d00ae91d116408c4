import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testVisage, type TestVisage } from '../../../test/helpers.js';
import { audited, joinAs } from '../identity/invitations.fixtures.js';
import { addPatient, addTreatment, asOrg, type Caller } from './consent-media.fixtures.js';

let t: TestVisage;
beforeAll(async () => { t = await testVisage(); });
afterAll(async () => { await t?.close(); });

const call = (who: Caller, method: string, url: string, body?: unknown) => t.call(method, url, { token: who.token, org: who.orgId, body });

async function clinic() {
  const owner = await t.owner();
  await addTreatment(t, owner.orgId, { code: 'BOT_MASSETER', name: '美國肉毒瘦小臉', ingredients: ['botulinum_toxin'] });
  await addTreatment(t, owner.orgId, { code: 'HA_LIDO', name: 'HA filler with lidocaine', ingredients: ['hyaluronic_acid', 'lidocaine'] });
  await addTreatment(t, owner.orgId, { code: 'HIFU', name: '海芙音波', category: 'Device', unit: 'shots', contraindications: ['pacemaker'] });
  const patient = await addPatient(t, owner.orgId);
  return { owner, patient };
}

const screening = async (who: Caller, patientId: string, treatment: string) =>
  (await call(who, 'GET', `/api/patients/${patientId}/screening?treatment_id=${treatment}`)).body;

describe('intakes', () => {
  it('stores answers encrypted, derives flags, and reads them back (audited)', async () => {
    const { owner, patient } = await clinic();
    const answers = { pregnant: 'yes', allergies: 'Lignocaine, penicillin', smoker: false, notes: 'Due in March' };
    const res = await call(owner, 'POST', `/api/patients/${patient.id}/intakes`, { kind: 'intake', answers });
    expect(res.status).toBe(201);
    expect(res.body.answers).toEqual(answers);
    expect(res.body.flags).toEqual(['allergy:lidocaine', 'allergy:penicillin', 'pregnancy']);

    const [raw] = await asOrg(t, owner.orgId, (q) => q<{ answers_enc: string; flags: string[] }>('SELECT answers_enc, flags FROM intakes WHERE id = $1', [res.body.id]));
    expect(raw!.answers_enc).toMatch(/^v1:[0-9a-f]{8}:/);
    for (const secret of ['Lignocaine', 'penicillin', 'March', 'pregnant']) expect(raw!.answers_enc).not.toContain(secret);

    const { res: read, events } = await audited(t, owner.orgId, 'GET', `/api/intakes/${res.body.id}`, { token: owner.token, org: owner.orgId });
    expect(read.body.answers).toEqual(answers);
    expect(events).toEqual([expect.objectContaining({ action: 'read', entity_type: 'intake', entity_id: res.body.id })]);
    expect(JSON.stringify(events)).not.toContain('March');
    const list = await audited(t, owner.orgId, 'GET', `/api/patients/${patient.id}/intakes`, { token: owner.token, org: owner.orgId });
    expect(list.res.body.items).toHaveLength(1);
    expect(list.events.map((e) => e.action)).toEqual(['list']);

    const bad = await call(owner, 'POST', `/api/patients/${patient.id}/intakes`, { kind: 'survey', answers: { x: { nested: true } } });
    expect(bad.status).toBe(422);
  });
});

describe('screening', () => {
  it('pregnancy against botulinum toxin is critical, and a hyaluronic-acid filler screens it too', async () => {
    const { owner, patient } = await clinic();
    expect((await screening(owner, patient.id, 'BOT_MASSETER')).alerts).toEqual([expect.objectContaining({ key: 'no_intake', severity: 'warning' })]);
    await call(owner, 'POST', `/api/patients/${patient.id}/intakes`, { answers: { pregnant: true, breastfeeding: false, anticoagulants: 'no' } });
    const botox = await screening(owner, patient.id, 'BOT_MASSETER');
    expect(botox.treatment_code).toBe('BOT_MASSETER');
    expect(botox.alerts).toEqual([{ key: 'pregnancy', severity: 'critical', message: expect.stringContaining('BOT_MASSETER') }]);
    expect((await screening(owner, patient.id, 'HA_LIDO')).alerts.map((a: { key: string }) => a.key)).toEqual(['pregnancy']);
  });

  it('an allergy to lidocaine is critical for a filler with lidocaine, not for botulinum toxin', async () => {
    const { owner, patient } = await clinic();
    await call(owner, 'POST', `/api/patients/${patient.id}/intakes`, { kind: 'contraindication', answers: { allergies: ['利多卡因'], keloid: true } });
    const filler = await screening(owner, patient.id, 'HA_LIDO');
    expect(filler.alerts).toEqual([{ key: 'allergy:lidocaine', severity: 'critical', message: expect.stringContaining('lidocaine') }]);
    expect((await screening(owner, patient.id, 'BOT_MASSETER')).alerts).toEqual([]);
    // A later intake of the same kind replaces the earlier answers.
    await call(owner, 'POST', `/api/patients/${patient.id}/intakes`, { kind: 'contraindication', answers: { allergies: 'none' } });
    expect((await screening(owner, patient.id, 'HA_LIDO')).alerts).toEqual([]);
    const unknown = await call(owner, 'GET', `/api/patients/${patient.id}/screening?treatment_id=NOPE`);
    expect(unknown.status).toBe(422);
  });
});

describe('skin analyses', () => {
  it('stores findings encrypted, checks the file, lists them', async () => {
    const { owner, patient } = await clinic();
    const findings = { hydration: 38, pigmentation: 'moderate melasma on both cheeks' };
    const res = await call(owner, 'POST', `/api/patients/${patient.id}/analyses`, { findings, skin_type: 'III' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ findings, skin_type: 'III', file_id: null });
    const [raw] = await asOrg(t, owner.orgId, (q) => q<{ findings_enc: string }>('SELECT findings_enc FROM skin_analyses WHERE id = $1', [res.body.id]));
    expect(raw!.findings_enc).not.toContain('melasma');
    const text = await call(owner, 'POST', `/api/patients/${patient.id}/analyses`, { findings: 'Fine lines around the eyes.' });
    expect(text.body.findings).toBe('Fine lines around the eyes.');
    const list = await call(owner, 'GET', `/api/patients/${patient.id}/analyses`);
    expect(list.body.items.map((a: { id: string }) => a.id).sort()).toEqual([res.body.id, text.body.id].sort());
    const noFile = await call(owner, 'POST', `/api/patients/${patient.id}/analyses`, { findings: 'x', file_id: crypto.randomUUID() });
    expect(noFile.status).toBe(422);
    expect(noFile.body.errors[0].pointer).toBe('/file_id');
  });
});

describe('access', () => {
  it('another organization gets 404, a marketer and front desk 403', async () => {
    const { owner, patient } = await clinic();
    const intake = await call(owner, 'POST', `/api/patients/${patient.id}/intakes`, { answers: { pregnant: true } });
    const analysis = await call(owner, 'POST', `/api/patients/${patient.id}/analyses`, { findings: 'x' });
    const other = await t.owner();
    await addTreatment(t, other.orgId, { code: 'BOT_MASSETER', ingredients: ['botulinum_toxin'] });
    for (const [method, url, body] of [
      ['GET', `/api/intakes/${intake.body.id}`], ['GET', `/api/analyses/${analysis.body.id}`], ['GET', `/api/patients/${patient.id}/intakes`],
      ['GET', `/api/patients/${patient.id}/screening?treatment_id=BOT_MASSETER`], ['POST', `/api/patients/${patient.id}/intakes`, { answers: {} }],
    ] as [string, string, unknown?][]) {
      expect((await call(other, method, url, body)).status, url).toBe(404);
    }
    for (const role of ['marketer', 'front_desk']) {
      const who = await joinAs(t, owner, role);
      for (const [method, url, body] of [
        ['GET', `/api/intakes/${intake.body.id}`], ['GET', `/api/patients/${patient.id}/intakes`], ['POST', `/api/patients/${patient.id}/intakes`, { answers: {} }],
        ['GET', `/api/patients/${patient.id}/screening?treatment_id=BOT_MASSETER`], ['GET', `/api/patients/${patient.id}/analyses`],
        ['POST', `/api/patients/${patient.id}/analyses`, { findings: 'x' }], ['GET', `/api/analyses/${analysis.body.id}`],
      ] as [string, string, unknown?][]) {
        expect((await call(who, method, url, body)).status, `${role} ${method} ${url}`).toBe(403);
      }
    }
  });
});
