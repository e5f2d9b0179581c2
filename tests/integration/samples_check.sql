-- SPDX-License-Identifier: MIT
-- target_progress_samples (the charts' sampler) against target_progress_at
-- at the charts' instants of year :year (the 1st and 16th of each month,
-- 1 January's one microsecond after 00:00, the year's end: 1 January 00:00
-- of the next year) and at odd ones (mid-day mid-month, the leap day's noon,
-- a month's first microsecond, the year's last second): one line,
-- "<n> compared, <m> differ"
-- (then the first differences), "; schedules: ...", "; statistics: yes|no",
-- "; pro rata: yes|no" (a month's known figure counted pro rata at some
-- instant), "; stated periods: yes|no" (a reading of the year that says
-- what it covers, reading.covers_from).
-- Figures agree within 1e-9 relative; NULL only with NULL.
-- psql -v year=2024 -f samples_check.sql
WITH s AS (SELECT timezone AS tz FROM target_setting),
b AS (SELECT make_timestamptz(:year, 1, 1, 0, 0, 0, s.tz) AS y0,
             make_timestamptz(:year + 1, 1, 1, 0, 0, 0, s.tz) AS y1, s.tz FROM s),
pts AS (SELECT DISTINCT g FROM (
    SELECT greatest(((b.y0 AT TIME ZONE b.tz) + make_interval(months => k, days => d)) AT TIME ZONE b.tz,
                    b.y0 + interval '1 microsecond') AS g
      FROM b, generate_series(0, 11) k, (VALUES (0), (15)) v (d)
    UNION ALL SELECT b.y1 FROM b
    UNION ALL SELECT b.y1 - interval '1 second' FROM b
    UNION ALL SELECT ((b.y0 AT TIME ZONE b.tz) + make_interval(months => k, days => 9, hours => 12, secs => 34.5))
                     AT TIME ZONE b.tz FROM b, generate_series(0, 11) k
    UNION ALL SELECT ((b.y0 AT TIME ZONE b.tz) + make_interval(months => 1, days => 28, hours => 12))
                     AT TIME ZONE b.tz FROM b
    UNION ALL SELECT ((b.y0 AT TIME ZONE b.tz) + make_interval(months => k)) AT TIME ZONE b.tz
                     + interval '1 microsecond' FROM b, generate_series(1, 11) k) x),
smp AS (SELECT * FROM target_progress_samples((SELECT array_agg(g ORDER BY g) FROM pts))),
ref AS (SELECT pts.g, p.* FROM pts, LATERAL target_progress_at(pts.g) p),
cmp AS (SELECT coalesce(r.target_id, m.target_id) AS id, coalesce(r.g, m.at) AS g,
               r.expected AS re, m.expected AS se, r.actual AS ra, m.actual AS sa,
               ((r.expected IS NULL AND m.expected IS NULL)
                OR abs(r.expected - m.expected) <= 1e-9 * greatest(abs(r.expected), abs(m.expected)))
           AND ((r.actual IS NULL AND m.actual IS NULL)
                OR abs(r.actual - m.actual) <= 1e-9 * greatest(abs(r.actual), abs(m.actual))) AS ok
          FROM ref r FULL JOIN smp m ON m.target_id = r.target_id AND m.at = r.g)
SELECT format('%s compared, %s differ', count(*), count(*) FILTER (WHERE ok IS NOT TRUE))
       || coalesce(': ' || (SELECT string_agg(format('target %s at %s: expected %s / %s, actual %s / %s',
                                                     c.id, c.g, c.re, c.se, c.ra, c.sa), '; ')
                              FROM (SELECT * FROM cmp WHERE ok IS NOT TRUE ORDER BY id, g LIMIT 3) c), '')
       || '; schedules: ' || coalesce((SELECT string_agg(DISTINCT schedule_used, ',') FROM ref), '')
       || '; statistics: ' || CASE WHEN (SELECT bool_or(month_sources LIKE '%statistics:%') FROM ref)
                                   THEN 'yes' ELSE 'no' END
       || '; pro rata: ' || CASE WHEN (SELECT bool_or(month_sources LIKE '%pro rata%') FROM ref)
                                 THEN 'yes' ELSE 'no' END
       || '; stated periods: ' || CASE WHEN EXISTS (SELECT 1 FROM reading r, b WHERE r.covers_from IS NOT NULL
                                                       AND r.ts > b.y0 AND r.ts <= b.y1)
                                       THEN 'yes' ELSE 'no' END
  FROM cmp;
