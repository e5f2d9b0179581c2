-- SPDX-License-Identifier: MIT
-- Makes the partition of the month holding t if it is missing, moving the
-- rows of that month out of reading_default first (a partition cannot be
-- made while the default one holds rows of its range). Returns the rows
-- moved, or -1 when the partition existed.
CREATE OR REPLACE FUNCTION reading_partition_ensure(t timestamptz) RETURNS bigint
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
REVOKE ALL ON FUNCTION reading_partition_ensure(timestamptz) FROM PUBLIC;
