/**
 * A believable year of the demo clinic's growth work (issue 4 part 12), pure and deterministic
 * like demo.generate.ts: campaigns on several platforms with their spend, tags, about 2,000 leads
 * (first names only, example.* emails, E.164 phones) that walk the pipeline with stage history,
 * activities, KPI events, opportunities and kanban ranks, a few won leads that became demo
 * patients (their sessions are the revenue attributed to them), and commission providers with
 * rules. Nothing is dated on or after the start of `today`, so no time stamp is in the future.
 * `insertGrowth` writes it set-based; the database's triggers (0013) keep the lead milestones and
 * the funnel rollup.
 */
import { generateNKeysBetween } from 'fractional-indexing';
import type { Tx } from '../../platform/db/client.js';
import type { Deps } from '../../platform/deps.js';
import { audit } from '../../platform/audit/audit.service.js';
import { ENGAGEMENT_WINDOW_DAYS, scoreLead, type ScoreInputs } from '../growth/scoring.js';
import { newId } from '../../platform/crypto.js';
import { addDays, instantAt, weekday } from './calendar.js';
import { minorFactor, type DemoDataset } from './demo.generate.js';
import { insertTyped, type Columns } from './demo.insert.js';
import { Random } from './random.js';

type Row = Record<string, unknown>;
export type StageKindKey = 'new' | 'contacted' | 'consult_booked' | 'won' | 'lost';
export type ProcedureCode = 'BTX' | 'FILLER' | 'LASER' | 'RHINO' | 'BREAST' | 'TUMMY' | 'FACE';

export interface GrowthPlan {
  orgId: string; timezone: string; currency: string; country: string;
  /** The organization's calendar date on the day of the first start; everything happens before it. */
  today: string;
  seed: number;
  /** Leads per day on an average day (about 5.5 gives some 2,000 a year). */
  leadsPerDay: number;
  /** Demo patients who came in as leads (won leads linked to the patient they became). */
  linkedPatients: number;
  /** One stage per kind (the org's first of each kind, or the defaults seedGrowth inserts). */
  stages: Record<StageKindKey, { id: string; name: string }>;
  /** Who works the leads (marketer, front desk); the first is the default assignee. */
  assigneeIds: string[];
}

export interface GrowthDataset {
  campaigns: Row[]; campaignSpend: Row[]; tags: Row[]; leads: Row[]; leadTags: Row[]; history: Row[]; opportunities: Row[];
  activities: Row[]; kpiEvents: Row[]; journeyEvents: Row[]; providers: Row[]; rules: Row[];
}

/** The pipeline seed 004 starts with (same names, kinds and colours as the growth services' defaults). */
export const DEMO_STAGES: { name: string; kind: StageKindKey; color: string }[] = [
  { name: 'New', kind: 'new', color: '#3b82f6' },
  { name: 'Contacted', kind: 'contacted', color: '#f59e0b' },
  { name: 'Consult Booked', kind: 'consult_booked', color: '#8b5cf6' },
  { name: 'Won', kind: 'won', color: '#10b981' },
  { name: 'Lost', kind: 'lost', color: '#ef4444' },
];

/** A lead's status while it sits in a stage of a kind (as the stage mover sets it). */
const STATUS_OF: Record<StageKindKey, string> = { new: 'new', contacted: 'contacted', consult_booked: 'qualified', won: 'converted', lost: 'lost' };

interface CampaignSpec {
  name: string; platform: string; type: string; status: 'active' | 'paused' | 'completed' | 'draft';
  /** Days relative to today: when it ran (null end: still running); leads arrive from `from` to `stop`. */
  from: number; to: number | null; stop: number;
  /** Monthly spend in major units; lead weight while running; the procedure it sells. */
  spend: number; weight: number; procedure: ProcedureCode | null;
  audience: Record<string, unknown>;
}

const CAMPAIGNS: CampaignSpec[] = [
  { name: '春季肉毒優惠 Spring Botox', platform: 'facebook', type: 'facebook_ads', status: 'completed', from: -364, to: -250, stop: -250, spend: 60000, weight: 1.3, procedure: 'BTX',
    audience: { age_groups: ['25-34', '35-44'], countries: ['TW'], interests: ['botox', 'anti-aging'] } },
  { name: 'Google 搜尋｜肉毒 台北 Botox Taipei', platform: 'google', type: 'google_ads', status: 'active', from: -364, to: null, stop: 0, spend: 80000, weight: 1.4, procedure: 'BTX',
    audience: { countries: ['TW'], interests: ['肉毒 台北', 'botox taipei', '瘦小臉'] } },
  { name: 'Google 搜尋｜皮秒雷射 Pico Laser', platform: 'google', type: 'google_ads', status: 'active', from: -330, to: null, stop: 0, spend: 50000, weight: 1.0, procedure: 'LASER',
    audience: { countries: ['TW'], interests: ['皮秒', '淡斑', 'pico laser'] } },
  { name: 'IG Reels｜玻尿酸 Filler', platform: 'instagram', type: 'social_media', status: 'active', from: -300, to: null, stop: 0, spend: 45000, weight: 1.1, procedure: 'FILLER',
    audience: { age_groups: ['25-34'], countries: ['TW'], interests: ['beauty', 'makeup'] } },
  { name: 'TikTok 淨膚挑戰 Glow-up', platform: 'tiktok', type: 'social_media', status: 'paused', from: -200, to: null, stop: -60, spend: 40000, weight: 1.2, procedure: 'LASER',
    audience: { age_groups: ['18-24', '25-34'], countries: ['TW'], interests: ['skincare'] } },
  { name: '夏季雷射組合 Summer Laser Bundle', platform: 'facebook', type: 'facebook_ads', status: 'completed', from: -210, to: -120, stop: -120, spend: 55000, weight: 1.1, procedure: 'LASER',
    audience: { age_groups: ['25-34', '35-44', '45-54'], countries: ['TW'], interests: ['skincare', 'travel'] } },
  { name: '隆鼻諮詢週 Rhinoplasty Consult Week', platform: 'instagram', type: 'social_media', status: 'completed', from: -150, to: -70, stop: -70, spend: 70000, weight: 0.7, procedure: 'RHINO',
    audience: { age_groups: ['18-24', '25-34'], countries: ['TW'], interests: ['rhinoplasty'] } },
  { name: '音波拉提 HIFU Lifting', platform: 'facebook', type: 'facebook_ads', status: 'active', from: -120, to: null, stop: 0, spend: 65000, weight: 0.9, procedure: 'FACE',
    audience: { age_groups: ['35-44', '45-54', '55-64'], countries: ['TW'], interests: ['anti-aging', 'lifting'] } },
  { name: '好友推薦 Refer a Friend', platform: 'referral', type: 'referral', status: 'active', from: -364, to: null, stop: 0, spend: 8000, weight: 0.6, procedure: null,
    audience: { countries: ['TW'], interests: ['friends of patients'] } },
  { name: '會員電子報 Monthly Newsletter', platform: 'email', type: 'email', status: 'active', from: -364, to: null, stop: 0, spend: 3000, weight: 0.4, procedure: null,
    audience: { interests: ['newsletter members'] } },
  { name: '母親節禮卡 Mother’s Day Gift Card', platform: 'instagram', type: 'social_media', status: 'draft', from: 20, to: 50, stop: -400, spend: 50000, weight: 0, procedure: null,
    audience: { age_groups: ['25-34', '35-44'], countries: ['TW'], interests: ['gifts'] } },
];

/** Organic leads from the clinic's own site (no campaign), weight relative to the campaigns'. */
const WEBSITE_WEIGHT = 1.0;

const TAGS: { name: string; color: string }[] = [
  { name: 'Botox', color: '#6366f1' }, { name: 'Filler', color: '#ec4899' }, { name: 'Laser', color: '#f97316' }, { name: 'Lifting', color: '#14b8a6' },
  { name: 'Surgery', color: '#ef4444' }, { name: 'PMU', color: '#a855f7' }, { name: 'VIP', color: '#eab308' }, { name: 'Wedding', color: '#f43f5e' },
  { name: 'Price sensitive', color: '#64748b' },
];
const TAG_OF: Record<ProcedureCode, string> = { BTX: 'Botox', FILLER: 'Filler', LASER: 'Laser', FACE: 'Lifting', RHINO: 'Surgery', BREAST: 'Surgery', TUMMY: 'Surgery' };

/** Expected deal values in major units (TWD-like prices of the demo clinic's catalogue). */
const VALUE: Record<ProcedureCode, [number, number]> = {
  BTX: [5000, 12000], FILLER: [15000, 45000], LASER: [12000, 40000], FACE: [38000, 78000], RHINO: [120000, 250000], BREAST: [250000, 400000], TUMMY: [180000, 300000],
};

// Given names only: growth data never holds a surname.
const GIVEN_ZH: readonly (readonly [string, string])[] = [
  ['雅婷', 'yating'], ['怡君', 'yichun'], ['欣怡', 'hsinyi'], ['佳穎', 'chiaying'], ['宜蓁', 'yichen'], ['思妤', 'ssuyu'], ['詩涵', 'shihhan'],
  ['郁婷', 'yuting'], ['佩珊', 'peishan'], ['淑芬', 'shufen'], ['美玲', 'meiling'], ['雅惠', 'yahui'], ['靜宜', 'chingyi'], ['家瑜', 'chiayu'],
  ['婉婷', 'wanting'], ['筱涵', 'hsiaohan'], ['宛蓉', 'wanjung'], ['珮瑜', 'peiyu'], ['曉雯', 'hsiaowen'], ['芷瑜', 'chihyu'], ['品妍', 'pinyen'],
  ['語彤', 'yutung'], ['心怡', 'hsinyi'], ['惠君', 'huichun'], ['依庭', 'yiting'], ['子晴', 'tzuching'], ['姿穎', 'tzuying'], ['家豪', 'chiahao'],
  ['冠宇', 'kuanyu'], ['承恩', 'chengen'], ['俊傑', 'chunchieh'], ['柏翰', 'pohan'],
];
const GIVEN_EN = ['Vivian', 'Sharon', 'Joyce', 'Grace', 'Tiffany', 'Cindy', 'Irene', 'Peggy', 'Winnie', 'Yvonne', 'Amber', 'Fiona', 'Kelly', 'Jessica', 'Annie', 'Kevin', 'Jason'];
const DOMAINS = ['example.com', 'example.net', 'example.org'];
const CITIES: readonly (readonly [string, number])[] = [['Taipei', 50], ['New Taipei', 25], ['Taoyuan', 10], ['Hsinchu', 6], ['Taichung', 5], ['Keelung', 4]];
const AGE_GROUPS: readonly (readonly [string, number])[] = [['18-24', 12], ['25-34', 38], ['35-44', 28], ['45-54', 14], ['55-64', 6], ['65+', 2]];
/** Lead volume by calendar month (1-12): a pre-Lunar-New-Year and year-end rush, a quieter summer. */
const SEASON = [1.3, 1.15, 1.0, 1.0, 1.05, 0.9, 0.8, 0.85, 0.95, 1.0, 1.15, 1.4];

const LOST_EARLY = ['Invalid phone number', 'Duplicate enquiry', 'Spam form submission'];
const LOST_CONTACTED = ['No response after follow-ups', 'Not ready yet', 'Asked for prices only'];
const LOST_NO_SHOW = ['No-show, did not rebook'];
const LOST_AFTER_CONSULT = ['Chose another clinic', 'Price', 'Decided to wait', 'Thinking it over, stopped replying'];

const SMS_TEMPLATES = { first: 'first_reply', confirm: 'consult_confirmation', reminder: 'consult_reminder', noShow: 'missed_consult_rebook', nurture: 'promo_nurture', aftercare: 'thank_you_visit' };
const EMAIL_SUBJECTS: Record<ProcedureCode | 'general', string> = {
  BTX: '肉毒療程說明與價格 Botox pricing and what to expect', FILLER: '玻尿酸療程說明 Filler: options and pricing', LASER: '皮秒與淨膚雷射比較 Laser options compared',
  FACE: '音波拉提療程介紹 HIFU lifting explained', RHINO: '隆鼻諮詢須知 Rhinoplasty consultation: what to bring', BREAST: '諮詢須知 Your consultation: what to bring',
  TUMMY: '諮詢須知 Your consultation: what to bring', general: '歡迎來到美麗診所 Welcome to Visage Demo Clinic',
};
const FORMS = ['consult_request', 'price_enquiry', 'promo_signup'];
const SITE = 'https://demo-clinic.example.com';

/** Procedure code of a demo catalogue treatment (PMU has none). */
export function procedureOfTreatment(code: string): ProcedureCode | null {
  if (code.startsWith('BOT_')) return 'BTX';
  if (code.startsWith('HA_')) return 'FILLER';
  if (code.includes('LASER')) return 'LASER';
  if (code === 'HIFU' || code === 'RF_THERMAGE') return 'FACE';
  return null;
}

/** The given name of a demo patient ("陳雅婷" -> "雅婷", "Emily Nguyen" -> "Emily"). */
export function givenName(fullName: string): string {
  const trimmed = fullName.trim();
  return trimmed.includes(' ') ? trimmed.split(/\s+/)[0]! : trimmed.slice(1);
}

/** A Taiwanese number in E.164 ("0912-345-678" -> "+886912345678"). */
export function twE164(phone: string): string | null {
  const digits = phone.replace(/\D/g, '');
  return /^09\d{8}$/.test(digits) ? `+886${digits.slice(1)}` : null;
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

interface LeadState {
  row: Row; stage: StageKindKey; procedure: ProcedureCode | null; lastInteraction: number | null; events: number;
}

export function generateGrowth(plan: GrowthPlan, clinic: Pick<DemoDataset, 'patients' | 'visits' | 'sessions' | 'treatments' | 'practitioners'>): GrowthDataset {
  const rnd = new Random(plan.seed);
  const { orgId, today, timezone: tz, currency } = plan;
  const factor = minorFactor(currency);
  const at = (day: number, hour: number, minute: number) => instantAt(addDays(today, day), hour, minute, tz);
  const cutoff = at(0, 0, 0).getTime(); // nothing happens on or after the start of today
  const dayFormat = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' });
  const setupAt = at(-380, 9, 0);
  const assignees = plan.assigneeIds;
  const ds: GrowthDataset = { campaigns: [], campaignSpend: [], tags: [], leads: [], leadTags: [], history: [], opportunities: [], activities: [], kpiEvents: [], journeyEvents: [], providers: [], rules: [] };

  // Campaigns and what they spent.
  const campaigns = CAMPAIGNS.map((c) => {
    const id = newId();
    const start = addDays(today, c.from);
    const end = c.to === null ? null : addDays(today, c.to);
    // Budgeted for the months it runs (whole months, as spend is counted), ongoing ones through the next quarter, with some headroom.
    const months = Math.ceil(((c.to ?? 90) - c.from) / 30) + 1;
    ds.campaigns.push({ id, org_id: orgId, name: c.name, platform: c.platform, type: c.type, status: c.status, target_audience: c.audience,
      monthly_spend_minor: c.spend * factor, budget_minor: Math.round(c.spend * months * 1.15) * factor, currency, start_date: start, end_date: end,
      created_by: assignees[0] ?? null, created_at: at(Math.min(c.from, -1) - 7, 10, 0), updated_at: at(Math.min(c.to ?? -1, -1), 18, 0) });
    return { ...c, id };
  });
  // Recorded spend for the last six full months each campaign ran (older months fall back to monthly spend).
  const thisMonth = `${today.slice(0, 7)}-01`;
  for (const c of campaigns) {
    if (c.status === 'draft') continue;
    for (let k = 1; k <= 6; k++) {
      const month = monthsBefore(thisMonth, k);
      const monthEnd = addDays(monthsBefore(thisMonth, k - 1), -1);
      if (month < `${addDays(today, c.from).slice(0, 7)}-01` || (c.to !== null && month > addDays(today, c.to))) continue;
      if (monthEnd > addDays(today, -1)) continue;
      const amount = Math.round(c.spend * (0.8 + rnd.next() * 0.35)) * factor;
      // Entered from the ad account's invoice a few days after the month closed (never later than yesterday).
      const entered = new Date(Math.min(instantAt(addDays(monthEnd, 3), 9, 30, tz).getTime(), cutoff - 6 * HOUR));
      ds.campaignSpend.push({ id: newId(), org_id: orgId, campaign_id: c.id, month, amount_minor: amount, created_at: entered, updated_at: entered });
    }
  }

  const tagIds = new Map<string, string>();
  for (const t of TAGS) {
    const id = newId();
    tagIds.set(t.name, id);
    ds.tags.push({ id, org_id: orgId, name: t.name, color: t.color, created_at: setupAt });
  }

  // Commission providers, linked to the clinic's practitioners where one does the work.
  const practitionerByCode = new Map(clinic.practitioners.map((p) => [String(p.code), p]));
  const provider = (name: string, role: string, practitionerCode: string | null) => {
    const pr = practitionerCode ? practitionerByCode.get(practitionerCode) : undefined;
    const id = newId();
    ds.providers.push({ id, org_id: orgId, name: pr ? String(pr.full_name) : name, role, practitioner_id: pr?.id ?? null, is_active: true, created_at: setupAt, updated_at: setupAt });
    return id;
  };
  const surgeon = provider('Dr. Chang Chih-Hao', 'surgeon', 'doc_02');
  const injector = provider('Chen Yi-Chun', 'injector', 'nurse_01');
  const consultant = provider('黃心怡 Consultant Huang', 'consultant', null);
  const effectiveFrom = addDays(today, -380);
  const rule = (providerId: string, name: string, json: Record<string, unknown>) =>
    ds.rules.push({ id: newId(), org_id: orgId, provider_id: providerId, name, rule: json, effective_from: effectiveFrom, effective_to: null, is_active: true, created_at: setupAt, updated_at: setupAt });
  rule(surgeon, 'Surgery 8%, lifting 5%', { version: 1, components: [
    { type: 'percent_of_revenue', percent: 8, procedure_codes: ['RHINO', 'BREAST', 'TUMMY'] },
    { type: 'percent_of_revenue', percent: 5, procedure_codes: ['FACE'] },
  ] });
  rule(injector, 'Injectables 10%', { version: 1, components: [{ type: 'percent_of_revenue', percent: 10, procedure_codes: ['BTX', 'FILLER'] }] });
  rule(consultant, 'NT$500 per consult shown', { version: 1, components: [{ type: 'flat_per_consult_shown', amount_minor: 500 * factor }] });
  const providerFor = (code: ProcedureCode | null): string | null => {
    if (code === 'BTX' || code === 'FILLER' || code === 'LASER') return injector;
    if (code === 'RHINO' || code === 'BREAST' || code === 'TUMMY' || code === 'FACE') return surgeon;
    return null;
  };
  const providerOfPractitioner = new Map<string, string>();
  for (const p of ds.providers) if (p.practitioner_id) providerOfPractitioner.set(String(p.practitioner_id), String(p.id));

  const stages = plan.stages;
  const seenEmails = new Set<string>();
  const seenPhones = new Set<string>();
  const states: LeadState[] = [];
  let invoiceNo = 0;

  const activity = (s: LeadState, type: string, payload: Row, t: number, actor: string | null) => {
    ds.activities.push({ id: newId(), org_id: orgId, lead_id: s.row.id, type, payload, actor_user_id: actor, created_at: new Date(t), deleted_at: null });
    if (type === 'sms_sent' || type === 'email_sent' || type === 'call' || type === 'form_submit') s.lastInteraction = Math.max(s.lastInteraction ?? 0, t);
    s.events++;
  };
  const kpi = (s: LeadState, kind: string, t: number, extra: Row = {}) => {
    ds.kpiEvents.push({ id: newId(), org_id: orgId, lead_id: s.row.id, kind, value_minor: null, currency: null, occurred_at: new Date(t), metadata: {},
      campaign_id: s.row.campaign_id, source: s.row.source, procedure_code: null, provider_id: null, source_ref: null, created_at: new Date(t), deleted_at: null, ...extra });
    s.events++;
  };
  const move = (s: LeadState, to: StageKindKey, t: number, actor: string | null, lostReason?: string) => {
    const from = s.stage;
    ds.history.push({ id: newId(), org_id: orgId, lead_id: s.row.id, stage_id: stages[to].id, from_stage_id: stages[from].id, changed_at: new Date(t), changed_by: actor });
    activity(s, 'stage_change', { from_stage_id: stages[from].id, from_stage: stages[from].name, to_stage_id: stages[to].id, to_stage: stages[to].name,
      ...(lostReason ? { lost_reason: lostReason } : {}) }, t, actor);
    s.stage = to;
    s.row.stage_id = stages[to].id;
    s.row.status = STATUS_OF[to];
    s.row.updated_at = new Date(t);
    if (to === 'won') s.row.won_at = new Date(t);
    if (to === 'lost') { s.row.lost_at = new Date(t); s.row.lost_reason = lostReason ?? null; }
  };
  const tagged = new Set<string>();
  const tag = (s: LeadState, name: string, t: number, actor: string | null) => {
    const tagId = tagIds.get(name)!;
    if (tagged.has(`${String(s.row.id)}|${tagId}`)) return;
    tagged.add(`${String(s.row.id)}|${tagId}`);
    ds.leadTags.push({ id: newId(), org_id: orgId, lead_id: s.row.id, tag_id: tagId, created_at: new Date(t) });
    activity(s, 'tag_added', { tag_id: tagId, tag: name }, t, actor);
  };
  const opportunity = (s: LeadState, t: number, expectedDate: string) => {
    if (!s.procedure) return;
    const [lo, hi] = VALUE[s.procedure];
    const value = Math.round((lo + rnd.next() * (hi - lo)) / 500) * 500 * factor;
    ds.opportunities.push({ id: newId(), org_id: orgId, lead_id: s.row.id, expected_value_minor: value, currency, procedure_code: s.procedure,
      expected_date: expectedDate, created_at: new Date(t), updated_at: new Date(t) });
    s.row.deal_value_minor = value;
  };
  const invoice = (s: LeadState, t: number, valueMinor: number, code: ProcedureCode | null, providerId: string | null, sourceRef: string) => {
    kpi(s, 'invoice_paid', t, { value_minor: valueMinor, currency, procedure_code: code, provider_id: providerId, source_ref: sourceRef,
      metadata: { invoice_no: `INV-${String(++invoiceNo).padStart(6, '0')}` } });
  };

  /** A new lead arriving at `t` through a campaign (or the website), with its first touches. */
  const newLead = (t: number, c: (typeof campaigns)[number] | null, contact: { firstName: string; email: string | null; phone: string | null } | null): LeadState => {
    const source = c ? c.platform : 'website';
    const paid = c !== null && ['facebook', 'instagram', 'google', 'tiktok'].includes(c.platform);
    const procedure: ProcedureCode | null = c?.procedure ?? (rnd.chance(0.08) ? null
      : rnd.weighted([['BTX', 35], ['FILLER', 20], ['LASER', 25], ['FACE', 10], ['RHINO', 5], ['BREAST', 3], ['TUMMY', 2]] as const));
    const who = contact ?? person();
    const assignee = assignees.length ? assignees[states.length % 5 === 4 && assignees.length > 1 ? 1 : 0]! : null;
    const row: Row = {
      id: newId(), org_id: orgId, external_id: rnd.chance(0.35) ? `ghl_${token(rnd, 20)}` : null, first_name: who.firstName, email: who.email, phone: who.phone,
      source, campaign_id: c?.id ?? null, ad_platform: paid ? c!.platform : null, stage_id: stages.new.id, rank: '', status: 'new', lead_score: 0, score_factors: [], scored_at: null,
      assigned_user_id: assignee, country: plan.country, city: rnd.weighted(CITIES), age_group: rnd.weighted(AGE_GROUPS), timezone: tz,
      deal_value_minor: null, currency, instagram_handle: source === 'instagram' && rnd.chance(0.6) ? `${(who.email ?? 'glow').split('@')[0]!.replace(/[^a-z0-9]/g, '')}_${rnd.int(10, 99)}` : null,
      summary: null, last_interaction_at: null, contact_consent_at: null, contact_consent_source: null,
      won_at: null, lost_at: null, lost_reason: null, created_by: null, created_at: new Date(t), updated_at: new Date(t), deleted_at: null,
    };
    const s: LeadState = { row, stage: 'new', procedure, lastInteraction: null, events: 0 };
    states.push(s);
    ds.history.push({ id: newId(), org_id: orgId, lead_id: row.id, stage_id: stages.new.id, from_stage_id: null, changed_at: new Date(t), changed_by: null });
    const sessionId = `sess_${token(rnd, 16)}`;
    if (paid) {
      // The first click creates the lead (as intake does); retargeted prospects click again later.
      const clicks = rnd.weighted([[1, 70], [2, 22], [3, 8]] as const);
      let ct = t;
      for (let k = 0; k < clicks; k++) {
        if (k > 0) ct += rnd.int(1, 6) * DAY + rnd.int(0, 600) * MIN;
        if (ct >= cutoff) break;
        const clickId = `${c!.platform.slice(0, 2)}_${token(rnd, 18)}`;
        kpi(s, 'ad_click', ct, { source_ref: `click:${clickId}`, metadata: { click_id: clickId, platform: c!.platform } });
        ds.journeyEvents.push({ id: newId(), org_id: orgId, lead_id: row.id, user_id: null, patient_id: null, event_type: 'ad_click',
          data: { platform: c!.platform, campaign_id: c!.id, click_id: clickId }, source, session_id: sessionId, created_at: new Date(ct), deleted_at: null });
      }
    }
    // Web and lead-ad forms carry consent to be contacted; referrals and newsletter replies arrive by message.
    if (source !== 'referral' && (source !== 'email' || rnd.chance(0.5))) {
      const form = procedure ? (rnd.chance(0.7) ? 'consult_request' : 'price_enquiry') : rnd.pick(FORMS);
      const page = `${SITE}/${procedure ? procedure.toLowerCase() : 'offers'}`;
      activity(s, 'form_submit', { form, page_url: page }, t + (paid ? 2 * MIN : 0), null);
      row.contact_consent_at = new Date(t + (paid ? 2 * MIN : 0));
      row.contact_consent_source = `web_form:${form}`;
      ds.journeyEvents.push({ id: newId(), org_id: orgId, lead_id: row.id, user_id: null, patient_id: null, event_type: 'form_submitted',
        data: { form_id: form, page, campaign_id: c?.id ?? null, interest: procedure ? [procedure] : [] }, source, session_id: sessionId, created_at: new Date(t + (paid ? 2 * MIN : 0)), deleted_at: null });
    } else {
      row.contact_consent_at = new Date(t);
      row.contact_consent_source = source === 'referral' ? 'referral_card' : 'newsletter_reply';
      s.lastInteraction = t;
    }
    if (procedure) tag(s, TAG_OF[procedure], t + 3 * MIN, null);
    else if (rnd.chance(0.6)) tag(s, 'PMU', t + 3 * MIN, null);
    if (rnd.chance(0.04)) tag(s, 'Wedding', t + 4 * MIN, null);
    return s;
  };

  /** An invented prospect: a given name, a reserved-domain email, a mobile number. */
  const person = () => {
    for (;;) {
      const zh = rnd.chance(0.72);
      const [firstName, roman] = zh ? rnd.pick(GIVEN_ZH) : (() => { const n = rnd.pick(GIVEN_EN); return [n, n.toLowerCase()] as const; })();
      const email = rnd.chance(0.8) ? `${roman}${rnd.int(1, 9999)}@${rnd.pick(DOMAINS)}` : null;
      const phone = rnd.chance(0.9) ? `+8869${String(rnd.int(10_000_000, 99_999_999))}` : null;
      if ((!email && !phone) || (email && seenEmails.has(email)) || (phone && seenPhones.has(phone))) continue;
      if (email) seenEmails.add(email);
      if (phone) seenPhones.add(phone);
      return { firstName, email, phone };
    }
  };

  // Rates by source: referrals and search convert best, short-video ads least.
  const RATES: Record<string, { contact: number; book: number; show: number; win: number }> = {
    referral: { contact: 0.9, book: 0.6, show: 0.85, win: 0.6 }, google: { contact: 0.74, book: 0.46, show: 0.78, win: 0.5 },
    facebook: { contact: 0.68, book: 0.4, show: 0.72, win: 0.46 }, instagram: { contact: 0.66, book: 0.4, show: 0.72, win: 0.48 },
    tiktok: { contact: 0.6, book: 0.3, show: 0.65, win: 0.4 }, email: { contact: 0.8, book: 0.45, show: 0.8, win: 0.52 },
    website: { contact: 0.72, book: 0.42, show: 0.75, win: 0.48 },
  };

  /** Walks a lead through the pipeline from its creation; stops where the clock reaches today. */
  const walk = (s: LeadState, forced?: { showAt: number; wonAt: number }) => {
    const r = RATES[String(s.row.source)] ?? RATES.website!;
    const actor = (s.row.assigned_user_id as string | null) ?? null;
    const created = (s.row.created_at as Date).getTime();
    let t = created;
    const before = (x: number) => x < cutoff;
    const contacted = forced !== undefined || rnd.chance(r.contact);
    if (!contacted) {
      // Never reached: old ones are cleaned out as lost, recent ones wait in New.
      const lostAt = created + rnd.int(20, 45) * DAY;
      if (rnd.chance(0.55) && before(lostAt)) move(s, 'lost', lostAt, actor, rnd.pick(LOST_EARLY));
      return;
    }
    // Outbound attempts until someone answers: an SMS first, then calls.
    t += rnd.int(10, 240) * MIN;
    if (!before(t)) return;
    activity(s, 'sms_sent', { template: SMS_TEMPLATES.first }, t, actor);
    if (rnd.chance(0.55)) {
      t += rnd.int(30, 600) * MIN;
      if (!before(t)) return;
      activity(s, 'call', { direction: 'outbound', duration_seconds: rnd.int(0, 25), outcome: rnd.pick(['no_answer', 'voicemail', 'busy'] as const) }, t, actor);
    }
    t += rnd.int(30, 1800) * MIN;
    if (!before(t)) return;
    const inbound = rnd.chance(0.25);
    activity(s, 'call', { direction: inbound ? 'inbound' : 'outbound', duration_seconds: rnd.int(90, 900), outcome: 'answered' }, t, inbound ? null : actor);
    move(s, 'contacted', t + 2 * MIN, actor);
    if (rnd.chance(0.5)) { t += rnd.int(10, 120) * MIN; if (before(t)) activity(s, 'email_sent', { subject: EMAIL_SUBJECTS[s.procedure ?? 'general'], template: 'info_pack' }, t, actor); }
    if (rnd.chance(0.06) && before(t + 5 * MIN)) tag(s, rnd.pick(['VIP', 'Price sensitive']), t + 5 * MIN, actor);

    const books = forced !== undefined || rnd.chance(r.book);
    if (!books) {
      // Nurture, then most go cold.
      const n = rnd.int(0, 2);
      for (let k = 0; k < n; k++) { t += rnd.int(3, 14) * DAY; if (before(t)) activity(s, k % 2 ? 'email_sent' : 'sms_sent', k % 2 ? { subject: EMAIL_SUBJECTS.general } : { template: SMS_TEMPLATES.nurture }, t, actor); }
      const lostAt = t + rnd.int(14, 40) * DAY;
      if (rnd.chance(0.65) && before(lostAt)) move(s, 'lost', lostAt, actor, rnd.pick(LOST_CONTACTED));
      return;
    }
    // Booking: a consult date at clinic hours, a confirmation, a reminder the day before.
    t = forced ? t + 10 * MIN + Math.round((forced.showAt - t) * (0.1 + rnd.next() * 0.4)) : t + rnd.int(1, 72) * HOUR;
    if (!before(t)) return;
    const consultAt = forced ? forced.showAt : clinicHours(t + rnd.int(2, 14) * DAY);
    kpi(s, 'consult_booked', t, { metadata: { channel: rnd.pick(['phone', 'line', 'web']), consult_on: dayOf(consultAt) } });
    move(s, 'consult_booked', t + MIN, actor);
    activity(s, 'sms_sent', { template: SMS_TEMPLATES.confirm }, t + 2 * MIN, actor);
    opportunity(s, t + 3 * MIN, dayOf(consultAt + rnd.int(0, 21) * DAY));
    if (consultAt - DAY > t + 3 * MIN && before(consultAt - DAY)) activity(s, 'sms_sent', { template: SMS_TEMPLATES.reminder }, consultAt - DAY, null);
    if (!before(consultAt)) return;
    const shows = forced !== undefined || rnd.chance(r.show);
    if (!shows) {
      if (before(consultAt + 3 * HOUR)) activity(s, 'sms_sent', { template: SMS_TEMPLATES.noShow }, consultAt + 3 * HOUR, actor);
      const lostAt = consultAt + rnd.int(10, 25) * DAY;
      if (rnd.chance(0.7) && before(lostAt)) move(s, 'lost', lostAt, actor, LOST_NO_SHOW[0]);
      return;
    }
    kpi(s, 'consult_show', consultAt, { provider_id: consultant });
    const wins = forced !== undefined || rnd.chance(r.win);
    if (!wins) {
      t = consultAt + rnd.int(1, 5) * DAY;
      if (before(t)) activity(s, 'email_sent', { subject: EMAIL_SUBJECTS[s.procedure ?? 'general'], template: 'quote_follow_up' }, t, actor);
      const lostAt = consultAt + rnd.int(12, 35) * DAY;
      if (rnd.chance(0.8) && before(lostAt)) move(s, 'lost', lostAt, actor, rnd.pick(LOST_AFTER_CONSULT));
      return;
    }
    const wonAt = forced ? forced.wonAt : consultAt + (rnd.chance(0.6) ? 40 * MIN : rnd.int(1, 10) * DAY);
    if (!before(wonAt)) return;
    move(s, 'won', wonAt, actor);
    if (forced) return; // the patient's sessions are the revenue (see below)
    // Paid: the procedure (surgery weeks later), sometimes a second visit.
    const code = s.procedure;
    const value = Number(s.row.deal_value_minor ?? 0) || 8000 * factor;
    let payAt = clinicHours(wonAt + (code === 'RHINO' || code === 'BREAST' || code === 'TUMMY' ? rnd.int(14, 40) : rnd.int(0, 14)) * DAY);
    if (payAt <= wonAt) payAt = wonAt + 30 * MIN;
    if (!before(payAt)) return;
    const parts = code === 'LASER' || code === 'BTX' ? rnd.int(1, 2) : 1;
    for (let k = 0; k < parts; k++) {
      const when = k === 0 ? payAt : clinicHours(payAt + rnd.int(21, 60) * DAY);
      if (!before(when)) break;
      const amount = Math.max(100 * factor, Math.round(value / parts / factor / 10) * 10 * factor);
      invoice(s, when, amount, code, providerFor(code), `demo-invoice:${invoiceNo + 1}`);
      if (before(when + DAY)) activity(s, 'sms_sent', { template: SMS_TEMPLATES.aftercare }, when + DAY, null);
    }
  };

  /** A moment during clinic hours (11:00-20:00) on the day of `t`, in the org's time zone. */
  function clinicHours(t: number): number {
    const day = dayOf(t);
    return instantAt(day, rnd.int(11, 19), rnd.pick([0, 15, 30, 45]), tz).getTime();
  }
  function dayOf(t: number): string {
    return dayFormat.format(new Date(t));
  }

  // Won leads that became demo patients: created some days before the patient's consultation, shown
  // and won at it; every session of theirs is revenue attributed to the lead (source_ref session:<id>).
  // The consultation that opened the chart (a later one, e.g. about a pregnancy, is not where a lead was won).
  const firstVisit = new Map<string, Row>();
  for (const v of clinic.visits) {
    const prev = firstVisit.get(String(v.patient_id));
    if (!prev || (v.created_at as Date) < (prev.created_at as Date)) firstVisit.set(String(v.patient_id), v);
  }
  const consultOf = new Map<string, number>();
  for (const [patientId, v] of firstVisit) if (v.visit_type === 'consultation') consultOf.set(patientId, (v.created_at as Date).getTime());
  const sessionsOf = new Map<string, Row[]>();
  for (const s of clinic.sessions) sessionsOf.set(String(s.patient_id), [...(sessionsOf.get(String(s.patient_id)) ?? []), s]);
  const treatmentCode = new Map(clinic.treatments.map((t) => [String(t.id), String(t.code)]));
  const candidates = clinic.patients.filter((p) => {
    const c = consultOf.get(String(p.id));
    return c !== undefined && c >= at(-320, 0, 0).getTime() && c < at(-20, 0, 0).getTime() && (sessionsOf.get(String(p.id)) ?? []).some((s) => (s.performed_at as Date).getTime() > c)
      && p.phone && twE164(String(p.phone));
  });
  const linked: { patient: Row; consultAt: number }[] = [];
  while (linked.length < Math.min(plan.linkedPatients, candidates.length)) {
    const p = candidates.splice(rnd.int(0, candidates.length - 1), 1)[0]!;
    linked.push({ patient: p, consultAt: consultOf.get(String(p.id))! });
  }
  const linkedLeads: { s: LeadState; patient: Row; consultAt: number }[] = [];
  for (const { patient, consultAt } of linked) {
    const created = consultAt - rnd.int(6, 25) * DAY - rnd.int(0, 600) * MIN;
    const c = pickCampaign(dayIndex(created));
    const email = patient.email ? String(patient.email) : null;
    const phone = twE164(String(patient.phone))!;
    if (email) seenEmails.add(email);
    seenPhones.add(phone);
    const s = newLead(created, c, { firstName: givenName(String(patient.full_name)), email, phone });
    s.row.patient_id = patient.id;
    linkedLeads.push({ s, patient, consultAt });
  }

  function dayIndex(t: number): number {
    return Math.round((Date.parse(`${dayOf(t)}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / DAY);
  }
  function pickCampaign(day: number): (typeof campaigns)[number] | null {
    const live = campaigns.filter((c) => c.weight > 0 && c.from <= day && day <= c.stop);
    const options: [(typeof campaigns)[number] | null, number][] = live.map((c) => [c, c.weight]);
    options.push([null, WEBSITE_WEIGHT]);
    return rnd.weighted(options);
  }

  // The year of leads: volume by season and weekday, campaigns while they run.
  for (let day = -364; day <= -1; day++) {
    const date = addDays(today, day);
    const month = Number(date.slice(5, 7));
    const wd = weekday(date);
    const mean = plan.leadsPerDay * SEASON[month - 1]! * (wd === 0 ? 0.75 : wd === 6 ? 0.9 : 1.05);
    const n = Math.max(0, Math.round(mean + (rnd.next() + rnd.next() + rnd.next() - 1.5) * Math.sqrt(mean) * 1.2));
    for (let k = 0; k < n; k++) {
      // Evenings and lunch breaks are when people fill in forms.
      const hour = rnd.weighted([[8, 2], [9, 3], [10, 4], [11, 5], [12, 8], [13, 7], [14, 4], [15, 4], [16, 4], [17, 5], [18, 6], [19, 8], [20, 10], [21, 11], [22, 9], [23, 4]] as const);
      const t = at(day, hour, rnd.int(0, 50)).getTime(); // first touches a few minutes later stay before midnight
      newLead(t, pickCampaign(day), null);
    }
  }
  // Walk every lead in the order they arrived (the linked ones with their known outcome).
  const forcedOf = new Map(linkedLeads.map((l) => [l.s, l]));
  states.sort((a, b) => (a.row.created_at as Date).getTime() - (b.row.created_at as Date).getTime());
  for (const s of states) {
    const l = forcedOf.get(s);
    walk(s, l ? { showAt: l.consultAt, wonAt: l.consultAt + 45 * MIN } : undefined);
  }
  for (const { s, patient, consultAt } of linkedLeads) {
    const sessions = (sessionsOf.get(String(patient.id)) ?? []).filter((x) => (x.performed_at as Date).getTime() > consultAt && x.price_minor && x.status !== 'draft')
      .sort((a, b) => (a.performed_at as Date).getTime() - (b.performed_at as Date).getTime());
    for (const x of sessions) {
      const code = procedureOfTreatment(treatmentCode.get(String(x.treatment_id)) ?? '');
      invoice(s, (x.performed_at as Date).getTime(), Number(x.price_minor), code,
        providerOfPractitioner.get(String(x.practitioner_id)) ?? providerFor(code), `session:${String(x.id)}`);
    }
    s.row.summary = 'Became a patient after the consultation';
  }

  // Finishing touches: last interaction, summaries, kanban order (newest first in each column).
  for (const s of states) {
    s.row.last_interaction_at = s.lastInteraction === null ? null : new Date(s.lastInteraction);
    if (!s.row.summary && s.procedure && s.stage !== 'new' && rnd.chance(0.3)) {
      s.row.summary = rnd.pick([`Interested in ${TAG_OF[s.procedure]}; prefers evening appointments`, `Asked about ${TAG_OF[s.procedure]} pricing and packages`,
        `Compared us with another clinic for ${TAG_OF[s.procedure]}`, 'Prefers LINE messages to calls']);
    }
  }
  // Deals still open expect to close ahead (an opportunity's expected date is never in the past when written).
  const open = new Set(states.filter((s) => s.stage !== 'won' && s.stage !== 'lost').map((s) => s.row.id));
  for (const o of ds.opportunities) if (open.has(o.lead_id) && String(o.expected_date) < today) o.expected_date = addDays(today, rnd.int(3, 30));
  const byStage = new Map<string, LeadState[]>();
  for (const s of states) byStage.set(s.stage, [...(byStage.get(s.stage) ?? []), s]);
  for (const column of byStage.values()) {
    column.sort((a, b) => (b.row.updated_at as Date).getTime() - (a.row.updated_at as Date).getTime() || (b.row.created_at as Date).getTime() - (a.row.created_at as Date).getTime());
    const keys = generateNKeysBetween(null, null, column.length);
    column.forEach((s, i) => { s.row.rank = keys[i]; });
  }
  ds.leads = states.map((s) => s.row);
  return ds;
}

/** The first day of the month `k` months before `month` (YYYY-MM-01). */
function monthsBefore(month: string, k: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const i = y * 12 + (m - 1) - k;
  return `${String(Math.floor(i / 12)).padStart(4, '0')}-${String((i % 12) + 1).padStart(2, '0')}-01`;
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
function token(rnd: Random, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(rnd.next() * ALPHABET.length)];
  return s;
}

const GROWTH_TABLES: Record<string, Columns> = {
  campaigns: { id: 'uuid', org_id: 'uuid', name: 'text', platform: 'text', type: 'text', status: 'text', target_audience: 'jsonb', monthly_spend_minor: 'bigint', budget_minor: 'bigint',
    currency: 'text', start_date: 'date', end_date: 'date', created_by: 'uuid', created_at: 'timestamptz', updated_at: 'timestamptz' },
  campaign_spend: { id: 'uuid', org_id: 'uuid', campaign_id: 'uuid', month: 'date', amount_minor: 'bigint', created_at: 'timestamptz', updated_at: 'timestamptz' },
  tags: { id: 'uuid', org_id: 'uuid', name: 'text', color: 'text', created_at: 'timestamptz' },
  commission_providers: { id: 'uuid', org_id: 'uuid', name: 'text', role: 'text', practitioner_id: 'uuid', is_active: 'boolean', created_at: 'timestamptz', updated_at: 'timestamptz' },
  commission_rules: { id: 'uuid', org_id: 'uuid', provider_id: 'uuid', name: 'text', rule: 'jsonb', effective_from: 'date', effective_to: 'date', is_active: 'boolean', created_at: 'timestamptz', updated_at: 'timestamptz' },
  leads: { id: 'uuid', org_id: 'uuid', external_id: 'text', first_name: 'text', email: 'text', phone: 'text', source: 'text', campaign_id: 'uuid', ad_platform: 'text', stage_id: 'uuid',
    rank: 'text', status: 'text', lead_score: 'int', score_factors: 'jsonb', scored_at: 'timestamptz', assigned_user_id: 'uuid', patient_id: 'uuid', country: 'text', city: 'text', age_group: 'text', timezone: 'text',
    deal_value_minor: 'bigint', currency: 'text', instagram_handle: 'text', summary: 'text', last_interaction_at: 'timestamptz', contact_consent_at: 'timestamptz',
    contact_consent_source: 'text', won_at: 'timestamptz', lost_at: 'timestamptz', lost_reason: 'text', created_by: 'uuid', created_at: 'timestamptz', updated_at: 'timestamptz' },
  lead_tags: { id: 'uuid', org_id: 'uuid', lead_id: 'uuid', tag_id: 'uuid', created_at: 'timestamptz' },
  lead_stage_history: { id: 'uuid', org_id: 'uuid', lead_id: 'uuid', stage_id: 'uuid', from_stage_id: 'uuid', changed_at: 'timestamptz', changed_by: 'uuid' },
  opportunities: { id: 'uuid', org_id: 'uuid', lead_id: 'uuid', expected_value_minor: 'bigint', currency: 'text', procedure_code: 'text', expected_date: 'date', created_at: 'timestamptz', updated_at: 'timestamptz' },
  activities: { id: 'uuid', org_id: 'uuid', lead_id: 'uuid', type: 'text', payload: 'jsonb', actor_user_id: 'uuid', created_at: 'timestamptz' },
  kpi_events: { id: 'uuid', org_id: 'uuid', lead_id: 'uuid', kind: 'text', value_minor: 'bigint', currency: 'text', occurred_at: 'timestamptz', metadata: 'jsonb', campaign_id: 'uuid',
    source: 'text', procedure_code: 'text', provider_id: 'uuid', source_ref: 'text', created_at: 'timestamptz' },
  journey_events: { id: 'uuid', org_id: 'uuid', lead_id: 'uuid', user_id: 'uuid', patient_id: 'uuid', event_type: 'text', data: 'jsonb', source: 'text', session_id: 'text', created_at: 'timestamptz' },
};

/**
 * The org's first stage of each kind; seed 004's default pipeline is inserted first when the org
 * has no stage yet (as the growth services would on first use).
 */
export async function demoStages(tx: Tx): Promise<Record<StageKindKey, { id: string; name: string }>> {
  const [any] = await tx.query('SELECT 1 FROM pipeline_stages WHERE org_id = visage_current_org() LIMIT 1');
  if (!any) {
    await insertTyped(tx, 'pipeline_stages', { id: 'uuid', org_id: 'uuid', name: 'text', position: 'int', color: 'text', kind: 'text' },
      DEMO_STAGES.map((s, i) => ({ id: newId(), org_id: tx.ctx.orgId, name: s.name, position: i, color: s.color, kind: s.kind })));
  }
  const rows = await tx.query<{ id: string; name: string; kind: string }>(
    `SELECT DISTINCT ON (kind) id, name, kind FROM pipeline_stages WHERE org_id = visage_current_org() ORDER BY kind, position, id`);
  const out: Partial<Record<StageKindKey, { id: string; name: string }>> = {};
  for (const r of rows) if (DEMO_STAGES.some((s) => s.kind === r.kind)) out[r.kind as StageKindKey] = { id: r.id, name: r.name };
  for (const s of DEMO_STAGES) if (!out[s.kind]) throw new Error(`the demo pipeline needs a ${s.kind} stage`);
  return out as Record<StageKindKey, { id: string; name: string }>;
}

/** The demo clinic's growth year (Taipei, TWD): about 2,000 leads, a dozen of them became demo patients. */
export function clinicGrowthPlan(who: { orgId: string; today: string; stages: GrowthPlan['stages']; assigneeIds: string[] }): GrowthPlan {
  return { ...who, timezone: 'Asia/Taipei', currency: 'TWD', country: 'TW', seed: 20260404, leadsPerDay: 5.5, linkedPatients: 12 };
}

/**
 * Scores every generated lead as of `now` with the growth module's own scoring (scoreLead), from
 * the same inputs rescoreLead reads in the database (counts over the engagement window, the last
 * interaction or consult), so the board shows explained scores without 2,000 rescoring queries.
 */
export function scoreDemoLeads(g: GrowthDataset, stages: Record<StageKindKey, { id: string; name: string }>, now: Date): void {
  const since = now.getTime() - ENGAGEMENT_WINDOW_DAYS * DAY;
  const end = now.getTime();
  const inWindow = (d: unknown) => { const t = (d as Date).getTime(); return t >= since && t <= end; };
  const kindOf = new Map(Object.entries(stages).map(([kind, s]) => [s.id, { kind: kind as StageKindKey, name: s.name }]));
  const inputs = new Map<unknown, ScoreInputs>();
  for (const l of g.leads) {
    const stage = kindOf.get(String(l.stage_id))!;
    inputs.set(l.id, { stageKind: stage.kind, stageName: stage.name, source: String(l.source), lastInteractionAt: (l.last_interaction_at as Date | null) ?? null,
      formSubmits: 0, inboundCalls: 0, answeredOutboundCalls: 0, journeyEvents: 0, adClicks: 0, consultsBooked: 0, consultsShown: 0 });
  }
  for (const a of g.activities) {
    if (!inWindow(a.created_at)) continue;
    const i = inputs.get(a.lead_id)!;
    const p = a.payload as Record<string, unknown>;
    if (a.type === 'form_submit') i.formSubmits++;
    if (a.type === 'call' && p.direction === 'inbound') i.inboundCalls++;
    if (a.type === 'call' && p.direction === 'outbound' && p.outcome === 'answered') i.answeredOutboundCalls++;
  }
  for (const j of g.journeyEvents) if (inWindow(j.created_at)) inputs.get(j.lead_id)!.journeyEvents++;
  for (const k of g.kpiEvents) {
    const i = inputs.get(k.lead_id)!;
    const t = k.occurred_at as Date;
    if ((k.kind === 'consult_booked' || k.kind === 'consult_show') && t.getTime() <= end && (!i.lastInteractionAt || t > i.lastInteractionAt)) i.lastInteractionAt = t;
    if (!inWindow(t)) continue;
    if (k.kind === 'ad_click') i.adClicks++;
    if (k.kind === 'consult_booked') i.consultsBooked++;
    if (k.kind === 'consult_show') i.consultsShown++;
  }
  for (const l of g.leads) {
    const s = scoreLead(inputs.get(l.id)!, now);
    l.lead_score = s.score;
    l.score_factors = s.factors;
    l.scored_at = now;
  }
}

/**
 * The funnel triggers recompute a lead per inserted row; for some 25,000 rows the demo sets the
 * transaction's bulk flag (0015: the triggers stand aside) and rebuilds milestones and the rollup
 * set-based at the end (visage_growth_rebuild: the same result, a test proves it).
 */
const bulkMode = (tx: Tx, on: boolean) => tx.query("SELECT set_config('app.growth_bulk', $1, true)", [on ? 'on' : '']);

/**
 * Gives the demo clinic its growth year in one tenant transaction: the pipeline (when missing),
 * then every row set-based, then milestones, rollup and the scores of open leads. `clinic` is the
 * clinic's generated dataset (its patients, visits and sessions say which leads became patients
 * and what they paid).
 */
export async function seedGrowth(deps: Deps, who: { orgId: string; today: string; ownerId: string; assigneeIds: string[] }, clinic: DemoDataset): Promise<GrowthDataset> {
  return deps.db.run({ scope: 'tenant', orgId: who.orgId, userId: who.ownerId }, async (tx) => {
    await bulkMode(tx, true);
    const stages = await demoStages(tx);
    const g = generateGrowth(clinicGrowthPlan({ orgId: who.orgId, today: who.today, stages, assigneeIds: who.assigneeIds }), clinic);
    scoreDemoLeads(g, stages, deps.now());
    await insertGrowth(tx, g);
    await tx.query('SELECT visage_growth_rebuild()');
    await bulkMode(tx, false);
    await audit(tx, { requestId: 'seed-demo', ip: null }, {
      action: 'create', entityType: 'demo_data', entityId: who.orgId,
      details: { campaigns: g.campaigns.length, leads: g.leads.length, activities: g.activities.length, kpi_events: g.kpiEvents.length },
    });
    return g;
  });
}

/** Writes a growth dataset in dependency order, one statement per 2,000 rows; the triggers keep milestones and the rollup. */
export async function insertGrowth(tx: Tx, g: GrowthDataset): Promise<void> {
  const put = (table: string, rows: Row[]) => insertTyped(tx, table, GROWTH_TABLES[table]!, rows);
  await put('campaigns', g.campaigns);
  await put('campaign_spend', g.campaignSpend);
  await put('tags', g.tags);
  await put('commission_providers', g.providers);
  await put('commission_rules', g.rules);
  await put('leads', g.leads);
  await put('lead_tags', g.leadTags);
  await put('lead_stage_history', g.history);
  await put('opportunities', g.opportunities);
  await put('activities', g.activities);
  await put('kpi_events', g.kpiEvents);
  await put('journey_events', g.journeyEvents);
}
