-- SPDX-License-Identifier: MIT
-- enertrack migration 017: a bound on reading.value, the last line of
-- defence behind the checks of the decoders (lib/decode.c for v1,
-- sparkplug_apply() for Sparkplug B): no reading of any metric may exceed
-- 1e15 in its canonical unit (lib/units.c's widest sane bound), and NaN
-- is out of it. Rows already beyond it (a Sparkplug DDATA of 1e300 took
-- this path before the check existed) are moved to rejected_message
-- first, so that the constraint can be validated; the rollup follows the
-- delete through reading_hourly's triggers.
INSERT INTO rejected_message (received_at, topic, reason, detail, element, payload,
                              payload_bytes, truncated)
SELECT r.received_at, 'reading/' || r.site_id || '/' || r.metric, 'out_of_range',
       format('removed by migration 017: %s of %s at %s is beyond the sane bound (1e15)',
              r.value, r.metric, r.ts),
       NULL, convert_to(r.value_in::text || ' ' || r.unit_in, 'UTF8'),
       octet_length(r.value_in::text || ' ' || r.unit_in), false
FROM reading r
WHERE NOT (r.value BETWEEN -1e15 AND 1e15);
DELETE FROM reading WHERE NOT (value BETWEEN -1e15 AND 1e15);
ALTER TABLE reading ADD CONSTRAINT reading_value_bound CHECK (value BETWEEN -1e15 AND 1e15);
COMMENT ON CONSTRAINT reading_value_bound ON reading IS
    'The last line of defence: no reading beyond 1e15 in its canonical unit, and no NaN. The decoders reject such values first, into rejected_message with reason out_of_range.';
