import { sql } from 'drizzle-orm';
import { boolean, check, date, foreignKey, index, integer, pgTable, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, deletedAt, id, orgId, updatedAt } from '../../platform/db/columns.js';
import { organizations } from '../identity/identity.schema.js';
import { patients } from '../records/records.schema.js';

export const FOLLOWUP_TYPES = ['medical', 'maintenance', 'reminder', 'touch_up'] as const;
export const FOLLOWUP_STATUSES = ['planned', 'done', 'cancelled', 'missed'] as const;
export const REMINDER_CHANNELS = ['email', 'sms', 'whatsapp', 'line'] as const;

/** Seed 000 FOLLOW_UP: generated from the treatment's rules, or planned and recommended by hand. */
export const followups = pgTable('followups', {
  id: id(),
  orgId: orgId().references(() => organizations.id),
  patientId: uuid('patient_id').notNull(),
  sessionId: uuid('session_id'),
  treatmentId: uuid('treatment_id'),
  followupType: text('followup_type', { enum: FOLLOWUP_TYPES }).notNull(),
  scheduledDate: date('scheduled_date').notNull(),
  actualDate: date('actual_date'),
  outcomeNotes: text('outcome_notes'),
  nextRecommendDate: date('next_recommend_date'),
  notifyFlag: boolean('notify_flag').notNull().default(false),
  status: text('status', { enum: FOLLOWUP_STATUSES }).notNull().default('planned'),
  source: text('source', { enum: ['rule', 'manual', 'recommend'] }).notNull().default('manual'),
  /** 09:00 in the organization's time zone the day before scheduled_date (set by a trigger, migration 0008); NULL when no reminder is pending. */
  reminderDueAt: timestamp('reminder_due_at', { withTimezone: true }),
  /** Reminder channel; NULL = the patient's email, else their phone by SMS. */
  channel: text('channel', { enum: REMINDER_CHANNELS }),
  reminderQueuedAt: timestamp('reminder_queued_at', { withTimezone: true }),
  cancelReason: text('cancel_reason'),
  createdBy: uuid('created_by'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
  deletedAt: deletedAt(),
}, (t) => [
  unique('followups_org_id_key').on(t.orgId, t.id),
  foreignKey({ columns: [t.orgId, t.patientId], foreignColumns: [patients.orgId, patients.id], name: 'followups_patient_fk' }),
  index('followups_org_date_idx').on(t.orgId, t.scheduledDate, t.status),
  index('followups_patient_idx').on(t.orgId, t.patientId, t.scheduledDate),
  index('followups_session_idx').on(t.orgId, t.sessionId),
  index('followups_reminder_due_idx').on(t.reminderDueAt).where(sql`${t.reminderDueAt} IS NOT NULL`),
  index('followups_planned_date_idx').on(t.orgId, t.scheduledDate, t.id).where(sql`${t.status} = 'planned' AND ${t.deletedAt} IS NULL`),
  index('followups_planned_maintenance_idx').on(t.orgId, t.scheduledDate, t.patientId)
    .where(sql`${t.status} = 'planned' AND ${t.followupType} = 'maintenance' AND ${t.deletedAt} IS NULL`),
  index('followups_next_recommend_idx').on(t.orgId, t.nextRecommendDate, t.patientId)
    .where(sql`${t.nextRecommendDate} IS NOT NULL AND ${t.status} <> 'cancelled' AND ${t.deletedAt} IS NULL`),
  check('followups_channel_check', sql`${t.channel} IS NULL OR ${t.channel} IN ('email', 'sms', 'whatsapp', 'line')`),
  check('followups_type_check', sql`${t.followupType} IN ('medical', 'maintenance', 'reminder', 'touch_up')`),
  check('followups_status_check', sql`${t.status} IN ('planned', 'done', 'cancelled', 'missed')`),
  check('followups_source_check', sql`${t.source} IN ('rule', 'manual', 'recommend')`),
]);

/** One delivery per follow-up reminder and channel: the unique key makes a reminder go out once. */
export const reminderDeliveries = pgTable('reminder_deliveries', {
  id: id(),
  orgId: orgId().references(() => organizations.id),
  followupId: uuid('followup_id').notNull(),
  channel: text('channel', { enum: REMINDER_CHANNELS }).notNull(),
  status: text('status', { enum: ['sending', 'sent', 'failed'] }).notNull().default('sending'),
  attempts: integer('attempts').notNull().default(0),
  providerMessageId: text('provider_message_id'),
  lastError: text('last_error'),
  sentAt: timestamp('sent_at', { withTimezone: true }),
  /** A worker that claimed the delivery holds it until then; afterwards a retry may claim it again. */
  claimedUntil: timestamp('claimed_until', { withTimezone: true }),
  createdAt: createdAt(),
}, (t) => [
  uniqueIndex('reminder_deliveries_once_key').on(t.orgId, t.followupId, t.channel),
  check('reminder_deliveries_channel_check', sql`${t.channel} IN ('email', 'sms', 'whatsapp', 'line')`),
  check('reminder_deliveries_status_check', sql`${t.status} IN ('sending', 'sent', 'failed')`),
]);

/** Sweep slots (one a minute) claimed by the self-rescheduling reminder sweep; no tenant data. */
export const reminderSweepSlots = pgTable('reminder_sweep_slots', {
  slot: timestamp('slot', { withTimezone: true }).primaryKey(),
  ranAt: timestamp('ran_at', { withTimezone: true }).notNull().defaultNow(),
});
