-- SPDX-License-Identifier: MIT
-- A reading is stamped at the end of what it covers, so the bucket `hour`
-- holds the readings of (hour, hour + 1 h]: one of 01:00 exactly is the
-- hour from 00:00's, and one of 1 January 00:00 stays in the old year.
CREATE OR REPLACE FUNCTION reading_hourly_follow() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    s text[]; m text[]; src text[]; h timestamptz[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- in primary-key order, so that concurrent writers lock in one order
        INSERT INTO reading_hourly AS x (site_id, metric, source, hour, value_sum, n, last_ts)
        SELECT site_id, metric, source, date_trunc('hour', ts - interval '1 microsecond', 'UTC'), sum(value), count(*), max(ts)
        FROM new_rows GROUP BY 1, 2, 3, 4 ORDER BY 2, 4, 1, 3
        ON CONFLICT (metric, hour, site_id, source) DO UPDATE SET
            value_sum = x.value_sum + EXCLUDED.value_sum, n = x.n + EXCLUDED.n,
            last_ts = greatest(x.last_ts, EXCLUDED.last_ts);
        RETURN NULL;
    ELSIF TG_OP = 'UPDATE' THEN
        SELECT array_agg(site_id), array_agg(metric), array_agg(source), array_agg(hour)
          INTO s, m, src, h
          FROM (SELECT site_id, metric, source, date_trunc('hour', ts - interval '1 microsecond', 'UTC') AS hour FROM old_rows
                UNION
                SELECT site_id, metric, source, date_trunc('hour', ts - interval '1 microsecond', 'UTC') FROM new_rows) t;
    ELSE
        SELECT array_agg(site_id), array_agg(metric), array_agg(source), array_agg(hour)
          INTO s, m, src, h
          FROM (SELECT DISTINCT site_id, metric, source, date_trunc('hour', ts - interval '1 microsecond', 'UTC') AS hour
                FROM old_rows) t;
    END IF;
    IF s IS NOT NULL THEN
        PERFORM reading_hourly_refresh(s, m, src, h);
    END IF;
    RETURN NULL;
END $$;
COMMENT ON FUNCTION reading_hourly_follow() IS
    'Trigger (statement level, transition table new_rows/old_rows) on reading and each partition: adds inserted rows to reading_hourly, recomputes the hours an UPDATE or DELETE touched.';
