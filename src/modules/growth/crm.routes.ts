import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import type { ZApp } from '../../platform/http/app.js';
import type { Deps } from '../../platform/deps.js';
import { AppError } from '../../platform/http/problem.js';
import { audit } from '../../platform/audit/audit.service.js';
import { origin, type Guard } from '../identity/index.js';
import {
  disableIntegration, GHL, GHL_EVENT_TYPES, listIntegrations, receiveGhlDelivery, rotateSecret, SIGNATURE_HEADER,
} from './crm.service.js';
import { retentionRoutes } from './retention.js';

const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());

const IntegrationDto = z.object({
  provider: z.literal(GHL), configured: z.boolean(), is_active: z.boolean(), webhook_url: z.string(),
  signature_header: z.string(), deliveries: z.number().int(), last_delivery_at: z.string().nullable(),
  created_at: z.string().nullable(), updated_at: z.string().nullable(),
});
const SecretDto = z.object({
  provider: z.literal(GHL), secret: z.string().describe('Shown once: store it in the CRM workflow that signs deliveries'),
  rotated: z.boolean().describe('An earlier secret existed and no longer verifies'), webhook_url: z.string(), signature_header: z.string(),
});
const DeliveryDto = z.object({
  duplicate: z.boolean().describe('This delivery id was already applied: nothing changed, the first outcome is returned'),
  delivery_id: z.string(),
  outcome: z.object({
    action: z.enum(['created', 'updated', 'deleted', 'ignored']), lead_id: z.string().nullable(), stage_changed: z.boolean(),
    tags_added: z.array(z.string()), reason: z.string().optional(),
  }),
});

/** The raw bytes of a webhook body, kept for the signature check (the body itself is parsed only once verified). */
const rawBodies = new WeakMap<FastifyRequest, Buffer>();

const webhookUrl = (deps: Deps, orgId: string) => `${deps.config.publicUrl.replace(/\/$/, '')}/api/webhooks/gohighlevel/${orgId}`;

export function crmRoutes(app: ZApp, deps: Deps, guard: Guard): void {
  retentionRoutes(app, deps, guard); // the other half of the data lifecycle: what is removed, and when
  app.get('/api/crm-integrations', {
    schema: { tags: ['growth'], summary: 'External CRM integrations: whether each is configured (never the secret)', response: { 200: z.object({ items: z.array(IntegrationDto) }) } },
  }, async (req) => guard(req, { permission: 'campaign.read' }, async (tx) => {
    const rows = await listIntegrations(tx);
    const ghl = rows.find((r) => r.provider === GHL);
    await audit(tx, origin(req), { action: 'list', entityType: 'crm_integration' });
    return {
      items: [{
        provider: GHL, configured: !!ghl, is_active: ghl?.is_active ?? false, webhook_url: webhookUrl(deps, tx.ctx.orgId!), signature_header: SIGNATURE_HEADER,
        deliveries: ghl?.deliveries ?? 0, last_delivery_at: iso(ghl?.last_delivery_at ?? null), created_at: iso(ghl?.created_at ?? null), updated_at: iso(ghl?.updated_at ?? null),
      }],
    };
  }));

  app.put('/api/crm-integrations/gohighlevel', {
    schema: {
      tags: ['growth'], summary: 'Connect GoHighLevel, or rotate its webhook secret: the new secret is returned once',
      response: { 200: SecretDto },
    },
  }, async (req) => guard(req, { permission: 'campaign.write' }, async (tx) => {
    const r = await rotateSecret(tx, deps, origin(req), GHL, deps.now());
    return { provider: GHL, secret: r.secret, rotated: r.rotated, webhook_url: webhookUrl(deps, tx.ctx.orgId!), signature_header: SIGNATURE_HEADER };
  }));

  app.delete('/api/crm-integrations/gohighlevel', {
    schema: { tags: ['growth'], summary: 'Disconnect GoHighLevel: its deliveries are refused until a new secret is issued', response: { 204: z.null() } },
  }, async (req, reply) => {
    await guard(req, { permission: 'campaign.write' }, (tx) => disableIntegration(tx, origin(req), GHL, deps.now()));
    return reply.status(204).send(null);
  });

  // The webhook needs the body's exact bytes: its own JSON parser, in a scope of its own so no other route is affected.
  app.register(async (scope) => {
    const s = scope as unknown as ZApp;
    s.removeContentTypeParser('application/json');
    s.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
      rawBodies.set(req, body as Buffer);
      done(null, undefined);
    });
    s.post('/api/webhooks/gohighlevel/:orgId', {
      schema: {
        tags: ['growth'], security: [],
        summary: 'GoHighLevel contact events (HMAC-signed): upsert leads, stages and tags by GoHighLevel contact id',
        description: `Signed with the organization's secret: header ${SIGNATURE_HEADER}: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">. `
          + `Body: {delivery_id, type: ${GHL_EVENT_TYPES.join(' | ')}, contact: {id, first_name, email, phone, source, campaign, tags}, stage}. `
          + 'A delivery id is applied once; see docs/crm-sync.md.',
        params: z.object({ orgId: z.string().uuid() }),
        response: { 200: DeliveryDto },
      },
    }, async (req) => {
      const sig = req.headers[SIGNATURE_HEADER];
      const deliveryHeader = req.headers['x-delivery-id'];
      const raw = rawBodies.get(req);
      if (raw === undefined && req.body !== undefined && typeof sig === 'string') {
        throw new AppError(415, 'unsupported_media_type', 'Deliveries are application/json.');
      }
      return receiveGhlDelivery(deps, origin(req), {
        orgId: req.params.orgId, raw, signature: typeof sig === 'string' ? sig : undefined,
        deliveryIdHeader: typeof deliveryHeader === 'string' ? deliveryHeader : undefined,
      });
    });
  });
}
