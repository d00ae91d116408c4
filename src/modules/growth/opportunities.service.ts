import type { Tx } from '../../platform/db/client.js';
import { newId } from '../../platform/crypto.js';
import { errors } from '../../platform/http/problem.js';
import { audit, type AuditOrigin } from '../../platform/audit/audit.service.js';
import { PROCEDURE_CODES } from './growth.schema.js';
import { getLead, type OpportunityRow } from './leads.service.js';
import { rescoreLead } from './scoring.js';

export type ProcedureCode = (typeof PROCEDURE_CODES)[number];
export interface OpportunityInput { expectedValueMinor: number; currency?: string; procedureCode: ProcedureCode; expectedDate?: string | null }

const SELECT = `SELECT id, lead_id, expected_value_minor, currency, procedure_code, expected_date::text AS expected_date, created_at, updated_at
  FROM opportunities WHERE org_id = visage_current_org() AND lead_id = $1`;

export async function findOpportunity(tx: Tx, leadId: string): Promise<OpportunityRow | null> {
  await getLead(tx, leadId);
  const [o] = await tx.query<OpportunityRow>(SELECT, [leadId]);
  return o ?? null;
}

/**
 * Seed 004 Opportunity, one per lead: sets it (created or replaced). The expected date may not
 * precede the organization's `today`. A lead without a deal value takes the opportunity's.
 */
export async function putOpportunity(tx: Tx, origin: AuditOrigin, leadId: string, input: OpportunityInput, today: string, now: Date): Promise<{ created: boolean; row: OpportunityRow }> {
  const lead = await getLead(tx, leadId);
  if (input.expectedDate && input.expectedDate < today) {
    throw errors.validation(`The expected date ${input.expectedDate} is in the past (today is ${today} here).`, [{ pointer: '/expected_date', message: 'in the past' }]);
  }
  const currency = input.currency ?? lead.currency;
  const [r] = await tx.query<{ created: boolean }>(
    `INSERT INTO opportunities (id, org_id, lead_id, expected_value_minor, currency, procedure_code, expected_date, created_at, updated_at)
     VALUES ($1, visage_current_org(), $2, $3, $4, $5, $6::date, $7, $7)
     ON CONFLICT (org_id, lead_id) DO UPDATE SET expected_value_minor = EXCLUDED.expected_value_minor, currency = EXCLUDED.currency,
        procedure_code = EXCLUDED.procedure_code, expected_date = EXCLUDED.expected_date, updated_at = EXCLUDED.updated_at
     RETURNING (xmax = 0) AS created`,
    [newId(), lead.id, input.expectedValueMinor, currency, input.procedureCode, input.expectedDate ?? null, now]);
  if (lead.deal_value_minor === null) {
    await tx.query('UPDATE leads SET deal_value_minor = $2, currency = $3, updated_at = $4 WHERE org_id = visage_current_org() AND id = $1 AND deal_value_minor IS NULL',
      [lead.id, input.expectedValueMinor, currency, now]);
  }
  await rescoreLead(tx, lead.id, now);
  await audit(tx, origin, { action: r!.created ? 'create' : 'update', entityType: 'opportunity', entityId: lead.id, details: { procedure_code: input.procedureCode } });
  const [row] = await tx.query<OpportunityRow>(SELECT, [lead.id]);
  return { created: r!.created, row: row! };
}

export async function deleteOpportunity(tx: Tx, origin: AuditOrigin, leadId: string, now: Date): Promise<void> {
  await getLead(tx, leadId);
  const gone = await tx.query('DELETE FROM opportunities WHERE org_id = visage_current_org() AND lead_id = $1 RETURNING id', [leadId]);
  if (!gone.length) throw errors.notFound('opportunity');
  await rescoreLead(tx, leadId, now);
  await audit(tx, origin, { action: 'delete', entityType: 'opportunity', entityId: leadId });
}
