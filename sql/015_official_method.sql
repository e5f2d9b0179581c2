-- SPDX-License-Identifier: MIT
-- enertrack migration 015: the targets the statistics bureau's way (口径).
--
-- 1. gdp_real_growth: GDP growth at comparable prices (可比价增速), in %,
--    cumulative from January, a statistic of its own; a ratio metric names
--    it (metric.ratio_growth) and its decline is
--      1 - (numerator this period / the same period last year) / (1 + growth)
--    over closed months only; nominal GDP is never turned into a growth.
-- 2. target.first_year: a target spanning several years (the 14th Five-Year
--    Plan's intensity target, 2021-2025, compounded year on year).
-- 3. spring_festival: the first day of the lunar year, 2000-2050, generated
--    once from ICU's Chinese calendar (scripts/gen-spring-festival.c), for
--    the last_year schedule, which aligns January to March on it.
INSERT INTO metric (name, dim, aggregate, label, display_unit, display_div, flow)
VALUES ('gdp_real_growth', 'share', 'level', 'GDP growth at comparable prices', '%', 1, false);
ALTER TABLE metric ADD COLUMN ratio_growth text REFERENCES metric (name);
COMMENT ON COLUMN metric.ratio_growth IS 'A ratio: the metric giving its denominator''s growth at comparable prices, in %, cumulative from January (gdp_real_growth of energy_intensity); the decline is 1 - (numerator / last year''s) / (1 + growth / 100).';
UPDATE metric SET ratio_growth = 'gdp_real_growth' WHERE name = 'energy_intensity';

ALTER TABLE target ADD COLUMN first_year integer;
ALTER TABLE target ADD CONSTRAINT target_first_year_check
    CHECK (first_year IS NULL OR first_year BETWEEN 2000 AND year);
COMMENT ON COLUMN target.first_year IS 'A target over several years (a Five-Year Plan): its first year, year being the last; the reduction compounds year on year (target_plan_progress). NULL: the one year.';

CREATE TABLE spring_festival (
    year  integer PRIMARY KEY,
    day   date NOT NULL UNIQUE CHECK (extract(year FROM day) = year)
);
COMMENT ON TABLE spring_festival IS 'The Spring Festival (春节, first day of the first lunar month) of each year 2000-2050, from ICU''s Chinese calendar (scripts/gen-spring-festival.c).';
COMMENT ON COLUMN spring_festival.year IS 'The Gregorian year.';
COMMENT ON COLUMN spring_festival.day IS 'The festival''s date in that year.';
GRANT SELECT ON spring_festival TO enertrack_ingest, enertrack_reader;
-- 4. The project register (section 3 of the issue): target_milestone is it.
--    due is the full-capacity connection (全容量并网), when the project's
--    planned size counts; grid_due the first grid connection (并网). A
--    retrofit (三改联动) is registered per generating unit (unit_name) with
--    its kind; a unit retrofitted in several ways counts once toward the MW.
ALTER TABLE target_milestone ADD COLUMN grid_due date,
                             ADD COLUMN unit_name text,
                             ADD COLUMN retrofit_kind text
                             CHECK (retrofit_kind IN ('节能降碳', '供热', '灵活性'));
COMMENT ON COLUMN target_milestone.due IS 'Planned full-capacity connection (全容量并网) or, for a retrofit, completion (local calendar): the planned size counts from that day on.';
COMMENT ON COLUMN target_milestone.grid_due IS 'Planned first grid connection (并网); NULL: not registered.';
COMMENT ON COLUMN target_milestone.unit_name IS 'A retrofit''s generating unit (e.g. 1号机组); the rows of one site and unit count its size once, from the earliest due.';
COMMENT ON COLUMN target_milestone.retrofit_kind IS 'A retrofit''s kind (三改联动): 节能降碳, 供热 or 灵活性; NULL for a new project.';
-- A metric whose sites report a size, not an increment: retrofit_capacity
-- (a generating unit sends its size when a retrofit is done; a second
-- retrofit of the same unit sends it again and must not count twice).
ALTER TABLE metric ADD COLUMN once_per_site boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN metric.once_per_site IS 'true: a site''s readings state its size (a generating unit retrofitted), so its year counts its largest reading once, not their sum.';
UPDATE metric SET once_per_site = true WHERE name = 'retrofit_capacity';
-- 煤炭先进产能占比: mines' capacity, not coal power's (the label said 煤电)
UPDATE metric SET label_zh = '煤炭先进产能占比' WHERE name = 'advanced_capacity_share';
-- 5. The register short of the target, and a target without data, mail once.
ALTER TABLE truth_alert DROP CONSTRAINT truth_alert_kind_check;
ALTER TABLE truth_alert ADD CONSTRAINT truth_alert_kind_check
    CHECK (kind IN ('milestone', 'reconcile', 'register', 'no_data', 'county_sum'));
COMMENT ON COLUMN truth_alert.kind IS 'milestone (a project overdue), reconcile (a county''s telemetry off its statistics), register (the register plans less than the target), no_data (no data for [alerts] no_data_days) or county_sum (the counties'' statistics do not add up to the city''s, statistic_county_check).';
COMMENT ON COLUMN truth_alert.key IS 'milestone: target_milestone.id; reconcile: "<scope>|<metric>"; register and no_data: target.id; county_sum: "<metric>|<period>|<source>".';

-- 6. A share is weighted (section 4): each mine's approved capacity
--    (核定产能), as data, weighs its advanced capacity share.
ALTER TABLE site ADD COLUMN approved_capacity double precision CHECK (approved_capacity > 0);
COMMENT ON COLUMN site.approved_capacity IS 'A mine''s approved capacity (核定产能), t a year: the weight of its readings in a level target in % (煤炭先进产能占比 is capacity-weighted); NULL: not known, the site does not count in a weighted share.';

-- 7. Official statistics as the bureau publishes them (section 5): a half
--    (2024-H1) and a range from January (2024-01..2024-02, the cumulative
--    累计 figure, 1–2月 combined) besides months, quarters and years; and
--    the day each figure was published, so that an evaluation at T uses
--    only what was published by T (NULL: known whenever asked).
ALTER TABLE statistic DROP CONSTRAINT statistic_period_check;
ALTER TABLE statistic ADD CONSTRAINT statistic_period_check
    CHECK (period ~ '^[0-9]{4}(-(0[1-9]|1[0-2])|-Q[1-4]|-H[12]|-01\.\.[0-9]{4}-(0[2-9]|1[0-2]))?$');
COMMENT ON COLUMN statistic.period IS 'The period: YYYY-MM (a month), YYYY-Qn (a quarter), YYYY-Hn (a half), YYYY-01..YYYY-MM (January to a month, cumulative 累计, e.g. 1–2月) or YYYY (a year).';
ALTER TABLE statistic ADD COLUMN published date;
COMMENT ON COLUMN statistic.published IS 'The day the figure was published (the CSV''s optional published column): an evaluation at an instant before it does not use it; NULL: known whenever asked.';
ALTER TABLE statistic_revision ADD COLUMN published date;
COMMENT ON COLUMN statistic_revision.published IS 'statistic.published of the replaced row.';

INSERT INTO spring_festival (year, day) VALUES
    (2000, '2000-02-05'),
    (2001, '2001-01-24'),
    (2002, '2002-02-12'),
    (2003, '2003-02-01'),
    (2004, '2004-01-22'),
    (2005, '2005-02-09'),
    (2006, '2006-01-29'),
    (2007, '2007-02-18'),
    (2008, '2008-02-07'),
    (2009, '2009-01-26'),
    (2010, '2010-02-14'),
    (2011, '2011-02-03'),
    (2012, '2012-01-23'),
    (2013, '2013-02-10'),
    (2014, '2014-01-31'),
    (2015, '2015-02-19'),
    (2016, '2016-02-08'),
    (2017, '2017-01-28'),
    (2018, '2018-02-16'),
    (2019, '2019-02-05'),
    (2020, '2020-01-25'),
    (2021, '2021-02-12'),
    (2022, '2022-02-01'),
    (2023, '2023-01-22'),
    (2024, '2024-02-10'),
    (2025, '2025-01-29'),
    (2026, '2026-02-17'),
    (2027, '2027-02-06'),
    (2028, '2028-01-26'),
    (2029, '2029-02-13'),
    (2030, '2030-02-03'),
    (2031, '2031-01-23'),
    (2032, '2032-02-11'),
    (2033, '2033-01-31'),
    (2034, '2034-02-19'),
    (2035, '2035-02-08'),
    (2036, '2036-01-28'),
    (2037, '2037-02-15'),
    (2038, '2038-02-04'),
    (2039, '2039-01-24'),
    (2040, '2040-02-12'),
    (2041, '2041-02-01'),
    (2042, '2042-01-22'),
    (2043, '2043-02-10'),
    (2044, '2044-01-30'),
    (2045, '2045-02-17'),
    (2046, '2046-02-06'),
    (2047, '2047-01-26'),
    (2048, '2048-02-14'),
    (2049, '2049-02-02'),
    (2050, '2050-01-23');
