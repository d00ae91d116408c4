import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import type { ZApp } from '../../platform/http/app.js';
import type { Deps } from '../../platform/deps.js';
import { idempotent } from '../../platform/http/idempotency.js';
import { AppError, errors } from '../../platform/http/problem.js';
import { origin, type Guard } from '../identity/index.js';
import { CAMPAIGN_PLATFORMS, PROCEDURE_CODES } from './growth.schema.js';
import {
  INBOUND_CHANNELS, PREFERRED_CONTACTS, pagePathOf, recordAdClick, recordInboundMessage, submitWebForm,
} from './intake.service.js';

/** A submission made sooner than this after the form was shown is taken for a bot. */
const MIN_FILL_MS = 3_000;
/** "Never in the future" tolerates this much clock skew between the sender and us. */
const SKEW_MS = 5 * 60_000;

const Email = z.string().trim().toLowerCase().email().max(254);
const Phone = z.string().trim().min(5).max(40);
const FirstName = z.string().trim().min(1).max(100);
const Utm = z.string().trim().max(200).optional();
const SessionId = z.string().trim().min(1).max(200).regex(/^[\w.:-]+$/, 'Letters, digits, _ . : -').optional();
const Instant = z.iso.datetime({ offset: true });

const notFuture = (deps: Deps, at: Date, pointer: string): Date => {
  if (at.getTime() > deps.now().getTime() + SKEW_MS) throw errors.validation('A time stamp cannot be in the future.', [{ pointer, message: 'in the future' }]);
  return at;
};

const WebForm = z.object({
  form_id: z.string().trim().regex(/^[a-z0-9][a-z0-9_-]{0,59}$/, 'Lower-case letters, digits, _ and - (at most 60).').optional()
    .describe('Which form of the site (recorded with the consent: web_form:<form_id>)'),
  first_name: FirstName,
  email: Email.optional(),
  phone: Phone.optional().describe('International form (+886912345678), or national in the clinic\'s country'),
  interest: z.array(z.enum(PROCEDURE_CODES)).max(PROCEDURE_CODES.length).optional().describe('Procedures of interest; each becomes a tag of the lead'),
  preferred_contact: z.enum(PREFERRED_CONTACTS).optional(),
  contact_consent: z.literal(true, { message: 'Consent to be contacted is required (contact_consent: true).' })
    .describe('The visitor agreed to be contacted (marketing consent, not medical consent)'),
  utm_source: Utm, utm_medium: Utm, utm_campaign: Utm.describe('A campaign name or id: the lead is attributed to it'), utm_content: Utm,
  page_url: z.string().trim().max(2000).optional().describe('Stored without its query string or fragment'),
  session_id: SessionId,
  website: z.string().max(500).optional().describe('Honeypot: leave empty (hidden from people); a filled one drops the submission'),
  form_started_at: z.number().int().positive().describe('When the form was shown (ms since the epoch); a form sent within 3 s is dropped'),
}).strict().refine((b) => b.email !== undefined || b.phone !== undefined, { message: 'Give an email address or a phone number.', path: ['email'] });

const Received = z.object({ status: z.literal('received') });

const AdClickBody = z.object({
  campaign_id: z.string().uuid().optional(),
  platform: z.enum(CAMPAIGN_PLATFORMS),
  click_id: z.string().trim().min(1).max(500).regex(/^[A-Za-z0-9._~-]+$/, 'A click id (gclid, fbclid...): letters, digits, . _ ~ -'),
  email: Email.optional(), phone: Phone.optional(), first_name: FirstName.optional(),
  occurred_at: Instant.optional().describe('When the click happened (default now; never in the future)'),
}).strict();
const AdClickDto = z.object({
  lead_id: z.string(), kpi_event_id: z.string(), lead_created: z.boolean(), duplicate: z.boolean().describe('This click id was already recorded: nothing changed'),
});

const InboundBody = z.object({
  channel: z.enum(INBOUND_CHANNELS),
  from: z.string().trim().min(1).max(254).describe('The sender: a phone number, an email address, or an Instagram/Facebook handle'),
  first_name: FirstName.optional(),
  session_id: SessionId,
  received_at: Instant.optional(),
}).strict();
const InboundDto = z.object({ lead_id: z.string(), lead_created: z.boolean(), user_id: z.string().nullable().describe('The signed-up user with the lead\'s email, when one exists') });

/** The per-organization budget of the public form, counted on top of the per-address limit. */
function orgFormLimiter(app: ZApp, deps: Deps) {
  const limiter = app.createRateLimit({
    max: deps.config.leadFormPerOrgPerMinute, timeWindow: 60_000,
    keyGenerator: (req: FastifyRequest) => `lead-form-org:${String((req.params as { slug?: string }).slug ?? '').toLowerCase()}`,
  });
  return async (req: FastifyRequest): Promise<void> => {
    const r = await limiter(req);
    if (!r.isAllowed && r.isExceeded) {
      throw errors.tooMany(`This clinic receives too many form submissions right now (${r.max} a minute). Retry later.`, r.ttlInSeconds);
    }
  };
}

/**
 * The form is embedded in the clinic's own website, another origin: browsers may call it from any
 * page (no cookies or credentials are involved, so `*` gives nothing away), errors included.
 */
const CORS = { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'POST, OPTIONS', 'access-control-allow-headers': 'content-type', 'access-control-max-age': '86400' };

export function intakeRoutes(app: ZApp, deps: Deps, guard: Guard): void {
  app.options('/api/public/orgs/:slug/leads', { schema: { hide: true } }, async (_req, reply) => reply.headers(CORS).status(204).send());

  app.post('/api/public/orgs/:slug/leads', {
    onRequest: async (_req, reply) => { reply.headers(CORS); },
    schema: {
      tags: ['growth'], security: [],
      summary: 'Public lead form: a visitor asks to be contacted (no sign-in; rate-limited and spam-guarded)',
      description: 'Creates a lead, or updates the live lead with this email or phone, with the visitor\'s consent to be contacted. '
        + 'No free text and no health information is accepted. Always answers 202 {status:"received"} once accepted; spam (a filled '
        + '`website` honeypot, or a form sent within 3 s of `form_started_at`) gets the same answer and is not stored.',
      params: z.object({ slug: z.string().min(1).max(100).regex(/^[A-Za-z0-9-]+$/, 'An organization slug') }),
      body: WebForm,
      response: { 202: Received },
    },
    config: { rateLimit: { max: deps.config.leadFormPerIpPerMinute, timeWindow: '1 minute' } },
    preHandler: orgFormLimiter(app, deps),
  }, async (req, reply) => {
    const b = req.body;
    const now = deps.now();
    // Spam is answered like a real submission, so a bot learns nothing, and nothing is stored.
    const tooFast = now.getTime() - b.form_started_at < MIN_FILL_MS;
    if ((b.website ?? '').trim() !== '' || tooFast) return reply.status(202).send({ status: 'received' as const });
    await deps.db.run({ scope: 'system', orgId: null }, async (tx) => {
      const [org] = await tx.query<{ id: string }>('SELECT id FROM visage_public_org($1)', [req.params.slug]);
      if (!org) throw new AppError(404, 'not_found', 'No organization with that address.');
      await tx.setContext({ scope: 'system', orgId: org.id });
      await submitWebForm(tx, origin(req), {
        formId: b.form_id ?? null, firstName: b.first_name, email: b.email ?? null, phone: b.phone ?? null, interest: b.interest ?? [],
        preferredContact: b.preferred_contact ?? null, pagePath: pagePathOf(b.page_url), sessionId: b.session_id ?? null,
        utm: { source: b.utm_source || undefined, medium: b.utm_medium || undefined, campaign: b.utm_campaign || undefined, content: b.utm_content || undefined },
      }, now);
    });
    return reply.status(202).send({ status: 'received' as const });
  });

  // A static path: Fastify matches it before /api/leads/:id of the leads routes.
  app.post('/api/leads/ad-click', {
    schema: {
      tags: ['growth'], summary: 'Record an ad click (gclid, fbclid...): an ad_click KPI event on the lead with this email or phone, or a new lead',
      description: 'Idempotent by click id: the same click again answers 200 with duplicate: true and changes nothing.',
      body: AdClickBody, response: { 200: AdClickDto, 201: AdClickDto },
    },
  }, async (req, reply) => {
    const out = await guard(req, { permission: 'lead.write' }, (tx) => idempotent(tx, req, async () => {
      const b = req.body;
      const now = deps.now();
      const r = await recordAdClick(tx, origin(req), {
        campaignId: b.campaign_id ?? null, platform: b.platform, clickId: b.click_id, email: b.email ?? null, phone: b.phone ?? null,
        firstName: b.first_name ?? null, occurredAt: b.occurred_at ? notFuture(deps, new Date(b.occurred_at), '/occurred_at') : now,
      }, now);
      return { status: r.duplicate ? 200 : 201, body: { lead_id: r.leadId, kpi_event_id: r.kpiEventId, lead_created: r.leadCreated, duplicate: r.duplicate } };
    }));
    return reply.status(out.status as 201).send(out.body as z.infer<typeof AdClickDto>);
  });

  app.post('/api/leads/inbound-message', {
    schema: {
      tags: ['growth'], summary: 'An inbound message on a channel (its metadata, never its text): finds or creates the sender\'s lead',
      description: 'Called by a messaging integration. The lead is found by the sender\'s phone, email or handle, else created with source = channel. '
        + 'A signed-up user with the lead\'s email is linked. The message text is not accepted (it may hold health information).',
      body: InboundBody, response: { 200: InboundDto, 201: InboundDto },
    },
  }, async (req, reply) => {
    const out = await guard(req, { permission: 'lead.write' }, (tx) => idempotent(tx, req, async () => {
      const b = req.body;
      const now = deps.now();
      const r = await recordInboundMessage(tx, origin(req), {
        channel: b.channel, from: b.from, firstName: b.first_name ?? null, sessionId: b.session_id ?? null,
        receivedAt: b.received_at ? notFuture(deps, new Date(b.received_at), '/received_at') : now,
      }, now);
      return { status: r.leadCreated ? 201 : 200, body: { lead_id: r.leadId, lead_created: r.leadCreated, user_id: r.userId } };
    }));
    return reply.status(out.status as 201).send(out.body as z.infer<typeof InboundDto>);
  });
}
