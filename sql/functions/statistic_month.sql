-- SPDX-License-Identifier: MIT
-- The official figure of a scope, metric and month: from the first source of
-- the list that has one (empty list: every source, by name).
CREATE OR REPLACE FUNCTION statistic_month(sc text, m text, month date, srcs text[])
RETURNS TABLE (value double precision, source text)
LANGUAGE sql STABLE AS $$
    SELECT s.value, s.source FROM statistic s
     WHERE s.scope = sc AND s.metric = m AND s.period = to_char(month, 'YYYY-MM')
       AND (cardinality(srcs) = 0 OR s.source = ANY (srcs))
     ORDER BY array_position(srcs, s.source), s.source
     LIMIT 1
$$;
COMMENT ON FUNCTION statistic_month(text, text, date, text[]) IS
    'The monthly statistic of a scope and metric from the preferred source (srcs in order; empty: all, by name), or no row.';
