#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# `http_flood.py HOST:PORT SECONDS IDLE SLOW`: holds IDLE connections that
# send nothing (each reopened as soon as the daemon closes it) and SLOW ones
# that send half a request line, one byte every second, while probing
# /healthz every 50 ms on a fresh connection. Prints one line of figures and
# exits 1 unless every probe was answered 200 within 1 s. Then sends a
# request with a NUL byte in its request line and checks that it is
# answered or closed within NUL_WAIT_S rather than held open.
# Standard library only; every wait is bounded.
import selectors
import socket
import sys
import time

PROBE_TIMEOUT_S = 2.0
PROBE_EVERY_S = 0.05
PROBE_MAX_S = 1.0
NUL_WAIT_S = 8.0  # the daemon's idle timeout is 5 s; it should answer far sooner
SLOW_LINE = b"GET /healthz HTTP/1.1\r\nHost: flood\r\nX-Slow: " + b"a" * 200


def connect(addr, timeout=2.0):
    s = socket.create_connection(addr, timeout=timeout)
    s.setblocking(False)
    return s


def probe(addr):
    """One GET /healthz on a fresh connection: (seconds, status or error)."""
    t0 = time.monotonic()
    try:
        s = socket.create_connection(addr, timeout=PROBE_TIMEOUT_S)
        s.settimeout(max(0.01, PROBE_TIMEOUT_S - (time.monotonic() - t0)))
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n")
        data = b""
        while b"\r\n\r\n" not in data or not data.endswith(b"ok\n"):
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        s.close()
        line = data.split(b"\r\n", 1)[0].decode("latin-1")
        status = line.split(" ")[1] if line.startswith("HTTP/") else "no answer"
        if status == "200" and not data.endswith(b"\r\n\r\nok\n"):
            status = "200 with body %r" % data[-40:]
        return time.monotonic() - t0, status
    except OSError as e:
        return time.monotonic() - t0, type(e).__name__


def nul_request(addr):
    """A request line with a NUL byte: seconds until answered or closed."""
    s = socket.create_connection(addr, timeout=NUL_WAIT_S)
    t0 = time.monotonic()
    s.sendall(b"GET /heal\x00thz HTTP/1.1\r\nHost: nul\r\n\r\n")
    first = b""
    try:
        while True:
            chunk = s.recv(4096)
            if not first:
                first = chunk
            if not chunk:
                break
            if b"\r\n\r\n" in first:
                break  # answered
    except socket.timeout:
        return None, b""
    except OSError:
        pass
    s.close()
    return time.monotonic() - t0, first.split(b"\r\n", 1)[0]


def main():
    host, port = sys.argv[1].rsplit(":", 1)
    addr = (host.strip("[]"), int(port))
    seconds, n_idle, n_slow = float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    sel = selectors.DefaultSelector()
    idle, slow = {}, {}  # socket -> opened at / bytes sent
    idle_closed = []  # how long each idle connection lived until the daemon closed it
    slow_closed = 0
    refused = 0

    def open_idle():
        nonlocal refused
        try:
            s = connect(addr)
        except OSError:
            refused += 1
            return
        idle[s] = time.monotonic()
        sel.register(s, selectors.EVENT_READ, "idle")

    for _ in range(n_idle):
        open_idle()
    for _ in range(n_slow):
        try:
            s = connect(addr)
        except OSError:
            refused += 1
            continue
        slow[s] = 0
        sel.register(s, selectors.EVENT_READ, "slow")

    lat, bad = [], []
    start = time.monotonic()
    next_probe = next_byte = start
    while time.monotonic() - start < seconds:
        now = time.monotonic()
        if now >= next_byte:
            # a byte on every slow connection, once a second
            for s in list(slow):
                try:
                    s.send(SLOW_LINE[slow[s] : slow[s] + 1])
                    slow[s] += 1
                except OSError:
                    pass
            next_byte = now + 1.0
        if now >= next_probe:
            dt, status = probe(addr)
            lat.append(dt)
            if status != "200" or dt > PROBE_MAX_S:
                bad.append("%.3f s: %s" % (dt, status))
            next_probe = max(next_probe + PROBE_EVERY_S, time.monotonic())
        for key, _ in sel.select(timeout=0.01):
            s = key.fileobj
            try:
                eof = s.recv(4096) == b""
            except OSError:
                eof = True
            if not eof:
                continue  # an answer (e.g. 408) before the close: wait for the close
            sel.unregister(s)
            s.close()
            if key.data == "idle":
                idle_closed.append(time.monotonic() - idle.pop(s))
                open_idle()
            else:
                slow.pop(s)
                slow_closed += 1
    held_idle, held_slow = len(idle), len(slow)
    for s in list(idle) + list(slow):
        s.close()

    lat.sort()
    n = len(lat)
    pct = lambda p: lat[min(n - 1, int(p * n))] * 1000 if n else float("nan")
    print(
        "probes %d, failed %d, latency ms: p50 %.1f p99 %.1f max %.1f; held at the end: %d idle, "
        "%d slow; idle closed by the daemon: %d (after %.1f-%.1f s); slow closed: %d; refused: %d"
        % (n, len(bad), pct(0.5), pct(0.99), lat[-1] * 1000 if n else float("nan"), held_idle,
           held_slow, len(idle_closed), min(idle_closed, default=0), max(idle_closed, default=0),
           slow_closed, refused))
    for b in bad[:5]:
        print("  failed probe: " + b)
    ok = n > 0 and not bad

    time.sleep(0.5)  # let the daemon see those closes
    dt, first = nul_request(addr)
    if dt is None:
        print("NUL byte: connection still open after %.0f s" % NUL_WAIT_S)
        ok = False
    else:
        print("NUL byte: %s after %.3f s" % (first.decode("latin-1") or "closed", dt))
    # the idle timeout: idle connections must not be held for ever
    if n_idle and not idle_closed:
        print("idle connections: none closed by the daemon in %.0f s" % seconds)
        ok = False
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
