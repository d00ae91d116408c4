CREATE TABLE "consent_templates" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"treatment_id" uuid,
	"title" text NOT NULL,
	"version" integer NOT NULL,
	"body" text NOT NULL,
	"is_current" boolean DEFAULT true NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "consent_templates_org_id_key" UNIQUE("org_id","id")
);
--> statement-breakpoint
CREATE TABLE "pigments" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"brand" text NOT NULL,
	"color" text NOT NULL,
	"undertone" text,
	"notes" text,
	"is_active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "pigments_org_id_key" UNIQUE("org_id","id")
);
--> statement-breakpoint
CREATE TABLE "treatments" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"name_en" text,
	"category" text NOT NULL,
	"default_unit" text NOT NULL,
	"base_price_minor" bigint DEFAULT 0 NOT NULL,
	"currency" text NOT NULL,
	"description" text,
	"is_active" boolean DEFAULT true NOT NULL,
	"consent_required" boolean DEFAULT false NOT NULL,
	"followup_rules" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"contraindications" text[] DEFAULT '{}'::text[] NOT NULL,
	"ingredients" text[] DEFAULT '{}'::text[] NOT NULL,
	"procedure_type" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "treatments_org_id_key" UNIQUE("org_id","id"),
	CONSTRAINT "treatments_price_check" CHECK ("treatments"."base_price_minor" >= 0),
	CONSTRAINT "treatments_currency_check" CHECK ("treatments"."currency" ~ '^[A-Z]{3}$')
);
--> statement-breakpoint
CREATE TABLE "devices" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"code" text NOT NULL,
	"device_name" text NOT NULL,
	"device_type" text NOT NULL,
	"manufacturer" text,
	"model" text,
	"serial_no" text,
	"maintenance_cycle_days" integer,
	"last_maintenance_on" date,
	"default_settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "devices_org_id_key" UNIQUE("org_id","id"),
	CONSTRAINT "devices_cycle_check" CHECK ("devices"."maintenance_cycle_days" IS NULL OR "devices"."maintenance_cycle_days" > 0)
);
--> statement-breakpoint
CREATE TABLE "practitioners" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"code" text NOT NULL,
	"user_id" uuid,
	"full_name" text NOT NULL,
	"license_no" text,
	"specialty" text,
	"kind" text DEFAULT 'doctor' NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "practitioners_org_id_key" UNIQUE("org_id","id")
);
--> statement-breakpoint
CREATE TABLE "compliance_exceptions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"patient_id" uuid NOT NULL,
	"session_id" uuid,
	"kind" text NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"resolved_at" timestamp with time zone,
	"resolved_by" uuid,
	"resolution" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "compliance_exceptions_org_id_key" UNIQUE("org_id","id")
);
--> statement-breakpoint
CREATE TABLE "consents" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"patient_id" uuid NOT NULL,
	"template_id" uuid NOT NULL,
	"treatment_id" uuid,
	"template_version" integer NOT NULL,
	"signed_name" text NOT NULL,
	"signature_file_id" uuid NOT NULL,
	"document_file_id" uuid NOT NULL,
	"document_sha256" text NOT NULL,
	"signed_at" timestamp with time zone NOT NULL,
	"signed_ip" text,
	"withdrawn_at" timestamp with time zone,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "consents_org_id_key" UNIQUE("org_id","id")
);
--> statement-breakpoint
CREATE TABLE "documents" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"patient_id" uuid NOT NULL,
	"type" text NOT NULL,
	"file_id" uuid NOT NULL,
	"notes" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "documents_org_id_key" UNIQUE("org_id","id")
);
--> statement-breakpoint
CREATE TABLE "intakes" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"patient_id" uuid NOT NULL,
	"kind" text DEFAULT 'intake' NOT NULL,
	"answers_enc" text NOT NULL,
	"flags" text[] DEFAULT '{}'::text[] NOT NULL,
	"completed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "intakes_org_id_key" UNIQUE("org_id","id")
);
--> statement-breakpoint
CREATE TABLE "org_sequences" (
	"org_id" uuid NOT NULL,
	"name" text NOT NULL,
	"year" integer NOT NULL,
	"value" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "org_sequences_org_id_name_year_pk" PRIMARY KEY("org_id","name","year")
);
--> statement-breakpoint
CREATE TABLE "patients" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"code" text NOT NULL,
	"user_id" uuid,
	"full_name" text NOT NULL,
	"gender" text,
	"date_of_birth" date,
	"phone" text,
	"email" text,
	"skin_type" text,
	"medical_history_enc" text,
	"allergy_notes_enc" text,
	"emergency_contact" text,
	"notes" text,
	"is_active" boolean DEFAULT true NOT NULL,
	"alert_level" text DEFAULT 'none' NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "patients_org_id_key" UNIQUE("org_id","id"),
	CONSTRAINT "patients_skin_type_check" CHECK ("patients"."skin_type" IS NULL OR "patients"."skin_type" IN ('I','II','III','IV','V','VI'))
);
--> statement-breakpoint
CREATE TABLE "photos" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"patient_id" uuid NOT NULL,
	"session_id" uuid,
	"file_id" uuid NOT NULL,
	"thumbnail_file_id" uuid,
	"media_type" text NOT NULL,
	"angle" text DEFAULT 'front' NOT NULL,
	"captured_at" timestamp with time zone NOT NULL,
	"marketing_consent" boolean DEFAULT false NOT NULL,
	"marketing_consent_at" timestamp with time zone,
	"notes" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "photos_org_id_key" UNIQUE("org_id","id")
);
--> statement-breakpoint
CREATE TABLE "skin_analyses" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"patient_id" uuid NOT NULL,
	"analyzed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"skin_type" text,
	"findings_enc" text NOT NULL,
	"file_id" uuid,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "skin_analyses_org_id_key" UNIQUE("org_id","id")
);
--> statement-breakpoint
CREATE TABLE "drug_usages" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"session_id" uuid NOT NULL,
	"product_id" uuid NOT NULL,
	"lot_id" uuid NOT NULL,
	"amount_used" numeric(12, 2) NOT NULL,
	"unit" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "drug_usages_org_id_key" UNIQUE("org_id","id"),
	CONSTRAINT "drug_usages_amount_check" CHECK ("drug_usages"."amount_used" > 0)
);
--> statement-breakpoint
CREATE TABLE "session_amendments" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"session_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"previous" jsonb NOT NULL,
	"changed_fields" text[] NOT NULL,
	"reason" text NOT NULL,
	"amended_by" uuid,
	"amended_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "treatment_sessions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"visit_id" uuid,
	"patient_id" uuid NOT NULL,
	"treatment_id" uuid NOT NULL,
	"practitioner_id" uuid,
	"device_id" uuid,
	"session_no" integer NOT NULL,
	"dosage_value" numeric(12, 2),
	"dosage_unit" text,
	"treatment_area" jsonb,
	"device_settings" jsonb,
	"pmu" jsonb,
	"performed_at" timestamp with time zone NOT NULL,
	"immediate_reaction" text,
	"clinical_notes" text,
	"price_minor" bigint,
	"currency" text,
	"status" text DEFAULT 'signed' NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"signed_at" timestamp with time zone,
	"signed_by" uuid,
	"consent_exception" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "treatment_sessions_org_id_key" UNIQUE("org_id","id"),
	CONSTRAINT "treatment_sessions_dosage_check" CHECK ("treatment_sessions"."dosage_value" IS NULL OR "treatment_sessions"."dosage_value" >= 0),
	CONSTRAINT "treatment_sessions_price_check" CHECK ("treatment_sessions"."price_minor" IS NULL OR "treatment_sessions"."price_minor" >= 0)
);
--> statement-breakpoint
CREATE TABLE "visits" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"patient_id" uuid NOT NULL,
	"visit_date" date NOT NULL,
	"visit_type" text NOT NULL,
	"practitioner_id" uuid,
	"notes" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "visits_org_id_key" UNIQUE("org_id","id")
);
--> statement-breakpoint
CREATE TABLE "lots" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"product_id" uuid NOT NULL,
	"lot_number" text NOT NULL,
	"expiry_date" date NOT NULL,
	"quantity_received" numeric(12, 2) NOT NULL,
	"quantity_on_hand" numeric(12, 2) NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"supplier" text,
	"unit_cost_minor" bigint,
	"currency" text,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "lots_org_id_key" UNIQUE("org_id","id"),
	CONSTRAINT "lots_on_hand_check" CHECK ("lots"."quantity_on_hand" >= 0),
	CONSTRAINT "lots_received_check" CHECK ("lots"."quantity_received" > 0)
);
--> statement-breakpoint
CREATE TABLE "products" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"product_type" text NOT NULL,
	"unit" text NOT NULL,
	"supplier" text,
	"pigment_id" uuid,
	"ingredients" text[] DEFAULT '{}'::text[] NOT NULL,
	"reorder_level" numeric(12, 2),
	"is_active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "products_org_id_key" UNIQUE("org_id","id")
);
--> statement-breakpoint
CREATE TABLE "stock_movements" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"lot_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"quantity" numeric(12, 2) NOT NULL,
	"usage_id" uuid,
	"reason" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "followups" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"patient_id" uuid NOT NULL,
	"session_id" uuid,
	"treatment_id" uuid,
	"followup_type" text NOT NULL,
	"scheduled_date" date NOT NULL,
	"actual_date" date,
	"outcome_notes" text,
	"next_recommend_date" date,
	"notify_flag" boolean DEFAULT false NOT NULL,
	"status" text DEFAULT 'planned' NOT NULL,
	"source" text DEFAULT 'manual' NOT NULL,
	"reminder_due_at" timestamp with time zone,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "followups_org_id_key" UNIQUE("org_id","id")
);
--> statement-breakpoint
CREATE TABLE "reminder_deliveries" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"followup_id" uuid NOT NULL,
	"channel" text NOT NULL,
	"status" text DEFAULT 'sending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"provider_message_id" text,
	"last_error" text,
	"sent_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "organizations" ADD COLUMN "consent_policy" text DEFAULT 'flag' NOT NULL;--> statement-breakpoint
ALTER TABLE "consent_templates" ADD CONSTRAINT "consent_templates_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pigments" ADD CONSTRAINT "pigments_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "treatments" ADD CONSTRAINT "treatments_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "devices" ADD CONSTRAINT "devices_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "practitioners" ADD CONSTRAINT "practitioners_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "compliance_exceptions" ADD CONSTRAINT "compliance_exceptions_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consents" ADD CONSTRAINT "consents_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consents" ADD CONSTRAINT "consents_patient_fk" FOREIGN KEY ("org_id","patient_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_patient_fk" FOREIGN KEY ("org_id","patient_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "intakes" ADD CONSTRAINT "intakes_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "intakes" ADD CONSTRAINT "intakes_patient_fk" FOREIGN KEY ("org_id","patient_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "org_sequences" ADD CONSTRAINT "org_sequences_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "patients" ADD CONSTRAINT "patients_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "photos" ADD CONSTRAINT "photos_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "photos" ADD CONSTRAINT "photos_patient_fk" FOREIGN KEY ("org_id","patient_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "skin_analyses" ADD CONSTRAINT "skin_analyses_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "skin_analyses" ADD CONSTRAINT "skin_analyses_patient_fk" FOREIGN KEY ("org_id","patient_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "drug_usages" ADD CONSTRAINT "drug_usages_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "drug_usages" ADD CONSTRAINT "drug_usages_session_fk" FOREIGN KEY ("org_id","session_id") REFERENCES "public"."treatment_sessions"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session_amendments" ADD CONSTRAINT "session_amendments_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session_amendments" ADD CONSTRAINT "session_amendments_session_fk" FOREIGN KEY ("org_id","session_id") REFERENCES "public"."treatment_sessions"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "treatment_sessions" ADD CONSTRAINT "treatment_sessions_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "treatment_sessions" ADD CONSTRAINT "treatment_sessions_patient_fk" FOREIGN KEY ("org_id","patient_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "visits" ADD CONSTRAINT "visits_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "visits" ADD CONSTRAINT "visits_patient_fk" FOREIGN KEY ("org_id","patient_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lots" ADD CONSTRAINT "lots_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lots" ADD CONSTRAINT "lots_product_fk" FOREIGN KEY ("org_id","product_id") REFERENCES "public"."products"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "products" ADD CONSTRAINT "products_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stock_movements" ADD CONSTRAINT "stock_movements_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stock_movements" ADD CONSTRAINT "stock_movements_lot_fk" FOREIGN KEY ("org_id","lot_id") REFERENCES "public"."lots"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "followups" ADD CONSTRAINT "followups_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "followups" ADD CONSTRAINT "followups_patient_fk" FOREIGN KEY ("org_id","patient_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reminder_deliveries" ADD CONSTRAINT "reminder_deliveries_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "consent_templates_version_key" ON "consent_templates" USING btree ("org_id","treatment_id","version");--> statement-breakpoint
CREATE UNIQUE INDEX "consent_templates_current_key" ON "consent_templates" USING btree ("org_id","treatment_id") WHERE "consent_templates"."is_current";--> statement-breakpoint
CREATE INDEX "consent_templates_treatment_idx" ON "consent_templates" USING btree ("org_id","treatment_id");--> statement-breakpoint
CREATE UNIQUE INDEX "pigments_org_brand_color_key" ON "pigments" USING btree ("org_id",lower("brand"),lower("color")) WHERE "pigments"."deleted_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "treatments_org_code_key" ON "treatments" USING btree ("org_id",lower("code")) WHERE "treatments"."deleted_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "devices_org_code_key" ON "devices" USING btree ("org_id",lower("code")) WHERE "devices"."deleted_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "practitioners_org_code_key" ON "practitioners" USING btree ("org_id",lower("code")) WHERE "practitioners"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "compliance_exceptions_open_idx" ON "compliance_exceptions" USING btree ("org_id","created_at") WHERE "compliance_exceptions"."resolved_at" IS NULL;--> statement-breakpoint
CREATE INDEX "consents_patient_idx" ON "consents" USING btree ("org_id","patient_id","treatment_id");--> statement-breakpoint
CREATE INDEX "documents_patient_idx" ON "documents" USING btree ("org_id","patient_id","type");--> statement-breakpoint
CREATE INDEX "intakes_patient_idx" ON "intakes" USING btree ("org_id","patient_id","completed_at");--> statement-breakpoint
CREATE UNIQUE INDEX "patients_org_code_key" ON "patients" USING btree ("org_id","code");--> statement-breakpoint
CREATE INDEX "patients_org_name_idx" ON "patients" USING btree ("org_id",lower("full_name"));--> statement-breakpoint
CREATE INDEX "patients_org_phone_idx" ON "patients" USING btree ("org_id","phone");--> statement-breakpoint
CREATE INDEX "patients_org_email_idx" ON "patients" USING btree ("org_id",lower("email"));--> statement-breakpoint
CREATE INDEX "photos_patient_idx" ON "photos" USING btree ("org_id","patient_id","captured_at");--> statement-breakpoint
CREATE INDEX "photos_session_idx" ON "photos" USING btree ("org_id","session_id");--> statement-breakpoint
CREATE INDEX "skin_analyses_patient_idx" ON "skin_analyses" USING btree ("org_id","patient_id","analyzed_at");--> statement-breakpoint
CREATE INDEX "drug_usages_lot_idx" ON "drug_usages" USING btree ("org_id","lot_id");--> statement-breakpoint
CREATE INDEX "drug_usages_session_idx" ON "drug_usages" USING btree ("org_id","session_id");--> statement-breakpoint
CREATE UNIQUE INDEX "session_amendments_version_key" ON "session_amendments" USING btree ("org_id","session_id","version");--> statement-breakpoint
CREATE UNIQUE INDEX "treatment_sessions_number_key" ON "treatment_sessions" USING btree ("org_id","patient_id","treatment_id","session_no") WHERE "treatment_sessions"."deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX "treatment_sessions_performed_idx" ON "treatment_sessions" USING btree ("org_id","performed_at");--> statement-breakpoint
CREATE INDEX "treatment_sessions_treatment_idx" ON "treatment_sessions" USING btree ("org_id","treatment_id","performed_at");--> statement-breakpoint
CREATE INDEX "treatment_sessions_patient_idx" ON "treatment_sessions" USING btree ("org_id","patient_id","performed_at");--> statement-breakpoint
CREATE INDEX "visits_patient_idx" ON "visits" USING btree ("org_id","patient_id","visit_date");--> statement-breakpoint
CREATE UNIQUE INDEX "lots_product_number_key" ON "lots" USING btree ("org_id","product_id","lot_number");--> statement-breakpoint
CREATE INDEX "lots_expiry_idx" ON "lots" USING btree ("org_id","expiry_date");--> statement-breakpoint
CREATE UNIQUE INDEX "products_org_code_key" ON "products" USING btree ("org_id",lower("code")) WHERE "products"."deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX "stock_movements_lot_idx" ON "stock_movements" USING btree ("org_id","lot_id","created_at");--> statement-breakpoint
CREATE INDEX "followups_org_date_idx" ON "followups" USING btree ("org_id","scheduled_date","status");--> statement-breakpoint
CREATE INDEX "followups_patient_idx" ON "followups" USING btree ("org_id","patient_id","scheduled_date");--> statement-breakpoint
CREATE INDEX "followups_session_idx" ON "followups" USING btree ("org_id","session_id");--> statement-breakpoint
CREATE UNIQUE INDEX "reminder_deliveries_once_key" ON "reminder_deliveries" USING btree ("org_id","followup_id","channel");