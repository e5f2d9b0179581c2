-- SPDX-License-Identifier: MIT
-- Scale-out: the outages of shared subscription group members.

-- One row per outage of a group member that lasted longer than
-- [mqtt] member_down_alarm_s. Several daemons notice the same outage (each
-- follows the presence messages); the key names the outage the same way
-- for all of them (the member, its start, its connection number, all taken
-- from the member's Will), so that exactly one of them records it and
-- queues the mail.
CREATE TABLE member_down_event (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member      text NOT NULL,
    grp         text NOT NULL,
    started_at  timestamptz NOT NULL,
    conn        integer NOT NULL,
    down_since  timestamptz NOT NULL,
    noticed_at  timestamptz NOT NULL DEFAULT now(),
    noticed_by  text NOT NULL,
    returned_at timestamptz,
    UNIQUE (member, started_at, conn)
);
COMMENT ON TABLE member_down_event IS
    'Outages of shared subscription group members longer than [mqtt] member_down_alarm_s: one row, and one mail in alert_outbox, per outage';
COMMENT ON COLUMN member_down_event.id IS 'Identity; the mail''s Message-ID names it';
COMMENT ON COLUMN member_down_event.member IS 'The member''s [mqtt] client_id';
COMMENT ON COLUMN member_down_event.grp IS 'Its $share group';
COMMENT ON COLUMN member_down_event.started_at IS 'When the member''s process started (from its presence message)';
COMMENT ON COLUMN member_down_event.conn IS 'Its connection number within that start: with member and started_at, one outage';
COMMENT ON COLUMN member_down_event.down_since IS 'When the noticing daemon saw the member''s Will';
COMMENT ON COLUMN member_down_event.noticed_at IS 'When the alarm was recorded';
COMMENT ON COLUMN member_down_event.noticed_by IS 'The client_id of the daemon that recorded it';
COMMENT ON COLUMN member_down_event.returned_at IS 'When a daemon first saw the member online again; NULL while down';

GRANT SELECT, INSERT, UPDATE ON member_down_event TO enertrack_ingest;
GRANT SELECT ON member_down_event TO enertrack_reader;
