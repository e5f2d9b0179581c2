-- SPDX-License-Identifier: MIT
-- enertrack migration 016: nothing fails in silence.
--
-- evaluation_failure: what of the last evaluation failed, and why. Each
-- target is evaluated in a savepoint of its own (db/evaluate_targets.c), so
-- one target's failure no longer rolls back the others; its row here says
-- since when it fails and with which error. The row goes when the target
-- evaluates again. part 'round' is a round that failed as a whole (before
-- any target: the lock, the settings, the load), 'truth' the milestone and
-- reconciliation mails. The view evaluation_failures adds the targets'
-- names; enertrackd's /metrics counts the same failures
-- (enertrack_evaluation_failures_total) and /healthz answers 503 once one
-- has lasted [alerts] eval_fail_s.
--
-- alert_route is checked when written (functions/alert_route_check.sql):
-- one pattern ending in a backslash used to make every evaluation fail.
CREATE TABLE evaluation_failure (
    part       text PRIMARY KEY CHECK (part IN ('round', 'truth') OR part ~ '^target:[0-9]+$'),
    target_id  integer REFERENCES target (id) ON DELETE CASCADE,
    reason     text NOT NULL,
    since      timestamptz NOT NULL DEFAULT now(),
    last_at    timestamptz NOT NULL DEFAULT now(),
    rounds     integer NOT NULL DEFAULT 1
);
COMMENT ON TABLE evaluation_failure IS 'What failed in the last evaluations and why: one row per failing target (target:<id>), the milestone and reconciliation mails (truth) or the round as a whole (round); gone once it evaluates again.';
COMMENT ON COLUMN evaluation_failure.part IS 'target:<id>, truth or round.';
COMMENT ON COLUMN evaluation_failure.target_id IS 'The target, for target:<id>; NULL otherwise.';
COMMENT ON COLUMN evaluation_failure.reason IS 'The error of the last failed round, as PostgreSQL or the daemon worded it.';
COMMENT ON COLUMN evaluation_failure.since IS 'When it first failed in this stretch.';
COMMENT ON COLUMN evaluation_failure.last_at IS 'When it failed last.';
COMMENT ON COLUMN evaluation_failure.rounds IS 'Failed evaluation rounds in this stretch.';
GRANT SELECT, INSERT, UPDATE, DELETE ON evaluation_failure TO enertrack_ingest;
GRANT SELECT ON evaluation_failure TO enertrack_reader;

-- The key of reading is (site_id, metric, source, ts): solar 10 MW and wind
-- 5 MW of one site at one instant are two readings, not one of 5 MW, and
-- two totalisers of one site and metric at equal timestamps are two series
-- (reading_hourly had source in its key already). Every existing row keeps
-- its place: a key with source is unique wherever the key without was.
-- reading_correction says which series it corrected.
ALTER TABLE reading DROP CONSTRAINT reading_pkey;
ALTER TABLE reading ADD PRIMARY KEY (site_id, metric, source, ts);
ALTER TABLE reading_correction ADD COLUMN source text NOT NULL DEFAULT '';
COMMENT ON COLUMN reading_correction.source IS 'reading.source of the corrected reading ('''' when none).';
COMMENT ON TABLE reading IS 'One row per (site_id, metric, source, ts): every reading exactly once, partitioned by month of ts. Corrections overwrite value and are logged in reading_correction; reading_hourly follows every change.';

-- [ingest] counter_jitter: a totaliser's step back of at most this much (in
-- the metric's canonical unit) is jitter, counted 0, not a wrap (a step of 1
-- back counted +99 with a rollover of 100) nor a reset.
ALTER TABLE counter_setting ADD COLUMN jitter double precision NOT NULL DEFAULT 0 CHECK (jitter >= 0);
COMMENT ON COLUMN counter_setting.jitter IS 'The [ingest] counter_jitter enertrackd runs with: a step back of at most this (canonical unit) is jitter (delta 0, counter_step jitter).';

-- alert_silence: who made it as PostgreSQL knows it (created_by comes from
-- the caller's $USER, which anyone can set); rows made before are NULL.
-- functions/alert_silence_check.sql refuses an acknowledgement of a target
-- that is not alerting and a silence without end.
ALTER TABLE alert_silence ADD COLUMN created_session text;
ALTER TABLE alert_silence ALTER COLUMN created_session SET DEFAULT session_user;
COMMENT ON COLUMN alert_silence.created_session IS 'PostgreSQL''s session_user of the connection that made it (created_by is what the tool was told); NULL for rows made before migration 016.';

-- counter_hold: a totaliser series whose steps keep going back (two meters,
-- or two publishers, on one counter: 266 times the real sum was counted) is
-- held by counter_apply: its readings are stored with delta 0 (counter_step
-- held) until an operator deletes the row, having fixed the publishers.
CREATE TABLE counter_hold (
    site_id  text NOT NULL,
    metric   text NOT NULL,
    source   text NOT NULL,
    since    timestamptz NOT NULL DEFAULT now(),
    reason   text NOT NULL,
    PRIMARY KEY (site_id, metric, source)
);
COMMENT ON TABLE counter_hold IS 'Totaliser series held because their steps keep going back (two meters on one counter): their readings are stored with delta 0 (counter_step held), not summed, until an operator deletes the row.';
COMMENT ON COLUMN counter_hold.site_id IS 'The site.';
COMMENT ON COLUMN counter_hold.metric IS 'The metric.';
COMMENT ON COLUMN counter_hold.source IS 'reading.source ('''' when none).';
COMMENT ON COLUMN counter_hold.since IS 'When it was held.';
COMMENT ON COLUMN counter_hold.reason IS 'What was seen: how many of its last steps went back.';
GRANT SELECT, INSERT ON counter_hold TO enertrack_ingest;
GRANT SELECT ON counter_hold TO enertrack_reader;

-- alert_delivery: what happened to each recipient of a mail. The mailer
-- sends to each recipient in a transaction of its own, so that one refused
-- mailbox no longer keeps the mail from the others: a 5xx answer is final
-- (refused, in the server's words), anything else is tried again with
-- back-off until [smtp] max_age_h, then given up.
CREATE TABLE alert_delivery (
    outbox_id  bigint NOT NULL REFERENCES alert_outbox (id) ON DELETE CASCADE,
    recipient  text NOT NULL,
    state      text NOT NULL CHECK (state IN ('delivered', 'refused', 'retrying', 'given_up')),
    detail     text,
    attempts   integer NOT NULL DEFAULT 1,
    at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (outbox_id, recipient)
);
COMMENT ON TABLE alert_delivery IS 'Each recipient of each mail: delivered, refused (a 5xx answer: never retried), retrying (a 4xx answer or no answer) or given up (still refused after [smtp] max_age_h).';
COMMENT ON COLUMN alert_delivery.outbox_id IS 'The mail (alert_outbox.id).';
COMMENT ON COLUMN alert_delivery.recipient IS 'The address.';
COMMENT ON COLUMN alert_delivery.state IS 'delivered, refused, retrying or given_up.';
COMMENT ON COLUMN alert_delivery.detail IS 'The server''s words, or why it could not be asked; NULL when delivered.';
COMMENT ON COLUMN alert_delivery.attempts IS 'Attempts for this recipient.';
COMMENT ON COLUMN alert_delivery.at IS 'The last attempt.';
GRANT SELECT, INSERT, UPDATE ON alert_delivery TO enertrack_ingest;
GRANT SELECT ON alert_delivery TO enertrack_reader;
