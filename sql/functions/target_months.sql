-- SPDX-License-Identifier: MIT
-- Per local month of a target's year up to `at`: telemetry, the official
-- figure when the month is closed and one was published by `at`, and what
-- counts. The official figure of a month is its own, else it comes from
-- the shortest block the bureau published that ends with it (a quarter, a
-- half, 1–2月 as 2024-01..2024-02, the year; statistic_block): that month
-- counts the block's figure less what its earlier months counted, so the
-- block adds up to the published figure (monthly values derived from
-- cumulative ones). The month that holds `at` counts such a figure, when
-- one is known by then, in the share its telemetry to `at` is of the whole
-- month's (the figure fixes the month's level, telemetry its shape within
-- the month), clamped to [0, 1]; a month without telemetry (NULL or 0) in
-- the share of its elapsed time (docs/targets.md). The months, their
-- (start, end] windows and that time share are target_month_windows',
-- which target_progress_samples reads too.
CREATE OR REPLACE FUNCTION target_months(t target, at timestamptz)
RETURNS TABLE (month date, closed boolean, telemetry double precision, official double precision,
               source text, counted double precision)
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
DECLARE
    tz text; srcs text[]; cuts timestamptz[]; k integer;
    tv double precision; bv double precision; bsrc text; bfirst integer; bper text;
    counts double precision[] := '{}'; mstart timestamptz; mend timestamptz;
    mshare double precision; mfull double precision; mnext timestamptz;
BEGIN
    SELECT s.timezone, s.statistics_sources INTO tz, srcs FROM target_setting s;
    -- months are (first instant, end] (reading_spans): `at` is in the
    -- month it ends, so 1 February 00:00 closes January
    cuts := ARRAY(SELECT w.w_from FROM target_month_windows(t.year, at, tz) w ORDER BY w.k)
            || ARRAY(SELECT w.w_to FROM target_month_windows(t.year, at, tz) w ORDER BY w.k DESC LIMIT 1);
    IF cardinality(cuts) < 2 THEN
        RETURN;
    END IF;
    FOR k, closed, mshare, mstart, mend, tv IN
        SELECT w.k, w.closed, w.share, w.m_start, w.m_end, sum(sp.value_sum)
          FROM target_month_windows(t.year, at, tz) w
          LEFT JOIN reading_spans(t.metric, metric_sources(t.metric, t.sources), cuts) sp
                 ON sp.span = w.k
                AND EXISTS (SELECT 1 FROM site s WHERE s.site_id = sp.site_id
                                                   AND target_scope_has(t.scope, s.site_id, s.county))
         GROUP BY w.k, w.closed, w.share, w.m_start, w.m_end ORDER BY w.k LOOP
        month := make_date(t.year, k, 1);
        telemetry := tv; official := NULL; source := NULL;
        SELECT b.value, b.source, b.first_month, b.period INTO bv, bsrc, bfirst, bper
          FROM statistic_block(t.scope, t.metric, t.year, k, srcs, at) b;
        IF bv IS NOT NULL THEN
            official := bv - coalesce((SELECT sum(c) FROM unnest(counts[bfirst:k - 1]) c), 0);
            source := CASE WHEN bfirst = k THEN bsrc ELSE format('%s %s', bsrc, bper) END;
            IF NOT closed THEN
                -- the month holding `at`, its figure known already (no
                -- publication day, or one by `at`): the part of it its
                -- telemetry says has passed, (month start, at] of the whole
                -- (month start, next month's start] (the bureaus' own
                -- benchmarking: a share of time would put a Spring Festival
                -- dip's output in the days of the dip). So a step comes only
                -- with a reading, and the year's end moves by at most the
                -- last reading's share between 23:59:59 and 00:00. A month
                -- without telemetry counts the elapsed part of its time.
                -- The whole month is what the year's readings say of it:
                -- those stamped in it, and the part in it of one stamped
                -- later in the year that covers it (a quarter's figure of
                -- 1 April, reading_span_parts), as the sampler's spans of
                -- the year hold it (target_progress_samples)
                mnext := CASE WHEN k = 12 THEN make_timestamptz(t.year + 1, 1, 1, 0, 0, 0, tz)
                              ELSE make_timestamptz(t.year, k + 1, 1, 0, 0, 0, tz) END;
                SELECT sum(sp.value_sum) INTO mfull
                  FROM reading_spans(t.metric, metric_sources(t.metric, t.sources),
                                     ARRAY[make_timestamptz(t.year, k, 1, 0, 0, 0, tz), mnext]
                                     || CASE WHEN k < 12 THEN ARRAY[make_timestamptz(t.year + 1, 1, 1, 0, 0, 0, tz)]
                                             ELSE '{}'::timestamptz[] END) sp
                 WHERE sp.span = 1
                   AND EXISTS (SELECT 1 FROM site s WHERE s.site_id = sp.site_id
                                                      AND target_scope_has(t.scope, s.site_id, s.county));
                IF mfull IS NOT NULL AND mfull <> 0 THEN
                    official := official * least(1, greatest(0, coalesce(tv, 0) / mfull));
                    source := source || format(' pro rata of telemetry %s/%s',
                        trim_scale(round(coalesce(tv, 0)::numeric, 3)),
                        trim_scale(round(mfull::numeric, 3)));
                ELSE
                    official := official * mshare;
                    source := source || format(' pro rata of time %s/%s s',
                        trim_scale(round(extract(epoch FROM at - mstart), 3)),
                        extract(epoch FROM mend - mstart)::bigint);
                END IF;
            END IF;
        END IF;
        counted := CASE WHEN official IS NOT NULL THEN official ELSE coalesce(tv, 0) END;
        counts[k] := counted;
        RETURN NEXT;
    END LOOP;
END $$;
COMMENT ON FUNCTION target_months(target, timestamptz) IS
    'Per month of a target''s year to `at`: telemetry, the official figure (closed months; the month''s own, else derived from a published quarter, half, 累计 range or year ending with it), and what counts: the official figure where there is one (the month holding `at` its share by telemetry to `at` of the whole month''s, by elapsed time when the month has no telemetry), else telemetry.';
