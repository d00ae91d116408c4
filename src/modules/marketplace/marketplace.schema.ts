import { sql } from 'drizzle-orm';
import { index, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, updatedAt } from '../../platform/db/columns.js';
import { organizations, users } from '../identity/identity.schema.js';

/**
 * A patient's request for quotes (seed 002 inquiries). Owned by the patient user, not by an
 * organization, and shared with the providers the patient chose through inquiry_providers.
 * Row-level security lets the owner and the chosen providers see it, nobody else.
 */
export const inquiries = pgTable('inquiries', {
  id: id(),
  ownerUserId: uuid('owner_user_id').notNull().references(() => users.id),
  problem: text('problem').notNull(),
  problemDetails: text('problem_details').notNull().default(''),
  treatmentSchedule: jsonb('treatment_schedule').notNull().default(sql`'{}'::jsonb`),
  status: text('status').notNull().default('inquiry'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [index('inquiries_owner_idx').on(t.ownerUserId, t.createdAt)]);

/** The providers an inquiry is shared with, and how much of the patient they may see. */
export const inquiryProviders = pgTable('inquiry_providers', {
  inquiryId: uuid('inquiry_id').notNull().references(() => inquiries.id),
  orgId: uuid('org_id').notNull().references(() => organizations.id),
  /** Copied from the inquiry so the row-level policies need not join (and recurse). */
  ownerUserId: uuid('owner_user_id').notNull().references(() => users.id),
  anonymizationLevel: text('anonymization_level', { enum: ['full', 'partial', 'none'] }).notNull().default('full'),
  sharedAt: timestamp('shared_at', { withTimezone: true }).notNull().defaultNow(),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
}, (t) => [primaryKey({ columns: [t.inquiryId, t.orgId] }), index('inquiry_providers_org_idx').on(t.orgId)]);
