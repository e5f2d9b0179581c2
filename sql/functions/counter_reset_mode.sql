-- SPDX-License-Identifier: MIT
CREATE OR REPLACE FUNCTION counter_reset_mode() RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, public AS $$
    SELECT coalesce(nullif(current_setting('enertrack.counter_reset', true), ''),
                    (SELECT reset FROM counter_setting), 'restart')
$$;
COMMENT ON FUNCTION counter_reset_mode() IS
    'restart or hold: this session''s enertrack.counter_reset if set, else the one enertrackd stored in counter_setting.';
