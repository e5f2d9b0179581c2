#!/bin/sh
# SPDX-License-Identifier: MIT
# Totaliser meters: belt scales publish running totals ("counter": true)
# over MQTT through enertrackd, which stores deltas. A hand-computed
# sequence with a rollover, resets (counter_reset = restart, then hold), a
# meter replacement declared afterwards, a reading that arrives late, and
# duplicates; the deltas, reading_hourly, the year total and counter_event
# must equal the hand computation below.
#
# belt-a (raw_coal, t; counter_reset = restart)      total   delta
#   01-10  first reading: the baseline                1000       0
#   02-10                                             1500     500
#   02-20  arrives last (after 09-10): splits         1800     300
#   03-10  02-10..03-10; 03-10 becomes 2300 - 1800    2300     500  (800 before 02-20 arrived)
#   04-10  wraps at 2500 (rollover declared):          200     400  = 200 + 2500 - 2300
#   05-10                                              900     700
#   06-10  goes down, no rollover: a reset, restart     50      50  (the new epoch counts from 0)
#   07-10                                              650     600
#   08-01  meter replaced: old final 1000, new initial 0 (declared after 08-10 arrived)
#   08-10  0.012 万吨 = 120 t                          120     470  = (1000 - 650) + (120 - 0)
#                                                                   (120, a reset, before the
#                                                                    replacement was declared)
#   09-10                                              520     400
#   year                                                      3920
#   check: 1000->2500 wraps (1500) + 0->900 (900) + reset 50 + 600 + 350 + 120 + 400 = 3920
#
# belt-b (raw_coal, t; counter_reset = hold, after a restart of enertrackd)
#   01-10  first                                       100       0
#   02-10                                              400     300
#   03-10  goes down, no rollover: a reset, hold        30       0
#   04-10                                               80      50
#   year                                                       350
. "$(dirname "$0")/lib.sh"

start_pg
start_mosquitto
write_config "$T/enertrack.conf" "[ingest]" "counter_reset = restart"
migrate >"$T/migrate.log" 2>&1 || fail "migrate: $(cat "$T/migrate.log")"
start_daemon

# send SITE MM-DD TOTAL [UNIT [EXTRA JSON]]: publishes one totaliser reading
# and waits until it is in reading with that total as sent
send() {
	printf 'energy/mine/%s/raw_coal\t{"ts":"2024-%sT00:00:00Z","value":%s,"unit":"%s","counter":true%s}\n' \
		"$1" "$2" "$3" "${4:-t}" "${5:-}" | publish 2>>"$T/pub.log" || fail "publish: $(cat "$T/pub.log")"
	wait_until 30 sh -c "[ \"\$(psql '$PGCONN' -XAtqc \"SELECT count(*) FROM reading WHERE site_id = '$1'
		AND ts = '2024-$2T00:00:00Z' AND value_in = $3\")\" = 1 ]" || fail "$1 $2 $3 not written"
}

# deltas SITE: "MM-DD=delta[:step] ..." in ts order
deltas() {
	q "SELECT string_agg(to_char(ts AT TIME ZONE 'UTC', 'MM-DD') || '=' || value
		|| coalesce(':' || counter_step, ''), ' ' ORDER BY ts) FROM reading WHERE site_id = '$1'"
}

# the hourly rollup agrees with reading (the deltas were updated in place)
hourly_ok() {
	[ "$(q "SELECT count(*) FROM (SELECT site_id, metric, source,
		date_trunc('hour', ts - interval '1 microsecond') AS hour,
		sum(value) AS v, count(*) AS n FROM reading GROUP BY 1, 2, 3, 4) r
		FULL JOIN reading_hourly h USING (site_id, metric, source, hour)
		WHERE r.n IS DISTINCT FROM h.n OR abs(r.v - h.value_sum) > 1e-9")" = 0 ] ||
		fail "reading_hourly disagrees with reading ($1)"
}

year_total() {
	q "SELECT sum(value_sum) FROM reading_hourly WHERE site_id = '$1' AND metric = 'raw_coal'
		AND hour >= '2024-01-01T00:00:00Z' AND hour < '2025-01-01T00:00:00Z'"
}

# ---- belt-a, counter_reset = restart
send belt-a 01-10 1000
# a plain reading of another site in the same message stream: the common path
printf 'energy/mine/plain/raw_coal\t{"ts":"2024-01-10T00:00:00Z","value":7,"unit":"t"}\n' | publish 2>/dev/null
send belt-a 02-10 1500
send belt-a 03-10 2300
send belt-a 04-10 200 t ',"rollover":2500'
send belt-a 05-10 900
send belt-a 06-10 50
send belt-a 07-10 650
send belt-a 08-10 0.012 万吨
[ "$(q "SELECT value FROM reading WHERE site_id = 'belt-a' AND ts = '2024-08-10T00:00:00Z'")" = 120 ] ||
	fail "before the replacement, 08-10 should count 120 (a reset): $(deltas belt-a)"
# the replacement, declared after the fact, fixes 08-10
q "INSERT INTO counter_replacement (site_id, metric, at, old_final, new_initial, note)
   VALUES ('belt-a', 'raw_coal', '2024-08-01T00:00:00Z', 1000, 0, 'belt scale swapped')"
send belt-a 09-10 520
# late: between 02-10 and 03-10
send belt-a 02-20 1800
hourly_ok "after the late reading"
want="01-10=0:first 02-10=500 02-20=300 03-10=500 04-10=400:rollover 05-10=700 06-10=50:reset 07-10=600 08-10=470:replaced 09-10=400"
got=$(deltas belt-a)
[ "$got" = "$want" ] || fail "belt-a deltas: $got, want $want"
[ "$(year_total belt-a)" = 3920 ] || fail "belt-a year total $(year_total belt-a), want 3920"
# value_in is the total as sent
[ "$(q "SELECT unit_in || ' ' || value_in || ' ' || counter_value FROM reading WHERE site_id = 'belt-a'
	AND ts = '2024-08-10T00:00:00Z'")" = "万吨 0.012 120" ] || fail "08-10 as sent not kept"
log "a counter reading in reading:"
psql "$PGCONN" -X -c "SELECT site_id, metric, ts, value, unit_in, value_in, counter, counter_value,
	counter_rollover, counter_step FROM reading WHERE site_id = 'belt-a' AND ts >= '2024-08-10'
	ORDER BY ts" >&2

# duplicates: the whole sequence again (and 05-10 once more) changes nothing
corr0=$(q "SELECT count(*) FROM reading_correction")
for l in "01-10 1000" "02-10 1500" "03-10 2300" "05-10 900" "06-10 50" "07-10 650" "09-10 520" "02-20 1800" "05-10 900"; do
	set -- $l
	printf 'energy/mine/belt-a/raw_coal\t{"ts":"2024-%sT00:00:00Z","value":%s,"unit":"t","counter":true}\n' "$1" "$2"
done | publish 2>/dev/null
printf 'energy/mine/belt-a/raw_coal\t{"ts":"2024-04-10T00:00:00Z","value":200,"unit":"t","counter":true,"rollover":2500}\n' |
	publish 2>/dev/null
printf 'energy/mine/belt-a/raw_coal\t{"ts":"2024-08-10T00:00:00Z","value":0.012,"unit":"万吨","counter":true}\n' |
	publish 2>/dev/null
# a sentinel after them: once it is in, they have been applied
printf 'energy/mine/sentinel/raw_coal\t{"ts":"2024-06-01T00:00:00Z","value":1,"unit":"t"}\n' | publish 2>/dev/null
wait_until 30 sh -c "[ \"\$(psql '$PGCONN' -XAtqc \"SELECT count(*) FROM reading WHERE site_id = 'sentinel'\")\" = 1 ]" ||
	fail "sentinel not written"
got=$(deltas belt-a)
[ "$got" = "$want" ] || fail "belt-a deltas after duplicates: $got, want $want"
[ "$(q "SELECT count(*) FROM reading_correction")" = "$corr0" ] || fail "duplicates made corrections"
[ "$(q "SELECT sum(corrections) FROM reading WHERE site_id = 'belt-a'")" = 0 ] || fail "duplicates counted as corrections"
[ "$(year_total belt-a)" = 3920 ] || fail "belt-a year total after duplicates: $(year_total belt-a)"
hourly_ok "after duplicates"

# ---- belt-b, counter_reset = hold (a restart: the key is restart-only)
stop_daemon
write_config "$T/enertrack.conf" "[ingest]" "counter_reset = hold"
start_daemon
send belt-b 01-10 100
send belt-b 02-10 400
send belt-b 03-10 30
send belt-b 04-10 80
want_b="01-10=0:first 02-10=300 03-10=0:reset 04-10=50"
got=$(deltas belt-b)
[ "$got" = "$want_b" ] || fail "belt-b deltas: $got, want $want_b"
[ "$(year_total belt-b)" = 350 ] || fail "belt-b year total $(year_total belt-b), want 350"
[ "$(q "SELECT reset FROM counter_setting")" = hold ] || fail "counter_setting not stored"
# belt-a is as it was
[ "$(deltas belt-a)" = "$want" ] || fail "belt-a changed: $(deltas belt-a)"

# ---- counter_event: every rollover, reset and replacement
ev=$(q "SELECT string_agg(site_id || ' ' || to_char(at AT TIME ZONE 'UTC', 'MM-DD') || ' ' || kind || ' '
	|| previous || '->' || total || coalesce(' +' || delta, ''), '; ' ORDER BY site_id, at) FROM counter_event")
want_ev="belt-a 04-10 rollover 2300->200 +400; belt-a 06-10 reset 900->50 +50; belt-a 08-01 replacement 1000->0; belt-b 03-10 reset 400->30 +0"
[ "$ev" = "$want_ev" ] || fail "counter_event: $ev, want $want_ev"

# withdrawing the replacement recomputes 08-10 again (a reset under the
# stored mode, now hold: 0), and putting it back restores 470
q "DELETE FROM counter_replacement WHERE site_id = 'belt-a'"
[ "$(q "SELECT value || ':' || counter_step FROM reading WHERE site_id = 'belt-a' AND ts = '2024-08-10T00:00:00Z'")" = "0:reset" ] ||
	fail "withdrawn replacement: $(deltas belt-a)"
q "INSERT INTO counter_replacement (site_id, metric, at, old_final, new_initial)
   VALUES ('belt-a', 'raw_coal', '2024-08-01T00:00:00Z', 1000, 0)"
[ "$(deltas belt-a)" = "$want" ] || fail "replacement put back: $(deltas belt-a)"
hourly_ok "after the replacement moved"
[ "$(q "SELECT count(*) FROM reading WHERE counter AND value < 0")" = 0 ] || fail "a negative delta"
[ "$(q "SELECT count(*) FROM rejected_message")" = 0 ] || fail "rejects: $(q 'SELECT reason, detail FROM rejected_message LIMIT 3')"
log "ok: deltas, rollover, resets (restart, hold), replacement, late reading, duplicates, year totals"

# ---- the simulation's belt scales (two years, 6 579 totaliser readings, one
# meter replaced on 2024-07-01): the year totals equal what the sim counted
"$BIN/enertrack-sim" --dry-run --from 2023-01-01 --to 2024-12-31 --seed 7 >"$T/sim.out" 2>"$T/sim.log" ||
	fail "sim: $(cat "$T/sim.log")"
repl=$(sed -n "s/.*; \([a-z0-9-]*\)'s meter replaced at \([^:]*:[^:]*:[^ ]*\): old final \([0-9.]*\) t, new initial \([0-9.]*\) t$/\1 \2 \3 \4/p" "$T/sim.log")
set -- $repl
[ $# = 4 ] || fail "no replacement in the sim's summary: $(cat "$T/sim.log")"
q "INSERT INTO counter_replacement (site_id, metric, at, old_final, new_initial)
   VALUES ('$1', 'raw_coal', '$2', $3, $4)"
grep '"counter":true' "$T/sim.out" >"$T/belts.txt"
n=$(wc -l <"$T/belts.txt")
[ "$n" -gt 6000 ] || fail "only $n totaliser readings from the sim"
t0=$(date +%s.%N)
publish <"$T/belts.txt" 2>/dev/null || fail "publish the belt scales"
wait_until 120 sh -c "[ \"\$(psql '$PGCONN' -XAtqc \"SELECT count(*) FROM reading WHERE counter AND site_id LIKE 'tunliu-%'\")\" = $n ]" ||
	fail "the belt scales' readings did not all land: $(q "SELECT count(*) FROM reading WHERE counter AND site_id LIKE 'tunliu-%'") of $n"
t1=$(date +%s.%N)
log "$n totaliser readings published and committed in $($PY -c "print(round($t1-$t0,2))") s"
for y in 2023 2024; do
	want_y=$(sed -n "s/^sim: $y: belt scales counted \([0-9.]*\) t$/\1/p" "$T/sim.log")
	got_y=$(q "SELECT round(sum(value)::numeric, 3) FROM reading WHERE counter AND site_id LIKE 'tunliu-%'
		AND ts >= '$y-01-01T00:00:00+08:00' AND ts < '$((y + 1))-01-01T00:00:00+08:00'")
	[ "$(q "SELECT abs($got_y - $want_y) < 0.01")" = t ] || fail "$y: the belt scales counted $got_y t, the sim $want_y t"
	log "$y: belt scales $got_y t in reading, the sim counted $want_y t"
done
[ "$(q "SELECT count(*) FROM counter_event WHERE site_id LIKE 'tunliu-%' AND kind = 'rollover'")" -ge 1 ] ||
	fail "no rollover of the simulated belt scales"
hourly_ok "the simulation"
stop_daemon
