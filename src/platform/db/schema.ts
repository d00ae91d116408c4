/** Every table of Visage, for drizzle-kit and for typed queries. Each context owns its file. */
export * from '../../modules/identity/identity.schema.js';
export * from '../audit/audit.schema.js';
export * from '../http/idempotency.schema.js';
export * from '../files/files.schema.js';
export * from '../../modules/marketplace/marketplace.schema.js';
export * from '../../modules/catalog/catalog.schema.js';
export * from '../../modules/directory/directory.schema.js';
export * from '../../modules/records/records.schema.js';
export * from '../../modules/clinical/clinical.schema.js';
export * from '../../modules/inventory/inventory.schema.js';
export * from '../../modules/care/care.schema.js';
export * from '../../modules/insight/insight.schema.js';
export * from '../../modules/growth/growth.schema.js';
