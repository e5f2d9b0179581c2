#!/bin/sh
# SPDX-License-Identifier: MIT
# Periods (issue 21), hand-computed against a real PostgreSQL (zone UTC, so
# every day is 24 whole hours):
#  1. a reading is stamped at the end of what it covers: a flow reading at
#     1 January 00:00 counts in the old year, in every window (year to
#     date, the months, the rollup, the report's months, the statistics
#     check), and 1 January 00:00 is the old year's last instant;
#  2. one year end: an official figure of the month that holds the instant
#     asked about, known by then, counts in the share of the month's
#     telemetry stamped by then (of its elapsed time when the month has
#     none), so status at 23:59:59 and at 00:00:00 differ by the last
#     reading's share only; the share follows telemetry's shape (a dip),
#     not the time; a figure published later is not used (vintages);
#  3. a v1 message's `period` (or `start`) is stored and used: published
#     with mosquitto_pub, the reading is stamped at the period's end, keeps
#     the period's start, and a stock figure counts in the month it
#     describes, not the month of its arrival.
. "$(dirname "$0")/lib.sh"

start_pg
start_mosquitto
write_config "$T/enertrack.conf" "[targets]" "timezone = UTC" "min_elapsed_pct = 0"
migrate >/dev/null
q "UPDATE target_setting SET timezone = 'UTC', min_elapsed_pct = 0"
q "DELETE FROM target"
q "CREATE FUNCTION t_add(s text, c text, m text, at timestamptz, v double precision)
   RETURNS void LANGUAGE sql AS \$\$
     INSERT INTO site (site_id, kind, county) VALUES (s, 'mine', c) ON CONFLICT DO NOTHING;
     INSERT INTO reading (site_id, metric, ts, value, unit_in, value_in, source, received_at)
       VALUES (s, m, at, v, 't', v, '', now());
   \$\$"
check() {
	got=$(q "$2")
	[ "$got" = "$3" ] || fail "$1: expected '$3', got '$got'"
	log "ok: $1"
}
is() { # is LABEL GOT EXPECTED
	[ "$2" = "$3" ] || fail "$1: expected '$3', got '$2'"
	log "ok: $1"
}
# st AT SCOPE FIELD: one field of `enertrack status --json --at AT`
st() {
	"$BIN/enertrack" status -c "$T/enertrack.conf" --json --at "$1" >"$T/status.json" ||
		fail "enertrack status --at $1 failed"
	$PY - "$T/status.json" "$2" "$3" <<'EOP'
import json, sys
rows = [o for o in json.load(open(sys.argv[1])) if o["scope"] == sys.argv[2]]
v = rows[0][sys.argv[3]] if rows else "no target"
print("null" if v is None else ("%.6f" % v if isinstance(v, float) else v))
EOP
}

# ---- 1. a flow reading at 1 January 00:00 is the old year's -----------------
# County A, raw coal, target 2024 of 1 000 t. Mine a1 sends monthly totals
# stamped at each month's end: 100 t at 2024-01-01T00:00 (December 2023's),
# 10 t at 2024-06-01T00:00 (May's), 1 000 t at 2025-01-01T00:00 (December
# 2024's). Windows are (start, end]:
#  - the year to date at 2024-12-31T23:59:59 is 10 t (the half-open window
#    said 100 + 10 = 110: December 2023 in, December 2024 out);
#  - at 2025-01-01T00:00 the year is 2024 and complete: 10 + 1 000 = 1 010;
#  - December 2024 holds 1 000, December 2023 100 (the view monthly, in Mt, and
#    statistic_telemetry), and the rollup keeps the reading in the hour
#    ending at it: 2024-12-31T23:00 holds (23:00, 00:00].
q "INSERT INTO target (metric, year, kind, value, unit, tolerance_pct, scope)
   VALUES ('raw_coal', 2024, 'about', 1000, 't', 2, 'county:A')"
q "SELECT t_add('a1', 'A', 'raw_coal', '2024-01-01T00:00:00Z', 100),
          t_add('a1', 'A', 'raw_coal', '2024-06-01T00:00:00Z', 10),
          t_add('a1', 'A', 'raw_coal', '2025-01-01T00:00:00Z', 1000)" >/dev/null
pa() { echo "SELECT $2 FROM target_progress_at('$1') WHERE scope = 'county:A'"; }
check "flow: 2024 to 23:59:59" "$(pa 2024-12-31T23:59:59Z actual)" "10"
check "flow: 2024 at its end, 1 January 00:00" "$(pa 2025-01-01T00:00:00Z "year || ' ' || actual")" "2024 1010"
check "flow: 1 January 00:00 of 2024 is 2023's end" \
	"SELECT count(*) FROM target_progress_at('2024-01-01T00:00:00Z') WHERE scope = 'county:A'" "0"
check "flow: 2024 one microsecond later" "$(pa 2024-01-01T00:00:00.000001Z "year || ' ' || actual")" "2024 0"
is "flow: status at 1 January 00:00 is the old year" "$(st 2025-01-01T00:00:00Z county:A year)" "2024"
is "flow: status at 1 January 00:00" "$(st 2025-01-01T00:00:00Z county:A actual)" "1010.000000"
check "flow: the months" \
	"SELECT string_agg(to_char(month, 'YYYY-MM') || ' ' || round((total * 1e6)::numeric), ', ' ORDER BY month) FROM monthly
	  WHERE metric = 'raw_coal' AND scope_kind = 'county' AND scope_name = 'A'" \
	"2023-12 100, 2024-05 10, 2024-12 1000"
check "flow: statistic_telemetry (2024-12-01, 2025-01-01]" \
	"SELECT statistic_telemetry('county:A', 'raw_coal', '2024-12-01', '2025-01-01')" "1000"
check "flow: the rollup's hour ends at the reading" \
	"SELECT string_agg(to_char(hour AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') || ' ' || value_sum, ', ' ORDER BY hour)
	   FROM reading_hourly WHERE site_id = 'a1'" \
	"2023-12-31 23:00 100, 2024-05-31 23:00 10, 2024-12-31 23:00 1000"
# a correction of the reading at 00:00 recomputes the bucket it is in
q "UPDATE reading SET value = 1001 WHERE site_id = 'a1' AND ts = '2025-01-01T00:00:00Z'"
check "flow: a correction refreshes its bucket" \
	"SELECT value_sum FROM reading_hourly WHERE site_id = 'a1' AND hour = '2024-12-31T23:00:00Z'" "1001"
q "SELECT reading_hourly_rebuild('2024-12-01', '2025-02-01')" >/dev/null
check "flow: a rebuild gives the same buckets" \
	"SELECT string_agg(value_sum::text, ' ' ORDER BY hour) FROM reading_hourly WHERE site_id = 'a1'" \
	"100 10 1001"
q "UPDATE reading SET value = 1000 WHERE site_id = 'a1' AND ts = '2025-01-01T00:00:00Z'"

# ---- 2. one year end ----------------------------------------------------------
# County Y, raw coal, target 2024 of 4 000 t. Mine y1 sends 10 t a day,
# stamped at each day's end (2024-01-02T00:00 .. 2025-01-01T00:00: 366
# readings, 3 660 t). The bureau's December figure, 400 t, has no
# publication day (known whenever asked).
#  - 23:59:59 on 31 December: January-November telemetry, 335 days × 10 =
#    3 350; December is the month of the instant and its figure is known:
#    it counts in the share of December's telemetry stamped by 23:59:59,
#    the 30 readings of 2 .. 31 December 00:00 (300 t), of the whole
#    month's, the 31 of (1 December, 1 January 00:00] (310 t):
#    400 × 300 / 310 = 387.096774; total 3 737.096774 (before the telemetry
#    share: 400 × 2 678 399 / 2 678 400 of the time, 3 749.999851; before
#    any share: 3 650 + nothing official, as December counted its
#    telemetry until it closed: the issue's 169.11 vs 169.31 Mt);
#  - 00:00 on 1 January: December closed, its figure whole: 3 750.
# The two differ by the last reading's share, 400 × 10 / 310 = 12.903226 t
# (the reading stamped at 00:00), not by the switch of source.
q "INSERT INTO target (metric, year, kind, value, unit, tolerance_pct, scope)
   VALUES ('raw_coal', 2024, 'about', 4000, 't', 2, 'county:Y')"
q "INSERT INTO site (site_id, kind, county) VALUES ('y1', 'mine', 'Y');
   INSERT INTO reading (site_id, metric, ts, value, unit_in, value_in, source, received_at)
   SELECT 'y1', 'raw_coal', d, 10, 't', 10, '', now()
     FROM generate_series(timestamptz '2024-01-02T00:00:00Z', '2025-01-01T00:00:00Z', interval '1 day') d;
   SELECT statistic_put('county:Y', 'raw_coal', '2024-12', '2024-12-01', '2025-01-01', 400, 't', 400, 'bureau')" >/dev/null
py() { echo "SELECT $2 FROM target_progress_at('$1') WHERE scope = 'county:Y'"; }
check "year end: 23:59:59" "$(py 2024-12-31T23:59:59Z 'round(actual::numeric, 6)')" "3737.096774"
check "year end: 23:59:59, December pro rata of its telemetry" "$(py 2024-12-31T23:59:59Z month_sources)" \
	"2024-01 telemetry, 2024-02 telemetry, 2024-03 telemetry, 2024-04 telemetry, 2024-05 telemetry, 2024-06 telemetry, 2024-07 telemetry, 2024-08 telemetry, 2024-09 telemetry, 2024-10 telemetry, 2024-11 telemetry, 2024-12 statistics:bureau pro rata of telemetry 300/310"
check "year end: 00:00" "$(py 2025-01-01T00:00:00Z 'round(actual::numeric, 6)')" "3750.000000"
s1=$(st 2024-12-31T23:59:59Z county:Y actual)
s2=$(st 2025-01-01T00:00:00Z county:Y actual)
check "year end: status at 23:59:59 and 00:00:00 differ by the last reading's share" \
	"SELECT round(($s2 - $s1)::numeric, 6) = round((400.0 * 10 / 310)::numeric, 6)" "t"
# the year-end report is taken at 1 January 00:00 (every reading of 2024,
# December's figure whole), shown as 24:00 of 31 December
"$BIN/enertrack" report -c "$T/enertrack.conf" --year 2024 --format html -o "$T/r.html" >"$T/report.out" 2>&1 ||
	fail "enertrack report --year 2024: $(cat "$T/report.out")"
grep -q "2024-12-31 24:00" "$T/r.html" || fail "the report's instant: $(grep -o '20[0-9-]* [0-9:]*' "$T/r.html" | head -3)"
grep -q "2025-01-01 00:00:00" "$T/report.out" || fail "the report's instant: $(cat "$T/report.out")"
log "ok: year end: the report at 2024-12-31 24:00"
"$BIN/enertrack" report -c "$T/enertrack.conf" --year 2024 --at 2025-01-01T00:00:00Z --format html -o "$T/r2.html" \
	>"$T/report2.out" 2>&1 || fail "report --year 2024 --at 2025-01-01T00:00:00Z: $(cat "$T/report2.out")"
log "ok: year end: report --year 2024 --at 2025-01-01T00:00:00Z is 2024's"
# half-way through December: the 15 readings of 2 .. 16 December 00:00,
# 150 of 310 t: 3 350 + 400 × 150 / 310 = 3 543.548387 (December's readings
# are even: the time share, 15/31 of the month, gives the same)
check "year end: mid-December" "$(py 2024-12-16T00:00:00Z 'round(actual::numeric, 6)')" "3543.548387"
# Vintages stay: published on 10 January 2025, the figure is not known at
# 23:59:59, nor at 00:00: December counts its telemetry (30 readings by
# 23:59:59, 31 with the one stamped at 00:00): 3 650, then 3 660.
q "UPDATE statistic SET published = '2025-01-10' WHERE scope = 'county:Y' AND period = '2024-12'"
check "year end: published later, 23:59:59" "$(py 2024-12-31T23:59:59Z actual)" "3650"
check "year end: published later, 00:00" "$(py 2025-01-01T00:00:00Z actual)" "3660"
q "UPDATE statistic SET published = '2024-12-31' WHERE scope = 'county:Y' AND period = '2024-12'"
check "year end: published on the day, 23:59:59" "$(py 2024-12-31T23:59:59Z 'round(actual::numeric, 6)')" "3737.096774"

# The open month's known figure follows its telemetry's shape, not the time.
# County Z, raw coal, target 2024 of 8 000 t. Mine z1 sends February's
# output a day at a time, stamped at each day's end: a dip (the Spring
# Festival) of 2 t a day for 1-14 February (stamped 2 .. 15 February 00:00,
# 28 t), then 20 t a day for 15-29 February (stamped 16 February .. 1 March
# 00:00, 300 t): the month 328 t. The bureau's February, 656 t, has no
# publication day; nothing is sent in March, whose figure, 310 t, is known
# too. January has no reading (telemetry 0).
#  - 15 February 00:00: 656 × 28 / 328 = 56 t (the time share, 14 of 29
#    days, said 656 × 14 / 29 = 316.689655: five times the dip's output);
#  - 11 March 00:00, March without telemetry: the elapsed time, 10 of 31
#    days: 656 + 310 × 10 / 31 = 756.
q "INSERT INTO target (metric, year, kind, value, unit, tolerance_pct, scope)
   VALUES ('raw_coal', 2024, 'about', 8000, 't', 2, 'county:Z')"
q "INSERT INTO site (site_id, kind, county) VALUES ('z1', 'mine', 'Z');
   INSERT INTO reading (site_id, metric, ts, value, unit_in, value_in, source, received_at)
   SELECT 'z1', 'raw_coal', d, CASE WHEN d <= '2024-02-15T00:00:00Z' THEN 2 ELSE 20 END, 't',
          CASE WHEN d <= '2024-02-15T00:00:00Z' THEN 2 ELSE 20 END, '', now()
     FROM generate_series(timestamptz '2024-02-02T00:00:00Z', '2024-03-01T00:00:00Z', interval '1 day') d;
   SELECT statistic_put('county:Z', 'raw_coal', '2024-02', '2024-02-01', '2024-03-01', 656, 't', 656, 'bureau');
   SELECT statistic_put('county:Z', 'raw_coal', '2024-03', '2024-03-01', '2024-04-01', 310, 't', 310, 'bureau')" >/dev/null
pz() { echo "SELECT $2 FROM target_progress_at('$1') WHERE scope = 'county:Z'"; }
check "shape: February's telemetry" "SELECT sum(value) FROM reading WHERE site_id = 'z1'" "328"
check "shape: mid-February follows the dip" "$(pz 2024-02-15T00:00:00Z 'round(actual::numeric, 6)')" "56.000000"
check "shape: mid-February, the share used" "$(pz 2024-02-15T00:00:00Z month_sources)" \
	"2024-01 telemetry, 2024-02 statistics:bureau pro rata of telemetry 28/328"
check "shape: a month without telemetry counts its elapsed time" "$(pz 2024-03-11T00:00:00Z 'round(actual::numeric, 6)')" \
	"756.000000"
check "shape: March, the share used" "$(pz 2024-03-11T00:00:00Z month_sources)" \
	"2024-01 telemetry, 2024-02 statistics:bureau, 2024-03 statistics:bureau pro rata of time 864000/2678400 s"

# ---- 3. a v1 message says its period ------------------------------------------
# Mine w9 of county W publishes its 煤炭先进产能占比 (a stock, in %) with the
# period each figure describes, and a raw coal total with where it starts.
# A stock is stamped at its period's end: December 2023's 50 % at
# 2024-01-01T00:00Z, January's 92 % at 2024-02-01T00:00Z. Each keeps its
# period's first instant (reading.covers_from), and counts in its own month:
# the view monthly's "January" is 92, not December's 50 (before: 50 in
# January, 92 in February); 2024's share on 15 January is unknown
# (December's figure is not 2024's), on 1 February 00:00 it is 92.
q "INSERT INTO target (metric, year, kind, value, unit, tolerance_pct, scope)
   VALUES ('advanced_capacity_share', 2024, 'about', 90, '%', 1, 'county:W')"
start_daemon
{
	printf '%s\n' '{"ts":"2024-01-01T00:00:00Z","period":"2023-12","value":50,"unit":"%","county":"W"}' |
		mosquitto_pub -h 127.0.0.1 -p "$MQPORT" -q 1 -t energy/mine/w9/advanced_capacity_share -l
	printf '%s\n' '{"ts":"2024-02-01T00:00:00Z","period":"2024-01","value":92,"unit":"%","county":"W"}' |
		mosquitto_pub -h 127.0.0.1 -p "$MQPORT" -q 1 -t energy/mine/w9/advanced_capacity_share -l
	printf '%s\n' '{"ts":"2024-02-01T00:00:00Z","start":"2024-01-01T00:00:00Z","value":3100,"unit":"t","county":"W"}' |
		mosquitto_pub -h 127.0.0.1 -p "$MQPORT" -q 1 -t energy/mine/w9/raw_coal -l
} || fail "mosquitto_pub failed"
wait_until 30 sh -c "[ \"\$(psql '$PGCONN' -XAtqc \"SELECT count(*) FROM reading WHERE site_id = 'w9'\")\" = 3 ]" ||
	fail "the three readings of w9 did not land: $(q "SELECT reason, detail FROM rejected_message")"
check "period: stored" \
	"SELECT string_agg(metric || ' ' || to_char(covers_from AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') || '..'
	                   || to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') || ' ' || value, ', ' ORDER BY metric, ts)
	   FROM reading WHERE site_id = 'w9'" \
	"advanced_capacity_share 2023-12-01 00:00..2024-01-01 00:00 50, advanced_capacity_share 2024-01-01 00:00..2024-02-01 00:00 92, raw_coal 2024-01-01 00:00..2024-02-01 00:00 3100"
check "period: a stock counts in the month it describes" \
	"SELECT string_agg(to_char(month, 'YYYY-MM') || ' ' || total, ', ' ORDER BY month) FROM monthly
	  WHERE metric = 'advanced_capacity_share' AND scope_kind = 'site' AND scope_name = 'w9'" \
	"2023-12 50, 2024-01 92"
check "period: December's share is not 2024's" \
	"SELECT coalesce(actual::text, 'null') FROM target_progress_at('2024-01-15T00:00:00Z') WHERE scope = 'county:W'" "null"
check "period: January's share on 1 February 00:00" \
	"SELECT actual FROM target_progress_at('2024-02-01T00:00:00Z') WHERE scope = 'county:W'" "92"
check "period: raw coal with a start counts in January" \
	"SELECT string_agg(to_char(month, 'YYYY-MM') || ' ' || round((total * 1e6)::numeric), ', ' ORDER BY month) FROM monthly
	  WHERE metric = 'raw_coal' AND scope_kind = 'site' AND scope_name = 'w9'" "2024-01 3100"
# A flow with a stated period counts pro rata of the time it covers in each
# window. Mine v1 (county V) sends 2024-Q1 as one figure, 9 100 t at
# 2024-04-01T00:00Z (91 days, 100 t a day): January 3 100, February 2 900,
# March 3 100. And 310 t from 2023-12-16T00:00Z to 2024-01-16T00:00Z (31
# days, 10 t a day): 160 in December 2023, 150 in January 2024. So the
# months read 2023-12 160, 2024-01 3 250, 2024-02 2 900, 2024-03 3 100;
# 2024 to 1 April 00:00 is 9 250 (not 9 410: December's 160 is 2023's); on
# 1 February 00:00 it is 150 (the quarter is not known before its ts).
q "INSERT INTO target (metric, year, kind, value, unit, tolerance_pct, scope)
   VALUES ('raw_coal', 2024, 'about', 36000, 't', 2, 'county:V')"
{
	printf '%s\n' '{"ts":"2024-04-01T00:00:00Z","period":"2024-Q1","value":9100,"unit":"t","county":"V"}' \
		'{"ts":"2024-01-16T00:00:00Z","start":"2023-12-16T00:00:00Z","value":310,"unit":"t","county":"V"}' |
		mosquitto_pub -h 127.0.0.1 -p "$MQPORT" -q 1 -t energy/mine/v1/raw_coal -l
} || fail "mosquitto_pub failed"
wait_until 30 sh -c "[ \"\$(psql '$PGCONN' -XAtqc \"SELECT count(*) FROM reading WHERE site_id = 'v1'\")\" = 2 ]" ||
	fail "the two readings of v1 did not land: $(q "SELECT reason, detail FROM rejected_message")"
check "period: a quarter and a start across the year, by month" \
	"SELECT string_agg(to_char(month, 'YYYY-MM') || ' ' || round((total * 1e6)::numeric), ', ' ORDER BY month) FROM monthly
	  WHERE metric = 'raw_coal' AND scope_kind = 'county' AND scope_name = 'V'" \
	"2023-12 160, 2024-01 3250, 2024-02 2900, 2024-03 3100"
check "period: target_months" \
	"SELECT string_agg(to_char(m.month, 'MM') || ' ' || round(m.telemetry::numeric), ', ' ORDER BY m.month)
	   FROM target t, target_months(t, '2024-04-01T00:00:00Z') m WHERE t.scope = 'county:V'" \
	"01 3250, 02 2900, 03 3100"
check "period: 2024 to 1 April" "SELECT round(actual::numeric, 6) FROM target_progress_at('2024-04-01T00:00:00Z') WHERE scope = 'county:V'" \
	"9250.000000"
check "period: 2024 to 1 February" "SELECT round(actual::numeric, 6) FROM target_progress_at('2024-02-01T00:00:00Z') WHERE scope = 'county:V'" \
	"150.000000"
# February's figure of county V, 2 800 t, known (no publication day): on
# 16 February 00:00 it counts in the share of February's telemetry stamped
# by then, none (the quarter's reading is stamped on 1 April), of the whole
# month's, 2 900 (the quarter's February part: the year's readings say it):
# 0; with January's 150: 150. (The sampler below meets this month too.)
q "SELECT statistic_put('county:V', 'raw_coal', '2024-02', '2024-02-01', '2024-03-01', 2800, 't', 2800, 'bureau')" >/dev/null
check "period: a known February and the quarter's part" \
	"SELECT round(actual::numeric, 6) || ' ' || month_sources FROM target_progress_at('2024-02-16T00:00:00Z') WHERE scope = 'county:V'" \
	"150.000000 2024-01 telemetry, 2024-02 statistics:bureau pro rata of telemetry 0/2900"
# The charts' sampler (target_progress_samples) gives target_progress_at's
# figures at every instant of 2024 here too: 1 January 00:00 + 1 µs, the
# year's end 2025-01-01T00:00 (mine a1's December), a month's known figure
# in the share of its telemetry (county Y's December, county Z's dip,
# county V's February with the quarter's part) or of its time (county Z's
# March), and v1's quarter, not known on 1 February.
samples_agree 2024
case $got in
*"pro rata: yes; stated periods: yes"*) log "ok: the sampler's instants met a pro rata month and a stated period" ;;
*) fail "the sampler's check met no pro rata month or no stated period: $got" ;;
esac
stop_daemon

log "ok: periods"
