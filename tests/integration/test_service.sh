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
for f in usr/bin/enertrackd usr/bin/enertrack usr/share/enertrack/sql/001_ingest.sql \
	usr/share/enertrack/sql/002_targets.sql etc/enertrack/enertrack.conf lib/systemd/system/enertrackd.service; do
	[ -f "$T/pkg/$f" ] || fail "make install did not install $f"
done
grep -q "^ExecStart=/usr/bin/enertrackd -c /etc/enertrack/enertrack.conf" "$T/pkg/lib/systemd/system/enertrackd.service" ||
	fail "unit ExecStart not adjusted to PREFIX"
"$T/pkg/usr/bin/enertrackd" -c "$T/pkg/etc/enertrack/enertrack.conf" --check-config >/dev/null || fail "installed config invalid"
if command -v systemd-analyze >/dev/null; then
	systemd-analyze verify --man=no "$T/pkg/lib/systemd/system/enertrackd.service" 2>"$T/verify.txt" ||
		log "systemd-analyze verify: $(cat "$T/verify.txt")"
fi
make -s -C "$REPO" uninstall DESTDIR="$T/pkg" PREFIX=/usr >/dev/null
[ ! -e "$T/pkg/usr/bin/enertrackd" ] && [ ! -e "$T/pkg/usr/share/enertrack" ] || fail "uninstall left files"
[ -f "$T/pkg/etc/enertrack/enertrack.conf" ] || fail "uninstall removed the operator's configuration"
log "ok: $(sort -u "$T/notify.txt" | sed 's/=.*//' | sort -u | tr '\n' ' ')"
