import { z } from 'zod';
import type { Tx } from '../../platform/db/client.js';
import { newId } from '../../platform/crypto.js';
import { SqlFilter } from '../../platform/db/filter.js';
import { AppError, errors } from '../../platform/http/problem.js';
import { audit, type AuditOrigin } from '../../platform/audit/audit.service.js';
import { ACTIVITY_TYPES } from './growth.schema.js';
import { assertNoPhi } from './phi.js';
import { rescoreLead } from './scoring.js';

export type ActivityType = (typeof ACTIVITY_TYPES)[number];

/** Activity types a client may record; stage_change and tag_added are written by the system when they happen. */
export const CLIENT_ACTIVITY_TYPES = ['sms_sent', 'email_sent', 'call', 'form_submit'] as const;
export const SYSTEM_ACTIVITY_TYPES = ['stage_change', 'tag_added'] as const;
/** Types that count as an interaction with the lead (they move last_interaction_at). */
const INTERACTIONS = new Set<ActivityType>(CLIENT_ACTIVITY_TYPES);

const Short = (max: number) => z.string().trim().min(1).max(max);
const Id = z.string().uuid();

/** Seed 004 Activity payloads, one shape per type (no free-form text beyond short previews). */
export const ACTIVITY_PAYLOADS = {
  sms_sent: z.object({
    to: z.string().regex(/^\+[1-9][0-9]{6,14}$/, 'Use an E.164 number such as +886912345678.').optional(),
    template: Short(100).optional(),
    body_preview: z.string().max(160).optional().describe('At most one SMS segment'),
    provider_message_id: Short(200).optional(),
  }).strict(),
  email_sent: z.object({ subject: Short(300), template: Short(100).optional(), provider_message_id: Short(200).optional() }).strict(),
  call: z.object({
    direction: z.enum(['inbound', 'outbound']),
    duration_seconds: z.number().int().min(0).max(86_400),
    outcome: z.enum(['answered', 'no_answer', 'voicemail', 'busy', 'wrong_number']),
  }).strict(),
  form_submit: z.object({
    form: Short(100),
    page_url: z.url({ protocol: /^https?$/ }).max(2000).optional(),
    fields: z.record(z.string().min(1).max(60), z.string().max(500)).refine((r) => Object.keys(r).length <= 50, 'At most 50 fields.').optional(),
  }).strict(),
  stage_change: z.object({
    from_stage_id: Id.nullable(), from_stage: z.string().nullable(), to_stage_id: Id, to_stage: z.string(),
    lost_reason: z.string().max(500).optional(),
  }).strict(),
  tag_added: z.object({ tag_id: Id, tag: z.string() }).strict(),
} satisfies Record<ActivityType, z.ZodType>;

export type ActivityPayload<T extends ActivityType> = z.infer<(typeof ACTIVITY_PAYLOADS)[T]>;

export interface ActivityRow {
  id: string; lead_id: string; type: ActivityType; payload: Record<string, unknown>; actor_user_id: string | null; created_at: Date;
}

/** A live lead of the acting organization (its creation time bounds back-dated events). */
export async function liveLead(tx: Tx, leadId: string): Promise<{ id: string; created_at: Date }> {
  const [l] = await tx.query<{ id: string; created_at: Date }>(
    'SELECT id, created_at FROM leads WHERE org_id = visage_current_org() AND id = $1 AND deleted_at IS NULL', [leadId]);
  if (!l) throw errors.notFound('lead');
  return l;
}

/**
 * Records an activity on a lead: validates the payload for its type (422 with pointers under
 * /payload), refuses PHI in it, moves last_interaction_at for interactions, and rescores the lead
 * (unless the caller rescores once itself, e.g. after a stage move). The one path for intake,
 * the CRM webhook, the stage mover and the API.
 */
export async function logActivity<T extends ActivityType>(
  tx: Tx, origin: AuditOrigin | null, leadId: string, type: T, payload: ActivityPayload<T> | Record<string, unknown>, at: Date,
  opts: { rescore?: boolean; actorUserId?: string | null } = {},
): Promise<ActivityRow> {
  const schema = ACTIVITY_PAYLOADS[type] as z.ZodType | undefined;
  if (!schema) throw errors.validation(`Unknown activity type ${String(type)}.`, [{ pointer: '/type', message: 'unknown type' }]);
  assertNoPhi(payload, '/payload');
  const parsed = schema.safeParse(payload);
  if (!parsed.success) {
    throw errors.validation(`The payload does not fit a ${type} activity.`,
      parsed.error.issues.map((i) => ({ pointer: `/payload${i.path.length ? `/${i.path.map(String).join('/')}` : ''}`, message: i.message })));
  }
  await liveLead(tx, leadId);
  const id = newId();
  const actor = opts.actorUserId !== undefined ? opts.actorUserId : (tx.ctx.userId ?? null);
  const [row] = await tx.query<ActivityRow>(
    `INSERT INTO activities (id, org_id, lead_id, type, payload, actor_user_id, created_at)
     VALUES ($1, visage_current_org(), $2, $3, $4::jsonb, $5, $6)
     RETURNING id, lead_id, type, payload, actor_user_id, created_at`,
    [id, leadId, type, JSON.stringify(parsed.data), actor, at]);
  if (INTERACTIONS.has(type)) {
    await tx.query(
      `UPDATE leads SET last_interaction_at = GREATEST(COALESCE(last_interaction_at, $2), $2)
        WHERE org_id = visage_current_org() AND id = $1`, [leadId, at]);
  }
  if (opts.rescore ?? true) await rescoreLead(tx, leadId, at);
  await audit(tx, origin ?? {}, { action: 'create', entityType: 'activity', entityId: id, details: { lead_id: leadId, type } });
  return row!;
}

export interface ActivityFilter { leadId: string; type?: ActivityType; limit: number; cursor: { at: string; id: string } | null }

/** The lead's timeline, newest first. */
export async function listActivities(tx: Tx, f: ActivityFilter): Promise<ActivityRow[]> {
  await liveLead(tx, f.leadId);
  const w = new SqlFilter('a.org_id = visage_current_org()', 'a.deleted_at IS NULL').when('a.lead_id = ?', f.leadId).when('a.type = ?', f.type)
    .before(['a.created_at', 'a.id'], f.cursor, 'activities');
  return tx.query<ActivityRow>(
    `SELECT a.id, a.lead_id, a.type, a.payload, a.actor_user_id, a.created_at FROM activities a
      WHERE ${w.where} ORDER BY a.created_at DESC, a.id DESC LIMIT ${w.param(f.limit + 1)}`, w.params);
}

/** Soft delete of an activity a client recorded; the system's stage changes and tag additions stay. */
export async function deleteActivity(tx: Tx, origin: AuditOrigin, leadId: string, activityId: string, now: Date): Promise<void> {
  await liveLead(tx, leadId);
  const [a] = await tx.query<{ type: ActivityType }>(
    'SELECT type FROM activities WHERE org_id = visage_current_org() AND lead_id = $1 AND id = $2 AND deleted_at IS NULL', [leadId, activityId]);
  if (!a) throw errors.notFound('activity');
  if ((SYSTEM_ACTIVITY_TYPES as readonly string[]).includes(a.type)) {
    throw new AppError(409, 'system_activity', `A ${a.type} activity is the system's record of what happened to the lead; it cannot be deleted.`);
  }
  await tx.query('UPDATE activities SET deleted_at = $3 WHERE org_id = visage_current_org() AND lead_id = $1 AND id = $2', [leadId, activityId, now]);
  if (INTERACTIONS.has(a.type)) {
    await tx.query(
      `UPDATE leads l SET last_interaction_at = (SELECT max(a.created_at) FROM activities a
          WHERE a.org_id = l.org_id AND a.lead_id = l.id AND a.deleted_at IS NULL AND a.type = ANY($2::text[]))
        WHERE l.org_id = visage_current_org() AND l.id = $1`, [leadId, [...INTERACTIONS]]);
  }
  await rescoreLead(tx, leadId, now);
  await audit(tx, origin, { action: 'delete', entityType: 'activity', entityId: activityId, details: { lead_id: leadId, type: a.type } });
}
