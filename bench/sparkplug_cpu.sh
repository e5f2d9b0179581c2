#!/bin/sh
# SPDX-License-Identifier: MIT
# CPU per message of enertrackd: N v1 messages (one reading each), then N
# Sparkplug B DDATA messages from Eclipse Tahu's client (tests/integration/
# tahu/edge.js: by alias, 1.5 mapped metrics a message on average), both
# published while the daemon runs; the daemon's user+system CPU (from /proc)
# from the first message to the last row committed, divided by N.
#   BUILD=build sh bench/sparkplug_cpu.sh [N]
# `make bench` runs it (BENCH_SP_N, its figures in the table and in
# bench.json); `make bench-sparkplug` runs it alone.
REPO=$(cd "$(dirname "$0")/.." && pwd)
TEST_NAME=sparkplug_cpu
. "$REPO/scripts/services.sh"
N=${1:-20000}
TAHU=$REPO/tests/integration/tahu
[ -d "$TAHU/node_modules/sparkplug-client" ] || (cd "$TAHU" && npm ci --no-audit --no-fund)

start_pg
start_mosquitto
write_config "$T/enertrack.conf" "[sparkplug]" "enabled = 1" "group_filter = Plant1"
sed -i 's/^batch_rows = .*/batch_rows = 5000/; s/^flush_ms = .*/flush_ms = 200/' "$T/enertrack.conf"
migrate >/dev/null
q "INSERT INTO site (site_id, kind) VALUES ('sp-a', 'mine'), ('sp-c', 'mine'), ('sp-b', 'plant');
   INSERT INTO sparkplug_map VALUES
     ('Plant1', 'edge1', 'dev1', 'Belt/Rate', 'sp-a', 'raw_coal', 't', false, NULL),
     ('Plant1', 'edge1', 'dev1', 'Belt/Total', 'sp-c', 'raw_coal', 't', false, NULL),
     ('Plant1', 'edge1', 'dev2', 'Gen/Energy', 'sp-b', 'generation', 'kWh', false, NULL)"
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
report() { # report WHAT C0 C1
	echo "$1: $N messages, $(awk -v c="$(($3 - $2))" -v hz="$hz" -v n="$N" 'BEGIN { printf "%.1f", c * 1e6 / hz / n }') us CPU a message (enertrackd, user+system)"
}
T0=$(( ($(date +%s) - 3 * 86400) ))
start_daemon

# v1: one reading a message, published at QoS 1 while the daemon runs
$PY -c "
import datetime
for i in range($N):
    ts = datetime.datetime.fromtimestamp($T0 + i, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
    print('energy/mine/v1-a/raw_coal\t{\"ts\":\"%s\",\"value\":%d.5,\"unit\":\"t\"}' % (ts, i))
" >"$T/v1.txt"
c0=$(cpu "$DPID")
publish <"$T/v1.txt"
wait_until 300 sh -c "[ \$(psql '$PGCONN' -XAtqc 'SELECT count(*) FROM reading') -ge $N ]" ||
	fail "v1: $(rows) rows of $N"
report v1 "$c0" "$(cpu "$DPID")"

# Sparkplug: DDATA at QoS 0 from the edge node, likewise while the daemon runs
mkdir -p "$T/e"
c0=$(cpu "$DPID")
node "$TAHU/edge.js" "$MQURI" Plant1 edge1 1 0 "$N" "$((T0 * 1000 + 100))" "$T/e" >"$T/e/log" 2>&1 &
EDGE=$!
track $EDGE
wait_until 300 test -e "$T/e/done" || fail "edge did not finish"
# edge.js sends a negative Int32 on dev2 every 14th message, which the
# value bounds refuse into rejected_message since they apply to Sparkplug:
# a row either way (a tree from before the bounds stores it)
want=$((N + N + N / 2 + 2))
done_rows() {
	psql "$PGCONN" -XAtqc "SELECT (SELECT count(*) FROM reading) + (SELECT count(*) FROM rejected_message)"
}
wait_until 300 sh -c "[ \$(psql '$PGCONN' -XAtqc 'SELECT (SELECT count(*) FROM reading) + (SELECT count(*) FROM rejected_message)') -ge $want ]" ||
	fail "sparkplug: $(done_rows) rows (reading and rejected_message) of $want"
c1=$(cpu "$DPID")
kill "$EDGE"
stop_daemon
report "sparkplug ($((N * 3 / 2)) readings)" "$c0" "$c1"
