import type { Deps } from '../../platform/deps.js';
import { audit } from '../../platform/audit/audit.service.js';
import { addMember, createOrganization, createUser, findUserByEmail } from '../identity/index.js';
import { dateIn } from './calendar.js';
import { generateDemo, type DemoDataset, type OrgPlan } from './demo.generate.js';
import { seedGrowth } from './demo.growth.js';
import { insertDataset } from './demo.insert.js';
import { storeDemoFiles } from './demo.media.js';
import { clinicPlan, studioPlan } from './demo.plans.js';

export interface DemoResult { created: boolean; email: string; password: string; clinicId?: string; studioId?: string }

const STAFF = [
  { email: 'dr.lin@demo.visage.local', name: 'Dr. Lin Mei-Hua', role: 'practitioner', title: 'Dermatologist' },
  { email: 'desk@demo.visage.local', name: 'Chen Yu-Ting', role: 'front_desk', title: 'Front desk' },
  { email: 'growth@demo.visage.local', name: 'Wang Jia-Hao', role: 'marketer', title: 'Marketing' },
  { email: 'books@demo.visage.local', name: 'Huang Shu-Fen', role: 'accountant', title: 'Accountant' },
];

const origin = { requestId: 'seed-demo', ip: null };

/**
 * Creates the demo organizations and their staff on first start (idempotent: does nothing when the
 * demo owner exists), then a year of work at each: the Taipei clinic (about 200 patients and 1,500
 * sessions, and a marketing year of about 2,000 leads: demo.growth.ts) and the Los Angeles PMU
 * studio. Users and organizations go through the identity services; the clinical rows are generated
 * (demo.generate.ts) and written set-based through the gate, in one tenant transaction per
 * organization (and one for the clinic's growth data).
 */
export async function seedDemo(deps: Deps): Promise<DemoResult> {
  const { adminEmail: email, adminPassword: password } = deps.config;
  const now = deps.now();
  const existing = await deps.db.run({ scope: 'auth' }, (tx) => findUserByEmail(tx, email));
  if (existing) return { created: false, email, password };

  const ownerId = await deps.db.run({ scope: 'auth' }, (tx) => createUser(tx, { email, password, fullName: 'Demo Owner', emailVerified: true }, now));
  const staffPassword = `${password}-staff`;
  // Staff already present (another owner address was configured before) are reused.
  const staffIds = await deps.db.run({ scope: 'auth' }, async (tx) => {
    const ids: string[] = [];
    for (const s of STAFF) ids.push((await findUserByEmail(tx, s.email))?.id ?? await createUser(tx, { email: s.email, password: staffPassword, fullName: s.name, emailVerified: true }, now));
    return ids;
  });
  const clinic = await deps.db.run({ scope: 'user', userId: ownerId }, async (tx) => {
    const org = await createOrganization(tx, origin, ownerId, { name: 'Visage Demo Clinic 美麗診所', type: 'clinic', timezone: 'Asia/Taipei', currency: 'TWD', locale: 'zh-TW', country: 'TW', city: 'Taipei' });
    for (const [i, s] of STAFF.entries()) await addMember(tx, staffIds[i]!, [s.role], { title: s.title, grantedBy: ownerId });
    return org;
  });
  const studio = await deps.db.run({ scope: 'user', userId: ownerId }, (tx) =>
    createOrganization(tx, origin, ownerId, { name: 'Brow & Lip Atelier', type: 'studio', timezone: 'America/Los_Angeles', currency: 'USD', locale: 'en', country: 'US', city: 'Los Angeles' }));
  // The clinic is the owner's default organization.
  await deps.db.run({ scope: 'user', userId: ownerId }, (tx) => tx.query('UPDATE users SET default_org_id = $2 WHERE id = $1', [ownerId, clinic.id]));

  const userIdsByEmail = new Map(STAFF.map((s, i) => [s.email, staffIds[i]!]));
  const clinicToday = dateIn(now, 'Asia/Taipei');
  const clinicData = await seedOrganization(deps, clinicPlan({ orgId: clinic.id, today: clinicToday, ownerId, userIdsByEmail }), clinic.name);
  // The clinic's marketing year: campaigns, leads worked by the marketer and the front desk.
  await seedGrowth(deps, {
    orgId: clinic.id, today: clinicToday, ownerId,
    assigneeIds: [userIdsByEmail.get('growth@demo.visage.local')!, userIdsByEmail.get('desk@demo.visage.local')!],
  }, clinicData);
  await seedOrganization(deps, studioPlan({ orgId: studio.id, today: dateIn(now, 'America/Los_Angeles'), ownerId, userIdsByEmail }), studio.name);
  return { created: true, email, password, clinicId: clinic.id, studioId: studio.id };
}

/** One organization's year: files rendered and stored first, then every row in one transaction. Returns what it wrote. */
export async function seedOrganization(deps: Deps, plan: OrgPlan, orgName: string): Promise<DemoDataset> {
  if (!deps.fields) throw new Error('demo data needs field encryption (deps.fields)');
  if (!deps.storage) throw new Error('demo data needs file storage (deps.storage)');
  const ds = generateDemo(plan);
  const files = await storeDemoFiles(deps.storage, plan.orgId, orgName, plan.timezone, ds.files);
  const cipher = deps.fields;
  await deps.db.run({ scope: 'tenant', orgId: plan.orgId, userId: plan.ownerId }, async (tx) => {
    // A bulk load: the dashboard rollup triggers stand aside and one set-based rebuild computes the same rows (ADR 005).
    await tx.query(`SELECT set_config('app.dashboard_bulk', 'on', true)`);
    await insertDataset(tx, cipher, ds, files);
    await tx.query('SELECT visage_dashboard_rebuild(visage_current_org())');
    await audit(tx, origin, {
      action: 'create', entityType: 'demo_data', entityId: plan.orgId,
      details: { patients: ds.patients.length, sessions: ds.sessions.length, followups: ds.followups.length, intakes: ds.intakes.length, analyses: ds.analyses.length, files: files.length },
    });
  });
  return ds;
}
