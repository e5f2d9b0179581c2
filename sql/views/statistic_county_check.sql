-- SPDX-License-Identifier: MIT
-- Do the counties add up to the city? Per summed metric, period and source of the
-- official statistics: the city's figure, the sum of the counties' figures
-- of the same metric, period and source, how many counties gave one, and
-- the gap in % of the city's figure. One mail when a gap exceeds
-- [alerts] reconcile_pct (db/truth_alerts.c, kind county_sum).
CREATE OR REPLACE VIEW statistic_county_check AS
SELECT c.metric, c.period, c.period_start, c.period_end, c.source, c.published,
       c.value AS city, s.counties_sum, s.counties,
       CASE WHEN c.value <> 0 THEN 100 * (s.counties_sum - c.value) / c.value END AS gap_pct
  FROM statistic c
  -- a flow adds up; a share or a growth rate does not
  JOIN metric m ON m.name = c.metric AND m.aggregate = 'sum'
  CROSS JOIN LATERAL (SELECT sum(x.value) AS counties_sum, count(*) AS counties,
                             max(x.published) AS published
                        FROM statistic x
                       WHERE x.scope LIKE 'county:%' AND x.metric = c.metric
                         AND x.period = c.period AND x.source = c.source) s
 WHERE c.scope = 'city' AND s.counties > 0;
COMMENT ON VIEW statistic_county_check IS 'Per metric, period and source of the official statistics: the city''s figure against the sum of its counties'' (canonical unit), and the gap in %.';
COMMENT ON COLUMN statistic_county_check.metric IS 'The metric.';
COMMENT ON COLUMN statistic_county_check.period IS 'The period, as statistic.period.';
COMMENT ON COLUMN statistic_county_check.period_start IS 'Its first day.';
COMMENT ON COLUMN statistic_county_check.period_end IS 'The first day after it.';
COMMENT ON COLUMN statistic_county_check.source IS 'Who published both figures.';
COMMENT ON COLUMN statistic_county_check.published IS 'When the city''s figure was published (NULL: not said).';
COMMENT ON COLUMN statistic_county_check.city IS 'The city''s figure, canonical unit.';
COMMENT ON COLUMN statistic_county_check.counties_sum IS 'The sum of the counties'' figures, canonical unit.';
COMMENT ON COLUMN statistic_county_check.counties IS 'How many counties gave a figure.';
COMMENT ON COLUMN statistic_county_check.gap_pct IS '100 × (counties_sum − city) / city.';
GRANT SELECT ON statistic_county_check TO enertrack_reader;
GRANT SELECT ON statistic_county_check TO enertrack_ingest;
