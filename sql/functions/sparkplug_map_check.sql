-- SPDX-License-Identifier: MIT
-- the unit must measure what the metric measures
CREATE OR REPLACE FUNCTION sparkplug_map_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
DECLARE
    udim text; mdim text;
BEGIN
    SELECT dim INTO udim FROM unit WHERE name = NEW.unit;
    SELECT dim INTO mdim FROM metric WHERE name = NEW.metric;
    IF mdim IS NOT NULL AND udim IS DISTINCT FROM mdim THEN
        RAISE EXCEPTION 'sparkplug_map: unit % measures %, metric % is in %', NEW.unit, udim,
            NEW.metric, mdim USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
COMMENT ON FUNCTION sparkplug_map_check() IS 'Refuses a sparkplug_map row whose unit is not of its metric''s dimension.';
CREATE OR REPLACE TRIGGER sparkplug_map_check BEFORE INSERT OR UPDATE ON sparkplug_map
    FOR EACH ROW EXECUTE FUNCTION sparkplug_map_check();
