CREATE TABLE "growth_funnel_daily" (
	"org_id" uuid NOT NULL,
	"day" date NOT NULL,
	"campaign_key" uuid NOT NULL,
	"source" text NOT NULL,
	"platform" text NOT NULL,
	"leads" integer DEFAULT 0 NOT NULL,
	"contacted" integer DEFAULT 0 NOT NULL,
	"booked" integer DEFAULT 0 NOT NULL,
	"showed" integer DEFAULT 0 NOT NULL,
	"won" integer DEFAULT 0 NOT NULL,
	"revenue_minor" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "growth_funnel_daily_org_id_day_campaign_key_source_platform_pk" PRIMARY KEY("org_id","day","campaign_key","source","platform")
);
--> statement-breakpoint
ALTER TABLE "leads" ADD COLUMN "first_contacted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "leads" ADD COLUMN "consult_booked_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "leads" ADD COLUMN "consult_showed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "leads" ADD COLUMN "revenue_minor" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "growth_funnel_daily" ADD CONSTRAINT "growth_funnel_daily_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;