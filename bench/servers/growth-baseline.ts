// Raw baseline for the growth benchmark: fastify + pg (or PGlite) doing by hand the database work of
// the funnel dashboard and a GoHighLevel webhook upsert, in one transaction that sets the role and
// org, plus the audit row. No auth, no schemas, no framework on top.
//   GET  /funnel?group_by=campaign|source|month&from&to  the aggregate from the growth_funnel_daily rollup
//        (with the campaign and recorded-spend reads the funnel needs), as src/modules/growth/funnel.service.ts
//   GET  /funnel-naive?...                               the same counts straight from a million leads, for context
//   POST /webhook                                        HMAC check, delivery row, lead upsert by external id
import Fastify from 'fastify';
import { openTenant, type Q } from './tenant.js';
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

const port = Number(process.env.PORT);
const secret = process.env.BENCH_GHL_SECRET ?? '';

const AUDIT = `INSERT INTO audit_events (id, org_id, actor_user_id, actor_type, action, entity_type, entity_id, outcome, request_id, ip, details)
  VALUES ($1, $2, $3, $4, $5, $6, $7, 'success', $8, $9, '{}')`;
const NIL = '00000000-0000-0000-0000-000000000000';
const ROLLUP_KEY: Record<string, string> = { campaign: 'f.campaign_key::text', source: 'f.source', month: `to_char(f.day, 'YYYY-MM')` };
const LEAD_KEY: Record<string, string> = {
  campaign: `COALESCE(l.campaign_id::text, '${NIL}')`, source: 'l.source', month: `to_char(l.created_at AT TIME ZONE $3, 'YYYY-MM')`,
};

async function funnel(q: Q, groupBy: string, from: string, to: string) {
  const rows = await q(`SELECT ${ROLLUP_KEY[groupBy]} AS key, sum(f.leads)::int AS leads, sum(f.contacted)::int AS contacted, sum(f.booked)::int AS booked,
      sum(f.showed)::int AS showed, sum(f.won)::int AS won, sum(f.revenue_minor) AS revenue_minor
    FROM growth_funnel_daily f LEFT JOIN campaigns c ON c.org_id = f.org_id AND c.id = f.campaign_key
    WHERE f.org_id = visage_current_org() AND f.day >= $1::date AND f.day <= $2::date GROUP BY 1`, [from, to]);
  const campaigns = await q(`SELECT id, name, platform, status, monthly_spend_minor, start_date::text, end_date::text FROM campaigns
    WHERE org_id = visage_current_org() AND deleted_at IS NULL`);
  const spend = await q(`SELECT campaign_id, month::text, amount_minor FROM campaign_spend
    WHERE org_id = visage_current_org() AND month >= date_trunc('month', $1::date)::date AND month <= $2::date`, [from, to]);
  if (groupBy === 'source') {
    await q(`SELECT f.campaign_key::text AS campaign_key, f.source, sum(f.leads)::int AS leads
      FROM growth_funnel_daily f WHERE f.org_id = visage_current_org() AND f.day >= $1::date AND f.day <= $2::date GROUP BY 1, 2`, [from, to]);
  }
  return { rows, campaigns: campaigns.length, spend_rows: spend.length };
}

async function naive(q: Q, groupBy: string, from: string, to: string) {
  const [org] = await q('SELECT timezone FROM organizations WHERE id = visage_current_org()');
  const rows = await q(`SELECT ${LEAD_KEY[groupBy]} AS key, count(*)::int AS leads,
      count(*) FILTER (WHERE l.won_at IS NOT NULL OR l.consult_showed_at IS NOT NULL OR l.consult_booked_at IS NOT NULL OR l.first_contacted_at IS NOT NULL)::int AS contacted,
      count(*) FILTER (WHERE l.won_at IS NOT NULL OR l.consult_showed_at IS NOT NULL OR l.consult_booked_at IS NOT NULL)::int AS booked,
      count(*) FILTER (WHERE l.won_at IS NOT NULL OR l.consult_showed_at IS NOT NULL)::int AS showed,
      count(*) FILTER (WHERE l.won_at IS NOT NULL)::int AS won, sum(l.revenue_minor) AS revenue_minor
    FROM leads l WHERE l.org_id = visage_current_org() AND l.deleted_at IS NULL
      AND l.created_at >= ($1::date::timestamp AT TIME ZONE $3) AND l.created_at < (($2::date + 1)::timestamp AT TIME ZONE $3) GROUP BY 1`, [from, to, org!.timezone]);
  return { rows };
}

function verify(raw: Buffer, header: string | undefined): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!m) return false;
  const expected = createHmac('sha256', secret).update(`${m[1]}.`).update(raw).digest();
  return Math.abs(Date.now() / 1000 - Number(m[1])) <= 300 && timingSafeEqual(Buffer.from(m[2]!, 'hex'), expected);
}

/** A contact upsert by GoHighLevel id: the delivery once, the lead created (at the end of New, with its history row) or updated. */
async function upsert(q: Q, orgId: string, raw: Buffer, body: any) {
  const [delivery] = await q(`INSERT INTO crm_deliveries (id, org_id, provider, delivery_id, payload_sha256) VALUES ($1, visage_current_org(), 'gohighlevel', $2, $3)
    ON CONFLICT (org_id, provider, delivery_id) DO NOTHING RETURNING id`, [randomUUID(), body.delivery_id, createHash('sha256').update(raw).digest('hex')]);
  if (!delivery) return { duplicate: true };
  const [stage] = await q(`SELECT id FROM pipeline_stages WHERE org_id = visage_current_org() AND kind = 'new' ORDER BY position LIMIT 1`);
  const c = body.contact;
  const [lead] = await q(`INSERT INTO leads (id, org_id, external_id, first_name, email, phone, source, stage_id, rank, status, currency)
      VALUES ($1, visage_current_org(), $2, $3, $4, $5, COALESCE($6, 'gohighlevel'), $7, $8, 'new', 'TWD')
    ON CONFLICT (org_id, external_id) WHERE external_id IS NOT NULL DO UPDATE SET first_name = COALESCE(EXCLUDED.first_name, leads.first_name),
      email = COALESCE(EXCLUDED.email, leads.email), phone = COALESCE(EXCLUDED.phone, leads.phone), updated_at = now()
    RETURNING id, (xmax = 0) AS created`, [randomUUID(), c.id, c.first_name ?? null, c.email ?? null, c.phone ?? null, c.source ?? null, stage!.id, `z${Date.now().toString(36)}${randomUUID().slice(0, 8)}`]);
  if (lead!.created) {
    await q(`INSERT INTO lead_stage_history (id, org_id, lead_id, stage_id, changed_at) VALUES ($1, visage_current_org(), $2, $3, now())`, [randomUUID(), lead!.id, stage!.id]);
  }
  await q(`UPDATE crm_deliveries SET lead_id = $2, outcome = $3 WHERE org_id = visage_current_org() AND id = $1`,
    [delivery.id, lead!.id, JSON.stringify({ action: lead!.created ? 'created' : 'updated', lead_id: lead!.id })]);
  await q(AUDIT, [randomUUID(), orgId, null, 'system', lead!.created ? 'create' : 'update', 'lead', lead!.id, null, null]);
  return { duplicate: false, lead_id: lead!.id };
}

const app = Fastify({ logger: false });
const UUID = /^[0-9a-f-]{36}$/;
const tenant = await openTenant();

type Req = { headers: Record<string, string | string[] | undefined>; query: unknown; id: string; ip: string };
const who = (req: Req) => {
  const orgId = String(req.headers['x-org-id']);
  const userId = String(req.headers['x-user-id']);
  if (!UUID.test(orgId) || !UUID.test(userId)) throw new Error('x-org-id and x-user-id');
  return { orgId, userId };
};
const read = (fn: (q: Q, groupBy: string, from: string, to: string) => Promise<unknown>) => async (req: Req) => {
  const { orgId, userId } = who(req);
  const { group_by: groupBy = 'campaign', from, to } = req.query as Record<string, string | undefined>;
  if (!ROLLUP_KEY[groupBy] || !/^\d{4}-\d{2}-\d{2}$/.test(from ?? '') || !/^\d{4}-\d{2}-\d{2}$/.test(to ?? '')) throw new Error('group_by, from, to');
  return tenant(orgId, userId, async (q) => {
    const out = await fn(q, groupBy, from!, to!);
    await q(AUDIT, [randomUUID(), orgId, userId, 'user', 'list', 'growth_funnel', null, req.id, req.ip]);
    return out;
  });
};
app.get('/funnel', read(funnel));
app.get('/funnel-naive', read(naive));
app.register(async (scope) => {
  scope.removeContentTypeParser('application/json');
  scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  scope.post<{ Body: Buffer }>('/webhook', async (req, reply) => {
    const orgId = String(req.headers['x-org-id']);
    if (!UUID.test(orgId)) throw new Error('x-org-id');
    const sig = req.headers['x-visage-signature'];
    if (!verify(req.body, typeof sig === 'string' ? sig : undefined)) return reply.code(401).send({ code: 'invalid_signature' });
    const body = JSON.parse(req.body.toString('utf8'));
    return tenant(orgId, null, (q) => upsert(q, orgId, req.body, body));
  });
});
await app.listen({ port, host: '127.0.0.1' });
process.send?.('ready');
