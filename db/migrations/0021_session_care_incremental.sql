-- Recording a session updates the patient's care summary in place when it can (one UPDATE instead
-- of a recomputation from all of the patient's rows); the rest of the trigger is 0019's.
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
  IF TG_OP = 'INSERT' AND NOT n_alive THEN
    NULL; -- recorded as deleted: counts nowhere
  ELSIF TG_OP = 'INSERT' THEN
    -- A new session later than the patient's first and not tied with their last (the usual case)
    -- changes the summary in known ways: it may become the last session, make the patient a
    -- returning one, and ends any risk it comes after. Anything else is recomputed.
    UPDATE patient_care_summary c SET
        last_session_at = greatest(c.last_session_at, NEW.performed_at),
        last_treatment_id = CASE WHEN NEW.performed_at > c.last_session_at THEN NEW.treatment_id ELSE c.last_treatment_id END,
        returned = c.returned OR (NEW.performed_at >= (((c.first_session_at AT TIME ZONE tz)::date + 1)::timestamp AT TIME ZONE tz)
                                  AND NEW.performed_at < c.first_session_at + interval '12 months'),
        risk_date = CASE WHEN NEW.performed_at >= (c.risk_date::timestamp AT TIME ZONE tz) THEN NULL ELSE c.risk_date END
      WHERE c.org_id = NEW.org_id AND c.patient_id = NEW.patient_id
        AND c.first_session_at < NEW.performed_at AND c.last_session_at <> NEW.performed_at;
    IF NOT FOUND THEN PERFORM visage_refresh_patient_care(NEW.org_id, NEW.patient_id, tz); END IF;
  ELSIF TG_OP = 'UPDATE' AND NEW.patient_id <> OLD.patient_id THEN
    PERFORM visage_refresh_patient_care(NEW.org_id, NEW.patient_id, tz);
  END IF;
  RETURN NULL;
END $$;
