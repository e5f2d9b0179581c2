-- SPDX-License-Identifier: MIT
CREATE OR REPLACE FUNCTION reading_hourly_truncated() RETURNS trigger
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
