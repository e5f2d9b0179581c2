-- SPDX-License-Identifier: MIT
-- enertrack migration 002: targets, progress against the time-proportional
-- schedule (序时进度), and the alert history and mail queue.
--
-- The maths lives here, in one place, because the view and the function are
-- a public interface (psql, Grafana, Excel); the daemon and `enertrack
-- status` read them rather than computing their own.

-- Units and metrics, mirroring lib/units.c (tests/integration/test_targets.sh
-- checks that the two agree).
CREATE TABLE unit (
    name    text PRIMARY KEY,
    dim     text NOT NULL,
    factor  double precision NOT NULL
);
INSERT INTO unit VALUES
    ('t', 'mass', 1), ('kt', 'mass', 1e3), ('Mt', 'mass', 1e6), ('万吨', 'mass', 1e4), ('亿吨', 'mass', 1e8),
    ('kW', 'power', 1e-3), ('MW', 'power', 1), ('GW', 'power', 1e3), ('万千瓦', 'power', 10),
    ('kWh', 'energy', 1e-3), ('MWh', 'energy', 1), ('GWh', 'energy', 1e3), ('万千瓦时', 'energy', 10), ('亿千瓦时', 'energy', 1e5),
    ('tce', 'coal_eq', 1), ('万吨标准煤', 'coal_eq', 1e4),
    ('CNY', 'money', 1), ('元', 'money', 1), ('万元', 'money', 1e4), ('亿元', 'money', 1e8),
    ('%', 'share', 1);

-- How a metric adds up over a year and how people read it.
CREATE TABLE metric (
    name           text PRIMARY KEY,
    dim            text,
    aggregate      text NOT NULL CHECK (aggregate IN ('sum', 'level', 'ratio')),
    label          text NOT NULL,
    display_unit   text NOT NULL,
    display_div    double precision NOT NULL,
    -- a flow is reported continuously (a silent site is missing data);
    -- an event (commissioning) is not, and a site is never stale for it
    flow           boolean NOT NULL
);
INSERT INTO metric VALUES
    ('raw_coal', 'mass', 'sum', 'Raw coal', 'Mt', 1e6, true),
    ('capacity_commissioned', 'power', 'sum', 'New-energy capacity', 'MW', 1, false),
    ('retrofit_capacity', 'power', 'sum', 'Coal-power retrofits', 'MW', 1, false),
    ('generation', 'energy', 'sum', 'Generation', 'GWh', 1e3, true),
    ('energy_consumption', 'coal_eq', 'sum', 'Energy consumption', 'Mtce', 1e6, true),
    ('gdp', 'money', 'sum', 'GDP', '亿元', 1e8, true),
    ('advanced_capacity_share', 'share', 'level', 'Advanced coal capacity share', '%', 1, true),
    ('energy_intensity', NULL, 'ratio', 'Energy intensity', '%', 1, true);

-- Hourly (UTC) sums per site, metric and source, kept by the writer in the
-- same transaction as the readings, so that progress over a year reads
-- thousands of rows, not millions.
CREATE TABLE reading_hourly (
    site_id    text NOT NULL,
    metric     text NOT NULL,
    source     text NOT NULL DEFAULT '',
    hour       timestamptz NOT NULL,
    value_sum  double precision NOT NULL,
    n          integer NOT NULL,
    last_ts    timestamptz NOT NULL,
    PRIMARY KEY (metric, hour, site_id, source)
);
INSERT INTO reading_hourly (site_id, metric, source, hour, value_sum, n, last_ts)
SELECT site_id, metric, coalesce(source, ''), date_trunc('hour', ts AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
       sum(value), count(*), max(ts)
FROM reading GROUP BY 1, 2, 3, 4;

CREATE FUNCTION enertrack_weights_ok(w double precision[]) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT array_ndims(w) = 1 AND array_length(w, 1) = 12 AND 0 <= ALL (w)
           AND 0 < (SELECT sum(x) FROM unnest(w) x)
$$;

CREATE TABLE target (
    id             integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    metric         text NOT NULL REFERENCES metric (name),
    year           integer NOT NULL CHECK (year BETWEEN 2000 AND 2200),
    kind           text NOT NULL CHECK (kind IN ('about', 'at_least', 'reduce_by_pct')),
    value          double precision NOT NULL CHECK (value > 0),
    unit           text NOT NULL REFERENCES unit (name),
    tolerance_pct  double precision NOT NULL DEFAULT 2 CHECK (tolerance_pct >= 0),
    scope          text NOT NULL DEFAULT 'city'
                   CHECK (scope = 'city' OR scope ~ '^county:.+$' OR scope ~ '^site:[a-z0-9][a-z0-9_.-]{0,63}$'),
    -- 12 monthly weights; NULL: linear in time
    schedule       double precision[] CHECK (schedule IS NULL OR enertrack_weights_ok(schedule)),
    -- capacity_commissioned: which sources count (NULL: solar, wind, biomass)
    sources        text[],
    plan_text      text,
    UNIQUE (metric, year, scope)
);
COMMENT ON TABLE target IS 'Annual targets. Add one with INSERT INTO target (metric, year, kind, value, unit, tolerance_pct, scope) VALUES (...).';

-- The city's 2024 targets are data, not schema: sql/data/targets_2024.sql,
-- loaded by `enertrack migrate --seed`.

-- The settings the view needs; the daemon writes its [targets] section here
-- at start and on reload.
CREATE TABLE target_setting (
    id               boolean PRIMARY KEY DEFAULT true CHECK (id),
    timezone         text NOT NULL DEFAULT 'Asia/Shanghai',
    min_elapsed_pct  double precision NOT NULL DEFAULT 5,
    stale_after_s    integer NOT NULL DEFAULT 3600
);
INSERT INTO target_setting DEFAULT VALUES;

-- Per site, for one target at one instant: its year to date, the same period
-- of the year before, when it last reported, its usual interval, and whether
-- it is stale (silent longer than stale_after_s and twice its usual interval).
CREATE FUNCTION target_site_stats(t target, at timestamptz)
RETURNS TABLE (site_id text, county text, ytd double precision, prev_same double precision,
               last_ts timestamptz, interval_s double precision, stale boolean, missing double precision)
LANGUAGE plpgsql STABLE
-- generic plans cannot prune by the year's range: plan each call afresh
SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
DECLARE
    tz text; stale_after integer; y0 timestamptz; y0p timestamptz; prev_end timestamptz;
    m text; is_flow boolean; srcs text[];
BEGIN
    -- Everything the query needs is computed first, so that it is planned
    -- with plain values (an index range on reading_hourly's primary key).
    SELECT s.timezone, s.stale_after_s INTO tz, stale_after FROM target_setting s;
    y0 := make_timestamptz(t.year, 1, 1, 0, 0, 0, tz);
    y0p := make_timestamptz(t.year - 1, 1, 1, 0, 0, 0, tz);
    prev_end := at - interval '1 year';
    m := CASE WHEN t.metric = 'energy_intensity' THEN 'energy_consumption' ELSE t.metric END;
    SELECT x.flow INTO is_flow FROM metric x WHERE x.name = t.metric;
    srcs := CASE WHEN t.metric = 'capacity_commissioned'
                 THEN coalesce(t.sources, ARRAY['solar', 'wind', 'biomass']) END;
    RETURN QUERY
    WITH per AS (
        SELECT h.site_id, s.county,
               sum(h.value_sum) FILTER (WHERE h.hour >= y0) AS ytd,
               sum(h.value_sum) FILTER (WHERE h.hour < y0 AND h.hour < prev_end) AS prev_same,
               max(h.last_ts) AS last_ts, min(h.hour) AS first_hour, sum(h.n) AS n
        FROM reading_hourly h
        JOIN site s ON s.id = h.site_id
        WHERE h.metric = m AND h.hour >= y0p AND h.hour < at AND h.last_ts <= at
          AND (t.scope = 'city'
               OR (t.scope LIKE 'county:%' AND s.county = substr(t.scope, 8))
               OR (t.scope LIKE 'site:%' AND s.id = substr(t.scope, 6)))
          AND (srcs IS NULL OR h.source = ANY (srcs))
        GROUP BY h.site_id, s.county
    ), iv AS (
        -- the usual interval: the span of its reports over their number
        SELECT per.*, CASE WHEN per.n > 1
                           THEN (extract(epoch FROM per.last_ts - per.first_hour) / (per.n - 1))::double precision END AS ival
        FROM per
    )
    SELECT iv.site_id, iv.county, coalesce(iv.ytd, 0), coalesce(iv.prev_same, 0), iv.last_ts, iv.ival,
           st.stale,
           CASE WHEN st.stale AND iv.last_ts > y0 THEN
               (coalesce(iv.ytd, 0) / greatest(1, extract(epoch FROM iv.last_ts - y0) / 86400)
               * extract(epoch FROM at - iv.last_ts) / 86400)::double precision
           ELSE 0 END
    FROM iv
    CROSS JOIN LATERAL (SELECT is_flow AND extract(epoch FROM at - iv.last_ts)
                               > greatest(stale_after, 2 * coalesce(iv.ival, 0)) AS stale) st;
END $$;

CREATE FUNCTION target_progress_at(at timestamptz)
RETURNS TABLE (target_id integer, label text, metric text, year integer, scope text, kind text,
               target double precision, unit text, display_unit text, display_div double precision,
               elapsed_pct double precision, expected double precision, actual double precision,
               drift_pct double precision, projected double precision, required_daily double precision,
               sites_reporting integer, sites_stale integer, stale_shortfall double precision,
               tolerance_pct double precision, status text, plan_text text)
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
DECLARE
    cfg target_setting;
    t target;
    mt metric;
    y0 timestamptz; y1 timestamptz; y0p timestamptz;
    frac double precision; w double precision[]; mon integer; ms timestamptz; me timestamptz;
    tgt double precision; exp_v double precision; act double precision;
    days_left double precision; rate double precision; win_start timestamptz;
    c_now double precision; g_now double precision; c_prev double precision; g_prev double precision;
    n_sites integer; n_stale integer; missing double precision; site_sum double precision;
BEGIN
    SELECT * INTO cfg FROM target_setting;
    FOR t IN SELECT * FROM target x
             WHERE x.year = extract(year FROM at AT TIME ZONE cfg.timezone)::int ORDER BY x.id LOOP
        SELECT * INTO mt FROM metric WHERE name = t.metric;
        y0 := make_timestamptz(t.year, 1, 1, 0, 0, 0, cfg.timezone);
        y1 := make_timestamptz(t.year + 1, 1, 1, 0, 0, 0, cfg.timezone);
        y0p := make_timestamptz(t.year - 1, 1, 1, 0, 0, 0, cfg.timezone);
        elapsed_pct := 100 * extract(epoch FROM at - y0) / extract(epoch FROM y1 - y0);
        days_left := extract(epoch FROM y1 - at) / 86400;

        -- the schedule: share of the year's target due by `at`
        w := coalesce(t.schedule, ARRAY[1,1,1,1,1,1,1,1,1,1,1,1]::double precision[]);
        IF t.schedule IS NULL THEN
            frac := elapsed_pct / 100;
        ELSE
            mon := extract(month FROM at AT TIME ZONE cfg.timezone)::int;
            ms := make_timestamptz(t.year, mon, 1, 0, 0, 0, cfg.timezone);
            me := CASE WHEN mon = 12 THEN y1 ELSE make_timestamptz(t.year, mon + 1, 1, 0, 0, 0, cfg.timezone) END;
            frac := ((SELECT coalesce(sum(x), 0) FROM unnest(w[1:mon - 1]) x)
                     + w[mon] * extract(epoch FROM at - ms) / extract(epoch FROM me - ms))
                    / (SELECT sum(x) FROM unnest(w) x);
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
            -- energy intensity: consumption / GDP, year to date, against the
            -- same period of the year before; the target is a reduction in %.
            tgt := t.value;
            SELECT sum(h.value_sum) FILTER (WHERE h.metric = 'energy_consumption' AND h.hour >= y0),
                   sum(h.value_sum) FILTER (WHERE h.metric = 'gdp' AND h.hour >= y0),
                   sum(h.value_sum) FILTER (WHERE h.metric = 'energy_consumption' AND h.hour < y0),
                   sum(h.value_sum) FILTER (WHERE h.metric = 'gdp' AND h.hour < y0)
              INTO c_now, g_now, c_prev, g_prev
              FROM reading_hourly h JOIN site s ON s.id = h.site_id
             WHERE h.metric IN ('energy_consumption', 'gdp')
               AND ((h.hour >= y0 AND h.hour < at)
                    OR (h.hour >= y0p AND h.hour < y0 AND h.hour < at - interval '1 year'))
               AND (t.scope = 'city' OR (t.scope LIKE 'county:%' AND s.county = substr(t.scope, 8))
                    OR (t.scope LIKE 'site:%' AND s.id = substr(t.scope, 6)));
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
                   AND (t.scope = 'city' OR (t.scope LIKE 'county:%' AND s.county = substr(t.scope, 8))
                        OR (t.scope LIKE 'site:%' AND s.id = substr(t.scope, 6)))
                 ORDER BY r.site_id, r.ts DESC) last;
            exp_v := tgt;
            projected := act;
        ELSE
            tgt := t.value * (SELECT factor FROM unit WHERE name = t.unit);
            act := CASE WHEN n_sites > 0 THEN site_sum END;
            exp_v := tgt * frac;
            -- the recent daily rate (30 days, or the year so far) carried to the year's end
            win_start := greatest(y0, at - interval '30 days');
            SELECT sum(h.value_sum) / greatest(extract(epoch FROM at - win_start) / 86400, 1.0 / 24)
              INTO rate
              FROM reading_hourly h JOIN site s ON s.id = h.site_id
             WHERE h.metric = t.metric AND h.hour >= win_start AND h.hour < at
               AND (t.scope = 'city' OR (t.scope LIKE 'county:%' AND s.county = substr(t.scope, 8))
                    OR (t.scope LIKE 'site:%' AND s.id = substr(t.scope, 6)))
               AND (t.metric <> 'capacity_commissioned'
                    OR h.source = ANY (coalesce(t.sources, ARRAY['solar', 'wind', 'biomass'])));
            projected := coalesce(act, 0) + coalesce(rate, 0) * days_left;
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

CREATE VIEW target_progress AS SELECT * FROM target_progress_at(now());
COMMENT ON VIEW target_progress IS 'Per target of the current year (target_setting.timezone): expected by now, actual, drift, projection, status.';

-- The sites furthest behind their own share of a target. A site's share is
-- its part of the same period last year; without that history, its part of
-- the sites' combined pace while they reported (so a site that fell silent
-- owes what it would have produced at its own pace).
CREATE FUNCTION target_sites_behind(tid integer, at timestamptz, n integer DEFAULT 5)
RETURNS TABLE (site_id text, county text, actual double precision, expected double precision,
               gap double precision, stale boolean, last_ts timestamptz)
LANGUAGE sql STABLE AS $$
    WITH t AS (SELECT * FROM target WHERE id = tid),
    p AS (SELECT * FROM target_progress_at(at) WHERE target_id = tid),
    y AS (SELECT make_timestamptz(t.year, 1, 1, 0, 0, 0, (SELECT timezone FROM target_setting)) AS y0 FROM t),
    s AS (SELECT st.*, st.ytd / greatest(1.0 / 24, extract(epoch FROM st.last_ts - y.y0) / 86400) AS pace
          FROM t, y, LATERAL target_site_stats(t, at) st),
    tot AS (SELECT sum(prev_same) AS prev, sum(pace) AS pace FROM s),
    sh AS (SELECT s.*, CASE WHEN tot.prev > 0 THEN s.prev_same / tot.prev
                            WHEN tot.pace > 0 THEN s.pace / tot.pace ELSE 0 END AS share
           FROM s, tot)
    SELECT sh.site_id, sh.county, sh.ytd, p.expected * sh.share,
           sh.ytd - p.expected * sh.share AS gap, sh.stale, sh.last_ts
    FROM sh, p
    WHERE p.metric <> 'energy_intensity' AND p.metric <> 'advanced_capacity_share'
    ORDER BY gap ASC
    LIMIT n
$$;

-- Alerts: one state per target, one row per change, one mail per change.
CREATE TABLE alert_state (
    target_id     integer PRIMARY KEY REFERENCES target (id) ON DELETE CASCADE,
    state         text NOT NULL CHECK (state IN ('ok', 'pending', 'firing')),
    since         timestamptz NOT NULL,
    last_mail_at  timestamptz,
    drift_pct     double precision,
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE drift_event (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    target_id   integer NOT NULL REFERENCES target (id) ON DELETE CASCADE,
    at          timestamptz NOT NULL DEFAULT now(),
    from_state  text NOT NULL,
    to_state    text NOT NULL,
    event       text NOT NULL,
    status      text,
    drift_pct   double precision,
    expected    double precision,
    actual      double precision
);

CREATE TABLE alert_outbox (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    drift_event_id   bigint REFERENCES drift_event (id) ON DELETE SET NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    subject          text NOT NULL,
    message          text NOT NULL,
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_error       text,
    sent_at          timestamptz
);
CREATE INDEX alert_outbox_due ON alert_outbox (next_attempt_at) WHERE sent_at IS NULL;
