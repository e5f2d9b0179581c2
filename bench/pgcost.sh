#!/bin/sh
# SPDX-License-Identifier: MIT
# Where PostgreSQL's CPU per row goes on enertrack's write path: the same
# N readings (default 200 000, 146 sites, one metric) are written into an
# empty `reading` several ways, and the CPU of all PostgreSQL processes is
# read from /proc before and after each:
#   1. one bare COPY into reading (indexes and the rollup triggers);
#   2. the same with the triggers off (session_replication_role = replica);
#   3. COPY into the session's staging table only (what ingest_apply then reads);
#   4. the daemon's statements per batch, for batches of 5 000, 1 000 and
#      200 rows: BEGIN; COPY et_stage_reading; SELECT ingest_apply(); COMMIT.
# The client (psql) is not counted. Run by `make bench-pg`.
set -eu
# `pgcost.sh ticks DATADIR FILE`: the CPU ticks of the cluster's running
# processes into FILE. The measured psql session runs it as its first and
# last step, so that its own backend is counted whole and nothing depends
# on when an ended backend is reaped.
if [ "${1:-}" = ticks ]; then
	pm=$(head -1 "$2/postmaster.pid")
	for p in $(pgrep -P "$pm"); do
		awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || true
	done | awk '{ s += $1 } END { print s + 0 }' >"$3"
	exit 0
fi
REPO=$(cd "$(dirname "$0")/.." && pwd)
TEST_NAME=pgcost
. "$REPO/scripts/services.sh"
N=${N:-200000}
CLK_TCK=$(getconf CLK_TCK)

us_per_row() { awk -v a="$1" -v b="$2" -v n="$N" -v hz="$CLK_TCK" 'BEGIN { printf "%.1f", (b - a) * 1e6 / hz / n }'; }

start_pg
MQURI=tcp://127.0.0.1:1
write_config "$T/enertrack.conf"
migrate >/dev/null
# the staging COPY's columns, then reading's own
$PY - "$N" "$T" <<'EOF'
import sys, datetime
n, d = int(sys.argv[1]), sys.argv[2]
t0 = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
with open(d + "/stage.copy", "w") as st, open(d + "/reading.copy", "w") as rd:
    for i in range(n):
        site = "mine-%03d" % (i % 146)
        ts = (t0 + datetime.timedelta(minutes=i // 146)).isoformat()
        v = 1000.0 + i % 97
        st.write("%d\t%s\tmine\t\\N\t\\N\traw_coal\t%s\t%r\tt\t%r\t\\N\t\tf\t%s\n"
                 % (i % 5000, site, ts, v, v, ts))
        rd.write("%s\traw_coal\t%s\t%r\tt\t%r\t\\N\t\tf\t%s\n" % (site, ts, v, v, ts))
EOF
q "INSERT INTO site (site_id, kind) SELECT format('mine-%s', lpad(g::text, 3, '0')), 'mine' FROM generate_series(0, 145) g"
RCOLS="site_id, metric, ts, value, unit_in, value_in, seq, source, counter, received_at"
reset() { q "TRUNCATE reading, reading_hourly, reading_correction" >/dev/null; q "CHECKPOINT" >/dev/null; }

run() { # NAME SQLFILE
	reset
	{
		printf '\\! sh "%s" ticks "%s" "%s"\n' "$0" "$PG_DATA" "$T/ticks.a"
		cat "$2"
		printf '\\! sh "%s" ticks "%s" "%s"\n' "$0" "$PG_DATA" "$T/ticks.b"
	} >"$T/run.sql"
	psql "$PGCONN" -X -q -v ON_ERROR_STOP=1 -f "$T/run.sql" >/dev/null || fail "$1 failed"
	a=$(cat "$T/ticks.a")
	b=$(cat "$T/ticks.b")
	case "$1" in *staging*) true ;; *) false ;; esac || [ "$(q 'SELECT count(*) FROM reading')" = "$N" ] ||
		fail "$1: expected $N rows"
	printf '  %-52s %6s µs/row\n' "$1" "$(us_per_row "$a" "$b")"
}

printf '\\copy reading (%s) FROM %s\n' "$RCOLS" "'$T/reading.copy'" >"$T/bare.sql"
{ echo "SET session_replication_role = replica;"; cat "$T/bare.sql"; } >"$T/notrig.sql"
{
	echo "SELECT ingest_prepare();"
	echo "BEGIN;"
	printf '\\copy pg_temp.et_stage_reading (%s) FROM %s\n' "n, site_id, kind, county, name, metric, ts, value, unit_in, value_in, seq, source, counter, received_at" "'$T/stage.copy'"
	echo "COMMIT;"
} >"$T/stage.sql"
batches() { # ROWS: the daemon's statements, a batch of ROWS at a time
	rm -f "$T"/part.*
	split -l "$1" -d -a 4 "$T/stage.copy" "$T/part."
	echo "SELECT ingest_prepare();"
	for f in "$T"/part.*; do
		echo "BEGIN;"
		printf '\\copy pg_temp.et_stage_reading (%s) FROM %s\n' "n, site_id, kind, county, name, metric, ts, value, unit_in, value_in, seq, source, counter, received_at" "'$f'"
		echo "SELECT * FROM ingest_apply(true, false);"
		echo "COMMIT;"
	done
}

echo "PostgreSQL CPU per row, $N rows into an empty reading (all PostgreSQL processes):"
run "1. bare COPY into reading" "$T/bare.sql"
run "2. bare COPY, rollup triggers off" "$T/notrig.sql"
run "3. staging COPY only" "$T/stage.sql"
for b in 5000 1000 200; do
	batches "$b" >"$T/b$b.sql"
	run "4. enertrackd's statements, batches of $b" "$T/b$b.sql"
done
