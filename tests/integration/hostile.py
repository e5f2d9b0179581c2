#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# The hostile corpus. `hostile.py gen OUT.txt EXPECT.json` writes
# C-escaped `topic<TAB>payload` lines (for `enertrack publish --escaped`)
# and what each message may become; `hostile.py check EXPECT.json CONNINFO`
# checks PostgreSQL: each message is stored right or rejected with a reason,
# and nothing else changed. Standard library and Debian's python3-psycopg2.
import json
import math
import sys

TS = "2024-03-01T08:00:00+08:00"


def esc(b):
    out = []
    for c in b:
        if c == 0x5C:
            out.append("\\\\")
        elif c == 0x09:
            out.append("\\t")
        elif c == 0x0A:
            out.append("\\n")
        elif c == 0x0D:
            out.append("\\r")
        elif c < 0x20 or c >= 0x7F:
            out.append("\\x%02x" % c)
        else:
            out.append(chr(c))
    return "".join(out)


def gen(out_path, expect_path):
    msgs = []  # (topic bytes, payload bytes, expect)

    def add(payload, expect="either", value=None, site=None, topic=None, unit_factor=1.0):
        n = len(msgs)
        site = site or "h-%03d" % n
        t = topic if topic is not None else ("energy/mine/%s/raw_coal" % site).encode()
        if isinstance(payload, str):
            payload = payload.encode()
        msgs.append({"topic": t, "payload": payload, "expect": expect, "site": site,
                     "value": value, "factor": unit_factor})

    def reading(value_json, extra=""):
        return '{"ts":"%s","value":%s,"unit":"t"%s}' % (TS, value_json, extra)

    # baseline: plain, right values
    add(reading("1"), "stored", 1.0)
    add(reading("12.5"), "stored", 12.5)
    add('{"ts":"%s","value":3,"unit":"万吨"}' % TS, "stored", 3.0, unit_factor=1e4)
    # strings with tabs, newlines, backslashes, quotes, control and odd characters
    for s in ['a\\tb', 'a\\nb', 'a\\rb', 'back\\\\slash', 'quote\\"d', "it's", 'nul\\u0000in',
              'bell\\u0007', 'rtl\\u202eoverride', 'x' * 100000, '中文来源', 'semi;colon',
              '%s%n%x', "'); DROP TABLE reading; --"]:
        add(reading("2", ',"source":"%s"' % s))
    # invalid UTF-8 and NUL bytes, raw
    add(b'{"ts":"' + TS.encode() + b'","value":2,"unit":"t","source":"\xff\xfe"}', "rejected")
    add(b'{"ts":"' + TS.encode() + b'","value":2,"unit":"t","source":"\xc3\x28"}', "rejected")
    add(b'{"ts":"' + TS.encode() + b'","value":2,"unit":"t"}\x00', "rejected")
    add(b'\x00{"ts":"' + TS.encode() + b'","value":2,"unit":"t"}', "rejected")
    add(b'\xef\xbb\xbf' + reading("2").encode(), "rejected")  # BOM
    # sizes
    add('{"pad":"' + "x" * (1 << 20) + '"}', "rejected")
    add("[" + ",".join([reading("1")] * 10001) + "]", "rejected")
    add("[" * 1000 + "]" * 1000, "rejected")
    add('{"a":' * 1000 + "1" + "}" * 1000, "rejected")
    add("[" + ",".join(["{}"] * 500) + "]", "rejected")
    # numbers: huge, subnormal, NaN and Infinity every way
    add(reading("1e308"), "either", 1e308)
    add(reading("1e309"), "rejected")
    add(reading("1e999"), "rejected")
    add(reading("5e-324"), "either", 5e-324)
    add(reading("-0"), "either", 0.0)
    for v in ["NaN", "-NaN", "nan", "Infinity", "-Infinity", "inf", "-inf", "Inf", '"NaN"',
              '"Infinity"', "1e", "0x10", "012", "+1", ".5", "1.", "--1", "null", "true",
              '"12"', "[1]", '{"v":1}']:
        add(reading(v), "rejected")
    # ranges: no negative production, no absurd amounts
    add(reading("-5"), "rejected")
    add(reading("1e300", ',"seq":1'), "either", 1e300)
    # duplicate keys, missing and extra fields, bad timestamps
    add('{"ts":"%s","value":1,"value":2,"unit":"t"}' % TS, "rejected")
    add('{"ts":"%s","ts":"%s","value":1,"unit":"t"}' % (TS, TS), "rejected")
    add('{}', "rejected")
    add('[]', "rejected")
    add('{"value":1,"unit":"t"}', "rejected")
    add('{"ts":"2999-01-01T00:00:00Z","value":1,"unit":"t"}', "rejected")
    add('{"ts":"1900-01-01T00:00:00Z","value":1,"unit":"t"}', "rejected")
    add('{"ts":"2024-02-30T00:00:00Z","value":1,"unit":"t"}', "rejected")
    add('{"ts":"2024-03-01 08:00:00","value":1,"unit":"t"}', "rejected")
    add('{"ts":"2024-03-01T08:00:00+08:00","value":1,"unit":"t\'); DROP TABLE reading;--"}',
        "rejected")
    add('{"ts":"%s","value":1,"unit":"t"} trailing' % TS, "rejected")
    add("{'ts':'%s','value':1,'unit':'t'}" % TS, "rejected")
    add('{"ts":"%s",/*c*/"value":1,"unit":"t"}' % TS, "rejected")
    add('{"ts":"%s","value":1,"unit":"MW"}' % TS, "rejected")
    # hostile topics
    for t in [b"energy/mine/x';DROP TABLE reading;--/raw_coal", b"energy/mine/a%s%n/raw_coal",
              b"energy/mine/a;b/raw_coal", b"energy/mine/\xe7\x85\xa4\xe7\x9f\xbf/raw_coal",
              b"energy/mine/a\\b/raw_coal", b"energy/mine/a\"b/raw_coal",
              b"energy/mine/a/b/c/d/raw_coal", b"energy/mine//raw_coal",
              b"energy/mine/" + b"s" * 300 + b"/raw_coal", b"energy/../mine/x/raw_coal",
              b"energy/mine/h-y/RAW_COAL", b"energy/mine/a b/raw_coal",
              b"energy/mine/\xe2\x80\xaeevil/raw_coal", b"energy/Mine/h-z/raw_coal"]:
        # (control characters and invalid UTF-8 in topics never get here:
        # the broker refuses them as malformed packets)
        add(reading("1"), "rejected", topic=t)
    # an array mixing good and bad elements: the good ones are stored
    add("[" + reading("7") + "," + reading("-7") + "]", "stored", 7.0)

    with open(out_path, "w") as f:
        for m in msgs:
            f.write(esc(m["topic"]) + "\t" + esc(m["payload"]) + "\n")
    with open(expect_path, "w") as f:
        json.dump([{"topic": m["topic"].decode("utf-8", "replace"), "expect": m["expect"],
                    "site": m["site"], "value": m["value"], "factor": m["factor"],
                    "valid_topic": m["topic"] == ("energy/mine/%s/raw_coal" % m["site"]).encode()}
                   for m in msgs], f)
    print(len(msgs))


def check(expect_path, conninfo):
    import psycopg2
    exp = json.load(open(expect_path))
    db = psycopg2.connect(conninfo)
    cur = db.cursor()
    errors = []
    stored = rejected = 0
    for i, e in enumerate(exp):
        if not e["valid_topic"]:
            continue
        cur.execute("SELECT value, value_in FROM reading WHERE site_id = %s", (e["site"],))
        rows = cur.fetchall()
        cur.execute("SELECT reason FROM rejected_message WHERE topic = %s", (e["topic"],))
        rej = [r[0] for r in cur.fetchall()]
        if rows and e["expect"] == "rejected":
            errors.append("#%d %s: stored, expected a rejection" % (i, e["site"]))
        if not rows and e["expect"] == "stored":
            errors.append("#%d %s: not stored (%s)" % (i, e["site"], rej))
        if not rows and not rej:
            errors.append("#%d %s: neither stored nor rejected" % (i, e["site"]))
        if any(not r for r in rej):
            errors.append("#%d %s: rejected without a reason" % (i, e["site"]))
        if rows:
            stored += 1
            want = e["value"]
            for v, vin in rows:
                if not math.isfinite(v) or (want is not None and vin != want) or \
                        (want is not None and abs(v - want * e["factor"]) > abs(want * e["factor"]) * 1e-12):
                    errors.append("#%d %s: stored value %r (in %r), expected %r" % (i, e["site"], v, vin, want))
        if rej:
            rejected += 1
    # the hostile topics: each rejected (they are all bad), none stored
    bad_topics = [e for e in exp if not e["valid_topic"]]
    for e in bad_topics:
        cur.execute("SELECT reason FROM rejected_message WHERE topic = %s", (e["topic"],))
        rej = [r[0] for r in cur.fetchall()]
        if not rej or not all(rej):
            errors.append("hostile topic %r: not rejected with a reason (%s)" % (e["topic"][:60], rej))
    cur.execute("SELECT count(*) FROM reading WHERE site_id NOT LIKE 'h-%' AND site_id <> 'sentinel'")
    if cur.fetchone()[0]:
        errors.append("rows stored under a hostile site id")
    cur.execute("SELECT count(*) FROM rejected_message WHERE reason IS NULL OR reason = ''")
    if cur.fetchone()[0]:
        errors.append("rejections without a reason")
    cur.execute("SELECT to_regclass('reading') IS NOT NULL")
    if not cur.fetchone()[0]:
        errors.append("the reading table is gone")
    for e in errors:
        print(e)
    print("%d messages: %d stored, %d rejected by payload, %d hostile topics" %
          (len(exp), stored, rejected, len(bad_topics)))
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    if sys.argv[1] == "gen":
        gen(sys.argv[2], sys.argv[3])
    else:
        check(sys.argv[2], sys.argv[3])
