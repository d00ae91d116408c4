import { sql } from 'drizzle-orm';
import { index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * Append-only audit trail. The app role may INSERT and SELECT, never UPDATE or DELETE.
 * `details` carries field names and non-medical facts only, never PHI values.
 */
export const auditEvents = pgTable('audit_events', {
  id: uuid('id').primaryKey(),
  occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().defaultNow(),
  orgId: uuid('org_id'),
  actorUserId: uuid('actor_user_id'),
  actorType: text('actor_type', { enum: ['user', 'api_token', 'system', 'anonymous'] }).notNull(),
  action: text('action').notNull(),
  entityType: text('entity_type').notNull(),
  entityId: text('entity_id'),
  outcome: text('outcome', { enum: ['success', 'failure', 'denied'] }).notNull(),
  requestId: text('request_id'),
  ip: text('ip'),
  details: jsonb('details').notNull().default(sql`'{}'::jsonb`),
}, (t) => [
  index('audit_events_org_time_idx').on(t.orgId, t.occurredAt.desc(), t.id.desc()),
  index('audit_events_entity_idx').on(t.orgId, t.entityType, t.entityId),
  index('audit_events_actor_idx').on(t.orgId, t.actorUserId, t.occurredAt.desc()),
]);
