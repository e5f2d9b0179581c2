-- SPDX-License-Identifier: MIT
-- Sessions of enertrack_reader (psql, Grafana) see local time: its role's
-- TimeZone is set to tz ([targets] timezone), by `enertrack migrate`. Returns
-- true when it changed, false when it was so already or the role or zone
-- does not exist.
CREATE OR REPLACE FUNCTION enertrack_reader_timezone(tz text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'enertrack_reader')
       OR NOT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = tz)
       OR EXISTS (SELECT 1 FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole
                  WHERE r.rolname = 'enertrack_reader' AND s.setdatabase = 0
                    AND 'TimeZone=' || tz = ANY (s.setconfig)) THEN
        RETURN false;
    END IF;
    EXECUTE format('ALTER ROLE enertrack_reader SET TimeZone = %L', tz);
    RETURN true;
END $$;
COMMENT ON FUNCTION enertrack_reader_timezone(text) IS
    'Sets the TimeZone of enertrack_reader''s sessions ([targets] timezone, at enertrack migrate); true when it changed.';
