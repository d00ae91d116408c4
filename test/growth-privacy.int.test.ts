// The PHI canary (issue 4, part 10). Unique strings go into every medical and identifying field the
// chart's APIs accept; the patient becomes a converted, paying lead; every growth feature runs. None
// of the strings may reach a growth table, a growth response or export, or the server log, while
// the chart itself shows every one of them (so a leak would be seen). And growth input naming a
// medical field is refused before anything is stored.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes, randomInt } from 'node:crypto';
import { getTableName, is } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testVisage, uniqueEmail, type Res, type TestVisage } from './helpers.js';
import { operations } from './openapi.js';
import * as growthSchema from '../src/modules/growth/growth.schema.js';
import { signDelivery } from '../src/modules/growth/crm.service.js';
import { jpeg, signatureDataUrl, upload } from '../src/modules/records/consent-media.fixtures.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'visage-canary-'));
const logs: string[] = [];
let t: TestVisage;
let owner: { token: string; orgId: string; userId: string };

/** Every canary starts with this (random per run), so one case-insensitive search finds any of them, whole or in part. */
const TAG = `CANARY-${randomBytes(5).toString('hex')}`;
const canaries: string[] = [];
const C = (field: string): string => {
  const s = `${TAG}-${field}`;
  canaries.push(s);
  return s;
};
/** The patient's phone: its digits are a canary of their own (a phone carries no letters). */
const PHONE_DIGITS = `9${String(randomInt(10_000_000, 99_999_999))}`;
const PATIENT_EMAIL = `${TAG.toLowerCase()}-email@chart.visage.local`;

/** Where a canary shows up in `text` (case-insensitive), or null. */
function leakIn(text: string): string | null {
  const lower = text.toLowerCase();
  const i = lower.indexOf(TAG.toLowerCase());
  if (i >= 0) return text.slice(Math.max(0, i - 80), i + 80);
  const j = text.indexOf(PHONE_DIGITS);
  return j >= 0 ? text.slice(Math.max(0, j - 80), j + 80) : null;
}

const text = (r: Res) => (typeof r.body === 'string' ? r.body : JSON.stringify(r.body));
const call = (method: string, url: string, body?: unknown) => t.call(method, url, { token: owner.token, org: owner.orgId, body });
async function ok(method: string, url: string, body?: unknown, status = [200, 201]): Promise<Res> {
  const r = await call(method, url, body);
  if (!status.includes(r.status)) throw new Error(`${method} ${url} -> ${r.status} ${text(r).slice(0, 400)}`);
  return r;
}

/** Every growth answer of the test, to search. */
const growthAnswers: { what: string; body: string }[] = [];
async function growth(method: string, url: string, body?: unknown, status = [200, 201]): Promise<Res> {
  const r = await ok(method, url, body, status);
  growthAnswers.push({ what: `${method} ${url}`, body: text(r) });
  return r;
}
/** Every chart answer of the test: the positive control. */
const chartAnswers: string[] = [];
async function chart(method: string, url: string, body?: unknown): Promise<Res> {
  const r = await ok(method, url, body);
  chartAnswers.push(text(r));
  return r;
}

const GROWTH_TABLES = Object.values(growthSchema as Record<string, unknown>).filter((v): v is PgTable => is(v, PgTable)).map((tbl) => getTableName(tbl));

/** Every row of every growth table of the organization, as text (through the gate: RLS scopes it to the clinic). */
async function growthRows(): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  await t.db.run({ scope: 'tenant', orgId: owner.orgId, userId: owner.userId }, async (tx) => {
    for (const table of GROWTH_TABLES) {
      const rows = await tx.query<{ row: string }>(`SELECT t::text AS row FROM ${table} t WHERE t.org_id = visage_current_org()`);
      out.set(table, rows.map((r) => r.row));
    }
  });
  return out;
}

beforeAll(async () => {
  t = await testVisage({ config: { dataDir, rateLimitPerMinute: 10_000_000, logLevel: 'trace' }, logs });
  owner = await t.owner({ orgName: 'Canary Clinic' });
});
afterAll(async () => {
  await t?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

describe('the PHI canary', () => {
  it('no medical or identifying string of the chart reaches a growth table, a growth answer or export, or the log', async () => {
    expect(GROWTH_TABLES).toEqual(expect.arrayContaining(['campaigns', 'campaign_spend', 'pipeline_stages', 'tags', 'leads', 'lead_tags',
      'lead_stage_history', 'opportunities', 'activities', 'kpi_events', 'journey_events', 'commission_providers', 'commission_rules',
      'crm_integrations', 'crm_deliveries', 'growth_retention_runs', 'growth_funnel_daily']));

    // ---- the chart, as the owner: canaries in every free-text medical or identifying field ----
    await ok('POST', '/api/treatments', { code: 'BOT_CANARY', name: 'Botox masseter', category: 'Injection', default_unit: 'U', base_price_minor: 800_000, consent_required: true });
    await ok('POST', '/api/treatments', { code: 'LASER_CANARY', name: 'Pico laser', category: 'Laser', default_unit: 'shots', base_price_minor: 300_000, consent_required: true });
    await ok('POST', '/api/consent-templates', { treatment_id: 'BOT_CANARY', title: 'Botulinum toxin consent', body: 'Risks, alternatives and aftercare of botulinum toxin.' });
    await ok('POST', '/api/consent-templates', { treatment_id: 'LASER_CANARY', title: 'Laser consent', body: 'Risks of laser treatment.' });

    const patient = (await chart('POST', '/api/patients', {
      full_name: C('full_name'), gender: 'female', date_of_birth: '1987-03-14', phone: `+886 ${PHONE_DIGITS}`, email: PATIENT_EMAIL, skin_type: 'III',
      medical_history: C('medical_history'), allergy_notes: C('allergy_notes'), emergency_contact: C('emergency_contact'), notes: C('patient_notes'),
    })).body;
    const patientId: string = patient.id;
    await chart('PATCH', `/api/patients/${patientId}`, { notes: `${C('patient_notes_v2')} follow-up`, medical_history: C('medical_history_v2') });

    await chart('POST', `/api/patients/${patientId}/intakes`, {
      kind: 'intake',
      answers: {
        pregnant: false, allergies: [C('intake_allergy')], medications: C('intake_medications'), chief_complaint: C('chief_complaint'),
        medical_history: C('intake_medical_history'), notes: C('intake_notes'), [C('intake_answer_key')]: 'yes',
      },
    });
    await chart('POST', `/api/patients/${patientId}/intakes`, { kind: 'contraindication', answers: { anticoagulants: true, contraindications: C('contraindications') } });
    const scan = await upload(t, owner, 'scan', PDF, `${C('analysis_filename')}.pdf`, 'application/pdf');
    await chart('POST', `/api/patients/${patientId}/analyses`, { findings: C('skin_findings'), skin_type: 'IV', file_id: scan.id });
    await chart('POST', `/api/patients/${patientId}/analyses`, { findings: { texture: C('analysis_texture'), pigmentation: C('analysis_pigmentation') } });

    const consent = (await chart('POST', `/api/patients/${patientId}/consents`, { treatment_id: 'BOT_CANARY', signed_name: C('signed_name'), signature_png: await signatureDataUrl() })).body;

    const doc = await upload(t, owner, 'document', PDF, `${C('document_filename')}.pdf`, 'application/pdf');
    const document = (await chart('POST', `/api/patients/${patientId}/documents`, { type: 'OTHER', file_id: doc.id, notes: C('document_notes') })).body;
    await chart('PATCH', `/api/documents/${document.id}`, { notes: C('document_notes_v2') });

    const visit = (await chart('POST', '/api/visits', { patient_id: patientId, visit_type: 'consultation', notes: C('visit_notes') })).body;
    await chart('PATCH', `/api/visits/${visit.id}`, { notes: C('visit_notes_v2') });

    // ---- growth: a campaign's lead, a commission provider, the CRM link ----
    const campaign = (await growth('POST', '/api/campaigns', { name: 'Masseter Spring', platform: 'instagram', type: 'social_media', monthly_spend_minor: 1_500_000, status: 'active' })).body;
    const provider = (await growth('POST', '/api/commission-providers', { name: 'Injector Wu', role: 'injector' })).body;
    const rule = (await growth('POST', '/api/commission-rules', {
      provider_id: provider.id, name: 'Injector plan',
      rule: { version: 1, components: [{ type: 'percent_of_revenue', percent: 10 }, { type: 'flat_per_consult_shown', amount_minor: 5_000 }] },
    })).body;
    const lead = (await growth('POST', '/api/leads', {
      first_name: 'Grace', email: uniqueEmail('grace'), phone: '+886912000111', source: 'instagram', campaign_id: campaign.id, city: 'Taipei',
      age_group: '35-44', deal_value_minor: 800_000, contact_consent: true, contact_consent_source: 'instagram lead ad',
    })).body;
    const leadId: string = lead.id;
    const tag = (await growth('POST', `/api/leads/${leadId}/tags`, { name: 'Botox' })).body.tag;
    await growth('POST', `/api/leads/${leadId}/activities`, { type: 'sms_sent', payload: { template: 'welcome', body_preview: 'Hi Grace, thanks for your interest' } });
    await growth('POST', `/api/leads/${leadId}/activities`, { type: 'call', payload: { direction: 'outbound', duration_seconds: 240, outcome: 'answered' } });
    await growth('POST', `/api/leads/${leadId}/journey-events`, { event_type: 'website_visit', data: { page: '/botox' }, source: 'instagram', session_id: 'sess-1' });
    await growth('PUT', `/api/leads/${leadId}/opportunity`, { expected_value_minor: 800_000, procedure_code: 'BTX' });
    const stages = (await growth('GET', '/api/pipeline-stages')).body.items as { id: string; kind: string }[];
    await growth('POST', `/api/leads/${leadId}/move`, { stage_id: stages.find((s) => s.kind === 'contacted')!.id });
    await growth('POST', '/api/kpi-events', { lead_id: leadId, kind: 'consult_booked', metadata: { channel: 'phone' } });
    await growth('POST', '/api/kpi-events', { lead_id: leadId, kind: 'consult_show', provider_id: provider.id });

    // The lead becomes the patient (by id only), then the patient is treated and pays.
    await growth('POST', `/api/leads/${leadId}/convert`, { patient_id: patientId });
    const session = (await chart('POST', '/api/treatment-sessions', {
      patient_id: patientId, treatment_id: 'BOT_CANARY', visit_id: visit.id, dosage_value: 40, treatment_area: { left_masseter: 20, right_masseter: 20 },
      clinical_notes: C('clinical_notes'), immediate_reaction: C('immediate_reaction'), price_minor: 800_000,
    })).body;
    await chart('PATCH', `/api/treatment-sessions/${session.id}`, { reason: C('amendment_reason'), clinical_notes: C('clinical_notes_amended') });
    await chart('GET', `/api/treatment-sessions/${session.id}/amendments`);
    // A consent-requiring treatment without consent: the session is flagged and the exception resolved with a note.
    const laser = (await chart('POST', '/api/treatment-sessions', {
      patient_id: patientId, treatment_id: 'LASER_CANARY', dosage_value: 600, clinical_notes: C('laser_notes'), price_minor: 300_000,
    })).body;
    const exceptions = (await chart('GET', `/api/compliance/exceptions?patient_id=${patientId}`)).body.items as { id: string }[];
    expect(exceptions.length).toBeGreaterThan(0);
    await chart('POST', `/api/compliance/exceptions/${exceptions[0]!.id}/resolve`, { resolution: C('compliance_resolution') });

    const photoFile = await upload(t, owner, 'photo', await jpeg(640, 480), `${C('photo_filename')}.jpg`, 'image/jpeg');
    const photo = (await chart('POST', `/api/patients/${patientId}/photos`, { file_id: photoFile.id, session_id: session.id, media_type: 'before', angle: 'front', notes: C('photo_notes') })).body;
    await chart('PATCH', `/api/photos/${photo.id}`, { notes: C('photo_notes_v2') });

    const followup = (await chart('POST', '/api/followups', { session_id: laser.id, followup_type: 'medical', scheduled_date: session.performed_on })).body;
    await chart('POST', `/api/followups/${followup.id}/complete`, { outcome_notes: C('followup_outcome') });
    const second = (await chart('POST', '/api/followups', { session_id: session.id, followup_type: 'touch_up', scheduled_date: session.performed_on })).body;
    await chart('POST', `/api/followups/${second.id}/cancel`, { reason: C('followup_cancel_reason') });
    await chart('POST', `/api/consents/${consent.id}/withdraw`, { reason: C('withdrawal_reason') });

    // Staff search the chart by name, phone and email (values in the URL, which the request log records).
    const found = await chart('GET', `/api/patients?q=${encodeURIComponent(C('full_name'))}`);
    expect(found.body.items.map((p: { id: string }) => p.id)).toEqual([patientId]);
    await chart('GET', `/api/patients?q=${PHONE_DIGITS}`);
    await chart('GET', `/api/treatment-sessions?q=${encodeURIComponent(C('full_name'))}`);
    await chart('GET', `/api/followups?q=${encodeURIComponent(C('full_name'))}`);

    // ---- the positive control: the chart shows every canary (they were accepted and stored) ----
    for (const url of [`/api/patients/${patientId}`, `/api/patients/${patientId}/intakes`, `/api/patients/${patientId}/analyses`, `/api/patients/${patientId}/consents`,
      `/api/patients/${patientId}/documents`, `/api/patients/${patientId}/photos`, `/api/treatment-sessions/${session.id}`, `/api/treatment-sessions/${laser.id}`,
      `/api/treatment-sessions/${session.id}/amendments`, `/api/visits/${visit.id}`, `/api/followups?patient_id=${patientId}`, `/api/followups/${followup.id}`, `/api/compliance/exceptions?patient_id=${patientId}`,
      `/api/files/${scan.id}`, `/api/files/${doc.id}`, `/api/files/${photoFile.id}`]) await chart('GET', url);
    const chartText = chartAnswers.join('\n');
    expect(canaries.filter((c) => !chartText.includes(c))).toEqual([]);
    expect(chartText).toContain(PHONE_DIGITS);
    expect(chartText).toContain(PATIENT_EMAIL);

    // ---- every growth feature runs over the converted, paying lead ----
    const kpis = (await growth('GET', `/api/kpi-events?lead_id=${leadId}`)).body.items as { kind: string; value_minor: number | null; source_ref: string | null }[];
    // Attribution ran (the path from the chart to growth was exercised): both signed sessions are revenue of the lead.
    expect(kpis.filter((k) => k.kind === 'invoice_paid').map((k) => k.source_ref).sort()).toEqual([`session:${session.id}`, `session:${laser.id}`].sort());
    const crm = (await growth('PUT', '/api/crm-integrations/gohighlevel')).body;
    const raw = JSON.stringify({ delivery_id: 'd-1', type: 'contact.upsert', contact: { id: 'ghl-1', first_name: 'Hana', email: uniqueEmail('hana'), source: 'facebook', tags: ['Filler'] }, stage: 'New' });
    const delivery = await t.app.inject({
      method: 'POST', url: `/api/webhooks/gohighlevel/${owner.orgId}`, payload: raw,
      headers: { 'content-type': 'application/json', 'x-visage-signature': signDelivery(crm.secret, Math.floor(t.clock.now.getTime() / 1000), raw) },
    });
    expect(delivery.statusCode).toBe(200);
    growthAnswers.push({ what: 'webhook', body: delivery.body });
    await growth('PUT', `/api/campaigns/${campaign.id}/spend/${session.performed_on.slice(0, 7)}`, { amount_minor: 1_200_000 });
    await growth('POST', '/api/growth/rescore');
    await growth('POST', '/api/growth/retention/run');
    for (const g of ['campaign', 'source', 'platform', 'month', 'week', 'day']) {
      const f = await growth('GET', `/api/growth/funnel?group_by=${g}`);
      if (g === 'campaign') expect(f.body.totals.revenue_minor).toBe(1_100_000);
      const csv = await growth('GET', `/api/growth/exports/funnel.csv?group_by=${g}`);
      expect(csv.body).toMatch(/^key,label,leads,/);
    }
    const leadsCsv = await growth('GET', '/api/growth/exports/leads.csv');
    expect(leadsCsv.body).toContain(leadId);
    await growth('GET', '/api/growth/cohorts');
    await growth('GET', '/api/growth/revenue?group_by=source');
    const statement = await growth('GET', `/api/commission-statements/${provider.id}`);
    expect(statement.body.total_minor).toBeGreaterThan(0); // at least the consult shown
    await growth('POST', '/api/commission-rules/preview', { provider_id: provider.id, rule: rule.rule });

    // Every GET of the growth context, with this clinic's ids.
    const doc2 = (await call('GET', '/openapi.json')).body;
    const ids: Record<string, string> = {
      '/api/leads/{id}': leadId, '/api/campaigns/{id}': campaign.id, '/api/tags/{id}': tag.id, '/api/commission-providers/{id}': provider.id,
      '/api/commission-rules/{id}': rule.id, '/api/commission-statements/{providerId}': provider.id, '/api/kpi-events/{id}': (kpis[0] as unknown as { id: string }).id,
      '/api/pipeline-stages/{id}': stages[0]!.id,
    };
    const unreached: string[] = [];
    for (const op of operations(doc2)) {
      if (op.method !== 'GET' || !(doc2.paths[op.path].get.tags ?? []).includes('growth')) continue;
      const prefix = Object.keys(ids).find((p) => op.path === p || op.path.startsWith(`${p}/`));
      const url = op.path.replace(/\{(\w+)\}/g, () => (prefix ? ids[prefix]! : 'none'));
      if (url.includes('none')) { unreached.push(op.path); continue; }
      await growth('GET', url);
    }
    expect(unreached).toEqual([]);
    const board = growthAnswers.find((a) => a.what === 'GET /api/leads/board');
    expect(board?.body).toContain('Grace');

    // ---- (a) no growth row holds a canary ----
    const rows = await growthRows();
    const rowLeaks = [...rows].flatMap(([table, list]) => list.map((r) => leakIn(r)).filter(Boolean).map((l) => `${table}: ${l}`));
    expect(rowLeaks).toEqual([]);
    // Not vacuous: the rows are there, and the lead carries the patient's id (the only link).
    for (const table of ['campaigns', 'campaign_spend', 'pipeline_stages', 'tags', 'leads', 'lead_tags', 'lead_stage_history', 'opportunities', 'activities',
      'kpi_events', 'journey_events', 'commission_providers', 'commission_rules', 'crm_integrations', 'crm_deliveries', 'growth_retention_runs', 'growth_funnel_daily']) {
      expect(rows.get(table)?.length ?? 0, table).toBeGreaterThan(0);
    }
    expect(rows.get('leads')!.find((r) => r.includes(leadId))).toContain(patientId);

    // The audit trail holds field names and facts, never values: no event of the clinic (growth or chart) holds a canary value.
    // (The intake's answer key is a field name, which the audit may name.)
    const auditText = (await t.db.run({ scope: 'tenant', orgId: owner.orgId, userId: owner.userId }, (tx) =>
      tx.query<{ row: string }>('SELECT a::text AS row FROM audit_events a WHERE a.org_id = visage_current_org()'))).map((r) => r.row);
    expect(auditText.length).toBeGreaterThan(50);
    const values = [...canaries.filter((c) => !c.endsWith('-intake_answer_key')), PHONE_DIGITS, PATIENT_EMAIL];
    expect(values.filter((v) => auditText.some((r) => r.toLowerCase().includes(v.toLowerCase())))).toEqual([]);

    // ---- (b) no growth answer or export holds a canary ----
    expect(growthAnswers.length).toBeGreaterThan(40);
    expect(growthAnswers.map((a) => ({ what: a.what, leak: leakIn(a.body) })).filter((a) => a.leak)).toEqual([]);

    // ---- (c) the log holds none ----
    const log = logs.join('');
    expect(logs.length).toBeGreaterThan(100);
    expect(log).toContain(`/api/patients/${patientId}`); // the capture works: chart requests are logged (by URL, never by body)
    expect(log).toContain(`/api/leads/${leadId}`);
    expect(log).toContain('"url":"/api/patients?q"'); // searches are logged without their values
    expect(leakIn(log)).toBeNull();
  });

  it('growth input naming a medical or identifying field is refused 422 phi_not_allowed, at any depth, and stores nothing', async () => {
    const campaign = (await ok('POST', '/api/campaigns', { name: 'PHI probe', platform: 'facebook' })).body;
    const lead = (await ok('POST', '/api/leads', { first_name: 'Iris', email: uniqueEmail('iris'), source: 'facebook', campaign_id: campaign.id })).body;
    const before = await growthRows();
    const refused = async (method: string, url: string, body: unknown, pointer: string) => {
      const r = await call(method, url, body);
      expect(r.status, `${method} ${url} ${JSON.stringify(body)}`).toBe(422);
      expect(r.body.code).toBe('phi_not_allowed');
      expect(String(r.headers['content-type'])).toMatch(/^application\/problem\+json/);
      expect(r.body.errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
      // The refusal does not echo the value back.
      expect(JSON.stringify(r.body)).not.toContain('Penicillin');
    };
    const base = { first_name: 'Iris', email: uniqueEmail('iris'), source: 'facebook' };
    await refused('POST', '/api/leads', { ...base, last_name: 'Chen' }, '/last_name');
    await refused('POST', '/api/leads', { ...base, lastName: 'Chen' }, '/lastName');
    await refused('POST', '/api/leads', { ...base, medical_history: 'Penicillin allergy' }, '/medical_history');
    await refused('POST', '/api/leads', { ...base, diagnosis: 'Penicillin' }, '/diagnosis');
    await refused('POST', '/api/leads', { ...base, photo_url: 'https://x.test/a.jpg' }, '/photo_url');
    await refused('POST', '/api/leads', { ...base, consent_form: 'Penicillin' }, '/consent_form');
    await refused('PATCH', `/api/leads/${lead.id}`, { 'Last Name': 'Chen' }, '/Last Name');
    await refused('POST', `/api/leads/${lead.id}/activities`, { type: 'form_submit', payload: { form: 'contact', fields: { allergies: 'Penicillin' } } }, '/payload/fields/allergies');
    await refused('POST', '/api/kpi-events', { lead_id: lead.id, kind: 'consult_booked', metadata: { notes: { diagnosis: 'Penicillin' } } }, '/metadata/notes/diagnosis');
    await refused('POST', `/api/leads/${lead.id}/journey-events`, { event_type: 'form_view', data: { steps: [{ photo_url: 'Penicillin' }] } }, '/data/steps/0/photo_url');
    await refused('POST', '/api/commission-rules', { provider_id: lead.id, name: 'x', rule: { version: 1, medications: 'Penicillin' } }, '/rule/medications');
    const org = (await ok('GET', `/api/organizations/${owner.orgId}`)).body;
    const publicForm = await t.call('POST', `/api/public/orgs/${org.slug}/leads`, {
      body: { first_name: 'Iris', email: uniqueEmail('form'), contact_consent: true, form_started_at: Date.now() - 60_000, consent_form: 'signed', medical_history: 'Penicillin' },
    });
    expect(publicForm.status).toBe(422);
    expect(publicForm.body.code).toBe('phi_not_allowed');
    expect(publicForm.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/consent_form', '/medical_history']);

    const crm = (await ok('PUT', '/api/crm-integrations/gohighlevel')).body;
    const raw = JSON.stringify({ delivery_id: 'phi-1', type: 'contact.upsert', contact: { id: 'ghl-phi', first_name: 'Iris', last_name: 'Chen', customFields: { diagnosis: 'Penicillin' } } });
    const hook = await t.app.inject({
      method: 'POST', url: `/api/webhooks/gohighlevel/${owner.orgId}`, payload: raw,
      headers: { 'content-type': 'application/json', 'x-visage-signature': signDelivery(crm.secret, Math.floor(t.clock.now.getTime() / 1000), raw) },
    });
    expect(hook.statusCode).toBe(422);
    expect(hook.json().code).toBe('phi_not_allowed');

    // Nothing was stored by any refusal (the CRM secret rotation above is the one change).
    const after = await growthRows();
    const changed = GROWTH_TABLES.filter((table) => table !== 'crm_integrations' && (after.get(table)?.length ?? 0) !== (before.get(table)?.length ?? 0));
    expect(changed).toEqual([]);
    expect([...after.values()].flat().some((r) => r.includes('Penicillin') || r.includes('Chen'))).toBe(false);
  });
});
