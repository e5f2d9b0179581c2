-- SPDX-License-Identifier: MIT
-- Least privilege: two group roles, created once per cluster.
--   enertrack_ingest: what enertrackd needs and no more: add readings and
--     sites, correct readings, keep rejected messages, roll up hours, and
--     evaluate targets (alert state, events, the mail outbox). No DELETE on
--     data, no DDL, no TRUNCATE.
--   enertrack_reader: what operators read: every table and view, nothing else.
-- Give them to login roles, e.g.:
--   CREATE ROLE enertrackd LOGIN PASSWORD '...' IN ROLE enertrack_ingest;
--   CREATE ROLE bureau LOGIN PASSWORD '...' IN ROLE enertrack_reader;
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'enertrack_ingest') THEN
        CREATE ROLE enertrack_ingest NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'enertrack_reader') THEN
        CREATE ROLE enertrack_reader NOLOGIN;
    END IF;
    -- the daemon's staging table is a temporary one
    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO enertrack_ingest',
                   current_database());
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO enertrack_reader', current_database());
END $$;

REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO enertrack_ingest, enertrack_reader;

-- ingest
GRANT SELECT, INSERT, UPDATE ON reading, reading_hourly, site TO enertrack_ingest;
GRANT SELECT, INSERT ON reading_correction, rejected_message, drift_event TO enertrack_ingest;
GRANT SELECT, INSERT, UPDATE ON alert_state, alert_outbox TO enertrack_ingest;
GRANT SELECT, UPDATE ON target_setting TO enertrack_ingest;
GRANT SELECT ON unit, metric, target, target_progress, schema_migration TO enertrack_ingest;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO enertrack_ingest;

-- reader
GRANT SELECT ON ALL TABLES IN SCHEMA public TO enertrack_reader;
