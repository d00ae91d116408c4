/** Every table of Visage, for drizzle-kit and for typed queries. Each context owns its file. */
export * from '../../modules/identity/identity.schema.js';
export * from '../audit/audit.schema.js';
export * from '../http/idempotency.schema.js';
export * from '../files/files.schema.js';
export * from '../../modules/marketplace/marketplace.schema.js';
