-- SPDX-License-Identifier: MIT
-- The last_year profile: per day of the target's year, the weight of the
-- same calendar day last year (same scope and metric), from daily totals
-- smoothed over 7 days. 29 February: in a leap year, 28 and 29 February
-- share last year's 28 February; after one, 28 February carries both days.
-- coverage: the share of last year's days with readings (the same in every
-- row).
-- January to March follow the Spring Festival (spring_festival), not the
-- calendar. A day of this year's quarter takes last year's smoothed daily
-- total at the day it maps to: the festival's window (15 days before to 25
-- after) shifted whole onto last year's window, so the dip keeps its shape
-- (2024's 10 February takes 2023's 22 January); the days before and after
-- it stretched linearly between 1 January, the window and 1 April. The
-- quarter is then scaled to last year's quarter total, so a flat last year
-- gives a flat quarter and the share reached on 1 April does not move.
-- A year without both festivals in the table keeps the calendar.
CREATE OR REPLACE FUNCTION target_last_year_weights(t target)
RETURNS TABLE (day date, w double precision, coverage double precision)
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
DECLARE
    tz text; y0p timestamptz; y0 timestamptz; ndays integer; srcs text[];
    s1 integer; s0 integer; e1 integer; e0 integer;
BEGIN
    -- the festival as a day of the quarter, this year (s1) and last (s0)
    SELECT f.day - make_date(t.year, 1, 1) INTO s1 FROM spring_festival f WHERE f.year = t.year;
    SELECT f.day - make_date(t.year - 1, 1, 1) INTO s0 FROM spring_festival f WHERE f.year = t.year - 1;
    e1 := make_date(t.year, 4, 1) - make_date(t.year, 1, 1);
    e0 := make_date(t.year - 1, 4, 1) - make_date(t.year - 1, 1, 1);
    SELECT s.timezone INTO tz FROM target_setting s;
    y0p := make_timestamptz(t.year - 1, 1, 1, 0, 0, 0, tz);
    y0 := make_timestamptz(t.year, 1, 1, 0, 0, 0, tz);
    ndays := make_date(t.year, 1, 1) - make_date(t.year - 1, 1, 1);
    srcs := metric_sources(t.metric, t.sources);
    RETURN QUERY
    WITH raw AS (
        SELECT (h.hour AT TIME ZONE tz)::date AS day, sum(h.value_sum) AS v
          FROM reading_hourly h JOIN site s ON s.site_id = h.site_id
         WHERE h.metric = t.metric AND h.hour >= y0p AND h.hour < y0
           AND (srcs IS NULL OR h.source = ANY (srcs))
           AND target_scope_has(t.scope, s.site_id, s.county)
         GROUP BY 1
    ), ld AS (
        SELECT g::date AS day FROM generate_series(make_date(t.year - 1, 1, 1), make_date(t.year - 1, 12, 31), interval '1 day') g
    ), sm AS (
        SELECT ld.day, avg(coalesce(raw.v, 0)) OVER (ORDER BY ld.day ROWS BETWEEN 3 PRECEDING AND 3 FOLLOWING) AS w
          FROM ld LEFT JOIN raw USING (day)
    ), td AS (
        SELECT g::date AS day FROM generate_series(make_date(t.year, 1, 1), make_date(t.year, 12, 31), interval '1 day') g
    ), lunar AS (
        -- this year's day x of the quarter, and the day of last year's it maps to
        SELECT td.day AS tday,
               least(e0 - 1, greatest(0, floor(0.5 + CASE
                   WHEN o.x < s1 - 15 THEN o.x * (s0 - 15)::double precision / (s1 - 15)
                   WHEN o.x <= s1 + 25 THEN o.x + s0 - s1
                   ELSE s0 + 25 + (o.x - s1 - 25) * (e0 - s0 - 25)::double precision / (e1 - s1 - 25)
                   END)))::integer AS k
          FROM td, LATERAL (SELECT td.day - make_date(t.year, 1, 1) AS x) o
         WHERE s1 IS NOT NULL AND s0 IS NOT NULL AND o.x < e1
    ), lunar_w AS (
        SELECT l.tday, sm.w FROM lunar l JOIN sm ON sm.day = make_date(t.year - 1, 1, 1) + l.k
    ), lunar_q AS (
        SELECT (SELECT sum(sm.w) FROM sm WHERE sm.day < make_date(t.year - 1, 4, 1)) AS q0,
               (SELECT sum(lw.w) FROM lunar_w lw) AS q1
    ), pairs AS (
        -- a day of last year and the days of this year at its calendar point
        SELECT sm.day AS lday, td.day AS tday, sm.w
          FROM sm JOIN td ON td.day = (sm.day + interval '1 year')::date
         WHERE NOT EXISTS (SELECT 1 FROM lunar) OR sm.day >= make_date(t.year - 1, 4, 1)
        UNION
        SELECT sm.day, td.day, sm.w
          FROM td JOIN sm ON sm.day = (td.day - interval '1 year')::date
         WHERE NOT EXISTS (SELECT 1 FROM lunar) OR td.day >= make_date(t.year, 4, 1)
    )
    SELECT x.tday, sum(x.w), (SELECT count(*) FROM raw WHERE raw.v <> 0)::double precision / ndays
      FROM (SELECT p.tday, p.w / count(*) OVER (PARTITION BY p.lday) AS w FROM pairs p
            UNION ALL
            -- the lunar quarter, scaled to last year's quarter total
            SELECT lw.tday, CASE WHEN q.q1 > 0 THEN lw.w * q.q0 / q.q1 ELSE 0 END
              FROM lunar_w lw, lunar_q q) x
     GROUP BY x.tday;
END $$;
COMMENT ON FUNCTION target_last_year_weights(target) IS
    'The last_year profile of a target: per day of its year, last year''s smoothed daily total at the same calendar point, and last year''s coverage (0..1).';
