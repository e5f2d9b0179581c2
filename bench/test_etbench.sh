#!/bin/sh
# SPDX-License-Identifier: MIT
# `make bench-test`: checks of the bench's own tools (bench/run.sh's
# measurements depend on them), with a scripted MQTT 3.1.1 broker and a
# private PostgreSQL (scripts/services.sh).
#
#  late SUBACK  A persistent session's backlog comes before the SUBACK (the
#               broker queues it behind the backlog): `etbench count` must keep
#               counting while messages come, however late the SUBACK is. The
#               fake broker sends a message every 0.25 s for 11 s, then the
#               SUBACK, then two more.
#  one session  run.sh's wait_rows polls `reading` on one PostgreSQL session:
#               a session per poll costs PostgreSQL tens of ms of CPU each,
#               counted as the writer's CPU per row. Counted from the server's
#               log (log_connections) over a 3 s wait that times out.
# shellcheck disable=SC2034 # used by scripts/services.sh and the sourced wait_rows
set -eu

REPO=$(cd "$(dirname "$0")/.." && pwd)
: "${BUILD:=build}"
TEST_NAME=test_etbench
. "$REPO/scripts/services.sh"
E=$BIN/etbench
[ -x "$E" ] || fail "$E is missing (make $BUILD/etbench)"

/usr/bin/python3 - "$T/port" >"$T/broker.log" 2>&1 <<'EOP' &
import os, socket, struct, sys, threading, time

def varint(n):
    out = b""
    while True:
        b, n = n % 128, n // 128
        out += bytes([b | (0x80 if n else 0)])
        if not n:
            return out

def packet(first, body):
    return bytes([first]) + varint(len(body)) + body

def publish(pid, topic, payload):
    t = topic.encode()
    return packet(0x32, struct.pack(">H", len(t)) + t + struct.pack(">H", pid) + payload.encode())

def read_packet(s):
    h = s.recv(1)
    if not h:
        return None, None
    n, mult = 0, 1
    while True:
        b = s.recv(1)[0]
        n += (b & 0x7F) * mult
        mult *= 128
        if not b & 0x80:
            break
    body = b""
    while len(body) < n:
        chunk = s.recv(n - len(body))
        if not chunk:
            return None, None
        body += chunk
    return h[0], body

srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(1)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(srv.getsockname()[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
srv.settimeout(30)
c, _ = srv.accept()
first, _ = read_packet(c)
assert first == 0x10, "expected CONNECT"
c.sendall(bytes([0x20, 2, 1, 0]))  # CONNACK, session present
sub = threading.Event()
sub_pid = [0]

def reader():
    while True:
        first, body = read_packet(c)
        if first is None:
            return
        if first == 0x82:
            sub_pid[0] = struct.unpack(">H", body[:2])[0]
            sub.set()
        elif first == 0xC0:
            c.sendall(bytes([0xD0, 0]))

threading.Thread(target=reader, daemon=True).start()
pid = 0
for _ in range(44):
    pid += 1
    c.sendall(publish(pid, "energy/mine/x/raw_coal", '{"n":%d}' % pid))
    time.sleep(0.25)
assert sub.wait(5), "no SUBSCRIBE"
print("suback after", pid, "messages", flush=True)
c.sendall(packet(0x90, struct.pack(">H", sub_pid[0]) + b"\x01"))
for _ in range(2):
    pid += 1
    c.sendall(publish(pid, "energy/mine/x/raw_coal", '{"n":%d}' % pid))
print("sent", pid, flush=True)
time.sleep(5)
EOP
PIDS="$PIDS $!"
wait_until 5 test -s "$T/port" || fail "the fake broker did not start: $(cat "$T/broker.log")"

# ---- late SUBACK
# 11 s of messages at 4 a second, plus two after the SUBACK
want=$((11 * 4 + 2))
rc=0
"$E" count --uri "tcp://127.0.0.1:$(cat "$T/port")" --client-id late-suback --count "$want" \
	--timeout 30 >"$T/count.out" 2>"$T/count.err" || rc=$?
sent=$(sed -n 's/^sent //p' "$T/broker.log")
got=$(sed -n 's/^received=//p' "$T/count.out")
if [ "$rc" != 0 ] || [ "$sent" != "$want" ] || [ "$got" != "$want" ]; then
	sed 's/^/  /' "$T/count.err" "$T/broker.log" >&2
	fail "late SUBACK: etbench count exited $rc, received ${got:-?} of ${sent:-?} sent ($want expected)"
fi
log "late SUBACK: ok ($got messages, $(sed -n 's/^suback after //p' "$T/broker.log") before the SUBACK)"

# ---- one session: bench/run.sh's own wait_rows, with what it needs around it
PG_OPTS="-c log_connections=on"
start_pg
MQURI=tcp://127.0.0.1:1
write_config "$T/enertrack.conf"
migrate >"$T/migrate.log" 2>&1 || fail "migrate failed: $(tail -n 5 "$T/migrate.log")"
sed -n '/^wait_rows() {/,/^}/p' "$REPO/bench/run.sh" >"$T/wait_rows.sh"
[ -s "$T/wait_rows.sh" ] || fail "no wait_rows in bench/run.sh"
kv() { sed -n "s/^$2=//p" "$1" | head -n 1; }
budget() { echo "$1"; }
say() { log "wait_rows: $*"; }
sleep 60 &
DPID=$!
PIDS="$PIDS $DPID"
daemon_alive() { kill -0 "$DPID" 2>/dev/null; }
. "$T/wait_rows.sh"
printf 'last_site=nowhere\nlast_metric=raw_coal\nlast_ts=2026-01-01T00:00:00+08:00\n' >"$T/none.pub"
conns() { grep -c 'connection authorized: .*database=enertrack' "$PG_HOME/log" || true; }
c0=$(conns)
wait_rows 1 "$T/none.pub" 3 && fail "one session: wait_rows found a row that is not there"
sleep 0.5
opened=$(($(conns) - c0))
[ "$opened" -le 1 ] || fail "one session: wait_rows opened $opened PostgreSQL sessions in a 3 s wait"
log "one session: ok ($opened session in a 3 s wait)"
