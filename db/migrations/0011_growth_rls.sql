-- Tenancy and privileges of the growth context. Growth rows hold no PHI and are not medical
-- records: the app may delete them (soft delete first; the retention job removes what is past
-- retention). The kanban rank compares byte-wise, as fractional indexing needs.
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['campaigns', 'campaign_spend', 'pipeline_stages', 'tags', 'leads', 'lead_tags', 'lead_stage_history',
    'opportunities', 'activities', 'kpi_events', 'journey_events', 'commission_providers', 'commission_rules', 'crm_integrations',
    'crm_deliveries', 'growth_retention_runs'] LOOP
    PERFORM visage_enable_tenant_rls(t::regclass);
  END LOOP;
END $$;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON campaigns, campaign_spend, pipeline_stages, tags, leads, lead_tags, lead_stage_history,
  opportunities, activities, kpi_events, journey_events, commission_providers, commission_rules, crm_integrations, crm_deliveries
  TO visage_app;
--> statement-breakpoint
GRANT SELECT, INSERT ON growth_retention_runs TO visage_app;
--> statement-breakpoint
ALTER TABLE leads ALTER COLUMN rank TYPE text COLLATE "C";
--> statement-breakpoint
-- Unique order, checked at commit so two stages can swap places in one transaction.
ALTER TABLE pipeline_stages ADD CONSTRAINT pipeline_stages_org_position_key UNIQUE (org_id, position) DEFERRABLE INITIALLY DEFERRED;
--> statement-breakpoint
ALTER TABLE commission_providers ADD CONSTRAINT commission_providers_practitioner_fk FOREIGN KEY (org_id, practitioner_id) REFERENCES practitioners (org_id, id);
--> statement-breakpoint
ALTER TABLE kpi_events
  ADD CONSTRAINT kpi_events_campaign_fk FOREIGN KEY (org_id, campaign_id) REFERENCES campaigns (org_id, id),
  ADD CONSTRAINT kpi_events_provider_fk FOREIGN KEY (org_id, provider_id) REFERENCES commission_providers (org_id, id);
--> statement-breakpoint
ALTER TABLE leads ADD CONSTRAINT leads_patient_fk FOREIGN KEY (org_id, patient_id) REFERENCES patients (org_id, id);
--> statement-breakpoint
-- The public lead form and the CRM webhook arrive without a signed-in user: they find their
-- organization here (only what a public page may show: id, name, currency, timezone).
CREATE OR REPLACE FUNCTION visage_public_org(p_slug text)
RETURNS TABLE (id uuid, name text, currency text, timezone text) LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT o.id, o.name, o.currency, o.timezone FROM organizations o
   WHERE o.slug = lower(p_slug) AND o.status = 'active' AND o.deleted_at IS NULL AND o.type <> 'platform'
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION visage_public_org(text) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION visage_public_org(text) TO visage_app;
--> statement-breakpoint
-- The retention job visits every organization that has growth data; it sees only ids.
CREATE OR REPLACE FUNCTION visage_growth_org_ids()
RETURNS TABLE (org_id uuid) LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT o.id FROM organizations o WHERE EXISTS (SELECT 1 FROM leads l WHERE l.org_id = o.id)
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION visage_growth_org_ids() FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION visage_growth_org_ids() TO visage_app;
