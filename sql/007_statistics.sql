-- SPDX-License-Identifier: MIT
-- enertrack migration 007: official statistics.
-- Official statistics (the statistics bureau's figures), imported by `enertrack import`.
CREATE TABLE statistic (
    scope         text NOT NULL
                  CHECK (scope = 'city' OR scope ~ '^county:.+$' OR scope ~ '^site:[a-z0-9][a-z0-9_.-]{0,63}$'),
    metric        text NOT NULL REFERENCES metric (name),
    period        text NOT NULL CHECK (period ~ '^[0-9]{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$'),
    period_start  date NOT NULL,   -- first day of the period (local calendar)
    period_end    date NOT NULL,   -- first day after it
    value         double precision NOT NULL,  -- in the metric's canonical unit (unit table factor)
    unit_in       text NOT NULL REFERENCES unit (name),
    value_in      double precision NOT NULL,  -- as written in the file
    source        text NOT NULL CHECK (source <> ''),
    note          text NOT NULL DEFAULT '',
    imported_at   timestamptz NOT NULL DEFAULT now(),
    revision      integer NOT NULL DEFAULT 1,
    PRIMARY KEY (scope, metric, period, source)
);
-- Every value a re-import replaced, with when it was replaced.
CREATE TABLE statistic_revision (
    scope text NOT NULL, metric text NOT NULL, period text NOT NULL, source text NOT NULL,
    revision integer NOT NULL, value double precision NOT NULL, unit_in text NOT NULL,
    value_in double precision NOT NULL, note text NOT NULL, imported_at timestamptz NOT NULL,
    replaced_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, metric, period, source, revision)
);

COMMENT ON TABLE statistic IS 'Official statistics (the statistics bureau''s figures) per scope, metric, period and source, as enertrack import wrote them.';
COMMENT ON COLUMN statistic.scope IS 'city, county:<name> or site:<id>.';
COMMENT ON COLUMN statistic.metric IS 'The metric (metric.name).';
COMMENT ON COLUMN statistic.period IS 'YYYY-MM, YYYY-Qn or YYYY.';
COMMENT ON COLUMN statistic.period_start IS 'First day of the period (local calendar).';
COMMENT ON COLUMN statistic.period_end IS 'First day after the period (local calendar).';
COMMENT ON COLUMN statistic.value IS 'The figure in the metric''s canonical unit.';
COMMENT ON COLUMN statistic.unit_in IS 'The unit written in the file.';
COMMENT ON COLUMN statistic.value_in IS 'The figure as written in the file.';
COMMENT ON COLUMN statistic.source IS 'Who published it (the file''s source column).';
COMMENT ON COLUMN statistic.note IS 'The file''s note column.';
COMMENT ON COLUMN statistic.imported_at IS 'When this value was imported.';
COMMENT ON COLUMN statistic.revision IS '1 for the first value; one more for each revision.';
COMMENT ON TABLE statistic_revision IS 'Every statistic value a re-import replaced, with when it was replaced.';
COMMENT ON COLUMN statistic_revision.scope IS 'As in statistic.';
COMMENT ON COLUMN statistic_revision.metric IS 'As in statistic.';
COMMENT ON COLUMN statistic_revision.period IS 'As in statistic.';
COMMENT ON COLUMN statistic_revision.source IS 'As in statistic.';
COMMENT ON COLUMN statistic_revision.revision IS 'The replaced value''s revision.';
COMMENT ON COLUMN statistic_revision.value IS 'The replaced value, canonical unit.';
COMMENT ON COLUMN statistic_revision.unit_in IS 'Its unit in the file.';
COMMENT ON COLUMN statistic_revision.value_in IS 'Its value in the file.';
COMMENT ON COLUMN statistic_revision.note IS 'Its note.';
COMMENT ON COLUMN statistic_revision.imported_at IS 'When it had been imported.';
COMMENT ON COLUMN statistic_revision.replaced_at IS 'When the re-import replaced it.';
