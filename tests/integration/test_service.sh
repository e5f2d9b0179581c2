#!/bin/sh
# SPDX-License-Identifier: MIT
# Running as a service: the sd_notify protocol against a NOTIFY_SOCKET the
# test reads (READY=1 once connected, STATUS=, WATCHDOG=1, RELOADING=1 and
# READY=1 around SIGHUP, STOPPING=1); SIGHUP with a good file (applied) and a
# bad one (kept, file:line:key logged); `make install DESTDIR=...`.
. "$(dirname "$0")/lib.sh"

start_pg
start_mosquitto
write_config "$T/enertrack.conf"
migrate >/dev/null

$PY "$REPO/tests/integration/notify_sink.py" "$T/notify.sock" "$T/notify.txt" &
PIDS="$PIDS $!"
wait_until 10 test -S "$T/notify.sock" || fail "notify sink did not start"
NOTIFY_SOCKET=$T/notify.sock WATCHDOG_USEC=1000000 sh -c \
	'WATCHDOG_PID=$$ exec "$0" -c "$1"' "$BIN/enertrackd" "$T/enertrack.conf" >>"$T/daemon.log" 2>&1 &
DPID=$!
PIDS="$PIDS $DPID"
wait_until 30 grep -qx "READY=1" "$T/notify.txt" || fail "no READY=1: $(cat "$T/notify.txt")"
wait_until 10 grep -q "^WATCHDOG=1" "$T/notify.txt" || fail "no WATCHDOG=1"
wait_until 15 grep -q "^STATUS=.*broker up, PostgreSQL up" "$T/notify.txt" || fail "no STATUS=: $(cat "$T/notify.txt")"

# SIGHUP, good file: the new log level applies
sed -i 's/^level = info/level = debug/' "$T/enertrack.conf"
kill -HUP "$DPID"
wait_until 10 grep -q "SIGHUP: reloaded" "$T/daemon.log" || fail "reload not logged"
wait_until 10 grep -q "^RELOADING=1" "$T/notify.txt" || fail "no RELOADING=1"
[ "$(grep -cx "READY=1" "$T/notify.txt")" -ge 2 ] || fail "no READY=1 after the reload"
# SIGHUP, bad file: the old configuration stays, the error names file, line and key
printf '[ingest]\nmax_future_s = soon\n' >>"$T/enertrack.conf"
kill -HUP "$DPID"
wait_until 10 grep -q "keeping the old one" "$T/daemon.log" || fail "bad reload not refused"
grep -q "enertrack.conf:[0-9]*: \[ingest\] max_future_s: must be a whole number" "$T/daemon.log" ||
	fail "the bad key is not named"
kill -0 "$DPID" || fail "the daemon died on a bad reload"
printf 'energy/mine/svc-1/raw_coal\t{"ts":"2024-01-01T00:00:00Z","value":1,"unit":"t"}\n' | publish 2>/dev/null
wait_until 20 sh -c "[ \"\$(psql '$PGCONN' -XAtqc 'SELECT count(*) FROM reading')\" = 1 ]" || fail "ingest after reloads"
stop_daemon
grep -qx "STOPPING=1" "$T/notify.txt" || fail "no STOPPING=1"

# make install into a staging directory, and uninstall
make -s -C "$REPO" install BUILD="$BUILD" DESTDIR="$T/pkg" PREFIX=/usr >/dev/null
for f in usr/bin/enertrackd usr/bin/enertrack usr/share/enertrack/sql/013_baseline.sql \
	usr/share/enertrack/sql/functions/target_progress_at.sql usr/share/enertrack/sql/views/target_progress.sql \
	usr/share/enertrack/sql/objects.list etc/enertrack/enertrack.conf lib/systemd/system/enertrackd.service \
	usr/share/man/man1/enertrack.1 usr/share/man/man5/enertrack.conf.5 usr/share/man/man8/enertrackd.8; do
	[ -f "$T/pkg/$f" ] || fail "make install did not install $f"
done
grep -q "^ExecStart=/usr/bin/enertrackd -c /etc/enertrack/enertrack.conf" "$T/pkg/lib/systemd/system/enertrackd.service" ||
	fail "unit ExecStart not adjusted to PREFIX"
"$T/pkg/usr/bin/enertrackd" -c "$T/pkg/etc/enertrack/enertrack.conf" --check-config >/dev/null || fail "installed config invalid"
[ "$(stat -c %a "$T/pkg/etc/enertrack/enertrack.conf")" = 644 ] ||
	fail "the configuration must be readable by the unit's DynamicUser"
for m in enertrack.1 enertrack.conf.5 enertrackd.8; do
	w=$(MANWIDTH=80 man --warnings -E UTF-8 -l "$REPO/man/$m" 2>&1 >/dev/null | head -3)
	[ -z "$w" ] || fail "man page $m: $w"
done
# the unit as installed, pointed at the staged binary
sed "s|^ExecStart=/usr/bin/|ExecStart=$T/pkg/usr/bin/|" "$T/pkg/lib/systemd/system/enertrackd.service" \
	>"$T/enertrackd.service"
systemd-analyze verify --man=no "$T/enertrackd.service" >"$T/verify.txt" 2>&1 ||
	fail "systemd-analyze verify: $(cat "$T/verify.txt")"
exposure=$(systemd-analyze security --offline=yes "$T/enertrackd.service" 2>/dev/null |
	sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
[ -n "$exposure" ] && awk -v e="$exposure" 'BEGIN { exit !(e <= 2.0) }' ||
	fail "systemd-analyze security: exposure ${exposure:-?} (must be 2.0 or lower)"
log "systemd-analyze security --offline=yes: exposure $exposure"
make -s -C "$REPO" uninstall DESTDIR="$T/pkg" PREFIX=/usr >/dev/null
[ ! -e "$T/pkg/usr/bin/enertrackd" ] && [ ! -e "$T/pkg/usr/share/enertrack" ] || fail "uninstall left files"
[ -f "$T/pkg/etc/enertrack/enertrack.conf" ] || fail "uninstall removed the operator's configuration"
log "ok: $(sort -u "$T/notify.txt" | sed 's/=.*//' | sort -u | tr '\n' ' ')"

# /metrics and /healthz: names present, counters moving, 503 with a reason
# when PostgreSQL stops and 200 when it returns
HTTP=$(sed -n 's/^listen = //p' "$T/enertrack.conf")
sed -i '/^max_future_s = soon$/d' "$T/enertrack.conf"
start_daemon
get() { $PY -c 'import sys, urllib.request, urllib.error
try:
    r = urllib.request.urlopen("http://" + sys.argv[1] + sys.argv[2], timeout=5); print(r.status); print(r.read().decode())
except urllib.error.HTTPError as e:
    print(e.code); print(e.read().decode())' "$HTTP" "$1"; }
get /metrics >"$T/m1.txt"
for name in enertrack_messages_received_total 'enertrack_readings_total{outcome="written"}' \
	'enertrack_rejected_total{reason="bad_json"}' enertrack_write_batch_seconds_bucket \
	enertrack_broker_up enertrack_postgres_up enertrack_broker_reconnects_total enertrack_pending_readings; do
	grep -qF "$name" "$T/m1.txt" || fail "/metrics lacks $name"
done
printf 'energy/mine/svc-2/raw_coal\t{"ts":"2024-01-01T00:00:00Z","value":1,"unit":"t"}\nenergy/mine/svc-2/raw_coal\tnot json\n' | publish 2>/dev/null
wait_until 20 sh -c "[ \"\$(psql '$PGCONN' -XAtqc 'SELECT count(*) FROM reading')\" = 2 ]" || fail "no reading"
# the counters follow the write: wait for them rather than for a time
counted() {
	get /metrics >"$T/m2.txt"
	grep -q '^enertrack_readings_total{outcome="written"} 1$' "$T/m2.txt" &&
		grep -q '^enertrack_rejected_total{reason="bad_json"} 1$' "$T/m2.txt"
}
wait_until 10 counted || true
grep -q '^enertrack_readings_total{outcome="written"} 1$' "$T/m2.txt" || fail "written counter: $(grep written "$T/m2.txt")"
grep -q '^enertrack_rejected_total{reason="bad_json"} 1$' "$T/m2.txt" || fail "rejected counter"
grep -q '^enertrack_write_batch_seconds_count [1-9]' "$T/m2.txt" || fail "latency histogram"
[ "$(get /healthz | sed -n 1p)" = 200 ] || fail "/healthz not 200: $(get /healthz)"
pg_stop
wait_until 30 sh -c "$(command -v true) && [ \"\$($PY -c 'import urllib.request,urllib.error,sys
try: print(urllib.request.urlopen(\"http://$HTTP/healthz\", timeout=5).status)
except urllib.error.HTTPError as e: print(e.code)')\" = 503 ]" || fail "/healthz did not turn 503 with PostgreSQL down"
log "PostgreSQL down: /healthz says: $(get /healthz | tail -n +2)"
pg_start
wait_until 60 sh -c "[ \"\$($PY -c 'import urllib.request,urllib.error
try: print(urllib.request.urlopen(\"http://$HTTP/healthz\", timeout=5).status)
except urllib.error.HTTPError as e: print(e.code)')\" = 200 ]" || fail "/healthz did not return to 200"
[ "$(get /nothing | sed -n 1p)" = 404 ] || fail "unknown path not 404"
stop_daemon
log "ok: /metrics and /healthz"
