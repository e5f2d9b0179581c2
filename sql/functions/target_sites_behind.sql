-- SPDX-License-Identifier: MIT
-- The sites furthest behind their own share of a target at `at`: its
-- expected figure and schedule from target_progress_at, the rest in
-- target_sites_behind_given.
CREATE OR REPLACE FUNCTION target_sites_behind(tid integer, at timestamptz, n integer DEFAULT 5)
RETURNS TABLE (site_id text, county text, actual double precision, expected double precision,
               gap double precision, stale boolean, last_ts timestamptz)
LANGUAGE sql STABLE AS $$
    SELECT b.* FROM target_progress_at(at) p,
           LATERAL target_sites_behind_given(tid, at, n, p.expected, p.schedule_used) b
     WHERE p.target_id = tid
     ORDER BY b.gap ASC
$$;
COMMENT ON FUNCTION target_sites_behind(integer, timestamptz, integer) IS
    'The n sites furthest behind their own share of target tid at instant at (sum metrics only).';
