-- SPDX-License-Identifier: MIT
-- Gives a table (reading or one of its partitions) the rollup's triggers.
CREATE OR REPLACE FUNCTION reading_hourly_attach(rel regclass) RETURNS void
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
REVOKE ALL ON FUNCTION reading_hourly_attach(regclass) FROM PUBLIC;
-- reading and every partition it has carry the triggers (a partition made
-- later gets them from enertrack_add_partitions or reading_partition_ensure).
SELECT reading_hourly_attach('reading'::regclass);
SELECT reading_hourly_attach(inhrelid::regclass) FROM pg_inherits WHERE inhparent = 'reading'::regclass;
