-- SPDX-License-Identifier: MIT
-- 4. Deltas.

-- One stretch of one meter, from total prev to total cur. A step back of at
-- most counter_jitter() is jitter (a step of 1 back counted +99
-- with a rollover of 100).
CREATE OR REPLACE FUNCTION counter_step(prev double precision, cur double precision, rollover double precision,
                             mode text, OUT delta double precision, OUT step text)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, public AS $$
BEGIN
    IF cur >= prev THEN
        delta := cur - prev;
    ELSIF prev - cur <= counter_jitter() THEN
        delta := 0; step := 'jitter';
    ELSIF rollover IS NOT NULL AND cur + rollover >= prev THEN
        delta := cur + rollover - prev; step := 'rollover';
    ELSIF mode = 'hold' THEN
        delta := 0; step := 'reset';
    ELSE
        delta := cur; step := 'reset';
    END IF;
END $$;
COMMENT ON FUNCTION counter_step(double precision, double precision, double precision, text) IS
    'The delta of a totaliser from total prev to total cur: the difference, 0 for a step back of at most counter_jitter() (jitter), or across a rollover, or a reset (mode restart: cur; hold: 0); never negative.';
