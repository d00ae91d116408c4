-- An invitation keeps the name of the role it offered, so a custom role can be deleted later
-- (the reference becomes NULL) without losing the record of what was offered.
ALTER TABLE "invitations" DROP CONSTRAINT "invitations_role_id_roles_id_fk";
--> statement-breakpoint
ALTER TABLE "invitations" ALTER COLUMN "role_id" DROP NOT NULL;
--> statement-breakpoint
ALTER TABLE "invitations" ADD COLUMN "role_name" text;
--> statement-breakpoint
-- The schema owner is subject to the forced policies too; lift them for this backfill only.
ALTER TABLE "invitations" NO FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
UPDATE "invitations" i SET "role_name" = r."name" FROM "roles" r WHERE r."id" = i."role_id";
--> statement-breakpoint
ALTER TABLE "invitations" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "invitations" ALTER COLUMN "role_name" SET NOT NULL;
--> statement-breakpoint
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_role_id_roles_id_fk" FOREIGN KEY ("role_id") REFERENCES "public"."roles"("id") ON DELETE set null ON UPDATE no action;
