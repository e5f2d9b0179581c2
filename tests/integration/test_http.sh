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

# A loop that does not turn: SIGHUP with the configuration file replaced by
# a FIFO keeps the loop in open(2) until we open the other end. /healthz
# then answers 503 after about 1 s, the next one at once (until the loop
# runs again), and /nothing at once.
timed_get() {
	$PY -c 'import sys, time, urllib.request, urllib.error
t = time.monotonic()
try:
    r = urllib.request.urlopen("http://" + sys.argv[1] + sys.argv[2], timeout=5); st, body = r.status, r.read()
except urllib.error.HTTPError as e:
    st, body = e.code, e.read()
print("%d %.2f %s" % (st, time.monotonic() - t, body.decode().strip()))' "$HTTP" "$1"
}
mv "$T/enertrack.conf" "$T/enertrack.conf.real"
mkfifo "$T/enertrack.conf"
kill -HUP "$DPID"
wait_until 5 grep -q "SIGHUP: reloading" "$T/daemon.log" || fail "no SIGHUP"
stalled=$(timed_get /healthz)
again=$(timed_get /healthz)
notfound=$(timed_get /nothing)
: >"$T/enertrack.conf" # the loop's open(2) returns
rm "$T/enertrack.conf"
mv "$T/enertrack.conf.real" "$T/enertrack.conf"
log "loop blocked: /healthz: $stalled; again: $again; /nothing: $notfound"
echo "$stalled" | grep -Eq '^503 (0\.9[0-9]|[12]\.[0-9][0-9]) the event loop did not answer within 1 s$' ||
	fail "/healthz with the loop blocked: $stalled"
# the next one does not wait again for a loop known to be late
echo "$again" | grep -Eq '^503 0\.[0-4]' || fail "/healthz again with the loop blocked: $again"
echo "$notfound" | grep -Eq '^404 0\.[0-4]' || fail "/nothing with the loop blocked: $notfound"
wait_until 10 grep -q "keeping the old one" "$T/daemon.log" || fail "the loop did not resume"
[ "$(timed_get /healthz | cut -d' ' -f1)" = 200 ] || fail "/healthz after the loop resumed"
log "ok: /healthz answers 503 after 1 s while the loop is blocked"
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
