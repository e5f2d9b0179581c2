-- SPDX-License-Identifier: MIT
-- Is target tid silenced or acknowledged at `at`? The id of the newest that
-- is, or NULL.
CREATE OR REPLACE FUNCTION alert_silenced(tid integer, at timestamptz) RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT id FROM alert_silence
    WHERE target_id = tid AND created_at <= at AND (ended_at IS NULL OR ended_at > at)
      AND (until IS NULL OR until > at)
    ORDER BY id DESC LIMIT 1
$$;
COMMENT ON FUNCTION alert_silenced(integer, timestamptz) IS
    'The newest silence or acknowledgement (alert_silence.id) of the target active at that instant, or NULL.';
