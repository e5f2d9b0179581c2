-- SPDX-License-Identifier: MIT
-- The delta of the counter reading of (site, metric, source) at ts whose
-- total is cur, from the previous counter reading in reading; a rise counts
-- from the series' high mark (counter_mark), so a jitter before it is not
-- counted again.
CREATE OR REPLACE FUNCTION counter_delta(p_site text, p_metric text, p_source text, p_ts timestamptz,
                              cur double precision, rollover double precision,
                              OUT delta double precision, OUT step text)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, public AS $$
DECLARE
    prev record;
BEGIN
    SELECT r.ts, r.counter_value, r.counter_rollover INTO prev FROM reading r
    WHERE r.counter AND r.site_id = p_site AND r.metric = p_metric AND r.source = p_source
      AND r.ts < p_ts AND r.counter_value IS NOT NULL
    ORDER BY r.ts DESC LIMIT 1;
    SELECT d.delta, d.step INTO delta, step
    FROM counter_span(p_site, p_metric, prev.counter_value, prev.ts, prev.counter_rollover, cur, p_ts,
                      rollover, counter_reset_mode()) d;
    IF prev.ts IS NOT NULL AND step IS NULL THEN
        delta := greatest(cur - coalesce(counter_mark(p_site, p_metric, p_source, prev.ts),
                                         prev.counter_value), 0);
    END IF;
END $$;
COMMENT ON FUNCTION counter_delta(text, text, text, timestamptz, double precision, double precision) IS
    'The delta of a counter reading (total cur, canonical) at ts: from the previous counter reading of the same site, metric and source, across any counter_replacement in between; a rise from the highest total since the series last started or counted (counter_mark); 0 (step first) when there is none.';
