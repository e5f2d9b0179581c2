-- SPDX-License-Identifier: MIT
-- What the view monthly moves for the readings that say they cover more
-- than one local month ((covers_from, ts], a v1 message's period or
-- start): the rollup holds each in the month of its ts, so per covered
-- month a row to add. A flow counts pro rata of the time it covers in
-- each month (its own month gives back the rest: a quarter's 9 100 t are
-- 3 100, 2 900 and 3 100); a level (a stock, a share) describes each month
-- of its period, so it counts as one more reading in each earlier month.
-- plpgsql, not sql, so that it can be made before migration 018 adds
-- reading.covers_from (tests/integration/test_readingkey.sh migrates so).
CREATE OR REPLACE FUNCTION monthly_period_parts()
RETURNS TABLE (metric text, site_id text, month date, v double precision, n bigint)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
RETURN QUERY
WITH z AS (SELECT timezone AS tz FROM target_setting),
x AS (
    SELECT r.metric, r.site_id, r.value, r.ts, r.covers_from, m.flow, m.aggregate,
           date_trunc('month', (r.ts - interval '1 microsecond') AT TIME ZONE z.tz) AS own,
           date_trunc('month', r.covers_from AT TIME ZONE z.tz) AS f0, z.tz
      FROM reading r JOIN metric m ON m.name = r.metric CROSS JOIN z
     WHERE r.covers_from IS NOT NULL AND r.covers_from < r.ts
       AND (m.flow OR m.aggregate = 'level')
)
SELECT x.metric, x.site_id, g::date,
       CASE WHEN x.flow
            THEN x.value * extract(epoch FROM least(x.ts, (g + interval '1 month') AT TIME ZONE x.tz)
                                             - greatest(x.covers_from, g AT TIME ZONE x.tz))
                         / extract(epoch FROM x.ts - x.covers_from)
                 - CASE WHEN g = x.own THEN x.value ELSE 0 END
            ELSE x.value END::double precision,
       CASE WHEN x.flow THEN 0 ELSE 1 END::bigint
  FROM x CROSS JOIN LATERAL generate_series(x.f0, x.own, interval '1 month') g
 WHERE x.f0 < x.own AND (x.flow OR g < x.own);
END $$;
COMMENT ON FUNCTION monthly_period_parts() IS
    'For the view monthly: per reading that covers several local months (reading.covers_from), what to add to each month: a flow pro rata of the time it covers there (less the whole in its own month), a level its value as one reading in each earlier month.';
