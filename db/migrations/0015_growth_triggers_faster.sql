-- The milestone refresh as PL/pgSQL: its statement is planned once per connection instead of on
-- every trigger call (a LANGUAGE sql function holding an UPDATE is not inlined and was re-planned
-- each time). A bulk load may set app.growth_bulk = 'on' for its transaction: the funnel triggers
-- then do nothing and the load ends with visage_growth_rebuild() (same result, set-based). The
-- flag is transaction-local and only skips derived data that the rebuild recomputes.
CREATE OR REPLACE FUNCTION visage_growth_bulk() RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT coalesce(current_setting('app.growth_bulk', true), '') = 'on' $$;
--> statement-breakpoint
DROP FUNCTION IF EXISTS visage_growth_refresh_lead(uuid, uuid);
--> statement-breakpoint
CREATE FUNCTION visage_growth_refresh_lead(p_org uuid, p_lead uuid) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  UPDATE leads l SET
    first_contacted_at = least(
      (SELECT min(a.created_at) FROM activities a WHERE a.org_id = p_org AND a.lead_id = p_lead AND a.deleted_at IS NULL
          AND a.type IN ('sms_sent', 'email_sent', 'call')),
      (SELECT min(h.changed_at) FROM lead_stage_history h JOIN pipeline_stages s ON s.org_id = h.org_id AND s.id = h.stage_id
        WHERE h.org_id = p_org AND h.lead_id = p_lead AND s.kind IN ('contacted', 'consult_booked', 'won'))),
    consult_booked_at = least(
      (SELECT min(k.occurred_at) FROM kpi_events k WHERE k.org_id = p_org AND k.lead_id = p_lead AND k.kind = 'consult_booked' AND k.deleted_at IS NULL),
      (SELECT min(h.changed_at) FROM lead_stage_history h JOIN pipeline_stages s ON s.org_id = h.org_id AND s.id = h.stage_id
        WHERE h.org_id = p_org AND h.lead_id = p_lead AND s.kind = 'consult_booked')),
    consult_showed_at = (SELECT min(k.occurred_at) FROM kpi_events k
        WHERE k.org_id = p_org AND k.lead_id = p_lead AND k.kind = 'consult_show' AND k.deleted_at IS NULL),
    revenue_minor = coalesce((SELECT sum(k.value_minor) FROM kpi_events k
        WHERE k.org_id = p_org AND k.lead_id = p_lead AND k.kind = 'invoice_paid' AND k.deleted_at IS NULL), 0)
  WHERE l.org_id = p_org AND l.id = p_lead;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION visage_growth_milestones_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF visage_growth_bulk() THEN RETURN NULL; END IF;
  -- An outbound touch of a lead already contacted earlier changes nothing: skip the refresh.
  IF TG_OP = 'INSERT' AND TG_TABLE_NAME = 'activities' THEN
    IF NEW.type NOT IN ('sms_sent', 'email_sent', 'call') OR EXISTS (
      SELECT 1 FROM leads l WHERE l.org_id = NEW.org_id AND l.id = NEW.lead_id AND l.first_contacted_at <= NEW.created_at) THEN
      RETURN NULL;
    END IF;
  END IF;
  IF TG_OP <> 'INSERT' THEN PERFORM visage_growth_refresh_lead(OLD.org_id, OLD.lead_id); END IF;
  IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.lead_id IS DISTINCT FROM OLD.lead_id) THEN
    PERFORM visage_growth_refresh_lead(NEW.org_id, NEW.lead_id);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION visage_growth_leads_funnel_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF visage_growth_bulk() THEN RETURN NULL; END IF;
  IF TG_OP <> 'INSERT' THEN PERFORM visage_growth_funnel_add(OLD, -1); END IF;
  IF TG_OP <> 'DELETE' THEN PERFORM visage_growth_funnel_add(NEW, 1); END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- The rebuild aggregates whole tables joined on lead ids: hash joins are always right for it, and
-- forcing them keeps it fast right after a load, before statistics exist.
ALTER FUNCTION visage_growth_rebuild() SET enable_nestloop = off;
