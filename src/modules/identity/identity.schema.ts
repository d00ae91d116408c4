import { sql } from 'drizzle-orm';
import {
  boolean, check, date, foreignKey, index, integer, jsonb, pgTable, primaryKey, text, timestamp, unique, uniqueIndex, uuid,
} from 'drizzle-orm/pg-core';
import { createdAt, deletedAt, id, orgId, updatedAt } from '../../platform/db/columns.js';

export const ORG_TYPES = ['clinic', 'hospital', 'studio', 'dental_clinic', 'platform'] as const;
export const USER_STATUSES = ['active', 'inactive', 'suspended', 'pending_verification'] as const;
export const AUTH_PROVIDERS = ['email', 'google', 'facebook', 'apple', 'oidc'] as const;

/** The tenant. Every tenant-owned row elsewhere carries org_id pointing here. */
export const organizations = pgTable('organizations', {
  id: id(),
  name: text('name').notNull(),
  slug: text('slug').notNull(),
  type: text('type', { enum: ORG_TYPES }).notNull(),
  timezone: text('timezone').notNull().default('UTC'),
  currency: text('currency').notNull().default('USD'),
  locale: text('locale').notNull().default('en'),
  country: text('country'),
  city: text('city'),
  email: text('email'),
  phone: text('phone'),
  status: text('status', { enum: ['active', 'inactive', 'suspended'] }).notNull().default('active'),
  /** A session of a treatment that requires consent, without the current signed one: refused (strict) or flagged. */
  consentPolicy: text('consent_policy', { enum: ['flag', 'strict'] }).notNull().default('flag'),
  createdBy: uuid('created_by'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
  deletedAt: deletedAt(),
}, (t) => [
  uniqueIndex('organizations_slug_key').on(t.slug),
  check('organizations_type_check', sql`${t.type} in ('clinic','hospital','studio','dental_clinic','platform')`),
  check('organizations_currency_check', sql`${t.currency} ~ '^[A-Z]{3}$'`),
]);

/**
 * Every human: staff, practitioners, patients and platform admins (seeds 001-003 users, patients,
 * provider_users, user_profiles unified). Global, not tenant-owned; memberships attach it to orgs.
 */
export const users = pgTable('users', {
  id: id(),
  email: text('email').notNull(),
  /** lower(email), stored: the unique key, and under row-level security only a plain column comparison can use an index. */
  emailKey: text('email_key').notNull().generatedAlwaysAs(sql`lower(email)`),
  username: text('username'),
  fullName: text('full_name').notNull(),
  firstName: text('first_name'),
  lastName: text('last_name'),
  phone: text('phone'),
  avatarUrl: text('avatar_url'),
  gender: text('gender'),
  dateOfBirth: date('date_of_birth'),
  nationality: text('nationality'),
  preferredLanguage: text('preferred_language').notNull().default('en'),
  timezone: text('timezone'),
  userType: text('user_type', { enum: ['patient', 'staff', 'provider', 'admin'] }).notNull().default('staff'),
  status: text('status', { enum: USER_STATUSES }).notNull().default('active'),
  authProvider: text('auth_provider', { enum: AUTH_PROVIDERS }).notNull().default('email'),
  emailVerifiedAt: timestamp('email_verified_at', { withTimezone: true }),
  phoneVerifiedAt: timestamp('phone_verified_at', { withTimezone: true }),
  passwordHash: text('password_hash'),
  passwordChangedAt: timestamp('password_changed_at', { withTimezone: true }),
  defaultOrgId: uuid('default_org_id'),
  lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
  deletedAt: deletedAt(),
}, (t) => [
  uniqueIndex('users_email_key').on(t.emailKey),
  uniqueIndex('users_username_key').on(sql`lower(${t.username})`),
  check('users_status_check', sql`${t.status} in ('active','inactive','suspended','pending_verification')`),
]);

export const memberships = pgTable('memberships', {
  id: id(),
  orgId: orgId().references(() => organizations.id),
  userId: uuid('user_id').notNull().references(() => users.id),
  status: text('status', { enum: ['active', 'suspended'] }).notNull().default('active'),
  title: text('title'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  unique('memberships_org_user_key').on(t.orgId, t.userId),
  unique('memberships_org_id_key').on(t.orgId, t.id),
  index('memberships_user_idx').on(t.userId),
]);

/** Named permissions (`patient.read`, `session.write`...). Global catalogue, read-only to the app. */
export const permissions = pgTable('permissions', {
  id: id(),
  name: text('name').notNull(),
  description: text('description').notNull(),
  context: text('context').notNull(),
  createdAt: createdAt(),
}, (t) => [uniqueIndex('permissions_name_key').on(t.name)]);

/** Roles: built-in (org_id null, shared by every org) or an organization's own. */
export const roles = pgTable('roles', {
  id: id(),
  orgId: uuid('org_id').references(() => organizations.id),
  name: text('name').notNull(),
  description: text('description').notNull().default(''),
  builtin: boolean('builtin').notNull().default(false),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  uniqueIndex('roles_builtin_name_key').on(t.name).where(sql`${t.orgId} is null`),
  uniqueIndex('roles_org_name_key').on(t.orgId, t.name).where(sql`${t.orgId} is not null`),
]);

export const rolePermissions = pgTable('role_permissions', {
  roleId: uuid('role_id').notNull().references(() => roles.id, { onDelete: 'cascade' }),
  permissionId: uuid('permission_id').notNull().references(() => permissions.id),
  orgId: uuid('org_id').references(() => organizations.id),
}, (t) => [primaryKey({ columns: [t.roleId, t.permissionId] })]);

/** model_has_roles semantics: a membership holds roles within its organization. */
export const membershipRoles = pgTable('membership_roles', {
  orgId: orgId(),
  membershipId: uuid('membership_id').notNull(),
  roleId: uuid('role_id').notNull().references(() => roles.id),
  grantedBy: uuid('granted_by'),
  createdAt: createdAt(),
}, (t) => [
  primaryKey({ columns: [t.membershipId, t.roleId] }),
  foreignKey({ columns: [t.orgId, t.membershipId], foreignColumns: [memberships.orgId, memberships.id], name: 'membership_roles_membership_fk' }).onDelete('cascade'),
]);

/** Staff invitations by email (seed 002 provider_staff_invitations). */
export const invitations = pgTable('invitations', {
  id: id(),
  orgId: orgId().references(() => organizations.id),
  email: text('email').notNull(),
  /** The role offered; null once a custom role is deleted (role_name keeps the record). */
  roleId: uuid('role_id').references(() => roles.id, { onDelete: 'set null' }),
  roleName: text('role_name').notNull(),
  title: text('title'),
  tokenHash: text('token_hash').notNull(),
  status: text('status', { enum: ['pending', 'accepted', 'revoked', 'expired'] }).notNull().default('pending'),
  invitedBy: uuid('invited_by').notNull(),
  acceptedBy: uuid('accepted_by'),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  acceptedAt: timestamp('accepted_at', { withTimezone: true }),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  uniqueIndex('invitations_token_key').on(t.tokenHash),
  uniqueIndex('invitations_pending_email_key').on(t.orgId, sql`lower(${t.email})`).where(sql`${t.status} = 'pending'`),
]);

/**
 * Sessions and personal API tokens: opaque random tokens, stored only as SHA-256 hashes.
 * kind 'session' = sign-in (cookie or bearer), 'personal' = a named API token with scopes.
 */
export const sessions = pgTable('sessions', {
  id: id(),
  userId: uuid('user_id').notNull().references(() => users.id),
  tokenHash: text('token_hash').notNull(),
  kind: text('kind', { enum: ['session', 'personal'] }).notNull().default('session'),
  name: text('name'),
  scopes: text('scopes').array().notNull().default(sql`'{}'::text[]`),
  orgId: uuid('org_id'),
  method: text('method').notNull().default('password'),
  ip: text('ip'),
  userAgent: text('user_agent'),
  createdAt: createdAt(),
  lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
  idleExpiresAt: timestamp('idle_expires_at', { withTimezone: true }),
  expiresAt: timestamp('expires_at', { withTimezone: true }),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
}, (t) => [
  uniqueIndex('sessions_token_hash_key').on(t.tokenHash),
  index('sessions_user_idx').on(t.userId),
]);

/** One-time secrets: email verification codes, password reset and magic-link tokens (hashed). */
export const oneTimeTokens = pgTable('one_time_tokens', {
  id: id(),
  userId: uuid('user_id').notNull().references(() => users.id),
  purpose: text('purpose', { enum: ['verify_email', 'password_reset', 'magic_link'] }).notNull(),
  secretHash: text('secret_hash').notNull(),
  attempts: integer('attempts').notNull().default(0),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  usedAt: timestamp('used_at', { withTimezone: true }),
  createdAt: createdAt(),
}, (t) => [
  uniqueIndex('one_time_tokens_secret_key').on(t.purpose, t.secretHash),
  index('one_time_tokens_user_idx').on(t.userId, t.purpose),
]);

/** Evaluated sign-in failures, for the per-account brute-force limit. */
export const loginFailures = pgTable('login_failures', {
  id: id(),
  userId: uuid('user_id').notNull().references(() => users.id),
  ip: text('ip'),
  occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [index('login_failures_user_time_idx').on(t.userId, t.occurredAt)]);

/** Accounts at external OpenID Connect providers linked to a user. */
export const oidcIdentities = pgTable('oidc_identities', {
  id: id(),
  userId: uuid('user_id').notNull().references(() => users.id),
  provider: text('provider').notNull(),
  subject: text('subject').notNull(),
  email: text('email'),
  claims: jsonb('claims').notNull().default(sql`'{}'::jsonb`),
  createdAt: createdAt(),
}, (t) => [uniqueIndex('oidc_identities_provider_subject_key').on(t.provider, t.subject)]);
