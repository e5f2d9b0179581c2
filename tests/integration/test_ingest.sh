#!/bin/sh
# SPDX-License-Identifier: MIT
# Ingest: 20 000 readings across 50 sites land exactly once with the right
# canonical values; the same 20 000 again change nothing; changed values are
# corrections; 20 bad messages of different kinds are kept in
# rejected_message with distinct reasons and the daemon keeps running;
# migrate is safe twice and concurrently; SIGTERM commits and exits 0.
. "$(dirname "$0")/lib.sh"

start_pg
start_mosquitto
write_config "$T/enertrack.conf" "[ingest]" "max_past_s = 315360000"

# migrate: two at once on an empty database, then once more
migrate >"$T/m1.log" 2>&1 &
m1=$!
migrate >"$T/m2.log" 2>&1 || fail "concurrent migrate failed: $(cat "$T/m2.log")"
wait $m1 || fail "concurrent migrate failed: $(cat "$T/m1.log")"
migrate | grep -q "up to date" || fail "third migrate did something"
[ "$(q "SELECT count(*) FROM schema_migration")" = "$(ls "$REPO"/sql/[0-9][0-9][0-9]_*.sql | wc -l)" ] ||
	fail "schema_migration does not list each migration once"

start_daemon

# 1. 20 000 readings, 50 sites, mixed units
$PY "$REPO/tests/integration/gen_readings.py" --sites 50 --per-site 400 --expect "$T/expect.tsv" >"$T/msgs.txt"
[ "$(wc -l <"$T/msgs.txt")" = 20000 ] || fail "generator"
t0=$(date +%s.%N)
publish <"$T/msgs.txt" 2>"$T/pub1.log" || fail "publish failed: $(cat "$T/pub1.log")"
wait_until 120 sh -c "[ \"\$(psql '$PGCONN' -XAtqc 'SELECT count(*) FROM reading')\" = 20000 ]" ||
	fail "expected 20000 rows, have $(q 'SELECT count(*) FROM reading')"
t1=$(date +%s.%N)
rate=$(echo "20000 / ($t1 - $t0)" | bc -l 2>/dev/null || $PY -c "print(20000/($t1-$t0))")
log "20000 readings published and committed in $($PY -c "print(round($t1-$t0,2))") s ($($PY -c "print(int($rate))") readings/s end to end)"

bad=$(expect_missing "$T/expect.tsv")
[ "$bad" = 0 ] || fail "$bad readings missing or with a wrong canonical value"
[ "$(q "SELECT count(DISTINCT site_id) FROM reading")" = 50 ] || fail "expected 50 sites"
[ "$(q "SELECT count(*) FROM site")" = 50 ] || fail "sites did not register"
[ "$(q "SELECT kind FROM site WHERE site_id = 'it-01'")" = plant ] || fail "kind from topic"
[ "$(q "SELECT count(*) FROM reading WHERE seq IS NULL")" = 0 ] || fail "seq lost"
[ "$(q "SELECT unit_in || ' ' || value_in FROM reading WHERE site_id = 'it-00' AND seq = 2")" = "万吨 47.54" ] ||
	fail "unit_in/value_in not kept: $(q "SELECT unit_in, value_in FROM reading WHERE site_id = 'it-00' AND seq = 2")"
[ "$(q "SELECT count(*) FROM rejected_message")" = 0 ] || fail "unexpected rejects: $(q 'SELECT reason, detail FROM rejected_message LIMIT 5')"

# A sentinel published last: once it is in, everything before it is too
# (one subscriber, messages in order, batches committed in order).
sentinel() {
	printf 'energy/mine/sentinel/raw_coal\t{"ts":"2024-06-01T00:00:%02d+08:00","value":%d,"unit":"t"}\n' "$1" "$1" | publish 2>/dev/null
	wait_until 60 sh -c "[ \"\$(psql '$PGCONN' -XAtqc \"SELECT count(*) FROM reading WHERE site_id = 'sentinel' AND value = $1\")\" = 1 ]" ||
		fail "sentinel $1 not written"
}

# the hourly rollup agrees with the readings, whichever statement wrote them
# (a bucket holds (hour, hour + 1 h]: a reading counts in the period it ends)
hourly_ok() {
	[ "$(q "SELECT count(*) FROM (SELECT site_id, metric, coalesce(source, '') AS source,
		date_trunc('hour', ts - interval '1 microsecond') AS hour, sum(value) AS v, count(*) AS n
		FROM reading GROUP BY 1, 2, 3, 4) r
		FULL JOIN reading_hourly h USING (site_id, metric, source, hour)
		WHERE r.n IS DISTINCT FROM h.n OR abs(r.v - h.value_sum) > 1e-6 * abs(r.v)")" = 0 ] ||
		fail "reading_hourly disagrees with reading ($1)"
}
hourly_ok "first ingest"

# 2. the same 20 000 again: nothing changes
before=$(q "SELECT md5(string_agg(site_id || metric || ts || value || received_at, ',' ORDER BY site_id, metric, ts)) FROM reading")
publish <"$T/msgs.txt" 2>/dev/null || fail "republish failed"
sentinel 1
after=$(q "SELECT md5(string_agg(site_id || metric || ts || value || received_at, ',' ORDER BY site_id, metric, ts)) FROM reading WHERE site_id <> 'sentinel'")
[ "$before" = "$after" ] || fail "republishing the same readings changed rows"
[ "$(q "SELECT count(*) FROM reading")" = 20001 ] || fail "duplicates were inserted"
[ "$(q "SELECT count(*) FROM reading_correction")" = 0 ] || fail "duplicates counted as corrections"

# 3. corrections: 10 readings with new values
head -n 10 "$T/msgs.txt" | sed 's/"value": \([0-9.]*\)/"value": 99999.5/' >"$T/corr.txt"
publish <"$T/corr.txt" 2>/dev/null
sentinel 2
[ "$(q "SELECT count(*) FROM reading_correction")" = 10 ] || fail "expected 10 corrections, have $(q 'SELECT count(*) FROM reading_correction')"
[ "$(q "SELECT count(*) FROM reading WHERE corrections = 1 AND value_in = 99999.5 AND prev_value IS NOT NULL")" = 10 ] ||
	fail "corrected values not applied"
[ "$(q "SELECT count(*) FROM reading")" = 20002 ] || fail "corrections added rows"

# 3b. one key three times within one batch (one array): the last value wins,
# each change is a correction, and the hourly rollup counts the reading once
printf '%s\t%s\n' energy/mine/dup-1/raw_coal \
	'[{"ts":"2024-07-01T00:00:00Z","value":1,"unit":"t"},{"ts":"2024-07-01T00:00:00Z","value":2,"unit":"t"},{"ts":"2024-07-01T00:00:00Z","value":3,"unit":"t"}]' |
	publish 2>/dev/null
wait_until 30 sh -c "[ \"\$(psql '$PGCONN' -XAtqc \"SELECT value FROM reading WHERE site_id = 'dup-1'\")\" = 3 ]" ||
	fail "a key repeated within a batch: $(q "SELECT value, corrections FROM reading WHERE site_id = 'dup-1'")"
[ "$(q "SELECT count(*) FROM reading_correction WHERE site_id = 'dup-1'")" = 2 ] ||
	fail "repeated key: $(q "SELECT count(*) FROM reading_correction WHERE site_id = 'dup-1'") corrections, expected 2"
[ "$(q "SELECT value_sum || '/' || n FROM reading_hourly WHERE site_id = 'dup-1'")" = 3/1 ] ||
	fail "repeated key: hourly rollup $(q "SELECT value_sum || '/' || n FROM reading_hourly WHERE site_id = 'dup-1'")"
q "DELETE FROM reading_correction WHERE site_id = 'dup-1'; DELETE FROM reading WHERE site_id = 'dup-1'; DELETE FROM reading_hourly WHERE site_id = 'dup-1'"

hourly_ok "after corrections"

# 4. twenty bad messages, each a different reason
cat >"$T/bad.txt" <<'EOB'
energy/mine/bad-01/raw_coal	{"ts":"2024-01-01T00:00:00+08:00","value":1,"unit":"t"
energy/mine/bad-02/raw_coal	[]
energy/mine/bad-03/raw_coal	[1]
energy/mine/bad-04/raw_coal	{"value":1,"unit":"t"}
energy/mine/bad-05/raw_coal	{"ts":"yesterday","value":1,"unit":"t"}
energy/mine/bad-06/raw_coal	{"ts":"2999-01-01T00:00:00Z","value":1,"unit":"t"}
energy/mine/bad-07/raw_coal	{"ts":"2024-01-01T00:00:00Z","unit":"t"}
energy/mine/bad-08/raw_coal	{"ts":"2024-01-01T00:00:00Z","value":"12","unit":"t"}
energy/mine/bad-09/raw_coal	{"ts":"2024-01-01T00:00:00Z","value":-5,"unit":"t"}
energy/mine/bad-10/raw_coal	{"ts":"2024-01-01T00:00:00Z","value":1}
energy/mine/bad-11/raw_coal	{"ts":"2024-01-01T00:00:00Z","value":1,"unit":"furlong"}
energy/mine/bad-12/raw_coal	{"ts":"2024-01-01T00:00:00Z","value":1,"unit":"MW"}
energy/mine/bad-13/raw_coal	{"ts":"2024-01-01T00:00:00Z","value":1,"unit":"t","seq":-1}
energy/factory/bad-14/raw_coal	{"ts":"2024-01-01T00:00:00Z","value":1,"unit":"t"}
energy/mine/Bad-15/raw_coal	{"ts":"2024-01-01T00:00:00Z","value":1,"unit":"t"}
energy/mine/bad-16/Raw-Coal	{"ts":"2024-01-01T00:00:00Z","value":1,"unit":"t"}
energy/mine/bad-17	{"ts":"2024-01-01T00:00:00Z","value":1,"unit":"t"}
energy/mine/bad-18/raw_coal	{"ts":"1990-01-01T00:00:00Z","value":1,"unit":"t"}
EOB
# too many readings (max_readings is 10000) and too large (max_payload_bytes is 262144)
$PY -c 'print("energy/mine/bad-19/raw_coal\t[" + ",".join(["{}"] * 10001) + "]")' >>"$T/bad.txt"
$PY -c 'print("energy/mine/bad-20/raw_coal\t{\"pad\":\"" + "x" * 300000 + "\"}")' >>"$T/bad.txt"
publish <"$T/bad.txt" 2>/dev/null || fail "publishing bad messages failed"
sentinel 3
kill -0 "$DPID" || fail "enertrackd died on bad input"
n=$(q "SELECT count(*) FROM rejected_message")
reasons=$(q "SELECT count(DISTINCT reason) FROM rejected_message")
[ "$n" = 20 ] && [ "$reasons" = 20 ] || fail "expected 20 rejects with 20 reasons, have $n with $reasons: $(q "SELECT reason FROM rejected_message ORDER BY id" | tr '\n' ' ')"
[ "$(q "SELECT count(*) FROM rejected_message WHERE octet_length(payload) > 4096 OR (payload_bytes > 4096) <> truncated")" = 0 ] ||
	fail "payload not cut at 4 KiB"
[ "$(q "SELECT count(*) FROM reading WHERE site_id LIKE 'bad-%'")" = 0 ] || fail "a bad reading was stored"

# 5. poison rows: PostgreSQL refuses the readings of one site (a constraint
# the decoder knows nothing of); the batch is split, those rows land in
# rejected_message with PostgreSQL's error, every other row is written
q "ALTER TABLE reading ADD CONSTRAINT no_poison CHECK (site_id <> 'po-07')"
$PY "$REPO/tests/integration/gen_readings.py" --sites 10 --per-site 10 --prefix po --expect /dev/null >"$T/po.txt"
publish <"$T/po.txt" 2>/dev/null || fail "publishing failed"
wait_until 30 sh -c "[ \$(psql '$PGCONN' -XAtqc \"SELECT count(*) FROM reading WHERE site_id LIKE 'po-%'\") = 90 ]" ||
	fail "poison: $(q "SELECT count(*) FROM reading WHERE site_id LIKE 'po-%'") of 90 good rows written"
wait_until 10 sh -c "[ \$(psql '$PGCONN' -XAtqc \"SELECT count(*) FROM rejected_message WHERE reason = 'db_refused'\") = 10 ]" ||
	fail "poison: $(q "SELECT count(*) FROM rejected_message WHERE reason = 'db_refused'") of 10 refused rows kept"
[ "$(q "SELECT count(*) FROM rejected_message WHERE reason = 'db_refused' AND detail LIKE '%no_poison%' AND convert_from(payload, 'UTF8') LIKE '%	po-07	%'")" = 10 ] ||
	fail "poison: rejected rows lack PostgreSQL's error or the row: $(q "SELECT detail FROM rejected_message WHERE reason = 'db_refused' LIMIT 1")"
log "ok: 10 poison rows kept with PostgreSQL's error, 90 written"
q "ALTER TABLE reading DROP CONSTRAINT no_poison"

# 6. SIGTERM: exit 0 with everything committed
stop_daemon
grep -q "stopped:" "$T/daemon.log" || fail "no final stats line"
log "ok: $(grep 'stopped:' "$T/daemon.log" | sed 's/.*stopped: //')"
