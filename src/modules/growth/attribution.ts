import type { Tx } from '../../platform/db/client.js';
import { audit, type AuditOrigin } from '../../platform/audit/audit.service.js';
import { errors } from '../../platform/http/problem.js';
import { insertKpiEvent, type ProcedureCode } from './kpi.service.js';
import { orgSettings } from '../clinical/index.js';

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
  /** When procedureCode is not given: the treatment it paid for, mapped by procedureCodeOf. */
  treatment?: { category: string | null; code: string | null } | null;
}

/**
 * Seed 004's procedure codes from a catalogue treatment: lasers are LASER; injections are BTX
 * (toxins) or FILLER (hyaluronic acid and other fillers) by their code; surgeries by their code;
 * anything else (devices, PMU...) has no procedure code.
 */
export function procedureCodeOf(category: string | null | undefined, code: string | null | undefined): ProcedureCode | null {
  const c = (code ?? '').toUpperCase();
  switch (category) {
    case 'Laser': return 'LASER';
    case 'Injection':
      if (/BOT|BTX|TOXIN|DYSPORT|XEOMIN/.test(c)) return 'BTX';
      if (/FILL|HA_|HYALUR|LIP|SCULPTRA|RADIESSE/.test(c)) return 'FILLER';
      return null;
    case 'Surgery':
      if (/RHINO|NOSE/.test(c)) return 'RHINO';
      if (/BREAST/.test(c)) return 'BREAST';
      if (/TUMMY|ABDOMIN/.test(c)) return 'TUMMY';
      if (/FACE|LIFT/.test(c)) return 'FACE';
      return null;
    default: return null;
  }
}

interface LeadRef { id: string; campaign_id: string | null; source: string }

/** The live lead that became the patient: the most recently won, else the most recent. */
async function leadOfPatient(tx: Tx, patientId: string): Promise<LeadRef | null> {
  const [l] = await tx.query<LeadRef>(
    `SELECT id, campaign_id, source FROM leads
      WHERE org_id = visage_current_org() AND patient_id = $1 AND deleted_at IS NULL
      ORDER BY won_at DESC NULLS LAST, created_at DESC, id DESC LIMIT 1`, [patientId]);
  return l ?? null;
}

async function attribute(tx: Tx, origin: AuditOrigin | null, input: RevenueInput): Promise<{ id: string; created: boolean } | null> {
  if (!Number.isSafeInteger(input.amountMinor) || input.amountMinor <= 0) return null;
  const lead = await leadOfPatient(tx, input.patientId);
  if (!lead) return null;
  const procedureCode = input.procedureCode !== undefined ? input.procedureCode : procedureCodeOf(input.treatment?.category, input.treatment?.code);
  const r = await insertKpiEvent(tx, lead, {
    leadId: lead.id, kind: 'invoice_paid', valueMinor: input.amountMinor, currency: input.currency, occurredAt: input.occurredAt,
    metadata: {}, procedureCode: procedureCode ?? null, providerId: input.providerId ?? null, sourceRef: input.sourceRef,
  }, null);
  if (r.created) {
    // The audit names the lead and the reference only: no patient or clinical detail reaches growth.
    await audit(tx, origin ?? {}, { action: 'attribute', entityType: 'kpi_event', entityId: r.event.id, details: { kind: 'invoice_paid', lead_id: lead.id, source_ref: input.sourceRef } });
  }
  return { id: r.event.id, created: r.created };
}

/**
 * The one path by which paid revenue reaches growth (treatment sessions today, payments later).
 * Finds the lead that became the patient and records an invoice_paid KPI event carrying the lead's
 * campaign and source, the procedure code and the provider. Idempotent on sourceRef: a repeat
 * returns the first event. Returns the KPI event id, or null when no lead became this patient.
 * The lead's revenue and the funnel rollup follow by trigger.
 */
export async function attributeRevenue(tx: Tx, origin: AuditOrigin | null, input: RevenueInput): Promise<string | null> {
  return (await attribute(tx, origin, input))?.id ?? null;
}

/**
 * When a lead is linked to its patient: attributes the patient's treatment sessions signed since
 * the lead was created, through attributeRevenue. Reads only what revenue needs (session id,
 * price, currency, signing time, the treatment's category and code), never a clinical field.
 * Returns how many sessions were newly attributed (a re-run returns 0).
 */
export async function attributeLeadHistory(tx: Tx, origin: AuditOrigin | null, leadId: string): Promise<number> {
  const [lead] = await tx.query<{ patient_id: string | null; created_at: Date }>(
    'SELECT patient_id, created_at FROM leads WHERE org_id = visage_current_org() AND id = $1 AND deleted_at IS NULL', [leadId]);
  if (!lead) throw errors.notFound('lead');
  if (!lead.patient_id) return 0;
  const sessions = await tx.query<{ id: string; price_minor: string | number; currency: string | null; signed_at: Date; category: string | null; code: string | null }>(
    `SELECT s.id, s.price_minor, s.currency, s.signed_at, t.category, t.code
       FROM treatment_sessions s JOIN treatments t ON t.org_id = s.org_id AND t.id = s.treatment_id
      WHERE s.org_id = visage_current_org() AND s.patient_id = $1 AND s.status = 'signed' AND s.deleted_at IS NULL
        AND s.signed_at >= $2 AND s.price_minor > 0
      ORDER BY s.signed_at, s.id`, [lead.patient_id, lead.created_at]);
  const org = await orgSettings(tx);
  let n = 0;
  for (const s of sessions) {
    const r = await attribute(tx, origin, {
      patientId: lead.patient_id, amountMinor: Number(s.price_minor), currency: s.currency ?? org!.currency, occurredAt: s.signed_at,
      sourceRef: `session:${s.id}`, treatment: { category: s.category, code: s.code }, providerId: null,
    });
    if (r?.created) n++;
  }
  return n;
}

/**
 * Paid revenue changed after it was attributed (a session's price amended, a session deleted;
 * later: a refund). Sets the attributed event's value, or voids it (soft delete) when the amount is
 * gone, and revives a voided one when an amount returns. Returns false when nothing was attributed
 * under this reference (the caller may then attribute afresh). Milestones and the funnel follow.
 */
export async function reviseRevenue(tx: Tx, origin: AuditOrigin | null, sourceRef: string, amountMinor: number | null, now: Date): Promise<boolean> {
  const [ev] = await tx.query<{ id: string; value_minor: string | number; deleted_at: Date | null }>(
    `SELECT id, value_minor, deleted_at FROM kpi_events
      WHERE org_id = visage_current_org() AND kind = 'invoice_paid' AND source_ref = $1 FOR UPDATE`, [sourceRef]);
  if (!ev) return false;
  const live = amountMinor !== null && Number.isSafeInteger(amountMinor) && amountMinor > 0;
  if (live && ev.deleted_at === null && Number(ev.value_minor) === amountMinor) return true;
  if (!live && ev.deleted_at !== null) return true;
  await tx.query(
    live ? 'UPDATE kpi_events SET value_minor = $2, deleted_at = NULL WHERE org_id = visage_current_org() AND id = $1'
      : 'UPDATE kpi_events SET deleted_at = $2 WHERE org_id = visage_current_org() AND id = $1',
    [ev.id, live ? amountMinor : now]);
  await audit(tx, origin ?? {}, {
    action: live ? 'revise' : 'void', entityType: 'kpi_event', entityId: ev.id,
    details: { source_ref: sourceRef, ...(live ? { value_minor: amountMinor } : {}) },
  });
  return true;
}
