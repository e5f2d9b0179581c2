# SPDX-License-Identifier: MIT
# Scrapes http://ADDR/metrics every INTERVAL s for SECONDS s and passes
# each page through `promtool check metrics` (Debian's prometheus package):
# prints "scrapes N, bad M, lines L" and saves the first page promtool
# refused as OUT (with promtool's words in OUT.why). Exit 1 when one was.
# promtool 2.42 lets a family's lines come in several runs; the text
# format does not ("all lines for a given metric must be provided as one
# single group"), so this checks that too.
# Usage: scrape_check.py ADDR SECONDS INTERVAL OUT
import subprocess, sys, time, urllib.request

addr, seconds, interval, out = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]


def interleaved(text):
    """The first family whose samples or HELP/TYPE lines are split into
    several runs, or None."""
    done, current = set(), None
    types = {}
    for line in text.splitlines():
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            name = line.split(" ")[2]
            if line.startswith("# TYPE "):
                types[name] = line.split(" ")[3]
        elif line.startswith("#") or not line.strip():
            continue
        else:
            name = line.split("{")[0].split(" ")[0]
            for suffix in ("_bucket", "_sum", "_count"):
                base = name[: -len(suffix)]
                if name.endswith(suffix) and types.get(base) in ("histogram", "summary"):
                    name = base
        if name != current:
            if name in done:
                return name
            if current is not None:
                done.add(current)
            current = name
    return None


end = time.monotonic() + seconds
n = bad = lines = 0
while time.monotonic() < end:
    try:
        body = urllib.request.urlopen("http://%s/metrics" % addr, timeout=5).read()
    except Exception as e:  # a refused scrape is as bad as a page refused
        body = ("# scrape failed: %s\n" % e).encode()
        bad += 1
    n += 1
    lines = max(lines, body.count(b"\n"))
    p = subprocess.run(["promtool", "check", "metrics"], input=body, capture_output=True)
    # promtool exits 1 on a parse error; lint remarks alone exit 3 (kept, not fatal)
    split = interleaved(body.decode("utf-8", "replace"))
    if split:
        p.stderr += ("family %s comes in several runs of lines\n" % split).encode()
    if p.returncode not in (0, 3) or b"error while linting" in p.stderr or split:
        if bad == 0:
            open(out, "wb").write(body)
            open(out + ".why", "wb").write(p.stdout + p.stderr)
        bad += 1
    time.sleep(interval)
print("scrapes %d, bad %d, lines %d" % (n, bad, lines))
sys.exit(1 if bad else 0)
