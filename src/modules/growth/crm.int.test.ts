import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testVisage, uniqueEmail, type TestVisage } from '../../../test/helpers.js';
import { staff } from '../clinical/clinic.fixtures.js';
import { newId } from '../../platform/crypto.js';
import { signDelivery } from './crm.service.js';

let t: TestVisage;
let owner: { token: string; userId: string; orgId: string; email: string };
let secret: string;

const q = <R = Record<string, unknown>>(orgId: string, text: string, params: unknown[] = []) =>
  t.db.run({ scope: 'system', orgId }, (tx) => tx.query<R>(text, params));

async function counts(orgId: string) {
  const [c] = await q<{ leads: number; history: number; activities: number; lead_tags: number; tags: number; deliveries: number }>(orgId, `SELECT
    (SELECT count(*)::int FROM leads WHERE org_id = visage_current_org()) AS leads,
    (SELECT count(*)::int FROM lead_stage_history WHERE org_id = visage_current_org()) AS history,
    (SELECT count(*)::int FROM activities WHERE org_id = visage_current_org()) AS activities,
    (SELECT count(*)::int FROM lead_tags WHERE org_id = visage_current_org()) AS lead_tags,
    (SELECT count(*)::int FROM tags WHERE org_id = visage_current_org()) AS tags,
    (SELECT count(*)::int FROM crm_deliveries WHERE org_id = visage_current_org()) AS deliveries`);
  return c!;
}

const nowS = () => Math.floor(t.clock.now.getTime() / 1000);

/** POSTs raw bytes to the webhook, signed with `key` at `at` (unix seconds) unless `signature` is given. */
function deliver(raw: string, opts: { key?: string; at?: number; signature?: string | null; orgId?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...opts.headers };
  const sig = opts.signature === undefined ? signDelivery(opts.key ?? secret, opts.at ?? nowS(), raw) : opts.signature;
  if (sig !== null) headers['x-visage-signature'] = sig;
  return t.app.inject({ method: 'POST', url: `/api/webhooks/gohighlevel/${opts.orgId ?? owner.orgId}`, payload: raw, headers })
    .then((r) => ({ status: r.statusCode, body: r.body ? JSON.parse(r.body) : null, headers: r.headers }));
}

const contact = (id: string, extra: Record<string, unknown> = {}) => ({ id, first_name: 'Lena', email: `${id.toLowerCase()}@crm.example`, phone: '+14155550123', source: 'Facebook', ...extra });
const event = (deliveryId: string, type: string, c: Record<string, unknown>, stage?: string) =>
  JSON.stringify({ delivery_id: deliveryId, type, contact: c, ...(stage ? { stage } : {}) });

beforeAll(async () => {
  t = await testVisage({ config: { rateLimitPerMinute: 1_000_000, leadFormPerIpPerMinute: 1_000_000 } });
  owner = await t.owner({ orgName: 'Sync Clinic' });
  const r = await t.call('PUT', '/api/crm-integrations/gohighlevel', { token: owner.token, org: owner.orgId });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  secret = r.body.secret;
});
afterAll(async () => { await t?.close(); });

describe('integration management', () => {
  it('issues a secret once, shows only whether it is configured, rotates and disables; needs campaign permissions', async () => {
    const o = await t.owner({ orgName: 'Manage Clinic' });
    const as = (method: string, token = o.token) => t.call(method, method === 'GET' ? '/api/crm-integrations' : '/api/crm-integrations/gohighlevel', { token, org: o.orgId });
    const empty = await as('GET');
    expect(empty.status).toBe(200);
    expect(empty.body.items).toEqual([expect.objectContaining({ provider: 'gohighlevel', configured: false, is_active: false, deliveries: 0 })]);
    const marketer = await staff(t, o.orgId, o.userId, 'marketer');
    const first = await as('PUT', marketer);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ provider: 'gohighlevel', rotated: false, signature_header: 'x-visage-signature' });
    expect(first.body.secret).toMatch(/^whsec_[A-Za-z0-9_-]{40,}$/);
    expect(first.body.webhook_url).toMatch(new RegExp(`/api/webhooks/gohighlevel/${o.orgId}$`));
    const [row] = await q<{ secret_enc: string }>(o.orgId, 'SELECT secret_enc FROM crm_integrations');
    expect(row!.secret_enc).toMatch(/^v1:/);
    expect(row!.secret_enc).not.toContain(first.body.secret);
    const shown = await as('GET', marketer);
    expect(shown.body.items[0]).toMatchObject({ configured: true, is_active: true });
    expect(JSON.stringify(shown.body)).not.toContain(first.body.secret);

    const raw = event(`m-${newId()}`, 'contact.upsert', contact(`M${newId().slice(-8)}`));
    expect((await deliver(raw, { key: first.body.secret, orgId: o.orgId })).status).toBe(200);
    const second = await as('PUT');
    expect(second.body.rotated).toBe(true);
    expect(second.body.secret).not.toBe(first.body.secret);
    const stale = await deliver(event(`m-${newId()}`, 'contact.upsert', contact(`M${newId().slice(-8)}`)), { key: first.body.secret, orgId: o.orgId });
    expect(stale.status).toBe(401);
    expect((await as('GET')).body.items[0]).toMatchObject({ deliveries: 1 });

    expect((await as('DELETE')).status).toBe(204);
    const disabled = await deliver(event(`m-${newId()}`, 'contact.upsert', contact(`M${newId().slice(-8)}`)), { key: second.body.secret, orgId: o.orgId });
    expect(disabled.status).toBe(401);
    expect(disabled.body.code).toBe('invalid_signature');
    expect((await as('GET')).body.items[0]).toMatchObject({ configured: true, is_active: false });

    const practitioner = await staff(t, o.orgId, o.userId, 'practitioner');
    expect((await as('PUT', practitioner)).status).toBe(403);
    expect((await as('GET', practitioner)).status).toBe(403);
    expect((await as('DELETE', practitioner)).status).toBe(403);
  });
});

describe('GoHighLevel webhook', () => {
  it('upserts a lead by contact id with its stage and tags', async () => {
    const id = `C${newId().slice(-10)}`;
    const r = await deliver(event(`d-${newId()}`, 'contact.upsert', contact(id, { campaign: null, tags: ['Botox', 'VIP'] }), 'Contacted'));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ duplicate: false, outcome: { action: 'created', stage_changed: false, tags_added: ['Botox', 'VIP'] } });
    const [lead] = await q<any>(owner.orgId, `SELECT l.*, s.name AS stage FROM leads l JOIN pipeline_stages s ON s.id = l.stage_id WHERE external_id = $1`, [id]);
    expect(lead).toMatchObject({ id: r.body.outcome.lead_id, first_name: 'Lena', phone: '+14155550123', source: 'facebook', stage: 'Contacted', status: 'contacted' });
    const history = await q(owner.orgId, 'SELECT 1 FROM lead_stage_history WHERE lead_id = $1', [lead.id]);
    expect(history).toHaveLength(1);
    const acts = await q<{ type: string }>(owner.orgId, 'SELECT type FROM activities WHERE lead_id = $1', [lead.id]);
    expect(acts.map((a) => a.type)).toEqual(['tag_added', 'tag_added']);

    // A later update changes contact details and moves the stage (history + a stage_change activity).
    const u = await deliver(event(`d-${newId()}`, 'contact.stage_changed', contact(id, { first_name: 'Lenna', tags: ['botox'] }), 'won'));
    expect(u.body.outcome).toMatchObject({ action: 'updated', stage_changed: true, tags_added: [] });
    const [moved] = await q<any>(owner.orgId, `SELECT l.*, s.name AS stage FROM leads l JOIN pipeline_stages s ON s.id = l.stage_id WHERE l.id = $1`, [lead.id]);
    expect(moved).toMatchObject({ first_name: 'Lenna', stage: 'Won', status: 'converted' });
    expect(moved.won_at).not.toBeNull();
    const types = await q<{ type: string; payload: any }>(owner.orgId, `SELECT type, payload FROM activities WHERE lead_id = $1 AND type = 'stage_change'`, [lead.id]);
    expect(types).toHaveLength(1);
    expect(types[0]!.payload).toMatchObject({ from_stage: 'Contacted', to_stage: 'Won' });
    expect(await q(owner.orgId, 'SELECT 1 FROM lead_stage_history WHERE lead_id = $1', [lead.id])).toHaveLength(2);
  });

  it('applies a delivery repeated 100 times once, returning the first outcome each time', async () => {
    const id = `R${newId().slice(-10)}`;
    const raw = event(`rep-${newId()}`, 'contact.upsert', contact(id, { tags: ['Filler'] }), 'Consult Booked');
    const before = await counts(owner.orgId);
    const answers: Awaited<ReturnType<typeof deliver>>[] = [];
    for (let i = 0; i < 100; i++) answers.push(await deliver(raw));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(answers[0]!.body.duplicate).toBe(false);
    expect(answers.slice(1).every((a) => a.body.duplicate === true)).toBe(true);
    expect(answers.slice(1).every((a) => JSON.stringify(a.body.outcome) === JSON.stringify(answers[0]!.body.outcome))).toBe(true);
    const after = await counts(owner.orgId);
    expect(after.leads - before.leads).toBe(1);
    expect(after.history - before.history).toBe(1);
    expect(after.lead_tags - before.lead_tags).toBe(1);
    expect(after.activities - before.activities).toBe(1); // one tag_added
    expect(after.deliveries - before.deliveries).toBe(1);
    expect(await q(owner.orgId, 'SELECT 1 FROM leads WHERE external_id = $1', [id])).toHaveLength(1);
  });

  it('applies 20 concurrent copies of a delivery once', async () => {
    const id = `P${newId().slice(-10)}`;
    const raw = event(`par-${newId()}`, 'contact.stage_changed', contact(id, { tags: ['Laser', 'Summer'] }), 'Contacted');
    const before = await counts(owner.orgId);
    const answers = await Promise.all(Array.from({ length: 20 }, () => deliver(raw)));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(answers.filter((a) => a.body.duplicate === false)).toHaveLength(1);
    const after = await counts(owner.orgId);
    expect(after.leads - before.leads).toBe(1);
    expect(after.history - before.history).toBe(1);
    expect(after.lead_tags - before.lead_tags).toBe(2);
    expect(after.activities - before.activities).toBe(2);
    expect(after.deliveries - before.deliveries).toBe(1);
  });

  it('refuses a reused delivery id with a different body (409), storing nothing', async () => {
    const deliveryId = `reuse-${newId()}`;
    const id = `U${newId().slice(-10)}`;
    expect((await deliver(event(deliveryId, 'contact.upsert', contact(id)))).status).toBe(200);
    const before = await counts(owner.orgId);
    const r = await deliver(event(deliveryId, 'contact.upsert', contact(id, { first_name: 'Changed' })));
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('delivery_id_reused');
    expect(await counts(owner.orgId)).toEqual(before);
    expect((await q<any>(owner.orgId, 'SELECT first_name FROM leads WHERE external_id = $1', [id]))[0].first_name).toBe('Lena');
  });

  it('refuses unsigned, altered, stale, future, foreign-key and unknown-organization deliveries with 401, storing nothing', async () => {
    const raw = event(`sig-${newId()}`, 'contact.upsert', contact(`S${newId().slice(-10)}`));
    const before = await counts(owner.orgId);
    const goodSig = signDelivery(secret, nowS(), raw);
    const cases = [
      await deliver(raw, { signature: null }),
      await deliver(raw, { signature: 'garbage' }),
      await deliver(raw.replace('Lena', 'Lana'), { signature: goodSig }),
      await deliver(`${raw} `, { signature: goodSig }),
      await deliver(raw, { at: nowS() - 6 * 60 }),
      await deliver(raw, { at: nowS() + 6 * 60 }),
      await deliver(raw, { key: 'whsec_not-the-secret' }),
      await deliver(raw, { signature: goodSig.replace(/v1=[0-9a-f]{4}/, 'v1=0000') }),
      await deliver(raw, { signature: goodSig.replace(/^t=\d+/, `t=${nowS() - 1}`) }),
      await deliver(raw, { orgId: newId() }),
    ];
    for (const r of cases) {
      expect(r.status).toBe(401);
      expect(r.headers['content-type']).toMatch(/problem\+json/);
      expect(r.body.code).toBe('invalid_signature');
    }
    expect(await counts(owner.orgId)).toEqual(before);
    // The same bytes, correctly signed, are accepted; a second v1 (during rotation) may sit beside a stale one.
    expect((await deliver(raw, { signature: `t=${nowS()},v1=${'0'.repeat(64)},${signDelivery(secret, nowS(), raw).split(',')[1]}` })).status).toBe(200);
  });

  it('refuses PHI in a delivery (422) and bad shapes, storing nothing', async () => {
    const before = await counts(owner.orgId);
    const id = `X${newId().slice(-10)}`;
    const cases: [string, number, string, Record<string, string>?][] = [
      [event(`phi-${newId()}`, 'contact.upsert', contact(id, { last_name: 'Chen' })), 422, 'phi_not_allowed'],
      [JSON.stringify({ delivery_id: `phi-${newId()}`, type: 'contact.upsert', contact: contact(id), customFields: [{ dateOfBirth: '1990-01-01' }] }), 422, 'phi_not_allowed'],
      [event(`stage-${newId()}`, 'contact.upsert', contact(id), 'No Such Stage'), 422, 'unknown_stage'],
      [event(`stage-${newId()}`, 'contact.stage_changed', contact(id)), 422, 'validation_failed'],
      [event(`tags-${newId()}`, 'contact.tag_added', contact(id)), 422, 'validation_failed'],
      [event(`type-${newId()}`, 'contact.merged', contact(id)), 422, 'validation_failed'],
      [event(`mail-${newId()}`, 'contact.upsert', contact(id, { email: 'nope' })), 422, 'validation_failed'],
      [event(`phone-${newId()}`, 'contact.upsert', contact(id, { phone: '12' })), 422, 'validation_failed'],
      [JSON.stringify({ type: 'contact.upsert', contact: contact(id) }), 422, 'validation_failed'],
      ['{"delivery_id": "broken", ', 400, 'invalid_json'],
    ];
    for (const [raw, status, code] of cases) {
      const r = await deliver(raw);
      expect(r.status, raw).toBe(status);
      expect(r.body.code, raw).toBe(code);
    }
    expect(await counts(owner.orgId)).toEqual(before);
    // The delivery id may come in a header instead.
    const viaHeader = await deliver(JSON.stringify({ type: 'contact.upsert', contact: contact(id) }), { headers: { 'x-delivery-id': `hdr-${newId()}` } });
    expect(viaHeader.status).toBe(200);
  });

  it('links a lead that came from the web form by email instead of duplicating it', async () => {
    const [o] = await q<{ slug: string }>(owner.orgId, 'SELECT slug FROM organizations WHERE id = visage_current_org()');
    const email = uniqueEmail('linked');
    const form = await t.call('POST', `/api/public/orgs/${o!.slug}/leads`, { body: { first_name: 'Ivy', email, contact_consent: true, form_started_at: t.clock.now.getTime() - 10_000 } });
    expect(form.status).toBe(202);
    const [lead] = await q<{ id: string }>(owner.orgId, 'SELECT id FROM leads WHERE email = $1', [email]);
    const id = `L${newId().slice(-10)}`;
    const r = await deliver(event(`link-${newId()}`, 'contact.upsert', contact(id, { email, phone: null, first_name: null })));
    expect(r.body.outcome).toMatchObject({ action: 'updated', lead_id: lead!.id });
    const [after] = await q<any>(owner.orgId, 'SELECT external_id, first_name, source FROM leads WHERE id = $1', [lead!.id]);
    expect(after).toEqual({ external_id: id, first_name: 'Ivy', source: 'website' });
  });

  it('soft-deletes on contact.deleted and does not bring the lead back', async () => {
    const id = `D${newId().slice(-10)}`;
    const created = await deliver(event(`del-${newId()}`, 'contact.upsert', contact(id)));
    const gone = await deliver(event(`del-${newId()}`, 'contact.deleted', { id }));
    expect(gone.body.outcome).toMatchObject({ action: 'deleted', lead_id: created.body.outcome.lead_id });
    const [row] = await q<any>(owner.orgId, 'SELECT deleted_at FROM leads WHERE id = $1', [created.body.outcome.lead_id]);
    expect(row.deleted_at).not.toBeNull();
    const back = await deliver(event(`del-${newId()}`, 'contact.upsert', contact(id)));
    expect(back.body.outcome).toMatchObject({ action: 'ignored', reason: 'lead_deleted' });
    const unknown = await deliver(event(`del-${newId()}`, 'contact.deleted', { id: 'never-seen' }));
    expect(unknown.body.outcome).toMatchObject({ action: 'ignored', reason: 'unknown_contact' });
  });

  it('leaves JSON parsing of every other route alone', async () => {
    const r = await t.call('POST', '/api/leads/ad-click', { token: owner.token, org: owner.orgId, body: { platform: 'google', click_id: `json-${newId().slice(-8)}` } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const phi = await t.call('POST', '/api/leads/ad-click', { token: owner.token, org: owner.orgId, body: { platform: 'google', click_id: 'x', surname: 'Lee' } });
    expect(phi.body.code).toBe('phi_not_allowed');
  });
});
