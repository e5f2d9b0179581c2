-- SPDX-License-Identifier: MIT
-- Per site and metric, as of `at` (readings after it are not seen; silence
-- and staleness are measured to it; the rejects of the 24 h before it). The usual interval is measured over the week before
-- the last reading; stale as in target_site_stats (a flow metric silent
-- longer than stale_after_s and twice the usual interval).
-- A function, not a plain view, only for `SET jit = off`: the planner's
-- estimate of the per-site lookups is far above the real cost and JIT
-- compilation then took 1.5 s of a query that runs in 80 ms.
CREATE OR REPLACE FUNCTION site_health_at(at timestamptz)
RETURNS TABLE (site_id text, kind text, county text, name text, metric text, last_ts timestamptz,
               silent_s double precision, interval_s double precision, stale boolean,
               rejects_24h integer, rejects_by_reason jsonb)
LANGUAGE sql STABLE SET jit = off AS $$
WITH cfg AS (SELECT stale_after_s FROM target_setting),
sm AS (
    SELECT s.site_id, s.kind, s.county, s.name, x.name AS metric, x.flow, lh.hour AS last_hour
    FROM site s CROSS JOIN metric x
    CROSS JOIN LATERAL (SELECT h.hour FROM reading_hourly h
                        WHERE h.site_id = s.site_id AND h.metric = x.name AND h.hour < at
                        ORDER BY h.hour DESC LIMIT 1) lh
),
st AS (
    SELECT sm.*, w.last_ts, w.n,
           CASE WHEN w.n > 1 THEN extract(epoch FROM w.last_ts - w.first_hour) / (w.n - 1) END AS interval_s
    FROM sm CROSS JOIN LATERAL (
        -- a bucket holds (hour, hour + 1 h]: its end is the first reading's
        -- instant when readings are stamped on the hour, as most are
        SELECT least(max(h.last_ts), at) AS last_ts, min(h.hour) + interval '1 hour' AS first_hour,
               sum(h.n) AS n
        FROM reading_hourly h
        WHERE h.site_id = sm.site_id AND h.metric = sm.metric
          AND h.hour > sm.last_hour - interval '7 days' AND h.hour < at) w
),
rj AS (
    SELECT s.site_id, jsonb_object_agg(r.reason, r.n) AS rejects, sum(r.n) AS n
    FROM (SELECT topic, reason, count(*) AS n FROM rejected_message
          WHERE received_at > at - interval '24 hours' AND received_at <= at GROUP BY 1, 2) r
    JOIN site s ON s.site_id = ANY (string_to_array(r.topic, '/'))
    GROUP BY s.site_id
)
SELECT st.site_id, st.kind, st.county, st.name, st.metric, st.last_ts,
       extract(epoch FROM at - st.last_ts)::double precision AS silent_s,
       st.interval_s::double precision AS interval_s,
       (st.flow AND extract(epoch FROM at - st.last_ts)
                    > greatest(cfg.stale_after_s, 2 * coalesce(st.interval_s, 0))) AS stale,
       coalesce(rj.n, 0)::integer AS rejects_24h,
       coalesce(rj.rejects, '{}'::jsonb) AS rejects_by_reason
FROM st CROSS JOIN cfg
LEFT JOIN rj ON rj.site_id = st.site_id
$$;
COMMENT ON FUNCTION site_health_at(timestamptz) IS 'The rows of the view site_health as of an instant: SELECT * FROM site_health_at(''2024-06-30 12:00+08'').';
