#!/bin/sh
# SPDX-License-Identifier: MIT
# The schedule and drift maths of target_progress_at(), table-driven
# against a real PostgreSQL: leap year, year start in Asia/Shanghai versus
# UTC, monthly weights, `about` both ways, `at_least`, `reduce_by_pct`,
# too_early, stale sites explaining a shortfall, the capacity source filter;
# and that a new metric of an existing kind (a row of metric: its sources,
# milestones, a ratio of two metrics) counts with no change of code. That
# SQL's unit table agrees with lib/units.c is tests/unit/test_unitsql.c.
. "$(dirname "$0")/lib.sh"

start_pg
MQURI=tcp://127.0.0.1:1 write_config "$T/enertrack.conf"
migrate >/dev/null

# Readings go in as a writer puts them; reading_hourly follows by its triggers.
q "CREATE FUNCTION t_add(s text, k text, c text, m text, at timestamptz, v double precision, src text DEFAULT NULL)
   RETURNS void LANGUAGE sql AS \$\$
     INSERT INTO site (site_id, kind, county) VALUES (s, k, c) ON CONFLICT DO NOTHING;
     INSERT INTO reading (site_id, metric, ts, value, unit_in, value_in, source, received_at)
       VALUES (s, m, at, v, 'x', v, coalesce(src, ''), now());
     -- reading_hourly follows by the triggers on reading
   \$\$"
q "DELETE FROM target"

# check LABEL SQL EXPECTED
check() {
	got=$(q "$2")
	[ "$got" = "$3" ] || fail "$1: expected '$3', got '$got'"
	log "ok: $1"
}
prog() { # prog AT METRIC COLUMN
	echo "SELECT $3 FROM target_progress_at('$1') WHERE metric = '$2' AND year = extract(year FROM '$1'::timestamptz AT TIME ZONE (SELECT timezone FROM target_setting))"
}

# --- schedule: leap year, linear ---------------------------------------------
q "INSERT INTO target (metric, year, kind, value, unit, tolerance_pct, scope) VALUES ('raw_coal', 2024, 'about', 366, 't', 2, 'city')"
# 2024 has 366 days: noon of 1 July is 182.5 days in
check "leap-year elapsed" "$(prog 2024-07-01T12:00:00+08:00 raw_coal 'round(elapsed_pct::numeric, 6)')" \
	"$(q "SELECT round(100 * 182.5 / 366, 6)")"
check "leap-year expected" "$(prog 2024-07-01T12:00:00+08:00 raw_coal 'round(expected::numeric, 6)')" "182.500000"
# 29 Feb exists: expected at its end = 60 days
check "leap day" "$(prog 2024-03-01T00:00:00+08:00 raw_coal 'round(expected::numeric, 6)')" "60.000000"

# --- year start in Asia/Shanghai versus UTC ------------------------------------
# 2023-12-31T20:00Z is 2024-01-01 04:00 in Shanghai: 2024's first reading there
q "SELECT t_add('m1', 'mine', '襄垣', 'raw_coal', '2023-12-31T20:00:00Z', 100)"
check "Shanghai year start" "$(prog 2024-01-01T12:00:00+08:00 raw_coal 'actual')" "100"
q "UPDATE target_setting SET timezone = 'UTC'"
check "UTC year start: the reading is 2023's" "$(prog 2024-01-01T12:00:00Z raw_coal 'actual')" "0"
check "UTC year start: status" "$(prog 2024-01-01T12:00:00Z raw_coal 'status')" "too_early"
q "UPDATE target_setting SET timezone = 'Asia/Shanghai'"

# --- about, both directions; too_early -------------------------------------------
q "DELETE FROM reading; DELETE FROM reading_hourly; DELETE FROM site"
# one mine, 1 t a day for 100 days from 1 Jan (Shanghai): expected at day 100 = 100 t
q "SELECT t_add('m1', 'mine', '襄垣', 'raw_coal', '2024-01-01T00:00:00+08:00'::timestamptz + d * interval '1 day' + interval '23 hours', 1) FROM generate_series(0, 99) d"
check "on track" "$(prog 2024-04-10T00:00:00+08:00 raw_coal status)" "on_track"
check "drift 0" "$(prog 2024-04-10T00:00:00+08:00 raw_coal 'round(drift_pct::numeric, 3)')" "0.000"
q "UPDATE target SET value = 366 / 1.10 WHERE metric = 'raw_coal'"
check "about: over" "$(prog 2024-04-10T00:00:00+08:00 raw_coal status)" "over"
check "about: +10 %" "$(prog 2024-04-10T00:00:00+08:00 raw_coal 'round(drift_pct::numeric, 3)')" "10.000"
q "UPDATE target SET value = 366 / 0.90 WHERE metric = 'raw_coal'"
check "about: behind" "$(prog 2024-04-10T00:00:00+08:00 raw_coal status)" "behind"
check "about: -10 %" "$(prog 2024-04-10T00:00:00+08:00 raw_coal 'round(drift_pct::numeric, 3)')" "-10.000"
check "projected: rate carried to year end" \
	"$(prog 2024-04-10T00:00:00+08:00 raw_coal 'round(projected::numeric, 3)')" "366.000"
check "required daily" "$(prog 2024-04-10T00:00:00+08:00 raw_coal 'round(required_daily::numeric, 4)')" \
	"$(q "SELECT round(((366 / 0.9 - 100) / 266)::numeric, 4)")"
check "too early (5 % of the year)" "$(prog 2024-01-10T00:00:00+08:00 raw_coal status)" "too_early"
q "UPDATE target_setting SET min_elapsed_pct = 1"
check "min_elapsed_pct lowered" "$(prog 2024-01-10T00:00:00+08:00 raw_coal status)" "behind"
q "UPDATE target_setting SET min_elapsed_pct = 5"

# --- stale sites explain a shortfall: insufficient_data ----------------------------
# a second mine producing 1 t/day stops on day 50; at day 100 the city is
# short by ~50 t, all of it the silent mine's
q "UPDATE target SET value = 732 WHERE metric = 'raw_coal'"
q "SELECT t_add('m2', 'mine', '沁源', 'raw_coal', '2024-01-01T00:00:00+08:00'::timestamptz + d * interval '1 day' + interval '23 hours', 1) FROM generate_series(0, 49) d"
check "stale explains shortfall" "$(prog 2024-04-10T00:00:00+08:00 raw_coal status)" "insufficient_data"
check "stale site counted" "$(prog 2024-04-10T00:00:00+08:00 raw_coal "sites_reporting || '/' || sites_stale")" "1/1"
check "furthest behind is the stale one" \
	"SELECT site_id || ' ' || stale FROM target_sites_behind((SELECT id FROM target WHERE metric = 'raw_coal'), '2024-04-10T00:00:00+08:00', 5) LIMIT 1" "m2 true"
# a county scope sees only its mine
q "INSERT INTO target (metric, year, kind, value, unit, tolerance_pct, scope) VALUES ('raw_coal', 2024, 'about', 366, 't', 2, 'county:襄垣')"
check "county scope" "SELECT actual FROM target_progress_at('2024-04-10T00:00:00+08:00') WHERE scope = 'county:襄垣'" "100"

# --- monthly weights -------------------------------------------------------------
q "DELETE FROM target"
q "INSERT INTO target (metric, year, kind, value, unit, tolerance_pct, scope, schedule) VALUES ('raw_coal', 2024, 'about', 115, 't', 2, 'city', ARRAY[5, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10])"
check "weights: end of January" "$(prog 2024-02-01T00:00:00+08:00 raw_coal 'round(expected::numeric, 6)')" "5.000000"
# half of February (29 days in 2024): 5 + 10 * 14.5 / 29
check "weights: mid February" "$(prog 2024-02-15T12:00:00+08:00 raw_coal 'round(expected::numeric, 6)')" "10.000000"

# --- at_least: capacity, only new-energy sources count -------------------------------
q "INSERT INTO target (metric, year, kind, value, unit, tolerance_pct, scope) VALUES ('capacity_commissioned', 2024, 'at_least', 36.6, '万千瓦', 5, 'city')"
q "SELECT t_add('p1', 'plant', '长子', 'capacity_commissioned', '2024-03-01T10:00:00+08:00', 120, 'solar')"
q "SELECT t_add('p2', 'plant', '长子', 'capacity_commissioned', '2024-03-02T10:00:00+08:00', 80, 'wind')"
q "SELECT t_add('p3', 'plant', '长子', 'capacity_commissioned', '2024-03-03T10:00:00+08:00', 500, 'coal')"
# 366 MW a year; at day 100: expected 100 MW, actual 200 MW (coal excluded)
check "at_least: sources" "$(prog 2024-04-10T00:00:00+08:00 capacity_commissioned actual)" "200"
check "at_least: ahead" "$(prog 2024-04-10T00:00:00+08:00 capacity_commissioned status)" "ahead"
check "at_least: behind" "$(prog 2024-12-01T00:00:00+08:00 capacity_commissioned status)" "behind"
check "at_least: within tolerance" "$(prog 2024-07-18T00:00:00+08:00 capacity_commissioned status)" "on_track"

# --- reduce_by_pct: energy intensity ---------------------------------------------
q "INSERT INTO target (metric, year, kind, value, unit, tolerance_pct, scope) VALUES ('energy_intensity', 2024, 'reduce_by_pct', 1.8, '%', 0, 'city')"
q "SELECT t_add('e1', 'enterprise', '潞城', 'energy_consumption', '2023-02-01T00:00:00+08:00', 100)"
q "SELECT t_add('city', 'region', NULL, 'gdp', '2023-02-01T00:00:00+08:00', 1000)"
q "SELECT t_add('e1', 'enterprise', '潞城', 'energy_consumption', '2023-09-01T00:00:00+08:00', 999)"
q "SELECT t_add('e1', 'enterprise', '潞城', 'energy_consumption', '2024-02-01T00:00:00+08:00', 97)"
q "SELECT t_add('city', 'region', NULL, 'gdp', '2024-02-01T00:00:00+08:00', 1000)"
# A reading is stamped at the end of what it covers: 1 February's are
# January's. Closed months to 1 April: January to March, energy 97 against
# 100; nominal GDP is never used: the bureau's growth at comparable prices
# for 2024-Q1 (0 %) is. 1 − (97 / 100) / 1.00 = 3 %; September 2023 is
# outside the period.
q "SELECT statistic_put('city', 'gdp_real_growth', '2024-Q1', '2024-01-01', '2024-04-01', 0, '%', 0, 'bureau')" >/dev/null
check "reduce: actual reduction" "$(prog 2024-04-01T00:00:00+08:00 energy_intensity 'round(actual::numeric, 6)')" "3.000000"
check "reduce: ahead" "$(prog 2024-04-01T00:00:00+08:00 energy_intensity status)" "ahead"
q "SELECT t_add('e1', 'enterprise', '潞城', 'energy_consumption', '2024-03-01T00:00:00+08:00', 2)"
check "reduce: behind (down 1 %)" "$(prog 2024-04-01T00:00:00+08:00 energy_intensity status)" "behind"
# 1 % against 1.8 %: the drift is in percentage points (百分点), 1 − 1.8 = −0.8
check "reduce: drift" "$(prog 2024-04-01T00:00:00+08:00 energy_intensity 'round(drift_pct::numeric, 3)')" "-0.800"

# --- a new metric of an existing kind is a row of metric, no code -------------------
# storage: new capacity like capacity_commissioned, its own sources, built by milestones
q "INSERT INTO metric (name, dim, aggregate, label, display_unit, display_div, flow, default_sources, by_milestones)
   VALUES ('storage_commissioned', 'power', 'sum', 'Storage capacity', 'MW', 1, false, ARRAY['battery', 'pumped_hydro'], true)"
q "INSERT INTO target (metric, year, kind, value, unit, tolerance_pct, scope) VALUES ('storage_commissioned', 2024, 'at_least', 100, 'MW', 5, 'county:Y')"
q "SELECT t_add('y1', 'plant', 'Y', 'storage_commissioned', '2024-02-20T10:00:00+08:00', 30, 'battery')" >/dev/null
q "SELECT t_add('y2', 'plant', 'Y', 'storage_commissioned', '2024-03-20T10:00:00+08:00', 20, 'pumped_hydro')" >/dev/null
q "SELECT t_add('y3', 'plant', 'Y', 'storage_commissioned', '2024-03-21T10:00:00+08:00', 500, 'coal')" >/dev/null
check "new metric: its sources count" "$(prog 2024-04-10T00:00:00+08:00 storage_commissioned actual)" "50"
q "INSERT INTO target_milestone (target_id, site_id, name, due, value, unit)
   SELECT id, 'y1', 'Y battery', '2024-03-01', 40, 'MW' FROM target WHERE metric = 'storage_commissioned'"
check "new metric: built by milestones" "$(prog 2024-04-10T00:00:00+08:00 storage_commissioned "concat_ws(' ', expected, schedule_used)")" \
	"40 milestones"
# coal intensity: a ratio of two sums, like energy_intensity
q "INSERT INTO metric (name, dim, aggregate, label, display_unit, display_div, flow, ratio_num, ratio_den, ratio_growth)
   VALUES ('coal_intensity', NULL, 'ratio', 'Coal intensity', '%', 1, true, 'raw_coal', 'gdp', 'gdp_real_growth')"
q "SELECT statistic_put('county:X', 'gdp_real_growth', '2024-Q1', '2024-01-01', '2024-04-01', 0, '%', 0, 'bureau')" >/dev/null
q "INSERT INTO target (metric, year, kind, value, unit, tolerance_pct, scope) VALUES ('coal_intensity', 2024, 'reduce_by_pct', 1.8, '%', 0, 'county:X')"
q "SELECT t_add('x1', 'mine', 'X', 'raw_coal', '2023-02-01T00:00:00+08:00', 100);
   SELECT t_add('x1', 'mine', 'X', 'raw_coal', '2024-02-01T00:00:00+08:00', 97);
   SELECT t_add('xg', 'region', 'X', 'gdp', '2023-02-01T00:00:00+08:00', 1000);
   SELECT t_add('xg', 'region', 'X', 'gdp', '2024-02-01T00:00:00+08:00', 1000)" >/dev/null
check "new ratio: reduction" "$(prog 2024-04-01T00:00:00+08:00 coal_intensity 'round(actual::numeric, 6)')" "3.000000"
check "new ratio: status" "$(prog 2024-04-01T00:00:00+08:00 coal_intensity status)" "ahead"
q "DELETE FROM target WHERE metric IN ('storage_commissioned', 'coal_intensity')"

# --- the view is the current year ---------------------------------------------------
q "INSERT INTO target (metric, year, kind, value, unit, tolerance_pct, scope) VALUES ('raw_coal', extract(year FROM now() AT TIME ZONE 'Asia/Shanghai')::int, 'about', 1, 'Mt', 2, 'city')"
check "view: current year" "SELECT count(*) FROM target_progress" "1"

