-- SPDX-License-Identifier: MIT
-- A replacement declared, moved or withdrawn: the first counter reading at or
-- after its time, of each source, gets its delta again.
CREATE OR REPLACE FUNCTION counter_replacement_follow() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    k record; src text;
BEGIN
    FOR k IN SELECT NEW.site_id AS site_id, NEW.metric AS metric, NEW.at AS at
             WHERE TG_OP <> 'DELETE'
             UNION
             SELECT OLD.site_id, OLD.metric, OLD.at WHERE TG_OP <> 'INSERT' LOOP
        FOR src IN SELECT DISTINCT r.source FROM reading r
                   WHERE r.counter AND r.site_id = k.site_id AND r.metric = k.metric LOOP
            PERFORM counter_refresh_next(k.site_id, k.metric, src, k.at, true);
        END LOOP;
    END LOOP;
    RETURN NULL;
END $$;
COMMENT ON FUNCTION counter_replacement_follow() IS
    'Trigger on counter_replacement: recomputes the delta of the first counter reading at or after the replacement (the old and the new time on an UPDATE).';
REVOKE ALL ON FUNCTION counter_replacement_follow() FROM PUBLIC;
CREATE OR REPLACE TRIGGER counter_replacement_follow AFTER INSERT OR UPDATE OR DELETE ON counter_replacement
    FOR EACH ROW EXECUTE FUNCTION counter_replacement_follow();
