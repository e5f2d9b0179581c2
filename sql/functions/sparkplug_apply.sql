-- SPDX-License-Identifier: MIT
-- The staged Sparkplug values: mapped ones go to et_stage_reading (in the
-- map's unit, converted to the metric's canonical unit, after the batch's
-- own readings by n), unmapped ones are counted in sparkplug_unmapped_metric,
-- deaths set site.offline_since, births clear it. ingest_apply() follows in the same
-- transaction. A replayed batch counts its unmapped values again: the
-- count is of values received, not of distinct values.
CREATE OR REPLACE FUNCTION sparkplug_apply(OUT mapped bigint, OUT unmapped bigint, OUT deaths bigint)
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
REVOKE ALL ON FUNCTION sparkplug_apply() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sparkplug_apply() TO enertrack_ingest;
