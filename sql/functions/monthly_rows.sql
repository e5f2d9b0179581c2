-- SPDX-License-Identifier: MIT
-- Months are local ([targets] timezone); reading_hourly's UTC hours fall
-- whole into local months in any zone whose offset is whole hours. Sums for
-- flows and events, the mean of the readings for levels (a share in %).
-- A reading that says it covers several months (a v1 message's period or
-- start) counts in each: monthly_period_parts.
-- Through a function for `SET jit = off` (JIT compilation added a second
-- to a query of two seconds; see site_health_rows below).
CREATE OR REPLACE FUNCTION monthly_rows()
RETURNS TABLE (metric text, scope_kind text, scope_name text, month date, total double precision,
               display_unit text, last_year double precision, yoy_pct double precision)
LANGUAGE sql STABLE SET jit = off AS $$
SELECT g.metric, g.scope_kind, g.scope_name, g.month, g.total, g.display_unit, g.last_year,
       CASE WHEN g.last_year > 0 THEN 100 * (g.total - g.last_year) / g.last_year END AS yoy_pct
FROM (
    SELECT d.*,
           first_value(d.total) OVER (PARTITION BY d.metric, d.scope_kind, d.scope_name ORDER BY d.month
                                      RANGE BETWEEN interval '1 year' PRECEDING
                                                AND interval '1 year' PRECEDING) AS last_year
    FROM (
        SELECT a.metric,
               CASE WHEN GROUPING(a.site_id) = 0 THEN 'site'
                    WHEN GROUPING(a.county) = 0 THEN 'county' ELSE 'city' END AS scope_kind,
               CASE WHEN GROUPING(a.site_id) = 0 THEN a.site_id
                    WHEN GROUPING(a.county) = 0 THEN coalesce(a.county, '') ELSE 'city' END AS scope_name,
               a.month,
               CASE WHEN x.aggregate = 'level' THEN sum(a.v) / nullif(sum(a.n), 0) ELSE sum(a.v) END
                   / x.display_div AS total,
               x.display_unit
        FROM (SELECT h.metric, s.county, h.site_id, h.month, sum(h.v) AS v, sum(h.n) AS n
              FROM (SELECT h.metric, h.site_id,
                           (date_trunc('month', h.hour AT TIME ZONE (SELECT timezone FROM target_setting)))::date AS month,
                           h.value_sum AS v, h.n
                      FROM reading_hourly h
                    UNION ALL
                    SELECT p.metric, p.site_id, p.month, p.v, p.n FROM monthly_period_parts() p) h
              LEFT JOIN site s ON s.site_id = h.site_id
              GROUP BY 1, 2, 3, 4) a
        JOIN metric x ON x.name = a.metric
        GROUP BY GROUPING SETS (
            (a.metric, x.aggregate, x.display_div, x.display_unit, a.month),
            (a.metric, x.aggregate, x.display_div, x.display_unit, a.month, a.county),
            (a.metric, x.aggregate, x.display_div, x.display_unit, a.month, a.site_id))
    ) d
) g
$$;
COMMENT ON FUNCTION monthly_rows() IS 'The rows of the view monthly.';
