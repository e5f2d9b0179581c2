-- SPDX-License-Identifier: MIT
-- The last_year schedule at `at`: the share of the profile's total reached
-- (the day of `at` counted by the fraction of it passed), and coverage.
CREATE OR REPLACE FUNCTION target_last_year_share(t target, at timestamptz,
                                       OUT share double precision, OUT coverage double precision)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    tz text; today date; dayfrac double precision; d0 timestamptz;
BEGIN
    SELECT s.timezone INTO tz FROM target_setting s;
    today := (at AT TIME ZONE tz)::date;
    d0 := today::timestamp AT TIME ZONE tz;
    dayfrac := extract(epoch FROM at - d0)
               / extract(epoch FROM ((today + 1)::timestamp AT TIME ZONE tz) - d0);
    IF EXISTS (SELECT 1 FROM target_profile p WHERE p.target_id = t.id AND p.timezone = tz
                  AND p.computed_at > now() - interval '1 hour') THEN
        SELECT max(p.coverage),
               CASE WHEN sum(p.w) > 0
                    THEN (coalesce(sum(p.w) FILTER (WHERE p.day < today), 0)
                          + coalesce(sum(p.w) FILTER (WHERE p.day = today), 0) * dayfrac) / sum(p.w) END
          INTO coverage, share FROM target_profile p WHERE p.target_id = t.id;
    ELSE
        SELECT max(l.coverage),
               CASE WHEN sum(l.w) > 0
                    THEN (coalesce(sum(l.w) FILTER (WHERE l.day < today), 0)
                          + coalesce(sum(l.w) FILTER (WHERE l.day = today), 0) * dayfrac) / sum(l.w) END
          INTO coverage, share FROM target_last_year_weights(t) l;
    END IF;
    IF today >= make_date(t.year + 1, 1, 1) THEN
        share := 1;
    END IF;
END $$;
COMMENT ON FUNCTION target_last_year_share(target, timestamptz) IS
    'The last_year schedule: the share of last year''s total reached at the calendar point of `at` (daily, smoothed over 7 days), and how much of last year had readings (0..1); from target_profile when it is younger than an hour.';
