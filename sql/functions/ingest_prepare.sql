-- SPDX-License-Identifier: MIT
-- The write path's staging table, made once per session: the batch as
-- enertrackd COPYs it (counter rows with their rollover as sent, in
-- unit_in), emptied at each commit; ingest_apply reads it.
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
            covers_from  timestamptz,
            chg          integer NOT NULL DEFAULT 0
        ) ON COMMIT DELETE ROWS;
        -- owned by this function's owner, visible to this session only
        GRANT INSERT ON pg_temp.et_stage_reading TO enertrack_ingest;
    ELSIF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'pg_temp.et_stage_reading'::regclass
                      AND attname = 'rollover' AND NOT attisdropped) THEN
        -- a session that prepared before migration 009
        ALTER TABLE pg_temp.et_stage_reading ADD COLUMN rollover double precision;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'pg_temp.et_stage_reading'::regclass
                   AND attname = 'covers_from' AND NOT attisdropped) THEN
        -- a session that prepared before migration 018
        ALTER TABLE pg_temp.et_stage_reading ADD COLUMN covers_from timestamptz;
    END IF;
END $$;
COMMENT ON FUNCTION ingest_prepare() IS
    'Makes this session''s staging table pg_temp.et_stage_reading (emptied at each commit) if it does not exist. enertrackd calls it once per connection, then per batch: BEGIN; COPY et_stage_reading (...) FROM STDIN; SELECT * FROM ingest_apply(...); COMMIT.';
REVOKE ALL ON FUNCTION ingest_prepare() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ingest_prepare() TO enertrack_ingest;
