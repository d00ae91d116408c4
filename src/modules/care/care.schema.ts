import { sql } from 'drizzle-orm';
import { boolean, date, foreignKey, index, integer, pgTable, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, deletedAt, id, orgId, updatedAt } from '../../platform/db/columns.js';
import { organizations } from '../identity/identity.schema.js';
import { patients } from '../records/records.schema.js';

export const FOLLOWUP_TYPES = ['medical', 'maintenance', 'reminder', 'touch_up'] as const;

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
  status: text('status', { enum: ['planned', 'done', 'cancelled', 'missed'] }).notNull().default('planned'),
  source: text('source', { enum: ['rule', 'manual', 'recommend'] }).notNull().default('manual'),
  reminderDueAt: timestamp('reminder_due_at', { withTimezone: true }),
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
]);

/** One delivery per follow-up reminder and channel: the unique key makes a reminder go out once. */
export const reminderDeliveries = pgTable('reminder_deliveries', {
  id: id(),
  orgId: orgId().references(() => organizations.id),
  followupId: uuid('followup_id').notNull(),
  channel: text('channel', { enum: ['email', 'sms', 'whatsapp', 'line'] }).notNull(),
  status: text('status', { enum: ['sending', 'sent', 'failed'] }).notNull().default('sending'),
  attempts: integer('attempts').notNull().default(0),
  providerMessageId: text('provider_message_id'),
  lastError: text('last_error'),
  sentAt: timestamp('sent_at', { withTimezone: true }),
  createdAt: createdAt(),
}, (t) => [
  uniqueIndex('reminder_deliveries_once_key').on(t.orgId, t.followupId, t.channel),
]);
