#!/bin/sh
# SPDX-License-Identifier: MIT
# enertrack report and the operators' views, on two years of readings:
#  1. the xlsx opens with openpyxl; every sheet has a frozen header row and
#     units in its headers; its numbers are numbers, and equal the figures
#     of target_progress_at() (targets, the month by month cumulative, the
#     counties' sum); the data quality sheet lists the stale site and the
#     rejects by reason;
#  2. the html report is one self-contained page (nothing loaded from
#     elsewhere) with the same tables;
#  3. the views monthly, site_health and alert_history give the figures
#     computed from reading, and enertrack_reader may read them;
#  4. bad arguments: a clear error, no file.
. "$(dirname "$0")/lib.sh"

start_pg
MQURI=tcp://127.0.0.1:1 # no broker: nothing here connects to one
write_config "$T/enertrack.conf"
migrate >/dev/null
AT=2024-06-30T12:00:00+08:00

# six mines in two counties, one reading a day at 23:00 local through 2023
# and 2024 (site 6 stops on 20 May 2024: stale by the end of June), some
# commissioning and a level; rejected messages of two reasons
q "INSERT INTO site (site_id, kind, county) SELECT 'm' || i, 'mine', CASE WHEN i <= 3 THEN '襄垣' ELSE '潞城' END
   FROM generate_series(1, 6) i"
q "INSERT INTO reading (site_id, metric, ts, value, unit_in, value_in, received_at)
   SELECT 'm' || i, 'raw_coal', d + interval '23 hours', 1000 * i + extract(doy FROM d), 't', 0, d
   FROM generate_series(1, 6) i,
        generate_series(timestamptz '2023-01-01 00:00+08', '2024-12-31 00:00+08', interval '1 day') d
   WHERE i < 6 OR d < '2024-05-20 00:00+08'"
q "INSERT INTO reading (site_id, metric, ts, value, unit_in, value_in, received_at, source) VALUES
   ('m1', 'capacity_commissioned', '2024-03-15 10:00+08', 120, 'MW', 120, now(), 'solar'),
   ('m2', 'capacity_commissioned', '2024-05-02 10:00+08', 80, 'MW', 80, now(), 'wind'),
   ('m1', 'advanced_capacity_share', '2024-06-01 10:00+08', 91.5, '%', 91.5, now(), '')"
q "INSERT INTO rejected_message (received_at, topic, reason, payload, payload_bytes, truncated)
   SELECT timestamptz '2024-04-01 00:00+08' + i * interval '1 day', 'energy/mine/m' || (1 + i % 2) || '/raw_coal',
          CASE WHEN i % 3 = 0 THEN 'bad_json' ELSE 'unknown_unit' END, '\\x00', 1, false
   FROM generate_series(1, 9) i;
   INSERT INTO rejected_message (received_at, topic, reason, payload, payload_bytes, truncated)
   VALUES (now() - interval '1 hour', 'energy/mine/m1/raw_coal', 'bad_json', '\\x00', 1, false)"

# 1. the workbook
"$BIN/enertrack" report -c "$T/enertrack.conf" --year 2024 --at "$AT" --format xlsx -o "$T/r.xlsx" \
	>"$T/report.out" 2>&1 || fail "report xlsx: $(cat "$T/report.out")"
# the figures to compare with, as PostgreSQL computes them with the same settings
psql "$PGCONN" -XAtq -F '	' -c "SELECT set_config('enertrack.timezone', 'Asia/Shanghai', false)" \
	-c "SELECT target_id, target / display_div, expected / display_div, actual / display_div,
	           drift_pct, projected / display_div, status, display_unit
	    FROM target_progress_at('$AT') ORDER BY target_id" | sed 1d >"$T/progress.tsv"
psql "$PGCONN" -XAtq -F '	' -c "SELECT set_config('enertrack.timezone', 'Asia/Shanghai', false)" \
	-c "SELECT p.target_id, m, p.expected / p.display_div, p.actual / p.display_div
	    FROM generate_series(1, 6) m,
	         LATERAL target_progress_at(least(timestamptz '$AT',
	            make_timestamptz(2024, m + 1, 1, 0, 0, 0, 'Asia/Shanghai') - interval '1 microsecond')) p
	    ORDER BY 1, 2" | sed 1d >"$T/monthly.tsv"
$PY - "$T/r.xlsx" "$T/progress.tsv" "$T/monthly.tsv" <<'PY' || fail "the workbook"
import math, re, sys
import openpyxl

wb = openpyxl.load_workbook(sys.argv[1])

def close(a, b):
    if b is None:
        return a is None
    return isinstance(a, (int, float)) and math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)

def num(s):
    return None if s == "" else float(s)

names = wb.sheetnames
assert names[0] == "Targets" and names[-3:] == ["Counties", "Sites", "Data quality"], names
for ws in wb.worksheets:
    assert ws.freeze_panes == "A2", (ws.title, ws.freeze_panes)
    # the as-of date on every sheet, beside its header
    assert "As of 2024-06-30 12:00 (Asia/Shanghai)" in [c.value for c in ws[1]], (ws.title, [c.value for c in ws[1]])

ws = wb["Targets"]
head = [c.value for c in ws[1]]
col = {h: i for i, h in enumerate(head)}
rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
progress = [l.rstrip("\n").split("\t") for l in open(sys.argv[2])]
assert len(rows) == len(progress) == 5, (len(rows), len(progress))
for tid, target, expected, actual, drift, projected, status, unit in progress:
    r = rows[int(tid)]
    for h, v in (("Plan (in Unit)", target), ("Expected by then (in Unit)", expected),
                 ("Actual (in Unit)", actual), ("Drift (%)", drift),
                 ("Projected year end (in Unit)", projected)):
        assert close(r[col[h]], num(v)), (tid, h, r[col[h]], v)
    assert r[col["Status"]] == status and r[col["Unit"]] == unit, (tid, r)
    # issue 21: a target in % (the advanced capacity share) drifts in
    # percentage points, and says so beside its figure
    assert r[col["Drift unit"]] == ("percentage points" if unit == "%" else "%"), (tid, r)
assert "percentage points" in [r[col["Drift unit"]] for r in rows.values()], rows
raw = rows[1]
assert raw[col["Unit"]] == "Mt" and raw[col["Actual (in Unit)"]] > 0, raw
# ids and counts are whole numbers, the kind a word
assert all(isinstance(r[col["Id"]], int) and isinstance(r[col["Sites reporting"]], int) for r in rows.values()), rows
assert raw[col["Kind"]] == "about" and raw[col["Scope"]] == "city", raw

# month by month: cumulative figures equal target_progress_at at each month's end
monthly = {}
for tid, m, e, a in (l.rstrip("\n").split("\t") for l in open(sys.argv[3])):
    monthly[(int(tid), int(m))] = (num(e), num(a))
ws = wb["Raw coal city"] # sheets are named by target
head = [c.value for c in ws[1]]
assert head[:3] == ["Month", "Expected by month end (Mt)", "Actual by month end (Mt)"], head
assert "Actual in month (Mt)" in head, head
data = list(ws.iter_rows(min_row=2, values_only=True))
assert [r[0].strftime("%Y-%m") for r in data] == ["2024-%02d" % m for m in range(1, 7)], [r[0] for r in data]
for m, r in enumerate(data, 1):
    e, a = monthly[(1, m)]
    assert close(r[1], e) and close(r[2], a), (m, r, e, a)
# the months add up to the year to date
assert math.isclose(sum(r[head.index("Actual in month (Mt)")] for r in data), data[-1][2], rel_tol=1e-9)

# counties: raw coal's two counties add up to the city's actual
ws = wb["Counties"]
head = [c.value for c in ws[1]]
assert "Year to date (in Unit)" in head and "Unit" in head, head
raw_rows = [r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == "Raw coal"]
assert sorted(r[2] for r in raw_rows) == sorted(["襄垣", "潞城"]), raw_rows
ytd = sum(r[head.index("Year to date (in Unit)")] for r in raw_rows)
assert math.isclose(ytd, raw[col["Actual (in Unit)"]], rel_tol=1e-9), (ytd, raw)

# sites: six mines of raw coal, m6 stale; numbers are numbers
ws = wb["Sites"]
head = [c.value for c in ws[1]]
srows = [r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == "Raw coal"]
assert sorted(r[2] for r in srows) == ["m%d" % i for i in range(1, 7)], srows
for r in srows:
    assert isinstance(r[head.index("Year to date (in Unit)")], float), r
    assert r[head.index("Stale")] == ("yes" if r[2] == "m6" else "no"), r
    assert r[head.index("Last reading (local)")].year == 2024, r # a real date

# data quality: the stale site, then the rejects by reason
ws = wb["Data quality"]
cells = list(ws.iter_rows(values_only=True))
i = [r[0] for r in cells].index("Rejected messages: reason")
assert cells[0][0] == "Stale site", cells[0]
assert ("m6", "Raw coal") in [(r[0], r[2]) for r in cells[1:i]], cells[:i]
rej = {r[0]: r[1] for r in cells[i + 1:] if r[0]}
assert rej == {"unknown_unit": 6, "bad_json": 3}, rej
# Excel's own charts beside each month-by-month table, two a target, no
# pictures (read the package)
import zipfile
z = zipfile.ZipFile(sys.argv[1])
media = [n for n in z.namelist() if n.startswith("xl/media/")]
assert media == [], media
charts = [n for n in z.namelist() if re.match(r"xl/charts/chart\d+\.xml$", n)]
assert len(charts) == 10, charts
assert all(b"<c:lineChart>" in z.read(n) or b"<c:barChart>" in z.read(n) for n in charts)
drawings = [n for n in z.namelist() if re.match(r"xl/drawings/drawing\d+\.xml$", n)]
assert len(drawings) == 5, drawings
print("xlsx ok: %d sheets" % len(names))
PY
log "ok: xlsx: $(cat "$T/report.out")"

# 2. the printable page
"$BIN/enertrack" report -c "$T/enertrack.conf" --year 2024 --at "$AT" --format html -o "$T/r.html" \
	>"$T/report-html.out" 2>&1 || fail "report html: $(cat "$T/report-html.out")"
$PY - "$T/r.html" <<'PY' || fail "the html report"
import re, sys
from html.parser import HTMLParser
page = open(sys.argv[1], encoding="utf-8").read()

class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables = 0
        self.refs = []
    def handle_starttag(self, tag, attrs):
        self.tables += tag == "table"
        for k, v in attrs:
            if k in ("src", "href") and v and not v.startswith("data:") and not v.startswith("#"):
                self.refs.append(v)
p = P()
p.feed(page)
assert not p.refs, "the page loads from elsewhere: %r" % p.refs
assert "<script" not in page and "@import" not in page and "url(" not in page
assert p.tables >= 9, p.tables
# the charts, inline: a progress and a gap chart per target
imgs = re.findall(r'<img alt="" src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
assert len(imgs) == 10, len(imgs)
assert "@media print" in page and "Raw coal [city]: month by month" in page and "襄垣" in page
print("html ok: %d tables" % p.tables)
PY

# the same in Chinese
cp "$T/enertrack.conf" "$T/zh.conf"
printf '[alerts]\nlanguage = zh-CN\n' >>"$T/zh.conf"
"$BIN/enertrack" report -c "$T/zh.conf" --year 2024 --at "$AT" --format xlsx -o "$T/zh.xlsx" \
	>"$T/report-zh.out" 2>&1 || fail "report xlsx zh-CN: $(cat "$T/report-zh.out")"
$PY - "$T/zh.xlsx" <<'PY' || fail "the zh-CN workbook"
import sys
import openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
assert wb.sheetnames[0] == "目标" and "原煤产量 全市" in wb.sheetnames and wb.sheetnames[-1] == "数据质量", wb.sheetnames
t = list(wb["目标"].iter_rows(values_only=True))
assert t[0][1] == "目标" and t[1][1] == "原煤产量" and t[1][13] == "落后", t[:2]
assert t[1][2] == "全市" and t[1][3] == "约", t[1] # words, not codes
m = [c.value for c in wb["原煤产量 全市"][1]]
assert m[:3] == ["月份", "月末应完成（万吨）", "月末实际累计（万吨）"], m # the bureau's units
assert t[1][4] == "万吨" and abs(t[1][5] - 17000) < 1e-6, t[1] # 1.7 亿吨 = 17 000 万吨
for ws in wb.worksheets:
    assert "截至 2024-06-30 12:00（北京时间）" in [c.value for c in ws[1]], (ws.title, [c.value for c in ws[1]])
s = [r for r in wb["站点"].iter_rows(min_row=2, values_only=True)]
assert {r[9] for r in s} == {"是", "否"}, [r for r in s][:2]
print("zh-CN ok")
PY

# the workbook as a spreadsheet program shows it: LibreOffice converts it to
# PDF (its native charts drawn by LibreOffice, not by us), pdftoppm
# rasterises the pages, and the charts must not be blank: pages with the
# series' colours on them, one or more a target
command -v soffice >/dev/null && command -v pdftoppm >/dev/null ||
	fail "no soffice or pdftoppm: scripts/deps.sh installs libreoffice-calc-nogui and poppler-utils"
mkdir -p "$T/lo" "$T/lohome"
HOME=$T/lohome timeout 180 soffice --headless --norestore --convert-to pdf --outdir "$T/lo" "$T/zh.xlsx" \
	>"$T/lo.log" 2>&1 && [ -s "$T/lo/zh.pdf" ] || fail "soffice did not convert the workbook: $(cat "$T/lo.log")"
pdftoppm -r 30 "$T/lo/zh.pdf" "$T/lo/page" || fail "pdftoppm"
$PY - "$T"/lo/page*.ppm <<'PY' || fail "the converted workbook's charts"
import sys
def coloured(path):
    data = open(path, "rb").read()
    # P6: "P6\n<w> <h>\n255\n" then RGB bytes
    parts = data.split(b"\n", 3)
    w, h = map(int, parts[1].split())
    px = parts[3]
    n = 0
    for i in range(0, len(px) - 2, 3):
        r, g, b = px[i], px[i + 1], px[i + 2]
        if max(r, g, b) - min(r, g, b) > 80:
            n += 1
    return n
counts = [coloured(p) for p in sys.argv[1:]]
with_charts = [c for c in counts if c > 200]
print("%d pages, %d with charts (coloured pixels: %s)" % (len(counts), len(with_charts), counts))
assert len(with_charts) >= 1 and sum(with_charts) > 2000, counts
PY
log "ok: the workbook converted by LibreOffice: $(ls "$T"/lo/page*.ppm | wc -l) pages, charts drawn"

# the PDF report for superiors, of the second quarter: A4, fonts embedded,
# the figures in its text, a chart on each target's page, page numbers; the
# advanced capacity share (in %) drifts in 个百分点 (issue 21)
"$BIN/enertrack" report -c "$T/zh.conf" --quarter 2024-Q2 --format pdf -o "$T/r.pdf" \
	>"$T/report-pdf.out" 2>&1 || fail "report pdf: $(cat "$T/report-pdf.out")"
pdffonts "$T/r.pdf" >"$T/fonts.txt" || fail "pdffonts: $(cat "$T/fonts.txt")"
[ "$(sed 1,2d "$T/fonts.txt" | wc -l)" -ge 1 ] && ! sed 1,2d "$T/fonts.txt" | awk '{ print $(NF-4) }' | grep -qv yes ||
	fail "fonts not embedded: $(cat "$T/fonts.txt")"
pdftotext -layout "$T/r.pdf" "$T/r.txt" || fail "pdftotext"
want=$(psql "$PGCONN" -XAtq -c "SELECT set_config('enertrack.timezone', 'Asia/Shanghai', false)" \
	-c "SELECT to_char(actual / display_div * 100, 'FM999,999,990.0') FROM target_progress_at('2024-06-30 23:59:59+08')
	    WHERE target_id = 1" | tail -1)
for w in "原煤产量" "截至 2024-06-30 23:59（北京时间）" "2024 年第 2" "季度" "第 1 页，共 6 页" "第 6 页，共 6 页" "$want" "各月数据来源" "个百分点"; do
	grep -qF -- "$w" "$T/r.txt" || fail "the PDF's text lacks '$w': $(head -30 "$T/r.txt")"
done
pdfinfo "$T/r.pdf" | grep -q "Page size:.*595.* x 841.*A4" || fail "not A4: $(pdfinfo "$T/r.pdf")"
mkdir -p "$T/pdf"
pdftoppm -r 60 "$T/r.pdf" "$T/pdf/page" || fail "pdftoppm of the report"
$PY - "$T"/pdf/page*.ppm <<'PY' || fail "the PDF's pages"
import sys
def coloured(path):
    parts = open(path, "rb").read().split(b"\n", 3)
    px = parts[3]
    return sum(1 for i in range(0, len(px) - 2, 3) if max(px[i:i + 3]) - min(px[i:i + 3]) > 80)
counts = [coloured(p) for p in sys.argv[1:]]
assert len(counts) == 6 and counts[1] > 150 and counts[2] > 150, counts # raw coal's and capacity's charts
print("ok", counts)
PY
log "ok: the PDF report: 6 A4 pages, fonts embedded, the figures in its text, charts drawn"

# 3. the views
v=$(q "SELECT round(total::numeric, 6) || ' ' || display_unit || ' ' || round(last_year::numeric, 6) || ' '
          || round(yoy_pct::numeric, 6) FROM monthly
       WHERE metric = 'raw_coal' AND scope_kind = 'county' AND scope_name = '襄垣' AND month = '2024-03-01'")
want=$(q "WITH m AS (SELECT extract(year FROM ts AT TIME ZONE 'Asia/Shanghai') AS y, sum(value) / 1e6 AS v
          FROM reading r JOIN site s ON s.site_id = r.site_id
          WHERE metric = 'raw_coal' AND s.county = '襄垣'
            AND to_char(ts AT TIME ZONE 'Asia/Shanghai', 'MM') = '03' GROUP BY 1)
          SELECT round(a.v::numeric, 6) || ' Mt ' || round(b.v::numeric, 6) || ' '
                 || round((100 * (a.v - b.v) / b.v)::numeric, 6) FROM m a, m b WHERE a.y = 2024 AND b.y = 2023")
[ -n "$v" ] && [ "$v" = "$want" ] || fail "monthly: '$v', want '$want'"
[ "$(q "SELECT count(*) FROM monthly WHERE metric = 'raw_coal' AND scope_kind = 'site' AND month = '2024-03-01'")" = 6 ] ||
	fail "monthly per site"
[ "$(q "SELECT total FROM monthly WHERE metric = 'advanced_capacity_share' AND scope_kind = 'city'")" = 91.5 ] ||
	fail "monthly: a level is its mean"
h=$(q "SELECT site_id || ' ' || stale || ' ' || round(interval_s) || ' ' || rejects_24h || ' ' || rejects_by_reason::text
       FROM site_health WHERE metric = 'raw_coal' AND site_id IN ('m1', 'm6') ORDER BY 1")
[ "$h" = "m1 true 86400 1 {\"bad_json\": 1}
m6 true 86400 0 {}" ] || fail "site_health: $h"
[ "$(q "SELECT count(*) FROM site_health")" = 9 ] || fail "site_health rows: $(q 'SELECT count(*) FROM site_health')"
# the same at a past instant: m6 still reported then, the rejects came later
h=$(q "SELECT site_id || ' ' || stale || ' ' || round(silent_s) || ' ' || rejects_24h
       FROM site_health_at('2024-05-19 23:30+08') WHERE metric = 'raw_coal' AND site_id IN ('m1', 'm6') ORDER BY 1")
[ "$h" = "m1 false 1800 0
m6 false 1800 0" ] || fail "site_health_at 2024-05-19 23:30: $h"
h=$(q "SELECT rejects_24h FROM site_health_at('2024-04-05 12:00+08') WHERE metric = 'raw_coal' AND site_id = 'm1'")
[ "$h" = 1 ] || fail "site_health_at 2024-04-05: the rejects of the day before: $h"
q "INSERT INTO drift_event (target_id, from_state, to_state, event, status, drift_pct, expected, actual, at)
   VALUES (1, 'pending', 'firing', 'firing', 'behind', -12, 84e6, 74e6, '$AT') RETURNING id" >/dev/null
q "INSERT INTO alert_outbox (drift_event_id, subject, message, recipients)
   SELECT id, 's', 'm', 'a@example.org' FROM drift_event"
[ "$(q "SELECT label || ' ' || event || ' ' || delivery || ' ' || expected || ' ' || display_unit FROM alert_history")" = \
	"Raw coal firing queued 84 Mt" ] || fail "alert_history: $(q 'SELECT * FROM alert_history')"
# every mail is in the history, each with its kind: a county off its
# statistics, the digest, a group member down
q "WITH o AS (INSERT INTO alert_outbox (subject, message) VALUES ('襄垣 off', 'm') RETURNING id)
   INSERT INTO truth_alert (kind, key, firing, since, outbox_id)
   SELECT 'reconcile', 'county:襄垣|raw_coal', true, now(), id FROM o" >/dev/null
q "WITH o AS (INSERT INTO alert_outbox (subject, message) VALUES ('digest', 'm') RETURNING id)
   INSERT INTO digest_sent (period, outbox_id) SELECT '2024-06-30', id FROM o" >/dev/null
q "INSERT INTO alert_outbox (subject, message) VALUES ('member down', 'm')" >/dev/null
h=$(q "SELECT string_agg(kind || ' ' || coalesce(scope, '-') || ' ' || coalesce(label_zh, '-') || ' ' || delivery, ', '
       ORDER BY outbox_id) FROM alert_history WHERE outbox_id IS NOT NULL")
[ "$h" = "drift city 原煤产量 queued, reconciliation county:襄垣 原煤产量 queued, digest - - queued, member_down - - queued" ] ||
	fail "alert_history of every mail: $h"
psql "$PGCONN" -XAtq -v ON_ERROR_STOP=1 -c "SET ROLE enertrack_reader" \
	-c "SELECT count(*) FROM monthly" -c "SELECT count(*) FROM site_health" \
	-c "SELECT count(*) FROM alert_history" -c "SELECT count(*) FROM alert_silence" \
	-c "SELECT count(*) FROM alert_route" -c "SELECT count(*) FROM digest_sent" >/dev/null 2>"$T/reader.err" ||
	fail "enertrack_reader cannot read the views: $(cat "$T/reader.err")"
log "ok: views monthly, site_health, alert_history"

# 3b. Chinese throughout: the zh-CN workbook, PDF, printable page and the
# tools' messages (report, evaluate, import) have no English word outside the
# allowlist (the test data's site ids m1..m6 are two letters: not words)
"$BIN/enertrack" report -c "$T/zh.conf" --year 2024 --at "$AT" --format html -o "$T/zh.html" \
	>"$T/report-zh-html.out" 2>&1 || fail "report html zh-CN: $(cat "$T/report-zh-html.out")"
# (its log lines on stderr are the system log's, in English like the daemon's)
"$BIN/enertrack" evaluate -c "$T/zh.conf" --at "$AT" >"$T/evaluate-zh.out" 2>"$T/evaluate-zh.err" ||
	fail "evaluate zh-CN: $(cat "$T/evaluate-zh.out" "$T/evaluate-zh.err")"
printf 'scope,metric,period,value,unit,source,note\ncounty:襄垣,raw_coal,2024-01,12.5,万吨,统计局,\n' >"$T/s.csv"
"$BIN/enertrack" import -c "$T/zh.conf" --dry-run "$T/s.csv" >"$T/import-zh.out" 2>&1 || fail "import zh-CN: $(cat "$T/import-zh.out")"
$PY "$REPO/tests/integration/zh_check.py" --allow unknown_unit --allow bad_json "$T/zh.xlsx" "$T/r.pdf" "$T/zh.html" "$T/report-zh.out" \
	"$T/report-pdf.out" "$T/evaluate-zh.out" "$T/import-zh.out" >"$T/zh_check.log" 2>&1 ||
	fail "English in the zh-CN reports: $(cat "$T/zh_check.log")"
log "$(tail -1 "$T/zh_check.log"): the workbook, the PDF, the page, report, evaluate, import"

# 4. bad arguments
for args in "--year 2024 --at 2023-06-30 --format xlsx" "--year 2024 --format docx" \
	"--quarter 2024-Q5 --format pdf" \
	"--year 2024 --at yesterday-ish --format xlsx" "--year 99 --format xlsx"; do
	# shellcheck disable=SC2086
	rc=0
	"$BIN/enertrack" report -c "$T/enertrack.conf" $args -o "$T/bad.out" >"$T/bad.log" 2>&1 || rc=$?
	[ "$rc" = 2 ] || fail "report $args: exit $rc: $(cat "$T/bad.log")"
	[ ! -e "$T/bad.out" ] || fail "report $args wrote a file"
done
log "ok: bad arguments refused"
