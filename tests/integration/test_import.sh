#!/bin/sh
# SPDX-License-Identifier: MIT
# enertrack import: official statistics from CSV files as Excel saves them.
#  0. a database never migrated: says so, imports nothing;
#  1. a GB18030 file with CRLF and Excel's quoting, and a UTF-8 file with a
#     BOM: imported, converted to the canonical units;
#  2. a file with bad lines: every one reported as file:line:column, and
#     nothing written, not even its good rows;
#  3. a re-import with a changed value: the old one in statistic_revision,
#     revision 2; the same file again changes nothing; statistic_put();
#  4. --dry-run: the counts, nothing written; without -c, the file only;
#  5. 100 000 lines: the time (a generous bound; the figure is in the
#     README), a progress bar on a terminal and none elsewhere.
. "$(dirname "$0")/lib.sh"

start_pg
MQURI=tcp://127.0.0.1:1 # no broker: nothing here connects to one
write_config "$T/enertrack.conf"
imp() { "$BIN/enertrack" import -c "$T/enertrack.conf" "$@"; }
printf 'scope,metric,period,value,unit,source,note\ncity,raw_coal,2024-01,1,t,s,\n' >"$T/one.csv"
rc=0
imp "$T/one.csv" >"$T/unmigrated.out" 2>&1 || rc=$?
[ "$rc" = 1 ] && grep -qF "run enertrack migrate -c $T/enertrack.conf" "$T/unmigrated.out" &&
	grep -qF "$T/one.csv: nothing imported" "$T/unmigrated.out" || fail "an unmigrated database: rc $rc, $(cat "$T/unmigrated.out")"
migrate >"$T/migrate.log" 2>&1 || fail "migrate: $(cat "$T/migrate.log")"
count() { q "SELECT count(*) FROM statistic"; }

# ---- 1. GB18030 (Excel on a Chinese Windows), a BOM
$PY - "$T/gb.csv" <<'EOP'
import sys
rows = ['scope,metric,period,value,unit,source,note',
        'city,raw_coal,2024-01,"1,530.2",万吨,统计局,"初步数, ""快报"""',
        'county:襄垣县,raw_coal,2024-01,412.5,万吨,统计局,',
        'county:襄垣县,generation,2024-Q1,12.5,亿千瓦时,统计局,"两行\r\n备注"',
        'city,capacity_commissioned,2024,60,万千瓦,统计局,全年']
open(sys.argv[1], 'wb').write('\r\n'.join(rows).encode('gb18030') + b'\r\n')
EOP
$PY -c 'import sys; open(sys.argv[1], "rb").read().decode("utf-8")' "$T/gb.csv" 2>/dev/null &&
	fail "the GB18030 test file is valid UTF-8: it tests nothing"
imp "$T/gb.csv" >"$T/gb.out" 2>&1 || fail "GB18030 import: $(cat "$T/gb.out")"
grep -qF "$T/gb.csv (GB18030): 4 rows: 4 new, 0 revised, 0 unchanged" "$T/gb.out" || fail "GB18030 summary: $(cat "$T/gb.out")"
got=$(q "SELECT string_agg(concat_ws('|', scope, metric, period, period_start, period_end, value, unit_in,
	value_in, source, note, revision), E'\n' ORDER BY scope, metric, period) FROM statistic")
want="city|capacity_commissioned|2024|2024-01-01|2025-01-01|600|万千瓦|60|统计局|全年|1
city|raw_coal|2024-01|2024-01-01|2024-02-01|15302000|万吨|1530.2|统计局|初步数, \"快报\"|1
county:襄垣县|generation|2024-Q1|2024-01-01|2024-04-01|1250000|亿千瓦时|12.5|统计局|两行
备注|1
county:襄垣县|raw_coal|2024-01|2024-01-01|2024-02-01|4125000|万吨|412.5|统计局||1"
[ "$(printf '%s' "$got" | tr -d '\r')" = "$want" ] || fail "GB18030 rows:
$got"
[ "$(q "SELECT position(E'\r\n' in note) > 0 FROM statistic WHERE period = '2024-Q1'")" = t ] ||
	fail "the note's CRLF inside quotes was not kept"
printf '\357\273\277scope,metric,period,value,unit,source,note\nsite:mine-01,raw_coal,2024-02,"12,000",t,矿方,BOM\n' >"$T/bom.csv"
imp "$T/bom.csv" >"$T/bom.out" 2>&1 || fail "BOM import: $(cat "$T/bom.out")"
grep -qF "(UTF-8 with BOM): 1 rows: 1 new" "$T/bom.out" || fail "BOM summary: $(cat "$T/bom.out")"
[ "$(q "SELECT value FROM statistic WHERE scope = 'site:mine-01'")" = 12000 ] || fail "BOM row"
log "ok: GB18030 with CRLF and Excel quoting, UTF-8 with BOM"

# ---- 2. bad lines: all reported, nothing written
before=$(count)
$PY - "$T/bad.csv" <<'EOP'
import sys
rows = ['scope,metric,period,value,unit,source,note',
        'city,raw_coal,2024-03,1,万吨,统计局,good',
        'city,raw_coal,2024-04,1,吨x,统计局,',
        'city,raw_coal,2024-05,"1,2",t,统计局,',
        'city,raw_coal,Jan-24,1,t,统计局,',
        'city,raw_coal,2024-06,1,MW,,',
        'city,raw_coal,2024-03,2,t,统计局,repeated',
        'city,raw_coal,2024-07,1,t,统计局,good too']
open(sys.argv[1], 'wb').write('\r\n'.join(rows).encode('gb18030') + b'\r\n')
EOP
rc=0
imp "$T/bad.csv" >"$T/bad.out" 2>"$T/bad.err" || rc=$?
[ "$rc" = 1 ] || fail "a file with bad lines exited $rc"
cat >"$T/bad.want" <<EOW
$T/bad.csv:3:5: unit "吨x" is not known
$T/bad.csv:4:4: value "1,2" is not a number
$T/bad.csv:5:3: period "Jan-24" is not YYYY-MM, YYYY-Qn, YYYY-Hn, YYYY-01..YYYY-MM or YYYY (format the column as text in Excel)
$T/bad.csv:6:5: unit "MW" does not fit raw_coal (a mass: t, kt, Mt, 万吨, 亿吨)
$T/bad.csv:6:6: source is empty
$T/bad.csv:7:1: city raw_coal 2024-03 from 统计局 is already on line 2 (one figure per scope, metric, period and source)
$T/bad.csv: 5 bad lines; nothing imported
EOW
diff "$T/bad.want" "$T/bad.err" >"$T/bad.diff" || fail "bad lines report: $(cat "$T/bad.diff")"
[ ! -s "$T/bad.out" ] || fail "stdout on a bad file: $(cat "$T/bad.out")"
[ "$(count)" = "$before" ] || fail "a file with bad lines wrote rows"
[ "$(q "SELECT count(*) FROM statistic WHERE period IN ('2024-03', '2024-07')")" = 0 ] || fail "good rows of a bad file written"
rc=0
printf 'scope;metric;period\n' >"$T/semi.csv"
imp "$T/semi.csv" 2>"$T/semi.err" || rc=$?
[ "$rc" = 1 ] && grep -qF "$T/semi.csv:1:1: header column 1 is \"scope;metric;period\"" "$T/semi.err" ||
	fail "semicolons: rc $rc, $(cat "$T/semi.err")"
printf '\377\376s\0' >"$T/u16.csv"
rc=0
imp "$T/u16.csv" 2>"$T/u16.err" || rc=$?
[ "$rc" = 1 ] && grep -qF "UTF-16" "$T/u16.err" || fail "UTF-16: rc $rc, $(cat "$T/u16.err")"
log "ok: every bad line named with line and column, nothing written"

# ---- 3. revisions
$PY - "$T/gb2.csv" <<'EOP'
import sys
rows = ['scope,metric,period,value,unit,source,note',
        'city,raw_coal,2024-01,"1,531.0",万吨,统计局,修订',
        'county:襄垣县,raw_coal,2024-01,412.5,万吨,统计局,',
        'county:襄垣县,generation,2024-Q1,12.5,亿千瓦时,统计局,"两行\r\n备注"',
        'city,capacity_commissioned,2024,60,万千瓦,统计局,全年',
        'city,raw_coal,2024-02,1400,万吨,统计局,']
open(sys.argv[1], 'wb').write('\r\n'.join(rows).encode('gb18030') + b'\r\n')
EOP
# dry run first: the counts, nothing written
imp --dry-run "$T/gb2.csv" >"$T/dry.out" 2>&1 || fail "dry run: $(cat "$T/dry.out")"
grep -qF "5 rows: 1 new, 1 revised, 3 unchanged (dry run: nothing written)" "$T/dry.out" || fail "dry run: $(cat "$T/dry.out")"
[ "$(q "SELECT value_in || ' ' || revision FROM statistic WHERE scope = 'city' AND period = '2024-01'")" = "1530.2 1" ] ||
	fail "the dry run wrote"
[ "$(q "SELECT count(*) FROM statistic_revision")" = 0 ] || fail "the dry run wrote a revision"
[ "$(q "SELECT count(*) FROM statistic WHERE scope = 'city' AND period = '2024-02'")" = 0 ] || fail "the dry run inserted"
"$BIN/enertrack" import --dry-run "$T/gb2.csv" >"$T/dry2.out" 2>&1 || fail "dry run without -c: $(cat "$T/dry2.out")"
grep -qF "(GB18030): 5 rows, all good (not compared with a database: no -c)" "$T/dry2.out" || fail "dry run without -c: $(cat "$T/dry2.out")"
rc=0
"$BIN/enertrack" import "$T/gb2.csv" 2>/dev/null || rc=$?
[ "$rc" = 2 ] || fail "import without -c or --dry-run exited $rc"
imp "$T/gb2.csv" >"$T/re.out" 2>&1 || fail "re-import: $(cat "$T/re.out")"
grep -qF "5 rows: 1 new, 1 revised, 3 unchanged" "$T/re.out" || fail "re-import: $(cat "$T/re.out")"
[ "$(q "SELECT value || ' ' || value_in || ' ' || revision || ' ' || note FROM statistic WHERE scope = 'city' AND period = '2024-01'")" = "15310000 1531 2 修订" ] ||
	fail "revised row: $(q "SELECT * FROM statistic WHERE scope = 'city' AND period = '2024-01'")"
[ "$(q "SELECT concat_ws('|', scope, period, revision, value, value_in, unit_in, note, replaced_at >= imported_at) FROM statistic_revision")" = \
	"city|2024-01|1|15302000|1530.2|万吨|初步数, \"快报\"|t" ] || fail "statistic_revision: $(q "SELECT * FROM statistic_revision")"
imp "$T/gb2.csv" >"$T/re2.out" 2>&1 || fail "re-import: $(cat "$T/re2.out")"
grep -qF "5 rows: 0 new, 0 revised, 5 unchanged" "$T/re2.out" || fail "the same again: $(cat "$T/re2.out")"
[ "$(q "SELECT count(*) FROM statistic_revision")" = 1 ] || fail "an unchanged import added revisions"
[ "$(q "SELECT max(revision) FROM statistic")" = 2 ] || fail "an unchanged import bumped a revision"
# statistic_put: the same rules for one row
put() { q "SELECT statistic_put('county:武乡县', 'raw_coal', '2024-05', '2024-05-01', '2024-06-01', $1 * 1e4, '万吨', $1, 'nbs', '')"; }
[ "$(put 10)" = inserted ] && [ "$(put 10)" = unchanged ] && [ "$(put 11)" = revised ] || fail "statistic_put"
[ "$(q "SELECT revision || ' ' || value FROM statistic WHERE scope = 'county:武乡县'")" = "2 110000" ] || fail "statistic_put revision"
[ "$(q "SELECT value FROM statistic_revision WHERE scope = 'county:武乡县'")" = 100000 ] || fail "statistic_put history"
for role in enertrack_reader enertrack_ingest; do
	[ "$(q "SELECT has_table_privilege('$role', 'statistic', 'SELECT') AND has_table_privilege('$role', 'statistic_revision', 'SELECT')")" = t ] ||
		fail "$role cannot read the statistics"
done
log "ok: --dry-run, a revision kept in statistic_revision, an unchanged re-import, statistic_put"

# ---- 4. 100 000 lines
$PY - "$T/big.csv" <<'EOP'
import sys
metrics = [('raw_coal', '万吨'), ('generation', '亿千瓦时'), ('energy_consumption', '万吨标准煤'), ('gdp', '亿元')]
with open(sys.argv[1], 'w', encoding='utf-8', newline='') as f:
    f.write('scope,metric,period,value,unit,source,note\r\n')
    n = 0
    site = 0
    while n < 100000:
        for m, u in metrics:
            for y in (2023, 2024):
                for mo in range(1, 13):
                    if n == 100000:
                        break
                    f.write(f'site:s{site:05d},{m},{y}-{mo:02d},"{1000 + n % 997:,}.5",{u},统计局,"第{n}行"\r\n')
                    n += 1
        site += 1
EOP
[ "$(wc -l <"$T/big.csv")" = 100001 ] || fail "the big file has $(wc -l <"$T/big.csv") lines"
before=$(count)
# wall time, and the CPU of enertrack and of PostgreSQL (its backends'
# time is added to the postmaster's children when they end): on a shared
# machine the CPU is the figure that does not depend on the neighbours
pm=$(head -n 1 "$PG_DATA/postmaster.pid")
pgcpu() { awk '{ print $14 + $15 + $16 + $17 }' "/proc/$pm/stat"; }
cpu0=$(pgcpu)
$PY - "$T/big.times" "$BIN/enertrack" import -c "$T/enertrack.conf" "$T/big.csv" >"$T/big.out" 2>"$T/big.err" <<'EOP' ||
import resource, subprocess, sys, time
t = time.monotonic()
rc = subprocess.call(sys.argv[2:])
wall = time.monotonic() - t
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
open(sys.argv[1], 'w').write('%.2f %.2f\n' % (wall, ru.ru_utime + ru.ru_stime))
sys.exit(rc)
EOP
	fail "100 000 lines: $(cat "$T/big.err")"
sleep 0.5 # the backend has ended and been counted
read -r secs client <"$T/big.times"
server=$(awk -v a="$cpu0" -v b="$(pgcpu)" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", (b - a) / hz }')
grep -qF "100000 rows: 100000 new, 0 revised, 0 unchanged" "$T/big.out" || fail "100 000 lines: $(cat "$T/big.out")"
[ "$(count)" = $((before + 100000)) ] || fail "100 000 lines: $(count) rows"
! grep -q "$(printf '\r')" "$T/big.err" || fail "a progress bar on a file"
log "100 000 lines imported in $secs s (CPU: enertrack $client s, PostgreSQL $server s; load average $(cut -d' ' -f1 /proc/loadavg))"
awk -v s="$secs" 'BEGIN { exit !(s < 60) }' || fail "100 000 lines took $secs s"
# again, on a terminal: a progress bar on stderr; all unchanged
$PY - "$BIN/enertrack" "$T/enertrack.conf" "$T/big.csv" >"$T/tty.out" <<'EOP' || fail "on a terminal: $(cat "$T/tty.out")"
import os, pty, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], [sys.argv[1], 'import', '-c', sys.argv[2], sys.argv[3]])
out = b''
end = time.time() + 120
while time.time() < end:
    try:
        b = os.read(fd, 65536)
    except OSError:
        break
    if not b:
        break
    out += b
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode('utf-8', 'replace'))
sys.exit(os.waitstatus_to_exitcode(status))
EOP
grep -q "checking .*\[#*" "$T/tty.out" && grep -q "writing .*100 %" "$T/tty.out" ||
	fail "no progress bar on a terminal: $(head -c 400 "$T/tty.out")"
grep -qF "100000 rows: 0 new, 0 revised, 100000 unchanged" "$T/tty.out" || fail "on a terminal: $(tail -c 300 "$T/tty.out")"
log "ok: 100 000 lines, a progress bar on a terminal only"
