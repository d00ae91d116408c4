-- The two SECURITY DEFINER lookups of 0011 (visage_public_org, visage_growth_org_ids) run as the
-- schema owner, whom FORCE ROW LEVEL SECURITY binds too on a server (there the owner is no
-- superuser), so they returned no row there. As 0008 did for visage_due_reminders, one SELECT
-- policy each admits the owner to the rows the function reads; the app role gains no policy.
DO $$ BEGIN
  EXECUTE 'DROP POLICY IF EXISTS organizations_public_lookup ON organizations';
  EXECUTE format('CREATE POLICY organizations_public_lookup ON organizations FOR SELECT TO %I USING (status = ''active'' AND deleted_at IS NULL)', current_user);
  EXECUTE 'DROP POLICY IF EXISTS leads_growth_org_ids ON leads';
  EXECUTE format('CREATE POLICY leads_growth_org_ids ON leads FOR SELECT TO %I USING (true)', current_user);
END $$;
