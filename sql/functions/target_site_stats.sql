-- SPDX-License-Identifier: MIT
-- Per site of a target's scope: the year to date, the same period last
-- year, its usual reporting interval, and whether it is stale (silent past
-- stale_after_s and twice its interval, or its edge node or device died:
-- site.offline_since). A metric once_per_site (a retrofitted unit states its
-- size) counts a site's largest reading of the period, not the sum.
CREATE OR REPLACE FUNCTION target_site_stats(t target, at timestamptz)
RETURNS TABLE (site_id text, county text, ytd double precision, prev_same double precision,
               last_ts timestamptz, interval_s double precision, stale boolean, missing double precision)
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
DECLARE
    tz text; stale_after integer; y0 timestamptz; cuts timestamptz[];
    m text; is_flow boolean; srcs text[]; once boolean;
BEGIN
    SELECT s.timezone, s.stale_after_s INTO tz, stale_after FROM target_setting s;
    y0 := make_timestamptz(t.year, 1, 1, 0, 0, 0, tz);
    cuts := target_year_cuts(t.year, at, tz);
    IF cuts IS NULL THEN
        RETURN;
    END IF;
    -- a ratio's sites are those of its numerator
    SELECT coalesce(x.ratio_num, x.name), x.flow, x.once_per_site INTO m, is_flow, once
      FROM metric x WHERE x.name = t.metric;
    srcs := metric_sources(t.metric, t.sources);
    RETURN QUERY
    WITH per AS (
        SELECT sp.site_id, s.county, s.offline_since,
               sum(sp.value_sum) FILTER (WHERE sp.span = 3) AS ytd,
               sum(sp.value_sum) FILTER (WHERE sp.span = 1) AS prev_same,
               max(sp.last_ts) AS last_ts, min(sp.first_ts) AS first_hour, sum(sp.n) AS n
        FROM reading_spans(m, srcs, cuts) sp
        JOIN site s ON s.site_id = sp.site_id
        WHERE (t.scope = 'city'
               OR (t.scope LIKE 'county:%' AND s.county = substr(t.scope, 8))
               OR (t.scope LIKE 'site:%' AND s.site_id = substr(t.scope, 6)))
        GROUP BY sp.site_id, s.county, s.offline_since
    ), mx AS (
        SELECT r.site_id, max(r.value) FILTER (WHERE r.ts > cuts[3]) AS ytd,
               max(r.value) FILTER (WHERE r.ts <= cuts[2]) AS prev_same
          FROM reading r
         WHERE once AND r.metric = m AND r.ts > cuts[1] AND r.ts <= cuts[4]
           AND (srcs IS NULL OR r.source = ANY (srcs))
         GROUP BY r.site_id
    ), iv AS (
        SELECT per.site_id, per.county, per.offline_since,
               CASE WHEN once THEN mx.ytd ELSE per.ytd END AS ytd,
               CASE WHEN once THEN mx.prev_same ELSE per.prev_same END AS prev_same,
               per.last_ts, per.first_hour, per.n, CASE WHEN per.n > 1
                           THEN (extract(epoch FROM per.last_ts - per.first_hour) / (per.n - 1))::double precision END AS ival
        FROM per LEFT JOIN mx ON mx.site_id = per.site_id
    )
    SELECT iv.site_id, iv.county, coalesce(iv.ytd, 0), coalesce(iv.prev_same, 0), iv.last_ts, iv.ival,
           st.stale,
           CASE WHEN st.stale AND iv.last_ts > y0 THEN
               (coalesce(iv.ytd, 0) / greatest(1, extract(epoch FROM iv.last_ts - y0) / 86400)
               * extract(epoch FROM at - iv.last_ts) / 86400)::double precision
           ELSE 0 END
    FROM iv
    CROSS JOIN LATERAL (SELECT is_flow AND (extract(epoch FROM at - iv.last_ts)
                               > greatest(stale_after, 2 * coalesce(iv.ival, 0))
                               OR (iv.offline_since IS NOT NULL AND iv.offline_since <= at))
                               AS stale) st;
END $$;
COMMENT ON FUNCTION target_site_stats(target, timestamptz) IS
    'Per site in target t''s scope with readings this year: year to date, the same period last year, last reading, usual interval, whether stale, and what a stale site would have added at its own pace.';
