-- Intakes and skin analyses are corrected and removed (soft: deleted_at), never silently overwritten:
-- each correction or removal keeps the previous version (its ciphertext as stored) with who, when,
-- why and which fields. Append-only, like session_amendments.
CREATE TABLE "record_amendments" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"intake_id" uuid,
	"skin_analysis_id" uuid,
	"action" text NOT NULL,
	"previous" jsonb NOT NULL,
	"changed_fields" text[] NOT NULL,
	"reason" text NOT NULL,
	"amended_by" uuid,
	"amended_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "record_amendments_one_record_check" CHECK (num_nonnulls("record_amendments"."intake_id", "record_amendments"."skin_analysis_id") = 1),
	CONSTRAINT "record_amendments_action_check" CHECK ("record_amendments"."action" IN ('amend', 'delete'))
);
--> statement-breakpoint
ALTER TABLE "record_amendments" ADD CONSTRAINT "record_amendments_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "record_amendments" ADD CONSTRAINT "record_amendments_intake_fk" FOREIGN KEY ("org_id","intake_id") REFERENCES "public"."intakes"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "record_amendments" ADD CONSTRAINT "record_amendments_skin_analysis_fk" FOREIGN KEY ("org_id","skin_analysis_id") REFERENCES "public"."skin_analyses"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "record_amendments_intake_idx" ON "record_amendments" USING btree ("org_id","intake_id","amended_at");--> statement-breakpoint
CREATE INDEX "record_amendments_skin_analysis_idx" ON "record_amendments" USING btree ("org_id","skin_analysis_id","amended_at");
--> statement-breakpoint
SELECT visage_enable_tenant_rls('record_amendments'::regclass);
--> statement-breakpoint
GRANT SELECT, INSERT ON record_amendments TO visage_app;
