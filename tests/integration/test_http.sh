#!/bin/sh
# SPDX-License-Identifier: MIT
# The HTTP endpoints. /healthz stays answerable while 200 idle connections
# (reopened as the daemon times them out) and 200 slow ones (half a request
# line, a byte a second) are held for 12 s: every probe answered 200 within
# 1 s; idle connections are closed by the daemon; a request line with a NUL
# byte is answered or closed rather than held open. Then the answers
# themselves (keep-alive, HEAD, 404, 405), listening on [::1], and 503
# "stopping" while a SIGTERM waits for PostgreSQL.
. "$(dirname "$0")/lib.sh"

start_pg
start_mosquitto
write_config "$T/enertrack.conf"
migrate >/dev/null
start_daemon
HTTP=$(sed -n 's/^listen = //p' "$T/enertrack.conf")

timeout 40 $PY "$REPO/tests/integration/http_flood.py" "$HTTP" 12 200 200 >"$T/flood.txt" 2>&1 ||
	fail "flood: $(cat "$T/flood.txt")"
log "$(tr '\n' ' ' <"$T/flood.txt")"
kill -0 "$DPID" || fail "the daemon died under the flood"
log "ok: /healthz answered under 200 idle and 200 slow connections"
out=$(timeout 20 $PY "$REPO/tests/integration/http_check.py" "$HTTP" 2>&1) || fail "$out"
log "$out"
stop_daemon

# IPv6, bracketed
if ip -6 addr show lo 2>/dev/null | grep -q 'inet6 ::1/'; then
	port=$(free_port)
	sed -i "s/^listen = .*/listen = [::1]:$port/" "$T/enertrack.conf"
	start_daemon
	out=$(timeout 20 $PY "$REPO/tests/integration/http_check.py" "[::1]:$port" 2>&1) || fail "[::1]: $out"
	log "ok: listening on [::1]:$port"
	stop_daemon
	sed -i "s/^listen = .*/listen = $HTTP/" "$T/enertrack.conf"
else
	log "no ::1 on this machine: IPv6 not checked"
fi

# A SIGTERM with a reading PostgreSQL has not taken: the drain waits, and
# meanwhile /healthz answers 503 "stopping" rather than refusing connections.
start_daemon
pg_stop
printf 'energy/mine/http-1/raw_coal\t{"ts":"2024-01-01T00:00:00Z","value":1,"unit":"t"}\n' | publish 2>/dev/null
n=0
until [ "$(metric enertrack_pending_readings)" = 1 ]; do
	n=$((n + 1))
	[ "$n" -lt 200 ] || fail "the reading did not arrive"
	sleep 0.1
done
kill -TERM "$DPID"
healthz() {
	$PY -c 'import sys, urllib.request, urllib.error
try:
    r = urllib.request.urlopen("http://" + sys.argv[1] + "/healthz", timeout=5); print(r.status, r.read().decode(), end="")
except urllib.error.HTTPError as e:
    print(e.code, e.read().decode(), end="")' "$HTTP"
}
wait_until 10 sh -c "grep -q 'stopping: no new messages' '$T/daemon.log'" || fail "no drain"
got=$(healthz 2>&1)
[ "$got" = "503 stopping" ] || fail "/healthz while stopping: '$got'"
pg_start
rc=0
wait "$DPID" || rc=$?
[ "$rc" = 0 ] || fail "enertrackd exited $rc after SIGTERM"
[ "$(rows)" = 1 ] || fail "the reading was not written"
log "ok: /healthz says '$got' while a SIGTERM waits for PostgreSQL"
