-- SPDX-License-Identifier: MIT
-- The local months of a year seen at `at` (zone tz), as target_months
-- counts them: month k's readings are those stamped in (w_from, w_to]
-- (the month, or its part up to `at` for the month that holds `at`);
-- closed when the month has ended by `at` (1 February 00:00 closes
-- January); share is 1 when closed, else the elapsed part of the month's
-- time: what of a known official figure of the month holding `at` counts
-- when the month has no telemetry (with telemetry, target_months and
-- target_progress_samples count the share of the whole month's telemetry
-- stamped by `at`). No row when `at` is not after the year's start. One
-- definition for target_months and target_progress_samples, which must
-- agree.
CREATE OR REPLACE FUNCTION target_month_windows(year integer, at timestamptz, tz text)
RETURNS TABLE (k integer, w_from timestamptz, w_to timestamptz, closed boolean,
               share double precision, m_start timestamptz, m_end timestamptz)
LANGUAGE sql STABLE AS $$
    WITH b AS (SELECT make_timestamptz($1, 1, 1, 0, 0, 0, $3) AS y0),
    n AS (SELECT b.y0, least(12, extract(month FROM ($2 - interval '1 microsecond') AT TIME ZONE $3)::int
                                 + 12 * (target_year_of($2, $3) - $1)) AS mon
            FROM b WHERE $2 > b.y0),
    q AS (SELECT g.q, n.y0, n.mon, n.y0 + make_interval(months => g.q - 1) AS ms
            FROM n CROSS JOIN LATERAL generate_series(1, n.mon) g(q))
    SELECT q.q, make_timestamptz($1, q.q, 1, 0, 0, 0, $3),
           CASE WHEN q.q < q.mon THEN make_timestamptz($1, q.q + 1, 1, 0, 0, 0, $3)
                ELSE least($2, q.y0 + make_interval(months => q.mon)) END,
           q.y0 + make_interval(months => q.q) <= $2,
           CASE WHEN q.y0 + make_interval(months => q.q) <= $2 THEN 1
                ELSE extract(epoch FROM $2 - q.ms) / extract(epoch FROM (q.ms + interval '1 month') - q.ms)
                END::double precision,
           q.ms, q.ms + interval '1 month'
      FROM q ORDER BY q.q
$$;
COMMENT ON FUNCTION target_month_windows(integer, timestamptz, text) IS
    'The local months of year seen at instant at (zone tz): month k''s readings (w_from, w_to], whether it is closed, and the time share (1, or the elapsed part of the month holding at: what of its known official figure counts when the month has no telemetry); what target_months and target_progress_samples count.';
