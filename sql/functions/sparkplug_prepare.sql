-- SPDX-License-Identifier: MIT
CREATE OR REPLACE FUNCTION sparkplug_prepare() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF to_regclass('pg_temp.et_stage_sparkplug') IS NULL THEN
        -- columns: ET_SP_COPY_COLUMNS (include/enertrack/sparkplug.h)
        CREATE TEMP TABLE et_stage_sparkplug (
            n            integer,
            event        text,     -- data, nbirth, dbirth, ndeath, ddeath
            group_id     text,
            edge_node    text,
            device       text,
            metric_name  text,
            datatype     integer,
            ts           timestamptz,
            value        double precision,
            historical   boolean,
            received_at  timestamptz
        ) ON COMMIT DELETE ROWS;
        GRANT INSERT ON pg_temp.et_stage_sparkplug TO enertrack_ingest;
    END IF;
END $$;
COMMENT ON FUNCTION sparkplug_prepare() IS
    'Makes this session''s staging table pg_temp.et_stage_sparkplug (emptied at each commit). enertrackd calls it once per connection, after ingest_prepare().';
REVOKE ALL ON FUNCTION sparkplug_prepare() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sparkplug_prepare() TO enertrack_ingest;
