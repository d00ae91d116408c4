/** Test fixtures for the clinical and inventory tests: a clinic with seed 000's codes, created with plain SQL in the tenant scope. */
import { newId } from '../../platform/crypto.js';
import { uniqueEmail, type TestVisage } from '../../../test/helpers.js';
import { addMember, createUser } from '../identity/index.js';

export interface Clinic {
  owner: { token: string; userId: string; orgId: string };
  patients: string[];
  treatmentId: string;
  practitionerId: string;
}

/** Runs SQL in the organization as its owner (through the gate, RLS applies). */
export function asOrg<T>(t: TestVisage, orgId: string, fn: (q: <R = Record<string, unknown>>(text: string, params?: unknown[]) => Promise<R[]>) => Promise<T>): Promise<T> {
  return t.db.run({ scope: 'tenant', orgId }, (tx) => fn((text, params) => tx.query(text, params)));
}

export async function addPatient(t: TestVisage, orgId: string, name: string): Promise<string> {
  const id = newId();
  await asOrg(t, orgId, (q) => q(`INSERT INTO patients (id, org_id, code, full_name) VALUES ($1, $2, $3, $4)`, [id, orgId, `PAT-T-${id.slice(-8)}`, name]));
  return id;
}

export async function addTreatment(t: TestVisage, orgId: string, code: string, opts: { rules?: unknown[]; consentRequired?: boolean; unit?: string; priceMinor?: number; category?: string } = {}): Promise<string> {
  const id = newId();
  await asOrg(t, orgId, (q) => q(
    `INSERT INTO treatments (id, org_id, code, name, name_en, category, default_unit, base_price_minor, currency, consent_required, followup_rules)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'TWD', $9, $10)`,
    [id, orgId, code, code === 'BOT_MASSETER' ? '美國肉毒瘦小臉' : code, code, opts.category ?? 'Injection', opts.unit ?? 'U', opts.priceMinor ?? 499_900,
      opts.consentRequired ?? false, JSON.stringify(opts.rules ?? [])]));
  return id;
}

export async function addPractitioner(t: TestVisage, orgId: string, code: string): Promise<string> {
  const id = newId();
  await asOrg(t, orgId, (q) => q(`INSERT INTO practitioners (id, org_id, code, full_name, license_no) VALUES ($1, $2, $3, $4, 'LIC-1')`, [id, orgId, code, `Dr ${code}`]));
  return id;
}

export const BOTOX_RULES = [{ type: 'medical', after_days: 14, notify: true }, { type: 'maintenance', after_days: 120, notify: true }];

/** A Taipei clinic with two patients, BOT_MASSETER (a medical check at +14 and a recall at +120) and doc_01. */
export async function clinic(t: TestVisage): Promise<Clinic> {
  const owner = await t.owner({ orgName: 'Taipei Clinic' });
  await asOrg(t, owner.orgId, (q) => q(`UPDATE organizations SET timezone = 'Asia/Taipei', currency = 'TWD' WHERE id = $1`, [owner.orgId]));
  const patients = [await addPatient(t, owner.orgId, 'Amy Chen'), await addPatient(t, owner.orgId, 'Lin Mei')];
  const treatmentId = await addTreatment(t, owner.orgId, 'BOT_MASSETER', { rules: BOTOX_RULES });
  const practitionerId = await addPractitioner(t, owner.orgId, 'doc_01');
  return { owner, patients, treatmentId, practitionerId };
}

/** A staff member with `role`, signed in. */
export async function staff(t: TestVisage, orgId: string, ownerId: string, role: string): Promise<string> {
  const email = uniqueEmail(role);
  const userId = await t.db.run({ scope: 'auth' }, (tx) => createUser(tx, { email, password: 'staff password 123', fullName: `Staff ${role}` }, new Date()));
  await t.db.run({ scope: 'tenant', orgId, userId: ownerId }, (tx) => addMember(tx, userId, [role]));
  const login = await t.call('POST', '/api/auth/login', { body: { email, password: 'staff password 123' }, org: orgId });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);
  return login.body.token;
}
