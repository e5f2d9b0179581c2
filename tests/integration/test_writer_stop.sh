#!/bin/sh
# SPDX-License-Identifier: MIT
# Stopping does not block the loop on the writer thread: with the writer
# held in a connect to a "PostgreSQL" that accepts and never answers (libpq
# waits up to connect_timeout, 10 s), SIGTERM leaves the loop turning, so
# /healthz answers 503 "stopping" at once instead of timing out on a blocked
# loop; the thread is joined when it says it ended, and the daemon exits 0.
. "$(dirname "$0")/lib.sh"

start_mosquitto
# a server that accepts connections and says nothing
HOLE=$(free_port)
$PY -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16)
held = []
while True:
    c, _ = s.accept(); held.append(c); print("accepted", flush=True)' "$HOLE" >"$T/hole.log" 2>&1 &
track $!
wait_until 10 sh -c "ss -ltn | grep -q '127.0.0.1:$HOLE '" || fail "the silent server did not start"
PGCONN="host=127.0.0.1 port=$HOLE user=nobody dbname=none"
write_config "$T/enertrack.conf"
HTTP=$(sed -n 's/^listen = //p' "$T/enertrack.conf")
start_daemon
# the writer connects at once: once the silent server has accepted it, the
# writer is inside PQconnectdbParams, waiting for an answer that never comes
wait_until 20 grep -q accepted "$T/hole.log" || fail "the writer did not connect to the silent server"
t0=$(date +%s)
kill -TERM "$DPID"
wait_until 10 grep -q "state: .* -> draining (SIGTERM)" "$T/daemon.log" || fail "SIGTERM not handled"
hz=$($PY -c 'import sys, time, urllib.request, urllib.error
t = time.monotonic()
try:
    r = urllib.request.urlopen("http://%s/healthz" % sys.argv[1], timeout=5); code, body = r.status, r.read()
except urllib.error.HTTPError as e: code, body = e.code, e.read()
except Exception as e: code, body = "error", str(e).encode()
print("%s %.1f %s" % (code, time.monotonic() - t, body.decode().strip()))' "$HTTP")
log "/healthz after SIGTERM: $hz"
case "$hz" in
"503 0."*" stopping") ;;
*) fail "/healthz during the stop: $hz (want 503 \"stopping\" at once: the loop must not wait for the writer)" ;;
esac
rc=0
wait "$DPID" || rc=$?
[ "$rc" = 0 ] || fail "enertrackd exited $rc after SIGTERM"
took=$(($(date +%s) - t0))
[ "$took" -le 20 ] || fail "the stop took $took s"
grep -q "state: draining -> closing" "$T/daemon.log" || fail "no state transition to closing in the log"
log "ok: the loop answered while the writer finished its connect; exit 0 after $took s"
