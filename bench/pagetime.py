#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Times the status page as a browser loads it: the HTML, then every chart it
# shows (<img class="chart">), six at a time. Run twice on a fresh daemon:
# the first pass is the cold page (nothing drawn or sampled yet), the second
# the warm one. Prints one line per pass; each --json FILE gets
# {"page": {...}} merged into it (bench.json). Used by bench/page.sh and
# scripts/demo-page.sh (PAGE_MEASURE=1).
import json, os, re, sys, time, urllib.request
from concurrent.futures import ThreadPoolExecutor

GOAL_S = 1.5


def get(url):
    t = time.monotonic()
    with urllib.request.urlopen(url, timeout=300) as r:
        assert r.status == 200, (url, r.status)
        body = r.read()
    return time.monotonic() - t, body


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
    base = args[0]
    path = args[1] if len(args) > 1 else "/"
    cold = one_pass(base, path)
    warm = one_pass(base, path)
    for name, p in (("cold", cold), ("warm", warm)):
        print("page: %s: html %.2f s, %d charts (slowest %.2f s), the whole page %.2f s (goal <= %.1f s: %s)"
              % (name, p["html_s"], p["charts"], p["slowest_chart_s"], p["total_s"], GOAL_S,
                 "pass" if p["total_s"] <= GOAL_S else "FAIL"))
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
