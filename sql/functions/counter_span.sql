-- SPDX-License-Identifier: MIT
-- The delta of a counter reading (total cur at ts, rollover ro) after the
-- previous one of its series (total prev at prev_ts, rollover prev_ro; NULL:
-- none), across the replacements of (site, metric) in (prev_ts, ts].
CREATE OR REPLACE FUNCTION counter_span(p_site text, p_metric text, prev double precision,
                             prev_ts timestamptz, prev_ro double precision,
                             cur double precision, p_ts timestamptz, ro double precision, mode text,
                             OUT delta double precision, OUT step text)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, public AS $$
DECLARE
    rp record; part record;
    v double precision := prev; r double precision := prev_ro; replaced boolean := false;
BEGIN
    IF prev IS NULL THEN
        delta := 0; step := 'first';
        RETURN;
    END IF;
    delta := 0;
    FOR rp IN SELECT c.old_final, c.new_initial FROM counter_replacement c
              WHERE c.site_id = p_site AND c.metric = p_metric AND c.at > prev_ts AND c.at <= p_ts
              ORDER BY c.at LOOP
        part := counter_step(v, rp.old_final, r, mode);
        delta := delta + part.delta; step := coalesce(part.step, step);
        v := rp.new_initial; r := ro; replaced := true;
    END LOOP;
    part := counter_step(v, cur, ro, mode);
    delta := delta + part.delta; step := coalesce(part.step, step);
    IF replaced AND step IS NULL THEN
        step := 'replaced';
    END IF;
END $$;
COMMENT ON FUNCTION counter_span(text, text, double precision, timestamptz, double precision, double precision, timestamptz, double precision, text) IS
    'The delta of a counter reading (total cur at ts) after the previous total prev at prev_ts (NULL: none, delta 0, step first), across the counter_replacement rows in between, with the reset mode given.';
REVOKE ALL ON FUNCTION counter_span(text,text,double precision,timestamptz,double precision,double precision,timestamptz,double precision,text) FROM PUBLIC;
