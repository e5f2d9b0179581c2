-- SPDX-License-Identifier: MIT
-- Per local month of a target's year up to `at`: telemetry, the official
-- figure when the month is closed and has one, and what counts.
CREATE OR REPLACE FUNCTION target_months(t target, at timestamptz)
RETURNS TABLE (month date, closed boolean, telemetry double precision, official double precision,
               source text, counted double precision)
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
DECLARE
    tz text; srcs text[]; cuts timestamptz[]; top timestamptz; mon integer; k integer;
BEGIN
    SELECT s.timezone, s.statistics_sources INTO tz, srcs FROM target_setting s;
    top := at + interval '1 microsecond';
    IF top <= make_timestamptz(t.year, 1, 1, 0, 0, 0, tz) THEN
        RETURN;
    END IF;
    mon := least(12, extract(month FROM at AT TIME ZONE tz)::int
                     + 12 * (extract(year FROM at AT TIME ZONE tz)::int - t.year));
    cuts := ARRAY(SELECT make_timestamptz(t.year, k, 1, 0, 0, 0, tz) FROM generate_series(1, mon) k);
    cuts := cuts || least(top, make_timestamptz(t.year, 1, 1, 0, 0, 0, tz) + make_interval(months => mon));
    RETURN QUERY
    WITH tel AS (
        SELECT sp.span, sum(sp.value_sum) AS v
          FROM reading_spans(t.metric,
                             metric_sources(t.metric, t.sources),
                             cuts) sp
          JOIN site s ON s.id = sp.site_id
         WHERE target_scope_has(t.scope, s.id, s.county)
         GROUP BY sp.span
    ), mm AS (
        SELECT k, make_date(t.year, k, 1) AS month,
               make_timestamptz(t.year, 1, 1, 0, 0, 0, tz) + make_interval(months => k) <= top AS closed
          FROM generate_series(1, mon) k
    )
    SELECT mm.month, mm.closed, tel.v, st.value, st.source,
           CASE WHEN mm.closed AND st.value IS NOT NULL THEN st.value ELSE coalesce(tel.v, 0) END
      FROM mm
      LEFT JOIN tel ON tel.span = mm.k
      LEFT JOIN LATERAL (SELECT * FROM statistic_month(t.scope, t.metric, mm.month, srcs)
                          WHERE mm.closed) st ON true
     ORDER BY mm.month;
END $$;
COMMENT ON FUNCTION target_months(target, timestamptz) IS
    'Per month of a target''s year to `at`: telemetry, the official figure (closed months), and what counts: the official figure where there is one, else telemetry.';
