#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# `lag_watch.py HOST:PORT STOPFILE OUT`: while STOPFILE does not exist, asks
# the daemon's /healthz every 20 ms and its /metrics every 250 ms, then
# writes to OUT one line: probes, probes not answered 200 (with the first
# such answer), the slowest /healthz answer in ms, and the largest
# enertrack_loop_lag_max_seconds and enertrack_loop_stall_max_seconds seen.
# Standard library only.
import http.client
import os
import sys
import time

host, port = sys.argv[1].rsplit(":", 1)
stop, out = sys.argv[2], sys.argv[3]
probes = bad = 0
first_bad = ""
slowest = 0.0
lag = stall = 0.0
next_metrics = 0.0


def get(path):
    c = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        c.request("GET", path)
        r = c.getresponse()
        return r.status, r.read().decode(errors="replace")
    finally:
        c.close()


while not os.path.exists(stop):
    t0 = time.monotonic()
    try:
        st, body = get("/healthz")
    except OSError as e:
        st, body = 0, str(e)
    ms = (time.monotonic() - t0) * 1000
    probes += 1
    slowest = max(slowest, ms)
    if st != 200:
        bad += 1
        first_bad = first_bad or "%d %s" % (st, body.strip()[:200])
    if t0 >= next_metrics:
        next_metrics = t0 + 0.25
        try:
            st, body = get("/metrics")
            for line in body.splitlines():
                if line.startswith("enertrack_loop_lag_max_seconds "):
                    lag = max(lag, float(line.split()[1]))
                elif line.startswith("enertrack_loop_stall_max_seconds "):
                    stall = max(stall, float(line.split()[1]))
        except OSError:
            pass
    time.sleep(max(0.0, 0.02 - (time.monotonic() - t0)))
with open(out, "w") as f:
    f.write("probes=%d bad=%d slowest_ms=%.1f lag_max_s=%.6f stall_max_s=%.6f first_bad=%r\n" %
            (probes, bad, slowest, lag, stall, first_bad))
