/** The records context's public surface. Other modules import from here only. */
export { patientRoutes, patientDto } from './patients.routes.js';
export {
  findPatient, getPatient, patientRef, decryptPatient, createPatient, updatePatient, findDuplicates, nextSequence, nextPatientCode, orgYear,
  medicalAad, phoneDigits, DuplicatePatientError, MEDICAL_FIELDS, GENDERS, PATIENT_COLUMNS, type PatientRow, type PatientInput, type PatientContext,
  type MedicalField, type Duplicate,
} from './patients.service.js';
export {
  consentStatus, consentPolicy, checkSessionConsent, flagMissingConsent, type ConsentStatus, type ConsentPolicy, type SessionConsent,
} from './consent-status.js';
export { consentMediaRoutes } from './consent-media.routes.js';
export { consentSvg, escapeXml, renderConsentDocument, wrapText, formatInZone, type ConsentDocumentInput } from './consent-document.js';
export { deriveFlags, type Answers } from './intake-flags.js';
export { screen, type Alert } from './screening.js';
export { enforceScreening, ContraindicatedError, OVERRIDE_PERMISSION, type ScreeningCaller } from './screening-enforcement.js';
