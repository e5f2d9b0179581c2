-- SPDX-License-Identifier: MIT
-- enertrack migration 009: totaliser meters (counters).
--
-- A reading with counter = true carries a running total. The write path
-- stores it as a delta: this total minus the previous total of the same
-- (site, metric, source) in ts order, so that targets and reading_hourly add
-- counter readings up like any flow reading.
--   reading.value            the delta, canonical unit;
--   reading.value_in         the total as sent, in unit_in;
--   reading.counter_value    the total, canonical unit (what the next
--                            reading's delta is taken from);
--   reading.counter_rollover where the meter wraps, canonical (NULL: none);
--   reading.counter_step     how the delta was taken (below).
-- "Previous" is always the previous counter reading in `reading` itself,
-- never reading_hourly: an hour that was rolled up already holds the sum of
-- the deltas as they were, and when a late reading splits an interval the
-- next reading's delta is changed by an UPDATE of reading, whose statement
-- trigger (004) recomputes that hour. The year's total does not move, only
-- where it falls.
--
-- Deltas never go negative:
--   total >= previous                    delta = total - previous
--   total < previous, rollover declared  delta = total + rollover - previous (a rollover)
--   otherwise a reset: [ingest] counter_reset = restart  delta = total (a new epoch from 0)
--                                            hold     delta = 0
-- The first reading of a series has no previous: its delta is 0, it is the
-- counter's baseline (counter_step 'first'). A replacement of the meter
-- (counter_replacement) at `at` splits the interval that spans it: the old
-- meter's part (its final value - previous) plus the new one's (total - its
-- initial value).
--
-- The common path (no counter in the batch) is unchanged: the daemon tells
-- ingest_apply whether the batch holds any counter reading, and the counter
-- rows, which are rare, are taken out of the staging table and applied by
-- counter_apply() (a few set-based statements per batch) before the rest.

-- 1. Columns and the index that finds a series' previous and next readings.
ALTER TABLE reading ADD COLUMN counter_value double precision,
                    ADD COLUMN counter_rollover double precision,
                    ADD COLUMN counter_step text;
COMMENT ON COLUMN reading.counter IS 'true: a totaliser reading; value is the delta since the previous reading of the same site, metric and source (see counter_value).';
COMMENT ON COLUMN reading.counter_value IS 'Counter readings: the running total as sent, in the canonical unit (value_in is the same in unit_in); NULL otherwise.';
COMMENT ON COLUMN reading.counter_rollover IS 'Counter readings: where the meter wraps, canonical unit, as the reading declared it; NULL: none.';
COMMENT ON COLUMN reading.counter_step IS 'Counter readings: how value was derived: NULL (the total minus the previous one), first (no previous: 0), rollover, reset, replaced (across a counter_replacement).';
CREATE INDEX reading_counter ON reading (site_id, metric, source, ts) WHERE counter;

-- 2. Meter replacements, declared by an operator.
CREATE TABLE counter_replacement (
    site_id      text NOT NULL,
    metric       text NOT NULL,
    at           timestamptz NOT NULL,
    old_final    double precision NOT NULL CHECK (old_final >= 0),
    new_initial  double precision NOT NULL CHECK (new_initial >= 0),
    note         text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (site_id, metric, at)
);
COMMENT ON TABLE counter_replacement IS 'A totaliser replaced: readings before at are the old meter''s, from at on the new one''s. Inserting, changing or deleting a row recomputes the delta of the first counter reading at or after at (of each source).';
COMMENT ON COLUMN counter_replacement.site_id IS 'The site.';
COMMENT ON COLUMN counter_replacement.metric IS 'The metric.';
COMMENT ON COLUMN counter_replacement.at IS 'When the meter was replaced: a reading with ts >= at is the new meter''s.';
COMMENT ON COLUMN counter_replacement.old_final IS 'The old meter''s last total, in the metric''s canonical unit.';
COMMENT ON COLUMN counter_replacement.new_initial IS 'The new meter''s first total (often 0), canonical unit.';
COMMENT ON COLUMN counter_replacement.note IS 'Free text (who, why).';
COMMENT ON COLUMN counter_replacement.created_at IS 'When the row was written.';

-- 3. The reset mode: [ingest] counter_reset. enertrackd stores it here on
-- each connection and sets it for its session; another session (psql
-- declaring a replacement) uses the stored one unless it sets its own
-- enertrack.counter_reset.
CREATE TABLE counter_setting (
    id          boolean PRIMARY KEY DEFAULT true CHECK (id),
    reset       text NOT NULL DEFAULT 'restart' CHECK (reset IN ('restart', 'hold')),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO counter_setting DEFAULT VALUES;
COMMENT ON TABLE counter_setting IS 'One row: the [ingest] counter_reset enertrackd runs with, stored when it connects.';
COMMENT ON COLUMN counter_setting.id IS 'Always true: one row.';
COMMENT ON COLUMN counter_setting.reset IS 'restart (a reset counts the new total) or hold (a reset counts 0).';
COMMENT ON COLUMN counter_setting.updated_at IS 'When enertrackd last changed it.';

CREATE FUNCTION counter_reset_mode() RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, public AS $$
    SELECT coalesce(nullif(current_setting('enertrack.counter_reset', true), ''),
                    (SELECT reset FROM counter_setting), 'restart')
$$;
COMMENT ON FUNCTION counter_reset_mode() IS
    'restart or hold: this session''s enertrack.counter_reset if set, else the one enertrackd stored in counter_setting.';

CREATE FUNCTION counter_reset_use(mode text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF mode NOT IN ('restart', 'hold') THEN
        RAISE EXCEPTION 'counter_reset must be restart or hold, not %', mode
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM set_config('enertrack.counter_reset', mode, false);
    UPDATE counter_setting SET reset = mode, updated_at = now() WHERE reset <> mode;
    RETURN mode;
END $$;
COMMENT ON FUNCTION counter_reset_use(text) IS
    'enertrackd calls it on each connection with [ingest] counter_reset: sets it for the session and stores it in counter_setting.';

-- 4. Deltas.

-- One stretch of one meter, from total prev to total cur.
CREATE FUNCTION counter_step(prev double precision, cur double precision, rollover double precision,
                             mode text, OUT delta double precision, OUT step text)
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF cur >= prev THEN
        delta := cur - prev;
    ELSIF rollover IS NOT NULL AND cur + rollover >= prev THEN
        delta := cur + rollover - prev; step := 'rollover';
    ELSIF mode = 'hold' THEN
        delta := 0; step := 'reset';
    ELSE
        delta := cur; step := 'reset';
    END IF;
END $$;
COMMENT ON FUNCTION counter_step(double precision, double precision, double precision, text) IS
    'The delta of a totaliser from total prev to total cur: the difference, or across a rollover, or a reset (mode restart: cur; hold: 0); never negative.';

-- The delta of a counter reading (total cur at ts, rollover ro) after the
-- previous one of its series (total prev at prev_ts, rollover prev_ro; NULL:
-- none), across the replacements of (site, metric) in (prev_ts, ts].
CREATE FUNCTION counter_span(p_site text, p_metric text, prev double precision,
                             prev_ts timestamptz, prev_ro double precision,
                             cur double precision, p_ts timestamptz, ro double precision, mode text,
                             OUT delta double precision, OUT step text)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, public AS $$
DECLARE
    rp record; part record;
    v double precision := prev; r double precision := prev_ro; replaced boolean := false;
BEGIN
    IF prev IS NULL THEN
        delta := 0; step := 'first';
        RETURN;
    END IF;
    delta := 0;
    FOR rp IN SELECT c.old_final, c.new_initial FROM counter_replacement c
              WHERE c.site_id = p_site AND c.metric = p_metric AND c.at > prev_ts AND c.at <= p_ts
              ORDER BY c.at LOOP
        part := counter_step(v, rp.old_final, r, mode);
        delta := delta + part.delta; step := coalesce(part.step, step);
        v := rp.new_initial; r := ro; replaced := true;
    END LOOP;
    part := counter_step(v, cur, ro, mode);
    delta := delta + part.delta; step := coalesce(part.step, step);
    IF replaced AND step IS NULL THEN
        step := 'replaced';
    END IF;
END $$;
COMMENT ON FUNCTION counter_span(text, text, double precision, timestamptz, double precision, double precision, timestamptz, double precision, text) IS
    'The delta of a counter reading (total cur at ts) after the previous total prev at prev_ts (NULL: none, delta 0, step first), across the counter_replacement rows in between, with the reset mode given.';

-- The delta of the counter reading of (site, metric, source) at ts whose
-- total is cur, from the previous counter reading in reading.
CREATE FUNCTION counter_delta(p_site text, p_metric text, p_source text, p_ts timestamptz,
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
END $$;
COMMENT ON FUNCTION counter_delta(text, text, text, timestamptz, double precision, double precision) IS
    'The delta of a counter reading (total cur, canonical) at ts: from the previous counter reading of the same site, metric and source, across any counter_replacement in between; 0 (step first) when there is none.';

-- Recomputes the first counter reading of the series after ts (or at ts
-- too, with inclusive) and writes its delta if it changed. The UPDATE goes
-- through reading's triggers, so reading_hourly follows.
CREATE FUNCTION counter_refresh_next(p_site text, p_metric text, p_source text, p_ts timestamptz,
                                     inclusive boolean DEFAULT false) RETURNS boolean
LANGUAGE plpgsql SET search_path = pg_catalog, public SET jit = off AS $$
DECLARE
    nx record; d record;
BEGIN
    SELECT r.ts, r.value, r.counter_value, r.counter_rollover, r.counter_step INTO nx FROM reading r
    WHERE r.counter AND r.site_id = p_site AND r.metric = p_metric AND r.source = p_source
      AND (r.ts > p_ts OR (inclusive AND r.ts = p_ts)) AND r.counter_value IS NOT NULL
    ORDER BY r.ts LIMIT 1;
    IF NOT FOUND THEN
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
    'Recomputes the delta of the first counter reading of (site, metric, source) after ts (at or after, with inclusive) and updates it if it changed; returns whether it did.';

-- The canonical value of 1 unit_in for metric (1 for a metric that is not
-- canonical, which is stored as it comes).
CREATE FUNCTION counter_factor(p_metric text, p_unit text) RETURNS double precision
LANGUAGE sql STABLE SET search_path = pg_catalog, public AS $$
    SELECT coalesce((SELECT u.factor FROM metric m JOIN unit u ON u.dim = m.dim
                     WHERE m.name = p_metric AND u.name = p_unit), 1)
$$;
COMMENT ON FUNCTION counter_factor(text, text) IS
    'Canonical value of one unit_in of the metric (1 when the metric is not canonical): converts a declared rollover.';

-- Applies the counter rows of the staged batch and takes them out of the
-- staging table, a few statements per batch whatever its size:
--   1. the batch's last row of each key (in arrival order) goes into a work
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
CREATE FUNCTION counter_apply(OUT staged bigint, OUT inserted bigint, OUT duplicates bigint,
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
    SELECT DISTINCT ON (site_id, metric, ts) site_id, metric, coalesce(source, ''), ts, value,
           CASE WHEN rollover > 0 THEN rollover * counter_factor(metric, unit_in) END,
           unit_in, value_in, seq, received_at, 'new'
    FROM pg_temp.et_stage_reading WHERE counter
    ORDER BY site_id, metric, ts, n DESC;
    GET DIAGNOSTICS keys = ROW_COUNT;
    SELECT count(*) INTO staged FROM pg_temp.et_stage_reading WHERE counter;
    DELETE FROM pg_temp.et_stage_reading WHERE counter;

    UPDATE pg_temp.et_counter_work w SET
        kind = CASE WHEN r.counter AND r.counter_value = w.total AND r.source = w.source
                         AND r.counter_rollover IS NOT DISTINCT FROM w.rollover
                    THEN 'dup' ELSE 'corr' END,
        old_value = r.value, old_source = r.source
    FROM reading r
    WHERE r.site_id = w.site_id AND r.metric = w.metric AND r.ts = w.ts;
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
                      WHERE w.site_id = s.site_id AND w.metric = s.metric AND w.ts = x.ts
                        AND w.kind IN ('new', 'corr'));

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
    WHERE w.kind = 'corr' AND r.site_id = w.site_id AND r.metric = w.metric AND r.ts = w.ts;
    GET DIAGNOSTICS corrected = ROW_COUNT;
    INSERT INTO reading_correction (site_id, metric, ts, old_value, new_value, new_unit_in,
                                    new_value_in)
    SELECT site_id, metric, ts, old_value, delta, unit_in, value_in
    FROM pg_temp.et_counter_work WHERE kind = 'corr';

    UPDATE reading r SET value = w.delta, counter_step = w.step
    FROM pg_temp.et_counter_work w
    WHERE w.kind = 'old' AND (w.delta IS DISTINCT FROM w.old_value OR w.step IS DISTINCT FROM w.old_step)
      AND r.site_id = w.site_id AND r.metric = w.metric AND r.ts = w.ts;
END $$;
COMMENT ON FUNCTION counter_apply() IS
    'Applies the counter rows staged in pg_temp.et_stage_reading as deltas (called by ingest_apply) and removes them from it: new ones inserted, changed totals corrected, the readings after them re-derived; returns staged, inserted, duplicates and corrected counter rows.';

-- A replacement declared, moved or withdrawn: the first counter reading at or
-- after its time, of each source, gets its delta again.
CREATE FUNCTION counter_replacement_follow() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    k record; src text;
BEGIN
    FOR k IN SELECT NEW.site_id AS site_id, NEW.metric AS metric, NEW.at AS at
             WHERE TG_OP <> 'DELETE'
             UNION
             SELECT OLD.site_id, OLD.metric, OLD.at WHERE TG_OP <> 'INSERT' LOOP
        FOR src IN SELECT DISTINCT r.source FROM reading r
                   WHERE r.counter AND r.site_id = k.site_id AND r.metric = k.metric LOOP
            PERFORM counter_refresh_next(k.site_id, k.metric, src, k.at, true);
        END LOOP;
    END LOOP;
    RETURN NULL;
END $$;
COMMENT ON FUNCTION counter_replacement_follow() IS
    'Trigger on counter_replacement: recomputes the delta of the first counter reading at or after the replacement (the old and the new time on an UPDATE).';
CREATE TRIGGER counter_replacement_follow AFTER INSERT OR UPDATE OR DELETE ON counter_replacement
    FOR EACH ROW EXECUTE FUNCTION counter_replacement_follow();

-- 5. Resets, rollovers and replacements, for operators.
CREATE VIEW counter_event AS
SELECT r.site_id, r.metric, r.source, r.ts AS at, r.counter_step AS kind,
       p.counter_value AS previous, r.counter_value AS total, r.counter_rollover AS rollover,
       r.value AS delta
FROM reading r
LEFT JOIN LATERAL (
    SELECT q.counter_value FROM reading q
    WHERE q.counter AND q.site_id = r.site_id AND q.metric = r.metric AND q.source = r.source
      AND q.ts < r.ts
    ORDER BY q.ts DESC LIMIT 1) p ON true
WHERE r.counter AND r.counter_step IN ('rollover', 'reset')
UNION ALL
SELECT c.site_id, c.metric, NULL, c.at, 'replacement', c.old_final, c.new_initial, NULL, NULL
FROM counter_replacement c;
COMMENT ON VIEW counter_event IS 'Every reset and rollover of a totaliser (from reading) and every declared meter replacement (from counter_replacement), with the totals around it and the delta counted.';
COMMENT ON COLUMN counter_event.site_id IS 'The site.';
COMMENT ON COLUMN counter_event.metric IS 'The metric.';
COMMENT ON COLUMN counter_event.source IS 'reading.source ('''' when none); NULL for a replacement (all sources).';
COMMENT ON COLUMN counter_event.at IS 'The reading''s ts, or the replacement''s time.';
COMMENT ON COLUMN counter_event.kind IS 'rollover, reset or replacement.';
COMMENT ON COLUMN counter_event.previous IS 'The previous reading''s total (replacement: the old meter''s final total), canonical unit.';
COMMENT ON COLUMN counter_event.total IS 'The reading''s total (replacement: the new meter''s initial total), canonical unit.';
COMMENT ON COLUMN counter_event.rollover IS 'The declared rollover, canonical unit; NULL: none.';
COMMENT ON COLUMN counter_event.delta IS 'What the reading counts (reading.value); NULL for a replacement.';

-- 6. Counter readings written before this migration held the total in
-- value: keep it in counter_value and derive the deltas.
UPDATE reading SET counter_value = value WHERE counter AND counter_value IS NULL;
UPDATE reading r SET (value, counter_step) =
    (SELECT d.delta, d.step FROM counter_delta(r.site_id, r.metric, r.source, r.ts, r.counter_value, NULL) d)
WHERE r.counter;

-- 7. The write path: the staging table gets rollover (as sent, in unit_in),
-- ingest_apply the counter rows.
CREATE OR REPLACE FUNCTION ingest_prepare() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF to_regclass('pg_temp.et_stage_reading') IS NULL THEN
        -- columns: ET_COPY_READING_COLUMNS (include/enertrack/copyenc.h), then chg
        CREATE TEMP TABLE et_stage_reading (
            n            integer,
            site_id      text,
            kind         text,
            county       text,
            name         text,
            metric       text,
            ts           timestamptz,
            value        double precision,
            unit_in      text,
            value_in     double precision,
            seq          bigint,
            source       text,
            counter      boolean,
            received_at  timestamptz,
            rollover     double precision,
            chg          integer NOT NULL DEFAULT 0
        ) ON COMMIT DELETE ROWS;
        -- owned by this function's owner, visible to this session only
        GRANT INSERT ON pg_temp.et_stage_reading TO enertrack_ingest;
    ELSIF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'pg_temp.et_stage_reading'::regclass
                      AND attname = 'rollover' AND NOT attisdropped) THEN
        -- a session that prepared before migration 009
        ALTER TABLE pg_temp.et_stage_reading ADD COLUMN rollover double precision;
    END IF;
END $$;

DROP FUNCTION ingest_apply(boolean, boolean);
-- As in 004, with counters: the batch may hold counter readings (enertrackd
-- knows, and says false for the common batch without any, which then costs
-- nothing more than before); they are applied by counter_apply() first.
CREATE FUNCTION ingest_apply(try_insert boolean DEFAULT true, may_repeat boolean DEFAULT true,
                             counters boolean DEFAULT true,
                             OUT staged bigint, OUT inserted bigint, OUT duplicates bigint,
                             OUT corrected bigint, OUT sites bigint, OUT fast boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    intra bigint := 0;
    c_staged bigint := 0; c_inserted bigint := 0; c_duplicates bigint := 0; c_corrected bigint := 0;
BEGIN
    staged := 0; inserted := 0; corrected := 0; duplicates := 0; fast := false;

    -- sites register on their first reading; county and name follow the latest
    WITH s AS (
        INSERT INTO site AS x (id, kind, county, name)
        SELECT DISTINCT ON (site_id) site_id, kind, county, name
        FROM pg_temp.et_stage_reading ORDER BY site_id, n DESC
        ON CONFLICT (id) DO UPDATE SET county = coalesce(EXCLUDED.county, x.county),
                                       name = coalesce(EXCLUDED.name, x.name)
        WHERE (EXCLUDED.county IS NOT NULL AND EXCLUDED.county IS DISTINCT FROM x.county)
           OR (EXCLUDED.name IS NOT NULL AND EXCLUDED.name IS DISTINCT FROM x.name)
        RETURNING 1)
    SELECT count(*) INTO sites FROM s;

    IF counters AND EXISTS (SELECT 1 FROM pg_temp.et_stage_reading WHERE counter) THEN
        SELECT * INTO c_staged, c_inserted, c_duplicates, c_corrected FROM counter_apply();
    END IF;

    IF try_insert AND NOT may_repeat THEN
        BEGIN
            INSERT INTO reading (site_id, metric, ts, value, unit_in, value_in, seq, source,
                                 counter, received_at)
            SELECT site_id, metric, ts, value, unit_in, value_in, seq, coalesce(source, ''),
                   counter, received_at
            FROM pg_temp.et_stage_reading;
            GET DIAGNOSTICS inserted = ROW_COUNT;
            staged := inserted + c_staged;
            duplicates := c_duplicates;
            corrected := c_corrected;
            inserted := inserted + c_inserted;
            fast := true;
            RETURN;
        EXCEPTION WHEN unique_violation THEN
            inserted := 0; -- some are there already: the upsert below
        END;
    END IF;

    IF may_repeat THEN
        -- Collapse repeated keys onto their last row, which carries how many
        -- times the value changed on the way (chg); each change is a correction.
        WITH w AS (
            SELECT n, site_id, metric, ts, value, unit_in, value_in,
                   lag(value) OVER k AS prev_v, lead(n) OVER k AS next_n
            FROM pg_temp.et_stage_reading
            WINDOW k AS (PARTITION BY site_id, metric, ts ORDER BY n)
        ), c AS (
            INSERT INTO reading_correction (site_id, metric, ts, old_value, new_value, new_unit_in,
                                            new_value_in)
            SELECT site_id, metric, ts, prev_v, value, unit_in, value_in FROM w
            WHERE prev_v IS NOT NULL AND prev_v IS DISTINCT FROM value
            RETURNING site_id, metric, ts
        ), per_key AS (
            SELECT site_id, metric, ts, count(*) AS k FROM c GROUP BY 1, 2, 3
        ), superseded AS (
            DELETE FROM pg_temp.et_stage_reading s USING w
            WHERE s.n = w.n AND w.next_n IS NOT NULL
        ), last_row AS (
            UPDATE pg_temp.et_stage_reading s SET chg = p.k FROM w, per_key p
            WHERE s.n = w.n AND w.next_n IS NULL
              AND p.site_id = w.site_id AND p.metric = w.metric AND p.ts = w.ts
        )
        SELECT (SELECT count(*) FROM w), coalesce((SELECT sum(k) FROM per_key), 0)
          INTO staged, intra;
    END IF;

    -- fresh: inserted (prev_value stays NULL); otherwise the update set it
    -- to the old value, which is never NULL
    WITH i AS (
        INSERT INTO reading AS r (site_id, metric, ts, value, unit_in, value_in, seq, source,
                                 counter, received_at, corrections)
        SELECT site_id, metric, ts, value, unit_in, value_in, seq, coalesce(source, ''), counter,
               received_at, chg
        FROM pg_temp.et_stage_reading
        ON CONFLICT (site_id, metric, ts) DO UPDATE SET prev_value = r.value,
            value = EXCLUDED.value, unit_in = EXCLUDED.unit_in, value_in = EXCLUDED.value_in,
            seq = EXCLUDED.seq, source = EXCLUDED.source, counter = EXCLUDED.counter,
            received_at = EXCLUDED.received_at,
            corrections = r.corrections + 1 + EXCLUDED.corrections
        WHERE r.value IS DISTINCT FROM EXCLUDED.value
        RETURNING site_id, metric, ts, prev_value, value, unit_in, value_in,
                  prev_value IS NULL AS fresh
    ), c AS (
        INSERT INTO reading_correction (site_id, metric, ts, old_value, new_value, new_unit_in,
                                        new_value_in)
        SELECT site_id, metric, ts, prev_value, value, unit_in, value_in FROM i WHERE NOT fresh
        RETURNING 1
    )
    SELECT count(*) FILTER (WHERE fresh), (SELECT count(*) FROM c),
           CASE WHEN may_repeat THEN staged ELSE (SELECT count(*) FROM pg_temp.et_stage_reading) END
      INTO inserted, corrected, staged
      FROM i;
    corrected := corrected + intra;
    duplicates := staged - inserted - corrected;
    staged := staged + c_staged;
    inserted := inserted + c_inserted;
    duplicates := duplicates + c_duplicates;
    corrected := corrected + c_corrected;
END $$;
COMMENT ON FUNCTION ingest_apply(boolean, boolean, boolean) IS
    'Applies the batch staged in pg_temp.et_stage_reading (see ingest_prepare): registers sites, inserts new readings, applies changed values as corrections (recorded in reading_correction), ignores duplicates; counter readings become deltas (counter_apply). try_insert: a plain INSERT first, the upsert if a row exists; may_repeat: a key may repeat within the batch (the last row wins); counters: the batch may hold counter readings (false skips looking). Returns staged rows, inserted, duplicates, corrected, sites added or changed, and whether the plain INSERT did it.';

-- 8. Privileges: as in 004, the daemon writes through the functions only.
REVOKE ALL ON FUNCTION ingest_apply(boolean, boolean, boolean), counter_reset_use(text),
    counter_apply(), counter_refresh_next(text, text, text, timestamptz, boolean),
    counter_span(text, text, double precision, timestamptz, double precision, double precision, timestamptz, double precision, text),
    counter_replacement_follow() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ingest_apply(boolean, boolean, boolean), counter_reset_use(text)
    TO enertrack_ingest;
