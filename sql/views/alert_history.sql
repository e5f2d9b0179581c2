-- SPDX-License-Identifier: MIT
CREATE OR REPLACE VIEW alert_history AS
SELECT e.id, e.at, e.target_id, x.label, t.metric, t.year, t.scope, e.event, e.from_state,
       e.to_state, e.status, e.drift_pct,
       e.expected / x.display_div AS expected, e.actual / x.display_div AS actual,
       x.display_unit,
       CASE WHEN o.sent_at IS NOT NULL THEN 'sent'
            WHEN o.id IS NOT NULL AND o.attempts > 0 THEN 'retrying'
            WHEN o.id IS NOT NULL THEN 'queued'
            WHEN e.silenced_by IS NOT NULL THEN 'silenced'
            WHEN e.event IN ('firing', 'repeat', 'resolved') THEN 'no mail'
            ELSE 'none' END AS delivery,
       o.subject, coalesce(o.recipients, CASE WHEN o.id IS NOT NULL THEN '[smtp] to' END) AS recipients,
       o.sent_at, o.attempts, o.last_error, e.silenced_by,
       (SELECT string_agg(d.recipient || ': ' || replace(d.state, '_', ' ')
                          || coalesce(' (' || d.detail || ')', ''), '; ' ORDER BY d.recipient)
        FROM alert_delivery d WHERE d.outbox_id = o.id) AS deliveries
FROM drift_event e
JOIN target t ON t.id = e.target_id
JOIN metric x ON x.name = t.metric
LEFT JOIN alert_outbox o ON o.drift_event_id = e.id;
COMMENT ON VIEW alert_history IS 'Every drift event (alert state change) with its target and its mail''s delivery state.';
COMMENT ON COLUMN alert_history.id IS 'The event (drift_event.id).';
COMMENT ON COLUMN alert_history.at IS 'When it was evaluated.';
COMMENT ON COLUMN alert_history.target_id IS 'The target (target.id).';
COMMENT ON COLUMN alert_history.label IS 'The metric''s label.';
COMMENT ON COLUMN alert_history.metric IS 'The target''s metric.';
COMMENT ON COLUMN alert_history.year IS 'The target''s year.';
COMMENT ON COLUMN alert_history.scope IS 'The target''s scope.';
COMMENT ON COLUMN alert_history.event IS 'pending, cancelled, firing, repeat (a reminder) or resolved.';
COMMENT ON COLUMN alert_history.from_state IS 'The alert state before.';
COMMENT ON COLUMN alert_history.to_state IS 'The alert state after.';
COMMENT ON COLUMN alert_history.status IS 'The target''s status then (behind, over, on_track, ...).';
COMMENT ON COLUMN alert_history.drift_pct IS 'The drift then, in %.';
COMMENT ON COLUMN alert_history.expected IS 'Expected by then, in display_unit.';
COMMENT ON COLUMN alert_history.actual IS 'Actual by then, in display_unit.';
COMMENT ON COLUMN alert_history.display_unit IS 'The unit of expected and actual.';
COMMENT ON COLUMN alert_history.delivery IS 'sent, queued, retrying (a send failed; see last_error), silenced (a reminder a silence kept back), no mail (no recipients) or none (the event mails nobody).';
COMMENT ON COLUMN alert_history.subject IS 'The mail''s subject.';
COMMENT ON COLUMN alert_history.recipients IS 'Who it went to (''[smtp] to'': the sending daemon''s list).';
COMMENT ON COLUMN alert_history.sent_at IS 'When the mail server took it.';
COMMENT ON COLUMN alert_history.attempts IS 'Sending attempts so far.';
COMMENT ON COLUMN alert_history.last_error IS 'The last failure''s reason.';
COMMENT ON COLUMN alert_history.silenced_by IS 'The silence or acknowledgement (alert_silence.id) that kept a reminder back.';
GRANT SELECT ON alert_history TO enertrack_reader;
COMMENT ON COLUMN alert_history.deliveries IS 'Per recipient: delivered, refused (with the server''s words), retrying or given up (alert_delivery); NULL before the first attempt.';
GRANT SELECT ON alert_history TO enertrack_ingest;
