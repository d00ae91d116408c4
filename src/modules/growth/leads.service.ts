import { z } from 'zod';
import type { Tx } from '../../platform/db/client.js';
import { newId } from '../../platform/crypto.js';
import { SqlFilter, likePattern } from '../../platform/db/filter.js';
import { AppError, errors } from '../../platform/http/problem.js';
import { audit, type AuditOrigin } from '../../platform/audit/audit.service.js';
import { AGE_GROUPS, LEAD_STATUSES } from './growth.schema.js';
import { toE164 } from './phone.js';
import { ensureDefaultStages, firstStageOfKind, STATUS_OF_KIND, type LeadStatus, type StageKind } from './stages.service.js';
import { compareRank, freshRanks, placeRank, rankAfter } from './kanban.js';
import { logActivity } from './activities.service.js';
import { rescoreLead, type ScoreFactor } from './scoring.js';
import { attributeLeadHistory } from './attribution.js';
import type { TagRef } from './tags.service.js';
import { orgSettings } from '../clinical/index.js';

// ---- field rules shared by the API and the other ways a lead arrives (intake, CRM sync) ----

const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
const NOT_COUNTRIES = new Set(['EU', 'EZ', 'UN', 'ZZ', 'QO']);

function knownCountry(c: string): boolean {
  // Zod runs this even when the regex failed; DisplayNames throws on a malformed code.
  if (!/^[A-Z]{2}$/.test(c) || NOT_COUNTRIES.has(c)) return false;
  try {
    return (regionNames.of(c) ?? 'Unknown Region') !== 'Unknown Region';
  } catch {
    return false;
  }
}

/** ISO 3166-1 alpha-2, upper-cased (tw -> TW). */
export const CountryCode = z.string().trim().toUpperCase().regex(/^[A-Z]{2}$/, 'Use an ISO 3166 two-letter country code such as TW.')
  .refine(knownCountry, 'Not a known country code.');

/** An IANA time zone as the runtime knows it, in its canonical spelling. */
export const TimeZone = z.string().trim().min(1).max(64).transform((tz, ctx) => {
  try {
    return new Intl.DateTimeFormat('en', { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'Use an IANA time zone such as Asia/Taipei.' });
    return z.NEVER;
  }
});

/** Where a lead came from, as a lower-case slug: facebook, google, referral, website, instagram, tiktok, walk_in, whatsapp... */
export const SourceSlug = z.string().trim().toLowerCase().regex(/^[a-z][a-z0-9_]{1,39}$/, 'Use a lower-case slug such as facebook, google_ads or walk_in.');
const Handle = z.string().trim().min(1).max(100);
const Currency = z.string().regex(/^[A-Z]{3}$/, 'Use an ISO 4217 code such as TWD.');

/** The lead fields a client writes (snake_case, as in the API). */
export const LeadFields = {
  external_id: z.string().trim().min(1).max(200).describe('The external CRM contact id (GoHighLevel); unique in the organization'),
  first_name: z.string().trim().min(1).max(100).describe('First name only: growth data never holds a last name'),
  email: z.string().trim().toLowerCase().email().max(254),
  phone: z.string().trim().min(3).max(40).describe('Stored as E.164; a number without + is read in the lead\'s (else the organization\'s) country'),
  source: SourceSlug,
  campaign_id: z.string().uuid(),
  ad_platform: SourceSlug.describe('Defaults to the campaign\'s platform'),
  assigned_user_id: z.string().uuid().describe('An active member of the organization'),
  country: CountryCode,
  city: z.string().trim().min(1).max(100),
  age_group: z.enum(AGE_GROUPS),
  timezone: TimeZone,
  deal_value_minor: z.number().int().min(0).max(1e13),
  currency: Currency,
  linkedin_url: z.url({ protocol: /^https$/, hostname: /(^|\.)linkedin\.com$/i }).max(300),
  x_handle: Handle,
  instagram_handle: Handle,
  facebook_profile: z.string().trim().min(1).max(300),
  tiktok_handle: Handle,
  reddit_handle: Handle,
  summary: z.string().trim().max(2000),
  contact_consent: z.boolean().describe('Consent to be contacted (marketing): its time is recorded as contact_consent_at'),
  contact_consent_source: z.string().trim().min(1).max(200).describe('How consent was given, e.g. "web form v3"'),
};

export const NewLeadBody = z.object({
  external_id: LeadFields.external_id.optional(),
  first_name: LeadFields.first_name.optional(),
  email: LeadFields.email.optional(),
  phone: LeadFields.phone.optional(),
  source: LeadFields.source,
  campaign_id: LeadFields.campaign_id.optional(),
  ad_platform: LeadFields.ad_platform.optional(),
  stage_id: z.string().uuid().optional().describe('Defaults to the first stage of kind new'),
  assigned_user_id: LeadFields.assigned_user_id.optional(),
  country: LeadFields.country.optional(),
  city: LeadFields.city.optional(),
  age_group: LeadFields.age_group.optional(),
  timezone: LeadFields.timezone.optional(),
  deal_value_minor: LeadFields.deal_value_minor.optional(),
  currency: LeadFields.currency.optional(),
  linkedin_url: LeadFields.linkedin_url.optional(),
  x_handle: LeadFields.x_handle.optional(),
  instagram_handle: LeadFields.instagram_handle.optional(),
  facebook_profile: LeadFields.facebook_profile.optional(),
  tiktok_handle: LeadFields.tiktok_handle.optional(),
  reddit_handle: LeadFields.reddit_handle.optional(),
  summary: LeadFields.summary.optional(),
  contact_consent: LeadFields.contact_consent.optional(),
  contact_consent_source: LeadFields.contact_consent_source.optional(),
}).strict();
export type NewLead = z.infer<typeof NewLeadBody>;

const nullable = <T extends z.ZodType>(s: T) => s.nullable().optional();
export const LeadPatchBody = z.object({
  external_id: nullable(LeadFields.external_id), first_name: nullable(LeadFields.first_name), email: nullable(LeadFields.email),
  phone: nullable(LeadFields.phone), source: LeadFields.source.optional(), campaign_id: nullable(LeadFields.campaign_id),
  ad_platform: nullable(LeadFields.ad_platform), assigned_user_id: nullable(LeadFields.assigned_user_id), country: nullable(LeadFields.country),
  city: nullable(LeadFields.city), age_group: nullable(LeadFields.age_group), timezone: nullable(LeadFields.timezone),
  deal_value_minor: nullable(LeadFields.deal_value_minor), currency: LeadFields.currency.optional(), linkedin_url: nullable(LeadFields.linkedin_url),
  x_handle: nullable(LeadFields.x_handle), instagram_handle: nullable(LeadFields.instagram_handle), facebook_profile: nullable(LeadFields.facebook_profile),
  tiktok_handle: nullable(LeadFields.tiktok_handle), reddit_handle: nullable(LeadFields.reddit_handle), summary: nullable(LeadFields.summary),
  contact_consent: LeadFields.contact_consent.optional(), contact_consent_source: nullable(LeadFields.contact_consent_source),
}).strict();
export type LeadPatch = z.infer<typeof LeadPatchBody>;

/** A way to reach (or recognise) the lead: without one of these a lead is noise. */
const CONTACT_ROUTES = ['email', 'phone', 'external_id', 'instagram_handle', 'facebook_profile', 'tiktok_handle', 'x_handle', 'linkedin_url', 'reddit_handle'] as const;

// ---- rows ----

export interface LeadRow {
  id: string; external_id: string | null; first_name: string | null; email: string | null; phone: string | null; source: string;
  campaign_id: string | null; campaign_name: string | null; ad_platform: string | null; stage_id: string; stage_name: string; stage_kind: StageKind;
  stage_color: string; rank: string; status: LeadStatus; lead_score: number; score_factors: ScoreFactor[]; scored_at: Date | null;
  assigned_user_id: string | null; user_id: string | null; patient_id: string | null; country: string | null; city: string | null;
  age_group: (typeof AGE_GROUPS)[number] | null; timezone: string | null; deal_value_minor: string | number | null; currency: string;
  linkedin_url: string | null; x_handle: string | null; instagram_handle: string | null; facebook_profile: string | null;
  tiktok_handle: string | null; reddit_handle: string | null; summary: string | null; last_interaction_at: Date | null;
  contact_consent_at: Date | null; contact_consent_source: string | null; won_at: Date | null; lost_at: Date | null; lost_reason: string | null;
  created_by: string | null; created_at: Date; updated_at: Date; tags: TagRef[];
}

export interface OpportunityRow {
  id: string; lead_id: string; expected_value_minor: string | number; currency: string; procedure_code: string; expected_date: string | null;
  created_at: Date; updated_at: Date;
}

export interface LeadDetail extends LeadRow {
  opportunity: OpportunityRow | null;
  counts: { activities: number; journey_events: number; stage_changes: number; kpi_events: number };
}

const TAGS_OF = (alias: string) => `COALESCE((SELECT json_agg(json_build_object('id', t.id, 'name', t.name, 'color', t.color) ORDER BY lower(t.name), t.id)
      FROM lead_tags lt JOIN tags t ON t.org_id = lt.org_id AND t.id = lt.tag_id WHERE lt.org_id = ${alias}.org_id AND lt.lead_id = ${alias}.id), '[]'::json)`;

const SELECT = `SELECT l.id, l.external_id, l.first_name, l.email, l.phone, l.source, l.campaign_id, c.name AS campaign_name, l.ad_platform,
    l.stage_id, s.name AS stage_name, s.kind AS stage_kind, s.color AS stage_color, l.rank, l.status, l.lead_score, l.score_factors, l.scored_at,
    l.assigned_user_id, l.user_id, l.patient_id, l.country, l.city, l.age_group, l.timezone, l.deal_value_minor, l.currency,
    l.linkedin_url, l.x_handle, l.instagram_handle, l.facebook_profile, l.tiktok_handle, l.reddit_handle, l.summary, l.last_interaction_at,
    l.contact_consent_at, l.contact_consent_source, l.won_at, l.lost_at, l.lost_reason, l.created_by, l.created_at, l.updated_at,
    ${TAGS_OF('l')} AS tags
  FROM leads l
  JOIN pipeline_stages s ON s.org_id = l.org_id AND s.id = l.stage_id
  LEFT JOIN campaigns c ON c.org_id = l.org_id AND c.id = l.campaign_id`;

export async function findLead(tx: Tx, id: string): Promise<LeadRow | null> {
  const [l] = await tx.query<LeadRow>(`${SELECT} WHERE l.org_id = visage_current_org() AND l.id = $1 AND l.deleted_at IS NULL`, [id]);
  return l ?? null;
}

export async function getLead(tx: Tx, id: string): Promise<LeadRow> {
  const l = await findLead(tx, id);
  if (!l) throw errors.notFound('lead');
  return l;
}

/** The lead page: the lead with its opportunity and how much happened to it. */
export async function leadDetail(tx: Tx, id: string): Promise<LeadDetail> {
  const l = await getLead(tx, id);
  const [opp] = await tx.query<OpportunityRow>(
    `SELECT id, lead_id, expected_value_minor, currency, procedure_code, expected_date::text AS expected_date, created_at, updated_at
       FROM opportunities WHERE org_id = visage_current_org() AND lead_id = $1`, [id]);
  const [counts] = await tx.query<LeadDetail['counts']>(
    `SELECT (SELECT count(*) FROM activities WHERE org_id = visage_current_org() AND lead_id = $1 AND deleted_at IS NULL)::int AS activities,
            (SELECT count(*) FROM journey_events WHERE org_id = visage_current_org() AND lead_id = $1 AND deleted_at IS NULL)::int AS journey_events,
            (SELECT count(*) FROM lead_stage_history WHERE org_id = visage_current_org() AND lead_id = $1)::int AS stage_changes,
            (SELECT count(*) FROM kpi_events WHERE org_id = visage_current_org() AND lead_id = $1 AND deleted_at IS NULL)::int AS kpi_events`, [id]);
  return { ...l, opportunity: opp ?? null, counts: counts! };
}

// ---- checks ----

const missing = (pointer: string, what: string) => new AppError(422, 'reference_not_found', `No ${what} with that id in this organization.`, [{ pointer, message: `no such ${what}` }]);

async function campaignPlatform(tx: Tx, campaignId: string): Promise<string> {
  const [c] = await tx.query<{ platform: string }>('SELECT platform FROM campaigns WHERE org_id = visage_current_org() AND id = $1 AND deleted_at IS NULL', [campaignId]);
  if (!c) throw missing('/campaign_id', 'campaign');
  return c.platform;
}

async function assertActiveMember(tx: Tx, userId: string, pointer: string): Promise<void> {
  const [m] = await tx.query(
    `SELECT 1 FROM memberships m WHERE m.org_id = visage_current_org() AND m.user_id = $1 AND m.status = 'active'`, [userId]);
  if (!m) throw new AppError(422, 'reference_not_found', 'That user is not an active member of this organization.', [{ pointer, message: 'not an active member' }]);
}

async function assertExternalIdFree(tx: Tx, externalId: string, exceptId: string | null): Promise<void> {
  const [dup] = await tx.query<{ deleted: boolean }>(
    'SELECT deleted_at IS NOT NULL AS deleted FROM leads WHERE org_id = visage_current_org() AND external_id = $1 AND id IS DISTINCT FROM $2::uuid', [externalId, exceptId]);
  if (dup) {
    throw errors.conflict(`Another lead${dup.deleted ? ' (deleted)' : ''} already has external id "${externalId}".`, 'external_id_taken',
      [{ pointer: '/external_id', message: 'already used' }]);
  }
}

function phoneE164(phone: string, region: string | null): string {
  const e164 = toE164(phone, region);
  if (!e164) {
    throw errors.validation(region ? `"${phone}" is not a valid phone number (read in ${region} when it has no +).` : `"${phone}" is not a valid phone number; give it in international form (+country code).`,
      [{ pointer: '/phone', message: 'not a valid phone number' }]);
  }
  return e164;
}

function assertContactRoute(l: Partial<Record<(typeof CONTACT_ROUTES)[number], unknown>>): void {
  if (!CONTACT_ROUTES.some((k) => l[k] !== undefined && l[k] !== null && l[k] !== '')) {
    throw errors.validation('A lead needs a way to reach or recognise it: an email, a phone, an external id or a social handle.',
      [{ pointer: '/email', message: 'give an email, a phone, an external id or a social handle' }]);
  }
}

async function stageOf(tx: Tx, id: string, pointer = '/stage_id'): Promise<{ id: string; name: string; kind: StageKind }> {
  const [s] = await tx.query<{ id: string; name: string; kind: StageKind }>('SELECT id, name, kind FROM pipeline_stages WHERE org_id = visage_current_org() AND id = $1', [id]);
  if (!s) throw missing(pointer, 'pipeline stage');
  return s;
}

async function lastRank(tx: Tx, stageId: string, exceptLeadId: string | null): Promise<string | null> {
  const [r] = await tx.query<{ rank: string }>(
    `SELECT rank FROM leads WHERE org_id = visage_current_org() AND stage_id = $1 AND deleted_at IS NULL AND id IS DISTINCT FROM $2::uuid
      ORDER BY rank DESC, id DESC LIMIT 1`, [stageId, exceptLeadId]);
  return r?.rank ?? null;
}

// ---- create, update, delete ----

/**
 * Creates a lead at the end of its stage column (default: the first stage of kind new), with its
 * first stage history row, and scores it. `createdAt` lets imports and intake date it; `rescore: false`
 * leaves the scoring to a caller that changes the lead further in the same transaction; `anonymous`
 * admits a lead with no way to contact it yet (an ad click, recognised later by its click id).
 */
export async function createLead(tx: Tx, origin: AuditOrigin | null, input: NewLead, now: Date, opts: { createdAt?: Date; rescore?: boolean; anonymous?: boolean } = {}): Promise<LeadRow> {
  await ensureDefaultStages(tx);
  const org = await orgSettings(tx);
  if (!opts.anonymous) assertContactRoute(input);
  const phone = input.phone ? phoneE164(input.phone, input.country ?? org.country) : null;
  if (input.external_id) await assertExternalIdFree(tx, input.external_id, null);
  const platform = input.campaign_id ? await campaignPlatform(tx, input.campaign_id) : null;
  const stage = input.stage_id ? await stageOf(tx, input.stage_id) : (await firstStageOfKind(tx, 'new'))!;
  if (input.assigned_user_id) await assertActiveMember(tx, input.assigned_user_id, '/assigned_user_id');
  const at = opts.createdAt ?? now;
  const id = newId();
  const rank = rankAfter(await lastRank(tx, stage.id, null));
  await tx.query(
    `INSERT INTO leads (id, org_id, external_id, first_name, email, phone, source, campaign_id, ad_platform, stage_id, rank, status,
        assigned_user_id, country, city, age_group, timezone, deal_value_minor, currency, linkedin_url, x_handle, instagram_handle,
        facebook_profile, tiktok_handle, reddit_handle, summary, contact_consent_at, contact_consent_source, won_at, lost_at, created_by, created_at, updated_at)
     VALUES ($1, visage_current_org(), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25,
        $26, $27, $28, $29, $30, $31, $31)`,
    [id, input.external_id ?? null, input.first_name ?? null, input.email ?? null, phone, input.source, input.campaign_id ?? null,
      input.ad_platform ?? platform, stage.id, rank, STATUS_OF_KIND[stage.kind], input.assigned_user_id ?? null, input.country ?? null, input.city ?? null,
      input.age_group ?? null, input.timezone ?? null, input.deal_value_minor ?? null, input.currency ?? org.currency, input.linkedin_url ?? null,
      input.x_handle ?? null, input.instagram_handle ?? null, input.facebook_profile ?? null, input.tiktok_handle ?? null, input.reddit_handle ?? null,
      input.summary || null, input.contact_consent ? at : null, input.contact_consent ? (input.contact_consent_source ?? null) : null,
      stage.kind === 'won' ? at : null, stage.kind === 'lost' ? at : null, tx.ctx.userId ?? null, at]);
  await tx.query(
    `INSERT INTO lead_stage_history (id, org_id, lead_id, stage_id, from_stage_id, changed_at, changed_by)
     VALUES ($1, visage_current_org(), $2, $3, NULL, $4, $5)`, [newId(), id, stage.id, at, tx.ctx.userId ?? null]);
  if (opts.rescore !== false) await rescoreLead(tx, id, now);
  await audit(tx, origin ?? {}, { action: 'create', entityType: 'lead', entityId: id, details: { source: input.source, stage_kind: stage.kind } });
  return getLead(tx, id);
}

export async function updateLead(tx: Tx, origin: AuditOrigin, id: string, patch: LeadPatch, now: Date): Promise<LeadRow> {
  const l = await getLead(tx, id);
  const org = await orgSettings(tx);
  const given = (k: keyof LeadPatch) => patch[k] !== undefined;
  const next = <K extends keyof LeadPatch & keyof LeadRow>(k: K) => (given(k) ? patch[k] : l[k]);
  assertContactRoute(Object.fromEntries(CONTACT_ROUTES.map((k) => [k, next(k)])));
  const sets: string[] = [];
  const params: unknown[] = [l.id];
  const set = (col: string, value: unknown) => { params.push(value); sets.push(`${col} = $${params.length}`); };
  if (given('external_id') && patch.external_id !== l.external_id) {
    if (patch.external_id) await assertExternalIdFree(tx, patch.external_id, l.id);
    set('external_id', patch.external_id);
  }
  if (given('phone')) set('phone', patch.phone ? phoneE164(patch.phone, (next('country') as string | null) ?? org.country) : null);
  if (given('campaign_id') && patch.campaign_id !== l.campaign_id) {
    const platform = patch.campaign_id ? await campaignPlatform(tx, patch.campaign_id) : null;
    set('campaign_id', patch.campaign_id);
    // A new campaign brings its platform unless the client names one.
    if (!given('ad_platform') && platform) set('ad_platform', platform);
  }
  if (given('assigned_user_id') && patch.assigned_user_id && patch.assigned_user_id !== l.assigned_user_id) await assertActiveMember(tx, patch.assigned_user_id, '/assigned_user_id');
  if (given('contact_consent')) {
    const keep = patch.contact_consent && l.contact_consent_at !== null;
    set('contact_consent_at', patch.contact_consent ? (keep ? l.contact_consent_at : now) : null);
    set('contact_consent_source', patch.contact_consent ? (given('contact_consent_source') ? patch.contact_consent_source : l.contact_consent_source) : null);
  } else if (given('contact_consent_source')) {
    if (l.contact_consent_at === null && patch.contact_consent_source) {
      throw errors.validation('Record consent with contact_consent: true before its source.', [{ pointer: '/contact_consent_source', message: 'no consent recorded' }]);
    }
    set('contact_consent_source', patch.contact_consent_source);
  }
  const plain = ['first_name', 'email', 'source', 'ad_platform', 'assigned_user_id', 'country', 'city', 'age_group', 'timezone', 'deal_value_minor',
    'currency', 'linkedin_url', 'x_handle', 'instagram_handle', 'facebook_profile', 'tiktok_handle', 'reddit_handle', 'summary'] as const;
  for (const k of plain) if (given(k)) set(k, k === 'summary' ? (patch.summary || null) : patch[k]);
  const fields = Object.keys(patch).filter((k) => given(k as keyof LeadPatch));
  if (sets.length) {
    set('updated_at', now);
    await tx.query(`UPDATE leads SET ${sets.join(', ')} WHERE org_id = visage_current_org() AND id = $1`, params);
  }
  if (given('source') || given('campaign_id')) await rescoreLead(tx, l.id, now);
  await audit(tx, origin, { action: 'update', entityType: 'lead', entityId: l.id, details: { fields } });
  return getLead(tx, l.id);
}

/** Soft delete: hidden everywhere; the retention job removes it later. */
export async function deleteLead(tx: Tx, origin: AuditOrigin, id: string, now: Date): Promise<void> {
  const l = await getLead(tx, id);
  await tx.query('UPDATE leads SET deleted_at = $2, updated_at = $2 WHERE org_id = visage_current_org() AND id = $1', [l.id, now]);
  await audit(tx, origin, { action: 'delete', entityType: 'lead', entityId: l.id });
}

// ---- lists and the board ----

export interface LeadFilter {
  stageId?: string; status?: (typeof LEAD_STATUSES)[number]; source?: string; campaignId?: string; assignedUserId?: string; tag?: string; q?: string;
  createdFrom?: string; createdTo?: string; minScore?: number; order: 'created' | 'rank'; limit: number;
  cursor: { at: string; id: string } | { rank: string; id: string } | null;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** q over first name, email and phone (digits of a phone match with or without its trunk 0). */
function searchClause(w: SqlFilter, q: string | undefined): void {
  if (!q) return;
  const p = w.param(likePattern(q));
  const digits = q.replace(/\D/g, '').replace(/^0+/, '');
  const phone = digits.length >= 3 ? ` OR l.phone LIKE ${w.param(`%${digits}%`)}` : '';
  w.also(true, `(l.first_name ILIKE ${p} OR l.email ILIKE ${p} OR l.phone ILIKE ${p}${phone})`);
}

/** What narrows a list of leads (the list, its CSV export): the same filters mean the same leads. */
export type LeadCriteria = Pick<LeadFilter, 'stageId' | 'status' | 'source' | 'campaignId' | 'assignedUserId' | 'tag' | 'q' | 'createdFrom' | 'createdTo' | 'minScore'>;

/** The acting organization's live leads that meet `f`, as a filter on `leads l`. */
export async function leadCriteria(tx: Tx, f: LeadCriteria): Promise<SqlFilter> {
  const w = new SqlFilter('l.org_id = visage_current_org()', 'l.deleted_at IS NULL')
    .when('l.stage_id = ?::uuid', f.stageId).when('l.status = ?', f.status).when('l.source = ?', f.source).when('l.campaign_id = ?::uuid', f.campaignId)
    .when('l.assigned_user_id = ?::uuid', f.assignedUserId).when('l.lead_score >= ?', f.minScore);
  if (f.tag) {
    const byId = UUID_RE.test(f.tag);
    w.when(`EXISTS (SELECT 1 FROM lead_tags lt JOIN tags t ON t.org_id = lt.org_id AND t.id = lt.tag_id
      WHERE lt.org_id = l.org_id AND lt.lead_id = l.id AND ${byId ? 't.id = ?::uuid' : 'lower(t.name) = lower(?)'})`, f.tag);
  }
  searchClause(w, f.q);
  if ((f.createdFrom && DATE_RE.test(f.createdFrom)) || (f.createdTo && DATE_RE.test(f.createdTo))) {
    const tz = w.param((await orgSettings(tx)).timezone);
    // A bare date is a whole day of the organization's calendar; created_to includes it.
    if (f.createdFrom && DATE_RE.test(f.createdFrom)) w.when(`l.created_at >= (?::date)::timestamp AT TIME ZONE ${tz}`, f.createdFrom);
    if (f.createdTo && DATE_RE.test(f.createdTo)) w.when(`l.created_at < (?::date + 1)::timestamp AT TIME ZONE ${tz}`, f.createdTo);
  }
  if (f.createdFrom && !DATE_RE.test(f.createdFrom)) w.when('l.created_at >= ?::timestamptz', f.createdFrom);
  if (f.createdTo && !DATE_RE.test(f.createdTo)) w.when('l.created_at <= ?::timestamptz', f.createdTo);
  return w;
}

export async function listLeads(tx: Tx, f: LeadFilter): Promise<LeadRow[]> {
  await ensureDefaultStages(tx);
  const w = await leadCriteria(tx, f);
  let order: string;
  if (f.order === 'rank') {
    const c = f.cursor as { rank: string; id: string } | null;
    if (c) w.when(`(l.rank, l.id) > (?, ${w.param(c.id)}::uuid)`, c.rank);
    order = 'l.rank, l.id';
  } else {
    w.before(['l.created_at', 'l.id'], f.cursor as { at: string; id: string } | null, 'leads');
    order = 'l.created_at DESC, l.id DESC';
  }
  return tx.query<LeadRow>(`${SELECT} WHERE ${w.where} ORDER BY ${order} LIMIT ${w.param(f.limit + 1)}`, w.params);
}

export interface BoardCard {
  id: string; first_name: string | null; source: string; campaign_id: string | null; campaign_name: string | null; status: LeadStatus;
  lead_score: number; deal_value_minor: string | number | null; currency: string; rank: string; last_interaction_at: Date | null; tags: TagRef[];
}
export interface BoardColumn {
  id: string; name: string; position: number; color: string; kind: StageKind; count: number; deal_value_minor: string | number;
  cards: BoardCard[]; next_cursor: { rank: string; id: string } | null;
}

/** The kanban: every stage in order with its count, the sum of its deal values and its first cards by rank. */
export async function board(tx: Tx, f: { campaignId?: string; q?: string; perStage: number }): Promise<BoardColumn[]> {
  await ensureDefaultStages(tx);
  const w = new SqlFilter('l.org_id = s.org_id', 'l.stage_id = s.id', 'l.deleted_at IS NULL').when('l.campaign_id = ?', f.campaignId);
  searchClause(w, f.q);
  const stages = await tx.query<Omit<BoardColumn, 'cards' | 'next_cursor'>>(
    `SELECT s.id, s.name, s.position, s.color, s.kind, st.count, st.deal_value_minor
       FROM pipeline_stages s
       CROSS JOIN LATERAL (SELECT count(*)::int AS count, COALESCE(sum(l.deal_value_minor), 0) AS deal_value_minor FROM leads l WHERE ${w.where}) st
      WHERE s.org_id = visage_current_org() ORDER BY s.position, s.id`, w.params);
  const limit = w.param(f.perStage + 1);
  const cards = await tx.query<BoardCard & { stage_id: string }>(
    `SELECT c.* FROM pipeline_stages s
     CROSS JOIN LATERAL (
       SELECT l.stage_id, l.id, l.first_name, l.source, l.campaign_id, cp.name AS campaign_name, l.status, l.lead_score, l.deal_value_minor, l.currency,
              l.rank, l.last_interaction_at, ${TAGS_OF('l')} AS tags
         FROM leads l LEFT JOIN campaigns cp ON cp.org_id = l.org_id AND cp.id = l.campaign_id
        WHERE ${w.where} ORDER BY l.rank, l.id LIMIT ${limit}) c
     WHERE s.org_id = visage_current_org()`, w.params);
  const byStage = new Map<string, BoardCard[]>();
  for (const c of cards) {
    const list = byStage.get(c.stage_id) ?? [];
    list.push(c);
    byStage.set(c.stage_id, list);
  }
  return stages.map((s) => {
    const list = (byStage.get(s.id) ?? []).sort((a, b) => compareRank(a.rank, b.rank) || (a.id < b.id ? -1 : 1));
    const more = list.length > f.perStage;
    const shown = more ? list.slice(0, f.perStage) : list;
    const last = shown[shown.length - 1];
    return { ...s, cards: shown, next_cursor: more && last ? { rank: last.rank, id: last.id } : null };
  });
}

// ---- moving a card ----

export interface MoveInput { stageId: string; beforeId?: string; afterId?: string; changedAt?: Date; lostReason?: string | null }

const SKEW_MS = 5 * 60_000;

interface Neighbour { id: string; rank: string; stage_id: string }
async function neighbour(tx: Tx, id: string, stageId: string, leadId: string, pointer: string): Promise<Neighbour> {
  if (id === leadId) throw errors.validation('A card cannot be placed next to itself.', [{ pointer, message: 'the moved lead itself' }]);
  const [n] = await tx.query<Neighbour>('SELECT id, rank, stage_id FROM leads WHERE org_id = visage_current_org() AND id = $1 AND deleted_at IS NULL', [id]);
  if (!n) throw missing(pointer, 'lead');
  if (n.stage_id !== stageId) throw errors.validation('The neighbouring card is not in the target stage.', [{ pointer, message: 'not in the target stage' }]);
  return n;
}

/** The card next to (rank, id) in a column, above (-1) or below (+1), skipping the moved lead. */
async function adjacent(tx: Tx, stageId: string, leadId: string, at: Neighbour, dir: 1 | -1): Promise<string | null> {
  const [r] = await tx.query<{ rank: string }>(
    `SELECT rank FROM leads WHERE org_id = visage_current_org() AND stage_id = $1 AND deleted_at IS NULL AND id <> $2
        AND (rank, id) ${dir > 0 ? '>' : '<'} ($3, $4::uuid) ORDER BY rank ${dir > 0 ? 'ASC' : 'DESC'}, id ${dir > 0 ? 'ASC' : 'DESC'} LIMIT 1`,
    [stageId, leadId, at.rank, at.id]);
  return r?.rank ?? null;
}

/** Renumbers a column with short keys, the moved lead placed right after `after` / before `before` (else last). */
async function rebalance(tx: Tx, stageId: string, leadId: string, after: Neighbour | null, before: Neighbour | null): Promise<void> {
  const ids = (await tx.query<{ id: string }>(
    `SELECT id FROM leads WHERE org_id = visage_current_org() AND stage_id = $1 AND deleted_at IS NULL AND id <> $2 ORDER BY rank, id`, [stageId, leadId])).map((r) => r.id);
  const at = after ? ids.indexOf(after.id) + 1 : before ? ids.indexOf(before.id) : ids.length;
  ids.splice(at, 0, leadId);
  await tx.query(
    `UPDATE leads l SET rank = k.rank FROM unnest($1::uuid[], $2::text[]) AS k(id, rank)
      WHERE l.org_id = visage_current_org() AND l.id = k.id`, [ids, freshRanks(ids.length)]);
}

/**
 * Moves a card: to another stage (history, a stage_change activity, status, won/lost dates, a new
 * score) and/or to a place in the column between `after` (the card above) and `before` (the card
 * below). A card always fits; a gap worn too deep is renumbered.
 */
export async function moveLead(tx: Tx, origin: AuditOrigin | null, leadId: string, m: MoveInput, now: Date): Promise<LeadRow> {
  await ensureDefaultStages(tx);
  const [l] = await tx.query<{ id: string; stage_id: string; rank: string; created_at: Date }>(
    'SELECT id, stage_id, rank, created_at FROM leads WHERE org_id = visage_current_org() AND id = $1 AND deleted_at IS NULL FOR UPDATE', [leadId]);
  if (!l) throw errors.notFound('lead');
  const target = await stageOf(tx, m.stageId);
  const changing = target.id !== l.stage_id;
  const changedAt = m.changedAt ?? now;
  if (changedAt.getTime() > now.getTime() + SKEW_MS) throw errors.validation('A stage change cannot be dated in the future.', [{ pointer: '/changed_at', message: 'in the future' }]);
  if (changedAt.getTime() < new Date(l.created_at).getTime()) {
    throw errors.validation('A stage change cannot be dated before the lead was created.', [{ pointer: '/changed_at', message: 'before the lead was created' }]);
  }
  if (m.lostReason && target.kind !== 'lost') throw errors.validation('A lost reason goes with a move to a lost stage.', [{ pointer: '/lost_reason', message: 'target stage is not lost' }]);

  const after = m.afterId ? await neighbour(tx, m.afterId, target.id, l.id, '/after_id') : null;
  const before = m.beforeId ? await neighbour(tx, m.beforeId, target.id, l.id, '/before_id') : null;
  if (after && before && (compareRank(after.rank, before.rank) > 0 || (after.rank === before.rank && after.id > before.id))) {
    throw errors.validation('after_id must be the card above before_id.', [{ pointer: '/before_id', message: 'above after_id' }]);
  }
  let rank: string | null = l.rank;
  if (after || before || changing) {
    const lower = after ? after.rank : before ? await adjacent(tx, target.id, l.id, before, -1) : await lastRank(tx, target.id, l.id);
    const upper = before ? before.rank : after ? await adjacent(tx, target.id, l.id, after, 1) : null;
    rank = placeRank(lower, upper);
  }
  if (rank === null) await rebalance(tx, target.id, l.id, after, before);

  if (!changing) {
    if (rank !== null && rank !== l.rank) await tx.query('UPDATE leads SET rank = $2, updated_at = $3 WHERE org_id = visage_current_org() AND id = $1', [l.id, rank, now]);
    await audit(tx, origin ?? {}, { action: 'update', entityType: 'lead', entityId: l.id, details: { reordered: true } });
    return getLead(tx, l.id);
  }
  const from = await stageOf(tx, l.stage_id);
  await tx.query(
    `UPDATE leads SET stage_id = $2, rank = COALESCE($3, rank), status = $4,
        won_at = CASE WHEN $5 = 'won' THEN $6::timestamptz ELSE NULL END,
        lost_at = CASE WHEN $5 = 'lost' THEN $6::timestamptz ELSE NULL END,
        lost_reason = CASE WHEN $5 = 'lost' THEN $7 ELSE NULL END, updated_at = $8
      WHERE org_id = visage_current_org() AND id = $1`,
    [l.id, target.id, rank, STATUS_OF_KIND[target.kind], target.kind, changedAt, m.lostReason ?? null, now]);
  await tx.query(
    `INSERT INTO lead_stage_history (id, org_id, lead_id, stage_id, from_stage_id, changed_at, changed_by)
     VALUES ($1, visage_current_org(), $2, $3, $4, $5, $6)`, [newId(), l.id, target.id, from.id, changedAt, tx.ctx.userId ?? null]);
  await logActivity(tx, origin, l.id, 'stage_change', {
    from_stage_id: from.id, from_stage: from.name, to_stage_id: target.id, to_stage: target.name, ...(m.lostReason ? { lost_reason: m.lostReason } : {}),
  }, changedAt, { rescore: false });
  await rescoreLead(tx, l.id, now);
  await audit(tx, origin ?? {}, { action: 'update', entityType: 'lead', entityId: l.id, details: { stage_from: from.id, stage_to: target.id, kind: target.kind } });
  return getLead(tx, l.id);
}

export interface StageHistoryRow {
  id: string; stage_id: string; stage_name: string; stage_kind: StageKind; from_stage_id: string | null; from_stage_name: string | null;
  changed_at: Date; changed_by: string | null;
}

export async function stageHistory(tx: Tx, leadId: string): Promise<StageHistoryRow[]> {
  await getLead(tx, leadId);
  return tx.query<StageHistoryRow>(
    `SELECT h.id, h.stage_id, s.name AS stage_name, s.kind AS stage_kind, h.from_stage_id, f.name AS from_stage_name, h.changed_at, h.changed_by
       FROM lead_stage_history h
       JOIN pipeline_stages s ON s.org_id = h.org_id AND s.id = h.stage_id
       LEFT JOIN pipeline_stages f ON f.org_id = h.org_id AND f.id = h.from_stage_id
      WHERE h.org_id = visage_current_org() AND h.lead_id = $1 ORDER BY h.changed_at, h.id`, [leadId]);
}

// ---- identity links ----

/** Links the lead to a user of the organization (null unlinks); the lead's journey events follow. */
export async function linkUser(tx: Tx, origin: AuditOrigin, leadId: string, userId: string | null, now: Date): Promise<LeadRow> {
  const l = await getLead(tx, leadId);
  if (userId) {
    const [m] = await tx.query('SELECT 1 FROM memberships WHERE org_id = visage_current_org() AND user_id = $1', [userId]);
    if (!m) throw new AppError(422, 'reference_not_found', 'No user with that id in this organization.', [{ pointer: '/user_id', message: 'no such user' }]);
  }
  await tx.query('UPDATE leads SET user_id = $2, updated_at = $3 WHERE org_id = visage_current_org() AND id = $1', [l.id, userId, now]);
  await tx.query('UPDATE journey_events SET user_id = $2 WHERE org_id = visage_current_org() AND lead_id = $1', [l.id, userId]);
  await audit(tx, origin, { action: 'update', entityType: 'lead', entityId: l.id, details: { user_linked: userId !== null } });
  return getLead(tx, l.id);
}

/**
 * A won lead becomes the patient it turned into: checks only that the patient id exists in the
 * organization (no other patient column is read), records it, moves the lead to the first won
 * stage (unless it is in a won stage already) and attributes what the patient already paid.
 */
export async function convertLead(tx: Tx, origin: AuditOrigin, leadId: string, patientId: string, now: Date, changedAt?: Date): Promise<LeadRow> {
  const l = await getLead(tx, leadId);
  const [p] = await tx.query('SELECT 1 FROM patients WHERE org_id = visage_current_org() AND id = $1 AND deleted_at IS NULL', [patientId]);
  if (!p) throw new AppError(422, 'reference_not_found', 'No patient with that id in this organization.', [{ pointer: '/patient_id', message: 'no such patient' }]);
  if (l.patient_id && l.patient_id !== patientId) {
    throw errors.conflict('This lead already became another patient.', 'lead_already_converted', [{ pointer: '/patient_id', message: 'lead linked to another patient' }]);
  }
  if (l.patient_id !== patientId) {
    await tx.query('UPDATE leads SET patient_id = $2, updated_at = $3 WHERE org_id = visage_current_org() AND id = $1', [l.id, patientId, now]);
    await tx.query('UPDATE journey_events SET patient_id = $2 WHERE org_id = visage_current_org() AND lead_id = $1', [l.id, patientId]);
  }
  if (l.stage_kind !== 'won') {
    const won = await firstStageOfKind(tx, 'won');
    if (!won) throw new AppError(409, 'no_won_stage', 'The pipeline has no won stage to move the lead to.');
    await moveLead(tx, origin, l.id, { stageId: won.id, changedAt }, now);
  }
  await attributeLeadHistory(tx, origin, l.id);
  await audit(tx, origin, { action: 'convert', entityType: 'lead', entityId: l.id, details: { patient_linked: true } });
  return getLead(tx, l.id);
}
