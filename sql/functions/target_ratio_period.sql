-- SPDX-License-Identifier: MIT
-- A ratio target (energy intensity) the statistics bureau's way (口径):
--   decline = 1 - (N this period / N the same period last year) / (1 + g)
-- N the numerator (energy_consumption), g the denominator's growth at
-- comparable prices (gdp_real_growth, cumulative from January), over the
-- closed local months of the year by `at` (January to the last month whose
-- end is at or before `at`), the same months in both years. A reading is
-- stamped at the end of what it covers: a month holds the readings in
-- (its first instant, its end], so a reading at 1 January 00:00 is
-- December's. Each month's N is the official figure (statistic, in the order
-- of statistics_sources; derived from a published block such as 1–2月,
-- statistic_block) where there is one, else telemetry. g is the statistic of
-- the closed period, cumulative from January (YYYY-MM or YYYY-01..YYYY-MM;
-- 2024-Q1, 2024-H1 or 2024 when it ends there), published by `at`, or a
-- reading stamped at the period's end (covering it from January when it
-- says what it covers: reading.covers_from); nominal GDP is never used. No g:
-- decline is NULL and note names the missing period.
CREATE OR REPLACE FUNCTION target_ratio_period(t target, at timestamptz)
RETURNS TABLE (months integer, period text, num_now double precision, num_prev double precision,
               growth double precision, decline double precision, note text, sources text)
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
DECLARE
    tz text; srcs text[]; mt metric; k integer; yy integer;
    cuts timestamptz[]; pend timestamptz; v double precision; tel double precision;
    st_v double precision; st_src text; n_off integer := 0; n_tel integer := 0;
    counts double precision[]; msrc text;
BEGIN
    SELECT s.timezone, s.statistics_sources INTO tz, srcs FROM target_setting s;
    SELECT * INTO mt FROM metric WHERE name = t.metric;
    months := 0;
    WHILE months < 12 AND make_timestamptz(t.year, 1, 1, 0, 0, 0, tz)
                          + make_interval(months => months + 1) <= at LOOP
        months := months + 1;
    END LOOP;
    IF months = 0 THEN
        note := format('no closed month of %s yet', t.year);
        RETURN NEXT;
        RETURN;
    END IF;
    period := CASE WHEN months = 1 THEN format('%s-01', t.year)
                   ELSE format('%s-01..%s-%s', t.year, t.year, lpad(months::text, 2, '0')) END;
    FOREACH yy IN ARRAY ARRAY[t.year, t.year - 1] LOOP
        -- reading_spans counts (start, end] of each month
        cuts := ARRAY(SELECT make_timestamptz(yy, 1, 1, 0, 0, 0, tz) + make_interval(months => k)
                        FROM generate_series(0, months) k);
        v := 0; counts := '{}';
        FOR k IN 1 .. months LOOP
            -- the month's own figure, or one derived from a block ending
            -- with it (1–2月, a quarter ...: statistic_block), published by `at`
            SELECT x.value - coalesce((SELECT sum(c) FROM unnest(counts[x.first_month:k - 1]) c), 0),
                   x.source
              INTO st_v, st_src
              FROM statistic_block(t.scope, mt.ratio_num, yy, k, srcs, at) x;
            IF st_v IS NOT NULL THEN
                v := v + st_v; n_off := n_off + 1; counts[k] := st_v;
                IF yy = t.year THEN
                    msrc := concat_ws(', ', msrc, format('%s-%s statistics:%s', yy, lpad(k::text, 2, '0'), st_src));
                END IF;
            ELSE
                SELECT sum(sp.value_sum) INTO tel
                  FROM reading_spans(mt.ratio_num, metric_sources(mt.ratio_num, NULL),
                                     cuts[k:k + 1]) sp
                  JOIN site s ON s.site_id = sp.site_id
                 WHERE target_scope_has(t.scope, s.site_id, s.county);
                v := v + coalesce(tel, 0); n_tel := n_tel + 1; counts[k] := coalesce(tel, 0);
                IF yy = t.year THEN
                    msrc := concat_ws(', ', msrc, format('%s-%s telemetry', yy, lpad(k::text, 2, '0')));
                END IF;
            END IF;
        END LOOP;
        IF yy = t.year THEN num_now := v; ELSE num_prev := v; END IF;
    END LOOP;
    -- this year's months as target_months words them (enertrack status reads it)
    sources := msrc;

    -- the growth at comparable prices of Jan..months: a statistic, else a reading at its end
    pend := make_timestamptz(t.year, 1, 1, 0, 0, 0, tz) + make_interval(months => months);
    SELECT s.value INTO growth FROM statistic s
     WHERE s.scope = t.scope AND s.metric = mt.ratio_growth
       AND s.period IN (format('%s-%s', t.year, lpad(months::text, 2, '0')),
                        format('%s-01..%s-%s', t.year, t.year, lpad(months::text, 2, '0')),
                        CASE WHEN months = 3 THEN format('%s-Q1', t.year) END,
                        CASE WHEN months = 6 THEN format('%s-H1', t.year) END,
                        CASE WHEN months = 12 THEN t.year::text END)
       AND (cardinality(srcs) = 0 OR s.source = ANY (srcs))
       AND (s.published IS NULL OR s.published <= (at AT TIME ZONE tz)::date)
     ORDER BY array_position(srcs, s.source), s.source, length(s.period) DESC
     LIMIT 1;
    IF growth IS NULL THEN
        -- a reading that says what it covers must cover it from January
        -- (February's own growth is not 1–2月's)
        SELECT avg(r.value) INTO growth
          FROM reading r JOIN site s ON s.site_id = r.site_id
         WHERE r.metric = mt.ratio_growth AND r.ts = pend
           AND (r.covers_from IS NULL OR r.covers_from = make_timestamptz(t.year, 1, 1, 0, 0, 0, tz))
           AND target_scope_has(t.scope, s.site_id, s.county);
    END IF;
    IF growth IS NULL THEN
        note := format('no %s for %s', mt.ratio_growth, period);
    ELSIF num_now <= 0 OR num_prev <= 0 THEN
        note := format('no %s for %s in both years', mt.ratio_num, period);
    ELSE
        decline := 100 * (1 - (num_now / num_prev) / (1 + growth / 100));
        note := format('%s, %s %s %%', period, mt.ratio_growth, growth);
    END IF;
    RETURN NEXT;
END $$;
COMMENT ON FUNCTION target_ratio_period(target, timestamptz) IS
    'A ratio target''s decline in % over the closed months by `at`, the bureau''s way: 1 - (N / N last year) / (1 + growth at comparable prices); NULL with a note naming the missing period when no growth is known.';
