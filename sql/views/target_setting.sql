-- SPDX-License-Identifier: MIT
CREATE OR REPLACE VIEW target_setting AS
SELECT s.id,
       coalesce(nullif(current_setting('enertrack.timezone', true), ''), s.timezone) AS timezone,
       coalesce(nullif(current_setting('enertrack.min_elapsed_pct', true), '')::double precision,
                s.min_elapsed_pct) AS min_elapsed_pct,
       coalesce(nullif(current_setting('enertrack.stale_after_s', true), '')::integer,
                s.stale_after_s) AS stale_after_s,
       CASE WHEN coalesce(current_setting('enertrack.statistics_sources', true), '') = ''
            THEN s.statistics_sources
            -- the session's list: comma-separated, '-' for an empty one
            ELSE coalesce(array_remove(string_to_array(nullif(current_setting('enertrack.statistics_sources', true), '-'), ','), ''), '{}')
       END AS statistics_sources
FROM target_setting_stored s;
COMMENT ON VIEW target_setting IS 'The [targets] settings the progress functions and views use: a session''s own (enertrack.timezone, enertrack.min_elapsed_pct, enertrack.stale_after_s, as enertrack status and evaluate set them), else those enertrackd stored.';
COMMENT ON COLUMN target_setting.id IS 'Always true: one row.';
COMMENT ON COLUMN target_setting.timezone IS 'Time zone of the years and months of targets.';
COMMENT ON COLUMN target_setting.min_elapsed_pct IS 'Before this share of the year has passed, status is too_early.';
COMMENT ON COLUMN target_setting.stale_after_s IS 'A flow site silent longer than this (and twice its usual interval) is stale.';
COMMENT ON COLUMN target_setting.statistics_sources IS
    'The statistic sources that count, first preferred (empty: all, by name); a session sets its own with enertrack.statistics_sources (comma-separated, ''-'' for none listed).';
GRANT SELECT ON target_setting TO enertrack_reader;
GRANT SELECT, UPDATE ON target_setting TO enertrack_ingest;
