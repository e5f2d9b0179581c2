-- SPDX-License-Identifier: MIT
-- Scale-out: the outages of shared subscription group members.

-- One row per outage of a group member that lasted longer than
-- [mqtt] member_down_alarm_s. Several daemons notice the same outage (each
-- follows the presence messages); the key names the outage the same way
-- for all of them (the member, its start, its connection number, all taken
-- from the member's Will), so that exactly one of them records it and
-- queues the mail.
CREATE TABLE member_down_event (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member      text NOT NULL,
    grp         text NOT NULL,
    started_at  timestamptz NOT NULL,
    conn        integer NOT NULL,
    down_since  timestamptz NOT NULL,
    noticed_at  timestamptz NOT NULL DEFAULT now(),
    noticed_by  text NOT NULL,
    returned_at timestamptz,
    UNIQUE (member, started_at, conn)
);
COMMENT ON TABLE member_down_event IS
    'Outages of shared subscription group members longer than [mqtt] member_down_alarm_s: one row, and one mail in alert_outbox, per outage';
COMMENT ON COLUMN member_down_event.id IS 'Identity; the mail''s Message-ID names it';
COMMENT ON COLUMN member_down_event.member IS 'The member''s [mqtt] client_id';
COMMENT ON COLUMN member_down_event.grp IS 'Its $share group';
COMMENT ON COLUMN member_down_event.started_at IS 'When the member''s process started (from its presence message)';
COMMENT ON COLUMN member_down_event.conn IS 'Its connection number within that start: with member and started_at, one outage';
COMMENT ON COLUMN member_down_event.down_since IS 'When the noticing daemon saw the member''s Will';
COMMENT ON COLUMN member_down_event.noticed_at IS 'When the alarm was recorded';
COMMENT ON COLUMN member_down_event.noticed_by IS 'The client_id of the daemon that recorded it';
COMMENT ON COLUMN member_down_event.returned_at IS 'When a daemon first saw the member online again; NULL while down';

GRANT SELECT, INSERT, UPDATE ON member_down_event TO enertrack_ingest;
GRANT SELECT ON member_down_event TO enertrack_reader;

-- A history that maintains itself: enertrack_maintain(), which enertrackd
-- runs every [retention] interval_s (one daemon at a time), makes the
-- monthly partitions of reading ahead of time, moves rows that landed in
-- reading_default into a partition of their own, drops raw months past
-- [retention] raw_months once the hourly rollup is confirmed to hold them,
-- and trims rejected_message and reading_correction. No foreign key points
-- from reading anywhere and its primary key holds site_id: a Citus
-- distribution by site_id stays possible.

-- The offset at which the existing monthly partitions start their months
-- (they were made in the session time zone of the migration): new ones
-- continue the same chain. Zero when there are none.
CREATE FUNCTION reading_partition_offset() RETURNS interval
LANGUAGE sql STABLE AS $$
    SELECT coalesce((
        SELECT make_timestamp(substr(c.relname, 9, 4)::int, substr(c.relname, 14, 2)::int, 1, 0, 0, 0)
               - ((regexp_match(pg_get_expr(c.relpartbound, c.oid),
                                '^FOR VALUES FROM \(''([^'']*)''\)'))[1]::timestamptz AT TIME ZONE 'UTC')
          FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'reading'::regclass AND c.relname ~ '^reading_\d{4}_\d{2}$'
         ORDER BY c.relname DESC LIMIT 1), interval '0')
$$;
COMMENT ON FUNCTION reading_partition_offset() IS
    'How far before UTC midnight the monthly partitions of reading start their months (e.g. 8 hours when they were made in Asia/Shanghai).';

-- The bounds of the month partition that holds instant t.
CREATE FUNCTION reading_month_bounds(t timestamptz, OUT name text, OUT lo timestamptz,
                                     OUT hi timestamptz)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    off interval := reading_partition_offset();
    m timestamp := date_trunc('month', (t AT TIME ZONE 'UTC') + off);
BEGIN
    name := 'reading_' || to_char(m, 'YYYY_MM');
    lo := (m - off) AT TIME ZONE 'UTC';
    hi := ((m + interval '1 month') - off) AT TIME ZONE 'UTC';
END $$;
COMMENT ON FUNCTION reading_month_bounds(timestamptz) IS
    'Name and [lo, hi) of the monthly partition of reading that holds t, in the chain of the existing ones.';

-- Makes the partition of the month holding t if it is missing, moving the
-- rows of that month out of reading_default first (a partition cannot be
-- made while the default one holds rows of its range). Returns the rows
-- moved, or -1 when the partition existed.
CREATE FUNCTION reading_partition_ensure(t timestamptz) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    b record;
    moved bigint := 0;
BEGIN
    SELECT * INTO b FROM reading_month_bounds(t);
    IF to_regclass(b.name) IS NOT NULL THEN
        RETURN -1;
    END IF;
    IF EXISTS (SELECT 1 FROM reading_default WHERE ts >= b.lo AND ts < b.hi) THEN
        EXECUTE format('CREATE TABLE %I (LIKE reading INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', b.name);
        EXECUTE format('WITH m AS (DELETE FROM reading_default WHERE ts >= %L AND ts < %L RETURNING *)'
                       ' INSERT INTO %I SELECT * FROM m', b.lo, b.hi, b.name);
        GET DIAGNOSTICS moved = ROW_COUNT;
        EXECUTE format('ALTER TABLE reading ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                       b.name, b.lo, b.hi);
        PERFORM reading_hourly_attach(b.name::regclass);
        -- the DELETE's trigger took these hours out of the rollup: back in
        PERFORM reading_hourly_rebuild(b.lo, b.hi);
    ELSE
        EXECUTE format('CREATE TABLE %I PARTITION OF reading FOR VALUES FROM (%L) TO (%L)',
                       b.name, b.lo, b.hi);
        PERFORM reading_hourly_attach(b.name::regclass);
    END IF;
    RETURN moved;
END $$;
COMMENT ON FUNCTION reading_partition_ensure(timestamptz) IS
    'Makes the monthly partition of reading holding t if missing, moving that month''s rows out of reading_default (and rebuilding its rollup hours); returns the rows moved, -1 when it existed.';

CREATE FUNCTION enertrack_maintain(at timestamptz DEFAULT now(), ahead_months integer DEFAULT 3,
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
        EXECUTE format('SELECT count(*), coalesce(sum(value), 0) FROM %I', p.name) INTO rn, rs;
        SELECT coalesce(sum(h.n), 0), coalesce(sum(h.value_sum), 0) INTO hn, hs
          FROM reading_hourly h WHERE h.hour >= p.b[1]::timestamptz AND h.hour < p.b[2]::timestamptz;
        IF rn <> hn OR abs(rs - hs) > 1e-9 * greatest(abs(rs), abs(hs), 1) THEN
            PERFORM reading_hourly_rebuild(p.b[1]::timestamptz, p.b[2]::timestamptz);
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

REVOKE EXECUTE ON FUNCTION enertrack_maintain(timestamptz, integer, integer, integer, integer, integer),
    reading_partition_ensure(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION enertrack_maintain(timestamptz, integer, integer, integer, integer, integer)
    TO enertrack_ingest;
