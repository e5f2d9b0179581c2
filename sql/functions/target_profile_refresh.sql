-- SPDX-License-Identifier: MIT
-- Recomputes the profiles of the year of `at` older than an hour.
CREATE OR REPLACE FUNCTION target_profile_refresh(at timestamptz) RETURNS integer
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    tz text; t target; n integer := 0;
BEGIN
    SELECT s.timezone INTO tz FROM target_setting s;
    FOR t IN SELECT x.* FROM target x JOIN metric m ON m.name = x.metric
              WHERE x.year = extract(year FROM at AT TIME ZONE tz)::int AND m.aggregate = 'sum'
                AND (x.schedule_kind = 'last_year'
                     OR (x.schedule_kind IS NULL AND x.schedule IS NULL AND m.flow))
                AND NOT EXISTS (SELECT 1 FROM target_profile p
                                 WHERE p.target_id = x.id AND p.timezone = tz
                                   AND p.computed_at > now() - interval '1 hour') LOOP
        INSERT INTO target_profile (target_id, day, w, coverage, timezone, computed_at)
        SELECT t.id, l.day, l.w, l.coverage, tz, now() FROM target_last_year_weights(t) l
        ON CONFLICT (target_id, day) DO UPDATE
           SET w = EXCLUDED.w, coverage = EXCLUDED.coverage, timezone = EXCLUDED.timezone,
               computed_at = EXCLUDED.computed_at;
        n := n + 1;
    END LOOP;
    RETURN n;
END $$;
COMMENT ON FUNCTION target_profile_refresh(timestamptz) IS
    'Recomputes into target_profile the last_year profiles of the targets of the year of `at` that are older than an hour; returns how many.';
