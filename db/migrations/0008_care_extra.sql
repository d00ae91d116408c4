-- Care and dashboards (issue 3, parts 8 and 9): follow-up reminders and the indexes the dashboards use.

-- Follow-ups: the reminder channel (NULL = the patient's email, else phone by SMS), when the reminder
-- sweep queued the reminder, and why a follow-up was cancelled.
ALTER TABLE followups
  ADD COLUMN channel text,
  ADD COLUMN reminder_queued_at timestamp with time zone,
  ADD COLUMN cancel_reason text,
  ADD CONSTRAINT followups_channel_check CHECK (channel IS NULL OR channel IN ('email', 'sms', 'whatsapp', 'line')),
  ADD CONSTRAINT followups_type_check CHECK (followup_type IN ('medical', 'maintenance', 'reminder', 'touch_up')),
  ADD CONSTRAINT followups_status_check CHECK (status IN ('planned', 'done', 'cancelled', 'missed')),
  ADD CONSTRAINT followups_source_check CHECK (source IN ('rule', 'manual', 'recommend'));
--> statement-breakpoint
ALTER TABLE reminder_deliveries
  ADD COLUMN claimed_until timestamp with time zone,
  ADD CONSTRAINT reminder_deliveries_channel_check CHECK (channel IN ('email', 'sms', 'whatsapp', 'line')),
  ADD CONSTRAINT reminder_deliveries_status_check CHECK (status IN ('sending', 'sent', 'failed'));
--> statement-breakpoint
-- When a reminder is due: 09:00 in the organization's time zone on the day before scheduled_date,
-- for planned, live follow-ups with notify_flag; NULL otherwise (and once it went out). Computed
-- here so that every writer (hand-made, recommended and rule-generated follow-ups) gets it.
CREATE OR REPLACE FUNCTION visage_followup_reminder_due() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.notify_flag AND NEW.status = 'planned' AND NEW.deleted_at IS NULL THEN
    NEW.reminder_due_at := ((NEW.scheduled_date - 1) + time '09:00')
      AT TIME ZONE coalesce((SELECT o.timezone FROM organizations o WHERE o.id = NEW.org_id), 'UTC');
  ELSE
    NEW.reminder_due_at := NULL;
  END IF;
  IF TG_OP = 'UPDATE' AND NEW.reminder_due_at IS DISTINCT FROM OLD.reminder_due_at THEN
    NEW.reminder_queued_at := NULL;
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER followups_reminder_due BEFORE INSERT OR UPDATE OF scheduled_date, notify_flag, status, deleted_at ON followups
  FOR EACH ROW EXECUTE FUNCTION visage_followup_reminder_due();
--> statement-breakpoint
-- The reminder sweep looks across organizations, but sees only (org_id, id) of due reminders: a
-- SECURITY DEFINER function run as the schema owner, whom one SELECT policy admits to rows with a
-- pending reminder. The app role gains no policy; row contents never leave the function.
DO $$ BEGIN
  EXECUTE format('CREATE POLICY followups_reminder_sweep ON followups FOR SELECT TO %I USING (reminder_due_at IS NOT NULL)', current_user);
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION visage_due_reminders(p_now timestamptz, p_limit integer)
RETURNS TABLE (org_id uuid, followup_id uuid) LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT f.org_id, f.id FROM followups f
   WHERE f.reminder_due_at IS NOT NULL AND f.reminder_due_at <= p_now
     AND (f.reminder_queued_at IS NULL OR f.reminder_queued_at < p_now - interval '1 hour')
   ORDER BY f.reminder_due_at
   LIMIT least(greatest(p_limit, 1), 5000)
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION visage_due_reminders(timestamptz, integer) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION visage_due_reminders(timestamptz, integer) TO visage_app;
--> statement-breakpoint
-- One row per sweep slot (a minute): of several self-rescheduling sweep chains (one started by each
-- process), the first to claim a slot continues and the others end. Holds no tenant data.
CREATE TABLE reminder_sweep_slots (
  slot timestamp with time zone PRIMARY KEY,
  ran_at timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
GRANT SELECT, INSERT, DELETE ON reminder_sweep_slots TO visage_app;
--> statement-breakpoint
CREATE INDEX followups_reminder_due_idx ON followups USING btree (reminder_due_at) WHERE reminder_due_at IS NOT NULL;
--> statement-breakpoint
-- Planned follow-ups by date (GET /api/followups?days=, the worklist, follow-up risk).
CREATE INDEX followups_planned_date_idx ON followups USING btree (org_id, scheduled_date, id)
  WHERE status = 'planned' AND deleted_at IS NULL;
--> statement-breakpoint
CREATE INDEX followups_planned_maintenance_idx ON followups USING btree (org_id, scheduled_date, patient_id)
  WHERE status = 'planned' AND followup_type = 'maintenance' AND deleted_at IS NULL;
--> statement-breakpoint
CREATE INDEX followups_next_recommend_idx ON followups USING btree (org_id, next_recommend_date, patient_id)
  WHERE next_recommend_date IS NOT NULL AND status <> 'cancelled' AND deleted_at IS NULL;
--> statement-breakpoint
-- Dashboards over treatment sessions: by month and treatment (index-only), PMU sessions by month.
CREATE INDEX treatment_sessions_dashboard_idx ON treatment_sessions USING btree (org_id, performed_at, treatment_id)
  INCLUDE (patient_id, price_minor, currency) WHERE deleted_at IS NULL;
--> statement-breakpoint
CREATE INDEX treatment_sessions_pmu_idx ON treatment_sessions USING btree (org_id, performed_at)
  WHERE pmu IS NOT NULL AND deleted_at IS NULL;
--> statement-breakpoint
-- Dashboard snapshots: a dashboard's answer for (organization, dashboard, local date, query), reused
-- for up to 10 minutes and dropped by any write to the rows dashboards read (statement-level
-- triggers below), so an owner sees a new session at once while repeated views cost one lookup.
CREATE TABLE dashboard_snapshots (
  org_id uuid NOT NULL REFERENCES organizations (id),
  name text NOT NULL,
  params text NOT NULL,
  computed_at timestamp with time zone NOT NULL,
  body jsonb NOT NULL,
  PRIMARY KEY (org_id, name, params)
);
--> statement-breakpoint
SELECT visage_enable_tenant_rls('dashboard_snapshots');
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON dashboard_snapshots TO visage_app;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION visage_dashboard_invalidate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM dashboard_snapshots WHERE org_id = visage_current_org();
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER treatment_sessions_dashboards AFTER INSERT OR UPDATE OR DELETE ON treatment_sessions FOR EACH STATEMENT EXECUTE FUNCTION visage_dashboard_invalidate();
--> statement-breakpoint
CREATE TRIGGER followups_dashboards AFTER INSERT OR UPDATE OR DELETE ON followups FOR EACH STATEMENT EXECUTE FUNCTION visage_dashboard_invalidate();
--> statement-breakpoint
CREATE TRIGGER visits_dashboards AFTER INSERT OR UPDATE OR DELETE ON visits FOR EACH STATEMENT EXECUTE FUNCTION visage_dashboard_invalidate();
--> statement-breakpoint
CREATE TRIGGER treatments_dashboards AFTER INSERT OR UPDATE OR DELETE ON treatments FOR EACH STATEMENT EXECUTE FUNCTION visage_dashboard_invalidate();
--> statement-breakpoint
CREATE TRIGGER patients_dashboards AFTER INSERT OR UPDATE OR DELETE ON patients FOR EACH STATEMENT EXECUTE FUNCTION visage_dashboard_invalidate();
