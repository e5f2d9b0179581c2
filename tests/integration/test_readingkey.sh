#!/bin/sh
# SPDX-License-Identifier: MIT
# Two sources at one instant are two readings (the key of
# reading had no source):
#  1. a database made by the migrations before 016 (000-015, with readings
#     of two sources at other instants and a correction) migrates to the key
#     (site_id, metric, source, ts) with every row kept, the same sums in
#     reading_hourly, and the same schema as a fresh database;
#  2. solar 10 MW and wind 5 MW at one site and instant are two rows;
#  3. totalisers of coal and gas at equal timestamps, in one batch and
#     across batches, are two series with their own deltas: nothing counted
#     as a duplicate, nothing as a correction;
#  4. counters keep their promises: a negative total, or one above its
#     rollover, is refused with a reason; a step of 1 back is jitter
#     (counter_jitter), not a near-full wrap; two publishers interleaved on
#     one counter are held (counter_hold, counter_event), not summed.
. "$(dirname "$0")/lib.sh"

start_pg
start_mosquitto
write_config "$T/enertrack.conf"

# ---- 1. the migration, from the schema before 016 ---------------------------
mkdir -p "$T/sql-before"
cp -r "$REPO/sql/." "$T/sql-before/"
# every migration from 016 on, except 021: today's functions read
# site.site_id (021 renamed the column from id), and that has nothing to do with
# reading's key, so the old database has it (applied out of order, before
# 016, which migrate allows: it applies each missing number once)
for f in "$T"/sql-before/[0-9][0-9][0-9]_*.sql; do
	n=$(basename "$f" | cut -c1-3)
	[ "$n" -lt 16 ] || [ "$n" = 021 ] || rm -f "$f"
done
# and the objects made on what 016 makes
for o in views/evaluation_failures.sql functions/counter_jitter.sql functions/counter_jitter_use.sql \
	functions/alert_silence_check.sql views/counter_event.sql views/alert_history.sql; do
	grep -vx "$o" "$T/sql-before/objects.list" >"$T/objects.list" && mv "$T/objects.list" "$T/sql-before/objects.list"
	rm -f "$T/sql-before/$o"
done
"$BIN/enertrack" migrate -c "$T/enertrack.conf" --sql-dir "$T/sql-before" >"$T/m0.log" 2>&1 ||
	fail "1: migrate before 016: $(cat "$T/m0.log")"
[ "$(q "SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_migration WHERE version > 13")" = 14,15,21 ] ||
	fail "1: the old database is not at 15 (and 021)"
q "INSERT INTO site (site_id, kind) VALUES ('rk-old', 'plant');
   INSERT INTO reading (site_id, metric, ts, value, unit_in, value_in, source, received_at)
   SELECT 'rk-old', 'capacity_commissioned', '2024-01-01T00:00:00Z'::timestamptz + d * interval '1 hour',
          d, 'MW', d, CASE WHEN d % 2 = 0 THEN 'solar' ELSE 'wind' END, now()
   FROM generate_series(0, 999) d;
   INSERT INTO reading_correction (site_id, metric, ts, old_value, new_value, new_unit_in, new_value_in)
   VALUES ('rk-old', 'capacity_commissioned', '2024-01-01T00:00:00Z', 1, 0, 'MW', 0)"
before=$(q "SELECT count(*), sum(value), md5(string_agg(site_id || metric || source || ts || value, ',' ORDER BY ts)) FROM reading")
hourly=$(q "SELECT count(*), sum(value_sum) FROM reading_hourly")
"$BIN/enertrack" migrate -c "$T/enertrack.conf" >"$T/m1.log" 2>&1 || fail "1: migrate: $(cat "$T/m1.log")"
[ "$(q "SELECT count(*), sum(value), md5(string_agg(site_id || metric || source || ts || value, ',' ORDER BY ts)) FROM reading")" = "$before" ] ||
	fail "1: reading changed in the migration"
[ "$(q "SELECT count(*), sum(value_sum) FROM reading_hourly")" = "$hourly" ] || fail "1: reading_hourly changed"
[ "$(q "SELECT count(*) FROM reading_correction WHERE source = ''")" = 1 ] || fail "1: reading_correction.source"
key=$(q "SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM pg_constraint c,
         unnest(c.conkey) WITH ORDINALITY k(attnum, ord)
         JOIN pg_attribute a ON a.attrelid = 'reading'::regclass AND a.attnum = k.attnum
         WHERE c.conrelid = 'reading'::regclass AND c.contype = 'p'")
[ "$key" = "site_id,metric,source,ts" ] || fail "1: the key of reading is ($key)"
log "ok: migrated from 15: $before kept; key ($key)"
# the same schema as a fresh database
pg_dump "$PGCONN" --schema-only --no-owner | grep -v -e '^--' -e '^.unrestrict' -e '^.restrict' | sort >"$T/upgraded.sql"
q "CREATE DATABASE rk_fresh"
FRESH=$(echo "$PGCONN" | sed 's/dbname=[^ ]*/dbname=rk_fresh/')
sed "s|^conninfo = .*|conninfo = $FRESH|" "$T/enertrack.conf" >"$T/fresh.conf"
"$BIN/enertrack" migrate -c "$T/fresh.conf" >"$T/m2.log" 2>&1 || fail "1: fresh migrate: $(cat "$T/m2.log")"
pg_dump "$FRESH" --schema-only --no-owner | grep -v -e '^--' -e '^.unrestrict' -e '^.restrict' | sort >"$T/fresh.sql"
diff "$T/fresh.sql" "$T/upgraded.sql" >"$T/schema.diff" || fail "1: the schemas differ: $(head -20 "$T/schema.diff")"
log "ok: the upgraded schema is a fresh one"

# ---- 2. two sources at one instant -------------------------------------------
start_daemon
printf '%s\n' \
	'energy/plant/rk-1/capacity_commissioned	[{"ts":"2024-06-01T00:00:00Z","value":10,"unit":"MW","source":"solar"},{"ts":"2024-06-01T00:00:00Z","value":5,"unit":"MW","source":"wind"}]' |
	publish 2>/dev/null || fail "2: publish"
wait_until 20 sh -c "[ \"\$(psql '$PGCONN' -XAtqc \"SELECT count(*) FROM reading WHERE site_id = 'rk-1'\")\" = 2 ]" ||
	fail "2: solar and wind at one instant: $(q "SELECT source || ' ' || value FROM reading WHERE site_id = 'rk-1'")"
[ "$(q "SELECT string_agg(source || ' ' || value, ', ' ORDER BY source) FROM reading WHERE site_id = 'rk-1'")" = "solar 10, wind 5" ] ||
	fail "2: $(q "SELECT string_agg(source || ' ' || value, ', ') FROM reading WHERE site_id = 'rk-1'")"
[ "$(q "SELECT sum(value_sum) FROM reading_hourly WHERE site_id = 'rk-1'")" = 15 ] || fail "2: reading_hourly"
log "ok: solar 10 MW and wind 5 MW at one instant: two rows, 15 MW in reading_hourly"

# ---- 3. two totalisers at equal timestamps -----------------------------------
# one batch: coal and gas, four instants each
$PY - >"$T/batch1.txt" <<'PY'
import json
for d in range(1, 5):
    for src, base in (("coal", 1000), ("gas", 50)):
        print("energy/enterprise/rk-2/energy_consumption\t" + json.dumps(
            {"ts": "2024-07-%02dT00:00:00Z" % d, "value": base + 10 * d, "unit": "tce", "counter": True, "source": src}))
PY
publish <"$T/batch1.txt" 2>/dev/null || fail "3: publish"
wait_until 20 sh -c "[ \"\$(psql '$PGCONN' -XAtqc \"SELECT count(*) FROM reading WHERE site_id = 'rk-2'\")\" = 8 ]" ||
	fail "3: one batch: $(q "SELECT string_agg(source || '@' || ts::date || '=' || counter_value, ' ') FROM reading WHERE site_id = 'rk-2'")"
# later batches: gas then coal, equal timestamps again
for src in gas coal; do
	base=$([ $src = coal ] && echo 1000 || echo 50)
	printf 'energy/enterprise/rk-2/energy_consumption\t{"ts":"2024-07-05T00:00:00Z","value":%s,"unit":"tce","counter":true,"source":"%s"}\n' \
		$((base + 50)) $src | publish 2>/dev/null
	sleep 0.5
done
wait_until 20 sh -c "[ \"\$(psql '$PGCONN' -XAtqc \"SELECT count(*) FROM reading WHERE site_id = 'rk-2'\")\" = 10 ]" ||
	fail "3: across batches: $(q "SELECT string_agg(source || '@' || ts::date || '=' || counter_value, ' ') FROM reading WHERE site_id = 'rk-2'")"
got=$(q "SELECT string_agg(source || ' ' || counter_value || ' ' || coalesce(value::text, '-'), ', ' ORDER BY source, ts)
         FROM reading WHERE site_id = 'rk-2'")
want="coal 1010 0, coal 1020 10, coal 1030 10, coal 1040 10, coal 1050 10, gas 60 0, gas 70 10, gas 80 10, gas 90 10, gas 100 10"
[ "$got" = "$want" ] || fail "3: the series: $got"
[ "$(q "SELECT count(*) FROM reading_correction WHERE site_id = 'rk-2'")" = 0 ] || fail "3: corrections recorded"
[ "$(q "SELECT sum(corrections) FROM reading WHERE site_id = 'rk-2'")" = 0 ] || fail "3: corrections counted"
dup=$(metric 'enertrack_readings_total{outcome="duplicate"}')
[ "$dup" = 0 ] || fail "3: $dup readings counted as duplicates"
log "ok: coal and gas totalisers at equal timestamps: $got"

# ---- 4. totals a totaliser cannot show; jitter -------------------------------
for v in -50 -1e15; do
	printf 'energy/mine/rk-3/weird_total\t{"ts":"2024-08-01T00:00:00Z","value":%s,"unit":"t","counter":true}\n' "$v" |
		publish 2>/dev/null
done
printf 'energy/mine/rk-3/raw_coal\t{"ts":"2024-08-01T00:00:00Z","value":150,"unit":"t","counter":true,"rollover":100}\n' |
	publish 2>/dev/null
wait_until 20 sh -c "[ \"\$(psql '$PGCONN' -XAtqc \"SELECT count(*) FROM rejected_message WHERE topic LIKE 'energy/mine/rk-3/%'\")\" = 3 ]" ||
	fail "4: totals refused: $(q "SELECT count(*) FROM rejected_message WHERE topic LIKE 'energy/mine/rk-3/%'"), in reading: $(q "SELECT string_agg(value_in::text, ' ') FROM reading WHERE site_id = 'rk-3'")"
why=$(q "SELECT string_agg(detail, '; ' ORDER BY id) FROM rejected_message WHERE topic LIKE 'energy/mine/rk-3/%'")
echo "$why" | grep -q "cannot be negative.*cannot be negative.*above its rollover" || fail "4: reasons: $why"
for dv in 1:50 2:49 3:60; do
	printf 'energy/mine/rk-4/raw_coal\t{"ts":"2024-08-0%sT00:00:00Z","value":%s,"unit":"t","counter":true,"rollover":100}\n' \
		"${dv%%:*}" "${dv#*:}" | publish 2>/dev/null
	sleep 0.3
done
wait_until 20 sh -c "[ \"\$(psql '$PGCONN' -XAtqc \"SELECT count(*) FROM reading WHERE site_id = 'rk-4'\")\" = 3 ]" || fail "4: jitter readings"
got=$(q "SELECT string_agg(counter_value || ' ' || value || coalesce(' ' || counter_step, ''), ', ' ORDER BY ts) FROM reading WHERE site_id = 'rk-4'")
[ "$got" = "50 0 first, 49 0 jitter, 60 11" ] || fail "4: a step of 1 back: $got"
log "ok: refused: $why; jitter: $got"

# two publishers on one counter, interleaved: 1000, 50, 1010, 60, ...
i=0
for t in 1000 50 1010 60 1020 70 1030 80 1040 90; do
	i=$((i + 1))
	printf 'energy/mine/rk-5/raw_coal\t{"ts":"2024-09-01T%02d:00:00Z","value":%s,"unit":"t","counter":true}\n' "$i" "$t" |
		publish 2>/dev/null
	sleep 0.3
done
wait_until 20 sh -c "[ \"\$(psql '$PGCONN' -XAtqc \"SELECT count(*) FROM reading WHERE site_id = 'rk-5'\")\" = 10 ]" || fail "5: interleaved readings"
sum=$(q "SELECT sum(value) FROM reading WHERE site_id = 'rk-5'")
held=$(q "SELECT reason FROM counter_hold WHERE site_id = 'rk-5'")
[ -n "$held" ] || fail "5: not held; deltas $(q "SELECT string_agg(value || ':' || coalesce(counter_step, ''), ' ' ORDER BY ts) FROM reading WHERE site_id = 'rk-5'")"
# the real consumption is 40 + 40 t; before the hold at most a few steps counted
awk -v s="$sum" 'BEGIN { exit !(s < 2100) }' || fail "5: $sum t counted for 80 t"
[ "$(q "SELECT count(*) FROM counter_event WHERE site_id = 'rk-5' AND kind = 'alternating'")" = 1 ] ||
	fail "5: counter_event: $(q "SELECT string_agg(kind, ' ') FROM counter_event WHERE site_id = 'rk-5'")"
log "ok: interleaved publishers held ($held), $sum t counted, $(q "SELECT count(*) FROM reading WHERE site_id = 'rk-5' AND counter_step = 'held'") readings held"
stop_daemon
