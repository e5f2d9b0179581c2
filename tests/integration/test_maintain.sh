#!/bin/sh
# SPDX-License-Identifier: MIT
# The history's upkeep, enertrack_maintain(), across a simulated year
# boundary and retention window: months made ahead; rows that landed in
# reading_default (where they block their month's partition) moved into a
# partition of their own; raw months past raw_months dropped only once
# reading_hourly holds them (rebuilt first when it does not), never those
# of the year before last; rejected_message and reading_correction trimmed
# on their own clocks; and enertrackd running it at its start.
. "$(dirname "$0")/lib.sh"

start_pg
start_mosquitto
write_config "$T/enertrack.conf" "[retention]" "interval_s = 3600"
migrate >/dev/null
q "CREATE FUNCTION t_add(s text, at timestamptz, v double precision)
   RETURNS void LANGUAGE sql AS \$\$
     INSERT INTO site (site_id, kind) VALUES (s, 'mine') ON CONFLICT DO NOTHING;
     INSERT INTO reading (site_id, metric, ts, value, unit_in, value_in, received_at)
       VALUES (s, 'raw_coal', at, v, 't', v, now());
   \$\$"
# ten readings a month in a few months, and five in January 2032; 2031 and
# 2032 have no partitions yet (the migration made 2020 .. 2030): those land
# in reading_default
for m in 2028-10 2028-11 2028-12 2029-06 2031-12 2032-01; do
	q "SELECT t_add('s-' || (i % 3), timestamptz '$m-05 10:00+00' + i * interval '37 minutes', i + 1)
	   FROM generate_series(0, $( [ $m = 2032-01 ] && echo 4 || echo 9 )) i"
done
[ "$(q "SELECT count(*) FROM reading_default")" = 15 ] || fail "setup: reading_default"
# the trouble: that month's partition cannot be made now
rc=0
q "SELECT enertrack_add_partitions(2032, 2032)" >/dev/null 2>"$T/err.txt" || rc=$?
[ "$rc" != 0 ] && grep -q "would be violated by some row" "$T/err.txt" ||
	fail "expected the default partition to block 2032's partitions: $(cat "$T/err.txt")"
log "ok: rows in reading_default block their month: $(head -1 "$T/err.txt")"
hourly() { q "SELECT sum(n) || '/' || sum(value_sum) FROM reading_hourly WHERE hour >= '$1' AND hour < timestamptz '$1' + interval '1 month'"; }
H2810=$(hourly 2028-10-01T00:00Z)
H2906=$(hourly 2029-06-01T00:00Z)
q "INSERT INTO rejected_message (received_at, topic, reason, payload, payload_bytes, truncated) VALUES
     ('2031-09-01', 'x', 'bad_json', 'x', 1, false), ('2031-12-01', 'y', 'bad_json', 'y', 1, false)"
q "INSERT INTO reading_correction (site_id, metric, ts, old_value, new_value, new_unit_in, new_value_in, corrected_at)
   VALUES ('s-0', 'raw_coal', '2031-12-05', 1, 2, 't', 2, '2030-06-01'), ('s-0', 'raw_coal', '2031-12-05', 2, 3, 't', 3, '2031-12-20')"

# 1. mid-December 2031: 2032 made ahead, January's rows moved, 2020 .. November 2028 dropped
q "SELECT action || ' ' || object || ' ' || n FROM enertrack_maintain('2031-12-15T00:00Z', 3, 36, 0, 90, 730)" >"$T/run1.txt"
grep -q "^moved_from_default reading_2032_01 5$" "$T/run1.txt" &&
	grep -q "^moved_from_default reading_2031_12 10$" "$T/run1.txt" || fail "run 1: $(cat "$T/run1.txt")"
for m in 02 03; do grep -q "^created reading_2032_$m 0$" "$T/run1.txt" || fail "run 1: no 2032-$m"; done
grep -q "^dropped reading_2028_10 10$" "$T/run1.txt" && grep -q "^dropped reading_2020_01 0$" "$T/run1.txt" ||
	fail "run 1: drops: $(grep dropped "$T/run1.txt" | tail -3)"
grep -q "reading_2028_12" "$T/run1.txt" && fail "run 1: dropped December 2028"
grep -q "^trimmed rejected_message 1$" "$T/run1.txt" || fail "run 1: rejected_message"
grep -q "^trimmed reading_correction" "$T/run1.txt" && fail "run 1: trimmed a correction within 730 days"
[ "$(q "SELECT count(*) FROM reading_default")" = 0 ] || fail "run 1: rows left in reading_default"
[ "$(q "SELECT count(*) FROM reading WHERE ts >= '2032-01-01T00:00Z' AND ts < '2032-02-01T00:00Z'")" = 5 ] ||
	fail "run 1: January 2032's rows"
[ "$(q "SELECT count(*) FROM reading WHERE ts < '2028-12-01T00:00Z'")" = 0 ] || fail "run 1: raw rows of 2028-10/11 left"
[ "$(hourly 2028-10-01T00:00Z)" = "$H2810" ] || fail "run 1: the rollup of October 2028 changed: $(hourly 2028-10-01T00:00Z), was $H2810"
[ "$(hourly 2032-01-01T00:00Z)" = "5/15" ] || fail "run 1: the rollup of January 2032: $(hourly 2032-01-01T00:00Z)"
log "ok: 2031-12-15: $(grep -c '^created' "$T/run1.txt") months made, 15 rows out of reading_default," \
	"$(grep -c '^dropped' "$T/run1.txt") raw months dropped (rollup of 2028-10 kept: $H2810)"

# 2. across the year boundary, with raw_months = 1: the year before last
#    (2030) and what follows stay; a month whose rollup lost hours is
#    rebuilt before its raw rows go
q "DELETE FROM reading_hourly WHERE hour >= '2029-06-01T00:00Z' AND hour < '2029-07-01T00:00Z'"
q "SELECT action || ' ' || object || ' ' || n FROM enertrack_maintain('2032-01-02T00:00Z', 3, 1, 0, 90, 30)" >"$T/run2.txt"
grep -q "^created reading_2032_05 0$" "$T/run2.txt" || fail "run 2: $(cat "$T/run2.txt")"
grep -q "^rollup_rebuilt reading_2029_06 10$" "$T/run2.txt" && grep -q "^dropped reading_2029_06 10$" "$T/run2.txt" ||
	fail "run 2: 2029-06: $(grep 2029_06 "$T/run2.txt")"
[ "$(hourly 2029-06-01T00:00Z)" = "$H2906" ] || fail "run 2: the rollup of June 2029: $(hourly 2029-06-01T00:00Z), was $H2906"
[ "$(q "SELECT count(*) FROM pg_class WHERE relname IN ('reading_2029_12', 'reading_2030_01', 'reading_2031_12')")" = 3 ] ||
	fail "run 2: a partition of the years targets read is gone"
grep -q "^trimmed reading_correction 1$" "$T/run2.txt" || fail "run 2: reading_correction"
log "ok: 2032-01-02, raw_months 1: 2029-01 .. 2029-11 dropped, 2029-12 on kept (targets read 2030 on);" \
	"June 2029's lost rollup rebuilt ($H2906) before its raw rows went"
[ "$(q "SELECT action FROM enertrack_maintain('2032-01-02T00:00Z', 3, 1, 0, 90, 30)" | grep -vc busy)" = 0 ] ||
	fail "run 3: a second run at the same instant did something"

# 3. the daemon runs it at its start (at now(), raw_months 36): the months
#    run 1 dropped are within retention again, and the reading that landed
#    in reading_default meanwhile gets its month's partition
q "SELECT t_add('s-9', '2026-06-10T00:00Z', 7)"
[ "$(q "SELECT count(*) FROM reading_default")" = 1 ] || fail "setup 3"
start_daemon
wait_until 20 grep -q "maintenance: moved_from_default reading_2026_06 (1 rows)" "$T/daemon.log" ||
	fail "the daemon did not run the upkeep"
[ "$(q "SELECT count(*) FROM reading_default")" = 0 ] || fail "the daemon left rows in reading_default"
stop_daemon
log "ok: enertrackd ran it at its start: $(grep -o 'maintenance: .*' "$T/daemon.log" | head -1)"
