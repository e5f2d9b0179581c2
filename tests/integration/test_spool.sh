#!/bin/sh
# SPDX-License-Identifier: MIT
# Spool damage: two segments are left by two killed daemons while
# PostgreSQL is down; the last record of the first is cut short (a torn
# write) and a byte in the middle of the second is flipped. On restart the
# replay reports both, loses those two messages and nothing else.
# Also: two daemons cannot share one spool_dir.
. "$(dirname "$0")/lib.sh"

start_pg
start_mosquitto
write_config "$T/enertrack.conf"
migrate >/dev/null
$PY "$REPO/tests/integration/gen_readings.py" --sites 10 --per-site 100 --prefix sp \
	--expect "$T/expect.tsv" >"$T/msgs.txt"
split -l 500 -d "$T/msgs.txt" "$T/part."
pg_stop
for part in 00 01; do
	start_daemon
	publish <"$T/part.$part" 2>>"$T/pub.log" || fail "publish failed"
	i=0
	while [ "$(metric 'enertrack_spool_records_total{event="appended"}')" != 500 ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ "$(metric 'enertrack_spool_records_total{event="appended"}')" = 500 ] || fail "part $part not spooled"
	kill -KILL "$DPID"
	wait "$DPID" 2>/dev/null || true
done

# a second daemon on the same spool_dir is refused
start_daemon
cp "$T/enertrack.conf" "$T/second.conf"
sed -i "s/^client_id = .*/client_id = second/; s/^listen = .*/listen = 127.0.0.1:$(free_port)/" "$T/second.conf"
rc=0
"$BIN/enertrackd" -c "$T/second.conf" >"$T/second.log" 2>&1 || rc=$?
[ "$rc" = 1 ] && grep -q "in use by another enertrackd" "$T/second.log" ||
	fail "a second daemon shared the spool (exit $rc): $(cat "$T/second.log")"
kill -KILL "$DPID"
wait "$DPID" 2>/dev/null || true

set -- $(ls "$T/spool"/*.seg)
[ $# -ge 2 ] || fail "expected two segments, have $#"
first=$1
second=$2
# cut the first segment's last record short by 7 bytes
sz=$(stat -c %s "$first")
truncate -s $((sz - 7)) "$first"
# flip one byte in the middle of the second
sz=$(stat -c %s "$second")
off=$((sz / 2))
$PY - "$second" "$off" <<'EOP'
import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(int(sys.argv[2])); b = f.read(1); f.seek(int(sys.argv[2])); f.write(bytes([b[0] ^ 0x10]))
EOP

pg_start
start_daemon
wait_until 30 sh -c "[ \$(psql '$PGCONN' -XAtqc 'SELECT count(*) FROM reading') -ge 998 ]" ||
	fail "replay wrote $(rows) rows, expected 998"
sleep 1
[ "$(rows)" = 998 ] || fail "expected 998 rows, have $(rows)"
grep -q "torn record at offset" "$T/daemon.log" || fail "the torn record was not reported"
grep -q "damaged record at offset .*checksum mismatch\|damaged record at offset" "$T/daemon.log" ||
	fail "the flipped byte was not reported"
[ "$(metric enertrack_spool_damaged_total)" = 2 ] ||
	fail "expected 2 damaged stretches, metrics say $(metric enertrack_spool_damaged_total)"
missing=$(expect_missing "$T/expect.tsv")
[ "$missing" = 2 ] || fail "expected exactly the 2 damaged readings missing, $missing are"
# the torn one is the last message of the first part
last=$(tail -1 "$T/part.00" | cut -f1)
log "reports: $(grep -c 'torn record\|damaged record' "$T/daemon.log") ($(grep -o 'torn record at offset [0-9]*\|damaged record at offset [0-9]* ([a-z ]*)' "$T/daemon.log" | tr '\n' ';'))"
stop_daemon
log "ok: 1000 spooled, 2 damaged and reported, 998 written; last of part 0 was $last"
[ -z "$(ls "$T/spool"/*.seg 2>/dev/null)" ] || fail "a clean stop left segments"

# The size cap: with PostgreSQL down, a 1 MB spool fills; the daemon warns
# at 80 %, disconnects when full (the broker keeps the rest in our session),
# and reconnects once PostgreSQL is back and the spool drained.
sed -i 's/^spool_dir = .*/&\nspool_max_mb = 1/' "$T/enertrack.conf"
pg_stop
start_daemon
$PY "$REPO/tests/integration/gen_readings.py" --sites 20 --per-site 1000 --prefix cap \
	--expect "$T/expect-cap.tsv" >"$T/cap.txt"
publish <"$T/cap.txt" 2>>"$T/pub.log" || fail "publish failed"
wait_until 30 grep -q "spool: full" "$T/daemon.log" || fail "the spool never filled"
grep -q "spool: [0-9]* % full" "$T/daemon.log" || fail "no 80 % warning"
[ "$(metric enertrack_spool_full)" = 1 ] || fail "enertrack_spool_full is not 1"
sb=$(metric enertrack_spool_bytes)
[ "$sb" -lt 1200000 ] || fail "the spool grew to $sb bytes past its 1 MB cap"
log "full at $sb bytes: $(grep -o 'spool: full.*' "$T/daemon.log" | head -1)"
pg_start
wait_until 60 sh -c "[ \$(psql '$PGCONN' -XAtqc 'SELECT count(*) FROM reading') -ge 20998 ]" ||
	fail "after the spool drained: $(rows) of 20998 rows"
grep -q "reconnecting to the broker" "$T/daemon.log" || fail "no reconnect after the spool drained"
sleep 1
[ "$(rows)" = 20998 ] || fail "expected 20998 rows, have $(rows)"
stop_daemon
log "ok: 20000 readings through a 1 MB spool: paused when full, all written"
