-- SPDX-License-Identifier: MIT
-- UPDATE target_setting SET ... writes the stored row: the columns the
-- statement changes, and only those (another column keeps its stored value
-- even when this session overrides it).
CREATE OR REPLACE FUNCTION target_setting_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE target_setting_stored s SET
        timezone = CASE WHEN NEW.timezone IS DISTINCT FROM OLD.timezone
                        THEN NEW.timezone ELSE s.timezone END,
        min_elapsed_pct = CASE WHEN NEW.min_elapsed_pct IS DISTINCT FROM OLD.min_elapsed_pct
                               THEN NEW.min_elapsed_pct ELSE s.min_elapsed_pct END,
        stale_after_s = CASE WHEN NEW.stale_after_s IS DISTINCT FROM OLD.stale_after_s
                             THEN NEW.stale_after_s ELSE s.stale_after_s END,
        statistics_sources = CASE WHEN NEW.statistics_sources IS DISTINCT FROM OLD.statistics_sources
                                  THEN NEW.statistics_sources ELSE s.statistics_sources END
    WHERE s.id = OLD.id;
    RETURN NEW;
END $$;
COMMENT ON FUNCTION target_setting_update() IS 'INSTEAD OF UPDATE on the view target_setting.';
CREATE OR REPLACE TRIGGER target_setting_update INSTEAD OF UPDATE ON target_setting
    FOR EACH ROW EXECUTE FUNCTION target_setting_update();
