#!/bin/sh
# SPDX-License-Identifier: MIT
# The command lines: --check-config names file, line and key for each error
# and exits 1; a good file exits 0; --version names the libraries; the
# sample configuration in etc/ is valid. What --check-config accepts for
# [http] listen, the daemon starts with (a host name too). enertrack status
# and evaluate: on a database never migrated, a bad --step or span, and with
# another time zone in their configuration than the daemon's.
. "$(dirname "$0")/lib.sh"

cat >"$T/bad.conf" <<'EOC'
[mqtt]
uri = tcp://127.0.0.1:1883
qos = 7
[ingest]
batch_rows = many
colour = blue
[alerts]
fire_pct = 2
resolve_pct = 3
EOC
rc=0
"$BIN/enertrackd" -c "$T/bad.conf" --check-config 2>"$T/err.txt" || rc=$?
[ "$rc" = 1 ] || fail "--check-config on a bad file exited $rc"
for want in "$T/bad.conf:3: [mqtt] qos: is out of range" \
	"$T/bad.conf:5: [ingest] batch_rows: must be a whole number" \
	"$T/bad.conf:6: [ingest] colour: unknown key" \
	"$T/bad.conf:9: [alerts] resolve_pct: must be smaller than fire_pct"; do
	grep -qF "$want" "$T/err.txt" || fail "missing error line '$want' in: $(cat "$T/err.txt")"
done
# the daemon refuses to start on it too, with the same lines
rc=0
"$BIN/enertrackd" -c "$T/bad.conf" 2>"$T/err2.txt" || rc=$?
[ "$rc" = 1 ] && grep -qF "$T/bad.conf:6: [ingest] colour: unknown key" "$T/err2.txt" || fail "daemon started on a bad file"
"$BIN/enertrackd" -c "$REPO/etc/enertrack.conf" --check-config >/dev/null || fail "etc/enertrack.conf is not valid"
"$BIN/enertrackd" --version | grep -q "paho-mqtt-c" || fail "--version"
"$BIN/enertrack" --version | grep -q "libpq" || fail "enertrack --version"
rc=0
"$BIN/enertrackd" -c "$T/missing.conf" 2>"$T/err3.txt" || rc=$?
[ "$rc" = 1 ] && grep -q "missing.conf: No such file" "$T/err3.txt" || fail "missing file: $(cat "$T/err3.txt")"

# ---- [http] listen: what --check-config accepts, the daemon starts with
start_pg
start_mosquitto
write_config "$T/enertrack.conf"
HPORT=$(free_port)
sed -i "s/^listen = .*/listen = localhost:$HPORT/" "$T/enertrack.conf"
"$BIN/enertrackd" -c "$T/enertrack.conf" --check-config >"$T/check.txt" 2>&1 ||
	fail "--check-config refused listen = localhost:$HPORT: $(cat "$T/check.txt")"
migrate >/dev/null || fail "migrate failed"
start_daemon
healthz() {
	$PY -c 'import sys, urllib.request
sys.exit(urllib.request.urlopen(sys.argv[1], timeout=2).status != 200)' "$1"
}
wait_until 20 healthz "http://localhost:$HPORT/healthz" || fail "no /healthz on localhost:$HPORT"
stop_daemon
# check_listen VALUE RC TEXT: --check-config with [http] listen = VALUE
check_listen() {
	sed "s/^listen = .*/listen = $1/" "$T/enertrack.conf" >"$T/listen.conf"
	rc=0
	"$BIN/enertrackd" -c "$T/listen.conf" --check-config >"$T/check.txt" 2>&1 || rc=$?
	[ "$rc" = "$2" ] || fail "--check-config with listen = $1 exited $rc, not $2: $(cat "$T/check.txt")"
	grep -qF -- "$3" "$T/check.txt" || fail "listen = $1: no '$3' in: $(cat "$T/check.txt")"
}
check_listen "127.0.0.1:$HPORT" 0 "configuration OK"
if $PY -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null; then
	check_listen "[::1]:$HPORT" 0 "configuration OK"
fi
check_listen "::1:$HPORT" 1 "listen.conf:15: [http] listen: an IPv6 address goes in brackets, e.g. [::1]:$HPORT"
check_listen "localhost" 1 "[http] listen: needs a port: HOST:PORT, e.g. localhost:9464"
check_listen "localhost:65536" 1 "[http] listen: port 65536 is out of range (1 to 65535)"
# an address of another machine (TEST-NET-1): resolving needs no network, and
# the bind that finds it foreign sends nothing
check_listen "192.0.2.1:$HPORT" 1 "[http] listen: '192.0.2.1:$HPORT': not an address of this machine"

# ---- status and evaluate on a database that was never migrated
psql "$(echo "$PGCONN" | sed 's/dbname=enertrack/dbname=postgres/')" -XAtqc "CREATE DATABASE bare" >/dev/null
sed "s/dbname=enertrack/dbname=bare/" "$T/enertrack.conf" >"$T/bare.conf"
for cmd in status evaluate; do
	rc=0
	"$BIN/enertrack" $cmd -c "$T/bare.conf" >"$T/out.txt" 2>"$T/err.txt" || rc=$?
	[ "$rc" = 1 ] || fail "$cmd on an unmigrated database exited $rc: $(cat "$T/err.txt")"
	[ "$(wc -l <"$T/err.txt")" = 1 ] && grep -q "run enertrack migrate" "$T/err.txt" ||
		fail "$cmd on an unmigrated database: $(cat "$T/err.txt")"
done

# and on one migrated before the settings of a session (006)
psql "$(echo "$PGCONN" | sed 's/dbname=enertrack/dbname=postgres/')" -XAtqc "CREATE DATABASE old" >/dev/null
sed "s/dbname=enertrack/dbname=old/" "$T/enertrack.conf" >"$T/old.conf"
mkdir -p "$T/sql-old"
cp "$REPO"/tests/data/schema-v0/00[0123]_*.sql "$T/sql-old/" # the layout before the baseline
"$BIN/enertrack" migrate -c "$T/old.conf" --sql-dir "$T/sql-old" >/dev/null || fail "migrate to 003"
rc=0
"$BIN/enertrack" status -c "$T/old.conf" >"$T/out.txt" 2>"$T/err.txt" || rc=$?
[ "$rc" = 1 ] && [ "$(wc -l <"$T/err.txt")" = 1 ] && grep -q "older than this enertrack.*run enertrack migrate" "$T/err.txt" ||
	fail "status on a schema without 006 exited $rc: $(cat "$T/err.txt")"

# and on one without only the newest migration (the tools must know it)
psql "$(echo "$PGCONN" | sed 's/dbname=enertrack/dbname=postgres/')" -XAtqc "CREATE DATABASE prev" >/dev/null
sed "s/dbname=enertrack/dbname=prev/" "$T/enertrack.conf" >"$T/prev.conf"
mkdir -p "$T/sql-prev"
cp "$REPO"/sql/[0-9]*.sql "$T/sql-prev/"
rm "$T/sql-prev/$(cd "$REPO/sql" && ls [0-9]*.sql | tail -1)"
"$BIN/enertrack" migrate -c "$T/prev.conf" --sql-dir "$T/sql-prev" >/dev/null || fail "migrate to the one before the newest"
for cmd in status evaluate; do
	rc=0
	"$BIN/enertrack" $cmd -c "$T/prev.conf" >"$T/out.txt" 2>"$T/err.txt" || rc=$?
	[ "$rc" = 1 ] && grep -q "older than this enertrack.*run enertrack migrate" "$T/err.txt" ||
		fail "$cmd on a schema without the newest migration exited $rc: $(cat "$T/err.txt")"
done

# ---- evaluate: a step that goes nowhere, a span that ends before it starts
# evaluate_usage TEXT ARGS...: exits 2 and says TEXT
evaluate_usage() {
	want=$1
	shift
	rc=0
	"$BIN/enertrack" evaluate -c "$T/enertrack.conf" "$@" >"$T/out.txt" 2>"$T/err.txt" || rc=$?
	[ "$rc" = 2 ] || fail "evaluate $* exited $rc: $(cat "$T/out.txt" "$T/err.txt")"
	grep -qF -- "$want" "$T/err.txt" || fail "evaluate $*: no '$want' in: $(cat "$T/err.txt")"
}
evaluate_usage "--step must be a positive interval" --from 2024-01-01 --to 2024-02-01 --step '-1 day'
evaluate_usage "--step must be a positive interval" --from 2024-01-01 --to 2024-02-01 --step '0'
evaluate_usage "--step must be a positive interval" --from 2024-01-01 --to 2024-02-01 --step '1 day -24 hours'
evaluate_usage "--from (2024-02-01) is later than --to (2024-01-01)" --from 2024-02-01 --to 2024-01-01
evaluate_usage "--step: invalid input syntax" --from 2024-01-01 --to 2024-02-01 --step 'often'
"$BIN/enertrack" evaluate -c "$T/enertrack.conf" --from 2024-03-01T00:00:00+08:00 \
	--to 2024-03-03T00:00:00+08:00 --step '1 day' >"$T/out.txt" 2>&1 || fail "evaluate over 3 days: $(cat "$T/out.txt")"
grep -q "^3 evaluations" "$T/out.txt" || fail "evaluate over 3 days: $(cat "$T/out.txt")"
# another instance's round holds the evaluation lock (a running daemon's
# takes seconds): evaluate waits for it, and the replay is whole. It used to
# fail at once with "try again", and make demo's replay failed by chance.
psql "$PGCONN" -XAtq -c "SELECT pg_advisory_lock(hashtext('enertrack.evaluate'))" \
	-c "SELECT pg_sleep(2)" >/dev/null 2>&1 &
HOLDER=$!
wait_until 10 sh -c "[ \$(psql '$PGCONN' -XAtqc \"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted\") -ge 1 ]" ||
	fail "the test's session did not take the evaluation lock"
"$BIN/enertrack" evaluate -c "$T/enertrack.conf" --from 2024-03-01T00:00:00+08:00 \
	--to 2024-03-03T00:00:00+08:00 --step '1 day' >"$T/out.txt" 2>"$T/err.txt" ||
	fail "evaluate while the lock was held for 2 s: $(cat "$T/out.txt" "$T/err.txt")"
wait "$HOLDER"
grep -q "^3 evaluations" "$T/out.txt" || fail "evaluate after waiting: $(cat "$T/out.txt")"
grep -q "holds the evaluation lock: waiting" "$T/err.txt" || fail "evaluate did not say it waited: $(cat "$T/err.txt")"
log "ok: evaluate waits for another instance's round"

# ---- the tool's own time zone and settings, and the daemon's left alone
# The daemon (Asia/Shanghai, the default) wrote its settings; the operator's
# tool runs with UTC. 2024-12-31T20:00Z is 2025 in Shanghai, 2024 in UTC.
q "UPDATE target_setting SET timezone = 'Asia/Shanghai', min_elapsed_pct = 5, stale_after_s = 3600"
q "DELETE FROM alert_state"
cp "$T/enertrack.conf" "$T/utc.conf"
printf '[targets]\ntimezone = UTC\nmin_elapsed_pct = 7\nstale_after_s = 7200\n' >>"$T/utc.conf"
"$BIN/enertrack" status -c "$T/utc.conf" --at 2024-12-31T20:00:00Z >"$T/out.txt" 2>&1 || fail "status: $(cat "$T/out.txt")"
grep -q "^Targets at 2024-12-31 20:00 (UTC)" "$T/out.txt" || fail "status did not use its own zone: $(cat "$T/out.txt")"
"$BIN/enertrack" status -c "$T/enertrack.conf" --at 2024-12-31T20:00:00Z >"$T/out.txt" 2>&1 || fail "status: $(cat "$T/out.txt")"
grep -q "^no targets for the year of" "$T/out.txt" || fail "status with Asia/Shanghai: $(cat "$T/out.txt")"
"$BIN/enertrack" evaluate -c "$T/utc.conf" --at 2024-12-31T20:00:00Z >"$T/out.txt" 2>&1 || fail "evaluate: $(cat "$T/out.txt")"
[ "$(q "SELECT count(*) > 0 FROM alert_state")" = t ] || fail "evaluate did not evaluate 2024's targets in UTC"
got=$(q "SELECT timezone || ' ' || min_elapsed_pct || ' ' || stale_after_s FROM target_setting")
[ "$got" = "Asia/Shanghai 5 3600" ] || fail "evaluate -c utc.conf changed the daemon's settings: $got"

# ---- one style of usage error: "enertrack: <subcommand>: <what>", a hint, exit 2
# usage_error TEXT ARGS...: enertrack ARGS exits 2, stderr starts with TEXT and has a second line
usage_error() {
	want=$1
	shift
	rc=0
	"$BIN/enertrack" "$@" >"$T/out.txt" 2>"$T/err.txt" || rc=$?
	[ "$rc" = 2 ] || fail "enertrack $* exited $rc: $(cat "$T/out.txt" "$T/err.txt")"
	[ "$(head -1 "$T/err.txt")" = "$want" ] || fail "enertrack $*: first line not '$want': $(cat "$T/err.txt")"
	[ "$(wc -l <"$T/err.txt")" -ge 2 ] || fail "enertrack $*: no hint: $(cat "$T/err.txt")"
}
C="$T/enertrack.conf"
usage_error "enertrack: status: --at 'last tuesday-ish' is not a time" status -c "$C" --at 'last tuesday-ish'
usage_error "enertrack: evaluate: --at 'noon' is not a time" evaluate -c "$C" --at noon
usage_error "enertrack: chart: --at '2024-13-01' is not a time" chart -c "$C" --target 1 --at 2024-13-01 -o "$T/c.png"
usage_error "enertrack: report: --at '31/06/2024' is not a time" report -c "$C" --year 2024 --format html --at 31/06/2024 -o "$T/r.html"
usage_error "enertrack: status: unexpected argument 'extra'" status -c "$C" extra
usage_error "enertrack: silence: unexpected argument 'b' after TARGET 'a'" silence -c "$C" a b --until tomorrow --reason x
usage_error "enertrack: report: missing --output OUTPUT" report -c "$C" --year 2024 --format xlsx
usage_error "enertrack: ack: missing --reason TEXT" ack -c "$C" raw_coal
usage_error "enertrack: report: --format 'pdfx': not one of xlsx, html, pdf" report -c "$C" --year 2024 --format pdfx -o "$T/r"
usage_error "enertrack: report: --year 1999: a year from 2000 to 2200" report -c "$C" --year 1999 --format xlsx -o "$T/r.xlsx"
usage_error "enertrack: report: -o $T/no/such/r.xlsx: the directory $T/no/such does not exist" report -c "$C" --year 2024 --format xlsx -o "$T/no/such/r.xlsx"
usage_error "enertrack: chart: -o $T/none/c.png: the directory $T/none does not exist" chart -c "$C" --target 1 -o "$T/none/c.png"
usage_error "enertrack: migrate: unknown option --colour" migrate -c "$C" --colour
usage_error "enertrack: import: missing STATS.csv" import -c "$C"
usage_error "enertrack: 'stats' is not a command" stats
# -c: $ENERTRACK_CONF, else /etc/enertrack/enertrack.conf
ENERTRACK_CONF="$C" "$BIN/enertrack" status >"$T/out.txt" 2>&1 || fail "status with ENERTRACK_CONF: $(cat "$T/out.txt")"
grep -q "^no targets for the year of now" "$T/out.txt" || fail "status with ENERTRACK_CONF: $(cat "$T/out.txt")"
if [ ! -e /etc/enertrack/enertrack.conf ]; then
	usage_error "enertrack: status: no configuration file /etc/enertrack/enertrack.conf (No such file or directory)" status
fi
"$BIN/enertrack" status --help | grep -q "ENERTRACK_CONF" || fail "status --help does not name ENERTRACK_CONF"

# ---- enertrack_reader's sessions see local time ([targets] timezone, set at migrate)
reader_tz() {
	q "SELECT array_to_string(s.setconfig, ',') FROM pg_db_role_setting s
	   JOIN pg_roles r ON r.oid = s.setrole WHERE r.rolname = 'enertrack_reader' AND s.setdatabase = 0"
}
[ "$(reader_tz)" = "TimeZone=Asia/Shanghai" ] || fail "enertrack_reader's TimeZone after migrate: $(reader_tz)"
"$BIN/enertrack" migrate -c "$T/utc.conf" >"$T/out.txt" || fail "migrate with UTC"
grep -qx "enertrack_reader sees UTC time" "$T/out.txt" || fail "migrate did not set the reader's zone: $(cat "$T/out.txt")"
"$BIN/enertrack" migrate -c "$T/utc.conf" >"$T/out.txt" || fail "migrate with UTC"
[ "$(reader_tz)" = "TimeZone=UTC" ] || fail "enertrack_reader's TimeZone after migrate with UTC: $(reader_tz)"
[ "$(cat "$T/out.txt")" = "$(grep "^schema is up to date" "$T/out.txt")" ] || fail "a second migrate said more: $(cat "$T/out.txt")"
log "ok"
