-- SPDX-License-Identifier: MIT
-- Per local month of a target's year up to `at`: telemetry, the official
-- figure when the month is closed and one was published by `at`, and what
-- counts. The official figure of a month is its own, else it comes from
-- the shortest block the bureau published that ends with it (a quarter, a
-- half, 1–2月 as 2024-01..2024-02, the year; statistic_block): that month
-- counts the block's figure less what its earlier months counted, so the
-- block adds up to the published figure (monthly values derived from
-- cumulative ones).
CREATE OR REPLACE FUNCTION target_months(t target, at timestamptz)
RETURNS TABLE (month date, closed boolean, telemetry double precision, official double precision,
               source text, counted double precision)
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
DECLARE
    tz text; srcs text[]; cuts timestamptz[]; top timestamptz; mon integer; k integer;
    tv double precision; bv double precision; bsrc text; bfirst integer; bper text;
    counts double precision[] := '{}';
BEGIN
    SELECT s.timezone, s.statistics_sources INTO tz, srcs FROM target_setting s;
    top := at + interval '1 microsecond';
    IF top <= make_timestamptz(t.year, 1, 1, 0, 0, 0, tz) THEN
        RETURN;
    END IF;
    mon := least(12, extract(month FROM at AT TIME ZONE tz)::int
                     + 12 * (extract(year FROM at AT TIME ZONE tz)::int - t.year));
    cuts := ARRAY(SELECT make_timestamptz(t.year, k, 1, 0, 0, 0, tz) FROM generate_series(1, mon) k);
    cuts := cuts || least(top, make_timestamptz(t.year, 1, 1, 0, 0, 0, tz) + make_interval(months => mon));
    FOR k, tv IN
        SELECT g.k, sum(sp.value_sum)
          FROM generate_series(1, mon) g(k)
          LEFT JOIN reading_spans(t.metric, metric_sources(t.metric, t.sources), cuts) sp
                 ON sp.span = g.k
                AND EXISTS (SELECT 1 FROM site s WHERE s.site_id = sp.site_id
                                                   AND target_scope_has(t.scope, s.site_id, s.county))
         GROUP BY g.k ORDER BY g.k LOOP
        month := make_date(t.year, k, 1);
        closed := make_timestamptz(t.year, 1, 1, 0, 0, 0, tz) + make_interval(months => k) <= top;
        telemetry := tv; official := NULL; source := NULL;
        IF closed THEN
            SELECT b.value, b.source, b.first_month, b.period INTO bv, bsrc, bfirst, bper
              FROM statistic_block(t.scope, t.metric, t.year, k, srcs, at) b;
            IF bv IS NOT NULL THEN
                official := bv - coalesce((SELECT sum(c) FROM unnest(counts[bfirst:k - 1]) c), 0);
                source := CASE WHEN bfirst = k THEN bsrc ELSE format('%s %s', bsrc, bper) END;
            END IF;
        END IF;
        counted := CASE WHEN official IS NOT NULL THEN official ELSE coalesce(tv, 0) END;
        counts[k] := counted;
        RETURN NEXT;
    END LOOP;
END $$;
COMMENT ON FUNCTION target_months(target, timestamptz) IS
    'Per month of a target''s year to `at`: telemetry, the official figure (closed months; the month''s own, else derived from a published quarter, half, 累计 range or year ending with it), and what counts: the official figure where there is one, else telemetry.';
