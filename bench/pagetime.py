#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Times the status page as a browser loads it: the HTML, then every chart it
# shows (<img class="chart">), six at a time. Run twice on a fresh daemon:
# the first pass is the cold page (nothing drawn or sampled yet), the second
# the warm one. Prints one line per pass; each --json FILE gets
# {"page": {...}} merged into it (bench.json). Used by bench/page.sh and
# scripts/demo-page.sh (PAGE_MEASURE=1). With --pg CONNINFO, also the CPU
# the page's PostgreSQL session spent on the cold page, a figure the other
# tenants of the machine change less than the time (the load is printed).
import json, os, re, subprocess, sys, time, urllib.request
from concurrent.futures import ThreadPoolExecutor

GOAL_S = 1.5


def get(url):
    t = time.monotonic()
    with urllib.request.urlopen(url, timeout=300) as r:
        assert r.status == 200, (url, r.status)
        body = r.read()
    return time.monotonic() - t, body


def session_cpu(conninfo):
    """CPU seconds (user + system) of the page's session: the latest backend
    of application_name enertrackd (the writer's is older), or None."""
    try:
        pid = subprocess.run(["psql", conninfo, "-XAtqc",
                              "SELECT pid FROM pg_stat_activity WHERE application_name = 'enertrackd'"
                              " ORDER BY backend_start DESC LIMIT 1"],
                             capture_output=True, text=True, timeout=30).stdout.strip()
        f = open("/proc/%s/stat" % pid).read()
        fields = f[f.rindex(")") + 2:].split()
        return round((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), 2)
    except (OSError, ValueError, subprocess.SubprocessError):
        return None


def one_pass(base, path):
    t0 = time.monotonic()
    html_s, html = get(base + path)
    imgs = [u.replace("&amp;", "&")
            for u in re.findall(r'<img class="chart" src="([^"]+)"', html.decode())]
    # a browser asks for them six at a time
    with ThreadPoolExecutor(6) as ex:
        res = list(ex.map(lambda u: get(base + u), imgs))
    total = time.monotonic() - t0
    for u, (_, body) in zip(imgs, res):
        assert body[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG: " + u
    return {"html_s": round(html_s, 3), "charts": len(imgs),
            "slowest_chart_s": round(max((s for s, _ in res), default=0), 3),
            "total_s": round(total, 3)}


def main():
    args = sys.argv[1:]
    outs = []
    while "--json" in args:
        i = args.index("--json")
        outs.append(args[i + 1])
        del args[i:i + 2]
    pg = None
    if "--pg" in args:
        i = args.index("--pg")
        pg = args[i + 1]
        del args[i:i + 2]
    base = args[0]
    path = args[1] if len(args) > 1 else "/"
    load = os.getloadavg()[0]
    cold = one_pass(base, path)
    cold["load_avg_1m"] = round(load, 2)
    cold["cpus"] = os.cpu_count()
    if pg:
        # the page's PostgreSQL session opens at the first request and does
        # nothing else: its CPU so far is what the cold page cost the server
        cold["pg_session_cpu_s"] = session_cpu(pg)
    load = os.getloadavg()[0]
    warm = one_pass(base, path)
    warm["load_avg_1m"] = round(load, 2)
    for name, p in (("cold", cold), ("warm", warm)):
        print("page: %s: html %.2f s, %d charts (slowest %.2f s), the whole page %.2f s (goal <= %.1f s: %s)"
              % (name, p["html_s"], p["charts"], p["slowest_chart_s"], p["total_s"], GOAL_S,
                 "pass" if p["total_s"] <= GOAL_S else "FAIL"))
    print("page: cold: the page's PostgreSQL session used %s s of CPU; load average %.2f on %d CPUs"
          % (cold.get("pg_session_cpu_s", "-"), cold["load_avg_1m"], cold["cpus"]))
    if cold["charts"] == 0:
        print("page: no charts on %s" % path, file=sys.stderr)
        return 1
    extra = json.loads(os.environ.get("PAGE_JSON_EXTRA", "{}"))
    page = dict(extra, path=path, cold=cold, warm=warm, goal_cold_s=GOAL_S,
                goal_cold_ok=cold["total_s"] <= GOAL_S)
    for out in outs:
        doc = {}
        if os.path.exists(out):
            try:
                with open(out) as f:
                    doc = json.load(f)
            except ValueError:
                doc = {}
        doc["page"] = page
        with open(out + ".tmp", "w") as f:
            json.dump(doc, f, indent=2)
        os.replace(out + ".tmp", out)
    return 0


sys.exit(main())
