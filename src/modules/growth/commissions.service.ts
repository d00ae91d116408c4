/**
 * Commission providers, their rules, and monthly statements computed from KPI events
 * (invoice_paid for revenue, consult_show for consults). Reads no medical table: the only link to
 * the directory is a provider's optional practitioner id, checked to belong to the organization.
 */
import type { Tx } from '../../platform/db/client.js';
import { newId } from '../../platform/crypto.js';
import { SqlFilter, likePattern } from '../../platform/db/filter.js';
import { AppError, errors } from '../../platform/http/problem.js';
import { audit, type AuditOrigin } from '../../platform/audit/audit.service.js';
import { assertNoPhi } from './phi.js';
import { PROVIDER_ROLES } from './growth.schema.js';
import { evaluate, parseRule, type CommissionEvent, type Evaluation, type Rule, type RuleInForce } from './commission-rules.js';

export type ProviderRole = (typeof PROVIDER_ROLES)[number];

export interface ProviderRow {
  id: string; name: string; role: ProviderRole; practitioner_id: string | null; is_active: boolean; created_at: Date; updated_at: Date;
}

export interface RuleRow {
  id: string; provider_id: string; provider_name: string; name: string; rule: Rule; effective_from: string | null; effective_to: string | null;
  is_active: boolean; created_at: Date; updated_at: Date;
}

/** Throws 422 with pointers into /rule (or `root`) unless the value is a valid rule. */
export function validRule(value: unknown, root = '/rule'): Rule {
  assertNoPhi(value, root);
  const r = parseRule(value, root);
  if (!r.ok) throw new AppError(422, 'invalid_rule', 'The commission rule is not valid; see errors and docs/commissions.md.', r.errors);
  return r.rule;
}

// ---- providers ----

const PROVIDER_SELECT = `SELECT id, name, role, practitioner_id, is_active, created_at, updated_at FROM commission_providers`;

export async function findProvider(tx: Tx, id: string): Promise<ProviderRow | null> {
  const [p] = await tx.query<ProviderRow>(`${PROVIDER_SELECT} WHERE org_id = visage_current_org() AND id = $1 AND deleted_at IS NULL`, [id]);
  return p ?? null;
}

async function checkPractitioner(tx: Tx, id: string | null | undefined): Promise<void> {
  if (!id) return;
  const [p] = await tx.query('SELECT 1 FROM practitioners WHERE org_id = visage_current_org() AND id = $1 AND deleted_at IS NULL', [id]);
  if (!p) throw errors.validation(`No practitioner with id "${id}" in this organization.`, [{ pointer: '/practitioner_id', message: 'not found' }]);
}

export interface ProviderInput { name: string; role: ProviderRole; practitionerId?: string | null; isActive?: boolean }

export async function createProvider(tx: Tx, origin: AuditOrigin, input: ProviderInput): Promise<ProviderRow> {
  await checkPractitioner(tx, input.practitionerId);
  const id = newId();
  await tx.query(`INSERT INTO commission_providers (id, org_id, name, role, practitioner_id, is_active) VALUES ($1, visage_current_org(), $2, $3, $4, $5)`,
    [id, input.name, input.role, input.practitionerId ?? null, input.isActive ?? true]);
  await audit(tx, origin, { action: 'create', entityType: 'commission_provider', entityId: id, details: { role: input.role } });
  return (await findProvider(tx, id))!;
}

export interface ProviderFilter { q?: string; role?: ProviderRole; active?: boolean; limit: number; cursor: { name: string; id: string } | null }

export async function listProviders(tx: Tx, f: ProviderFilter): Promise<ProviderRow[]> {
  const w = new SqlFilter('org_id = visage_current_org()', 'deleted_at IS NULL');
  w.when('name ILIKE ?', likePattern(f.q)).when('role = ?', f.role).when('is_active = ?', f.active);
  if (f.cursor) w.when(`(lower(name), id) > (${w.param(f.cursor.name)}, ?::uuid)`, f.cursor.id);
  return tx.query<ProviderRow>(`${PROVIDER_SELECT} WHERE ${w.where} ORDER BY lower(name), id LIMIT ${w.param(f.limit + 1)}`, w.params);
}

export async function updateProvider(tx: Tx, origin: AuditOrigin, id: string, patch: Partial<ProviderInput>, now: Date): Promise<ProviderRow> {
  const p = await findProvider(tx, id);
  if (!p) throw errors.notFound('commission provider');
  if (patch.practitionerId) await checkPractitioner(tx, patch.practitionerId);
  await tx.query(
    `UPDATE commission_providers SET name = COALESCE($2, name), role = COALESCE($3, role),
        practitioner_id = CASE WHEN $4 THEN $5::uuid ELSE practitioner_id END, is_active = COALESCE($6, is_active), updated_at = $7
      WHERE org_id = visage_current_org() AND id = $1`,
    [id, patch.name ?? null, patch.role ?? null, patch.practitionerId !== undefined, patch.practitionerId ?? null, patch.isActive ?? null, now]);
  const fields = Object.entries(patch).filter(([, v]) => v !== undefined).map(([k]) => k);
  await audit(tx, origin, { action: 'update', entityType: 'commission_provider', entityId: id, details: { fields } });
  return (await findProvider(tx, id))!;
}

/** Soft delete, with the provider's rules: a deleted provider earns nothing and has no statement. */
export async function deleteProvider(tx: Tx, origin: AuditOrigin, id: string, now: Date): Promise<void> {
  if (!await findProvider(tx, id)) throw errors.notFound('commission provider');
  await tx.query('UPDATE commission_rules SET deleted_at = $2, updated_at = $2 WHERE org_id = visage_current_org() AND provider_id = $1 AND deleted_at IS NULL', [id, now]);
  await tx.query('UPDATE commission_providers SET deleted_at = $2, updated_at = $2 WHERE org_id = visage_current_org() AND id = $1', [id, now]);
  await audit(tx, origin, { action: 'delete', entityType: 'commission_provider', entityId: id });
}

// ---- rules ----

const RULE_SELECT = `SELECT r.id, r.provider_id, p.name AS provider_name, r.name, r.rule, r.effective_from::text AS effective_from,
    r.effective_to::text AS effective_to, r.is_active, r.created_at, r.updated_at
  FROM commission_rules r JOIN commission_providers p ON p.org_id = r.org_id AND p.id = r.provider_id`;

export async function findRule(tx: Tx, id: string): Promise<RuleRow | null> {
  const [r] = await tx.query<RuleRow>(`${RULE_SELECT} WHERE r.org_id = visage_current_org() AND r.id = $1 AND r.deleted_at IS NULL`, [id]);
  return r ?? null;
}

/** A provider named in a body: 422 at `pointer` when it is not a live provider of this organization. */
async function providerRef(tx: Tx, id: string, pointer = '/provider_id'): Promise<ProviderRow> {
  const p = await findProvider(tx, id);
  if (!p) throw errors.validation(`No commission provider with id "${id}" in this organization.`, [{ pointer, message: 'not found' }]);
  return p;
}

function checkDates(from: string | null, to: string | null): void {
  if (from !== null && to !== null && to < from) {
    throw errors.validation('effective_to is before effective_from.', [{ pointer: '/effective_to', message: `on or after ${from}` }]);
  }
}

export interface RuleInput { providerId: string; name: string; rule: unknown; effectiveFrom?: string | null; effectiveTo?: string | null; isActive?: boolean }

export async function createRule(tx: Tx, origin: AuditOrigin, input: RuleInput): Promise<RuleRow> {
  const rule = validRule(input.rule);
  await providerRef(tx, input.providerId);
  checkDates(input.effectiveFrom ?? null, input.effectiveTo ?? null);
  const id = newId();
  await tx.query(
    `INSERT INTO commission_rules (id, org_id, provider_id, name, rule, effective_from, effective_to, is_active)
     VALUES ($1, visage_current_org(), $2, $3, $4::jsonb, $5::date, $6::date, $7)`,
    [id, input.providerId, input.name, JSON.stringify(rule), input.effectiveFrom ?? null, input.effectiveTo ?? null, input.isActive ?? true]);
  await audit(tx, origin, { action: 'create', entityType: 'commission_rule', entityId: id, details: { provider_id: input.providerId, components: rule.components.map((c) => c.type) } });
  return (await findRule(tx, id))!;
}

export interface RuleFilter { providerId?: string; active?: boolean; limit: number; cursor: { name: string; id: string } | null }

export async function listRules(tx: Tx, f: RuleFilter): Promise<RuleRow[]> {
  const w = new SqlFilter('r.org_id = visage_current_org()', 'r.deleted_at IS NULL', 'p.deleted_at IS NULL');
  w.when('r.provider_id = ?::uuid', f.providerId).when('r.is_active = ?', f.active);
  if (f.cursor) w.when(`(lower(r.name), r.id) > (${w.param(f.cursor.name)}, ?::uuid)`, f.cursor.id);
  return tx.query<RuleRow>(`${RULE_SELECT} WHERE ${w.where} ORDER BY lower(r.name), r.id LIMIT ${w.param(f.limit + 1)}`, w.params);
}

export async function updateRule(tx: Tx, origin: AuditOrigin, id: string, patch: Partial<RuleInput>, now: Date): Promise<RuleRow> {
  const r = await findRule(tx, id);
  if (!r) throw errors.notFound('commission rule');
  const rule = patch.rule !== undefined ? validRule(patch.rule) : undefined;
  if (patch.providerId !== undefined) await providerRef(tx, patch.providerId);
  checkDates(patch.effectiveFrom !== undefined ? patch.effectiveFrom : r.effective_from, patch.effectiveTo !== undefined ? patch.effectiveTo : r.effective_to);
  await tx.query(
    `UPDATE commission_rules SET provider_id = COALESCE($2::uuid, provider_id), name = COALESCE($3, name), rule = COALESCE($4::jsonb, rule),
        effective_from = CASE WHEN $5 THEN $6::date ELSE effective_from END, effective_to = CASE WHEN $7 THEN $8::date ELSE effective_to END,
        is_active = COALESCE($9, is_active), updated_at = $10
      WHERE org_id = visage_current_org() AND id = $1`,
    [id, patch.providerId ?? null, patch.name ?? null, rule ? JSON.stringify(rule) : null, patch.effectiveFrom !== undefined, patch.effectiveFrom ?? null,
      patch.effectiveTo !== undefined, patch.effectiveTo ?? null, patch.isActive ?? null, now]);
  const fields = Object.entries(patch).filter(([, v]) => v !== undefined).map(([k]) => k);
  await audit(tx, origin, { action: 'update', entityType: 'commission_rule', entityId: id, details: { fields } });
  return (await findRule(tx, id))!;
}

export async function deleteRule(tx: Tx, origin: AuditOrigin, id: string, now: Date): Promise<void> {
  if (!await findRule(tx, id)) throw errors.notFound('commission rule');
  await tx.query('UPDATE commission_rules SET deleted_at = $2, updated_at = $2 WHERE org_id = visage_current_org() AND id = $1', [id, now]);
  await audit(tx, origin, { action: 'delete', entityType: 'commission_rule', entityId: id });
}

// ---- statements ----

export interface Period { month: string; from: string; to: string; next: string }

/** The calendar month YYYY-MM as inclusive dates plus the first day of the next month. */
export function periodOf(month: string): Period {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { month, from: `${month}-01`, to: `${month}-${String(last).padStart(2, '0')}`, next };
}

interface EventRow {
  id: string; kind: 'invoice_paid' | 'consult_show'; occurred_at: Date; local_date: string; procedure_code: string | null;
  value_minor: string | number | null; currency: string | null; provider_id: string | null;
}

/**
 * The live revenue and consult events of a calendar month in the org's time zone (the month's
 * first midnight there up to the next month's), of one provider, of all providers (null), or
 * of the whole organization ('all', for a preview without a provider).
 */
async function monthEvents(tx: Tx, period: Period, timezone: string, provider: string | null | 'all'): Promise<(CommissionEvent & { providerId: string | null })[]> {
  const w = new SqlFilter('org_id = visage_current_org()', 'deleted_at IS NULL', `kind IN ('invoice_paid', 'consult_show')`);
  const tz = w.param(timezone);
  w.also(true, `occurred_at >= (${w.param(period.from)}::timestamp AT TIME ZONE ${tz}) AND occurred_at < (${w.param(period.next)}::timestamp AT TIME ZONE ${tz})`);
  if (provider === null) w.also(true, 'provider_id IS NOT NULL');
  else if (provider !== 'all') w.when('provider_id = ?::uuid', provider);
  const rows = await tx.query<EventRow>(
    `SELECT id, kind, occurred_at, to_char(occurred_at AT TIME ZONE ${tz}, 'YYYY-MM-DD') AS local_date, procedure_code, value_minor, currency, provider_id
       FROM kpi_events WHERE ${w.where} ORDER BY occurred_at, id`, w.params);
  return rows.map((r) => ({
    id: r.id, kind: r.kind, occurredAt: new Date(r.occurred_at).toISOString(), localDate: r.local_date, procedureCode: r.procedure_code,
    valueMinor: r.value_minor === null ? null : Number(r.value_minor), currency: r.currency, providerId: r.provider_id,
  }));
}

interface RuleForceRow { id: string; provider_id: string; name: string; rule: Rule; effective_from: string | null; effective_to: string | null }

/** Active, live rules whose effective dates overlap the month (of one provider, or of all when null). */
async function rulesInMonth(tx: Tx, period: Period, providerId: string | null): Promise<(RuleInForce & { providerId: string })[]> {
  const w = new SqlFilter('org_id = visage_current_org()', 'deleted_at IS NULL', 'is_active');
  w.when('(effective_from IS NULL OR effective_from <= ?::date)', period.to).when('(effective_to IS NULL OR effective_to >= ?::date)', period.from);
  w.when('provider_id = ?::uuid', providerId);
  const rows = await tx.query<RuleForceRow>(
    `SELECT id, provider_id, name, rule, effective_from::text AS effective_from, effective_to::text AS effective_to
       FROM commission_rules WHERE ${w.where} ORDER BY effective_from NULLS FIRST, lower(name), id`, w.params);
  return rows.map((r) => ({
    id: r.id, name: r.name, rule: (typeof r.rule === 'string' ? JSON.parse(r.rule) : r.rule) as Rule,
    effectiveFrom: r.effective_from, effectiveTo: r.effective_to, providerId: r.provider_id,
  }));
}

export interface Statement {
  provider: ProviderRow; period: Period; timezone: string; rules: (RuleInForce & { providerId: string })[]; evaluation: Evaluation;
}

export async function providerStatement(tx: Tx, providerId: string, month: string, settings: { timezone: string; currency: string }): Promise<Statement> {
  const provider = await findProvider(tx, providerId);
  if (!provider) throw errors.notFound('commission provider');
  const period = periodOf(month);
  const rules = await rulesInMonth(tx, period, provider.id);
  const events = await monthEvents(tx, period, settings.timezone, provider.id);
  return { provider, period, timezone: settings.timezone, rules, evaluation: evaluate(rules, events, settings.currency) };
}

export interface StatementSummary { provider: ProviderRow; evaluation: Evaluation }

/** Every live provider's statement for the month (two queries for the whole organization). */
export async function allStatements(tx: Tx, month: string, settings: { timezone: string; currency: string }): Promise<StatementSummary[]> {
  const period = periodOf(month);
  const providers = await tx.query<ProviderRow>(`${PROVIDER_SELECT} WHERE org_id = visage_current_org() AND deleted_at IS NULL ORDER BY lower(name), id`);
  const rules = await rulesInMonth(tx, period, null);
  const events = await monthEvents(tx, period, settings.timezone, null);
  return providers.map((p) => ({
    provider: p,
    evaluation: evaluate(rules.filter((r) => r.providerId === p.id), events.filter((e) => e.providerId === p.id), settings.currency),
  }));
}

/**
 * An unsaved rule over a month: the named provider's events, or every revenue and consult event of
 * the organization when no provider is named. The rule is taken as in force for the whole month.
 */
export async function previewRule(tx: Tx, input: { rule: unknown; providerId?: string; month: string }, settings: { timezone: string; currency: string }):
  Promise<{ provider: ProviderRow | null; period: Period; rule: Rule; evaluation: Evaluation }> {
  const rule = validRule(input.rule);
  const provider = input.providerId ? await providerRef(tx, input.providerId) : null;
  const period = periodOf(input.month);
  const events = await monthEvents(tx, period, settings.timezone, provider ? provider.id : 'all');
  return { provider, period, rule, evaluation: evaluate([{ id: null, name: 'preview', rule, effectiveFrom: null, effectiveTo: null }], events, settings.currency) };
}
