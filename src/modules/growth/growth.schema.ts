import { sql } from 'drizzle-orm';
import { bigint, boolean, check, date, foreignKey, index, integer, jsonb, pgTable, primaryKey, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, deletedAt, id, orgId, updatedAt } from '../../platform/db/columns.js';
import { organizations } from '../identity/identity.schema.js';

/*
 * The growth context (seed 004 MedSpa Growth Hub + the marketing part of seed 003). No PHI by
 * construction: no table here has a column for a last name, medical history, diagnosis, photos or
 * consent forms. The only link to the chart is a lead's patient_id, an opaque id. Growth rows are
 * not medical records, so the app may delete them (the retention job does, after soft delete).
 */

export const CAMPAIGN_PLATFORMS = ['facebook', 'instagram', 'google', 'tiktok', 'youtube', 'email', 'sms', 'referral', 'website', 'other'] as const;
export const CAMPAIGN_TYPES = ['email', 'social_media', 'google_ads', 'facebook_ads', 'referral'] as const;
export const CAMPAIGN_STATUSES = ['draft', 'active', 'paused', 'completed'] as const;
export const STAGE_KINDS = ['new', 'contacted', 'consult_booked', 'won', 'lost', 'open'] as const;
export const LEAD_STATUSES = ['new', 'contacted', 'qualified', 'converted', 'lost'] as const;
export const AGE_GROUPS = ['18-24', '25-34', '35-44', '45-54', '55-64', '65+'] as const;
export const PROCEDURE_CODES = ['BTX', 'FILLER', 'LASER', 'RHINO', 'BREAST', 'TUMMY', 'FACE'] as const;
export const ACTIVITY_TYPES = ['sms_sent', 'email_sent', 'call', 'form_submit', 'stage_change', 'tag_added'] as const;
export const KPI_KINDS = ['ad_click', 'consult_booked', 'consult_show', 'invoice_paid'] as const;
export const PROVIDER_ROLES = ['surgeon', 'doctor', 'nurse', 'injector', 'aesthetician', 'consultant', 'coordinator', 'other'] as const;

const inList = (col: unknown, list: readonly string[]) => sql`${col} IN (${sql.raw(list.map((v) => `'${v}'`).join(', '))})`;

/** Seed 004 Campaign (platform, monthly spend) with seed 003 marketing_campaigns (type, status, audience, budget, dates). */
export const campaigns = pgTable('campaigns', {
  id: id(),
  orgId: orgId().references(() => organizations.id),
  name: text('name').notNull(),
  platform: text('platform', { enum: CAMPAIGN_PLATFORMS }).notNull(),
  type: text('type', { enum: CAMPAIGN_TYPES }),
  status: text('status', { enum: CAMPAIGN_STATUSES }).notNull().default('draft'),
  targetAudience: jsonb('target_audience').notNull().default(sql`'{}'::jsonb`),
  monthlySpendMinor: bigint('monthly_spend_minor', { mode: 'number' }).notNull().default(0),
  budgetMinor: bigint('budget_minor', { mode: 'number' }),
  currency: text('currency').notNull(),
  startDate: date('start_date'),
  endDate: date('end_date'),
  createdBy: uuid('created_by'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
  deletedAt: deletedAt(),
}, (t) => [
  unique('campaigns_org_id_key').on(t.orgId, t.id),
  uniqueIndex('campaigns_org_name_key').on(t.orgId, sql`lower(${t.name})`).where(sql`${t.deletedAt} IS NULL`),
  check('campaigns_platform_check', inList(t.platform, CAMPAIGN_PLATFORMS)),
  check('campaigns_type_check', sql`${t.type} IS NULL OR ${inList(t.type, CAMPAIGN_TYPES)}`),
  check('campaigns_status_check', inList(t.status, CAMPAIGN_STATUSES)),
  check('campaigns_spend_check', sql`${t.monthlySpendMinor} >= 0 AND (${t.budgetMinor} IS NULL OR ${t.budgetMinor} >= 0)`),
  check('campaigns_currency_check', sql`${t.currency} ~ '^[A-Z]{3}$'`),
  check('campaigns_dates_check', sql`${t.endDate} IS NULL OR ${t.startDate} IS NULL OR ${t.endDate} >= ${t.startDate}`),
]);

/**
 * What a campaign actually spent in a calendar month (first day of the month). Where a month has
 * no row, the funnel counts the campaign's monthly_spend for the months it ran.
 */
export const campaignSpend = pgTable('campaign_spend', {
  id: id(),
  orgId: orgId().references(() => organizations.id),
  campaignId: uuid('campaign_id').notNull(),
  month: date('month').notNull(),
  amountMinor: bigint('amount_minor', { mode: 'number' }).notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  foreignKey({ columns: [t.orgId, t.campaignId], foreignColumns: [campaigns.orgId, campaigns.id], name: 'campaign_spend_campaign_fk' }),
  uniqueIndex('campaign_spend_month_key').on(t.orgId, t.campaignId, t.month),
  check('campaign_spend_amount_check', sql`${t.amountMinor} >= 0`),
  check('campaign_spend_month_check', sql`extract(day from ${t.month}) = 1`),
]);

/** Seed 004 PipelineStage: unique name, unique order (deferrable, so stages can be reordered), colour; kind says what it means to the funnel. */
export const pipelineStages = pgTable('pipeline_stages', {
  id: id(),
  orgId: orgId().references(() => organizations.id),
  name: text('name').notNull(),
  position: integer('position').notNull(),
  color: text('color').notNull(),
  kind: text('kind', { enum: STAGE_KINDS }).notNull().default('open'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  unique('pipeline_stages_org_id_key').on(t.orgId, t.id),
  uniqueIndex('pipeline_stages_org_name_key').on(t.orgId, sql`lower(${t.name})`),
  // pipeline_stages_org_position_key (org_id, position) DEFERRABLE INITIALLY DEFERRED is in 0011_growth_rls.sql
  check('pipeline_stages_kind_check', inList(t.kind, STAGE_KINDS)),
  check('pipeline_stages_color_check', sql`${t.color} ~ '^#[0-9a-fA-F]{6}$'`),
  check('pipeline_stages_position_check', sql`${t.position} >= 0`),
]);

/** Seed 004 Tag: procedure interest (Botox, Filler, Surgery...). */
export const tags = pgTable('tags', {
  id: id(),
  orgId: orgId().references(() => organizations.id),
  name: text('name').notNull(),
  color: text('color').notNull(),
  createdAt: createdAt(),
}, (t) => [
  unique('tags_org_id_key').on(t.orgId, t.id),
  uniqueIndex('tags_org_name_key').on(t.orgId, sql`lower(${t.name})`),
  check('tags_color_check', sql`${t.color} ~ '^#[0-9a-fA-F]{6}$'`),
]);

/**
 * Seed 004 Lead with seed 003's non-medical enrichment. First name only (seed 004's PHI policy
 * overrides seed 003's last_name). `rank` orders cards within a stage (fractional index, compared
 * in the C collation, so a card always fits between two others).
 */
export const leads = pgTable('leads', {
  id: id(),
  orgId: orgId().references(() => organizations.id),
  externalId: text('external_id'),
  firstName: text('first_name'),
  email: text('email'),
  phone: text('phone'),
  source: text('source').notNull(),
  campaignId: uuid('campaign_id'),
  adPlatform: text('ad_platform'),
  stageId: uuid('stage_id').notNull(),
  rank: text('rank').notNull(),
  status: text('status', { enum: LEAD_STATUSES }).notNull().default('new'),
  leadScore: integer('lead_score').notNull().default(0),
  scoreFactors: jsonb('score_factors').notNull().default(sql`'[]'::jsonb`),
  scoredAt: timestamp('scored_at', { withTimezone: true }),
  assignedUserId: uuid('assigned_user_id'),
  userId: uuid('user_id'),
  patientId: uuid('patient_id'),
  country: text('country'),
  city: text('city'),
  ageGroup: text('age_group', { enum: AGE_GROUPS }),
  timezone: text('timezone'),
  dealValueMinor: bigint('deal_value_minor', { mode: 'number' }),
  currency: text('currency').notNull(),
  linkedinUrl: text('linkedin_url'),
  xHandle: text('x_handle'),
  instagramHandle: text('instagram_handle'),
  facebookProfile: text('facebook_profile'),
  tiktokHandle: text('tiktok_handle'),
  redditHandle: text('reddit_handle'),
  summary: text('summary'),
  /*
   * Lower-cased contact keys for finding a lead by email or handle. Stored, because under row-level
   * security a condition on lower(column) cannot use an index (lower() is not leakproof, so it may
   * only run after the policy): `email_key = $1` can.
   */
  emailKey: text('email_key').generatedAlwaysAs(sql`lower(email)`),
  instagramKey: text('instagram_key').generatedAlwaysAs(sql`lower(instagram_handle)`),
  facebookKey: text('facebook_key').generatedAlwaysAs(sql`lower(facebook_profile)`),
  lastInteractionAt: timestamp('last_interaction_at', { withTimezone: true }),
  /** Consent to be contacted (marketing), not medical consent: when, how, and the wording version shown. */
  contactConsentAt: timestamp('contact_consent_at', { withTimezone: true }),
  contactConsentSource: text('contact_consent_source'),
  /** Funnel milestones, maintained by triggers (0013) from activities, stage history and KPI events. */
  firstContactedAt: timestamp('first_contacted_at', { withTimezone: true }),
  consultBookedAt: timestamp('consult_booked_at', { withTimezone: true }),
  consultShowedAt: timestamp('consult_showed_at', { withTimezone: true }),
  /** Sum of the lead's live invoice_paid KPI events (trigger-maintained). */
  revenueMinor: bigint('revenue_minor', { mode: 'number' }).notNull().default(0),
  wonAt: timestamp('won_at', { withTimezone: true }),
  lostAt: timestamp('lost_at', { withTimezone: true }),
  lostReason: text('lost_reason'),
  createdBy: uuid('created_by'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
  deletedAt: deletedAt(),
}, (t) => [
  unique('leads_org_id_key').on(t.orgId, t.id),
  uniqueIndex('leads_org_external_key').on(t.orgId, t.externalId).where(sql`${t.externalId} IS NOT NULL`),
  foreignKey({ columns: [t.orgId, t.campaignId], foreignColumns: [campaigns.orgId, campaigns.id], name: 'leads_campaign_fk' }),
  foreignKey({ columns: [t.orgId, t.stageId], foreignColumns: [pipelineStages.orgId, pipelineStages.id], name: 'leads_stage_fk' }),
  index('leads_board_idx').on(t.orgId, t.stageId, t.rank),
  index('leads_created_idx').on(t.orgId, t.createdAt),
  index('leads_source_idx').on(t.orgId, t.source),
  index('leads_campaign_idx').on(t.orgId, t.campaignId, t.createdAt),
  index('leads_patient_idx').on(t.orgId, t.patientId).where(sql`${t.patientId} IS NOT NULL`),
  index('leads_email_key_idx').on(t.orgId, t.emailKey),
  index('leads_phone_idx').on(t.orgId, t.phone),
  index('leads_instagram_key_idx').on(t.orgId, t.instagramKey).where(sql`${t.instagramKey} IS NOT NULL`),
  index('leads_facebook_key_idx').on(t.orgId, t.facebookKey).where(sql`${t.facebookKey} IS NOT NULL`),
  check('leads_status_check', inList(t.status, LEAD_STATUSES)),
  check('leads_score_check', sql`${t.leadScore} BETWEEN 0 AND 100`),
  check('leads_age_group_check', sql`${t.ageGroup} IS NULL OR ${inList(t.ageGroup, AGE_GROUPS)}`),
  check('leads_phone_check', sql`${t.phone} IS NULL OR ${t.phone} ~ '^\\+[1-9][0-9]{6,14}$'`),
  check('leads_deal_value_check', sql`${t.dealValueMinor} IS NULL OR ${t.dealValueMinor} >= 0`),
  check('leads_currency_check', sql`${t.currency} ~ '^[A-Z]{3}$'`),
]);

/** Seed 004 LeadTag: unique (lead, tag). */
export const leadTags = pgTable('lead_tags', {
  id: id(),
  orgId: orgId().references(() => organizations.id),
  leadId: uuid('lead_id').notNull(),
  tagId: uuid('tag_id').notNull(),
  createdAt: createdAt(),
}, (t) => [
  foreignKey({ columns: [t.orgId, t.leadId], foreignColumns: [leads.orgId, leads.id], name: 'lead_tags_lead_fk' }).onDelete('cascade'),
  foreignKey({ columns: [t.orgId, t.tagId], foreignColumns: [tags.orgId, tags.id], name: 'lead_tags_tag_fk' }).onDelete('cascade'),
  uniqueIndex('lead_tags_pair_key').on(t.orgId, t.leadId, t.tagId),
  index('lead_tags_tag_idx').on(t.orgId, t.tagId),
]);

/** Seed 004 LeadStage: every stage a lead entered, when (never in the future) and from where. */
export const leadStageHistory = pgTable('lead_stage_history', {
  id: id(),
  orgId: orgId().references(() => organizations.id),
  leadId: uuid('lead_id').notNull(),
  stageId: uuid('stage_id').notNull(),
  fromStageId: uuid('from_stage_id'),
  changedAt: timestamp('changed_at', { withTimezone: true }).notNull(),
  changedBy: uuid('changed_by'),
}, (t) => [
  foreignKey({ columns: [t.orgId, t.leadId], foreignColumns: [leads.orgId, leads.id], name: 'lead_stage_history_lead_fk' }).onDelete('cascade'),
  foreignKey({ columns: [t.orgId, t.stageId], foreignColumns: [pipelineStages.orgId, pipelineStages.id], name: 'lead_stage_history_stage_fk' }),
  index('lead_stage_history_lead_idx').on(t.orgId, t.leadId, t.changedAt),
  index('lead_stage_history_changed_idx').on(t.orgId, t.changedAt),
]);

/** Seed 004 Opportunity: one per lead; expected value positive; expected date not in the past (checked by the service on the org's calendar). */
export const opportunities = pgTable('opportunities', {
  id: id(),
  orgId: orgId().references(() => organizations.id),
  leadId: uuid('lead_id').notNull(),
  expectedValueMinor: bigint('expected_value_minor', { mode: 'number' }).notNull(),
  currency: text('currency').notNull(),
  procedureCode: text('procedure_code', { enum: PROCEDURE_CODES }).notNull(),
  expectedDate: date('expected_date'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  foreignKey({ columns: [t.orgId, t.leadId], foreignColumns: [leads.orgId, leads.id], name: 'opportunities_lead_fk' }).onDelete('cascade'),
  uniqueIndex('opportunities_lead_key').on(t.orgId, t.leadId),
  check('opportunities_value_check', sql`${t.expectedValueMinor} > 0`),
  check('opportunities_procedure_check', inList(t.procedureCode, PROCEDURE_CODES)),
  check('opportunities_currency_check', sql`${t.currency} ~ '^[A-Z]{3}$'`),
]);

/** Seed 004 Activity: every interaction; payload validated per type by the service. Kept 3 years. */
export const activities = pgTable('activities', {
  id: id(),
  orgId: orgId().references(() => organizations.id),
  leadId: uuid('lead_id').notNull(),
  type: text('type', { enum: ACTIVITY_TYPES }).notNull(),
  payload: jsonb('payload').notNull().default(sql`'{}'::jsonb`),
  actorUserId: uuid('actor_user_id'),
  createdAt: createdAt(),
  deletedAt: deletedAt(),
}, (t) => [
  foreignKey({ columns: [t.orgId, t.leadId], foreignColumns: [leads.orgId, leads.id], name: 'activities_lead_fk' }).onDelete('cascade'),
  index('activities_lead_idx').on(t.orgId, t.leadId, t.createdAt),
  index('activities_created_idx').on(t.orgId, t.createdAt),
  check('activities_type_check', inList(t.type, ACTIVITY_TYPES)),
]);

/**
 * Seed 004 KpiEvent. campaign_id and source are copied from the lead when the event is recorded,
 * so the funnel reads one table. source_ref makes an event idempotent (an invoice id, a session
 * id). Kept 5 years.
 */
export const kpiEvents = pgTable('kpi_events', {
  id: id(),
  orgId: orgId().references(() => organizations.id),
  leadId: uuid('lead_id').notNull(),
  kind: text('kind', { enum: KPI_KINDS }).notNull(),
  valueMinor: bigint('value_minor', { mode: 'number' }),
  currency: text('currency'),
  occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
  metadata: jsonb('metadata').notNull().default(sql`'{}'::jsonb`),
  campaignId: uuid('campaign_id'),
  source: text('source'),
  procedureCode: text('procedure_code', { enum: PROCEDURE_CODES }),
  providerId: uuid('provider_id'),
  sourceRef: text('source_ref'),
  createdAt: createdAt(),
  deletedAt: deletedAt(),
}, (t) => [
  foreignKey({ columns: [t.orgId, t.leadId], foreignColumns: [leads.orgId, leads.id], name: 'kpi_events_lead_fk' }).onDelete('cascade'),
  uniqueIndex('kpi_events_source_ref_key').on(t.orgId, t.kind, t.sourceRef).where(sql`${t.sourceRef} IS NOT NULL`),
  index('kpi_events_occurred_idx').on(t.orgId, t.occurredAt),
  index('kpi_events_kind_idx').on(t.orgId, t.kind, t.occurredAt),
  index('kpi_events_lead_idx').on(t.orgId, t.leadId, t.occurredAt),
  index('kpi_events_provider_idx').on(t.orgId, t.providerId, t.occurredAt).where(sql`${t.providerId} IS NOT NULL`),
  check('kpi_events_kind_check', inList(t.kind, KPI_KINDS)),
  check('kpi_events_value_check', sql`(${t.kind} <> 'invoice_paid' OR (${t.valueMinor} IS NOT NULL AND ${t.valueMinor} > 0)) AND (${t.valueMinor} IS NULL OR ${t.valueMinor} > 0)`),
  check('kpi_events_currency_check', sql`${t.currency} IS NULL OR ${t.currency} ~ '^[A-Z]{3}$'`),
  check('kpi_events_procedure_check', sql`${t.procedureCode} IS NULL OR ${inList(t.procedureCode, PROCEDURE_CODES)}`),
]);

/** Seed 003 patient_journey_events, keyed on the lead (and the user/patient once identified): the path a prospect took. */
export const journeyEvents = pgTable('journey_events', {
  id: id(),
  orgId: orgId().references(() => organizations.id),
  leadId: uuid('lead_id'),
  userId: uuid('user_id'),
  patientId: uuid('patient_id'),
  eventType: text('event_type').notNull(),
  data: jsonb('data').notNull().default(sql`'{}'::jsonb`),
  source: text('source'),
  sessionId: text('session_id'),
  createdAt: createdAt(),
  deletedAt: deletedAt(),
}, (t) => [
  foreignKey({ columns: [t.orgId, t.leadId], foreignColumns: [leads.orgId, leads.id], name: 'journey_events_lead_fk' }).onDelete('cascade'),
  index('journey_events_lead_idx').on(t.orgId, t.leadId, t.createdAt),
  index('journey_events_created_idx').on(t.orgId, t.createdAt),
  check('journey_events_type_check', sql`${t.eventType} ~ '^[a-z][a-z0-9_]{1,59}$'`),
]);

/** Seed 004 Provider: who earns commission (surgeon, nurse, consultant...), optionally a practitioner of the directory. */
export const commissionProviders = pgTable('commission_providers', {
  id: id(),
  orgId: orgId().references(() => organizations.id),
  name: text('name').notNull(),
  role: text('role', { enum: PROVIDER_ROLES }).notNull(),
  practitionerId: uuid('practitioner_id'),
  isActive: boolean('is_active').notNull().default(true),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
  deletedAt: deletedAt(),
}, (t) => [
  unique('commission_providers_org_id_key').on(t.orgId, t.id),
  check('commission_providers_role_check', inList(t.role, PROVIDER_ROLES)),
]);

/** Seed 004 CommissionRule: rule_json in the rule language of docs/commissions.md, validated on write. */
export const commissionRules = pgTable('commission_rules', {
  id: id(),
  orgId: orgId().references(() => organizations.id),
  providerId: uuid('provider_id').notNull(),
  name: text('name').notNull(),
  rule: jsonb('rule').notNull(),
  effectiveFrom: date('effective_from'),
  effectiveTo: date('effective_to'),
  isActive: boolean('is_active').notNull().default(true),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
  deletedAt: deletedAt(),
}, (t) => [
  foreignKey({ columns: [t.orgId, t.providerId], foreignColumns: [commissionProviders.orgId, commissionProviders.id], name: 'commission_rules_provider_fk' }),
  index('commission_rules_provider_idx').on(t.orgId, t.providerId),
  check('commission_rules_dates_check', sql`${t.effectiveTo} IS NULL OR ${t.effectiveFrom} IS NULL OR ${t.effectiveTo} >= ${t.effectiveFrom}`),
]);

/** An organization's external CRM connection (GoHighLevel): the webhook signing secret, encrypted. */
export const crmIntegrations = pgTable('crm_integrations', {
  id: id(),
  orgId: orgId().references(() => organizations.id),
  provider: text('provider', { enum: ['gohighlevel'] }).notNull(),
  secretEnc: text('secret_enc').notNull(),
  isActive: boolean('is_active').notNull().default(true),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  uniqueIndex('crm_integrations_provider_key').on(t.orgId, t.provider),
  check('crm_integrations_provider_check', sql`${t.provider} IN ('gohighlevel')`),
]);

/** Each webhook delivery once: a repeated delivery (same id) returns the first outcome and changes nothing. */
export const crmDeliveries = pgTable('crm_deliveries', {
  id: id(),
  orgId: orgId().references(() => organizations.id),
  provider: text('provider').notNull(),
  deliveryId: text('delivery_id').notNull(),
  payloadSha256: text('payload_sha256').notNull(),
  leadId: uuid('lead_id'),
  outcome: jsonb('outcome').notNull().default(sql`'{}'::jsonb`),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  uniqueIndex('crm_deliveries_key').on(t.orgId, t.provider, t.deliveryId),
  index('crm_deliveries_received_idx').on(t.orgId, t.receivedAt),
]);

/** What each retention run removed, per table, with the cut-off it applied. */
export const growthRetentionRuns = pgTable('growth_retention_runs', {
  id: id(),
  orgId: orgId().references(() => organizations.id),
  ranAt: timestamp('ran_at', { withTimezone: true }).notNull(),
  cutoffs: jsonb('cutoffs').notNull(),
  removed: jsonb('removed').notNull(),
}, (t) => [index('growth_retention_runs_idx').on(t.orgId, t.ranAt)]);

/**
 * The funnel rollup: per organization, day of lead creation (in the organization's timezone),
 * campaign, source and platform, how many leads were created and how many of those went on to be
 * contacted, book a consult, show, be won, and the revenue they brought. Maintained by a trigger on
 * leads (0013), so the funnel reads a few thousand rows instead of a million leads. campaign_key is
 * the campaign id or the nil uuid; platform is '' when unknown (keys without NULLs).
 */
export const growthFunnelDaily = pgTable('growth_funnel_daily', {
  orgId: orgId().references(() => organizations.id),
  day: date('day').notNull(),
  campaignKey: uuid('campaign_key').notNull(),
  source: text('source').notNull(),
  platform: text('platform').notNull(),
  leads: integer('leads').notNull().default(0),
  contacted: integer('contacted').notNull().default(0),
  booked: integer('booked').notNull().default(0),
  showed: integer('showed').notNull().default(0),
  won: integer('won').notNull().default(0),
  revenueMinor: bigint('revenue_minor', { mode: 'number' }).notNull().default(0),
}, (t) => [primaryKey({ columns: [t.orgId, t.day, t.campaignKey, t.source, t.platform] })]);
