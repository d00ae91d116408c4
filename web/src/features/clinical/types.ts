/** The shapes the clinic screens read from the API (snake_case, as the API answers). */

export const SKIN_TYPES = ['I', 'II', 'III', 'IV', 'V', 'VI'] as const;
export const GENDERS = ['female', 'male', 'other', 'unknown'] as const;

export interface Patient {
  id: string; code: string; full_name: string; gender: (typeof GENDERS)[number] | null; date_of_birth: string | null;
  phone: string | null; email: string | null; skin_type: string | null; is_active: boolean;
  emergency_contact?: string | null; notes?: string | null; alert_level?: 'none' | 'standard' | 'critical';
  /** Present only for callers holding medical.read. */
  medical_history?: string | null; allergy_notes?: string | null;
  created_at?: string;
}

export interface Treatment {
  id: string; treatment_id: string; treatment_code?: string; treatment_name: string; name_en?: string | null;
  category: string; default_unit: string; base_price: number; base_price_minor?: number; currency?: string;
  description?: string | null; is_active?: boolean; consent_required?: boolean;
  followup_rules?: { type: string; after_days: number; notify?: boolean }[]; procedure_type?: string | null;
}

export interface Practitioner {
  id: string; code?: string; doctor_id?: string; full_name: string; license_no?: string | null; specialty?: string | null;
  kind?: string; status?: string;
}

export interface Device {
  id: string; code?: string; device_id?: string; device_name: string; device_type: string; manufacturer?: string | null;
  model?: string | null; serial_no?: string | null; maintenance_cycle_days?: number | null; last_maintenance_on?: string | null;
  next_maintenance_on?: string | null; maintenance_due_on?: string | null; days_until_due?: number | null; status?: string;
}

export interface Visit { id: string; visit_id?: string; patient_id: string; visit_date: string; visit_type: string; notes?: string | null; practitioner_name?: string | null }

export interface FacePoint { x: number; y: number; units: number; area: string }

export interface TreatmentSession {
  id: string; session_id?: string; patient_id: string; treatment_id: string; treatment_name?: string | null; treatment_code?: string | null;
  session_no: number; dosage_value: number | string | null; dosage_unit: string | null;
  treatment_area?: FacePoint[] | Record<string, number> | null; performed_at: string; immediate_reaction?: string | null;
  clinical_notes?: string | null; practitioner_name?: string | null; doctor_id?: string | null; consent_exception?: string | null;
  pmu?: Record<string, unknown> | null; status?: string; version?: number;
}

export interface Photo {
  id: string; patient_id: string; session_id?: string | null; file_id: string; thumbnail_file_id?: string | null;
  media_type: string; angle: string; captured_at: string; marketing_consent?: boolean; marketing_consent_at?: string | null;
  url?: string; thumbnail_url?: string | null; content_url?: string;
}

export interface PatientDocument { id: string; type: string; file_id: string; content_url?: string; notes?: string | null; created_at: string; original_name?: string | null; filename?: string | null }

export interface Consent {
  id: string; treatment_id?: string | null; treatment_code?: string | null; title?: string | null; template_version: number; is_current_version?: boolean;
  signed_name: string; signed_at: string; withdrawn_at?: string | null; withdrawal_reason?: string | null; document_url?: string;
}

export interface Followup {
  id: string; followup_id?: string; patient_id: string; patient_name?: string | null; session_id?: string | null;
  treatment?: string | null; treatment_name?: string | null; followup_type: string; scheduled_date: string;
  actual_date?: string | null; outcome_notes?: string | null; next_recommend_date?: string | null; notify_flag: boolean; status?: string;
}

export interface ComplianceException {
  id: string; kind: string; details?: Record<string, unknown>; created_at: string; open: boolean; resolved_at?: string | null;
  patient: { id: string; code: string; full_name: string };
  session: {
    id: string; performed_at: string | null; session_no: number | null; treatment_code: string | null; treatment_name: string | null;
    recorded_by?: string | null; recorded_by_name?: string | null; practitioner_name?: string | null;
  } | null;
}

export interface ScreeningAlert { key: string; severity: 'critical' | 'warning'; message: string }

export interface Product {
  id: string; code: string; name: string; product_type: string; unit: string; supplier?: string | null; is_active?: boolean;
  quantity_on_hand?: number | string | null; reorder_level?: number | string | null; low_stock?: boolean; next_expiry_date?: string | null;
}

export interface Lot {
  id: string; product_id: string; product_name?: string | null; drug_id?: string | null; lot_number: string; expiry_date: string;
  quantity_on_hand: number | string; quantity_received?: number | string; unit?: string | null; status: string; supplier?: string | null;
  days_to_expiry?: number | null; expired?: boolean;
}

/** The row's id (seed-shaped answers also carry the seed's own name, e.g. session_id, alongside it). */
export const idOf = (row: { id: string }): string => row.id;

export const num = (v: number | string | null | undefined): number => (v === null || v === undefined || v === '' ? 0 : Number(v));
