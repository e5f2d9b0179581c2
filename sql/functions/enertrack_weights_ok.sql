-- SPDX-License-Identifier: MIT
CREATE OR REPLACE FUNCTION enertrack_weights_ok(w double precision[]) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT array_ndims(w) = 1 AND array_length(w, 1) = 12 AND 0 <= ALL (w)
           AND 0 < (SELECT sum(x) FROM unnest(w) x)
$$;
-- target.schedule is checked by it: the constraint is made here, after the
-- function, and made again when the function changes.
ALTER TABLE target DROP CONSTRAINT IF EXISTS target_schedule_check,
    ADD CONSTRAINT target_schedule_check CHECK (schedule IS NULL OR enertrack_weights_ok(schedule));
