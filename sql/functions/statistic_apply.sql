-- SPDX-License-Identifier: MIT
CREATE OR REPLACE FUNCTION statistic_apply(OUT staged bigint, OUT inserted bigint, OUT revised bigint,
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
                                    value_in, note, imported_at, published)
    SELECT t.scope, t.metric, t.period, t.source, t.revision, t.value, t.unit_in, t.value_in,
           t.note, t.imported_at, t.published
    FROM statistic t JOIN et_stage_statistic s USING (scope, metric, period, source)
    WHERE statistic_differs(t, s.unit_in, s.value_in, s.note);

    UPDATE statistic t
    SET value = s.value, unit_in = s.unit_in, value_in = s.value_in, note = s.note,
        period_start = s.period_start, period_end = s.period_end, published = s.published,
        imported_at = now(), revision = t.revision + 1
    FROM et_stage_statistic s
    WHERE (t.scope, t.metric, t.period, t.source) = (s.scope, s.metric, s.period, s.source)
      AND statistic_differs(t, s.unit_in, s.value_in, s.note);
    GET DIAGNOSTICS revised = ROW_COUNT;

    -- the lock keeps other writers out: an anti-join finds the new keys at a
    -- fraction of the cost of ON CONFLICT's speculative insertion per row
    INSERT INTO statistic (scope, metric, period, period_start, period_end, value, unit_in,
                           value_in, source, note, published)
    SELECT s.scope, s.metric, s.period, s.period_start, s.period_end, s.value, s.unit_in,
           s.value_in, s.source, s.note, s.published
    FROM et_stage_statistic s
    WHERE NOT EXISTS (SELECT FROM statistic t
                      WHERE (t.scope, t.metric, t.period, t.source) = (s.scope, s.metric, s.period, s.source));
    GET DIAGNOSTICS inserted = ROW_COUNT;

    unchanged := staged - inserted - revised;
END $$;
COMMENT ON FUNCTION statistic_apply() IS
    'Puts the rows staged in pg_temp.et_stage_statistic into statistic: a new key is inserted (revision 1); a key whose unit_in, value_in or note changed keeps its old row in statistic_revision and gets revision + 1; an unchanged row changes nothing. Returns the staged, inserted, revised and unchanged counts. Run it in the import''s transaction.';
