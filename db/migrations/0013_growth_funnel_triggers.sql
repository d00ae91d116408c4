-- The funnel's moving parts live in the database so that every path that changes a lead (the API,
-- the web form, the CRM webhook, bulk loads) keeps the milestones and the rollup right.
SELECT visage_enable_tenant_rls('growth_funnel_daily');
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON growth_funnel_daily TO visage_app;
--> statement-breakpoint
-- A lead's milestones, recomputed from their sources: outbound contact (activities), stages entered
-- (history), consult booked/shown and revenue (KPI events). Won implies shown, booked and contacted
-- when the funnel counts them (see visage_growth_funnel_add), not here.
CREATE OR REPLACE FUNCTION visage_growth_refresh_lead(p_org uuid, p_lead uuid) RETURNS void LANGUAGE sql AS $$
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
  WHERE l.org_id = p_org AND l.id = p_lead
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION visage_growth_milestones_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN PERFORM visage_growth_refresh_lead(OLD.org_id, OLD.lead_id); END IF;
  IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.lead_id IS DISTINCT FROM OLD.lead_id) THEN
    PERFORM visage_growth_refresh_lead(NEW.org_id, NEW.lead_id);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER activities_milestones AFTER INSERT OR UPDATE OR DELETE ON activities
  FOR EACH ROW EXECUTE FUNCTION visage_growth_milestones_trigger();
--> statement-breakpoint
CREATE TRIGGER lead_stage_history_milestones AFTER INSERT OR UPDATE OR DELETE ON lead_stage_history
  FOR EACH ROW EXECUTE FUNCTION visage_growth_milestones_trigger();
--> statement-breakpoint
CREATE TRIGGER kpi_events_milestones AFTER INSERT OR UPDATE OR DELETE ON kpi_events
  FOR EACH ROW EXECUTE FUNCTION visage_growth_milestones_trigger();
--> statement-breakpoint
-- Adds (p_sign 1) or removes (-1) one lead's contribution to its rollup bucket. Soft-deleted leads
-- contribute nothing. The day is the lead's creation date in the organization's timezone.
CREATE OR REPLACE FUNCTION visage_growth_funnel_add(r leads, p_sign integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  tz text;
  v_won boolean := r.won_at IS NOT NULL;
  v_showed boolean := v_won OR r.consult_showed_at IS NOT NULL;
  v_booked boolean := v_showed OR r.consult_booked_at IS NOT NULL;
  v_contacted boolean := v_booked OR r.first_contacted_at IS NOT NULL;
BEGIN
  IF r.deleted_at IS NOT NULL THEN RETURN; END IF;
  SELECT o.timezone INTO tz FROM organizations o WHERE o.id = r.org_id;
  INSERT INTO growth_funnel_daily AS f (org_id, day, campaign_key, source, platform, leads, contacted, booked, showed, won, revenue_minor)
  VALUES (r.org_id, (r.created_at AT TIME ZONE coalesce(tz, 'UTC'))::date, coalesce(r.campaign_id, '00000000-0000-0000-0000-000000000000'::uuid),
          r.source, coalesce(r.ad_platform, ''), p_sign, p_sign * v_contacted::int, p_sign * v_booked::int, p_sign * v_showed::int,
          p_sign * v_won::int, p_sign * r.revenue_minor)
  ON CONFLICT (org_id, day, campaign_key, source, platform) DO UPDATE SET
    leads = f.leads + EXCLUDED.leads, contacted = f.contacted + EXCLUDED.contacted, booked = f.booked + EXCLUDED.booked,
    showed = f.showed + EXCLUDED.showed, won = f.won + EXCLUDED.won, revenue_minor = f.revenue_minor + EXCLUDED.revenue_minor;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION visage_growth_leads_funnel_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN PERFORM visage_growth_funnel_add(OLD, -1); END IF;
  IF TG_OP <> 'DELETE' THEN PERFORM visage_growth_funnel_add(NEW, 1); END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER leads_funnel_insert_delete AFTER INSERT OR DELETE ON leads
  FOR EACH ROW EXECUTE FUNCTION visage_growth_leads_funnel_trigger();
--> statement-breakpoint
CREATE TRIGGER leads_funnel_update AFTER UPDATE ON leads FOR EACH ROW
  WHEN (OLD.deleted_at IS DISTINCT FROM NEW.deleted_at OR OLD.created_at IS DISTINCT FROM NEW.created_at
    OR OLD.campaign_id IS DISTINCT FROM NEW.campaign_id OR OLD.source IS DISTINCT FROM NEW.source OR OLD.ad_platform IS DISTINCT FROM NEW.ad_platform
    OR OLD.first_contacted_at IS DISTINCT FROM NEW.first_contacted_at OR OLD.consult_booked_at IS DISTINCT FROM NEW.consult_booked_at
    OR OLD.consult_showed_at IS DISTINCT FROM NEW.consult_showed_at OR OLD.won_at IS DISTINCT FROM NEW.won_at
    OR OLD.revenue_minor IS DISTINCT FROM NEW.revenue_minor)
  EXECUTE FUNCTION visage_growth_leads_funnel_trigger();
--> statement-breakpoint
-- Recomputes every lead's milestones and the whole rollup of the acting organization, set-based
-- (after a bulk load with triggers off, or to repair). Returns the number of leads.
CREATE OR REPLACE FUNCTION visage_growth_rebuild() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  v_org uuid := visage_current_org();
  tz text;
  n integer;
BEGIN
  IF v_org IS NULL THEN RAISE EXCEPTION 'visage_growth_rebuild needs an acting organization'; END IF;
  SELECT o.timezone INTO tz FROM organizations o WHERE o.id = v_org;
  UPDATE leads l SET first_contacted_at = m.contacted, consult_booked_at = m.booked, consult_showed_at = m.showed, revenue_minor = m.revenue
    FROM (
      SELECT l2.id,
        least(a.first_out, h.first_contact) AS contacted, least(k.booked, h.first_booked) AS booked, k.showed, coalesce(k.revenue, 0) AS revenue
      FROM leads l2
      LEFT JOIN (SELECT lead_id, min(created_at) AS first_out FROM activities
                  WHERE org_id = v_org AND deleted_at IS NULL AND type IN ('sms_sent', 'email_sent', 'call') GROUP BY lead_id) a ON a.lead_id = l2.id
      LEFT JOIN (SELECT h.lead_id, min(h.changed_at) FILTER (WHERE s.kind IN ('contacted', 'consult_booked', 'won')) AS first_contact,
                        min(h.changed_at) FILTER (WHERE s.kind = 'consult_booked') AS first_booked
                   FROM lead_stage_history h JOIN pipeline_stages s ON s.org_id = h.org_id AND s.id = h.stage_id
                  WHERE h.org_id = v_org GROUP BY h.lead_id) h ON h.lead_id = l2.id
      LEFT JOIN (SELECT lead_id, min(occurred_at) FILTER (WHERE kind = 'consult_booked') AS booked,
                        min(occurred_at) FILTER (WHERE kind = 'consult_show') AS showed,
                        sum(value_minor) FILTER (WHERE kind = 'invoice_paid') AS revenue
                   FROM kpi_events WHERE org_id = v_org AND deleted_at IS NULL GROUP BY lead_id) k ON k.lead_id = l2.id
      WHERE l2.org_id = v_org) m
   WHERE l.org_id = v_org AND l.id = m.id
     AND (l.first_contacted_at, l.consult_booked_at, l.consult_showed_at, l.revenue_minor)
         IS DISTINCT FROM (m.contacted, m.booked, m.showed, m.revenue);
  DELETE FROM growth_funnel_daily WHERE org_id = v_org;
  INSERT INTO growth_funnel_daily (org_id, day, campaign_key, source, platform, leads, contacted, booked, showed, won, revenue_minor)
  SELECT v_org, (l.created_at AT TIME ZONE coalesce(tz, 'UTC'))::date, coalesce(l.campaign_id, '00000000-0000-0000-0000-000000000000'::uuid),
         l.source, coalesce(l.ad_platform, ''), count(*),
         count(*) FILTER (WHERE l.won_at IS NOT NULL OR l.consult_showed_at IS NOT NULL OR l.consult_booked_at IS NOT NULL OR l.first_contacted_at IS NOT NULL),
         count(*) FILTER (WHERE l.won_at IS NOT NULL OR l.consult_showed_at IS NOT NULL OR l.consult_booked_at IS NOT NULL),
         count(*) FILTER (WHERE l.won_at IS NOT NULL OR l.consult_showed_at IS NOT NULL),
         count(*) FILTER (WHERE l.won_at IS NOT NULL), coalesce(sum(l.revenue_minor), 0)
    FROM leads l WHERE l.org_id = v_org AND l.deleted_at IS NULL
   GROUP BY 2, 3, 4, 5;
  SELECT count(*) INTO n FROM leads WHERE org_id = v_org AND deleted_at IS NULL;
  RETURN n;
END $$;
