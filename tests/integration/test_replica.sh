#!/bin/sh
# SPDX-License-Identifier: MIT
# The read path on a hot standby: a streaming replica made with
# pg_basebackup, [postgres] reader_conninfo pointing at it; enertrack status
# and target_progress there say what they say on the primary, once the
# replica has replayed; status runs in a read-only session, and works as a
# role that may only read.
. "$(dirname "$0")/lib.sh"

start_pg
MQURI=tcp://127.0.0.1:1 # no broker here
write_config "$T/enertrack.conf" "[targets]" "timezone = Asia/Shanghai" "min_elapsed_pct = 1"
migrate >/dev/null
q "CREATE FUNCTION t_add(s text, m text, at timestamptz, v double precision)
   RETURNS void LANGUAGE sql AS \$\$
     INSERT INTO site (site_id, kind) VALUES (s, 'mine') ON CONFLICT DO NOTHING;
     INSERT INTO reading (site_id, metric, ts, value, unit_in, value_in, received_at)
       VALUES (s, m, at, v, 't', v, now());
   \$\$"
q "DELETE FROM target"
q "INSERT INTO target (metric, year, kind, value, unit, tolerance_pct, scope) VALUES ('raw_coal', 2024, 'about', 36500, 't', 2, 'city')"
q "SELECT t_add('m-' || (i % 5), 'raw_coal', timestamptz '2024-01-01 12:00+08' + i * interval '1 day', 20) FROM generate_series(0, 99) i"

# the replica
SPORT=$(free_port)
STANDBY=$PG_HOME/standby
as_pg "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$PGPORT" -U postgres -D "$STANDBY" -R -X stream -c fast \
	>"$T/basebackup.log" 2>&1 || fail "pg_basebackup: $(tail -3 "$T/basebackup.log")"
stop_standby() { as_pg "$PGBIN/pg_ctl" -D "$STANDBY" -m immediate -w stop >/dev/null 2>&1 || true; }
trap 'st=$?; stop_standby; set +e; (exit $st); cleanup' EXIT
as_pg "$PGBIN/pg_ctl" -D "$STANDBY" -l "$PG_HOME/standby.log" -w -t 30 \
	-o "-p $SPORT -c unix_socket_directories= -c listen_addresses=127.0.0.1 -c hot_standby=on" \
	start >/dev/null || fail "the standby did not start: $(tail -5 "$PG_HOME/standby.log")"
SCONN="host=127.0.0.1 port=$SPORT user=postgres dbname=enertrack"
[ "$(psql "$SCONN" -XAtqc 'SELECT pg_is_in_recovery()')" = t ] || fail "the standby is not in recovery"
# written after the base backup: arrives by streaming
q "SELECT t_add('m-9', 'raw_coal', timestamptz '2024-05-01 12:00+08' + i * interval '1 day', 30) FROM generate_series(0, 49) i"
want=$(q "SELECT count(*) FROM reading")
wait_until 20 sh -c "[ \"\$(psql '$SCONN' -XAtqc 'SELECT count(*) FROM reading')\" = $want ]" ||
	fail "the standby did not replay ($want rows on the primary)"
log "ok: the standby replayed $want readings"

sed "s|^conninfo = .*|conninfo = host=127.0.0.1 port=1 dbname=nowhere\nreader_conninfo = $SCONN|" \
	"$T/enertrack.conf" >"$T/reader.conf"
AT=2024-07-01T00:00:00+08:00
"$BIN/enertrack" status -c "$T/enertrack.conf" --at $AT --json >"$T/primary.json" 2>"$T/err.txt" ||
	fail "status on the primary: $(cat "$T/err.txt")"
"$BIN/enertrack" status -c "$T/reader.conf" --at $AT --json >"$T/standby.json" 2>"$T/err.txt" ||
	fail "status on the standby: $(cat "$T/err.txt")"
cmp -s "$T/primary.json" "$T/standby.json" || fail "status differs: $(diff "$T/primary.json" "$T/standby.json")"
grep -q '"actual": *3500' "$T/standby.json" || fail "status on the standby: $(cat "$T/standby.json")"
"$BIN/enertrack" status -c "$T/reader.conf" --at $AT >"$T/standby.txt" 2>&1 || fail "status table: $(cat "$T/standby.txt")"
log "ok: enertrack status on the standby = on the primary: $(grep -o '"actual": *[0-9.]*' "$T/standby.json")"
P=$(q "SELECT actual, expected, status FROM target_progress_at('$AT')")
S=$(psql "$SCONN" -XAtqc "SELECT actual, expected, status FROM target_progress_at('$AT')")
[ "$P" = "$S" ] || fail "target_progress_at: primary $P, standby $S"
log "ok: target_progress_at on the standby: $S"

# read-only: the reads work in a read-only transaction and as a role that
# may only read; a write in the tool's kind of session is refused
psql "$PGCONN" -XAtq -v ON_ERROR_STOP=1 -c "SET default_transaction_read_only = on" \
	-c "SELECT count(*) FROM target_progress" -c "SELECT count(*) FROM target_progress_at('$AT')" \
	>/dev/null || fail "target_progress in a read-only session"
q "CREATE ROLE bureau LOGIN IN ROLE enertrack_reader"
sed "s|^conninfo = .*|conninfo = host=127.0.0.1 port=1 dbname=nowhere\nreader_conninfo = $PGCONN user=bureau|; s|user=postgres user=bureau|user=bureau|" \
	"$T/enertrack.conf" >"$T/bureau.conf"
"$BIN/enertrack" status -c "$T/bureau.conf" --at $AT --json >"$T/bureau.json" 2>"$T/err.txt" ||
	fail "status as a reader: $(cat "$T/err.txt")"
cmp -s "$T/primary.json" "$T/bureau.json" || fail "status as a reader differs"
rc=0
psql "$SCONN" -XAtqc "INSERT INTO site (site_id, kind) VALUES ('x', 'mine')" >/dev/null 2>&1 || rc=$?
[ "$rc" != 0 ] || fail "the standby took a write"
q "ALTER SYSTEM SET log_statement = 'all'" && q "SELECT pg_reload_conf()" >/dev/null
# the reload is asynchronous: a new session sees the setting once it applies
wait_until 10 sh -c "[ \"\$(psql '$PGCONN' -XAtqc 'SHOW log_statement')\" = all ]" || fail "log_statement not applied"
"$BIN/enertrack" status -c "$T/bureau.conf" --at $AT >/dev/null 2>&1 || fail "status as a reader (2)"
grep -q "SET default_transaction_read_only = on" "$PG_HOME/log" || fail "status did not make its session read-only"
log "ok: status runs read-only (default_transaction_read_only), as a role that may only read"
