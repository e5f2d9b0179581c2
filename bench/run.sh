#!/bin/sh
# SPDX-License-Identifier: MIT
# `make bench`: enertrackd against a bare paho subscriber, a
# Node.js mqtt + pg bridge (bench/bridge) and a bare COPY, with its own
# PostgreSQL and mosquitto on free loopback ports (scripts/services.sh).
#
#  1. drain   N readings queued at the broker for three persistent sessions:
#             `etbench count` (a paho subscriber that only counts) drains its
#             copy, then enertrackd starts and drains its own until every row
#             is committed; both rates and their ratio. Then, into an empty
#             `reading` each time: the same rows by one bare COPY (the limit of
#             PostgreSQL alone), and the Node.js bridge draining its copy of
#             the backlog (1 000-row multi-row INSERTs). The goals compare them.
#  2. live    `etbench publish` at full speed (QoS 1) with enertrackd running:
#             publish rate, commit rate, publish->commit latency; then a fixed
#             BENCH_LIVE_RATE msg/s for BENCH_LIVE_S s: p50/p99 latency.
#             Latency = pg_xact_commit_timestamp(xmin) - ts, where ts is the
#             time the publisher handed the reading to paho (same host clock).
#  3. memory  a fresh enertrackd, PostgreSQL stopped, MEM_N readings
#             published; peak RSS while they wait and while they drain once
#             PostgreSQL is back, and the drain rate.
#  4. cpu     enertrackd's CPU per message in each phase, by thread (from
#             /proc/PID/task/*/stat and comm): paho's threads, the loop (main
#             thread), the writer (the busiest other thread), the rest.
#
#  5. goals   enertrackd's drain >= 1.5x the Node.js bridge's; its CPU per
#             message <= 1.2x the bare subscriber's; PostgreSQL's CPU per row
#             in enertrackd's drain <= 7 µs (the bare COPY's is beside it).
#  6. sparkplug  enertrackd's CPU per v1 message and per Sparkplug B DDATA
#             message, BENCH_SP_N of each (bench/sparkplug_cpu.sh, with its
#             own services).
#
# Only rows in PostgreSQL, /proc and the daemon's log are used: nothing of the
# daemon's internals. Results: a table on stdout, JSON in BENCH_JSON.
# Every wait is bounded in time, and the whole run by BENCH_BUDGET_S.
# Results are assigned through eval (PREFIX_name); the service helpers take
# optional arguments.
# shellcheck disable=SC2154,SC2119,SC2153
set -eu

REPO=$(cd "$(dirname "$0")/.." && pwd)
: "${BUILD:=build}"
TEST_NAME=bench
. "$REPO/scripts/services.sh"

N=${BENCH_N:-300000}
MEM_N=${BENCH_MEM_N:-1000000}
LIVE_N=${BENCH_LIVE_N:-200000}
LIVE_RATE=${BENCH_LIVE_RATE:-5000}
LIVE_S=${BENCH_LIVE_S:-20}
SITES=${BENCH_SITES:-150}
JSON=${BENCH_JSON:-$REPO/$BUILD/bench.json}
BUDGET_S=${BENCH_BUDGET_S:-900}
SP_N=${BENCH_SP_N:-20000}
E=$BIN/etbench
[ -x "$E" ] || fail "$E is missing (make $BUILD/etbench)"
BRIDGE=$REPO/bench/bridge
BRIDGE_ROWS=${BENCH_BRIDGE_ROWS:-1000}
BRIDGE_MS=${BENCH_BRIDGE_MS:-200}
for m in mqtt pg; do
	[ -d "$BRIDGE/node_modules/$m" ] || fail "$BRIDGE/node_modules/$m is missing (cd bench/bridge && npm ci)"
done
command -v node >/dev/null || fail "node is missing (the Node.js peer needs Node.js 20)"
[ -x "$BIN/enertrackd" ] || fail "$BIN/enertrackd is missing (make all)"
case "$JSON" in /*) ;; *) JSON=$REPO/$JSON ;; esac
START=$(date +%s)
CLK_TCK=$(getconf CLK_TCK)

# ---------------------------------------------------------------- helpers

now() { date +%s.%N; }
# calc FORMAT EXPRESSION: awk's printf of the expression, e.g. calc %.1f "1 / 3"
calc() { awk "BEGIN { printf \"$1\", $2 }" </dev/null; }
# kv FILE KEY: the value of a key=value line
kv() { sed -n "s/^$2=//p" "$1" | head -n 1; }
# budget SECONDS: the smaller of SECONDS and what is left of the run's budget
budget() {
	left=$((BUDGET_S - ($(date +%s) - START)))
	[ "$left" -gt 0 ] || fail "the run's budget of $BUDGET_S s is spent"
	[ "$1" -lt "$left" ] && echo "$1" || echo "$left"
}
say() { printf 'bench: [%3ds] %s\n' "$(($(date +%s) - START))" "$*" >&2; }

# Our own mosquitto: services.sh's configuration without disk persistence.
# Persistent sessions live in the broker's memory for the whole run; saving a
# store of up to a million queued messages every second (autosave_interval 1,
# right for tests that restart the broker) would measure mosquitto instead.
bench_start_mosquitto() {
	MQPORT=$(free_port)
	mkdir -p "$T/mq"
	cat >"$T/mq/mosquitto.conf" <<EOC
listener $MQPORT 127.0.0.1
allow_anonymous true
persistence false
max_queued_messages 0
max_inflight_messages 0
log_dest file $T/mq/mosquitto.log
user $(id -un)
EOC
	mosquitto -c "$T/mq/mosquitto.conf" 2>>"$T/mq/mosquitto.err" &
	MQPID=$!
	PIDS="$PIDS $MQPID"
	wait_until 10 sh -c "ss -ltn | grep -q '127.0.0.1:$MQPORT '" || fail "mosquitto did not start"
	MQURI="tcp://127.0.0.1:$MQPORT"
}

daemon_alive() { kill -0 "$DPID" 2>/dev/null; }

# wait_rows COUNT PUBFILE SECONDS: until `reading` holds COUNT rows, polled
# on one session by bench/waitrows.py (a psql per poll would cost PostgreSQL
# more CPU than the rows being measured). Returns 1 on timeout, if the writer
# died (enertrackd, or WATCH_PID called WATCH_NAME), or as soon as enertrackd
# rejects anything (every generated reading is valid, so a rejection means the
# count cannot be reached; e.g. the per-site rate limit
# max_site_readings_per_s on a machine that drains over ~150k msg/s: raise
# BENCH_SITES).
wait_rows() {
	"$PY" "$REPO/bench/waitrows.py" "$PGCONN" "$1" "$(kv "$2" last_site)" "$(kv "$2" last_metric)" \
		"$(kv "$2" last_ts)" "$(budget "$3")" "${WATCH_PID:-$DPID}" "${WATCH_NAME:-enertrackd}" \
		>"$T/waitrows.out" 2>"$T/waitrows.err" && return 0
	say "$(cat "$T/waitrows.err")"
	return 1
}

last_commit() { q "SELECT extract(epoch FROM max(pg_xact_commit_timestamp(xmin))) FROM reading"; }
first_commit() { q "SELECT extract(epoch FROM min(pg_xact_commit_timestamp(xmin))) FROM reading"; }

# latency PREFIX: publish->commit latency of every row in `reading`, in ms:
# sets PREFIX_p50, PREFIX_p99, PREFIX_max, PREFIX_batches (transactions), and
# the two legs split at received_at (the daemon's clock when paho handed the
# message over): PREFIX_rp50/rp99 publish->received, PREFIX_cp50/cp99
# received->commit.
latency() {
	r=$(q "SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY l)::numeric, 1),
	              round(percentile_cont(0.99) WITHIN GROUP (ORDER BY l)::numeric, 1),
	              round(max(l)::numeric, 1), count(DISTINCT x),
	              round(percentile_cont(0.5) WITHIN GROUP (ORDER BY lr)::numeric, 1),
	              round(percentile_cont(0.99) WITHIN GROUP (ORDER BY lr)::numeric, 1),
	              round(percentile_cont(0.5) WITHIN GROUP (ORDER BY lc)::numeric, 1),
	              round(percentile_cont(0.99) WITHIN GROUP (ORDER BY lc)::numeric, 1)
	       FROM (SELECT extract(epoch FROM c - ts) * 1000 AS l,
	                    extract(epoch FROM received_at - ts) * 1000 AS lr,
	                    extract(epoch FROM c - received_at) * 1000 AS lc, x
	             FROM (SELECT pg_xact_commit_timestamp(xmin) AS c, ts, received_at,
	                          xmin::text AS x FROM reading) a) s")
	# shellcheck disable=SC2046 # split on purpose: numbers only
	set -- $(echo "$r" | tr '|' ' ')
	[ $# = 8 ] || fail "latency query: '$r'"
	eval "LAT_p50=$1 LAT_p99=$2 LAT_max=$3 LAT_batches=$4 LAT_rp50=$5 LAT_rp99=$6 LAT_cp50=$7 LAT_cp99=$8"
}
# lat_save PREFIX: copies LAT_* to PREFIX_*
lat_save() {
	for k in p50 p99 max batches rp50 rp99 cp50 cp99; do eval "$1_$k=\$LAT_$k"; done
}

# The CPU (clock ticks) of mosquitto and of PostgreSQL (the postmaster, its
# living children, and the children it has reaped: cutime + cstime).
ticks_of() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
pg_ticks() {
	pm=$(head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null) || { echo 0; return; }
	t=$(awk '{ sub(/.*\) /, ""); print $12 + $13 + $14 + $15 }' "/proc/$pm/stat" 2>/dev/null || echo 0)
	for c in $(ps -o pid= --ppid "$pm" 2>/dev/null); do t=$((t + $(ticks_of "$c"))); done
	echo "$t"
}
svc_snap() { echo "$(ticks_of "$MQPID") $(pg_ticks)"; }
# svc_cpu PREFIX "SNAP_BEFORE" MESSAGES: sets PREFIX_mosq and PREFIX_pg (µs/message)
svc_cpu() {
	after=$(svc_snap)
	eval "$1_mosq=$(calc %.1f "(${after% *} - ${2% *}) * 1e6 / $CLK_TCK / $3")"
	eval "$1_pg=$(calc %.1f "(${after#* } - ${2#* }) * 1e6 / $CLK_TCK / $3")"
}

# threads PREFIX SNAPFILE MESSAGES: enertrackd's CPU since SNAPFILE by role
threads() {
	"$E" threads --pid "$DPID" --since "$2" --messages "$3" >"$T/$1.cpu" || fail "cannot read /proc/$DPID"
	for r in paho_rcv paho_send loop writer other total; do
		eval "$1_$r=$(kv "$T/$1.cpu" "${r}_us_per_msg")"
	done
	eval "$1_threads=\"$(grep '^thread\.' "$T/$1.cpu" | cut -d= -f2 | cut -d: -f1,2 | sort | uniq -c |
		awk '{ printf "%s%s x%s", (NR > 1 ? ", " : ""), $2, $1 }')\""
}

start_sampler() {
	"$E" sample --pid "$DPID" --interval-ms 100 --max-s "$BUDGET_S" >"$T/$1.samples" 2>/dev/null &
	SAMPLER=$!
	PIDS="$PIDS $SAMPLER"
}
stop_sampler() {
	kill -TERM "$SAMPLER" 2>/dev/null || true
	wait "$SAMPLER" 2>/dev/null || true
}
# rss_max FILE FROM_MS TO_MS: the largest VmRSS sample in the window, in MiB
rss_max() { awk -v a="$2" -v b="$3" '$1 >= a && $1 <= b && $2 > m { m = $2 } END { printf "%.1f", m / 1024 }' "$1"; }
status_mib() { awk -v k="$1:" '$1 == k { printf "%.1f", $2 / 1024 }' "/proc/$DPID/status"; }
ms() { calc %.0f "$1 * 1000"; }

# publish TAG COUNT [extra etbench options]: the output lands in $T/TAG.pub
publish_readings() {
	tag=$1 count=$2
	shift 2
	"$E" publish --uri "$MQURI" --count "$count" --sites "$SITES" --tag "$tag" \
		--timeout "$(budget 600)" "$@" >"$T/$tag.pub" 2>"$T/$tag.pub.err" ||
		fail "etbench publish ($tag) failed: $(tail -n 3 "$T/$tag.pub.err")"
}

# start_bridge: the Node.js peer on its persistent session (bench-bridge),
# logging to $T/bridge.log; its pid is in BPID.
start_bridge() {
	MQTT_URL="mqtt://127.0.0.1:$MQPORT" MQTT_CLIENT_ID=bench-bridge MQTT_TOPIC='energy/#' \
		DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/enertrack" \
		BATCH_ROWS=$BRIDGE_ROWS FLUSH_MS=$BRIDGE_MS node "$BRIDGE/bridge.js" >>"$T/bridge.log" 2>&1 &
	BPID=$!
	PIDS="$PIDS $BPID"
}
# stop_bridge: SIGTERM (it flushes what it holds), bounded
stop_bridge() {
	kill -TERM "$BPID" 2>/dev/null || true
	i=0
	while kill -0 "$BPID" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	kill -KILL "$BPID" 2>/dev/null || true
	wait "$BPID" 2>/dev/null || true
}
# fingerprint: an md5 of every row of `reading` and `site` (the columns both
# writers fill), to check that the bridge stored what enertrackd stored
fingerprint() {
	q "SELECT md5(string_agg(concat_ws('|', site_id, metric, ts, value, unit_in, value_in, seq, source, counter),
	          ',' ORDER BY site_id, metric, ts)) || '/' ||
	          (SELECT md5(string_agg(concat_ws('|', site_id, kind, county), ',' ORDER BY site_id)) FROM site) FROM reading"
}
# pass VALUE OP LIMIT: "pass" or "FAIL"
pass() { awk "BEGIN { print ($1 $2 $3) ? \"pass\" : \"FAIL\" }" </dev/null; }
json_bool() { [ "$1" = pass ] && echo true || echo false; }

# ---------------------------------------------------------------- setup

say "N=$N MEM_N=$MEM_N LIVE_N=$LIVE_N live rate $LIVE_RATE msg/s for $LIVE_S s, $SITES sites; files in $T"
start_pg
# Commit timestamps give publish->commit latency and exact end times.
q "ALTER SYSTEM SET track_commit_timestamp = on" >/dev/null
pg_stop
pg_start
[ "$(q "SHOW track_commit_timestamp")" = on ] || fail "track_commit_timestamp is not on"
bench_start_mosquitto
write_config "$T/enertrack.conf"
# the daemon's shipped defaults unless asked otherwise (write_config's are the tests')
sed -i "s/^batch_rows = .*/batch_rows = ${BENCH_BATCH_ROWS:-5000}/; s/^flush_ms = .*/flush_ms = ${BENCH_FLUSH_MS:-200}/" \
	"$T/enertrack.conf"
migrate >"$T/migrate.log" 2>&1 || fail "migrate failed: $(tail -n 5 "$T/migrate.log")"
BATCH_ROWS=$(sed -n 's/^batch_rows *= *//p' "$T/enertrack.conf" | tail -n 1)
FLUSH_MS=$(sed -n 's/^flush_ms *= *//p' "$T/enertrack.conf" | tail -n 1)
printf 'process 0\n' >"$T/zero.snap"

# ---------------------------------------------------------------- 1. drain

say "1. drain: creating the three persistent sessions"
"$E" count --uri "$MQURI" --client-id bench-bare --prime >/dev/null || fail "cannot prime the bare subscriber"
start_daemon
sleep 0.5
stop_daemon
start_bridge
wait_until 30 grep -q 'bridge: subscribed' "$T/bridge.log" || fail "the Node.js bridge did not subscribe: $(tail -n 5 "$T/bridge.log")"
stop_bridge
say "1. drain: queueing $N readings at the broker"
publish_readings drain "$N"
drain_pub_rate=$(kv "$T/drain.pub" rate)
say "1. drain: bare subscriber"
"$E" count --uri "$MQURI" --client-id bench-bare --count "$N" --timeout "$(budget 300)" \
	>"$T/drain.count" 2>"$T/drain.count.err" || fail "etbench count failed: $(cat "$T/drain.count.err")"
"$E" count --uri "$MQURI" --client-id bench-bare --forget >/dev/null || fail "cannot drop the bare session"
bare_rate=$(kv "$T/drain.count" rate)
bare_s=$(kv "$T/drain.count" elapsed_s)
bare_cpu=$(kv "$T/drain.count" cpu_us_per_msg)
say "1. drain: enertrackd"
svc0=$(svc_snap)
t0=$(now)
start_daemon
start_sampler drain
wait_rows "$N" "$T/drain.pub" $((60 + N / 2000)) || fail "enertrackd did not commit the $N queued readings"
t1=$(last_commit)
stop_sampler
threads drain "$T/zero.snap" "$N"
svc_cpu drain "$svc0" "$N"
daemon_s=$(calc %.3f "$t1 - $t0")
daemon_rate=$(calc %.0f "$N / ($t1 - $t0)")
drain_ratio=$(calc %.2f "$daemon_rate / $bare_rate")
drain_rss=$(rss_max "$T/drain.samples" 0 99999999999999)
# Cores kept busy during the drain: CPU per message times messages a second.
drain_cores_d=$(calc %.2f "$drain_total * $daemon_rate / 1e6")
drain_cores_pg=$(calc %.2f "$drain_pg * $daemon_rate / 1e6")
drain_cores_mq=$(calc %.2f "$drain_mosq * $daemon_rate / 1e6")
[ "$(q "SELECT count(*) FROM reading")" = "$N" ] || fail "expected $N rows after the drain"
drain_batches=$(q "SELECT count(DISTINCT xmin::text) FROM reading")
fp_daemon=$(fingerprint)
# enertrackd stops while the others run (its timers and queries would count
# as theirs) and starts again for phase 2.
stop_daemon

# The same rows by one bare COPY into an empty `reading`: what PostgreSQL
# alone needs for them (the columns a writer fills; the rest are defaults).
say "1. drain: a bare COPY of the same $N rows"
COLS="site_id, metric, ts, value, unit_in, value_in, seq, source, counter, received_at"
psql "$PGCONN" -X -q -v ON_ERROR_STOP=1 -c "\\copy (SELECT $COLS FROM reading) TO '$T/rows.copy'" ||
	fail "cannot save the rows"
q "TRUNCATE reading, reading_hourly, reading_correction, site CASCADE; CHECKPOINT" >/dev/null
svc0=$(svc_snap)
t0=$(now)
psql "$PGCONN" -X -q -v ON_ERROR_STOP=1 -c "\\copy reading ($COLS) FROM '$T/rows.copy'" ||
	fail "the bare COPY failed"
t1=$(now)
svc_cpu copy "$svc0" "$N"
copy_s=$(calc %.3f "$t1 - $t0")
copy_rate=$(calc %.0f "$N / ($t1 - $t0)")
[ "$(q "SELECT count(*) FROM reading")" = "$N" ] || fail "expected $N rows after the bare COPY"
rm -f "$T/rows.copy"

# The Node.js bridge drains its copy of the backlog into an empty `reading`.
say "1. drain: the Node.js mqtt + pg bridge"
q "TRUNCATE reading, reading_hourly, reading_correction, site CASCADE; CHECKPOINT" >/dev/null
svc0=$(svc_snap)
t0=$(now)
start_bridge
WATCH_PID=$BPID WATCH_NAME="the Node.js bridge" wait_rows "$N" "$T/drain.pub" $((60 + N / 1000)) ||
	fail "the Node.js bridge did not commit the $N queued readings: $(tail -n 5 "$T/bridge.log")"
t1=$(last_commit)
peer_ticks=$(ticks_of "$BPID")
svc_cpu peer "$svc0" "$N"
stop_bridge
[ "$(q "SELECT count(*) FROM reading")" = "$N" ] || fail "expected $N rows after the bridge's drain"
[ "$(fingerprint)" = "$fp_daemon" ] && peer_same=true || peer_same=false
peer_s=$(calc %.3f "$t1 - $t0")
peer_rate=$(calc %.0f "$N / ($t1 - $t0)")
peer_cpu=$(calc %.1f "$peer_ticks * 1e6 / $CLK_TCK / $N")
peer_batches=$(q "SELECT count(DISTINCT xmin::text) FROM reading")
peer_cores=$(calc %.2f "$peer_cpu * $peer_rate / 1e6")
peer_cores_pg=$(calc %.2f "$peer_pg * $peer_rate / 1e6")
peer_cores_mq=$(calc %.2f "$peer_mosq * $peer_rate / 1e6")

# The goals, all from this run.
goal_drain=$(calc %.2f "$daemon_rate / $peer_rate")
goal_drain_ok=$(pass "$goal_drain" ">=" 1.5)
goal_cpu=$(calc %.2f "$drain_total / $bare_cpu")
goal_cpu_ok=$(pass "$goal_cpu" "<=" 1.2)
goal_pg_ok=$(pass "$drain_pg" "<=" 7)
start_daemon

# ---------------------------------------------------------------- 2. live

say "2. live: full speed, $LIVE_N readings"
q "TRUNCATE reading" >/dev/null
"$E" threads --pid "$DPID" >"$T/livefull.snap"
svc0=$(svc_snap)
publish_readings livefull "$LIVE_N"
wait_rows "$LIVE_N" "$T/livefull.pub" $((60 + LIVE_N / 2000)) || fail "enertrackd did not commit the live readings"
threads livefull "$T/livefull.snap" "$LIVE_N"
svc_cpu livefull "$svc0" "$LIVE_N"
live_pub_rate=$(calc %.0f "$(kv "$T/livefull.pub" rate)")
live_start=$(kv "$T/livefull.pub" start_epoch)
live_pub_end=$(kv "$T/livefull.pub" end_epoch)
t1=$(last_commit)
live_commit_rate=$(calc %.0f "$LIVE_N / ($t1 - $live_start)")
live_lag=$(calc %.2f "$t1 - $live_pub_end")
latency
lat_save livefull

LIVE_COUNT=$((LIVE_RATE * LIVE_S))
say "2. live: $LIVE_RATE msg/s for $LIVE_S s"
q "TRUNCATE reading" >/dev/null
"$E" threads --pid "$DPID" >"$T/live5k.snap"
svc0=$(svc_snap)
publish_readings live5k "$LIVE_COUNT" --rate "$LIVE_RATE"
wait_rows "$LIVE_COUNT" "$T/live5k.pub" 60 || fail "enertrackd did not commit the paced readings"
threads live5k "$T/live5k.snap" "$LIVE_COUNT"
svc_cpu live5k "$svc0" "$LIVE_COUNT"
latency
lat_save live5k
live5k_rate=$(calc %.0f "$(kv "$T/live5k.pub" rate)")
live5k_late=$(kv "$T/live5k.pub" max_late_ms)
t1=$(last_commit)
live5k_commit_rate=$(calc %.0f "$LIVE_COUNT / ($t1 - $(kv "$T/live5k.pub" start_epoch))")

# ---------------------------------------------------------------- 3. memory

say "3. memory: a fresh enertrackd; PostgreSQL stopped; $MEM_N readings"
stop_daemon
q "TRUNCATE reading" >/dev/null
start_daemon
sleep 1
log_mark=$(wc -l <"$T/daemon.log")
mem_idle=$(status_mib VmRSS)
"$E" threads --pid "$DPID" >"$T/mem.snap"
start_sampler mem
pg_stop
t_down=$(now)
publish_readings mem "$MEM_N"
mem_pub_rate=$(calc %.0f "$(kv "$T/mem.pub" rate)")
# Wait until enertrackd has taken everything the broker had for it: its CPU
# stays under 5 % of a core for two seconds in a row (bounded).
quiet=0
end=$(($(date +%s) + $(budget 120)))
prev=$(ticks_of "$DPID")
while [ "$quiet" -lt 2 ] && [ "$(date +%s)" -lt "$end" ]; do
	daemon_alive || fail "enertrackd died while PostgreSQL was down"
	sleep 1
	cur=$(ticks_of "$DPID")
	if [ $((cur - prev)) -le $((CLK_TCK / 20)) ]; then quiet=$((quiet + 1)); else quiet=0; fi
	prev=$cur
done
[ "$quiet" -ge 2 ] || say "3. memory: enertrackd still busy after 120 s; measuring anyway"
sleep 2
mem_wait_hwm=$(status_mib VmHWM)
mem_wait_rss=$(status_mib VmRSS)
# The spool directory's size on disk, as du sees it (write_config's spool_dir).
SPOOL_DIR=$(sed -n 's/^spool_dir *= *//p' "$T/enertrack.conf" | tail -n 1)
mem_wait_spool=$(du -sk "$SPOOL_DIR" 2>/dev/null | awk '{ printf "%.1f", $1 / 1024 }')
: "${mem_wait_spool:=null}"
t_back=$(now)
mem_wait_s=$(calc %.1f "$t_back - $t_down")
say "3. memory: PostgreSQL back after ${mem_wait_s} s"
pg_start
svc0=$(svc_snap)
wait_rows "$MEM_N" "$T/mem.pub" $((90 + MEM_N / 2000)) || fail "enertrackd did not commit the $MEM_N readings once PostgreSQL was back"
t1=$(last_commit)
tf=$(first_commit)
# From PostgreSQL's return to the writer's first commit (its reconnect
# back-off), then from that commit to the last.
mem_reconnect_s=$(calc %.1f "$tf - $t_back")
mem_drain_rate=$(calc %.0f "$MEM_N / ($t1 - $tf)")
mem_drain_s=$(calc %.1f "$t1 - $tf")
sleep 2
mem_end_hwm=$(status_mib VmHWM)
mem_end_rss=$(status_mib VmRSS)
stop_sampler
mem_wait_peak=$(rss_max "$T/mem.samples" 0 "$(ms "$t_back")")
mem_drain_peak=$(rss_max "$T/mem.samples" "$(ms "$t_back")" 99999999999999)
threads mem "$T/mem.snap" "$MEM_N"
svc_cpu memdrain "$svc0" "$MEM_N"
mem_log_warn=$(tail -n +"$((log_mark + 1))" "$T/daemon.log" | grep -ciE ' (warn|error):' || true)
mem_log_lines=$(tail -n +"$((log_mark + 1))" "$T/daemon.log" | grep -iE ' (warn|error|info):' |
	sed 's/^[^ ]* [^ ]* //' | cut -c1-150 | head -n 8)
stop_daemon
rejected=$(q "SELECT count(*) FROM rejected_message")

# ---------------------------------------------------------------- 6. sparkplug
say "sparkplug: CPU per message, $SP_N v1 and $SP_N Sparkplug B DDATA (bench/sparkplug_cpu.sh)"
sp_out=$(BUILD=$BUILD sh "$REPO/bench/sparkplug_cpu.sh" "$SP_N" 2>"$T/spcpu.err") ||
	fail "bench/sparkplug_cpu.sh failed: $(tail -3 "$T/spcpu.err")"
sp_v1=$(printf '%s\n' "$sp_out" | sed -n 's/^v1: .*, \([0-9.]*\) us CPU a message.*/\1/p')
sp_sp=$(printf '%s\n' "$sp_out" | sed -n 's/^sparkplug .*, \([0-9.]*\) us CPU a message.*/\1/p')
[ -n "$sp_v1" ] && [ -n "$sp_sp" ] || fail "bench/sparkplug_cpu.sh said: $sp_out"

# ---------------------------------------------------------------- results

elapsed=$(($(date +%s) - START))
# bench/page.sh's figures (make bench-page writes them first): {} when absent
PAGE_JSON=${BENCH_PAGE_JSON:-$REPO/$BUILD/bench-page.json}
page_json=$($PY -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1])).get("page", {})))' "$PAGE_JSON" 2>/dev/null || echo '{}')
page_get() { printf '%s' "$page_json" | $PY -c 'import json, sys; d = json.load(sys.stdin)
for k in sys.argv[1].split("."): d = d.get(k, {}) if isinstance(d, dict) else {}
print("-" if d == {} else str(d).lower() if isinstance(d, bool) else d)' "$1"; }
page_cold=$(page_get cold.total_s)
page_warm=$(page_get warm.total_s)
page_ok=$(page_get goal_cold_ok | sed 's/^true$/pass/; s/^false$/FAIL/')
say "done in $elapsed s"
CPUS=$(nproc)
{
	printf '\nenertrack bench: %s, %s CPUs, %s sites, enertrackd batch_rows=%s flush_ms=%s\n' \
		"$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$CPUS" "$SITES" "$BATCH_ROWS" "$FLUSH_MS"
	printf 'PostgreSQL 15 (fsync=off, synchronous_commit=off, as scripts/services.sh), mosquitto (no disk persistence), QoS 1\n\n'
	printf '%-8s %-58s %s\n' phase measure value
	printf '%-8s %-58s %s\n' drain "readings queued at the broker (publish rate)" "$N ($(calc %.0f "$drain_pub_rate") msg/s)"
	printf '%-8s %-58s %s\n' drain "bare paho subscriber, only counting" "$(calc %.0f "$bare_rate") msg/s ($bare_s s)"
	printf '%-8s %-58s %s\n' drain "enertrackd, start to every row committed" "$daemon_rate msg/s ($daemon_s s, $drain_batches transactions)"
	printf '%-8s %-58s %s\n' drain "ratio enertrackd / bare" "$drain_ratio"
	printf '%-8s %-58s %s\n' drain "enertrackd peak RSS" "$drain_rss MiB"
	printf '%-8s %-58s %s\n' drain "cores busy: enertrackd / PostgreSQL / mosquitto" "$drain_cores_d / $drain_cores_pg / $drain_cores_mq of $(nproc)"
	printf '%-8s %-58s %s\n' drain "bare COPY of the same rows into an empty reading" "$copy_rate rows/s ($copy_s s)"
	printf '%-8s %-58s %s\n' drain "Node.js mqtt + pg bridge, start to every row committed" "$peer_rate msg/s ($peer_s s, $peer_batches transactions)"
	printf '%-8s %-58s %s\n' drain "cores busy: bridge / PostgreSQL / mosquitto" "$peer_cores / $peer_cores_pg / $peer_cores_mq of $(nproc)"
	printf '%-8s %-58s %s\n' drain "bridge's rows and sites the same as enertrackd's" "$peer_same"
	printf '%-8s %-58s %s\n' live "publish rate, full speed ($LIVE_N readings)" "$live_pub_rate msg/s"
	printf '%-8s %-58s %s\n' live "commit rate (first publish to last commit)" "$live_commit_rate rows/s"
	printf '%-8s %-58s %s\n' live "last commit after last publish ack" "$live_lag s"
	printf '%-8s %-58s %s\n' live "latency publish->commit at full speed p50 / p99 / max" "$livefull_p50 / $livefull_p99 / $livefull_max ms"
	printf '%-8s %-58s %s\n' live "  publish->received_at p50 / p99" "$livefull_rp50 / $livefull_rp99 ms"
	printf '%-8s %-58s %s\n' live "  received_at->commit p50 / p99" "$livefull_cp50 / $livefull_cp99 ms"
	printf '%-8s %-58s %s\n' live "fixed rate: achieved publish / commit rate" "$live5k_rate / $live5k_commit_rate msg/s ($LIVE_COUNT readings)"
	printf '%-8s %-58s %s\n' live "latency publish->commit at $LIVE_RATE msg/s p50 / p99 / max" "$live5k_p50 / $live5k_p99 / $live5k_max ms"
	printf '%-8s %-58s %s\n' live "  publish->received_at p50 / p99" "$live5k_rp50 / $live5k_rp99 ms"
	printf '%-8s %-58s %s\n' live "  received_at->commit p50 / p99" "$live5k_cp50 / $live5k_cp99 ms"
	printf '%-8s %-58s %s\n' live "transactions at $LIVE_RATE msg/s (rows each)" "$live5k_batches ($(calc %.0f "$LIVE_COUNT / $live5k_batches"))"
	printf '%-8s %-58s %s\n' memory "enertrackd RSS idle, fresh start" "$mem_idle MiB"
	printf '%-8s %-58s %s\n' memory "publish rate with PostgreSQL stopped ($MEM_N readings)" "$mem_pub_rate msg/s"
	printf '%-8s %-58s %s\n' memory "peak RSS while they wait (VmHWM / sampled)" "$mem_wait_hwm / $mem_wait_peak MiB"
	printf '%-8s %-58s %s\n' memory "RSS when PostgreSQL returns (after ${mem_wait_s} s)" "$mem_wait_rss MiB"
	printf '%-8s %-58s %s\n' memory "peak RSS while they drain (sampled) / VmHWM at end" "$mem_drain_peak / $mem_end_hwm MiB"
	printf '%-8s %-58s %s\n' memory "RSS after the drain" "$mem_end_rss MiB"
	printf '%-8s %-58s %s\n' memory "spool_dir on disk when PostgreSQL returns (du)" "$mem_wait_spool MiB"
	printf '%-8s %-58s %s\n' memory "first commit after PostgreSQL is back (writer back-off)" "$mem_reconnect_s s"
	printf '%-8s %-58s %s\n' memory "drain rate, first to last commit" "$mem_drain_rate rows/s ($mem_drain_s s)"
	printf '%-8s %-58s %s\n' all "rows in rejected_message (expected 0)" "$rejected"
	printf '\ncpu: µs of CPU per message        %10s %10s %10s %10s\n' drain live-full "live-$LIVE_RATE" memory
	for r in paho_rcv paho_send loop writer other total; do
		eval "printf '  enertrackd %-21s %10s %10s %10s %10s\n' $r \"\$drain_$r\" \"\$livefull_$r\" \"\$live5k_$r\" \"\$mem_$r\""
	done
	printf '  %-32s %10s %10s %10s %10s\n' "bare paho subscriber (process)" "$bare_cpu" - - -
	printf '  %-32s %10s %10s %10s %10s\n' "mosquitto" "$drain_mosq" "$livefull_mosq" "$live5k_mosq" "$memdrain_mosq"
	printf '  %-32s %10s %10s %10s %10s\n' "PostgreSQL (all processes)" "$drain_pg" "$livefull_pg" "$live5k_pg" "$memdrain_pg"
	printf '  (memory: enertrackd over waiting + drain; mosquitto and PostgreSQL over the drain only.\n'
	printf '   threads: %s; writer = busiest unnamed non-main thread)\n' "$drain_threads"
	printf '\ngoals (this run, drain of %s readings)  %12s %12s %12s %8s %s\n' "$N" enertrackd "node bridge" reference goal result
	printf '  %-38s %12s %12s %12s\n' "rows/s (reference: bare subscriber)" "$daemon_rate" "$peer_rate" "$(calc %.0f "$bare_rate")"
	printf '  %-38s %12s %12s %12s %8s %s\n' "  enertrackd / node bridge" "$goal_drain" "" "" ">= 1.5" "$goal_drain_ok"
	printf '  %-38s %12s %12s %12s\n' "CPU µs/message (ref.: bare subscriber)" "$drain_total" "$peer_cpu" "$bare_cpu"
	printf '  %-38s %12s %12s %12s %8s %s\n' "  enertrackd / bare subscriber" "$goal_cpu" "$(calc %.2f "$peer_cpu / $bare_cpu")" "" "<= 1.2" "$goal_cpu_ok"
	printf '  %-38s %12s %12s %12s %8s %s\n' "PostgreSQL CPU µs/row (ref.: bare COPY)" "$drain_pg" "$peer_pg" "$copy_pg" "<= 7" "$goal_pg_ok"
	printf '  %-38s %12s %12s %12s\n' "mosquitto CPU µs/message" "$drain_mosq" "$peer_mosq" ""
	# the status page on the demo's data (make bench-page, run before this)
	printf '  %-38s %12s %12s %12s %8s %s\n' "status page cold, all charts (s)" "$page_cold" "" "warm $page_warm" "<= 1.5" "$page_ok"
	printf '  (node bridge: bench/bridge/bridge.js, %s-row multi-row INSERT ... ON CONFLICT DO NOTHING or %s ms,\n' "$BRIDGE_ROWS" "$BRIDGE_MS"
	printf '   acks on receipt; bare COPY: %s rows/s, one \\copy of the same rows into an empty reading)\n' "$copy_rate"
	printf '\nsparkplug: enertrackd CPU µs/message, %s of each published while it runs (bench/sparkplug_cpu.sh)\n' "$SP_N"
	printf '  %-38s %12s\n' "v1 JSON, one reading, QoS 1" "$sp_v1" "Sparkplug B DDATA, 1.5 readings, QoS 0" "$sp_sp"
	printf '\nenertrackd log during phase 3 (%s warn/error lines):\n' "$mem_log_warn"
	printf '%s\n' "$mem_log_lines" | sed 's/^/  /'
	printf '\nrun time %d s; JSON in %s\n' "$elapsed" "$JSON"
}

cpu_json() {
	eval "printf '{\"paho_rcv\": %s, \"paho_send\": %s, \"loop\": %s, \"writer\": %s, \"other\": %s, \"total\": %s, \"mosquitto\": %s, \"postgres\": %s}' \
		\"\$$1_paho_rcv\" \"\$$1_paho_send\" \"\$$1_loop\" \"\$$1_writer\" \"\$$1_other\" \"\$$1_total\" \"\$$2_mosq\" \"\$$2_pg\""
}
mkdir -p "$(dirname "$JSON")"
cat >"$JSON" <<EOJ
{
  "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
  "cpus": $CPUS,
  "run_s": $elapsed,
  "params": {"n": $N, "mem_n": $MEM_N, "live_n": $LIVE_N, "live_rate": $LIVE_RATE, "live_s": $LIVE_S,
             "sites": $SITES, "batch_rows": $BATCH_ROWS, "flush_ms": $FLUSH_MS},
  "drain": {"publish_rate": $drain_pub_rate, "bare_rate": $bare_rate, "bare_s": $bare_s,
            "daemon_rate": $daemon_rate, "daemon_s": $daemon_s, "daemon_transactions": $drain_batches, "ratio": $drain_ratio, "daemon_peak_rss_mib": $drain_rss,
            "cores_busy": {"enertrackd": $drain_cores_d, "postgres": $drain_cores_pg, "mosquitto": $drain_cores_mq}},
  "live": {"publish_rate": $live_pub_rate, "commit_rate": $live_commit_rate, "commit_lag_s": $live_lag,
           "full_speed_latency_ms": {"p50": $livefull_p50, "p99": $livefull_p99, "max": $livefull_max,
                                     "to_received_p50": $livefull_rp50, "to_received_p99": $livefull_rp99,
                                     "received_to_commit_p50": $livefull_cp50, "received_to_commit_p99": $livefull_cp99},
           "fixed_rate": {"target": $LIVE_RATE, "publish_rate": $live5k_rate, "commit_rate": $live5k_commit_rate,
                          "max_late_ms": $live5k_late, "transactions": $live5k_batches,
                          "latency_ms": {"p50": $live5k_p50, "p99": $live5k_p99, "max": $live5k_max,
                                         "to_received_p50": $live5k_rp50, "to_received_p99": $live5k_rp99,
                                         "received_to_commit_p50": $live5k_cp50, "received_to_commit_p99": $live5k_cp99}}},
  "memory": {"idle_rss_mib": $mem_idle, "publish_rate": $mem_pub_rate, "wait_s": $mem_wait_s,
             "wait_hwm_mib": $mem_wait_hwm, "wait_peak_rss_mib": $mem_wait_peak, "wait_end_rss_mib": $mem_wait_rss,
             "drain_peak_rss_mib": $mem_drain_peak, "end_hwm_mib": $mem_end_hwm, "end_rss_mib": $mem_end_rss,
             "spool_mib": $mem_wait_spool, "reconnect_s": $mem_reconnect_s,
             "drain_rate": $mem_drain_rate, "drain_s": $mem_drain_s, "log_warn_error_lines": $mem_log_warn},
  "rejected": $rejected,
  "sparkplug_cpu": {"n": $SP_N, "v1_us_per_msg": $sp_v1, "sparkplug_us_per_msg": $sp_sp,
                    "script": "bench/sparkplug_cpu.sh"},
  "peer": {"name": "Node.js mqtt + pg bridge (bench/bridge)", "node": "$(node --version)",
           "mqtt": "$(node -p 'require(process.argv[1]).version' "$BRIDGE/node_modules/mqtt/package.json")",
           "pg": "$(node -p 'require(process.argv[1]).version' "$BRIDGE/node_modules/pg/package.json")",
           "batch_rows": $BRIDGE_ROWS, "flush_ms": $BRIDGE_MS, "drain_rate": $peer_rate, "drain_s": $peer_s,
           "transactions": $peer_batches, "cpu_us_per_msg": $peer_cpu, "postgres_us_per_row": $peer_pg,
           "mosquitto_us_per_msg": $peer_mosq, "same_rows_as_enertrackd": $peer_same},
  "copy": {"rate": $copy_rate, "s": $copy_s, "postgres_us_per_row": $copy_pg},
  "page": $page_json,
  "goals": {"drain_vs_peer": {"value": $goal_drain, "goal": ">= 1.5", "pass": $(json_bool "$goal_drain_ok")},
            "cpu_vs_bare": {"value": $goal_cpu, "goal": "<= 1.2", "pass": $(json_bool "$goal_cpu_ok")},
            "postgres_us_per_row": {"value": $drain_pg, "goal": "<= 7", "pass": $(json_bool "$goal_pg_ok"),
                                    "bare_copy": $copy_pg}},
  "cpu_us_per_msg": {
    "bare_subscriber": $bare_cpu,
    "drain": $(cpu_json drain drain),
    "live_full": $(cpu_json livefull livefull),
    "live_fixed": $(cpu_json live5k live5k),
    "memory": $(cpu_json mem memdrain)
  }
}
EOJ
