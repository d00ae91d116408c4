import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testVisage, uniqueEmail, type TestVisage } from '../../../test/helpers.js';
import { staff } from '../clinical/clinic.fixtures.js';
import { newId } from '../../platform/crypto.js';

let t: TestVisage;
let owner: { token: string; userId: string; orgId: string; email: string };
let slug: string;

const q = <R = Record<string, unknown>>(orgId: string, text: string, params: unknown[] = []) =>
  t.db.run({ scope: 'system', orgId }, (tx) => tx.query<R>(text, params));

/** Everything intake may write in an organization, counted. */
async function counts(orgId: string) {
  const [c] = await q<{ leads: number; activities: number; journey: number; kpi: number; lead_tags: number; tags: number }>(orgId, `SELECT
    (SELECT count(*)::int FROM leads WHERE org_id = visage_current_org()) AS leads,
    (SELECT count(*)::int FROM activities WHERE org_id = visage_current_org()) AS activities,
    (SELECT count(*)::int FROM journey_events WHERE org_id = visage_current_org()) AS journey,
    (SELECT count(*)::int FROM kpi_events WHERE org_id = visage_current_org()) AS kpi,
    (SELECT count(*)::int FROM lead_tags WHERE org_id = visage_current_org()) AS lead_tags,
    (SELECT count(*)::int FROM tags WHERE org_id = visage_current_org()) AS tags`);
  return c!;
}

async function slugOf(orgId: string): Promise<string> {
  const [o] = await q<{ slug: string }>(orgId, 'SELECT slug FROM organizations WHERE id = visage_current_org()');
  return o!.slug;
}

/** A form shown 10 s ago (a person's pace). */
const form = (extra: Record<string, unknown> = {}) => ({
  first_name: 'Mia', email: uniqueEmail('mia'), contact_consent: true, form_started_at: t.clock.now.getTime() - 10_000, ...extra,
});
const submit = (body: unknown, s = slug) => t.call('POST', `/api/public/orgs/${s}/leads`, { body });

beforeAll(async () => {
  t = await testVisage({ config: { rateLimitPerMinute: 1_000_000, leadFormPerIpPerMinute: 1_000_000, leadFormPerOrgPerMinute: 1_000_000 } });
  owner = await t.owner({ orgName: 'Glow Aesthetics' });
  slug = await slugOf(owner.orgId);
  await q(owner.orgId, `INSERT INTO campaigns (id, org_id, name, platform, status, currency) VALUES ($1, visage_current_org(), 'Spring Botox', 'instagram', 'active', 'USD')`, [newId()]);
});
afterAll(async () => { await t?.close(); });

describe('public web form', () => {
  it('creates a lead with consent, attribution, interest tags, a form_submit activity and a journey event, and answers without ids', async () => {
    const email = uniqueEmail('form');
    const r = await submit(form({
      email, phone: '+886912345678', interest: ['BTX', 'FILLER'], preferred_contact: 'whatsapp', form_id: 'spring-landing',
      utm_source: 'Instagram', utm_medium: 'paid_social', utm_campaign: 'spring botox', page_url: 'https://glow.example/botox?email=x@y.z#top', session_id: 'sess-1',
    }));
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    expect(r.body).toEqual({ status: 'received' });
    const [lead] = await q<any>(owner.orgId, `SELECT l.*, s.kind AS stage_kind, c.name AS campaign_name FROM leads l
      JOIN pipeline_stages s ON s.id = l.stage_id LEFT JOIN campaigns c ON c.id = l.campaign_id WHERE l.email = $1`, [email]);
    expect(lead).toMatchObject({
      first_name: 'Mia', phone: '+886912345678', source: 'instagram', campaign_name: 'Spring Botox', ad_platform: 'instagram', stage_kind: 'new',
      status: 'new', contact_consent_source: 'web_form:spring-landing', currency: 'USD',
    });
    expect(new Date(lead.contact_consent_at).getTime()).toBeGreaterThan(t.clock.now.getTime() - 60_000);
    expect(lead.last_interaction_at).not.toBeNull();
    const tags = await q<{ name: string }>(owner.orgId, 'SELECT t.name FROM lead_tags lt JOIN tags t ON t.id = lt.tag_id WHERE lt.lead_id = $1 ORDER BY t.name', [lead.id]);
    expect(tags.map((x) => x.name)).toEqual(['Botox', 'Filler']);
    const acts = await q<{ type: string; payload: any }>(owner.orgId, 'SELECT type, payload FROM activities WHERE lead_id = $1 ORDER BY type', [lead.id]);
    expect(acts.map((a) => a.type)).toEqual(['form_submit', 'tag_added', 'tag_added']);
    expect(acts[0]!.payload).toEqual({ form: 'spring-landing', page_url: 'https://glow.example/botox', fields: { interest: 'BTX,FILLER', preferred_contact: 'whatsapp' } });
    const [j] = await q<any>(owner.orgId, 'SELECT * FROM journey_events WHERE lead_id = $1', [lead.id]);
    expect(j).toMatchObject({ event_type: 'form_submitted', session_id: 'sess-1', source: 'instagram' });
    expect(j.data).toMatchObject({ utm_campaign: 'spring botox', utm_medium: 'paid_social', page: 'https://glow.example/botox', new_lead: true });
    expect(JSON.stringify(j.data)).not.toContain('x@y.z'); // the query string is not kept
    const [h] = await q<{ n: number }>(owner.orgId, 'SELECT count(*)::int AS n FROM lead_stage_history WHERE lead_id = $1', [lead.id]);
    expect(h!.n).toBe(1);
  });

  it('updates the live lead with the same email or phone instead of creating another', async () => {
    const email = uniqueEmail('again');
    expect((await submit(form({ email, utm_source: 'google' }))).status).toBe(202);
    const before = await counts(owner.orgId);
    expect((await submit(form({ email: email.toUpperCase(), phone: '+14155552671', first_name: 'Other', utm_source: 'facebook' }))).status).toBe(202);
    expect((await submit(form({ email: undefined, phone: '+1 415 555 2671' }))).status).toBe(202);
    const leads = await q<any>(owner.orgId, 'SELECT * FROM leads WHERE lower(email) = lower($1)', [email]);
    expect(leads).toHaveLength(1);
    // Contact details are filled in, the first touch keeps its name and attribution.
    expect(leads[0]).toMatchObject({ phone: '+14155552671', first_name: 'Mia', source: 'google' });
    const after = await counts(owner.orgId);
    expect(after.leads).toBe(before.leads);
    expect(after.activities - before.activities).toBe(2);
    expect(after.journey - before.journey).toBe(2);
    const types = await q<{ type: string }>(owner.orgId, 'SELECT type FROM activities WHERE lead_id = $1', [leads[0].id]);
    expect(types.map((x) => x.type)).toEqual(['form_submit', 'form_submit', 'form_submit']);
  });

  it('requires consent to be contacted, a way to contact, and valid details; refuses free text and PHI; stores nothing', async () => {
    const before = await counts(owner.orgId);
    const cases: [unknown, number, string][] = [
      [form({ contact_consent: undefined }), 422, 'validation_failed'],
      [form({ contact_consent: false }), 422, 'validation_failed'],
      [form({ email: undefined }), 422, 'validation_failed'],
      [form({ email: 'not-an-email' }), 422, 'validation_failed'],
      [form({ phone: '12345' }), 422, 'validation_failed'],
      [form({ message: 'I had a reaction to my last filler' }), 422, 'validation_failed'],
      [form({ interest: ['SOMETHING'] }), 422, 'validation_failed'],
      [form({ form_started_at: undefined }), 422, 'validation_failed'],
      [form({ last_name: 'Chen' }), 422, 'phi_not_allowed'],
      [form({ medical_history: 'diabetes' }), 422, 'phi_not_allowed'],
      [form({ utm_content: 'x', extra: { allergies: 'latex' } }), 422, 'phi_not_allowed'],
    ];
    for (const [body, status, code] of cases) {
      const r = await submit(body);
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect(r.headers['content-type']).toMatch(/problem\+json/);
      expect(r.body.code).toBe(code);
    }
    expect(await counts(owner.orgId)).toEqual(before);
  });

  it('drops spam silently: a filled honeypot or a form sent within 3 s gets 202 and stores nothing', async () => {
    const before = await counts(owner.orgId);
    const honeypot = await submit(form({ website: 'http://spam.example' }));
    expect(honeypot.status).toBe(202);
    expect(honeypot.body).toEqual({ status: 'received' });
    const fast = await submit(form({ form_started_at: t.clock.now.getTime() - 1_000 }));
    expect(fast.status).toBe(202);
    expect(fast.body).toEqual({ status: 'received' });
    expect(await counts(owner.orgId)).toEqual(before);
    // The same form at a person's pace is stored.
    expect((await submit(form({ website: '' }))).status).toBe(202);
    expect((await counts(owner.orgId)).leads).toBe(before.leads + 1);
  });

  it('can be posted from the clinic\'s own website (CORS preflight and answers, errors included)', async () => {
    const pre = await t.app.inject({ method: 'OPTIONS', url: `/api/public/orgs/${slug}/leads`,
      headers: { origin: 'https://www.glow-aesthetics.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('*');
    expect(String(pre.headers['access-control-allow-methods'])).toContain('POST');
    expect(String(pre.headers['access-control-allow-headers'])).toContain('content-type');
    const ok = await t.call('POST', `/api/public/orgs/${slug}/leads`, { body: form(), headers: { origin: 'https://www.glow-aesthetics.example' } });
    expect(ok.status).toBe(202);
    expect(ok.headers['access-control-allow-origin']).toBe('*');
    const bad = await t.call('POST', `/api/public/orgs/${slug}/leads`, { body: form({ contact_consent: false }), headers: { origin: 'https://www.glow-aesthetics.example' } });
    expect(bad.status).toBe(422);
    expect(bad.headers['access-control-allow-origin']).toBe('*');
    // Signed-in endpoints stay same-origin.
    const me = await t.app.inject({ method: 'GET', url: '/api/me', headers: { origin: 'https://www.glow-aesthetics.example' } });
    expect(me.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('a visitor over the per-address limit gets a 429 the embedding page can read (CORS on it too)', async () => {
    const limited = await testVisage({ config: { leadFormPerIpPerMinute: 2 } });
    try {
      const o = await limited.owner();
      const [org] = await limited.db.run({ scope: 'tenant', orgId: o.orgId }, (tx) => tx.query<{ slug: string }>('SELECT slug FROM organizations WHERE id = visage_current_org()'));
      const answers = [];
      for (let i = 0; i < 4; i++) {
        answers.push(await limited.call('POST', `/api/public/orgs/${org!.slug}/leads`, { body: form(), headers: { origin: 'https://www.glow-aesthetics.example' } }));
      }
      const refused = answers.filter((a) => a.status === 429);
      expect(refused.length).toBeGreaterThan(0);
      for (const a of refused) expect(a.headers['access-control-allow-origin']).toBe('*');
    } finally {
      await limited.close();
    }
  });

  it('answers 404 for an unknown or malformed organization address', async () => {
    const r = await submit(form(), 'no-such-clinic-anywhere');
    expect(r.status).toBe(404);
    expect(r.headers['content-type']).toMatch(/problem\+json/);
    expect((await submit(form(), 'bad_slug!')).status).toBe(400);
  });

  it('keeps organizations apart', async () => {
    const other = await t.owner({ orgName: 'Other Clinic' });
    const email = uniqueEmail('shared');
    expect((await submit(form({ email }))).status).toBe(202);
    expect((await submit(form({ email }), await slugOf(other.orgId))).status).toBe(202);
    expect(await q(owner.orgId, 'SELECT id FROM leads WHERE email = $1', [email])).toHaveLength(1);
    expect(await q(other.orgId, 'SELECT id FROM leads WHERE email = $1', [email])).toHaveLength(1);
    // The other organization got its own default pipeline.
    expect((await q(other.orgId, 'SELECT name FROM pipeline_stages ORDER BY position')).map((s: any) => s.name)).toEqual(['New', 'Contacted', 'Consult Booked', 'Won', 'Lost']);
  });
});

describe('public web form rate limits', () => {
  it('answers 429 problem+json past the per-address limit, and past the per-organization limit across addresses', async () => {
    const limited = await testVisage({ config: { leadFormPerIpPerMinute: 3, leadFormPerOrgPerMinute: 5 } });
    try {
      const o = await limited.owner({ orgName: 'Busy Clinic' });
      const [row] = await limited.db.run({ scope: 'system', orgId: o.orgId }, (tx) => tx.query<{ slug: string }>('SELECT slug FROM organizations WHERE id = visage_current_org()'));
      const post = (ip: string) => limited.app.inject({
        method: 'POST', url: `/api/public/orgs/${row!.slug}/leads`, remoteAddress: ip,
        payload: { first_name: 'Ann', email: uniqueEmail('rl'), contact_consent: true, form_started_at: limited.clock.now.getTime() - 10_000 },
      });
      const first = [];
      for (let i = 0; i < 4; i++) first.push((await post('10.0.0.1')).statusCode);
      expect(first).toEqual([202, 202, 202, 429]);
      const tooMany = await post('10.0.0.1');
      expect(tooMany.headers['content-type']).toMatch(/problem\+json/);
      expect(JSON.parse(tooMany.body).code).toBe('too_many_requests');
      expect(tooMany.headers['retry-after']).toBeDefined();
      // Other addresses still get through until the clinic's own budget (5 a minute) is spent.
      expect((await post('10.0.0.2')).statusCode).toBe(202);
      expect((await post('10.0.0.3')).statusCode).toBe(202);
      const orgLimited = await post('10.0.0.4');
      expect(orgLimited.statusCode).toBe(429);
      expect(JSON.parse(orgLimited.body).code).toBe('too_many_requests');
      const [n] = await limited.db.run({ scope: 'system', orgId: o.orgId }, (tx) => tx.query<{ n: number }>('SELECT count(*)::int AS n FROM leads WHERE org_id = visage_current_org()'));
      expect(n!.n).toBe(5);
    } finally {
      await limited.close();
    }
  });
});

describe('ad clicks', () => {
  const click = (token: string, body: unknown) => t.call('POST', '/api/leads/ad-click', { token, body, org: owner.orgId });

  it('creates a lead from a click and records one ad_click KPI event per click id', async () => {
    const [camp] = await q<{ id: string }>(owner.orgId, `SELECT id FROM campaigns WHERE name = 'Spring Botox'`);
    const marketer = await staff(t, owner.orgId, owner.userId, 'marketer');
    const body = { platform: 'google', click_id: 'Cj0KCQ-gclid_1', campaign_id: camp!.id, first_name: 'Zoe', occurred_at: new Date(t.clock.now.getTime() - 3_600_000).toISOString() };
    const r = await click(marketer, body);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({ lead_created: true, duplicate: false });
    const [lead] = await q<any>(owner.orgId, 'SELECT * FROM leads WHERE id = $1', [r.body.lead_id]);
    expect(lead).toMatchObject({ source: 'google', ad_platform: 'google', campaign_id: camp!.id, first_name: 'Zoe', email: null });
    const [k] = await q<any>(owner.orgId, 'SELECT * FROM kpi_events WHERE id = $1', [r.body.kpi_event_id]);
    expect(k).toMatchObject({ kind: 'ad_click', source_ref: 'click:Cj0KCQ-gclid_1', campaign_id: camp!.id, source: 'google', lead_id: lead.id });
    expect(k.metadata).toEqual({ click_id: 'Cj0KCQ-gclid_1', platform: 'google' });
    expect(new Date(k.occurred_at).toISOString()).toBe(body.occurred_at);
    const journey = await q<any>(owner.orgId, 'SELECT event_type, source FROM journey_events WHERE lead_id = $1', [lead.id]);
    expect(journey).toEqual([{ event_type: 'ad_click', source: 'google' }]);

    const before = await counts(owner.orgId);
    const again = await click(marketer, { ...body, first_name: 'Someone' });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ lead_id: lead.id, kpi_event_id: r.body.kpi_event_id, lead_created: false, duplicate: true });
    expect(await counts(owner.orgId)).toEqual(before);
  });

  it('attaches a click to the live lead with the same email', async () => {
    const email = uniqueEmail('clicker');
    expect((await submit(form({ email }))).status).toBe(202);
    const [lead] = await q<{ id: string }>(owner.orgId, 'SELECT id FROM leads WHERE email = $1', [email]);
    const r = await click(owner.token, { platform: 'facebook', click_id: 'fbclid.IwAR123', email: email.toUpperCase() });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ lead_id: lead!.id, lead_created: false });
    const [k] = await q<any>(owner.orgId, 'SELECT source FROM kpi_events WHERE id = $1', [r.body.kpi_event_id]);
    expect(k.source).toBe('website'); // the lead's source (its first touch)
  });

  it('refuses bad clicks with problem+json and stores nothing', async () => {
    const before = await counts(owner.orgId);
    const cases: [unknown, number][] = [
      [{ platform: 'google', click_id: 'future-1', occurred_at: new Date(t.clock.now.getTime() + 3_600_000).toISOString() }, 422],
      [{ platform: 'google', click_id: 'nocamp-1', campaign_id: newId() }, 422],
      [{ platform: 'myspace', click_id: 'x1' }, 422],
      [{ platform: 'google', click_id: 'has spaces' }, 422],
      [{ platform: 'google' }, 422],
      [{ platform: 'google', click_id: 'ph-1', email: 'bad' }, 422],
      [{ platform: 'google', click_id: 'ph-2', last_name: 'Chen' }, 422],
    ];
    for (const [body, status] of cases) {
      const r = await click(owner.token, body);
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect(r.headers['content-type']).toMatch(/problem\+json/);
    }
    const practitioner = await staff(t, owner.orgId, owner.userId, 'practitioner');
    expect((await click(practitioner, { platform: 'google', click_id: 'nope-1' })).status).toBe(403);
    expect((await t.call('POST', '/api/leads/ad-click', { body: { platform: 'google', click_id: 'anon-1' } })).status).toBe(401);
    expect(await counts(owner.orgId)).toEqual(before);
  });
});

describe('inbound messages', () => {
  const inbound = (body: unknown, token = owner.token) => t.call('POST', '/api/leads/inbound-message', { token, body, org: owner.orgId });

  it('creates a lead for an unknown WhatsApp sender and finds it on the next message', async () => {
    const first = await inbound({ channel: 'whatsapp', from: '+85291234567', first_name: 'Kit', session_id: 'wa-1' });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ lead_created: true, user_id: null });
    const [lead] = await q<any>(owner.orgId, 'SELECT * FROM leads WHERE id = $1', [first.body.lead_id]);
    expect(lead).toMatchObject({ source: 'whatsapp', phone: '+85291234567', first_name: 'Kit' });
    const later = new Date(t.clock.now.getTime() - 1_000).toISOString();
    const second = await inbound({ channel: 'whatsapp', from: '+852 9123 4567', received_at: later });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ lead_id: lead.id, lead_created: false });
    const journey = await q<any>(owner.orgId, 'SELECT event_type, source, session_id, data, created_at FROM journey_events WHERE lead_id = $1 ORDER BY session_id NULLS LAST', [lead.id]);
    expect(journey.map((j: any) => [j.event_type, j.source, j.session_id])).toEqual([['inbound_message', 'whatsapp', 'wa-1'], ['inbound_message', 'whatsapp', null]]);
    expect(new Date(journey[1].created_at).toISOString()).toBe(later); // the message's own time
    const [after] = await q<any>(owner.orgId, 'SELECT last_interaction_at FROM leads WHERE id = $1', [lead.id]);
    expect(new Date(after.last_interaction_at).getTime()).toBeGreaterThanOrEqual(new Date(lead.last_interaction_at).getTime());
  });

  it('links the signed-up user with the sender\'s email, and handles Instagram handles', async () => {
    const r = await inbound({ channel: 'email', from: owner.email.toUpperCase() });
    expect(r.status).toBe(201);
    expect(r.body.user_id).toBe(owner.userId);
    const [lead] = await q<any>(owner.orgId, 'SELECT user_id, source, email FROM leads WHERE id = $1', [r.body.lead_id]);
    expect(lead).toEqual({ user_id: owner.userId, source: 'email', email: owner.email.toLowerCase() });
    const [j] = await q<any>(owner.orgId, 'SELECT user_id FROM journey_events WHERE lead_id = $1', [r.body.lead_id]);
    expect(j.user_id).toBe(owner.userId);

    const ig = await inbound({ channel: 'instagram', from: '@Glow.Fan_1' });
    expect(ig.status).toBe(201);
    const again = await inbound({ channel: 'instagram', from: 'glow.fan_1' });
    expect(again.body).toMatchObject({ lead_id: ig.body.lead_id, lead_created: false });
    const [igLead] = await q<any>(owner.orgId, 'SELECT instagram_handle, source FROM leads WHERE id = $1', [ig.body.lead_id]);
    expect(igLead).toEqual({ instagram_handle: 'glow.fan_1', source: 'instagram' });
  });

  it('refuses message text, PHI, senders it cannot keep and bad numbers, storing nothing', async () => {
    const before = await counts(owner.orgId);
    const cases: [unknown, number, string][] = [
      [{ channel: 'sms', from: '+14155550100', text: 'my botox hurts' }, 422, 'validation_failed'],
      [{ channel: 'sms', from: '+14155550100', last_name: 'Lee' }, 422, 'phi_not_allowed'],
      [{ channel: 'line', from: 'U4af4980629' }, 422, 'unsupported_sender'],
      [{ channel: 'sms', from: 'not a phone' }, 422, 'validation_failed'],
      [{ channel: 'email', from: 'nobody' }, 422, 'validation_failed'],
      [{ channel: 'telegram', from: '+14155550100' }, 422, 'validation_failed'],
      [{ channel: 'sms', from: '+14155550100', received_at: new Date(t.clock.now.getTime() + 86_400_000).toISOString() }, 422, 'validation_failed'],
    ];
    for (const [body, status, code] of cases) {
      const r = await inbound(body);
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect(r.body.code).toBe(code);
    }
    expect(await counts(owner.orgId)).toEqual(before);
  });
});
