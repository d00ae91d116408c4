import { sql } from 'drizzle-orm';
import { check, date, integer, jsonb, pgTable, text, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, deletedAt, id, orgId, updatedAt } from '../../platform/db/columns.js';
import { organizations } from '../identity/identity.schema.js';

/** Doctors, nurses, PMU artists, surgeons (seed 000 DOCTOR). `code` is the seed's doctor_id (doc_01). */
export const practitioners = pgTable('practitioners', {
  id: id(),
  orgId: orgId().references(() => organizations.id),
  code: text('code').notNull(),
  userId: uuid('user_id'),
  fullName: text('full_name').notNull(),
  licenseNo: text('license_no'),
  specialty: text('specialty'),
  kind: text('kind', { enum: ['doctor', 'nurse', 'pmu_artist', 'surgeon', 'therapist', 'other'] }).notNull().default('doctor'),
  status: text('status', { enum: ['active', 'inactive'] }).notNull().default('active'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
  deletedAt: deletedAt(),
}, (t) => [
  unique('practitioners_org_id_key').on(t.orgId, t.id),
  uniqueIndex('practitioners_org_code_key').on(t.orgId, sql`lower(${t.code})`).where(sql`${t.deletedAt} is null`),
]);

/** Energy devices (seed 000 DEVICE) with a maintenance cycle; maintenance due = last + cycle days. */
export const devices = pgTable('devices', {
  id: id(),
  orgId: orgId().references(() => organizations.id),
  code: text('code').notNull(),
  deviceName: text('device_name').notNull(),
  deviceType: text('device_type', { enum: ['HIFU', 'RF', 'Laser', 'IPL', 'Microneedling', 'PMU_Machine', 'Other'] }).notNull(),
  manufacturer: text('manufacturer'),
  model: text('model'),
  serialNo: text('serial_no'),
  maintenanceCycleDays: integer('maintenance_cycle_days'),
  lastMaintenanceOn: date('last_maintenance_on'),
  defaultSettings: jsonb('default_settings').notNull().default(sql`'{}'::jsonb`),
  status: text('status', { enum: ['active', 'inactive', 'in_repair'] }).notNull().default('active'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
  deletedAt: deletedAt(),
}, (t) => [
  unique('devices_org_id_key').on(t.orgId, t.id),
  uniqueIndex('devices_org_code_key').on(t.orgId, sql`lower(${t.code})`).where(sql`${t.deletedAt} is null`),
  check('devices_cycle_check', sql`${t.maintenanceCycleDays} IS NULL OR ${t.maintenanceCycleDays} > 0`),
]);
