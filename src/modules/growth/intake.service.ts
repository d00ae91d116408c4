import type { Tx } from '../../platform/db/client.js';
import { newId } from '../../platform/crypto.js';
import { AppError, errors } from '../../platform/http/problem.js';
import { audit, type AuditOrigin } from '../../platform/audit/audit.service.js';
import { PROCEDURE_CODES } from './growth.schema.js';
import { assertNoPhi } from './phi.js';
import { rescoreLead } from './scoring.js';
import { toE164 } from './phone.js';
import { ensureDefaultStages } from './stages.service.js';
import { createLead, moveLead } from './leads.service.js';
import { logActivity } from './activities.service.js';
import { recordJourneyEvent } from './journey.service.js';
import { addLeadTag } from './tags.service.js';
import { orgSettings } from '../clinical/index.js';

/*
 * Lead intake (issue 4 part 4, seed 003 lifecycle): a lead is created, or an existing live lead is
 * found and touched, from a public web form, an ad click or an inbound message. Leads, stage moves,
 * activities, tags and journey events go through the leads services (leads/stages/activities/
 * tags/journey.service.ts), so every path keeps the same rules; the helpers at the top are shared
 * with the CRM webhook (crm.service.ts). Nothing here reads a medical table.
 */

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (v: string): boolean => UUID_RE.test(v);

// ---------------------------------------------------------------------------------------------
// Shared building blocks
// ---------------------------------------------------------------------------------------------

export interface StageRow { id: string; name: string; kind: string; position: number }

/** Serializes writers of one key within the organization until the transaction ends. */
export async function lockKeys(tx: Tx, keys: string[]): Promise<void> {
  // Sorted, so two requests locking the same pair cannot deadlock.
  for (const k of [...new Set(keys)].sort()) {
    await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`growth:${tx.ctx.orgId ?? ''}:${k}`]);
  }
}

/** A stage by name, case-insensitively, or null. */
export async function stageByName(tx: Tx, name: string): Promise<StageRow | null> {
  await ensureDefaultStages(tx);
  const [s] = await tx.query<StageRow>(
    'SELECT id, name, kind, position FROM pipeline_stages WHERE org_id = visage_current_org() AND lower(name) = lower($1)', [name.trim()]);
  return s ?? null;
}

/** A phone number as E.164 (read in the organization's country when it has no +), or a 422 naming `pointer`. */
export function e164OrFail(raw: string, country: string | null, pointer: string): string {
  const e164 = toE164(raw, country);
  if (!e164) {
    throw errors.validation('The phone number is not valid: give it in international form (+886912345678).', [{ pointer, message: 'not a valid phone number' }]);
  }
  return e164;
}

export interface LeadRow {
  id: string; external_id: string | null; first_name: string | null; email: string | null; phone: string | null; source: string;
  campaign_id: string | null; ad_platform: string | null; stage_id: string; status: string; user_id: string | null;
  instagram_handle: string | null; facebook_profile: string | null; last_interaction_at: Date | null; deleted_at: Date | null;
}

const LEAD_COLUMNS = `id, external_id, first_name, email, phone, source, campaign_id, ad_platform, stage_id, status, user_id,
  instagram_handle, facebook_profile, last_interaction_at, deleted_at`;

export async function leadById(tx: Tx, id: string): Promise<LeadRow | null> {
  const [l] = await tx.query<LeadRow>(`SELECT ${LEAD_COLUMNS} FROM leads WHERE org_id = visage_current_org() AND id = $1`, [id]);
  return l ?? null;
}

export interface ContactKeys { email?: string | null; phone?: string | null; instagramHandle?: string | null; facebookProfile?: string | null }

/** Lock keys for a contact, so two requests about one person do not both create a lead. */
export const contactLockKeys = (c: ContactKeys): string[] => [
  c.email ? `email:${c.email.toLowerCase()}` : null, c.phone ? `phone:${c.phone}` : null,
  c.instagramHandle ? `ig:${c.instagramHandle.toLowerCase()}` : null, c.facebookProfile ? `fb:${c.facebookProfile.toLowerCase()}` : null,
].filter((k): k is string => k !== null);

/** The oldest live lead with this email, phone or handle (email first, then phone, then handles). */
export async function findLiveLead(tx: Tx, c: ContactKeys): Promise<LeadRow | null> {
  const probes: [string, string | null | undefined][] = [
    ['email_key = $1', c.email?.toLowerCase()], ['phone = $1', c.phone],
    ['instagram_key = $1', c.instagramHandle?.toLowerCase()], ['facebook_key = $1', c.facebookProfile?.toLowerCase()],
  ];
  for (const [where, value] of probes) {
    if (!value) continue;
    // The *_key columns are stored lower-cased: under row-level security, lower(column) = $1 could
    // not use an index. The match is materialized before it is ordered, so the planner cannot walk
    // every lead in created_at order looking for a contact that is not there (a new one).
    const [l] = await tx.query<LeadRow>(
      `WITH hit AS MATERIALIZED (SELECT ${LEAD_COLUMNS}, created_at FROM leads WHERE org_id = visage_current_org() AND deleted_at IS NULL AND ${where})
       SELECT ${LEAD_COLUMNS} FROM hit ORDER BY created_at, id LIMIT 1`, [value]);
    if (l) return l;
  }
  return null;
}

export interface NewLead {
  firstName?: string | null; email?: string | null; phone?: string | null; source: string; campaignId?: string | null; adPlatform?: string | null;
  externalId?: string | null; stage?: StageRow; userId?: string | null; instagramHandle?: string | null; facebookProfile?: string | null;
  contactConsentAt?: Date | null; contactConsentSource?: string | null; lastInteractionAt?: Date | null; createdBy?: string | null;
}

/** A lead source as the leads API writes it: a lower-case slug (facebook, google_ads, web_chat); `fallback` when nothing is left. */
export function sourceSlug(raw: string | null | undefined, fallback: string): string {
  const s = (raw ?? '').trim().toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/_+/g, '_').replace(/^[^a-z]+|_+$/g, '').slice(0, 40).replace(/_+$/, '');
  return s.length >= 2 ? s : fallback;
}

/**
 * Creates a lead at the end of its stage (the entry stage by default) with its first stage-history
 * row, through the leads service; an ad click with no email, phone, handle or external id is an
 * anonymous lead, recognised later by its click id.
 */
export async function insertLead(tx: Tx, origin: AuditOrigin, input: NewLead, now: Date): Promise<string> {
  const anonymous = !(input.email || input.phone || input.externalId || input.instagramHandle || input.facebookProfile);
  const { id } = await createLead(tx, origin, {
    source: input.source, external_id: input.externalId ?? undefined, first_name: input.firstName ?? undefined, email: input.email ?? undefined,
    phone: input.phone ?? undefined, campaign_id: input.campaignId ?? undefined, ad_platform: input.adPlatform ?? undefined, stage_id: input.stage?.id,
    instagram_handle: input.instagramHandle ?? undefined, facebook_profile: input.facebookProfile ?? undefined,
    contact_consent: input.contactConsentSource ? true : undefined, contact_consent_source: input.contactConsentSource ?? undefined,
  }, now, { rescore: false, anonymous }); // every intake path scores the lead once, at its end
  if (input.lastInteractionAt || input.userId) {
    await tx.query('UPDATE leads SET last_interaction_at = COALESCE($2, last_interaction_at), user_id = COALESCE($3, user_id) WHERE org_id = visage_current_org() AND id = $1',
      [id, input.lastInteractionAt ?? null, input.userId ?? null]);
  }
  return id;
}

export interface JourneyInput {
  leadId: string | null; userId?: string | null; eventType: string; data: Record<string, unknown>; source?: string | null; sessionId?: string | null; at: Date;
}

/** One step of a prospect's path (seed 003 patient_journey_events), through the journey service (PHI screened there). */
export async function addJourneyEvent(tx: Tx, e: JourneyInput, now: Date): Promise<string> {
  const row = await recordJourneyEvent(tx, { leadId: e.leadId, userId: e.userId, eventType: e.eventType, data: e.data, source: e.source, sessionId: e.sessionId, at: e.at, now });
  return row.id;
}

/** Tags the lead by name (tags created when missing; a tag_added activity for each new link). Returns the names newly linked. */
export async function tagLeadByName(tx: Tx, origin: AuditOrigin, leadId: string, names: string[], at: Date): Promise<string[]> {
  const added: string[] = [];
  const seen = new Set<string>();
  for (const raw of names) {
    const name = raw.trim();
    if (!name || seen.has(name.toLowerCase())) continue;
    seen.add(name.toLowerCase());
    const r = await addLeadTag(tx, origin, leadId, { name }, at, { rescore: false });
    if (r.added) added.push(r.tag.name);
  }
  return added;
}

/** Moves a lead to the end of another stage (history, stage_change activity, status, won/lost dates). False when already there. */
export async function moveLeadToStage(tx: Tx, origin: AuditOrigin, lead: LeadRow, to: StageRow, at: Date): Promise<boolean> {
  if (lead.stage_id === to.id) return false;
  await moveLead(tx, origin, lead.id, { stageId: to.id }, at);
  lead.stage_id = to.id;
  return true;
}

/** A live campaign by id or name (utm_campaign, a CRM's campaign name). */
export async function findCampaign(tx: Tx, ref: string): Promise<{ id: string; platform: string } | null> {
  const [c] = await tx.query<{ id: string; platform: string }>(
    `SELECT id, platform FROM campaigns WHERE org_id = visage_current_org() AND deleted_at IS NULL AND ${isUuid(ref) ? 'id = $1::uuid' : 'lower(name) = lower($1)'}`,
    [ref.trim()]);
  return c ?? null;
}

/** Marks an interaction: last_interaction_at never moves back. */
async function touch(tx: Tx, leadId: string, at: Date, now: Date): Promise<void> {
  await tx.query(
    `UPDATE leads SET last_interaction_at = GREATEST(COALESCE(last_interaction_at, $2), $2), updated_at = $3 WHERE org_id = visage_current_org() AND id = $1`,
    [leadId, at, now]);
}

// ---------------------------------------------------------------------------------------------
// 1. The public web form
// ---------------------------------------------------------------------------------------------

/** What a form may say it is interested in (procedure codes, seed 004), and the tag each becomes. */
export const INTEREST_TAGS: Record<(typeof PROCEDURE_CODES)[number], string> = {
  BTX: 'Botox', FILLER: 'Filler', LASER: 'Laser', RHINO: 'Rhinoplasty', BREAST: 'Breast', TUMMY: 'Tummy Tuck', FACE: 'Facelift',
};
export const PREFERRED_CONTACTS = ['email', 'phone', 'sms', 'whatsapp'] as const;

export interface FormSubmission {
  formId: string | null; firstName: string; email: string | null; phone: string | null; interest: (typeof PROCEDURE_CODES)[number][];
  preferredContact: (typeof PREFERRED_CONTACTS)[number] | null; utm: { source?: string; medium?: string; campaign?: string; content?: string };
  pagePath: string | null; sessionId: string | null;
}

/** utm_source as a lead source slug (Instagram -> instagram, google.com -> google_com); 'website' when absent. */
export const sourceOf = (utmSource: string | undefined): string => sourceSlug(utmSource, 'website');

/**
 * Records a web-form submission (the caller has already dropped spam): updates the live lead with
 * this email or phone, or creates one; records contact consent, a form_submit activity, interest
 * tags and a form_submitted journey event. Returns the lead id (never shown to the public caller).
 */
export async function submitWebForm(tx: Tx, origin: AuditOrigin, f: FormSubmission, now: Date): Promise<{ leadId: string; created: boolean }> {
  const org = await orgSettings(tx);
  const phone = f.phone ? e164OrFail(f.phone, org.country, '/phone') : null;
  const email = f.email;
  await lockKeys(tx, contactLockKeys({ email, phone }));
  const campaign = f.utm.campaign ? await findCampaign(tx, f.utm.campaign) : null;
  const source = sourceOf(f.utm.source);
  const consentSource = `web_form:${f.formId ?? 'default'}`;

  let lead = await findLiveLead(tx, { email, phone });
  let created = false;
  if (!lead) {
    const id = await insertLead(tx, origin, {
      firstName: f.firstName, email, phone, source, campaignId: campaign?.id ?? null, adPlatform: campaign?.platform ?? null,
      contactConsentAt: now, contactConsentSource: consentSource, lastInteractionAt: now,
    }, now);
    lead = (await leadById(tx, id))!;
    created = true;
  } else {
    // First touch keeps its attribution (source, campaign); missing contact details are filled in; consent is renewed.
    await tx.query(
      `UPDATE leads SET first_name = COALESCE(first_name, $2), email = COALESCE(email, $3), phone = COALESCE(phone, $4),
          campaign_id = COALESCE(campaign_id, $5), ad_platform = COALESCE(ad_platform, $6), contact_consent_at = $7, contact_consent_source = $8,
          last_interaction_at = GREATEST(COALESCE(last_interaction_at, $7), $7), updated_at = $7
        WHERE org_id = visage_current_org() AND id = $1`,
      [lead.id, f.firstName, email, phone, campaign?.id ?? null, campaign?.platform ?? null, now, consentSource]);
    await audit(tx, origin, { action: 'update', entityType: 'lead', entityId: lead.id, details: { via: 'web_form' } });
  }
  // The activity holds which form, page and choices: never anything typed freely.
  const fields: Record<string, string> = {};
  if (f.interest.length) fields.interest = f.interest.join(',');
  if (f.preferredContact) fields.preferred_contact = f.preferredContact;
  await logActivity(tx, origin, lead.id, 'form_submit', {
    form: f.formId ?? 'default', ...(f.pagePath ? { page_url: f.pagePath } : {}), ...(Object.keys(fields).length ? { fields } : {}),
  }, now, { rescore: false });
  await tagLeadByName(tx, origin, lead.id, f.interest.map((i) => INTEREST_TAGS[i]), now);
  await addJourneyEvent(tx, {
    leadId: lead.id, userId: lead.user_id, eventType: 'form_submitted', source, sessionId: f.sessionId, at: now,
    data: {
      form_id: f.formId ?? 'default', page: f.pagePath, utm_source: f.utm.source ?? null, utm_medium: f.utm.medium ?? null,
      utm_campaign: f.utm.campaign ?? null, utm_content: f.utm.content ?? null, campaign_id: campaign?.id ?? null, interest: f.interest,
      preferred_contact: f.preferredContact, new_lead: created,
    },
  }, now);
  await rescoreLead(tx, lead.id, now);
  return { leadId: lead.id, created };
}

/** A page URL without its query string or fragment (they may carry an address or a token): origin and path only. */
export function pagePathOf(pageUrl: string | undefined): string | null {
  if (!pageUrl) return null;
  try {
    const u = new URL(pageUrl);
    return u.protocol === 'https:' || u.protocol === 'http:' ? `${u.origin}${u.pathname}`.slice(0, 500) : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// 2. Ad clicks
// ---------------------------------------------------------------------------------------------

export interface AdClick {
  campaignId: string | null; platform: string; clickId: string; email: string | null; phone: string | null; firstName: string | null; occurredAt: Date;
}

export interface AdClickResult { leadId: string; kpiEventId: string; leadCreated: boolean; duplicate: boolean }

/**
 * Records an ad click: an ad_click KPI event (source_ref 'click:<click id>', so a click counts once)
 * on the live lead with this email or phone, or on a new lead (source = the ad platform). The same
 * click id again returns the first answer and changes nothing.
 */
export async function recordAdClick(tx: Tx, origin: AuditOrigin, c: AdClick, now: Date): Promise<AdClickResult> {
  const org = await orgSettings(tx);
  const phone = c.phone ? e164OrFail(c.phone, org.country, '/phone') : null;
  const sourceRef = `click:${c.clickId}`;
  await lockKeys(tx, [sourceRef, ...contactLockKeys({ email: c.email, phone })]);
  const [seen] = await tx.query<{ id: string; lead_id: string }>(
    `SELECT id, lead_id FROM kpi_events WHERE org_id = visage_current_org() AND kind = 'ad_click' AND source_ref = $1`, [sourceRef]);
  if (seen) return { leadId: seen.lead_id, kpiEventId: seen.id, leadCreated: false, duplicate: true };

  let campaign: { id: string; platform: string } | null = null;
  if (c.campaignId) {
    campaign = await findCampaign(tx, c.campaignId);
    if (!campaign) throw new AppError(422, 'reference_not_found', 'No campaign with that id.', [{ pointer: '/campaign_id', message: 'not found' }]);
  }
  let lead = await findLiveLead(tx, { email: c.email, phone });
  let leadCreated = false;
  if (!lead) {
    const id = await insertLead(tx, origin, {
      firstName: c.firstName, email: c.email, phone, source: c.platform, campaignId: campaign?.id ?? null, adPlatform: c.platform,
      lastInteractionAt: c.occurredAt, createdBy: tx.ctx.userId ?? null,
    }, now);
    lead = (await leadById(tx, id))!;
    leadCreated = true;
  } else {
    await tx.query(
      `UPDATE leads SET first_name = COALESCE(first_name, $2), email = COALESCE(email, $3), phone = COALESCE(phone, $4),
          campaign_id = COALESCE(campaign_id, $5), ad_platform = COALESCE(ad_platform, $6), updated_at = $7
        WHERE org_id = visage_current_org() AND id = $1`,
      [lead.id, c.firstName, c.email, phone, campaign?.id ?? null, c.platform, now]);
    await touch(tx, lead.id, c.occurredAt, now);
  }
  const metadata = { click_id: c.clickId, platform: c.platform };
  assertNoPhi(metadata, '/metadata');
  const kpiEventId = newId();
  // The click's own campaign when given (a lead may click ads of several campaigns), else the lead's; the lead's source.
  await tx.query(
    `INSERT INTO kpi_events (id, org_id, lead_id, kind, occurred_at, metadata, campaign_id, source, source_ref, created_at)
     SELECT $1, l.org_id, l.id, 'ad_click', $3, $4, COALESCE($5::uuid, l.campaign_id), l.source, $6, $7
       FROM leads l WHERE l.org_id = visage_current_org() AND l.id = $2`,
    [kpiEventId, lead.id, c.occurredAt, JSON.stringify(metadata), campaign?.id ?? null, sourceRef, now]);
  await addJourneyEvent(tx, {
    leadId: lead.id, userId: lead.user_id, eventType: 'ad_click', source: c.platform, at: c.occurredAt,
    data: { platform: c.platform, campaign_id: campaign?.id ?? lead.campaign_id, click_id: c.clickId },
  }, now);
  await audit(tx, origin, { action: 'create', entityType: 'kpi_event', entityId: kpiEventId, details: { kind: 'ad_click', lead_id: lead.id } });
  await rescoreLead(tx, lead.id, now);
  return { leadId: lead.id, kpiEventId, leadCreated, duplicate: false };
}

// ---------------------------------------------------------------------------------------------
// 3. Inbound messages
// ---------------------------------------------------------------------------------------------

export const INBOUND_CHANNELS = ['whatsapp', 'sms', 'instagram', 'facebook', 'line', 'email', 'web_chat'] as const;
export type InboundChannel = (typeof INBOUND_CHANNELS)[number];

export interface InboundMessage { channel: InboundChannel; from: string; firstName: string | null; sessionId: string | null; receivedAt: Date }

export interface InboundResult { leadId: string; leadCreated: boolean; userId: string | null }

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Who sent the message, as contact keys: an email, a phone number (E.164), or a handle on a channel
 * whose handle the lead can hold (Instagram, Facebook). LINE and web chat ids have no lead column:
 * the integration must send the sender's phone or email for those.
 */
export function senderKeys(channel: InboundChannel, from: string, country: string | null): ContactKeys {
  const raw = from.trim();
  if (channel === 'email' || (EMAIL_RE.test(raw) && !['whatsapp', 'sms'].includes(channel))) {
    if (!EMAIL_RE.test(raw) || raw.length > 254) throw errors.validation('An email channel needs the sender\'s address.', [{ pointer: '/from', message: 'not an email address' }]);
    return { email: raw.toLowerCase() };
  }
  if (channel === 'whatsapp' || channel === 'sms') return { phone: e164OrFail(raw, country, '/from') };
  const phone = /^[+0-9][0-9 ().-]{5,}$/.test(raw) ? toE164(raw, country) : null;
  if (phone) return { phone };
  const handle = raw.replace(/^@/, '');
  if (channel === 'instagram') {
    if (!/^[A-Za-z0-9._]{1,30}$/.test(handle)) throw errors.validation('Not an Instagram handle.', [{ pointer: '/from', message: 'letters, digits, . and _ (at most 30)' }]);
    return { instagramHandle: handle.toLowerCase() };
  }
  if (channel === 'facebook') {
    if (!/^[A-Za-z0-9._:/-]{1,200}$/.test(handle)) throw errors.validation('Not a Facebook profile id or URL.', [{ pointer: '/from', message: 'invalid' }]);
    return { facebookProfile: handle };
  }
  throw new AppError(422, 'unsupported_sender', `A ${channel} sender id cannot be kept on a lead: send the sender's phone number or email address as "from".`,
    [{ pointer: '/from', message: 'a phone number or an email address' }]);
}

/** A signed-up user with this email (the lookup runs in the identity scope; the transaction's own context is restored). */
async function userByEmail(tx: Tx, email: string): Promise<string | null> {
  const ctx = tx.ctx;
  await tx.setContext({ scope: 'auth', orgId: ctx.orgId ?? null, userId: ctx.userId ?? null });
  try {
    const [u] = await tx.query<{ id: string }>('SELECT id FROM users WHERE email_key = $1 AND deleted_at IS NULL', [email.toLowerCase()]);
    return u?.id ?? null;
  } finally {
    await tx.setContext(ctx);
  }
}

/**
 * An inbound message on a channel (its metadata only, never its text): finds the live lead of the
 * sender or creates one (source = channel), links the user with the lead's email when one exists,
 * records an inbound_message journey event and the interaction time.
 */
export async function recordInboundMessage(tx: Tx, origin: AuditOrigin, m: InboundMessage, now: Date): Promise<InboundResult> {
  const org = await orgSettings(tx);
  const keys = senderKeys(m.channel, m.from, org.country);
  await lockKeys(tx, contactLockKeys(keys));
  let lead = await findLiveLead(tx, keys);
  let leadCreated = false;
  if (!lead) {
    const id = await insertLead(tx, origin, {
      firstName: m.firstName, email: keys.email, phone: keys.phone, instagramHandle: keys.instagramHandle, facebookProfile: keys.facebookProfile,
      source: m.channel, lastInteractionAt: m.receivedAt, createdBy: tx.ctx.userId ?? null,
    }, now);
    lead = (await leadById(tx, id))!;
    leadCreated = true;
  } else {
    if (m.firstName) await tx.query('UPDATE leads SET first_name = COALESCE(first_name, $2) WHERE org_id = visage_current_org() AND id = $1', [lead.id, m.firstName]);
    await touch(tx, lead.id, m.receivedAt, now);
  }
  let userId = lead.user_id;
  if (!userId && lead.email) {
    userId = await userByEmail(tx, lead.email);
    if (userId) await tx.query('UPDATE leads SET user_id = $2, updated_at = $3 WHERE org_id = visage_current_org() AND id = $1', [lead.id, userId, now]);
  }
  await addJourneyEvent(tx, {
    leadId: lead.id, userId, eventType: 'inbound_message', source: m.channel, sessionId: m.sessionId, at: m.receivedAt,
    data: { channel: m.channel, new_lead: leadCreated },
  }, now);
  if (!leadCreated) await audit(tx, origin, { action: 'update', entityType: 'lead', entityId: lead.id, details: { via: 'inbound_message', channel: m.channel } });
  await rescoreLead(tx, lead.id, now);
  return { leadId: lead.id, leadCreated, userId };
}
