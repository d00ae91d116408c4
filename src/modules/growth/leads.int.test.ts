import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testVisage, type TestVisage } from '../../../test/helpers.js';
import { newId } from '../../platform/crypto.js';
import { addPatient, asOrg, staff } from '../clinical/clinic.fixtures.js';

let t: TestVisage;
let owner: { token: string; userId: string; orgId: string };
let marketer: string;

beforeAll(async () => {
  t = await testVisage({ config: { rateLimitPerMinute: 10_000_000 } });
  owner = await t.owner({ orgName: 'Growth Clinic' });
  await asOrg(t, owner.orgId, (q) => q(`UPDATE organizations SET country = 'TW', currency = 'TWD', timezone = 'Asia/Taipei' WHERE id = $1`, [owner.orgId]));
  marketer = await staff(t, owner.orgId, owner.userId, 'marketer');
});
afterAll(async () => { await t?.close(); });

let seq = 0;
const call = (method: string, url: string, body?: unknown, token = owner.token, headers?: Record<string, string>) => t.call(method, url, { token, body, headers, org: owner.orgId });
async function lead(body: Record<string, unknown> = {}, token = owner.token) {
  const r = await call('POST', '/api/leads', { source: 'facebook', email: `lead${++seq}@example.com`, ...body }, token);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}
async function campaign(orgId: string, name: string, platform = 'instagram'): Promise<string> {
  const id = newId();
  await asOrg(t, orgId, (q) => q(`INSERT INTO campaigns (id, org_id, name, platform, currency) VALUES ($1, $2, $3, $4, 'TWD')`, [id, orgId, name, platform]));
  return id;
}
const count = (table: string, orgId = owner.orgId) => asOrg(t, orgId, async (q) => Number((await q<{ n: string }>(`SELECT count(*) AS n FROM ${table}`))[0]!.n));

describe('leads', () => {
  it('creates a lead with defaults: first new stage, derived status, org currency, end-of-column rank, first history row', async () => {
    const l = await lead({ first_name: 'Amy', email: ' Amy.Chen@Example.COM ', source: 'Instagram', country: 'tw', timezone: 'asia/taipei', city: 'Taipei', age_group: '25-34' });
    expect(l).toMatchObject({
      first_name: 'Amy', email: 'amy.chen@example.com', source: 'instagram', country: 'TW', timezone: 'Asia/Taipei', status: 'new', stage_name: 'New',
      stage_kind: 'new', currency: 'TWD', contact_consent: false, tags: [], patient_id: null, user_id: null, created_by: owner.userId,
    });
    expect(l.rank).toMatch(/^[0-9A-Za-z]+$/);
    const l2 = await lead();
    expect(l2.rank > l.rank).toBe(true);
    const h = await call('GET', `/api/leads/${l.id}/stage-history`);
    expect(h.body.items).toMatchObject([{ stage_id: l.stage_id, from_stage_id: null, stage_name: 'New' }]);
    const d = await call('GET', `/api/leads/${l.id}`);
    expect(d.status).toBe(200);
    expect(d.body).toMatchObject({ id: l.id, opportunity: null, counts: { activities: 0, journey_events: 0, stage_changes: 1 }, score: expect.any(Number), score_factors: expect.any(Array) });
  });

  it('stores phones as E.164 (national numbers read in the lead\'s or the organization\'s country) and refuses invalid ones', async () => {
    expect((await lead({ phone: '0912 345 678' })).phone).toBe('+886912345678');
    expect((await lead({ phone: '(212) 736-5000', country: 'US' })).phone).toBe('+12127365000');
    expect((await lead({ phone: '+44 20 7946 0958' })).phone).toBe('+442079460958');
    const before = await count('leads');
    for (const phone of ['12345', 'call me maybe', '+1 555 0100']) {
      const r = await call('POST', '/api/leads', { source: 'google', phone });
      expect(r.status).toBe(422);
      expect(r.headers['content-type']).toContain('application/problem+json');
      expect(r.body.errors).toEqual([expect.objectContaining({ pointer: '/phone' })]);
    }
    expect(await count('leads')).toBe(before);
    const l = await lead();
    expect((await call('PATCH', `/api/leads/${l.id}`, { phone: '02 2345 6789' })).body.phone).toBe('+886223456789');
    expect((await call('PATCH', `/api/leads/${l.id}`, { phone: 'nope' })).status).toBe(422);
  });

  it('validates fields: a contact route, email, country, time zone, consent, references', async () => {
    const before = await count('leads');
    const bad: [Record<string, unknown>, string][] = [
      [{ source: 'facebook', first_name: 'Nobody' }, '/email'],
      [{ source: 'facebook', email: 'not-an-email' }, '/email'],
      [{ source: 'Face Book!', email: 'a@example.com' }, '/source'],
      [{ email: 'a@example.com' }, '/source'],
      [{ source: 'google', email: 'a@example.com', country: 'XX' }, '/country'],
      [{ source: 'google', email: 'a@example.com', country: 'Asia/Taipei' }, '/country'],
      [{ source: 'google', email: 'a@example.com', timezone: 'Mars/Olympus' }, '/timezone'],
      [{ source: 'google', email: 'a@example.com', age_group: '30-40' }, '/age_group'],
      [{ source: 'google', email: 'a@example.com', deal_value_minor: -1 }, '/deal_value_minor'],
      [{ source: 'google', email: 'a@example.com', linkedin_url: 'http://linkedin.com/in/amy' }, '/linkedin_url'],
      [{ source: 'google', email: 'a@example.com', summary: 'x'.repeat(2001) }, '/summary'],
      [{ source: 'google', email: 'a@example.com', status: 'converted' }, ''],
      [{ source: 'google', email: 'a@example.com', campaign_id: newId() }, '/campaign_id'],
      [{ source: 'google', email: 'a@example.com', stage_id: newId() }, '/stage_id'],
      [{ source: 'google', email: 'a@example.com', assigned_user_id: newId() }, '/assigned_user_id'],
    ];
    for (const [body, pointer] of bad) {
      const r = await call('POST', '/api/leads', body);
      expect(r.status, JSON.stringify(body)).toBe(422);
      if (pointer) expect(r.body.errors.map((e: { pointer: string }) => e.pointer), JSON.stringify(body)).toContain(pointer);
    }
    expect((await call('POST', '/api/leads', { source: 'google', email: 'a@example.com', campaign_id: newId() })).body.code).toBe('reference_not_found');
    expect(await count('leads')).toBe(before);
    // An Instagram handle is a way to reach someone.
    expect((await lead({ email: undefined, instagram_handle: '@amy' })).instagram_handle).toBe('@amy');
    const withConsent = await lead({ contact_consent: true, contact_consent_source: 'web form v3' });
    expect(withConsent).toMatchObject({ contact_consent: true, contact_consent_source: 'web form v3', contact_consent_at: expect.any(String) });
    const withdrawn = await call('PATCH', `/api/leads/${withConsent.id}`, { contact_consent: false });
    expect(withdrawn.body).toMatchObject({ contact_consent: false, contact_consent_at: null, contact_consent_source: null });
    // Removing the last contact route is refused.
    const only = await lead();
    expect((await call('PATCH', `/api/leads/${only.id}`, { email: null })).status).toBe(422);
    expect((await call('PATCH', `/api/leads/${only.id}`, { status: 'converted' })).status).toBe(422);
  });

  it('refuses PHI on create and update (422 phi_not_allowed) and stores nothing', async () => {
    const l = await lead({ first_name: 'Bea' });
    const leadsBefore = await count('leads');
    const auditBefore = await asOrg(t, owner.orgId, async (q) => Number((await q<{ n: string }>(`SELECT count(*) AS n FROM audit_events WHERE entity_type = 'lead' AND action = 'update'`))[0]!.n));
    const cases: Record<string, unknown>[] = [
      { last_name: 'Chen' }, { medical_history: 'asthma' }, { diagnosis: 'melasma' }, { photo_url: 'https://x.example/p.jpg' }, { consent_form: 'signed' },
      { lastName: 'Chen' }, { data: { 'Last Name': 'Chen' } },
    ];
    for (const extra of cases) {
      const c = await call('POST', '/api/leads', { source: 'facebook', email: 'phi@example.com', ...extra });
      expect(c.status, JSON.stringify(extra)).toBe(422);
      expect(c.body.code).toBe('phi_not_allowed');
      const p = await call('PATCH', `/api/leads/${l.id}`, { first_name: 'Changed', ...extra });
      expect(p.status).toBe(422);
      expect(p.body.code).toBe('phi_not_allowed');
    }
    expect(await count('leads')).toBe(leadsBefore);
    const after = await call('GET', `/api/leads/${l.id}`);
    expect(after.body.first_name).toBe('Bea');
    const auditAfter = await asOrg(t, owner.orgId, async (q) => Number((await q<{ n: string }>(`SELECT count(*) AS n FROM audit_events WHERE entity_type = 'lead' AND action = 'update'`))[0]!.n));
    expect(auditAfter).toBe(auditBefore);
    const leaked = await asOrg(t, owner.orgId, (q) => q(`SELECT id FROM leads WHERE email = 'phi@example.com' OR first_name = 'Changed'`));
    expect(leaked).toEqual([]);
  });

  it('keeps external ids unique (409), also against deleted leads', async () => {
    const a = await lead({ external_id: 'ghl_contact_001' });
    const dup = await call('POST', '/api/leads', { source: 'google', external_id: 'ghl_contact_001' });
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ code: 'external_id_taken', errors: [{ pointer: '/external_id' }] });
    const b = await lead({ external_id: 'ghl_contact_002' });
    expect((await call('PATCH', `/api/leads/${b.id}`, { external_id: 'ghl_contact_001' })).status).toBe(409);
    expect((await call('DELETE', `/api/leads/${a.id}`)).status).toBe(204);
    expect((await call('GET', `/api/leads/${a.id}`)).status).toBe(404);
    const again = await call('POST', '/api/leads', { source: 'google', external_id: 'ghl_contact_001' });
    expect(again.status).toBe(409);
    expect(again.body.detail).toContain('deleted');
  });

  it('is idempotent on POST with an Idempotency-Key', async () => {
    const before = await count('leads');
    const body = { source: 'website', email: 'idem@example.com' };
    const a = await call('POST', '/api/leads', body, owner.token, { 'idempotency-key': 'lead-idem-1' });
    const b = await call('POST', '/api/leads', body, owner.token, { 'idempotency-key': 'lead-idem-1' });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body.id).toBe(a.body.id);
    expect(await count('leads')).toBe(before + 1);
  });

  it('lists newest first with filters and keyset pagination', async () => {
    const other = await t.owner({ orgName: 'Filter Clinic' });
    const cmp = await campaign(other.orgId, 'Spring Botox', 'instagram');
    const mk = (body: Record<string, unknown>) => t.call('POST', '/api/leads', { token: other.token, body: { email: `f${++seq}@example.com`, ...body } });
    const made: string[] = [];
    for (let i = 0; i < 7; i++) {
      t.clock.advance(1000);
      const r = await mk({ source: i % 2 ? 'google' : 'facebook', first_name: i === 3 ? 'Zelda' : `Lead${i}`, campaign_id: i < 3 ? cmp : undefined, phone: i === 5 ? '+886912000555' : undefined });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      made.push(r.body.id);
    }
    const list = (qs: string) => t.call('GET', `/api/leads?${qs}`, { token: other.token });
    const all = await list('limit=50');
    expect(all.body.items.map((l: { id: string }) => l.id)).toEqual([...made].reverse());
    expect((await list('source=google')).body.items).toHaveLength(3);
    const byCampaign = await list(`campaign_id=${cmp}`);
    expect(byCampaign.body.items).toHaveLength(3);
    expect(byCampaign.body.items[0]).toMatchObject({ campaign_name: 'Spring Botox', ad_platform: 'instagram' });
    expect((await list('q=zel')).body.items.map((l: { first_name: string }) => l.first_name)).toEqual(['Zelda']);
    expect((await list('q=0912000555')).body.items).toHaveLength(1);
    expect((await list('status=new')).body.items).toHaveLength(7);
    expect((await list('status=lost')).body.items).toHaveLength(0);
    expect((await list('min_score=101')).status).toBe(400);
    const future = await list(`created_from=${new Date(t.clock.now.getTime() + 3_600_000).toISOString()}`);
    expect(future.body.items, JSON.stringify(future.body)).toHaveLength(0);
    expect((await list('created_to=2000-01-01')).body.items).toHaveLength(0);
    expect((await list(`created_from=${new Date(t.clock.now.getTime() - 3_600_000).toISOString().slice(0, 10)}`)).body.items.length).toBeGreaterThan(0);
    // Pages of 3: 3 + 3 + 1, no overlap, same order.
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r = await list(`limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.status).toBe(200);
      seen.push(...r.body.items.map((l: { id: string }) => l.id));
      cursor = r.body.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...made].reverse());
    expect((await list('cursor=garbage')).status).toBe(400);
    // Tag filter by name or id.
    const tagged = await t.call('POST', `/api/leads/${made[2]}/tags`, { token: other.token, body: { name: 'Botox' } });
    expect(tagged.status).toBe(201);
    expect((await list('tag=botox')).body.items.map((l: { id: string }) => l.id)).toEqual([made[2]]);
    expect((await list(`tag=${tagged.body.tag.id}`)).body.items.map((l: { id: string }) => l.id)).toEqual([made[2]]);
    // The lead of another organization is not there.
    expect((await list('limit=200')).body.items.some((l: { email: string }) => l.email.startsWith('lead'))).toBe(false);
  });

  it('hides a lead from another organization (404 everywhere)', async () => {
    const l = await lead();
    const other = await t.owner({ orgName: 'Other Clinic' });
    const as = (method: string, url: string, body?: unknown) => t.call(method, url, { token: other.token, body });
    expect((await as('GET', `/api/leads/${l.id}`)).status).toBe(404);
    expect((await as('PATCH', `/api/leads/${l.id}`, { first_name: 'Hijack' })).status).toBe(404);
    expect((await as('DELETE', `/api/leads/${l.id}`)).status).toBe(404);
    expect((await as('POST', `/api/leads/${l.id}/tags`, { name: 'X' })).status).toBe(404);
    expect((await as('POST', `/api/leads/${l.id}/activities`, { type: 'call', payload: { direction: 'inbound', duration_seconds: 1, outcome: 'answered' } })).status).toBe(404);
    expect((await as('GET', `/api/leads/${l.id}/activities`)).status).toBe(404);
    expect((await as('GET', `/api/leads/${l.id}/stage-history`)).status).toBe(404);
    expect((await as('PUT', `/api/leads/${l.id}/opportunity`, { expected_value_minor: 100, procedure_code: 'BTX' })).status).toBe(404);
    const stages = (await as('GET', '/api/pipeline-stages')).body.items;
    expect((await as('POST', `/api/leads/${l.id}/move`, { stage_id: stages[1].id })).status).toBe(404);
    expect((await call('GET', `/api/leads/${l.id}`)).body.first_name).toBe(l.first_name);
  });
});

describe('tags on leads', () => {
  it('keeps tag names unique without case and the (lead, tag) pair unique; a first tagging logs tag_added', async () => {
    const tag = await call('POST', '/api/tags', { name: 'Filler', color: '#FF00AA' });
    expect(tag.status).toBe(201);
    expect(tag.body).toMatchObject({ name: 'Filler', color: '#ff00aa', lead_count: 0 });
    const dup = await call('POST', '/api/tags', { name: 'filler' });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('tag_name_taken');
    expect((await call('POST', '/api/tags', { name: 'Bad', color: 'red' })).status).toBe(422);

    const l = await lead();
    const first = await call('POST', `/api/leads/${l.id}/tags`, { tag_id: tag.body.id });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ added: true, tags: [{ id: tag.body.id, name: 'Filler' }] });
    const again = await call('POST', `/api/leads/${l.id}/tags`, { name: 'FILLER' });
    expect(again.status).toBe(200);
    expect(again.body.added).toBe(false);
    expect(again.body.tags).toHaveLength(1);
    const created = await call('POST', `/api/leads/${l.id}/tags`, { name: 'Laser Hair' });
    expect(created.status).toBe(201);
    expect(created.body.tag).toMatchObject({ name: 'Laser Hair', color: '#64748b' });
    expect(created.body.tags.map((x: { name: string }) => x.name)).toEqual(['Filler', 'Laser Hair']);
    expect((await call('POST', `/api/leads/${l.id}/tags`, { tag_id: newId() })).body.code).toBe('reference_not_found');
    expect((await call('POST', `/api/leads/${l.id}/tags`, {})).status).toBe(422);

    const acts = await call('GET', `/api/leads/${l.id}/activities`);
    const tagActs = acts.body.items.filter((a: { type: string }) => a.type === 'tag_added');
    expect(tagActs).toHaveLength(2);
    expect(tagActs.map((a: { payload: { tag: string } }) => a.payload.tag).sort()).toEqual(['Filler', 'Laser Hair']);
    expect((await call('GET', `/api/leads/${l.id}`)).body.tags).toHaveLength(2);
    expect((await call('GET', '/api/tags')).body.items.find((x: { id: string }) => x.id === tag.body.id).lead_count).toBe(1);

    expect((await call('DELETE', `/api/leads/${l.id}/tags/${tag.body.id}`)).status).toBe(204);
    expect((await call('DELETE', `/api/leads/${l.id}/tags/${tag.body.id}`)).status).toBe(404);
    expect((await call('GET', `/api/leads/${l.id}`)).body.tags.map((x: { name: string }) => x.name)).toEqual(['Laser Hair']);
    expect((await call('PATCH', `/api/tags/${tag.body.id}`, { name: 'laser hair' })).status).toBe(409);
    expect((await call('PATCH', `/api/tags/${tag.body.id}`, { name: 'Dermal Filler', color: '#00ff00' })).body).toMatchObject({ name: 'Dermal Filler', color: '#00ff00' });
    expect((await call('DELETE', `/api/tags/${created.body.tag.id}`)).status).toBe(204);
    expect((await call('GET', `/api/leads/${l.id}`)).body.tags).toEqual([]);
  });
});

describe('activities', () => {
  it('validates the payload per type, refuses system types and PHI, and keeps last_interaction_at', async () => {
    const l = await lead();
    const post = (body: unknown) => call('POST', `/api/leads/${l.id}/activities`, body);
    const good = [
      { type: 'sms_sent', payload: { to: '+886912345678', template: 'welcome', body_preview: 'Hi Amy, thanks for your interest!' } },
      { type: 'email_sent', payload: { subject: 'Your consult', template: 'consult_invite', provider_message_id: 'msg_1' } },
      { type: 'call', payload: { direction: 'outbound', duration_seconds: 95, outcome: 'answered' } },
      { type: 'form_submit', payload: { form: 'botox-offer', page_url: 'https://clinic.example/offer', fields: { interest: 'botox', budget: 'mid' } } },
    ];
    for (const b of good) {
      t.clock.advance(1000);
      const r = await post(b);
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(r.body).toMatchObject({ lead_id: l.id, type: b.type, payload: b.payload, actor_user_id: owner.userId });
    }
    const bad: [unknown, string][] = [
      [{ type: 'sms_sent', payload: { body_preview: 'x'.repeat(161) } }, '/payload/body_preview'],
      [{ type: 'sms_sent', payload: { to: '0912345678' } }, '/payload/to'],
      [{ type: 'email_sent', payload: {} }, '/payload/subject'],
      [{ type: 'call', payload: { direction: 'sideways', duration_seconds: 1, outcome: 'answered' } }, '/payload/direction'],
      [{ type: 'call', payload: { direction: 'inbound', duration_seconds: -1, outcome: 'answered' } }, '/payload/duration_seconds'],
      [{ type: 'call', payload: { direction: 'inbound', duration_seconds: 1, outcome: 'hung_up' } }, '/payload/outcome'],
      [{ type: 'form_submit', payload: { form: 'x', fields: { big: 'y'.repeat(501) } } }, '/payload/fields/big'],
      [{ type: 'form_submit', payload: { form: 'x', extra: 1 } }, '/payload'],
      [{ type: 'meeting', payload: {} }, '/type'],
      [{ type: 'call', payload: { direction: 'inbound', duration_seconds: 1, outcome: 'answered' }, occurred_at: new Date(t.clock.now.getTime() + 3_600_000).toISOString() }, '/occurred_at'],
      [{ type: 'call', payload: { direction: 'inbound', duration_seconds: 1, outcome: 'answered' }, occurred_at: '2001-01-01T00:00:00Z' }, '/occurred_at'],
    ];
    for (const [b, pointer] of bad) {
      const r = await post(b);
      expect(r.status, JSON.stringify(b)).toBe(422);
      expect(r.body.errors.map((e: { pointer: string }) => e.pointer).join(' '), JSON.stringify(b)).toContain(pointer);
    }
    for (const type of ['stage_change', 'tag_added']) {
      const r = await post({ type, payload: { tag_id: newId(), tag: 'x' } });
      expect(r.status).toBe(422);
      expect(r.body.errors[0].pointer).toBe('/type');
    }
    const phi = await post({ type: 'form_submit', payload: { form: 'intake', fields: { diagnosis: 'acne' } } });
    expect(phi.status).toBe(422);
    expect(phi.body.code).toBe('phi_not_allowed');

    const list = await call('GET', `/api/leads/${l.id}/activities?limit=2`);
    expect(list.body.items.map((a: { type: string }) => a.type)).toEqual(['form_submit', 'call']);
    const rest = await call('GET', `/api/leads/${l.id}/activities?limit=10&cursor=${list.body.next_cursor}`);
    expect(rest.body.items.map((a: { type: string }) => a.type)).toEqual(['email_sent', 'sms_sent']);
    const detail = (await call('GET', `/api/leads/${l.id}`)).body;
    expect(detail.counts.activities).toBe(4);
    expect(detail.last_interaction_at).toBe(list.body.items[0].created_at);

    // Deleting the latest interaction moves last_interaction_at back; system activities stay.
    expect((await call('DELETE', `/api/leads/${l.id}/activities/${list.body.items[0].id}`)).status).toBe(204);
    expect((await call('GET', `/api/leads/${l.id}`)).body.last_interaction_at).toBe(list.body.items[1].created_at);
    await call('POST', `/api/leads/${l.id}/tags`, { name: 'Rhino' });
    const sys = (await call('GET', `/api/leads/${l.id}/activities?type=tag_added`)).body.items[0];
    expect((await call('DELETE', `/api/leads/${l.id}/activities/${sys.id}`)).status).toBe(409);
  });
});

describe('journey events', () => {
  it('records the path of a lead and finds it by session', async () => {
    const l = await lead();
    const r = await call('POST', `/api/leads/${l.id}/journey-events`, { event_type: 'website_visit', data: { page: '/botox', utm_source: 'ig' }, source: 'website', session_id: 'sess-42' });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({ lead_id: l.id, event_type: 'website_visit', session_id: 'sess-42', data: { page: '/botox' } });
    await call('POST', `/api/leads/${l.id}/journey-events`, { event_type: 'consultation_scheduled', session_id: 'sess-42' });
    expect((await call('POST', `/api/leads/${l.id}/journey-events`, { event_type: 'Website Visit' })).status).toBe(422);
    expect((await call('POST', `/api/leads/${l.id}/journey-events`, { event_type: 'visit', data: { medications: 'none' } })).body.code).toBe('phi_not_allowed');
    expect((await call('POST', `/api/leads/${l.id}/journey-events`, { event_type: 'visit', data: { blob: 'x'.repeat(9000) } })).status).toBe(422);
    const bySession = await call('GET', '/api/journey-events?session_id=sess-42');
    expect(bySession.body.items.map((e: { event_type: string }) => e.event_type)).toEqual(['consultation_scheduled', 'website_visit']);
    expect((await call('GET', `/api/leads/${l.id}/journey-events`)).body.items).toHaveLength(2);
    expect((await call('GET', `/api/leads/${l.id}`)).body.counts.journey_events).toBe(2);
  });
});

describe('roles, linking and conversion', () => {
  it('a marketer works leads, tags, the pipeline, activities and opportunities', async () => {
    const l = await lead({ first_name: 'Mia' }, marketer);
    const stages = (await call('GET', '/api/pipeline-stages', undefined, marketer)).body.items;
    expect((await call('POST', `/api/leads/${l.id}/tags`, { name: 'Botox' }, marketer)).status).toBeLessThan(300);
    expect((await call('POST', `/api/leads/${l.id}/move`, { stage_id: stages[1].id }, marketer)).body.status).toBe('contacted');
    expect((await call('POST', `/api/leads/${l.id}/activities`, { type: 'email_sent', payload: { subject: 'Hello' } }, marketer)).status).toBe(201);
    expect((await call('PUT', `/api/leads/${l.id}/opportunity`, { expected_value_minor: 1_200_000, procedure_code: 'BTX' }, marketer)).status).toBe(201);
    expect((await call('PATCH', `/api/leads/${l.id}`, { city: 'Taichung' }, marketer)).body.city).toBe('Taichung');
    expect((await call('GET', '/api/leads/board', undefined, marketer)).status).toBe(200);
    expect((await call('POST', '/api/pipeline-stages', { name: 'Nurture', color: '#123456' }, marketer)).status).toBe(201);
    expect((await call('GET', `/api/leads/${l.id}`, undefined, marketer)).body).toMatchObject({ first_name: 'Mia', city: 'Taichung', tags: [{ name: 'Botox' }] });
  });

  it('links a user of the organization', async () => {
    const l = await lead();
    const bad = await call('POST', `/api/leads/${l.id}/link`, { user_id: newId() });
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe('reference_not_found');
    expect((await call('POST', `/api/leads/${l.id}/link`, { user_id: owner.userId })).body.user_id).toBe(owner.userId);
    expect((await call('POST', `/api/leads/${l.id}/link`, { user_id: null })).body.user_id).toBeNull();
  });

  it('converting names a patient: needs patient.read (marketer 403), checks the id, moves to Won with history', async () => {
    const patientId = await addPatient(t, owner.orgId, 'Canary Patientname');
    const l = await lead({ first_name: 'Cora' });
    const denied = await call('POST', `/api/leads/${l.id}/convert`, { patient_id: patientId }, marketer);
    expect(denied.status).toBe(403);
    expect(denied.body.detail).toContain('patient.read');
    expect((await call('GET', `/api/leads/${l.id}`)).body.patient_id).toBeNull();
    expect((await call('POST', `/api/leads/${l.id}/convert`, { patient_id: newId() })).body.code).toBe('reference_not_found');
    const other = await t.owner({ orgName: 'Patient Elsewhere' });
    const foreignPatient = await addPatient(t, other.orgId, 'Someone Else');
    expect((await call('POST', `/api/leads/${l.id}/convert`, { patient_id: foreignPatient })).status).toBe(422);

    const c = await call('POST', `/api/leads/${l.id}/convert`, { patient_id: patientId });
    expect(c.status, JSON.stringify(c.body)).toBe(200);
    expect(c.body).toMatchObject({ patient_id: patientId, stage_kind: 'won', status: 'converted', won_at: expect.any(String) });
    expect(JSON.stringify(c.body)).not.toContain('Patientname');
    const h = (await call('GET', `/api/leads/${l.id}/stage-history`)).body.items;
    expect(h.map((x: { stage_name: string }) => x.stage_name)).toEqual(['New', 'Won']);
    const acts = (await call('GET', `/api/leads/${l.id}/activities?type=stage_change`)).body.items;
    expect(acts).toHaveLength(1);
    // Again with the same patient: no change; another patient: refused.
    expect((await call('POST', `/api/leads/${l.id}/convert`, { patient_id: patientId })).status).toBe(200);
    expect((await call('GET', `/api/leads/${l.id}/stage-history`)).body.items).toHaveLength(2);
    const second = await addPatient(t, owner.orgId, 'Second Person');
    expect((await call('POST', `/api/leads/${l.id}/convert`, { patient_id: second })).status).toBe(409);
    // Several leads may become the same patient.
    const l2 = await lead();
    expect((await call('POST', `/api/leads/${l2.id}/convert`, { patient_id: patientId })).status).toBe(200);
  });
});
