-- Tenancy and privileges of the clinic chart. Clinical and financial rows are never deleted by the
-- app (soft delete via deleted_at); append-only records (amendments, stock movements) cannot be
-- changed either.
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['treatments', 'pigments', 'consent_templates', 'practitioners', 'devices', 'org_sequences', 'patients',
    'intakes', 'skin_analyses', 'consents', 'documents', 'photos', 'compliance_exceptions', 'visits', 'treatment_sessions',
    'session_amendments', 'drug_usages', 'products', 'lots', 'stock_movements', 'followups', 'reminder_deliveries'] LOOP
    PERFORM visage_enable_tenant_rls(t::regclass);
  END LOOP;
END $$;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON treatments, pigments, consent_templates, practitioners, devices, org_sequences, patients, intakes,
  skin_analyses, consents, documents, photos, compliance_exceptions, visits, treatment_sessions, drug_usages, products, lots,
  followups, reminder_deliveries TO visage_app;
--> statement-breakpoint
GRANT SELECT, INSERT ON session_amendments, stock_movements TO visage_app;
--> statement-breakpoint
-- References between tenant rows carry org_id, so a row can never point into another organization.
ALTER TABLE treatment_sessions
  ADD CONSTRAINT treatment_sessions_treatment_fk FOREIGN KEY (org_id, treatment_id) REFERENCES treatments (org_id, id),
  ADD CONSTRAINT treatment_sessions_visit_fk FOREIGN KEY (org_id, visit_id) REFERENCES visits (org_id, id),
  ADD CONSTRAINT treatment_sessions_practitioner_fk FOREIGN KEY (org_id, practitioner_id) REFERENCES practitioners (org_id, id),
  ADD CONSTRAINT treatment_sessions_device_fk FOREIGN KEY (org_id, device_id) REFERENCES devices (org_id, id);
--> statement-breakpoint
ALTER TABLE visits ADD CONSTRAINT visits_practitioner_fk FOREIGN KEY (org_id, practitioner_id) REFERENCES practitioners (org_id, id);
--> statement-breakpoint
ALTER TABLE drug_usages
  ADD CONSTRAINT drug_usages_product_fk FOREIGN KEY (org_id, product_id) REFERENCES products (org_id, id),
  ADD CONSTRAINT drug_usages_lot_fk FOREIGN KEY (org_id, lot_id) REFERENCES lots (org_id, id);
--> statement-breakpoint
ALTER TABLE consent_templates ADD CONSTRAINT consent_templates_treatment_fk FOREIGN KEY (org_id, treatment_id) REFERENCES treatments (org_id, id);
--> statement-breakpoint
ALTER TABLE consents
  ADD CONSTRAINT consents_template_fk FOREIGN KEY (org_id, template_id) REFERENCES consent_templates (org_id, id),
  ADD CONSTRAINT consents_signature_file_fk FOREIGN KEY (org_id, signature_file_id) REFERENCES files (org_id, id),
  ADD CONSTRAINT consents_document_file_fk FOREIGN KEY (org_id, document_file_id) REFERENCES files (org_id, id);
--> statement-breakpoint
ALTER TABLE documents ADD CONSTRAINT documents_file_fk FOREIGN KEY (org_id, file_id) REFERENCES files (org_id, id);
--> statement-breakpoint
ALTER TABLE photos
  ADD CONSTRAINT photos_file_fk FOREIGN KEY (org_id, file_id) REFERENCES files (org_id, id),
  ADD CONSTRAINT photos_session_fk FOREIGN KEY (org_id, session_id) REFERENCES treatment_sessions (org_id, id);
--> statement-breakpoint
ALTER TABLE skin_analyses ADD CONSTRAINT skin_analyses_file_fk FOREIGN KEY (org_id, file_id) REFERENCES files (org_id, id);
--> statement-breakpoint
ALTER TABLE products ADD CONSTRAINT products_pigment_fk FOREIGN KEY (org_id, pigment_id) REFERENCES pigments (org_id, id);
--> statement-breakpoint
ALTER TABLE followups
  ADD CONSTRAINT followups_session_fk FOREIGN KEY (org_id, session_id) REFERENCES treatment_sessions (org_id, id),
  ADD CONSTRAINT followups_treatment_fk FOREIGN KEY (org_id, treatment_id) REFERENCES treatments (org_id, id);
--> statement-breakpoint
ALTER TABLE reminder_deliveries ADD CONSTRAINT reminder_deliveries_followup_fk FOREIGN KEY (org_id, followup_id) REFERENCES followups (org_id, id);
--> statement-breakpoint
ALTER TABLE compliance_exceptions
  ADD CONSTRAINT compliance_exceptions_patient_fk FOREIGN KEY (org_id, patient_id) REFERENCES patients (org_id, id),
  ADD CONSTRAINT compliance_exceptions_session_fk FOREIGN KEY (org_id, session_id) REFERENCES treatment_sessions (org_id, id);
