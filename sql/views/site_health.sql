-- SPDX-License-Identifier: MIT
CREATE OR REPLACE VIEW site_health AS SELECT * FROM site_health_rows();
COMMENT ON VIEW site_health IS 'Per site and metric it reports: the last reading, the usual interval, stale or not, and the messages naming the site that were rejected in the last 24 h, by reason. The same at a past instant: SELECT * FROM site_health_at(''2024-06-30 12:00+08'').';
COMMENT ON COLUMN site_health.site_id IS 'The site (site.site_id).';
COMMENT ON COLUMN site_health.kind IS 'mine, plant, enterprise or region.';
COMMENT ON COLUMN site_health.county IS 'Its county (site.county).';
COMMENT ON COLUMN site_health.name IS 'Its display name (site.name).';
COMMENT ON COLUMN site_health.metric IS 'A metric the site reports.';
COMMENT ON COLUMN site_health.last_ts IS 'Its last reading of the metric.';
COMMENT ON COLUMN site_health.silent_s IS 'Seconds since then.';
COMMENT ON COLUMN site_health.interval_s IS 'Its usual interval in seconds, over the week before its last reading (NULL with one reading).';
COMMENT ON COLUMN site_health.stale IS 'A flow metric silent longer than target_setting.stale_after_s and twice the usual interval.';
COMMENT ON COLUMN site_health.rejects_24h IS 'Messages whose topic names the site rejected in the last 24 h (any metric).';
COMMENT ON COLUMN site_health.rejects_by_reason IS 'The same by reason, {"bad_json": 3, ...}.';
GRANT SELECT ON site_health TO enertrack_reader;
GRANT SELECT ON site_health TO enertrack_ingest;
