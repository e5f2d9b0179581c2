-- SPDX-License-Identifier: MIT
-- The rows of the view site_health: site_health_at() now. A function, not a
-- plain view, only for `SET jit = off` (see site_health_at).
CREATE OR REPLACE FUNCTION site_health_rows()
RETURNS TABLE (site_id text, kind text, county text, name text, metric text, last_ts timestamptz,
               silent_s double precision, interval_s double precision, stale boolean,
               rejects_24h integer, rejects_by_reason jsonb)
LANGUAGE sql STABLE SET jit = off AS $$
SELECT * FROM site_health_at(now())
$$;
COMMENT ON FUNCTION site_health_rows() IS 'The rows of the view site_health.';
