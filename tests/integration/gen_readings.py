#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Generates test readings: `topic<TAB>payload` lines on stdout and the
# expected rows (site, metric, ts as UTC epoch seconds, canonical value) as
# TSV in the file named by --expect. Deterministic; standard library only.
import argparse
import json

ap = argparse.ArgumentParser()
ap.add_argument("--sites", type=int, default=50)
ap.add_argument("--per-site", type=int, default=400)
ap.add_argument("--expect", required=True)
ap.add_argument("--prefix", default="it")
ap.add_argument("--value-offset", type=float, default=0.0)
ap.add_argument("--start", type=int, default=1704038400)  # 2024-01-01T00:00:00+08:00
args = ap.parse_args()

# (metric, kind, units with factors to canonical)
plans = [
    ("raw_coal", "mine", [("t", 1.0), ("万吨", 1e4), ("kt", 1e3)]),
    ("capacity_commissioned", "plant", [("MW", 1.0), ("万千瓦", 10.0), ("kW", -1000.0)]),
    ("energy_consumption", "enterprise", [("tce", 1.0), ("万吨标准煤", 1e4)]),
    ("gdp", "region", [("万元", 1e4), ("亿元", 1e8), ("元", 1.0)]),
]

def iso(epoch):
    # RFC 3339 with +08:00, computed without time zone databases
    import datetime
    t = datetime.datetime.fromtimestamp(epoch + 8 * 3600, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S") + "+08:00"

with open(args.expect, "w") as ex:
    for s in range(args.sites):
        metric, kind, units = plans[s % len(plans)]
        site = "%s-%02d" % (args.prefix, s)
        for i in range(args.per_site):
            unit, factor = units[i % len(units)]
            raw = round(((s * 7919 + i * 104729) % 100000) / 100.0 + 0.25 + args.value_offset, 2)
            ts = args.start + i * 60
            msg = {"ts": iso(ts), "value": raw, "unit": unit, "seq": i + 1}
            if metric == "capacity_commissioned":
                msg["source"] = ("solar", "wind", "biomass")[i % 3]
            print("energy/%s/%s/%s\t%s" % (kind, site, metric, json.dumps(msg, ensure_ascii=False)))
            # lib/units.c divides by 1000 for kW (exact rounding), multiplies otherwise
            canon = raw / -factor if factor < 0 else raw * factor
            ex.write("%s\t%s\t%d\t%r\n" % (site, metric, ts, canon))
