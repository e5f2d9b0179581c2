-- SPDX-License-Identifier: MIT
CREATE OR REPLACE FUNCTION statistic_prepare() RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF to_regclass('pg_temp.et_stage_statistic') IS NULL THEN
        -- n: the file's line, for messages; the rest as in statistic
        CREATE TEMP TABLE et_stage_statistic (
            n             integer NOT NULL,
            scope         text NOT NULL,
            metric        text NOT NULL,
            period        text NOT NULL,
            period_start  date NOT NULL,
            period_end    date NOT NULL,
            value         double precision NOT NULL,
            unit_in       text NOT NULL,
            value_in      double precision NOT NULL,
            source        text NOT NULL,
            note          text NOT NULL,
            published     date
        ) ON COMMIT DELETE ROWS;
    ELSIF NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = 'pg_temp.et_stage_statistic'::regclass
                                                  AND attname = 'published') THEN
        -- made by an older version in this session
        ALTER TABLE pg_temp.et_stage_statistic ADD COLUMN published date;
    END IF;
END $$;
COMMENT ON FUNCTION statistic_prepare() IS
    'Makes this session''s staging table pg_temp.et_stage_statistic (emptied at each commit) if it does not exist; an import then COPYs its rows into it and calls statistic_apply().';
