#!/bin/sh
# SPDX-License-Identifier: MIT
# PostgreSQL restarts while the daemon is between two readings: every line
# the daemon writes is a log line (timestamp, enertrackd[pid], level), the
# server's "FATAL: terminating connection" included. libpq reads that FATAL
# while the connection is idle and hands it to the notice processor, whose
# default prints it raw on stderr.
. "$(dirname "$0")/lib.sh"

start_pg
start_mosquitto
write_config "$T/enertrack.conf"
migrate >/dev/null || fail "migrate failed"
start_daemon

now_ms() { echo $(($(date +%s%N) / 1000000)); }
reading() {
	printf 'energy/mine/restart/raw_coal\t{"ts":"2024-06-01T00:%02d:00+08:00","value":1,"unit":"t"}\n' "$1" |
		publish 2>>"$T/pub.log" || fail "publish failed: $(cat "$T/pub.log")"
}
stored() { [ "$(psql "$PGCONN" -XAtqc "SELECT count(*) FROM reading WHERE site_id = 'restart'")" = "$1" ]; }
fatals() { grep -c 'FATAL' "$T/daemon.log" || true; }
more_fatals() { [ "$(fatals)" -gt "$1" ]; }
# The writer looks at its idle connection every 2 s. Each round: a reading
# is stored; PostgreSQL restarts under the idle writer; once the writer's
# look has read the server's FATAL (it is in the log: before the fix in
# pgwriter.c's idle look it never was), the next reading is published, and
# it too must be stored.
n=0
for round in 1 2 3; do
	reading $n
	n=$((n + 1))
	wait_until 30 stored $n || fail "round $round: reading $n not stored"
	before=$(fatals)
	pg_stop
	pg_start
	wait_until 30 more_fatals "$before" ||
		fail "round $round: the server's FATAL did not reach the log"
	reading $n
	n=$((n + 1))
	wait_until 30 stored $n || fail "round $round: reading $n not stored after the restart"
done
stop_daemon

# every line has the log's prefix
re='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z enertrackd\[[0-9]+\] (error|warn|info|debug): '
bad=$(grep -Evc "$re" "$T/daemon.log" || true)
[ "$bad" = 0 ] || fail "$bad lines without the log prefix, e.g.: $(grep -Ev "$re" "$T/daemon.log" | head -3)"
fatal=$(grep -c 'FATAL' "$T/daemon.log" || true)
[ "$fatal" -gt 0 ] || fail "the server's FATAL is not in the log"
log "ok ($fatal FATAL lines in 3 restarts, all with the log prefix)"
