-- SPDX-License-Identifier: MIT
-- What fails in the evaluation, for people.
CREATE OR REPLACE VIEW evaluation_failures AS
SELECT f.part, f.target_id, x.label, t.metric, t.year, t.scope, f.reason, f.since, f.last_at,
       f.rounds, now() - f.since AS failing_for
FROM evaluation_failure f
LEFT JOIN target t ON t.id = f.target_id
LEFT JOIN metric x ON x.name = t.metric;
COMMENT ON VIEW evaluation_failures IS 'What of the evaluation fails and why: each target whose evaluation fails (its other targets go on), each truth mail row that fails (truth:<kind>:<key>: a milestone, reconcile, register, no_data or county_sum row; the other rows'' mails go on) or kind (truth:<kind>), or every round (round).';
COMMENT ON COLUMN evaluation_failures.part IS 'target:<id>, truth:<kind>:<key> (key as in truth_alert), truth:<kind>, truth or round.';
COMMENT ON COLUMN evaluation_failures.target_id IS 'The target; NULL for truth and round.';
COMMENT ON COLUMN evaluation_failures.label IS 'The target''s metric, for people.';
COMMENT ON COLUMN evaluation_failures.metric IS 'The target''s metric.';
COMMENT ON COLUMN evaluation_failures.year IS 'The target''s year.';
COMMENT ON COLUMN evaluation_failures.scope IS 'The target''s scope.';
COMMENT ON COLUMN evaluation_failures.reason IS 'The error of the last failed round.';
COMMENT ON COLUMN evaluation_failures.since IS 'Failing since.';
COMMENT ON COLUMN evaluation_failures.last_at IS 'Last failed.';
COMMENT ON COLUMN evaluation_failures.rounds IS 'Failed rounds since then.';
COMMENT ON COLUMN evaluation_failures.failing_for IS 'How long it has failed.';
GRANT SELECT ON evaluation_failures TO enertrack_reader;
