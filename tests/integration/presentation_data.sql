-- SPDX-License-Identifier: MIT
-- Test data for the charts, the status page and the mails, relative to
-- now() so that the page (which shows the current year) has a year to show:
-- raw coal from six mines in three counties, a reading a day from 1 January
-- of last year (Asia/Shanghai) to yesterday. This year 襄垣's two mines
-- produce at 60 % of their share, and qy-02 fell silent 20 days ago (stale).
-- The targets: this year's raw coal for the city (1.7亿吨, the plan's) and
-- for 襄垣 with monthly weights.
INSERT INTO site (site_id, kind, county) VALUES
    ('xy-01', 'mine', '襄垣'), ('xy-02', 'mine', '襄垣'),
    ('qy-01', 'mine', '沁源'), ('qy-02', 'mine', '沁源'),
    ('wx-01', 'mine', '武乡'), ('wx-02', 'mine', '武乡')
ON CONFLICT DO NOTHING;
CREATE TEMP TABLE y AS
SELECT make_timestamptz(extract(year FROM now() AT TIME ZONE 'Asia/Shanghai')::int, 1, 1, 0, 0, 0,
                        'Asia/Shanghai') AS y0;
-- 1.7e8 t a year over six mines: ~77,600 t a day each, with a season
INSERT INTO reading (site_id, metric, ts, value, unit_in, value_in, source, received_at)
SELECT s.site_id, 'raw_coal', d + interval '23 hours', v, 't', v, '', now()
  FROM y, site s,
       generate_series(y.y0 - interval '1 year', now() - interval '1 day', interval '1 day') d,
       LATERAL (SELECT 77600 * (CASE WHEN s.county = '襄垣' AND d >= y.y0 THEN 0.6 ELSE 1 END)
                             * (1 + 0.15 * sin(extract(doy FROM d) / 58.0)) AS v) x
 WHERE s.site_id IN ('xy-01', 'xy-02', 'qy-01', 'qy-02', 'wx-01', 'wx-02')
   AND NOT (s.site_id = 'qy-02' AND d >= now() - interval '20 days');
INSERT INTO target (metric, year, kind, value, unit, tolerance_pct, scope, plan_text)
SELECT 'raw_coal', extract(year FROM y0 AT TIME ZONE 'Asia/Shanghai')::int, 'about', 1.7, '亿吨', 3,
       'city', '原煤年产量稳定在1.7亿吨左右'
  FROM y
ON CONFLICT (metric, year, scope) DO NOTHING;
INSERT INTO target (metric, year, kind, value, unit, tolerance_pct, scope, schedule)
SELECT 'raw_coal', extract(year FROM y0 AT TIME ZONE 'Asia/Shanghai')::int, 'at_least', 5000, '万吨', 3,
       'county:襄垣', ARRAY[1.2, 1.1, 1, 1, 0.9, 0.8, 0.8, 0.9, 1, 1.1, 1.1, 1.1]
  FROM y
ON CONFLICT (metric, year, scope) DO NOTHING;
