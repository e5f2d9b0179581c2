-- SPDX-License-Identifier: MIT
CREATE OR REPLACE FUNCTION counter_reset_use(mode text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF mode NOT IN ('restart', 'hold') THEN
        RAISE EXCEPTION 'counter_reset must be restart or hold, not %', mode
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM set_config('enertrack.counter_reset', mode, false);
    UPDATE counter_setting SET reset = mode, updated_at = now() WHERE reset <> mode;
    RETURN mode;
END $$;
COMMENT ON FUNCTION counter_reset_use(text) IS
    'enertrackd calls it on each connection with [ingest] counter_reset: sets it for the session and stores it in counter_setting.';
REVOKE ALL ON FUNCTION counter_reset_use(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION counter_reset_use(text) TO enertrack_ingest;
