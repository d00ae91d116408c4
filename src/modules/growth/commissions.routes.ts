import { z } from 'zod';
import type { ZApp } from '../../platform/http/app.js';
import type { Deps } from '../../platform/deps.js';
import type { Tx } from '../../platform/db/client.js';
import { decodeCursor, page, pageOf, pageQuery } from '../../platform/http/pagination.js';
import { idempotent } from '../../platform/http/idempotency.js';
import { errors } from '../../platform/http/problem.js';
import { audit } from '../../platform/audit/audit.service.js';
import { origin, type Guard } from '../identity/index.js';
import { localDate, orgSettings } from '../clinical/index.js';
import { PROCEDURE_CODES, PROVIDER_ROLES } from './growth.schema.js';
import { COMPONENT_TYPES, type Evaluation } from './commission-rules.js';
import {
  allStatements, createProvider, createRule, deleteProvider, deleteRule, findProvider, findRule, listProviders, listRules, previewRule,
  providerStatement, updateProvider, updateRule, type ProviderRow, type RuleRow,
} from './commissions.service.js';

const Uuid = z.string().uuid();
const Name = z.string().trim().min(1).max(200);
const DateStr = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Use a date as YYYY-MM-DD.').refine((d) => {
  const t = new Date(`${d}T00:00:00Z`);
  return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === d;
}, 'Not a calendar date.');
const Month = z.string().regex(/^(19|20)\d{2}-(0[1-9]|1[0-2])$/, 'Use a month as YYYY-MM.');
const iso = (d: Date | string): string => new Date(d).toISOString();
const RULE_DOC = 'A commission rule: { "version": 1, "components": [...], "cap_minor"? }; components are percent_of_revenue, '
  + 'flat_per_consult_shown and tiered_percent_of_revenue (docs/commissions.md). Validated on write: 422 invalid_rule with pointers into /rule.';
const RuleJson = z.record(z.string(), z.unknown()).describe(RULE_DOC);

const ProviderDto = z.object({
  provider_id: z.string(), id: z.string(), name: z.string(), role: z.enum(PROVIDER_ROLES), practitioner_id: z.string().nullable(),
  is_active: z.boolean(), created_at: z.string(), updated_at: z.string(),
});
const providerDto = (p: ProviderRow): z.infer<typeof ProviderDto> => ({
  provider_id: p.id, id: p.id, name: p.name, role: p.role, practitioner_id: p.practitioner_id, is_active: p.is_active,
  created_at: iso(p.created_at), updated_at: iso(p.updated_at),
});
const NewProvider = z.object({
  name: Name, role: z.enum(PROVIDER_ROLES), practitioner_id: Uuid.nullable().optional().describe('A practitioner of this organization'),
  is_active: z.boolean().optional(),
}).strict();
const ProviderPatch = z.object({
  name: Name.optional(), role: z.enum(PROVIDER_ROLES).optional(), practitioner_id: Uuid.nullable().optional(), is_active: z.boolean().optional(),
}).strict();

const RuleDto = z.object({
  rule_id: z.string(), id: z.string(), provider_id: z.string(), provider_name: z.string(), name: z.string(), rule: RuleJson,
  effective_from: z.string().nullable(), effective_to: z.string().nullable(), is_active: z.boolean(), created_at: z.string(), updated_at: z.string(),
});
const ruleDto = (r: RuleRow): z.infer<typeof RuleDto> => ({
  rule_id: r.id, id: r.id, provider_id: r.provider_id, provider_name: r.provider_name, name: r.name, rule: r.rule as unknown as Record<string, unknown>,
  effective_from: r.effective_from, effective_to: r.effective_to, is_active: r.is_active, created_at: iso(r.created_at), updated_at: iso(r.updated_at),
});
const NewRule = z.object({
  provider_id: Uuid, name: Name, rule: RuleJson,
  effective_from: DateStr.nullable().optional().describe('First day the rule applies (org calendar); open when absent'),
  effective_to: DateStr.nullable().optional().describe('Last day the rule applies (inclusive); open when absent'),
  is_active: z.boolean().optional(),
}).strict();
const RulePatch = z.object({
  provider_id: Uuid.optional(), name: Name.optional(), rule: RuleJson.optional(), effective_from: DateStr.nullable().optional(),
  effective_to: DateStr.nullable().optional(), is_active: z.boolean().optional(),
}).strict();

const LineDto = z.object({
  line_type: z.enum(['event', 'cap_adjustment']).describe('event: one event under one rule component (or one tier slice); cap_adjustment: the negative amount a cap removes'),
  event_id: z.string().nullable(), event_kind: z.enum(['invoice_paid', 'consult_show']).nullable(), occurred_at: z.string().nullable(),
  procedure_code: z.string().nullable(), rule_id: z.string().nullable(), rule_name: z.string(), component_index: z.number().int().nullable(),
  component_type: z.enum(COMPONENT_TYPES).nullable(), tier_index: z.number().int().nullable(), basis_minor: z.number().int().nullable(),
  rate_percent: z.number().nullable(), flat_minor: z.number().int().nullable(), commission_minor: z.number().int(),
});
const ExcludedDto = z.object({
  event_id: z.string(), event_kind: z.enum(['invoice_paid', 'consult_show']), occurred_at: z.string(), procedure_code: z.string().nullable(),
  value_minor: z.number().int().nullable(), currency: z.string().nullable(),
  reason: z.enum(['currency_mismatch', 'no_rule_in_effect', 'no_matching_component']), detail: z.string(),
});
const ComponentResultDto = z.object({
  index: z.number().int(), type: z.enum(COMPONENT_TYPES), basis_minor: z.number().int().describe('Matched revenue (0 for consult components)'),
  events: z.number().int(), subtotal_minor: z.number().int(), capped: z.boolean(), tier_reached: z.number().int().nullable(),
});
const CountsDto = z.object({ invoice_paid: z.number().int(), consult_show: z.number().int(), lines: z.number().int(), excluded: z.number().int() });
const RuleResultDto = z.object({
  rule_id: z.string().nullable(), name: z.string(), effective_from: z.string().nullable(), effective_to: z.string().nullable(), rule: RuleJson,
  revenue_basis_minor: z.number().int(), consults_shown: z.number().int(), subtotal_minor: z.number().int(), capped: z.boolean(),
  components: z.array(ComponentResultDto),
});
const Totals = {
  currency: z.string(), counts: CountsDto, revenue_basis_minor: z.number().int().describe('Paid revenue counted in the period (org currency)'),
  total_minor: z.number().int().describe('The sum of commission_minor over lines'), lines: z.array(LineDto), excluded: z.array(ExcludedDto),
};
const StatementDto = z.object({
  provider: ProviderDto, month: z.string(), timezone: z.string(), period: z.object({ from: z.string(), to: z.string() }),
  rules: z.array(RuleResultDto), ...Totals,
});
const SummaryDto = z.object({
  month: z.string(), timezone: z.string(), currency: z.string(), total_minor: z.number().int(),
  items: z.array(z.object({
    provider: ProviderDto, total_minor: z.number().int(), currency: z.string(), revenue_basis_minor: z.number().int(), counts: CountsDto,
  })),
});
const PreviewDto = z.object({
  provider: ProviderDto.nullable(), month: z.string(), timezone: z.string(), period: z.object({ from: z.string(), to: z.string() }),
  rule: RuleJson, components: z.array(ComponentResultDto), ...Totals,
});
const Preview = z.object({
  rule: RuleJson, provider_id: Uuid.optional().describe('Whose events; all revenue and consult events of the organization when absent'),
  month: Month.optional().describe('YYYY-MM in the organization\'s time zone; the current month when absent'),
}).strict();

const totals = (e: Evaluation) => ({
  currency: e.currency, counts: e.counts, revenue_basis_minor: e.revenue_basis_minor, total_minor: e.total_minor, lines: e.lines, excluded: e.excluded,
});

export function commissionRoutes(app: ZApp, deps: Deps, guard: Guard): void {
  /** The organization's time zone and currency, and the month asked for (this month there by default). */
  const monthOf = async (tx: Tx, month: string | undefined) => {
    const s = await orgSettings(tx);
    return { settings: s, month: month ?? localDate(deps.now(), s.timezone).slice(0, 7) };
  };

  // ---- providers ----
  app.post('/api/commission-providers', {
    schema: { tags: ['growth'], summary: 'Add a commission provider (seed 004 Provider: surgeon, nurse, consultant...)', body: NewProvider, response: { 201: ProviderDto } },
  }, async (req, reply) => {
    const out = await guard(req, { permission: 'commission.manage' }, (tx) => idempotent(tx, req, async () => {
      const b = req.body;
      const p = await createProvider(tx, origin(req), { name: b.name, role: b.role, practitionerId: b.practitioner_id, isActive: b.is_active });
      return { status: 201, body: providerDto(p) };
    }));
    return reply.status(out.status as 201).send(out.body as z.infer<typeof ProviderDto>);
  });

  app.get('/api/commission-providers', {
    schema: {
      tags: ['growth'], summary: 'Commission providers by name',
      querystring: z.object({ ...pageQuery, q: z.string().trim().max(200).optional(), role: z.enum(PROVIDER_ROLES).optional(), active: z.enum(['true', 'false']).optional() }),
      response: { 200: pageOf(ProviderDto) },
    },
  }, async (req) => guard(req, { permission: 'commission.read' }, async (tx) => {
    const q = req.query;
    const cursor = decodeCursor(q.cursor, z.object({ name: z.string(), id: Uuid }));
    const rows = await listProviders(tx, { q: q.q || undefined, role: q.role, active: q.active === undefined ? undefined : q.active === 'true', limit: q.limit, cursor });
    await audit(tx, origin(req), { action: 'list', entityType: 'commission_provider', details: { count: Math.min(rows.length, q.limit) } });
    return page(rows, q.limit, (p) => ({ name: p.name.toLowerCase(), id: p.id }), providerDto);
  }));

  app.get('/api/commission-providers/:id', {
    schema: { tags: ['growth'], summary: 'A commission provider', params: z.object({ id: Uuid }), response: { 200: ProviderDto } },
  }, async (req) => guard(req, { permission: 'commission.read' }, async (tx) => {
    const p = await findProvider(tx, req.params.id);
    if (!p) throw errors.notFound('commission provider');
    await audit(tx, origin(req), { action: 'read', entityType: 'commission_provider', entityId: p.id });
    return providerDto(p);
  }));

  app.patch('/api/commission-providers/:id', {
    schema: { tags: ['growth'], summary: 'Change a commission provider', params: z.object({ id: Uuid }), body: ProviderPatch, response: { 200: ProviderDto } },
  }, async (req) => guard(req, { permission: 'commission.manage' }, async (tx) => {
    const b = req.body;
    return providerDto(await updateProvider(tx, origin(req), req.params.id, { name: b.name, role: b.role, practitionerId: b.practitioner_id, isActive: b.is_active }, deps.now()));
  }));

  app.delete('/api/commission-providers/:id', {
    schema: { tags: ['growth'], summary: 'Delete a commission provider and its rules (soft)', params: z.object({ id: Uuid }), response: { 204: z.null() } },
  }, async (req, reply) => {
    await guard(req, { permission: 'commission.manage' }, (tx) => deleteProvider(tx, origin(req), req.params.id, deps.now()));
    return reply.status(204).send(null);
  });

  // ---- rules ----
  app.post('/api/commission-rules', {
    schema: { tags: ['growth'], summary: 'Add a commission rule for a provider (the rule language of docs/commissions.md)', body: NewRule, response: { 201: RuleDto } },
  }, async (req, reply) => {
    const out = await guard(req, { permission: 'commission.manage' }, (tx) => idempotent(tx, req, async () => {
      const b = req.body;
      const r = await createRule(tx, origin(req), {
        providerId: b.provider_id, name: b.name, rule: b.rule, effectiveFrom: b.effective_from, effectiveTo: b.effective_to, isActive: b.is_active,
      });
      return { status: 201, body: ruleDto(r) };
    }));
    return reply.status(out.status as 201).send(out.body as z.infer<typeof RuleDto>);
  });

  app.post('/api/commission-rules/preview', {
    schema: {
      tags: ['growth'], summary: 'Evaluate an unsaved rule over a month (writes nothing)',
      description: 'Over the named provider\'s events, or every revenue and consult event of the organization when provider_id is absent. The rule is taken as in force all month.',
      body: Preview, response: { 200: PreviewDto },
    },
  }, async (req) => guard(req, { permission: 'commission.read' }, async (tx) => {
    const { settings, month } = await monthOf(tx, req.body.month);
    const r = await previewRule(tx, { rule: req.body.rule, providerId: req.body.provider_id, month }, settings);
    await audit(tx, origin(req), { action: 'read', entityType: 'commission_rule_preview', entityId: r.provider?.id ?? null, details: { month } });
    return {
      provider: r.provider ? providerDto(r.provider) : null, month, timezone: settings.timezone, period: { from: r.period.from, to: r.period.to },
      rule: r.rule as unknown as Record<string, unknown>, components: r.evaluation.rules[0]!.components, ...totals(r.evaluation),
    };
  }));

  app.get('/api/commission-rules', {
    schema: {
      tags: ['growth'], summary: 'Commission rules by name',
      querystring: z.object({ ...pageQuery, provider_id: Uuid.optional(), active: z.enum(['true', 'false']).optional() }),
      response: { 200: pageOf(RuleDto) },
    },
  }, async (req) => guard(req, { permission: 'commission.read' }, async (tx) => {
    const q = req.query;
    const cursor = decodeCursor(q.cursor, z.object({ name: z.string(), id: Uuid }));
    const rows = await listRules(tx, { providerId: q.provider_id, active: q.active === undefined ? undefined : q.active === 'true', limit: q.limit, cursor });
    await audit(tx, origin(req), { action: 'list', entityType: 'commission_rule', details: { count: Math.min(rows.length, q.limit) } });
    return page(rows, q.limit, (r) => ({ name: r.name.toLowerCase(), id: r.id }), ruleDto);
  }));

  app.get('/api/commission-rules/:id', {
    schema: { tags: ['growth'], summary: 'A commission rule', params: z.object({ id: Uuid }), response: { 200: RuleDto } },
  }, async (req) => guard(req, { permission: 'commission.read' }, async (tx) => {
    const r = await findRule(tx, req.params.id);
    if (!r) throw errors.notFound('commission rule');
    await audit(tx, origin(req), { action: 'read', entityType: 'commission_rule', entityId: r.id });
    return ruleDto(r);
  }));

  app.patch('/api/commission-rules/:id', {
    schema: { tags: ['growth'], summary: 'Change a commission rule (a new rule is validated as on create)', params: z.object({ id: Uuid }), body: RulePatch, response: { 200: RuleDto } },
  }, async (req) => guard(req, { permission: 'commission.manage' }, async (tx) => {
    const b = req.body;
    return ruleDto(await updateRule(tx, origin(req), req.params.id, {
      providerId: b.provider_id, name: b.name, rule: b.rule, effectiveFrom: b.effective_from, effectiveTo: b.effective_to, isActive: b.is_active,
    }, deps.now()));
  }));

  app.delete('/api/commission-rules/:id', {
    schema: { tags: ['growth'], summary: 'Delete a commission rule (soft)', params: z.object({ id: Uuid }), response: { 204: z.null() } },
  }, async (req, reply) => {
    await guard(req, { permission: 'commission.manage' }, (tx) => deleteRule(tx, origin(req), req.params.id, deps.now()));
    return reply.status(204).send(null);
  });

  // ---- statements ----
  app.get('/api/commission-statements', {
    schema: {
      tags: ['growth'], summary: 'Every provider\'s commission for a month (org time zone and currency)',
      querystring: z.object({ month: Month.optional().describe('YYYY-MM; this month when absent') }), response: { 200: SummaryDto },
    },
  }, async (req) => guard(req, { permission: 'commission.read' }, async (tx) => {
    const { settings, month } = await monthOf(tx, req.query.month);
    const all = await allStatements(tx, month, settings);
    await audit(tx, origin(req), { action: 'list', entityType: 'commission_statement', details: { month, count: all.length } });
    return {
      month, timezone: settings.timezone, currency: settings.currency, total_minor: all.reduce((s, a) => s + a.evaluation.total_minor, 0),
      items: all.map((a) => ({
        provider: providerDto(a.provider), total_minor: a.evaluation.total_minor, currency: a.evaluation.currency,
        revenue_basis_minor: a.evaluation.revenue_basis_minor, counts: a.evaluation.counts,
      })),
    };
  }));

  app.get('/api/commission-statements/:providerId', {
    schema: {
      tags: ['growth'], summary: 'A provider\'s monthly commission statement: one line per event and rule component, adding up to the total',
      description: `Events count in the month when they occurred in that calendar month in the organization's time zone; events in another currency, outside every rule's dates or matched by no component are listed under excluded with a reason. Procedure codes: ${PROCEDURE_CODES.join(', ')}.`,
      params: z.object({ providerId: Uuid }), querystring: z.object({ month: Month.optional().describe('YYYY-MM; this month when absent') }), response: { 200: StatementDto },
    },
  }, async (req) => guard(req, { permission: 'commission.read' }, async (tx) => {
    const { settings, month } = await monthOf(tx, req.query.month);
    const s = await providerStatement(tx, req.params.providerId, month, settings);
    await audit(tx, origin(req), { action: 'read', entityType: 'commission_statement', entityId: s.provider.id, details: { month, total_minor: s.evaluation.total_minor } });
    return {
      provider: providerDto(s.provider), month, timezone: s.timezone, period: { from: s.period.from, to: s.period.to },
      rules: s.rules.map((r, i) => {
        const res = s.evaluation.rules[i]!;
        return {
          rule_id: r.id, name: r.name, effective_from: r.effectiveFrom, effective_to: r.effectiveTo, rule: r.rule as unknown as Record<string, unknown>,
          revenue_basis_minor: res.revenue_basis_minor, consults_shown: res.consults_shown, subtotal_minor: res.subtotal_minor, capped: res.capped,
          components: res.components,
        };
      }),
      ...totals(s.evaluation),
    };
  }));
}
