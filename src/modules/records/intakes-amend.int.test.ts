import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testVisage, type TestVisage } from '../../../test/helpers.js';
import { audited, auditText, joinAs } from '../identity/invitations.fixtures.js';
import { addPatient, addTreatment, asOrg, type Caller } from './consent-media.fixtures.js';

let t: TestVisage;
beforeAll(async () => { t = await testVisage(); });
afterAll(async () => { await t?.close(); });

const call = (who: Caller, method: string, url: string, body?: unknown) => t.call(method, url, { token: who.token, org: who.orgId, body });

async function clinic() {
  const owner = await t.owner();
  await addTreatment(t, owner.orgId, { code: 'BOT_MASSETER', name: 'Botulinum toxin, masseter', ingredients: ['botulinum_toxin'] });
  await addTreatment(t, owner.orgId, { code: 'HA_LIDO', name: 'HA filler with lidocaine', ingredients: ['hyaluronic_acid', 'lidocaine'] });
  const patient = await addPatient(t, owner.orgId);
  return { owner, patient };
}

const alertKeys = async (who: Caller, patientId: string, treatment: string) =>
  ((await call(who, 'GET', `/api/patients/${patientId}/screening?treatment_id=${treatment}`)).body.alerts as { key: string }[]).map((a) => a.key);

interface Amendment { action: string; changed_fields: string[]; reason: string; amended_by: string | null; previous: Record<string, unknown> }
const amendments = (orgId: string, column: 'intake_id' | 'skin_analysis_id', id: string) => asOrg(t, orgId, (q) => q<Amendment>(
  `SELECT action, changed_fields, reason, amended_by, previous FROM record_amendments WHERE ${column} = $1 ORDER BY amended_at, action`, [id]));

describe('correcting an intake', () => {
  it('re-derives the flags, screening follows, the previous version is kept and the audit names fields only', async () => {
    const { owner, patient } = await clinic();
    const created = await call(owner, 'POST', `/api/patients/${patient.id}/intakes`, { answers: { pregnant: true, allergies: 'none', notes: 'Due in March' } });
    expect(created.body.flags).toEqual(['pregnancy']);
    expect(created.body.amended_at).toBeNull();
    expect(await alertKeys(owner, patient.id, 'BOT_MASSETER')).toEqual(['pregnancy']);
    expect(await alertKeys(owner, patient.id, 'HA_LIDO')).toEqual(['pregnancy']);

    const corrected = { pregnant: false, allergies: 'Lidocaine', notes: 'Due in March' };
    const { res, events } = await audited(t, owner.orgId, 'PATCH', `/api/intakes/${created.body.id}`,
      { token: owner.token, org: owner.orgId, body: { answers: corrected, reason: 'Patient misread the pregnancy question' } });
    expect(res.status).toBe(200);
    expect(res.body.answers).toEqual(corrected);
    expect(res.body.flags).toEqual(['allergy:lidocaine']);
    expect(res.body.amended_at).toEqual(expect.any(String));
    expect(events).toEqual([expect.objectContaining({
      action: 'amend', entity_type: 'intake', entity_id: created.body.id,
      details: expect.objectContaining({ fields: ['answers.allergies', 'answers.pregnant'], flags_changed: true }),
    })]);
    // Field names, never the answers; the reason (free text, may be medical) stays with the record's history.
    expect(JSON.stringify(events)).not.toMatch(/Lidocaine|March|misread/);
    expect((await amendments(owner.orgId, 'intake_id', created.body.id))[0]).toMatchObject({ action: 'amend', reason: 'Patient misread the pregnancy question' });
    expect(await auditText(t, owner.orgId)).not.toContain('Lidocaine');

    // Screening follows the corrected flags at once.
    expect(await alertKeys(owner, patient.id, 'BOT_MASSETER')).toEqual([]);
    expect(await alertKeys(owner, patient.id, 'HA_LIDO')).toEqual(['allergy:lidocaine']);
    expect((await call(owner, 'GET', `/api/intakes/${created.body.id}`)).body).toMatchObject({ answers: corrected, flags: ['allergy:lidocaine'] });

    // The earlier version is kept as it was stored: its ciphertext, still bound to the row.
    const [kept] = await amendments(owner.orgId, 'intake_id', created.body.id);
    expect(kept).toMatchObject({ action: 'amend', changed_fields: ['answers.allergies', 'answers.pregnant'], reason: 'Patient misread the pregnancy question' });
    expect(kept!.previous).toMatchObject({ kind: 'intake', flags: ['pregnancy'], answers_enc: expect.stringMatching(/^v1:/) });
    expect(JSON.stringify(kept!.previous)).not.toContain('March');
    const [now] = await asOrg(t, owner.orgId, (q) => q<{ answers_enc: string }>('SELECT answers_enc FROM intakes WHERE id = $1', [created.body.id]));
    expect(now!.answers_enc).not.toBe(kept!.previous.answers_enc);
    expect(now!.answers_enc).not.toContain('Lidocaine');

    // Only the kind changes: the flags stay, the amendment names the kind.
    const kind = await call(owner, 'PATCH', `/api/intakes/${created.body.id}`, { kind: 'contraindication', reason: 'Filed as the PMU form' });
    expect(kind.body).toMatchObject({ kind: 'contraindication', answers: corrected, flags: ['allergy:lidocaine'] });
    expect((await amendments(owner.orgId, 'intake_id', created.body.id)).map((a) => a.changed_fields)).toEqual([['answers.allergies', 'answers.pregnant'], ['kind']]);

    // The same answers again: nothing changes, nothing is kept.
    const same = await call(owner, 'PATCH', `/api/intakes/${created.body.id}`, { answers: corrected, reason: 'Checked again' });
    expect(same.status).toBe(200);
    expect(await amendments(owner.orgId, 'intake_id', created.body.id)).toHaveLength(2);

    // The history reads back newest first: who, when, why, which fields, and the answers before (decrypted), as an audited read.
    const history = await audited(t, owner.orgId, 'GET', `/api/intakes/${created.body.id}/amendments`, { token: owner.token, org: owner.orgId });
    expect(history.res.status).toBe(200);
    expect(history.res.body.items).toEqual([
      expect.objectContaining({ action: 'amend', changed_fields: ['kind'], reason: 'Filed as the PMU form', amended_by: owner.userId, amended_by_name: 'Test Owner',
        previous: expect.objectContaining({ kind: 'intake', answers: corrected, flags: ['allergy:lidocaine'] }) }),
      expect.objectContaining({ action: 'amend', changed_fields: ['answers.allergies', 'answers.pregnant'], reason: 'Patient misread the pregnancy question',
        previous: expect.objectContaining({ kind: 'intake', answers: { pregnant: true, allergies: 'none', notes: 'Due in March' }, flags: ['pregnancy'] }) }),
    ]);
    expect(history.events).toEqual([expect.objectContaining({ action: 'read', entity_type: 'intake_history', entity_id: created.body.id })]);
    expect(JSON.stringify(history.events)).not.toMatch(/March|misread/);
    // Medical: a front desk role may not read it; another organization's id is not found.
    const desk = await joinAs(t, owner, 'front_desk');
    expect((await t.call('GET', `/api/intakes/${created.body.id}/amendments`, { token: desk.token, org: owner.orgId })).status).toBe(403);
    const other = await t.owner();
    expect((await t.call('GET', `/api/intakes/${created.body.id}/amendments`, { token: other.token, org: other.orgId })).status).toBe(404);
  });

  it('needs a reason (422 on /reason) and answers in the usual shape', async () => {
    const { owner, patient } = await clinic();
    const created = await call(owner, 'POST', `/api/patients/${patient.id}/intakes`, { answers: { pregnant: true } });
    const url = `/api/intakes/${created.body.id}`;
    for (const body of [{ answers: { pregnant: false } }, { answers: { pregnant: false }, reason: '  ' }, { answers: { pregnant: false }, reason: 42 }]) {
      const res = await call(owner, 'PATCH', url, body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/reason']);
    }
    const bad = await call(owner, 'PATCH', url, { answers: { pregnant: { nested: true } }, reason: 'Typo' });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].pointer).toMatch(/^\/answers/);
    const future = await call(owner, 'PATCH', url, { completed_at: '2999-01-01T00:00:00Z', reason: 'Wrong date' });
    expect(future.status).toBe(422);
    expect(future.body.errors[0].pointer).toBe('/completed_at');
    // Nothing was corrected by the refused requests.
    expect((await call(owner, 'GET', url)).body).toMatchObject({ answers: { pregnant: true }, flags: ['pregnancy'], amended_at: null });
  });
});

describe('removing an intake', () => {
  it('is soft, needs a reason, leaves the list and GET, and no longer counts for screening', async () => {
    const { owner, patient } = await clinic();
    const older = await call(owner, 'POST', `/api/patients/${patient.id}/intakes`, { answers: { allergies: 'lidocaine' }, completed_at: '2026-01-05T10:00:00Z' });
    const latest = await call(owner, 'POST', `/api/patients/${patient.id}/intakes`, { answers: { pregnant: true }, completed_at: '2026-02-05T10:00:00Z' });
    expect(await alertKeys(owner, patient.id, 'HA_LIDO')).toEqual(['pregnancy']);

    const noReason = await call(owner, 'DELETE', `/api/intakes/${latest.body.id}`, {});
    expect(noReason.status).toBe(422);
    expect(noReason.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/reason']);

    const { res, events } = await audited(t, owner.orgId, 'DELETE', `/api/intakes/${latest.body.id}`,
      { token: owner.token, org: owner.orgId, body: { reason: 'Recorded for the wrong patient' } });
    expect(res.status).toBe(204);
    expect(events).toEqual([expect.objectContaining({
      action: 'delete', entity_type: 'intake', entity_id: latest.body.id,
    })]);
    expect(JSON.stringify(events)).not.toContain('wrong patient');
    expect((await amendments(owner.orgId, 'intake_id', latest.body.id))[0]).toMatchObject({ action: 'delete', reason: 'Recorded for the wrong patient' });
    expect((await call(owner, 'GET', `/api/intakes/${latest.body.id}`)).status).toBe(404);
    expect((await call(owner, 'GET', `/api/patients/${patient.id}/intakes`)).body.items.map((i: { id: string }) => i.id)).toEqual([older.body.id]);
    // The earlier intake is in force again; the removed one's pregnancy no longer flags.
    const screening = (await call(owner, 'GET', `/api/patients/${patient.id}/screening?treatment_id=HA_LIDO`)).body;
    expect(screening.intake_ids).toEqual([older.body.id]);
    expect(screening.alerts.map((a: { key: string }) => a.key)).toEqual(['allergy:lidocaine']);
    expect(await alertKeys(owner, patient.id, 'BOT_MASSETER')).toEqual([]);
    // Retained, with who, when and why.
    const [row] = await asOrg(t, owner.orgId, (q) => q<{ deleted_at: Date | null; answers_enc: string }>('SELECT deleted_at, answers_enc FROM intakes WHERE id = $1', [latest.body.id]));
    expect(row!.deleted_at).not.toBeNull();
    expect(await amendments(owner.orgId, 'intake_id', latest.body.id)).toEqual([
      expect.objectContaining({ action: 'delete', reason: 'Recorded for the wrong patient', amended_by: expect.any(String), changed_fields: ['deleted_at'] }),
    ]);
    // Gone is gone: no second removal, no correction.
    expect((await call(owner, 'DELETE', `/api/intakes/${latest.body.id}`, { reason: 'again' })).status).toBe(404);
    expect((await call(owner, 'PATCH', `/api/intakes/${latest.body.id}`, { answers: {}, reason: 'again' })).status).toBe(404);

    // With the last intake removed, screening says there is none.
    await call(owner, 'DELETE', `/api/intakes/${older.body.id}`, { reason: 'Duplicate form' });
    expect(await alertKeys(owner, patient.id, 'HA_LIDO')).toEqual(['no_intake']);
  });
});

describe('correcting and removing a skin analysis', () => {
  it('keeps the findings encrypted, the previous version and the reason; a removed one is gone', async () => {
    const { owner, patient } = await clinic();
    const created = await call(owner, 'POST', `/api/patients/${patient.id}/analyses`, { findings: { hydration_pct: 38, pigmentation: 'mild' }, skin_type: 'III' });
    const url = `/api/analyses/${created.body.id}`;
    expect((await call(owner, 'PATCH', url, { skin_type: 'IV' })).body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/reason']);

    const findings = { hydration_pct: 41, pigmentation: 'moderate melasma on both cheeks' };
    const { res, events } = await audited(t, owner.orgId, 'PATCH', url, { token: owner.token, org: owner.orgId, body: { findings, skin_type: 'IV', reason: 'Scanner recalibrated' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ findings, skin_type: 'IV', amended_at: expect.any(String) });
    expect(events).toEqual([expect.objectContaining({
      action: 'amend', entity_type: 'skin_analysis', details: expect.objectContaining({ fields: ['skin_type', 'findings.hydration_pct', 'findings.pigmentation'] }),
    })]);
    expect(JSON.stringify(events)).not.toMatch(/melasma|recalibrated/);
    const [raw] = await asOrg(t, owner.orgId, (q) => q<{ findings_enc: string }>('SELECT findings_enc FROM skin_analyses WHERE id = $1', [created.body.id]));
    expect(raw!.findings_enc).toMatch(/^v1:/);
    expect(raw!.findings_enc).not.toContain('melasma');
    const [kept] = await amendments(owner.orgId, 'skin_analysis_id', created.body.id);
    expect(kept!.previous).toMatchObject({ skin_type: 'III', findings_enc: expect.stringMatching(/^v1:/) });
    const history = (await call(owner, 'GET', `${url}/amendments`)).body.items;
    expect(history).toEqual([expect.objectContaining({ action: 'amend', reason: 'Scanner recalibrated', previous: expect.objectContaining({ skin_type: 'III' }) })]);
    expect(history[0].previous.findings).toEqual({ hydration_pct: 38, pigmentation: 'mild' });

    const noFile = await call(owner, 'PATCH', url, { file_id: crypto.randomUUID(), reason: 'Attach the report' });
    expect(noFile.status).toBe(422);
    expect(noFile.body.errors[0].pointer).toBe('/file_id');

    const bodiless = await call(owner, 'DELETE', url);
    expect(bodiless.status).toBe(422);
    expect(bodiless.body.errors[0].message).toContain('needs a reason');
    const del = await audited(t, owner.orgId, 'DELETE', url, { token: owner.token, org: owner.orgId, body: { reason: 'Another patient\'s scan' } });
    expect(del.res.status).toBe(204);
    expect(del.events).toEqual([expect.objectContaining({ action: 'delete', entity_type: 'skin_analysis', entity_id: created.body.id })]);
    expect((await call(owner, 'GET', url)).status).toBe(404);
    expect((await call(owner, 'GET', `/api/patients/${patient.id}/analyses`)).body.items).toEqual([]);
    expect((await amendments(owner.orgId, 'skin_analysis_id', created.body.id)).map((a) => a.action)).toEqual(['amend', 'delete']);
    // A removed analysis is gone, its history with it (404 like the record).
    expect((await call(owner, 'GET', `${url}/amendments`)).status).toBe(404);
  });
});

describe('access to corrections and removals', () => {
  it('another organization gets 404 like a missing id; a marketer and front desk 403; nothing changes', async () => {
    const { owner, patient } = await clinic();
    const intake = await call(owner, 'POST', `/api/patients/${patient.id}/intakes`, { answers: { pregnant: true } });
    const analysis = await call(owner, 'POST', `/api/patients/${patient.id}/analyses`, { findings: 'Fine lines' });
    const requests: [string, string, unknown][] = [
      ['PATCH', `/api/intakes/${intake.body.id}`, { answers: { pregnant: false }, reason: 'Not pregnant' }],
      ['DELETE', `/api/intakes/${intake.body.id}`, { reason: 'Wrong patient' }],
      ['PATCH', `/api/analyses/${analysis.body.id}`, { findings: 'None', reason: 'Wrong scan' }],
      ['DELETE', `/api/analyses/${analysis.body.id}`, { reason: 'Wrong patient' }],
    ];
    const other = await t.owner();
    for (const [method, url, body] of requests) {
      expect((await call(other, method, url, body)).status, `other org ${method} ${url}`).toBe(404);
      expect((await call(owner, method, url.replace(/[0-9a-f-]{36}$/, crypto.randomUUID()), body)).status, `missing ${method} ${url}`).toBe(404);
    }
    for (const role of ['marketer', 'front_desk']) {
      const who = await joinAs(t, owner, role);
      for (const [method, url, body] of requests) expect((await call(who, method, url, body)).status, `${role} ${method} ${url}`).toBe(403);
    }
    expect((await call(owner, 'GET', `/api/intakes/${intake.body.id}`)).body).toMatchObject({ answers: { pregnant: true }, amended_at: null });
    expect((await call(owner, 'GET', `/api/analyses/${analysis.body.id}`)).body).toMatchObject({ findings: 'Fine lines', amended_at: null });
    expect(await amendments(owner.orgId, 'intake_id', intake.body.id)).toEqual([]);
  });
});
