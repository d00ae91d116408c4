import { bigint, boolean, date, index, integer, pgTable, primaryKey, smallint, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { orgId } from '../../platform/db/columns.js';
import { organizations } from '../identity/identity.schema.js';

/*
 * Dashboard rollups (migration 0018; docs/dashboards.md "How the figures are kept"). Derived data,
 * kept by triggers on treatment_sessions, followups and visits in the writing transaction and
 * recomputed from scratch by visage_dashboard_rebuild(org). The additive tables carry a `slot`
 * (the writing connection's share of a row): concurrent writers add to different rows instead of
 * queueing on one hot row, and readers sum the slots.
 */

/** Sessions, priced sessions and revenue per organization-local day, treatment and PMU procedure type ('' when none). */
export const sessionDayStats = pgTable('session_day_stats', {
  orgId: orgId().references(() => organizations.id),
  day: date('day').notNull(),
  treatmentId: uuid('treatment_id').notNull(),
  procedureType: text('procedure_type').notNull().default(''),
  slot: smallint('slot').notNull(),
  sessions: integer('sessions').notNull(),
  priced: integer('priced').notNull(),
  revenueMinor: bigint('revenue_minor', { mode: 'number' }).notNull(),
}, (t) => [primaryKey({ columns: [t.orgId, t.day, t.treatmentId, t.procedureType, t.slot] })]);

/** For the 12 local months ending with `month`: patients with at least one session of the treatment, and with two or more. */
export const treatmentRepeatStats = pgTable('treatment_repeat_stats', {
  orgId: orgId().references(() => organizations.id),
  treatmentId: uuid('treatment_id').notNull(),
  month: date('month').notNull(),
  slot: smallint('slot').notNull(),
  patients: integer('patients').notNull(),
  repeaters: integer('repeaters').notNull(),
}, (t) => [primaryKey({ columns: [t.orgId, t.month, t.treatmentId, t.slot] })]);

/**
 * One row per patient: first and last session, whether the patient came back within 12 months of
 * the first (retention), the latest recommended re-treatment date and, when nothing comes after
 * it, the same date as `risk_date` (follow-up risk).
 */
export const patientCareSummary = pgTable('patient_care_summary', {
  orgId: orgId().references(() => organizations.id),
  patientId: uuid('patient_id').notNull(),
  firstSessionAt: timestamp('first_session_at', { withTimezone: true }),
  returned: boolean('returned').notNull().default(false),
  lastSessionAt: timestamp('last_session_at', { withTimezone: true }),
  lastTreatmentId: uuid('last_treatment_id'),
  recommendedDate: date('recommended_date'),
  riskDate: date('risk_date'),
}, (t) => [
  primaryKey({ columns: [t.orgId, t.patientId] }),
  index('patient_care_summary_risk_idx').on(t.orgId, t.riskDate, t.patientId).where(sql`risk_date IS NOT NULL`),
  index('patient_care_summary_cohort_idx').on(t.orgId, t.firstSessionAt, t.returned).where(sql`first_session_at IS NOT NULL`),
]);


