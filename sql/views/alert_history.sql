-- SPDX-License-Identifier: MIT
CREATE OR REPLACE VIEW alert_history AS
-- every mail: the drift events (with or without a mail), then every other
-- mail of alert_outbox (milestone, reconcile, digest, member-down). New
-- columns go at the end: CREATE OR REPLACE VIEW keeps the old ones in place.
WITH d AS (
    SELECT CASE WHEN o.sent_at IS NOT NULL THEN 'sent'
                WHEN o.id IS NOT NULL AND o.attempts > 0 THEN 'retrying'
                WHEN o.id IS NOT NULL THEN 'queued' END AS mail_state,
           (SELECT string_agg(ad.recipient || ': ' || replace(ad.state, '_', ' ')
                              || coalesce(' (' || ad.detail || ')', ''), '; ' ORDER BY ad.recipient)
            FROM alert_delivery ad WHERE ad.outbox_id = o.id) AS deliveries,
           o.*
    FROM alert_outbox o
)
SELECT e.id, e.at, e.target_id, x.label, t.metric, t.year, t.scope, e.event, e.from_state,
       e.to_state, e.status, e.drift_pct,
       e.expected / x.display_div AS expected, e.actual / x.display_div AS actual,
       x.display_unit,
       coalesce(o.mail_state,
                CASE WHEN e.silenced_by IS NOT NULL THEN 'silenced'
                     WHEN e.event IN ('firing', 'repeat', 'resolved') THEN 'no mail'
                     ELSE 'none' END) AS delivery,
       o.subject, coalesce(o.recipients, CASE WHEN o.id IS NOT NULL THEN '[smtp] to' END) AS recipients,
       o.sent_at, o.attempts, o.last_error, e.silenced_by,
       CASE WHEN e.status = 'insufficient_data' THEN 'no_data' ELSE 'drift' END AS kind,
       coalesce(x.label_zh, x.label) AS label_zh, o.id AS outbox_id,
       o.deliveries
FROM drift_event e
JOIN target t ON t.id = e.target_id
JOIN metric x ON x.name = t.metric
LEFT JOIN d o ON o.drift_event_id = e.id
UNION ALL
SELECT NULL, o.created_at, t.id, x.label, coalesce(t.metric, x.name), t.year,
       coalesce(t.scope, nullif(split_part(a.key, '|', 1), '')),
       CASE WHEN a.kind IS NOT NULL THEN 'firing' END, NULL, NULL, NULL, NULL, NULL, NULL,
       x.display_unit, o.mail_state, o.subject, coalesce(o.recipients, '[smtp] to'),
       o.sent_at, o.attempts, o.last_error, NULL,
       CASE WHEN a.kind = 'reconcile' THEN 'reconciliation'
            WHEN a.kind IS NOT NULL THEN a.kind
            WHEN g.period IS NOT NULL THEN 'digest'
            ELSE 'member_down' END,
       coalesce(x.label_zh, x.label), o.id, o.deliveries
FROM d o
LEFT JOIN truth_alert a ON a.outbox_id = o.id
LEFT JOIN target_milestone m ON a.kind = 'milestone' AND a.key = m.id::text
LEFT JOIN digest_sent g ON g.outbox_id = o.id
LEFT JOIN target t ON t.id = m.target_id
LEFT JOIN metric x ON x.name = coalesce(t.metric, CASE WHEN a.kind = 'reconcile' THEN split_part(a.key, '|', 2) END)
WHERE o.drift_event_id IS NULL;
COMMENT ON VIEW alert_history IS 'Every drift event (alert state change) with its target and its mail''s delivery state, and every other mail: a late project (milestone), a county off its statistics (reconciliation), the digest, a group member down.';
COMMENT ON COLUMN alert_history.id IS 'The event (drift_event.id); NULL for a mail that is not about a drift.';
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
COMMENT ON COLUMN alert_history.kind IS 'The mail''s kind: drift, no_data (a drift event of a target without data), milestone, reconciliation, digest or member_down.';
COMMENT ON COLUMN alert_history.label_zh IS 'The metric''s label in Chinese (metric.label_zh).';
COMMENT ON COLUMN alert_history.outbox_id IS 'The mail (alert_outbox.id); NULL for an event that mailed nobody.';
GRANT SELECT ON alert_history TO enertrack_reader;
COMMENT ON COLUMN alert_history.deliveries IS 'Per recipient: delivered, refused (with the server''s words), retrying or given up (alert_delivery); NULL before the first attempt.';
GRANT SELECT ON alert_history TO enertrack_ingest;
