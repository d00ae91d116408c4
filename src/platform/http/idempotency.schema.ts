import { integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** Stored answers to POSTs carrying an Idempotency-Key, written in the effect's transaction. */
export const idempotencyKeys = pgTable('idempotency_keys', {
  orgId: uuid('org_id').notNull(),
  userId: uuid('user_id').notNull(),
  key: text('key').notNull(),
  route: text('route').notNull(),
  requestHash: text('request_hash').notNull(),
  statusCode: integer('status_code').notNull(),
  responseBody: jsonb('response_body'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [primaryKey({ columns: [t.orgId, t.userId, t.key] })]);
