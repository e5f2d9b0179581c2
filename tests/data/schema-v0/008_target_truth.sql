-- SPDX-License-Identifier: MIT
-- enertrack migration 008: targets judged against the truth.
--
--   1. schedules: linear, 12 monthly weights, or last_year (the share of last
--      year's total reached at the same calendar point, daily, smoothed over
--      7 days); last_year is the default for flow metrics whose last year is
--      at least 90 % covered;
--   2. milestones: capacity targets expect the projects that are due
--      (target_milestone) and list the late ones;
--   3. official statistics (statistic, migration 007) replace telemetry for
--      the closed months, in the order of target_setting.statistics_sources;
--      telemetry_vs_statistics shows the gap per scope and month;
--   4. truth_alert remembers which milestone and reconciliation mails were
--      queued, so that each goes once.
-- target_progress_at keeps its columns and adds schedule_used,
-- schedule_note, month_sources, milestones_due and late_projects.

-- 1. The schedule a target asks for.
ALTER TABLE target ADD COLUMN schedule_kind text
    CHECK (schedule_kind IN ('linear', 'weights', 'last_year'));
ALTER TABLE target ADD CONSTRAINT target_weights_given
    CHECK (schedule_kind IS DISTINCT FROM 'weights' OR schedule IS NOT NULL);
COMMENT ON COLUMN target.schedule_kind IS
    'linear, weights (the 12 of schedule) or last_year; NULL: weights when schedule is set, else last_year for a flow metric whose last year is at least 90 % covered, else linear.';
COMMENT ON COLUMN target.schedule IS '12 monthly weights of the expected progress (schedule_kind weights, or NULL schedule_kind).';

-- 2. Milestones: one row per project of a capacity target.
CREATE TABLE target_milestone (
    id         integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    target_id  integer NOT NULL REFERENCES target (id) ON DELETE CASCADE,
    site_id    text NOT NULL CHECK (site_id ~ '^[a-z0-9][a-z0-9_.-]{0,63}$'),
    name       text NOT NULL,
    due        date NOT NULL,
    value      double precision NOT NULL CHECK (value > 0),
    unit       text NOT NULL REFERENCES unit (name),
    UNIQUE (target_id, name)
);
CREATE INDEX target_milestone_target ON target_milestone (target_id, due);
COMMENT ON TABLE target_milestone IS
    'Planned projects of a capacity target (capacity_commissioned, retrofit_capacity): its expected value is the sum of the milestones due.';
COMMENT ON COLUMN target_milestone.id IS 'The milestone''s number (truth_alert).';
COMMENT ON COLUMN target_milestone.target_id IS 'The target (target.id).';
COMMENT ON COLUMN target_milestone.site_id IS 'The site whose readings count for the project (it need not have reported yet).';
COMMENT ON COLUMN target_milestone.name IS 'The project''s name, as mails and status show it.';
COMMENT ON COLUMN target_milestone.due IS 'Planned commissioning date (local calendar): due from that day on.';
COMMENT ON COLUMN target_milestone.value IS 'Planned size, in unit.';
COMMENT ON COLUMN target_milestone.unit IS 'The unit of value (unit.name).';

-- 3. Which statistics sources count, in order (empty: all, by name).
ALTER TABLE target_setting_stored ADD COLUMN statistics_sources text[] NOT NULL DEFAULT '{}';
COMMENT ON COLUMN target_setting_stored.statistics_sources IS
    '[targets] statistics_sources: the statistic.source values that count, first preferred; empty: every source, by name.';
CREATE OR REPLACE VIEW target_setting AS
SELECT s.id,
       coalesce(nullif(current_setting('enertrack.timezone', true), ''), s.timezone) AS timezone,
       coalesce(nullif(current_setting('enertrack.min_elapsed_pct', true), '')::double precision,
                s.min_elapsed_pct) AS min_elapsed_pct,
       coalesce(nullif(current_setting('enertrack.stale_after_s', true), '')::integer,
                s.stale_after_s) AS stale_after_s,
       CASE WHEN coalesce(current_setting('enertrack.statistics_sources', true), '') = ''
            THEN s.statistics_sources
            -- the session's list: comma-separated, '-' for an empty one
            ELSE coalesce(array_remove(string_to_array(nullif(current_setting('enertrack.statistics_sources', true), '-'), ','), ''), '{}')
       END AS statistics_sources
FROM target_setting_stored s;
COMMENT ON COLUMN target_setting.statistics_sources IS
    'The statistic sources that count, first preferred (empty: all, by name); a session sets its own with enertrack.statistics_sources (comma-separated, ''-'' for none listed).';

CREATE OR REPLACE FUNCTION target_setting_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE target_setting_stored s SET
        timezone = CASE WHEN NEW.timezone IS DISTINCT FROM OLD.timezone
                        THEN NEW.timezone ELSE s.timezone END,
        min_elapsed_pct = CASE WHEN NEW.min_elapsed_pct IS DISTINCT FROM OLD.min_elapsed_pct
                               THEN NEW.min_elapsed_pct ELSE s.min_elapsed_pct END,
        stale_after_s = CASE WHEN NEW.stale_after_s IS DISTINCT FROM OLD.stale_after_s
                             THEN NEW.stale_after_s ELSE s.stale_after_s END,
        statistics_sources = CASE WHEN NEW.statistics_sources IS DISTINCT FROM OLD.statistics_sources
                                  THEN NEW.statistics_sources ELSE s.statistics_sources END
    WHERE s.id = OLD.id;
    RETURN NEW;
END $$;

-- Does a site count for a scope?
CREATE FUNCTION target_scope_has(scope text, site_id text, county text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT scope = 'city'
        OR (scope LIKE 'county:%' AND county = substr(scope, 8))
        OR (scope LIKE 'site:%' AND site_id = substr(scope, 6))
$$;
COMMENT ON FUNCTION target_scope_has(text, text, text) IS 'true when a site (its id and county) lies in a scope (city, county:<name>, site:<id>).';

-- The official figure of a scope, metric and month: from the first source of
-- the list that has one (empty list: every source, by name).
CREATE FUNCTION statistic_month(sc text, m text, month date, srcs text[])
RETURNS TABLE (value double precision, source text)
LANGUAGE sql STABLE AS $$
    SELECT s.value, s.source FROM statistic s
     WHERE s.scope = sc AND s.metric = m AND s.period = to_char(month, 'YYYY-MM')
       AND (cardinality(srcs) = 0 OR s.source = ANY (srcs))
     ORDER BY array_position(srcs, s.source), s.source
     LIMIT 1
$$;
COMMENT ON FUNCTION statistic_month(text, text, date, text[]) IS
    'The monthly statistic of a scope and metric from the preferred source (srcs in order; empty: all, by name), or no row.';

-- Per local month of a target's year up to `at`: telemetry, the official
-- figure when the month is closed and has one, and what counts.
CREATE FUNCTION target_months(t target, at timestamptz)
RETURNS TABLE (month date, closed boolean, telemetry double precision, official double precision,
               source text, counted double precision)
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
DECLARE
    tz text; srcs text[]; cuts timestamptz[]; top timestamptz; mon integer; k integer;
BEGIN
    SELECT s.timezone, s.statistics_sources INTO tz, srcs FROM target_setting s;
    top := at + interval '1 microsecond';
    IF top <= make_timestamptz(t.year, 1, 1, 0, 0, 0, tz) THEN
        RETURN;
    END IF;
    mon := least(12, extract(month FROM at AT TIME ZONE tz)::int
                     + 12 * (extract(year FROM at AT TIME ZONE tz)::int - t.year));
    cuts := ARRAY(SELECT make_timestamptz(t.year, k, 1, 0, 0, 0, tz) FROM generate_series(1, mon) k);
    cuts := cuts || least(top, make_timestamptz(t.year, 1, 1, 0, 0, 0, tz) + make_interval(months => mon));
    RETURN QUERY
    WITH tel AS (
        SELECT sp.span, sum(sp.value_sum) AS v
          FROM reading_spans(t.metric,
                             CASE WHEN t.metric = 'capacity_commissioned'
                                  THEN coalesce(t.sources, ARRAY['solar', 'wind', 'biomass']) END,
                             cuts) sp
          JOIN site s ON s.id = sp.site_id
         WHERE target_scope_has(t.scope, s.id, s.county)
         GROUP BY sp.span
    ), mm AS (
        SELECT k, make_date(t.year, k, 1) AS month,
               make_timestamptz(t.year, 1, 1, 0, 0, 0, tz) + make_interval(months => k) <= top AS closed
          FROM generate_series(1, mon) k
    )
    SELECT mm.month, mm.closed, tel.v, st.value, st.source,
           CASE WHEN mm.closed AND st.value IS NOT NULL THEN st.value ELSE coalesce(tel.v, 0) END
      FROM mm
      LEFT JOIN tel ON tel.span = mm.k
      LEFT JOIN LATERAL (SELECT * FROM statistic_month(t.scope, t.metric, mm.month, srcs)
                          WHERE mm.closed) st ON true
     ORDER BY mm.month;
END $$;
COMMENT ON FUNCTION target_months(target, timestamptz) IS
    'Per month of a target''s year to `at`: telemetry, the official figure (closed months), and what counts: the official figure where there is one, else telemetry.';

-- The last_year profile: per day of the target's year, the weight of the
-- same calendar day last year (same scope and metric), from daily totals
-- smoothed over 7 days. 29 February: in a leap year, 28 and 29 February
-- share last year's 28 February; after one, 28 February carries both days.
-- coverage: the share of last year's days with readings (the same in every
-- row).
CREATE FUNCTION target_last_year_weights(t target)
RETURNS TABLE (day date, w double precision, coverage double precision)
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
DECLARE
    tz text; y0p timestamptz; y0 timestamptz; ndays integer; srcs text[];
BEGIN
    SELECT s.timezone INTO tz FROM target_setting s;
    y0p := make_timestamptz(t.year - 1, 1, 1, 0, 0, 0, tz);
    y0 := make_timestamptz(t.year, 1, 1, 0, 0, 0, tz);
    ndays := make_date(t.year, 1, 1) - make_date(t.year - 1, 1, 1);
    srcs := CASE WHEN t.metric = 'capacity_commissioned'
                 THEN coalesce(t.sources, ARRAY['solar', 'wind', 'biomass']) END;
    RETURN QUERY
    WITH raw AS (
        SELECT (h.hour AT TIME ZONE tz)::date AS day, sum(h.value_sum) AS v
          FROM reading_hourly h JOIN site s ON s.id = h.site_id
         WHERE h.metric = t.metric AND h.hour >= y0p AND h.hour < y0
           AND (srcs IS NULL OR h.source = ANY (srcs))
           AND target_scope_has(t.scope, s.id, s.county)
         GROUP BY 1
    ), ld AS (
        SELECT g::date AS day FROM generate_series(make_date(t.year - 1, 1, 1), make_date(t.year - 1, 12, 31), interval '1 day') g
    ), sm AS (
        SELECT ld.day, avg(coalesce(raw.v, 0)) OVER (ORDER BY ld.day ROWS BETWEEN 3 PRECEDING AND 3 FOLLOWING) AS w
          FROM ld LEFT JOIN raw USING (day)
    ), td AS (
        SELECT g::date AS day FROM generate_series(make_date(t.year, 1, 1), make_date(t.year, 12, 31), interval '1 day') g
    ), pairs AS (
        -- a day of last year and the days of this year at its calendar point
        SELECT sm.day AS lday, td.day AS tday, sm.w
          FROM sm JOIN td ON td.day = (sm.day + interval '1 year')::date
        UNION
        SELECT sm.day, td.day, sm.w
          FROM td JOIN sm ON sm.day = (td.day - interval '1 year')::date
    )
    SELECT x.tday, sum(x.w), (SELECT count(*) FROM raw WHERE raw.v <> 0)::double precision / ndays
      FROM (SELECT p.tday, p.w / count(*) OVER (PARTITION BY p.lday) AS w FROM pairs p) x
     GROUP BY x.tday;
END $$;
COMMENT ON FUNCTION target_last_year_weights(target) IS
    'The last_year profile of a target: per day of its year, last year''s smoothed daily total at the same calendar point, and last year''s coverage (0..1).';

-- The profiles, kept by the evaluation (target_profile_refresh) so that an
-- evaluation a minute does not read last year's readings each time.
CREATE TABLE target_profile (
    target_id    integer NOT NULL REFERENCES target (id) ON DELETE CASCADE,
    day          date NOT NULL,
    w            double precision NOT NULL,
    coverage     double precision NOT NULL,
    timezone     text NOT NULL,
    computed_at  timestamptz NOT NULL,
    PRIMARY KEY (target_id, day)
);
COMMENT ON TABLE target_profile IS 'The last_year profiles of the targets, as target_last_year_weights computed them at computed_at; younger than an hour, they stand for it.';
COMMENT ON COLUMN target_profile.target_id IS 'The target.';
COMMENT ON COLUMN target_profile.day IS 'A day of the target''s year.';
COMMENT ON COLUMN target_profile.w IS 'Its weight: last year''s smoothed total at that calendar point.';
COMMENT ON COLUMN target_profile.coverage IS 'Share of last year''s days with readings (0..1).';
COMMENT ON COLUMN target_profile.timezone IS 'The zone the days were counted in.';
COMMENT ON COLUMN target_profile.computed_at IS 'When it was computed.';
GRANT SELECT, INSERT, UPDATE ON target_profile TO enertrack_ingest;

-- Recomputes the profiles of the year of `at` older than an hour.
CREATE FUNCTION target_profile_refresh(at timestamptz) RETURNS integer
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    tz text; t target; n integer := 0;
BEGIN
    SELECT s.timezone INTO tz FROM target_setting s;
    FOR t IN SELECT x.* FROM target x JOIN metric m ON m.name = x.metric
              WHERE x.year = extract(year FROM at AT TIME ZONE tz)::int AND m.aggregate = 'sum'
                AND (x.schedule_kind = 'last_year'
                     OR (x.schedule_kind IS NULL AND x.schedule IS NULL AND m.flow))
                AND NOT EXISTS (SELECT 1 FROM target_profile p
                                 WHERE p.target_id = x.id AND p.timezone = tz
                                   AND p.computed_at > now() - interval '1 hour') LOOP
        INSERT INTO target_profile (target_id, day, w, coverage, timezone, computed_at)
        SELECT t.id, l.day, l.w, l.coverage, tz, now() FROM target_last_year_weights(t) l
        ON CONFLICT (target_id, day) DO UPDATE
           SET w = EXCLUDED.w, coverage = EXCLUDED.coverage, timezone = EXCLUDED.timezone,
               computed_at = EXCLUDED.computed_at;
        n := n + 1;
    END LOOP;
    RETURN n;
END $$;
COMMENT ON FUNCTION target_profile_refresh(timestamptz) IS
    'Recomputes into target_profile the last_year profiles of the targets of the year of `at` that are older than an hour; returns how many.';

-- The last_year schedule at `at`: the share of the profile's total reached
-- (the day of `at` counted by the fraction of it passed), and coverage.
CREATE FUNCTION target_last_year_share(t target, at timestamptz,
                                       OUT share double precision, OUT coverage double precision)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    tz text; today date; dayfrac double precision; d0 timestamptz;
BEGIN
    SELECT s.timezone INTO tz FROM target_setting s;
    today := (at AT TIME ZONE tz)::date;
    d0 := today::timestamp AT TIME ZONE tz;
    dayfrac := extract(epoch FROM at - d0)
               / extract(epoch FROM ((today + 1)::timestamp AT TIME ZONE tz) - d0);
    IF EXISTS (SELECT 1 FROM target_profile p WHERE p.target_id = t.id AND p.timezone = tz
                  AND p.computed_at > now() - interval '1 hour') THEN
        SELECT max(p.coverage),
               CASE WHEN sum(p.w) > 0
                    THEN (coalesce(sum(p.w) FILTER (WHERE p.day < today), 0)
                          + coalesce(sum(p.w) FILTER (WHERE p.day = today), 0) * dayfrac) / sum(p.w) END
          INTO coverage, share FROM target_profile p WHERE p.target_id = t.id;
    ELSE
        SELECT max(l.coverage),
               CASE WHEN sum(l.w) > 0
                    THEN (coalesce(sum(l.w) FILTER (WHERE l.day < today), 0)
                          + coalesce(sum(l.w) FILTER (WHERE l.day = today), 0) * dayfrac) / sum(l.w) END
          INTO coverage, share FROM target_last_year_weights(t) l;
    END IF;
    IF today >= make_date(t.year + 1, 1, 1) THEN
        share := 1;
    END IF;
END $$;
COMMENT ON FUNCTION target_last_year_share(target, timestamptz) IS
    'The last_year schedule: the share of last year''s total reached at the calendar point of `at` (daily, smoothed over 7 days), and how much of last year had readings (0..1); from target_profile when it is younger than an hour.';

-- Per milestone of a target at `at`: due, the site's commissioned capacity
-- this year, what the site's milestones up to this one plan, and whether it
-- is late (due, and the site has not reached it) and by how many days.
CREATE FUNCTION target_milestone_state(t target, at timestamptz)
RETURNS TABLE (milestone_id integer, site_id text, name text, due date, value double precision,
               is_due boolean, commissioned double precision, planned_to_here double precision,
               late boolean, days_late integer)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
DECLARE
    tz text; today date;
BEGIN
    SELECT s.timezone INTO tz FROM target_setting s;
    today := (at AT TIME ZONE tz)::date;
    RETURN QUERY
    WITH ms AS (
        SELECT m.*, m.value * u.factor AS v,
               sum(m.value * u.factor) OVER (PARTITION BY m.site_id ORDER BY m.due, m.id) AS cum
          FROM target_milestone m JOIN unit u ON u.name = m.unit
         WHERE m.target_id = t.id
    ), st AS (
        SELECT s.site_id, s.ytd FROM target_site_stats(t, at) s
    )
    SELECT ms.id, ms.site_id, ms.name, ms.due, ms.v, ms.due <= today, coalesce(st.ytd, 0), ms.cum,
           ms.due < today AND coalesce(st.ytd, 0) < ms.cum * (1 - 1e-9),
           CASE WHEN ms.due < today AND coalesce(st.ytd, 0) < ms.cum * (1 - 1e-9) THEN today - ms.due END
      FROM ms LEFT JOIN st ON st.site_id = ms.site_id
     ORDER BY ms.due, ms.id;
END $$;
COMMENT ON FUNCTION target_milestone_state(target, timestamptz) IS
    'Per milestone at `at`: due or not, what its site commissioned this year, what its site''s milestones plan up to it, late (due and not reached) and by how many days.';

-- 5. target_progress_at with the schedules, milestones and statistics.
DROP VIEW target_progress;
DROP FUNCTION target_progress_at(timestamptz);
CREATE FUNCTION target_progress_at(at timestamptz)
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
    c_now double precision; g_now double precision; c_prev double precision; g_prev double precision;
    n_sites integer; n_stale integer; missing double precision; site_sum double precision;
    ly_share double precision; ly_cov double precision; n_ms integer; ms_exp double precision;
    n_official integer; months_total double precision;
BEGIN
    SELECT * INTO cfg FROM target_setting;
    FOR t IN SELECT * FROM target x
             WHERE x.year = extract(year FROM at AT TIME ZONE cfg.timezone)::int ORDER BY x.id LOOP
        SELECT * INTO mt FROM metric WHERE name = t.metric;
        y0 := make_timestamptz(t.year, 1, 1, 0, 0, 0, cfg.timezone);
        y1 := make_timestamptz(t.year + 1, 1, 1, 0, 0, 0, cfg.timezone);
        elapsed_pct := 100 * extract(epoch FROM at - y0) / extract(epoch FROM y1 - y0);
        days_left := extract(epoch FROM y1 - at) / 86400;
        schedule_used := NULL; schedule_note := NULL; month_sources := NULL;
        milestones_due := NULL; late_projects := NULL; ly_share := NULL; n_ms := 0;

        IF t.metric IN ('capacity_commissioned', 'retrofit_capacity') THEN
            SELECT count(*), coalesce(sum(s.value) FILTER (WHERE s.is_due), 0),
                   count(*) FILTER (WHERE s.is_due),
                   string_agg(format('%s (due %s)', s.name, s.due), ', ' ORDER BY s.due, s.milestone_id)
                       FILTER (WHERE s.late)
              INTO n_ms, ms_exp, milestones_due, late_projects
              FROM target_milestone_state(t, at) s;
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
        IF n_ms = 0 AND t.metric IN ('capacity_commissioned', 'retrofit_capacity') THEN
            schedule_note := 'no milestones; ' || schedule_note;
        END IF;

        IF schedule_used = 'weights' THEN
            w := t.schedule;
            mon := extract(month FROM at AT TIME ZONE cfg.timezone)::int;
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
            tgt := t.value;
            SELECT sum(sp.value_sum) FILTER (WHERE sp.metric = 'energy_consumption' AND sp.span = 3),
                   sum(sp.value_sum) FILTER (WHERE sp.metric = 'gdp' AND sp.span = 3),
                   sum(sp.value_sum) FILTER (WHERE sp.metric = 'energy_consumption' AND sp.span = 1),
                   sum(sp.value_sum) FILTER (WHERE sp.metric = 'gdp' AND sp.span = 1)
              INTO c_now, g_now, c_prev, g_prev
              FROM (SELECT x.name AS metric, r.* FROM metric x,
                           LATERAL reading_spans(x.name, NULL, target_year_cuts(t.year, at, cfg.timezone)) r
                     WHERE x.name IN ('energy_consumption', 'gdp')) sp
              JOIN site s ON s.id = sp.site_id
             WHERE target_scope_has(t.scope, s.id, s.county);
            act := CASE WHEN c_now > 0 AND g_now > 0 AND c_prev > 0 AND g_prev > 0
                        THEN 100 * (1 - (c_now / g_now) / (c_prev / g_prev)) END;
            exp_v := tgt;
            projected := act;
        ELSIF mt.aggregate = 'level' THEN
            tgt := t.value * (SELECT factor FROM unit WHERE name = t.unit);
            SELECT avg(v) INTO act FROM (
                SELECT DISTINCT ON (r.site_id) r.value AS v
                  FROM reading r JOIN site s ON s.id = r.site_id
                 WHERE r.metric = t.metric AND r.ts >= y0 AND r.ts <= at
                   AND target_scope_has(t.scope, s.id, s.county)
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
                -- closed months: the official figure where there is one
                SELECT count(*) FILTER (WHERE m.closed AND m.official IS NOT NULL), sum(m.counted),
                       string_agg(format('%s %s', to_char(m.month, 'YYYY-MM'),
                                         CASE WHEN m.closed AND m.official IS NOT NULL
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
                                 CASE WHEN t.metric = 'capacity_commissioned'
                                      THEN coalesce(t.sources, ARRAY['solar', 'wind', 'biomass']) END,
                                 ARRAY[win_start, at + interval '1 microsecond']) sp
              JOIN site s ON s.id = sp.site_id
             WHERE target_scope_has(t.scope, s.id, s.county);
            IF schedule_used = 'last_year' AND frac > 0 THEN
                -- the same profile: what the year to date makes of the whole year
                projected := coalesce(act, 0) / frac;
            ELSE
                projected := coalesce(act, 0) + coalesce(rate, 0) * days_left;
            END IF;
            required_daily := greatest(tgt - coalesce(act, 0), 0) / greatest(days_left, 1.0 / 24);
            stale_shortfall := missing;
        END IF;

        target := tgt; expected := exp_v; actual := act;
        drift_pct := CASE WHEN exp_v > 0 AND act IS NOT NULL THEN 100 * (act - exp_v) / exp_v END;
        status := CASE
            WHEN elapsed_pct < cfg.min_elapsed_pct THEN 'too_early'
            WHEN act IS NULL THEN 'insufficient_data'
            WHEN t.kind = 'about' AND drift_pct > t.tolerance_pct THEN 'over'
            WHEN drift_pct < -t.tolerance_pct AND mt.aggregate = 'sum'
                 AND missing >= 0.5 * (exp_v - act) THEN 'insufficient_data'
            WHEN drift_pct < -t.tolerance_pct THEN 'behind'
            WHEN t.kind <> 'about' AND drift_pct > t.tolerance_pct THEN 'ahead'
            ELSE 'on_track' END;
        RETURN NEXT;
    END LOOP;
END $$;
COMMENT ON FUNCTION target_progress_at(timestamptz) IS
    'Per target of the year of `at`: expected by the schedule or the milestones due, actual (statistics for closed months, telemetry for the rest), drift, projection, status, and which schedule and sources were used.';

CREATE VIEW target_progress AS SELECT * FROM target_progress_at(now());
GRANT SELECT ON target_progress TO enertrack_ingest, enertrack_reader;
GRANT SELECT ON target_milestone, statistic TO enertrack_ingest;
COMMENT ON VIEW target_progress IS 'Per target of the current year (target_setting.timezone): expected by now, actual, drift, projection, status, schedule and sources.';
COMMENT ON COLUMN target_progress.target_id IS 'The target (target.id).';
COMMENT ON COLUMN target_progress.label IS 'The metric''s display name.';
COMMENT ON COLUMN target_progress.metric IS 'The metric.';
COMMENT ON COLUMN target_progress.year IS 'The target''s year.';
COMMENT ON COLUMN target_progress.scope IS 'city, county:<name> or site:<id>.';
COMMENT ON COLUMN target_progress.kind IS 'about, at_least or reduce_by_pct.';
COMMENT ON COLUMN target_progress.target IS 'The year''s target, canonical unit (reduce_by_pct: %).';
COMMENT ON COLUMN target_progress.unit IS 'The unit the target was set in.';
COMMENT ON COLUMN target_progress.display_unit IS 'Unit to show values in.';
COMMENT ON COLUMN target_progress.display_div IS 'Shown value = canonical value / display_div.';
COMMENT ON COLUMN target_progress.elapsed_pct IS 'Share of the year passed, %.';
COMMENT ON COLUMN target_progress.expected IS 'What the schedule (or the milestones due) expects by now, canonical unit.';
COMMENT ON COLUMN target_progress.actual IS 'Year to date, canonical unit: official statistics for closed months where there are some, else telemetry (level: the sites'' latest average; ratio: the reduction in %).';
COMMENT ON COLUMN target_progress.drift_pct IS '100 × (actual - expected) / expected.';
COMMENT ON COLUMN target_progress.projected IS 'The year''s end: last_year schedule, actual ÷ last year''s share; else at the recent daily rate (30 days).';
COMMENT ON COLUMN target_progress.required_daily IS 'What each remaining day must add to reach the target.';
COMMENT ON COLUMN target_progress.sites_reporting IS 'Sites with readings this year that are not stale.';
COMMENT ON COLUMN target_progress.sites_stale IS 'Sites silent longer than target_setting.stale_after_s.';
COMMENT ON COLUMN target_progress.stale_shortfall IS 'What the stale sites would have added at their own pace.';
COMMENT ON COLUMN target_progress.tolerance_pct IS 'The target''s tolerance, %.';
COMMENT ON COLUMN target_progress.status IS 'too_early, insufficient_data, on_track, ahead, behind or over.';
COMMENT ON COLUMN target_progress.plan_text IS 'The target as the plan words it.';
COMMENT ON COLUMN target_progress.schedule_used IS 'linear, weights, last_year or milestones.';
COMMENT ON COLUMN target_progress.schedule_note IS 'Why that schedule, in words (last year''s coverage, "no milestones", ...).';
COMMENT ON COLUMN target_progress.month_sources IS 'Per month so far, where its figure came from: "2024-01 statistics:<source>, ..., 2024-06 telemetry" (sum metrics without milestones).';
COMMENT ON COLUMN target_progress.milestones_due IS 'Milestones due by now (NULL: not a capacity target).';
COMMENT ON COLUMN target_progress.late_projects IS 'Late projects with their due dates, "name (due YYYY-MM-DD), ..."; NULL: none.';

-- 6. Telemetry against the official monthly figures.
-- The telemetry of a scope and metric between two local dates.
CREATE FUNCTION statistic_telemetry(sc text, m text, d0 date, d1 date) RETURNS double precision
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_custom_plan AS $$
DECLARE
    tz text; v double precision;
BEGIN
    SELECT s.timezone INTO tz FROM target_setting s;
    SELECT sum(sp.value_sum) INTO v
      FROM reading_spans(m, CASE WHEN m = 'capacity_commissioned' THEN ARRAY['solar', 'wind', 'biomass'] END,
                         ARRAY[d0::timestamp AT TIME ZONE tz, d1::timestamp AT TIME ZONE tz]) sp
      JOIN site s ON s.id = sp.site_id
     WHERE target_scope_has(sc, s.id, s.county);
    RETURN v;
END $$;
COMMENT ON FUNCTION statistic_telemetry(text, text, date, date) IS
    'Sum of the readings of a scope and metric from local date d0 to d1 (exclusive), canonical unit; NULL: none.';

CREATE VIEW telemetry_vs_statistics AS
SELECT st.scope, st.metric, st.period, st.source, tel.v AS telemetry, st.value AS official,
       CASE WHEN st.value <> 0 THEN 100 * (coalesce(tel.v, 0) - st.value) / st.value END AS gap_pct
  FROM statistic st
  CROSS JOIN LATERAL (SELECT statistic_telemetry(st.scope, st.metric, st.period_start, st.period_end) AS v) tel
 WHERE st.period ~ '^[0-9]{4}-[0-9]{2}$';
COMMENT ON VIEW telemetry_vs_statistics IS 'Per scope, metric, month and source of the monthly statistics: the telemetry total, the official figure and the gap in %.';
COMMENT ON COLUMN telemetry_vs_statistics.scope IS 'city, county:<name> or site:<id>.';
COMMENT ON COLUMN telemetry_vs_statistics.metric IS 'The metric.';
COMMENT ON COLUMN telemetry_vs_statistics.period IS 'The month, YYYY-MM (local calendar, target_setting.timezone).';
COMMENT ON COLUMN telemetry_vs_statistics.source IS 'The statistic''s source.';
COMMENT ON COLUMN telemetry_vs_statistics.telemetry IS 'Sum of the readings of the scope in the month, canonical unit (NULL: none).';
COMMENT ON COLUMN telemetry_vs_statistics.official IS 'The official figure, canonical unit.';
COMMENT ON COLUMN telemetry_vs_statistics.gap_pct IS '100 × (telemetry - official) / official.';
GRANT SELECT ON telemetry_vs_statistics TO enertrack_ingest, enertrack_reader;

-- 7. The milestone and reconciliation mails queued, so that each goes once.
CREATE TABLE truth_alert (
    kind        text NOT NULL CHECK (kind IN ('milestone', 'reconcile')),
    key         text NOT NULL,
    firing      boolean NOT NULL,
    since       timestamptz NOT NULL,
    detail      text,
    outbox_id   bigint REFERENCES alert_outbox (id) ON DELETE SET NULL,
    PRIMARY KEY (kind, key)
);
COMMENT ON TABLE truth_alert IS 'Milestone and reconciliation alerts: one row per late project or per county and metric, with the mail queued for it.';
COMMENT ON COLUMN truth_alert.kind IS 'milestone (a project overdue) or reconcile (a county''s telemetry off its statistics).';
COMMENT ON COLUMN truth_alert.key IS 'milestone: target_milestone.id; reconcile: "<scope>|<metric>".';
COMMENT ON COLUMN truth_alert.firing IS 'true while the problem lasts (a milestone alert never clears: one mail per project).';
COMMENT ON COLUMN truth_alert.since IS 'When the evaluation saw it start (or, reconcile, end).';
COMMENT ON COLUMN truth_alert.detail IS 'What the mail said, in one line.';
COMMENT ON COLUMN truth_alert.outbox_id IS 'The mail (alert_outbox.id).';
GRANT SELECT, INSERT, UPDATE ON truth_alert TO enertrack_ingest;

-- Reconciliation at `at`: per county and metric, the latest closed month
-- with a statistic (preferred source) and its gap; the telemetry is summed
-- for those months only.
CREATE FUNCTION reconcile_latest(at timestamptz)
RETURNS TABLE (scope text, metric text, period text, source text, telemetry double precision,
               official double precision, gap_pct double precision)
LANGUAGE sql STABLE AS $$
    WITH latest AS (
        SELECT DISTINCT ON (s.scope, s.metric) s.*
          FROM statistic s, target_setting cfg
         WHERE s.scope LIKE 'county:%' AND s.period ~ '^[0-9]{4}-[0-9]{2}$'
           AND s.period_end <= (at AT TIME ZONE cfg.timezone)::date
           AND (cardinality(cfg.statistics_sources) = 0 OR s.source = ANY (cfg.statistics_sources))
         ORDER BY s.scope, s.metric, s.period DESC,
                  array_position(cfg.statistics_sources, s.source), s.source
    )
    SELECT l.scope, l.metric, l.period, l.source, tel.v, l.value,
           CASE WHEN l.value <> 0 THEN 100 * (coalesce(tel.v, 0) - l.value) / l.value END
      FROM latest l
     CROSS JOIN LATERAL (SELECT statistic_telemetry(l.scope, l.metric, l.period_start, l.period_end) AS v) tel
$$;
COMMENT ON FUNCTION reconcile_latest(timestamptz) IS
    'Per county and metric: the latest month closed at `at` with an official figure, its telemetry and gap.';
