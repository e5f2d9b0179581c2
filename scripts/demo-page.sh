#!/bin/sh
# SPDX-License-Identifier: MIT
# `make demo-page`: the status page of the data `make demo` left in demo/.
# Starts the demo's PostgreSQL again (its data directory), a mosquitto and an
# SMTP sink on new free ports, and enertrackd with a copy of the demo's
# configuration pointed at them (demo/page.conf), prints the page's URL and
# waits; Ctrl-C stops everything. The page shows the latest year with
# targets (the demo's 2024) as of its last minute.
# DEMO_DIR=dir: another directory left by scripts/demo.sh; PAGE_ONCE=1: print
# the URL, check that the page answers, and stop (for the tests);
# PAGE_MEASURE=1: time the cold page, then the warm one (the HTML, then
# every chart it shows, as a browser would ask for them, on a daemon that
# has drawn nothing yet: bench/pagetime.py), print "page: cold ..." and stop
# (make bench-page does the same on data it loads itself: bench/page.sh).
set -eu
REPO=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-build}
T=${DEMO_DIR:-$REPO/demo}
TEST_NAME=demo-page
if [ ! -f "$T/enertrack.conf" ] || [ ! -d "$T/pg/data" ]; then
	echo "demo-page: no demo in $T: run make demo first" >&2
	exit 1
fi
. "$REPO/scripts/services.sh"
PIDFILE=$T/page-pids
kill_tracked "$PIDFILE"
PG_HOME=$(cd "$T/pg" && pwd -P)
PG_DATA=$PG_HOME/data
pg_kill_stale "$PG_DATA"
PGPORT=$(free_port)
pg_start
PGCONN="host=127.0.0.1 port=$PGPORT user=postgres dbname=enertrack"
start_mosquitto
start_smtp
HTTP=127.0.0.1:$(free_port)
# the demo's settings, with this run's ports
sed -e "s|^uri = .*|uri = $MQURI|" -e "s|^conninfo = .*|conninfo = $PGCONN|" \
	-e "s|^listen = .*|listen = $HTTP|" -e "s|^url = smtp://.*|url = smtp://127.0.0.1:$SMTPPORT|" \
	-e "s|^spool_dir = .*|spool_dir = $T/page-spool|" \
	"$T/enertrack.conf" >"$T/page.conf"
start_daemon "$T/page.conf" "$T/page-daemon.log"
year=$(q "SELECT max(year) FROM target")
echo "== the demo's status page (enertrackd -c $T/page.conf, log $T/page-daemon.log):"
echo "   http://$HTTP/              the latest year with targets ($year)"
echo "   http://$HTTP/?year=$year"
echo "   http://$HTTP/targets.json?year=$year"
if [ -n "${PAGE_MEASURE:-}" ]; then
	$PY "$REPO/bench/pagetime.py" "http://$HTTP" "/" || fail "the page did not answer"
	stop_daemon
	exit 0
fi
if [ -n "${PAGE_ONCE:-}" ]; then
	$PY -c 'import sys, urllib.request
r = urllib.request.urlopen(sys.argv[1], timeout=60)
sys.exit(r.status != 200)' "http://$HTTP/" || fail "the page did not answer"
	echo "   (it answers)"
	stop_daemon
	exit 0
fi
echo "== Ctrl-C stops the daemon, mosquitto and PostgreSQL"
wait "$DPID"
