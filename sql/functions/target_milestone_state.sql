-- SPDX-License-Identifier: MIT
-- Per milestone of a target at `at`: due, the site's commissioned capacity
-- this year, what the site's milestones up to this one plan, and whether it
-- is late (due, and the site has not reached it) and by how many days.
-- A generating unit (unit_name) registered for several retrofits counts
-- its size once, from its earliest due: the later rows plan 0 more.
CREATE OR REPLACE FUNCTION target_milestone_state(t target, at timestamptz)
RETURNS TABLE (milestone_id integer, site_id text, name text, due date, value double precision,
               is_due boolean, commissioned double precision, planned_to_here double precision,
               late boolean, days_late integer)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
DECLARE
    tz text; today date;
BEGIN
    SELECT s.timezone INTO tz FROM target_setting s;
    today := (at AT TIME ZONE tz)::date;
    RETURN QUERY
    WITH m0 AS (
        SELECT m.*, CASE WHEN m.unit_name IS NOT NULL
                              AND row_number() OVER (PARTITION BY m.site_id, m.unit_name
                                                     ORDER BY m.due, m.id) > 1
                         THEN 0 ELSE m.value * u.factor END AS v
          FROM target_milestone m JOIN unit u ON u.name = m.unit
         WHERE m.target_id = t.id
    ), ms AS (
        SELECT m0.*, sum(m0.v) OVER (PARTITION BY m0.site_id ORDER BY m0.due, m0.id) AS cum FROM m0
    ), st AS (
        SELECT s.site_id, s.ytd FROM target_site_stats(t, at) s
    )
    SELECT ms.id, ms.site_id, ms.name, ms.due, ms.v, ms.due <= today, coalesce(st.ytd, 0), ms.cum,
           ms.due < today AND coalesce(st.ytd, 0) < ms.cum * (1 - 1e-9),
           CASE WHEN ms.due < today AND coalesce(st.ytd, 0) < ms.cum * (1 - 1e-9) THEN today - ms.due END
      FROM ms LEFT JOIN st ON st.site_id = ms.site_id
     ORDER BY ms.due, ms.id;
END $$;
COMMENT ON FUNCTION target_milestone_state(target, timestamptz) IS
    'Per milestone at `at`: due or not, what its site commissioned this year, what its site''s milestones plan up to it, late (due and not reached) and by how many days.';
