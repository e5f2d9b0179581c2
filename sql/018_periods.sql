-- SPDX-License-Identifier: MIT
-- enertrack migration 018: a reading counts in the period it ends.
-- A reading is stamped at the end of what it covers, so every window over
-- readings is (start, end], and reading_hourly's bucket `hour` now holds the
-- readings of (hour, hour + 1 h] instead of [hour, hour + 1 h): a reading of
-- 1 January 00:00 stays in the old year's last hour. The rollup is rebuilt
-- here with the new buckets; reading_hourly_follow() keeps it so afterwards.
-- Hours whose raw partition was dropped already (enertrack_maintain) keep
-- their old bucket: their readings are no longer there to move.
CREATE TEMP TABLE et_018_kept ON COMMIT DROP AS
SELECT h.* FROM reading_hourly h
 WHERE h.hour + interval '1 hour' <= coalesce((SELECT min(r.ts) FROM reading r), 'infinity');
TRUNCATE reading_hourly;
INSERT INTO reading_hourly (site_id, metric, source, hour, value_sum, n, last_ts)
SELECT site_id, metric, source, hour, value_sum, n, last_ts FROM et_018_kept;
INSERT INTO reading_hourly AS x (site_id, metric, source, hour, value_sum, n, last_ts)
SELECT site_id, metric, source, date_trunc('hour', ts - interval '1 microsecond', 'UTC'),
       sum(value), count(*), max(ts)
  FROM reading
 GROUP BY 1, 2, 3, 4
ON CONFLICT (metric, hour, site_id, source) DO UPDATE SET
    value_sum = x.value_sum + EXCLUDED.value_sum, n = x.n + EXCLUDED.n,
    last_ts = greatest(x.last_ts, EXCLUDED.last_ts);
COMMENT ON TABLE reading_hourly IS
    'Per site, metric, source and UTC hour: the readings of (hour, hour + 1 h] (a reading counts in the period it ends): their sum, number and latest ts. Kept by triggers on reading (reading_hourly_follow).';
COMMENT ON COLUMN reading_hourly.hour IS 'Start of the UTC hour: the bucket holds the readings of (hour, hour + 1 h].';
COMMENT ON COLUMN reading_hourly.n IS 'Number of readings in (hour, hour + 1 h].';

-- What a reading covers when its message says so (`period` or `start` in a
-- v1 message): (covers_from, ts]. NULL: the message did not say (the
-- reading covers the time since the site's previous one, or is an
-- instant). A nullable column without a default is added to the catalogue
-- only (no rewrite of the partitions), and a NULL in it costs a row no byte:
-- reading's rows already carry a null bitmap (seq, prev_value ... are
-- nullable) and one more column does not widen it (measured: 0 bytes a row
-- without a period, 12 with one; docs/write-path.md). The decoder checks
-- that it is before ts.
ALTER TABLE reading ADD COLUMN covers_from timestamptz;
COMMENT ON COLUMN reading.covers_from IS
    'Where what the reading covers starts, when its message said (`period` or `start`): it covers (covers_from, ts]. NULL when it did not.';
-- The few readings that say what they cover, found without a scan
-- (reading_span_parts and monthly_rows spread them over the windows they
-- cover).
CREATE INDEX reading_covers_idx ON reading (metric, ts) WHERE covers_from IS NOT NULL;
