-- SPDX-License-Identifier: MIT
-- enertrack migration 019: each truth mail's row (milestone, reconcile,
-- register, no_data, county_sum) is queued in a savepoint of its own
-- (db/truth_alerts.c), so one bad row no longer stops the others' mails;
-- its failure is recorded per row in evaluation_failure as
-- truth:<kind>:<key> (truth:<kind> when the kind's query fails).
ALTER TABLE evaluation_failure DROP CONSTRAINT evaluation_failure_part_check;
ALTER TABLE evaluation_failure ADD CONSTRAINT evaluation_failure_part_check
    CHECK (part IN ('round', 'truth') OR part ~ '^target:[0-9]+$' OR part ~ '^truth:[a-z_]+(:.*)?$');
COMMENT ON TABLE evaluation_failure IS 'What failed in the last evaluations and why: one row per failing target (target:<id>), truth mail row (truth:<kind>:<key>) or kind (truth:<kind>), the truth mails as a whole (truth) or the round as a whole (round); gone once it evaluates again.';
COMMENT ON COLUMN evaluation_failure.part IS 'target:<id>, truth:<kind>:<key> (a milestone, reconcile, register, no_data or county_sum row, key as in truth_alert), truth:<kind>, truth or round.';
