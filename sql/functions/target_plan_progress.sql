-- SPDX-License-Identifier: MIT
-- A target over several years (target.first_year .. target.year, a
-- Five-Year Plan's intensity reduction) at the end of year `upto`: each
-- year's decline (the bureau's yearly figure, a statistic of the target's
-- metric for period YYYY, else target_ratio_period over the twelve months),
-- compounded: 1 - Π (1 - d_y); against the cumulative 序时进度 of the plan,
-- 1 - (1 - T)^(years done / years of the plan), since a reduction compounds
-- year on year. Returns the bureau's sentence too.
CREATE OR REPLACE FUNCTION target_plan_progress(t target, upto integer)
RETURNS TABLE (years_done integer, yearly text, cumulative_pct double precision,
               expected_pct double precision, missing text, sentence text)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
DECLARE
    tz text; y integer; d double precision; ty target; keep double precision := 1;
BEGIN
    SELECT s.timezone INTO tz FROM target_setting s;
    years_done := 0;
    FOR y IN coalesce(t.first_year, t.year) .. least(upto, t.year) LOOP
        SELECT s.value INTO d FROM statistic s
         WHERE s.scope = t.scope AND s.metric = t.metric AND s.period = y::text
         ORDER BY s.source LIMIT 1;
        IF d IS NULL THEN
            ty := t;
            ty.year := y;
            SELECT rp.decline INTO d
              FROM target_ratio_period(ty, make_timestamptz(y + 1, 1, 1, 0, 0, 0, tz)) rp;
        END IF;
        IF d IS NULL THEN
            missing := concat_ws(', ', missing, y::text);
        ELSE
            keep := keep * (1 - d / 100);
            yearly := concat_ws(', ', yearly, format('%s %s %%', y, round(d::numeric, 2)));
        END IF;
        years_done := years_done + 1;
    END LOOP;
    IF missing IS NULL AND years_done > 0 THEN
        cumulative_pct := 100 * (1 - keep);
        expected_pct := 100 * (1 - (1 - t.value / 100)
                               ^ (years_done::double precision / (t.year - coalesce(t.first_year, t.year) + 1)));
        sentence := format('截至%s年累计下降%s%%，%s', least(upto, t.year),
                           round(cumulative_pct::numeric, 1),
                           CASE WHEN cumulative_pct >= expected_pct THEN '超序时进度'
                                ELSE '落后序时进度' END);
    END IF;
    RETURN NEXT;
END $$;
COMMENT ON FUNCTION target_plan_progress(target, integer) IS
    'A multi-year target (first_year .. year) at the end of year upto: the yearly declines compounded against the cumulative 序时进度 1 - (1 - T)^(k/n), and the sentence that says it; missing names the years without a figure.';
