-- SPDX-License-Identifier: MIT
CREATE OR REPLACE VIEW telemetry_vs_statistics AS
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
GRANT SELECT ON telemetry_vs_statistics TO enertrack_reader;
GRANT SELECT ON telemetry_vs_statistics TO enertrack_ingest;
