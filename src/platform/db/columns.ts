import { timestamp, uuid } from 'drizzle-orm/pg-core';

/** Standard columns for every row (conventions: id, created_at, updated_at, deleted_at). */
export const id = () => uuid('id').primaryKey();
export const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
export const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();
export const deletedAt = () => timestamp('deleted_at', { withTimezone: true });
export const orgId = () => uuid('org_id').notNull();
