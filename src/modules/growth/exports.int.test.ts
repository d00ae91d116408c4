import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testVisage, uniqueEmail, type TestVisage } from '../../../test/helpers.js';
import { staff } from '../clinical/clinic.fixtures.js';
import { csvCell, FUNNEL_COLUMNS, LEAD_COLUMNS } from './exports.routes.js';

let t: TestVisage;
beforeAll(async () => { t = await testVisage({ config: { rateLimitPerMinute: 10_000_000 } }); });
afterAll(async () => { await t?.close(); });

/** An RFC 4180 reader (CRLF records, quoted fields, doubled quotes), strict enough to catch a malformed export. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  while (i < text.length) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quoted field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') { field += '"'; i += 2; continue; }
          i++;
          break;
        }
        field += text[i++];
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
        if (text[i] === '"') throw new Error(`bare quote in an unquoted field at ${i}`);
        field += text[i++];
      }
    }
    row.push(field);
    if (text[i] === ',') { i++; continue; }
    if (text.startsWith('\r\n', i)) { rows.push(row); row = []; i += 2; continue; }
    if (i >= text.length) { rows.push(row); break; }
    throw new Error(`a record must end with CRLF (at ${i}: ${JSON.stringify(text.slice(i, i + 10))})`);
  }
  return rows;
}

type Who = { token: string; orgId: string };
const get = (who: Who, url: string) => t.call('GET', url, { token: who.token, org: who.orgId });
const post = (who: Who, url: string, body: unknown) => t.call('POST', url, { token: who.token, org: who.orgId, body });
const records = (body: string) => {
  const rows = parseCsv(body);
  const [header, ...data] = rows;
  return { header: header!, data, byId: new Map(data.map((r) => [r[0]!, Object.fromEntries(header!.map((h, k) => [h, r[k]!]))])) };
};

describe('csv cells', () => {
  it('quotes by RFC 4180 and neutralises formulas', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    for (const s of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx']) expect(csvCell(s).replace(/^"/, '')).toMatch(/^'/);
    expect(csvCell('=HYPERLINK("http://evil","x")')).toBe('"\'=HYPERLINK(""http://evil"",""x"")"');
    expect(csvCell(-5)).toBe('-5'); // numbers are numbers
    expect(csvCell(null)).toBe('');
    expect(csvCell(new Date('2026-01-02T03:04:05.006Z'))).toBe('2026-01-02T03:04:05.006Z');
  });
});

describe('GET /api/growth/exports/leads.csv', () => {
  it('streams every live lead of the organization once, with the header, quoting and formula neutralisation, and audits the export', async () => {
    const owner = await t.owner();
    const other = await t.owner();
    const campaign = (await post(owner, '/api/campaigns', { name: '=cmd|calc', platform: 'facebook' })).body;
    const plain = (await post(owner, '/api/campaigns', { name: 'Plain, "quoted"', platform: 'google' })).body;
    const evil = (await post(owner, '/api/leads', {
      first_name: '=HYPERLINK("http://x","y")', email: uniqueEmail('evil'), phone: '+886912345678', source: 'facebook', campaign_id: campaign.id,
      city: '@SUM(A1)', country: 'TW', age_group: '25-34', deal_value_minor: 120_000,
    })).body;
    const quoted = (await post(owner, '/api/leads', { first_name: 'Ann, "Jo"', email: uniqueEmail('ann'), source: 'google', campaign_id: plain.id, city: '-1+1' })).body;
    const gone = (await post(owner, '/api/leads', { first_name: 'Gone', email: uniqueEmail('gone'), source: 'google' })).body;
    expect((await t.call('DELETE', `/api/leads/${gone.id}`, { token: owner.token, org: owner.orgId })).status).toBe(204);
    const elsewhere = (await post(other, '/api/leads', { first_name: 'Elsewhere', email: uniqueEmail('else'), source: 'google' })).body;

    const res = await get(owner, '/api/growth/exports/leads.csv');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8; header=present');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="leads-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(res.headers['cache-control']).toBe('private, no-store');
    const { header, data, byId } = records(res.body);
    expect(header).toEqual([...LEAD_COLUMNS]);
    expect(data.every((r) => r.length === LEAD_COLUMNS.length)).toBe(true);
    expect([...byId.keys()].sort()).toEqual([evil.id, quoted.id].sort());
    expect(res.body).not.toContain(elsewhere.id);
    expect(res.body).not.toContain(gone.id);

    const e = byId.get(evil.id)!;
    expect(e.first_name).toBe('\'=HYPERLINK("http://x","y")');
    expect(e.campaign).toBe('\'=cmd|calc');
    expect(e.city).toBe('\'@SUM(A1)');
    expect(e.phone).toBe('\'+886912345678');
    expect(e).toMatchObject({ source: 'facebook', ad_platform: 'facebook', stage: 'New', status: 'new', country: 'TW', age_group: '25-34', deal_value_minor: '120000', won_at: '' });
    expect(new Date(e.created_at!).toISOString()).toBe(e.created_at);
    const q = byId.get(quoted.id)!;
    expect(q.first_name).toBe('Ann, "Jo"');
    expect(q.campaign).toBe('Plain, "quoted"');
    expect(q.city).toBe('\'-1+1');
    expect(q.deal_value_minor).toBe('');

    const audit = await get(owner, '/api/audit?action=export&entity_type=lead');
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0].details).toMatchObject({ format: 'csv', rows: 2 });
  });

  it('reads in keyset batches: thousands of leads with one creation instant come out once each, in order', async () => {
    const owner = await t.owner();
    await get(owner, '/api/pipeline-stages'); // the default stages
    const n = 4_321; // more than two batches
    await t.db.run({ scope: 'tenant', orgId: owner.orgId, userId: owner.userId }, (tx) => tx.query(
      `INSERT INTO leads (id, org_id, first_name, email, source, stage_id, rank, currency, created_at)
       SELECT gen_random_uuid(), visage_current_org(), 'Bulk ' || i, 'bulk' || i || '@bulk.test', 'website',
              (SELECT id FROM pipeline_stages WHERE org_id = visage_current_org() ORDER BY position LIMIT 1), lpad(i::text, 6, '0'), 'TWD',
              timestamptz '2026-01-15 10:00:00.123456+00' + ((i % 3) * interval '1 microsecond')
         FROM generate_series(1, $1::int) AS i`, [n]));
    const res = await get(owner, '/api/growth/exports/leads.csv');
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBeUndefined(); // streamed, not buffered
    const { data } = records(res.body);
    expect(data).toHaveLength(n);
    expect(new Set(data.map((r) => r[0])).size).toBe(n);
    const expected = await t.db.run({ scope: 'tenant', orgId: owner.orgId }, (tx) =>
      tx.query<{ id: string }>('SELECT id FROM leads WHERE org_id = visage_current_org() ORDER BY created_at, id'));
    expect(data.map((r) => r[0])).toEqual(expected.map((r) => r.id));
    const audit = await get(owner, '/api/audit?action=export&entity_type=lead');
    expect(audit.body.items.map((a: { details: { rows: number } }) => a.details.rows)).toEqual([n]);
  });

  it('filters by creation date (the organization\'s calendar), campaign and stage', async () => {
    const owner = await t.owner();
    await t.db.run({ scope: 'tenant', orgId: owner.orgId }, (tx) => tx.query(`UPDATE organizations SET timezone = 'Asia/Taipei' WHERE id = visage_current_org()`));
    const campaign = (await post(owner, '/api/campaigns', { name: 'Filler', platform: 'instagram' })).body;
    const a = (await post(owner, '/api/leads', { first_name: 'A', email: uniqueEmail('a'), source: 'instagram', campaign_id: campaign.id })).body;
    const b = (await post(owner, '/api/leads', { first_name: 'B', email: uniqueEmail('b'), source: 'google' })).body;
    const stages = (await get(owner, '/api/pipeline-stages')).body.items as { id: string; kind: string }[];
    const contacted = stages.find((s) => s.kind === 'contacted')!.id;
    expect((await post(owner, `/api/leads/${b.id}/move`, { stage_id: contacted })).status).toBe(200);
    // a was created on 2 March 2026 at 23:30 in Taipei (15:30 UTC): the 2nd, not the 3rd, of the clinic's calendar.
    await t.db.run({ scope: 'tenant', orgId: owner.orgId }, (tx) => tx.query(`UPDATE leads SET created_at = '2026-03-02 15:30:00+00' WHERE id = $1`, [a.id]));
    const ids = async (query: string) => records((await get(owner, `/api/growth/exports/leads.csv${query}`)).body).data.map((r) => r[0]);
    expect(await ids(`?campaign_id=${campaign.id}`)).toEqual([a.id]);
    expect(await ids(`?stage_id=${contacted}`)).toEqual([b.id]);
    expect(await ids('?from=2026-03-02&to=2026-03-02')).toEqual([a.id]);
    expect(await ids('?from=2026-03-03&to=2026-03-03')).toEqual([]);
    expect(await ids('?to=2026-03-02T15:29:59Z')).toEqual([]);
    expect(await ids('?from=2026-03-02T15:30:00Z&to=2026-03-02T15:30:00Z')).toEqual([a.id]);
    expect((await ids('')).sort()).toEqual([a.id, b.id].sort());
    // The list's other filters narrow the export the same way: search, source, tag, status, score.
    const byEmail = `?q=${encodeURIComponent(b.email)}`;
    expect(await ids(byEmail)).toEqual([b.id]);
    expect(await ids('?source=instagram')).toEqual([a.id]);
    expect(await ids('?status=contacted')).toEqual([b.id]);
    expect((await post(owner, `/api/leads/${a.id}/tags`, { name: 'VIP' })).status).toBeLessThan(300);
    expect(await ids('?tag=vip')).toEqual([a.id]);
    for (const query of [byEmail, '?source=instagram', `?campaign_id=${campaign.id}&tag=vip`]) {
      const list = (await get(owner, `/api/leads${query}`)).body.items.map((l: { id: string }) => l.id).sort();
      expect((await ids(query)).sort(), query).toEqual(list);
    }
    // The audit names which filters, never the search text.
    const audit = (await get(owner, '/api/audit?action=export&entity_type=lead&limit=1')).body.items[0];
    expect(audit.details.filters).toEqual(['campaign_id', 'tag']);
    expect(JSON.stringify((await get(owner, '/api/audit?action=export&entity_type=lead&limit=50')).body.items)).not.toContain(b.email);
  });

  it('answers problem+json before the first byte: no session, a bad query, a role without lead.read', async () => {
    const owner = await t.owner();
    const anonymous = await t.call('GET', '/api/growth/exports/leads.csv');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['content-type']).toMatch(/^application\/problem\+json/);
    for (const query of ['?from=2026-13-01', '?campaign_id=nope', '?to=yesterday']) {
      const bad = await get(owner, `/api/growth/exports/leads.csv${query}`);
      expect(bad.status, query).toBe(400);
      expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    const practitioner = await staff(t, owner.orgId, owner.userId, 'practitioner');
    const refused = await t.call('GET', '/api/growth/exports/leads.csv', { token: practitioner, org: owner.orgId });
    expect(refused.status).toBe(403);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.headers['content-disposition']).toBeUndefined();
    const funnel = await t.call('GET', '/api/growth/exports/funnel.csv', { token: practitioner, org: owner.orgId });
    expect(funnel.status).toBe(403);
    const audit = await get(owner, '/api/audit?action=export');
    expect(audit.body.items).toEqual([]);
  });
});

describe('GET /api/growth/exports/funnel.csv', () => {
  it('has the rows of the funnel and a total line, for every grouping', async () => {
    const owner = await t.owner();
    const campaign = (await post(owner, '/api/campaigns', { name: 'Lips, "summer"', platform: 'instagram', monthly_spend_minor: 900_000, status: 'active' })).body;
    for (const name of ['Kim', 'Lee', 'Park']) {
      expect((await post(owner, '/api/leads', { first_name: name, email: uniqueEmail(name), source: 'instagram', campaign_id: campaign.id })).status).toBe(201);
    }
    expect((await post(owner, '/api/leads', { first_name: 'Walk', email: uniqueEmail('walk'), source: 'walk_in' })).status).toBe(201);
    for (const g of ['campaign', 'source', 'platform', 'month', 'week', 'day']) {
      const json = await get(owner, `/api/growth/funnel?group_by=${g}`);
      expect(json.status).toBe(200);
      const csv = await get(owner, `/api/growth/exports/funnel.csv?group_by=${g}`);
      expect(csv.status).toBe(200);
      expect(csv.headers['content-disposition']).toBe(`attachment; filename="funnel-${g}-${json.body.period.from}-${json.body.period.to}.csv"`);
      const { header, data } = records(csv.body);
      expect(header).toEqual([...FUNNEL_COLUMNS]);
      const cell = (v: number | null) => (v === null ? '' : String(v));
      const line = (key: string, label: string, l: Record<string, number | null>) => [key, label, ...FUNNEL_COLUMNS.slice(2).map((c) => cell(l[c]!))];
      expect(data).toEqual([
        ...json.body.rows.map((r: Record<string, number | null> & { key: string; label: string }) => line(r.key, r.label, r)),
        line('total', `Total (${json.body.currency})`, json.body.totals),
      ]);
      expect(Number(data[data.length - 1]![2])).toBe(4);
    }
    const byCampaign = records((await get(owner, '/api/growth/exports/funnel.csv?group_by=campaign')).body).data;
    expect(byCampaign.find((r) => r[0] === campaign.id)?.[1]).toBe('Lips, "summer"');

    const audit = await get(owner, '/api/audit?action=export&entity_type=growth_funnel');
    expect(audit.body.items).toHaveLength(7);
    for (const query of ['?from=2026-02-01&to=2026-01-01', '?group_by=day&from=2020-01-01&to=2026-01-01', '?group_by=year', '?from=2026-02-30']) {
      const bad = await get(owner, `/api/growth/exports/funnel.csv${query}`);
      expect(bad.status, query).toBe(400);
      expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
  });
});
