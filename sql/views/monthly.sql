-- SPDX-License-Identifier: MIT
CREATE OR REPLACE VIEW monthly AS SELECT * FROM monthly_rows();
COMMENT ON VIEW monthly IS 'Per metric and local month ([targets] timezone): the total in display units for the city, each county and each site, the same month a year before and the change in %. Levels (a share) are the mean of the readings.';
COMMENT ON COLUMN monthly.metric IS 'The metric (metric.name).';
COMMENT ON COLUMN monthly.scope_kind IS 'city, county or site.';
COMMENT ON COLUMN monthly.scope_name IS '''city'', the county (site.county; '''' for sites without one) or the site id.';
COMMENT ON COLUMN monthly.month IS 'First day of the local month.';
COMMENT ON COLUMN monthly.total IS 'The month''s total (a level: its mean) in display_unit.';
COMMENT ON COLUMN monthly.display_unit IS 'The unit of total and last_year (metric.display_unit).';
COMMENT ON COLUMN monthly.last_year IS 'The same month a year before, in display_unit; NULL without data.';
COMMENT ON COLUMN monthly.yoy_pct IS 'Year on year: 100 * (total - last_year) / last_year; NULL without last year.';
GRANT SELECT ON monthly TO enertrack_reader;
GRANT SELECT ON monthly TO enertrack_ingest;
