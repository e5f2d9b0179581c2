#!/bin/sh
# SPDX-License-Identifier: MIT
# Durability: nothing is lost, nothing doubles, whatever fails in between.
# 100 000 readings are published in five parts while PostgreSQL is stopped
# for 20 s, enertrackd is killed with SIGKILL twice (once while the backlog
# waits in its spool for PostgreSQL) and restarted, and mosquitto
# (persistence on) is restarted once. Then: exactly 100 000 rows, every
# value right, no correction (a replayed reading is a duplicate, not a
# change), nothing rejected, and an empty spool after a clean stop.
. "$(dirname "$0")/lib.sh"

start_pg
start_mosquitto
write_config "$T/enertrack.conf"
migrate >/dev/null
$PY "$REPO/tests/integration/gen_readings.py" --sites 100 --per-site 1000 --prefix du \
	--expect "$T/expect.tsv" >"$T/msgs.txt"
split -l 20000 -d "$T/msgs.txt" "$T/part."
T0=$(date +%s)
peak_spool=0
peak_rss=0
sample() {
	b=$(metric enertrack_spool_bytes)
	[ -n "$b" ] && [ "$b" -gt "$peak_spool" ] && peak_spool=$b
	r=$(sed -n 's/^VmHWM:[^0-9]*\([0-9]*\).*/\1/p' "/proc/$DPID/status" 2>/dev/null || true)
	[ -n "$r" ] && [ "$r" -gt "$peak_rss" ] && peak_rss=$r
	true
}
kill9() { # kill9 WHAT: SIGKILL, and say what was where
	sample
	kill -KILL "$DPID"
	wait "$DPID" 2>/dev/null || true
	log "SIGKILL $1"
}
published=0
pub() {
	publish <"$T/part.$1" 2>>"$T/pub.log" || fail "publish of part $1 failed: $(tail -3 "$T/pub.log")"
	published=$((published + $(wc -l <"$T/part.$1")))
}

# part 0: killed mid-stream
start_daemon
publish <"$T/part.00" 2>>"$T/pub.log" &
P=$!
PIDS="$PIDS $P"
wait_until 30 sh -c "[ \$(psql '$PGCONN' -XAtqc 'SELECT count(*) FROM reading') -gt 3000 ]" ||
	fail "no readings arrived"
kill9 "mid-stream, with $(rows) rows committed"
wait "$P" || fail "publish of part 0 failed"
published=20000
start_daemon

# parts 1 and 2 while PostgreSQL is down for 20 s; SIGKILL with the
# backlog in the spool, restart with PostgreSQL still down
pg_stop
DOWN=$(date +%s)
pub 01
appended() { metric 'enertrack_spool_records_total{event="appended"}'; }
i=0
while [ "$(appended)" -lt 20000 ] 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
[ "$(appended)" -ge 20000 ] || fail "part 1 was not spooled: $(appended) records"
sample
kill9 "with PostgreSQL down and $(metric enertrack_spool_bytes) bytes in the spool"
start_daemon
pub 02
wait_until 25 sh -c "[ \$(( \$(date +%s) - $DOWN )) -ge 20 ]" || true
sample
log "PostgreSQL down for $(($(date +%s) - DOWN)) s; spool $(metric enertrack_spool_bytes) bytes"
pg_start
UP=$(date +%s)
wait_until $((60 * WAIT_SCALE)) sh -c "[ \$(psql '$PGCONN' -XAtqc 'SELECT count(*) FROM reading') -ge 60000 ]" ||
	fail "the backlog did not drain: $(rows) rows"
DRAIN=$(($(date +%s) - UP))
log "backlog drained within ${DRAIN} s of PostgreSQL's return"

# part 3, then the broker restarts (its persistence keeps our session), parts 4
pub 03
stop_mosquitto
MQ_OLD=$MQPORT
mosquitto -c "$T/mq/mosquitto.conf" &
MQPID=$!
PIDS="$PIDS $MQPID"
wait_until 10 sh -c "ss -ltn | grep -q '127.0.0.1:$MQ_OLD '" || fail "mosquitto did not restart"
wait_until 60 grep -q "mqtt: reconnected" "$T/daemon.log" || fail "no reconnect to the broker"
pub 04
wait_until $((60 * WAIT_SCALE)) sh -c "[ \$(psql '$PGCONN' -XAtqc 'SELECT count(*) FROM reading') -ge 100000 ]" ||
	fail "have $(rows) of 100000 rows"
sample
sleep 1
n=$(rows)
[ "$n" = 100000 ] || fail "expected 100000 rows, have $n"
bad=$(expect_missing "$T/expect.tsv")
[ "$bad" = 0 ] || fail "$bad readings missing or wrong"
[ "$(q "SELECT count(*) FROM reading WHERE corrections > 0")" = 0 ] || fail "a replay changed a value"
[ "$(q "SELECT count(*) FROM rejected_message")" = 0 ] || fail "rejected: $(q 'SELECT reason FROM rejected_message LIMIT 3')"
grep -q "lost the connection to the broker" "$T/daemon.log" || fail "the broker's loss was not logged"
[ "$(grep -c "lost the connection to the broker" "$T/daemon.log")" = 1 ] ||
	fail "the broker's loss was logged more than once"
dups=$(metric 'enertrack_readings_total{outcome="duplicate"}')
stop_daemon
left=$(find "$T/spool" -name '*.seg' | wc -l)
[ "$left" = 0 ] || fail "$left spool segments left after a clean stop"
log "ok: published $published, rows $n, wrong 0, duplicates written as new 0 (replayed and skipped as duplicate since the last start: ${dups:-?}), spool peak $peak_spool bytes, RSS peak $((peak_rss / 1024)) MB, drain ${DRAIN} s, total $(($(date +%s) - T0)) s"
