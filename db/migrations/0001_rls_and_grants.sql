-- Hand-written: the application role, tenancy helpers, row-level security and grants.
-- Runs on PostgreSQL 15+ and on PGlite (PostgreSQL 18). Policies read settings through
-- nullif(current_setting(..., true), '') because a setting once used reads back as ''.

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'visage_app') THEN
    CREATE ROLE visage_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
  IF NOT pg_has_role(current_user, 'visage_app', 'MEMBER') THEN
    EXECUTE format('GRANT visage_app TO %I', current_user);
  END IF;
END $$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO visage_app;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION visage_current_org() RETURNS uuid LANGUAGE sql STABLE AS
$$ SELECT nullif(current_setting('app.org_id', true), '')::uuid $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION visage_current_user() RETURNS uuid LANGUAGE sql STABLE AS
$$ SELECT nullif(current_setting('app.user_id', true), '')::uuid $$;
--> statement-breakpoint
-- 'auth' scope: sign-in, sign-up and token lookups, before a user is known.
CREATE OR REPLACE FUNCTION visage_auth_scope() RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT coalesce(nullif(current_setting('app.scope', true), ''), '') = 'auth' $$;
--> statement-breakpoint
-- The standard policy of a tenant-owned table: rows of the acting organization only; with no
-- organization set it matches nothing. Later migrations call it for each new tenant table.
CREATE OR REPLACE FUNCTION visage_enable_tenant_rls(tbl regclass) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
  EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', tbl);
  EXECUTE format('DROP POLICY IF EXISTS tenant_isolation ON %s', tbl);
  EXECUTE format('CREATE POLICY tenant_isolation ON %s USING (org_id = visage_current_org()) WITH CHECK (org_id = visage_current_org())', tbl);
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION visage_force_rls(tbl regclass) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
  EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', tbl);
END $$;
--> statement-breakpoint

-- organizations: the acting org, plus the orgs the acting user belongs to (organization switcher).
SELECT visage_force_rls('organizations');
--> statement-breakpoint
CREATE POLICY org_select ON organizations FOR SELECT USING (
  id = visage_current_org()
  OR EXISTS (SELECT 1 FROM memberships m WHERE m.org_id = organizations.id AND m.user_id = visage_current_user() AND m.status = 'active'));
--> statement-breakpoint
CREATE POLICY org_insert ON organizations FOR INSERT WITH CHECK (id = visage_current_org());
--> statement-breakpoint
CREATE POLICY org_update ON organizations FOR UPDATE USING (id = visage_current_org()) WITH CHECK (id = visage_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON organizations TO visage_app;
--> statement-breakpoint

-- users: yourself, members of the acting org, or anyone during sign-in lookups.
SELECT visage_force_rls('users');
--> statement-breakpoint
CREATE POLICY users_select ON users FOR SELECT USING (
  id = visage_current_user() OR visage_auth_scope()
  OR EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id AND m.org_id = visage_current_org()));
--> statement-breakpoint
CREATE POLICY users_insert ON users FOR INSERT WITH CHECK (visage_auth_scope() OR visage_current_org() IS NOT NULL);
--> statement-breakpoint
CREATE POLICY users_update ON users FOR UPDATE USING (id = visage_current_user() OR visage_auth_scope());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON users TO visage_app;
--> statement-breakpoint

-- memberships: the acting org's, the acting user's own (to list their organizations), and all during
-- the 'auth' scope, where the request's principal (session + membership + permissions) is resolved.
SELECT visage_force_rls('memberships');
--> statement-breakpoint
CREATE POLICY memberships_select ON memberships FOR SELECT USING (org_id = visage_current_org() OR user_id = visage_current_user() OR visage_auth_scope());
--> statement-breakpoint
CREATE POLICY memberships_write ON memberships FOR ALL USING (org_id = visage_current_org()) WITH CHECK (org_id = visage_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON memberships TO visage_app;
--> statement-breakpoint

GRANT SELECT ON permissions TO visage_app;
--> statement-breakpoint
SELECT visage_force_rls('roles');
--> statement-breakpoint
CREATE POLICY roles_select ON roles FOR SELECT USING (org_id IS NULL OR org_id = visage_current_org() OR visage_auth_scope());
--> statement-breakpoint
CREATE POLICY roles_write ON roles FOR ALL USING (org_id = visage_current_org()) WITH CHECK (org_id = visage_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON roles TO visage_app;
--> statement-breakpoint
SELECT visage_force_rls('role_permissions');
--> statement-breakpoint
CREATE POLICY role_permissions_select ON role_permissions FOR SELECT USING (org_id IS NULL OR org_id = visage_current_org() OR visage_auth_scope());
--> statement-breakpoint
CREATE POLICY role_permissions_write ON role_permissions FOR ALL USING (org_id = visage_current_org()) WITH CHECK (org_id = visage_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON role_permissions TO visage_app;
--> statement-breakpoint
SELECT visage_force_rls('membership_roles');
--> statement-breakpoint
CREATE POLICY membership_roles_select ON membership_roles FOR SELECT USING (
  org_id = visage_current_org() OR visage_auth_scope()
  OR EXISTS (SELECT 1 FROM memberships m WHERE m.id = membership_roles.membership_id AND m.user_id = visage_current_user()));
--> statement-breakpoint
CREATE POLICY membership_roles_write ON membership_roles FOR ALL USING (org_id = visage_current_org()) WITH CHECK (org_id = visage_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON membership_roles TO visage_app;
--> statement-breakpoint

SELECT visage_enable_tenant_rls('invitations');
--> statement-breakpoint
CREATE POLICY invitations_accept ON invitations FOR SELECT USING (visage_auth_scope());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON invitations TO visage_app;
--> statement-breakpoint

-- Credentials belong to a user, not to an organization.
SELECT visage_force_rls('sessions');
--> statement-breakpoint
CREATE POLICY sessions_owner ON sessions USING (user_id = visage_current_user() OR visage_auth_scope()) WITH CHECK (user_id = visage_current_user() OR visage_auth_scope());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON sessions TO visage_app;
--> statement-breakpoint
SELECT visage_force_rls('one_time_tokens');
--> statement-breakpoint
CREATE POLICY one_time_tokens_owner ON one_time_tokens USING (user_id = visage_current_user() OR visage_auth_scope()) WITH CHECK (user_id = visage_current_user() OR visage_auth_scope());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON one_time_tokens TO visage_app;
--> statement-breakpoint
SELECT visage_force_rls('login_failures');
--> statement-breakpoint
CREATE POLICY login_failures_auth ON login_failures USING (visage_auth_scope()) WITH CHECK (visage_auth_scope());
--> statement-breakpoint
GRANT SELECT, INSERT, DELETE ON login_failures TO visage_app;
--> statement-breakpoint
SELECT visage_force_rls('oidc_identities');
--> statement-breakpoint
CREATE POLICY oidc_identities_owner ON oidc_identities USING (user_id = visage_current_user() OR visage_auth_scope()) WITH CHECK (user_id = visage_current_user() OR visage_auth_scope());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON oidc_identities TO visage_app;
--> statement-breakpoint

-- Audit: append-only for the app. Owners read their organization's events.
SELECT visage_force_rls('audit_events');
--> statement-breakpoint
CREATE POLICY audit_select ON audit_events FOR SELECT USING (org_id = visage_current_org());
--> statement-breakpoint
CREATE POLICY audit_insert ON audit_events FOR INSERT WITH CHECK (org_id IS NULL OR org_id = visage_current_org() OR visage_auth_scope());
--> statement-breakpoint
GRANT SELECT, INSERT ON audit_events TO visage_app;
--> statement-breakpoint

SELECT visage_force_rls('idempotency_keys');
--> statement-breakpoint
CREATE POLICY idempotency_owner ON idempotency_keys USING (org_id = visage_current_org() AND user_id = visage_current_user()) WITH CHECK (org_id = visage_current_org() AND user_id = visage_current_user());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON idempotency_keys TO visage_app;
--> statement-breakpoint

SELECT visage_enable_tenant_rls('files');
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON files TO visage_app;
--> statement-breakpoint

-- Marketplace sharing: an inquiry belongs to the patient user; the providers it is shared with
-- see it too. Any other organization sees nothing. (inquiry_providers carries owner_user_id so
-- the two policies never reference each other.)
SELECT visage_force_rls('inquiries');
--> statement-breakpoint
CREATE POLICY inquiries_select ON inquiries FOR SELECT USING (
  owner_user_id = visage_current_user()
  OR EXISTS (SELECT 1 FROM inquiry_providers p WHERE p.inquiry_id = inquiries.id AND p.org_id = visage_current_org() AND p.revoked_at IS NULL));
--> statement-breakpoint
CREATE POLICY inquiries_owner_write ON inquiries FOR INSERT WITH CHECK (owner_user_id = visage_current_user());
--> statement-breakpoint
CREATE POLICY inquiries_owner_update ON inquiries FOR UPDATE USING (owner_user_id = visage_current_user()) WITH CHECK (owner_user_id = visage_current_user());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON inquiries TO visage_app;
--> statement-breakpoint
SELECT visage_force_rls('inquiry_providers');
--> statement-breakpoint
CREATE POLICY inquiry_providers_select ON inquiry_providers FOR SELECT USING (
  (org_id = visage_current_org() AND revoked_at IS NULL) OR owner_user_id = visage_current_user());
--> statement-breakpoint
CREATE POLICY inquiry_providers_owner_insert ON inquiry_providers FOR INSERT WITH CHECK (owner_user_id = visage_current_user());
--> statement-breakpoint
CREATE POLICY inquiry_providers_update ON inquiry_providers FOR UPDATE USING (owner_user_id = visage_current_user() OR org_id = visage_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON inquiry_providers TO visage_app;
--> statement-breakpoint
-- The built-in roles and their permissions are maintained by the schema owner (catalogue sync at
-- migration time), never by the app role.
CREATE POLICY roles_maintain ON roles FOR ALL USING (current_user <> 'visage_app') WITH CHECK (current_user <> 'visage_app' AND org_id IS NULL);
--> statement-breakpoint
CREATE POLICY role_permissions_maintain ON role_permissions FOR ALL USING (current_user <> 'visage_app') WITH CHECK (current_user <> 'visage_app' AND org_id IS NULL);
--> statement-breakpoint
-- A role's updated_at changes whenever its permissions do, so processes may cache a role's
-- permission names and revalidate them against updated_at on every request.
CREATE OR REPLACE FUNCTION visage_touch_role() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  UPDATE roles SET updated_at = clock_timestamp() WHERE id = coalesce(NEW.role_id, OLD.role_id);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER role_permissions_touch AFTER INSERT OR UPDATE OR DELETE ON role_permissions
  FOR EACH ROW EXECUTE FUNCTION visage_touch_role();
