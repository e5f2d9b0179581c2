-- SPDX-License-Identifier: MIT
-- Exact sums in every time zone and at any instant.
--
-- A reading is stamped at the end of what it covers, so a span is
-- (from, to]: a reading of 1 January 00:00 counts in the old year.
-- reading_hourly's buckets are UTC hours, each (hour, hour + 1 h]. A local
-- year starts inside a UTC hour where the zone's offset is not whole
-- (Asia/Kolkata +05:30, Asia/Kathmandu +05:45), and an instant such as
-- 10:30 lies inside one in every zone. So a sum over (from, to] takes the
-- UTC hours wholly inside it
-- from reading_hourly and the readings of the few hours that a bound cuts
-- from reading itself (reading_metric_ts), which is exact and reads a handful
-- of rows more than the rollup alone.

-- The parts of reading_spans: per site and span, the whole hours from
-- reading_hourly, then the readings of each hour that a cut falls inside,
-- each part one query planned with its bounds as constants (an index range
-- on one partition of reading; a lateral join would plan every partition).
CREATE OR REPLACE FUNCTION reading_span_parts(m text, srcs text[], cuts timestamptz[])
RETURNS TABLE (site_id text, span integer, value_sum double precision, n bigint,
               first_ts timestamptz, last_ts timestamptz)
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
DECLARE
    lo timestamptz := cuts[1];
    hi timestamptz := cuts[cardinality(cuts)];
    edges timestamptz[];
    e timestamptz; e_lo timestamptz; e_hi timestamptz;
    is_flow boolean := (SELECT x.flow FROM metric x WHERE x.name = m);
BEGIN
    IF cuts IS NULL OR cardinality(cuts) < 2 OR hi <= lo THEN
        RETURN;
    END IF;
    SELECT coalesce(array_agg(DISTINCT date_trunc('hour', c, 'UTC')), '{}') INTO edges
      FROM unnest(cuts) c
     WHERE date_trunc('hour', c, 'UTC') <> c;
    RETURN QUERY
    SELECT h.site_id, width_bucket(h.hour, cuts), sum(h.value_sum), sum(h.n)::bigint,
           min(h.hour) + interval '1 hour', max(h.last_ts)
      FROM reading_hourly h
     WHERE h.metric = m AND h.hour >= lo AND h.hour < hi AND h.hour <> ALL (edges)
       AND (srcs IS NULL OR h.source = ANY (srcs))
     GROUP BY 1, 2;
    FOREACH e IN ARRAY edges LOOP
        -- plain values, so that the planner prunes to the one partition
        e_lo := greatest(e, lo);
        e_hi := least(e + interval '1 hour', hi);
        RETURN QUERY
        -- (cuts[i], cuts[i+1]] is [cuts[i], cuts[i+1]) one microsecond late
        SELECT r.site_id, width_bucket(r.ts - interval '1 microsecond', cuts), sum(r.value), count(*),
               min(r.ts), max(r.ts)
          FROM reading r
         WHERE r.metric = m AND r.ts > e_lo AND r.ts <= e_hi
           AND (srcs IS NULL OR coalesce(r.source, '') = ANY (srcs))
         GROUP BY 1, 2;
    END LOOP;
    IF is_flow THEN
        -- A flow reading that says what it covers ((covers_from, ts], a v1
        -- message's period or start) and spans a cut counts in each span
        -- pro rata of the time it covers there, not all in the span of its
        -- ts: a quarter's 9 100 t count 3 100, 2 900 and 3 100 in its months.
        -- What lies before lo is not counted here (it is another window's);
        -- a reading is known from its ts, so one stamped after hi is not.
        -- The rows move value only: n stays with the span of ts.
        RETURN QUERY
        WITH x AS (
            SELECT r.site_id, r.value, r.ts, r.covers_from,
                   width_bucket(r.ts - interval '1 microsecond', cuts) AS own
              FROM reading r
             WHERE r.metric = m AND r.covers_from IS NOT NULL AND r.ts > lo AND r.ts <= hi
               AND r.covers_from < r.ts
               AND (srcs IS NULL OR coalesce(r.source, '') = ANY (srcs))
               AND width_bucket(r.covers_from, cuts) <> width_bucket(r.ts - interval '1 microsecond', cuts)
        )
        SELECT x.site_id, x.own, -x.value, 0::bigint, NULL::timestamptz, NULL::timestamptz FROM x
        UNION ALL
        SELECT x.site_id, i,
               x.value * extract(epoch FROM least(x.ts, cuts[i + 1]) - greatest(x.covers_from, cuts[i]))
                       / extract(epoch FROM x.ts - x.covers_from),
               0::bigint, NULL::timestamptz, NULL::timestamptz
          FROM x CROSS JOIN generate_series(1, cardinality(cuts) - 1) i
         WHERE cuts[i] < x.ts AND cuts[i + 1] > x.covers_from AND cuts[i + 1] > cuts[i];
    END IF;
END $$;
COMMENT ON FUNCTION reading_span_parts(text, text[], timestamptz[]) IS
    'reading_spans before its last grouping: a site and span may have a row from the rollup, one per cut hour, and rows that spread a flow reading with a stated period over the spans it covers.';
