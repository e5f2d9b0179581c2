-- SPDX-License-Identifier: MIT
-- Per site and metric. The usual interval is measured over the week before
-- the last reading; stale as in target_site_stats (a flow metric silent
-- longer than stale_after_s and twice the usual interval).
-- A function, not a plain view, only for `SET jit = off`: the planner's
-- estimate of the per-site lookups is far above the real cost and JIT
-- compilation then took 1.5 s of a query that runs in 80 ms.
CREATE OR REPLACE FUNCTION site_health_rows()
RETURNS TABLE (site_id text, kind text, county text, name text, metric text, last_ts timestamptz,
               silent_s double precision, interval_s double precision, stale boolean,
               rejects_24h integer, rejects_by_reason jsonb)
LANGUAGE sql STABLE SET jit = off AS $$
WITH cfg AS (SELECT stale_after_s FROM target_setting),
sm AS (
    SELECT s.id AS site_id, s.kind, s.county, s.name, x.name AS metric, x.flow, lh.hour AS last_hour
    FROM site s CROSS JOIN metric x
    CROSS JOIN LATERAL (SELECT h.hour FROM reading_hourly h
                        WHERE h.site_id = s.id AND h.metric = x.name
                        ORDER BY h.hour DESC LIMIT 1) lh
),
st AS (
    SELECT sm.*, w.last_ts, w.n,
           CASE WHEN w.n > 1 THEN extract(epoch FROM w.last_ts - w.first_hour) / (w.n - 1) END AS interval_s
    FROM sm CROSS JOIN LATERAL (
        SELECT max(h.last_ts) AS last_ts, min(h.hour) AS first_hour, sum(h.n) AS n
        FROM reading_hourly h
        WHERE h.site_id = sm.site_id AND h.metric = sm.metric
          AND h.hour > sm.last_hour - interval '7 days') w
),
rj AS (
    SELECT s.id AS site_id, jsonb_object_agg(r.reason, r.n) AS rejects, sum(r.n) AS n
    FROM (SELECT topic, reason, count(*) AS n FROM rejected_message
          WHERE received_at > now() - interval '24 hours' GROUP BY 1, 2) r
    JOIN site s ON s.id = ANY (string_to_array(r.topic, '/'))
    GROUP BY s.id
)
SELECT st.site_id, st.kind, st.county, st.name, st.metric, st.last_ts,
       extract(epoch FROM now() - st.last_ts)::double precision AS silent_s,
       st.interval_s::double precision AS interval_s,
       (st.flow AND extract(epoch FROM now() - st.last_ts)
                    > greatest(cfg.stale_after_s, 2 * coalesce(st.interval_s, 0))) AS stale,
       coalesce(rj.n, 0)::integer AS rejects_24h,
       coalesce(rj.rejects, '{}'::jsonb) AS rejects_by_reason
FROM st CROSS JOIN cfg
LEFT JOIN rj ON rj.site_id = st.site_id
$$;
COMMENT ON FUNCTION site_health_rows() IS 'The rows of the view site_health.';
