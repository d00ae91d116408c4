import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Deps } from '../../platform/deps.js';
import type { Tx } from '../../platform/db/client.js';
import { newId, randomToken } from '../../platform/crypto.js';
import { AppError, errors } from '../../platform/http/problem.js';
import { audit, type AuditOrigin } from '../../platform/audit/audit.service.js';
import { assertNoPhi } from './phi.js';
import { rescoreLead } from './scoring.js';
import {
  contactLockKeys, e164OrFail, findCampaign, findLiveLead, insertLead, leadById, lockKeys, moveLeadToStage,
  sourceSlug, stageByName, tagLeadByName, type LeadRow,
} from './intake.service.js';
import { listStages } from './stages.service.js';
import { orgSettings } from '../clinical/index.js';

/*
 * External CRM sync (issue 4 part 8): GoHighLevel pushes contact changes to a webhook signed with
 * the organization's secret (docs/crm-sync.md). A delivery is applied once: crm_deliveries is unique
 * per (org, provider, delivery id) and its row is inserted in the same transaction as the effects,
 * so a repeated or concurrent duplicate finds it and changes nothing.
 */

export const GHL = 'gohighlevel';
export const SIGNATURE_HEADER = 'x-visage-signature';
/** A signature older (or newer) than this is refused: a captured delivery cannot be replayed later. */
export const SIGNATURE_TOLERANCE_S = 5 * 60;

/** The secret is bound to its row (organization and provider): a ciphertext copied elsewhere does not decrypt. */
const secretAad = (orgId: string, provider: string) => `crm_integrations.secret_enc:${orgId}:${provider}`;

function cipher(deps: Deps) {
  if (!deps.fields) throw new Error('CRM integrations need field encryption (deps.fields)');
  return deps.fields;
}

export interface IntegrationRow {
  provider: string; is_active: boolean; created_at: Date; updated_at: Date; last_delivery_at: Date | null; deliveries: number;
}

/** The organization's integrations (never the secret), with their delivery counts. */
export async function listIntegrations(tx: Tx): Promise<IntegrationRow[]> {
  return tx.query<IntegrationRow>(
    `SELECT i.provider, i.is_active, i.created_at, i.updated_at,
            (SELECT max(d.received_at) FROM crm_deliveries d WHERE d.org_id = i.org_id AND d.provider = i.provider) AS last_delivery_at,
            (SELECT count(*)::int FROM crm_deliveries d WHERE d.org_id = i.org_id AND d.provider = i.provider) AS deliveries
       FROM crm_integrations i WHERE i.org_id = visage_current_org() ORDER BY i.provider`);
}

/** Creates the integration or rotates its secret (re-enabling it). Returns the new secret: shown once, stored encrypted. */
export async function rotateSecret(tx: Tx, deps: Deps, origin: AuditOrigin, provider: string, now: Date): Promise<{ secret: string; rotated: boolean }> {
  const orgId = tx.ctx.orgId!;
  const secret = randomToken('whsec_');
  const enc = cipher(deps).encrypt(secret, secretAad(orgId, provider));
  const [row] = await tx.query<{ inserted: boolean }>(
    `INSERT INTO crm_integrations (id, org_id, provider, secret_enc, is_active, created_at, updated_at) VALUES ($1, visage_current_org(), $2, $3, true, $4, $4)
     ON CONFLICT (org_id, provider) DO UPDATE SET secret_enc = EXCLUDED.secret_enc, is_active = true, updated_at = EXCLUDED.updated_at
     RETURNING (xmax = 0) AS inserted`, [newId(), provider, enc, now]);
  await audit(tx, origin, { action: row?.inserted ? 'create' : 'rotate', entityType: 'crm_integration', details: { provider } });
  return { secret, rotated: !row?.inserted };
}

/** Disables the integration: its deliveries are refused until a new secret is issued. */
export async function disableIntegration(tx: Tx, origin: AuditOrigin, provider: string, now: Date): Promise<void> {
  const rows = await tx.query('UPDATE crm_integrations SET is_active = false, updated_at = $2 WHERE org_id = visage_current_org() AND provider = $1 RETURNING id', [provider, now]);
  if (!rows.length) throw errors.notFound('CRM integration');
  await audit(tx, origin, { action: 'delete', entityType: 'crm_integration', details: { provider } });
}

// ---------------------------------------------------------------------------------------------
// Signatures
// ---------------------------------------------------------------------------------------------

const invalidSignature = (why: string) => new AppError(401, 'invalid_signature', `The delivery is not signed by this organization's secret: ${why}.`);

/** The value of the signature header for `raw` at unix time `t` (what a sender computes). */
export function signDelivery(secret: string, t: number, raw: Buffer | string): string {
  const mac = createHmac('sha256', secret).update(`${t}.`).update(raw).digest('hex');
  return `t=${t},v1=${mac}`;
}

/** Parses "t=<unix seconds>,v1=<hex>[,v1=<hex>...]"; null when malformed. */
function parseSignature(header: string): { t: number; v1: string[] } | null {
  let t: number | null = null;
  const v1: string[] = [];
  for (const part of header.split(',')) {
    const [k, v] = part.trim().split('=', 2) as [string, string | undefined];
    if (k === 't' && v && /^\d{1,12}$/.test(v)) t = Number(v);
    else if (k === 'v1' && v && /^[0-9a-f]{64}$/i.test(v)) v1.push(v.toLowerCase());
  }
  return t === null || !v1.length ? null : { t, v1 };
}

/** Throws 401 unless `header` carries a fresh HMAC-SHA256 of "<t>.<raw>" under `secret` (constant-time compare). */
export function verifySignature(secret: string, header: string | undefined, raw: Buffer, now: Date): void {
  if (!header) throw invalidSignature(`no ${SIGNATURE_HEADER} header`);
  const sig = parseSignature(header);
  if (!sig) throw invalidSignature(`${SIGNATURE_HEADER} must be "t=<unix seconds>,v1=<hex hmac-sha256>"`);
  if (Math.abs(now.getTime() / 1000 - sig.t) > SIGNATURE_TOLERANCE_S) throw invalidSignature('the time stamp is more than 5 minutes away from now');
  const expected = createHmac('sha256', secret).update(`${sig.t}.`).update(raw).digest();
  const ok = sig.v1.some((hex) => {
    const given = Buffer.from(hex, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!ok) throw invalidSignature('the signature does not match the body');
}

// ---------------------------------------------------------------------------------------------
// Deliveries
// ---------------------------------------------------------------------------------------------

export const GHL_EVENT_TYPES = ['contact.upsert', 'contact.stage_changed', 'contact.tag_added', 'contact.deleted'] as const;

const Name = z.string().trim().min(1).max(100);
/** What Visage reads from a delivery; other fields are ignored (but screened for PHI first). */
export const GhlDelivery = z.object({
  delivery_id: z.string().trim().min(1).max(200).optional(),
  type: z.enum(GHL_EVENT_TYPES),
  contact: z.object({
    id: z.string().trim().min(1).max(200),
    first_name: Name.nullable().optional(),
    email: z.string().trim().toLowerCase().email().max(254).nullable().optional(),
    phone: z.string().trim().min(5).max(40).nullable().optional(),
    source: z.string().trim().min(1).max(60).nullable().optional(),
    campaign: z.string().trim().min(1).max(200).nullable().optional(),
    tags: z.array(Name).max(100).optional(),
  }),
  stage: Name.nullable().optional(),
});
export type GhlDelivery = z.infer<typeof GhlDelivery>;

export interface DeliveryOutcome {
  action: 'created' | 'updated' | 'deleted' | 'ignored'; lead_id: string | null; stage_changed: boolean; tags_added: string[]; reason?: string;
}

export interface DeliveryResult { duplicate: boolean; delivery_id: string; outcome: DeliveryOutcome }

export interface IncomingDelivery { orgId: string; raw: Buffer | undefined; signature: string | undefined; deliveryIdHeader: string | undefined }

/**
 * Verifies, then applies a GoHighLevel delivery once, all in one transaction: anything refused
 * (signature, JSON, PHI, shape, unknown stage) stores nothing.
 */
export async function receiveGhlDelivery(deps: Deps, origin: AuditOrigin, d: IncomingDelivery): Promise<DeliveryResult> {
  return deps.db.run({ scope: 'system', orgId: d.orgId }, async (tx) => {
    const [integration] = await tx.query<{ secret_enc: string; is_active: boolean }>(
      'SELECT secret_enc, is_active FROM crm_integrations WHERE org_id = visage_current_org() AND provider = $1', [GHL]);
    // An unknown organization, no integration, or a disabled one: the same answer, so ids cannot be probed.
    if (!integration || !integration.is_active) throw invalidSignature('no active GoHighLevel integration for this organization');
    const secret = cipher(deps).decrypt(integration.secret_enc, secretAad(d.orgId, GHL));
    verifySignature(secret, d.signature, d.raw ?? Buffer.alloc(0), deps.now());
    if (!d.raw?.length) throw errors.badRequest('The delivery has no JSON body.');

    let parsed: unknown;
    try { parsed = JSON.parse(d.raw.toString('utf8')); } catch { throw new AppError(400, 'invalid_json', 'The delivery body is not valid JSON.'); }
    assertNoPhi(parsed);
    const body = GhlDelivery.safeParse(parsed);
    if (!body.success) {
      throw errors.validation('The delivery does not match the GoHighLevel contact event shape (docs/crm-sync.md).',
        body.error.issues.map((i) => ({ pointer: `/${i.path.map(String).join('/')}`, message: i.message })));
    }
    const event = body.data;
    const deliveryId = event.delivery_id ?? d.deliveryIdHeader?.trim();
    if (!deliveryId || deliveryId.length > 200) {
      throw errors.validation('Name the delivery: delivery_id in the body or the X-Delivery-Id header (at most 200 characters).', [{ pointer: '/delivery_id', message: 'required' }]);
    }
    const hash = createHash('sha256').update(d.raw).digest('hex');
    const now = deps.now();

    // Claim the delivery first: a concurrent duplicate waits here for this transaction, then finds the row.
    const claimed = await tx.query<{ id: string }>(
      `INSERT INTO crm_deliveries (id, org_id, provider, delivery_id, payload_sha256, received_at) VALUES ($1, visage_current_org(), $2, $3, $4, $5)
       ON CONFLICT (org_id, provider, delivery_id) DO NOTHING RETURNING id`, [newId(), GHL, deliveryId, hash, now]);
    if (!claimed.length) {
      const [prev] = await tx.query<{ payload_sha256: string; outcome: DeliveryOutcome }>(
        'SELECT payload_sha256, outcome FROM crm_deliveries WHERE org_id = visage_current_org() AND provider = $1 AND delivery_id = $2', [GHL, deliveryId]);
      if (!prev) throw errors.conflict('The delivery is being processed; retry.', 'delivery_in_progress');
      if (prev.payload_sha256 !== hash) {
        throw errors.conflict(`Delivery ${deliveryId} was already received with a different body; a new event needs a new delivery id.`, 'delivery_id_reused',
          [{ pointer: '/delivery_id', message: 'reused with a different body' }]);
      }
      return { duplicate: true, delivery_id: deliveryId, outcome: prev.outcome };
    }

    const outcome = await applyDelivery(tx, origin, event, now);
    await tx.query('UPDATE crm_deliveries SET lead_id = $2, outcome = $3 WHERE id = $1', [claimed[0]!.id, outcome.lead_id, JSON.stringify(outcome)]);
    await audit(tx, origin, {
      action: 'sync', entityType: 'lead', entityId: outcome.lead_id,
      details: { provider: GHL, type: event.type, delivery_id: deliveryId, action: outcome.action },
    });
    return { duplicate: false, delivery_id: deliveryId, outcome };
  });
}

/** The effects of one contact event: upsert the lead by external id, then its stage and tags. */
async function applyDelivery(tx: Tx, origin: AuditOrigin, e: GhlDelivery, now: Date): Promise<DeliveryOutcome> {
  const c = e.contact;
  const org = await orgSettings(tx);
  const phone = c.phone ? e164OrFail(c.phone, org.country, '/contact/phone') : null;
  const email = c.email ?? null;
  await lockKeys(tx, [`ghl:${c.id}`, ...contactLockKeys({ email, phone })]);

  const [byExternal] = await tx.query<LeadRow>(
    'SELECT id, deleted_at FROM leads WHERE org_id = visage_current_org() AND external_id = $1', [c.id]);
  if (e.type === 'contact.deleted') {
    if (!byExternal || byExternal.deleted_at) return { action: 'ignored', lead_id: byExternal?.id ?? null, stage_changed: false, tags_added: [], reason: 'unknown_contact' };
    await tx.query('UPDATE leads SET deleted_at = $2, updated_at = $2 WHERE org_id = visage_current_org() AND id = $1', [byExternal.id, now]);
    await audit(tx, origin, { action: 'delete', entityType: 'lead', entityId: byExternal.id, details: { via: GHL } });
    return { action: 'deleted', lead_id: byExternal.id, stage_changed: false, tags_added: [] };
  }
  // A lead deleted in Visage stays deleted: the CRM cannot bring it back (its external id still belongs to it).
  if (byExternal?.deleted_at) return { action: 'ignored', lead_id: byExternal.id, stage_changed: false, tags_added: [], reason: 'lead_deleted' };

  if (e.type === 'contact.stage_changed' && !e.stage) throw errors.validation('A stage_changed event names the stage.', [{ pointer: '/stage', message: 'required' }]);
  if (e.type === 'contact.tag_added' && !c.tags?.length) throw errors.validation('A tag_added event names the tags.', [{ pointer: '/contact/tags', message: 'required' }]);
  const stage = e.stage ? await stageByName(tx, e.stage) : null;
  if (e.stage && !stage) {
    const names = (await listStages(tx)).map((s) => s.name);
    throw new AppError(422, 'unknown_stage', `No pipeline stage is named "${e.stage}" (stages: ${names.join(', ')}). Map GoHighLevel stages to these names.`,
      [{ pointer: '/stage', message: 'unknown stage' }]);
  }
  const campaign = c.campaign ? await findCampaign(tx, c.campaign) : null;

  let lead: LeadRow | null = byExternal ? await leadById(tx, byExternal.id) : null;
  let action: DeliveryOutcome['action'] = 'updated';
  if (!lead) {
    // A lead that came in another way (the web form) and was then synced to the CRM: link it rather than duplicate it.
    const match = await findLiveLead(tx, { email, phone });
    if (match && match.external_id === null) {
      await tx.query('UPDATE leads SET external_id = $2, updated_at = $3 WHERE org_id = visage_current_org() AND id = $1', [match.id, c.id, now]);
      lead = match;
    }
  }
  let stageChanged = false;
  if (!lead) {
    const id = await insertLead(tx, origin, {
      externalId: c.id, firstName: c.first_name ?? null, email, phone, source: sourceSlug(c.source, 'gohighlevel'),
      campaignId: campaign?.id ?? null, adPlatform: campaign?.platform ?? null, stage: stage ?? undefined,
    }, now);
    lead = (await leadById(tx, id))!;
    action = 'created';
  } else {
    // The CRM is the source of truth for the contact details it sends; the first touch's attribution stays.
    await tx.query(
      `UPDATE leads SET first_name = COALESCE($2, first_name), email = COALESCE($3, email), phone = COALESCE($4, phone),
          campaign_id = COALESCE(campaign_id, $5), ad_platform = COALESCE(ad_platform, $6), updated_at = $7
        WHERE org_id = visage_current_org() AND id = $1`,
      [lead.id, c.first_name ?? null, email, phone, campaign?.id ?? null, campaign?.platform ?? null, now]);
    if (stage) stageChanged = await moveLeadToStage(tx, origin, lead, stage, now);
  }
  const tagsAdded = c.tags?.length ? await tagLeadByName(tx, origin, lead.id, c.tags, now) : [];
  await rescoreLead(tx, lead.id, now);
  return { action, lead_id: lead.id, stage_changed: stageChanged, tags_added: tagsAdded };
}
