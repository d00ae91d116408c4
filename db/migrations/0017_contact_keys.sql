DROP INDEX "patients_org_email_idx";--> statement-breakpoint
DROP INDEX "leads_email_idx";--> statement-breakpoint
DROP INDEX "users_email_key";--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "email_key" text GENERATED ALWAYS AS (lower(email)) STORED NOT NULL;--> statement-breakpoint
ALTER TABLE "patients" ADD COLUMN "email_key" text GENERATED ALWAYS AS (lower(email)) STORED;--> statement-breakpoint
ALTER TABLE "leads" ADD COLUMN "email_key" text GENERATED ALWAYS AS (lower(email)) STORED;--> statement-breakpoint
ALTER TABLE "leads" ADD COLUMN "instagram_key" text GENERATED ALWAYS AS (lower(instagram_handle)) STORED;--> statement-breakpoint
ALTER TABLE "leads" ADD COLUMN "facebook_key" text GENERATED ALWAYS AS (lower(facebook_profile)) STORED;--> statement-breakpoint
CREATE INDEX "patients_org_email_key_idx" ON "patients" USING btree ("org_id","email_key") WHERE "patients"."deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX "leads_email_key_idx" ON "leads" USING btree ("org_id","email_key");--> statement-breakpoint
CREATE INDEX "leads_instagram_key_idx" ON "leads" USING btree ("org_id","instagram_key") WHERE "leads"."instagram_key" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "leads_facebook_key_idx" ON "leads" USING btree ("org_id","facebook_key") WHERE "leads"."facebook_key" IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_key" ON "users" USING btree ("email_key");