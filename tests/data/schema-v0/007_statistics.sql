-- SPDX-License-Identifier: MIT
-- enertrack migration 007: official statistics (the statistics bureau's
-- figures), imported from CSV by `enertrack import`, with the history of
-- every value a later import revised.
--
--   statistic_prepare()  makes the session's staging table for an import;
--   statistic_apply()    puts the staged rows into statistic: new keys are
--                        inserted, a changed value moves the old one into
--                        statistic_revision and bumps revision, an unchanged
--                        row changes nothing; returns the three counts;
--   statistic_put(...)   the same for one row, for psql and scripts.
-- An import is one transaction: BEGIN; SELECT statistic_prepare(); COPY
-- et_stage_statistic (...) FROM STDIN; SELECT * FROM statistic_apply();
-- COMMIT (or ROLLBACK for a dry run).

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

COMMENT ON TABLE statistic IS
    'Official statistics (the statistics bureau''s figures), one row per scope, metric, period and source, as `enertrack import FILE.csv` last imported them; older values are in statistic_revision.';
COMMENT ON COLUMN statistic.scope IS 'What the figure covers: city, county:<name> (as site.county) or site:<id>.';
COMMENT ON COLUMN statistic.metric IS 'The metric (metric.name), e.g. raw_coal.';
COMMENT ON COLUMN statistic.period IS 'The period as written: YYYY-MM (a month), YYYY-Qn (a quarter) or YYYY (a year).';
COMMENT ON COLUMN statistic.period_start IS 'First day of the period, in the local calendar.';
COMMENT ON COLUMN statistic.period_end IS 'First day after the period, in the local calendar.';
COMMENT ON COLUMN statistic.value IS 'The figure in the metric''s canonical unit (value_in times the unit table''s factor).';
COMMENT ON COLUMN statistic.unit_in IS 'The unit the file gave (unit.name), e.g. 万吨.';
COMMENT ON COLUMN statistic.value_in IS 'The figure as the file gave it, in unit_in.';
COMMENT ON COLUMN statistic.source IS 'Who published the figure (e.g. the statistics bureau); several sources may give the same period.';
COMMENT ON COLUMN statistic.note IS 'The file''s note for the figure; '''' when none.';
COMMENT ON COLUMN statistic.imported_at IS 'When the import that wrote this value (this revision) ran.';
COMMENT ON COLUMN statistic.revision IS '1 for the first value; each import that changed value_in, unit_in or note added 1 and kept the old row in statistic_revision.';

COMMENT ON TABLE statistic_revision IS
    'Every value of statistic that a later import replaced, with when it was replaced; the current value is in statistic.';
COMMENT ON COLUMN statistic_revision.scope IS 'statistic.scope of the replaced row.';
COMMENT ON COLUMN statistic_revision.metric IS 'statistic.metric of the replaced row.';
COMMENT ON COLUMN statistic_revision.period IS 'statistic.period of the replaced row.';
COMMENT ON COLUMN statistic_revision.source IS 'statistic.source of the replaced row.';
COMMENT ON COLUMN statistic_revision.revision IS 'The revision number the replaced value had.';
COMMENT ON COLUMN statistic_revision.value IS 'The replaced value, in the metric''s canonical unit.';
COMMENT ON COLUMN statistic_revision.unit_in IS 'The replaced value''s unit as its file gave it.';
COMMENT ON COLUMN statistic_revision.value_in IS 'The replaced value as its file gave it, in unit_in.';
COMMENT ON COLUMN statistic_revision.note IS 'The replaced value''s note.';
COMMENT ON COLUMN statistic_revision.imported_at IS 'When the replaced value had been imported.';
COMMENT ON COLUMN statistic_revision.replaced_at IS 'When an import replaced it.';

-- Whether a staged row changes the stored one: the figure as written or its
-- note. value follows from value_in and unit_in.
CREATE FUNCTION statistic_differs(a statistic, unit_in text, value_in double precision, note text)
RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT (a.unit_in, a.value_in, a.note) IS DISTINCT FROM (unit_in, value_in, note)
$$;
COMMENT ON FUNCTION statistic_differs(statistic, text, double precision, text) IS
    'true when unit_in, value_in or note differ from the stored row a: such an import is a revision.';

CREATE FUNCTION statistic_prepare() RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF to_regclass('pg_temp.et_stage_statistic') IS NULL THEN
        -- n: the file's line, for messages; the rest as in statistic
        CREATE TEMP TABLE et_stage_statistic (
            n             integer NOT NULL,
            scope         text NOT NULL,
            metric        text NOT NULL,
            period        text NOT NULL,
            period_start  date NOT NULL,
            period_end    date NOT NULL,
            value         double precision NOT NULL,
            unit_in       text NOT NULL,
            value_in      double precision NOT NULL,
            source        text NOT NULL,
            note          text NOT NULL
        ) ON COMMIT DELETE ROWS;
    END IF;
END $$;
COMMENT ON FUNCTION statistic_prepare() IS
    'Makes this session''s staging table pg_temp.et_stage_statistic (emptied at each commit) if it does not exist; an import then COPYs its rows into it and calls statistic_apply().';

CREATE FUNCTION statistic_apply(OUT staged bigint, OUT inserted bigint, OUT revised bigint,
                                OUT unchanged bigint)
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp
-- the joins of 100 000 staged rows hash in memory instead of in batches on disk
SET work_mem = '64MB' AS $$
BEGIN
    -- One import at a time: two imports of the same key would otherwise
    -- both read revision n and both write n + 1.
    LOCK TABLE statistic IN SHARE ROW EXCLUSIVE MODE;
    SELECT count(*) INTO staged FROM et_stage_statistic;
    IF EXISTS (SELECT FROM et_stage_statistic GROUP BY scope, metric, period, source
               HAVING count(*) > 1) THEN
        RAISE EXCEPTION 'a key (scope, metric, period, source) is staged twice';
    END IF;

    INSERT INTO statistic_revision (scope, metric, period, source, revision, value, unit_in,
                                    value_in, note, imported_at)
    SELECT t.scope, t.metric, t.period, t.source, t.revision, t.value, t.unit_in, t.value_in,
           t.note, t.imported_at
    FROM statistic t JOIN et_stage_statistic s USING (scope, metric, period, source)
    WHERE statistic_differs(t, s.unit_in, s.value_in, s.note);

    UPDATE statistic t
    SET value = s.value, unit_in = s.unit_in, value_in = s.value_in, note = s.note,
        period_start = s.period_start, period_end = s.period_end,
        imported_at = now(), revision = t.revision + 1
    FROM et_stage_statistic s
    WHERE (t.scope, t.metric, t.period, t.source) = (s.scope, s.metric, s.period, s.source)
      AND statistic_differs(t, s.unit_in, s.value_in, s.note);
    GET DIAGNOSTICS revised = ROW_COUNT;

    -- the lock keeps other writers out: an anti-join finds the new keys at a
    -- fraction of the cost of ON CONFLICT's speculative insertion per row
    INSERT INTO statistic (scope, metric, period, period_start, period_end, value, unit_in,
                           value_in, source, note)
    SELECT s.scope, s.metric, s.period, s.period_start, s.period_end, s.value, s.unit_in,
           s.value_in, s.source, s.note
    FROM et_stage_statistic s
    WHERE NOT EXISTS (SELECT FROM statistic t
                      WHERE (t.scope, t.metric, t.period, t.source) = (s.scope, s.metric, s.period, s.source));
    GET DIAGNOSTICS inserted = ROW_COUNT;

    unchanged := staged - inserted - revised;
END $$;
COMMENT ON FUNCTION statistic_apply() IS
    'Puts the rows staged in pg_temp.et_stage_statistic into statistic: a new key is inserted (revision 1); a key whose unit_in, value_in or note changed keeps its old row in statistic_revision and gets revision + 1; an unchanged row changes nothing. Returns the staged, inserted, revised and unchanged counts. Run it in the import''s transaction.';

CREATE FUNCTION statistic_put(p_scope text, p_metric text, p_period text, p_period_start date,
                              p_period_end date, p_value double precision, p_unit_in text,
                              p_value_in double precision, p_source text, p_note text DEFAULT '')
RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    old statistic;
BEGIN
    SELECT * INTO old FROM statistic
    WHERE (scope, metric, period, source) = (p_scope, p_metric, p_period, p_source) FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO statistic (scope, metric, period, period_start, period_end, value, unit_in,
                               value_in, source, note)
        VALUES (p_scope, p_metric, p_period, p_period_start, p_period_end, p_value, p_unit_in,
                p_value_in, p_source, p_note);
        RETURN 'inserted';
    END IF;
    IF NOT statistic_differs(old, p_unit_in, p_value_in, p_note) THEN
        RETURN 'unchanged';
    END IF;
    INSERT INTO statistic_revision (scope, metric, period, source, revision, value, unit_in,
                                    value_in, note, imported_at)
    VALUES (old.scope, old.metric, old.period, old.source, old.revision, old.value, old.unit_in,
            old.value_in, old.note, old.imported_at);
    UPDATE statistic SET value = p_value, unit_in = p_unit_in, value_in = p_value_in, note = p_note,
        period_start = p_period_start, period_end = p_period_end, imported_at = now(),
        revision = old.revision + 1
    WHERE (scope, metric, period, source) = (p_scope, p_metric, p_period, p_source);
    RETURN 'revised';
END $$;
COMMENT ON FUNCTION statistic_put(text, text, text, date, date, double precision, text, double precision, text, text) IS
    'Puts one figure into statistic as statistic_apply() does (value in the canonical unit, value_in in unit_in); returns inserted, revised or unchanged.';

-- Operators read every table; the daemon reads statistics when it
-- evaluates. Writing them is for the role that runs `enertrack import`
-- (the owner, or one given INSERT and UPDATE on statistic and INSERT on
-- statistic_revision).
GRANT SELECT ON statistic, statistic_revision TO enertrack_ingest, enertrack_reader;
