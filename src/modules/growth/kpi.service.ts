import type { Tx } from '../../platform/db/client.js';
import { newId } from '../../platform/crypto.js';
import { SqlFilter } from '../../platform/db/filter.js';
import { errors } from '../../platform/http/problem.js';
import { audit, type AuditOrigin } from '../../platform/audit/audit.service.js';
import { orgSettings } from '../clinical/index.js';
import { KPI_KINDS, PROCEDURE_CODES } from './growth.schema.js';
import { assertNoPhi } from './phi.js';
import { rescoreLead } from './scoring.js';

export type KpiKind = (typeof KPI_KINDS)[number];
export type ProcedureCode = (typeof PROCEDURE_CODES)[number];

/** Seed 004: KPI timestamps are never in the future; a few minutes of clock skew are tolerated. */
export const FUTURE_SKEW_MS = 5 * 60_000;

export interface KpiRow {
  id: string; lead_id: string; kind: KpiKind; value_minor: string | number | null; currency: string | null; occurred_at: Date;
  metadata: Record<string, unknown>; campaign_id: string | null; source: string | null; procedure_code: ProcedureCode | null;
  provider_id: string | null; source_ref: string | null; created_at: Date;
}

const COLUMNS = `k.id, k.lead_id, k.kind, k.value_minor, k.currency, k.occurred_at, k.metadata, k.campaign_id, k.source, k.procedure_code,
  k.provider_id, k.source_ref, k.created_at`;

export interface KpiInput {
  leadId: string;
  kind: KpiKind;
  valueMinor?: number | null;
  currency?: string | null;
  occurredAt?: Date;
  metadata?: Record<string, unknown>;
  procedureCode?: string | null;
  providerId?: string | null;
  sourceRef?: string | null;
}

export async function findKpiEvent(tx: Tx, id: string): Promise<KpiRow | null> {
  const [k] = await tx.query<KpiRow>(`SELECT ${COLUMNS} FROM kpi_events k WHERE k.org_id = visage_current_org() AND k.id = $1 AND k.deleted_at IS NULL`, [id]);
  return k ?? null;
}

/** The event already recorded under (kind, source_ref), soft-deleted or not: a repeat returns it. */
async function byRef(tx: Tx, kind: KpiKind, sourceRef: string): Promise<KpiRow | null> {
  const [k] = await tx.query<KpiRow>(
    `SELECT ${COLUMNS} FROM kpi_events k WHERE k.org_id = visage_current_org() AND k.kind = $1 AND k.source_ref = $2`, [kind, sourceRef]);
  return k ?? null;
}

/** Business rules any caller gets (the API checks shapes first, other helpers call this directly). */
function check(input: KpiInput, now: Date): void {
  if (!(KPI_KINDS as readonly string[]).includes(input.kind)) throw errors.validation(`Unknown KPI kind ${String(input.kind)}.`, [{ pointer: '/kind', message: 'unknown kind' }]);
  const v = input.valueMinor;
  if (v !== undefined && v !== null && (!Number.isSafeInteger(v) || v <= 0)) {
    throw errors.validation('value_minor is an amount in minor units and must be a positive whole number.', [{ pointer: '/value_minor', message: 'must be positive' }]);
  }
  if (input.kind === 'invoice_paid' && (v === undefined || v === null)) {
    throw errors.validation('An invoice_paid event carries the amount paid (value_minor).', [{ pointer: '/value_minor', message: 'required for invoice_paid' }]);
  }
  if (input.occurredAt) {
    if (Number.isNaN(input.occurredAt.getTime())) throw errors.validation('occurred_at is not a valid time.', [{ pointer: '/occurred_at', message: 'invalid' }]);
    if (input.occurredAt.getTime() > now.getTime() + FUTURE_SKEW_MS) {
      throw errors.validation('A KPI event records what happened: occurred_at is in the future.', [{ pointer: '/occurred_at', message: 'in the future' }]);
    }
  }
  if (input.procedureCode != null && !(PROCEDURE_CODES as readonly string[]).includes(input.procedureCode)) {
    throw errors.validation(`procedure_code is one of ${PROCEDURE_CODES.join(', ')}.`, [{ pointer: '/procedure_code', message: 'unknown code' }]);
  }
  if (input.currency != null && !/^[A-Z]{3}$/.test(input.currency)) throw errors.validation('currency is an ISO 4217 code.', [{ pointer: '/currency', message: 'invalid' }]);
  if (input.metadata !== undefined) {
    if (input.metadata === null || typeof input.metadata !== 'object' || Array.isArray(input.metadata)) {
      throw errors.validation('metadata is a JSON object.', [{ pointer: '/metadata', message: 'must be an object' }]);
    }
    assertNoPhi(input.metadata, '/metadata');
    if (JSON.stringify(input.metadata).length > 8_000) throw errors.validation('metadata is at most 8 kB.', [{ pointer: '/metadata', message: 'too large' }]);
  }
}

/**
 * Inserts one KPI event carrying the lead's campaign and source. With a source_ref, a second
 * insert of the same (kind, source_ref) does nothing (unique index, ON CONFLICT DO NOTHING, so two
 * concurrent deliveries also end with one row) and the first event is returned.
 */
export async function insertKpiEvent(
  tx: Tx, lead: { id: string; campaign_id: string | null; source: string }, input: KpiInput & { occurredAt: Date; currency: string | null }, now: Date | null,
): Promise<{ event: KpiRow; created: boolean }> {
  const id = newId();
  const inserted = await tx.query<{ id: string }>(
    `INSERT INTO kpi_events (id, org_id, lead_id, kind, value_minor, currency, occurred_at, metadata, campaign_id, source, procedure_code, provider_id, source_ref, created_at)
     VALUES ($1, visage_current_org(), $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11, $12, COALESCE($13, now()))
     ON CONFLICT (org_id, kind, source_ref) WHERE source_ref IS NOT NULL DO NOTHING RETURNING id`,
    [id, lead.id, input.kind, input.valueMinor ?? null, input.currency, input.occurredAt, JSON.stringify(input.metadata ?? {}), lead.campaign_id, lead.source,
      input.procedureCode ?? null, input.providerId ?? null, input.sourceRef ?? null, now]);
  if (!inserted.length) return { event: (await byRef(tx, input.kind, input.sourceRef!))!, created: false };
  const [event] = await tx.query<KpiRow>(`SELECT ${COLUMNS} FROM kpi_events k WHERE k.org_id = visage_current_org() AND k.id = $1`, [id]);
  return { event: event!, created: true };
}

/**
 * Records a KPI event on a lead (API, intake, attribution): validates it, copies the lead's
 * campaign and source onto it, and rescores the lead. A repeated source_ref returns the existing
 * event (created: false) and changes nothing. Milestones and the funnel rollup follow by trigger.
 */
export async function recordKpiEvent(tx: Tx, origin: AuditOrigin | null, input: KpiInput, now: Date = new Date()): Promise<{ event: KpiRow; created: boolean }> {
  check(input, now);
  if (input.sourceRef) {
    const seen = await byRef(tx, input.kind, input.sourceRef);
    if (seen) return { event: seen, created: false };
  }
  const [lead] = await tx.query<{ id: string; campaign_id: string | null; source: string }>(
    'SELECT id, campaign_id, source FROM leads WHERE org_id = visage_current_org() AND id = $1 AND deleted_at IS NULL', [input.leadId]);
  if (!lead) throw errors.validation(`No lead with id "${input.leadId}".`, [{ pointer: '/lead_id', message: 'not found' }]);
  if (input.providerId) {
    const [p] = await tx.query('SELECT 1 FROM commission_providers WHERE org_id = visage_current_org() AND id = $1 AND deleted_at IS NULL', [input.providerId]);
    if (!p) throw errors.validation(`No commission provider with id "${input.providerId}".`, [{ pointer: '/provider_id', message: 'not found' }]);
  }
  const currency = input.valueMinor != null ? (input.currency ?? (await orgSettings(tx)).currency) : (input.currency ?? null);
  const r = await insertKpiEvent(tx, lead, { ...input, occurredAt: input.occurredAt ?? now, currency }, now);
  if (r.created) {
    await rescoreLead(tx, lead.id, now);
    await audit(tx, origin ?? {}, { action: 'create', entityType: 'kpi_event', entityId: r.event.id, details: { kind: input.kind, lead_id: lead.id } });
  }
  return r;
}

export interface KpiFilter {
  leadId?: string; kind?: KpiKind; campaignId?: string; from?: string; to?: string; timezone: string;
  limit: number; cursor: { at: string; id: string } | null;
}

/** Newest first; from/to are calendar dates in the organization's time zone (inclusive). */
export async function listKpiEvents(tx: Tx, f: KpiFilter): Promise<KpiRow[]> {
  const w = new SqlFilter('k.org_id = visage_current_org()', 'k.deleted_at IS NULL');
  // The time zone is a parameter only when a date bound uses it (an unused parameter has no type).
  const tz = f.from || f.to ? w.param(f.timezone) : 'NULL';
  w.when('k.lead_id = ?', f.leadId).when('k.kind = ?', f.kind).when('k.campaign_id = ?', f.campaignId)
    .when(`k.occurred_at >= (?::date)::timestamp AT TIME ZONE ${tz}::text`, f.from)
    .when(`k.occurred_at < ((?::date) + 1)::timestamp AT TIME ZONE ${tz}::text`, f.to)
    .before(['k.occurred_at', 'k.id'], f.cursor, 'kpi_events');
  return tx.query<KpiRow>(`SELECT ${COLUMNS} FROM kpi_events k WHERE ${w.where} ORDER BY k.occurred_at DESC, k.id DESC LIMIT ${w.param(f.limit + 1)}`, w.params);
}

/** Soft delete (a voided payment, a mistaken show); the lead's milestones, revenue and the rollup follow by trigger. */
export async function deleteKpiEvent(tx: Tx, origin: AuditOrigin, id: string, now: Date): Promise<void> {
  const [k] = await tx.query<{ lead_id: string; kind: KpiKind }>(
    'UPDATE kpi_events SET deleted_at = $2 WHERE org_id = visage_current_org() AND id = $1 AND deleted_at IS NULL RETURNING lead_id, kind', [id, now]);
  if (!k) throw errors.notFound('KPI event');
  await rescoreLead(tx, k.lead_id, now);
  await audit(tx, origin, { action: 'delete', entityType: 'kpi_event', entityId: id, details: { kind: k.kind, lead_id: k.lead_id } });
}
