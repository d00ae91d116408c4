/**
 * The growth API's shapes as the screens use them (snake_case JSON, money in integer minor units).
 * Lists arrive as `{items, next_cursor}` pages; a few small lists as plain arrays (see itemsOf).
 */
export const PROCEDURE_CODES = ['BTX', 'FILLER', 'LASER', 'RHINO', 'BREAST', 'TUMMY', 'FACE'] as const;
export const CAMPAIGN_PLATFORMS = ['facebook', 'instagram', 'google', 'tiktok', 'youtube', 'email', 'sms', 'referral', 'website', 'other'] as const;
export const CAMPAIGN_TYPES = ['email', 'social_media', 'google_ads', 'facebook_ads', 'referral'] as const;
export const CAMPAIGN_STATUSES = ['draft', 'active', 'paused', 'completed'] as const;
export const ACTIVITY_TYPES = ['sms_sent', 'email_sent', 'call', 'form_submit', 'stage_change', 'tag_added'] as const;
export const LEAD_SOURCES = ['facebook', 'instagram', 'google', 'tiktok', 'youtube', 'referral', 'website', 'walk_in', 'phone', 'email', 'other'] as const;
export const GROUP_BY = ['campaign', 'source', 'platform', 'month'] as const;
export const STAGE_KINDS = ['new', 'contacted', 'consult_booked', 'won', 'lost', 'open'] as const;
export const AGE_GROUPS = ['18-24', '25-34', '35-44', '45-54', '55-64', '65+'] as const;
export const KPI_KINDS = ['consult_booked', 'consult_show', 'invoice_paid', 'ad_click'] as const;
/** The lead's social profiles, as the API names them. */
export const SOCIAL_FIELDS = ['instagram_handle', 'facebook_profile', 'tiktok_handle', 'x_handle', 'reddit_handle', 'linkedin_url'] as const;

export type ActivityType = (typeof ACTIVITY_TYPES)[number];
export type GroupBy = (typeof GROUP_BY)[number];

export interface TagRef { id: string; name: string; color: string }
export interface Tag extends TagRef { lead_count?: number }

export interface Stage {
  id: string; name: string; position: number; color: string; kind: 'new' | 'contacted' | 'consult_booked' | 'won' | 'lost' | 'open'; lead_count?: number;
}

export interface CampaignRef { id: string; name: string; platform?: string }

export interface BoardCard {
  id: string;
  first_name: string | null;
  source: string;
  campaign: CampaignRef | null;
  lead_score: number;
  deal_value_minor: number | null;
  currency: string;
  tags: TagRef[];
  last_interaction_at: string | null;
  rank?: string;
}

export interface BoardColumn extends Stage {
  count: number;
  deal_value_minor: number;
  cards: BoardCard[];
}

export interface Board { currency: string; stages: BoardColumn[] }

export interface ScoreFactor { factor: string; points: number; max: number; reason: string }

export interface Opportunity {
  expected_value_minor: number; currency: string; procedure_code: (typeof PROCEDURE_CODES)[number]; expected_date: string | null;
}

export interface Lead {
  id: string;
  external_id?: string | null;
  first_name: string | null;
  email: string | null;
  phone: string | null;
  source: string;
  campaign_id: string | null;
  campaign_name: string | null;
  ad_platform?: string | null;
  stage_id: string;
  stage_name: string;
  stage_kind: Stage['kind'];
  stage_color: string;
  status: string;
  lead_score: number;
  score_factors?: ScoreFactor[];
  scored_at?: string | null;
  tags?: TagRef[];
  opportunity?: Opportunity | null;
  deal_value_minor?: number | null;
  currency?: string;
  country?: string | null;
  city?: string | null;
  age_group?: (typeof AGE_GROUPS)[number] | null;
  timezone?: string | null;
  summary?: string | null;
  assigned_user_id?: string | null;
  user_id?: string | null;
  linkedin_url?: string | null;
  x_handle?: string | null;
  instagram_handle?: string | null;
  facebook_profile?: string | null;
  tiktok_handle?: string | null;
  reddit_handle?: string | null;
  contact_consent?: boolean;
  contact_consent_at?: string | null;
  contact_consent_source?: string | null;
  patient_id?: string | null;
  last_interaction_at?: string | null;
  won_at?: string | null;
  lost_at?: string | null;
  lost_reason?: string | null;
  created_at: string;
  updated_at?: string;
}

export interface Activity {
  id: string; lead_id: string; type: ActivityType; payload: Record<string, unknown>; actor_user_id: string | null; actor_name?: string | null; created_at: string;
}

export interface StageHistoryEntry {
  id: string; stage_id: string; stage_name?: string | null; stage?: { id: string; name: string; color?: string } | null;
  from_stage_id: string | null; from_stage_name?: string | null; from_stage?: { id: string; name: string } | null;
  changed_at: string; changed_by?: string | null; changed_by_name?: string | null;
}

export interface JourneyEvent {
  id: string; event_type: string; data: Record<string, unknown>; source: string | null; session_id: string | null; created_at: string;
}

export interface Campaign {
  id: string; name: string; platform: (typeof CAMPAIGN_PLATFORMS)[number]; type: (typeof CAMPAIGN_TYPES)[number] | null;
  status: (typeof CAMPAIGN_STATUSES)[number]; monthly_spend_minor: number; budget_minor: number | null; currency: string;
  start_date: string | null; end_date: string | null; lead_count?: number; spend_to_date_minor?: number;
  target_audience?: Record<string, unknown>;
}

/** A month of a campaign's spend: what was recorded, what was planned, and what the funnel counts. */
export interface SpendMonth { month: string; recorded_minor: number | null; planned_minor: number; amount_minor: number; basis: 'recorded' | 'planned'; recorded: boolean }
export interface Spend { campaign_id: string; currency: string; months: SpendMonth[]; spend_to_date_minor: number }

export interface FunnelRow {
  key: string; label: string; leads: number; contacted: number; consults_booked: number; shows: number; won: number;
  revenue_minor: number; spend_minor: number; cost_per_lead_minor: number | null; cost_per_consult_minor: number | null;
  show_rate: number | null; close_rate: number | null; roas: number | null;
}
export interface Funnel { period: { from: string; to: string }; group_by: string; currency: string; rows: FunnelRow[]; totals: Omit<FunnelRow, 'key' | 'label'> }

export interface CohortRow extends FunnelRow { month: string; lead_to_won: number | null }
export interface Cohorts { from_month: string; to_month: string; currency: string; rows: CohortRow[]; totals: Omit<FunnelRow, 'key' | 'label'> }

export interface Provider { id: string; name: string; role: string; is_active: boolean; practitioner_id?: string | null }
export interface Counts { invoice_paid: number; consult_show: number; lines: number; excluded: number }
export interface StatementSummary {
  month: string; timezone: string; currency: string; total_minor: number;
  items: { provider: Provider; total_minor: number; currency: string; revenue_basis_minor: number; counts: Counts }[];
}
export interface StatementLine {
  line_type: 'event' | 'cap_adjustment'; event_id: string | null; event_kind: 'invoice_paid' | 'consult_show' | null; occurred_at: string | null;
  procedure_code: string | null; rule_id: string | null; rule_name: string; component_index: number | null; component_type: string | null;
  tier_index: number | null; basis_minor: number | null; rate_percent: number | null; flat_minor: number | null; commission_minor: number;
}
export interface Statement {
  provider: Provider; month: string; timezone: string; period: { from: string; to: string }; currency: string; counts: Counts;
  revenue_basis_minor: number; total_minor: number; lines: StatementLine[];
  excluded: { event_id: string; event_kind: string; occurred_at: string; procedure_code: string | null; value_minor: number | null; currency: string | null; reason: string; detail: string }[];
  rules: { rule_id: string | null; name: string; subtotal_minor: number; capped: boolean }[];
}
export interface Rule { id: string; provider_id: string; provider_name: string; name: string; rule: Record<string, unknown>; effective_from: string | null; effective_to: string | null; is_active: boolean }

export interface KpiEvent {
  id: string; lead_id: string; kind: (typeof KPI_KINDS)[number]; value_minor: number | null; currency: string | null; occurred_at: string;
  procedure_code: (typeof PROCEDURE_CODES)[number] | null; provider_id: string | null; source_ref: string | null; created_at: string;
}

/** A member of the organization (the admin pages' list): leads are assigned to and linked with its user_id. */
export interface Member { id: string; user_id: string; email: string; full_name: string; status: string; roles: string[] }

export interface CrmIntegration {
  provider: 'gohighlevel'; configured: boolean; is_active: boolean; webhook_url: string; signature_header: string;
  deliveries: number; last_delivery_at: string | null; created_at: string | null; updated_at: string | null;
}
export interface CrmSecret { provider: 'gohighlevel'; secret: string; rotated: boolean; webhook_url: string; signature_header: string }

export const RETENTION_TABLES = ['leads', 'activities', 'kpi_events', 'journey_events', 'lead_tags', 'lead_stage_history', 'opportunities'] as const;
export interface RetentionRun {
  run_id: string; ran_at: string; cutoffs: { activities: string; kpi_events: string; leads: string };
  removed: Record<(typeof RETENTION_TABLES)[number], number>;
}
