import type { Tx } from '../../platform/db/client.js';
import type { AuditOrigin } from '../../platform/audit/audit.service.js';

/** Revenue a patient paid (today: a signed treatment session's price; later: a payment). */
export interface RevenueInput {
  patientId: string;
  amountMinor: number;
  currency: string;
  occurredAt: Date;
  /** Makes the attribution idempotent: 'session:<id>', 'payment:<id>'. */
  sourceRef: string;
  procedureCode?: string | null;
  providerId?: string | null;
}

/**
 * Scaffold (the attribution work replaces the body): the one path by which paid revenue reaches
 * growth. Finds the lead that became the patient and records an invoice_paid KPI event carrying
 * the lead's campaign and source; returns the KPI event id, or null when no lead became this patient.
 */
export async function attributeRevenue(tx: Tx, origin: AuditOrigin | null, input: RevenueInput): Promise<string | null> {
  void tx; void origin; void input;
  return null;
}
