-- SPDX-License-Identifier: MIT
-- The targets of the year of `at` that have had no data for `days` days:
-- no reading of the metric (a ratio: of its numerator) in the scope, and no
-- official figure, since the later of the year's start and the last one; a
-- metric reported as events (new capacity, retrofits) counts its project
-- register as data. A metric reported monthly (a share, GDP) is silent a
-- month between readings: the limit is at least twice its usual interval
-- (over the last 400 days in the scope). missing names what is missing,
-- last_seen the latest datum (NULL: none this year).
CREATE OR REPLACE FUNCTION target_no_data(at timestamptz, days integer)
RETURNS TABLE (target_id integer, metric text, scope text, missing text, last_seen timestamptz)
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
DECLARE
    tz text; t target; m text; flow boolean; y0 timestamptz; seen timestamptz; st date;
    usual interval;
BEGIN
    SELECT s.timezone INTO tz FROM target_setting s;
    FOR t IN SELECT * FROM target x
              WHERE x.year = extract(year FROM at AT TIME ZONE tz)::int AND x.first_year IS NULL
              ORDER BY x.id LOOP
        SELECT coalesce(x.ratio_num, x.name), x.flow INTO m, flow FROM metric x WHERE x.name = t.metric;
        y0 := make_timestamptz(t.year, 1, 1, 0, 0, 0, tz);
        IF at - y0 <= make_interval(days => days) THEN
            CONTINUE;
        END IF;
        SELECT max(r.ts) INTO seen
          FROM reading r JOIN site s ON s.site_id = r.site_id
         WHERE r.metric = m AND r.ts >= y0 AND r.ts <= at  -- last heard, 1 January 00:00 included
           AND target_scope_has(t.scope, s.site_id, s.county);
        SELECT max(x.period_end) INTO st FROM statistic x
         WHERE x.metric = m AND x.scope = t.scope AND x.period_start >= make_date(t.year, 1, 1)
           AND x.imported_at <= at;
        seen := greatest(seen, st::timestamp AT TIME ZONE tz);
        SELECT CASE WHEN count(*) > 1 THEN (max(r.ts) - min(r.ts)) / (count(*) - 1) END INTO usual
          FROM reading r JOIN site s ON s.site_id = r.site_id
         WHERE r.metric = m AND r.ts > at - interval '400 days' AND r.ts <= at
           AND target_scope_has(t.scope, s.site_id, s.county);
        IF NOT flow AND (seen IS NOT NULL
                         OR EXISTS (SELECT 1 FROM target_milestone x WHERE x.target_id = t.id)) THEN
            CONTINUE;  -- events: a register or any event this year is data
        END IF;
        IF seen IS NULL OR at - seen > greatest(make_interval(days => days), 2 * usual) THEN
            target_id := t.id; metric := t.metric; scope := t.scope; last_seen := seen;
            missing := CASE WHEN flow THEN format('no %s in %s since %s', m, t.scope,
                                                 coalesce(to_char(seen AT TIME ZONE tz, 'YYYY-MM-DD'),
                                                          format('the start of %s', t.year)))
                            ELSE format('no %s in %s this year, and no project registered', m, t.scope) END;
            RETURN NEXT;
        END IF;
    END LOOP;
END $$;
COMMENT ON FUNCTION target_no_data(timestamptz, integer) IS
    'The targets of the year of `at` without data (readings, official figures; for events, the register) for `days` days, and what is missing.';
