import { describe, expect, it } from 'vitest';
import { evaluate, marginalSlices, parseRule, percentOf, reachedTier, type CommissionEvent, type Rule, type RuleInForce } from './commission-rules.js';
import { PROCEDURE_CODES } from './growth.schema.js';

let seq = 0;
function inv(valueMinor: number, opts: { code?: string | null; date?: string; currency?: string | null; id?: string } = {}): CommissionEvent {
  const date = opts.date ?? '2025-03-10';
  const id = opts.id ?? `e${String(++seq).padStart(5, '0')}`;
  return { id, kind: 'invoice_paid', occurredAt: `${date}T10:00:00.000Z`, localDate: date, procedureCode: opts.code === undefined ? 'BTX' : opts.code, valueMinor, currency: opts.currency === undefined ? 'USD' : opts.currency };
}
function show(date = '2025-03-10'): CommissionEvent {
  return { id: `c${String(++seq).padStart(5, '0')}`, kind: 'consult_show', occurredAt: `${date}T09:00:00.000Z`, localDate: date, procedureCode: null, valueMinor: null, currency: null };
}
function rule(r: unknown, opts: Partial<RuleInForce> = {}): RuleInForce {
  const p = parseRule(r);
  if (!p.ok) throw new Error(JSON.stringify(p.errors));
  return { id: opts.id ?? 'r1', name: opts.name ?? 'rule', rule: p.rule, effectiveFrom: opts.effectiveFrom ?? null, effectiveTo: opts.effectiveTo ?? null };
}
const pointers = (v: unknown) => { const r = parseRule(v); return r.ok ? [] : r.errors.map((e) => e.pointer); };
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('rule language: validation', () => {
  it('accepts each component type, codes, caps and both tier modes', () => {
    const r = parseRule({
      version: 1, cap_minor: 5_000_000,
      components: [
        { type: 'percent_of_revenue', percent: 10, procedure_codes: ['BTX', 'FILLER'] },
        { type: 'percent_of_revenue', percent: 2.5, cap_minor: 100_000 },
        { type: 'flat_per_consult_shown', amount_minor: 5000 },
        { type: 'tiered_percent_of_revenue', basis: 'month', mode: 'marginal', tiers: [{ from_minor: 0, percent: 5 }, { from_minor: 1_000_000, percent: 8 }] },
        { type: 'tiered_percent_of_revenue', basis: 'month', mode: 'whole', procedure_codes: ['RHINO'], tiers: [{ from_minor: 0, percent: 0.01 }] },
      ],
    });
    expect(r.ok).toBe(true);
  });

  it('refuses bad rules with JSON pointers into /rule', () => {
    expect(pointers(null)).toEqual(['/rule']);
    expect(pointers({ components: [{ type: 'flat_per_consult_shown', amount_minor: 1 }] })).toEqual(['/rule/version']);
    expect(pointers({ version: 2, components: [{ type: 'flat_per_consult_shown', amount_minor: 1 }] })).toEqual(['/rule/version']);
    expect(pointers({ version: 1, components: [] })).toEqual(['/rule/components']);
    expect(pointers({ version: 1, components: [{ type: 'bonus', amount_minor: 1 }] })).toEqual(['/rule/components/0/type']);
    // Percentages: 0 < p <= 100, at most two decimals.
    for (const bad of [0, -1, 100.01, 12.345, '10']) {
      expect(pointers({ version: 1, components: [{ type: 'percent_of_revenue', percent: bad }] })).toEqual(['/rule/components/0/percent']);
    }
    expect(pointers({ version: 1, components: [{ type: 'percent_of_revenue', percent: 100 }, { type: 'percent_of_revenue', percent: 0.01 }] })).toEqual([]);
    // Amounts are integer minor units.
    expect(pointers({ version: 1, components: [{ type: 'flat_per_consult_shown', amount_minor: 50.5 }] })).toEqual(['/rule/components/0/amount_minor']);
    expect(pointers({ version: 1, components: [{ type: 'flat_per_consult_shown', amount_minor: 0 }] })).toEqual(['/rule/components/0/amount_minor']);
    expect(pointers({ version: 1, cap_minor: 0, components: [{ type: 'flat_per_consult_shown', amount_minor: 1 }] })).toEqual(['/rule/cap_minor']);
    // Procedure codes: known, unique, not empty.
    expect(pointers({ version: 1, components: [{ type: 'percent_of_revenue', percent: 5, procedure_codes: ['BTX', 'NOSE'] }] })).toEqual(['/rule/components/0/procedure_codes/1']);
    expect(pointers({ version: 1, components: [{ type: 'percent_of_revenue', percent: 5, procedure_codes: ['BTX', 'BTX'] }] })).toEqual(['/rule/components/0/procedure_codes/1']);
    expect(pointers({ version: 1, components: [{ type: 'percent_of_revenue', percent: 5, procedure_codes: [] }] })).toEqual(['/rule/components/0/procedure_codes']);
    // Unknown keys are named (a typo never silently widens a rule), including a PHI-looking one.
    expect(pointers({ version: 1, components: [{ type: 'percent_of_revenue', percent: 5, procedure_code: ['BTX'] }] })).toEqual(['/rule/components/0/procedure_code']);
    expect(pointers({ version: 1, conditions: {}, components: [{ type: 'flat_per_consult_shown', amount_minor: 1 }] })).toEqual(['/rule/conditions']);
  });

  it('refuses tiers that do not start at 0 or do not ascend strictly, and a basis other than month', () => {
    const tiered = (tiers: unknown, extra: Record<string, unknown> = {}) => ({ version: 1, components: [{ type: 'tiered_percent_of_revenue', basis: 'month', mode: 'marginal', tiers, ...extra }] });
    expect(pointers(tiered([{ from_minor: 100, percent: 5 }]))).toEqual(['/rule/components/0/tiers/0/from_minor']);
    expect(pointers(tiered([{ from_minor: 0, percent: 5 }, { from_minor: 500, percent: 6 }, { from_minor: 500, percent: 7 }]))).toEqual(['/rule/components/0/tiers/2/from_minor']);
    expect(pointers(tiered([{ from_minor: 0, percent: 5 }, { from_minor: 900, percent: 6 }, { from_minor: 500, percent: 7 }]))).toEqual(['/rule/components/0/tiers/2/from_minor']);
    expect(pointers(tiered([]))).toEqual(['/rule/components/0/tiers']);
    expect(pointers(tiered([{ from_minor: 0, percent: 5 }], { basis: 'year' }))).toEqual(['/rule/components/0/basis']);
    expect(pointers(tiered([{ from_minor: 0, percent: 5 }], { mode: 'blended' }))).toEqual(['/rule/components/0/mode']);
    expect(pointers(tiered([{ from_minor: 0.5, percent: 5 }]))).toContain('/rule/components/0/tiers/0/from_minor');
  });
});

describe('rule language: money', () => {
  it('rounds each line half away from zero in exact integer arithmetic', () => {
    expect(percentOf(5, 10)).toBe(1); // 0.5 -> 1
    expect(percentOf(4, 10)).toBe(0); // 0.4 -> 0
    expect(percentOf(15, 10)).toBe(2); // 1.5 -> 2
    expect(percentOf(12, 12.5)).toBe(2); // 1.5 -> 2
    expect(percentOf(-5, 10)).toBe(-1); // away from zero
    expect(percentOf(1, 7.25)).toBe(0);
    expect(percentOf(100, 7.25)).toBe(7); // 7.25
    expect(percentOf(200, 7.25)).toBe(15); // 14.5 -> 15
    expect(percentOf(29, 0.29)).toBe(0); // 0.29 * 29 / 100 = 0.0841 (floating 0.29 * 100 is 28.999...)
    expect(percentOf(1_000_000, 0.29)).toBe(2900);
    // Beyond 2^53 / 10000 the product would lose digits in floating point.
    expect(percentOf(9_000_000_000_001, 33.33)).toBe(2_999_700_000_000); // 2999700000000.3333
    expect(percentOf(9_000_000_000_015, 10)).toBe(900_000_000_002); // 900000000001.5 -> ...2
  });

  it('slices marginal tiers like tax brackets and finds the tier a month reaches', () => {
    const tiers = [{ from_minor: 0 }, { from_minor: 1000 }, { from_minor: 5000 }];
    expect(marginalSlices(tiers, 0, 1000)).toEqual([{ tier: 0, basis: 1000 }]);
    expect(marginalSlices(tiers, 900, 200)).toEqual([{ tier: 0, basis: 100 }, { tier: 1, basis: 100 }]);
    expect(marginalSlices(tiers, 500, 10_000)).toEqual([{ tier: 0, basis: 500 }, { tier: 1, basis: 4000 }, { tier: 2, basis: 5500 }]);
    expect(reachedTier(tiers, 999)).toBe(0);
    expect(reachedTier(tiers, 1000)).toBe(1);
    expect(reachedTier(tiers, 4999)).toBe(1);
    expect(reachedTier(tiers, 5000)).toBe(2);
  });
});

describe('rule language: evaluation', () => {
  it('percent_of_revenue: one line per matching invoice; codes restrict it; a code-less invoice matches only a code-less component', () => {
    const r = rule({ version: 1, components: [{ type: 'percent_of_revenue', percent: 10, procedure_codes: ['BTX', 'FILLER'] }, { type: 'percent_of_revenue', percent: 1 }] });
    const events = [inv(10_000, { code: 'BTX' }), inv(20_005, { code: 'FILLER' }), inv(50_000, { code: 'RHINO' }), inv(3_000, { code: null })];
    const e = evaluate([r], events, 'USD');
    const c0 = e.lines.filter((l) => l.component_index === 0);
    expect(c0.map((l) => [l.event_id, l.basis_minor, l.rate_percent, l.commission_minor])).toEqual([
      [events[0]!.id, 10_000, 10, 1000], [events[1]!.id, 20_005, 10, 2001], // 2000.5 -> 2001
    ]);
    const c1 = e.lines.filter((l) => l.component_index === 1);
    expect(c1.map((l) => l.commission_minor)).toEqual([100, 200, 500, 30]); // 200.05 -> 200
    expect(e.total_minor).toBe(1000 + 2001 + 100 + 200 + 500 + 30);
    expect(e.revenue_basis_minor).toBe(83_005);
    expect(e.excluded).toEqual([]);
    expect(e.rules[0]!.components.map((c) => c.basis_minor)).toEqual([30_005, 83_005]);
  });

  it('flat_per_consult_shown: the amount per consult shown, revenue ignored', () => {
    const r = rule({ version: 1, components: [{ type: 'flat_per_consult_shown', amount_minor: 5000 }] });
    const e = evaluate([r], [show(), show('2025-03-20'), inv(99_999)], 'USD');
    expect(e.lines.map((l) => [l.event_kind, l.flat_minor, l.commission_minor])).toEqual([['consult_show', 5000, 5000], ['consult_show', 5000, 5000]]);
    expect(e.total_minor).toBe(10_000);
    expect(e.excluded.map((x) => x.reason)).toEqual(['no_matching_component']);
    expect(e.counts).toEqual({ invoice_paid: 1, consult_show: 2, lines: 2, excluded: 1 });
  });

  const tiers = [{ from_minor: 0, percent: 5 }, { from_minor: 1_000_000, percent: 8 }];
  const tiered = (mode: 'marginal' | 'whole') => rule({ version: 1, components: [{ type: 'tiered_percent_of_revenue', basis: 'month', mode, tiers }] });

  it('tiers at the boundary: exactly 1,000,000 stays in tier 0 marginally but reaches tier 1 as a whole', () => {
    const atBoundary = [inv(400_000), inv(600_000)];
    const m = evaluate([tiered('marginal')], atBoundary, 'USD');
    expect(m.lines.map((l) => [l.tier_index, l.basis_minor, l.commission_minor])).toEqual([[0, 400_000, 20_000], [0, 600_000, 30_000]]);
    expect(m.total_minor).toBe(50_000);
    expect(m.rules[0]!.components[0]!.tier_reached).toBe(0);
    const w = evaluate([tiered('whole')], atBoundary, 'USD');
    expect(w.lines.map((l) => [l.tier_index, l.rate_percent, l.commission_minor])).toEqual([[1, 8, 32_000], [1, 8, 48_000]]);
    expect(w.total_minor).toBe(80_000);
    const below = evaluate([tiered('whole')], [inv(999_999)], 'USD');
    expect(below.total_minor).toBe(50_000); // 49999.95 -> 50000, at 5%
    expect(below.lines[0]!.tier_index).toBe(0);
  });

  it('marginal tiers split the invoice that crosses a boundary into one line per slice', () => {
    const events = [inv(600_000, { date: '2025-03-02' }), inv(600_000, { date: '2025-03-05' }), inv(100_000, { date: '2025-03-09' })];
    const m = evaluate([tiered('marginal')], events, 'USD');
    expect(m.lines.map((l) => [l.event_id, l.tier_index, l.basis_minor, l.commission_minor])).toEqual([
      [events[0]!.id, 0, 600_000, 30_000], [events[1]!.id, 0, 400_000, 20_000], [events[1]!.id, 1, 200_000, 16_000], [events[2]!.id, 1, 100_000, 8000],
    ]);
    expect(m.total_minor).toBe(74_000);
    // Order is by time, whatever order the events come in.
    expect(evaluate([tiered('marginal')], [...events].reverse(), 'USD').lines).toEqual(m.lines);
    const w = evaluate([tiered('whole')], events, 'USD');
    expect(w.total_minor).toBe(104_000); // 1.3M at 8%
  });

  it('caps: a component cap and a rule cap each add a negative adjustment line; the total still sums the lines', () => {
    const r = rule({
      version: 1, cap_minor: 12_000,
      components: [{ type: 'percent_of_revenue', percent: 10, cap_minor: 8000 }, { type: 'flat_per_consult_shown', amount_minor: 3000 }],
    });
    const e = evaluate([r], [inv(50_000), inv(50_000), show(), show()], 'USD');
    const adj = e.lines.filter((l) => l.line_type === 'cap_adjustment');
    expect(adj.map((l) => [l.component_index, l.commission_minor])).toEqual([[0, -2000], [null, -2000]]);
    expect(e.total_minor).toBe(12_000);
    expect(sum(e.lines.map((l) => l.commission_minor))).toBe(12_000);
    expect(e.rules[0]!.capped).toBe(true);
    expect(e.rules[0]!.components[0]!).toMatchObject({ subtotal_minor: 8000, capped: true });
    // Under the caps nothing is adjusted.
    const small = evaluate([r], [inv(10_000), show()], 'USD');
    expect(small.lines.some((l) => l.line_type === 'cap_adjustment')).toBe(false);
    expect(small.total_minor).toBe(4000);
  });

  it('excludes revenue in another currency and events outside every rule\'s dates, saying why', () => {
    const r = rule({ version: 1, components: [{ type: 'percent_of_revenue', percent: 10 }] }, { effectiveFrom: '2025-03-10', effectiveTo: '2025-03-20' });
    const eur = inv(10_000, { currency: 'EUR' });
    const early = inv(10_000, { date: '2025-03-09' });
    const first = inv(10_000, { date: '2025-03-10' });
    const last = inv(10_000, { date: '2025-03-20' });
    const late = inv(10_000, { date: '2025-03-21' });
    const noCurrency = inv(10_000, { currency: null, date: '2025-03-15' });
    const e = evaluate([r], [eur, early, first, last, late, noCurrency], 'USD');
    expect(e.lines.map((l) => l.event_id).sort()).toEqual([first.id, last.id, noCurrency.id].sort());
    expect(Object.fromEntries(e.excluded.map((x) => [x.event_id, x.reason]))).toEqual({
      [eur.id]: 'currency_mismatch', [early.id]: 'no_rule_in_effect', [late.id]: 'no_rule_in_effect',
    });
    expect(e.excluded.find((x) => x.event_id === eur.id)!.detail).toContain('EUR');
    expect(e.revenue_basis_minor).toBe(50_000); // the EUR invoice is not added
    expect(e.rules[0]!.revenue_basis_minor).toBe(30_000); // only the rule's dates
  });

  it('rules add up independently, each over its own dates (a rule change mid-month)', () => {
    const before = rule({ version: 1, components: [{ type: 'percent_of_revenue', percent: 10 }] }, { id: 'a', effectiveTo: '2025-03-15' });
    const after = rule({ version: 1, components: [{ type: 'percent_of_revenue', percent: 20 }] }, { id: 'b', effectiveFrom: '2025-03-16' });
    const e = evaluate([before, after], [inv(1000, { date: '2025-03-15' }), inv(1000, { date: '2025-03-16' })], 'USD');
    expect(e.lines.map((l) => [l.rule_id, l.commission_minor])).toEqual([['a', 100], ['b', 200]]);
    expect(e.rules.map((x) => x.subtotal_minor)).toEqual([100, 200]);
    expect(e.total_minor).toBe(300);
  });
});

/** mulberry32: a small seeded generator, so a failure reproduces. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('rule language: the sum property', () => {
  it('over many random rules and events, lines add up to the total and every event is accounted for', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const rand = rng(seed);
      const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
      const pick = <T>(xs: readonly T[]) => xs[int(0, xs.length - 1)]!;
      const pct = () => int(1, 10_000) / 100;
      const codes = () => (rand() < 0.5 ? undefined : [...new Set(Array.from({ length: int(1, 3) }, () => pick(PROCEDURE_CODES)))]);
      const cap = () => (rand() < 0.3 ? { cap_minor: int(1, 500_000) } : {});
      const component = (): Rule['components'][number] => {
        const k = int(0, 2);
        if (k === 0) return { type: 'percent_of_revenue', percent: pct(), ...(codes() ? { procedure_codes: codes() } : {}), ...cap() } as Rule['components'][number];
        if (k === 1) return { type: 'flat_per_consult_shown', amount_minor: int(1, 20_000), ...cap() };
        const n = int(1, 4);
        let from = 0;
        const ts = Array.from({ length: n }, (_, i) => { if (i > 0) from += int(1, 800_000); return { from_minor: from, percent: pct() }; });
        return { type: 'tiered_percent_of_revenue', basis: 'month', mode: rand() < 0.5 ? 'marginal' : 'whole', tiers: ts, ...(codes() ? { procedure_codes: codes() } : {}), ...cap() } as Rule['components'][number];
      };
      const rules = Array.from({ length: int(1, 3) }, (_, i) => {
        const raw = { version: 1, components: Array.from({ length: int(1, 4) }, component), ...cap() };
        const from = rand() < 0.3 ? `2025-03-${String(int(1, 28)).padStart(2, '0')}` : null;
        return rule(raw, { id: `r${i}`, name: `rule ${i}`, effectiveFrom: from, effectiveTo: rand() < 0.3 ? '2025-03-28' : null });
      });
      const events: CommissionEvent[] = Array.from({ length: int(0, 80) }, () => {
        const date = `2025-03-${String(int(1, 31)).padStart(2, '0')}`;
        if (rand() < 0.3) return show(date);
        return inv(int(1, 2_000_000), { date, code: rand() < 0.15 ? null : pick(PROCEDURE_CODES), currency: rand() < 0.1 ? 'EUR' : 'USD' });
      });

      const e = evaluate(rules, events, 'USD');
      expect(e.total_minor, `seed ${seed}`).toBe(sum(e.lines.map((l) => l.commission_minor)));
      expect(e.total_minor).toBe(sum(e.rules.map((r) => r.subtotal_minor)));
      for (const r of e.rules) {
        expect(r.subtotal_minor).toBe(sum(e.lines.filter((l) => l.rule_id === r.rule_id).map((l) => l.commission_minor)));
        if (r.capped) expect(r.subtotal_minor).toBe(rules.find((x) => x.id === r.rule_id)!.rule.cap_minor);
      }
      // Every event: in lines or excluded, never both, never lost.
      const lined = new Set(e.lines.map((l) => l.event_id).filter((x): x is string => x !== null));
      const excluded = new Set(e.excluded.map((x) => x.event_id));
      expect([...lined].filter((id) => excluded.has(id))).toEqual([]);
      expect(lined.size + excluded.size).toBe(events.length);
      for (const ev of events) if (ev.currency === 'EUR') expect(excluded.has(ev.id)).toBe(true);
      // Each line is its basis at its rate, rounded half away from zero: within half a minor unit.
      for (const l of e.lines) {
        if (l.line_type === 'cap_adjustment') { expect(l.commission_minor).toBeLessThan(0); continue; }
        if (l.rate_percent !== null) expect(Math.abs(l.commission_minor - (l.basis_minor! * l.rate_percent) / 100)).toBeLessThanOrEqual(0.5 + 1e-6);
        else expect(l.commission_minor).toBe(l.flat_minor);
      }
      // A marginal component's slices of an invoice add up to the invoice.
      for (const [ri, r] of rules.entries()) {
        r.rule.components.forEach((c, ci) => {
          if (c.type !== 'tiered_percent_of_revenue') return;
          const byEvent = new Map<string, number>();
          for (const l of e.lines) if (l.rule_id === r.id && l.component_index === ci && l.event_id) byEvent.set(l.event_id, (byEvent.get(l.event_id) ?? 0) + l.basis_minor!);
          for (const [id, basis] of byEvent) expect(basis).toBe(events.find((x) => x.id === id)!.valueMinor);
          expect(sum([...byEvent.values()])).toBe(e.rules[ri]!.components[ci]!.basis_minor);
        });
      }
    }
  });
});
