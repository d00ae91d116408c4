-- Consent, screening and media (issue 3, parts 5-7): who withdrew a consent and why, a thumbnail that
-- can only point at a file of the same organization, one open exception per session and kind, and
-- the marketing-photo list.
ALTER TABLE consents ADD COLUMN withdrawn_by uuid;
--> statement-breakpoint
ALTER TABLE consents ADD COLUMN withdrawal_reason text;
--> statement-breakpoint
ALTER TABLE consents ADD CONSTRAINT consents_signed_name_check CHECK (length(btrim(signed_name)) > 0);
--> statement-breakpoint
ALTER TABLE consents ADD CONSTRAINT consents_withdrawn_check CHECK (withdrawn_at IS NOT NULL OR withdrawal_reason IS NULL);
--> statement-breakpoint
ALTER TABLE consent_templates ADD CONSTRAINT consent_templates_version_check CHECK (version >= 1);
--> statement-breakpoint
ALTER TABLE photos ADD CONSTRAINT photos_thumbnail_file_fk FOREIGN KEY (org_id, thumbnail_file_id) REFERENCES files (org_id, id);
--> statement-breakpoint
ALTER TABLE photos ADD CONSTRAINT photos_marketing_consent_check CHECK (NOT marketing_consent OR marketing_consent_at IS NOT NULL);
--> statement-breakpoint
CREATE INDEX photos_marketing_idx ON photos (org_id, captured_at, id) WHERE marketing_consent AND deleted_at IS NULL;
--> statement-breakpoint
ALTER TABLE skin_analyses ADD CONSTRAINT skin_analyses_skin_type_check CHECK (skin_type IS NULL OR skin_type IN ('I','II','III','IV','V','VI'));
--> statement-breakpoint
CREATE UNIQUE INDEX compliance_exceptions_session_kind_key ON compliance_exceptions (org_id, session_id, kind) WHERE session_id IS NOT NULL;
--> statement-breakpoint
CREATE INDEX compliance_exceptions_patient_idx ON compliance_exceptions (org_id, patient_id, created_at);
--> statement-breakpoint
ALTER TABLE compliance_exceptions ADD CONSTRAINT compliance_exceptions_resolution_check CHECK ((resolved_at IS NULL) = (resolution IS NULL));
