-- SPDX-License-Identifier: MIT
-- The write path's one call per batch: enertrackd COPYs the batch into the
-- staging table (ingest_prepare) and calls this in the same transaction.
-- Sites register on their first reading; counter readings, when the batch
-- holds any (enertrackd knows, and says false for the common batch without
-- any, which then costs nothing more), are applied by counter_apply()
-- first; the rest go in by a plain INSERT when the batch is new
-- (try_insert), else as upserts that count duplicates and record
-- corrections (may_repeat: a key may repeat within the batch). The key is
-- (site_id, metric, source, ts): solar and wind of one site at one instant
-- are two readings.
CREATE OR REPLACE FUNCTION ingest_apply(try_insert boolean DEFAULT true, may_repeat boolean DEFAULT true,
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
        INSERT INTO site AS x (site_id, kind, county, name)
        SELECT DISTINCT ON (site_id) site_id, kind, county, name
        FROM pg_temp.et_stage_reading ORDER BY site_id, n DESC
        ON CONFLICT (site_id) DO UPDATE SET county = coalesce(EXCLUDED.county, x.county),
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
                                 counter, received_at, covers_from)
            SELECT site_id, metric, ts, value, unit_in, value_in, seq, coalesce(source, ''),
                   counter, received_at, covers_from
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
            SELECT n, site_id, metric, coalesce(source, '') AS source, ts, value, unit_in, value_in,
                   lag(value) OVER k AS prev_v, lead(n) OVER k AS next_n
            FROM pg_temp.et_stage_reading
            WINDOW k AS (PARTITION BY site_id, metric, coalesce(source, ''), ts ORDER BY n)
        ), c AS (
            INSERT INTO reading_correction (site_id, metric, source, ts, old_value, new_value,
                                            new_unit_in, new_value_in)
            SELECT site_id, metric, source, ts, prev_v, value, unit_in, value_in FROM w
            WHERE prev_v IS NOT NULL AND prev_v IS DISTINCT FROM value
            RETURNING site_id, metric, source, ts
        ), per_key AS (
            SELECT site_id, metric, source, ts, count(*) AS k FROM c GROUP BY 1, 2, 3, 4
        ), superseded AS (
            DELETE FROM pg_temp.et_stage_reading s USING w
            WHERE s.n = w.n AND w.next_n IS NOT NULL
        ), last_row AS (
            UPDATE pg_temp.et_stage_reading s SET chg = p.k FROM w, per_key p
            WHERE s.n = w.n AND w.next_n IS NULL
              AND p.site_id = w.site_id AND p.metric = w.metric AND p.source = w.source
              AND p.ts = w.ts
        )
        SELECT (SELECT count(*) FROM w), coalesce((SELECT sum(k) FROM per_key), 0)
          INTO staged, intra;
    END IF;

    -- fresh: inserted (prev_value stays NULL); otherwise the update set it
    -- to the old value, which is never NULL
    WITH i AS (
        INSERT INTO reading AS r (site_id, metric, ts, value, unit_in, value_in, seq, source,
                                 counter, received_at, corrections, covers_from)
        SELECT site_id, metric, ts, value, unit_in, value_in, seq, coalesce(source, ''), counter,
               received_at, chg, covers_from
        FROM pg_temp.et_stage_reading
        ON CONFLICT (site_id, metric, source, ts) DO UPDATE SET prev_value = r.value,
            value = EXCLUDED.value, unit_in = EXCLUDED.unit_in, value_in = EXCLUDED.value_in,
            seq = EXCLUDED.seq, counter = EXCLUDED.counter, covers_from = EXCLUDED.covers_from,
            received_at = EXCLUDED.received_at,
            corrections = r.corrections + 1 + EXCLUDED.corrections
        WHERE r.value IS DISTINCT FROM EXCLUDED.value
        RETURNING site_id, metric, source, ts, prev_value, value, unit_in, value_in,
                  prev_value IS NULL AS fresh
    ), c AS (
        INSERT INTO reading_correction (site_id, metric, source, ts, old_value, new_value,
                                        new_unit_in, new_value_in)
        SELECT site_id, metric, source, ts, prev_value, value, unit_in, value_in FROM i WHERE NOT fresh
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
REVOKE ALL ON FUNCTION ingest_apply(boolean,boolean,boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ingest_apply(boolean,boolean,boolean) TO enertrack_ingest;
