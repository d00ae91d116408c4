import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testVisage, type TestVisage } from '../../../test/helpers.js';
import { newId } from '../crypto.js';
import { createUser } from '../../modules/identity/index.js';
import { audit } from '../audit/audit.service.js';

let t: TestVisage;
beforeAll(async () => { t = await testVisage(); });
afterAll(async () => { await t?.close(); });

describe('the database gate', () => {
  it('runs every unit of work as the non-superuser app role with the context set', async () => {
    const o = await t.owner();
    const [row] = await t.db.run({ scope: 'tenant', orgId: o.orgId, userId: o.userId }, (tx) => tx.query<{ u: string; sup: boolean; bypass: boolean; org: string }>(
      `SELECT current_user AS u, r.rolsuper AS sup, r.rolbypassrls AS bypass, visage_current_org()::text AS org
         FROM pg_roles r WHERE r.rolname = current_user`));
    expect(row).toEqual({ u: 'visage_app', sup: false, bypass: false, org: o.orgId });
  });

  it('with no organization set, tenant policies match nothing (a setting once used reads back as empty)', async () => {
    const o = await t.owner();
    const count = (ctx: Parameters<typeof t.db.run>[0]) => t.db.run(ctx, async (tx) =>
      (await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM memberships WHERE org_id = $1', [o.orgId]))[0]!.n);
    expect(await count({ scope: 'tenant', orgId: o.orgId, userId: null })).toBe(1);
    expect(await count({ scope: 'system', orgId: null, userId: null })).toBe(0);
    const again = await t.db.run({ scope: 'tenant', orgId: o.orgId }, async (tx) => {
      await tx.setContext({ scope: 'system', orgId: null });
      return (await tx.query<{ n: number; s: string }>(`SELECT count(*)::int AS n, current_setting('app.org_id', true) AS s FROM memberships`))[0]!;
    });
    expect(again).toEqual({ n: 0, s: '' });
  });

  it('refuses to write a row into another organization', async () => {
    const a = await t.owner();
    const b = await t.owner();
    await expect(t.db.run({ scope: 'tenant', orgId: a.orgId, userId: a.userId }, (tx) =>
      tx.query('INSERT INTO memberships (id, org_id, user_id) VALUES ($1, $2, $3)', [newId(), b.orgId, a.userId])))
      .rejects.toThrow(/row-level security/);
  });

  it('serializes concurrent units of work without mixing their contexts', async () => {
    const orgs = await Promise.all([t.owner(), t.owner(), t.owner()]);
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => {
      const o = orgs[i % 3]!;
      return t.db.run({ scope: 'tenant', orgId: o.orgId, userId: o.userId }, async (tx) => {
        const before = (await tx.query<{ org: string }>('SELECT visage_current_org()::text AS org'))[0]!.org;
        await new Promise((r) => setTimeout(r, Math.random() * 5));
        const seen = await tx.query<{ org_id: string }>('SELECT org_id FROM memberships');
        return { expected: o.orgId, before, seen: [...new Set(seen.map((s) => s.org_id))] };
      });
    }));
    for (const r of results) {
      expect(r.before).toBe(r.expected);
      expect(r.seen).toEqual([r.expected]);
    }
  });
});

describe('statements that ride with the COMMIT', () => {
  it('an audit row (a statement prepared once per connection) commits with the work on every connection, or not at all', async () => {
    const o = await t.owner();
    const ctx = { scope: 'tenant' as const, orgId: o.orgId, userId: o.userId };
    const entity = `deferred-${newId()}`;
    // More concurrent units of work than the server pool has connections: each connection prepares once.
    await Promise.all(Array.from({ length: 45 }, (_, i) => t.db.run(ctx, (tx) => audit(tx, { requestId: `r${i}` }, { action: 'read', entityType: entity, entityId: String(i) }))));
    // A deferred statement that fails after the audit row: the whole COMMIT batch is rolled back.
    for (let i = 0; i < 25; i++) {
      await expect(t.db.run(ctx, async (tx) => {
        await audit(tx, {}, { action: 'read', entityType: entity, entityId: 'rolled-back' });
        tx.deferToCommit('SELECT 1 / 0');
      })).rejects.toThrow(/division by zero/);
    }
    // The connections are still usable and still hold the prepared statement.
    await Promise.all(Array.from({ length: 25 }, () => t.db.run(ctx, (tx) => audit(tx, {}, { action: 'update', entityType: entity, entityId: 'after', details: { fields: ["it's"] } }))));
    const rows = await t.db.run(ctx, (tx) => tx.query<{ action: string; entity_id: string; n: number; details: unknown }>(
      'SELECT action, entity_id, count(*)::int AS n, min(details::text)::jsonb AS details FROM audit_events WHERE entity_type = $1 GROUP BY 1, 2', [entity]));
    expect(rows.filter((r) => r.action === 'read')).toHaveLength(45);
    expect(rows.some((r) => r.entity_id === 'rolled-back')).toBe(false);
    expect(rows.find((r) => r.entity_id === 'after')).toMatchObject({ action: 'update', n: 25, details: { fields: ["it's"] } });
  });
});

describe('statements sent with the opening of a unit of work', () => {
  it('a prepared prelude statement answers in every connection, with its values as literals; a failed opening rolls back', async () => {
    const o = await t.owner({ orgName: "O'Brien Aesthetics" });
    const ctx = { scope: 'tenant' as const, orgId: o.orgId, userId: o.userId };
    const byName = { text: 'SELECT id, name FROM organizations WHERE name = $1', values: ["O'Brien Aesthetics"] };
    const seen = await Promise.all(Array.from({ length: 45 }, () => t.db.run(ctx, async (tx) => tx.prelude[0], { prelude: [byName] })));
    expect(seen.every((rows) => rows?.length === 1 && rows[0]!.id === o.orgId)).toBe(true);
    // Row-level security applies: another organization's name finds nothing.
    const other = await t.owner({ orgName: 'Elsewhere Clinic' });
    expect(await t.db.run(ctx, async (tx) => tx.prelude[0], { prelude: [{ ...byName, values: ['Elsewhere Clinic'] }] })).toEqual([]);
    // A value the statement refuses fails the opening; the transaction is rolled back and the next one works.
    const byId = { text: 'SELECT name FROM organizations WHERE id = $1', values: ['not-a-uuid'] };
    for (let i = 0; i < 5; i++) await expect(t.db.run(ctx, async () => 'ran', { prelude: [byId] })).rejects.toThrow(/uuid/);
    // A NUL character, which text cannot hold, is refused before it reaches the server (as the server refuses it).
    await expect(t.db.run(ctx, async () => 'ran', { prelude: [{ ...byName, values: ['O\u0000Brien'] }] })).rejects.toMatchObject({ code: '22021' });
    expect(await t.db.run({ ...ctx, orgId: other.orgId, userId: other.userId }, async (tx) => tx.prelude[0], { prelude: [{ ...byId, values: [other.orgId] }] }))
      .toEqual([{ name: 'Elsewhere Clinic' }]);
  });
});

describe('records owned by a patient and shared with providers', () => {
  it('an inquiry shared with X and Y is visible to both and not to Z', async () => {
    const [x, y, z] = await Promise.all([t.owner({ orgName: 'X' }), t.owner({ orgName: 'Y' }), t.owner({ orgName: 'Z' })]);
    const patientId = await t.db.run({ scope: 'auth' }, (tx) => createUser(tx, { email: `patient.${newId()}@test.visage.local`, fullName: 'Pat Ient', userType: 'patient' }, new Date()));
    const inquiryId = newId();
    await t.db.run({ scope: 'user', userId: patientId }, async (tx) => {
      await tx.query(`INSERT INTO inquiries (id, owner_user_id, problem) VALUES ($1, $2, 'Receding hairline')`, [inquiryId, patientId]);
      for (const org of [x.orgId, y.orgId]) {
        await tx.query('INSERT INTO inquiry_providers (inquiry_id, org_id, owner_user_id) VALUES ($1, $2, $3)', [inquiryId, org, patientId]);
      }
    });
    const visibleTo = async (o: { orgId: string; userId: string }) => t.db.run({ scope: 'tenant', orgId: o.orgId, userId: o.userId }, async (tx) =>
      (await tx.query<{ id: string }>('SELECT id FROM inquiries WHERE id = $1', [inquiryId])).length);
    expect(await visibleTo(x)).toBe(1);
    expect(await visibleTo(y)).toBe(1);
    expect(await visibleTo(z)).toBe(0);
    // The patient sees their own inquiry and every share; Z cannot share it onward or edit it.
    const mine = await t.db.run({ scope: 'user', userId: patientId }, (tx) => tx.query('SELECT org_id FROM inquiry_providers WHERE inquiry_id = $1', [inquiryId]));
    expect(mine).toHaveLength(2);
    await expect(t.db.run({ scope: 'tenant', orgId: z.orgId, userId: z.userId }, (tx) =>
      tx.query('INSERT INTO inquiry_providers (inquiry_id, org_id, owner_user_id) VALUES ($1, $2, $3)', [inquiryId, z.orgId, patientId]))).rejects.toThrow(/row-level security/);
    const updated = await t.db.run({ scope: 'tenant', orgId: x.orgId, userId: x.userId }, (tx) => tx.query(`UPDATE inquiries SET problem = 'changed' WHERE id = $1 RETURNING id`, [inquiryId]));
    expect(updated).toHaveLength(0);
    // Revoking X's share hides it from X again.
    await t.db.run({ scope: 'user', userId: patientId }, (tx) => tx.query('UPDATE inquiry_providers SET revoked_at = now() WHERE inquiry_id = $1 AND org_id = $2', [inquiryId, x.orgId]));
    expect(await visibleTo(x)).toBe(0);
    expect(await visibleTo(y)).toBe(1);
  });
});
