-- SPDX-License-Identifier: MIT
-- enertrack migration 014: functions and views as files of their own, and
-- the rules that hung on metric names as columns of metric.
--
-- 1. schema_object: the checksum of each file of sql/functions/ and
--    sql/views/ as `enertrack migrate` last applied it; a file whose
--    checksum differs is applied again.
-- 2. A metric says itself whether it has a source split (and which sources
--    count when a target names none), whether its targets are built from
--    milestones, and, for a ratio, of which two metrics: the functions read
--    these columns, so a new metric of an existing kind is a row of metric,
--    not a change of code.
CREATE TABLE schema_object (
    name        text PRIMARY KEY,
    checksum    text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE schema_object IS 'The function and view files (sql/functions/*.sql, sql/views/*.sql) applied to this database, by enertrack migrate.';
COMMENT ON COLUMN schema_object.name IS 'The file, relative to sql/ (functions/target_progress_at.sql).';
COMMENT ON COLUMN schema_object.checksum IS 'md5 of the file as applied; migrate applies the file again when it differs.';
COMMENT ON COLUMN schema_object.applied_at IS 'When it was last applied.';

ALTER TABLE metric ADD COLUMN default_sources text[],
                   ADD COLUMN by_milestones boolean NOT NULL DEFAULT false,
                   ADD COLUMN ratio_num text REFERENCES metric (name),
                   ADD COLUMN ratio_den text REFERENCES metric (name);
COMMENT ON COLUMN metric.default_sources IS 'The reading.source values that count when a target names none (target.sources), e.g. the new energies; NULL: the metric has no source split and every reading counts.';
COMMENT ON COLUMN metric.by_milestones IS 'true: its targets are built by projects (target_milestone) and expect what the milestones due planned.';
COMMENT ON COLUMN metric.ratio_num IS 'A ratio: the metric whose year-on-year change is divided (energy_consumption of energy_intensity); NULL otherwise.';
COMMENT ON COLUMN metric.ratio_den IS 'A ratio: the metric it is divided by (gdp of energy_intensity); NULL otherwise.';
UPDATE metric SET default_sources = ARRAY['solar', 'wind', 'biomass'] WHERE name = 'capacity_commissioned';
UPDATE metric SET by_milestones = true WHERE name IN ('capacity_commissioned', 'retrofit_capacity');
UPDATE metric SET ratio_num = 'energy_consumption', ratio_den = 'gdp' WHERE name = 'energy_intensity';
ALTER TABLE metric ADD CONSTRAINT metric_ratio_check
    CHECK ((aggregate = 'ratio') = (ratio_num IS NOT NULL AND ratio_den IS NOT NULL));
COMMENT ON COLUMN target.sources IS 'Which reading.source values count, for a metric with a source split (metric.default_sources when NULL).';
