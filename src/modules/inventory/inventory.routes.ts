import { z } from 'zod';
import type { ZApp } from '../../platform/http/app.js';
import type { Deps } from '../../platform/deps.js';
import type { Tx } from '../../platform/db/client.js';
import { decodeCursor, page, pageOf, pageQuery } from '../../platform/http/pagination.js';
import { idempotent } from '../../platform/http/idempotency.js';
import { errors } from '../../platform/http/problem.js';
import { audit } from '../../platform/audit/audit.service.js';
import { origin, type Guard } from '../identity/index.js';
import { localDate, orgSettings } from '../clinical/index.js';
import { createProduct, deleteProduct, findProduct, listProducts, PRODUCT_TYPES, updateProduct, type ProductRow } from './products.service.js';
import { adjustLot, findLot, listLots, listMovements, LOT_STATUSES, receiveLot, recallLines, updateLot, type LotRow } from './lots.service.js';
import { deleteUsage, findUsage, listUsages, recordUsage, type UsageRow } from './usage.service.js';

const Uuid = z.string().uuid();
const Ref = z.string().trim().min(1).max(100);
const DateStr = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Use a date as YYYY-MM-DD.').refine((d) => {
  const t = new Date(`${d}T00:00:00Z`);
  return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === d;
}, 'Not a calendar date.');
const Qty = z.number().positive().max(1_000_000).refine((n) => Math.abs(n * 100 - Math.round(n * 100)) < 1e-6, 'At most two decimals.');
const Code = z.string().trim().min(1).max(60).regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'Letters, digits, _ . - (e.g. BOTOX_US).');
const Unit = z.string().trim().min(1).max(20);
const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());
const n = (v: string | number | null): number | null => (v === null ? null : Number(v));

/** The organization's calendar date: expiry is judged on it. */
async function today(tx: Tx, deps: Deps): Promise<string> {
  return localDate(deps.now(), (await orgSettings(tx)).timezone);
}

const ProductDto = z.object({
  product_id: z.string(), id: z.string(), drug_id: z.string().describe('The product code (seed 000 drug_id, e.g. BOTOX_US)'), code: z.string(),
  name: z.string(), product_type: z.enum(PRODUCT_TYPES), unit: z.string(), supplier: z.string().nullable(), pigment_id: z.string().nullable(),
  ingredients: z.array(z.string()), reorder_level: z.number().nullable(), is_active: z.boolean(),
  quantity_on_hand: z.number().describe('All lots'), usable_on_hand: z.number().describe('Active lots not expired today'),
  low_stock: z.boolean(), lot_count: z.number().int(), next_expiry_date: z.string().nullable(), created_at: z.string(), updated_at: z.string(),
});
const productDto = (p: ProductRow): z.infer<typeof ProductDto> => ({
  product_id: p.id, id: p.id, drug_id: p.code, code: p.code, name: p.name, product_type: p.product_type, unit: p.unit, supplier: p.supplier,
  pigment_id: p.pigment_id, ingredients: p.ingredients, reorder_level: n(p.reorder_level), is_active: p.is_active,
  quantity_on_hand: Number(p.on_hand), usable_on_hand: Number(p.usable_on_hand),
  low_stock: p.reorder_level !== null && Number(p.usable_on_hand) <= Number(p.reorder_level), lot_count: p.lot_count, next_expiry_date: p.next_expiry,
  created_at: iso(p.created_at)!, updated_at: iso(p.updated_at)!,
});

const ProductBody = {
  name: z.string().trim().min(1).max(200), product_type: z.enum(PRODUCT_TYPES), unit: Unit, supplier: z.string().trim().max(200).nullable().optional(),
  pigment_id: Uuid.nullable().optional(), ingredients: z.array(z.string().trim().min(1).max(100)).max(50).optional(),
  reorder_level: z.number().min(0).max(1_000_000).nullable().optional(), is_active: z.boolean().optional(),
};
const NewProduct = z.object({ code: Code, ...ProductBody }).strict();
const ProductPatch = z.object({ code: Code.optional(), ...ProductBody, name: ProductBody.name.optional(), product_type: ProductBody.product_type.optional(), unit: Unit.optional() }).strict();

const LotDto = z.object({
  lot_id: z.string(), id: z.string(), product_id: z.string(), drug_id: z.string(), product_name: z.string(), unit: z.string(), lot_number: z.string(),
  expiry_date: z.string(), expired: z.boolean(), days_to_expiry: z.number().int(), quantity_received: z.number(), quantity_on_hand: z.number(),
  status: z.enum(LOT_STATUSES), usable: z.boolean(), supplier: z.string().nullable(), unit_cost_minor: z.number().nullable(), currency: z.string().nullable(),
  received_at: z.string(), created_at: z.string(), updated_at: z.string(),
});
const lotDto = (l: LotRow): z.infer<typeof LotDto> => ({
  lot_id: l.id, id: l.id, product_id: l.product_id, drug_id: l.product_code, product_name: l.product_name, unit: l.unit, lot_number: l.lot_number,
  expiry_date: l.expiry_date, expired: l.days_to_expiry < 0, days_to_expiry: l.days_to_expiry, quantity_received: Number(l.quantity_received),
  quantity_on_hand: Number(l.quantity_on_hand), status: l.status, usable: l.status === 'active' && l.days_to_expiry >= 0 && Number(l.quantity_on_hand) > 0,
  supplier: l.supplier, unit_cost_minor: n(l.unit_cost_minor), currency: l.currency, received_at: iso(l.received_at)!, created_at: iso(l.created_at)!, updated_at: iso(l.updated_at)!,
});

const NewLot = z.object({
  lot_number: z.string().trim().min(1).max(100), expiry_date: DateStr, quantity: Qty, supplier: z.string().trim().max(200).nullable().optional(),
  unit_cost_minor: z.number().int().min(0).max(1e12).nullable().optional(), currency: z.string().regex(/^[A-Z]{3}$/).optional(),
  received_at: z.iso.datetime({ offset: true }).optional(),
}).strict();
const LotPatch = z.object({
  status: z.enum(LOT_STATUSES).optional(), reason: z.string().trim().min(3).max(1000).optional(), supplier: z.string().trim().max(200).nullable().optional(),
  unit_cost_minor: z.number().int().min(0).max(1e12).nullable().optional(), expiry_date: DateStr.optional(),
}).strict();
const Adjustment = z.object({
  kind: z.enum(['adjust', 'waste']), quantity: z.number().refine((q) => q !== 0, 'Not zero.').refine((q) => Math.abs(q) <= 1_000_000, 'Too large.'),
  reason: z.string().trim().min(3).max(1000),
}).strict();
const MovementDto = z.object({
  movement_id: z.string(), kind: z.string(), quantity: z.number(), usage_id: z.string().nullable(), session_id: z.string().nullable(),
  patient_id: z.string().nullable().describe('The patient of the session a use went to'),
  reason: z.string().nullable(), created_by: z.string().nullable(), created_at: z.string(),
});

const NewUsage = z.object({
  session_id: Uuid, drug_id: Ref.optional().describe('Product id or code (seed 000: BOTOX_US)'), product_id: Ref.optional().describe('Same as drug_id'),
  amount_used: Qty, unit: Unit, lot_id: Uuid.optional(), lot_number: z.string().trim().min(1).max(100).optional(),
}).strict().refine((b) => b.drug_id !== undefined || b.product_id !== undefined, { message: 'Name the product: drug_id (id or code).', path: ['drug_id'] });
const UsageDto = z.object({
  usage_id: z.string(), id: z.string(), session_id: z.string(), patient_id: z.string(), drug_id: z.string(), product_id: z.string(), product_name: z.string(),
  amount_used: z.number(), unit: z.string(), lot_id: z.string(), lot_number: z.string(), expiry_date: z.string(),
  quantity_on_hand: z.number().describe('What is left in the lot now'), created_at: z.string(),
});
const usageDto = (u: UsageRow): z.infer<typeof UsageDto> => ({
  usage_id: u.id, id: u.id, session_id: u.session_id, patient_id: u.patient_id, drug_id: u.product_code, product_id: u.product_id, product_name: u.product_name,
  amount_used: Number(u.amount_used), unit: u.unit, lot_id: u.lot_id, lot_number: u.lot_number, expiry_date: u.expiry_date,
  quantity_on_hand: Number(u.quantity_on_hand), created_at: iso(u.created_at)!,
});

const RecallDto = z.object({
  lot: LotDto, patient_count: z.number().int(), total_used: z.number(),
  patients: z.array(z.object({
    patient_id: z.string(), patient_code: z.string(), full_name: z.string(), phone: z.string().nullable(), email: z.string().nullable(), total_used: z.number(),
    sessions: z.array(z.object({
      session_id: z.string(), usage_id: z.string().nullable(), performed_at: z.string(), performed_on: z.string(), treatment_code: z.string(),
      treatment_name: z.string(), practitioner_name: z.string().nullable(), amount_used: z.number().nullable(), unit: z.string().nullable(),
      source: z.enum(['usage', 'pmu_record']).describe('usage: recorded drug usage; pmu_record: a PMU procedure record naming the lot number'),
      session_deleted: z.boolean(),
    })),
  })),
});

export function inventoryRoutes(app: ZApp, deps: Deps, guard: Guard) {
  // ---- products ----
  app.post('/api/products', {
    schema: { tags: ['inventory'], summary: 'Add a product (drug, filler, PRP kit, pigment); code is the seed\'s drug_id', body: NewProduct, response: { 201: ProductDto } },
  }, async (req, reply) => {
    const out = await guard(req, { permission: 'inventory.write' }, (tx) => idempotent(tx, req, async () => {
      const b = req.body;
      const p = await createProduct(tx, origin(req), {
        code: b.code, name: b.name, productType: b.product_type, unit: b.unit, supplier: b.supplier, pigmentId: b.pigment_id, ingredients: b.ingredients,
        reorderLevel: b.reorder_level, isActive: b.is_active,
      }, await today(tx, deps));
      return { status: 201, body: productDto(p) };
    }));
    return reply.status(out.status as 201).send(out.body as z.infer<typeof ProductDto>);
  });

  app.get('/api/products', {
    schema: {
      tags: ['inventory'], summary: 'Products by name with stock on hand; q searches code and name',
      querystring: z.object({
        ...pageQuery, q: z.string().trim().max(200).optional(), product_type: z.enum(PRODUCT_TYPES).optional(),
        active: z.enum(['true', 'false']).optional(), low_stock: z.enum(['true', 'false']).optional(),
      }),
      response: { 200: pageOf(ProductDto) },
    },
  }, async (req) => guard(req, { permission: 'inventory.read' }, async (tx) => {
    const q = req.query;
    const cursor = decodeCursor(q.cursor, z.object({ name: z.string(), id: Uuid }));
    const rows = await listProducts(tx, {
      q: q.q || undefined, productType: q.product_type, active: q.active === undefined ? undefined : q.active === 'true',
      lowStock: q.low_stock === undefined ? undefined : q.low_stock === 'true', limit: q.limit, cursor,
    }, await today(tx, deps));
    await audit(tx, origin(req), { action: 'list', entityType: 'product', details: { count: Math.min(rows.length, q.limit) } });
    return page(rows, q.limit, (p) => ({ name: p.name.toLowerCase(), id: p.id }), productDto);
  }));

  app.get('/api/products/:id', {
    schema: { tags: ['inventory'], summary: 'A product, by id or code', params: z.object({ id: Ref }), response: { 200: ProductDto } },
  }, async (req) => guard(req, { permission: 'inventory.read' }, async (tx) => {
    const p = await findProduct(tx, req.params.id, await today(tx, deps));
    if (!p) throw errors.notFound('product');
    await audit(tx, origin(req), { action: 'read', entityType: 'product', entityId: p.id });
    return productDto(p);
  }));

  app.patch('/api/products/:id', {
    schema: { tags: ['inventory'], summary: 'Change a product (its unit only while it has no lots)', params: z.object({ id: Ref }), body: ProductPatch, response: { 200: ProductDto } },
  }, async (req) => guard(req, { permission: 'inventory.write' }, async (tx) => {
    const b = req.body;
    return productDto(await updateProduct(tx, origin(req), req.params.id, {
      code: b.code, name: b.name, productType: b.product_type, unit: b.unit, supplier: b.supplier, pigmentId: b.pigment_id, ingredients: b.ingredients,
      reorderLevel: b.reorder_level, isActive: b.is_active,
    }, await today(tx, deps), deps.now()));
  }));

  app.delete('/api/products/:id', {
    schema: { tags: ['inventory'], summary: 'Delete a product (soft; refused while stock is on hand)', params: z.object({ id: Ref }), response: { 204: z.null() } },
  }, async (req, reply) => {
    await guard(req, { permission: 'inventory.write' }, async (tx) => deleteProduct(tx, origin(req), req.params.id, await today(tx, deps), deps.now()));
    return reply.status(204).send(null);
  });

  // ---- lots ----
  app.post('/api/products/:id/lots', {
    schema: { tags: ['inventory'], summary: 'Receive a lot of a product (a receive movement)', params: z.object({ id: Ref }), body: NewLot, response: { 201: LotDto } },
  }, async (req, reply) => {
    const out = await guard(req, { permission: 'inventory.write' }, (tx) => idempotent(tx, req, async () => {
      const b = req.body;
      const l = await receiveLot(tx, origin(req), req.params.id, {
        lotNumber: b.lot_number, expiryDate: b.expiry_date, quantity: b.quantity, supplier: b.supplier, unitCostMinor: b.unit_cost_minor, currency: b.currency,
        receivedAt: b.received_at ? new Date(b.received_at) : undefined,
      }, await today(tx, deps), deps.now());
      return { status: 201, body: lotDto(l) };
    }));
    return reply.status(out.status as 201).send(out.body as z.infer<typeof LotDto>);
  });

  app.get('/api/lots', {
    schema: {
      tags: ['inventory'], summary: 'Lots by expiry, soonest first; expiring_within_days=N lists lots in stock expiring within N days, expired ones flagged',
      querystring: z.object({
        ...pageQuery, product_id: Ref.optional().describe('Product id or code'), status: z.enum(LOT_STATUSES).optional(), q: z.string().trim().max(100).optional(),
        expiring_within_days: z.coerce.number().int().min(0).max(3650).optional(), in_stock: z.enum(['true', 'false']).optional(),
      }),
      response: { 200: pageOf(LotDto) },
    },
  }, async (req) => guard(req, { permission: 'inventory.read' }, async (tx) => {
    const q = req.query;
    const cursor = decodeCursor(q.cursor, z.object({ date: DateStr, id: Uuid }));
    const rows = await listLots(tx, {
      product: q.product_id, status: q.status, q: q.q || undefined, expiringWithinDays: q.expiring_within_days,
      inStock: q.in_stock === undefined ? undefined : q.in_stock === 'true', limit: q.limit, cursor,
    }, await today(tx, deps));
    await audit(tx, origin(req), { action: 'list', entityType: 'lot', details: { count: Math.min(rows.length, q.limit) } });
    return page(rows, q.limit, (l) => ({ date: l.expiry_date, id: l.id }), lotDto);
  }));

  app.get('/api/lots/:id', {
    schema: { tags: ['inventory'], summary: 'A lot', params: z.object({ id: Uuid }), response: { 200: LotDto } },
  }, async (req) => guard(req, { permission: 'inventory.read' }, async (tx) => {
    const l = await findLot(tx, req.params.id, await today(tx, deps));
    if (!l) throw errors.notFound('lot');
    await audit(tx, origin(req), { action: 'read', entityType: 'lot', entityId: l.id });
    return lotDto(l);
  }));

  app.patch('/api/lots/:id', {
    schema: {
      tags: ['inventory'], summary: 'Quarantine, release, recall or dispose of a lot (status changes need a reason); disposing writes off what is left',
      params: z.object({ id: Uuid }), body: LotPatch, response: { 200: LotDto },
    },
  }, async (req) => guard(req, { permission: 'inventory.write' }, async (tx) => {
    const b = req.body;
    return lotDto(await updateLot(tx, origin(req), req.params.id, {
      status: b.status, reason: b.reason, supplier: b.supplier, unitCostMinor: b.unit_cost_minor, expiryDate: b.expiry_date,
    }, await today(tx, deps), deps.now()));
  }));

  app.post('/api/lots/:id/movements', {
    schema: {
      tags: ['inventory'], summary: 'Adjust a lot\'s count (adjust: signed quantity) or write off waste (positive quantity); never below zero',
      params: z.object({ id: Uuid }), body: Adjustment, response: { 201: z.object({ movement_id: z.string(), lot: LotDto }) },
    },
  }, async (req, reply) => {
    const out = await guard(req, { permission: 'inventory.write' }, (tx) => idempotent(tx, req, async () => {
      const r = await adjustLot(tx, origin(req), req.params.id, req.body, await today(tx, deps), deps.now());
      return { status: 201, body: { movement_id: r.movementId, lot: lotDto(r.lot) } };
    }));
    return reply.status(out.status as 201).send(out.body as { movement_id: string; lot: z.infer<typeof LotDto> });
  });

  app.get('/api/lots/:id/movements', {
    schema: {
      tags: ['inventory'], summary: 'A lot\'s stock movements, newest first', params: z.object({ id: Uuid }),
      querystring: z.object({ ...pageQuery }), response: { 200: pageOf(MovementDto) },
    },
  }, async (req) => guard(req, { permission: 'inventory.read' }, async (tx) => {
    if (!await findLot(tx, req.params.id, await today(tx, deps))) throw errors.notFound('lot');
    const cursor = decodeCursor(req.query.cursor, z.object({ at: z.string(), id: Uuid }));
    const rows = await listMovements(tx, req.params.id, req.query.limit, cursor);
    await audit(tx, origin(req), { action: 'list', entityType: 'stock_movement', entityId: req.params.id, details: { count: Math.min(rows.length, req.query.limit) } });
    return page(rows, req.query.limit, (m) => ({ at: iso(m.created_at), id: m.id }), (m) => ({
      movement_id: m.id, kind: m.kind, quantity: Number(m.quantity), usage_id: m.usage_id, session_id: m.session_id, patient_id: m.patient_id, reason: m.reason,
      created_by: m.created_by, created_at: iso(m.created_at)!,
    }));
  }));

  app.get('/api/lots/:id/recall', {
    schema: {
      tags: ['inventory'], summary: 'Recall: the patients who received this lot, with sessions, dates and amounts (needs patient.read too)',
      params: z.object({ id: Uuid }), response: { 200: RecallDto },
    },
  }, async (req) => guard(req, { permission: 'inventory.read' }, async (tx, p) => {
    if (!p.permissions.has('patient.read')) throw errors.forbidden('A recall list names patients (needs patient.read).');
    const lot = await findLot(tx, req.params.id, await today(tx, deps));
    if (!lot) throw errors.notFound('lot');
    const lines = await recallLines(tx, lot.id);
    const patients = new Map<string, z.infer<typeof RecallDto>['patients'][number]>();
    for (const l of lines) {
      let entry = patients.get(l.patient_id);
      if (!entry) {
        entry = { patient_id: l.patient_id, patient_code: l.patient_code, full_name: l.full_name, phone: l.phone, email: l.email, total_used: 0, sessions: [] };
        patients.set(l.patient_id, entry);
      }
      entry.total_used += Number(l.amount_used ?? 0);
      entry.sessions.push({
        session_id: l.session_id, usage_id: l.usage_id, performed_at: iso(l.performed_at)!, performed_on: l.performed_on, treatment_code: l.treatment_code,
        treatment_name: l.treatment_name, practitioner_name: l.practitioner_name, amount_used: n(l.amount_used), unit: l.unit, source: l.source,
        session_deleted: l.session_deleted,
      });
    }
    const list = [...patients.values()];
    await audit(tx, origin(req), { action: 'export', entityType: 'lot_recall', entityId: lot.id, details: { patient_count: list.length, sessions: lines.length } });
    return { lot: lotDto(lot), patient_count: list.length, total_used: Math.round(list.reduce((a, e) => a + e.total_used, 0) * 100) / 100, patients: list };
  }));

  // ---- usage (seed 000 TREATMENT_DRUG_USAGE) ----
  app.post('/api/treatment-drug-usage', {
    schema: {
      tags: ['inventory'], summary: 'Record a product used in a session (seed 000 body); takes it from the named lot or the earliest-expiring usable one',
      description: 'drug_id takes a product id or code. Refusals (422): lot_expired, insufficient_stock (with the available quantity), lot_quarantined, lot_recalled, lot_disposed, unit_mismatch.',
      body: NewUsage, response: { 201: UsageDto.extend({ lot_chosen_by: z.enum(['named', 'fefo']), warnings: z.array(z.string()) }) },
    },
  }, async (req, reply) => {
    const out = await guard(req, { permission: 'inventory.write' }, (tx) => idempotent(tx, req, async () => {
      const b = req.body;
      const usePointer = b.drug_id !== undefined ? '/drug_id' : '/product_id';
      if (b.drug_id !== undefined && b.product_id !== undefined && b.drug_id !== b.product_id) {
        throw errors.validation('Send drug_id or product_id, not two different ones.', [{ pointer: '/product_id', message: 'differs from drug_id' }]);
      }
      const r = await recordUsage(tx, origin(req), {
        sessionId: b.session_id, product: (b.drug_id ?? b.product_id)!, productPointer: usePointer, amountUsed: b.amount_used, unit: b.unit,
        lotId: b.lot_id, lotNumber: b.lot_number,
      }, deps.now());
      return { status: 201, body: { ...usageDto(r.usage), lot_chosen_by: r.chosenBy, warnings: r.warnings } };
    }));
    return reply.status(out.status as 201).send(out.body as z.infer<typeof UsageDto> & { lot_chosen_by: 'named' | 'fefo'; warnings: string[] });
  });

  app.get('/api/treatment-drug-usage', {
    schema: {
      tags: ['inventory'], summary: 'Recorded product usage, newest first',
      querystring: z.object({ ...pageQuery, session_id: Uuid.optional(), patient_id: Uuid.optional(), lot_id: Uuid.optional(), drug_id: Ref.optional() }),
      response: { 200: pageOf(UsageDto) },
    },
  }, async (req) => guard(req, { permission: 'inventory.read' }, async (tx) => {
    const q = req.query;
    const cursor = decodeCursor(q.cursor, z.object({ at: z.string(), id: Uuid }));
    const rows = await listUsages(tx, { sessionId: q.session_id, patientId: q.patient_id, lotId: q.lot_id, product: q.drug_id, limit: q.limit, cursor });
    await audit(tx, origin(req), { action: 'list', entityType: 'drug_usage', details: { count: Math.min(rows.length, q.limit) } });
    return page(rows, q.limit, (u) => ({ at: iso(u.created_at), id: u.id }), usageDto);
  }));

  app.get('/api/treatment-drug-usage/:id', {
    schema: { tags: ['inventory'], summary: 'A recorded usage', params: z.object({ id: Uuid }), response: { 200: UsageDto } },
  }, async (req) => guard(req, { permission: 'inventory.read' }, async (tx) => {
    const u = await findUsage(tx, req.params.id);
    if (!u) throw errors.notFound('drug usage');
    await audit(tx, origin(req), { action: 'read', entityType: 'drug_usage', entityId: u.id });
    return usageDto(u);
  }));

  app.delete('/api/treatment-drug-usage/:id', {
    schema: { tags: ['inventory'], summary: 'Undo a usage recorded in error (soft delete; the amount returns to its lot)', params: z.object({ id: Uuid }), response: { 204: z.null() } },
  }, async (req, reply) => {
    await guard(req, { permission: 'inventory.write' }, (tx) => deleteUsage(tx, origin(req), req.params.id, deps.now()));
    return reply.status(204).send(null);
  });
}
