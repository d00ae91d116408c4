import { z } from 'zod';
import type { ZApp } from '../../platform/http/app.js';
import type { Deps } from '../../platform/deps.js';
import type { Tx } from '../../platform/db/client.js';
import { idempotent } from '../../platform/http/idempotency.js';
import { errors } from '../../platform/http/problem.js';
import { audit } from '../../platform/audit/audit.service.js';
import { origin, type Guard } from '../identity/index.js';
import { FollowupRules } from '../care/followup-rules.js';
import { DOSAGE_UNITS, TREATMENT_CATEGORIES } from './catalog.schema.js';
import {
  createTreatment, deleteTreatment, getTreatment, listTreatments, toMajor, toMinor, updateTreatment, type TreatmentInput, type TreatmentRow,
} from './treatments.service.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const currencies = new Set(Intl.supportedValuesOf('currency'));

/** A catalogue code (BOT_MASSETER): letters, digits, _ . -; never shaped like a UUID (ids and codes share URLs). */
export const CatalogCode = z.string().trim().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/, 'Use 1-40 letters, digits, _ . or - (e.g. BOT_MASSETER).')
  .refine((c) => !UUID_RE.test(c), 'A code cannot look like an id (UUID).');
/** A path segment naming an entry by id or code. */
export const Ref = z.string().trim().min(1).max(64);
const Currency = z.string().toUpperCase().refine((c) => currencies.has(c), 'Use an ISO 4217 currency code such as TWD.');
const Key = z.string().trim().regex(/^[a-z0-9_:.-]{1,60}$/, 'Use a lower-case key such as botulinum_toxin or pregnancy.');
const Text = (max: number) => z.string().trim().max(max);

export const TreatmentDto = z.object({
  treatment_id: z.string().describe('The treatment code (seed 000 uses codes as ids)'),
  treatment_name: z.string(), category: z.string(), default_unit: z.string(),
  base_price: z.number().describe('Major units of currency (4999 = NT$4,999)'),
  id: z.string(), code: z.string(), treatment_code: z.string(), name: z.string(), name_en: z.string().nullable(),
  description: z.string().nullable(), currency: z.string(), base_price_minor: z.number().int(), is_active: z.boolean(),
  consent_required: z.boolean(), followup_rules: FollowupRules, contraindications: z.array(z.string()), ingredients: z.array(z.string()),
  procedure_type: z.string().nullable(), created_at: z.string(), updated_at: z.string(),
});
type TreatmentDto = z.infer<typeof TreatmentDto>;

export const treatmentDto = (t: TreatmentRow): TreatmentDto => ({
  treatment_id: t.code, treatment_name: t.name, category: t.category, default_unit: t.default_unit, base_price: toMajor(t.base_price_minor, t.currency),
  id: t.id, code: t.code, treatment_code: t.code, name: t.name, name_en: t.name_en, description: t.description, currency: t.currency,
  base_price_minor: t.base_price_minor, is_active: t.is_active, consent_required: t.consent_required, followup_rules: t.followup_rules,
  contraindications: t.contraindications, ingredients: t.ingredients, procedure_type: t.procedure_type,
  created_at: new Date(t.created_at).toISOString(), updated_at: new Date(t.updated_at).toISOString(),
});

const TreatmentFields = z.object({
  code: CatalogCode.optional(), treatment_code: CatalogCode.optional().describe('Seed 000 synonym of code'),
  name: Text(200).min(1).optional(), treatment_name: Text(200).min(1).optional().describe('Seed 000 synonym of name'),
  name_en: Text(200).nullable().optional(),
  category: z.enum(TREATMENT_CATEGORIES).optional(),
  default_unit: z.enum(DOSAGE_UNITS).optional(),
  base_price: z.number().min(0).max(1e12).optional().describe('Major units (4999); or send base_price_minor'),
  base_price_minor: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  currency: Currency.optional().describe('Default: the organization\'s currency'),
  description: Text(5000).nullable().optional(),
  is_active: z.boolean().optional(),
  consent_required: z.boolean().optional(),
  followup_rules: FollowupRules.optional(),
  contraindications: z.array(Key).max(50).optional(),
  ingredients: z.array(Key).max(50).optional(),
  procedure_type: Text(100).nullable().optional(),
});
type TreatmentFields = z.infer<typeof TreatmentFields>;

const TreatmentQuery = z.object({
  q: z.string().trim().max(200).optional(),
  category: z.enum(TREATMENT_CATEGORIES).optional(),
  active: z.enum(['true', 'false']).optional(),
});

async function orgCurrency(tx: Tx): Promise<string> {
  const [row] = await tx.query<{ currency: string }>('SELECT currency FROM organizations WHERE id = visage_current_org()');
  return row?.currency ?? 'USD';
}

/** One of two synonyms; both given and different -> 422. */
function either(a: string | undefined, b: string | undefined, pointers: [string, string]): string | undefined {
  if (a !== undefined && b !== undefined && a !== b) throw errors.validation(`Send ${pointers[0].slice(1)} or ${pointers[1].slice(1)}, not two different values.`, [{ pointer: pointers[1], message: 'differs' }]);
  return a ?? b;
}

/** The price in minor units from base_price_minor or base_price (major units in `currency`). */
function priceMinor(body: TreatmentFields, currency: string): number | undefined {
  let fromMajor: number | undefined;
  if (body.base_price !== undefined) {
    fromMajor = toMinor(body.base_price, currency);
    if (fromMajor === undefined) throw errors.validation(`base_price has more decimals than ${currency} allows.`, [{ pointer: '/base_price', message: 'too many decimals' }]);
  }
  if (fromMajor !== undefined && body.base_price_minor !== undefined && fromMajor !== body.base_price_minor) {
    throw errors.validation('base_price and base_price_minor disagree; send one of them.', [{ pointer: '/base_price_minor', message: 'differs from base_price' }]);
  }
  return body.base_price_minor ?? fromMajor;
}

function patchOf(body: TreatmentFields, currency: string): Partial<TreatmentInput> {
  return {
    code: either(body.code, body.treatment_code, ['/code', '/treatment_code']),
    name: either(body.name, body.treatment_name, ['/name', '/treatment_name']),
    nameEn: body.name_en, category: body.category, defaultUnit: body.default_unit, basePriceMinor: priceMinor(body, currency),
    currency: body.currency, description: body.description, isActive: body.is_active, consentRequired: body.consent_required,
    followupRules: body.followup_rules, contraindications: body.contraindications, ingredients: body.ingredients, procedureType: body.procedure_type,
  };
}

/** Seed 000 TREATMENT master data. Reading needs treatment.read; changing it treatment.manage. */
export function treatmentRoutes(app: ZApp, _deps: Deps, guard: Guard) {
  app.get('/api/treatments', {
    schema: {
      tags: ['catalog'], summary: 'The treatment catalogue (seed 000: an array of {treatment_id, treatment_name, category, default_unit, base_price, ...})',
      querystring: TreatmentQuery, response: { 200: z.array(TreatmentDto) },
    },
  }, async (req) => guard(req, { permission: 'treatment.read' }, async (tx) => {
    const q = req.query;
    const rows = await listTreatments(tx, { q: q.q || undefined, category: q.category, active: q.active === undefined ? undefined : q.active === 'true' });
    await audit(tx, origin(req), { action: 'list', entityType: 'treatment', details: { count: rows.length, search: Boolean(q.q) } });
    return rows.map(treatmentDto);
  }));

  app.get('/api/treatments/:ref', {
    schema: { tags: ['catalog'], summary: 'A treatment by id or code', params: z.object({ ref: Ref }), response: { 200: TreatmentDto } },
  }, async (req) => guard(req, { permission: 'treatment.read' }, async (tx) => {
    const row = await getTreatment(tx, req.params.ref);
    await audit(tx, origin(req), { action: 'read', entityType: 'treatment', entityId: row.id });
    return treatmentDto(row);
  }));

  app.post('/api/treatments', {
    schema: { tags: ['catalog'], summary: 'Add a treatment to the catalogue', body: TreatmentFields, response: { 201: TreatmentDto } },
  }, async (req, reply) => {
    const out = await guard(req, { permission: 'treatment.manage' }, (tx) => idempotent(tx, req, async () => {
      const body = req.body;
      const currency = body.currency ?? await orgCurrency(tx);
      const p = patchOf(body, currency);
      const missing = [
        p.code === undefined && '/code', p.name === undefined && '/name', p.category === undefined && '/category', p.defaultUnit === undefined && '/default_unit',
      ].filter((x): x is string => Boolean(x));
      if (missing.length) throw errors.validation('Some required fields are missing.', missing.map((pointer) => ({ pointer, message: 'required' })));
      const row = await createTreatment(tx, origin(req), { ...p, basePriceMinor: p.basePriceMinor ?? 0, currency } as TreatmentInput);
      return { status: 201, body: treatmentDto(row) };
    }));
    return reply.status(out.status as 201).send(out.body as TreatmentDto);
  });

  app.patch('/api/treatments/:ref', {
    schema: { tags: ['catalog'], summary: 'Change a treatment (partial)', params: z.object({ ref: Ref }), body: TreatmentFields, response: { 200: TreatmentDto } },
  }, async (req) => guard(req, { permission: 'treatment.manage' }, async (tx) => {
    const current = await getTreatment(tx, req.params.ref);
    const patch = patchOf(req.body, req.body.currency ?? current.currency);
    return treatmentDto(await updateTreatment(tx, origin(req), current.id, patch));
  }));

  app.delete('/api/treatments/:ref', {
    schema: { tags: ['catalog'], summary: 'Retire a treatment (soft delete; past sessions keep it)', params: z.object({ ref: Ref }), response: { 204: z.null() } },
  }, async (req, reply) => {
    await guard(req, { permission: 'treatment.manage' }, (tx) => deleteTreatment(tx, origin(req), req.params.ref));
    return reply.status(204).send(null);
  });
}
