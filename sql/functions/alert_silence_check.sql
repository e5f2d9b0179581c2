-- SPDX-License-Identifier: MIT
-- What alert_silence refuses when a row is written: an
-- acknowledgement of a target that is not alerting (it used to be accepted
-- and then silenced the next incident's reminders), and a silence until
-- infinity (a silence ends; an acknowledgement lasts until its alert
-- resolves). created_session is always the session's own user.
CREATE OR REPLACE FUNCTION alert_silence_check() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    st text;
BEGIN
    NEW.created_session := session_user;
    IF NEW.kind = 'silence' AND NOT isfinite(NEW.until) THEN
        RAISE EXCEPTION 'a silence needs an end: --until % is not a time', NEW.until
            USING ERRCODE = 'check_violation', HINT = 'enertrack ack stops the reminders until the alert resolves';
    END IF;
    IF NEW.kind = 'ack' THEN
        SELECT a.state INTO st FROM alert_state a WHERE a.target_id = NEW.target_id;
        IF coalesce(st, 'ok') NOT IN ('pending', 'firing') THEN
            RAISE EXCEPTION 'target % is not alerting (%): there is nothing to acknowledge', NEW.target_id, coalesce(st, 'never evaluated')
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION alert_silence_check() IS
    'Trigger of alert_silence: refuses an acknowledgement of a target not pending or firing and a silence until infinity; records session_user in created_session.';
CREATE OR REPLACE TRIGGER alert_silence_check BEFORE INSERT ON alert_silence
    FOR EACH ROW EXECUTE FUNCTION alert_silence_check();
