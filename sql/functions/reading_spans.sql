-- SPDX-License-Identifier: MIT
-- Per site, the readings of metric m (of sources srcs; NULL: all) in the
-- spans (cuts[i], cuts[i+1]], i = 1 .. cardinality(cuts) - 1: their sum,
-- count, first and last ts (first_ts is the end of the UTC hour for
-- readings taken from the rollup, whose bucket is (hour, hour + 1 h]).
-- cuts must be in ascending order; a span may be empty.
CREATE OR REPLACE FUNCTION reading_spans(m text, srcs text[], cuts timestamptz[])
RETURNS TABLE (site_id text, span integer, value_sum double precision, n bigint,
               first_ts timestamptz, last_ts timestamptz)
LANGUAGE sql STABLE AS $$
    SELECT p.site_id, p.span, sum(p.value_sum), sum(p.n)::bigint, min(p.first_ts), max(p.last_ts)
      FROM reading_span_parts(m, srcs, cuts) p
     GROUP BY p.site_id, p.span
$$;
COMMENT ON FUNCTION reading_spans(text, text[], timestamptz[]) IS
    'Exact per-site sums of a metric over (cut, next cut] (a reading counts in the span it ends): whole UTC hours from reading_hourly, the hours cut by a bound from reading.';
