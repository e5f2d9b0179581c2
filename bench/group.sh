#!/bin/sh
# SPDX-License-Identifier: MIT
# `make bench-group` (and the end of `make bench`): 1, 2 and 3 enertrackd in
# one MQTT 5 shared subscription group ($share/bench/energy/#) draining the
# same backlog of BENCH_GROUP_N readings queued at the broker. The members
# subscribe, are killed (their sessions and the group's subscription stay),
# the backlog is published (mosquitto deals it out among the sessions), and
# all start at once. Prints the aggregate committed rate, each process's CPU
# per message it handled, PostgreSQL's CPU per row, and checks that every
# reading is in PostgreSQL once and that the members together received each
# message once. On two cores the rate is not expected to scale: the figure
# is the group's cost. Every wait is bounded.
# shellcheck disable=SC2154
set -eu

REPO=$(cd "$(dirname "$0")/.." && pwd)
: "${BUILD:=build}"
TEST_NAME=bench-group
. "$REPO/scripts/services.sh"

N=${BENCH_GROUP_N:-200000}
SITES=${BENCH_SITES:-150}
E=$BIN/etbench
[ -x "$E" ] || fail "$E is missing (make $BUILD/etbench)"
[ -x "$BIN/enertrackd" ] || fail "$BIN/enertrackd is missing (make all)"
CLK_TCK=$(getconf CLK_TCK)
calc() { awk "BEGIN { printf \"$1\", $2 }" </dev/null; }
kv() { sed -n "s/^$2=//p" "$1" | head -n 1; }
say() { printf 'bench-group: %s\n' "$*" >&2; }
ticks_of() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
pg_ticks() {
	pm=$(head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null) || { echo 0; return; }
	t=$(awk '{ sub(/.*\) /, ""); print $12 + $13 + $14 + $15 }' "/proc/$pm/stat" 2>/dev/null || echo 0)
	for c in $(ps -o pid= --ppid "$pm" 2>/dev/null); do t=$((t + $(ticks_of "$c"))); done
	echo "$t"
}

start_pg
q "ALTER SYSTEM SET track_commit_timestamp = on" >/dev/null
pg_stop
pg_start
# mosquitto without disk persistence (as bench/run.sh), queues unbounded
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
track $MQPID
wait_until 10 sh -c "ss -ltn | grep -q '127.0.0.1:$MQPORT '" || fail "mosquitto did not start"
MQURI="tcp://127.0.0.1:$MQPORT"
write_config "$T/enertrack.conf"
migrate >"$T/migrate.log" 2>&1 || fail "migrate failed: $(tail -n 5 "$T/migrate.log")"

# member K I: the configuration of member I of a group of K
member_conf() {
	f=$T/g$1-$2.conf
	write_config "$f" "[retention]" "interval_s = 0"
	sed -i -e "s/^client_id = .*/client_id = bench-g$1-$2/" -e 's|^topics = .*|topics = $share/bench/energy/#|' \
		-e "s|^spool_dir = .*|spool_dir = $T/spool-g$1-$2|" -e 's/^qos = 1$/qos = 1\nversion = 5/' \
		-e "s/^batch_rows = .*/batch_rows = ${BENCH_BATCH_ROWS:-5000}/" \
		-e "s/^flush_ms = .*/flush_ms = ${BENCH_FLUSH_MS:-200}/" "$f"
	echo "$f"
}
received() {
	addr=$(sed -n 's/^listen = //p' "$1")
	curl -s "http://$addr/metrics" | sed -n 's/^enertrack_messages_received_total //p'
}

RESULTS=""
for k in 1 2 3; do
	q "TRUNCATE reading, reading_hourly, reading_correction, site CASCADE" >/dev/null
	# the sessions and the group's subscription, then the members go (no clean stop:
	# a clean stop would unsubscribe)
	pids=""
	for i in $(seq 1 "$k"); do
		start_daemon "$(member_conf "$k" "$i")" "$T/g$k-$i.log"
		pids="$pids $DPID"
	done
	sleep 0.5
	for p in $pids; do kill -KILL "$p"; wait "$p" 2>/dev/null || true; done
	say "$k member(s): queueing $N readings"
	"$E" publish --uri "$MQURI" --count "$N" --sites "$SITES" --tag "g$k" --timeout 300 \
		>"$T/g$k.pub" 2>"$T/g$k.pub.err" || fail "etbench publish failed: $(tail -n 3 "$T/g$k.pub.err")"
	pg0=$(pg_ticks)
	t0=$(date +%s.%N)
	pids=""
	for i in $(seq 1 "$k"); do
		"$BIN/enertrackd" -c "$T/g$k-$i.conf" >>"$T/g$k-$i.log" 2>&1 &
		pids="$pids $!"
		track $!
	done
	first=${pids# }
	first=${first%% *}
	"$PY" "$REPO/bench/waitrows.py" "$PGCONN" "$N" "$(kv "$T/g$k.pub" last_site)" \
		"$(kv "$T/g$k.pub" last_metric)" "$(kv "$T/g$k.pub" last_ts)" $((60 + N / 2000)) "$first" \
		enertrackd >"$T/waitrows.out" 2>"$T/waitrows.err" ||
		fail "$k member(s): not every row committed: $(cat "$T/waitrows.err")"
	t1=$(q "SELECT extract(epoch FROM max(pg_xact_commit_timestamp(xmin))) FROM reading")
	pg1=$(pg_ticks)
	rows=$(q "SELECT count(*) FROM reading")
	[ "$rows" = "$N" ] || fail "$k member(s): $rows rows, expected $N"
	rate=$(calc %.0f "$N / ($t1 - $t0)")
	sum=0
	per=""
	i=0
	for p in $pids; do
		i=$((i + 1))
		got=$(received "$T/g$k-$i.conf")
		got=${got:-0}
		sum=$((sum + got))
		us=$(calc %.1f "$(ticks_of "$p") * 1e6 / $CLK_TCK / ($got > 0 ? $got : 1)")
		per="$per${per:+, }$got msg at $us µs/msg"
	done
	pgus=$(calc %.1f "($pg1 - $pg0) * 1e6 / $CLK_TCK / $N")
	[ "$sum" = "$N" ] || fail "$k member(s): the members received $sum messages for $N readings"
	for p in $pids; do kill -TERM "$p"; done
	for p in $pids; do wait "$p" || fail "a member exited $? after SIGTERM"; done
	line=$(printf '%-9s %9s %10s %9s %s' "$k" "$rate" "$rows" "$pgus" "$per")
	say "$line"
	RESULTS="$RESULTS$line
"
	# (a member stopped with SIGTERM has left the group: nothing more is queued for it)
done

printf '\nenertrack bench-group: %s, %s CPUs, %s readings queued for a $share group, %s sites; PostgreSQL and mosquitto as make bench\n' \
	"$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(nproc)" "$N" "$SITES"
printf '%-9s %9s %10s %9s %s\n' members "rows/s" "rows" "pg µs/row" "per member: messages received, CPU µs per message"
printf '%s' "$RESULTS"
printf '(rows: every reading once; the members together received each message once)\n'
