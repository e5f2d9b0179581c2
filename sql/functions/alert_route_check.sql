-- SPDX-License-Identifier: MIT
-- alert_route rows are checked when written: a pattern that could not be
-- matched, or an address no server accepts, used to stop every evaluation.
-- The pattern is matched with LIKE and no escape character
-- (alert_recipients): % and _ are wildcards, every other character itself;
-- a backslash is refused, so that no pattern means one thing here and
-- another elsewhere. Each address must be local@domain.
CREATE OR REPLACE FUNCTION alert_route_check() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    a text;
BEGIN
    IF NEW.scope_pattern IS NULL OR NEW.scope_pattern = '' THEN
        RAISE EXCEPTION 'alert_route: scope_pattern is empty'
            USING ERRCODE = 'check_violation', HINT = 'city, county:襄垣, county:%, site:xy-%';
    END IF;
    IF NEW.scope_pattern ~ '[\\[:cntrl:]]' THEN
        RAISE EXCEPTION 'alert_route: scope_pattern % has a backslash or a control character', quote_literal(NEW.scope_pattern)
            USING ERRCODE = 'check_violation',
                  HINT = 'patterns are matched with LIKE and no escape character: % and _ are the wildcards';
    END IF;
    FOR a IN SELECT x FROM regexp_split_to_table(NEW.recipients, '[\s,]+') AS x WHERE x <> '' LOOP
        IF a !~ '^[A-Za-z0-9.!#$%&''*+/=?^_`{|}~-]+@[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$'
           OR length(a) > 254 THEN
            RAISE EXCEPTION 'alert_route: % is not a mail address', quote_literal(a)
                USING ERRCODE = 'check_violation', HINT = 'addresses such as ops@example.org, separated by commas or spaces';
        END IF;
    END LOOP;
    IF NOT EXISTS (SELECT 1 FROM regexp_split_to_table(NEW.recipients, '[\s,]+') AS x WHERE x <> '') THEN
        RAISE EXCEPTION 'alert_route: no recipients' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION alert_route_check() IS
    'Trigger of alert_route: refuses an empty pattern, one with a backslash or a control character, and recipients that are not local@domain addresses.';
CREATE OR REPLACE TRIGGER alert_route_check BEFORE INSERT OR UPDATE ON alert_route
    FOR EACH ROW EXECUTE FUNCTION alert_route_check();
