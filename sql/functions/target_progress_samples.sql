-- SPDX-License-Identifier: MIT
-- The expected and actual figures of target_progress_at at many instants of
-- one year, for the charts: the same values, but each target's readings are
-- read once (one reading_spans call over all the instants' cuts, and last
-- year's profile once) instead of once an instant. It mirrors the expected
-- and actual of target_progress_at (schedules, milestones, statistics for
-- closed months and the month of an instant pro rata of its telemetry,
-- else of its time, levels, ratios) and
-- nothing else (no drift, status or projection): a change of one is a
-- change of the other. It calls what target_progress_at calls where that
-- does not read the readings again: the year of an instant
-- (target_year_of), the months seen at it with their windows, whether
-- closed and the time share (target_month_windows), statistic_block,
-- target_ratio_period, target_profile_share. The year to date's windows are
-- target_site_stats', (start, end] (reading_spans).
-- tests/integration/samples_check.sql (test_official, test_truth) checks
-- that the two agree at the charts' instants and at odd ones.
-- ats: ascending instants; those outside the year of ats[1] are skipped.
-- An instant belongs to the year it ends (target_progress_at): 1 January
-- 00:00 is the year before's end, 00:00 and a microsecond the year's first.
CREATE OR REPLACE FUNCTION target_progress_samples(ats timestamptz[])
RETURNS TABLE (target_id integer, at timestamptz, expected double precision,
               actual double precision)
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
DECLARE
    cfg target_setting; t target; mt metric; yr integer;
    y0 timestamptz; y1 timestamptz; y0p timestamptz; g timestamptz; top timestamptz;
    i integer; j integer; k integer; mon integer;
    m text; srcs text[]; once boolean; sched text; n_ms integer; ms_exp double precision;
    tgt double precision; frac double precision; w double precision[];
    ms timestamptz; me timestamptz; mend timestamptz;
    cuts timestamptz[]; span_sum double precision[]; span_n bigint[];
    site_sum double precision; has_sites boolean; act double precision; exp_v double precision;
    ly_days date[]; ly_w double precision[]; ly_cov double precision;
    c_days date[]; c_w double precision[]; c_cov double precision; has_city boolean := false;
    own_share double precision; city_share double precision; elapsed double precision;
    today date; dayfrac double precision; d0 timestamptz;
    tv double precision; tn bigint; bv double precision; bfirst integer;
    counts double precision[]; n_official integer; months_total double precision;
    off double precision; a integer; b integer; ly_sites boolean;
    ms_due date[]; ms_val double precision[];
    rp_months integer; rp_sig bigint; rp_key text; rp_last text := NULL; rp_act double precision;
    st_sig bigint; blk_sig bigint[]; blk_val double precision[]; blk_first integer[];
    mclosed boolean; mshare double precision; adj double precision[];
    mfull double precision; mend_pos integer; mnext timestamptz;
    cv_ts timestamptz[]; cv_from timestamptz[]; cv_val double precision[];
BEGIN
    IF cardinality(ats) IS NULL OR cardinality(ats) = 0 THEN
        RETURN;
    END IF;
    SELECT * INTO cfg FROM target_setting;
    yr := target_year_of(ats[1], cfg.timezone);
    FOR t IN SELECT * FROM target x WHERE x.year = yr AND x.first_year IS NULL ORDER BY x.id LOOP
        SELECT * INTO mt FROM metric WHERE name = t.metric;
        y0 := make_timestamptz(t.year, 1, 1, 0, 0, 0, cfg.timezone);
        y1 := make_timestamptz(t.year + 1, 1, 1, 0, 0, 0, cfg.timezone);
        y0p := make_timestamptz(t.year - 1, 1, 1, 0, 0, 0, cfg.timezone);
        tgt := CASE WHEN mt.aggregate = 'ratio' THEN t.value
                    ELSE t.value * (SELECT factor FROM unit WHERE name = t.unit) END;

        IF mt.aggregate = 'sum' THEN
            -- every boundary any instant needs, once: the year's months
            -- (both ways target_months writes them) and each instant (the
            -- end of its (y0, at]); then one reading_spans over them all. Last year
            -- only says whether a site counts (target_site_stats lists the
            -- sites with a reading since its start): one EXISTS, not a sum
            m := coalesce(mt.ratio_num, mt.name);
            srcs := metric_sources(t.metric, t.sources);
            once := mt.once_per_site;
            cuts := ARRAY(SELECT DISTINCT c FROM unnest(
                        ARRAY[y0, y1]
                        || ARRAY(SELECT make_timestamptz(t.year, q, 1, 0, 0, 0, cfg.timezone)
                                   FROM generate_series(1, 12) q)
                        || ARRAY(SELECT y0 + make_interval(months => q) FROM generate_series(1, 12) q)
                        || ARRAY(SELECT x FROM unnest(ats) x WHERE x > y0 AND x <= y1)) c
                          WHERE c >= y0 ORDER BY c);
            ly_sites := EXISTS (
                SELECT 1 FROM reading r JOIN site s ON s.site_id = r.site_id
                 WHERE r.metric = m AND r.ts > y0p AND r.ts <= y0
                   AND (srcs IS NULL OR r.source = ANY (srcs))
                   AND target_scope_has(t.scope, s.site_id, s.county));
            -- the register's milestones (their size and due day do not
            -- depend on the instant), in target_milestone_state's order
            ms_due := NULL; ms_val := NULL;
            IF mt.by_milestones THEN
                SELECT array_agg(s.due ORDER BY s.due, s.milestone_id),
                       array_agg(s.value ORDER BY s.due, s.milestone_id)
                  INTO ms_due, ms_val FROM target_milestone_state(t, ats[cardinality(ats)]) s;
            END IF;
            blk_sig := array_fill(NULL::bigint, ARRAY[12]);
            blk_val := array_fill(NULL::double precision, ARRAY[12]);
            blk_first := array_fill(NULL::integer, ARRAY[12]);
            span_sum := array_fill(NULL::double precision, ARRAY[cardinality(cuts)]);
            span_n := array_fill(0::bigint, ARRAY[cardinality(cuts)]);
            FOR j, tv, tn IN
                SELECT sp.span, sum(sp.value_sum), sum(sp.n)
                  FROM reading_spans(m, srcs, cuts) sp JOIN site s ON s.site_id = sp.site_id
                 WHERE target_scope_has(t.scope, s.site_id, s.county)
                 GROUP BY sp.span LOOP
                span_sum[j] := tv;
                span_n[j] := tn;
            END LOOP;
            adj := span_sum;
            -- the flow readings that say what they cover ((covers_from, ts])
            -- and cross a cut: reading_spans spread them over the spans they
            -- cover (reading_span_parts), but at an instant before its ts a
            -- reading is not known (target_progress_at's cuts end there), so
            -- each instant takes back the parts of the readings after it
            cv_ts := NULL; cv_from := NULL; cv_val := NULL;
            IF (SELECT x.flow FROM metric x WHERE x.name = m) THEN
                SELECT array_agg(r.ts), array_agg(r.covers_from), array_agg(r.value)
                  INTO cv_ts, cv_from, cv_val
                  FROM reading r JOIN site s ON s.site_id = r.site_id
                 WHERE r.metric = m AND r.covers_from IS NOT NULL AND r.covers_from < r.ts
                   AND r.ts > cuts[1] AND r.ts <= cuts[cardinality(cuts)]
                   AND (srcs IS NULL OR coalesce(r.source, '') = ANY (srcs))
                   AND width_bucket(r.covers_from, cuts)
                       <> width_bucket(r.ts - interval '1 microsecond', cuts)
                   AND target_scope_has(t.scope, s.site_id, s.county);
            END IF;
            -- last year's profiles, read once (target_last_year_share reads
            -- one at each call): the target's own and, for a county or a
            -- site, the city's, which target_progress_at falls back on
            ly_days := NULL; ly_w := NULL; ly_cov := NULL;
            c_days := NULL; c_w := NULL; c_cov := NULL; has_city := false;
            IF NOT coalesce(t.schedule_kind IN ('weights', 'linear'), t.schedule IS NOT NULL)
               AND (t.schedule_kind = 'last_year' OR mt.flow) THEN
                SELECT p.days, p.ws, p.cov INTO ly_days, ly_w, ly_cov FROM target_profile_arrays(t) p;
                IF t.scope <> 'city' THEN
                    SELECT p.days, p.ws, p.cov INTO c_days, c_w, c_cov
                      FROM target c, LATERAL target_profile_arrays(c) p
                     WHERE c.metric = t.metric AND c.year = t.year AND c.scope = 'city'
                       AND c.sources IS NOT DISTINCT FROM t.sources;
                    has_city := FOUND;
                END IF;
            END IF;
        END IF;

        FOR i IN 1 .. cardinality(ats) LOOP
            g := ats[i];
            CONTINUE WHEN g IS NULL OR target_year_of(g, cfg.timezone) <> yr;
            IF mt.aggregate = 'ratio' THEN
                -- target_ratio_period depends on `at` only through the
                -- closed months and the statistics published by its day (a
                -- set that only grows): the same count of both, the same
                -- figure as at the instant before
                rp_months := 0;
                WHILE rp_months < 12 AND y0 + make_interval(months => rp_months + 1) <= g LOOP
                    rp_months := rp_months + 1;
                END LOOP;
                SELECT count(*) INTO rp_sig FROM (
                    SELECT x.published FROM statistic x
                     WHERE x.scope = t.scope AND x.metric IN (mt.ratio_num, mt.ratio_growth)
                    UNION ALL
                    SELECT x.published FROM statistic_revision x
                     WHERE x.scope = t.scope AND x.metric IN (mt.ratio_num, mt.ratio_growth)) x
                 WHERE x.published IS NULL OR x.published <= (g AT TIME ZONE cfg.timezone)::date;
                rp_key := rp_months || '/' || rp_sig;
                IF rp_last IS DISTINCT FROM rp_key THEN
                    SELECT rp.decline INTO rp_act FROM target_ratio_period(t, g) rp;
                    rp_last := rp_key;
                END IF;
                act := rp_act;
                exp_v := tgt;
            ELSIF mt.aggregate = 'level' THEN
                SELECT CASE WHEN mt.display_unit = '%' AND sum(lw) > 0 THEN sum(v * lw) / sum(lw)
                            ELSE avg(v) END
                  INTO act FROM (
                    SELECT DISTINCT ON (r.site_id) r.value AS v, s.approved_capacity AS lw
                      FROM reading r JOIN site s ON s.site_id = r.site_id
                     WHERE r.metric = t.metric AND r.ts > y0 AND r.ts <= g
                       AND target_scope_has(t.scope, s.site_id, s.county)
                     ORDER BY r.site_id, r.ts DESC) last;
                exp_v := tgt;
            ELSE
                top := g;
                IF cv_ts IS NOT NULL THEN
                    -- what the readings stamped after g spread before it (the
                    -- same expression as reading_span_parts, so the same figures)
                    adj := span_sum;
                    FOR k IN 1 .. cardinality(cv_ts) LOOP
                        CONTINUE WHEN cv_ts[k] <= g OR cv_from[k] >= g;
                        FOR j IN 1 .. cardinality(cuts) - 1 LOOP
                            EXIT WHEN cuts[j + 1] > g;
                            CONTINUE WHEN cuts[j + 1] <= cv_from[k];
                            adj[j] := adj[j] - cv_val[k] * extract(epoch FROM least(cv_ts[k], cuts[j + 1])
                                                                   - greatest(cv_from[k], cuts[j]))
                                                         / extract(epoch FROM cv_ts[k] - cv_from[k]);
                        END LOOP;
                    END LOOP;
                END IF;
                -- the sites' year to date (target_site_stats): a site counts
                -- once it has a reading since last year's start
                has_sites := ly_sites; site_sum := 0;
                FOR j IN 1 .. cardinality(cuts) - 1 LOOP
                    EXIT WHEN cuts[j + 1] > top;
                    has_sites := has_sites OR span_n[j] > 0;
                    IF NOT once THEN
                        site_sum := site_sum + coalesce(adj[j], 0);
                    END IF;
                END LOOP;
                IF once AND has_sites THEN
                    -- a site's largest reading of the year to date, not the sum
                    SELECT coalesce(sum(x.mx), 0) INTO site_sum FROM (
                        SELECT max(r.value) AS mx FROM reading r JOIN site s ON s.site_id = r.site_id
                         WHERE r.metric = m AND r.ts > y0 AND r.ts <= top
                           AND (srcs IS NULL OR r.source = ANY (srcs))
                           AND target_scope_has(t.scope, s.site_id, s.county)
                         GROUP BY r.site_id) x;
                END IF;
                act := CASE WHEN has_sites THEN site_sum END;

                n_ms := 0;
                IF mt.by_milestones THEN
                    -- what target_milestone_state says is due by g's day
                    today := (g AT TIME ZONE cfg.timezone)::date;
                    n_ms := coalesce(cardinality(ms_due), 0);
                    SELECT coalesce(sum(l.v) FILTER (WHERE l.due <= today), 0) INTO ms_exp
                      FROM unnest(ms_due, ms_val) l(due, v);
                END IF;
                IF n_ms > 0 THEN
                    sched := 'milestones';
                ELSIF t.schedule_kind = 'weights' OR (t.schedule_kind IS NULL AND t.schedule IS NOT NULL) THEN
                    sched := 'weights';
                ELSIF t.schedule_kind = 'linear' THEN
                    sched := 'linear';
                ELSIF t.schedule_kind = 'last_year' OR mt.flow THEN
                    -- target_last_year_share at g, from the profiles read above
                    today := (g AT TIME ZONE cfg.timezone)::date;
                    d0 := today::timestamp AT TIME ZONE cfg.timezone;
                    dayfrac := extract(epoch FROM g - d0)
                               / extract(epoch FROM ((today + 1)::timestamp AT TIME ZONE cfg.timezone) - d0);
                    own_share := target_profile_share(ly_days, ly_w, today, dayfrac, t.year);
                    city_share := CASE WHEN has_city
                                       THEN target_profile_share(c_days, c_w, today, dayfrac, t.year) END;
                    IF ly_cov >= 0.9 AND own_share IS NOT NULL THEN
                        sched := 'last_year';
                        frac := own_share;
                    ELSIF t.scope <> 'city' AND has_city AND c_cov >= 0.9 AND city_share IS NOT NULL THEN
                        sched := 'last_year';
                        frac := city_share;
                    ELSE
                        sched := 'linear';
                    END IF;
                ELSE
                    sched := 'linear';
                END IF;

                IF sched = 'milestones' THEN
                    exp_v := ms_exp;
                    act := coalesce(act, 0);
                ELSE
                    IF sched = 'weights' THEN
                        w := t.schedule;
                        mon := extract(month FROM (g - interval '1 microsecond') AT TIME ZONE cfg.timezone)::int;
                        ms := make_timestamptz(t.year, mon, 1, 0, 0, 0, cfg.timezone);
                        me := CASE WHEN mon = 12 THEN y1 ELSE make_timestamptz(t.year, mon + 1, 1, 0, 0, 0, cfg.timezone) END;
                        frac := ((SELECT coalesce(sum(x), 0) FROM unnest(w[1:mon - 1]) x)
                                 + w[mon] * extract(epoch FROM g - ms) / extract(epoch FROM me - ms))
                                / (SELECT sum(x) FROM unnest(w) x);
                    ELSIF sched = 'last_year' THEN
                        NULL; -- frac is the share chosen above
                    ELSE
                        elapsed := 100 * extract(epoch FROM g - y0) / extract(epoch FROM y1 - y0);
                        frac := elapsed / 100;
                    END IF;
                    exp_v := tgt * frac;
                    -- the official figure where there is one: closed months,
                    -- and the month of g in the share of its telemetry by g
                    -- (target_months, its telemetry from the spans above)
                    -- statistic_block depends on g only through what is
                    -- published by its day (a set that only grows): a month's
                    -- block is looked up again only when that set has changed
                    SELECT count(*) INTO st_sig FROM (
                        SELECT x.published FROM statistic x WHERE x.scope = t.scope AND x.metric = t.metric
                        UNION ALL
                        SELECT x.published FROM statistic_revision x
                         WHERE x.scope = t.scope AND x.metric = t.metric) x
                     WHERE x.published IS NULL OR x.published <= (g AT TIME ZONE cfg.timezone)::date;
                    counts := '{}'; n_official := 0; months_total := NULL;
                    FOR k, ms, mend, mclosed, mshare IN
                        SELECT w.k, w.w_from, w.w_to, w.closed, w.share
                          FROM target_month_windows(t.year, g, cfg.timezone) w ORDER BY w.k LOOP
                        tv := NULL;
                        a := array_position(cuts, ms);
                        b := array_position(cuts, mend, a);
                        FOR j IN a .. b - 1 LOOP
                            IF adj[j] IS NOT NULL THEN
                                tv := coalesce(tv, 0) + adj[j];
                            END IF;
                        END LOOP;
                        off := NULL;
                        IF blk_sig[k] IS DISTINCT FROM st_sig THEN
                            bv := NULL; bfirst := NULL;
                            SELECT b.value, b.first_month INTO bv, bfirst
                              FROM statistic_block(t.scope, t.metric, t.year, k, cfg.statistics_sources, g) b;
                            blk_sig[k] := st_sig; blk_val[k] := bv; blk_first[k] := bfirst;
                        END IF;
                        bv := blk_val[k]; bfirst := blk_first[k];
                        IF bv IS NOT NULL THEN
                            off := bv - coalesce((SELECT sum(c) FROM unnest(counts[bfirst:k - 1]) c), 0);
                            n_official := n_official + 1;
                            IF NOT mclosed THEN
                                -- the month holding g, its figure known: the
                                -- share of the whole month's telemetry
                                -- (target_months: the year's readings in
                                -- (month start, next month's start], a
                                -- covering one stamped later in the year
                                -- with its part) stamped by g, else of its
                                -- elapsed time. The whole month is span_sum
                                -- over its spans (the cuts hold every
                                -- month's bounds and end with the year), not
                                -- adj: what g does not know yet is part of
                                -- the whole
                                mnext := CASE WHEN k = 12 THEN y1
                                              ELSE make_timestamptz(t.year, k + 1, 1, 0, 0, 0, cfg.timezone) END;
                                mend_pos := array_position(cuts, mnext, a);
                                mfull := NULL;
                                FOR j IN a .. mend_pos - 1 LOOP
                                    IF span_sum[j] IS NOT NULL THEN
                                        mfull := coalesce(mfull, 0) + span_sum[j];
                                    END IF;
                                END LOOP;
                                IF mfull IS NOT NULL AND mfull <> 0 THEN
                                    off := off * least(1, greatest(0, coalesce(tv, 0) / mfull));
                                ELSE
                                    off := off * mshare;
                                END IF;
                            END IF;
                        END IF;
                        counts[k] := CASE WHEN off IS NOT NULL THEN off ELSE coalesce(tv, 0) END;
                        months_total := coalesce(months_total, 0) + counts[k];
                    END LOOP;
                    IF n_official > 0 THEN
                        act := months_total;
                    END IF;
                END IF;
            END IF;
            target_id := t.id; at := g; expected := exp_v; actual := act;
            RETURN NEXT;
        END LOOP;
    END LOOP;
END $$;
COMMENT ON FUNCTION target_progress_samples(timestamptz[]) IS
    'Per target of the year of ats[1] and per instant of ats (ascending): the expected and actual of target_progress_at at it, computed with one pass over the readings per target (the charts'' samples).';
