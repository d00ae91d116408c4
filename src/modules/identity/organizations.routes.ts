import { z } from 'zod';
import type { ZApp } from '../../platform/http/app.js';
import type { Deps } from '../../platform/deps.js';
import { errors } from '../../platform/http/problem.js';
import { idempotent } from '../../platform/http/idempotency.js';
import { audit } from '../../platform/audit/audit.service.js';
import { userOrganizations } from './accounts.service.js';
import { createOrganization, ORGANIZATION_BY_ID, updateOrganization, type OrgRow } from './organizations.service.js';
import { origin, type Guard } from './guard.js';
import { Currency, iso, Locale, orgSummaryDto, OrgSummaryDto, Timezone, Uuid } from './identity.dto.js';
import { ORG_TYPES } from './identity.schema.js';


const OrgPatch = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  type: z.enum(ORG_TYPES).optional(),
  timezone: Timezone.optional(),
  currency: Currency.optional(),
  locale: Locale.optional(),
  country: z.string().max(100).nullish(),
  city: z.string().max(100).nullish(),
  email: z.string().email().max(254).nullish(),
  phone: z.string().max(40).nullish(),
  consent_policy: z.enum(['flag', 'strict']).optional()
    .describe('A session of a treatment that requires consent, without a signed consent of the current version: flag (recorded as a compliance exception, default) or strict (refused)'),
});

const OrgInput = OrgPatch.omit({ consent_policy: true }).extend({
  name: z.string().trim().min(1).max(200),
  type: z.enum(ORG_TYPES).default('clinic'),
  timezone: Timezone.default('UTC'),
  currency: Currency.default('USD'),
  locale: Locale.default('en'),
});

const OrgDto = z.object({
  id: z.string(), name: z.string(), slug: z.string(), type: z.string(), timezone: z.string(), currency: z.string(), locale: z.string(),
  country: z.string().nullable(), city: z.string().nullable(), email: z.string().nullable(), phone: z.string().nullable(),
  status: z.string(), consent_policy: z.enum(['flag', 'strict']), created_at: z.string(), updated_at: z.string(),
});
const orgDto = (o: OrgRow): z.infer<typeof OrgDto> => ({ ...o, created_at: iso(o.created_at)!, updated_at: iso(o.updated_at)! });

export function organizationRoutes(app: ZApp, deps: Deps, guard: Guard) {
  app.post('/api/organizations', {
    schema: { tags: ['organizations'], summary: 'Create an organization; the caller becomes its owner', body: OrgInput, response: { 201: OrgDto } },
  }, async (req, reply) => {
    const out = await guard(req, {}, (tx, p) => idempotent(tx, req, async () => {
      const org = await createOrganization(tx, origin(req), p.userId, req.body);
      return { status: 201, body: orgDto(org) };
    }));
    return reply.status(out.status as 201).send(out.body as z.infer<typeof OrgDto>);
  });

  app.get('/api/organizations', {
    schema: { tags: ['organizations'], summary: 'Organizations the caller belongs to', response: { 200: z.object({ items: z.array(OrgSummaryDto) }) } },
  }, async (req) => guard(req, {}, async (tx, p) => ({ items: (await userOrganizations(tx, p.userId)).map(orgSummaryDto) })));

  app.get('/api/organizations/:id', {
    schema: { tags: ['organizations'], params: z.object({ id: Uuid }), response: { 200: OrgDto } },
  }, async (req) => guard(req, { permission: 'org.read', prelude: { text: ORGANIZATION_BY_ID, values: [req.params.id] } }, async (tx) => {
    if (req.params.id !== tx.ctx.orgId) throw errors.notFound('organization');
    const org = tx.prelude[0]?.[0] as OrgRow | undefined; // read in the opening round trip
    if (!org) throw errors.notFound('organization');
    await audit(tx, origin(req), { action: 'read', entityType: 'organization', entityId: org.id });
    return orgDto(org);
  }));

  app.patch('/api/organizations/:id', {
    schema: { tags: ['organizations'], params: z.object({ id: Uuid }), body: OrgPatch, response: { 200: OrgDto } },
  }, async (req) => guard(req, { permission: 'org.update' }, async (tx) => orgDto(await updateOrganization(tx, origin(req), req.params.id, req.body))));
}
