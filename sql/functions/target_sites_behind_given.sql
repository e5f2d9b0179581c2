-- SPDX-License-Identifier: MIT
-- target_sites_behind given the target's expected figure and schedule at
-- `at` (target_progress_at's), for a caller that has them already (a
-- chart): the sites furthest behind their own share. A site's share is its
-- part of the same period last year; without that history, its part of
-- the sites' combined pace while they reported (so a site that fell silent
-- owes what it would have produced at its own pace). A target built by a
-- project register names its late projects' sites, never a plant with
-- nothing due: expected is what its due projects plan.
CREATE OR REPLACE FUNCTION target_sites_behind_given(tid integer, at timestamptz, n integer,
                                                     exp_v double precision, sched text)
RETURNS TABLE (site_id text, county text, actual double precision, expected double precision,
               gap double precision, stale boolean, last_ts timestamptz)
LANGUAGE sql STABLE AS $$
    WITH t AS (SELECT * FROM target WHERE id = tid),
    p AS (SELECT exp_v AS expected, sched AS schedule_used, t.metric FROM t),
    y AS (SELECT make_timestamptz(t.year, 1, 1, 0, 0, 0, (SELECT timezone FROM target_setting)) AS y0 FROM t),
    s AS (SELECT st.*, st.ytd / greatest(1.0 / 24, extract(epoch FROM st.last_ts - y.y0) / 86400) AS pace
          FROM t, y, LATERAL target_site_stats(t, at) st),
    tot AS (SELECT sum(prev_same) AS prev, sum(pace) AS pace FROM s),
    sh AS (SELECT s.*, CASE WHEN tot.prev > 0 THEN s.prev_same / tot.prev
                            WHEN tot.pace > 0 THEN s.pace / tot.pace ELSE 0 END AS share
           FROM s, tot)
    SELECT sh.site_id, sh.county, sh.ytd, p.expected * sh.share,
           sh.ytd - p.expected * sh.share AS gap, sh.stale, sh.last_ts
    FROM sh, p JOIN metric x ON x.name = p.metric
    -- a level or a ratio has no share per site
    WHERE x.aggregate = 'sum' AND p.schedule_used <> 'milestones'
    UNION ALL
    SELECT l.site_id, s.county, max(l.commissioned), max(l.planned_to_here),
           max(l.commissioned) - max(l.planned_to_here), false, NULL
    FROM t, p, LATERAL target_milestone_state(t, at) l LEFT JOIN site s ON s.site_id = l.site_id
    WHERE p.schedule_used = 'milestones' AND l.late
    GROUP BY l.site_id, s.county
    ORDER BY gap ASC
    LIMIT n
$$;
COMMENT ON FUNCTION target_sites_behind_given(integer, timestamptz, integer, double precision, text) IS
    'The n sites furthest behind their own share of target tid at instant at, given its expected figure and schedule_used there (target_progress_at''s).';
