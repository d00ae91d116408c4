import { describe, expect, it } from 'vitest';
import { ACTIVITY_PAYLOADS } from '../growth/activities.service.js';
import { parseRule } from '../growth/commission-rules.js';
import { findPhi } from '../growth/phi.js';
import { addDays, instantAt } from './calendar.js';
import { generateDemo } from './demo.generate.js';
import { clinicGrowthPlan, generateGrowth, givenName, scoreDemoLeads, twE164, type GrowthDataset, type StageKindKey } from './demo.growth.js';
import { clinicPlan } from './demo.plans.js';

const ORG = '0190a000-0000-7000-8000-000000000001';
const who = (today: string) => ({ orgId: ORG, today, ownerId: '0190a000-0000-7000-8000-000000000002', userIdsByEmail: new Map<string, string>() });
const KINDS: StageKindKey[] = ['new', 'contacted', 'consult_booked', 'won', 'lost'];
const stages = Object.fromEntries(KINDS.map((k, i) => [k, { id: `0190a000-0000-7000-8000-00000000010${i}`, name: k }])) as Record<StageKindKey, { id: string; name: string }>;
const growthOf = (today: string) => {
  const clinic = generateDemo(clinicPlan(who(today)));
  return { clinic, g: generateGrowth(clinicGrowthPlan({ orgId: ORG, today, stages, assigneeIds: ['0190a000-0000-7000-8000-000000000003', '0190a000-0000-7000-8000-000000000004'] }), clinic) };
};
const TODAY = '2026-11-26';
const { clinic, g } = growthOf(TODAY);
const tables = Object.entries(g) as [keyof GrowthDataset, Record<string, unknown>[]][];
const UUIDS = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const ms = (d: unknown) => (d as Date).getTime();

/** The dataset with every generated id replaced by the order it first appears in (ids are random, the rest must not be). */
function normalized(ds: GrowthDataset): unknown {
  const seen = new Map<string, string>();
  const walk = (v: unknown): unknown => {
    if (v instanceof Date) return v.toISOString();
    if (typeof v === 'string') {
      return v.replace(UUIDS, (id) => {
        if (!seen.has(id)) seen.set(id, `#${seen.size}`);
        return seen.get(id)!;
      });
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(ds);
}

/** Where two long strings first differ, with some context (null when equal): a readable failure. */
function firstDifference(a: string, b: string): string | null {
  if (a === b) return null;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `at ${i}: ${a.slice(Math.max(0, i - 120), i + 60)} <> ${b.slice(Math.max(0, i - 120), i + 60)}`;
}

describe('generateGrowth', () => {
  it('is deterministic: the same day gives the same year of leads', () => {
    const a = JSON.stringify(normalized(g));
    const b = JSON.stringify(normalized(growthOf(TODAY).g));
    expect(firstDifference(a, b)).toBeNull();
    // ...and a different day gives a different (shifted) year.
    expect(firstDifference(a, JSON.stringify(normalized(growthOf('2026-11-27').g)))).not.toBeNull();
  });

  it('holds no PHI: no forbidden key anywhere, first names only, no patient name or medical text', () => {
    for (const [table, rows] of tables) {
      for (const [i, row] of rows.entries()) expect(findPhi(row, `/${table}/${i}`)).toEqual([]);
    }
    for (const l of g.leads) {
      expect(l.first_name).toBeTruthy();
      expect(String(l.first_name)).not.toMatch(/\s/); // a given name, never "first last"
    }
    // Every distinct text in the growth rows (keys and values, at any depth), against the chart's names and medical text.
    const texts = new Set<string>();
    const collect = (v: unknown): void => {
      if (typeof v === 'string') texts.add(v);
      else if (Array.isArray(v)) v.forEach(collect);
      else if (v && typeof v === 'object' && !(v instanceof Date)) for (const [k, x] of Object.entries(v)) { texts.add(k); collect(x); }
    };
    collect(g);
    const all = [...texts];
    const chart = new Set<string>();
    for (const p of clinic.patients) for (const k of ['full_name', 'medical_history', 'allergy_notes', 'emergency_contact', 'notes'] as const) if (p[k]) chart.add(String(p[k]));
    for (const s of clinic.sessions) for (const k of ['clinical_notes', 'immediate_reaction'] as const) if (s[k]) chart.add(String(s[k]));
    const leaked = [...chart].filter((c) => c.length > 1 && all.some((t) => t.includes(c)));
    expect(leaked).toEqual([]);
    // Contact details are demo-safe: reserved example domains, E.164 phones.
    for (const l of g.leads) {
      if (l.email) expect(String(l.email)).toMatch(/@example\.(com|net|org)$/);
      if (l.phone) expect(String(l.phone)).toMatch(/^\+8869\d{8}$/);
      expect(l.email || l.phone).toBeTruthy();
    }
    expect(new Set(g.leads.filter((l) => l.email).map((l) => l.email)).size).toBe(g.leads.filter((l) => l.email).length);
  });

  it('writes payloads the growth services accept, and valid commission rules', () => {
    for (const a of g.activities) {
      const schema = ACTIVITY_PAYLOADS[a.type as keyof typeof ACTIVITY_PAYLOADS];
      const r = schema.safeParse(a.payload);
      expect(r.success, `${String(a.type)} ${JSON.stringify(a.payload)}`).toBe(true);
    }
    expect(new Set(g.activities.map((a) => a.type))).toEqual(new Set(['sms_sent', 'email_sent', 'call', 'form_submit', 'stage_change', 'tag_added']));
    expect(g.rules.length).toBeGreaterThanOrEqual(3);
    for (const r of g.rules) expect(parseRule(r.rule)).toMatchObject({ ok: true });
    expect(new Set(g.providers.map((p) => p.role))).toEqual(new Set(['surgeon', 'injector', 'consultant']));
    // Two providers are clinic practitioners.
    const practitionerIds = new Set(clinic.practitioners.map((p) => p.id));
    expect(g.providers.filter((p) => practitionerIds.has(p.practitioner_id)).length).toBe(2);
  });

  it('dates nothing in the future and walks every lead forward through its stage history', () => {
    const cutoff = instantAt(TODAY, 0, 0, 'Asia/Taipei').getTime();
    for (const [table, rows] of tables) {
      for (const row of rows) for (const [k, v] of Object.entries(row)) if (v instanceof Date) expect(v.getTime(), `${table}.${k}`).toBeLessThan(cutoff);
    }
    const firstDay = instantAt(addDays(TODAY, -366), 0, 0, 'Asia/Taipei').getTime();
    expect(Math.min(...g.leads.map((l) => ms(l.created_at)))).toBeGreaterThan(firstDay);
    const leadById = new Map(g.leads.map((l) => [l.id, l]));
    const historyOf = new Map<unknown, Record<string, unknown>[]>();
    for (const h of g.history) historyOf.set(h.lead_id, [...(historyOf.get(h.lead_id) ?? []), h]);
    for (const l of g.leads) {
      const h = historyOf.get(l.id)!;
      expect(h[0]).toMatchObject({ stage_id: stages.new.id, from_stage_id: null });
      expect(ms(h[0]!.changed_at)).toBe(ms(l.created_at));
      for (let i = 1; i < h.length; i++) {
        expect(ms(h[i]!.changed_at)).toBeGreaterThan(ms(h[i - 1]!.changed_at));
        expect(h[i]!.from_stage_id).toBe(h[i - 1]!.stage_id);
      }
      expect(h.at(-1)!.stage_id).toBe(l.stage_id);
      expect(l.won_at !== null).toBe(l.stage_id === stages.won.id);
      expect(l.lost_at !== null).toBe(l.stage_id === stages.lost.id);
    }
    // Every stage change has its stage_change activity at the same moment.
    expect(g.activities.filter((a) => a.type === 'stage_change').length).toBe(g.history.length - g.leads.length);
    // Events follow the lead's creation (the first ad click creates it).
    for (const rows of [g.activities, g.kpiEvents, g.journeyEvents, g.leadTags]) {
      for (const r of rows) expect(ms(r.created_at ?? r.occurred_at)).toBeGreaterThanOrEqual(ms(leadById.get(r.lead_id)!.created_at));
    }
  });

  it('has a believable year: about 2,000 leads with plausible funnel rates and seasonality', () => {
    const n = g.leads.length;
    expect(n).toBeGreaterThan(1500);
    expect(n).toBeLessThan(2500);
    const ids = (rows: Record<string, unknown>[], f: (r: Record<string, unknown>) => boolean) => new Set(rows.filter(f).map((r) => r.lead_id));
    const contactStages = new Set([stages.contacted.id, stages.consult_booked.id, stages.won.id]);
    const contacted = new Set([...ids(g.activities, (a) => ['sms_sent', 'email_sent', 'call'].includes(String(a.type))), ...ids(g.history, (h) => contactStages.has(String(h.stage_id)))]);
    const booked = ids(g.kpiEvents, (k) => k.kind === 'consult_booked');
    const showed = ids(g.kpiEvents, (k) => k.kind === 'consult_show');
    const won = new Set(g.leads.filter((l) => l.won_at).map((l) => l.id));
    expect(contacted.size / n).toBeGreaterThan(0.6);
    expect(contacted.size / n).toBeLessThan(0.8);
    expect(booked.size / n).toBeGreaterThan(0.22);
    expect(booked.size / n).toBeLessThan(0.38);
    expect(showed.size / booked.size).toBeGreaterThan(0.65);
    expect(showed.size / booked.size).toBeLessThan(0.85);
    expect(won.size / showed.size).toBeGreaterThan(0.45);
    expect(won.size / showed.size).toBeLessThan(0.68);
    for (const id of won) expect(showed.has(id)).toBe(true);
    for (const id of showed) expect(booked.has(id)).toBe(true);
    for (const id of booked) expect(contacted.has(id)).toBe(true);
    // Opportunities for booked leads only, at most one each; open deals expect to close ahead.
    const closed = new Set(g.leads.filter((l) => l.won_at || l.lost_at).map((l) => l.id));
    for (const o of g.opportunities) if (!closed.has(o.lead_id)) expect(String(o.expected_date) >= TODAY).toBe(true);
    expect(new Set(g.opportunities.map((o) => o.lead_id)).size).toBe(g.opportunities.length);
    for (const o of g.opportunities) expect(booked.has(o.lead_id)).toBe(true);
    // Several platforms, ad clicks only for paid ones, sources match campaigns.
    const platforms = new Set(g.campaigns.map((c) => c.platform));
    for (const p of ['facebook', 'instagram', 'google', 'tiktok', 'referral', 'email']) expect(platforms.has(p)).toBe(true);
    const campaignOf = new Map(g.campaigns.map((c) => [c.id, c]));
    const leadById = new Map(g.leads.map((l) => [l.id, l]));
    for (const l of g.leads) if (l.campaign_id) expect(l.source).toBe(campaignOf.get(l.campaign_id)!.platform);
    for (const k of g.kpiEvents.filter((x) => x.kind === 'ad_click')) expect(['facebook', 'instagram', 'google', 'tiktok']).toContain(leadById.get(k.lead_id)!.source);
    // Revenue events carry a value, a procedure code where one applies and a provider, so statements are not empty.
    const paid = g.kpiEvents.filter((k) => k.kind === 'invoice_paid');
    expect(paid.length).toBeGreaterThan(200);
    for (const k of paid) expect(Number(k.value_minor)).toBeGreaterThan(0);
    expect(paid.filter((k) => k.provider_id).length / paid.length).toBeGreaterThan(0.9);
    for (const k of g.kpiEvents.filter((x) => x.kind === 'consult_show')) expect(k.provider_id).toBeTruthy();
    // Seasonality: December (year-end rush) brings more leads than July.
    const month = (m: string) => g.leads.filter((l) => (l.created_at as Date).toISOString().slice(5, 7) === m).length;
    expect(month('12')).toBeGreaterThan(month('07'));
    // Spend recorded for some months, none for a month that has not ended.
    expect(g.campaignSpend.length).toBeGreaterThan(20);
    for (const s of g.campaignSpend) expect(String(s.month) < `${TODAY.slice(0, 7)}-01`).toBe(true);
  });

  it('links a handful of won leads to the demo patients they became, with their sessions as revenue', () => {
    const linked = g.leads.filter((l) => l.patient_id);
    expect(linked.length).toBe(12);
    const patients = new Map(clinic.patients.map((p) => [p.id, p]));
    const sessions = new Map(clinic.sessions.map((s) => [`session:${String(s.id)}`, s]));
    for (const l of linked) {
      const p = patients.get(l.patient_id)!;
      expect(l.won_at).toBeTruthy();
      expect(l.first_name).toBe(givenName(String(p.full_name)));
      expect(l.phone).toBe(twE164(String(p.phone)));
      const revenue = g.kpiEvents.filter((k) => k.lead_id === l.id && k.kind === 'invoice_paid');
      expect(revenue.length).toBeGreaterThan(0);
      for (const k of revenue) {
        const s = sessions.get(String(k.source_ref))!;
        expect(s.patient_id).toBe(p.id);
        expect(Number(k.value_minor)).toBe(Number(s.price_minor));
        expect(ms(k.occurred_at)).toBeGreaterThan(ms(l.won_at));
      }
    }
    expect(givenName('陳雅婷')).toBe('雅婷');
    expect(givenName('Emily Nguyen')).toBe('Emily');
    expect(twE164('0912-345-678')).toBe('+886912345678');
  });

  it('orders each kanban column with fractional ranks, newest move first', () => {
    const columns = new Map<unknown, Record<string, unknown>[]>();
    for (const l of g.leads) columns.set(l.stage_id, [...(columns.get(l.stage_id) ?? []), l]);
    expect(columns.size).toBe(5);
    for (const col of columns.values()) {
      const ranks = col.map((l) => String(l.rank));
      expect(new Set(ranks).size).toBe(ranks.length);
      const sorted = [...col].sort((a, b) => (String(a.rank) < String(b.rank) ? -1 : 1));
      for (let i = 1; i < sorted.length; i++) expect(ms(sorted[i - 1]!.updated_at)).toBeGreaterThanOrEqual(ms(sorted[i]!.updated_at));
    }
  });

  it('scores leads with the growth scoring, explained factor by factor', () => {
    const copy = growthOf(TODAY).g;
    scoreDemoLeads(copy, stages, instantAt(TODAY, 10, 0, 'Asia/Taipei'));
    for (const l of copy.leads) {
      const factors = l.score_factors as { factor: string; points: number }[];
      expect(factors.map((f) => f.factor)).toEqual(['stage', 'source', 'recency', 'engagement']);
      expect(l.lead_score).toBe(factors.reduce((s, f) => s + f.points, 0));
    }
    const avg = (kind: StageKindKey) => {
      const xs = copy.leads.filter((l) => l.stage_id === stages[kind].id).map((l) => Number(l.lead_score));
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    };
    expect(avg('consult_booked')).toBeGreaterThan(avg('new'));
    expect(avg('lost')).toBeLessThan(avg('contacted'));
  });
});
