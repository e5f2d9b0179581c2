-- SPDX-License-Identifier: MIT
-- A history that maintains itself: enertrack_maintain(), which enertrackd
-- runs every [retention] interval_s (one daemon at a time), makes the
-- monthly partitions of reading ahead of time, moves rows that landed in
-- reading_default into a partition of their own, drops raw months past
-- [retention] raw_months once the hourly rollup is confirmed to hold them,
-- and trims rejected_message and reading_correction. No foreign key points
-- from reading anywhere and its primary key holds site_id: a Citus
-- distribution by site_id stays possible.

-- The offset at which the existing monthly partitions start their months
-- (they were made in the session time zone of the migration): new ones
-- continue the same chain. Zero when there are none.
CREATE OR REPLACE FUNCTION reading_partition_offset() RETURNS interval
LANGUAGE sql STABLE AS $$
    SELECT coalesce((
        SELECT make_timestamp(substr(c.relname, 9, 4)::int, substr(c.relname, 14, 2)::int, 1, 0, 0, 0)
               - ((regexp_match(pg_get_expr(c.relpartbound, c.oid),
                                '^FOR VALUES FROM \(''([^'']*)''\)'))[1]::timestamptz AT TIME ZONE 'UTC')
          FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'reading'::regclass AND c.relname ~ '^reading_\d{4}_\d{2}$'
         ORDER BY c.relname DESC LIMIT 1), interval '0')
$$;
COMMENT ON FUNCTION reading_partition_offset() IS
    'How far before UTC midnight the monthly partitions of reading start their months (e.g. 8 hours when they were made in Asia/Shanghai).';
