-- SPDX-License-Identifier: MIT
-- Rebuilds reading_hourly for the UTC hours that overlap [from_ts, to_ts).
CREATE OR REPLACE FUNCTION reading_hourly_rebuild(from_ts timestamptz DEFAULT '-infinity',
                                       to_ts timestamptz DEFAULT 'infinity') RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    lo timestamptz := date_trunc('hour', from_ts, 'UTC');
    hi timestamptz := CASE WHEN isfinite(to_ts)
                           THEN date_trunc('hour', to_ts - interval '1 microsecond', 'UTC') + interval '1 hour'
                           ELSE to_ts END;
    made bigint;
BEGIN
    DELETE FROM reading_hourly WHERE hour >= lo AND hour < hi;
    INSERT INTO reading_hourly (site_id, metric, source, hour, value_sum, n, last_ts)
    SELECT site_id, metric, source, date_trunc('hour', ts, 'UTC'), sum(value), count(*), max(ts)
    FROM reading WHERE ts >= lo AND ts < hi
    GROUP BY 1, 2, 3, 4;
    GET DIAGNOSTICS made = ROW_COUNT;
    RETURN made;
END $$;
COMMENT ON FUNCTION reading_hourly_rebuild(timestamptz, timestamptz) IS
    'Rebuilds reading_hourly from reading for the UTC hours overlapping [from_ts, to_ts) (default: all); returns the rows made. For a partition detached or dropped, if its hours should go too.';
REVOKE ALL ON FUNCTION reading_hourly_rebuild(timestamptz,timestamptz) FROM PUBLIC;
