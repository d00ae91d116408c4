-- The organization's time zone as PL/pgSQL: its query is planned once per connection. As a
-- LANGUAGE sql function called from a trigger it was planned on every call, and planning a query on
-- organizations (row-level security expands its policy) cost ten times running it.
CREATE OR REPLACE FUNCTION visage_org_timezone(p_org uuid) RETURNS text LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (SELECT timezone FROM organizations WHERE id = p_org);
END $$;
--> statement-breakpoint
-- The repeat windows from one read of the patient's sessions of the treatment (per-month counts
-- over the 23 months that the 12 windows touch) and a sliding sum, instead of twelve counting
-- subqueries: same rows, a fraction of the work (0019 states the rule).
CREATE OR REPLACE FUNCTION visage_repeat_apply(p_org uuid, p_treatment uuid, p_patient uuid, p_at timestamptz, p_sign integer, p_exclude uuid, p_tz text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  m date := date_trunc('month', p_at AT TIME ZONE p_tz)::date;
  first_month date := (m - interval '11 months')::date;
  base integer := extract(year FROM first_month)::integer * 12 + extract(month FROM first_month)::integer;
  cnt integer[] := array_fill(0, ARRAY[23]);
  r record;
  n integer := 0;
  k integer;
  months date[] := '{}';
  patients integer[] := '{}';
  repeaters integer[] := '{}';
BEGIN
  FOR r IN
    SELECT extract(year FROM x.l)::integer * 12 + extract(month FROM x.l)::integer AS mi, count(*)::integer AS c
      FROM (SELECT s.performed_at AT TIME ZONE p_tz AS l FROM treatment_sessions s
             WHERE s.org_id = p_org AND s.patient_id = p_patient AND s.treatment_id = p_treatment AND s.deleted_at IS NULL
               AND s.id IS DISTINCT FROM p_exclude
               AND s.performed_at >= (first_month::timestamp AT TIME ZONE p_tz)
               AND s.performed_at < ((m + interval '12 months')::timestamp AT TIME ZONE p_tz)) x
     GROUP BY 1
  LOOP
    cnt[r.mi - base + 1] := r.c;
  END LOOP;
  -- Window k (k = 0..11) ends k months after m and holds months k+1 .. k+12 of cnt.
  FOR k IN 1..12 LOOP n := n + cnt[k]; END LOOP;
  FOR k IN 0..11 LOOP
    IF k > 0 THEN n := n - cnt[k] + cnt[k + 12]; END IF;
    IF (p_sign > 0 AND n IN (1, 2)) OR (p_sign < 0 AND n IN (0, 1)) THEN
      months := months || (m + make_interval(months => k))::date;
      patients := patients || CASE WHEN p_sign > 0 AND n = 1 THEN 1 WHEN p_sign < 0 AND n = 0 THEN -1 ELSE 0 END;
      repeaters := repeaters || CASE WHEN p_sign > 0 AND n = 2 THEN 1 WHEN p_sign < 0 AND n = 1 THEN -1 ELSE 0 END;
    END IF;
  END LOOP;
  IF cardinality(months) > 0 THEN
    INSERT INTO treatment_repeat_stats AS t (org_id, treatment_id, month, slot, patients, repeaters)
    SELECT p_org, p_treatment, u.month, visage_rollup_slot(), u.patients, u.repeaters FROM unnest(months, patients, repeaters) AS u(month, patients, repeaters)
    ON CONFLICT (org_id, month, treatment_id, slot) DO UPDATE
      SET patients = t.patients + EXCLUDED.patients, repeaters = t.repeaters + EXCLUDED.repeaters;
  END IF;
END $$;
