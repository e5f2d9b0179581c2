-- SPDX-License-Identifier: MIT
-- The local year an instant belongs to: the one it ends, as a reading is
-- stamped at the end of what it covers (docs/targets.md). 1 January 00:00
-- is the year before's last instant, 00:00:00.000001 the new year's first.
-- target_progress_at, target_month_windows and target_progress_samples
-- read a year so, and only so.
CREATE OR REPLACE FUNCTION target_year_of(at timestamptz, tz text) RETURNS integer
LANGUAGE sql STABLE AS $$
    SELECT extract(year FROM ($1 - interval '1 microsecond') AT TIME ZONE $2)::integer
$$;
COMMENT ON FUNCTION target_year_of(timestamptz, text) IS
    'The local year (zone tz) that instant at belongs to: the year it ends, so 1 January 00:00 is the year before''s.';
