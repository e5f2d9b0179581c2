-- SPDX-License-Identifier: MIT
-- enertrack migration 023: a status changed by a revision of the official
-- statistics says so in its mail (issue 21).
--
-- evaluation_mark: the newest statistic_revision.replaced_at that the last
-- evaluation round saw. A revision replaced after it is new to the next
-- round; when that round changes a target's alert state, the revisions of
-- the figures the target uses (its metric, or the parts of its ratio, in its
-- scope and year) are the change's cause, kept in drift_event_revision and
-- named in the mail (db/evaluate_targets.c, lib/mail.c). The mark is the
-- newest revision seen, not the round's time, so that an import that
-- committed while a round ran is still new to the next one.
CREATE TABLE evaluation_mark (
    one            boolean PRIMARY KEY DEFAULT true CHECK (one),
    revisions_upto timestamptz,
    evaluated_at   timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE evaluation_mark IS 'One row: how far the last evaluation round had seen the revisions of the official statistics (statistic_revision.replaced_at); a revision replaced later is new to the next round.';
COMMENT ON COLUMN evaluation_mark.one IS 'Always true: the table has one row.';
COMMENT ON COLUMN evaluation_mark.revisions_upto IS 'The newest statistic_revision.replaced_at the last round saw; NULL: there was none.';
COMMENT ON COLUMN evaluation_mark.evaluated_at IS 'When the last round ran (its transaction time).';
GRANT SELECT, INSERT, UPDATE ON evaluation_mark TO enertrack_ingest;
GRANT SELECT ON evaluation_mark TO enertrack_reader;

CREATE TABLE drift_event_revision (
    drift_event_id bigint NOT NULL REFERENCES drift_event (id) ON DELETE CASCADE,
    scope          text NOT NULL,
    metric         text NOT NULL,
    period         text NOT NULL,
    source         text NOT NULL,
    old_value_in   double precision NOT NULL,
    old_unit_in    text NOT NULL,
    new_value_in   double precision NOT NULL,
    new_unit_in    text NOT NULL,
    PRIMARY KEY (drift_event_id, scope, metric, period, source)
);
COMMENT ON TABLE drift_event_revision IS 'The revisions of the official statistics behind a change of a target''s alert state: each figure the target uses that an import revised since the round before, with its value before and after, as the files gave them.';
COMMENT ON COLUMN drift_event_revision.drift_event_id IS 'The change (drift_event.id); a firing after pending keeps the revisions of its pending.';
COMMENT ON COLUMN drift_event_revision.scope IS 'statistic.scope of the revised figure.';
COMMENT ON COLUMN drift_event_revision.metric IS 'statistic.metric of the revised figure.';
COMMENT ON COLUMN drift_event_revision.period IS 'statistic.period of the revised figure.';
COMMENT ON COLUMN drift_event_revision.source IS 'statistic.source of the revised figure.';
COMMENT ON COLUMN drift_event_revision.old_value_in IS 'The figure before the revision, in old_unit_in.';
COMMENT ON COLUMN drift_event_revision.old_unit_in IS 'The unit of the figure before the revision, as its file gave it.';
COMMENT ON COLUMN drift_event_revision.new_value_in IS 'The revised figure, in new_unit_in.';
COMMENT ON COLUMN drift_event_revision.new_unit_in IS 'The unit of the revised figure, as its file gave it.';
GRANT SELECT, INSERT ON drift_event_revision TO enertrack_ingest;
GRANT SELECT ON drift_event_revision TO enertrack_reader;

-- A target in % (an intensity decline, a share) has its drift and its
-- tolerance in percentage points (百分点): the comments say so.
COMMENT ON COLUMN target.tolerance_pct IS 'Drift tolerated before the status changes: in % of the expected value, or for a target in % (display unit %) in percentage points (百分点).';
COMMENT ON COLUMN alert_state.drift_pct IS 'Drift at the last evaluation, in % (percentage points for a target in %).';
COMMENT ON COLUMN drift_event.drift_pct IS 'Drift then, in % (percentage points for a target in %).';
