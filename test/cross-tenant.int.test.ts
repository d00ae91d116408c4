// Property test: random reads and writes by several roles across three organizations never read
// or write a row of another organization, and another organization's id answers exactly like a
// missing id.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testVisage, uniqueEmail, type Res, type TestVisage } from './helpers.js';
import { rng } from './openapi.js';
import { addMember, createUser } from '../src/modules/identity/index.js';
import { newId } from '../src/platform/crypto.js';

const OPS = Number(process.env.CROSS_TENANT_OPS || 1000);
const ROLES = ['owner', 'manager', 'front_desk', 'marketer', 'practitioner'] as const;
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

interface Org { id: string; actors: Record<string, string>; roles: Set<string>; invitations: Set<string>; members: Set<string>; files: Set<string> }

let t: TestVisage;
const orgs: Org[] = [];

function multipart(fields: Record<string, string>, file: { name: string; type: string; data: Buffer }) {
  const boundary = `----visage${newId()}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`), file.data, Buffer.from(`\r\n--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

async function uploadPhoto(token: string): Promise<Res> {
  const m = multipart({ kind: 'photo' }, { name: 'p.png', type: 'image/png', data: PNG });
  const res = await t.app.inject({ method: 'POST', url: '/api/files', headers: { authorization: `Bearer ${token}`, 'content-type': m.contentType }, payload: m.body });
  return { status: res.statusCode, body: JSON.parse(res.body), headers: res.headers };
}

beforeAll(async () => {
  t = await testVisage({ config: { rateLimitPerMinute: 1_000_000, authRateLimitPerMinute: 1_000_000 } });
  for (let i = 0; i < 3; i++) {
    const owner = await t.owner({ orgName: `Tenant ${i}` });
    const org: Org = { id: owner.orgId, actors: { owner: owner.token }, roles: new Set(), invitations: new Set(), members: new Set(), files: new Set() };
    for (const role of ROLES.slice(1)) {
      const email = uniqueEmail(role);
      const userId = await t.db.run({ scope: 'auth' }, (tx) => createUser(tx, { email, password: 'staff password 123', fullName: `${role} ${i}` }, new Date()));
      await t.db.run({ scope: 'tenant', orgId: owner.orgId, userId: owner.userId }, (tx) => addMember(tx, userId, [role]));
      const login = await t.call('POST', '/api/auth/login', { body: { email, password: 'staff password 123' } });
      org.actors[role] = login.body.token;
    }
    const members = await t.call('GET', '/api/members?limit=200', { token: owner.token });
    for (const m of members.body.items) org.members.add(m.id);
    for (let f = 0; f < 2; f++) {
      const up = await uploadPhoto(owner.token);
      expect(up.status).toBe(201);
      org.files.add(up.body.id);
    }
    orgs.push(org);
  }
});
afterAll(async () => { await t?.close(); });

const strip = (r: Res) => ({ status: r.status, code: r.body?.code, detail: r.body?.detail, title: r.body?.title });

describe('cross-tenant isolation (property)', () => {
  it(`${OPS} random reads and writes by 5 roles across 3 organizations touch only the actor's organization`, async () => {
    const seed = Number(process.env.CROSS_TENANT_SEED || Date.now() % 100000);
    const r = rng(seed);
    const violations: string[] = [];
    const note = (what: string) => violations.push(`seed ${seed}: ${what}`);
    const all = (k: 'roles' | 'invitations' | 'members' | 'files') => orgs.flatMap((o) => [...o[k]].map((id) => ({ id, org: o })));
    let foreignChecks = 0;

    /** A by-id request on another org's row must answer exactly like one on a random missing id. */
    async function byId(kind: 'roles' | 'invitations' | 'members' | 'files', method: string, path: (id: string) => string, token: string, own: Org, body?: unknown) {
      const candidates = all(kind);
      if (!candidates.length) return;
      const target = r.pick(candidates);
      const res = await t.call(method, path(target.id), { token, body });
      if (target.org !== own) {
        foreignChecks++;
        const missing = await t.call(method, path(newId()), { token, body });
        if (JSON.stringify(strip(res)) !== JSON.stringify(strip(missing))) note(`${method} ${path('<foreign>')} answered ${JSON.stringify(strip(res))}, a missing id ${JSON.stringify(strip(missing))}`);
        if (res.status < 400) note(`${method} ${path(target.id)} on another org succeeded (${res.status})`);
      } else if (res.status >= 500) note(`${method} ${path(target.id)} -> ${res.status}`);
      // A deleted custom role is gone; a withdrawn invitation stays listed as revoked.
      if (method === 'DELETE' && kind === 'roles' && target.org === own && res.status === 204) own.roles.delete(target.id);
    }

    for (let i = 0; i < OPS; i++) {
      const own = r.pick(orgs);
      const role = r.pick(ROLES);
      const token = own.actors[role]!;
      const op = Math.floor(r.next() * 12);
      switch (op) {
        case 0: {
          const res = await t.call('GET', '/api/members?limit=200', { token });
          for (const m of res.body.items ?? []) if (!own.members.has(m.id)) note(`GET /api/members showed foreign member ${m.id}`);
          break;
        }
        case 1: {
          const res = await t.call('GET', '/api/roles', { token });
          for (const x of res.body.items ?? []) if (!x.builtin && !own.roles.has(x.id)) note(`GET /api/roles showed foreign role ${x.id}`);
          break;
        }
        case 2: {
          const res = await t.call('POST', '/api/roles', { token, body: { name: `r${i}-${Math.floor(r.next() * 1e6)}`, permissions: ['org.read'], org_id: r.pick(orgs).id } });
          if (res.status === 201) own.roles.add(res.body.id);
          else if (res.status !== 403) note(`POST /api/roles -> ${res.status}`);
          break;
        }
        case 3: await byId('roles', 'PATCH', (id) => `/api/roles/${id}`, token, own, { description: `changed ${i}` }); break;
        case 4: await byId('roles', 'DELETE', (id) => `/api/roles/${id}`, token, own); break;
        case 5: {
          const res = await t.call('POST', '/api/invitations', { token, body: { email: uniqueEmail('inv'), role: 'front_desk', org_id: r.pick(orgs).id } });
          if (res.status === 201) own.invitations.add(res.body.id);
          else if (res.status !== 403) note(`POST /api/invitations -> ${res.status}`);
          break;
        }
        case 6: {
          const res = await t.call('GET', '/api/invitations?limit=200', { token });
          for (const x of res.body.items ?? []) if (!own.invitations.has(x.id)) note(`GET /api/invitations by ${role} showed foreign invitation ${x.id}`);
          break;
        }
        case 7: await byId('invitations', 'DELETE', (id) => `/api/invitations/${id}`, token, own); break;
        case 8: {
          const res = await t.call('GET', '/api/audit?limit=50', { token });
          for (const e of res.body.items ?? []) if (e.org_id !== own.id) note(`GET /api/audit showed an event of org ${e.org_id}`);
          break;
        }
        case 9: await byId('members', 'PATCH', (id) => `/api/members/${id}`, token, own, { title: `title ${i}` }); break;
        case 10: await byId('files', 'GET', (id) => `/api/files/${id}`, token, own); break;
        case 11: {
          const target = r.pick(orgs);
          const res = await t.call('GET', `/api/organizations/${target.id}`, { token });
          if (target !== own) {
            foreignChecks++;
            const missing = await t.call('GET', `/api/organizations/${newId()}`, { token });
            if (JSON.stringify(strip(res)) !== JSON.stringify(strip(missing))) note(`GET foreign organization answered ${res.status}, missing ${missing.status}`);
          }
          break;
        }
      }
    }
    expect(violations).toEqual([]);
    expect(foreignChecks).toBeGreaterThan(OPS / 10);

    // Every row the run created lives in the organization whose member created it.
    for (const o of orgs) {
      const seen = await t.db.run({ scope: 'system', orgId: o.id }, async (tx) => ({
        roles: (await tx.query<{ id: string }>('SELECT id FROM roles WHERE org_id = $1', [o.id])).map((x) => x.id),
        invitations: (await tx.query<{ id: string }>('SELECT id FROM invitations WHERE org_id = $1', [o.id])).map((x) => x.id),
        audit: (await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_events WHERE org_id <> $1', [o.id]))[0]!.n,
      }));
      expect(new Set(seen.roles)).toEqual(o.roles);
      for (const id of o.invitations) expect(seen.invitations).toContain(id);
      expect(seen.audit).toBe(0);
    }
  }, 600_000);
});
