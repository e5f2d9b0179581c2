-- SPDX-License-Identifier: MIT
-- Recomputes the first counter reading of the series after ts (or at ts
-- too, with inclusive) and writes its delta if it changed. The UPDATE goes
-- through reading's triggers, so reading_hourly follows.
CREATE OR REPLACE FUNCTION counter_refresh_next(p_site text, p_metric text, p_source text, p_ts timestamptz,
                                     inclusive boolean DEFAULT false) RETURNS boolean
LANGUAGE plpgsql SET search_path = pg_catalog, public SET jit = off AS $$
DECLARE
    nx record; d record;
BEGIN
    SELECT r.ts, r.value, r.counter_value, r.counter_rollover, r.counter_step INTO nx FROM reading r
    WHERE r.counter AND r.site_id = p_site AND r.metric = p_metric AND r.source = p_source
      AND (r.ts > p_ts OR (inclusive AND r.ts = p_ts)) AND r.counter_value IS NOT NULL
    ORDER BY r.ts LIMIT 1;
    -- a held reading stays held (counter_hold): an operator decides
    IF NOT FOUND OR nx.counter_step = 'held' THEN
        RETURN false;
    END IF;
    d := counter_delta(p_site, p_metric, p_source, nx.ts, nx.counter_value, nx.counter_rollover);
    IF d.delta IS DISTINCT FROM nx.value OR d.step IS DISTINCT FROM nx.counter_step THEN
        UPDATE reading SET value = d.delta, counter_step = d.step
        WHERE site_id = p_site AND metric = p_metric AND ts = nx.ts;
        RETURN true;
    END IF;
    RETURN false;
END $$;
COMMENT ON FUNCTION counter_refresh_next(text, text, text, timestamptz, boolean) IS
    'Recomputes the delta of the first counter reading of (site, metric, source) after ts (at or after, with inclusive) and updates it if it changed (a held reading stays held); returns whether it did.';
REVOKE ALL ON FUNCTION counter_refresh_next(text,text,text,timestamptz,boolean) FROM PUBLIC;
