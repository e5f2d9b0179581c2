-- SPDX-License-Identifier: MIT
CREATE OR REPLACE FUNCTION counter_jitter() RETURNS double precision
LANGUAGE sql STABLE SET search_path = pg_catalog, public AS $$
    SELECT coalesce(nullif(current_setting('enertrack.counter_jitter', true), '')::double precision,
                    (SELECT jitter FROM counter_setting), 0)
$$;
COMMENT ON FUNCTION counter_jitter() IS
    'A totaliser''s step back of at most this is jitter: this session''s enertrack.counter_jitter if set, else the one enertrackd stored in counter_setting.';
