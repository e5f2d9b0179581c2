#!/bin/sh
# SPDX-License-Identifier: MIT
# SIGTERM: the daemon stops taking messages, commits every reading
# it received and exits 0; the persistent session (clean session off, QoS 1)
# keeps what arrived at the broker meanwhile, so after a restart every one
# of 30 000 readings is in PostgreSQL exactly once.
. "$(dirname "$0")/lib.sh"

start_pg
start_mosquitto
write_config "$T/enertrack.conf"
migrate >/dev/null
start_daemon
$PY "$REPO/tests/integration/gen_readings.py" --sites 30 --per-site 1000 --prefix sd --expect "$T/expect.tsv" >"$T/msgs.txt"
publish <"$T/msgs.txt" 2>"$T/pub.log" &
PUB=$!
PIDS="$PIDS $PUB"
# stop the daemon while messages are still arriving
wait_until 30 sh -c "[ \"\$(psql '$PGCONN' -XAtqc 'SELECT count(*) FROM reading')\" -gt 2000 ]" ||
	fail "no readings arrived"
stop_daemon
received=$(sed -n 's/.*stopped: [0-9]* messages, \([0-9]*\) readings.*/\1/p' "$T/daemon.log")
rows=$(q "SELECT count(*) FROM reading")
[ -n "$received" ] && [ "$received" = "$rows" ] || fail "received $received readings but committed $rows"
log "SIGTERM after $received readings: all $rows committed, exit 0"
wait "$PUB" || fail "publish failed: $(cat "$T/pub.log")"
[ "$rows" -lt 30000 ] || log "(the daemon had received everything before SIGTERM)"

# restart: the broker kept the rest for the persistent session
start_daemon
wait_until 60 sh -c "[ \"\$(psql '$PGCONN' -XAtqc 'SELECT count(*) FROM reading')\" = 30000 ]" ||
	fail "after restart: $(q 'SELECT count(*) FROM reading') of 30000 readings"
[ "$(q "SELECT count(*) FROM reading WHERE corrections > 0")" = 0 ] || fail "corrections after a restart"
stop_daemon
log "ok: 30000 readings, each once, across a SIGTERM and a restart"
