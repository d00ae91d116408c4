import { sql } from 'drizzle-orm';
import { bigint, check, date, foreignKey, index, integer, jsonb, numeric, pgTable, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, deletedAt, id, orgId, updatedAt } from '../../platform/db/columns.js';
import { organizations } from '../identity/identity.schema.js';
import { patients } from '../records/records.schema.js';

/** Seed 000 VISIT: one clinic visit may contain several treatment sessions. */
export const visits = pgTable('visits', {
  id: id(),
  orgId: orgId().references(() => organizations.id),
  patientId: uuid('patient_id').notNull(),
  visitDate: date('visit_date').notNull(),
  visitType: text('visit_type', { enum: ['consultation', 'treatment', 'follow_up'] }).notNull(),
  practitionerId: uuid('practitioner_id'),
  notes: text('notes'),
  createdBy: uuid('created_by'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
  deletedAt: deletedAt(),
}, (t) => [
  unique('visits_org_id_key').on(t.orgId, t.id),
  foreignKey({ columns: [t.orgId, t.patientId], foreignColumns: [patients.orgId, patients.id], name: 'visits_patient_fk' }),
  index('visits_patient_idx').on(t.orgId, t.patientId, t.visitDate),
  check('visits_type_check', sql`${t.visitType} IN ('consultation', 'treatment', 'follow_up')`), // 0007
]);

/**
 * Seed 000 TREATMENT_SESSION (+ seed 001 Procedures): the core clinical record. Once signed it is
 * changed only by amendments, which keep every earlier version (session_amendments).
 */
export const treatmentSessions = pgTable('treatment_sessions', {
  id: id(),
  orgId: orgId().references(() => organizations.id),
  visitId: uuid('visit_id'),
  patientId: uuid('patient_id').notNull(),
  treatmentId: uuid('treatment_id').notNull(),
  practitionerId: uuid('practitioner_id'),
  deviceId: uuid('device_id'),
  sessionNo: integer('session_no').notNull(),
  dosageValue: numeric('dosage_value', { precision: 12, scale: 2 }),
  dosageUnit: text('dosage_unit'),
  /** Named areas ({"left_masseter": 20}) or face-map points ([{x, y, units, area}]). */
  treatmentArea: jsonb('treatment_area'),
  deviceSettings: jsonb('device_settings'),
  /** Seed 001 PMU specifics: procedure_type, area_treated, duration_min, voltage, needle_configuration, depth, pigment_brand, pigment_color, lot_number. */
  pmu: jsonb('pmu'),
  performedAt: timestamp('performed_at', { withTimezone: true }).notNull(),
  immediateReaction: text('immediate_reaction'),
  clinicalNotes: text('clinical_notes'),
  priceMinor: bigint('price_minor', { mode: 'number' }),
  currency: text('currency'),
  status: text('status', { enum: ['draft', 'signed'] }).notNull().default('signed'),
  version: integer('version').notNull().default(1),
  signedAt: timestamp('signed_at', { withTimezone: true }),
  signedBy: uuid('signed_by'),
  consentException: text('consent_exception'),
  createdBy: uuid('created_by'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
  deletedAt: deletedAt(),
}, (t) => [
  unique('treatment_sessions_org_id_key').on(t.orgId, t.id),
  foreignKey({ columns: [t.orgId, t.patientId], foreignColumns: [patients.orgId, patients.id], name: 'treatment_sessions_patient_fk' }),
  uniqueIndex('treatment_sessions_number_key').on(t.orgId, t.patientId, t.treatmentId, t.sessionNo).where(sql`${t.deletedAt} IS NULL`),
  index('treatment_sessions_performed_idx').on(t.orgId, t.performedAt),
  index('treatment_sessions_treatment_idx').on(t.orgId, t.treatmentId, t.performedAt),
  index('treatment_sessions_patient_idx').on(t.orgId, t.patientId, t.performedAt),
  check('treatment_sessions_dosage_check', sql`${t.dosageValue} IS NULL OR ${t.dosageValue} >= 0`),
  check('treatment_sessions_price_check', sql`${t.priceMinor} IS NULL OR ${t.priceMinor} >= 0`),
  // 0007_clinical_extra.sql
  check('treatment_sessions_status_check', sql`${t.status} IN ('draft', 'signed')`),
  check('treatment_sessions_signed_check', sql`${t.status} <> 'signed' OR ${t.signedAt} IS NOT NULL`),
  check('treatment_sessions_session_no_check', sql`${t.sessionNo} >= 1`),
  check('treatment_sessions_currency_check', sql`${t.currency} IS NULL OR ${t.currency} ~ '^[A-Z]{3}$'`),
  index('treatment_sessions_pmu_lot_idx').on(t.orgId, sql`lower(${t.pmu}->>'lot_number')`).where(sql`${t.pmu} ? 'lot_number'`),
]);

/** Earlier versions of a signed session: who changed what, when and why. */
export const sessionAmendments = pgTable('session_amendments', {
  id: id(),
  orgId: orgId().references(() => organizations.id),
  sessionId: uuid('session_id').notNull(),
  version: integer('version').notNull(),
  previous: jsonb('previous').notNull(),
  changedFields: text('changed_fields').array().notNull(),
  reason: text('reason').notNull(),
  amendedBy: uuid('amended_by'),
  amendedAt: timestamp('amended_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  foreignKey({ columns: [t.orgId, t.sessionId], foreignColumns: [treatmentSessions.orgId, treatmentSessions.id], name: 'session_amendments_session_fk' }),
  uniqueIndex('session_amendments_version_key').on(t.orgId, t.sessionId, t.version),
  check('session_amendments_version_check', sql`${t.version} >= 2`), // 0007
]);

/** Seed 000 TREATMENT_DRUG_USAGE: what a session used, from which lot. */
export const drugUsages = pgTable('drug_usages', {
  id: id(),
  orgId: orgId().references(() => organizations.id),
  sessionId: uuid('session_id').notNull(),
  productId: uuid('product_id').notNull(),
  lotId: uuid('lot_id').notNull(),
  amountUsed: numeric('amount_used', { precision: 12, scale: 2 }).notNull(),
  unit: text('unit').notNull(),
  createdBy: uuid('created_by'),
  createdAt: createdAt(),
  deletedAt: deletedAt(),
}, (t) => [
  unique('drug_usages_org_id_key').on(t.orgId, t.id),
  foreignKey({ columns: [t.orgId, t.sessionId], foreignColumns: [treatmentSessions.orgId, treatmentSessions.id], name: 'drug_usages_session_fk' }),
  index('drug_usages_lot_idx').on(t.orgId, t.lotId),
  index('drug_usages_session_idx').on(t.orgId, t.sessionId),
  check('drug_usages_amount_check', sql`${t.amountUsed} > 0`),
]);
