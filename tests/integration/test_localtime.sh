#!/bin/sh
# SPDX-License-Identifier: MIT
# Exact year-to-date totals in the target's time zone, at any instant:
# readings just after local midnight on 1 January (the previous UTC day, and
# in Asia/Kolkata +05:30 or Asia/Kathmandu +05:45 inside the UTC hour that
# also holds 31 December's last readings), just before it, and `--at` inside
# an hour (10:05 counts at 10:30, 10:50 does not). Checked through
# `enertrack status --json`, target_progress_at(), target_site_stats() and
# the target_progress view.
. "$(dirname "$0")/lib.sh"

start_pg
MQURI=tcp://127.0.0.1:1 write_config "$T/enertrack.conf" "[targets]" "timezone = Asia/Kolkata"
migrate >/dev/null

# Readings go into reading; its triggers keep reading_hourly (UTC hours).
q "CREATE FUNCTION t_add(s text, m text, at timestamptz, v double precision)
   RETURNS void LANGUAGE sql AS \$\$
     INSERT INTO site (site_id, kind) VALUES (s, 'mine') ON CONFLICT DO NOTHING;
     INSERT INTO reading (site_id, metric, ts, value, unit_in, value_in, received_at)
       VALUES (s, m, at, v, 'x', v, now());
   \$\$"
q "DELETE FROM target"
q "INSERT INTO target (metric, year, kind, value, unit, tolerance_pct, scope) VALUES
     ('raw_coal', 2024, 'about', 300, 't', 2, 'city'),
     ('raw_coal', 2025, 'about', 300, 't', 2, 'city'),
     ('generation', 2024, 'about', 8, 'MWh', 2, 'city')"

check() { # check LABEL GOT EXPECTED
	[ "$2" = "$3" ] || fail "$1: expected '$3', got '$2'"
	log "ok: $1"
}
# st AT METRIC FIELD: one field of `enertrack status --json --at AT`
st() {
	"$BIN/enertrack" status -c "$T/enertrack.conf" --json --at "$1" >"$T/status.json" ||
		fail "enertrack status --at $1 failed"
	$PY - "$T/status.json" "$2" "$3" <<'EOP'
import json, sys
rows = [o for o in json.load(open(sys.argv[1])) if o["metric"] == sys.argv[2]]
v = rows[0][sys.argv[3]] if rows else "no target"
print("null" if v is None else ("%.6f" % v if isinstance(v, float) else v))
EOP
}
# sq SQL: one value rounded to 6 decimals
sq() { q "SELECT coalesce(round(($1)::numeric, 6)::text, 'null')"; }
# lt 'YYYY-MM-DD HH:MI[:SS]': that local time in zone $TZN, as an ISO instant
lt() { q "SELECT to_char(timestamp '$1' AT TIME ZONE '$TZN' AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"; }

# `enertrack status` and `evaluate` run in their configuration's zone; the
# views in the one the daemon stored. A TIME without an offset is a local time there (the alert's first state
# is dated at the evaluation)
q "DELETE FROM alert_state"
"$BIN/enertrack" evaluate -c "$T/enertrack.conf" --at '2024-06-10 10:30' >/dev/null ||
	fail "enertrack evaluate failed"
check "evaluate --at without an offset" \
	"$(q "SELECT DISTINCT to_char(since AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') FROM alert_state")" "2024-06-10 05:00"

for TZN in Asia/Kolkata Asia/Shanghai Asia/Kathmandu America/St_Johns; do
	log "--- $TZN"
	q "DELETE FROM reading; DELETE FROM reading_hourly; DELETE FROM site"
	q "UPDATE target_setting SET timezone = '$TZN'"
	sed -i "s|^timezone = .*|timezone = $TZN|" "$T/enertrack.conf"
	add() { q "SELECT t_add('$1', '$2', timestamp '$3' AT TIME ZONE '$TZN', $4)" >/dev/null; }

	# --- the year boundary ------------------------------------------------------
	# 2023's last reading, then 2024's first just after local midnight (in
	# Kolkata both are in the UTC hour 18:00 of 31 December 2023)
	add m1 raw_coal '2023-12-31 23:45' 1000
	add m1 raw_coal '2024-01-01 00:15' 50
	add m1 raw_coal '2024-06-01 12:00' 1
	add m1 raw_coal '2024-12-31 23:45' 100
	end24=$(lt '2024-12-31 23:59:59.999999')
	check "$TZN: 2024 total, status" "$(st "$end24" raw_coal actual)" "151.000000"
	check "$TZN: 2024 total, target_progress_at" \
		"$(sq "(SELECT actual FROM target_progress_at('$end24') WHERE metric = 'raw_coal')")" "151.000000"
	# a reading at local midnight and one just after it: a reading is stamped
	# at the end of what it covers, so 00:00's 5 t is 2024's (its last
	# instant), 00:15's 7 t is 2025's (issue 21: a period is (start, end])
	add m1 raw_coal '2025-01-01 00:00' 5
	add m1 raw_coal '2025-01-01 00:15' 7
	check "$TZN: 2024 total once 2025 has data" "$(st "$end24" raw_coal actual)" "151.000000"
	check "$TZN: 2024 at its end, 1 January 00:00: 151 + 5" \
		"$(st "$(lt '2025-01-01 00:00')" raw_coal actual)" "156.000000"
	check "$TZN: the year of 1 January 00:00 is the old one" \
		"$(st "$(lt '2025-01-01 00:00')" raw_coal year)" "2024"
	check "$TZN: 2024 at 1 January 00:15 (inclusive)" "$(st "$(lt '2024-01-01 00:15')" raw_coal actual)" "50.000000"
	check "$TZN: 2024 at 1 January 00:14" "$(st "$(lt '2024-01-01 00:14:59')" raw_coal actual)" "0.000000"
	at25=$(lt '2025-01-01 00:30')
	check "$TZN: 2025 so far" "$(st "$at25" raw_coal actual)" "7.000000"
	check "$TZN: 2025 same period of 2024" \
		"$(sq "(SELECT s.prev_same FROM target t, target_site_stats(t, '$at25') s WHERE t.metric = 'raw_coal' AND t.year = 2025)")" \
		"50.000000"
	# the rate: 7 t in half an hour, over a window of at least an hour
	check "$TZN: 2025 projected from the rate so far" \
		"$(sq "(SELECT projected - actual FROM target_progress_at('$at25') WHERE metric = 'raw_coal')")" \
		"$(sq "7 * 24 * (364 + 23.5 / 24)")"

	# --- inside an hour -----------------------------------------------------------
	add g1 generation '2024-06-10 10:05' 3
	add g1 generation '2024-06-10 10:50' 4
	# and the next day inside a UTC hour in every zone: 11:05 and 11:50 UTC
	q "SELECT t_add('g2', 'generation', '2024-06-11T11:05:00Z', 30), t_add('g2', 'generation', '2024-06-11T11:50:00Z', 40)" >/dev/null
	check "$TZN: --at 10:30 counts 10:05" "$(st "$(lt '2024-06-10 10:30')" generation actual)" "3.000000"
	check "$TZN: --at 10:30 status" "$(st "$(lt '2024-06-10 10:30')" generation status)" "behind"
	check "$TZN: --at 10:30 without an offset" "$(st '2024-06-10 10:30' generation actual)" "3.000000"
	check "$TZN: --at 10:05 counts it" "$(st "$(lt '2024-06-10 10:05')" generation actual)" "3.000000"
	check "$TZN: --at 10:50" "$(st "$(lt '2024-06-10 10:50')" generation actual)" "7.000000"
	check "$TZN: --at 11:30 UTC" "$(st 2024-06-11T11:30:00Z generation actual)" "37.000000"
	check "$TZN: --at 11:30 UTC, target_progress_at" \
		"$(sq "(SELECT actual FROM target_progress_at('2024-06-11T11:30:00Z') WHERE metric = 'generation')")" "37.000000"
	check "$TZN: --at 11:50 UTC" "$(st 2024-06-11T11:50:00Z generation actual)" "77.000000"
done

# --- the view: now, in Kolkata -------------------------------------------------------
TZN=Asia/Kolkata
q "DELETE FROM reading; DELETE FROM reading_hourly; DELETE FROM site; DELETE FROM target"
q "UPDATE target_setting SET timezone = '$TZN'"
q "INSERT INTO target (metric, year, kind, value, unit, tolerance_pct, scope) VALUES
     ('raw_coal', extract(year FROM now() AT TIME ZONE '$TZN')::int, 'about', 300, 't', 2, 'city')"
y=$(q "SELECT extract(year FROM now() AT TIME ZONE '$TZN')::int")
q "SELECT t_add('m1', 'raw_coal', timestamp '$((y - 1))-12-31 23:45' AT TIME ZONE '$TZN', 1000)" >/dev/null
q "SELECT t_add('m1', 'raw_coal', timestamp '$y-01-01 00:15' AT TIME ZONE '$TZN', 50)" >/dev/null
# one reading before now and one after it, in the UTC hour of now (so that
# the second is still in the future when the view is read)
left=$(q "SELECT extract(epoch FROM date_trunc('hour', now(), 'UTC') + interval '1 hour' - now())::int")
[ "$left" -ge 30 ] || sleep $((left + 1))
q "SELECT t_add('m1', 'raw_coal', now() - (now() - date_trunc('hour', now(), 'UTC')) / 2, 2),
          t_add('m1', 'raw_coal', now() + (date_trunc('hour', now(), 'UTC') + interval '1 hour' - now()) / 2, 4)" >/dev/null
check "view: this year so far" "$(sq "(SELECT actual FROM target_progress)")" "52.000000"
