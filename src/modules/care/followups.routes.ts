import { z } from 'zod';
import type { ZApp } from '../../platform/http/app.js';
import type { Deps } from '../../platform/deps.js';
import { decodeCursor, encodeCursor, page, pageOf, pageQuery } from '../../platform/http/pagination.js';
import { idempotent } from '../../platform/http/idempotency.js';
import { errors } from '../../platform/http/problem.js';
import { audit } from '../../platform/audit/audit.service.js';
import { origin, type Guard, type Principal } from '../identity/index.js';
import { FOLLOWUP_STATUSES, FOLLOWUP_TYPES, REMINDER_CHANNELS } from './care.schema.js';
import {
  cancelFollowup, completeFollowup, createFollowup, deleteFollowup, findFollowup, listFollowups, recommend, updateFollowup, upcoming, worklist,
  type FollowupRow,
} from './followups.service.js';

const Uuid = z.string().uuid();
const DateOnly = z.iso.date().describe('YYYY-MM-DD');
const Ref = z.string().trim().min(1).max(64);

export const FollowupDto = z.object({
  followup_id: z.string(), id: z.string(), patient_id: z.string(), patient_name: z.string(), session_id: z.string().nullable(),
  treatment_id: z.string().nullable(), treatment: z.string().nullable().describe('The treatment\'s name (seed 000)'), treatment_code: z.string().nullable(),
  followup_type: z.enum(FOLLOWUP_TYPES), scheduled_date: z.string(), actual_date: z.string().nullable(), next_recommend_date: z.string().nullable(),
  notify_flag: z.boolean(), channel: z.enum(REMINDER_CHANNELS).nullable(), status: z.enum(FOLLOWUP_STATUSES), source: z.enum(['rule', 'manual', 'recommend']),
  reminder_due_at: z.string().nullable(), cancel_reason: z.string().nullable(), has_outcome_notes: z.boolean(),
  outcome_notes: z.string().nullable().optional().describe('Medical (PHI): present only for callers with medical.read, and audited'),
  created_at: z.string(), updated_at: z.string(),
});
type FollowupDto = z.infer<typeof FollowupDto>;

const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());

export const followupDto = (f: FollowupRow): FollowupDto => ({
  followup_id: f.id, id: f.id, patient_id: f.patient_id, patient_name: f.patient_name, session_id: f.session_id, treatment_id: f.treatment_id,
  treatment: f.treatment_name, treatment_code: f.treatment_code, followup_type: f.followup_type, scheduled_date: f.scheduled_date,
  actual_date: f.actual_date, next_recommend_date: f.next_recommend_date, notify_flag: f.notify_flag, channel: f.channel, status: f.status,
  source: f.source, reminder_due_at: iso(f.reminder_due_at), cancel_reason: f.cancel_reason, has_outcome_notes: f.has_outcome_notes,
  ...(f.outcome_notes !== undefined ? { outcome_notes: f.outcome_notes } : {}),
  created_at: iso(f.created_at)!, updated_at: iso(f.updated_at)!,
});

const CreateBody = z.object({
  patient_id: Uuid.optional().describe('Required unless session_id names the session'),
  session_id: Uuid.nullable().optional(),
  treatment_id: Ref.nullable().optional().describe('Id or code; default: the session\'s treatment'),
  followup_type: z.enum(FOLLOWUP_TYPES),
  scheduled_date: DateOnly,
  notify_flag: z.boolean().optional().describe('Send the patient a reminder (09:00 the day before, in the organization\'s time zone)'),
  channel: z.enum(REMINDER_CHANNELS).nullable().optional().describe('Default: the patient\'s email, else SMS to their phone'),
  next_recommend_date: DateOnly.nullable().optional(),
});

const RecommendBody = z.object({
  session_id: Uuid,
  next_recommend_date: DateOnly,
  followup_type: z.enum(FOLLOWUP_TYPES).optional().describe('Default maintenance'),
  notify_flag: z.boolean().optional().describe('Default true'),
  channel: z.enum(REMINDER_CHANNELS).nullable().optional(),
});

const PatchBody = z.object({
  followup_type: z.enum(FOLLOWUP_TYPES).optional(),
  scheduled_date: DateOnly.optional(),
  notify_flag: z.boolean().optional(),
  channel: z.enum(REMINDER_CHANNELS).nullable().optional(),
  next_recommend_date: DateOnly.nullable().optional(),
}).refine((b) => Object.values(b).some((v) => v !== undefined), 'Send at least one field to change.');

const CompleteBody = z.object({
  actual_date: DateOnly.optional().describe('Default: today in the organization\'s time zone'),
  outcome_notes: z.string().trim().max(10_000).nullable().optional().describe('Medical (PHI): needs medical.write'),
  next_recommend_date: DateOnly.nullable().optional(),
});

const ListQuery = z.object({
  days: z.coerce.number().int().min(0).max(366).optional()
    .describe('Seed 000: planned follow-ups from today to today + days (organization\'s time zone), answered as a plain array'),
  status: z.enum(FOLLOWUP_STATUSES).optional(),
  overdue: z.enum(['true', 'false']).optional().describe('true: planned follow-ups before today'),
  patient_id: Uuid.optional(),
  session_id: Uuid.optional(),
  followup_type: z.enum(FOLLOWUP_TYPES).optional(),
  from: DateOnly.optional(),
  to: DateOnly.optional(),
  q: z.string().trim().max(200).optional().describe('Patient name contains'),
  ...pageQuery,
});

const CursorShape = z.object({ d: DateOnly, id: Uuid });
const actor = (deps: Deps, p: Principal) => ({ userId: p.userId, now: deps.now() });

/** Seed 000 follow-ups: plan, list (upcoming window, worklist, filters), recommend re-treatment, complete, cancel. */
export function followupRoutes(app: ZApp, deps: Deps, guard: Guard) {
  app.post('/api/followups', {
    schema: { tags: ['followups'], summary: 'Plan a follow-up (seed 000)', body: CreateBody, response: { 201: FollowupDto } },
  }, async (req, reply) => {
    const out = await guard(req, { permission: 'followup.write' }, (tx, p) => idempotent(tx, req, async () =>
      ({ status: 201, body: followupDto(await createFollowup(tx, origin(req), actor(deps, p), req.body)) })));
    return reply.status(201).send(out.body as FollowupDto);
  });

  app.post('/api/followups/recommend', {
    schema: {
      tags: ['followups'], summary: 'Recommend a maintenance re-treatment for a session\'s patient (seed 000)', body: RecommendBody,
      response: { 201: FollowupDto.extend({ updated_followup_id: z.string().nullable().describe('The session\'s latest follow-up, which now carries next_recommend_date') }) },
    },
  }, async (req, reply) => {
    const out = await guard(req, { permission: 'followup.write' }, (tx, p) => idempotent(tx, req, async () => {
      const r = await recommend(tx, origin(req), actor(deps, p), req.body);
      return { status: 201, body: { ...followupDto(r.followup), updated_followup_id: r.updatedFollowupId } };
    }));
    return reply.status(201).send(out.body as FollowupDto & { updated_followup_id: string | null });
  });

  app.get('/api/followups', {
    schema: {
      tags: ['followups'],
      summary: 'Follow-ups. With ?days=N (seed 000): an array of the planned ones from today to today + N; otherwise {items, next_cursor}',
      querystring: ListQuery,
      response: { 200: z.union([z.array(FollowupDto), pageOf(FollowupDto)]) },
    },
  }, async (req, reply) => guard(req, { permission: 'followup.read' }, async (tx) => {
    const q = req.query;
    const cursor = decodeCursor(q.cursor, CursorShape);
    if (q.days !== undefined) {
      // The seed's shape is a plain array; a window larger than `limit` continues through the x-next-cursor header.
      const { rows } = await upcoming(tx, deps.now(), q.days, q.limit, cursor);
      const more = rows.length > q.limit;
      const items = rows.slice(0, q.limit);
      if (more) reply.header('x-next-cursor', encodeCursor({ d: items.at(-1)!.scheduled_date, id: items.at(-1)!.id }));
      await audit(tx, origin(req), { action: 'list', entityType: 'followup', details: { count: items.length, days: q.days } });
      return items.map(followupDto);
    }
    const rows = await listFollowups(tx, deps.now(), {
      status: q.status, overdue: q.overdue === 'true', patient_id: q.patient_id, session_id: q.session_id, followup_type: q.followup_type,
      from: q.from, to: q.to, q: q.q || undefined, limit: q.limit, cursor,
    });
    await audit(tx, origin(req), { action: 'list', entityType: 'followup', details: { count: Math.min(rows.length, q.limit), search: Boolean(q.q) } });
    return page(rows, q.limit, (f) => ({ d: f.scheduled_date, id: f.id }), followupDto);
  }));

  app.get('/api/followups/worklist', {
    schema: {
      tags: ['followups'], summary: 'The follow-up worklist in the organization\'s time zone: today, overdue, upcoming (next `days` days)',
      querystring: z.object({
        days: z.coerce.number().int().min(1).max(90).default(7),
        limit: z.coerce.number().int().min(1).max(200).default(50).describe('Per bucket'),
      }),
      response: { 200: z.object({ date: z.string(), today: z.array(FollowupDto), overdue: z.array(FollowupDto), upcoming: z.array(FollowupDto) }) },
    },
  }, async (req) => guard(req, { permission: 'followup.read' }, async (tx) => {
    const w = await worklist(tx, deps.now(), req.query.days, req.query.limit);
    await audit(tx, origin(req), { action: 'list', entityType: 'followup', details: { worklist: true, count: w.today.length + w.overdue.length + w.upcoming.length } });
    return { date: w.date, today: w.today.map(followupDto), overdue: w.overdue.map(followupDto), upcoming: w.upcoming.map(followupDto) };
  }));

  app.get('/api/followups/:id', {
    schema: { tags: ['followups'], summary: 'One follow-up (outcome notes for callers with medical.read)', params: z.object({ id: Uuid }), response: { 200: FollowupDto } },
  }, async (req) => guard(req, { permission: 'followup.read' }, async (tx, p) => {
    const withNotes = p.permissions.has('medical.read');
    const f = await findFollowup(tx, req.params.id, { withNotes });
    if (!f) throw errors.notFound('follow-up');
    await audit(tx, origin(req), { action: 'read', entityType: 'followup', entityId: f.id, details: withNotes ? { phi_fields: ['outcome_notes'] } : {} });
    return followupDto(f);
  }));

  app.patch('/api/followups/:id', {
    schema: { tags: ['followups'], summary: 'Reschedule or change a planned follow-up', params: z.object({ id: Uuid }), body: PatchBody, response: { 200: FollowupDto } },
  }, async (req) => guard(req, { permission: 'followup.write' }, async (tx, p) =>
    followupDto(await updateFollowup(tx, origin(req), actor(deps, p), req.params.id, req.body))));

  app.post('/api/followups/:id/complete', {
    schema: {
      tags: ['followups'], summary: 'Record that the follow-up took place: actual date, outcome, next recommended date',
      params: z.object({ id: Uuid }), body: CompleteBody, response: { 200: FollowupDto },
    },
  }, async (req) => guard(req, { permission: 'followup.write' }, async (tx, p) => {
    if (req.body.outcome_notes && !p.permissions.has('medical.write')) throw errors.forbidden('Outcome notes are medical: your role does not allow this (needs medical.write).');
    const f = await completeFollowup(tx, origin(req), actor(deps, p), req.params.id, req.body);
    if (!p.permissions.has('medical.read')) delete f.outcome_notes;
    return followupDto(f);
  }));

  app.post('/api/followups/:id/cancel', {
    schema: {
      tags: ['followups'], summary: 'Cancel a planned follow-up (kept on the chart)', params: z.object({ id: Uuid }),
      body: z.object({ reason: z.string().trim().max(500).nullable().optional() }).optional(), response: { 200: FollowupDto },
    },
  }, async (req) => guard(req, { permission: 'followup.write' }, async (tx, p) =>
    followupDto(await cancelFollowup(tx, origin(req), actor(deps, p), req.params.id, req.body?.reason ?? null))));

  app.delete('/api/followups/:id', {
    schema: { tags: ['followups'], summary: 'Delete a follow-up (soft delete)', params: z.object({ id: Uuid }), response: { 204: z.null() } },
  }, async (req, reply) => {
    await guard(req, { permission: 'followup.write' }, (tx, p) => deleteFollowup(tx, origin(req), actor(deps, p), req.params.id));
    return reply.status(204).send(null);
  });
}
