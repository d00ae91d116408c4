import type { Deps } from '../../platform/deps.js';
import { addMember, createOrganization, createUser, findUserByEmail } from '../identity/index.js';

export interface DemoResult { created: boolean; email: string; password: string }

const STAFF = [
  { email: 'dr.lin@demo.visage.local', name: 'Dr. Lin Mei-Hua', role: 'practitioner', title: 'Dermatologist' },
  { email: 'desk@demo.visage.local', name: 'Chen Yu-Ting', role: 'front_desk', title: 'Front desk' },
  { email: 'growth@demo.visage.local', name: 'Wang Jia-Hao', role: 'marketer', title: 'Marketing' },
  { email: 'books@demo.visage.local', name: 'Huang Shu-Fen', role: 'accountant', title: 'Accountant' },
];

/**
 * Creates the demo organizations and their staff on first start (idempotent: does nothing when the
 * demo owner exists). Everything goes through the same services and gate as the API.
 */
export async function seedDemo(deps: Deps): Promise<DemoResult> {
  const { adminEmail: email, adminPassword: password } = deps.config;
  const origin = { requestId: 'seed-demo', ip: null };
  const now = deps.now();
  const existing = await deps.db.run({ scope: 'auth' }, (tx) => findUserByEmail(tx, email));
  if (existing) return { created: false, email, password };

  const ownerId = await deps.db.run({ scope: 'auth' }, (tx) => createUser(tx, { email, password, fullName: 'Demo Owner', emailVerified: true }, now));
  const staffPassword = `${password}-staff`;
  const staffIds = await deps.db.run({ scope: 'auth' }, async (tx) => {
    const ids: string[] = [];
    for (const s of STAFF) ids.push(await createUser(tx, { email: s.email, password: staffPassword, fullName: s.name, emailVerified: true }, now));
    return ids;
  });
  await deps.db.run({ scope: 'user', userId: ownerId }, async (tx) => {
    await createOrganization(tx, origin, ownerId, { name: 'Visage Demo Clinic 美麗診所', type: 'clinic', timezone: 'Asia/Taipei', currency: 'TWD', locale: 'zh-TW', country: 'TW', city: 'Taipei' });
    for (const [i, s] of STAFF.entries()) await addMember(tx, staffIds[i]!, [s.role], { title: s.title, grantedBy: ownerId });
  });
  await deps.db.run({ scope: 'user', userId: ownerId }, async (tx) => {
    await createOrganization(tx, origin, ownerId, { name: 'Brow & Lip Atelier', type: 'studio', timezone: 'America/Los_Angeles', currency: 'USD', locale: 'en', country: 'US', city: 'Los Angeles' });
  });
  // The clinic is the owner's default organization.
  await deps.db.run({ scope: 'user', userId: ownerId }, (tx) => tx.query(
    `UPDATE users SET default_org_id = (SELECT o.id FROM organizations o JOIN memberships m ON m.org_id = o.id
       WHERE m.user_id = $1 AND o.type = 'clinic' LIMIT 1) WHERE id = $1`, [ownerId]));
  return { created: true, email, password };
}
