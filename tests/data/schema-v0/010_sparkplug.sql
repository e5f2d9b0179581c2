-- SPDX-License-Identifier: MIT
-- Sparkplug B: which Sparkplug metric is which enertrack reading, what
-- arrived without a mapping, and deaths that make sites stale at once.
--   sparkplug_map           (group, edge node, device, metric name) -> site, metric, unit
--   sparkplug_unmapped_metric, view sparkplug_unmapped: metrics seen without a mapping
--   site.offline_since      set by an NDEATH/DDEATH of a node or device mapped to the site
--   sparkplug_prepare(), sparkplug_apply(): the daemon's staging of Sparkplug values
-- enertrackd stages each batch's Sparkplug values in pg_temp.et_stage_sparkplug;
-- sparkplug_apply() turns the mapped ones into rows of pg_temp.et_stage_reading,
-- which ingest_apply() then writes like any reading, in the same transaction.

CREATE TABLE sparkplug_map (
    group_id     text NOT NULL,
    edge_node    text NOT NULL,
    device       text NOT NULL DEFAULT '',
    metric_name  text NOT NULL,
    site_id      text NOT NULL REFERENCES site (id),
    metric       text NOT NULL REFERENCES metric (name),
    unit         text NOT NULL REFERENCES unit (name),
    counter      boolean NOT NULL DEFAULT false,
    rollover     double precision CHECK (rollover IS NULL OR rollover > 0),
    PRIMARY KEY (group_id, edge_node, device, metric_name)
);
CREATE INDEX sparkplug_map_site ON sparkplug_map (site_id);
COMMENT ON TABLE sparkplug_map IS
    'Maps a Sparkplug B metric (group, edge node, device, metric name) to an enertrack site, metric and unit. The site must exist (INSERT INTO site first). A change applies to the next batch the daemon writes.';
COMMENT ON COLUMN sparkplug_map.group_id IS 'Sparkplug group id (the topic''s second level).';
COMMENT ON COLUMN sparkplug_map.edge_node IS 'Sparkplug edge node id.';
COMMENT ON COLUMN sparkplug_map.device IS 'Sparkplug device id; '''' for a metric of the edge node itself.';
COMMENT ON COLUMN sparkplug_map.metric_name IS 'The metric''s name as its birth certificate gives it (DATA messages may carry only the alias).';
COMMENT ON COLUMN sparkplug_map.site_id IS 'The site the values belong to.';
COMMENT ON COLUMN sparkplug_map.metric IS 'The enertrack metric (metric.name).';
COMMENT ON COLUMN sparkplug_map.unit IS 'The unit the edge node sends the value in (unit.name); of the metric''s dimension.';
COMMENT ON COLUMN sparkplug_map.counter IS 'The value is a running total (a totaliser): the reading is stored with counter = true.';
COMMENT ON COLUMN sparkplug_map.rollover IS 'Where a counter wraps to 0 (e.g. 999999.9); NULL when it does not.';

-- the unit must measure what the metric measures
CREATE FUNCTION sparkplug_map_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
DECLARE
    udim text; mdim text;
BEGIN
    SELECT dim INTO udim FROM unit WHERE name = NEW.unit;
    SELECT dim INTO mdim FROM metric WHERE name = NEW.metric;
    IF mdim IS NOT NULL AND udim IS DISTINCT FROM mdim THEN
        RAISE EXCEPTION 'sparkplug_map: unit % measures %, metric % is in %', NEW.unit, udim,
            NEW.metric, mdim USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
COMMENT ON FUNCTION sparkplug_map_check() IS 'Refuses a sparkplug_map row whose unit is not of its metric''s dimension.';
CREATE TRIGGER sparkplug_map_check BEFORE INSERT OR UPDATE ON sparkplug_map
    FOR EACH ROW EXECUTE FUNCTION sparkplug_map_check();

CREATE TABLE sparkplug_unmapped_metric (
    group_id     text NOT NULL,
    edge_node    text NOT NULL,
    device       text NOT NULL,
    metric_name  text NOT NULL,
    datatype     integer,
    first_seen   timestamptz NOT NULL,
    last_seen    timestamptz NOT NULL,
    last_value   double precision,
    n_values     bigint NOT NULL,
    PRIMARY KEY (group_id, edge_node, device, metric_name)
);
COMMENT ON TABLE sparkplug_unmapped_metric IS
    'Sparkplug metrics whose values arrived while no sparkplug_map row mapped them: counted, with the last value, not stored as readings. See the view sparkplug_unmapped.';
COMMENT ON COLUMN sparkplug_unmapped_metric.group_id IS 'Sparkplug group id.';
COMMENT ON COLUMN sparkplug_unmapped_metric.edge_node IS 'Sparkplug edge node id.';
COMMENT ON COLUMN sparkplug_unmapped_metric.device IS 'Sparkplug device id; '''' for the edge node''s own metrics.';
COMMENT ON COLUMN sparkplug_unmapped_metric.metric_name IS 'The metric''s name.';
COMMENT ON COLUMN sparkplug_unmapped_metric.datatype IS 'Sparkplug datatype number (9 Float, 10 Double, 3 Int32, ...).';
COMMENT ON COLUMN sparkplug_unmapped_metric.first_seen IS 'Timestamp of the first unmapped value.';
COMMENT ON COLUMN sparkplug_unmapped_metric.last_seen IS 'Timestamp of the latest unmapped value.';
COMMENT ON COLUMN sparkplug_unmapped_metric.last_value IS 'The latest unmapped value, as sent.';
COMMENT ON COLUMN sparkplug_unmapped_metric.n_values IS 'Values that arrived unmapped (and were not stored).';

CREATE VIEW sparkplug_unmapped AS
SELECT u.group_id, u.edge_node, u.device, u.metric_name, u.datatype, u.first_seen, u.last_seen,
       u.last_value, u.n_values,
       format('INSERT INTO sparkplug_map (group_id, edge_node, device, metric_name, site_id, metric, unit, counter, rollover) VALUES (%L, %L, %L, %L, %L, %L, %L, false, NULL);',
              u.group_id, u.edge_node, u.device, u.metric_name, '<site id>', '<metric>', '<unit>') AS to_map
FROM sparkplug_unmapped_metric u
WHERE NOT EXISTS (SELECT 1 FROM sparkplug_map m
                  WHERE (m.group_id, m.edge_node, m.device, m.metric_name)
                      = (u.group_id, u.edge_node, u.device, u.metric_name));
COMMENT ON VIEW sparkplug_unmapped IS
    'Sparkplug metrics that arrived and are still not mapped, with the INSERT that would map them (fill in site id, metric and unit; counter and rollover for a totaliser). Values that arrived before the mapping are not stored.';
COMMENT ON COLUMN sparkplug_unmapped.group_id IS 'Sparkplug group id.';
COMMENT ON COLUMN sparkplug_unmapped.edge_node IS 'Sparkplug edge node id.';
COMMENT ON COLUMN sparkplug_unmapped.device IS 'Sparkplug device id ('''' for the edge node).';
COMMENT ON COLUMN sparkplug_unmapped.metric_name IS 'The metric''s name.';
COMMENT ON COLUMN sparkplug_unmapped.datatype IS 'Sparkplug datatype number.';
COMMENT ON COLUMN sparkplug_unmapped.first_seen IS 'Timestamp of the first unmapped value.';
COMMENT ON COLUMN sparkplug_unmapped.last_seen IS 'Timestamp of the latest unmapped value.';
COMMENT ON COLUMN sparkplug_unmapped.last_value IS 'The latest value, as sent.';
COMMENT ON COLUMN sparkplug_unmapped.n_values IS 'Values not stored for want of a mapping.';
COMMENT ON COLUMN sparkplug_unmapped.to_map IS 'The INSERT INTO sparkplug_map to run, with <site id>, <metric> and <unit> to fill in.';

ALTER TABLE site ADD COLUMN offline_since timestamptz;
COMMENT ON COLUMN site.offline_since IS
    'When a Sparkplug NDEATH or DDEATH of an edge node or device mapped to this site arrived; the site counts as stale from then until the next NBIRTH or DBIRTH. NULL when alive.';

CREATE FUNCTION sparkplug_prepare() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF to_regclass('pg_temp.et_stage_sparkplug') IS NULL THEN
        -- columns: ET_SP_COPY_COLUMNS (include/enertrack/sparkplug.h)
        CREATE TEMP TABLE et_stage_sparkplug (
            n            integer,
            event        text,     -- data, nbirth, dbirth, ndeath, ddeath
            group_id     text,
            edge_node    text,
            device       text,
            metric_name  text,
            datatype     integer,
            ts           timestamptz,
            value        double precision,
            historical   boolean,
            received_at  timestamptz
        ) ON COMMIT DELETE ROWS;
        GRANT INSERT ON pg_temp.et_stage_sparkplug TO enertrack_ingest;
    END IF;
END $$;
COMMENT ON FUNCTION sparkplug_prepare() IS
    'Makes this session''s staging table pg_temp.et_stage_sparkplug (emptied at each commit). enertrackd calls it once per connection, after ingest_prepare().';

-- The staged Sparkplug values: mapped ones go to et_stage_reading (in the
-- map's unit, converted to the metric's canonical unit, after the batch's
-- own readings by n), unmapped ones are counted in sparkplug_unmapped_metric,
-- deaths set site.offline_since, births clear it. ingest_apply() follows in the same
-- transaction. A replayed batch counts its unmapped values again: the
-- count is of values received, not of distinct values.
CREATE FUNCTION sparkplug_apply(OUT mapped bigint, OUT unmapped bigint, OUT deaths bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    has_rollover boolean;
BEGIN
    -- a staging table with a rollover column takes the map's
    SELECT EXISTS (SELECT 1 FROM pg_attribute
                   WHERE attrelid = 'pg_temp.et_stage_reading'::regclass
                     AND attname = 'rollover' AND NOT attisdropped)
      INTO has_rollover;
    EXECUTE format($q$
        INSERT INTO pg_temp.et_stage_reading (n, site_id, kind, county, name, metric, ts, value,
                                              unit_in, value_in, seq, source, counter,
                                              received_at%s)
        SELECT 1000000000 + s.n, m.site_id, st.kind, NULL, NULL, m.metric, s.ts,
               s.value * u.factor, m.unit, s.value, NULL, '', m.counter, s.received_at%s
        FROM pg_temp.et_stage_sparkplug s
        JOIN sparkplug_map m ON m.group_id = s.group_id AND m.edge_node = s.edge_node
                            AND m.device = s.device AND m.metric_name = s.metric_name
        JOIN site st ON st.id = m.site_id
        JOIN unit u ON u.name = m.unit
        WHERE s.event = 'data'$q$,
        CASE WHEN has_rollover THEN ', rollover' ELSE '' END,
        CASE WHEN has_rollover THEN ', m.rollover' ELSE '' END);
    GET DIAGNOSTICS mapped = ROW_COUNT;

    WITH u AS (
        SELECT s.group_id, s.edge_node, s.device, s.metric_name, max(s.datatype) AS datatype,
               min(s.ts) AS first_seen, max(s.ts) AS last_seen,
               (array_agg(s.value ORDER BY s.n DESC))[1] AS last_value, count(*) AS n
        FROM pg_temp.et_stage_sparkplug s
        WHERE s.event = 'data'
          AND NOT EXISTS (SELECT 1 FROM sparkplug_map m
                          WHERE m.group_id = s.group_id AND m.edge_node = s.edge_node
                            AND m.device = s.device AND m.metric_name = s.metric_name)
        GROUP BY 1, 2, 3, 4
    ), i AS (
        INSERT INTO sparkplug_unmapped_metric AS x
        SELECT group_id, edge_node, device, metric_name, datatype, first_seen, last_seen,
               last_value, n FROM u
        ON CONFLICT (group_id, edge_node, device, metric_name) DO UPDATE SET
            datatype = coalesce(EXCLUDED.datatype, x.datatype),
            first_seen = least(x.first_seen, EXCLUDED.first_seen),
            last_seen = greatest(x.last_seen, EXCLUDED.last_seen),
            last_value = EXCLUDED.last_value, n_values = x.n_values + EXCLUDED.n_values
        RETURNING 1)
    SELECT coalesce((SELECT sum(n) FROM u), 0) INTO unmapped;

    -- per site, the last birth or death of its node or device decides
    -- (ts is when the daemon received it)
    WITH e AS (
        SELECT DISTINCT ON (m.site_id) m.site_id, s.event, s.ts
        FROM pg_temp.et_stage_sparkplug s
        JOIN sparkplug_map m ON m.group_id = s.group_id AND m.edge_node = s.edge_node
                            AND (s.event IN ('ndeath', 'nbirth') OR m.device = s.device)
        WHERE s.event <> 'data'
        ORDER BY m.site_id, s.n DESC
    ), upd AS (
        UPDATE site x
        SET offline_since = CASE WHEN e.event LIKE '%death' THEN e.ts END
        FROM e
        WHERE x.id = e.site_id
          AND x.offline_since IS DISTINCT FROM CASE WHEN e.event LIKE '%death' THEN e.ts END
          AND (e.event LIKE '%death' OR x.offline_since <= e.ts)
        RETURNING 1)
    SELECT count(*) INTO deaths FROM pg_temp.et_stage_sparkplug WHERE event LIKE '%death';
END $$;
COMMENT ON FUNCTION sparkplug_apply() IS
    'Applies the Sparkplug values staged in pg_temp.et_stage_sparkplug: mapped values become staged readings for ingest_apply(), unmapped ones are counted in sparkplug_unmapped_metric, NDEATH/DDEATH set site.offline_since of the mapped sites, NBIRTH/DBIRTH clear it. Returns the mapped and unmapped values and the deaths.';

REVOKE ALL ON FUNCTION sparkplug_prepare(), sparkplug_apply() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sparkplug_prepare(), sparkplug_apply() TO enertrack_ingest;
GRANT SELECT ON sparkplug_map, sparkplug_unmapped_metric, sparkplug_unmapped TO enertrack_ingest;

-- As in 005, and a site whose edge node or device died (site.offline_since)
-- is stale at once.
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
        SELECT sp.site_id, s.county, s.offline_since,
               sum(sp.value_sum) FILTER (WHERE sp.span = 3) AS ytd,
               sum(sp.value_sum) FILTER (WHERE sp.span = 1) AS prev_same,
               max(sp.last_ts) AS last_ts, min(sp.first_ts) AS first_hour, sum(sp.n) AS n
        FROM reading_spans(m, srcs, cuts) sp
        JOIN site s ON s.id = sp.site_id
        WHERE (t.scope = 'city'
               OR (t.scope LIKE 'county:%' AND s.county = substr(t.scope, 8))
               OR (t.scope LIKE 'site:%' AND s.id = substr(t.scope, 6)))
        GROUP BY sp.site_id, s.county, s.offline_since
    ), iv AS (
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
    CROSS JOIN LATERAL (SELECT is_flow AND (extract(epoch FROM at - iv.last_ts)
                               > greatest(stale_after, 2 * coalesce(iv.ival, 0))
                               OR (iv.offline_since IS NOT NULL AND iv.offline_since <= at))
                               AS stale) st;
END $$;
