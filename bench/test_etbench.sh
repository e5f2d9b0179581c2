#!/bin/sh
# SPDX-License-Identifier: MIT
# `make bench-test`: checks of the bench's own tools against a scripted MQTT
# 3.1.1 broker (no mosquitto, no PostgreSQL).
#
#  late SUBACK  A persistent session's backlog comes before the SUBACK (the
#               broker queues it behind the backlog): `etbench count` must keep
#               counting while messages come, however late the SUBACK is. The
#               fake broker sends a message every 0.25 s for 11 s, then the
#               SUBACK, then two more.
set -eu

REPO=$(cd "$(dirname "$0")/.." && pwd)
: "${BUILD:=build}"
E=$REPO/$BUILD/etbench
[ -x "$E" ] || { echo "test_etbench: $E is missing (make $BUILD/etbench)" >&2; exit 1; }
T=$(mktemp -d /tmp/etbench-test.XXXXXX)
BROKER=
cleanup() {
	[ -n "$BROKER" ] && kill "$BROKER" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

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
BROKER=$!
i=0
while [ ! -s "$T/port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$T/port" ] || { echo "test_etbench: the fake broker did not start: $(cat "$T/broker.log")" >&2; exit 1; }

# 11 s of messages at 4 a second, plus two after the SUBACK
want=$((11 * 4 + 2))
rc=0
"$E" count --uri "tcp://127.0.0.1:$(cat "$T/port")" --client-id late-suback --count "$want" \
	--timeout 30 >"$T/count.out" 2>"$T/count.err" || rc=$?
sent=$(sed -n 's/^sent //p' "$T/broker.log")
got=$(sed -n 's/^received=//p' "$T/count.out")
if [ "$rc" != 0 ] || [ "$sent" != "$want" ] || [ "$got" != "$want" ]; then
	echo "test_etbench: late SUBACK: FAIL: etbench count exited $rc, received ${got:-?} of ${sent:-?} sent ($want expected)" >&2
	sed 's/^/  /' "$T/count.err" "$T/broker.log" >&2
	exit 1
fi
echo "test_etbench: late SUBACK: ok ($got messages, $(sed -n 's/^suback after //p' "$T/broker.log") before the SUBACK)"
