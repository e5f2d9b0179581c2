#!/bin/sh
# SPDX-License-Identifier: MIT
# `make demo`: a private mosquitto and PostgreSQL under demo/ on free
# loopback ports, enertrackd between them, and `enertrack sim` publishing a
# simulated year of Changzhi telemetry (2023 too, as the base year of the
# energy-intensity target) in about a minute; then what landed, and the
# targets table. Everything it started is stopped at the end; the data stays
# in demo/ until the next run.
set -eu
REPO=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-build}
T=$REPO/demo
TEST_NAME=demo
rm -rf "$T"
. "$REPO/scripts/services.sh"

YEAR=${DEMO_YEAR:-2024}
RATE=${DEMO_RATE:-4000}

echo "== starting PostgreSQL and mosquitto under demo/ (loopback only)"
start_pg
start_mosquitto
write_config "$T/enertrack.conf"
sed -i 's/^batch_rows = .*/batch_rows = 5000/; s/^flush_ms = .*/flush_ms = 200/' "$T/enertrack.conf"
echo "== enertrack migrate"
migrate
echo "== enertrackd -c demo/enertrack.conf"
start_daemon

echo "== enertrack sim: $((YEAR - 1))-01-01 .. $YEAR-12-31 at $RATE messages/s"
"$BIN/enertrack" sim --uri "$MQURI" --from "$((YEAR - 1))-01-01" --to "$YEAR-12-31" \
	--rate "$RATE" --seed 2024 --client-id enertrack-demo-sim >"$T/sim.out" 2>"$T/sim.log" &
SIMPID=$!
PIDS="$PIDS $SIMPID"
while kill -0 "$SIMPID" 2>/dev/null; do
	sleep 5
	printf '   %s readings in PostgreSQL\n' "$(q "SELECT count(*) FROM reading")"
done
wait "$SIMPID" || fail "enertrack sim failed: $(tail -5 "$T/sim.log")"
sent=$(sed -n 's/.*published \([0-9]*\) messages.*/\1/p' "$T/sim.log" | tail -1)
[ -n "$sent" ] || sent=$(grep -o '[0-9]* messages' "$T/sim.log" | head -1 | cut -d' ' -f1)
# every simulated message is one reading: wait until all are committed
wait_until 120 sh -c "[ \$(psql '$PGCONN' -XAtqc 'SELECT count(*) FROM reading') -ge $sent ]" ||
	echo "   (not all readings arrived in time)"
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
       END AS "year to date",
       count(*) AS readings,
       count(DISTINCT site_id) AS sites,
       string_agg(DISTINCT unit_in, ', ') AS "units sent"
FROM reading
WHERE ts >= '$YEAR-01-01' AND ts < '$((YEAR + 1))-01-01'
GROUP BY metric ORDER BY metric;
SQL
if "$BIN/enertrack" status --help >/dev/null 2>&1; then
	echo "== enertrack status --at $YEAR-12-31T23:59:59+08:00"
	"$BIN/enertrack" status -c "$T/enertrack.conf" --at "$YEAR-12-31T23:59:59+08:00" || true
fi
echo
echo "(data and logs are in demo/; psql \"$PGCONN\" works until this script ends)"
