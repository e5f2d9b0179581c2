-- SPDX-License-Identifier: MIT
-- Rebuilds the reading_hourly buckets that hold an instant of [from_ts,
-- to_ts). A bucket `hour` holds the readings of (hour, hour + 1 h]
-- (reading_hourly_follow), so the first is the one that ends at or after
-- from_ts, and the bucket is recomputed whole, from readings of either side.
CREATE OR REPLACE FUNCTION reading_hourly_rebuild(from_ts timestamptz DEFAULT '-infinity',
                                       to_ts timestamptz DEFAULT 'infinity') RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    lo timestamptz := CASE WHEN isfinite(from_ts)
                           THEN date_trunc('hour', from_ts - interval '1 microsecond', 'UTC')
                           ELSE from_ts END;
    hi timestamptz := CASE WHEN isfinite(to_ts)
                           THEN date_trunc('hour', to_ts - interval '2 microseconds', 'UTC') + interval '1 hour'
                           ELSE to_ts END;
    made bigint;
BEGIN
    DELETE FROM reading_hourly WHERE hour >= lo AND hour < hi;
    INSERT INTO reading_hourly (site_id, metric, source, hour, value_sum, n, last_ts)
    SELECT site_id, metric, source, date_trunc('hour', ts - interval '1 microsecond', 'UTC'),
           sum(value), count(*), max(ts)
    FROM reading WHERE ts > lo AND ts <= hi
    GROUP BY 1, 2, 3, 4;
    GET DIAGNOSTICS made = ROW_COUNT;
    RETURN made;
END $$;
COMMENT ON FUNCTION reading_hourly_rebuild(timestamptz, timestamptz) IS
    'Rebuilds reading_hourly from reading for the buckets (hour, hour + 1 h] holding an instant of [from_ts, to_ts) (default: all); returns the rows made. For a partition detached or dropped, if its hours should go too.';
REVOKE ALL ON FUNCTION reading_hourly_rebuild(timestamptz,timestamptz) FROM PUBLIC;
