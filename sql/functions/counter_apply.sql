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
    jitter double precision := counter_jitter();
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

    -- 3a. a rise counts from the highest total since the series last
    --     started (the anchor, its first reading, a reset, a rollover, a
    --     replacement, a held reading), not from a jitter's lower total:
    --     100, 99.5, 101 counts 1, not 1.5. The anchor's mark comes from the
    --     readings before it (counter_mark).
    --     Only a batch with jitter in it, or after it (an anchor that is
    --     jitter or counted 0), can have a mark above a total before a rise.
    IF EXISTS (SELECT 1 FROM pg_temp.et_counter_work
               WHERE (kind <> 'anchor' AND step = 'jitter')
                  OR (kind = 'anchor' AND (old_step = 'jitter' OR (old_step IS NULL AND old_value = 0)))) THEN
        UPDATE pg_temp.et_counter_work w SET delta = greatest(x.total - x.mark, 0)
        FROM (SELECT y.site_id, y.metric, y.source, y.ts, y.total, lag(y.high) OVER k AS mark,
                     lag(y.total) OVER k AS prev
              FROM (SELECT z.*, max(z.top) OVER (PARTITION BY z.site_id, z.metric, z.source, z.seg
                                                 ORDER BY z.ts) AS high
                    FROM (SELECT v.site_id, v.metric, v.source, v.ts, v.total,
                                 count(*) FILTER (WHERE v.kind = 'anchor'
                                                     OR v.step IN ('first', 'reset', 'rollover', 'replaced')
                                                     OR (v.kind = 'old' AND v.old_step = 'held'))
                                     OVER (PARTITION BY v.site_id, v.metric, v.source ORDER BY v.ts) AS seg,
                                 CASE WHEN v.kind = 'anchor'
                                           AND (v.old_step = 'jitter' OR (v.old_step IS NULL AND v.old_value = 0))
                                      THEN coalesce(counter_mark(v.site_id, v.metric, v.source, v.ts), v.total)
                                      ELSE v.total END AS top
                          FROM pg_temp.et_counter_work v) z) y
              WINDOW k AS (PARTITION BY y.site_id, y.metric, y.source ORDER BY y.ts)) x
        WHERE w.kind <> 'anchor' AND w.step IS NULL AND x.mark > x.prev
          AND w.site_id = x.site_id AND w.metric = x.metric AND w.source = x.source AND w.ts = x.ts;
    END IF;

    -- 3b. Two meters, or two publishers, on one counter: a series that
    --     bounces (a total below the one before it, then one above that
    --     again, each fall counted as a reset or a near-full wrap) twice
    --     within 8 totals is held: a counter_hold row, and its readings count
    --     0 (counter_step held) until an operator deletes the row. A real
    --     reset or rollover starts low and climbs; it does not jump back
    --     above. One bounce alone may be one bad total, so the hold waits for
    --     the second; but then it takes back what the alternation counted
    --     from its first step on (its first fall, or the rise before it
    --     when the second publisher came in above the first; the readings
    --     before were one meter and still count), so that no step of the
    --     alternation is summed.
    --     Readings held before (the operator has since let the series go)
    --     are not looked at again, nor re-counted. A fall of at most
    --     counter_jitter is jitter, not a bounce: a noisy meter is not held.
    IF to_regclass('pg_temp.et_counter_held') IS NULL THEN
        CREATE TEMP TABLE et_counter_held (
            site_id text, metric text, source text, from_ts timestamptz, reason text
        ) ON COMMIT DELETE ROWS;
    END IF;
    TRUNCATE pg_temp.et_counter_held;
    WITH series AS (
        SELECT site_id, metric, source, min(ts) AS lo,
               min(ts) FILTER (WHERE kind IN ('new', 'corr')) AS first_new
        FROM pg_temp.et_counter_work GROUP BY 1, 2, 3
        HAVING count(*) FILTER (WHERE kind IN ('new', 'corr')) > 0)
    INSERT INTO pg_temp.et_counter_held (site_id, metric, source, from_ts, reason)
    SELECT c.site_id, c.metric, c.source, min(c.from_ts),
           format('%s times within 8 totals one fell and the next rose above the one before (two meters on one counter?); held from %s on',
                  max(c.bounces), min(c.from_ts))
    FROM (SELECT b.*, count(*) FILTER (WHERE b.bounce) OVER f AS bounces,
                 min(CASE WHEN b.bounce THEN b.fall_ts END) OVER f AS from_ts
          FROM (SELECT t.*, coalesce(t.total > lag(t.total, 2) OVER o
                                     AND lag(t.total, 2) OVER o - lag(t.total) OVER o > jitter,
                                     false) AS bounce,
                       -- where the alternation began: at the fall, or at the
                       -- rise before it when the fall lands at or above the
                       -- total before that rise (the second publisher came
                       -- in above the first: 50, 1000, 60, 1010)
                       CASE WHEN lag(t.total, 3) OVER o <= lag(t.total) OVER o
                            THEN lag(t.ts, 2) OVER o ELSE lag(t.ts) OVER o END AS fall_ts
                FROM (-- the series' rows in the work table (one hash join, not
                      -- a scan of it per series), and the 7 readings before
                      SELECT w.site_id, w.metric, w.source, s.first_new, w.ts, w.total
                      FROM pg_temp.et_counter_work w
                      JOIN series s ON s.site_id = w.site_id AND s.metric = w.metric
                                   AND s.source = w.source
                      WHERE w.kind IN ('new', 'corr')
                         OR (w.kind IN ('old', 'anchor') AND w.old_step IS DISTINCT FROM 'held')
                      UNION ALL
                      SELECT s.site_id, s.metric, s.source, s.first_new, x.ts, x.total
                      FROM series s,
                      LATERAL (SELECT r.ts, r.counter_value AS total FROM reading r
                               WHERE r.counter AND r.site_id = s.site_id AND r.metric = s.metric
                                 AND r.source = s.source AND r.counter_value IS NOT NULL
                                 AND r.counter_step IS DISTINCT FROM 'held' AND r.ts < s.lo
                               ORDER BY r.ts DESC LIMIT 7) x) t
                WINDOW o AS (PARTITION BY t.site_id, t.metric, t.source ORDER BY t.ts)) b
          WINDOW f AS (PARTITION BY b.site_id, b.metric, b.source ORDER BY b.ts
                       ROWS BETWEEN 5 PRECEDING AND CURRENT ROW)) c
    WHERE c.bounce AND c.bounces >= 2 AND c.ts >= c.first_new
      AND NOT EXISTS (SELECT 1 FROM counter_hold h
                      WHERE h.site_id = c.site_id AND h.metric = c.metric AND h.source = c.source)
    GROUP BY 1, 2, 3;
    INSERT INTO counter_hold (site_id, metric, source, reason)
    SELECT site_id, metric, source, reason FROM pg_temp.et_counter_held
    ON CONFLICT DO NOTHING;
    -- what the alternation counted before it was seen is taken back
    UPDATE reading r SET value = 0, counter_step = 'held'
    FROM pg_temp.et_counter_held n
    WHERE r.counter AND r.site_id = n.site_id AND r.metric = n.metric AND r.source = n.source
      AND r.ts >= n.from_ts AND r.counter_value IS NOT NULL
      AND r.counter_step IS DISTINCT FROM 'held'
      AND NOT EXISTS (SELECT 1 FROM pg_temp.et_counter_work w
                      WHERE w.site_id = r.site_id AND w.metric = r.metric AND w.source = r.source
                        AND w.ts = r.ts AND w.kind IN ('new', 'corr', 'old'));
    -- the batch's readings of a series held before it, those of the stretch
    -- held now (not the honest ones before its first fall), and the
    -- re-derived ones that were held
    UPDATE pg_temp.et_counter_work w SET delta = 0, step = 'held'
    WHERE (w.kind IN ('new', 'corr')
           AND EXISTS (SELECT 1 FROM counter_hold h
                       WHERE h.site_id = w.site_id AND h.metric = w.metric AND h.source = w.source)
           AND NOT EXISTS (SELECT 1 FROM pg_temp.et_counter_held n
                           WHERE n.site_id = w.site_id AND n.metric = w.metric AND n.source = w.source))
       OR (w.kind = 'old' AND w.old_step = 'held')
       OR (w.kind IN ('new', 'corr', 'old')
           AND EXISTS (SELECT 1 FROM pg_temp.et_counter_held n
                       WHERE n.site_id = w.site_id AND n.metric = w.metric AND n.source = w.source
                         AND w.ts >= n.from_ts));

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
