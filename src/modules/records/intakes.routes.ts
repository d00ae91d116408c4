import { z } from 'zod';
import type { ZApp } from '../../platform/http/app.js';
import type { Deps } from '../../platform/deps.js';
import { byIdOrCode } from '../../platform/db/refs.js';
import { idempotent } from '../../platform/http/idempotency.js';
import { errors } from '../../platform/http/problem.js';
import { decodeCursor, page, pageOf, pageQuery } from '../../platform/http/pagination.js';
import { audit } from '../../platform/audit/audit.service.js';
import { origin, type Guard } from '../identity/index.js';
import { cipherOf, Instant, instant, iso, livePatient, Uuid } from './consent-media.shared.js';
import { TreatmentRef } from './consent-templates.routes.js';
import { SKIN_TYPES } from './records.schema.js';
import { amendIntake, createIntake, currentFlags, deleteIntake, getIntake, intakeHistory, listIntakes, type IntakeRow } from './intakes.service.js';
import { amendAnalysis, analysisHistory, createAnalysis, deleteAnalysis, getAnalysis, listAnalyses, type AnalysisRow } from './analyses.service.js';
import { screen } from './screening.js';

const AnswerKey = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'Use answer keys of letters, digits, _ . - (e.g. pregnant, allergies).');
const AnswerValue = z.union([
  z.string().max(2000), z.number().finite(), z.boolean(), z.null(),
  z.array(z.union([z.string().max(500), z.number().finite(), z.boolean()])).max(50),
]);
const Answers = z.record(AnswerKey, AnswerValue).refine((a) => Object.keys(a).length <= 200, 'At most 200 answers.');
const KIND = z.enum(['intake', 'contraindication']);

const IntakeDto = z.object({
  id: z.string(), patient_id: z.string(), kind: KIND, answers: Answers, flags: z.array(z.string()), completed_at: z.string(),
  created_by: z.string().nullable(), created_at: z.string(), amended_at: z.string().nullable().describe('The latest correction (PATCH), if any'),
});
const intakeDto = (i: IntakeRow): z.infer<typeof IntakeDto> => ({
  id: i.id, patient_id: i.patient_id, kind: i.kind, answers: i.answers, flags: i.flags, completed_at: iso(i.completed_at)!,
  created_by: i.created_by, created_at: iso(i.created_at)!, amended_at: iso(i.amended_at),
});

const Findings = z.union([z.string().trim().min(1).max(20_000), Answers]);
const AnalysisDto = z.object({
  id: z.string(), patient_id: z.string(), analyzed_at: z.string(), skin_type: z.enum(SKIN_TYPES).nullable(), findings: Findings,
  file_id: z.string().nullable(), created_by: z.string().nullable(), created_at: z.string(),
  amended_at: z.string().nullable().describe('The latest correction (PATCH), if any'),
});
const analysisDto = (a: AnalysisRow): z.infer<typeof AnalysisDto> => ({
  id: a.id, patient_id: a.patient_id, analyzed_at: iso(a.analyzed_at)!, skin_type: a.skin_type as (typeof SKIN_TYPES)[number] | null,
  findings: a.findings, file_id: a.file_id, created_by: a.created_by, created_at: iso(a.created_at)!, amended_at: iso(a.amended_at),
});

/** Why a medical record is corrected or removed: required, kept with the previous version and in the audit trail. */
const Reason = z.string({ error: (i) => (i.input === undefined ? 'Say why the record is corrected or removed.' : 'Expected text.') })
  .trim().min(3, 'Say why in at least 3 characters.').max(1000);

/** A correction or removal of an intake or analysis, with the version it replaced. */
const change = <T extends z.ZodType>(previous: T) => z.object({
  action: z.enum(['amend', 'delete']), changed_fields: z.array(z.string()), reason: z.string(), amended_by: z.string().nullable(),
  amended_by_name: z.string().nullable(), amended_at: z.string(), previous,
});
const IntakeHistoryDto = z.object({ items: z.array(change(z.object({ kind: z.string(), completed_at: z.string(), flags: z.array(z.string()), answers: z.unknown() }))) });
const AnalysisHistoryDto = z.object({
  items: z.array(change(z.object({ analyzed_at: z.string(), skin_type: z.string().nullable(), file_id: z.string().nullable(), findings: z.unknown() }))),
});
const withIso = <T extends { amended_at: Date }>(v: T) => ({ ...v, amended_at: v.amended_at.toISOString() });

const ScreeningDto = z.object({
  patient_id: z.string(), treatment_id: z.string(), treatment_code: z.string(), intake_ids: z.array(z.string()), screened_at: z.string(),
  alerts: z.array(z.object({ key: z.string(), severity: z.enum(['critical', 'warning']), message: z.string() })),
});

const Cursor = z.object({ at: z.string(), id: Uuid });
const Removal = z.object({ reason: Reason }, { error: 'Send {"reason": "…"}: removing a medical record needs a reason.' }).strict();

/** Seed 001 Intakes (questionnaire, contraindication form), screening before a session, and skin analyses. PHI: medical.*. */
export function intakeRoutes(app: ZApp, deps: Deps, guard: Guard) {
  const cipher = () => cipherOf(deps);

  app.post('/api/patients/:id/intakes', {
    schema: {
      tags: ['screening'], params: z.object({ id: Uuid }), response: { 201: IntakeDto },
      summary: 'Record an intake or contraindication form; answers are encrypted at rest and flags derived from them',
      description: 'Known answer keys: pregnant, breastfeeding, allergies (list or text), anticoagulants, keloid, active_infection, isotretinoin_6m, neuromuscular_disorder, autoimmune, diabetes, herpes_simplex, pacemaker, metal_implants, chemotherapy, epilepsy, photosensitizing_medication, recent_tan. Other keys are kept but raise no flag.',
      body: z.object({ kind: KIND.default('intake'), answers: Answers, completed_at: Instant.optional() }),
    },
  }, async (req, reply) => {
    const out = await guard(req, { permission: 'medical.write' }, (tx, p) => idempotent(tx, req, async () => {
      await livePatient(tx, req.params.id);
      const row = await createIntake(tx, origin(req), cipher(), {
        patientId: req.params.id, kind: req.body.kind, answers: req.body.answers, completedAt: instant(req.body.completed_at, deps.now()), userId: p.userId,
      });
      return { status: 201, body: intakeDto(row) };
    }));
    return reply.status(out.status as 201).send(out.body as z.infer<typeof IntakeDto>);
  });

  app.get('/api/patients/:id/intakes', {
    schema: {
      tags: ['screening'], summary: 'A patient\'s intakes, latest first (answers decrypted; audited)',
      params: z.object({ id: Uuid }), querystring: z.object({ ...pageQuery, kind: KIND.optional() }), response: { 200: pageOf(IntakeDto) },
    },
  }, async (req) => guard(req, { permission: 'medical.read' }, async (tx) => {
    await livePatient(tx, req.params.id);
    const q = req.query;
    const rows = await listIntakes(tx, cipher(), req.params.id, { kind: q.kind, limit: q.limit, cursor: decodeCursor(q.cursor, Cursor) });
    await audit(tx, origin(req), { action: 'list', entityType: 'intake', details: { patient_id: req.params.id, count: Math.min(rows.length, q.limit) } });
    return page(rows, q.limit, (i) => ({ at: iso(i.completed_at), id: i.id }), intakeDto);
  }));

  app.get('/api/intakes/:id', {
    schema: { tags: ['screening'], summary: 'An intake (answers decrypted; audited)', params: z.object({ id: Uuid }), response: { 200: IntakeDto } },
  }, async (req) => guard(req, { permission: 'medical.read' }, async (tx) => {
    const row = await getIntake(tx, cipher(), req.params.id);
    if (!row) throw errors.notFound('intake');
    await audit(tx, origin(req), { action: 'read', entityType: 'intake', entityId: row.id, details: { patient_id: row.patient_id } });
    return intakeDto(row);
  }));

  app.get('/api/intakes/:id/amendments', {
    schema: {
      tags: ['screening'], summary: 'An intake\'s corrections, newest first: who, when, why, which fields and the answers before (decrypted; audited)',
      params: z.object({ id: Uuid }), response: { 200: IntakeHistoryDto },
    },
  }, async (req) => guard(req, { permission: 'medical.read' }, async (tx) => {
    const row = await getIntake(tx, cipher(), req.params.id);
    if (!row) throw errors.notFound('intake');
    const items = await intakeHistory(tx, cipher(), row.id);
    await audit(tx, origin(req), { action: 'read', entityType: 'intake_history', entityId: row.id, details: { patient_id: row.patient_id, versions: items.length } });
    return { items: items.map(withIso) };
  }));

  app.patch('/api/intakes/:id', {
    schema: {
      tags: ['screening'], params: z.object({ id: Uuid }), response: { 200: IntakeDto },
      summary: 'Correct an intake: needs a reason; flags are derived again and the previous version is kept',
      description: '`answers` replaces the answers as a whole (send the corrected form). The version before (its ciphertext as stored) is kept with who, when and why; the audit names the changed fields, never their values. Screening follows the corrected flags at once.',
      body: z.object({ reason: Reason, kind: KIND.optional(), answers: Answers.optional(), completed_at: Instant.optional() }).strict(),
    },
  }, async (req) => guard(req, { permission: 'medical.write' }, async (tx) => {
    const b = req.body;
    const { intake } = await amendIntake(tx, origin(req), cipher(), req.params.id, {
      reason: b.reason, kind: b.kind, answers: b.answers, completedAt: b.completed_at === undefined ? undefined : instant(b.completed_at, deps.now()),
    }, deps.now());
    return intakeDto(intake);
  }));

  app.delete('/api/intakes/:id', {
    schema: {
      tags: ['screening'], params: z.object({ id: Uuid }), body: Removal, response: { 204: z.null() },
      summary: 'Remove an intake (soft: the record is retained); needs a reason. It no longer counts for screening',
    },
  }, async (req, reply) => {
    await guard(req, { permission: 'medical.write' }, (tx) => deleteIntake(tx, origin(req), req.params.id, req.body.reason, deps.now()));
    return reply.status(204).send(null);
  });

  app.get('/api/patients/:id/screening', {
    schema: {
      tags: ['screening'], params: z.object({ id: Uuid }), querystring: z.object({ treatment_id: TreatmentRef }), response: { 200: ScreeningDto },
      summary: 'Contraindication alerts for a treatment (id or code), from the flags of the patient\'s latest intakes',
      description: 'Checks the flags against the treatment\'s contraindications and ingredients (an allergy to an ingredient is critical), plus the contraindications its ingredients and category imply (see docs/consent-and-screening.md).',
    },
  }, async (req) => guard(req, { permission: 'medical.read' }, async (tx) => {
    await livePatient(tx, req.params.id);
    const t = await byIdOrCode<{ id: string; code: string; name: string; category: string; contraindications: string[]; ingredients: string[] }>(
      tx, 'treatments', 'id, code, name, category, contraindications, ingredients', req.query.treatment_id, '#query/treatment_id');
    const current = await currentFlags(tx, req.params.id);
    const alerts = screen(current?.flags ?? null, t);
    await audit(tx, origin(req), {
      action: 'read', entityType: 'screening', entityId: req.params.id,
      details: { treatment_id: t.id, alerts: alerts.length, critical: alerts.filter((a) => a.severity === 'critical').length },
    });
    return { patient_id: req.params.id, treatment_id: t.id, treatment_code: t.code, intake_ids: current?.intakeIds ?? [], screened_at: deps.now().toISOString(), alerts };
  }));

  app.post('/api/patients/:id/analyses', {
    schema: {
      tags: ['screening'], summary: 'Record a skin analysis (findings encrypted at rest; optional report or image file)',
      params: z.object({ id: Uuid }), response: { 201: AnalysisDto },
      body: z.object({
        findings: Findings, skin_type: z.enum(SKIN_TYPES).nullish(), analyzed_at: Instant.optional(),
        file_id: Uuid.nullish().describe('A file uploaded through POST /api/files'),
      }),
    },
  }, async (req, reply) => {
    const out = await guard(req, { permission: 'medical.write' }, (tx, p) => idempotent(tx, req, async () => {
      await livePatient(tx, req.params.id);
      const row = await createAnalysis(tx, origin(req), cipher(), {
        patientId: req.params.id, analyzedAt: instant(req.body.analyzed_at, deps.now()), skinType: req.body.skin_type ?? null, findings: req.body.findings,
        fileId: req.body.file_id ?? null, userId: p.userId,
      });
      return { status: 201, body: analysisDto(row) };
    }));
    return reply.status(out.status as 201).send(out.body as z.infer<typeof AnalysisDto>);
  });

  app.get('/api/patients/:id/analyses', {
    schema: {
      tags: ['screening'], summary: 'A patient\'s skin analyses, latest first (findings decrypted; audited)',
      params: z.object({ id: Uuid }), querystring: z.object(pageQuery), response: { 200: pageOf(AnalysisDto) },
    },
  }, async (req) => guard(req, { permission: 'medical.read' }, async (tx) => {
    await livePatient(tx, req.params.id);
    const q = req.query;
    const rows = await listAnalyses(tx, cipher(), req.params.id, { limit: q.limit, cursor: decodeCursor(q.cursor, Cursor) });
    await audit(tx, origin(req), { action: 'list', entityType: 'skin_analysis', details: { patient_id: req.params.id, count: Math.min(rows.length, q.limit) } });
    return page(rows, q.limit, (a) => ({ at: iso(a.analyzed_at), id: a.id }), analysisDto);
  }));

  app.get('/api/analyses/:id', {
    schema: { tags: ['screening'], summary: 'A skin analysis (findings decrypted; audited)', params: z.object({ id: Uuid }), response: { 200: AnalysisDto } },
  }, async (req) => guard(req, { permission: 'medical.read' }, async (tx) => {
    const row = await getAnalysis(tx, cipher(), req.params.id);
    if (!row) throw errors.notFound('skin analysis');
    await audit(tx, origin(req), { action: 'read', entityType: 'skin_analysis', entityId: row.id, details: { patient_id: row.patient_id } });
    return analysisDto(row);
  }));

  app.get('/api/analyses/:id/amendments', {
    schema: {
      tags: ['screening'], summary: 'A skin analysis\'s corrections, newest first: who, when, why, which fields and the findings before (decrypted; audited)',
      params: z.object({ id: Uuid }), response: { 200: AnalysisHistoryDto },
    },
  }, async (req) => guard(req, { permission: 'medical.read' }, async (tx) => {
    const row = await getAnalysis(tx, cipher(), req.params.id);
    if (!row) throw errors.notFound('skin analysis');
    const items = await analysisHistory(tx, cipher(), row.id);
    await audit(tx, origin(req), { action: 'read', entityType: 'skin_analysis_history', entityId: row.id, details: { patient_id: row.patient_id, versions: items.length } });
    return { items: items.map(withIso) };
  }));

  app.patch('/api/analyses/:id', {
    schema: {
      tags: ['screening'], params: z.object({ id: Uuid }), response: { 200: AnalysisDto },
      summary: 'Correct a skin analysis: needs a reason; the previous version is kept',
      description: '`findings` replaces the findings as a whole. The version before is kept with who, when and why; the audit names the changed fields, never their values.',
      body: z.object({
        reason: Reason, findings: Findings.optional(), skin_type: z.enum(SKIN_TYPES).nullable().optional(), analyzed_at: Instant.optional(),
        file_id: Uuid.nullable().optional().describe('A file uploaded through POST /api/files; null detaches it'),
      }).strict(),
    },
  }, async (req) => guard(req, { permission: 'medical.write' }, async (tx) => {
    const b = req.body;
    const { analysis } = await amendAnalysis(tx, origin(req), cipher(), req.params.id, {
      reason: b.reason, findings: b.findings, skinType: b.skin_type, fileId: b.file_id,
      analyzedAt: b.analyzed_at === undefined ? undefined : instant(b.analyzed_at, deps.now()),
    }, deps.now());
    return analysisDto(analysis);
  }));

  app.delete('/api/analyses/:id', {
    schema: {
      tags: ['screening'], params: z.object({ id: Uuid }), body: Removal, response: { 204: z.null() },
      summary: 'Remove a skin analysis (soft: the record and any file are retained); needs a reason',
    },
  }, async (req, reply) => {
    await guard(req, { permission: 'medical.write' }, (tx) => deleteAnalysis(tx, origin(req), req.params.id, req.body.reason, deps.now()));
    return reply.status(204).send(null);
  });
}
