import { bigint, index, pgTable, text, timestamp, uuid, unique } from 'drizzle-orm/pg-core';
import { createdAt, deletedAt, id, orgId } from '../db/columns.js';
import { organizations } from '../../modules/identity/identity.schema.js';

/** Stored files (documents, photos, scans) of an organization. Bytes live in the storage driver. */
export const files = pgTable('files', {
  id: id(),
  orgId: orgId().references(() => organizations.id),
  kind: text('kind', { enum: ['document', 'photo', 'scan', 'signature', 'other'] }).notNull(),
  entityType: text('entity_type'),
  entityId: uuid('entity_id'),
  storageKey: text('storage_key').notNull(),
  originalName: text('original_name').notNull(),
  contentType: text('content_type').notNull(),
  sizeBytes: bigint('size_bytes', { mode: 'number' }).notNull(),
  sha256: text('sha256').notNull(),
  createdBy: uuid('created_by'),
  createdAt: createdAt(),
  deletedAt: deletedAt(),
}, (t) => [
  unique('files_org_id_key').on(t.orgId, t.id),
  index('files_entity_idx').on(t.orgId, t.entityType, t.entityId),
]);
