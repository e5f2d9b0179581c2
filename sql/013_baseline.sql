-- SPDX-License-Identifier: MIT
-- enertrack migration 013: the baseline. The tables, data and privileges of
-- migrations 001 to 013 as they stood before the function bodies left the
-- migrations, squashed into one file in their original order (a database
-- migrated by those files has version 013 in schema_migration and skips
-- this one). It holds no function or view: those live in sql/functions/
-- and sql/views/, one file each, and `enertrack migrate` applies them after
-- the migrations, in the order of sql/objects.list. What needs a function
-- (the rollup's triggers, target.schedule's CHECK) is made in that
-- function's file.

-- ==== formerly 001_ingest.sql
-- enertrack migration 001: sites, readings, corrections, rejected messages.
-- Applied once by `enertrack migrate`, inside a transaction.
CREATE TABLE site (
    id          text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9_.-]{0,63}$'),
    kind        text NOT NULL CHECK (kind IN ('mine', 'plant', 'enterprise', 'region')),
    name        text,
    county      text,
    first_seen  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE site IS 'Sites register themselves on their first reading; kind comes from the topic.';
-- One row per (site_id, metric, ts). value is in the metric's canonical unit
-- (raw_coal t, capacity_commissioned MW, generation MWh, energy_consumption
-- tce, gdp CNY, advanced_capacity_share %); unit_in/value_in are as sent.
-- No foreign key to site: it would cost a lookup per row and stands in the
-- way of distributing reading by site_id (Citus).
CREATE TABLE reading (
    site_id      text NOT NULL,
    metric       text NOT NULL,
    ts           timestamptz NOT NULL,
    value        double precision NOT NULL,
    unit_in      text NOT NULL,
    value_in     double precision NOT NULL,
    seq          bigint,
    source       text,
    counter      boolean NOT NULL DEFAULT false,
    received_at  timestamptz NOT NULL,
    corrections  integer NOT NULL DEFAULT 0,
    prev_value   double precision,
    PRIMARY KEY (site_id, metric, ts)
) PARTITION BY RANGE (ts);
COMMENT ON COLUMN reading.corrections IS 'How many times a later message changed this value; see reading_correction.';
COMMENT ON COLUMN reading.prev_value IS 'The value before the latest correction (NULL if never corrected).';
COMMENT ON COLUMN reading.counter IS 'true: value is a running total (totaliser) that may reset; views derive deltas.';
CREATE TABLE reading_default PARTITION OF reading DEFAULT;
-- Monthly partitions of 2020 to 2030, their bounds in the session's time
-- zone (enertrack_maintain() makes later ones in the same chain; the
-- rollup's triggers are put on them by functions/reading_hourly_attach.sql).
CREATE TABLE reading_2020_01 PARTITION OF reading FOR VALUES FROM ('2020-01-01') TO ('2020-02-01');
CREATE TABLE reading_2020_02 PARTITION OF reading FOR VALUES FROM ('2020-02-01') TO ('2020-03-01');
CREATE TABLE reading_2020_03 PARTITION OF reading FOR VALUES FROM ('2020-03-01') TO ('2020-04-01');
CREATE TABLE reading_2020_04 PARTITION OF reading FOR VALUES FROM ('2020-04-01') TO ('2020-05-01');
CREATE TABLE reading_2020_05 PARTITION OF reading FOR VALUES FROM ('2020-05-01') TO ('2020-06-01');
CREATE TABLE reading_2020_06 PARTITION OF reading FOR VALUES FROM ('2020-06-01') TO ('2020-07-01');
CREATE TABLE reading_2020_07 PARTITION OF reading FOR VALUES FROM ('2020-07-01') TO ('2020-08-01');
CREATE TABLE reading_2020_08 PARTITION OF reading FOR VALUES FROM ('2020-08-01') TO ('2020-09-01');
CREATE TABLE reading_2020_09 PARTITION OF reading FOR VALUES FROM ('2020-09-01') TO ('2020-10-01');
CREATE TABLE reading_2020_10 PARTITION OF reading FOR VALUES FROM ('2020-10-01') TO ('2020-11-01');
CREATE TABLE reading_2020_11 PARTITION OF reading FOR VALUES FROM ('2020-11-01') TO ('2020-12-01');
CREATE TABLE reading_2020_12 PARTITION OF reading FOR VALUES FROM ('2020-12-01') TO ('2021-01-01');
CREATE TABLE reading_2021_01 PARTITION OF reading FOR VALUES FROM ('2021-01-01') TO ('2021-02-01');
CREATE TABLE reading_2021_02 PARTITION OF reading FOR VALUES FROM ('2021-02-01') TO ('2021-03-01');
CREATE TABLE reading_2021_03 PARTITION OF reading FOR VALUES FROM ('2021-03-01') TO ('2021-04-01');
CREATE TABLE reading_2021_04 PARTITION OF reading FOR VALUES FROM ('2021-04-01') TO ('2021-05-01');
CREATE TABLE reading_2021_05 PARTITION OF reading FOR VALUES FROM ('2021-05-01') TO ('2021-06-01');
CREATE TABLE reading_2021_06 PARTITION OF reading FOR VALUES FROM ('2021-06-01') TO ('2021-07-01');
CREATE TABLE reading_2021_07 PARTITION OF reading FOR VALUES FROM ('2021-07-01') TO ('2021-08-01');
CREATE TABLE reading_2021_08 PARTITION OF reading FOR VALUES FROM ('2021-08-01') TO ('2021-09-01');
CREATE TABLE reading_2021_09 PARTITION OF reading FOR VALUES FROM ('2021-09-01') TO ('2021-10-01');
CREATE TABLE reading_2021_10 PARTITION OF reading FOR VALUES FROM ('2021-10-01') TO ('2021-11-01');
CREATE TABLE reading_2021_11 PARTITION OF reading FOR VALUES FROM ('2021-11-01') TO ('2021-12-01');
CREATE TABLE reading_2021_12 PARTITION OF reading FOR VALUES FROM ('2021-12-01') TO ('2022-01-01');
CREATE TABLE reading_2022_01 PARTITION OF reading FOR VALUES FROM ('2022-01-01') TO ('2022-02-01');
CREATE TABLE reading_2022_02 PARTITION OF reading FOR VALUES FROM ('2022-02-01') TO ('2022-03-01');
CREATE TABLE reading_2022_03 PARTITION OF reading FOR VALUES FROM ('2022-03-01') TO ('2022-04-01');
CREATE TABLE reading_2022_04 PARTITION OF reading FOR VALUES FROM ('2022-04-01') TO ('2022-05-01');
CREATE TABLE reading_2022_05 PARTITION OF reading FOR VALUES FROM ('2022-05-01') TO ('2022-06-01');
CREATE TABLE reading_2022_06 PARTITION OF reading FOR VALUES FROM ('2022-06-01') TO ('2022-07-01');
CREATE TABLE reading_2022_07 PARTITION OF reading FOR VALUES FROM ('2022-07-01') TO ('2022-08-01');
CREATE TABLE reading_2022_08 PARTITION OF reading FOR VALUES FROM ('2022-08-01') TO ('2022-09-01');
CREATE TABLE reading_2022_09 PARTITION OF reading FOR VALUES FROM ('2022-09-01') TO ('2022-10-01');
CREATE TABLE reading_2022_10 PARTITION OF reading FOR VALUES FROM ('2022-10-01') TO ('2022-11-01');
CREATE TABLE reading_2022_11 PARTITION OF reading FOR VALUES FROM ('2022-11-01') TO ('2022-12-01');
CREATE TABLE reading_2022_12 PARTITION OF reading FOR VALUES FROM ('2022-12-01') TO ('2023-01-01');
CREATE TABLE reading_2023_01 PARTITION OF reading FOR VALUES FROM ('2023-01-01') TO ('2023-02-01');
CREATE TABLE reading_2023_02 PARTITION OF reading FOR VALUES FROM ('2023-02-01') TO ('2023-03-01');
CREATE TABLE reading_2023_03 PARTITION OF reading FOR VALUES FROM ('2023-03-01') TO ('2023-04-01');
CREATE TABLE reading_2023_04 PARTITION OF reading FOR VALUES FROM ('2023-04-01') TO ('2023-05-01');
CREATE TABLE reading_2023_05 PARTITION OF reading FOR VALUES FROM ('2023-05-01') TO ('2023-06-01');
CREATE TABLE reading_2023_06 PARTITION OF reading FOR VALUES FROM ('2023-06-01') TO ('2023-07-01');
CREATE TABLE reading_2023_07 PARTITION OF reading FOR VALUES FROM ('2023-07-01') TO ('2023-08-01');
CREATE TABLE reading_2023_08 PARTITION OF reading FOR VALUES FROM ('2023-08-01') TO ('2023-09-01');
CREATE TABLE reading_2023_09 PARTITION OF reading FOR VALUES FROM ('2023-09-01') TO ('2023-10-01');
CREATE TABLE reading_2023_10 PARTITION OF reading FOR VALUES FROM ('2023-10-01') TO ('2023-11-01');
CREATE TABLE reading_2023_11 PARTITION OF reading FOR VALUES FROM ('2023-11-01') TO ('2023-12-01');
CREATE TABLE reading_2023_12 PARTITION OF reading FOR VALUES FROM ('2023-12-01') TO ('2024-01-01');
CREATE TABLE reading_2024_01 PARTITION OF reading FOR VALUES FROM ('2024-01-01') TO ('2024-02-01');
CREATE TABLE reading_2024_02 PARTITION OF reading FOR VALUES FROM ('2024-02-01') TO ('2024-03-01');
CREATE TABLE reading_2024_03 PARTITION OF reading FOR VALUES FROM ('2024-03-01') TO ('2024-04-01');
CREATE TABLE reading_2024_04 PARTITION OF reading FOR VALUES FROM ('2024-04-01') TO ('2024-05-01');
CREATE TABLE reading_2024_05 PARTITION OF reading FOR VALUES FROM ('2024-05-01') TO ('2024-06-01');
CREATE TABLE reading_2024_06 PARTITION OF reading FOR VALUES FROM ('2024-06-01') TO ('2024-07-01');
CREATE TABLE reading_2024_07 PARTITION OF reading FOR VALUES FROM ('2024-07-01') TO ('2024-08-01');
CREATE TABLE reading_2024_08 PARTITION OF reading FOR VALUES FROM ('2024-08-01') TO ('2024-09-01');
CREATE TABLE reading_2024_09 PARTITION OF reading FOR VALUES FROM ('2024-09-01') TO ('2024-10-01');
CREATE TABLE reading_2024_10 PARTITION OF reading FOR VALUES FROM ('2024-10-01') TO ('2024-11-01');
CREATE TABLE reading_2024_11 PARTITION OF reading FOR VALUES FROM ('2024-11-01') TO ('2024-12-01');
CREATE TABLE reading_2024_12 PARTITION OF reading FOR VALUES FROM ('2024-12-01') TO ('2025-01-01');
CREATE TABLE reading_2025_01 PARTITION OF reading FOR VALUES FROM ('2025-01-01') TO ('2025-02-01');
CREATE TABLE reading_2025_02 PARTITION OF reading FOR VALUES FROM ('2025-02-01') TO ('2025-03-01');
CREATE TABLE reading_2025_03 PARTITION OF reading FOR VALUES FROM ('2025-03-01') TO ('2025-04-01');
CREATE TABLE reading_2025_04 PARTITION OF reading FOR VALUES FROM ('2025-04-01') TO ('2025-05-01');
CREATE TABLE reading_2025_05 PARTITION OF reading FOR VALUES FROM ('2025-05-01') TO ('2025-06-01');
CREATE TABLE reading_2025_06 PARTITION OF reading FOR VALUES FROM ('2025-06-01') TO ('2025-07-01');
CREATE TABLE reading_2025_07 PARTITION OF reading FOR VALUES FROM ('2025-07-01') TO ('2025-08-01');
CREATE TABLE reading_2025_08 PARTITION OF reading FOR VALUES FROM ('2025-08-01') TO ('2025-09-01');
CREATE TABLE reading_2025_09 PARTITION OF reading FOR VALUES FROM ('2025-09-01') TO ('2025-10-01');
CREATE TABLE reading_2025_10 PARTITION OF reading FOR VALUES FROM ('2025-10-01') TO ('2025-11-01');
CREATE TABLE reading_2025_11 PARTITION OF reading FOR VALUES FROM ('2025-11-01') TO ('2025-12-01');
CREATE TABLE reading_2025_12 PARTITION OF reading FOR VALUES FROM ('2025-12-01') TO ('2026-01-01');
CREATE TABLE reading_2026_01 PARTITION OF reading FOR VALUES FROM ('2026-01-01') TO ('2026-02-01');
CREATE TABLE reading_2026_02 PARTITION OF reading FOR VALUES FROM ('2026-02-01') TO ('2026-03-01');
CREATE TABLE reading_2026_03 PARTITION OF reading FOR VALUES FROM ('2026-03-01') TO ('2026-04-01');
CREATE TABLE reading_2026_04 PARTITION OF reading FOR VALUES FROM ('2026-04-01') TO ('2026-05-01');
CREATE TABLE reading_2026_05 PARTITION OF reading FOR VALUES FROM ('2026-05-01') TO ('2026-06-01');
CREATE TABLE reading_2026_06 PARTITION OF reading FOR VALUES FROM ('2026-06-01') TO ('2026-07-01');
CREATE TABLE reading_2026_07 PARTITION OF reading FOR VALUES FROM ('2026-07-01') TO ('2026-08-01');
CREATE TABLE reading_2026_08 PARTITION OF reading FOR VALUES FROM ('2026-08-01') TO ('2026-09-01');
CREATE TABLE reading_2026_09 PARTITION OF reading FOR VALUES FROM ('2026-09-01') TO ('2026-10-01');
CREATE TABLE reading_2026_10 PARTITION OF reading FOR VALUES FROM ('2026-10-01') TO ('2026-11-01');
CREATE TABLE reading_2026_11 PARTITION OF reading FOR VALUES FROM ('2026-11-01') TO ('2026-12-01');
CREATE TABLE reading_2026_12 PARTITION OF reading FOR VALUES FROM ('2026-12-01') TO ('2027-01-01');
CREATE TABLE reading_2027_01 PARTITION OF reading FOR VALUES FROM ('2027-01-01') TO ('2027-02-01');
CREATE TABLE reading_2027_02 PARTITION OF reading FOR VALUES FROM ('2027-02-01') TO ('2027-03-01');
CREATE TABLE reading_2027_03 PARTITION OF reading FOR VALUES FROM ('2027-03-01') TO ('2027-04-01');
CREATE TABLE reading_2027_04 PARTITION OF reading FOR VALUES FROM ('2027-04-01') TO ('2027-05-01');
CREATE TABLE reading_2027_05 PARTITION OF reading FOR VALUES FROM ('2027-05-01') TO ('2027-06-01');
CREATE TABLE reading_2027_06 PARTITION OF reading FOR VALUES FROM ('2027-06-01') TO ('2027-07-01');
CREATE TABLE reading_2027_07 PARTITION OF reading FOR VALUES FROM ('2027-07-01') TO ('2027-08-01');
CREATE TABLE reading_2027_08 PARTITION OF reading FOR VALUES FROM ('2027-08-01') TO ('2027-09-01');
CREATE TABLE reading_2027_09 PARTITION OF reading FOR VALUES FROM ('2027-09-01') TO ('2027-10-01');
CREATE TABLE reading_2027_10 PARTITION OF reading FOR VALUES FROM ('2027-10-01') TO ('2027-11-01');
CREATE TABLE reading_2027_11 PARTITION OF reading FOR VALUES FROM ('2027-11-01') TO ('2027-12-01');
CREATE TABLE reading_2027_12 PARTITION OF reading FOR VALUES FROM ('2027-12-01') TO ('2028-01-01');
CREATE TABLE reading_2028_01 PARTITION OF reading FOR VALUES FROM ('2028-01-01') TO ('2028-02-01');
CREATE TABLE reading_2028_02 PARTITION OF reading FOR VALUES FROM ('2028-02-01') TO ('2028-03-01');
CREATE TABLE reading_2028_03 PARTITION OF reading FOR VALUES FROM ('2028-03-01') TO ('2028-04-01');
CREATE TABLE reading_2028_04 PARTITION OF reading FOR VALUES FROM ('2028-04-01') TO ('2028-05-01');
CREATE TABLE reading_2028_05 PARTITION OF reading FOR VALUES FROM ('2028-05-01') TO ('2028-06-01');
CREATE TABLE reading_2028_06 PARTITION OF reading FOR VALUES FROM ('2028-06-01') TO ('2028-07-01');
CREATE TABLE reading_2028_07 PARTITION OF reading FOR VALUES FROM ('2028-07-01') TO ('2028-08-01');
CREATE TABLE reading_2028_08 PARTITION OF reading FOR VALUES FROM ('2028-08-01') TO ('2028-09-01');
CREATE TABLE reading_2028_09 PARTITION OF reading FOR VALUES FROM ('2028-09-01') TO ('2028-10-01');
CREATE TABLE reading_2028_10 PARTITION OF reading FOR VALUES FROM ('2028-10-01') TO ('2028-11-01');
CREATE TABLE reading_2028_11 PARTITION OF reading FOR VALUES FROM ('2028-11-01') TO ('2028-12-01');
CREATE TABLE reading_2028_12 PARTITION OF reading FOR VALUES FROM ('2028-12-01') TO ('2029-01-01');
CREATE TABLE reading_2029_01 PARTITION OF reading FOR VALUES FROM ('2029-01-01') TO ('2029-02-01');
CREATE TABLE reading_2029_02 PARTITION OF reading FOR VALUES FROM ('2029-02-01') TO ('2029-03-01');
CREATE TABLE reading_2029_03 PARTITION OF reading FOR VALUES FROM ('2029-03-01') TO ('2029-04-01');
CREATE TABLE reading_2029_04 PARTITION OF reading FOR VALUES FROM ('2029-04-01') TO ('2029-05-01');
CREATE TABLE reading_2029_05 PARTITION OF reading FOR VALUES FROM ('2029-05-01') TO ('2029-06-01');
CREATE TABLE reading_2029_06 PARTITION OF reading FOR VALUES FROM ('2029-06-01') TO ('2029-07-01');
CREATE TABLE reading_2029_07 PARTITION OF reading FOR VALUES FROM ('2029-07-01') TO ('2029-08-01');
CREATE TABLE reading_2029_08 PARTITION OF reading FOR VALUES FROM ('2029-08-01') TO ('2029-09-01');
CREATE TABLE reading_2029_09 PARTITION OF reading FOR VALUES FROM ('2029-09-01') TO ('2029-10-01');
CREATE TABLE reading_2029_10 PARTITION OF reading FOR VALUES FROM ('2029-10-01') TO ('2029-11-01');
CREATE TABLE reading_2029_11 PARTITION OF reading FOR VALUES FROM ('2029-11-01') TO ('2029-12-01');
CREATE TABLE reading_2029_12 PARTITION OF reading FOR VALUES FROM ('2029-12-01') TO ('2030-01-01');
CREATE TABLE reading_2030_01 PARTITION OF reading FOR VALUES FROM ('2030-01-01') TO ('2030-02-01');
CREATE TABLE reading_2030_02 PARTITION OF reading FOR VALUES FROM ('2030-02-01') TO ('2030-03-01');
CREATE TABLE reading_2030_03 PARTITION OF reading FOR VALUES FROM ('2030-03-01') TO ('2030-04-01');
CREATE TABLE reading_2030_04 PARTITION OF reading FOR VALUES FROM ('2030-04-01') TO ('2030-05-01');
CREATE TABLE reading_2030_05 PARTITION OF reading FOR VALUES FROM ('2030-05-01') TO ('2030-06-01');
CREATE TABLE reading_2030_06 PARTITION OF reading FOR VALUES FROM ('2030-06-01') TO ('2030-07-01');
CREATE TABLE reading_2030_07 PARTITION OF reading FOR VALUES FROM ('2030-07-01') TO ('2030-08-01');
CREATE TABLE reading_2030_08 PARTITION OF reading FOR VALUES FROM ('2030-08-01') TO ('2030-09-01');
CREATE TABLE reading_2030_09 PARTITION OF reading FOR VALUES FROM ('2030-09-01') TO ('2030-10-01');
CREATE TABLE reading_2030_10 PARTITION OF reading FOR VALUES FROM ('2030-10-01') TO ('2030-11-01');
CREATE TABLE reading_2030_11 PARTITION OF reading FOR VALUES FROM ('2030-11-01') TO ('2030-12-01');
CREATE TABLE reading_2030_12 PARTITION OF reading FOR VALUES FROM ('2030-12-01') TO ('2031-01-01');
CREATE INDEX reading_metric_ts ON reading (metric, ts);
CREATE TABLE reading_correction (
    site_id       text NOT NULL,
    metric        text NOT NULL,
    ts            timestamptz NOT NULL,
    old_value     double precision NOT NULL,
    new_value     double precision NOT NULL,
    new_unit_in   text NOT NULL,
    new_value_in  double precision NOT NULL,
    corrected_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reading_correction_key ON reading_correction (site_id, metric, ts);
-- Bad input is kept, never dropped: the first bytes of the payload, why it
-- was refused, and which element of a batch array (NULL: the whole message).
CREATE TABLE rejected_message (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    received_at    timestamptz NOT NULL,
    topic          text NOT NULL,
    reason         text NOT NULL,
    detail         text,
    element        integer,
    payload        bytea NOT NULL,
    payload_bytes  integer NOT NULL,
    truncated      boolean NOT NULL
);
CREATE INDEX rejected_message_received ON rejected_message (received_at);

-- ==== formerly 002_targets.sql
-- enertrack migration 002: targets, progress against the time-proportional
-- schedule (序时进度), and the alert history and mail queue.
--
-- The maths lives here, in one place, because the view and the function are
-- a public interface (psql, Grafana, Excel); the daemon and `enertrack
-- status` read them rather than computing their own.

-- Units and metrics, mirroring lib/units.c (tests/integration/test_targets.sh
-- checks that the two agree).
CREATE TABLE unit (
    name    text PRIMARY KEY,
    dim     text NOT NULL,
    factor  double precision NOT NULL
);
INSERT INTO unit VALUES
    ('t', 'mass', 1), ('kt', 'mass', 1e3), ('Mt', 'mass', 1e6), ('万吨', 'mass', 1e4), ('亿吨', 'mass', 1e8),
    ('kW', 'power', 1e-3), ('MW', 'power', 1), ('GW', 'power', 1e3), ('万千瓦', 'power', 10),
    ('kWh', 'energy', 1e-3), ('MWh', 'energy', 1), ('GWh', 'energy', 1e3), ('万千瓦时', 'energy', 10), ('亿千瓦时', 'energy', 1e5),
    ('tce', 'coal_eq', 1), ('万吨标准煤', 'coal_eq', 1e4),
    ('CNY', 'money', 1), ('元', 'money', 1), ('万元', 'money', 1e4), ('亿元', 'money', 1e8),
    ('%', 'share', 1);
-- How a metric adds up over a year and how people read it.
CREATE TABLE metric (
    name           text PRIMARY KEY,
    dim            text,
    aggregate      text NOT NULL CHECK (aggregate IN ('sum', 'level', 'ratio')),
    label          text NOT NULL,
    display_unit   text NOT NULL,
    display_div    double precision NOT NULL,
    -- a flow is reported continuously (a silent site is missing data);
    -- an event (commissioning) is not, and a site is never stale for it
    flow           boolean NOT NULL
);
INSERT INTO metric VALUES
    ('raw_coal', 'mass', 'sum', 'Raw coal', 'Mt', 1e6, true),
    ('capacity_commissioned', 'power', 'sum', 'New-energy capacity', 'MW', 1, false),
    ('retrofit_capacity', 'power', 'sum', 'Coal-power retrofits', 'MW', 1, false),
    ('generation', 'energy', 'sum', 'Generation', 'GWh', 1e3, true),
    ('energy_consumption', 'coal_eq', 'sum', 'Energy consumption', 'Mtce', 1e6, true),
    ('gdp', 'money', 'sum', 'GDP', '亿元', 1e8, true),
    ('advanced_capacity_share', 'share', 'level', 'Advanced coal capacity share', '%', 1, true),
    ('energy_intensity', NULL, 'ratio', 'Energy intensity', '%', 1, true);
-- Hourly (UTC) sums per site, metric and source, kept by the writer in the
-- same transaction as the readings, so that progress over a year reads
-- thousands of rows, not millions.
CREATE TABLE reading_hourly (
    site_id    text NOT NULL,
    metric     text NOT NULL,
    source     text NOT NULL DEFAULT '',
    hour       timestamptz NOT NULL,
    value_sum  double precision NOT NULL,
    n          integer NOT NULL,
    last_ts    timestamptz NOT NULL,
    PRIMARY KEY (metric, hour, site_id, source)
);
CREATE TABLE target (
    id             integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    metric         text NOT NULL REFERENCES metric (name),
    year           integer NOT NULL CHECK (year BETWEEN 2000 AND 2200),
    kind           text NOT NULL CHECK (kind IN ('about', 'at_least', 'reduce_by_pct')),
    value          double precision NOT NULL CHECK (value > 0),
    unit           text NOT NULL REFERENCES unit (name),
    tolerance_pct  double precision NOT NULL DEFAULT 2 CHECK (tolerance_pct >= 0),
    scope          text NOT NULL DEFAULT 'city'
                   CHECK (scope = 'city' OR scope ~ '^county:.+$' OR scope ~ '^site:[a-z0-9][a-z0-9_.-]{0,63}$'),
    -- 12 monthly weights; NULL: linear in time
    -- (CHECK schedule IS NULL OR enertrack_weights_ok(schedule): made in
    -- functions/enertrack_weights_ok.sql, after the function)
    schedule       double precision[],
    -- capacity_commissioned: which sources count (NULL: solar, wind, biomass)
    sources        text[],
    plan_text      text,
    UNIQUE (metric, year, scope)
);
COMMENT ON TABLE target IS 'Annual targets. Add one with INSERT INTO target (metric, year, kind, value, unit, tolerance_pct, scope) VALUES (...).';
-- The city's 2024 targets are data, not schema: sql/data/targets_2024.sql,
-- loaded by `enertrack migrate --seed`.

-- The settings the view needs; the daemon writes its [targets] section here
-- at start and on reload.
CREATE TABLE target_setting (
    id               boolean PRIMARY KEY DEFAULT true CHECK (id),
    timezone         text NOT NULL DEFAULT 'Asia/Shanghai',
    min_elapsed_pct  double precision NOT NULL DEFAULT 5,
    stale_after_s    integer NOT NULL DEFAULT 3600
);
INSERT INTO target_setting DEFAULT VALUES;
-- Alerts: one state per target, one row per change, one mail per change.
CREATE TABLE alert_state (
    target_id     integer PRIMARY KEY REFERENCES target (id) ON DELETE CASCADE,
    state         text NOT NULL CHECK (state IN ('ok', 'pending', 'firing')),
    since         timestamptz NOT NULL,
    last_mail_at  timestamptz,
    drift_pct     double precision,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE drift_event (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    target_id   integer NOT NULL REFERENCES target (id) ON DELETE CASCADE,
    at          timestamptz NOT NULL DEFAULT now(),
    from_state  text NOT NULL,
    to_state    text NOT NULL,
    event       text NOT NULL,
    status      text,
    drift_pct   double precision,
    expected    double precision,
    actual      double precision
);
CREATE TABLE alert_outbox (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    drift_event_id   bigint REFERENCES drift_event (id) ON DELETE SET NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    subject          text NOT NULL,
    message          text NOT NULL,
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_error       text,
    sent_at          timestamptz
);
CREATE INDEX alert_outbox_due ON alert_outbox (next_attempt_at) WHERE sent_at IS NULL;

-- ==== formerly 003_roles.sql
-- Least privilege: two group roles, created once per cluster.
--   enertrack_ingest: what enertrackd needs and no more: add readings and
--     sites, correct readings, keep rejected messages, roll up hours, and
--     evaluate targets (alert state, events, the mail outbox). No DELETE on
--     data, no DDL, no TRUNCATE.
--   enertrack_reader: what operators read: every table and view, nothing else.
-- Give them to login roles, e.g.:
--   CREATE ROLE enertrackd LOGIN PASSWORD '...' IN ROLE enertrack_ingest;
--   CREATE ROLE bureau LOGIN PASSWORD '...' IN ROLE enertrack_reader;
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'enertrack_ingest') THEN
        CREATE ROLE enertrack_ingest NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'enertrack_reader') THEN
        CREATE ROLE enertrack_reader NOLOGIN;
    END IF;
    -- the daemon's staging table is a temporary one
    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO enertrack_ingest',
                   current_database());
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO enertrack_reader', current_database());
END $$;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO enertrack_ingest, enertrack_reader;
-- ingest
GRANT SELECT, INSERT, UPDATE ON reading, reading_hourly, site TO enertrack_ingest;
GRANT SELECT, INSERT ON reading_correction, rejected_message, drift_event TO enertrack_ingest;
GRANT SELECT, INSERT, UPDATE ON alert_state, alert_outbox TO enertrack_ingest;
GRANT SELECT, UPDATE ON target_setting TO enertrack_ingest;
GRANT SELECT ON unit, metric, target, schema_migration TO enertrack_ingest;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO enertrack_ingest;
-- reader
GRANT SELECT ON ALL TABLES IN SCHEMA public TO enertrack_reader;

-- ==== formerly 004_write_path.sql
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

-- ==== formerly 006_settings.sql
-- enertrack migration 006: the targets' settings of one session.
--
-- target_setting held one row that every evaluation overwrote, so that
-- `enertrack status` ran in the time zone the daemon last wrote, and
-- `enertrack evaluate -c other.conf` changed the daemon's settings.
-- The stored row is now target_setting_stored (the daemon keeps writing it:
-- psql, Grafana and the target_progress view read it), and target_setting
-- is a view of it in which a session's own values, when it set any, win:
--   SELECT set_config('enertrack.timezone', 'UTC', true);
--   SELECT set_config('enertrack.min_elapsed_pct', '5', true);
--   SELECT set_config('enertrack.stale_after_s', '3600', true);
-- (true: until the end of the transaction). The view is
-- sql/views/target_setting.sql.
ALTER TABLE target_setting RENAME TO target_setting_stored;
-- the privileges of 003 on the table moved with it; the view has its own
COMMENT ON TABLE target_setting_stored IS 'One row: the [targets] settings enertrackd stored at start and on reload; target_setting shows them unless a session set its own.';

-- ==== formerly 007_statistics.sql
-- enertrack migration 007: official statistics (the statistics bureau's
-- figures), imported from CSV by `enertrack import`, with the history of
-- every value a later import revised.
--
--   statistic_prepare()  makes the session's staging table for an import;
--   statistic_apply()    puts the staged rows into statistic: new keys are
--                        inserted, a changed value moves the old one into
--                        statistic_revision and bumps revision, an unchanged
--                        row changes nothing; returns the three counts;
--   statistic_put(...)   the same for one row, for psql and scripts.
-- An import is one transaction: BEGIN; SELECT statistic_prepare(); COPY
-- et_stage_statistic (...) FROM STDIN; SELECT * FROM statistic_apply();
-- COMMIT (or ROLLBACK for a dry run).

-- Official statistics (the statistics bureau's figures), imported by `enertrack import`.
CREATE TABLE statistic (
    scope         text NOT NULL
                  CHECK (scope = 'city' OR scope ~ '^county:.+$' OR scope ~ '^site:[a-z0-9][a-z0-9_.-]{0,63}$'),
    metric        text NOT NULL REFERENCES metric (name),
    period        text NOT NULL CHECK (period ~ '^[0-9]{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$'),
    period_start  date NOT NULL,   -- first day of the period (local calendar)
    period_end    date NOT NULL,   -- first day after it
    value         double precision NOT NULL,  -- in the metric's canonical unit (unit table factor)
    unit_in       text NOT NULL REFERENCES unit (name),
    value_in      double precision NOT NULL,  -- as written in the file
    source        text NOT NULL CHECK (source <> ''),
    note          text NOT NULL DEFAULT '',
    imported_at   timestamptz NOT NULL DEFAULT now(),
    revision      integer NOT NULL DEFAULT 1,
    PRIMARY KEY (scope, metric, period, source)
);
-- Every value a re-import replaced, with when it was replaced.
CREATE TABLE statistic_revision (
    scope text NOT NULL, metric text NOT NULL, period text NOT NULL, source text NOT NULL,
    revision integer NOT NULL, value double precision NOT NULL, unit_in text NOT NULL,
    value_in double precision NOT NULL, note text NOT NULL, imported_at timestamptz NOT NULL,
    replaced_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, metric, period, source, revision)
);
COMMENT ON TABLE statistic IS
    'Official statistics (the statistics bureau''s figures), one row per scope, metric, period and source, as `enertrack import FILE.csv` last imported them; older values are in statistic_revision.';
COMMENT ON COLUMN statistic.scope IS 'What the figure covers: city, county:<name> (as site.county) or site:<id>.';
COMMENT ON COLUMN statistic.metric IS 'The metric (metric.name), e.g. raw_coal.';
COMMENT ON COLUMN statistic.period IS 'The period as written: YYYY-MM (a month), YYYY-Qn (a quarter) or YYYY (a year).';
COMMENT ON COLUMN statistic.period_start IS 'First day of the period, in the local calendar.';
COMMENT ON COLUMN statistic.period_end IS 'First day after the period, in the local calendar.';
COMMENT ON COLUMN statistic.value IS 'The figure in the metric''s canonical unit (value_in times the unit table''s factor).';
COMMENT ON COLUMN statistic.unit_in IS 'The unit the file gave (unit.name), e.g. 万吨.';
COMMENT ON COLUMN statistic.value_in IS 'The figure as the file gave it, in unit_in.';
COMMENT ON COLUMN statistic.source IS 'Who published the figure (e.g. the statistics bureau); several sources may give the same period.';
COMMENT ON COLUMN statistic.note IS 'The file''s note for the figure; '''' when none.';
COMMENT ON COLUMN statistic.imported_at IS 'When the import that wrote this value (this revision) ran.';
COMMENT ON COLUMN statistic.revision IS '1 for the first value; each import that changed value_in, unit_in or note added 1 and kept the old row in statistic_revision.';
COMMENT ON TABLE statistic_revision IS
    'Every value of statistic that a later import replaced, with when it was replaced; the current value is in statistic.';
COMMENT ON COLUMN statistic_revision.scope IS 'statistic.scope of the replaced row.';
COMMENT ON COLUMN statistic_revision.metric IS 'statistic.metric of the replaced row.';
COMMENT ON COLUMN statistic_revision.period IS 'statistic.period of the replaced row.';
COMMENT ON COLUMN statistic_revision.source IS 'statistic.source of the replaced row.';
COMMENT ON COLUMN statistic_revision.revision IS 'The revision number the replaced value had.';
COMMENT ON COLUMN statistic_revision.value IS 'The replaced value, in the metric''s canonical unit.';
COMMENT ON COLUMN statistic_revision.unit_in IS 'The replaced value''s unit as its file gave it.';
COMMENT ON COLUMN statistic_revision.value_in IS 'The replaced value as its file gave it, in unit_in.';
COMMENT ON COLUMN statistic_revision.note IS 'The replaced value''s note.';
COMMENT ON COLUMN statistic_revision.imported_at IS 'When the replaced value had been imported.';
COMMENT ON COLUMN statistic_revision.replaced_at IS 'When an import replaced it.';
-- Operators read every table; the daemon reads statistics when it
-- evaluates. Writing them is for the role that runs `enertrack import`
-- (the owner, or one given INSERT and UPDATE on statistic and INSERT on
-- statistic_revision).
GRANT SELECT ON statistic, statistic_revision TO enertrack_ingest, enertrack_reader;

-- ==== formerly 008_target_truth.sql
-- enertrack migration 008: targets judged against the truth.
--
--   1. schedules: linear, 12 monthly weights, or last_year (the share of last
--      year's total reached at the same calendar point, daily, smoothed over
--      7 days); last_year is the default for flow metrics whose last year is
--      at least 90 % covered;
--   2. milestones: capacity targets expect the projects that are due
--      (target_milestone) and list the late ones;
--   3. official statistics (statistic, migration 007) replace telemetry for
--      the closed months, in the order of target_setting.statistics_sources;
--      telemetry_vs_statistics shows the gap per scope and month;
--   4. truth_alert remembers which milestone and reconciliation mails were
--      queued, so that each goes once.
-- target_progress_at keeps its columns and adds schedule_used,
-- schedule_note, month_sources, milestones_due and late_projects.

-- 1. The schedule a target asks for.
ALTER TABLE target ADD COLUMN schedule_kind text
    CHECK (schedule_kind IN ('linear', 'weights', 'last_year'));
ALTER TABLE target ADD CONSTRAINT target_weights_given
    CHECK (schedule_kind IS DISTINCT FROM 'weights' OR schedule IS NOT NULL);
COMMENT ON COLUMN target.schedule_kind IS
    'linear, weights (the 12 of schedule) or last_year; NULL: weights when schedule is set, else last_year for a flow metric whose last year is at least 90 % covered, else linear.';
COMMENT ON COLUMN target.schedule IS '12 monthly weights of the expected progress (schedule_kind weights, or NULL schedule_kind).';
-- 2. Milestones: one row per project of a capacity target.
CREATE TABLE target_milestone (
    id         integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    target_id  integer NOT NULL REFERENCES target (id) ON DELETE CASCADE,
    site_id    text NOT NULL CHECK (site_id ~ '^[a-z0-9][a-z0-9_.-]{0,63}$'),
    name       text NOT NULL,
    due        date NOT NULL,
    value      double precision NOT NULL CHECK (value > 0),
    unit       text NOT NULL REFERENCES unit (name),
    UNIQUE (target_id, name)
);
CREATE INDEX target_milestone_target ON target_milestone (target_id, due);
COMMENT ON TABLE target_milestone IS
    'Planned projects of a capacity target (capacity_commissioned, retrofit_capacity): its expected value is the sum of the milestones due.';
COMMENT ON COLUMN target_milestone.id IS 'The milestone''s number (truth_alert).';
COMMENT ON COLUMN target_milestone.target_id IS 'The target (target.id).';
COMMENT ON COLUMN target_milestone.site_id IS 'The site whose readings count for the project (it need not have reported yet).';
COMMENT ON COLUMN target_milestone.name IS 'The project''s name, as mails and status show it.';
COMMENT ON COLUMN target_milestone.due IS 'Planned commissioning date (local calendar): due from that day on.';
COMMENT ON COLUMN target_milestone.value IS 'Planned size, in unit.';
COMMENT ON COLUMN target_milestone.unit IS 'The unit of value (unit.name).';
-- 3. Which statistics sources count, in order (empty: all, by name).
ALTER TABLE target_setting_stored ADD COLUMN statistics_sources text[] NOT NULL DEFAULT '{}';
COMMENT ON COLUMN target_setting_stored.statistics_sources IS
    '[targets] statistics_sources: the statistic.source values that count, first preferred; empty: every source, by name.';
-- The profiles, kept by the evaluation (target_profile_refresh) so that an
-- evaluation a minute does not read last year's readings each time.
CREATE TABLE target_profile (
    target_id    integer NOT NULL REFERENCES target (id) ON DELETE CASCADE,
    day          date NOT NULL,
    w            double precision NOT NULL,
    coverage     double precision NOT NULL,
    timezone     text NOT NULL,
    computed_at  timestamptz NOT NULL,
    PRIMARY KEY (target_id, day)
);
COMMENT ON TABLE target_profile IS 'The last_year profiles of the targets, as target_last_year_weights computed them at computed_at; younger than an hour, they stand for it.';
COMMENT ON COLUMN target_profile.target_id IS 'The target.';
COMMENT ON COLUMN target_profile.day IS 'A day of the target''s year.';
COMMENT ON COLUMN target_profile.w IS 'Its weight: last year''s smoothed total at that calendar point.';
COMMENT ON COLUMN target_profile.coverage IS 'Share of last year''s days with readings (0..1).';
COMMENT ON COLUMN target_profile.timezone IS 'The zone the days were counted in.';
COMMENT ON COLUMN target_profile.computed_at IS 'When it was computed.';
GRANT SELECT, INSERT, UPDATE ON target_profile TO enertrack_ingest;
GRANT SELECT ON target_milestone, statistic TO enertrack_ingest;
-- 7. The milestone and reconciliation mails queued, so that each goes once.
CREATE TABLE truth_alert (
    kind        text NOT NULL CHECK (kind IN ('milestone', 'reconcile')),
    key         text NOT NULL,
    firing      boolean NOT NULL,
    since       timestamptz NOT NULL,
    detail      text,
    outbox_id   bigint REFERENCES alert_outbox (id) ON DELETE SET NULL,
    PRIMARY KEY (kind, key)
);
COMMENT ON TABLE truth_alert IS 'Milestone and reconciliation alerts: one row per late project or per county and metric, with the mail queued for it.';
COMMENT ON COLUMN truth_alert.kind IS 'milestone (a project overdue) or reconcile (a county''s telemetry off its statistics).';
COMMENT ON COLUMN truth_alert.key IS 'milestone: target_milestone.id; reconcile: "<scope>|<metric>".';
COMMENT ON COLUMN truth_alert.firing IS 'true while the problem lasts (a milestone alert never clears: one mail per project).';
COMMENT ON COLUMN truth_alert.since IS 'When the evaluation saw it start (or, reconcile, end).';
COMMENT ON COLUMN truth_alert.detail IS 'What the mail said, in one line.';
COMMENT ON COLUMN truth_alert.outbox_id IS 'The mail (alert_outbox.id).';
GRANT SELECT, INSERT, UPDATE ON truth_alert TO enertrack_ingest;

-- ==== formerly 009_counters.sql
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

-- ==== formerly 010_sparkplug.sql
-- Sparkplug B: which Sparkplug metric is which enertrack reading, what
-- arrived without a mapping, and deaths that make sites stale at once.
--   sparkplug_map           (group, edge node, device, metric name) -> site, metric, unit
--   sparkplug_unmapped_metric, view sparkplug_unmapped: metrics seen without a mapping
--   site.offline_since      set by an NDEATH/DDEATH of a node or device mapped to the site
--   sparkplug_prepare(), sparkplug_apply(): the daemon's staging of Sparkplug values
-- enertrackd stages each batch's Sparkplug values in pg_temp.et_stage_sparkplug;
-- sparkplug_apply() turns the mapped ones into rows of pg_temp.et_stage_reading,
-- which ingest_apply() then writes like any reading, in the same transaction.
CREATE TABLE sparkplug_map (
    group_id     text NOT NULL,
    edge_node    text NOT NULL,
    device       text NOT NULL DEFAULT '',
    metric_name  text NOT NULL,
    site_id      text NOT NULL REFERENCES site (id),
    metric       text NOT NULL REFERENCES metric (name),
    unit         text NOT NULL REFERENCES unit (name),
    counter      boolean NOT NULL DEFAULT false,
    rollover     double precision CHECK (rollover IS NULL OR rollover > 0),
    PRIMARY KEY (group_id, edge_node, device, metric_name)
);
CREATE INDEX sparkplug_map_site ON sparkplug_map (site_id);
COMMENT ON TABLE sparkplug_map IS
    'Maps a Sparkplug B metric (group, edge node, device, metric name) to an enertrack site, metric and unit. The site must exist (INSERT INTO site first). A change applies to the next batch the daemon writes.';
COMMENT ON COLUMN sparkplug_map.group_id IS 'Sparkplug group id (the topic''s second level).';
COMMENT ON COLUMN sparkplug_map.edge_node IS 'Sparkplug edge node id.';
COMMENT ON COLUMN sparkplug_map.device IS 'Sparkplug device id; '''' for a metric of the edge node itself.';
COMMENT ON COLUMN sparkplug_map.metric_name IS 'The metric''s name as its birth certificate gives it (DATA messages may carry only the alias).';
COMMENT ON COLUMN sparkplug_map.site_id IS 'The site the values belong to.';
COMMENT ON COLUMN sparkplug_map.metric IS 'The enertrack metric (metric.name).';
COMMENT ON COLUMN sparkplug_map.unit IS 'The unit the edge node sends the value in (unit.name); of the metric''s dimension.';
COMMENT ON COLUMN sparkplug_map.counter IS 'The value is a running total (a totaliser): the reading is stored with counter = true.';
COMMENT ON COLUMN sparkplug_map.rollover IS 'Where a counter wraps to 0 (e.g. 999999.9); NULL when it does not.';
CREATE TABLE sparkplug_unmapped_metric (
    group_id     text NOT NULL,
    edge_node    text NOT NULL,
    device       text NOT NULL,
    metric_name  text NOT NULL,
    datatype     integer,
    first_seen   timestamptz NOT NULL,
    last_seen    timestamptz NOT NULL,
    last_value   double precision,
    n_values     bigint NOT NULL,
    PRIMARY KEY (group_id, edge_node, device, metric_name)
);
COMMENT ON TABLE sparkplug_unmapped_metric IS
    'Sparkplug metrics whose values arrived while no sparkplug_map row mapped them: counted, with the last value, not stored as readings. See the view sparkplug_unmapped.';
COMMENT ON COLUMN sparkplug_unmapped_metric.group_id IS 'Sparkplug group id.';
COMMENT ON COLUMN sparkplug_unmapped_metric.edge_node IS 'Sparkplug edge node id.';
COMMENT ON COLUMN sparkplug_unmapped_metric.device IS 'Sparkplug device id; '''' for the edge node''s own metrics.';
COMMENT ON COLUMN sparkplug_unmapped_metric.metric_name IS 'The metric''s name.';
COMMENT ON COLUMN sparkplug_unmapped_metric.datatype IS 'Sparkplug datatype number (9 Float, 10 Double, 3 Int32, ...).';
COMMENT ON COLUMN sparkplug_unmapped_metric.first_seen IS 'Timestamp of the first unmapped value.';
COMMENT ON COLUMN sparkplug_unmapped_metric.last_seen IS 'Timestamp of the latest unmapped value.';
COMMENT ON COLUMN sparkplug_unmapped_metric.last_value IS 'The latest unmapped value, as sent.';
COMMENT ON COLUMN sparkplug_unmapped_metric.n_values IS 'Values that arrived unmapped (and were not stored).';
ALTER TABLE site ADD COLUMN offline_since timestamptz;
COMMENT ON COLUMN site.offline_since IS
    'When a Sparkplug NDEATH or DDEATH of an edge node or device mapped to this site arrived; the site counts as stale from then until the next NBIRTH or DBIRTH. NULL when alive.';
GRANT SELECT ON sparkplug_map, sparkplug_unmapped_metric TO enertrack_ingest;

-- ==== formerly 011_operator_views.sql
-- enertrack migration 011: what operators query and decide.
--
--   monthly         per metric and month (local), for the city, each county
--                   and each site: the total in display units, the same
--                   month a year before, the change in %;
--   site_health     per site and metric: last reading, usual interval,
--                   stale or not, rejects of the last 24 h by reason;
--   alert_history   every drift event with its mail's delivery state;
--   alert_silence   silences and acknowledgements (who, when, why, until);
--   alert_route     who else gets the mails of which targets;
--   digest_sent     one row per digest period: one digest, however many
--                   daemons run.

-- 1. Silences and acknowledgements. A silence holds until `until`; an
-- acknowledgement until the alert resolves (ended_at is then set). Neither
-- is ever deleted: an expired one is history.
CREATE TABLE alert_silence (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    target_id   integer NOT NULL REFERENCES target (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('silence', 'ack')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text NOT NULL,
    reason      text NOT NULL CHECK (reason <> ''),
    until       timestamptz,
    ended_at    timestamptz,
    CHECK ((kind = 'silence') = (until IS NOT NULL))
);
CREATE INDEX alert_silence_target ON alert_silence (target_id, created_at);
COMMENT ON TABLE alert_silence IS 'Silences (enertrack silence) and acknowledgements (enertrack ack) of a target''s alert: no reminder mails while one is active; the first firing mail and the resolution still go out. Kept after they end, as history.';
COMMENT ON COLUMN alert_silence.id IS 'Order of creation.';
COMMENT ON COLUMN alert_silence.target_id IS 'The target (target.id) whose reminders it stops.';
COMMENT ON COLUMN alert_silence.kind IS 'silence: until a time; ack: until the alert resolves.';
COMMENT ON COLUMN alert_silence.created_at IS 'When it was given.';
COMMENT ON COLUMN alert_silence.created_by IS 'Who gave it: the login user and the database role, user@role.';
COMMENT ON COLUMN alert_silence.reason IS 'Why, in the words of who gave it.';
COMMENT ON COLUMN alert_silence.until IS 'A silence ends at this time; NULL for an acknowledgement.';
COMMENT ON COLUMN alert_silence.ended_at IS 'An acknowledgement ended when its alert resolved (or a silence was lifted) at this time; NULL while it runs.';
-- 2. Routing: a target whose scope matches scope_pattern (LIKE) also goes
-- to these recipients; [smtp] to gets every mail.
CREATE TABLE alert_route (
    id             integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scope_pattern  text NOT NULL,
    recipients     text NOT NULL CHECK (recipients ~ '@'),
    note           text
);
COMMENT ON TABLE alert_route IS 'Who else gets which mails: the mails of a target whose scope matches scope_pattern also go to recipients, e.g. (''county:襄垣'', ''xiangyuan-office@example.org''). [smtp] to gets every mail.';
COMMENT ON COLUMN alert_route.id IS 'Order of creation.';
COMMENT ON COLUMN alert_route.scope_pattern IS 'A LIKE pattern over target.scope: ''county:襄垣'', ''county:%'', ''site:xy-%'', ''city''.';
COMMENT ON COLUMN alert_route.recipients IS 'Addresses, separated by commas or spaces.';
COMMENT ON COLUMN alert_route.note IS 'Whose they are, for people.';
ALTER TABLE alert_outbox ADD COLUMN recipients text;
COMMENT ON COLUMN alert_outbox.recipients IS 'The envelope recipients, separated by commas; NULL: the sending daemon''s [smtp] to.';
ALTER TABLE alert_outbox ADD COLUMN kind text NOT NULL DEFAULT 'alert' CHECK (kind IN ('alert', 'digest'));
COMMENT ON COLUMN alert_outbox.kind IS 'alert: one drift event''s mail; digest: the daily digest.';
ALTER TABLE drift_event ADD COLUMN silenced_by bigint REFERENCES alert_silence (id) ON DELETE SET NULL;
COMMENT ON COLUMN drift_event.silenced_by IS 'A reminder that a silence or an acknowledgement (alert_silence.id) kept from being mailed.';
-- 3. The digest: one row per period (the local date), written in the same
-- transaction as its mail, so that of several daemons one sends it.
CREATE TABLE digest_sent (
    period      date PRIMARY KEY,
    created_at  timestamptz NOT NULL DEFAULT now(),
    outbox_id   bigint REFERENCES alert_outbox (id) ON DELETE SET NULL
);
COMMENT ON TABLE digest_sent IS 'One row per daily digest: its period, when it was made and its mail; a period with a row gets no second digest.';
COMMENT ON COLUMN digest_sent.period IS 'The local date ([targets] timezone) the digest is of.';
COMMENT ON COLUMN digest_sent.created_at IS 'When the digest was made; the next digest reports what changed since.';
COMMENT ON COLUMN digest_sent.outbox_id IS 'Its mail in alert_outbox (NULL when there was nobody to send it to).';
-- 4. The views: sql/views/monthly.sql, site_health.sql, alert_history.sql.

-- A site's last hours fast: its rows of reading_hourly by site.
CREATE INDEX reading_hourly_site ON reading_hourly (site_id, metric, hour);
-- 5. Privileges: the daemon reads routes and silences, ends acknowledgements
-- and records digests; the operator's tool writes silences with the
-- configured role; readers read everything.
GRANT SELECT, INSERT, UPDATE ON alert_silence TO enertrack_ingest;
GRANT SELECT ON alert_route TO enertrack_ingest;
GRANT SELECT, INSERT ON digest_sent TO enertrack_ingest;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO enertrack_ingest;
GRANT SELECT ON alert_silence, alert_route, digest_sent TO enertrack_reader;

-- ==== formerly 012_presentation.sql
-- enertrack migration 012: what operators read in their language.
--
-- Metric labels in Simplified Chinese beside the English ones, for the
-- mails, the status page, `enertrack status` and the reports when
-- [alerts] language = zh-CN. metric_label(name, lang) picks one.
ALTER TABLE metric ADD COLUMN label_zh text;
COMMENT ON COLUMN metric.label_zh IS 'The label in Simplified Chinese (zh-CN); NULL: the English label is shown.';
UPDATE metric SET label_zh = v.zh
  FROM (VALUES ('raw_coal', '原煤产量'),
               ('capacity_commissioned', '新能源新增装机'),
               ('retrofit_capacity', '煤电机组改造'),
               ('generation', '发电量'),
               ('energy_consumption', '能源消费总量'),
               ('gdp', '地区生产总值'),
               ('advanced_capacity_share', '先进煤电产能占比'),
               ('energy_intensity', '单位GDP能耗下降')) AS v (name, zh)
 WHERE metric.name = v.name;

-- ==== formerly 013_partitions.sql
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
