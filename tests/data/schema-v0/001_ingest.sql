-- SPDX-License-Identifier: MIT
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

-- Monthly partitions; readings outside them land in reading_default.
CREATE FUNCTION enertrack_add_partitions(first_year int, last_year int) RETURNS int
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
                made := made + 1;
            END IF;
        END LOOP;
    END LOOP;
    RETURN made;
END $$;
SELECT enertrack_add_partitions(2020, 2030);

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
