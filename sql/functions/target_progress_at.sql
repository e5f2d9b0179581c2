-- SPDX-License-Identifier: MIT
-- Per target of the year holding `at` (target_setting.timezone): what the
-- schedule (linear, monthly weights, last year's profile or the milestones
-- due) expects by then, the actual (official statistics for closed months
-- where there are some, else telemetry; a ratio the bureau's way, over the
-- closed months, target_ratio_period), the drift (a ratio's in percentage
-- points), the projection and the status. The one place of the
-- targets' maths: target_progress, the daemon and the tools read it.
CREATE OR REPLACE FUNCTION target_progress_at(at timestamptz)
RETURNS TABLE (target_id integer, label text, metric text, year integer, scope text, kind text,
               target double precision, unit text, display_unit text, display_div double precision,
               elapsed_pct double precision, expected double precision, actual double precision,
               drift_pct double precision, projected double precision, required_daily double precision,
               sites_reporting integer, sites_stale integer, stale_shortfall double precision,
               tolerance_pct double precision, status text, plan_text text,
               schedule_used text, schedule_note text, month_sources text,
               milestones_due integer, late_projects text)
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
DECLARE
    cfg target_setting;
    t target;
    mt metric;
    y0 timestamptz; y1 timestamptz;
    frac double precision; w double precision[]; mon integer; ms timestamptz; me timestamptz;
    tgt double precision; exp_v double precision; act double precision;
    days_left double precision; rate double precision; win_start timestamptz;
    n_sites integer; n_stale integer; missing double precision; site_sum double precision;
    ly_share double precision; ly_cov double precision; n_ms integer; ms_exp double precision;
    n_official integer; months_total double precision;
    reg_owed double precision;
BEGIN
    SELECT * INTO cfg FROM target_setting;
    FOR t IN SELECT * FROM target x
             -- an instant belongs to the year it ends (a reading is stamped
             -- at the end of what it covers): 1 January 00:00 is the old
             -- year's last instant, its year-end figure
             WHERE x.year = target_year_of(at, cfg.timezone)
               AND x.first_year IS NULL  -- a plan over years: target_plan_progress
             ORDER BY x.id LOOP
        SELECT * INTO mt FROM metric WHERE name = t.metric;
        y0 := make_timestamptz(t.year, 1, 1, 0, 0, 0, cfg.timezone);
        y1 := make_timestamptz(t.year + 1, 1, 1, 0, 0, 0, cfg.timezone);
        elapsed_pct := 100 * extract(epoch FROM at - y0) / extract(epoch FROM y1 - y0);
        days_left := extract(epoch FROM y1 - at) / 86400;
        schedule_used := NULL; schedule_note := NULL; month_sources := NULL;
        milestones_due := NULL; late_projects := NULL; ly_share := NULL; n_ms := 0;

        IF mt.by_milestones THEN
            SELECT count(*), coalesce(sum(s.value) FILTER (WHERE s.is_due), 0),
                   count(*) FILTER (WHERE s.is_due),
                   string_agg(format('%s (due %s)', s.name, s.due), ', ' ORDER BY s.due, s.milestone_id)
                       FILTER (WHERE s.late)
              INTO n_ms, ms_exp, milestones_due, late_projects
              FROM target_milestone_state(t, at) s;
            -- the register: what it plans by the year's end, and what its
            -- sites still owe of that (late projects included)
            SELECT coalesce(sum(greatest(0, r.planned - r.done)), 0)
              INTO reg_owed
              FROM (SELECT s.site_id, max(s.planned_to_here) AS planned, max(s.commissioned) AS done
                      FROM target_milestone_state(t, at) s
                     WHERE s.due <= make_date(t.year, 12, 31)
                     GROUP BY s.site_id) r;
        END IF;

        -- the schedule: share of the year's target due by `at`
        IF n_ms > 0 THEN
            schedule_used := 'milestones';
            schedule_note := format('%s milestones, %s due', n_ms, milestones_due);
        ELSIF t.schedule_kind = 'weights' OR (t.schedule_kind IS NULL AND t.schedule IS NOT NULL) THEN
            schedule_used := 'weights';
            schedule_note := 'monthly weights';
        ELSIF t.schedule_kind = 'linear' THEN
            schedule_used := 'linear';
            schedule_note := 'linear, as the target asks';
        ELSIF mt.aggregate = 'sum' AND (t.schedule_kind = 'last_year' OR mt.flow) THEN
            SELECT l.share, l.coverage INTO ly_share, ly_cov FROM target_last_year_share(t, at) l;
            IF ly_cov >= 0.9 AND ly_share IS NOT NULL THEN
                schedule_used := 'last_year';
                schedule_note := format('last year''s profile (%s covers %s %% of its days)',
                                        t.year - 1, round((100 * ly_cov)::numeric, 1));
            ELSIF t.scope <> 'city'
                  AND (SELECT l.coverage >= 0.9 AND l.share IS NOT NULL
                         FROM target c, LATERAL target_last_year_share(c, at) l
                        WHERE c.metric = t.metric AND c.year = t.year AND c.scope = 'city'
                          AND c.sources IS NOT DISTINCT FROM t.sources) THEN
                -- no season of its own: the city's (its festival, its
                -- winter), not a straight line through the Spring Festival
                SELECT l.share INTO ly_share
                  FROM target c, LATERAL target_last_year_share(c, at) l
                 WHERE c.metric = t.metric AND c.year = t.year AND c.scope = 'city'
                   AND c.sources IS NOT DISTINCT FROM t.sources;
                schedule_used := 'last_year';
                schedule_note := format('the city''s profile: %s covers %s %% of its days in %s, under 90 %%',
                                        t.year - 1, round((100 * coalesce(ly_cov, 0))::numeric, 1), t.scope);
            ELSE
                schedule_used := 'linear';
                schedule_note := format('linear: %s covers %s %% of its days, under 90 %%',
                                        t.year - 1, round((100 * coalesce(ly_cov, 0))::numeric, 1));
            END IF;
        ELSIF mt.aggregate = 'sum' THEN
            schedule_used := 'linear';
            schedule_note := 'linear';
        ELSE
            -- a level or a ratio has no schedule
            schedule_used := 'linear';
        END IF;
        IF n_ms = 0 AND mt.by_milestones THEN
            schedule_note := 'no milestones; ' || schedule_note;
        END IF;

        IF schedule_used = 'weights' THEN
            w := t.schedule;
            mon := extract(month FROM (at - interval '1 microsecond') AT TIME ZONE cfg.timezone)::int;
            ms := make_timestamptz(t.year, mon, 1, 0, 0, 0, cfg.timezone);
            me := CASE WHEN mon = 12 THEN y1 ELSE make_timestamptz(t.year, mon + 1, 1, 0, 0, 0, cfg.timezone) END;
            frac := ((SELECT coalesce(sum(x), 0) FROM unnest(w[1:mon - 1]) x)
                     + w[mon] * extract(epoch FROM at - ms) / extract(epoch FROM me - ms))
                    / (SELECT sum(x) FROM unnest(w) x);
        ELSIF schedule_used = 'last_year' THEN
            frac := ly_share;
        ELSE
            frac := elapsed_pct / 100;
        END IF;

        SELECT count(*), count(*) FILTER (WHERE s.stale), coalesce(sum(s.missing), 0), sum(s.ytd)
          INTO n_sites, n_stale, missing, site_sum
          FROM target_site_stats(t, at) s;

        target_id := t.id; label := mt.label; metric := t.metric; year := t.year; scope := t.scope;
        kind := t.kind; unit := t.unit; display_unit := mt.display_unit; display_div := mt.display_div;
        tolerance_pct := t.tolerance_pct; plan_text := t.plan_text;
        sites_reporting := n_sites - n_stale; sites_stale := n_stale;
        projected := NULL; required_daily := NULL; stale_shortfall := NULL;

        IF mt.aggregate = 'ratio' THEN
            -- the bureau's way over closed months (target_ratio_period);
            -- its drift is in percentage points (百分点)
            tgt := t.value;
            SELECT rp.decline, rp.note, rp.sources INTO act, schedule_note, month_sources
              FROM target_ratio_period(t, at) rp;
            schedule_used := 'closed_months';
            exp_v := tgt;
            projected := act;
        ELSIF mt.aggregate = 'level' THEN
            tgt := t.value * (SELECT factor FROM unit WHERE name = t.unit);
            -- each site's latest figure of the year: a stock is stamped at
            -- the end of the period it describes, so 1 January 00:00 is
            -- last December's; a share in % is weighted by the sites'
            -- approved capacity where any is known (煤炭先进产能占比)
            SELECT CASE WHEN mt.display_unit = '%' AND sum(w) > 0 THEN sum(v * w) / sum(w)
                        ELSE avg(v) END,
                   CASE WHEN mt.display_unit = '%' AND sum(w) > 0
                        THEN format('weighted by approved capacity (%s of %s sites)', count(w), count(*))
                        WHEN mt.display_unit = '%' AND count(*) > 0
                        THEN 'unweighted: no site has an approved capacity' END
              INTO act, schedule_note FROM (
                SELECT DISTINCT ON (r.site_id) r.value AS v, s.approved_capacity AS w
                  FROM reading r JOIN site s ON s.site_id = r.site_id
                 WHERE r.metric = t.metric AND r.ts > y0 AND r.ts <= at
                   AND target_scope_has(t.scope, s.site_id, s.county)
                 ORDER BY r.site_id, r.ts DESC) last;
            exp_v := tgt;
            projected := act;
        ELSE
            tgt := t.value * (SELECT factor FROM unit WHERE name = t.unit);
            act := CASE WHEN n_sites > 0 THEN site_sum END;
            IF schedule_used = 'milestones' THEN
                -- every project counts, early or larger than planned
                exp_v := ms_exp;
            ELSE
                exp_v := tgt * frac;
                -- the official figure where there is one: closed months,
                -- and the month of `at` in the share of its telemetry (target_months)
                SELECT count(*) FILTER (WHERE m.official IS NOT NULL), sum(m.counted),
                       string_agg(format('%s %s', to_char(m.month, 'YYYY-MM'),
                                         CASE WHEN m.official IS NOT NULL
                                              THEN 'statistics:' || m.source ELSE 'telemetry' END),
                                  ', ' ORDER BY m.month)
                  INTO n_official, months_total, month_sources
                  FROM target_months(t, at) m;
                IF n_official > 0 THEN
                    act := months_total;
                END IF;
            END IF;
            -- the recent daily rate (30 days, or the year so far) carried to the year's end
            win_start := greatest(y0, at - interval '30 days');
            SELECT sum(sp.value_sum) / greatest(extract(epoch FROM at - win_start) / 86400, 1.0 / 24)
              INTO rate
              FROM reading_spans(t.metric,
                                 metric_sources(t.metric, t.sources),
                                 ARRAY[win_start, at]) sp
              JOIN site s ON s.site_id = sp.site_id
             WHERE target_scope_has(t.scope, s.site_id, s.county);
            IF schedule_used = 'milestones' THEN
                -- what is commissioned plus what the register still has due
                -- this year; a register is known, so nothing commissioned is 0
                act := coalesce(act, 0);
                projected := act + reg_owed;
            ELSIF act IS NULL AND rate IS NULL THEN
                projected := NULL;  -- nothing known: no projection, not 0
            ELSIF schedule_used = 'last_year' AND frac > 0 THEN
                -- the same profile: what the year to date makes of the whole year
                projected := coalesce(act, 0) / frac;
            ELSE
                projected := coalesce(act, 0) + coalesce(rate, 0) * days_left;
            END IF;
            required_daily := greatest(tgt - coalesce(act, 0), 0) / greatest(days_left, 1.0 / 24);
            stale_shortfall := missing;
        END IF;

        target := tgt; expected := exp_v; actual := act;
        drift_pct := CASE WHEN mt.aggregate = 'ratio' OR mt.display_unit = '%' THEN act - exp_v
                          WHEN exp_v > 0 AND act IS NOT NULL THEN 100 * (act - exp_v) / exp_v END;
        IF schedule_used = 'milestones' AND projected < tgt * (1 - 1e-9) THEN
            -- the register plans less than the target (or a project is
            -- late past the year): behind from the day it is known, by
            -- what the year's end will lack (540 of 600 MW: -10 %)
            drift_pct := least(coalesce(drift_pct, 0), 100 * (projected - tgt) / tgt);
            schedule_note := schedule_note || format('; the register is short by %s %s',
                trim_scale(round(((tgt - projected) / mt.display_div)::numeric, 3)), mt.display_unit);
        END IF;
        status := CASE
            WHEN elapsed_pct < cfg.min_elapsed_pct THEN 'too_early'
            WHEN act IS NULL THEN 'insufficient_data'
            WHEN t.kind = 'about' AND drift_pct > t.tolerance_pct THEN 'over'
            WHEN drift_pct < -t.tolerance_pct AND mt.aggregate = 'sum' AND schedule_used <> 'milestones'
                 AND missing >= 0.5 * (exp_v - act) THEN 'insufficient_data'
            WHEN drift_pct < -t.tolerance_pct THEN 'behind'
            WHEN t.kind <> 'about' AND drift_pct > t.tolerance_pct THEN 'ahead'
            ELSE 'on_track' END;
        RETURN NEXT;
    END LOOP;
END $$;
COMMENT ON FUNCTION target_progress_at(timestamptz) IS
    'Per target of the year of `at`: expected by the schedule or the milestones due, actual (statistics for closed months, telemetry for the rest), drift, projection, status, and which schedule and sources were used.';
