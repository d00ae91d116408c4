-- A user's organizations with their roles (GET /api/me, sign-in answers, the organization switcher)
-- as PL/pgSQL: its query joins four tables under row-level security, and on PGlite, which has no
-- prepared statements, parsing and planning it cost several times running it on every call. A
-- PL/pgSQL function keeps its plan for the connection.
CREATE OR REPLACE FUNCTION visage_user_organizations(p_user uuid) RETURNS json LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN coalesce((SELECT json_agg(x ORDER BY x.name, x.id) FROM (
      SELECT o.id, o.name, o.type, o.timezone, o.currency, o.locale,
             coalesce(array_agg(r.name ORDER BY r.name) FILTER (WHERE r.name IS NOT NULL), '{}') AS roles
        FROM memberships m JOIN organizations o ON o.id = m.org_id
        LEFT JOIN membership_roles mr ON mr.membership_id = m.id
        LEFT JOIN roles r ON r.id = mr.role_id
       WHERE m.user_id = p_user AND m.status = 'active' AND o.deleted_at IS NULL
       GROUP BY o.id) x), '[]'::json);
END $$;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION visage_user_organizations(uuid) TO visage_app;
