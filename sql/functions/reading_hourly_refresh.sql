-- SPDX-License-Identifier: MIT
-- The hourly rollup follows reading.
--
-- Statement-level AFTER triggers with transition tables: on a partitioned
-- table PostgreSQL 15 allows them (row-level ones with transition tables it
-- does not), and they see the rows of every partition the statement touched,
-- an INSERT ... ON CONFLICT DO UPDATE firing the INSERT trigger for the rows
-- it inserted and the UPDATE trigger for those it updated. One aggregate per
-- statement, not one upsert per row: the daemon's 5 000-row batch costs one
-- GROUP BY over its own rows. Statement triggers on the parent do not fire
-- for a statement that names a partition, so every partition carries the same
-- triggers (reading_hourly_attach), and a TRUNCATE, which has no transition
-- table, rebuilds the partition's hours.
--
-- New rows add to their hours; an UPDATE or a DELETE recomputes the hours it
-- touched from reading as it now is (exact: n, the sum and last_ts, whatever
-- moved between hours, sources or partitions).

-- Recomputes the given (site, metric, source, hour) groups from reading;
-- a group holds the readings of (hour, hour + 1 h] (reading_hourly_follow).
CREATE OR REPLACE FUNCTION reading_hourly_refresh(sites text[], metrics text[], sources text[],
                                       hours timestamptz[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM reading_hourly h
    USING unnest(sites, metrics, sources, hours) AS t (site_id, metric, source, hour)
    WHERE h.metric = t.metric AND h.hour = t.hour AND h.site_id = t.site_id AND h.source = t.source;
    INSERT INTO reading_hourly (site_id, metric, source, hour, value_sum, n, last_ts)
    SELECT t.site_id, t.metric, t.source, t.hour, sum(r.value), count(*), max(r.ts)
    FROM unnest(sites, metrics, sources, hours) AS t (site_id, metric, source, hour)
    JOIN reading r ON r.site_id = t.site_id AND r.metric = t.metric AND r.source = t.source
                  AND r.ts > t.hour AND r.ts <= t.hour + interval '1 hour'
    GROUP BY 1, 2, 3, 4 ORDER BY 2, 4, 1, 3;
END $$;
COMMENT ON FUNCTION reading_hourly_refresh(text[], text[], text[], timestamptz[]) IS
    'Recomputes the reading_hourly rows of the given (site_id, metric, source, UTC hour) groups from reading.';
REVOKE ALL ON FUNCTION reading_hourly_refresh(text[],text[],text[],timestamptz[]) FROM PUBLIC;
