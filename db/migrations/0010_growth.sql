CREATE TABLE "activities" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"lead_id" uuid NOT NULL,
	"type" text NOT NULL,
	"payload" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"actor_user_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "activities_type_check" CHECK ("activities"."type" IN ('sms_sent', 'email_sent', 'call', 'form_submit', 'stage_change', 'tag_added'))
);
--> statement-breakpoint
CREATE TABLE "campaign_spend" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"campaign_id" uuid NOT NULL,
	"month" date NOT NULL,
	"amount_minor" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "campaign_spend_amount_check" CHECK ("campaign_spend"."amount_minor" >= 0),
	CONSTRAINT "campaign_spend_month_check" CHECK (extract(day from "campaign_spend"."month") = 1)
);
--> statement-breakpoint
CREATE TABLE "campaigns" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"name" text NOT NULL,
	"platform" text NOT NULL,
	"type" text,
	"status" text DEFAULT 'draft' NOT NULL,
	"target_audience" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"monthly_spend_minor" bigint DEFAULT 0 NOT NULL,
	"budget_minor" bigint,
	"currency" text NOT NULL,
	"start_date" date,
	"end_date" date,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "campaigns_org_id_key" UNIQUE("org_id","id"),
	CONSTRAINT "campaigns_platform_check" CHECK ("campaigns"."platform" IN ('facebook', 'instagram', 'google', 'tiktok', 'youtube', 'email', 'sms', 'referral', 'website', 'other')),
	CONSTRAINT "campaigns_type_check" CHECK ("campaigns"."type" IS NULL OR "campaigns"."type" IN ('email', 'social_media', 'google_ads', 'facebook_ads', 'referral')),
	CONSTRAINT "campaigns_status_check" CHECK ("campaigns"."status" IN ('draft', 'active', 'paused', 'completed')),
	CONSTRAINT "campaigns_spend_check" CHECK ("campaigns"."monthly_spend_minor" >= 0 AND ("campaigns"."budget_minor" IS NULL OR "campaigns"."budget_minor" >= 0)),
	CONSTRAINT "campaigns_currency_check" CHECK ("campaigns"."currency" ~ '^[A-Z]{3}$'),
	CONSTRAINT "campaigns_dates_check" CHECK ("campaigns"."end_date" IS NULL OR "campaigns"."start_date" IS NULL OR "campaigns"."end_date" >= "campaigns"."start_date")
);
--> statement-breakpoint
CREATE TABLE "commission_providers" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"practitioner_id" uuid,
	"is_active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "commission_providers_org_id_key" UNIQUE("org_id","id"),
	CONSTRAINT "commission_providers_role_check" CHECK ("commission_providers"."role" IN ('surgeon', 'doctor', 'nurse', 'injector', 'aesthetician', 'consultant', 'coordinator', 'other'))
);
--> statement-breakpoint
CREATE TABLE "commission_rules" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"provider_id" uuid NOT NULL,
	"name" text NOT NULL,
	"rule" jsonb NOT NULL,
	"effective_from" date,
	"effective_to" date,
	"is_active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "commission_rules_dates_check" CHECK ("commission_rules"."effective_to" IS NULL OR "commission_rules"."effective_from" IS NULL OR "commission_rules"."effective_to" >= "commission_rules"."effective_from")
);
--> statement-breakpoint
CREATE TABLE "crm_deliveries" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"provider" text NOT NULL,
	"delivery_id" text NOT NULL,
	"payload_sha256" text NOT NULL,
	"lead_id" uuid,
	"outcome" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "crm_integrations" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"provider" text NOT NULL,
	"secret_enc" text NOT NULL,
	"is_active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "crm_integrations_provider_check" CHECK ("crm_integrations"."provider" IN ('gohighlevel'))
);
--> statement-breakpoint
CREATE TABLE "growth_retention_runs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"ran_at" timestamp with time zone NOT NULL,
	"cutoffs" jsonb NOT NULL,
	"removed" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "journey_events" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"lead_id" uuid,
	"user_id" uuid,
	"patient_id" uuid,
	"event_type" text NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"source" text,
	"session_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "journey_events_type_check" CHECK ("journey_events"."event_type" ~ '^[a-z][a-z0-9_]{1,59}$')
);
--> statement-breakpoint
CREATE TABLE "kpi_events" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"lead_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"value_minor" bigint,
	"currency" text,
	"occurred_at" timestamp with time zone NOT NULL,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"campaign_id" uuid,
	"source" text,
	"procedure_code" text,
	"provider_id" uuid,
	"source_ref" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "kpi_events_kind_check" CHECK ("kpi_events"."kind" IN ('ad_click', 'consult_booked', 'consult_show', 'invoice_paid')),
	CONSTRAINT "kpi_events_value_check" CHECK (("kpi_events"."kind" <> 'invoice_paid' OR ("kpi_events"."value_minor" IS NOT NULL AND "kpi_events"."value_minor" > 0)) AND ("kpi_events"."value_minor" IS NULL OR "kpi_events"."value_minor" > 0)),
	CONSTRAINT "kpi_events_currency_check" CHECK ("kpi_events"."currency" IS NULL OR "kpi_events"."currency" ~ '^[A-Z]{3}$'),
	CONSTRAINT "kpi_events_procedure_check" CHECK ("kpi_events"."procedure_code" IS NULL OR "kpi_events"."procedure_code" IN ('BTX', 'FILLER', 'LASER', 'RHINO', 'BREAST', 'TUMMY', 'FACE'))
);
--> statement-breakpoint
CREATE TABLE "lead_stage_history" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"lead_id" uuid NOT NULL,
	"stage_id" uuid NOT NULL,
	"from_stage_id" uuid,
	"changed_at" timestamp with time zone NOT NULL,
	"changed_by" uuid
);
--> statement-breakpoint
CREATE TABLE "lead_tags" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"lead_id" uuid NOT NULL,
	"tag_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "leads" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"external_id" text,
	"first_name" text,
	"email" text,
	"phone" text,
	"source" text NOT NULL,
	"campaign_id" uuid,
	"ad_platform" text,
	"stage_id" uuid NOT NULL,
	"rank" text NOT NULL,
	"status" text DEFAULT 'new' NOT NULL,
	"lead_score" integer DEFAULT 0 NOT NULL,
	"score_factors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"scored_at" timestamp with time zone,
	"assigned_user_id" uuid,
	"user_id" uuid,
	"patient_id" uuid,
	"country" text,
	"city" text,
	"age_group" text,
	"timezone" text,
	"deal_value_minor" bigint,
	"currency" text NOT NULL,
	"linkedin_url" text,
	"x_handle" text,
	"instagram_handle" text,
	"facebook_profile" text,
	"tiktok_handle" text,
	"reddit_handle" text,
	"summary" text,
	"last_interaction_at" timestamp with time zone,
	"contact_consent_at" timestamp with time zone,
	"contact_consent_source" text,
	"won_at" timestamp with time zone,
	"lost_at" timestamp with time zone,
	"lost_reason" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "leads_org_id_key" UNIQUE("org_id","id"),
	CONSTRAINT "leads_status_check" CHECK ("leads"."status" IN ('new', 'contacted', 'qualified', 'converted', 'lost')),
	CONSTRAINT "leads_score_check" CHECK ("leads"."lead_score" BETWEEN 0 AND 100),
	CONSTRAINT "leads_age_group_check" CHECK ("leads"."age_group" IS NULL OR "leads"."age_group" IN ('18-24', '25-34', '35-44', '45-54', '55-64', '65+')),
	CONSTRAINT "leads_phone_check" CHECK ("leads"."phone" IS NULL OR "leads"."phone" ~ '^\+[1-9][0-9]{6,14}$'),
	CONSTRAINT "leads_deal_value_check" CHECK ("leads"."deal_value_minor" IS NULL OR "leads"."deal_value_minor" >= 0),
	CONSTRAINT "leads_currency_check" CHECK ("leads"."currency" ~ '^[A-Z]{3}$')
);
--> statement-breakpoint
CREATE TABLE "opportunities" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"lead_id" uuid NOT NULL,
	"expected_value_minor" bigint NOT NULL,
	"currency" text NOT NULL,
	"procedure_code" text NOT NULL,
	"expected_date" date,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "opportunities_value_check" CHECK ("opportunities"."expected_value_minor" > 0),
	CONSTRAINT "opportunities_procedure_check" CHECK ("opportunities"."procedure_code" IN ('BTX', 'FILLER', 'LASER', 'RHINO', 'BREAST', 'TUMMY', 'FACE')),
	CONSTRAINT "opportunities_currency_check" CHECK ("opportunities"."currency" ~ '^[A-Z]{3}$')
);
--> statement-breakpoint
CREATE TABLE "pipeline_stages" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"name" text NOT NULL,
	"position" integer NOT NULL,
	"color" text NOT NULL,
	"kind" text DEFAULT 'open' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "pipeline_stages_org_id_key" UNIQUE("org_id","id"),
	CONSTRAINT "pipeline_stages_kind_check" CHECK ("pipeline_stages"."kind" IN ('new', 'contacted', 'consult_booked', 'won', 'lost', 'open')),
	CONSTRAINT "pipeline_stages_color_check" CHECK ("pipeline_stages"."color" ~ '^#[0-9a-fA-F]{6}$'),
	CONSTRAINT "pipeline_stages_position_check" CHECK ("pipeline_stages"."position" >= 0)
);
--> statement-breakpoint
CREATE TABLE "tags" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"name" text NOT NULL,
	"color" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tags_org_id_key" UNIQUE("org_id","id"),
	CONSTRAINT "tags_color_check" CHECK ("tags"."color" ~ '^#[0-9a-fA-F]{6}$')
);
--> statement-breakpoint
ALTER TABLE "activities" ADD CONSTRAINT "activities_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "activities" ADD CONSTRAINT "activities_lead_fk" FOREIGN KEY ("org_id","lead_id") REFERENCES "public"."leads"("org_id","id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "campaign_spend" ADD CONSTRAINT "campaign_spend_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "campaign_spend" ADD CONSTRAINT "campaign_spend_campaign_fk" FOREIGN KEY ("org_id","campaign_id") REFERENCES "public"."campaigns"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "commission_providers" ADD CONSTRAINT "commission_providers_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "commission_rules" ADD CONSTRAINT "commission_rules_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "commission_rules" ADD CONSTRAINT "commission_rules_provider_fk" FOREIGN KEY ("org_id","provider_id") REFERENCES "public"."commission_providers"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "crm_deliveries" ADD CONSTRAINT "crm_deliveries_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "crm_integrations" ADD CONSTRAINT "crm_integrations_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "growth_retention_runs" ADD CONSTRAINT "growth_retention_runs_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "journey_events" ADD CONSTRAINT "journey_events_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "journey_events" ADD CONSTRAINT "journey_events_lead_fk" FOREIGN KEY ("org_id","lead_id") REFERENCES "public"."leads"("org_id","id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "kpi_events" ADD CONSTRAINT "kpi_events_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "kpi_events" ADD CONSTRAINT "kpi_events_lead_fk" FOREIGN KEY ("org_id","lead_id") REFERENCES "public"."leads"("org_id","id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "lead_stage_history" ADD CONSTRAINT "lead_stage_history_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "lead_stage_history" ADD CONSTRAINT "lead_stage_history_lead_fk" FOREIGN KEY ("org_id","lead_id") REFERENCES "public"."leads"("org_id","id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "lead_stage_history" ADD CONSTRAINT "lead_stage_history_stage_fk" FOREIGN KEY ("org_id","stage_id") REFERENCES "public"."pipeline_stages"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "lead_tags" ADD CONSTRAINT "lead_tags_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "lead_tags" ADD CONSTRAINT "lead_tags_lead_fk" FOREIGN KEY ("org_id","lead_id") REFERENCES "public"."leads"("org_id","id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "lead_tags" ADD CONSTRAINT "lead_tags_tag_fk" FOREIGN KEY ("org_id","tag_id") REFERENCES "public"."tags"("org_id","id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "leads" ADD CONSTRAINT "leads_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "leads" ADD CONSTRAINT "leads_campaign_fk" FOREIGN KEY ("org_id","campaign_id") REFERENCES "public"."campaigns"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "leads" ADD CONSTRAINT "leads_stage_fk" FOREIGN KEY ("org_id","stage_id") REFERENCES "public"."pipeline_stages"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "opportunities" ADD CONSTRAINT "opportunities_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "opportunities" ADD CONSTRAINT "opportunities_lead_fk" FOREIGN KEY ("org_id","lead_id") REFERENCES "public"."leads"("org_id","id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "pipeline_stages" ADD CONSTRAINT "pipeline_stages_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "tags" ADD CONSTRAINT "tags_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
CREATE INDEX "activities_lead_idx" ON "activities" USING btree ("org_id","lead_id","created_at");
--> statement-breakpoint
CREATE INDEX "activities_created_idx" ON "activities" USING btree ("org_id","created_at");
--> statement-breakpoint
CREATE UNIQUE INDEX "campaign_spend_month_key" ON "campaign_spend" USING btree ("org_id","campaign_id","month");
--> statement-breakpoint
CREATE UNIQUE INDEX "campaigns_org_name_key" ON "campaigns" USING btree ("org_id",lower("name")) WHERE "campaigns"."deleted_at" IS NULL;
--> statement-breakpoint
CREATE INDEX "commission_rules_provider_idx" ON "commission_rules" USING btree ("org_id","provider_id");
--> statement-breakpoint
CREATE UNIQUE INDEX "crm_deliveries_key" ON "crm_deliveries" USING btree ("org_id","provider","delivery_id");
--> statement-breakpoint
CREATE INDEX "crm_deliveries_received_idx" ON "crm_deliveries" USING btree ("org_id","received_at");
--> statement-breakpoint
CREATE UNIQUE INDEX "crm_integrations_provider_key" ON "crm_integrations" USING btree ("org_id","provider");
--> statement-breakpoint
CREATE INDEX "growth_retention_runs_idx" ON "growth_retention_runs" USING btree ("org_id","ran_at");
--> statement-breakpoint
CREATE INDEX "journey_events_lead_idx" ON "journey_events" USING btree ("org_id","lead_id","created_at");
--> statement-breakpoint
CREATE INDEX "journey_events_created_idx" ON "journey_events" USING btree ("org_id","created_at");
--> statement-breakpoint
CREATE UNIQUE INDEX "kpi_events_source_ref_key" ON "kpi_events" USING btree ("org_id","kind","source_ref") WHERE "kpi_events"."source_ref" IS NOT NULL;
--> statement-breakpoint
CREATE INDEX "kpi_events_occurred_idx" ON "kpi_events" USING btree ("org_id","occurred_at");
--> statement-breakpoint
CREATE INDEX "kpi_events_kind_idx" ON "kpi_events" USING btree ("org_id","kind","occurred_at");
--> statement-breakpoint
CREATE INDEX "kpi_events_lead_idx" ON "kpi_events" USING btree ("org_id","lead_id","occurred_at");
--> statement-breakpoint
CREATE INDEX "kpi_events_provider_idx" ON "kpi_events" USING btree ("org_id","provider_id","occurred_at") WHERE "kpi_events"."provider_id" IS NOT NULL;
--> statement-breakpoint
CREATE INDEX "lead_stage_history_lead_idx" ON "lead_stage_history" USING btree ("org_id","lead_id","changed_at");
--> statement-breakpoint
CREATE INDEX "lead_stage_history_changed_idx" ON "lead_stage_history" USING btree ("org_id","changed_at");
--> statement-breakpoint
CREATE UNIQUE INDEX "lead_tags_pair_key" ON "lead_tags" USING btree ("org_id","lead_id","tag_id");
--> statement-breakpoint
CREATE INDEX "lead_tags_tag_idx" ON "lead_tags" USING btree ("org_id","tag_id");
--> statement-breakpoint
CREATE UNIQUE INDEX "leads_org_external_key" ON "leads" USING btree ("org_id","external_id") WHERE "leads"."external_id" IS NOT NULL;
--> statement-breakpoint
CREATE INDEX "leads_board_idx" ON "leads" USING btree ("org_id","stage_id","rank");
--> statement-breakpoint
CREATE INDEX "leads_created_idx" ON "leads" USING btree ("org_id","created_at");
--> statement-breakpoint
CREATE INDEX "leads_source_idx" ON "leads" USING btree ("org_id","source");
--> statement-breakpoint
CREATE INDEX "leads_campaign_idx" ON "leads" USING btree ("org_id","campaign_id","created_at");
--> statement-breakpoint
CREATE INDEX "leads_patient_idx" ON "leads" USING btree ("org_id","patient_id") WHERE "leads"."patient_id" IS NOT NULL;
--> statement-breakpoint
CREATE INDEX "leads_email_idx" ON "leads" USING btree ("org_id",lower("email"));
--> statement-breakpoint
CREATE INDEX "leads_phone_idx" ON "leads" USING btree ("org_id","phone");
--> statement-breakpoint
CREATE UNIQUE INDEX "opportunities_lead_key" ON "opportunities" USING btree ("org_id","lead_id");
--> statement-breakpoint
CREATE UNIQUE INDEX "pipeline_stages_org_name_key" ON "pipeline_stages" USING btree ("org_id",lower("name"));
--> statement-breakpoint
CREATE UNIQUE INDEX "tags_org_name_key" ON "tags" USING btree ("org_id",lower("name"));
