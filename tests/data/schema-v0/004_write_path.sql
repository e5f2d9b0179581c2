-- SPDX-License-Identifier: MIT
-- enertrack migration 004: the write path as server-side SQL, the hourly
-- rollup kept by triggers on reading, and the schema tidied for operators.
--
--   ingest_prepare()   makes the session's staging table (enertrackd calls it
--                      once per connection, then COPYs each batch into it);
--   ingest_apply()     applies the staged batch: sites, readings, corrections;
--                      returns what happened;
--   ingest_refuse()    keeps a row PostgreSQL refused in rejected_message;
--   reading_hourly_*   keep reading_hourly equal to an aggregate of reading,
--                      whoever changes reading (the daemon, psql, a script).
-- The ingest role gets EXECUTE on the ingest functions and no longer writes
-- reading, reading_hourly, site or reading_correction itself.

-- 1. "no source" is '' in reading, as it is in reading_hourly (whose primary
-- key cannot hold a NULL).
UPDATE reading SET source = '' WHERE source IS NULL;
ALTER TABLE reading ALTER COLUMN source SET DEFAULT '',
                    ALTER COLUMN source SET NOT NULL;

-- 2. What a DBA asks for.
ALTER TABLE reading_correction ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY;
ALTER TABLE reading_correction ADD PRIMARY KEY (id);
CREATE INDEX alert_outbox_drift_event ON alert_outbox (drift_event_id);
CREATE INDEX drift_event_target ON drift_event (target_id, at);
-- the names of lib/alert.c (et_alert_state_name, et_alert_event_name)
ALTER TABLE drift_event
    ADD CONSTRAINT drift_event_from_state_check CHECK (from_state IN ('ok', 'pending', 'firing')),
    ADD CONSTRAINT drift_event_to_state_check CHECK (to_state IN ('ok', 'pending', 'firing')),
    ADD CONSTRAINT drift_event_event_check
        CHECK (event IN ('pending', 'cancelled', 'firing', 'repeat', 'resolved'));

-- 3. The hourly rollup follows reading.
--
-- Statement-level AFTER triggers with transition tables: on a partitioned
-- table PostgreSQL 15 allows them (row-level ones with transition tables it
-- does not), and they see the rows of every partition the statement touched,
-- an INSERT ... ON CONFLICT DO UPDATE firing the INSERT trigger for the rows
-- it inserted and the UPDATE trigger for those it updated. One aggregate per
-- statement, not one upsert per row: the daemon's 5 000-row batch costs one
-- GROUP BY over its own rows. Statement triggers on the parent do not fire
-- for a statement that names a partition, so every partition carries the same
-- triggers (reading_hourly_attach), and a TRUNCATE, which has no transition
-- table, rebuilds the partition's hours.
--
-- New rows add to their hours; an UPDATE or a DELETE recomputes the hours it
-- touched from reading as it now is (exact: n, the sum and last_ts, whatever
-- moved between hours, sources or partitions).

-- Recomputes the given (site, metric, source, hour) groups from reading.
CREATE FUNCTION reading_hourly_refresh(sites text[], metrics text[], sources text[],
                                       hours timestamptz[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM reading_hourly h
    USING unnest(sites, metrics, sources, hours) AS t (site_id, metric, source, hour)
    WHERE h.metric = t.metric AND h.hour = t.hour AND h.site_id = t.site_id AND h.source = t.source;
    INSERT INTO reading_hourly (site_id, metric, source, hour, value_sum, n, last_ts)
    SELECT t.site_id, t.metric, t.source, t.hour, sum(r.value), count(*), max(r.ts)
    FROM unnest(sites, metrics, sources, hours) AS t (site_id, metric, source, hour)
    JOIN reading r ON r.site_id = t.site_id AND r.metric = t.metric AND r.source = t.source
                  AND r.ts >= t.hour AND r.ts < t.hour + interval '1 hour'
    GROUP BY 1, 2, 3, 4 ORDER BY 2, 4, 1, 3;
END $$;
COMMENT ON FUNCTION reading_hourly_refresh(text[], text[], text[], timestamptz[]) IS
    'Recomputes the reading_hourly rows of the given (site_id, metric, source, UTC hour) groups from reading.';

CREATE FUNCTION reading_hourly_follow() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    s text[]; m text[]; src text[]; h timestamptz[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- in primary-key order, so that concurrent writers lock in one order
        INSERT INTO reading_hourly AS x (site_id, metric, source, hour, value_sum, n, last_ts)
        SELECT site_id, metric, source, date_trunc('hour', ts, 'UTC'), sum(value), count(*), max(ts)
        FROM new_rows GROUP BY 1, 2, 3, 4 ORDER BY 2, 4, 1, 3
        ON CONFLICT (metric, hour, site_id, source) DO UPDATE SET
            value_sum = x.value_sum + EXCLUDED.value_sum, n = x.n + EXCLUDED.n,
            last_ts = greatest(x.last_ts, EXCLUDED.last_ts);
        RETURN NULL;
    ELSIF TG_OP = 'UPDATE' THEN
        SELECT array_agg(site_id), array_agg(metric), array_agg(source), array_agg(hour)
          INTO s, m, src, h
          FROM (SELECT site_id, metric, source, date_trunc('hour', ts, 'UTC') AS hour FROM old_rows
                UNION
                SELECT site_id, metric, source, date_trunc('hour', ts, 'UTC') FROM new_rows) t;
    ELSE
        SELECT array_agg(site_id), array_agg(metric), array_agg(source), array_agg(hour)
          INTO s, m, src, h
          FROM (SELECT DISTINCT site_id, metric, source, date_trunc('hour', ts, 'UTC') AS hour
                FROM old_rows) t;
    END IF;
    IF s IS NOT NULL THEN
        PERFORM reading_hourly_refresh(s, m, src, h);
    END IF;
    RETURN NULL;
END $$;
COMMENT ON FUNCTION reading_hourly_follow() IS
    'Trigger (statement level, transition table new_rows/old_rows) on reading and each partition: adds inserted rows to reading_hourly, recomputes the hours an UPDATE or DELETE touched.';

-- Rebuilds reading_hourly for the UTC hours that overlap [from_ts, to_ts).
CREATE FUNCTION reading_hourly_rebuild(from_ts timestamptz DEFAULT '-infinity',
                                       to_ts timestamptz DEFAULT 'infinity') RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    lo timestamptz := date_trunc('hour', from_ts, 'UTC');
    hi timestamptz := CASE WHEN isfinite(to_ts)
                           THEN date_trunc('hour', to_ts - interval '1 microsecond', 'UTC') + interval '1 hour'
                           ELSE to_ts END;
    made bigint;
BEGIN
    DELETE FROM reading_hourly WHERE hour >= lo AND hour < hi;
    INSERT INTO reading_hourly (site_id, metric, source, hour, value_sum, n, last_ts)
    SELECT site_id, metric, source, date_trunc('hour', ts, 'UTC'), sum(value), count(*), max(ts)
    FROM reading WHERE ts >= lo AND ts < hi
    GROUP BY 1, 2, 3, 4;
    GET DIAGNOSTICS made = ROW_COUNT;
    RETURN made;
END $$;
COMMENT ON FUNCTION reading_hourly_rebuild(timestamptz, timestamptz) IS
    'Rebuilds reading_hourly from reading for the UTC hours overlapping [from_ts, to_ts) (default: all); returns the rows made. For a partition detached or dropped, if its hours should go too.';

CREATE FUNCTION reading_hourly_truncated() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    b text; r text[];
BEGIN
    SELECT pg_get_expr(c.relpartbound, c.oid) INTO b FROM pg_class c WHERE c.oid = TG_RELID;
    r := regexp_match(b, '^FOR VALUES FROM \(''([^'']*)''\) TO \(''([^'']*)''\)$');
    IF r IS NULL THEN
        PERFORM reading_hourly_rebuild(); -- the default partition, MINVALUE, MAXVALUE
    ELSE
        PERFORM reading_hourly_rebuild(r[1]::timestamptz, r[2]::timestamptz);
    END IF;
    RETURN NULL;
END $$;
COMMENT ON FUNCTION reading_hourly_truncated() IS
    'Trigger (AFTER TRUNCATE) on each partition of reading: rebuilds reading_hourly for the partition''s range.';

-- Gives a table (reading or one of its partitions) the rollup's triggers.
CREATE FUNCTION reading_hourly_attach(rel regclass) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE OR REPLACE TRIGGER reading_hourly_insert AFTER INSERT ON %s'
                   ' REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT'
                   ' EXECUTE FUNCTION reading_hourly_follow()', rel);
    EXECUTE format('CREATE OR REPLACE TRIGGER reading_hourly_update AFTER UPDATE ON %s'
                   ' REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT'
                   ' EXECUTE FUNCTION reading_hourly_follow()', rel);
    EXECUTE format('CREATE OR REPLACE TRIGGER reading_hourly_delete AFTER DELETE ON %s'
                   ' REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT'
                   ' EXECUTE FUNCTION reading_hourly_follow()', rel);
    IF rel <> 'reading'::regclass THEN
        EXECUTE format('CREATE OR REPLACE TRIGGER reading_hourly_truncate AFTER TRUNCATE ON %s'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION reading_hourly_truncated()', rel);
    END IF;
END $$;
COMMENT ON FUNCTION reading_hourly_attach(regclass) IS
    'Gives reading or a partition of it the triggers that keep reading_hourly (enertrack_add_partitions does it for the partitions it makes; call it for a partition attached by hand).';

-- Monthly partitions, now with the rollup's triggers.
CREATE OR REPLACE FUNCTION enertrack_add_partitions(first_year int, last_year int) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
    y int; m int; made int := 0; name text; lo date; hi date;
BEGIN
    FOR y IN first_year .. last_year LOOP
        FOR m IN 1 .. 12 LOOP
            name := format('reading_%s_%s', y, lpad(m::text, 2, '0'));
            lo := make_date(y, m, 1);
            hi := lo + interval '1 month';
            IF to_regclass(name) IS NULL THEN
                EXECUTE format('CREATE TABLE %I PARTITION OF reading FOR VALUES FROM (%L) TO (%L)',
                               name, lo, hi);
                PERFORM reading_hourly_attach(name::regclass);
                made := made + 1;
            END IF;
        END LOOP;
    END LOOP;
    RETURN made;
END $$;
COMMENT ON FUNCTION enertrack_add_partitions(int, int) IS
    'Makes the monthly partitions of reading for the given years that do not exist yet, with the rollup''s triggers; returns how many it made.';

SELECT reading_hourly_attach('reading'::regclass);
SELECT reading_hourly_attach(inhrelid::regclass) FROM pg_inherits WHERE inhparent = 'reading'::regclass;
-- whatever was written before the triggers (002 filled it from reading once)
SELECT reading_hourly_rebuild();

-- 4. The write path.

CREATE FUNCTION ingest_prepare() RETURNS void
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
            chg          integer NOT NULL DEFAULT 0
        ) ON COMMIT DELETE ROWS;
        -- owned by this function's owner, visible to this session only
        GRANT INSERT ON pg_temp.et_stage_reading TO enertrack_ingest;
    END IF;
END $$;
COMMENT ON FUNCTION ingest_prepare() IS
    'Makes this session''s staging table pg_temp.et_stage_reading (emptied at each commit) if it does not exist. enertrackd calls it once per connection, then per batch: BEGIN; COPY et_stage_reading (...) FROM STDIN; SELECT * FROM ingest_apply(...); COMMIT.';

-- The batch in the staging table goes into site, reading and
-- reading_correction; the hourly rollup follows by the triggers above.
--   try_insert: try a plain INSERT first (cheaper by about 40 % when every
--     row is new); a unique violation takes it back and the upsert runs.
--   may_repeat: a key (site, metric, ts) may occur more than once in the
--     batch: the last row (highest n) wins and each change of value along
--     the way is a correction. Without it a repeated key fails the upsert.
-- A changed value is a correction: the reading keeps the previous value
-- and its count of corrections, and reading_correction gets a row. The
-- same value again is a duplicate and changes nothing.
CREATE FUNCTION ingest_apply(try_insert boolean DEFAULT true, may_repeat boolean DEFAULT true,
                             OUT staged bigint, OUT inserted bigint, OUT duplicates bigint,
                             OUT corrected bigint, OUT sites bigint, OUT fast boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    intra bigint := 0;
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

    IF try_insert AND NOT may_repeat THEN
        BEGIN
            INSERT INTO reading (site_id, metric, ts, value, unit_in, value_in, seq, source,
                                 counter, received_at)
            SELECT site_id, metric, ts, value, unit_in, value_in, seq, coalesce(source, ''),
                   counter, received_at
            FROM pg_temp.et_stage_reading;
            GET DIAGNOSTICS inserted = ROW_COUNT;
            staged := inserted;
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
END $$;
COMMENT ON FUNCTION ingest_apply(boolean, boolean) IS
    'Applies the batch staged in pg_temp.et_stage_reading (see ingest_prepare): registers sites, inserts new readings, applies changed values as corrections (recorded in reading_correction), ignores duplicates. try_insert: a plain INSERT first, the upsert if a row exists; may_repeat: a key may repeat within the batch (the last row wins). Returns staged rows, inserted, duplicates, corrected, sites added or changed, and whether the plain INSERT did it.';

-- A row PostgreSQL refused (the writer isolates it by splitting its batch).
CREATE FUNCTION ingest_refuse(detail text, line bytea) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO rejected_message (received_at, topic, reason, detail, payload, payload_bytes,
                                  truncated)
    VALUES (now(), '', 'db_refused', detail, line, octet_length(line), false)
$$;
COMMENT ON FUNCTION ingest_refuse(text, bytea) IS
    'Keeps a staged row that PostgreSQL refused (line: its COPY text) in rejected_message with reason db_refused and the error as detail.';

-- 5. Privileges: the daemon writes readings through the functions only.
REVOKE ALL ON FUNCTION ingest_prepare(), ingest_apply(boolean, boolean), ingest_refuse(text, bytea),
    reading_hourly_refresh(text[], text[], text[], timestamptz[]), reading_hourly_rebuild(timestamptz, timestamptz),
    reading_hourly_attach(regclass), enertrack_add_partitions(int, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ingest_prepare(), ingest_apply(boolean, boolean), ingest_refuse(text, bytea)
    TO enertrack_ingest;
REVOKE INSERT, UPDATE ON reading, reading_hourly, site FROM enertrack_ingest;
REVOKE INSERT ON reading_correction FROM enertrack_ingest;
-- tables and views made later by the role that migrates are readable too
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO enertrack_reader;

-- 6. What an operator reads.
COMMENT ON TABLE schema_migration IS 'The migrations (sql/NNN_*.sql) applied to this database, by enertrack migrate.';
COMMENT ON COLUMN schema_migration.version IS 'NNN of the file name.';
COMMENT ON COLUMN schema_migration.name IS 'The file name.';
COMMENT ON COLUMN schema_migration.applied_at IS 'When it was applied.';

COMMENT ON COLUMN site.id IS 'The site''s name in the topic (energy/<kind>/<id>/<metric>).';
COMMENT ON COLUMN site.kind IS 'mine, plant, enterprise or region, from the topic.';
COMMENT ON COLUMN site.name IS 'Display name, from the latest reading that carried one.';
COMMENT ON COLUMN site.county IS 'County, from the latest reading that carried one; targets with scope county:<name> count it.';
COMMENT ON COLUMN site.first_seen IS 'When its first reading was written.';

COMMENT ON TABLE reading IS 'One row per (site_id, metric, ts): every reading exactly once, partitioned by month of ts. Corrections overwrite value and are logged in reading_correction; reading_hourly follows every change.';
COMMENT ON COLUMN reading.site_id IS 'The site (site.id).';
COMMENT ON COLUMN reading.metric IS 'The metric (metric.name).';
COMMENT ON COLUMN reading.ts IS 'When the value was measured, as the device sent it.';
COMMENT ON COLUMN reading.value IS 'The value in the metric''s canonical unit (raw_coal t, capacity MW, generation MWh, energy tce, gdp CNY, shares %).';
COMMENT ON COLUMN reading.unit_in IS 'The unit as sent.';
COMMENT ON COLUMN reading.value_in IS 'The value as sent, in unit_in.';
COMMENT ON COLUMN reading.seq IS 'The sender''s sequence number, if it sent one.';
COMMENT ON COLUMN reading.source IS 'Energy source (solar, wind, biomass, ...) as sent; '''' when none was.';
COMMENT ON COLUMN reading.received_at IS 'When enertrackd received the message.';

COMMENT ON TABLE reading_correction IS 'One row per change of a stored reading''s value by a later message (or by a later row of the same batch).';
COMMENT ON COLUMN reading_correction.id IS 'Order of recording.';
COMMENT ON COLUMN reading_correction.site_id IS 'The reading''s site.';
COMMENT ON COLUMN reading_correction.metric IS 'The reading''s metric.';
COMMENT ON COLUMN reading_correction.ts IS 'The reading''s ts.';
COMMENT ON COLUMN reading_correction.old_value IS 'The value before, canonical unit.';
COMMENT ON COLUMN reading_correction.new_value IS 'The value after, canonical unit.';
COMMENT ON COLUMN reading_correction.new_unit_in IS 'The unit of the correcting message.';
COMMENT ON COLUMN reading_correction.new_value_in IS 'The value of the correcting message, in new_unit_in.';
COMMENT ON COLUMN reading_correction.corrected_at IS 'When the correction was written.';

COMMENT ON TABLE rejected_message IS 'Input that was refused, kept rather than dropped: by the decoder (bad JSON, unknown unit, ...) or by PostgreSQL (reason db_refused).';
COMMENT ON COLUMN rejected_message.id IS 'Order of arrival.';
COMMENT ON COLUMN rejected_message.received_at IS 'When enertrackd received it.';
COMMENT ON COLUMN rejected_message.topic IS 'The MQTT topic ('''' for a row PostgreSQL refused).';
COMMENT ON COLUMN rejected_message.reason IS 'Why, as a short code (bad_json, unknown_unit, db_refused, ...).';
COMMENT ON COLUMN rejected_message.detail IS 'Why, in words (PostgreSQL''s error for db_refused).';
COMMENT ON COLUMN rejected_message.element IS 'Which element of a batch array (from 0); NULL: the whole message.';
COMMENT ON COLUMN rejected_message.payload IS 'The first 4 KiB of the payload (db_refused: the staged row as COPY text).';
COMMENT ON COLUMN rejected_message.payload_bytes IS 'The payload''s full length.';
COMMENT ON COLUMN rejected_message.truncated IS 'true when payload holds only the first 4 KiB.';

COMMENT ON TABLE unit IS 'Units a reading may be sent in, with the factor to its dimension''s canonical unit (mirrors lib/units.c).';
COMMENT ON COLUMN unit.name IS 'As sent in a reading''s "unit".';
COMMENT ON COLUMN unit.dim IS 'Dimension: mass, power, energy, coal_eq, money, share.';
COMMENT ON COLUMN unit.factor IS 'Canonical value = value × factor.';

COMMENT ON TABLE metric IS 'Metrics: how each adds up over a year and how it is shown.';
COMMENT ON COLUMN metric.name IS 'As in the topic.';
COMMENT ON COLUMN metric.dim IS 'Dimension of its units (NULL: derived, energy_intensity).';
COMMENT ON COLUMN metric.aggregate IS 'sum: a year adds up; level: the latest value per site; ratio: derived from two sums.';
COMMENT ON COLUMN metric.label IS 'Display name.';
COMMENT ON COLUMN metric.display_unit IS 'Unit it is shown in.';
COMMENT ON COLUMN metric.display_div IS 'Shown value = canonical value / display_div.';
COMMENT ON COLUMN metric.flow IS 'true: reported continuously, so a silent site is missing data; false: an event (commissioning).';

COMMENT ON TABLE reading_hourly IS 'Hourly (UTC) sums of reading per site, metric and source, kept equal to an aggregate of reading by triggers on reading; progress over a year reads these.';
COMMENT ON COLUMN reading_hourly.site_id IS 'The site.';
COMMENT ON COLUMN reading_hourly.metric IS 'The metric.';
COMMENT ON COLUMN reading_hourly.source IS 'reading.source ('''' when none).';
COMMENT ON COLUMN reading_hourly.hour IS 'Start of the UTC hour.';
COMMENT ON COLUMN reading_hourly.value_sum IS 'Sum of reading.value in the hour, canonical unit.';
COMMENT ON COLUMN reading_hourly.n IS 'Number of readings in the hour.';
COMMENT ON COLUMN reading_hourly.last_ts IS 'The latest reading.ts in the hour.';

COMMENT ON COLUMN target.id IS 'The target''s number (alert_state, drift_event).';
COMMENT ON COLUMN target.metric IS 'The metric (metric.name).';
COMMENT ON COLUMN target.year IS 'The calendar year, in target_setting.timezone.';
COMMENT ON COLUMN target.kind IS 'about: within tolerance either way; at_least: a floor; reduce_by_pct: a reduction in % (energy intensity).';
COMMENT ON COLUMN target.value IS 'The target, in unit.';
COMMENT ON COLUMN target.unit IS 'The unit of value (unit.name).';
COMMENT ON COLUMN target.tolerance_pct IS 'Drift in % of the expected value tolerated before the status changes.';
COMMENT ON COLUMN target.scope IS 'city, county:<name> or site:<id>.';
COMMENT ON COLUMN target.schedule IS '12 monthly weights of the expected progress; NULL: linear in time.';
COMMENT ON COLUMN target.sources IS 'capacity_commissioned: which reading.source values count (NULL: solar, wind, biomass).';
COMMENT ON COLUMN target.plan_text IS 'The target as the plan words it.';

COMMENT ON TABLE target_setting IS 'One row: the [targets] settings the progress view uses, written by enertrackd at start and on reload.';
COMMENT ON COLUMN target_setting.id IS 'Always true: the table has one row.';
COMMENT ON COLUMN target_setting.timezone IS 'Time zone of the years and months of targets.';
COMMENT ON COLUMN target_setting.min_elapsed_pct IS 'Before this share of the year has passed, status is too_early.';
COMMENT ON COLUMN target_setting.stale_after_s IS 'A flow site silent longer than this (and twice its usual interval) is stale.';

COMMENT ON TABLE alert_state IS 'The alert state of each target (ok, pending, firing), kept by the evaluation.';
COMMENT ON COLUMN alert_state.target_id IS 'The target.';
COMMENT ON COLUMN alert_state.state IS 'ok, pending or firing.';
COMMENT ON COLUMN alert_state.since IS 'When it entered this state.';
COMMENT ON COLUMN alert_state.last_mail_at IS 'When the last mail for it was queued.';
COMMENT ON COLUMN alert_state.drift_pct IS 'Drift at the last evaluation, in %.';
COMMENT ON COLUMN alert_state.updated_at IS 'When it was last evaluated.';

COMMENT ON TABLE drift_event IS 'One row per change of a target''s alert state.';
COMMENT ON COLUMN drift_event.id IS 'Order of events.';
COMMENT ON COLUMN drift_event.target_id IS 'The target.';
COMMENT ON COLUMN drift_event.at IS 'When the evaluation saw it.';
COMMENT ON COLUMN drift_event.from_state IS 'State before: ok, pending or firing.';
COMMENT ON COLUMN drift_event.to_state IS 'State after: ok, pending or firing.';
COMMENT ON COLUMN drift_event.event IS 'pending, cancelled, firing, repeat (a reminder) or resolved.';
COMMENT ON COLUMN drift_event.status IS 'The target''s status then (target_progress.status).';
COMMENT ON COLUMN drift_event.drift_pct IS 'Drift then, in %.';
COMMENT ON COLUMN drift_event.expected IS 'Expected value then, canonical unit.';
COMMENT ON COLUMN drift_event.actual IS 'Actual value then, canonical unit.';

COMMENT ON TABLE alert_outbox IS 'Mails about drift events, queued in the same transaction as the event and sent by enertrackd with retries.';
COMMENT ON COLUMN alert_outbox.id IS 'Order of queueing.';
COMMENT ON COLUMN alert_outbox.drift_event_id IS 'The event the mail is about.';
COMMENT ON COLUMN alert_outbox.created_at IS 'When it was queued.';
COMMENT ON COLUMN alert_outbox.subject IS 'Subject line.';
COMMENT ON COLUMN alert_outbox.message IS 'The whole RFC 5322 message.';
COMMENT ON COLUMN alert_outbox.attempts IS 'Sending attempts so far.';
COMMENT ON COLUMN alert_outbox.next_attempt_at IS 'When the next attempt is due.';
COMMENT ON COLUMN alert_outbox.last_error IS 'The last attempt''s error.';
COMMENT ON COLUMN alert_outbox.sent_at IS 'When it was accepted by the SMTP server; NULL: not yet.';

COMMENT ON COLUMN target_progress.target_id IS 'The target (target.id).';
COMMENT ON COLUMN target_progress.label IS 'The metric''s display name.';
COMMENT ON COLUMN target_progress.metric IS 'The metric.';
COMMENT ON COLUMN target_progress.year IS 'The target''s year.';
COMMENT ON COLUMN target_progress.scope IS 'city, county:<name> or site:<id>.';
COMMENT ON COLUMN target_progress.kind IS 'about, at_least or reduce_by_pct.';
COMMENT ON COLUMN target_progress.target IS 'The year''s target, canonical unit (reduce_by_pct: %).';
COMMENT ON COLUMN target_progress.unit IS 'The unit the target was set in.';
COMMENT ON COLUMN target_progress.display_unit IS 'Unit to show values in.';
COMMENT ON COLUMN target_progress.display_div IS 'Shown value = canonical value / display_div.';
COMMENT ON COLUMN target_progress.elapsed_pct IS 'Share of the year passed, %.';
COMMENT ON COLUMN target_progress.expected IS 'What the schedule expects by now, canonical unit.';
COMMENT ON COLUMN target_progress.actual IS 'Year to date, canonical unit (level: the sites'' latest average; ratio: the reduction in %).';
COMMENT ON COLUMN target_progress.drift_pct IS '100 × (actual - expected) / expected.';
COMMENT ON COLUMN target_progress.projected IS 'The year''s end at the recent daily rate (30 days).';
COMMENT ON COLUMN target_progress.required_daily IS 'What each remaining day must add to reach the target.';
COMMENT ON COLUMN target_progress.sites_reporting IS 'Sites with readings this year that are not stale.';
COMMENT ON COLUMN target_progress.sites_stale IS 'Sites silent longer than target_setting.stale_after_s.';
COMMENT ON COLUMN target_progress.stale_shortfall IS 'What the stale sites would have added at their own pace.';
COMMENT ON COLUMN target_progress.tolerance_pct IS 'The target''s tolerance, %.';
COMMENT ON COLUMN target_progress.status IS 'too_early, insufficient_data, on_track, ahead, behind or over.';
COMMENT ON COLUMN target_progress.plan_text IS 'The target as the plan words it.';
