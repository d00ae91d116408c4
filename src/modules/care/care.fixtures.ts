/** Test fixtures for care and insight: chart rows written with plain SQL through the gate (tenant scope). */
import { newId } from '../../platform/crypto.js';
import type { TestVisage } from '../../../test/helpers.js';

export interface Clinic { token: string; userId: string; orgId: string; email: string; password: string }

let n = 0;

/** An owner with a new organization in `timezone` (Asia/Taipei by default, like the demo clinic). */
export async function clinic(t: TestVisage, timezone = 'Asia/Taipei', currency = 'TWD'): Promise<Clinic> {
  const o = await t.owner();
  await t.db.run({ scope: 'tenant', orgId: o.orgId, userId: o.userId }, (tx) =>
    tx.query('UPDATE organizations SET timezone = $1, currency = $2 WHERE id = visage_current_org()', [timezone, currency]));
  return o;
}

const inOrg = <T>(t: TestVisage, orgId: string, fn: Parameters<TestVisage['db']['run']>[1]) =>
  t.db.run({ scope: 'tenant', orgId }, fn) as Promise<T>;

export async function insertPatient(t: TestVisage, orgId: string, p: { name: string; email?: string | null; phone?: string | null }): Promise<string> {
  const id = newId();
  await inOrg(t, orgId, (tx) => tx.query(
    `INSERT INTO patients (id, org_id, code, full_name, email, phone) VALUES ($1, visage_current_org(), $2, $3, $4, $5)`,
    [id, `PAT-TEST-${process.pid}-${++n}`, p.name, p.email ?? null, p.phone ?? null]));
  return id;
}

export async function insertTreatment(t: TestVisage, orgId: string, tr: { code: string; name: string; priceMinor: number; currency?: string; category?: string; procedureType?: string | null }): Promise<string> {
  const id = newId();
  await inOrg(t, orgId, (tx) => tx.query(
    `INSERT INTO treatments (id, org_id, code, name, category, default_unit, base_price_minor, currency, procedure_type)
     VALUES ($1, visage_current_org(), $2, $3, $4, 'U', $5, $6, $7)`,
    [id, tr.code, tr.name, tr.category ?? 'Injection', tr.priceMinor, tr.currency ?? 'TWD', tr.procedureType ?? null]));
  return id;
}

/** A signed session; session_no counts the patient's live sessions of the treatment. */
export async function insertSession(t: TestVisage, orgId: string, s: {
  patientId: string; treatmentId: string; performedAt: string; priceMinor?: number | null; pmu?: Record<string, unknown> | null; deleted?: boolean;
}): Promise<string> {
  const id = newId();
  await inOrg(t, orgId, async (tx) => {
    const [c] = await tx.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM treatment_sessions WHERE org_id = visage_current_org() AND patient_id = $1 AND treatment_id = $2', [s.patientId, s.treatmentId]);
    await tx.query(
      `INSERT INTO treatment_sessions (id, org_id, patient_id, treatment_id, session_no, performed_at, price_minor, currency, pmu, deleted_at, status, signed_at)
       VALUES ($1, visage_current_org(), $2, $3, $4, $5, $6, 'TWD', $7, $8, 'signed', $5)`,
      [id, s.patientId, s.treatmentId, c!.n + 1, s.performedAt, s.priceMinor === undefined ? null : s.priceMinor, s.pmu ? JSON.stringify(s.pmu) : null,
        s.deleted ? s.performedAt : null]);
  });
  return id;
}

export async function insertVisit(t: TestVisage, orgId: string, v: { patientId: string; date: string }): Promise<string> {
  const id = newId();
  await inOrg(t, orgId, (tx) => tx.query(
    `INSERT INTO visits (id, org_id, patient_id, visit_date, visit_type) VALUES ($1, visage_current_org(), $2, $3, 'treatment')`, [id, v.patientId, v.date]));
  return id;
}

export async function insertFollowup(t: TestVisage, orgId: string, f: {
  patientId: string; sessionId?: string | null; treatmentId?: string | null; type: string; date: string; status?: string; notify?: boolean; next?: string | null;
}): Promise<string> {
  const id = newId();
  await inOrg(t, orgId, (tx) => tx.query(
    `INSERT INTO followups (id, org_id, patient_id, session_id, treatment_id, followup_type, scheduled_date, status, notify_flag, next_recommend_date, source)
     VALUES ($1, visage_current_org(), $2, $3, $4, $5, $6, $7, $8, $9, 'rule')`,
    [id, f.patientId, f.sessionId ?? null, f.treatmentId ?? null, f.type, f.date, f.status ?? 'planned', f.notify ?? false, f.next ?? null]));
  return id;
}

/** The Taipei calendar date of an instant. */
export const taipeiDate = (at: Date): string => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Taipei' }).format(at);

/** Moves the test clock to the next 20:00 UTC (04:00 the next day in Taipei), where the two calendars disagree. */
export function toTaipeiEarlyMorning(t: TestVisage): void {
  const now = t.clock.now;
  const target = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 20, 0, 0));
  if (target.getTime() <= now.getTime()) target.setUTCDate(target.getUTCDate() + 1);
  t.clock.advance(target.getTime() - now.getTime());
}

export { addDays } from './followup-rules.js';
