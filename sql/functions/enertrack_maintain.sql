-- SPDX-License-Identifier: MIT
CREATE OR REPLACE FUNCTION enertrack_maintain(at timestamptz DEFAULT now(), ahead_months integer DEFAULT 3,
                                   raw_months integer DEFAULT 36, rollup_months integer DEFAULT 0,
                                   rejected_days integer DEFAULT 90,
                                   corrections_days integer DEFAULT 730)
RETURNS TABLE (action text, object text, n bigint)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
SET lock_timeout = '10s' AS $$
DECLARE
    keep_from timestamptz;  -- targets read this year and the two before
    raw_cut timestamptz;
    roll_cut timestamptz;
    t timestamptz;
    k bigint;
    p record;
    rn bigint; rs double precision; hn bigint; hs double precision;
    en bigint; es double precision;
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('enertrack.maintain')) THEN
        action := 'busy'; object := ''; n := 0; RETURN NEXT;
        RETURN;
    END IF;
    IF raw_months < 1 OR ahead_months < 1 THEN
        RAISE EXCEPTION 'enertrack_maintain: raw_months and ahead_months must be at least 1';
    END IF;
    -- 1 January of the year before last, in any zone: a day early
    keep_from := make_timestamptz(extract(year FROM at AT TIME ZONE 'UTC')::int - 2, 1, 1, 0, 0, 0, 'UTC')
                 - interval '1 day';
    raw_cut := least((reading_month_bounds(at - make_interval(months => raw_months))).lo, keep_from);

    -- 1. the months from the retention window to ahead_months ahead
    t := (reading_month_bounds(raw_cut)).lo;
    WHILE t < at + make_interval(months => ahead_months + 1) LOOP
        k := reading_partition_ensure(t);
        IF k >= 0 THEN
            action := CASE WHEN k > 0 THEN 'moved_from_default' ELSE 'created' END;
            object := (reading_month_bounds(t)).name; n := k; RETURN NEXT;
        END IF;
        t := (reading_month_bounds(t)).hi;
    END LOOP;
    -- 2. rows in the default partition of other months (a late reading, a
    --    clock far off): their own partition when within retention
    FOR t IN SELECT min(d.ts) FROM reading_default d
              GROUP BY (reading_month_bounds(d.ts)).name LOOP
        IF t >= raw_cut THEN
            k := reading_partition_ensure(t);
            action := 'moved_from_default'; object := (reading_month_bounds(t)).name;
            n := greatest(k, 0); RETURN NEXT;
        END IF;
    END LOOP;
    SELECT count(*) INTO k FROM reading_default;
    IF k > 0 THEN
        action := 'left_in_default'; object := 'reading_default'; n := k; RETURN NEXT;
    END IF;

    -- 3. raw months past retention: dropped once the rollup holds them
    FOR p IN SELECT c.relname AS name,
                    (regexp_match(pg_get_expr(c.relpartbound, c.oid),
                                  '^FOR VALUES FROM \(''([^'']*)''\) TO \(''([^'']*)''\)$')) AS b
               FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
              WHERE i.inhparent = 'reading'::regclass AND c.relname ~ '^reading_\d{4}_\d{2}$'
              ORDER BY c.relname LOOP
        CONTINUE WHEN p.b IS NULL OR p.b[2]::timestamptz > raw_cut;
        -- a bucket holds (hour, hour + 1 h]: the hours [b1, b2) hold the
        -- readings of (b1, b2]: the partition's but those at b1 (in the
        -- bucket before, checked with the partition before), and the next
        -- partition's at b2
        EXECUTE format('SELECT count(*), coalesce(sum(value), 0) FROM %I', p.name) INTO rn, rs;
        SELECT rn - count(*) FILTER (WHERE r.ts = p.b[1]::timestamptz)
                  + count(*) FILTER (WHERE r.ts = p.b[2]::timestamptz),
               rs - coalesce(sum(r.value) FILTER (WHERE r.ts = p.b[1]::timestamptz), 0)
                  + coalesce(sum(r.value) FILTER (WHERE r.ts = p.b[2]::timestamptz), 0)
          INTO en, es
          FROM reading r WHERE r.ts IN (p.b[1]::timestamptz, p.b[2]::timestamptz);
        SELECT coalesce(sum(h.n), 0), coalesce(sum(h.value_sum), 0) INTO hn, hs
          FROM reading_hourly h WHERE h.hour >= p.b[1]::timestamptz AND h.hour < p.b[2]::timestamptz;
        IF en <> hn OR abs(es - hs) > 1e-9 * greatest(abs(es), abs(hs), 1) THEN
            -- the buckets [b1, b2) alone: the one before may hold readings
            -- of a partition already dropped
            PERFORM reading_hourly_rebuild(p.b[1]::timestamptz + interval '1 microsecond',
                                           p.b[2]::timestamptz + interval '1 microsecond');
            action := 'rollup_rebuilt'; object := p.name; n := rn; RETURN NEXT;
        END IF;
        EXECUTE format('ALTER TABLE reading DETACH PARTITION %I', p.name);
        EXECUTE format('DROP TABLE %I', p.name);
        action := 'dropped'; object := p.name; n := rn; RETURN NEXT;
    END LOOP;

    -- 4. the rollup, when it has a retention at all: never what targets read
    IF rollup_months > 0 THEN
        roll_cut := least(date_trunc('month', at - make_interval(months => rollup_months), 'UTC'),
                          keep_from);
        DELETE FROM reading_hourly WHERE hour < roll_cut;
        GET DIAGNOSTICS k = ROW_COUNT;
        IF k > 0 THEN
            action := 'rollup_trimmed'; object := 'reading_hourly'; n := k; RETURN NEXT;
        END IF;
    END IF;

    -- 5. rejected messages and the corrections log
    IF rejected_days > 0 THEN
        DELETE FROM rejected_message WHERE received_at < at - make_interval(days => rejected_days);
        GET DIAGNOSTICS k = ROW_COUNT;
        IF k > 0 THEN
            action := 'trimmed'; object := 'rejected_message'; n := k; RETURN NEXT;
        END IF;
    END IF;
    IF corrections_days > 0 THEN
        DELETE FROM reading_correction WHERE corrected_at < at - make_interval(days => corrections_days);
        GET DIAGNOSTICS k = ROW_COUNT;
        IF k > 0 THEN
            action := 'trimmed'; object := 'reading_correction'; n := k; RETURN NEXT;
        END IF;
    END IF;
END $$;
COMMENT ON FUNCTION enertrack_maintain(timestamptz, integer, integer, integer, integer, integer) IS
    'The history''s upkeep at instant at (one caller at a time; "busy" otherwise): monthly partitions from the retention window to ahead_months ahead, rows of reading_default moved into partitions of their own, raw months older than raw_months (and than 1 January of the year before last) detached and dropped once reading_hourly is confirmed to hold them, reading_hourly older than rollup_months deleted (0: kept; never what targets read), rejected_message and reading_correction older than rejected_days and corrections_days deleted (0: kept). Returns what it did.';
REVOKE ALL ON FUNCTION enertrack_maintain(timestamptz,integer,integer,integer,integer,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION enertrack_maintain(timestamptz,integer,integer,integer,integer,integer) TO enertrack_ingest;
