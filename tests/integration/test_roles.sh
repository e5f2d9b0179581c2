#!/bin/sh
# SPDX-License-Identifier: MIT
# Least privilege: the migrations create enertrack_ingest and
# enertrack_reader. A daemon logged in with enertrack_ingest alone ingests,
# corrects, keeps rejects, refused rows and evaluates targets without a
# permission error; it cannot delete, truncate or drop. A reader reads the
# progress view and cannot write.
. "$(dirname "$0")/lib.sh"

start_pg
start_mosquitto
write_config "$T/enertrack.conf"
migrate >/dev/null
q "CREATE ROLE etd LOGIN IN ROLE enertrack_ingest; CREATE ROLE bureau LOGIN IN ROLE enertrack_reader"
OWNER=$PGCONN
cp "$T/enertrack.conf" "$T/owner.conf"
ING="host=127.0.0.1 port=$PGPORT user=etd dbname=enertrack"
RD="host=127.0.0.1 port=$PGPORT user=bureau dbname=enertrack"
sed -i "s|^conninfo = .*|conninfo = $ING|" "$T/enertrack.conf"
printf '[targets]\neval_interval_s = 1\nmin_elapsed_pct = 0\n[alerts]\npending_s = 0\n[smtp]\nto = ops@example.org\n' >>"$T/enertrack.conf"
YEAR=$(q "SELECT extract(year FROM now() AT TIME ZONE 'Asia/Shanghai')")
q "INSERT INTO target (metric, year, kind, value, unit) VALUES ('raw_coal', $YEAR, 'about', 1e9, 't')"
start_daemon
$PY "$REPO/tests/integration/gen_readings.py" --sites 8 --per-site 50 --prefix ro --expect /dev/null >"$T/msgs.txt"
publish <"$T/msgs.txt" 2>/dev/null || fail "publish failed"
head -n 5 "$T/msgs.txt" | sed 's/"value": \([0-9.]*\)/"value": 4242.5/' | publish 2>/dev/null
printf 'energy/mine/ro-bad/raw_coal\tnot json\n' | publish 2>/dev/null
yday=$($PY -c 'import datetime; print((datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"))')
printf 'energy/mine/ro-now/raw_coal\t{"ts":"%s","value":5,"unit":"t"}\n' "$yday" | publish 2>/dev/null
wait_until 30 sh -c "[ \$(psql '$OWNER' -XAtqc 'SELECT count(*) FROM reading') = 401 ]" ||
	fail "as enertrack_ingest: $(rows) of 401 rows"
wait_until 10 sh -c "[ \$(psql '$OWNER' -XAtqc 'SELECT count(*) FROM reading_correction') = 5 ]" ||
	fail "corrections not written"
[ "$(q "SELECT count(*) FROM rejected_message")" = 1 ] || fail "the reject was not kept"
# a refused row is kept too (the writer's INSERT into rejected_message)
q "ALTER TABLE reading ADD CONSTRAINT no_x CHECK (site_id <> 'ro-x')"
printf 'energy/mine/ro-x/raw_coal\t{"ts":"2024-05-01T00:00:00Z","value":1,"unit":"t"}\n' | publish 2>/dev/null
wait_until 10 sh -c "[ \$(psql '$OWNER' -XAtqc \"SELECT count(*) FROM rejected_message WHERE reason = 'db_refused'\") = 1 ]" ||
	fail "a refused row was not kept"
# the evaluation ran (alert states, events, mails queued) as enertrack_ingest
wait_until 15 sh -c "[ \$(psql '$OWNER' -XAtqc 'SELECT count(*) FROM alert_state') -ge 1 ]" ||
	fail "no evaluation: $(grep -a 'alerts:' "$T/daemon.log" | tail -2)"
! grep -a "permission denied" "$T/daemon.log" || fail "permission denied in the daemon's log"
stop_daemon

denied() { # denied CONNINFO SQL
	if psql "$1" -XAtqc "$2" >"$T/denied.txt" 2>&1; then fail "allowed: $2"; fi
	grep -q "permission denied\|must be owner" "$T/denied.txt" || fail "$2: $(cat "$T/denied.txt")"
}
denied "$ING" "DELETE FROM reading"
denied "$ING" "TRUNCATE reading"
denied "$ING" "DROP TABLE rejected_message"
denied "$ING" "UPDATE target SET value = 1"
denied "$ING" "CREATE TABLE evil (x int)"
[ "$(psql "$RD" -XAtqc "SELECT count(*) FROM target_progress")" -ge 1 ] || fail "the reader cannot read target_progress"
[ "$(psql "$RD" -XAtqc "SELECT count(*) FROM reading")" = 401 ] || fail "the reader cannot read reading"
denied "$RD" "INSERT INTO rejected_message (received_at, topic, reason, payload, payload_bytes, truncated) VALUES (now(), '', 'x', '', 0, false)"
denied "$RD" "UPDATE alert_outbox SET sent_at = now()"
denied "$RD" "DELETE FROM reading"
# migrating twice (as the owner) keeps the roles as they are; as the daemon's role it cannot
"$BIN/enertrack" migrate -c "$T/owner.conf" --sql-dir "$REPO/sql" >"$T/migrate2.txt" 2>&1 ||
	fail "second migrate failed: $(cat "$T/migrate2.txt")"
mkdir -p "$T/sqlx"
cp "$REPO"/sql/[0-9][0-9][0-9]_*.sql "$T/sqlx/"
echo "CREATE TABLE probe (x int);" >"$T/sqlx/999_probe.sql"
if "$BIN/enertrack" migrate -c "$T/enertrack.conf" --sql-dir "$T/sqlx" >"$T/migrate3.txt" 2>&1; then
	fail "enertrack_ingest could migrate"
fi
grep -q "permission denied" "$T/migrate3.txt" || fail "migrate as enertrack_ingest: $(cat "$T/migrate3.txt")"
# readings change only through the write path's functions
denied "$ING" "UPDATE reading SET value = 0"
denied "$ING" "INSERT INTO site (site_id, kind) VALUES ('evil', 'mine')"
log "ok: enertrack_ingest ingests, corrects, keeps rejects and evaluates; cannot delete or drop; enertrack_reader only reads"
