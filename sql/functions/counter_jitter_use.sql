-- SPDX-License-Identifier: MIT
-- enertrackd's [ingest] counter_jitter, for its session and stored, as
-- counter_reset_use does for counter_reset.
CREATE OR REPLACE FUNCTION counter_jitter_use(jitter double precision) RETURNS double precision
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF jitter IS NULL OR jitter < 0 OR jitter = 'Infinity' OR jitter = 'NaN' THEN
        RAISE EXCEPTION 'counter_jitter must be a finite number >= 0, not %', jitter
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM set_config('enertrack.counter_jitter', jitter::text, false);
    UPDATE counter_setting SET jitter = counter_jitter_use.jitter, updated_at = now()
    WHERE counter_setting.jitter <> counter_jitter_use.jitter;
    RETURN jitter;
END $$;
COMMENT ON FUNCTION counter_jitter_use(double precision) IS
    'enertrackd calls it on each connection with [ingest] counter_jitter: sets it for the session and stores it in counter_setting.';
REVOKE ALL ON FUNCTION counter_jitter_use(double precision) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION counter_jitter_use(double precision) TO enertrack_ingest;
