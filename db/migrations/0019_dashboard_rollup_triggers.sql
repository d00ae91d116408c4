DROP TABLE "dashboard_snapshots" CASCADE;
--> statement-breakpoint
-- Dashboards read rollups kept in the writing transaction (0018's tables) instead of snapshots
-- that every write dropped: the drop made one hot row of every session write and the first view
-- after a write scanned the whole year.
DROP TRIGGER IF EXISTS treatment_sessions_dashboards ON treatment_sessions;
--> statement-breakpoint
DROP TRIGGER IF EXISTS followups_dashboards ON followups;
--> statement-breakpoint
DROP TRIGGER IF EXISTS visits_dashboards ON visits;
--> statement-breakpoint
DROP TRIGGER IF EXISTS treatments_dashboards ON treatments;
--> statement-breakpoint
DROP TRIGGER IF EXISTS patients_dashboards ON patients;
--> statement-breakpoint
DROP FUNCTION IF EXISTS visage_dashboard_invalidate();
--> statement-breakpoint
SELECT visage_enable_tenant_rls('session_day_stats');
--> statement-breakpoint
SELECT visage_enable_tenant_rls('treatment_repeat_stats');
--> statement-breakpoint
SELECT visage_enable_tenant_rls('patient_care_summary');
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON session_day_stats, treatment_repeat_stats, patient_care_summary TO visage_app;
--> statement-breakpoint
-- A bulk load may set app.dashboard_bulk = 'on' for its transaction: the rollup triggers then do
-- nothing and the load ends with visage_dashboard_rebuild(org) (same result, set-based).
CREATE OR REPLACE FUNCTION visage_dashboard_bulk() RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT coalesce(current_setting('app.dashboard_bulk', true), '') = 'on' $$;
--> statement-breakpoint
-- The writing connection's share of an additive rollup row: concurrent writers (different
-- connections) add to different rows instead of waiting for each other's commit.
CREATE OR REPLACE FUNCTION visage_rollup_slot() RETURNS smallint LANGUAGE sql STABLE AS
$$ SELECT (pg_backend_pid() % 8)::smallint $$;
--> statement-breakpoint
-- Serializes rollup maintenance per patient (first/last session, repeat windows): two transactions
-- writing for one patient take turns, and the second sees the first's rows.
CREATE OR REPLACE FUNCTION visage_lock_patient(p_patient uuid) RETURNS void LANGUAGE sql AS
$$ SELECT pg_advisory_xact_lock(hashtext('visage.patient'), hashtext(p_patient::text)) $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION visage_session_day_add(p_org uuid, p_treatment uuid, p_at timestamptz, p_pmu jsonb, p_price bigint, p_sign integer, p_tz text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO session_day_stats AS d (org_id, day, treatment_id, procedure_type, slot, sessions, priced, revenue_minor)
  VALUES (p_org, (p_at AT TIME ZONE p_tz)::date, p_treatment, coalesce(nullif(trim(p_pmu->>'procedure_type'), ''), ''), visage_rollup_slot(),
          p_sign, CASE WHEN p_price IS NULL THEN 0 ELSE p_sign END, coalesce(p_price, 0) * p_sign)
  ON CONFLICT (org_id, day, treatment_id, procedure_type, slot) DO UPDATE
    SET sessions = d.sessions + EXCLUDED.sessions, priced = d.priced + EXCLUDED.priced, revenue_minor = d.revenue_minor + EXCLUDED.revenue_minor;
END $$;
--> statement-breakpoint
-- A session of (treatment, patient) in local month M added (p_sign 1) or removed (-1): for each of
-- the 12 windows that contain M (the windows ending in M .. M + 11 months), n = the patient's
-- sessions of the treatment in that window after the change (without p_exclude). Adding makes a
-- patient of the window at n = 1 and a repeater at n = 2; removing undoes them at n = 0 and n = 1.
CREATE OR REPLACE FUNCTION visage_repeat_apply(p_org uuid, p_treatment uuid, p_patient uuid, p_at timestamptz, p_sign integer, p_exclude uuid, p_tz text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  m date := date_trunc('month', p_at AT TIME ZONE p_tz)::date;
BEGIN
  WITH sess AS (
    SELECT date_trunc('month', s.performed_at AT TIME ZONE p_tz)::date AS month
      FROM treatment_sessions s
     WHERE s.org_id = p_org AND s.patient_id = p_patient AND s.treatment_id = p_treatment AND s.deleted_at IS NULL
       AND s.id IS DISTINCT FROM p_exclude
       AND s.performed_at >= ((m - interval '11 months')::timestamp AT TIME ZONE p_tz)
       AND s.performed_at < ((m + interval '12 months')::timestamp AT TIME ZONE p_tz)
  ), win AS (
    SELECT g.month::date AS month,
           (SELECT count(*) FROM sess WHERE sess.month > (g.month - interval '12 months')::date AND sess.month <= g.month::date) AS n
      FROM generate_series(m::timestamp, m + interval '11 months', interval '1 month') AS g(month)
  )
  INSERT INTO treatment_repeat_stats AS r (org_id, treatment_id, month, slot, patients, repeaters)
  SELECT p_org, p_treatment, win.month, visage_rollup_slot(),
         CASE WHEN p_sign > 0 AND win.n = 1 THEN 1 WHEN p_sign < 0 AND win.n = 0 THEN -1 ELSE 0 END,
         CASE WHEN p_sign > 0 AND win.n = 2 THEN 1 WHEN p_sign < 0 AND win.n = 1 THEN -1 ELSE 0 END
    FROM win
   WHERE (p_sign > 0 AND win.n IN (1, 2)) OR (p_sign < 0 AND win.n IN (0, 1))
  ON CONFLICT (org_id, month, treatment_id, slot) DO UPDATE
    SET patients = r.patients + EXCLUDED.patients, repeaters = r.repeaters + EXCLUDED.repeaters;
END $$;
--> statement-breakpoint
-- One patient's summary recomputed from their rows (a few index lookups). docs/dashboards.md
-- defines each figure; risk_date is the latest recommended re-treatment date R (a planned
-- maintenance follow-up, or a non-cancelled follow-up's next_recommend_date) when nothing comes
-- after it: no planned follow-up scheduled after R, no visit on or after R, no session performed
-- on or after R (local time). A later recommendation cannot exist: R is the latest.
CREATE OR REPLACE FUNCTION visage_refresh_patient_care(p_org uuid, p_patient uuid, p_tz text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  v_first timestamptz;
  v_last timestamptz;
  v_last_t uuid;
  v_returned boolean := false;
  v_rec date;
  v_risk date;
BEGIN
  PERFORM visage_lock_patient(p_patient);
  SELECT s.performed_at INTO v_first FROM treatment_sessions s
   WHERE s.org_id = p_org AND s.patient_id = p_patient AND s.deleted_at IS NULL ORDER BY s.performed_at LIMIT 1;
  SELECT s.performed_at, s.treatment_id INTO v_last, v_last_t FROM treatment_sessions s
   WHERE s.org_id = p_org AND s.patient_id = p_patient AND s.deleted_at IS NULL ORDER BY s.performed_at DESC, s.id DESC LIMIT 1;
  IF v_first IS NOT NULL THEN
    v_returned := EXISTS (SELECT 1 FROM treatment_sessions r
      WHERE r.org_id = p_org AND r.patient_id = p_patient AND r.deleted_at IS NULL
        AND r.performed_at >= (((v_first AT TIME ZONE p_tz)::date + 1)::timestamp AT TIME ZONE p_tz)
        AND r.performed_at < v_first + interval '12 months');
  END IF;
  v_rec := greatest(
    (SELECT max(f.scheduled_date) FROM followups f WHERE f.org_id = p_org AND f.patient_id = p_patient
        AND f.status = 'planned' AND f.followup_type = 'maintenance' AND f.deleted_at IS NULL),
    (SELECT max(f.next_recommend_date) FROM followups f WHERE f.org_id = p_org AND f.patient_id = p_patient
        AND f.next_recommend_date IS NOT NULL AND f.status <> 'cancelled' AND f.deleted_at IS NULL));
  IF v_rec IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM followups f WHERE f.org_id = p_org AND f.patient_id = p_patient
                       AND f.status = 'planned' AND f.deleted_at IS NULL AND f.scheduled_date > v_rec)
     AND NOT EXISTS (SELECT 1 FROM visits v WHERE v.org_id = p_org AND v.patient_id = p_patient AND v.deleted_at IS NULL AND v.visit_date >= v_rec)
     AND (v_last IS NULL OR v_last < (v_rec::timestamp AT TIME ZONE p_tz)) THEN
    v_risk := v_rec;
  END IF;
  IF v_first IS NULL AND v_rec IS NULL THEN
    DELETE FROM patient_care_summary WHERE org_id = p_org AND patient_id = p_patient;
    RETURN;
  END IF;
  INSERT INTO patient_care_summary AS c (org_id, patient_id, first_session_at, returned, last_session_at, last_treatment_id, recommended_date, risk_date)
  VALUES (p_org, p_patient, v_first, v_returned, v_last, v_last_t, v_rec, v_risk)
  ON CONFLICT (org_id, patient_id) DO UPDATE SET first_session_at = EXCLUDED.first_session_at, returned = EXCLUDED.returned,
    last_session_at = EXCLUDED.last_session_at, last_treatment_id = EXCLUDED.last_treatment_id,
    recommended_date = EXCLUDED.recommended_date, risk_date = EXCLUDED.risk_date;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION visage_org_timezone(p_org uuid) RETURNS text LANGUAGE sql STABLE AS
$$ SELECT timezone FROM organizations WHERE id = p_org $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION visage_session_rollups_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  o_alive boolean := TG_OP <> 'INSERT' AND OLD.deleted_at IS NULL;
  n_alive boolean := TG_OP <> 'DELETE' AND NEW.deleted_at IS NULL;
  tz text;
  regrouped boolean := false;
BEGIN
  IF visage_dashboard_bulk() THEN RETURN NULL; END IF;
  IF TG_OP = 'UPDATE' THEN
    -- Only these columns feed the dashboards.
    IF o_alive = n_alive AND NEW.patient_id = OLD.patient_id AND NEW.treatment_id = OLD.treatment_id AND NEW.performed_at = OLD.performed_at
       AND NEW.price_minor IS NOT DISTINCT FROM OLD.price_minor AND (NEW.pmu->>'procedure_type') IS NOT DISTINCT FROM (OLD.pmu->>'procedure_type') THEN
      RETURN NULL;
    END IF;
  END IF;
  IF TG_OP = 'INSERT' THEN tz := visage_org_timezone(NEW.org_id); ELSE tz := visage_org_timezone(OLD.org_id); END IF;
  IF TG_OP <> 'INSERT' THEN PERFORM visage_lock_patient(OLD.patient_id); END IF;
  IF TG_OP <> 'DELETE' THEN PERFORM visage_lock_patient(NEW.patient_id); END IF;
  IF o_alive THEN
    PERFORM visage_session_day_add(OLD.org_id, OLD.treatment_id, OLD.performed_at, OLD.pmu, OLD.price_minor, -1, tz);
    IF TG_OP = 'DELETE' OR NOT n_alive OR NEW.patient_id <> OLD.patient_id OR NEW.treatment_id <> OLD.treatment_id
       OR date_trunc('month', NEW.performed_at AT TIME ZONE tz) <> date_trunc('month', OLD.performed_at AT TIME ZONE tz) THEN
      PERFORM visage_repeat_apply(OLD.org_id, OLD.treatment_id, OLD.patient_id, OLD.performed_at, -1, CASE WHEN TG_OP = 'UPDATE' THEN NEW.id END, tz);
      regrouped := true;
    END IF;
  END IF;
  IF n_alive THEN
    PERFORM visage_session_day_add(NEW.org_id, NEW.treatment_id, NEW.performed_at, NEW.pmu, NEW.price_minor, 1, tz);
    IF NOT o_alive OR regrouped THEN
      PERFORM visage_repeat_apply(NEW.org_id, NEW.treatment_id, NEW.patient_id, NEW.performed_at, 1, NULL, tz);
    END IF;
  END IF;
  IF TG_OP <> 'INSERT' AND (TG_OP = 'DELETE' OR o_alive <> n_alive OR NEW.patient_id <> OLD.patient_id
                            OR NEW.performed_at <> OLD.performed_at OR NEW.treatment_id <> OLD.treatment_id) THEN
    PERFORM visage_refresh_patient_care(OLD.org_id, OLD.patient_id, tz);
  END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.patient_id <> OLD.patient_id) THEN
    PERFORM visage_refresh_patient_care(NEW.org_id, NEW.patient_id, tz);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER treatment_sessions_rollups AFTER INSERT OR UPDATE OR DELETE ON treatment_sessions
  FOR EACH ROW EXECUTE FUNCTION visage_session_rollups_trigger();
--> statement-breakpoint
-- Follow-ups change in sets (a session's rule follow-ups are one statement): one refresh per
-- patient per statement, and only for changes to the columns follow-up risk reads.
CREATE OR REPLACE FUNCTION visage_followups_care_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  r record;
BEGIN
  IF visage_dashboard_bulk() THEN RETURN NULL; END IF;
  IF TG_OP = 'INSERT' THEN
    FOR r IN SELECT DISTINCT n.org_id, n.patient_id FROM new_rows n
              WHERE n.deleted_at IS NULL AND ((n.status = 'planned') OR (n.next_recommend_date IS NOT NULL AND n.status <> 'cancelled')) LOOP
      PERFORM visage_refresh_patient_care(r.org_id, r.patient_id, visage_org_timezone(r.org_id));
    END LOOP;
  ELSIF TG_OP = 'DELETE' THEN
    FOR r IN SELECT DISTINCT o.org_id, o.patient_id FROM old_rows o LOOP
      PERFORM visage_refresh_patient_care(r.org_id, r.patient_id, visage_org_timezone(r.org_id));
    END LOOP;
  ELSE
    FOR r IN SELECT DISTINCT x.org_id, x.patient_id FROM (
               SELECT n.org_id, n.patient_id, o.patient_id AS old_patient FROM new_rows n JOIN old_rows o ON o.id = n.id
                WHERE (n.patient_id, n.status, n.followup_type, n.scheduled_date, n.next_recommend_date, n.deleted_at)
                      IS DISTINCT FROM (o.patient_id, o.status, o.followup_type, o.scheduled_date, o.next_recommend_date, o.deleted_at)) c
               CROSS JOIN LATERAL (VALUES (c.org_id, c.patient_id), (c.org_id, c.old_patient)) x(org_id, patient_id) LOOP
      PERFORM visage_refresh_patient_care(r.org_id, r.patient_id, visage_org_timezone(r.org_id));
    END LOOP;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER followups_care_insert AFTER INSERT ON followups REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION visage_followups_care_trigger();
--> statement-breakpoint
CREATE TRIGGER followups_care_update AFTER UPDATE ON followups REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION visage_followups_care_trigger();
--> statement-breakpoint
CREATE TRIGGER followups_care_delete AFTER DELETE ON followups REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION visage_followups_care_trigger();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION visage_visits_care_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF visage_dashboard_bulk() THEN RETURN NULL; END IF;
  IF TG_OP = 'UPDATE' AND NEW.patient_id = OLD.patient_id AND NEW.visit_date = OLD.visit_date
     AND (NEW.deleted_at IS NULL) = (OLD.deleted_at IS NULL) THEN
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN PERFORM visage_refresh_patient_care(OLD.org_id, OLD.patient_id, visage_org_timezone(OLD.org_id)); END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.patient_id <> OLD.patient_id) THEN
    PERFORM visage_refresh_patient_care(NEW.org_id, NEW.patient_id, visage_org_timezone(NEW.org_id));
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER visits_care AFTER INSERT OR UPDATE OR DELETE ON visits
  FOR EACH ROW EXECUTE FUNCTION visage_visits_care_trigger();
--> statement-breakpoint
-- Recomputes an organization's rollups from its rows, set-based (after a bulk load, or when the
-- organization's time zone changes and with it every local day and month).
CREATE OR REPLACE FUNCTION visage_dashboard_rebuild(p_org uuid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  tz text := visage_org_timezone(p_org);
BEGIN
  DELETE FROM session_day_stats WHERE org_id = p_org;
  INSERT INTO session_day_stats (org_id, day, treatment_id, procedure_type, slot, sessions, priced, revenue_minor)
  SELECT p_org, (s.performed_at AT TIME ZONE tz)::date, s.treatment_id, coalesce(nullif(trim(s.pmu->>'procedure_type'), ''), ''), 0,
         count(*), count(s.price_minor), coalesce(sum(s.price_minor), 0)
    FROM treatment_sessions s WHERE s.org_id = p_org AND s.deleted_at IS NULL
   GROUP BY 2, 3, 4;

  DELETE FROM treatment_repeat_stats WHERE org_id = p_org;
  INSERT INTO treatment_repeat_stats (org_id, treatment_id, month, slot, patients, repeaters)
  SELECT p_org, w.treatment_id, w.month, 0, count(*), count(*) FILTER (WHERE w.n >= 2)
    FROM (SELECT tpm.treatment_id, tpm.patient_id, g.month::date AS month, sum(tpm.n) AS n
            FROM (SELECT s.treatment_id, s.patient_id, date_trunc('month', s.performed_at AT TIME ZONE tz)::date AS m, count(*) AS n
                    FROM treatment_sessions s WHERE s.org_id = p_org AND s.deleted_at IS NULL
                   GROUP BY 1, 2, 3) tpm
            CROSS JOIN LATERAL generate_series(tpm.m::timestamp, tpm.m + interval '11 months', interval '1 month') AS g(month)
           GROUP BY 1, 2, 3) w
   GROUP BY w.treatment_id, w.month;

  DELETE FROM patient_care_summary WHERE org_id = p_org;
  INSERT INTO patient_care_summary (org_id, patient_id, first_session_at, returned, last_session_at, last_treatment_id, recommended_date, risk_date)
  WITH ses AS (
    SELECT s.patient_id, min(s.performed_at) AS first_at, max(s.performed_at) AS last_at
      FROM treatment_sessions s WHERE s.org_id = p_org AND s.deleted_at IS NULL GROUP BY 1
  ), last_t AS (
    SELECT DISTINCT ON (s.patient_id) s.patient_id, s.treatment_id
      FROM treatment_sessions s WHERE s.org_id = p_org AND s.deleted_at IS NULL
     ORDER BY s.patient_id, s.performed_at DESC, s.id DESC
  ), ret AS (
    SELECT DISTINCT ses.patient_id FROM ses JOIN treatment_sessions r ON r.org_id = p_org AND r.patient_id = ses.patient_id AND r.deleted_at IS NULL
     WHERE r.performed_at >= (((ses.first_at AT TIME ZONE tz)::date + 1)::timestamp AT TIME ZONE tz) AND r.performed_at < ses.first_at + interval '12 months'
  ), fu AS (
    SELECT f.patient_id,
           greatest(max(f.scheduled_date) FILTER (WHERE f.status = 'planned' AND f.followup_type = 'maintenance'),
                    max(f.next_recommend_date) FILTER (WHERE f.status <> 'cancelled')) AS rec,
           max(f.scheduled_date) FILTER (WHERE f.status = 'planned') AS planned_max
      FROM followups f WHERE f.org_id = p_org AND f.deleted_at IS NULL GROUP BY 1
  ), vis AS (
    SELECT v.patient_id, max(v.visit_date) AS visit_max FROM visits v WHERE v.org_id = p_org AND v.deleted_at IS NULL GROUP BY 1
  ), ids AS (
    SELECT patient_id FROM ses UNION SELECT patient_id FROM fu WHERE rec IS NOT NULL
  )
  SELECT p_org, ids.patient_id, ses.first_at, ret.patient_id IS NOT NULL, ses.last_at, last_t.treatment_id, fu.rec,
         CASE WHEN fu.rec IS NOT NULL AND (fu.planned_max IS NULL OR fu.planned_max <= fu.rec)
                   AND (vis.visit_max IS NULL OR vis.visit_max < fu.rec)
                   AND (ses.last_at IS NULL OR ses.last_at < (fu.rec::timestamp AT TIME ZONE tz)) THEN fu.rec END
    FROM ids
    LEFT JOIN ses ON ses.patient_id = ids.patient_id
    LEFT JOIN last_t ON last_t.patient_id = ids.patient_id
    LEFT JOIN ret ON ret.patient_id = ids.patient_id
    LEFT JOIN fu ON fu.patient_id = ids.patient_id
    LEFT JOIN vis ON vis.patient_id = ids.patient_id;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION visage_org_timezone_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM visage_dashboard_rebuild(NEW.id);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER organizations_timezone_rollups AFTER UPDATE OF timezone ON organizations
  FOR EACH ROW WHEN (OLD.timezone IS DISTINCT FROM NEW.timezone) EXECUTE FUNCTION visage_org_timezone_trigger();
