CREATE TABLE "patient_care_summary" (
	"org_id" uuid NOT NULL,
	"patient_id" uuid NOT NULL,
	"first_session_at" timestamp with time zone,
	"returned" boolean DEFAULT false NOT NULL,
	"last_session_at" timestamp with time zone,
	"last_treatment_id" uuid,
	"recommended_date" date,
	"risk_date" date,
	CONSTRAINT "patient_care_summary_org_id_patient_id_pk" PRIMARY KEY("org_id","patient_id")
);
--> statement-breakpoint
CREATE TABLE "session_day_stats" (
	"org_id" uuid NOT NULL,
	"day" date NOT NULL,
	"treatment_id" uuid NOT NULL,
	"procedure_type" text DEFAULT '' NOT NULL,
	"slot" smallint NOT NULL,
	"sessions" integer NOT NULL,
	"priced" integer NOT NULL,
	"revenue_minor" bigint NOT NULL,
	CONSTRAINT "session_day_stats_org_id_day_treatment_id_procedure_type_slot_pk" PRIMARY KEY("org_id","day","treatment_id","procedure_type","slot")
);
--> statement-breakpoint
CREATE TABLE "treatment_repeat_stats" (
	"org_id" uuid NOT NULL,
	"treatment_id" uuid NOT NULL,
	"month" date NOT NULL,
	"slot" smallint NOT NULL,
	"patients" integer NOT NULL,
	"repeaters" integer NOT NULL,
	CONSTRAINT "treatment_repeat_stats_org_id_month_treatment_id_slot_pk" PRIMARY KEY("org_id","month","treatment_id","slot")
);
--> statement-breakpoint
ALTER TABLE "patient_care_summary" ADD CONSTRAINT "patient_care_summary_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session_day_stats" ADD CONSTRAINT "session_day_stats_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "treatment_repeat_stats" ADD CONSTRAINT "treatment_repeat_stats_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "patient_care_summary_risk_idx" ON "patient_care_summary" USING btree ("org_id","risk_date","patient_id") WHERE risk_date IS NOT NULL;--> statement-breakpoint
CREATE INDEX "patient_care_summary_cohort_idx" ON "patient_care_summary" USING btree ("org_id","first_session_at","returned") WHERE first_session_at IS NOT NULL;