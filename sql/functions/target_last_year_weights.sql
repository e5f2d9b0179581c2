-- SPDX-License-Identifier: MIT
-- The last_year profile: per day of the target's year, the weight of the
-- same calendar day last year (same scope and metric), from daily totals
-- smoothed over 7 days. 29 February: in a leap year, 28 and 29 February
-- share last year's 28 February; after one, 28 February carries both days.
-- coverage: the share of last year's days with readings (the same in every
-- row).
CREATE OR REPLACE FUNCTION target_last_year_weights(t target)
RETURNS TABLE (day date, w double precision, coverage double precision)
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
DECLARE
    tz text; y0p timestamptz; y0 timestamptz; ndays integer; srcs text[];
BEGIN
    SELECT s.timezone INTO tz FROM target_setting s;
    y0p := make_timestamptz(t.year - 1, 1, 1, 0, 0, 0, tz);
    y0 := make_timestamptz(t.year, 1, 1, 0, 0, 0, tz);
    ndays := make_date(t.year, 1, 1) - make_date(t.year - 1, 1, 1);
    srcs := metric_sources(t.metric, t.sources);
    RETURN QUERY
    WITH raw AS (
        SELECT (h.hour AT TIME ZONE tz)::date AS day, sum(h.value_sum) AS v
          FROM reading_hourly h JOIN site s ON s.id = h.site_id
         WHERE h.metric = t.metric AND h.hour >= y0p AND h.hour < y0
           AND (srcs IS NULL OR h.source = ANY (srcs))
           AND target_scope_has(t.scope, s.id, s.county)
         GROUP BY 1
    ), ld AS (
        SELECT g::date AS day FROM generate_series(make_date(t.year - 1, 1, 1), make_date(t.year - 1, 12, 31), interval '1 day') g
    ), sm AS (
        SELECT ld.day, avg(coalesce(raw.v, 0)) OVER (ORDER BY ld.day ROWS BETWEEN 3 PRECEDING AND 3 FOLLOWING) AS w
          FROM ld LEFT JOIN raw USING (day)
    ), td AS (
        SELECT g::date AS day FROM generate_series(make_date(t.year, 1, 1), make_date(t.year, 12, 31), interval '1 day') g
    ), pairs AS (
        -- a day of last year and the days of this year at its calendar point
        SELECT sm.day AS lday, td.day AS tday, sm.w
          FROM sm JOIN td ON td.day = (sm.day + interval '1 year')::date
        UNION
        SELECT sm.day, td.day, sm.w
          FROM td JOIN sm ON sm.day = (td.day - interval '1 year')::date
    )
    SELECT x.tday, sum(x.w), (SELECT count(*) FROM raw WHERE raw.v <> 0)::double precision / ndays
      FROM (SELECT p.tday, p.w / count(*) OVER (PARTITION BY p.lday) AS w FROM pairs p) x
     GROUP BY x.tday;
END $$;
COMMENT ON FUNCTION target_last_year_weights(target) IS
    'The last_year profile of a target: per day of its year, last year''s smoothed daily total at the same calendar point, and last year''s coverage (0..1).';
