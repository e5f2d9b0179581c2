-- SPDX-License-Identifier: MIT
-- The official figure of a scope and metric for a block of months of year
-- y that ends with month k, as the bureau publishes it: the month itself
-- (YYYY-MM), else the shortest block ending there: a quarter (YYYY-Qn), a
-- half (YYYY-Hn), January to k (YYYY-01..YYYY-MM, 累计), the year (YYYY);
-- from the first source of srcs that has one (empty: every source, by
-- name), and only what was published by `at` (statistic.published; NULL:
-- always). A revised figure whose revision was published after `at` gives
-- the value of the revision published by then (statistic_revision): a
-- replay says what was known on the day. first_month is where the block
-- starts.
CREATE OR REPLACE FUNCTION statistic_block(sc text, m text, y integer, k integer, srcs text[],
                                           at timestamptz)
RETURNS TABLE (value double precision, source text, first_month integer, period text)
LANGUAGE sql STABLE AS $$
    SELECT s.value, s.source, b.first_month, s.period
      FROM (VALUES (format('%s-%s', y, lpad(k::text, 2, '0')), k),
                   (CASE WHEN k % 3 = 0 THEN format('%s-Q%s', y, k / 3) END, k - 2),
                   (CASE WHEN k % 6 = 0 THEN format('%s-H%s', y, k / 6) END, k - 5),
                   (CASE WHEN k > 1 THEN format('%s-01..%s-%s', y, y, lpad(k::text, 2, '0')) END, 1),
                   (CASE WHEN k = 12 THEN y::text END, 1)) b(period, first_month)
      JOIN (SELECT x.period, x.source, x.value, x.revision, x.published
              FROM statistic x WHERE x.scope = sc AND x.metric = m
            UNION ALL
            SELECT x.period, x.source, x.value, x.revision, x.published
              FROM statistic_revision x WHERE x.scope = sc AND x.metric = m) s ON s.period = b.period
     WHERE (cardinality(srcs) = 0 OR s.source = ANY (srcs))
       AND (s.published IS NULL
            OR s.published <= (at AT TIME ZONE (SELECT timezone FROM target_setting))::date)
     ORDER BY k - b.first_month, array_position(srcs, s.source), s.source, s.revision DESC
     LIMIT 1
$$;
COMMENT ON FUNCTION statistic_block(text, text, integer, integer, text[], timestamptz) IS
    'The official figure of the shortest published block of months (the month, a quarter, a half, January to it, the year) of a scope and metric that ends with month k of year y, as published by `at`; no row: none.';
