import { sql } from 'drizzle-orm';
import { bigint, boolean, check, date, foreignKey, index, numeric, pgTable, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, deletedAt, id, orgId, updatedAt } from '../../platform/db/columns.js';
import { organizations } from '../identity/identity.schema.js';

/** Seed 000 DRUG and products: Botox, HA, PRP kits, pigments. `code` is the seed's drug_id (BOTOX_US). */
export const products = pgTable('products', {
  id: id(),
  orgId: orgId().references(() => organizations.id),
  code: text('code').notNull(),
  name: text('name').notNull(),
  productType: text('product_type', { enum: ['Botox', 'HA', 'PRP', 'Pigment', 'Anesthetic', 'Skincare', 'Other'] }).notNull(),
  unit: text('unit').notNull(),
  supplier: text('supplier'),
  pigmentId: uuid('pigment_id'),
  ingredients: text('ingredients').array().notNull().default(sql`'{}'::text[]`),
  reorderLevel: numeric('reorder_level', { precision: 12, scale: 2 }),
  isActive: boolean('is_active').notNull().default(true),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
  deletedAt: deletedAt(),
}, (t) => [
  unique('products_org_id_key').on(t.orgId, t.id),
  uniqueIndex('products_org_code_key').on(t.orgId, sql`lower(${t.code})`).where(sql`${t.deletedAt} IS NULL`),
  check('products_type_check', sql`${t.productType} IN ('Botox', 'HA', 'PRP', 'Pigment', 'Anesthetic', 'Skincare', 'Other')`), // 0007
]);

/** A lot of a product: number, expiry, quantity on hand (never negative). */
export const lots = pgTable('lots', {
  id: id(),
  orgId: orgId().references(() => organizations.id),
  productId: uuid('product_id').notNull(),
  lotNumber: text('lot_number').notNull(),
  expiryDate: date('expiry_date').notNull(),
  quantityReceived: numeric('quantity_received', { precision: 12, scale: 2 }).notNull(),
  quantityOnHand: numeric('quantity_on_hand', { precision: 12, scale: 2 }).notNull(),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  supplier: text('supplier'),
  unitCostMinor: bigint('unit_cost_minor', { mode: 'number' }),
  currency: text('currency'),
  status: text('status', { enum: ['active', 'quarantined', 'recalled', 'disposed'] }).notNull().default('active'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  unique('lots_org_id_key').on(t.orgId, t.id),
  foreignKey({ columns: [t.orgId, t.productId], foreignColumns: [products.orgId, products.id], name: 'lots_product_fk' }),
  uniqueIndex('lots_product_number_key').on(t.orgId, t.productId, t.lotNumber),
  index('lots_expiry_idx').on(t.orgId, t.expiryDate),
  check('lots_on_hand_check', sql`${t.quantityOnHand} >= 0`),
  check('lots_received_check', sql`${t.quantityReceived} > 0`),
  check('lots_status_check', sql`${t.status} IN ('active', 'quarantined', 'recalled', 'disposed')`), // 0007
]);

/** Every change of a lot's quantity, signed (+ receive, - use/waste). */
export const stockMovements = pgTable('stock_movements', {
  id: id(),
  orgId: orgId().references(() => organizations.id),
  lotId: uuid('lot_id').notNull(),
  kind: text('kind', { enum: ['receive', 'use', 'adjust', 'waste', 'return'] }).notNull(),
  quantity: numeric('quantity', { precision: 12, scale: 2 }).notNull(),
  usageId: uuid('usage_id'),
  reason: text('reason'),
  createdBy: uuid('created_by'),
  createdAt: createdAt(),
}, (t) => [
  foreignKey({ columns: [t.orgId, t.lotId], foreignColumns: [lots.orgId, lots.id], name: 'stock_movements_lot_fk' }),
  index('stock_movements_lot_idx').on(t.orgId, t.lotId, t.createdAt),
  // 0007_clinical_extra.sql
  check('stock_movements_kind_check', sql`${t.kind} IN ('receive', 'use', 'adjust', 'waste', 'return')`),
  check('stock_movements_quantity_check', sql`${t.quantity} <> 0`),
]);
