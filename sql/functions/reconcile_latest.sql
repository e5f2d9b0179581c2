-- SPDX-License-Identifier: MIT
-- Reconciliation at `at`: per county and metric, the latest closed month
-- with a statistic (preferred source) and its gap; the telemetry is summed
-- for those months only.
CREATE OR REPLACE FUNCTION reconcile_latest(at timestamptz)
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
