-- SPDX-License-Identifier: MIT
-- enertrack migration 005: exact sums in every time zone and at any instant.
--
-- reading_hourly's buckets are UTC hours. A local year starts inside a UTC
-- hour where the zone's offset is not whole (Asia/Kolkata +05:30,
-- Asia/Kathmandu +05:45), and an instant such as 10:30 lies inside one in
-- every zone. So a sum over [from, to) takes the UTC hours wholly inside it
-- from reading_hourly and the readings of the few hours that a bound cuts
-- from reading itself (reading_metric_ts), which is exact and reads a handful
-- of rows more than the rollup alone.

-- The parts of reading_spans: per site and span, the whole hours from
-- reading_hourly, then the readings of each hour that a cut falls inside,
-- each part one query planned with its bounds as constants (an index range
-- on one partition of reading; a lateral join would plan every partition).
CREATE FUNCTION reading_span_parts(m text, srcs text[], cuts timestamptz[])
RETURNS TABLE (site_id text, span integer, value_sum double precision, n bigint,
               first_ts timestamptz, last_ts timestamptz)
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
DECLARE
    lo timestamptz := cuts[1];
    hi timestamptz := cuts[cardinality(cuts)];
    edges timestamptz[];
    e timestamptz; e_lo timestamptz; e_hi timestamptz;
BEGIN
    IF cuts IS NULL OR cardinality(cuts) < 2 OR hi <= lo THEN
        RETURN;
    END IF;
    SELECT coalesce(array_agg(DISTINCT date_trunc('hour', c, 'UTC')), '{}') INTO edges
      FROM unnest(cuts) c
     WHERE date_trunc('hour', c, 'UTC') <> c;
    RETURN QUERY
    SELECT h.site_id, width_bucket(h.hour, cuts), sum(h.value_sum), sum(h.n)::bigint,
           min(h.hour), max(h.last_ts)
      FROM reading_hourly h
     WHERE h.metric = m AND h.hour >= lo AND h.hour < hi AND h.hour <> ALL (edges)
       AND (srcs IS NULL OR h.source = ANY (srcs))
     GROUP BY 1, 2;
    FOREACH e IN ARRAY edges LOOP
        -- plain values, so that the planner prunes to the one partition
        e_lo := greatest(e, lo);
        e_hi := least(e + interval '1 hour', hi);
        RETURN QUERY
        SELECT r.site_id, width_bucket(r.ts, cuts), sum(r.value), count(*), min(r.ts), max(r.ts)
          FROM reading r
         WHERE r.metric = m AND r.ts >= e_lo AND r.ts < e_hi
           AND (srcs IS NULL OR coalesce(r.source, '') = ANY (srcs))
         GROUP BY 1, 2;
    END LOOP;
END $$;
COMMENT ON FUNCTION reading_span_parts(text, text[], timestamptz[]) IS
    'reading_spans before its last grouping: a site and span may have a row from the rollup and one per cut hour.';

-- Per site, the readings of metric m (of sources srcs; NULL: all) in the
-- spans [cuts[i], cuts[i+1]), i = 1 .. cardinality(cuts) - 1: their sum,
-- count, first and last ts (first_ts is the UTC hour for readings taken
-- from the rollup). cuts must be in ascending order; a span may be empty.
CREATE FUNCTION reading_spans(m text, srcs text[], cuts timestamptz[])
RETURNS TABLE (site_id text, span integer, value_sum double precision, n bigint,
               first_ts timestamptz, last_ts timestamptz)
LANGUAGE sql STABLE AS $$
    SELECT p.site_id, p.span, sum(p.value_sum), sum(p.n)::bigint, min(p.first_ts), max(p.last_ts)
      FROM reading_span_parts(m, srcs, cuts) p
     GROUP BY p.site_id, p.span
$$;
COMMENT ON FUNCTION reading_spans(text, text[], timestamptz[]) IS
    'Exact per-site sums of a metric between instants: whole UTC hours from reading_hourly, the hours cut by a bound from reading.';

-- The spans of a target's year seen at `at` (in zone tz), as cuts for
-- reading_spans: 1 the same period of the year before (its 1 January to the
-- same local time a year before `at`, inclusive), 2 the rest of that year,
-- 3 this year to `at`, inclusive. NULL when `at` is before the year before.
CREATE FUNCTION target_year_cuts(year integer, at timestamptz, tz text) RETURNS timestamptz[]
LANGUAGE plpgsql STABLE AS $$
DECLARE
    y0 timestamptz := make_timestamptz(year, 1, 1, 0, 0, 0, tz);
    y0p timestamptz := make_timestamptz(year - 1, 1, 1, 0, 0, 0, tz);
    -- spans are half-open and ts has microseconds: a reading at `at` counts
    top timestamptz := at + interval '1 microsecond';
    prev_top timestamptz := ((at AT TIME ZONE tz) - interval '1 year') AT TIME ZONE tz
                            + interval '1 microsecond';
BEGIN
    IF top <= y0p THEN
        RETURN NULL;
    END IF;
    RETURN ARRAY[y0p, greatest(y0p, least(prev_top, y0, top)), least(y0, top), top];
END $$;
COMMENT ON FUNCTION target_year_cuts(integer, timestamptz, text) IS
    'Cuts for reading_spans: span 1 the same period of the year before, 3 the year to date (both to the microsecond, in the zone).';

-- As in 002, with the sums taken by reading_spans: exact at the local year's
-- start and at `at`.
CREATE OR REPLACE FUNCTION target_site_stats(t target, at timestamptz)
RETURNS TABLE (site_id text, county text, ytd double precision, prev_same double precision,
               last_ts timestamptz, interval_s double precision, stale boolean, missing double precision)
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
DECLARE
    tz text; stale_after integer; y0 timestamptz; cuts timestamptz[];
    m text; is_flow boolean; srcs text[];
BEGIN
    SELECT s.timezone, s.stale_after_s INTO tz, stale_after FROM target_setting s;
    y0 := make_timestamptz(t.year, 1, 1, 0, 0, 0, tz);
    cuts := target_year_cuts(t.year, at, tz);
    IF cuts IS NULL THEN
        RETURN;
    END IF;
    m := CASE WHEN t.metric = 'energy_intensity' THEN 'energy_consumption' ELSE t.metric END;
    SELECT x.flow INTO is_flow FROM metric x WHERE x.name = t.metric;
    srcs := CASE WHEN t.metric = 'capacity_commissioned'
                 THEN coalesce(t.sources, ARRAY['solar', 'wind', 'biomass']) END;
    RETURN QUERY
    WITH per AS (
        SELECT sp.site_id, s.county,
               sum(sp.value_sum) FILTER (WHERE sp.span = 3) AS ytd,
               sum(sp.value_sum) FILTER (WHERE sp.span = 1) AS prev_same,
               max(sp.last_ts) AS last_ts, min(sp.first_ts) AS first_hour, sum(sp.n) AS n
        FROM reading_spans(m, srcs, cuts) sp
        JOIN site s ON s.id = sp.site_id
        WHERE (t.scope = 'city'
               OR (t.scope LIKE 'county:%' AND s.county = substr(t.scope, 8))
               OR (t.scope LIKE 'site:%' AND s.id = substr(t.scope, 6)))
        GROUP BY sp.site_id, s.county
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

-- As in 002, with the energy-intensity sums and the recent rate taken by
-- reading_spans.
CREATE OR REPLACE FUNCTION target_progress_at(at timestamptz)
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
    y0 timestamptz; y1 timestamptz;
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
            SELECT sum(sp.value_sum) FILTER (WHERE sp.metric = 'energy_consumption' AND sp.span = 3),
                   sum(sp.value_sum) FILTER (WHERE sp.metric = 'gdp' AND sp.span = 3),
                   sum(sp.value_sum) FILTER (WHERE sp.metric = 'energy_consumption' AND sp.span = 1),
                   sum(sp.value_sum) FILTER (WHERE sp.metric = 'gdp' AND sp.span = 1)
              INTO c_now, g_now, c_prev, g_prev
              FROM (SELECT x.name AS metric, r.* FROM metric x,
                           LATERAL reading_spans(x.name, NULL, target_year_cuts(t.year, at, cfg.timezone)) r
                     WHERE x.name IN ('energy_consumption', 'gdp')) sp
              JOIN site s ON s.id = sp.site_id
             WHERE (t.scope = 'city' OR (t.scope LIKE 'county:%' AND s.county = substr(t.scope, 8))
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
            SELECT sum(sp.value_sum) / greatest(extract(epoch FROM at - win_start) / 86400, 1.0 / 24)
              INTO rate
              FROM reading_spans(t.metric,
                                 CASE WHEN t.metric = 'capacity_commissioned'
                                      THEN coalesce(t.sources, ARRAY['solar', 'wind', 'biomass']) END,
                                 ARRAY[win_start, at + interval '1 microsecond']) sp
              JOIN site s ON s.id = sp.site_id
             WHERE (t.scope = 'city' OR (t.scope LIKE 'county:%' AND s.county = substr(t.scope, 8))
                    OR (t.scope LIKE 'site:%' AND s.id = substr(t.scope, 6)));
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
