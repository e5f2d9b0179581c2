-- SPDX-License-Identifier: MIT
-- enertrack migration 006: the targets' settings of one session.
--
-- target_setting held one row that every evaluation overwrote, so that
-- `enertrack status` ran in the time zone the daemon last wrote, and
-- `enertrack evaluate -c other.conf` changed the daemon's settings.
-- The stored row is now target_setting_stored (the daemon keeps writing it:
-- psql, Grafana and the target_progress view read it), and target_setting
-- is a view of it in which a session's own values, when it set any, win:
--   SELECT set_config('enertrack.timezone', 'UTC', true);
--   SELECT set_config('enertrack.min_elapsed_pct', '5', true);
--   SELECT set_config('enertrack.stale_after_s', '3600', true);
-- (true: until the end of the transaction). The functions of 002 read
-- target_setting and are not changed.

ALTER TABLE target_setting RENAME TO target_setting_stored;
COMMENT ON TABLE target_setting_stored IS
    'The [targets] settings the daemon evaluates with, written by it at each evaluation; read through the view target_setting.';

CREATE VIEW target_setting AS
SELECT s.id,
       coalesce(nullif(current_setting('enertrack.timezone', true), ''), s.timezone) AS timezone,
       coalesce(nullif(current_setting('enertrack.min_elapsed_pct', true), '')::double precision,
                s.min_elapsed_pct) AS min_elapsed_pct,
       coalesce(nullif(current_setting('enertrack.stale_after_s', true), '')::integer,
                s.stale_after_s) AS stale_after_s
FROM target_setting_stored s;
COMMENT ON VIEW target_setting IS
    'target_setting_stored, with the values this session set in enertrack.timezone, enertrack.min_elapsed_pct and enertrack.stale_after_s instead. UPDATE writes the stored row.';

-- UPDATE target_setting SET ... writes the stored row: the columns the
-- statement changes, and only those (another column keeps its stored value
-- even when this session overrides it).
CREATE FUNCTION target_setting_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE target_setting_stored s SET
        timezone = CASE WHEN NEW.timezone IS DISTINCT FROM OLD.timezone
                        THEN NEW.timezone ELSE s.timezone END,
        min_elapsed_pct = CASE WHEN NEW.min_elapsed_pct IS DISTINCT FROM OLD.min_elapsed_pct
                               THEN NEW.min_elapsed_pct ELSE s.min_elapsed_pct END,
        stale_after_s = CASE WHEN NEW.stale_after_s IS DISTINCT FROM OLD.stale_after_s
                             THEN NEW.stale_after_s ELSE s.stale_after_s END
    WHERE s.id = OLD.id;
    RETURN NEW;
END $$;
COMMENT ON FUNCTION target_setting_update() IS 'INSTEAD OF UPDATE on the view target_setting.';
CREATE TRIGGER target_setting_update INSTEAD OF UPDATE ON target_setting
    FOR EACH ROW EXECUTE FUNCTION target_setting_update();

-- the privileges of 003 on the table moved with it; the view needs its own
GRANT SELECT, UPDATE ON target_setting TO enertrack_ingest;
GRANT SELECT ON target_setting TO enertrack_reader;

COMMENT ON TABLE target_setting_stored IS 'One row: the [targets] settings enertrackd stored at start and on reload; target_setting shows them unless a session set its own.';
COMMENT ON VIEW target_setting IS 'The [targets] settings the progress functions and views use: a session''s own (enertrack.timezone, enertrack.min_elapsed_pct, enertrack.stale_after_s, as enertrack status and evaluate set them), else those enertrackd stored.';
COMMENT ON COLUMN target_setting.id IS 'Always true: one row.';
COMMENT ON COLUMN target_setting.timezone IS 'Time zone of the years and months of targets.';
COMMENT ON COLUMN target_setting.min_elapsed_pct IS 'Before this share of the year has passed, status is too_early.';
COMMENT ON COLUMN target_setting.stale_after_s IS 'A flow site silent longer than this (and twice its usual interval) is stale.';
