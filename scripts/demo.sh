#!/bin/sh
# SPDX-License-Identifier: MIT
# `make demo`: a private mosquitto and PostgreSQL under demo/ on free
# loopback ports, enertrackd between them, and `enertrack-sim` publishing a
# simulated year of Changzhi telemetry (2023 too, the base year of the
# energy-intensity target and of raw coal's last_year schedule) in about a
# minute, with the plants' milestones and the monthly statistics the
# simulation writes (imported with `enertrack import`); then what landed, and
# the targets table. The Spring Festival falls on its real dates (22 January
# 2023, 10 February 2024). Three problems are deliberate in 2024 (sim
# --faults): a block commissions three months late, a coal-power retrofit
# is done two months late, and 沁源's mines under-report by 8 %; the 2024
# mails are those three and nothing else. Everything it started is stopped at the end, on Ctrl-C
# too; the data stays in demo/ until the next run, which replaces it.
# DEMO_QUICK=1 publishes two days instead of two years (the start-up path
# alone, as the tests run it).
set -eu
REPO=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-build}
T=$REPO/demo
TEST_NAME=demo
. "$REPO/scripts/services.sh"
# what an earlier run left running (killed before it could clean up)
kill_tracked "$T/pids"
pg_kill_stale "$T/pg/data"
rm -rf "$T"
mkdir -p "$T"
PIDFILE=$T/pids

YEAR=${DEMO_YEAR:-2024}
RATE=${DEMO_RATE:-4000}
if [ -n "${DEMO_QUICK:-}" ]; then
	FROM=$YEAR-01-01 TO=$YEAR-01-02
else
	FROM=$((YEAR - 1))-01-01 TO=$YEAR-12-31
fi

where() {
	echo "   demo files:  $T"
	pgh=$(cd "$T/pg" && pwd -P)
	echo "   PostgreSQL:  $pgh/data, its log $pgh/log, port $PGPORT"
	echo "   the mails:   $T/mail/*.eml"
	echo "   logs:        $T/daemon.log, $T/sim.log, $T/evaluate.log, $T/mq/mosquitto.log"
	echo "   spool:       $T/spool    configuration: $T/enertrack.conf"
}

echo "== starting PostgreSQL, mosquitto and an SMTP sink (loopback only)"
start_pg
start_mosquitto
start_smtp
where
write_config "$T/enertrack.conf" \
	"[targets]" "stale_after_s = 86400" \
	"[alerts]" "fire_pct = 5" "resolve_pct = 3" "pending_s = 172800" "repeat_s = 2592000" \
	"language = zh-CN" \
	"[smtp]" "url = smtp://127.0.0.1:$SMTPPORT" "tls = none" "from = enertrack@changzhi.example" \
	"to = energy-bureau@changzhi.example" "retry_s = 1"
sed -i 's/^batch_rows = .*/batch_rows = 5000/; s/^flush_ms = .*/flush_ms = 200/' "$T/enertrack.conf"
echo "== enertrack migrate"
migrate
# the simulator's belt scale whose totaliser is replaced on 1 July (its
# summary says so): declared as an operator would
q "INSERT INTO counter_replacement (site_id, metric, at, old_final, new_initial, note)
   VALUES ('tunliu-05', 'raw_coal', '$YEAR-07-01T00:00:00+08:00', 8765432.1, 5, 'belt scale replaced')"
echo "== enertrackd -c $T/enertrack.conf"
start_daemon

echo "== enertrack-sim: $FROM .. $TO at $RATE messages/s"
"$BIN/enertrack-sim" --uri "$MQURI" --from "$FROM" --to "$TO" \
	--faults --statistics "$T/statistics.csv" --milestones "$T/milestones.sql" \
	--rate "$RATE" --seed 2024 --client-id enertrack-demo-sim >"$T/sim.out" 2>"$T/sim.log" &
SIMPID=$!
track $SIMPID
i=0
while kill -0 "$SIMPID" 2>/dev/null; do
	sleep 1
	i=$((i + 1))
	[ $((i % 5)) = 0 ] || continue
	printf '   %s readings in PostgreSQL\n' "$(q "SELECT count(*) FROM reading")"
done
wait "$SIMPID" || fail "enertrack-sim failed: $(tail -5 "$T/sim.log")"
sent=$(sed -n 's/^sim: .*interval [^:]*: \([0-9]*\) messages.*/\1/p' "$T/sim.log" | tail -1)
[ -n "$sent" ] || fail "no summary from enertrack-sim: $(tail -3 "$T/sim.log")"
# every simulated message is one reading: wait until all are committed
wait_until 120 sh -c "[ \$(psql '$PGCONN' -XAtqc 'SELECT count(*) FROM reading') -ge $sent ]" ||
	echo "   (not all readings arrived in time)"

echo "== the project register: the plants' milestones and the retrofits ($T/milestones.sql)"
psql "$PGCONN" -X -q -v ON_ERROR_STOP=1 -f "$T/milestones.sql" >/dev/null ||
	fail "cannot load $T/milestones.sql"
q "SELECT format('   %s projects, %s MW planned', count(*), sum(value)) FROM target_milestone"
echo "== enertrack import $T/statistics.csv"
if "$BIN/enertrack" import --help >/dev/null 2>&1; then
	"$BIN/enertrack" import -c "$T/enertrack.conf" "$T/statistics.csv" ||
		fail "enertrack import failed"
else
	# an enertrack without its import command: the same rows by psql
	psql "$PGCONN" -X -q -v ON_ERROR_STOP=1 >/dev/null <<SQL || fail "cannot load $T/statistics.csv"
CREATE TEMP TABLE s_in (scope text, metric text, period text, value double precision,
                        unit text, source text, note text);
\\copy s_in FROM '$T/statistics.csv' WITH (FORMAT csv, HEADER true)
INSERT INTO statistic (scope, metric, period, period_start, period_end, value, unit_in, value_in, source, note)
SELECT s.scope, s.metric, s.period, (s.period || '-01')::date, (s.period || '-01')::date + 1 * interval '1 month',
       s.value * u.factor, s.unit, s.value, s.source, coalesce(s.note, '')
  FROM s_in s JOIN unit u ON u.name = s.unit;
SQL
fi
q "SELECT format('   %s monthly figures, %s to %s', count(*), min(period), max(period)) FROM statistic"

echo "== enertrack evaluate: the alerts of $YEAR, replayed a day at a time"
"$BIN/enertrack" evaluate -c "$T/enertrack.conf" --from "$YEAR-01-01T20:00:00+08:00" \
	--to "${TO}T20:00:00+08:00" --step "1 day" 2>"$T/evaluate.log"
queued=$(q "SELECT count(*) FROM alert_outbox")
# the daemon sends the queued mails to the SMTP sink ($T/mail/*.eml)
wait_until 120 sh -c "[ \$(psql '$PGCONN' -XAtqc 'SELECT count(*) FROM alert_outbox WHERE sent_at IS NULL') = 0 ]" ||
	echo "   (not all mails were sent in time)"
stop_daemon

echo
echo "== what landed"
q "SELECT format('%s messages published, %s readings stored, %s rejected, %s sites',
	$sent, (SELECT count(*) FROM reading), (SELECT count(*) FROM rejected_message),
	(SELECT count(*) FROM site))"
echo
echo "== $YEAR year to date (Asia/Shanghai), canonical units converted from what publishers sent"
psql "$PGCONN" -X -q -P footer=off <<SQL
SET TIME ZONE 'Asia/Shanghai';
SELECT metric,
       CASE metric
         WHEN 'raw_coal' THEN to_char(sum(value) / 1e6, 'FM999G990.00') || ' Mt'
         WHEN 'capacity_commissioned' THEN to_char(sum(value) FILTER (WHERE source IN ('solar','wind','biomass')), 'FM999G990.0') || ' MW new energy'
         WHEN 'generation' THEN to_char(sum(value) / 1e3, 'FM999G990.0') || ' GWh'
         WHEN 'energy_consumption' THEN to_char(sum(value) / 1e6, 'FM999G990.00') || ' Mtce'
         WHEN 'gdp' THEN to_char(sum(value) / 1e8, 'FM999G990.0') || ' 亿元'
         WHEN 'advanced_capacity_share' THEN to_char(avg(value), 'FM990.0') || ' % (average)'
         WHEN 'retrofit_capacity' THEN to_char(sum(value), 'FM999G990.0') || ' MW reported (a unit per retrofit)'
       END AS "year to date",
       count(*) AS readings,
       count(DISTINCT site_id) AS sites,
       string_agg(DISTINCT unit_in, ', ') AS "units sent"
FROM reading
WHERE ts >= '$YEAR-01-01' AND ts < '$((YEAR + 1))-01-01'
GROUP BY metric ORDER BY metric;
SQL
echo
ats="$YEAR-06-30T23:59:59+08:00 $YEAR-12-31T23:59:59+08:00"
[ -n "${DEMO_QUICK:-}" ] && ats=${TO}T23:59:59+08:00
for at in $ats; do
	echo "== enertrack status --at $at"
	"$BIN/enertrack" status -c "$T/enertrack.conf" --at "$at"
	echo
done
echo "== alert mails of $YEAR ($queued queued, $(mails) delivered to $T/mail/)"
psql "$PGCONN" -X -q -P footer=off <<SQL
SELECT to_char(coalesce(e.at, a.since) AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS day,
       coalesce(e.event, a.kind) AS event, round(e.drift_pct::numeric, 1) AS "drift %", o.subject
FROM alert_outbox o
LEFT JOIN drift_event e ON e.id = o.drift_event_id
LEFT JOIN truth_alert a ON a.outbox_id = o.id
ORDER BY o.id;
SQL
if [ -f "$T/mail/000000.eml" ]; then
	echo "   first mail, $T/mail/000000.eml:"
	$PY - "$T/mail/000000.eml" <<'PY'
import email, sys
from email import policy
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=policy.default)
print("     To: %s\n     Subject: %s" % (m["To"], m["Subject"]))
for line in m.get_body(("plain",)).get_content().splitlines()[:16]:
    print("     | " + line)
for part in m.walk():
    if part.get_content_type() == "image/png":
        print("     + %s, %d bytes, %s" % (part.get_content_type(), len(part.get_content()), part["Content-ID"]))
PY
fi
raw=$(q "SELECT id FROM target WHERE metric = 'raw_coal' AND year = $YEAR AND scope = 'city'")
if [ -n "$raw" ]; then
	echo "== enertrack chart: raw coal at ${TO}, as the mails and the status page draw it"
	"$BIN/enertrack" chart -c "$T/enertrack.conf" --target "$raw" --at "${TO}T23:59:59+08:00" \
		--width 390 -o "$T/chart-raw_coal.png" 2>&1 | sed 's/^/   /'
fi
stop_smtp
stop_mosquitto
pg_stop
echo
echo "== everything is stopped; the files stay until the next make demo:"
where
