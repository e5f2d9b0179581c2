# SPDX-License-Identifier: MIT
# Private PostgreSQL, mosquitto and enertrackd instances on free loopback
# ports under one directory ($T), all stopped when the sourcing script exits.
# Used by the integration tests, the demo and the benchmark. Set REPO and
# BUILD before sourcing; T defaults to a new temporary directory, which is
# removed on success unless KEEP_TMP is set.
set -eu

: "${BUILD:=build}"
BIN=$REPO/$BUILD
PGBIN=/usr/lib/postgresql/15/bin
PY=/usr/bin/python3
if [ -z "${T:-}" ]; then
	T=$(mktemp -d /tmp/enertrack-test.XXXXXX)
else
	mkdir -p "$T"
	KEEP_TMP=1
fi
chmod 755 "$T"
PIDS=""
PG_DATA=""
# waits for data to flow scale by this under valgrind (a daemon 20-50 times slower)
WAIT_SCALE=1
[ -n "${ET_VALGRIND:-}" ] && WAIT_SCALE=5
: "${TEST_NAME:=$(basename "$0" .sh)}"

log() { printf '%s: %s\n' "$TEST_NAME" "$*" >&2; }
fail() {
	printf '%s: FAIL: %s\n' "$TEST_NAME" "$*" >&2
	if [ -f "$T/daemon.log" ]; then
		echo "---- daemon log (last 40 lines) ----" >&2
		tail -n 40 "$T/daemon.log" >&2
	fi
	exit 1
}

cleanup() {
	status=$?
	for p in $PIDS; do kill -TERM "$p" 2>/dev/null || true; done
	sleep 0.2
	for p in $PIDS; do kill -KILL "$p" 2>/dev/null || true; done
	if [ -n "$PG_DATA" ] && [ -d "$PG_DATA" ]; then
		as_pg "$PGBIN/pg_ctl" -D "$PG_DATA" -m immediate stop >/dev/null 2>&1 || true
	fi
	[ -n "${PIDFILE:-}" ] && rm -f "$PIDFILE"
	if [ "$status" = 0 ] && [ -z "${KEEP_TMP:-}" ]; then
		rm -rf "$T"
	else
		echo "$TEST_NAME: files kept in $T" >&2
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# track PID: stopped by cleanup. With PIDFILE set, the process is also
# written there with its start time, so that a run killed before its
# cleanup can be cleaned up by the next (kill_tracked) without touching a
# process that has since reused the number.
track() {
	PIDS="$PIDS $1"
	[ -n "${PIDFILE:-}" ] && echo "$1 $(proc_start "$1")" >>"$PIDFILE"
	return 0
}

proc_start() { cut -d' ' -f22 "/proc/$1/stat" 2>/dev/null || true; }

# kill_tracked FILE: stops what FILE lists that still runs.
kill_tracked() {
	[ -f "$1" ] || return 0
	while read -r pid start; do
		[ -n "$start" ] && [ "$(proc_start "$pid")" = "$start" ] && kill -KILL "$pid" 2>/dev/null
	done <"$1"
	rm -f "$1"
}

free_port() {
	$PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# as_pg COMMAND...: as the user PostgreSQL runs as (postgres for root), from
# / (the postgres user may not be able to enter the current directory).
as_pg() {
	if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

# wait_until SECONDS COMMAND...: polls every 0.1 s; returns 1 on timeout.
wait_until() {
	limit=$1
	shift
	end=$(($(date +%s) + limit))
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.1
	done
	return 0
}

# pg_home: where PostgreSQL's files go (PG_HOME). As root the server runs as
# the postgres user, which must be able to enter every directory above its
# data directory; a clone under /root or a mktemp -d directory (both mode
# 700) is closed to it. Then the files go under /var/tmp, in a directory
# named after $T so that the next run finds and replaces them, and $T/pg is
# a symbolic link to it. An ordinary user runs PostgreSQL as themselves,
# in $T/pg.
pg_home() {
	PG_HOME=$T/pg
	[ "$(id -u)" = 0 ] || { mkdir -p "$PG_HOME"; return; }
	rm -f "$PG_HOME" 2>/dev/null || true # an old link
	mkdir -p "$PG_HOME"
	chown postgres: "$PG_HOME"
	runuser -u postgres -- test -w "$PG_HOME" && return
	rmdir "$PG_HOME"
	PG_HOME=/var/tmp/enertrack-pg-$(printf '%s' "$T" | cksum | cut -d' ' -f1)
	pg_kill_stale "$PG_HOME/data"
	rm -rf "$PG_HOME"
	mkdir -m 700 "$PG_HOME"
	chown postgres: "$PG_HOME"
	ln -s "$PG_HOME" "$T/pg"
}

# pg_kill_stale DATA: stops a server an interrupted run left on DATA.
pg_kill_stale() {
	[ -f "$1/postmaster.pid" ] || return 0
	as_pg "$PGBIN/pg_ctl" -D "$1" -m immediate -w stop >/dev/null 2>&1 || true
}

start_pg() {
	PGPORT=$(free_port)
	pg_home
	PG_DATA=$PG_HOME/data
	as_pg "$PGBIN/initdb" -D "$PG_DATA" -U postgres -A trust -E UTF8 --no-sync >"$T/initdb.log" 2>&1 ||
		fail "initdb failed: $(tail -5 "$T/initdb.log")"
	pg_start
	psql -X -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -Atqc "CREATE DATABASE enertrack" >/dev/null ||
		fail "cannot create the database"
	PGCONN="host=127.0.0.1 port=$PGPORT user=postgres dbname=enertrack"
}

# TCP on loopback only: no Unix socket, whose path would have to fit in 107
# bytes and pass through pg_ctl's shell command line (a clone's path may
# hold spaces).
pg_start() {
	as_pg "$PGBIN/pg_ctl" -D "$PG_DATA" -l "$PG_HOME/log" -w -t 30 \
		-o "-p $PGPORT -c unix_socket_directories= -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off ${PG_OPTS:-}" \
		start >/dev/null || fail "PostgreSQL did not start: $(tail -5 "$PG_HOME/log")"
}

pg_stop() {
	as_pg "$PGBIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null
}

q() { psql "$PGCONN" -X -Atq -v ON_ERROR_STOP=1 -c "$1"; }

start_mosquitto() {
	MQPORT=$(free_port)
	mkdir -p "$T/mq"
	cat >"$T/mq/mosquitto.conf" <<EOC
listener $MQPORT 127.0.0.1
allow_anonymous true
persistence true
persistence_location $T/mq/
autosave_interval 1
max_queued_messages 0
max_inflight_messages 0
log_dest file $T/mq/mosquitto.log
user $(id -un)
EOC
	mosquitto -c "$T/mq/mosquitto.conf" &
	MQPID=$!
	track $MQPID
	wait_until 10 sh -c "ss -ltn | grep -q '127.0.0.1:$MQPORT '" || fail "mosquitto did not start"
	MQURI="tcp://127.0.0.1:$MQPORT"
}

stop_mosquitto() {
	kill -TERM "$MQPID" 2>/dev/null || true
	wait "$MQPID" 2>/dev/null || true
}

# write_config FILE [extra INI lines...]
write_config() {
	f=$1
	shift
	{
		printf '[mqtt]\nuri = %s\nclient_id = enertrack-%s\ntopics = energy/#\nqos = 1\n' "$MQURI" "$TEST_NAME"
		printf '[postgres]\nconninfo = %s\n' "$PGCONN"
		printf '[ingest]\nbatch_rows = 2000\nflush_ms = 50\nspool_dir = %s/spool\n' "$T"
		printf '[log]\nlevel = info\n'
		printf '[http]\nlisten = 127.0.0.1:%s\n' "$(free_port)"
		for l in "$@"; do printf '%s\n' "$l"; done
	} >"$f"
}

migrate() {
	"$BIN/enertrack" migrate -c "$T/enertrack.conf" --sql-dir "$REPO/sql" --seed
}

# start_daemon [CONF [LOG]]: runs enertrackd (default $T/enertrack.conf,
# logging to $T/daemon.log); its pid is in DPID.
start_daemon() {
	conf=${1:-$T/enertrack.conf}
	dlog=${2:-$T/daemon.log}
	# a restarted daemon appends to the same log: wait for one more line
	n0=$(grep -c "mqtt: connected" "$dlog" 2>/dev/null || true)
	if [ -n "${ET_VALGRIND:-}" ]; then
		valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
			--log-file="$T/valgrind.%p.log" \
			"$BIN/enertrackd" -c "$conf" >>"$dlog" 2>&1 &
	else
		"$BIN/enertrackd" -c "$conf" >>"$dlog" 2>&1 &
	fi
	DPID=$!
	track $DPID
	# fails at once when the daemon died (a bad config, a sanitizer report)
	wait_until 60 sh -c "[ \$(grep -c 'mqtt: connected' '$dlog') -gt ${n0:-0} ] ||
		! grep -qs '^State:.*[RSD]' /proc/$DPID/status" || fail "enertrackd did not connect ($dlog)"
	grep -qs '^State:.*[RSD]' "/proc/$DPID/status" || fail "enertrackd exited at start ($dlog)"
}

# stop_daemon [PID]: SIGTERM, expects exit 0.
stop_daemon() {
	pid=${1:-$DPID}
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" = 0 ] || fail "enertrackd exited $rc after SIGTERM"
}

# metric NAME [CONF]: the value of one /metrics line of the daemon of CONF
# (its [http] listen), e.g. metric 'enertrack_spool_bytes'; empty when down.
metric() {
	addr=$(sed -n 's/^listen = //p' "${2:-$T/enertrack.conf}")
	$PY - "$addr" "$1" <<'EOP' 2>/dev/null || true
import sys, urllib.request
body = urllib.request.urlopen("http://%s/metrics" % sys.argv[1], timeout=5).read().decode()
for line in body.splitlines():
    if line.startswith(sys.argv[2] + " "):
        print(line.split(" ")[1])
EOP
}

# expect_missing TSV: how many readings of TSV (written by gen_readings.py
# --expect) are missing from PostgreSQL or have another value there
expect_missing() {
	q "DROP TABLE IF EXISTS expect; CREATE TABLE expect (site_id text, metric text, epoch bigint, value double precision)"
	psql "$PGCONN" -X -q -c "\\copy expect FROM '$1'"
	q "SELECT count(*) FROM expect e LEFT JOIN reading r ON r.site_id = e.site_id AND r.metric = e.metric
		AND r.ts = to_timestamp(e.epoch) WHERE r.value IS DISTINCT FROM e.value"
}

# rows: readings in PostgreSQL
rows() { psql "$PGCONN" -XAtqc 'SELECT count(*) FROM reading' 2>/dev/null || echo 0; }

publish() {
	"$BIN/enertrack" publish --uri "$MQURI" --qos 1 "$@"
}

# start_smtp: the SMTP sink on a free port; mails land in $T/mail/*.eml
start_smtp() {
	SMTPPORT=${SMTPPORT:-$(free_port)}
	mkdir -p "$T/mail"
	# SMTP_TLS="CERT KEY": STARTTLS required
	$PY "$REPO/tests/integration/smtp_sink.py" "$SMTPPORT" "$T/mail" ${SMTP_TLS:-} >"$T/smtp.log" 2>&1 &
	SMTPPID=$!
	track $SMTPPID
	wait_until 15 sh -c "ss -ltn | grep -q '127.0.0.1:$SMTPPORT '" || fail "SMTP sink did not start: $(cat "$T/smtp.log")"
}

stop_smtp() {
	kill -TERM "$SMTPPID" 2>/dev/null || true
	wait "$SMTPPID" 2>/dev/null || true
}

mails() { ls "$T/mail" 2>/dev/null | grep -c '\.eml$' || true; }
