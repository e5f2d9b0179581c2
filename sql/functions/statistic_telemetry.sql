-- SPDX-License-Identifier: MIT
-- 6. Telemetry against the official monthly figures.
-- The telemetry of a scope and metric between two local dates: the
-- readings stamped in (d0, d1], those of the period that ends at d1.
CREATE OR REPLACE FUNCTION statistic_telemetry(sc text, m text, d0 date, d1 date) RETURNS double precision
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_custom_plan AS $$
DECLARE
    tz text; v double precision;
BEGIN
    SELECT s.timezone INTO tz FROM target_setting s;
    SELECT sum(sp.value_sum) INTO v
      FROM reading_spans(m, metric_sources(m, NULL),
                         ARRAY[d0::timestamp AT TIME ZONE tz, d1::timestamp AT TIME ZONE tz]) sp
      JOIN site s ON s.site_id = sp.site_id
     WHERE target_scope_has(sc, s.site_id, s.county);
    RETURN v;
END $$;
COMMENT ON FUNCTION statistic_telemetry(text, text, date, date) IS
    'Sum of the readings of a scope and metric stamped in (local date d0, d1] (a reading counts in the period it ends), canonical unit; NULL: none.';
