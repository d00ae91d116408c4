-- Additions to the clinic chart schema (issue 3, records/catalogue/directory).
-- Duplicate detection compares phone numbers by their digits ("0912-345-678" = "0912 345 678").
ALTER TABLE "patients" ADD COLUMN "phone_digits" text GENERATED ALWAYS AS (nullif(regexp_replace(coalesce("phone", ''), '[^0-9]', '', 'g'), '')) STORED;
--> statement-breakpoint
CREATE INDEX "patients_org_phone_digits_idx" ON "patients" USING btree ("org_id", "phone_digits") WHERE "deleted_at" IS NULL;
--> statement-breakpoint
-- Patient lists are keyset-paginated by name over live rows.
CREATE INDEX "patients_org_live_name_idx" ON "patients" USING btree ("org_id", lower("full_name"), "id") WHERE "deleted_at" IS NULL;
