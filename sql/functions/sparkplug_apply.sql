-- SPDX-License-Identifier: MIT
-- The staged Sparkplug values: mapped ones within the bounds of a v1 value
-- go to et_stage_reading (the others to rejected_message as out_of_range; in the
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
    -- Every check a v1 value gets (lib/decode.c): in the metric's canonical
    -- unit, no negative value, a share at most 100 %, and at most the sane
    -- bound of its dimension (lib/units.c, et_dim_max). The bound is tested
    -- on the value as sent, divided by the factor, because 1e300 times a
    -- factor overflows double precision, which PostgreSQL raises as an
    -- error. A counter's total, whatever its metric, is never negative
    -- nor above the map's rollover, as lib/decode.c refuses for v1 (a
    -- metric with no dimension had no bound below). What fails goes to
    -- rejected_message, as out_of_range, with v1's words.
    EXECUTE format($q$
        WITH j AS (
            SELECT s.*, m.site_id, m.metric, m.unit, m.counter, st.kind, u.factor, md.dim,
                   m.rollover AS map_rollover,
                   CASE md.dim WHEN 'mass' THEN 1e10 WHEN 'power' THEN 1e7
                               WHEN 'energy' THEN 1e11 WHEN 'coal_eq' THEN 1e11
                               WHEN 'share' THEN 100 ELSE 1e15 END AS bound%s
            FROM pg_temp.et_stage_sparkplug s
            JOIN sparkplug_map m ON m.group_id = s.group_id AND m.edge_node = s.edge_node
                                AND m.device = s.device AND m.metric_name = s.metric_name
            JOIN site st ON st.site_id = m.site_id
            JOIN unit u ON u.name = m.unit
            JOIN metric md ON md.name = m.metric
            WHERE s.event = 'data'
        ), k AS (
            SELECT j.*, (j.value BETWEEN -1e300 AND 1e300
                         AND abs(j.value) <= j.bound / j.factor
                         AND (j.dim IS NULL OR j.value >= 0)
                         AND NOT (j.counter AND (j.value < 0 OR j.value > coalesce(j.map_rollover, 'Infinity')))) AS ok
            FROM j
        ), bad AS (
            INSERT INTO rejected_message (received_at, topic, reason, detail, element, payload,
                                          payload_bytes, truncated)
            SELECT k.received_at,
                   'spBv1.0/' || k.group_id || CASE WHEN k.device = ''
                       THEN '/NDATA/' || k.edge_node
                       ELSE '/DDATA/' || k.edge_node || '/' || k.device END,
                   'out_of_range',
                   format('metric %%s (%%s of site %%s): %%s', k.metric_name, k.metric, k.site_id,
                          CASE WHEN NOT (k.value BETWEEN -1e300 AND 1e300
                                         AND abs(k.value) <= k.bound / k.factor)
                               THEN format('%%s %%s is beyond the sane bound for one reading (%%s in the canonical unit)',
                                           k.value, k.unit, k.bound)
                               WHEN k.counter AND k.value < 0
                               THEN format('a counter total cannot be negative (%%s %%s)', k.value, k.unit)
                               WHEN k.counter AND k.value > k.map_rollover
                               THEN format('a counter total of %%s %%s is above its rollover (%%s)',
                                           k.value, k.unit, k.map_rollover)
                               ELSE format('%%s %%s cannot be negative', k.value, k.unit) END),
                   NULL, convert_to(k.metric_name || ' = ' || k.value::text, 'UTF8'),
                   octet_length(k.metric_name || ' = ' || k.value::text), false
            FROM k WHERE NOT k.ok
            RETURNING 1)
        INSERT INTO pg_temp.et_stage_reading (n, site_id, kind, county, name, metric, ts, value,
                                              unit_in, value_in, seq, source, counter,
                                              received_at%s)
        SELECT 1000000000 + k.n, k.site_id, k.kind, NULL, NULL, k.metric, k.ts,
               k.value * k.factor, k.unit, k.value, NULL, '', k.counter, k.received_at%s
        FROM k WHERE k.ok$q$,
        CASE WHEN has_rollover THEN ', m.rollover' ELSE '' END,
        CASE WHEN has_rollover THEN ', rollover' ELSE '' END,
        CASE WHEN has_rollover THEN ', k.rollover' ELSE '' END);
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
        WHERE x.site_id = e.site_id
          AND x.offline_since IS DISTINCT FROM CASE WHEN e.event LIKE '%death' THEN e.ts END
          AND (e.event LIKE '%death' OR x.offline_since <= e.ts)
        RETURNING 1)
    SELECT count(*) INTO deaths FROM pg_temp.et_stage_sparkplug WHERE event LIKE '%death';
END $$;
COMMENT ON FUNCTION sparkplug_apply() IS
    'Applies the Sparkplug values staged in pg_temp.et_stage_sparkplug: mapped values become staged readings for ingest_apply(), unmapped ones are counted in sparkplug_unmapped_metric, NDEATH/DDEATH set site.offline_since of the mapped sites, NBIRTH/DBIRTH clear it. Returns the mapped and unmapped values and the deaths.';
REVOKE ALL ON FUNCTION sparkplug_apply() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sparkplug_apply() TO enertrack_ingest;
