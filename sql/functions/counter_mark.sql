-- SPDX-License-Identifier: MIT
-- The high mark of a totaliser series at ts: the highest total since the
-- series last started (its first reading, a reset, a rollover, a
-- replacement, a held reading) or last counted. A rise counts from it, not
-- from the lower total of a jitter before the rise, which would count the
-- jitter's size a second time (100, 99.5, 101 counted 1.5).
CREATE OR REPLACE FUNCTION counter_mark(p_site text, p_metric text, p_source text, p_ts timestamptz)
RETURNS double precision
LANGUAGE sql STABLE SET search_path = pg_catalog, public AS $$
    -- Only the last 64 readings are looked at: a longer stretch of jitter
    -- alone is a meter standing still, whose mark is then its oldest of them.
    SELECT max(t.counter_value)
    FROM (SELECT l.counter_value,
                 bool_or(l.start) OVER (ORDER BY l.ts DESC ROWS BETWEEN UNBOUNDED PRECEDING
                                        AND 1 PRECEDING) AS before_start
          FROM (SELECT r.ts, r.counter_value,
                       r.value > 0 OR r.counter_step IN ('first', 'reset', 'rollover', 'replaced', 'held') AS start
                FROM reading r
                WHERE r.counter AND r.site_id = p_site AND r.metric = p_metric
                  AND r.source = p_source AND r.ts <= p_ts AND r.counter_value IS NOT NULL
                ORDER BY r.ts DESC LIMIT 64) l) t
    WHERE NOT coalesce(t.before_start, false)
$$;
COMMENT ON FUNCTION counter_mark(text, text, text, timestamptz) IS
    'The highest total of the counter series (site, metric, source) among its readings at or before ts since the last one that started it (first, reset, rollover, replaced, held) or counted a delta (of its last 64); NULL when it has none. A rise counts from it, so jitter is not counted again.';
