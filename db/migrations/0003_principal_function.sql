-- Resolves the caller of a request in the statement batch that opens its transaction, so a request
-- costs one round trip less: the session and its user, idle-expiry bookkeeping, the membership in
-- the requested (or default) organization with its roles, and the switch of the transaction to the
-- acting user and organization. Runs as the invoker (visage_app) in the 'auth' scope, whose
-- policies admit these identity tables; PL/pgSQL keeps the plans of its statements.
CREATE OR REPLACE FUNCTION visage_resolve_principal(p_token_hash text, p_now timestamptz, p_org uuid, p_idle_minutes integer)
RETURNS TABLE (
  session_id uuid, kind text, scopes text[], user_id uuid, email text, full_name text, email_verified boolean,
  status text, expired boolean, org_id uuid, roles json
) LANGUAGE plpgsql SECURITY INVOKER AS $$
DECLARE
  s record;
  m record;
BEGIN
  IF NOT visage_auth_scope() THEN
    RAISE EXCEPTION 'visage_resolve_principal runs only in the auth scope' USING ERRCODE = '42501';
  END IF;
  SELECT ss.id, ss.kind, ss.scopes, u.id AS uid, u.email, u.full_name, (u.email_verified_at IS NOT NULL) AS verified, u.status,
         u.default_org_id, ss.last_seen_at,
         (ss.revoked_at IS NOT NULL OR (ss.expires_at IS NOT NULL AND ss.expires_at <= p_now)
          OR (ss.idle_expires_at IS NOT NULL AND ss.idle_expires_at <= p_now)) AS ended
    INTO s
    FROM sessions ss JOIN users u ON u.id = ss.user_id
   WHERE ss.token_hash = p_token_hash AND u.deleted_at IS NULL;
  IF NOT FOUND THEN RETURN; END IF;
  IF s.ended THEN
    RETURN QUERY SELECT s.id, s.kind, s.scopes, s.uid, s.email, s.full_name, s.verified, s.status, true, NULL::uuid, NULL::json;
    RETURN;
  END IF;
  IF s.last_seen_at < p_now - interval '1 minute' THEN
    UPDATE sessions SET last_seen_at = p_now,
           idle_expires_at = CASE WHEN sessions.kind = 'session' THEN p_now + make_interval(mins => p_idle_minutes) ELSE idle_expires_at END
     WHERE id = s.id;
  END IF;
  SELECT mm.org_id,
         coalesce(json_agg(json_build_object('id', r.id, 'name', r.name, 'v', r.updated_at)) FILTER (WHERE r.id IS NOT NULL), '[]') AS roles
    INTO m
    FROM memberships mm
    LEFT JOIN membership_roles mr ON mr.membership_id = mm.id
    LEFT JOIN roles r ON r.id = mr.role_id AND (r.org_id IS NULL OR r.org_id = mm.org_id)
   WHERE mm.user_id = s.uid AND mm.status = 'active' AND mm.org_id = coalesce(p_org, s.default_org_id)
   GROUP BY mm.org_id;
  PERFORM set_config('app.user_id', s.uid::text, true),
          set_config('app.org_id', coalesce(m.org_id::text, ''), true),
          set_config('app.scope', CASE WHEN m.org_id IS NULL THEN 'user' ELSE 'tenant' END, true);
  RETURN QUERY SELECT s.id, s.kind, s.scopes, s.uid, s.email, s.full_name, s.verified, s.status, false, m.org_id, m.roles;
END $$;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION visage_resolve_principal(text, timestamptz, uuid, integer) TO visage_app;
