-- SPDX-License-Identifier: MIT
-- A row PostgreSQL refused (the writer isolates it by splitting its batch).
CREATE OR REPLACE FUNCTION ingest_refuse(detail text, line bytea) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO rejected_message (received_at, topic, reason, detail, payload, payload_bytes,
                                  truncated)
    VALUES (now(), '', 'db_refused', detail, line, octet_length(line), false)
$$;
COMMENT ON FUNCTION ingest_refuse(text, bytea) IS
    'Keeps a staged row that PostgreSQL refused (line: its COPY text) in rejected_message with reason db_refused and the error as detail.';
REVOKE ALL ON FUNCTION ingest_refuse(text,bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ingest_refuse(text,bytea) TO enertrack_ingest;
