/**
 * The commission rule language (seed 004 CommissionRule.rule_json), pure: no database, no clock.
 * A rule is `{ version: 1, components: [...], cap_minor? }`; docs/commissions.md is the reference.
 * Money is integer minor units throughout; every line is rounded on its own (half away from zero)
 * and caps are applied as explicit adjustment lines, so a statement's total is the sum of its lines.
 */
import { z } from 'zod';
import type { FieldError } from '../../platform/http/problem.js';
import { PROCEDURE_CODES } from './growth.schema.js';

export type ProcedureCode = (typeof PROCEDURE_CODES)[number];

const MAX_MINOR = 1e13; // 100 billion in a 2-decimal currency: far above any clinic's month, well inside 2^53
const Minor = z.number().int('Use an integer amount in minor units (cents).');
const Percent = z.number()
  .gt(0, 'A percentage is above 0.')
  .lte(100, 'A percentage is at most 100.')
  .refine((p) => Math.abs(p * 100 - Math.round(p * 100)) < 1e-7, 'At most two decimals (e.g. 12.5 or 7.25).');
const Cap = Minor.positive('A cap is above 0.').max(MAX_MINOR);
const Codes = z.array(z.enum(PROCEDURE_CODES)).min(1, 'List at least one procedure code, or leave procedure_codes out to match all revenue.').max(PROCEDURE_CODES.length)
  .superRefine((codes, ctx) => {
    codes.forEach((c, i) => { if (codes.indexOf(c) !== i) ctx.addIssue({ code: 'custom', path: [i], message: `${c} is listed twice.` }); });
  });

const PercentOfRevenue = z.object({
  type: z.literal('percent_of_revenue'),
  percent: Percent,
  procedure_codes: Codes.optional(),
  cap_minor: Cap.optional(),
}).strict();

const FlatPerConsultShown = z.object({
  type: z.literal('flat_per_consult_shown'),
  amount_minor: Minor.positive('A flat amount is above 0.').max(MAX_MINOR),
  cap_minor: Cap.optional(),
}).strict();

const Tier = z.object({ from_minor: Minor.min(0, 'A tier starts at 0 or above.').max(MAX_MINOR), percent: Percent }).strict();

const TieredPercentOfRevenue = z.object({
  type: z.literal('tiered_percent_of_revenue'),
  basis: z.literal('month'),
  mode: z.enum(['marginal', 'whole']),
  tiers: z.array(Tier).min(1, 'At least one tier.').max(20).superRefine((tiers, ctx) => {
    if (tiers[0] && tiers[0].from_minor !== 0) ctx.addIssue({ code: 'custom', path: [0, 'from_minor'], message: 'The first tier starts at 0.' });
    for (let i = 1; i < tiers.length; i++) {
      if (tiers[i]!.from_minor <= tiers[i - 1]!.from_minor) {
        ctx.addIssue({ code: 'custom', path: [i, 'from_minor'], message: `Tiers ascend strictly: above ${tiers[i - 1]!.from_minor}.` });
      }
    }
  }),
  procedure_codes: Codes.optional(),
  cap_minor: Cap.optional(),
}).strict();

export const Component = z.discriminatedUnion('type', [PercentOfRevenue, FlatPerConsultShown, TieredPercentOfRevenue]);
export const Rule = z.object({
  version: z.literal(1),
  components: z.array(Component).min(1, 'A rule has at least one component.').max(20),
  cap_minor: Cap.optional(),
}).strict();

export type Rule = z.infer<typeof Rule>;
export type Component = z.infer<typeof Component>;
export type ComponentType = Component['type'];
export const COMPONENT_TYPES = ['percent_of_revenue', 'flat_per_consult_shown', 'tiered_percent_of_revenue'] as const;

const escape = (seg: string | number) => String(seg).replace(/~/g, '~0').replace(/\//g, '~1');

/** Validates a rule; errors carry JSON pointers under `root` (e.g. /rule/components/0/percent). */
export function parseRule(value: unknown, root = '/rule'): { ok: true; rule: Rule } | { ok: false; errors: FieldError[] } {
  const r = Rule.safeParse(value);
  if (r.success) return { ok: true, rule: r.data };
  const out: FieldError[] = [];
  for (const issue of r.error.issues) {
    const base = `${root}${issue.path.map((s) => `/${escape(s as string | number)}`).join('')}`;
    // An unknown key is reported on the key itself, so a client can highlight it.
    if (issue.code === 'unrecognized_keys') for (const k of issue.keys) out.push({ pointer: `${base}/${escape(k)}`, message: `Unknown field "${k}".` });
    else out.push({ pointer: base, message: issue.message });
  }
  return { ok: false, errors: out };
}

// ---------------------------------------------------------------------------------------------
// Evaluation

export type CommissionEventKind = 'invoice_paid' | 'consult_show';

/** A KPI event of the month, with its calendar date in the organization's time zone. */
export interface CommissionEvent {
  id: string;
  kind: CommissionEventKind;
  occurredAt: string;
  localDate: string;
  procedureCode: string | null;
  valueMinor: number | null;
  currency: string | null;
}

/** A rule as it applies: effective dates are inclusive calendar dates in the org's time zone (null: open). */
export interface RuleInForce {
  id: string | null;
  name: string;
  rule: Rule;
  effectiveFrom: string | null;
  effectiveTo: string | null;
}

export interface StatementLine {
  line_type: 'event' | 'cap_adjustment';
  event_id: string | null;
  event_kind: CommissionEventKind | null;
  occurred_at: string | null;
  procedure_code: string | null;
  rule_id: string | null;
  rule_name: string;
  /** Null on a rule-level cap adjustment. */
  component_index: number | null;
  component_type: ComponentType | null;
  /** The tier whose percent this line used (tiered components). */
  tier_index: number | null;
  /** The revenue this line's percent applies to (a marginal tier may take a slice of an invoice). */
  basis_minor: number | null;
  rate_percent: number | null;
  flat_minor: number | null;
  commission_minor: number;
}

export type ExclusionReason = 'currency_mismatch' | 'no_rule_in_effect' | 'no_matching_component';

export interface ExcludedEvent {
  event_id: string;
  event_kind: CommissionEventKind;
  occurred_at: string;
  procedure_code: string | null;
  value_minor: number | null;
  currency: string | null;
  reason: ExclusionReason;
  detail: string;
}

export interface RuleResult {
  rule_id: string | null;
  rule_name: string;
  revenue_basis_minor: number;
  consults_shown: number;
  subtotal_minor: number;
  components: { index: number; type: ComponentType; basis_minor: number; events: number; subtotal_minor: number; capped: boolean; tier_reached: number | null }[];
  capped: boolean;
}

export interface Evaluation {
  currency: string;
  lines: StatementLine[];
  excluded: ExcludedEvent[];
  rules: RuleResult[];
  counts: { invoice_paid: number; consult_show: number; lines: number; excluded: number };
  /** Paid revenue in the org's currency in the period (every counted invoice once, matched by a rule or not). */
  revenue_basis_minor: number;
  total_minor: number;
}

/** Basis points (1/100 of a percent): percentages have at most two decimals, so this is exact. */
export const basisPoints = (percent: number): number => Math.round(percent * 100);

/** round(amount × bp / 10000), half away from zero, in exact integer arithmetic. */
export function percentOf(amountMinor: number, percent: number): number {
  const num = BigInt(amountMinor) * BigInt(basisPoints(percent));
  const neg = num < 0n;
  const abs = neg ? -num : num;
  const q = (abs * 2n + 10000n) / 20000n; // floor(abs / 10000 + 1/2)
  return Number(neg ? -q : q);
}

const inWindow = (r: RuleInForce, date: string) => (r.effectiveFrom === null || r.effectiveFrom <= date) && (r.effectiveTo === null || date <= r.effectiveTo);

const matchesCodes = (codes: readonly string[] | undefined, e: CommissionEvent) => codes === undefined || (e.procedureCode !== null && codes.includes(e.procedureCode));

const byTime = (a: CommissionEvent, b: CommissionEvent) =>
  a.occurredAt < b.occurredAt ? -1 : a.occurredAt > b.occurredAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

/** The tier a month's revenue reaches: the last whose from_minor is at or below it. */
export function reachedTier(tiers: readonly { from_minor: number }[], basisMinor: number): number {
  let reached = 0;
  tiers.forEach((t, i) => { if (basisMinor >= t.from_minor) reached = i; });
  return reached;
}

/**
 * The marginal slices of an invoice [before, before + value) across tiers, like tax brackets:
 * tier i holds the revenue between its from_minor and the next tier's.
 */
export function marginalSlices(tiers: readonly { from_minor: number }[], before: number, value: number): { tier: number; basis: number }[] {
  const out: { tier: number; basis: number }[] = [];
  const end = before + value;
  tiers.forEach((t, i) => {
    const lo = Math.max(before, t.from_minor);
    const hi = Math.min(end, tiers[i + 1]?.from_minor ?? Number.POSITIVE_INFINITY);
    if (hi > lo) out.push({ tier: i, basis: hi - lo });
  });
  return out;
}

/**
 * Evaluates the rules in force over a period's events. Every event appears either in lines (once
 * per rule component it matched, or once per tier slice) or in `excluded` with a reason; rules are
 * independent and their components add up. Deterministic: events are taken by (occurred_at, id).
 */
export function evaluate(rules: readonly RuleInForce[], events: readonly CommissionEvent[], currency: string): Evaluation {
  const sorted = [...events].sort(byTime);
  const excluded: ExcludedEvent[] = [];
  const counted: CommissionEvent[] = [];
  const exclude = (e: CommissionEvent, reason: ExclusionReason, detail: string) => excluded.push({
    event_id: e.id, event_kind: e.kind, occurred_at: e.occurredAt, procedure_code: e.procedureCode, value_minor: e.valueMinor, currency: e.currency, reason, detail,
  });
  for (const e of sorted) {
    // Revenue in another currency cannot be added to the org's: shown, never converted silently.
    if (e.kind === 'invoice_paid' && e.currency !== null && e.currency !== currency) {
      exclude(e, 'currency_mismatch', `Paid in ${e.currency}; statements are in ${currency}.`);
    } else counted.push(e);
  }

  const lines: StatementLine[] = [];
  const results: RuleResult[] = [];
  const earned = new Set<string>();
  for (const r of rules) {
    const mine = counted.filter((e) => inWindow(r, e.localDate));
    const ruleLines: StatementLine[] = [];
    const result: RuleResult = {
      rule_id: r.id, rule_name: r.name, subtotal_minor: 0, capped: false, components: [],
      revenue_basis_minor: mine.filter((e) => e.kind === 'invoice_paid').reduce((s, e) => s + (e.valueMinor ?? 0), 0),
      consults_shown: mine.filter((e) => e.kind === 'consult_show').length,
    };
    const base = (e: CommissionEvent, index: number, c: Component) => ({
      line_type: 'event' as const, event_id: e.id, event_kind: e.kind, occurred_at: e.occurredAt, procedure_code: e.procedureCode,
      rule_id: r.id, rule_name: r.name, component_index: index, component_type: c.type,
    });
    r.rule.components.forEach((c, index) => {
      const compLines: StatementLine[] = [];
      let basis = 0;
      let tierReached: number | null = null;
      if (c.type === 'flat_per_consult_shown') {
        const hits = mine.filter((e) => e.kind === 'consult_show');
        for (const e of hits) {
          compLines.push({ ...base(e, index, c), tier_index: null, basis_minor: null, rate_percent: null, flat_minor: c.amount_minor, commission_minor: c.amount_minor });
        }
      } else {
        const hits = mine.filter((e) => e.kind === 'invoice_paid' && matchesCodes(c.procedure_codes, e));
        basis = hits.reduce((s, e) => s + (e.valueMinor ?? 0), 0);
        if (c.type === 'percent_of_revenue') {
          for (const e of hits) {
            const v = e.valueMinor ?? 0;
            compLines.push({ ...base(e, index, c), tier_index: null, basis_minor: v, rate_percent: c.percent, flat_minor: null, commission_minor: percentOf(v, c.percent) });
          }
        } else if (c.mode === 'whole') {
          // The whole month's revenue is known when the statement is drawn: one rate for every line.
          tierReached = reachedTier(c.tiers, basis);
          const pct = c.tiers[tierReached]!.percent;
          for (const e of hits) {
            const v = e.valueMinor ?? 0;
            compLines.push({ ...base(e, index, c), tier_index: tierReached, basis_minor: v, rate_percent: pct, flat_minor: null, commission_minor: percentOf(v, pct) });
          }
        } else {
          let before = 0;
          for (const e of hits) {
            const v = e.valueMinor ?? 0;
            for (const s of marginalSlices(c.tiers, before, v)) {
              const pct = c.tiers[s.tier]!.percent;
              compLines.push({ ...base(e, index, c), tier_index: s.tier, basis_minor: s.basis, rate_percent: pct, flat_minor: null, commission_minor: percentOf(s.basis, pct) });
            }
            before += v;
          }
          tierReached = basis === 0 ? 0 : reachedTier(c.tiers, basis - 1); // the tier the last unit of revenue fell in
        }
      }
      for (const l of compLines) if (l.event_id) earned.add(l.event_id);
      let subtotal = compLines.reduce((s, l) => s + l.commission_minor, 0);
      let capped = false;
      if (c.cap_minor !== undefined && subtotal > c.cap_minor) {
        compLines.push(capLine(r, index, c.type, c.cap_minor - subtotal));
        subtotal = c.cap_minor;
        capped = true;
      }
      result.components.push({ index, type: c.type, basis_minor: basis, events: new Set(compLines.map((l) => l.event_id).filter(Boolean)).size, subtotal_minor: subtotal, capped, tier_reached: tierReached });
      ruleLines.push(...compLines);
    });
    let ruleTotal = ruleLines.reduce((s, l) => s + l.commission_minor, 0);
    if (r.rule.cap_minor !== undefined && ruleTotal > r.rule.cap_minor) {
      ruleLines.push(capLine(r, null, null, r.rule.cap_minor - ruleTotal));
      ruleTotal = r.rule.cap_minor;
      result.capped = true;
    }
    result.subtotal_minor = ruleTotal;
    results.push(result);
    lines.push(...ruleLines);
  }

  for (const e of counted) {
    if (earned.has(e.id)) continue;
    if (!rules.some((r) => inWindow(r, e.localDate))) exclude(e, 'no_rule_in_effect', `No rule was in effect on ${e.localDate}.`);
    else exclude(e, 'no_matching_component', e.kind === 'consult_show' ? 'No rule in effect pays for consults shown.'
      : `No rule in effect pays on ${e.procedureCode ?? 'revenue without a procedure code'}.`);
  }
  excluded.sort((a, b) => (a.occurred_at < b.occurred_at ? -1 : a.occurred_at > b.occurred_at ? 1 : a.event_id < b.event_id ? -1 : 1));

  return {
    currency,
    lines,
    excluded,
    rules: results,
    counts: {
      invoice_paid: counted.filter((e) => e.kind === 'invoice_paid').length,
      consult_show: counted.filter((e) => e.kind === 'consult_show').length,
      lines: lines.length,
      excluded: excluded.length,
    },
    revenue_basis_minor: counted.filter((e) => e.kind === 'invoice_paid').reduce((s, e) => s + (e.valueMinor ?? 0), 0),
    total_minor: lines.reduce((s, l) => s + l.commission_minor, 0),
  };
}

function capLine(r: RuleInForce, index: number | null, type: ComponentType | null, amount: number): StatementLine {
  return {
    line_type: 'cap_adjustment', event_id: null, event_kind: null, occurred_at: null, procedure_code: null, rule_id: r.id, rule_name: r.name,
    component_index: index, component_type: type, tier_index: null, basis_minor: null, rate_percent: null, flat_minor: null, commission_minor: amount,
  };
}
