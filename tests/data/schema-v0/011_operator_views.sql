-- SPDX-License-Identifier: MIT
-- enertrack migration 011: what operators query and decide.
--
--   monthly         per metric and month (local), for the city, each county
--                   and each site: the total in display units, the same
--                   month a year before, the change in %;
--   site_health     per site and metric: last reading, usual interval,
--                   stale or not, rejects of the last 24 h by reason;
--   alert_history   every drift event with its mail's delivery state;
--   alert_silence   silences and acknowledgements (who, when, why, until);
--   alert_route     who else gets the mails of which targets;
--   digest_sent     one row per digest period: one digest, however many
--                   daemons run.

-- 1. Silences and acknowledgements. A silence holds until `until`; an
-- acknowledgement until the alert resolves (ended_at is then set). Neither
-- is ever deleted: an expired one is history.
CREATE TABLE alert_silence (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    target_id   integer NOT NULL REFERENCES target (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('silence', 'ack')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text NOT NULL,
    reason      text NOT NULL CHECK (reason <> ''),
    until       timestamptz,
    ended_at    timestamptz,
    CHECK ((kind = 'silence') = (until IS NOT NULL))
);
CREATE INDEX alert_silence_target ON alert_silence (target_id, created_at);
COMMENT ON TABLE alert_silence IS 'Silences (enertrack silence) and acknowledgements (enertrack ack) of a target''s alert: no reminder mails while one is active; the first firing mail and the resolution still go out. Kept after they end, as history.';
COMMENT ON COLUMN alert_silence.id IS 'Order of creation.';
COMMENT ON COLUMN alert_silence.target_id IS 'The target (target.id) whose reminders it stops.';
COMMENT ON COLUMN alert_silence.kind IS 'silence: until a time; ack: until the alert resolves.';
COMMENT ON COLUMN alert_silence.created_at IS 'When it was given.';
COMMENT ON COLUMN alert_silence.created_by IS 'Who gave it: the login user and the database role, user@role.';
COMMENT ON COLUMN alert_silence.reason IS 'Why, in the words of who gave it.';
COMMENT ON COLUMN alert_silence.until IS 'A silence ends at this time; NULL for an acknowledgement.';
COMMENT ON COLUMN alert_silence.ended_at IS 'An acknowledgement ended when its alert resolved (or a silence was lifted) at this time; NULL while it runs.';

-- Is target tid silenced or acknowledged at `at`? The id of the newest that
-- is, or NULL.
CREATE FUNCTION alert_silenced(tid integer, at timestamptz) RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT id FROM alert_silence
    WHERE target_id = tid AND created_at <= at AND (ended_at IS NULL OR ended_at > at)
      AND (until IS NULL OR until > at)
    ORDER BY id DESC LIMIT 1
$$;
COMMENT ON FUNCTION alert_silenced(integer, timestamptz) IS
    'The newest silence or acknowledgement (alert_silence.id) of the target active at that instant, or NULL.';

-- 2. Routing: a target whose scope matches scope_pattern (LIKE) also goes
-- to these recipients; [smtp] to gets every mail.
CREATE TABLE alert_route (
    id             integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scope_pattern  text NOT NULL,
    recipients     text NOT NULL CHECK (recipients ~ '@'),
    note           text
);
COMMENT ON TABLE alert_route IS 'Who else gets which mails: the mails of a target whose scope matches scope_pattern also go to recipients, e.g. (''county:襄垣'', ''xiangyuan-office@example.org''). [smtp] to gets every mail.';
COMMENT ON COLUMN alert_route.id IS 'Order of creation.';
COMMENT ON COLUMN alert_route.scope_pattern IS 'A LIKE pattern over target.scope: ''county:襄垣'', ''county:%'', ''site:xy-%'', ''city''.';
COMMENT ON COLUMN alert_route.recipients IS 'Addresses, separated by commas or spaces.';
COMMENT ON COLUMN alert_route.note IS 'Whose they are, for people.';

-- The recipients of a mail about scope: base (the [smtp] to list) and every
-- route that matches, each address once, in that order.
CREATE FUNCTION alert_recipients(scope text, base text) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT string_agg(a, ', ' ORDER BY first) FROM (
        SELECT a, min(ord) AS first FROM (
            SELECT a, ord FROM regexp_split_to_table(coalesce(base, ''), '[\s,]+') WITH ORDINALITY AS b (a, ord)
            UNION ALL
            SELECT a, 1000000 * r.id + ord FROM alert_route r,
                   regexp_split_to_table(r.recipients, '[\s,]+') WITH ORDINALITY AS x (a, ord)
            WHERE scope LIKE r.scope_pattern
        ) all_rcpt WHERE a <> '' GROUP BY a
    ) uniq
$$;
COMMENT ON FUNCTION alert_recipients(text, text) IS
    'The recipients of a mail about a target of that scope: the given list ([smtp] to) and those of every alert_route that matches, each once.';

ALTER TABLE alert_outbox ADD COLUMN recipients text;
COMMENT ON COLUMN alert_outbox.recipients IS 'The envelope recipients, separated by commas; NULL: the sending daemon''s [smtp] to.';
ALTER TABLE alert_outbox ADD COLUMN kind text NOT NULL DEFAULT 'alert' CHECK (kind IN ('alert', 'digest'));
COMMENT ON COLUMN alert_outbox.kind IS 'alert: one drift event''s mail; digest: the daily digest.';
ALTER TABLE drift_event ADD COLUMN silenced_by bigint REFERENCES alert_silence (id) ON DELETE SET NULL;
COMMENT ON COLUMN drift_event.silenced_by IS 'A reminder that a silence or an acknowledgement (alert_silence.id) kept from being mailed.';

-- 3. The digest: one row per period (the local date), written in the same
-- transaction as its mail, so that of several daemons one sends it.
CREATE TABLE digest_sent (
    period      date PRIMARY KEY,
    created_at  timestamptz NOT NULL DEFAULT now(),
    outbox_id   bigint REFERENCES alert_outbox (id) ON DELETE SET NULL
);
COMMENT ON TABLE digest_sent IS 'One row per daily digest: its period, when it was made and its mail; a period with a row gets no second digest.';
COMMENT ON COLUMN digest_sent.period IS 'The local date ([targets] timezone) the digest is of.';
COMMENT ON COLUMN digest_sent.created_at IS 'When the digest was made; the next digest reports what changed since.';
COMMENT ON COLUMN digest_sent.outbox_id IS 'Its mail in alert_outbox (NULL when there was nobody to send it to).';

-- 4. The views.

-- A site's last hours fast: its rows of reading_hourly by site.
CREATE INDEX reading_hourly_site ON reading_hourly (site_id, metric, hour);

-- Months are local ([targets] timezone); reading_hourly's UTC hours fall
-- whole into local months in any zone whose offset is whole hours. Sums for
-- flows and events, the mean of the readings for levels (a share in %).
-- Through a function for `SET jit = off` (JIT compilation added a second
-- to a query of two seconds; see site_health_rows below).
CREATE FUNCTION monthly_rows()
RETURNS TABLE (metric text, scope_kind text, scope_name text, month date, total double precision,
               display_unit text, last_year double precision, yoy_pct double precision)
LANGUAGE sql STABLE SET jit = off AS $$
SELECT g.metric, g.scope_kind, g.scope_name, g.month, g.total, g.display_unit, g.last_year,
       CASE WHEN g.last_year > 0 THEN 100 * (g.total - g.last_year) / g.last_year END AS yoy_pct
FROM (
    SELECT d.*,
           first_value(d.total) OVER (PARTITION BY d.metric, d.scope_kind, d.scope_name ORDER BY d.month
                                      RANGE BETWEEN interval '1 year' PRECEDING
                                                AND interval '1 year' PRECEDING) AS last_year
    FROM (
        SELECT a.metric,
               CASE WHEN GROUPING(a.site_id) = 0 THEN 'site'
                    WHEN GROUPING(a.county) = 0 THEN 'county' ELSE 'city' END AS scope_kind,
               CASE WHEN GROUPING(a.site_id) = 0 THEN a.site_id
                    WHEN GROUPING(a.county) = 0 THEN coalesce(a.county, '') ELSE 'city' END AS scope_name,
               a.month,
               CASE WHEN x.aggregate = 'level' THEN sum(a.v) / nullif(sum(a.n), 0) ELSE sum(a.v) END
                   / x.display_div AS total,
               x.display_unit
        FROM (SELECT h.metric, s.county, h.site_id,
                     (date_trunc('month', h.hour AT TIME ZONE (SELECT timezone FROM target_setting)))::date AS month,
                     sum(h.value_sum) AS v, sum(h.n) AS n
              FROM reading_hourly h LEFT JOIN site s ON s.id = h.site_id
              GROUP BY 1, 2, 3, 4) a
        JOIN metric x ON x.name = a.metric
        GROUP BY GROUPING SETS (
            (a.metric, x.aggregate, x.display_div, x.display_unit, a.month),
            (a.metric, x.aggregate, x.display_div, x.display_unit, a.month, a.county),
            (a.metric, x.aggregate, x.display_div, x.display_unit, a.month, a.site_id))
    ) d
) g
$$;
COMMENT ON FUNCTION monthly_rows() IS 'The rows of the view monthly.';
CREATE VIEW monthly AS SELECT * FROM monthly_rows();
COMMENT ON VIEW monthly IS 'Per metric and local month ([targets] timezone): the total in display units for the city, each county and each site, the same month a year before and the change in %. Levels (a share) are the mean of the readings.';
COMMENT ON COLUMN monthly.metric IS 'The metric (metric.name).';
COMMENT ON COLUMN monthly.scope_kind IS 'city, county or site.';
COMMENT ON COLUMN monthly.scope_name IS '''city'', the county (site.county; '''' for sites without one) or the site id.';
COMMENT ON COLUMN monthly.month IS 'First day of the local month.';
COMMENT ON COLUMN monthly.total IS 'The month''s total (a level: its mean) in display_unit.';
COMMENT ON COLUMN monthly.display_unit IS 'The unit of total and last_year (metric.display_unit).';
COMMENT ON COLUMN monthly.last_year IS 'The same month a year before, in display_unit; NULL without data.';
COMMENT ON COLUMN monthly.yoy_pct IS 'Year on year: 100 * (total - last_year) / last_year; NULL without last year.';

-- Per site and metric. The usual interval is measured over the week before
-- the last reading; stale as in target_site_stats (a flow metric silent
-- longer than stale_after_s and twice the usual interval).
-- A function, not a plain view, only for `SET jit = off`: the planner's
-- estimate of the per-site lookups is far above the real cost and JIT
-- compilation then took 1.5 s of a query that runs in 80 ms.
CREATE FUNCTION site_health_rows()
RETURNS TABLE (site_id text, kind text, county text, name text, metric text, last_ts timestamptz,
               silent_s double precision, interval_s double precision, stale boolean,
               rejects_24h integer, rejects_by_reason jsonb)
LANGUAGE sql STABLE SET jit = off AS $$
WITH cfg AS (SELECT stale_after_s FROM target_setting),
sm AS (
    SELECT s.id AS site_id, s.kind, s.county, s.name, x.name AS metric, x.flow, lh.hour AS last_hour
    FROM site s CROSS JOIN metric x
    CROSS JOIN LATERAL (SELECT h.hour FROM reading_hourly h
                        WHERE h.site_id = s.id AND h.metric = x.name
                        ORDER BY h.hour DESC LIMIT 1) lh
),
st AS (
    SELECT sm.*, w.last_ts, w.n,
           CASE WHEN w.n > 1 THEN extract(epoch FROM w.last_ts - w.first_hour) / (w.n - 1) END AS interval_s
    FROM sm CROSS JOIN LATERAL (
        SELECT max(h.last_ts) AS last_ts, min(h.hour) AS first_hour, sum(h.n) AS n
        FROM reading_hourly h
        WHERE h.site_id = sm.site_id AND h.metric = sm.metric
          AND h.hour > sm.last_hour - interval '7 days') w
),
rj AS (
    SELECT s.id AS site_id, jsonb_object_agg(r.reason, r.n) AS rejects, sum(r.n) AS n
    FROM (SELECT topic, reason, count(*) AS n FROM rejected_message
          WHERE received_at > now() - interval '24 hours' GROUP BY 1, 2) r
    JOIN site s ON s.id = ANY (string_to_array(r.topic, '/'))
    GROUP BY s.id
)
SELECT st.site_id, st.kind, st.county, st.name, st.metric, st.last_ts,
       extract(epoch FROM now() - st.last_ts)::double precision AS silent_s,
       st.interval_s::double precision AS interval_s,
       (st.flow AND extract(epoch FROM now() - st.last_ts)
                    > greatest(cfg.stale_after_s, 2 * coalesce(st.interval_s, 0))) AS stale,
       coalesce(rj.n, 0)::integer AS rejects_24h,
       coalesce(rj.rejects, '{}'::jsonb) AS rejects_by_reason
FROM st CROSS JOIN cfg
LEFT JOIN rj ON rj.site_id = st.site_id
$$;
COMMENT ON FUNCTION site_health_rows() IS 'The rows of the view site_health.';
CREATE VIEW site_health AS SELECT * FROM site_health_rows();
COMMENT ON VIEW site_health IS 'Per site and metric it reports: the last reading, the usual interval, stale or not, and the messages naming the site that were rejected in the last 24 h, by reason.';
COMMENT ON COLUMN site_health.site_id IS 'The site (site.id).';
COMMENT ON COLUMN site_health.kind IS 'mine, plant, enterprise or region.';
COMMENT ON COLUMN site_health.county IS 'Its county (site.county).';
COMMENT ON COLUMN site_health.name IS 'Its display name (site.name).';
COMMENT ON COLUMN site_health.metric IS 'A metric the site reports.';
COMMENT ON COLUMN site_health.last_ts IS 'Its last reading of the metric.';
COMMENT ON COLUMN site_health.silent_s IS 'Seconds since then.';
COMMENT ON COLUMN site_health.interval_s IS 'Its usual interval in seconds, over the week before its last reading (NULL with one reading).';
COMMENT ON COLUMN site_health.stale IS 'A flow metric silent longer than target_setting.stale_after_s and twice the usual interval.';
COMMENT ON COLUMN site_health.rejects_24h IS 'Messages whose topic names the site rejected in the last 24 h (any metric).';
COMMENT ON COLUMN site_health.rejects_by_reason IS 'The same by reason, {"bad_json": 3, ...}.';

CREATE VIEW alert_history AS
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
       o.sent_at, o.attempts, o.last_error, e.silenced_by
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

-- 5. Privileges: the daemon reads routes and silences, ends acknowledgements
-- and records digests; the operator's tool writes silences with the
-- configured role; readers read everything.
GRANT SELECT, INSERT, UPDATE ON alert_silence TO enertrack_ingest;
GRANT SELECT ON alert_route TO enertrack_ingest;
GRANT SELECT, INSERT ON digest_sent TO enertrack_ingest;
GRANT SELECT ON monthly, site_health, alert_history TO enertrack_ingest;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO enertrack_ingest;
GRANT SELECT ON alert_silence, alert_route, digest_sent, monthly, site_health, alert_history
    TO enertrack_reader;
