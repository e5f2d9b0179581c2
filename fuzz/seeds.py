#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Writes the seed corpora of the fuzz harnesses into tests/fuzz/<target>/:
# small realistic inputs and hostile ones, in each harness's input format
# (see the comment at the top of fuzz/fuzz_<target>.c). Run from the top
# directory; it only (re)writes its own named files, so regression inputs
# added by hand (regress-*) stay. Every seed is under 64 KiB.
import math
import os
import struct

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(TOP, "tests", "fuzz")


def write(target, name, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    assert len(data) <= 65536, (target, name, len(data))
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- decode: setup byte, topic, "\n", payload ----
# setup: bits 0-1 layout (energy/{kind}/{site}/{metric}, cz/+/{site}/{metric},
# {metric}/{site}, a/.../m/{kind}/{site}/{metric}); bits 2-3 limits (defaults,
# small, widest, narrowest); bit 4 the sink stops at reading (bits 5-7) + 1.
def msg(payload, topic="energy/mine/wangzhuang/raw_coal", layout=0, limits=0, stop=None):
    setup = layout | limits << 2
    if stop is not None:
        setup |= 0x10 | stop << 5
    if isinstance(payload, str):
        payload = payload.encode("utf-8")
    if isinstance(topic, str):
        topic = topic.encode("utf-8")
    return bytes([setup]) + topic + b"\n" + payload


TS = "2024-03-01T08:00:00+08:00"
GOOD = '{"ts":"%s","value":412.5,"unit":"t","seq":1042}' % TS


def one(fields):
    return "{" + ",".join('"%s":%s' % kv for kv in fields) + "}"


def tail(value="412.5", unit='"t"', ts='"%s"' % TS, **extra):
    f = [("ts", ts), ("value", value), ("unit", unit)]
    f += list(extra.items())
    return one(f)


decode = {
    "single": msg(GOOD),
    "minimal": msg('{"ts":"2024-03-01T00:00:00Z","value":0,"unit":"t"}'),
    "all-fields": msg(
        '{"ts":"2024-03-01T00:00:00.25Z","value":5,"unit":"万千瓦","seq":0,"source":"solar",'
        '"counter":true,"county":"长子县","name":"潞安 光伏 #2","future_field":{"ignored":[1,2]}}',
        "energy/plant/lu-an.solar_2/capacity_commissioned"),
    "batch": msg("[" + ",".join([GOOD, tail("1.5", '"万吨"'), tail("2", '"kt"', seq="7")]) + "]"),
    "batch-mixed": msg("[" + ",".join([GOOD, tail("-1"), '"x"', "{}", tail("1", '"MW"')]) + "]"),
    "batch-overrides": msg(
        "[" + ",".join([
            tail("1", '"GWh"', site='"s1"', metric='"generation"', kind='"plant"'),
            tail("95", '"%"', site='"s2"', metric='"advanced_capacity_share"'),
            tail("3", '"tce"', metric='"energy_consumption"', kind='"enterprise"'),
            tail("7", '"亿元"', metric='"gdp"', kind='"region"', site='"changzhi"'),
        ]) + "]", "energy/mine/x/raw_coal"),
    "batch-limit-small": msg("[" + ",".join([GOOD] * 5) + "]", limits=1),
    "batch-empty": msg("[]"),
    "stop-early": msg("[" + ",".join([GOOD] * 3) + "]", stop=1),
    "not-canonical": msg(tail("-12.5", '"°C"'), "energy/plant/p1/temperature"),
    "every-unit": msg("[" + ",".join(
        tail("1", '"%s"' % u, metric='"%s"' % m) for m, u in [
            ("raw_coal", "Mt"), ("raw_coal", "亿吨"), ("capacity_commissioned", "kW"),
            ("retrofit_capacity", "GW"), ("generation", "kWh"), ("generation", "万千瓦时"),
            ("generation", "亿千瓦时"), ("energy_consumption", "万吨标准煤"), ("gdp", "CNY"),
            ("gdp", "元"), ("gdp", "万元")]) + "]", limits=2),
    "unit-mismatch": msg(tail("1", '"MW"')),
    "unit-unknown": msg(tail("1", '"tonnes"')),
    "unit-empty": msg(tail("1", '""')),
    "unit-long": msg(tail("1", '"%s"' % ("u" * 33))),
    "unit-control": msg(tail("1", '"t\\u001b"')),
    "share-over": msg(tail("100.0000001", '"%"'), "energy/mine/a/advanced_capacity_share"),
    "negative-zero": msg(tail("-0.0")),
    "negative": msg(tail("-1e-300")),
    "overflow-unit": msg(tail("1e308", '"亿吨"')),
    "huge-integer": msg(tail("123456789012345678901234567890")),
    "huge-real": msg(tail("1e999")),
    "tiny-real": msg(tail("4.9e-324", '"kt"')),
    "seq-max": msg(tail(seq="9223372036854775807")),
    "seq-over": msg(tail(seq="9223372036854775808")),
    "seq-negative": msg(tail(seq="-1")),
    "seq-real": msg(tail(seq="1.5")),
    "counter-string": msg(tail(counter='"true"')),
    "source-bad": msg(tail(source='"nuclear"')),
    "county-129": msg(tail(county='"%s"' % ("长" * 43))),
    "county-c1": msg(tail(county='"a\\u0085b"')),
    "name-del": msg(tail(name='"a\\u007fb"')),
    "value-string": msg(tail('"412.5"')),
    "value-null": msg(tail("null")),
    "value-missing": msg('{"ts":"%s","unit":"t"}' % TS),
    "ts-missing": msg('{"value":1,"unit":"t"}'),
    "ts-number": msg(tail(ts="1709251200")),
    "ts-no-offset": msg(tail(ts='"2024-03-01T08:00:00"')),
    "ts-frac9": msg(tail(ts='"2024-03-01t00:00:00.123456789z"')),
    "ts-leap-day": msg(tail(ts='"2024-02-29T23:59:59.999999-00:00"')),
    "ts-leap-second": msg(tail(ts='"2016-12-31T23:59:60Z"')),
    "ts-future": msg(tail(ts='"2024-03-01T08:05:01Z"')),
    "ts-year-1": msg(tail(ts='"0001-01-01T00:00:00Z"')),
    "ts-year-9999": msg(tail(ts='"9999-12-31T23:59:59Z"'), limits=2),
    "ts-year-1-offset": msg(tail(ts='"0001-01-01T08:00:00+08:00"')),
    "ts-year-9999-offset": msg(tail(ts='"9999-12-31T15:59:59.999999-08:00"'), limits=2),
    "ts-old": msg(tail(ts='"1970-01-01T00:00:00Z"'), limits=3),
    "nan": msg(tail("NaN")),
    "nan-lower": msg(tail("nan")),
    "nan-neg": msg(tail("-NaN")),
    "infinity": msg(tail("Infinity")),
    "infinity-neg": msg(tail("-Infinity")),
    "inf": msg(tail("inf")),
    "nan-string": msg(tail('"NaN"')),
    "hex": msg(tail("0x10")),
    "plus": msg(tail("+1")),
    "leading-zero": msg(tail("01")),
    "dup-key": msg('{"value":1,"value":2,"ts":"%s","unit":"t"}' % TS),
    "dup-key-escaped": msg('{"value":1,"valu\\u0065":2,"ts":"%s","unit":"t"}' % TS),
    "nul-escape": msg(tail(county='"a\\u0000b"')),
    "nul-raw": msg(GOOD.encode() + b"\x00"),
    "nul-in-string": msg(b'{"ts":"2024-03-01T00:00:00Z","value":1,"unit":"t\x00"}'),
    "utf8-invalid": msg(b'{"ts":"2024-03-01T00:00:00Z","value":1,"unit":"\xff"}'),
    "utf8-overlong": msg(b'{"ts":"2024-03-01T00:00:00Z","value":1,"unit":"t","name":"\xc0\xaf"}'),
    "utf8-surrogate": msg(b'{"ts":"2024-03-01T00:00:00Z","value":1,"unit":"t","name":"\xed\xa0\x80"}'),
    "utf8-truncated": msg(b'{"ts":"2024-03-01T00:00:00Z","value":1,"unit":"\xe4\xb8"}'),
    "escape-surrogate": msg(tail(name='"\\ud800"')),
    "escape-pair": msg(tail(name='"\\ud83d\\ude00"')),
    "bom": msg(b"\xef\xbb\xbf" + GOOD.encode()),
    "trailing": msg(GOOD + " x"),
    "trailing-object": msg(GOOD + GOOD),
    "empty": msg(""),
    "whitespace": msg(" \t\r\n "),
    "number": msg("42"),
    "string": msg('"x"'),
    "null": msg("null"),
    "array-of-numbers": msg("[1,2,3]"),
    "array-nested": msg("[[" + GOOD + "]]"),
    "deep-array": msg("[" * 3000 + "]" * 3000),
    "deep-object": msg('{"a":' * 300 + "1" + "}" * 300),
    "deep-in-field": msg('{"ts":"%s","value":1,"unit":"t","x":%s}' % (TS, "[" * 2100 + "]" * 2100)),
    "depth-16": msg("[" * 15 + GOOD + "]" * 15),
    "depth-17": msg("[" * 16 + GOOD + "]" * 16),
    "depth-2-narrow": msg('[{"a":1}]', "a/b/c", limits=3),
    "depth-3-narrow": msg('[{"a":[1]}]', "a/b/c", limits=3),
    "brackets-in-string": msg(tail(name='"%s"' % ("[" * 40))),
    "brackets-after-escaped-quote": msg(tail(name='"\\"%s"' % ("{" * 40))),
    "brackets-after-backslash": msg(tail(name='"a\\\\"', x="[" * 20 + "]" * 20)),
    "brackets-unbalanced": msg("]" * 20 + "[" * 20 + GOOD),
    "unterminated": msg('{"ts":"' + TS),
    "comments": msg("/* c */" + GOOD),
    "single-quotes": msg("{'ts':'%s','value':1,'unit':'t'}" % TS),
    "topic-unmatched": msg(GOOD, "other/topic"),
    "topic-unmatched-overrides": msg(tail(site='"s"', metric='"raw_coal"', kind='"mine"'), "x"),
    "topic-empty": msg(GOOD, ""),
    "topic-control": msg(GOOD, b"energy/mine/a\x1b[31m/raw_coal"),
    "topic-invalid-utf8": msg(GOOD, b"energy/mine/\xff/raw_coal"),
    "topic-uppercase-site": msg(GOOD, "energy/mine/WangZhuang/raw_coal"),
    "topic-site-dash": msg(GOOD, "energy/mine/-a/raw_coal"),
    "topic-site-65": msg(GOOD, "energy/mine/%s/raw_coal" % ("a" * 65)),
    "topic-bad-kind": msg(GOOD, "energy/factory/a/raw_coal"),
    "topic-bad-metric": msg(GOOD, "energy/mine/a/Raw_Coal"),
    "topic-extra-level": msg(GOOD, "energy/mine/a/raw_coal/x"),
    "topic-long": msg(GOOD, "energy/mine/a/raw_coal" + "/x" * 200),
    "layout-any": msg(GOOD, "cz/anything/site-1/raw_coal", layout=1),
    "layout-short": msg(tail(kind='"mine"'), "raw_coal/site-1", layout=2),
    "layout-deep": msg(GOOD, "a/b/c/d/e/f/g/h/i/j/k/l/m/mine/s/raw_coal", layout=3),
    "limits-narrow": msg('{"ts":"2024-03-01T08:00:00Z","value":1,"unit":"t"}', "a/b", limits=3),
    "limits-small-payload": msg("[" + ",".join([GOOD] * 40) + "]", limits=1),
}

# ---- rfc3339: the text itself ----
rfc3339_good = [
    "2024-03-01T08:00:00+08:00", "2024-03-01T00:00:00Z", "2024-03-01T00:00:00z",
    "2024-03-01T00:00:00-00:00", "2024-03-01T12:00:00-05:30", "2024-03-01T23:59:00+23:59",
    "2024-02-29T00:01:00-23:59", "2024-03-01t00:00:00Z", "2024-03-01 00:00:00Z",
    "2024-03-01T00:00:00.5Z", "2024-03-01T00:00:00.123456Z", "2024-03-01T00:00:00.123456789Z",
    "2024-03-01T00:00:00.0000009Z", "2000-02-29T12:00:00Z", "1969-12-31T23:59:59.5Z",
    "1900-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
    "2024-12-31T23:59:59.999999Z", "1970-01-01T00:00:00Z",
]
rfc3339_bad = [
    "", "2024-03-01", "2024-03-01T08:00:00", "2024-03-01T23:59:60Z", "2024-03-01T24:00:00Z",
    "2024-13-01T00:00:00Z", "2024-04-31T00:00:00Z", "2023-02-29T00:00:00Z",
    "1900-02-29T00:00:00Z", "0000-01-01T00:00:00Z", "2024-03-01T00:00:00Zjunk",
    "2024-03-01T12:00:00.Z", "2024-03-01T12:00:00.1234567890Z", "2024-03-01T12:00:00,5Z",
    "2024-03-01T12:00:00+0800", "2024-03-01T12:00:00+24:00", "2024-03-01T12:00:00+08:60",
    "12024-03-01T12:00:00Z", "+2024-03-01T08:00:00Z", "2024-03-01T0a:00:00Z", "1709251200",
    "2024-03-01T08:00:00\x00Z", "２０２４-03-01T08:00:00Z",
]

# ---- units: dimension byte, big-endian double, name ----
UNITS = [("t", 1), ("kt", 1), ("Mt", 1), ("万吨", 1), ("亿吨", 1), ("kW", 2), ("MW", 2),
         ("GW", 2), ("万千瓦", 2), ("kWh", 3), ("MWh", 3), ("GWh", 3), ("万千瓦时", 3),
         ("亿千瓦时", 3), ("tce", 4), ("万吨标准煤", 4), ("CNY", 5), ("元", 5), ("万元", 5),
         ("亿元", 5), ("%", 6)]
METRICS = ["raw_coal", "capacity_commissioned", "retrofit_capacity", "generation",
           "energy_consumption", "gdp", "advanced_capacity_share", "temperature"]


def unit_seed(dim, value, name):
    if isinstance(name, str):
        name = name.encode("utf-8")
    return bytes([dim]) + struct.pack(">d", value) + name


# ---- copyenc: a script of operations (fuzz_copyenc.c) ----
US_MIN = -62135596800000000


def u64(v):
    return struct.pack(">Q", v & 0xFFFFFFFFFFFFFFFF)


def f64(v):
    return struct.pack(">d", v)


def s(b, limit=255):
    if isinstance(b, str):
        b = b.encode("utf-8")
    b = b[:limit]
    return bytes([len(b)]) + b


def op_text(text, rest=False):
    if isinstance(text, str):
        text = text.encode("utf-8")
    if rest:
        return b"\x00" + s(b"") + b"\x01" + text
    return b"\x00" + s(text) + b"\x00"


def op_reading(n=7, site="wangzhuang", metric="raw_coal", kind="mine", unit="万吨",
               source="coal", county="长子县", name="王庄\\煤矿", ts=1709251200123456,
               value=15000.0, value_in=1.5, flags=3, seq=1042, recv=1709280000000000):
    return (b"\x01" + u64(n) + s(site) + s(metric) + s(kind) + s(unit) + s(source) + s(county) +
            s(name) + u64(ts - US_MIN) + f64(value) + f64(value_in) + bytes([flags]) + u64(seq) +
            u64(recv - US_MIN))


def op_reject(recv=1709280000000000, topic="energy/mine/a/raw_coal", reason="bad_json",
              detail="line 1 column 9: end of file expected near 'x'", flags=0, element=-1,
              keep=64, payload=b'{"a":1} x'):
    return (b"\x02" + u64(recv - US_MIN) + s(topic) + s(reason) + s(detail) + bytes([flags]) +
            u64(element) + u64(keep) + s(payload))


copyenc = {
    "text-plain": op_text("plain"),
    "text-escapes": op_text("a\tb\nc\rd\\e"),
    "text-null-marker": op_text("\\N"),
    "text-end-marker": op_text("\\."),
    "text-controls": op_text(bytes(range(0, 32)) + b"\x7f"),
    "text-nul": op_text(b"a\x00b"),
    "text-utf8": op_text("长治市 万吨标准煤 é \U0001F600 \xc2\x85"),
    "text-invalid": op_text(b"\xff a\xfeb \x80 \xc0\xaf \xe0\x80\xaf \xed\xa0\x80 \xf4\x90\x80\x80 "
                            b"\xe4\xb8"),
    "text-every-byte": op_text(bytes(range(256)), rest=True),
    "reading": op_reading(),
    "reading-nulls": op_reading(n=4294967295, source="", county="", name="", flags=0, ts=-1,
                                value=-0.5, value_in=0.0, metric="temperature", unit="°C", recv=0),
    "reading-hostile": op_reading(site="a\tb", metric="m\nx", kind="\\N", unit="\xff",
                                  county="\x1b[31m", name="\\.", seq=-1),
    "reading-doubles": op_reading(value=5e-324, value_in=1.7976931348623157e308) +
    op_reading(value=-0.0, value_in=0.1) + op_reading(value=math.nan, value_in=math.inf),
    "reading-edges": op_reading(ts=US_MIN, recv=253402300799999999, seq=2**63 - 1),
    "reject": op_reject(),
    "reject-nulls": op_reject(reason="", detail="", flags=3, element=-5, payload=b""),
    "reject-binary": op_reject(topic=b"t\x00\xff\t", payload=bytes(range(200)), keep=100,
                               element=3),
    "reject-truncated": op_reject(payload=b"x" * 255, keep=4),
    "mixed": op_text("x") + op_reading() + op_reject() + op_text("\\") + op_reading(flags=1),
}

# ---- config: the file's text ----
config = {
    "empty": "",
    "comments": "; a comment\n# another\n\n",
    "crlf-bom": "\ufeff[mqtt]\r\nqos = 2\r\nuri = tcp://b:1\r\n",
    "no-newline": "[mqtt]\nqos = 2",
    "colon": "[mqtt]\nqos: 2\n",
    "inline-comment": "[ingest]\nbatch_rows = 10 ; ten\nflush_ms = 5;x\n",
    "unterminated-section": "[mqtt\nqos = 1\n[log\nlevel = debug\n",
    "empty-section": "[]\nx = 1\n",
    "no-section": "qos = 1\n",
    "no-name": "[mqtt]\n= 1\n",
    "indented": "[mqtt]\nqos = 1\n  continuation\n",
    "nul": b"[mqtt]\nqos = 1\x002\nversion = 5\n",
    "long-line": "[mqtt]\nusername = " + "u" * 5000 + "\nqos = 2\n",
    "longest-line": "[postgres]\nconninfo = " + "c" * (4094 - len("conninfo = ")) + "\n",
    "long-section": "[" + "s" * 600 + "]\n" + "k" * 600 + " = v\n",
    "numbers": "[mqtt]\nqos = +1\nkeepalive_s = 0x10\n[ingest]\nbatch_rows = 1e3\n"
               "flush_ms = -0\nmax_future_s = 2147483647\nmax_past_s = 9223372036854775808\n",
    "doubles": "[alerts]\nfire_pct = nan\nresolve_pct = 1e-400\n[targets]\n"
               "min_elapsed_pct = 0x1p3\n",
    "doubles-inf": "[alerts]\nfire_pct = inf\nresolve_pct = -0\n",
    "alerts-equal": "[alerts]\nfire_pct = 3\nresolve_pct = 3\n",
    "smtp": "[smtp]\nurl = smtps://mail.example.org\nto = a@x, b@y\nfrom = et@x\ntls = none\n"
            "timeout_s = 10\nretry_s = 60\n",
    "smtp-bad": "[smtp]\nurl = http://x\nto = ,\nfrom = <x>\ntls = yes\n",
    "timezone": "[targets]\ntimezone = Asia/Shanghai'; DROP TABLE x; --\n",
    "layout-17": "[mqtt]\ntopic_layout = " + "/".join(["a"] * 14 + ["{kind}", "{site}", "{metric}"])
                 + "\n",
    "layout-twice": "[mqtt]\ntopic_layout = {site}/{site}/{metric}\n",
    "utf8": "[mqtt]\nclient_id = 长治\n[长治]\n键 = 值\n",
    "invalid-utf8": b"[mqtt]\nclient_id = \xff\xfe\n[\xc0\xaf]\n\xed\xa0\x80 = 1\n",
    "controls": "[mqtt]\nclient_id = a\x1bb\rc\n[a\rb]\nk = v\n",
    "cr-only": "[mqtt]\rqos = 2\rversion = 5\r",
    "dup-everything": "[mqtt]\nqos = 1\nqos = 1\nqos = 1\n[mqtt]\nqos = 2\n",
}


# ---- statcsv: a statistics CSV file as `enertrack import` reads it ----
STAT_HEAD = "scope,metric,period,value,unit,source,note\r\n"
statcsv = {
    "good-crlf": STAT_HEAD + 'city,raw_coal,2024-01,"1,530.2",万吨,统计局,"初步数, ""快报"""\r\n'
                 'county:襄垣县,generation,2024-Q1,12.5,亿千瓦时,nbs,"two\r\nlines"\r\n'
                 'site:m-1,capacity_commissioned,2024,9,kW,nbs,\r\n,,,,,,\r\n',
    "good-gb18030": (STAT_HEAD + "city,raw_coal,2024-02,1400,万吨,统计局,修订\r\n").encode("gb18030"),
    "good-bom": b"\xef\xbb\xbf" + (STAT_HEAD + "city,gdp,2024-q2,3,亿元,nbs,\n").encode(),
    "bad-fields": STAT_HEAD + "province,foo,2024-13,abc,吨x,,\r\ncity,raw_coal\r\n"
                  "city,raw_coal,2024-0\"2,3,t,nbs,\r\ncity,raw_coal,2024-01,1,t,s,x,y\r\n"
                  "city,raw_coal,2024-01,1,t,s,\r\ncity,raw_coal,2024-1,2,t,s,\r\n",
    "bad-header": "scope;metric;period\nx\n",
    "bad-open-quote": STAT_HEAD + 'city,raw_coal,2024-01,1,t,s,"open\r\n',
    "bad-utf16": b"\xff\xfes\x00c\x00",
    "cr-only": STAT_HEAD.replace("\r\n", "\r") + "city,raw_coal,2024,1,Mt,s,\r",
}


def main():
    for name, data in decode.items():
        write("decode", name, data)
    for i, t in enumerate(rfc3339_good):
        write("rfc3339", "good-%02d" % i, t)
    for i, t in enumerate(rfc3339_bad):
        write("rfc3339", "bad-%02d" % i, t)
    for name, dim in UNITS:
        write("units", "unit-%s" % name.encode().hex() if not name.isascii() else "unit-" +
              name.replace("%", "pct"), unit_seed(dim, 1.5, name))
    for i, (dim, value, name) in enumerate([
            (1, 9.0, "kW"), (2, 9.0, "kW"), (3, 500.0, "kWh"), (1, 1e308, "亿吨"),
            (2, -0.0, "万千瓦"), (6, math.nan, "%"), (5, math.inf, "亿元"), (5, -math.inf, "元"),
            (2, 5e-324, "kW"), (0, 1.0, "t"), (0, 1.0, "furlong"), (7, 1.0, "t"), (255, 1.0, "MW"),
            (1, 1.0, b"t\x00"), (1, 1.0, "T"), (1, 1.0, "万吨 "), (1, 1.0, b"\xe4\xb8"),
            (1, 1.0, "")]):
        write("units", "case-%02d" % i, unit_seed(dim, value, name))
    for m in METRICS:
        write("units", "metric-" + m, unit_seed(1, 1.0, m))
    write("units", "metric-nul", unit_seed(1, 1.0, b"raw_coal\x00x"))
    for name, data in copyenc.items():
        write("copyenc", name, data)
    fixtures = os.path.join(TOP, "tests", "data", "config")
    for f in sorted(os.listdir(fixtures)):
        if f.endswith(".ini"):
            with open(os.path.join(fixtures, f), "rb") as fh:
                write("config", "fixture-" + f[:-4], fh.read())
    with open(os.path.join(TOP, "etc", "enertrack.conf"), "rb") as fh:
        write("config", "sample-conf", fh.read())
    for name, data in config.items():
        write("config", name, data)
    for name, data in statcsv.items():
        write("statcsv", name, data)


if __name__ == "__main__":
    main()
