import { jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { orgId } from '../../platform/db/columns.js';
import { organizations } from '../identity/identity.schema.js';

/** A dashboard's stored answer (migration 0008): reused while fresh, dropped by writes to what it reads. */
export const dashboardSnapshots = pgTable('dashboard_snapshots', {
  orgId: orgId().references(() => organizations.id),
  name: text('name').notNull(),
  params: text('params').notNull(),
  computedAt: timestamp('computed_at', { withTimezone: true }).notNull(),
  body: jsonb('body').notNull(),
}, (t) => [primaryKey({ columns: [t.orgId, t.name, t.params] })]);
