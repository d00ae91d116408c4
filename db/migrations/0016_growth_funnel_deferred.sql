-- The rollup row of a day, campaign and source is shared by every lead written for it: updated
-- early in a transaction, its row lock was held through the rest of the work (tags, scoring,
-- audit), serializing concurrent webhook deliveries and form submissions. As constraint triggers
-- deferred to COMMIT, the rollup is touched at the very end and the lock is held only while the
-- transaction commits. A transaction that needs the rollup current before it ends (a test, the
-- rebuild) runs SET CONSTRAINTS ALL IMMEDIATE.
DROP TRIGGER IF EXISTS leads_funnel_insert_delete ON leads;
--> statement-breakpoint
DROP TRIGGER IF EXISTS leads_funnel_update ON leads;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER leads_funnel_insert_delete AFTER INSERT OR DELETE ON leads
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION visage_growth_leads_funnel_trigger();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER leads_funnel_update AFTER UPDATE ON leads DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  WHEN (OLD.deleted_at IS DISTINCT FROM NEW.deleted_at OR OLD.created_at IS DISTINCT FROM NEW.created_at
    OR OLD.campaign_id IS DISTINCT FROM NEW.campaign_id OR OLD.source IS DISTINCT FROM NEW.source OR OLD.ad_platform IS DISTINCT FROM NEW.ad_platform
    OR OLD.first_contacted_at IS DISTINCT FROM NEW.first_contacted_at OR OLD.consult_booked_at IS DISTINCT FROM NEW.consult_booked_at
    OR OLD.consult_showed_at IS DISTINCT FROM NEW.consult_showed_at OR OLD.won_at IS DISTINCT FROM NEW.won_at
    OR OLD.revenue_minor IS DISTINCT FROM NEW.revenue_minor)
  EXECUTE FUNCTION visage_growth_leads_funnel_trigger();
--> statement-breakpoint
-- The rebuild first lets pending rollup changes of its own transaction fire (they would otherwise
-- be applied again at COMMIT, on top of the rebuilt figures); the rest of that transaction then
-- maintains the rollup statement by statement.
CREATE OR REPLACE FUNCTION visage_growth_flush() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  SET CONSTRAINTS leads_funnel_insert_delete, leads_funnel_update IMMEDIATE;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION visage_growth_rebuild() RETURNS integer LANGUAGE plpgsql SET enable_nestloop = off AS $$
DECLARE
  v_org uuid := visage_current_org();
  tz text;
  n integer;
BEGIN
  IF v_org IS NULL THEN RAISE EXCEPTION 'visage_growth_rebuild needs an acting organization'; END IF;
  PERFORM visage_growth_flush();
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
