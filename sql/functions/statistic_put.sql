-- SPDX-License-Identifier: MIT
CREATE OR REPLACE FUNCTION statistic_put(p_scope text, p_metric text, p_period text, p_period_start date,
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
                                    value_in, note, imported_at, published)
    VALUES (old.scope, old.metric, old.period, old.source, old.revision, old.value, old.unit_in,
            old.value_in, old.note, old.imported_at, old.published);
    -- the new value was not published when the old one was: unknown (NULL)
    -- until the caller says (UPDATE statistic SET published = ...)
    UPDATE statistic SET value = p_value, unit_in = p_unit_in, value_in = p_value_in, note = p_note,
        period_start = p_period_start, period_end = p_period_end, imported_at = now(),
        revision = old.revision + 1, published = NULL
    WHERE (scope, metric, period, source) = (p_scope, p_metric, p_period, p_source);
    RETURN 'revised';
END $$;
COMMENT ON FUNCTION statistic_put(text, text, text, date, date, double precision, text, double precision, text, text) IS
    'Puts one figure into statistic as statistic_apply() does (value in the canonical unit, value_in in unit_in); returns inserted, revised or unchanged.';
