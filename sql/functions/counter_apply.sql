-- SPDX-License-Identifier: MIT
-- Applies the counter rows of the staged batch and takes them out of the
-- staging table, a few statements per batch whatever its size:
--   1. the batch's last row of each key (site, metric, source, ts: two
--      sources' totals at one instant are two readings) (in arrival order) goes into a work
--      table; a row at a key that holds the same total (and rollover and
--      source) is a duplicate and is dropped; another total there is a
--      correction;
--   2. for each series (site, metric, source) the batch touches, the work
--      table gets from reading the counter reading before the batch's first
--      (the anchor), those between the batch's first and last, and the one
--      after its last: the only readings whose delta can change;
--   3. each of them gets its delta from the one before it in ts order;
--   4. new rows are inserted, corrected ones updated (reading_correction
--      gets the old and the new delta), and existing ones whose delta
--      changed (a late reading split their interval) updated: the triggers
--      keep reading_hourly.
-- JIT is off: the statements that look around the batch in every
-- partition of reading are estimated dear enough for PostgreSQL to compile
-- them, which took 23 s for a 2 000-row batch here (the work itself: 0.3 s).
CREATE OR REPLACE FUNCTION counter_apply(OUT staged bigint, OUT inserted bigint, OUT duplicates bigint,
                              OUT corrected bigint)
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp SET jit = off AS $$
DECLARE
    mode text := counter_reset_mode();
    keys bigint;
BEGIN
    IF to_regclass('pg_temp.et_counter_work') IS NULL THEN
        CREATE TEMP TABLE et_counter_work (
            site_id text, metric text, source text, ts timestamptz, total double precision,
            rollover double precision, unit_in text, value_in double precision, seq bigint,
            received_at timestamptz, kind text, old_value double precision, old_source text,
            old_step text, delta double precision, step text
        ) ON COMMIT DELETE ROWS;
    END IF;
    TRUNCATE pg_temp.et_counter_work;

    -- 1. the batch: the last row of each key; then what reading holds there
    INSERT INTO pg_temp.et_counter_work (site_id, metric, source, ts, total, rollover, unit_in,
                                         value_in, seq, received_at, kind)
    SELECT DISTINCT ON (site_id, metric, coalesce(source, ''), ts) site_id, metric, coalesce(source, ''), ts, value,
           CASE WHEN rollover > 0 THEN rollover * counter_factor(metric, unit_in) END,
           unit_in, value_in, seq, received_at, 'new'
    FROM pg_temp.et_stage_reading WHERE counter
    ORDER BY site_id, metric, coalesce(source, ''), ts, n DESC;
    GET DIAGNOSTICS keys = ROW_COUNT;
    SELECT count(*) INTO staged FROM pg_temp.et_stage_reading WHERE counter;
    DELETE FROM pg_temp.et_stage_reading WHERE counter;

    UPDATE pg_temp.et_counter_work w SET
        kind = CASE WHEN r.counter AND r.counter_value = w.total AND r.source = w.source
                         AND r.counter_rollover IS NOT DISTINCT FROM w.rollover
                    THEN 'dup' ELSE 'corr' END,
        old_value = r.value, old_source = r.source
    FROM reading r
    WHERE r.site_id = w.site_id AND r.metric = w.metric AND r.source = w.source AND r.ts = w.ts;
    DELETE FROM pg_temp.et_counter_work WHERE kind = 'dup';
    GET DIAGNOSTICS duplicates = ROW_COUNT;
    -- an earlier row of the same key in the batch counts as a duplicate
    duplicates := duplicates + (staged - keys);

    -- 2. the readings around them
    INSERT INTO pg_temp.et_counter_work (site_id, metric, source, ts, total, rollover, kind,
                                         old_value, old_step)
    SELECT s.site_id, s.metric, s.source, x.ts, x.counter_value, x.counter_rollover, x.kind,
           x.value, x.counter_step
    FROM (SELECT site_id, metric, source, min(ts) AS lo, max(ts) AS hi
          FROM (SELECT site_id, metric, source, ts FROM pg_temp.et_counter_work
                UNION ALL
                SELECT site_id, metric, old_source, ts FROM pg_temp.et_counter_work
                WHERE kind = 'corr' AND old_source <> source) t
          GROUP BY 1, 2, 3) s,
    LATERAL (
        (SELECT r.ts, r.counter_value, r.counter_rollover, r.value, r.counter_step, 'anchor' AS kind
         FROM reading r
         WHERE r.counter AND r.site_id = s.site_id AND r.metric = s.metric AND r.source = s.source
           AND r.ts < s.lo AND r.counter_value IS NOT NULL
         ORDER BY r.ts DESC LIMIT 1)
        UNION ALL
        (SELECT r.ts, r.counter_value, r.counter_rollover, r.value, r.counter_step, 'old'
         FROM reading r
         WHERE r.counter AND r.site_id = s.site_id AND r.metric = s.metric AND r.source = s.source
           AND r.ts >= s.lo AND r.ts <= s.hi AND r.counter_value IS NOT NULL)
        UNION ALL
        (SELECT r.ts, r.counter_value, r.counter_rollover, r.value, r.counter_step, 'old'
         FROM reading r
         WHERE r.counter AND r.site_id = s.site_id AND r.metric = s.metric AND r.source = s.source
           AND r.ts > s.hi AND r.counter_value IS NOT NULL
         ORDER BY r.ts LIMIT 1)) x
    WHERE NOT EXISTS (SELECT 1 FROM pg_temp.et_counter_work w
                      WHERE w.site_id = s.site_id AND w.metric = s.metric AND w.source = s.source
                        AND w.ts = x.ts AND w.kind IN ('new', 'corr'));

    -- 3. deltas, each from the reading before it in its series
    UPDATE pg_temp.et_counter_work w SET delta = d.delta, step = d.step
    FROM (SELECT site_id, metric, ts, source, total, rollover,
                 lag(total) OVER k AS p_total, lag(ts) OVER k AS p_ts, lag(rollover) OVER k AS p_ro
          FROM pg_temp.et_counter_work
          WINDOW k AS (PARTITION BY site_id, metric, source ORDER BY ts)) x,
         LATERAL counter_span(x.site_id, x.metric, x.p_total, x.p_ts, x.p_ro, x.total, x.ts,
                              x.rollover, mode) d
    WHERE w.kind <> 'anchor' AND w.site_id = x.site_id AND w.metric = x.metric AND w.ts = x.ts
      AND w.source = x.source;

    -- 3b. a series that keeps bouncing (a total below the one before it,
    --     then one above that again: two meters, or two publishers, on one
    --     counter, each drop counted as a reset or a near-full wrap) twice in
    --     its last 8 totals is held: its new readings count 0 until an
    --     operator deletes its counter_hold row. A real reset or
    --     rollover starts low and climbs; it does not jump back above.
    INSERT INTO counter_hold (site_id, metric, source, reason)
    SELECT k.site_id, k.metric, k.source,
           format('%s times in its last %s totals one fell and the next rose above the one before (two meters on one counter?)', k.bounces, k.n)
    FROM (SELECT s.site_id, s.metric, s.source, count(*) AS n,
                 count(*) FILTER (WHERE x.total > x.p2 AND x.p1 < x.p2) AS bounces
          FROM (SELECT DISTINCT site_id, metric, source FROM pg_temp.et_counter_work
                WHERE kind IN ('new', 'corr')) s,
          LATERAL (SELECT t.total, lag(t.total) OVER o AS p1, lag(t.total, 2) OVER o AS p2
                   FROM (SELECT w.ts, w.total FROM pg_temp.et_counter_work w
                         WHERE w.site_id = s.site_id AND w.metric = s.metric AND w.source = s.source
                           AND w.kind IN ('new', 'corr', 'old', 'anchor')
                         UNION ALL
                         (SELECT r.ts, r.counter_value FROM reading r
                          WHERE r.counter AND r.site_id = s.site_id AND r.metric = s.metric
                            AND r.source = s.source AND r.counter_value IS NOT NULL
                            AND NOT EXISTS (SELECT 1 FROM pg_temp.et_counter_work w
                                            WHERE w.site_id = s.site_id AND w.metric = s.metric
                                              AND w.source = s.source AND w.ts = r.ts)
                          ORDER BY r.ts DESC LIMIT 8)
                         ORDER BY 1 DESC LIMIT 8) t
                   WINDOW o AS (ORDER BY t.ts)) x
          GROUP BY 1, 2, 3) k
    WHERE k.bounces >= 2
    ON CONFLICT DO NOTHING;
    UPDATE pg_temp.et_counter_work w SET delta = 0, step = 'held'
    FROM counter_hold h
    WHERE w.kind IN ('new', 'corr') AND h.site_id = w.site_id AND h.metric = w.metric
      AND h.source = w.source;

    -- 4. written
    INSERT INTO reading (site_id, metric, ts, value, unit_in, value_in, seq, source, counter,
                         received_at, counter_value, counter_rollover, counter_step)
    SELECT site_id, metric, ts, delta, unit_in, value_in, seq, source, true, received_at, total,
           rollover, step
    FROM pg_temp.et_counter_work WHERE kind = 'new'
    ORDER BY site_id, metric, ts;
    GET DIAGNOSTICS inserted = ROW_COUNT;

    UPDATE reading r SET prev_value = r.value, value = w.delta, unit_in = w.unit_in,
           value_in = w.value_in, seq = w.seq, source = w.source, counter = true,
           received_at = w.received_at, counter_value = w.total, counter_rollover = w.rollover,
           counter_step = w.step, corrections = r.corrections + 1
    FROM pg_temp.et_counter_work w
    WHERE w.kind = 'corr' AND r.site_id = w.site_id AND r.metric = w.metric
      AND r.source = w.source AND r.ts = w.ts;
    GET DIAGNOSTICS corrected = ROW_COUNT;
    INSERT INTO reading_correction (site_id, metric, source, ts, old_value, new_value, new_unit_in,
                                    new_value_in)
    SELECT site_id, metric, source, ts, old_value, delta, unit_in, value_in
    FROM pg_temp.et_counter_work WHERE kind = 'corr';

    UPDATE reading r SET value = w.delta, counter_step = w.step
    FROM pg_temp.et_counter_work w
    WHERE w.kind = 'old' AND (w.delta IS DISTINCT FROM w.old_value OR w.step IS DISTINCT FROM w.old_step)
      AND r.site_id = w.site_id AND r.metric = w.metric AND r.source = w.source AND r.ts = w.ts;
END $$;
COMMENT ON FUNCTION counter_apply() IS
    'Applies the counter rows staged in pg_temp.et_stage_reading as deltas (called by ingest_apply) and removes them from it: new ones inserted, changed totals corrected, the readings after them re-derived; returns staged, inserted, duplicates and corrected counter rows.';
REVOKE ALL ON FUNCTION counter_apply() FROM PUBLIC;
