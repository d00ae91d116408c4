import { sql } from 'drizzle-orm';
import { boolean, check, date, foreignKey, index, integer, jsonb, pgTable, primaryKey, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, deletedAt, id, orgId, updatedAt } from '../../platform/db/columns.js';
import { organizations } from '../identity/identity.schema.js';

export const SKIN_TYPES = ['I', 'II', 'III', 'IV', 'V', 'VI'] as const;
export const DOCUMENT_TYPES = ['ID_DOCUMENT', 'CONSENT_FORM', 'WAIVER', 'INTAKE_FORM', 'CONTRAINDICATION_FORM', 'ANALYSIS_REPORT', 'PHOTO', 'OTHER'] as const;

/** Per-organization counters for human references (PAT-2026-000123), one row per name and year. */
export const orgSequences = pgTable('org_sequences', {
  orgId: orgId().references(() => organizations.id),
  name: text('name').notNull(),
  year: integer('year').notNull(),
  value: integer('value').notNull().default(0),
}, (t) => [primaryKey({ columns: [t.orgId, t.name, t.year] })]);

/**
 * A patient chart (seed 000 PATIENT + seed 001 Clients). Medical history and allergy notes are PHI
 * and stored encrypted (AES-256-GCM, *_enc columns); every read of them is audited.
 */
export const patients = pgTable('patients', {
  id: id(),
  orgId: orgId().references(() => organizations.id),
  code: text('code').notNull(),
  userId: uuid('user_id'),
  fullName: text('full_name').notNull(),
  gender: text('gender', { enum: ['female', 'male', 'other', 'unknown'] }),
  dateOfBirth: date('date_of_birth'),
  phone: text('phone'),
  /** The phone's digits only (generated), for duplicate detection. */
  phoneDigits: text('phone_digits').generatedAlwaysAs(sql`nullif(regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g'), '')`),
  /** lower(email), stored: under row-level security only a plain column comparison can use the index. */
  emailKey: text('email_key').generatedAlwaysAs(sql`lower(email)`),
  email: text('email'),
  skinType: text('skin_type', { enum: SKIN_TYPES }),
  medicalHistoryEnc: text('medical_history_enc'),
  allergyNotesEnc: text('allergy_notes_enc'),
  emergencyContact: text('emergency_contact'),
  notes: text('notes'),
  isActive: boolean('is_active').notNull().default(true),
  alertLevel: text('alert_level', { enum: ['none', 'standard', 'critical'] }).notNull().default('none'),
  createdBy: uuid('created_by'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
  deletedAt: deletedAt(),
}, (t) => [
  unique('patients_org_id_key').on(t.orgId, t.id),
  uniqueIndex('patients_org_code_key').on(t.orgId, t.code),
  index('patients_org_name_idx').on(t.orgId, sql`lower(${t.fullName})`),
  index('patients_org_phone_idx').on(t.orgId, t.phone),
  index('patients_org_email_key_idx').on(t.orgId, t.emailKey).where(sql`${t.deletedAt} IS NULL`),
  index('patients_org_phone_digits_idx').on(t.orgId, t.phoneDigits).where(sql`${t.deletedAt} IS NULL`),
  index('patients_org_live_name_idx').on(t.orgId, sql`lower(${t.fullName})`, t.id).where(sql`${t.deletedAt} IS NULL`),
  check('patients_skin_type_check', sql`${t.skinType} IS NULL OR ${t.skinType} IN ('I','II','III','IV','V','VI')`),
]);

/** Seed 001 Intakes: questionnaire answers (PHI, encrypted) with the screening result. */
export const intakes = pgTable('intakes', {
  id: id(),
  orgId: orgId().references(() => organizations.id),
  patientId: uuid('patient_id').notNull(),
  kind: text('kind', { enum: ['intake', 'contraindication'] }).notNull().default('intake'),
  answersEnc: text('answers_enc').notNull(),
  /** Contraindication keys the answers declare (pregnancy, allergy:lidocaine ...): keys, not free text. */
  flags: text('flags').array().notNull().default(sql`'{}'::text[]`),
  completedAt: timestamp('completed_at', { withTimezone: true }).notNull().defaultNow(),
  createdBy: uuid('created_by'),
  createdAt: createdAt(),
  deletedAt: deletedAt(),
}, (t) => [
  unique('intakes_org_id_key').on(t.orgId, t.id),
  foreignKey({ columns: [t.orgId, t.patientId], foreignColumns: [patients.orgId, patients.id], name: 'intakes_patient_fk' }),
  index('intakes_patient_idx').on(t.orgId, t.patientId, t.completedAt),
]);

/** Seed 001 Analyses: skin analyses (PHI, encrypted findings). */
export const skinAnalyses = pgTable('skin_analyses', {
  id: id(),
  orgId: orgId().references(() => organizations.id),
  patientId: uuid('patient_id').notNull(),
  analyzedAt: timestamp('analyzed_at', { withTimezone: true }).notNull().defaultNow(),
  skinType: text('skin_type', { enum: SKIN_TYPES }),
  findingsEnc: text('findings_enc').notNull(),
  fileId: uuid('file_id'),
  createdBy: uuid('created_by'),
  createdAt: createdAt(),
  deletedAt: deletedAt(),
}, (t) => [
  unique('skin_analyses_org_id_key').on(t.orgId, t.id),
  foreignKey({ columns: [t.orgId, t.patientId], foreignColumns: [patients.orgId, patients.id], name: 'skin_analyses_patient_fk' }),
  index('skin_analyses_patient_idx').on(t.orgId, t.patientId, t.analyzedAt),
  check('skin_analyses_skin_type_check', sql`${t.skinType} IS NULL OR ${t.skinType} IN ('I','II','III','IV','V','VI')`),
]);

/**
 * Corrections and removals of intakes and skin analyses (append-only): who, when, why, which fields,
 * and the previous version as it was stored (its ciphertext kept as is, still bound to its row).
 */
export const recordAmendments = pgTable('record_amendments', {
  id: id(),
  orgId: orgId().references(() => organizations.id),
  intakeId: uuid('intake_id'),
  skinAnalysisId: uuid('skin_analysis_id'),
  action: text('action', { enum: ['amend', 'delete'] }).notNull(),
  previous: jsonb('previous').notNull(),
  changedFields: text('changed_fields').array().notNull(),
  reason: text('reason').notNull(),
  amendedBy: uuid('amended_by'),
  amendedAt: timestamp('amended_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  foreignKey({ columns: [t.orgId, t.intakeId], foreignColumns: [intakes.orgId, intakes.id], name: 'record_amendments_intake_fk' }),
  foreignKey({ columns: [t.orgId, t.skinAnalysisId], foreignColumns: [skinAnalyses.orgId, skinAnalyses.id], name: 'record_amendments_skin_analysis_fk' }),
  index('record_amendments_intake_idx').on(t.orgId, t.intakeId, t.amendedAt),
  index('record_amendments_skin_analysis_idx').on(t.orgId, t.skinAnalysisId, t.amendedAt),
  check('record_amendments_one_record_check', sql`num_nonnulls(${t.intakeId}, ${t.skinAnalysisId}) = 1`),
  check('record_amendments_action_check', sql`${t.action} IN ('amend', 'delete')`),
]);

/** A signed consent: typed name + drawn signature, time and IP; the rendered document is a stored file. */
export const consents = pgTable('consents', {
  id: id(),
  orgId: orgId().references(() => organizations.id),
  patientId: uuid('patient_id').notNull(),
  templateId: uuid('template_id').notNull(),
  treatmentId: uuid('treatment_id'),
  templateVersion: integer('template_version').notNull(),
  signedName: text('signed_name').notNull(),
  signatureFileId: uuid('signature_file_id').notNull(),
  documentFileId: uuid('document_file_id').notNull(),
  documentSha256: text('document_sha256').notNull(),
  signedAt: timestamp('signed_at', { withTimezone: true }).notNull(),
  signedIp: text('signed_ip'),
  withdrawnAt: timestamp('withdrawn_at', { withTimezone: true }),
  withdrawnBy: uuid('withdrawn_by'),
  withdrawalReason: text('withdrawal_reason'),
  createdBy: uuid('created_by'),
  createdAt: createdAt(),
}, (t) => [
  unique('consents_org_id_key').on(t.orgId, t.id),
  check('consents_signed_name_check', sql`length(btrim(${t.signedName})) > 0`),
  check('consents_withdrawn_check', sql`${t.withdrawnAt} IS NOT NULL OR ${t.withdrawalReason} IS NULL`),
  foreignKey({ columns: [t.orgId, t.patientId], foreignColumns: [patients.orgId, patients.id], name: 'consents_patient_fk' }),
  index('consents_patient_idx').on(t.orgId, t.patientId, t.treatmentId),
]);

/** Seed 001 Documents: a classified file of a patient (8 types). */
export const documents = pgTable('documents', {
  id: id(),
  orgId: orgId().references(() => organizations.id),
  patientId: uuid('patient_id').notNull(),
  type: text('type', { enum: DOCUMENT_TYPES }).notNull(),
  fileId: uuid('file_id').notNull(),
  notes: text('notes'),
  createdBy: uuid('created_by'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
  deletedAt: deletedAt(),
}, (t) => [
  unique('documents_org_id_key').on(t.orgId, t.id),
  foreignKey({ columns: [t.orgId, t.patientId], foreignColumns: [patients.orgId, patients.id], name: 'documents_patient_fk' }),
  index('documents_patient_idx').on(t.orgId, t.patientId, t.type),
]);

/**
 * Clinical photos (seed 000 MEDIA before/after): per session, angle and capture time. Marketing use
 * needs its own consent, separate from clinical use.
 */
export const photos = pgTable('photos', {
  id: id(),
  orgId: orgId().references(() => organizations.id),
  patientId: uuid('patient_id').notNull(),
  sessionId: uuid('session_id'),
  fileId: uuid('file_id').notNull(),
  thumbnailFileId: uuid('thumbnail_file_id'),
  mediaType: text('media_type', { enum: ['before', 'after', 'progress', 'consent'] }).notNull(),
  angle: text('angle', { enum: ['front', 'left', 'right', 'left45', 'right45', 'top', 'back', 'other'] }).notNull().default('front'),
  capturedAt: timestamp('captured_at', { withTimezone: true }).notNull(),
  marketingConsent: boolean('marketing_consent').notNull().default(false),
  marketingConsentAt: timestamp('marketing_consent_at', { withTimezone: true }),
  notes: text('notes'),
  createdBy: uuid('created_by'),
  createdAt: createdAt(),
  deletedAt: deletedAt(),
}, (t) => [
  unique('photos_org_id_key').on(t.orgId, t.id),
  foreignKey({ columns: [t.orgId, t.patientId], foreignColumns: [patients.orgId, patients.id], name: 'photos_patient_fk' }),
  index('photos_patient_idx').on(t.orgId, t.patientId, t.capturedAt),
  index('photos_session_idx').on(t.orgId, t.sessionId),
  index('photos_marketing_idx').on(t.orgId, t.capturedAt, t.id).where(sql`${t.marketingConsent} AND ${t.deletedAt} IS NULL`),
  check('photos_marketing_consent_check', sql`NOT ${t.marketingConsent} OR ${t.marketingConsentAt} IS NOT NULL`),
]);

/** Flagged exceptions a person must resolve (e.g. a session without the current signed consent). */
export const complianceExceptions = pgTable('compliance_exceptions', {
  id: id(),
  orgId: orgId().references(() => organizations.id),
  patientId: uuid('patient_id').notNull(),
  sessionId: uuid('session_id'),
  kind: text('kind', { enum: ['missing_consent', 'contraindication_override'] }).notNull(),
  details: jsonb('details').notNull().default(sql`'{}'::jsonb`),
  resolvedAt: timestamp('resolved_at', { withTimezone: true }),
  resolvedBy: uuid('resolved_by'),
  resolution: text('resolution'),
  createdAt: createdAt(),
}, (t) => [
  unique('compliance_exceptions_org_id_key').on(t.orgId, t.id),
  index('compliance_exceptions_open_idx').on(t.orgId, t.createdAt).where(sql`${t.resolvedAt} IS NULL`),
  uniqueIndex('compliance_exceptions_session_kind_key').on(t.orgId, t.sessionId, t.kind).where(sql`${t.sessionId} IS NOT NULL`),
  index('compliance_exceptions_patient_idx').on(t.orgId, t.patientId, t.createdAt),
  check('compliance_exceptions_resolution_check', sql`(${t.resolvedAt} IS NULL) = (${t.resolution} IS NULL)`),
]);
