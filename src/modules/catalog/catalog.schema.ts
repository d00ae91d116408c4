import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, jsonb, pgTable, text, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, deletedAt, id, orgId, updatedAt } from '../../platform/db/columns.js';
import { organizations } from '../identity/identity.schema.js';

export const TREATMENT_CATEGORIES = ['Injection', 'Device', 'Laser', 'PMU', 'Surgery', 'Other'] as const;
export const DOSAGE_UNITS = ['U', 'lines', 'cc', 'ml', 'session', 'shots', 'grafts', 'mg'] as const;

/**
 * The treatment catalogue (seed 000 TREATMENT): code, names (zh-TW and English), category, unit,
 * base price in minor units with its currency, consent requirement and follow-up rules
 * (`followup_rules`: [{ type: medical|maintenance|reminder, after_days, notify }]).
 */
export const treatments = pgTable('treatments', {
  id: id(),
  orgId: orgId().references(() => organizations.id),
  code: text('code').notNull(),
  name: text('name').notNull(),
  nameEn: text('name_en'),
  category: text('category', { enum: TREATMENT_CATEGORIES }).notNull(),
  defaultUnit: text('default_unit', { enum: DOSAGE_UNITS }).notNull(),
  basePriceMinor: bigint('base_price_minor', { mode: 'number' }).notNull().default(0),
  currency: text('currency').notNull(),
  description: text('description'),
  isActive: boolean('is_active').notNull().default(true),
  consentRequired: boolean('consent_required').notNull().default(false),
  followupRules: jsonb('followup_rules').notNull().default(sql`'[]'::jsonb`),
  /** Ingredients and contraindication keys screened before a session (e.g. botulinum_toxin, pregnancy). */
  contraindications: text('contraindications').array().notNull().default(sql`'{}'::text[]`),
  ingredients: text('ingredients').array().notNull().default(sql`'{}'::text[]`),
  procedureType: text('procedure_type'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
  deletedAt: deletedAt(),
}, (t) => [
  unique('treatments_org_id_key').on(t.orgId, t.id),
  uniqueIndex('treatments_org_code_key').on(t.orgId, sql`lower(${t.code})`).where(sql`${t.deletedAt} is null`),
  check('treatments_price_check', sql`${t.basePriceMinor} >= 0`),
  check('treatments_currency_check', sql`${t.currency} ~ '^[A-Z]{3}$'`),
]);

/** Seed 001 pigment library: brand, colour, undertone. Lots of a pigment live in inventory (products). */
export const pigments = pgTable('pigments', {
  id: id(),
  orgId: orgId().references(() => organizations.id),
  brand: text('brand').notNull(),
  color: text('color').notNull(),
  undertone: text('undertone'),
  notes: text('notes'),
  isActive: boolean('is_active').notNull().default(true),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
  deletedAt: deletedAt(),
}, (t) => [
  unique('pigments_org_id_key').on(t.orgId, t.id),
  uniqueIndex('pigments_org_brand_color_key').on(t.orgId, sql`lower(${t.brand})`, sql`lower(${t.color})`).where(sql`${t.deletedAt} is null`),
]);

/** Consent templates, versioned per treatment; a new version supersedes the previous one. */
export const consentTemplates = pgTable('consent_templates', {
  id: id(),
  orgId: orgId().references(() => organizations.id),
  treatmentId: uuid('treatment_id'),
  title: text('title').notNull(),
  version: integer('version').notNull(),
  body: text('body').notNull(),
  isCurrent: boolean('is_current').notNull().default(true),
  createdBy: uuid('created_by'),
  createdAt: createdAt(),
}, (t) => [
  unique('consent_templates_org_id_key').on(t.orgId, t.id),
  uniqueIndex('consent_templates_version_key').on(t.orgId, t.treatmentId, t.version),
  uniqueIndex('consent_templates_current_key').on(t.orgId, t.treatmentId).where(sql`${t.isCurrent}`),
  index('consent_templates_treatment_idx').on(t.orgId, t.treatmentId),
  check('consent_templates_version_check', sql`${t.version} >= 1`),
]);
