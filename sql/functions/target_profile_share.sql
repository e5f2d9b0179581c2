-- SPDX-License-Identifier: MIT
-- The share of a last_year profile (target_profile_arrays) reached on day
-- `today` at the fraction dayfrac of it, as target_last_year_share computes
-- it: 1 from the year after `year` on; NULL when the weights sum to nothing.
CREATE OR REPLACE FUNCTION target_profile_share(days date[], ws double precision[], today date,
                                                dayfrac double precision, year integer)
RETURNS double precision
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN today >= make_date(year + 1, 1, 1) THEN 1
                WHEN sum(l.w) > 0
                THEN (coalesce(sum(l.w) FILTER (WHERE l.day < today), 0)
                      + coalesce(sum(l.w) FILTER (WHERE l.day = today), 0) * dayfrac) / sum(l.w) END
      FROM unnest(days, ws) l(day, w)
$$;
COMMENT ON FUNCTION target_profile_share(date[], double precision[], date, double precision, integer) IS
    'The share of a last_year profile (days, weights) reached at day `today` plus dayfrac of it; 1 after the year; what target_last_year_share computes.';
