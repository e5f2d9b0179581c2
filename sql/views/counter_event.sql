-- SPDX-License-Identifier: MIT
-- 5. Resets, rollovers and replacements, for operators.
CREATE OR REPLACE VIEW counter_event AS
SELECT r.site_id, r.metric, r.source, r.ts AS at, r.counter_step AS kind,
       p.counter_value AS previous, r.counter_value AS total, r.counter_rollover AS rollover,
       r.value AS delta
FROM reading r
LEFT JOIN LATERAL (
    SELECT q.counter_value FROM reading q
    WHERE q.counter AND q.site_id = r.site_id AND q.metric = r.metric AND q.source = r.source
      AND q.ts < r.ts
    ORDER BY q.ts DESC LIMIT 1) p ON true
WHERE r.counter AND r.counter_step IN ('rollover', 'reset', 'jitter', 'held')
UNION ALL
SELECT c.site_id, c.metric, NULL, c.at, 'replacement', c.old_final, c.new_initial, NULL, NULL
FROM counter_replacement c
UNION ALL
SELECT h.site_id, h.metric, h.source, h.since, 'alternating', NULL, NULL, NULL, NULL
FROM counter_hold h;
COMMENT ON VIEW counter_event IS 'Every reset and rollover of a totaliser (from reading) and every declared meter replacement (from counter_replacement), with the totals around it and the delta counted.';
COMMENT ON COLUMN counter_event.site_id IS 'The site.';
COMMENT ON COLUMN counter_event.metric IS 'The metric.';
COMMENT ON COLUMN counter_event.source IS 'reading.source ('''' when none); NULL for a replacement (all sources).';
COMMENT ON COLUMN counter_event.at IS 'The reading''s ts, or the replacement''s time.';
COMMENT ON COLUMN counter_event.kind IS 'rollover, reset, jitter (a step back of at most [ingest] counter_jitter, counted 0), held (a reading of a series in counter_hold, counted 0), alternating (the series was held: its steps keep going back; delete its counter_hold row to count it again) or replacement.';
COMMENT ON COLUMN counter_event.previous IS 'The previous reading''s total (replacement: the old meter''s final total), canonical unit.';
COMMENT ON COLUMN counter_event.total IS 'The reading''s total (replacement: the new meter''s initial total), canonical unit.';
COMMENT ON COLUMN counter_event.rollover IS 'The declared rollover, canonical unit; NULL: none.';
COMMENT ON COLUMN counter_event.delta IS 'What the reading counts (reading.value); NULL for a replacement.';
GRANT SELECT ON counter_event TO enertrack_reader;
