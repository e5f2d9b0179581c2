-- SPDX-License-Identifier: MIT
-- Test data for the charts, the status page and the mails: raw coal from six
-- mines in three counties, a reading a day through 2023 and 2024 up to
-- 2024-07-14; 襄垣's two mines produce at 60 % of their share in 2024, and
-- qy-02 falls silent on 2024-06-20 (stale at the test's instant).
INSERT INTO site (id, kind, county) VALUES
    ('xy-01', 'mine', '襄垣'), ('xy-02', 'mine', '襄垣'),
    ('qy-01', 'mine', '沁源'), ('qy-02', 'mine', '沁源'),
    ('wx-01', 'mine', '武乡'), ('wx-02', 'mine', '武乡')
ON CONFLICT DO NOTHING;
-- 1.7e8 t a year over six mines: ~77,600 t a day each
INSERT INTO reading (site_id, metric, ts, value, unit_in, value_in, source, received_at)
SELECT s.id, 'raw_coal', d + interval '23 hours',
       77600 * (CASE WHEN s.county = '襄垣' AND d >= '2024-01-01+08' THEN 0.6 ELSE 1 END)
             * (1 + 0.15 * sin(extract(doy FROM d) / 58.0)),
       't', 0, '', now()
  FROM site s,
       generate_series('2023-01-01T00:00:00+08'::timestamptz, '2024-07-14T00:00:00+08', interval '1 day') d
 WHERE s.id IN ('xy-01', 'xy-02', 'qy-01', 'qy-02', 'wx-01', 'wx-02')
   AND NOT (s.id = 'qy-02' AND d >= '2024-06-20+08');
UPDATE reading SET value_in = value WHERE value_in = 0;
