/**
 * Writes a generated dataset in one tenant transaction, one set-based statement per table
 * (INSERT ... SELECT FROM jsonb_to_recordset($1)): a year of a clinic in a few dozen round trips.
 */
import type { Tx } from '../../platform/db/client.js';
import type { FieldCipher } from '../../platform/crypto/fields.js';
import { medicalAad } from '../records/index.js';
import type { DemoDataset } from './demo.generate.js';
import type { StoredFile } from './demo.media.js';

/** Column name -> SQL type of a table written by the demo. */
export type Columns = Record<string, string>;

const TABLES: Record<string, Columns> = {
  practitioners: { id: 'uuid', org_id: 'uuid', code: 'text', user_id: 'uuid', full_name: 'text', license_no: 'text', specialty: 'text', kind: 'text', status: 'text', created_at: 'timestamptz', updated_at: 'timestamptz' },
  devices: { id: 'uuid', org_id: 'uuid', code: 'text', device_name: 'text', device_type: 'text', manufacturer: 'text', model: 'text', serial_no: 'text', maintenance_cycle_days: 'int', last_maintenance_on: 'date', default_settings: 'jsonb', status: 'text', created_at: 'timestamptz', updated_at: 'timestamptz' },
  treatments: { id: 'uuid', org_id: 'uuid', code: 'text', name: 'text', name_en: 'text', category: 'text', default_unit: 'text', base_price_minor: 'bigint', currency: 'text', description: 'text', is_active: 'boolean', consent_required: 'boolean', followup_rules: 'jsonb', contraindications: 'text[]', ingredients: 'text[]', procedure_type: 'text', created_at: 'timestamptz', updated_at: 'timestamptz' },
  pigments: { id: 'uuid', org_id: 'uuid', brand: 'text', color: 'text', undertone: 'text', notes: 'text', is_active: 'boolean', created_at: 'timestamptz', updated_at: 'timestamptz' },
  products: { id: 'uuid', org_id: 'uuid', code: 'text', name: 'text', product_type: 'text', unit: 'text', supplier: 'text', pigment_id: 'uuid', ingredients: 'text[]', reorder_level: 'numeric', is_active: 'boolean', created_at: 'timestamptz', updated_at: 'timestamptz' },
  lots: { id: 'uuid', org_id: 'uuid', product_id: 'uuid', lot_number: 'text', expiry_date: 'date', quantity_received: 'numeric', quantity_on_hand: 'numeric', received_at: 'timestamptz', supplier: 'text', unit_cost_minor: 'bigint', currency: 'text', status: 'text', created_at: 'timestamptz', updated_at: 'timestamptz' },
  intakes: { id: 'uuid', org_id: 'uuid', patient_id: 'uuid', kind: 'text', answers_enc: 'text', flags: 'text[]', completed_at: 'timestamptz', created_by: 'uuid', created_at: 'timestamptz' },
  skin_analyses: { id: 'uuid', org_id: 'uuid', patient_id: 'uuid', analyzed_at: 'timestamptz', skin_type: 'text', findings_enc: 'text', file_id: 'uuid', created_by: 'uuid', created_at: 'timestamptz' },
  patients: { id: 'uuid', org_id: 'uuid', code: 'text', full_name: 'text', gender: 'text', date_of_birth: 'date', phone: 'text', email: 'text', skin_type: 'text', medical_history_enc: 'text', allergy_notes_enc: 'text', emergency_contact: 'text', notes: 'text', is_active: 'boolean', alert_level: 'text', created_by: 'uuid', created_at: 'timestamptz', updated_at: 'timestamptz' },
  org_sequences: { org_id: 'uuid', name: 'text', year: 'int', value: 'int' },
  visits: { id: 'uuid', org_id: 'uuid', patient_id: 'uuid', visit_date: 'date', visit_type: 'text', practitioner_id: 'uuid', notes: 'text', created_by: 'uuid', created_at: 'timestamptz', updated_at: 'timestamptz' },
  treatment_sessions: { id: 'uuid', org_id: 'uuid', visit_id: 'uuid', patient_id: 'uuid', treatment_id: 'uuid', practitioner_id: 'uuid', device_id: 'uuid', session_no: 'int', dosage_value: 'numeric', dosage_unit: 'text', treatment_area: 'jsonb', device_settings: 'jsonb', pmu: 'jsonb', performed_at: 'timestamptz', immediate_reaction: 'text', clinical_notes: 'text', price_minor: 'bigint', currency: 'text', status: 'text', version: 'int', signed_at: 'timestamptz', signed_by: 'uuid', consent_exception: 'text', created_by: 'uuid', created_at: 'timestamptz', updated_at: 'timestamptz' },
  drug_usages: { id: 'uuid', org_id: 'uuid', session_id: 'uuid', product_id: 'uuid', lot_id: 'uuid', amount_used: 'numeric', unit: 'text', created_by: 'uuid', created_at: 'timestamptz' },
  stock_movements: { id: 'uuid', org_id: 'uuid', lot_id: 'uuid', kind: 'text', quantity: 'numeric', usage_id: 'uuid', reason: 'text', created_by: 'uuid', created_at: 'timestamptz' },
  followups: { id: 'uuid', org_id: 'uuid', patient_id: 'uuid', session_id: 'uuid', treatment_id: 'uuid', followup_type: 'text', scheduled_date: 'date', actual_date: 'date', outcome_notes: 'text', next_recommend_date: 'date', notify_flag: 'boolean', status: 'text', source: 'text', created_by: 'uuid', created_at: 'timestamptz', updated_at: 'timestamptz' },
  consent_templates: { id: 'uuid', org_id: 'uuid', treatment_id: 'uuid', title: 'text', version: 'int', body: 'text', is_current: 'boolean', created_by: 'uuid', created_at: 'timestamptz' },
  files: { id: 'uuid', org_id: 'uuid', kind: 'text', entity_type: 'text', entity_id: 'uuid', storage_key: 'text', original_name: 'text', content_type: 'text', size_bytes: 'bigint', sha256: 'text', created_by: 'uuid', created_at: 'timestamptz' },
  consents: { id: 'uuid', org_id: 'uuid', patient_id: 'uuid', template_id: 'uuid', treatment_id: 'uuid', template_version: 'int', signed_name: 'text', signature_file_id: 'uuid', document_file_id: 'uuid', document_sha256: 'text', signed_at: 'timestamptz', signed_ip: 'text', created_by: 'uuid', created_at: 'timestamptz' },
  documents: { id: 'uuid', org_id: 'uuid', patient_id: 'uuid', type: 'text', file_id: 'uuid', notes: 'text', created_by: 'uuid', created_at: 'timestamptz', updated_at: 'timestamptz' },
  photos: { id: 'uuid', org_id: 'uuid', patient_id: 'uuid', session_id: 'uuid', file_id: 'uuid', thumbnail_file_id: 'uuid', media_type: 'text', angle: 'text', captured_at: 'timestamptz', marketing_consent: 'boolean', marketing_consent_at: 'timestamptz', notes: 'text', created_by: 'uuid', created_at: 'timestamptz' },
  compliance_exceptions: { id: 'uuid', org_id: 'uuid', patient_id: 'uuid', session_id: 'uuid', kind: 'text', details: 'jsonb', resolved_at: 'timestamptz', resolved_by: 'uuid', resolution: 'text', created_at: 'timestamptz' },
};

/**
 * The associated data the intake and analysis services bind their ciphertexts to (records/
 * intakes.service.ts, analyses.service.ts): the same JSON, the same cipher and the same AAD give the
 * stored form those services write and read back (demo.int.test.ts reads them through the API).
 */
const intakeAad = (id: string) => `intakes.answers:${id}`;
const analysisAad = (id: string) => `skin_analyses.findings:${id}`;

/** Rows per statement: keeps each JSON parameter to a few hundred kilobytes. */
const CHUNK = 2000;

/**
 * INSERT INTO <table> (<columns>) SELECT <columns> FROM jsonb_to_recordset($1). The table and
 * column names come from TABLES above, never from data; the values travel as one parameter.
 */
export async function insertRows(tx: Tx, table: keyof typeof TABLES, rows: Record<string, unknown>[]): Promise<void> {
  await insertTyped(tx, table, TABLES[table]!, rows);
}

/** insertRows for a table described by the caller (demo.growth.ts): names from code, values as one JSON parameter per chunk. */
export async function insertTyped(tx: Tx, table: string, columns: Columns, rows: Record<string, unknown>[]): Promise<void> {
  const names = Object.keys(columns);
  const sql = `INSERT INTO ${table} (${names.join(', ')}) SELECT ${names.join(', ')} FROM jsonb_to_recordset($1::jsonb) AS x(${names.map((n) => `${n} ${columns[n]}`).join(', ')})`;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK).map((r) => Object.fromEntries(names.map((n) => [n, r[n] ?? null])));
    await tx.query(sql, [JSON.stringify(chunk)]);
  }
}

/** Inserts a dataset (files already stored) in dependency order; PHI (medical history, allergies, intake answers, analysis findings) is encrypted on the way in. */
export async function insertDataset(tx: Tx, cipher: FieldCipher, ds: DemoDataset, files: StoredFile[]): Promise<void> {
  const sha = new Map(files.map((f) => [f.id, f.sha256]));
  const patients = ds.patients.map(({ medical_history, allergy_notes, ...p }) => ({
    ...p,
    medical_history_enc: cipher.encryptNullable(medical_history as string | null, medicalAad(p.id as string, 'medical_history')),
    allergy_notes_enc: cipher.encryptNullable(allergy_notes as string | null, medicalAad(p.id as string, 'allergy_notes')),
  }));
  await insertRows(tx, 'practitioners', ds.practitioners);
  await insertRows(tx, 'devices', ds.devices);
  await insertRows(tx, 'treatments', ds.treatments);
  await insertRows(tx, 'pigments', ds.pigments);
  await insertRows(tx, 'products', ds.products);
  await insertRows(tx, 'lots', ds.lots);
  await insertRows(tx, 'patients', patients);
  await insertRows(tx, 'intakes', ds.intakes.map(({ answers, ...r }) => ({ ...r, answers_enc: cipher.encrypt(JSON.stringify(answers), intakeAad(r.id as string)) })));
  await insertRows(tx, 'skin_analyses', ds.analyses.map(({ findings, ...r }) => ({ ...r, findings_enc: cipher.encrypt(JSON.stringify(findings), analysisAad(r.id as string)) })));
  // New charts continue the numbering after the demo's (PAT-<year>-000201 ...).
  await insertRows(tx, 'org_sequences', ds.sequences);
  await insertRows(tx, 'visits', ds.visits);
  await insertRows(tx, 'treatment_sessions', ds.sessions);
  await insertRows(tx, 'drug_usages', ds.drugUsages);
  await insertRows(tx, 'stock_movements', ds.stockMovements);
  await insertRows(tx, 'followups', ds.followups);
  await insertRows(tx, 'consent_templates', ds.consentTemplates);
  await insertRows(tx, 'files', files as unknown as Record<string, unknown>[]);
  await insertRows(tx, 'consents', ds.consents.map((c) => ({ ...c, document_sha256: sha.get(c.document_file_id as string) })));
  await insertRows(tx, 'documents', ds.documents);
  await insertRows(tx, 'photos', ds.photos);
  await insertRows(tx, 'compliance_exceptions', ds.complianceExceptions);
}
