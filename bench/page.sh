#!/bin/sh
# SPDX-License-Identifier: MIT
# `make bench-page`: the status page cold and warm on data the size of the
# demo's. Loads what `make demo` loads, the quick way: enertrack-sim's two
# years (2023-2024, --faults, seed 2024) published as fast as the daemon
# takes them (no --rate), its milestones and monthly statistics, and one
# evaluation at the year's last evening (the alerts the page lists). Then a
# fresh PostgreSQL and daemon (nothing drawn or sampled yet), and
# bench/pagetime.py times / and every chart it shows, twice: cold and warm.
# Prints the figures, and merges them into BENCH_JSON (and BENCH_JSON_ALSO)
# under "page".
# BENCH_PAGE_DIR=dir keeps the loaded data there and reuses it next time.
set -eu
REPO=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
JSON=${BENCH_JSON:-$REPO/$BUILD/bench.json}
TEST_NAME=bench-page
T=${BENCH_PAGE_DIR:-}
. "$REPO/scripts/services.sh"
YEAR=2024
START=$(date +%s)
say() { printf 'bench-page: [%3ds] %s\n' "$(($(date +%s) - START))" "$*" >&2; }

if [ -f "$T/loaded" ] && [ -d "$T/pg/data" ]; then
	say "reusing the data loaded in $T"
	PG_HOME=$(cd "$T/pg" && pwd -P)
	PG_DATA=$PG_HOME/data
	pg_kill_stale "$PG_DATA"
	PGPORT=$(free_port)
	pg_start
	PGCONN="host=127.0.0.1 port=$PGPORT user=postgres dbname=enertrack"
	start_mosquitto
	start_smtp
	sed -i -e "s|^uri = .*|uri = $MQURI|" -e "s|^conninfo = .*|conninfo = $PGCONN|" \
		-e "s|^listen = .*|listen = 127.0.0.1:$(free_port)|" \
		-e "s|^url = smtp://.*|url = smtp://127.0.0.1:$SMTPPORT|" "$T/enertrack.conf"
else
	rm -f "$T/loaded"
	start_pg
	start_mosquitto
	start_smtp
	# the demo's settings (scripts/demo.sh)
	write_config "$T/enertrack.conf" \
		"[targets]" "stale_after_s = 86400" \
		"[alerts]" "fire_pct = 5" "resolve_pct = 3" "pending_s = 172800" "repeat_s = 2592000" \
		"language = zh-CN" \
		"[smtp]" "url = smtp://127.0.0.1:$SMTPPORT" "tls = none" "from = enertrack@changzhi.example" \
		"to = energy-bureau@changzhi.example" "retry_s = 1"
	sed -i 's/^batch_rows = .*/batch_rows = 5000/; s/^flush_ms = .*/flush_ms = 200/' "$T/enertrack.conf"
	migrate >"$T/migrate.log" 2>&1 || fail "migrate: $(tail -5 "$T/migrate.log")"
	q "INSERT INTO counter_replacement (site_id, metric, at, old_final, new_initial, note)
	   VALUES ('tunliu-05', 'raw_coal', '$YEAR-07-01T00:00:00+08:00', 8765432.1, 5, 'belt scale replaced')"
	start_daemon
	say "enertrack-sim $((YEAR - 1))-01-01 .. $YEAR-12-31, as fast as the daemon takes it"
	"$BIN/enertrack-sim" --uri "$MQURI" --from "$((YEAR - 1))-01-01" --to "$YEAR-12-31" \
		--faults --statistics "$T/statistics.csv" --milestones "$T/milestones.sql" \
		--seed 2024 --client-id enertrack-bench-sim >"$T/sim.out" 2>"$T/sim.log" ||
		fail "enertrack-sim: $(tail -3 "$T/sim.log")"
	sent=$(sed -n 's/^sim: .*interval [^:]*: \([0-9]*\) messages.*/\1/p' "$T/sim.log" | tail -1)
	[ -n "$sent" ] || fail "no summary from enertrack-sim"
	wait_until 600 sh -c "[ \$(psql '$PGCONN' -XAtqc 'SELECT count(*) FROM reading') -ge $sent ]" ||
		fail "only $(q 'SELECT count(*) FROM reading') of $sent readings arrived"
	psql "$PGCONN" -X -q -v ON_ERROR_STOP=1 -f "$T/milestones.sql" >/dev/null || fail "milestones.sql"
	"$BIN/enertrack" import -c "$T/enertrack.conf" "$T/statistics.csv" >"$T/import.log" 2>&1 ||
		fail "import: $(tail -3 "$T/import.log")"
	"$BIN/enertrack" evaluate -c "$T/enertrack.conf" --at "$YEAR-12-31T20:00:00+08:00" \
		>"$T/evaluate.log" 2>&1 || fail "evaluate: $(tail -3 "$T/evaluate.log")"
	stop_daemon
	q "VACUUM ANALYZE" >/dev/null
	say "loaded: $(q "SELECT format('%s readings, %s sites, %s targets of %s, %s monthly figures',
		(SELECT count(*) FROM reading), (SELECT count(*) FROM site),
		(SELECT count(*) FROM target WHERE year = $YEAR), $YEAR, (SELECT count(*) FROM statistic))")"
	[ -n "${BENCH_PAGE_DIR:-}" ] && touch "$T/loaded"
	# cold: PostgreSQL started again too (its shared buffers empty)
	pg_stop
	pg_start
fi
sizes=$(q "SELECT json_build_object('readings', (SELECT count(*) FROM reading),
	'sites', (SELECT count(*) FROM site), 'targets', (SELECT count(*) FROM target WHERE year = $YEAR))")
start_daemon
say "a fresh enertrackd: the page at http://$(sed -n 's/^listen = //p' "$T/enertrack.conf")/"
PAGE_JSON_EXTRA=$sizes $PY "$REPO/bench/pagetime.py" --pg "$PGCONN" --json "$JSON" ${BENCH_JSON_ALSO:+--json "$BENCH_JSON_ALSO"} \
	"http://$(sed -n 's/^listen = //p' "$T/enertrack.conf")" "/" || fail "the page did not answer"
echo "bench-page: data $sizes; results in $JSON"
stop_daemon
