-- SPDX-License-Identifier: MIT
-- A target's last_year profile as arrays (days, weights, coverage), from
-- where target_last_year_share takes it: target_profile when it is younger
-- than an hour, else computed (target_last_year_weights). For callers that
-- read the share at many instants (target_progress_samples).
CREATE OR REPLACE FUNCTION target_profile_arrays(t target, OUT days date[],
                                                 OUT ws double precision[], OUT cov double precision)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    tz text;
BEGIN
    SELECT s.timezone INTO tz FROM target_setting s;
    IF EXISTS (SELECT 1 FROM target_profile p WHERE p.target_id = t.id AND p.timezone = tz
                  AND p.computed_at > now() - interval '1 hour') THEN
        SELECT array_agg(p.day ORDER BY p.day), array_agg(p.w ORDER BY p.day), max(p.coverage)
          INTO days, ws, cov FROM target_profile p WHERE p.target_id = t.id;
    ELSE
        SELECT array_agg(l.day ORDER BY l.day), array_agg(l.w ORDER BY l.day), max(l.coverage)
          INTO days, ws, cov FROM target_last_year_weights(t) l;
    END IF;
END $$;
COMMENT ON FUNCTION target_profile_arrays(target) IS
    'Target t''s last_year profile (days, daily weights, coverage) from target_profile if younger than an hour, else computed; what target_last_year_share reads.';
