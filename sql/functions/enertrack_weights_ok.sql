-- SPDX-License-Identifier: MIT
-- Whether an array can be a target's schedule (target.schedule): twelve
-- monthly weights, none negative, not all zero.
CREATE OR REPLACE FUNCTION enertrack_weights_ok(w double precision[]) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT array_ndims(w) = 1 AND array_length(w, 1) = 12 AND 0 <= ALL (w)
           AND 0 < (SELECT sum(x) FROM unnest(w) x)
$$;
COMMENT ON FUNCTION enertrack_weights_ok(double precision[]) IS
    'true when w can be a target''s schedule: 12 monthly weights, none negative, their sum positive.';
-- target.schedule is checked by it: the constraint is made here, after the
-- function, and made again when the function changes.
ALTER TABLE target DROP CONSTRAINT IF EXISTS target_schedule_check,
    ADD CONSTRAINT target_schedule_check CHECK (schedule IS NULL OR enertrack_weights_ok(schedule));
