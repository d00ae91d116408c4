import { z } from 'zod';
import type { ZApp } from '../../platform/http/app.js';
import type { Deps } from '../../platform/deps.js';
import type { Tx } from '../../platform/db/client.js';
import { decodeCursor, encodeCursor, page, pageOf, pageQuery } from '../../platform/http/pagination.js';
import { idempotent } from '../../platform/http/idempotency.js';
import { errors } from '../../platform/http/problem.js';
import { audit } from '../../platform/audit/audit.service.js';
import { origin, type Guard } from '../identity/index.js';
import { localDate, orgSettings } from '../clinical/index.js';
import { ACTIVITY_TYPES, AGE_GROUPS, LEAD_STATUSES, PROCEDURE_CODES, STAGE_KINDS } from './growth.schema.js';
import { createStage, deleteStage, listStages, reorderStages, updateStage, type StageRow } from './stages.service.js';
import { addLeadTag, createTag, deleteTag, findTag, listTags, removeLeadTag, updateTag, type TagRef, type TagRow } from './tags.service.js';
import {
  board, convertLead, createLead, deleteLead, getLead, leadDetail, LeadPatchBody, linkUser, listLeads, moveLead, NewLeadBody, SourceSlug, stageHistory,
  updateLead, type BoardCard, type LeadDetail, type LeadRow, type OpportunityRow, type StageHistoryRow,
} from './leads.service.js';
import { deleteOpportunity, findOpportunity, putOpportunity } from './opportunities.service.js';
import {
  ACTIVITY_PAYLOADS, deleteActivity, listActivities, liveLead, logActivity, SYSTEM_ACTIVITY_TYPES, type ActivityRow,
} from './activities.service.js';
import { EVENT_TYPE_RE, listJourneyEvents, recordJourneyEvent, type JourneyRow } from './journey.service.js';

const Uuid = z.string().uuid();
const Color = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'Use a colour as #rrggbb.');
const Name = z.string().trim().min(1).max(60);
const Instant = z.iso.datetime({ offset: true });
const DateStr = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Use a date as YYYY-MM-DD.').refine((d) => {
  const t = new Date(`${d}T00:00:00Z`);
  return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === d;
}, 'Not a calendar date.');
const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());
const num = (v: string | number | null): number | null => (v === null ? null : Number(v));
const SKEW_MS = 5 * 60_000;

/** An event time given by a client: not in the future (5 minutes of skew), not before the lead existed. */
function eventTime(value: string | undefined, now: Date, lead: { created_at: Date }, pointer: string): Date {
  if (value === undefined) return now;
  const at = new Date(value);
  if (at.getTime() > now.getTime() + SKEW_MS) throw errors.validation('That time is in the future.', [{ pointer, message: 'in the future' }]);
  if (at.getTime() < new Date(lead.created_at).getTime()) throw errors.validation('That time is before the lead was created.', [{ pointer, message: 'before the lead was created' }]);
  return at;
}

// ---- DTOs ----

const StageDto = z.object({
  id: z.string(), name: z.string(), position: z.number().int(), color: z.string(), kind: z.enum(STAGE_KINDS),
  lead_count: z.number().int().describe('Live leads in the stage'), created_at: z.string(), updated_at: z.string(),
});
const stageDto = (s: StageRow): z.infer<typeof StageDto> => ({
  id: s.id, name: s.name, position: s.position, color: s.color, kind: s.kind, lead_count: s.lead_count, created_at: iso(s.created_at)!, updated_at: iso(s.updated_at)!,
});
const NewStage = z.object({ name: Name, color: Color, kind: z.enum(STAGE_KINDS).optional().describe('What the stage means to the funnel (default open)') }).strict();
const StagePatch = z.object({ name: Name.optional(), color: Color.optional(), kind: z.enum(STAGE_KINDS).optional() }).strict();

const TagRefDto = z.object({ id: z.string(), name: z.string(), color: z.string() });
const tagRef = (t: TagRef): z.infer<typeof TagRefDto> => ({ id: t.id, name: t.name, color: t.color });
const TagDto = TagRefDto.extend({ lead_count: z.number().int(), created_at: z.string() });
const tagDto = (t: TagRow): z.infer<typeof TagDto> => ({ ...tagRef(t), lead_count: t.lead_count, created_at: iso(t.created_at)! });
const TagName = z.string().trim().min(1).max(60);

const ScoreFactorDto = z.object({ factor: z.string(), points: z.number(), max: z.number(), reason: z.string() });
const LeadDto = z.object({
  id: z.string(), external_id: z.string().nullable(), first_name: z.string().nullable(), email: z.string().nullable(), phone: z.string().nullable().describe('E.164'),
  source: z.string(), campaign_id: z.string().nullable(), campaign_name: z.string().nullable(), ad_platform: z.string().nullable(),
  stage_id: z.string(), stage_name: z.string(), stage_kind: z.enum(STAGE_KINDS), stage_color: z.string(), rank: z.string().describe('Order in the stage column'),
  status: z.enum(LEAD_STATUSES).describe('Follows the stage kind'), lead_score: z.number().int(), score: z.number().int(),
  score_factors: z.array(ScoreFactorDto).describe('Which factors gave which points'), scored_at: z.string().nullable(),
  assigned_user_id: z.string().nullable(), user_id: z.string().nullable(), patient_id: z.string().nullable().describe('The patient the lead became (an opaque id)'),
  country: z.string().nullable(), city: z.string().nullable(), age_group: z.enum(AGE_GROUPS).nullable(), timezone: z.string().nullable(),
  deal_value_minor: z.number().nullable(), currency: z.string(), linkedin_url: z.string().nullable(), x_handle: z.string().nullable(),
  instagram_handle: z.string().nullable(), facebook_profile: z.string().nullable(), tiktok_handle: z.string().nullable(), reddit_handle: z.string().nullable(),
  summary: z.string().nullable(), last_interaction_at: z.string().nullable(), contact_consent: z.boolean(), contact_consent_at: z.string().nullable(),
  contact_consent_source: z.string().nullable(), won_at: z.string().nullable(), lost_at: z.string().nullable(), lost_reason: z.string().nullable(),
  tags: z.array(TagRefDto), created_by: z.string().nullable(), created_at: z.string(), updated_at: z.string(),
});
const leadDto = (l: LeadRow): z.infer<typeof LeadDto> => ({
  id: l.id, external_id: l.external_id, first_name: l.first_name, email: l.email, phone: l.phone, source: l.source, campaign_id: l.campaign_id,
  campaign_name: l.campaign_name, ad_platform: l.ad_platform, stage_id: l.stage_id, stage_name: l.stage_name, stage_kind: l.stage_kind, stage_color: l.stage_color,
  rank: l.rank, status: l.status, lead_score: l.lead_score, score: l.lead_score,
  score_factors: Array.isArray(l.score_factors) ? l.score_factors.map((f) => ({ factor: String(f.factor), points: Number(f.points), max: Number(f.max), reason: String(f.reason ?? '') })) : [],
  scored_at: iso(l.scored_at), assigned_user_id: l.assigned_user_id, user_id: l.user_id, patient_id: l.patient_id, country: l.country, city: l.city,
  age_group: l.age_group, timezone: l.timezone, deal_value_minor: num(l.deal_value_minor), currency: l.currency, linkedin_url: l.linkedin_url,
  x_handle: l.x_handle, instagram_handle: l.instagram_handle, facebook_profile: l.facebook_profile, tiktok_handle: l.tiktok_handle,
  reddit_handle: l.reddit_handle, summary: l.summary, last_interaction_at: iso(l.last_interaction_at), contact_consent: l.contact_consent_at !== null,
  contact_consent_at: iso(l.contact_consent_at), contact_consent_source: l.contact_consent_source, won_at: iso(l.won_at), lost_at: iso(l.lost_at),
  lost_reason: l.lost_reason, tags: (l.tags ?? []).map(tagRef), created_by: l.created_by, created_at: iso(l.created_at)!, updated_at: iso(l.updated_at)!,
});

const OpportunityDto = z.object({
  id: z.string(), lead_id: z.string(), expected_value_minor: z.number(), currency: z.string(), procedure_code: z.enum(PROCEDURE_CODES),
  expected_date: z.string().nullable(), created_at: z.string(), updated_at: z.string(),
});
const opportunityDto = (o: OpportunityRow): z.infer<typeof OpportunityDto> => ({
  id: o.id, lead_id: o.lead_id, expected_value_minor: Number(o.expected_value_minor), currency: o.currency,
  procedure_code: o.procedure_code as (typeof PROCEDURE_CODES)[number], expected_date: o.expected_date, created_at: iso(o.created_at)!, updated_at: iso(o.updated_at)!,
});
const LeadDetailDto = LeadDto.extend({
  opportunity: OpportunityDto.nullable(),
  counts: z.object({ activities: z.number().int(), journey_events: z.number().int(), stage_changes: z.number().int(), kpi_events: z.number().int() }),
});
const leadDetailDto = (l: LeadDetail): z.infer<typeof LeadDetailDto> => ({ ...leadDto(l), opportunity: l.opportunity ? opportunityDto(l.opportunity) : null, counts: l.counts });

const CardDto = z.object({
  id: z.string(), first_name: z.string().nullable(), source: z.string(), campaign_id: z.string().nullable(), campaign_name: z.string().nullable(),
  status: z.enum(LEAD_STATUSES), score: z.number().int(), deal_value_minor: z.number().nullable(), currency: z.string(), rank: z.string(),
  last_interaction_at: z.string().nullable(), tags: z.array(TagRefDto),
});
const cardDto = (c: BoardCard): z.infer<typeof CardDto> => ({
  id: c.id, first_name: c.first_name, source: c.source, campaign_id: c.campaign_id, campaign_name: c.campaign_name, status: c.status, score: c.lead_score,
  deal_value_minor: num(c.deal_value_minor), currency: c.currency, rank: c.rank, last_interaction_at: iso(c.last_interaction_at), tags: (c.tags ?? []).map(tagRef),
});
const BoardDto = z.object({
  per_stage: z.number().int(),
  stages: z.array(z.object({
    id: z.string(), name: z.string(), position: z.number().int(), color: z.string(), kind: z.enum(STAGE_KINDS), count: z.number().int(),
    deal_value_minor: z.number().describe('Sum of the deal values of the stage\'s leads'), cards: z.array(CardDto),
    next_cursor: z.string().nullable().describe('More cards: GET /api/leads?stage_id=<id>&order=rank&cursor=<this>'),
  })),
});

const HistoryDto = z.object({
  id: z.string(), stage_id: z.string(), stage_name: z.string(), stage_kind: z.enum(STAGE_KINDS), from_stage_id: z.string().nullable(),
  from_stage_name: z.string().nullable(), changed_at: z.string(), changed_by: z.string().nullable(),
});
const historyDto = (h: StageHistoryRow): z.infer<typeof HistoryDto> => ({ ...h, changed_at: iso(h.changed_at)! });

const ActivityDto = z.object({
  id: z.string(), lead_id: z.string(), type: z.enum(ACTIVITY_TYPES), payload: z.record(z.string(), z.unknown()), actor_user_id: z.string().nullable(), created_at: z.string(),
});
const activityDto = (a: ActivityRow): z.infer<typeof ActivityDto> => ({ ...a, created_at: iso(a.created_at)! });
const At = Instant.optional().describe('When it happened (default now); not in the future, not before the lead was created');
const ActivityBody = z.discriminatedUnion('type', [
  z.object({ type: z.literal('sms_sent'), payload: ACTIVITY_PAYLOADS.sms_sent, occurred_at: At }).strict(),
  z.object({ type: z.literal('email_sent'), payload: ACTIVITY_PAYLOADS.email_sent, occurred_at: At }).strict(),
  z.object({ type: z.literal('call'), payload: ACTIVITY_PAYLOADS.call, occurred_at: At }).strict(),
  z.object({ type: z.literal('form_submit'), payload: ACTIVITY_PAYLOADS.form_submit, occurred_at: At }).strict(),
  z.object({ type: z.enum(SYSTEM_ACTIVITY_TYPES).describe('Written by the system only: refused'), payload: z.unknown().optional(), occurred_at: At }).strict(),
]);

const JourneyDto = z.object({
  id: z.string(), lead_id: z.string().nullable(), user_id: z.string().nullable(), patient_id: z.string().nullable(), event_type: z.string(),
  data: z.record(z.string(), z.unknown()), source: z.string().nullable(), session_id: z.string().nullable(), created_at: z.string(),
});
const journeyDto = (j: JourneyRow): z.infer<typeof JourneyDto> => ({ ...j, created_at: iso(j.created_at)! });
const NewJourneyEvent = z.object({
  event_type: z.string().regex(EVENT_TYPE_RE, 'Use a snake_case event type such as website_visit.'),
  data: z.record(z.string().max(100), z.unknown()).optional(), source: SourceSlug.optional(), session_id: z.string().trim().min(1).max(200).optional(), occurred_at: At,
}).strict();

const LeadsQuery = z.object({
  ...pageQuery,
  stage_id: Uuid.optional(), status: z.enum(LEAD_STATUSES).optional(), source: SourceSlug.optional(), campaign_id: Uuid.optional(),
  assigned_user_id: Uuid.optional(), tag: z.string().trim().min(1).max(60).optional().describe('Tag id or name'),
  q: z.string().trim().max(200).optional().describe('Searches first name, email and phone'),
  created_from: z.union([DateStr, Instant]).optional().describe('A date (the organization\'s calendar) or an instant'),
  created_to: z.union([DateStr, Instant]).optional().describe('A date (included) or an instant'),
  min_score: z.coerce.number().int().min(0).max(100).optional(),
  order: z.enum(['created', 'rank']).default('created').describe('created: newest first; rank: kanban order (with stage_id)'),
});

const LeadId = z.object({ id: Uuid });
const reply201 = <T>(out: { status: number; body: unknown }) => out as { status: 201; body: T };

export function leadRoutes(app: ZApp, deps: Deps, guard: Guard): void {
  const today = async (tx: Tx) => localDate(deps.now(), (await orgSettings(tx)).timezone);

  // ---- pipeline stages ----
  app.get('/api/pipeline-stages', {
    schema: { tags: ['growth'], summary: 'The pipeline stages in order (New, Contacted, Consult Booked, Won, Lost by default)', response: { 200: z.object({ items: z.array(StageDto) }) } },
  }, async (req) => guard(req, { permission: 'lead.read' }, async (tx) => ({ items: (await listStages(tx)).map(stageDto) })));

  app.post('/api/pipeline-stages', {
    schema: { tags: ['growth'], summary: 'Add a stage at the end of the pipeline (unique name)', body: NewStage, response: { 201: StageDto } },
  }, async (req, reply) => {
    const out = await guard(req, { permission: 'lead.write' }, (tx) => idempotent(tx, req, async () => ({ status: 201, body: stageDto(await createStage(tx, origin(req), req.body)) })));
    return reply.status(201).send(reply201<z.infer<typeof StageDto>>(out).body);
  });

  app.patch('/api/pipeline-stages/:id', {
    schema: { tags: ['growth'], summary: 'Rename or recolour a stage, or change its kind (while it holds no leads)', params: LeadId, body: StagePatch, response: { 200: StageDto } },
  }, async (req) => guard(req, { permission: 'lead.write' }, async (tx) => stageDto(await updateStage(tx, origin(req), req.params.id, req.body, deps.now()))));

  app.put('/api/pipeline-stages/order', {
    schema: {
      tags: ['growth'], summary: 'Reorder the pipeline: every stage id once, in the new order',
      body: z.object({ stage_ids: z.array(Uuid).min(1).max(100) }).strict(), response: { 200: z.object({ items: z.array(StageDto) }) },
    },
  }, async (req) => guard(req, { permission: 'lead.write' }, async (tx) => ({ items: (await reorderStages(tx, origin(req), req.body.stage_ids, deps.now())).map(stageDto) })));

  app.delete('/api/pipeline-stages/:id', {
    schema: { tags: ['growth'], summary: 'Delete a stage no lead is or ever was in (not the last new, won or lost stage)', params: LeadId, response: { 204: z.null() } },
  }, async (req, reply) => {
    await guard(req, { permission: 'lead.write' }, (tx) => deleteStage(tx, origin(req), req.params.id));
    return reply.status(204).send(null);
  });

  // ---- tags ----
  app.get('/api/tags', {
    schema: { tags: ['growth'], summary: 'Tags by name (procedure interest: Botox, Filler...)', querystring: z.object({ q: z.string().trim().max(60).optional() }), response: { 200: z.object({ items: z.array(TagDto) }) } },
  }, async (req) => guard(req, { permission: 'lead.read' }, async (tx) => ({ items: (await listTags(tx, req.query.q || undefined)).map(tagDto) })));

  app.post('/api/tags', {
    schema: { tags: ['growth'], summary: 'Add a tag (unique name, compared without case)', body: z.object({ name: TagName, color: Color.optional() }).strict(), response: { 201: TagDto } },
  }, async (req, reply) => {
    const out = await guard(req, { permission: 'lead.write' }, (tx) => idempotent(tx, req, async () => ({ status: 201, body: tagDto(await createTag(tx, origin(req), req.body)) })));
    return reply.status(201).send(reply201<z.infer<typeof TagDto>>(out).body);
  });

  app.patch('/api/tags/:id', {
    schema: { tags: ['growth'], summary: 'Rename or recolour a tag', params: LeadId, body: z.object({ name: TagName.optional(), color: Color.optional() }).strict(), response: { 200: TagDto } },
  }, async (req) => guard(req, { permission: 'lead.write' }, async (tx) => tagDto(await updateTag(tx, origin(req), req.params.id, req.body))));

  app.delete('/api/tags/:id', {
    schema: { tags: ['growth'], summary: 'Delete a tag and its links to leads', params: LeadId, response: { 204: z.null() } },
  }, async (req, reply) => {
    await guard(req, { permission: 'lead.write' }, (tx) => deleteTag(tx, origin(req), req.params.id));
    return reply.status(204).send(null);
  });

  app.get('/api/tags/:id', {
    schema: { tags: ['growth'], summary: 'A tag', params: LeadId, response: { 200: TagDto } },
  }, async (req) => guard(req, { permission: 'lead.read' }, async (tx) => {
    const t = await findTag(tx, req.params.id);
    if (!t) throw errors.notFound('tag');
    return tagDto(t);
  }));

  // ---- leads ----
  app.post('/api/leads', {
    schema: {
      tags: ['growth'], summary: 'Add a lead (first name and contact details only: no PHI); enters the first new stage unless stage_id says otherwise',
      body: NewLeadBody, response: { 201: LeadDto },
    },
  }, async (req, reply) => {
    const out = await guard(req, { permission: 'lead.write' }, (tx) => idempotent(tx, req, async () => ({ status: 201, body: leadDto(await createLead(tx, origin(req), req.body, deps.now())) })));
    return reply.status(201).send(reply201<z.infer<typeof LeadDto>>(out).body);
  });

  app.get('/api/leads', {
    schema: { tags: ['growth'], summary: 'Leads, newest first (or in kanban order within a stage), filtered', querystring: LeadsQuery, response: { 200: pageOf(LeadDto) } },
  }, async (req) => guard(req, { permission: 'lead.read' }, async (tx) => {
    const q = req.query;
    if (q.order === 'rank' && !q.stage_id) throw errors.badRequest('order=rank lists one stage column: give stage_id.', [{ pointer: '#query/stage_id', message: 'required with order=rank' }]);
    const cursor = q.order === 'rank' ? decodeCursor(q.cursor, z.object({ rank: z.string().max(400), id: Uuid })) : decodeCursor(q.cursor, z.object({ at: Instant, id: Uuid }));
    const rows = await listLeads(tx, {
      stageId: q.stage_id, status: q.status, source: q.source, campaignId: q.campaign_id, assignedUserId: q.assigned_user_id, tag: q.tag, q: q.q || undefined,
      createdFrom: q.created_from, createdTo: q.created_to, minScore: q.min_score, order: q.order, limit: q.limit, cursor,
    });
    await audit(tx, origin(req), { action: 'list', entityType: 'lead', details: { count: Math.min(rows.length, q.limit) } });
    return page(rows, q.limit, (l) => (q.order === 'rank' ? { rank: l.rank, id: l.id } : { at: iso(l.created_at), id: l.id }), leadDto);
  }));

  app.get('/api/leads/board', {
    schema: {
      tags: ['growth'], summary: 'The pipeline kanban: each stage with its count, deal value sum and first cards by rank',
      querystring: z.object({ campaign_id: Uuid.optional(), q: z.string().trim().max(200).optional(), per_stage: z.coerce.number().int().min(1).max(200).default(50) }),
      response: { 200: BoardDto },
    },
  }, async (req) => guard(req, { permission: 'lead.read' }, async (tx) => {
    const q = req.query;
    const cols = await board(tx, { campaignId: q.campaign_id, q: q.q || undefined, perStage: q.per_stage });
    await audit(tx, origin(req), { action: 'list', entityType: 'lead_board', details: { stages: cols.length } });
    return {
      per_stage: q.per_stage,
      stages: cols.map((c) => ({
        id: c.id, name: c.name, position: c.position, color: c.color, kind: c.kind, count: c.count, deal_value_minor: Number(c.deal_value_minor),
        cards: c.cards.map(cardDto), next_cursor: c.next_cursor ? encodeCursor(c.next_cursor) : null,
      })),
    };
  }));

  app.get('/api/leads/:id', {
    schema: { tags: ['growth'], summary: 'A lead with its tags, stage, opportunity, score explanation and counts', params: LeadId, response: { 200: LeadDetailDto } },
  }, async (req) => guard(req, { permission: 'lead.read' }, async (tx) => {
    const l = await leadDetail(tx, req.params.id);
    await audit(tx, origin(req), { action: 'read', entityType: 'lead', entityId: l.id });
    return leadDetailDto(l);
  }));

  app.patch('/api/leads/:id', {
    schema: { tags: ['growth'], summary: 'Change a lead (stage: POST /move; status follows the stage)', params: LeadId, body: LeadPatchBody, response: { 200: LeadDto } },
  }, async (req) => guard(req, { permission: 'lead.write' }, async (tx) => leadDto(await updateLead(tx, origin(req), req.params.id, req.body, deps.now()))));

  app.delete('/api/leads/:id', {
    schema: { tags: ['growth'], summary: 'Delete a lead (soft)', params: LeadId, response: { 204: z.null() } },
  }, async (req, reply) => {
    await guard(req, { permission: 'lead.write' }, (tx) => deleteLead(tx, origin(req), req.params.id, deps.now()));
    return reply.status(204).send(null);
  });

  // ---- lead tags ----
  const LeadTags = z.object({ tags: z.array(TagRefDto), tag: TagRefDto, added: z.boolean() });
  app.post('/api/leads/:id/tags', {
    schema: {
      tags: ['growth'], summary: 'Tag a lead by tag_id or by name (an unknown name creates the tag); again: 200, no change',
      params: LeadId,
      body: z.union([z.object({ tag_id: Uuid }).strict(), z.object({ name: TagName }).strict()]),
      response: { 200: LeadTags, 201: LeadTags },
    },
  }, async (req, reply) => {
    const out = await guard(req, { permission: 'lead.write' }, (tx) => idempotent(tx, req, async () => {
      const b = req.body as { tag_id?: string; name?: string };
      const r = await addLeadTag(tx, origin(req), req.params.id, { tagId: b.tag_id, name: b.name }, deps.now());
      return { status: r.added ? 201 : 200, body: { tags: r.tags.map(tagRef), tag: tagRef(r.tag), added: r.added } };
    }));
    return reply.status(out.status as 200 | 201).send(out.body as z.infer<typeof LeadTags>);
  });

  app.delete('/api/leads/:id/tags/:tagId', {
    schema: { tags: ['growth'], summary: 'Untag a lead', params: z.object({ id: Uuid, tagId: Uuid }), response: { 204: z.null() } },
  }, async (req, reply) => {
    await guard(req, { permission: 'lead.write' }, (tx) => removeLeadTag(tx, origin(req), req.params.id, req.params.tagId, deps.now()));
    return reply.status(204).send(null);
  });

  // ---- the kanban move and stage history ----
  app.post('/api/leads/:id/move', {
    schema: {
      tags: ['growth'], summary: 'Move a card: to a stage (history, stage_change activity, status) and/or between two cards of its column',
      params: LeadId,
      body: z.object({
        stage_id: Uuid,
        after_id: Uuid.optional().describe('The card that will be directly above (the moved card goes after it)'),
        before_id: Uuid.optional().describe('The card that will be directly below (the moved card goes before it)'),
        changed_at: Instant.optional().describe('When the stage changed (default now); not in the future, not before the lead was created'),
        lost_reason: z.string().trim().min(1).max(500).optional().describe('With a move to a lost stage'),
      }).strict(),
      response: { 200: LeadDto },
    },
  }, async (req) => guard(req, { permission: 'lead.write' }, async (tx) => {
    const b = req.body;
    return leadDto(await moveLead(tx, origin(req), req.params.id, {
      stageId: b.stage_id, afterId: b.after_id, beforeId: b.before_id, changedAt: b.changed_at ? new Date(b.changed_at) : undefined, lostReason: b.lost_reason,
    }, deps.now()));
  }));

  app.get('/api/leads/:id/stage-history', {
    schema: { tags: ['growth'], summary: 'Every stage the lead entered, oldest first', params: LeadId, response: { 200: z.object({ items: z.array(HistoryDto) }) } },
  }, async (req) => guard(req, { permission: 'lead.read' }, async (tx) => ({ items: (await stageHistory(tx, req.params.id)).map(historyDto) })));

  // ---- opportunity ----
  const OpportunityBody = z.object({
    expected_value_minor: z.number().int().positive().max(1e13), currency: z.string().regex(/^[A-Z]{3}$/).optional().describe('Default: the lead\'s currency'),
    procedure_code: z.enum(PROCEDURE_CODES), expected_date: DateStr.nullable().optional().describe('Not before today (the organization\'s calendar)'),
  }).strict();
  app.put('/api/leads/:id/opportunity', {
    schema: { tags: ['growth'], summary: 'Set the lead\'s opportunity (one per lead): expected value, procedure, expected date', params: LeadId, body: OpportunityBody, response: { 200: OpportunityDto, 201: OpportunityDto } },
  }, async (req, reply) => {
    const r = await guard(req, { permission: 'lead.write' }, async (tx) => putOpportunity(tx, origin(req), req.params.id, {
      expectedValueMinor: req.body.expected_value_minor, currency: req.body.currency, procedureCode: req.body.procedure_code, expectedDate: req.body.expected_date,
    }, await today(tx), deps.now()));
    return reply.status(r.created ? 201 : 200).send(opportunityDto(r.row));
  });

  app.get('/api/leads/:id/opportunity', {
    schema: { tags: ['growth'], summary: 'The lead\'s opportunity', params: LeadId, response: { 200: OpportunityDto } },
  }, async (req) => guard(req, { permission: 'lead.read' }, async (tx) => {
    const o = await findOpportunity(tx, req.params.id);
    if (!o) throw errors.notFound('opportunity');
    return opportunityDto(o);
  }));

  app.delete('/api/leads/:id/opportunity', {
    schema: { tags: ['growth'], summary: 'Remove the lead\'s opportunity', params: LeadId, response: { 204: z.null() } },
  }, async (req, reply) => {
    await guard(req, { permission: 'lead.write' }, (tx) => deleteOpportunity(tx, origin(req), req.params.id, deps.now()));
    return reply.status(204).send(null);
  });

  // ---- activities ----
  app.post('/api/leads/:id/activities', {
    schema: {
      tags: ['growth'], summary: 'Record an interaction (sms_sent, email_sent, call, form_submit); stage changes and tag additions are logged by the system',
      params: LeadId, body: ActivityBody, response: { 201: ActivityDto },
    },
  }, async (req, reply) => {
    const out = await guard(req, { permission: 'lead.write' }, (tx) => idempotent(tx, req, async () => {
      const b = req.body;
      if ((SYSTEM_ACTIVITY_TYPES as readonly string[]).includes(b.type)) {
        throw errors.validation(`${b.type} activities are written by the system when a lead changes stage or gets a tag.`, [{ pointer: '/type', message: 'system only' }]);
      }
      const lead = await liveLead(tx, req.params.id);
      const now = deps.now();
      const a = await logActivity(tx, origin(req), lead.id, b.type, b.payload as Record<string, unknown>, eventTime(b.occurred_at, now, lead, '/occurred_at'));
      return { status: 201, body: activityDto(a) };
    }));
    return reply.status(201).send(reply201<z.infer<typeof ActivityDto>>(out).body);
  });

  app.get('/api/leads/:id/activities', {
    schema: {
      tags: ['growth'], summary: 'The lead\'s activity timeline, newest first', params: LeadId,
      querystring: z.object({ ...pageQuery, type: z.enum(ACTIVITY_TYPES).optional() }), response: { 200: pageOf(ActivityDto) },
    },
  }, async (req) => guard(req, { permission: 'lead.read' }, async (tx) => {
    const q = req.query;
    const rows = await listActivities(tx, { leadId: req.params.id, type: q.type, limit: q.limit, cursor: decodeCursor(q.cursor, z.object({ at: Instant, id: Uuid })) });
    return page(rows, q.limit, (a) => ({ at: iso(a.created_at), id: a.id }), activityDto);
  }));

  app.delete('/api/leads/:id/activities/:activityId', {
    schema: { tags: ['growth'], summary: 'Delete an activity a user recorded (soft)', params: z.object({ id: Uuid, activityId: Uuid }), response: { 204: z.null() } },
  }, async (req, reply) => {
    await guard(req, { permission: 'lead.write' }, (tx) => deleteActivity(tx, origin(req), req.params.id, req.params.activityId, deps.now()));
    return reply.status(204).send(null);
  });

  // ---- journey events ----
  app.post('/api/leads/:id/journey-events', {
    schema: { tags: ['growth'], summary: 'Record a step of the lead\'s journey (website_visit, consultation_scheduled...)', params: LeadId, body: NewJourneyEvent, response: { 201: JourneyDto } },
  }, async (req, reply) => {
    const out = await guard(req, { permission: 'lead.write' }, (tx) => idempotent(tx, req, async () => {
      const b = req.body;
      const lead = await liveLead(tx, req.params.id);
      const now = deps.now();
      const j = await recordJourneyEvent(tx, {
        leadId: lead.id, eventType: b.event_type, data: b.data, source: b.source, sessionId: b.session_id, at: eventTime(b.occurred_at, now, lead, '/occurred_at'), now,
      });
      await audit(tx, origin(req), { action: 'create', entityType: 'journey_event', entityId: j.id, details: { lead_id: lead.id, event_type: j.event_type } });
      return { status: 201, body: journeyDto(j) };
    }));
    return reply.status(201).send(reply201<z.infer<typeof JourneyDto>>(out).body);
  });

  const JourneyQuery = { ...pageQuery, event_type: z.string().regex(EVENT_TYPE_RE).optional() };
  app.get('/api/leads/:id/journey-events', {
    schema: { tags: ['growth'], summary: 'The lead\'s journey, newest first', params: LeadId, querystring: z.object(JourneyQuery), response: { 200: pageOf(JourneyDto) } },
  }, async (req) => guard(req, { permission: 'lead.read' }, async (tx) => {
    const q = req.query;
    await getLead(tx, req.params.id);
    const rows = await listJourneyEvents(tx, { leadId: req.params.id, eventType: q.event_type, limit: q.limit, cursor: decodeCursor(q.cursor, z.object({ at: Instant, id: Uuid })) });
    return page(rows, q.limit, (j) => ({ at: iso(j.created_at), id: j.id }), journeyDto);
  }));

  app.get('/api/journey-events', {
    schema: {
      tags: ['growth'], summary: 'Journey events by browsing session (or lead), newest first',
      querystring: z.object({ ...JourneyQuery, session_id: z.string().trim().min(1).max(200).optional(), lead_id: Uuid.optional() }),
      response: { 200: pageOf(JourneyDto) },
    },
  }, async (req) => guard(req, { permission: 'lead.read' }, async (tx) => {
    const q = req.query;
    const rows = await listJourneyEvents(tx, {
      sessionId: q.session_id, leadId: q.lead_id, eventType: q.event_type, limit: q.limit, cursor: decodeCursor(q.cursor, z.object({ at: Instant, id: Uuid })),
    });
    return page(rows, q.limit, (j) => ({ at: iso(j.created_at), id: j.id }), journeyDto);
  }));

  // ---- identity links ----
  app.post('/api/leads/:id/link', {
    schema: {
      tags: ['growth'], summary: 'Link the lead to a user of the organization once identified (user_id null unlinks)',
      params: LeadId, body: z.object({ user_id: Uuid.nullable() }).strict(), response: { 200: LeadDto },
    },
  }, async (req) => guard(req, { permission: 'lead.write' }, async (tx) => leadDto(await linkUser(tx, origin(req), req.params.id, req.body.user_id, deps.now()))));

  app.post('/api/leads/:id/convert', {
    schema: {
      tags: ['growth'], summary: 'The lead became this patient: links it (by id only) and moves it to Won. Needs lead.write and patient.read',
      params: LeadId,
      body: z.object({ patient_id: Uuid, changed_at: Instant.optional().describe('When it was won (default now)') }).strict(),
      response: { 200: LeadDto },
    },
  }, async (req) => guard(req, { permission: 'lead.write' }, async (tx, p) => {
    // Naming a patient is a patient-record act: a growth-only role (marketer) cannot do it.
    if (!p.permissions.has('patient.read')) throw errors.forbidden('Converting a lead names a patient: it needs patient.read as well as lead.write.');
    return leadDto(await convertLead(tx, origin(req), req.params.id, req.body.patient_id, deps.now(), req.body.changed_at ? new Date(req.body.changed_at) : undefined));
  }));
}
