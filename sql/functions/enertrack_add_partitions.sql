-- SPDX-License-Identifier: MIT
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
REVOKE ALL ON FUNCTION enertrack_add_partitions(integer,integer) FROM PUBLIC;
