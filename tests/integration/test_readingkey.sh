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
#     (counter_jitter), not a near-full wrap, and counted once (100, 99.5,
#     101 adds 1); two publishers interleaved on one counter are held
#     (counter_hold, counter_event) from the first fall of the alternation,
#     none of its steps summed.
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
# 50 to 49 is jitter; 60 counts from the highest total before it, 50: 10 t
# (it counted 11, the jitter once more)
[ "$got" = "50 0 first, 49 0 jitter, 60 10" ] || fail "4: a step of 1 back: $got"
log "ok: refused: $why; jitter: $got"
# jitter counted once, not twice: 100, 99.5, 101 adds 1 (not 1.5), one
# reading a batch (rk-4k) and all in one publish (rk-4j, where 99.8 after the
# jitter rises but stays below 100: 0, and 101 adds 1)
for dv in 1:100 2:99.5 3:101; do
	printf 'energy/mine/rk-4k/raw_coal\t{"ts":"2024-08-0%sT00:00:00Z","value":%s,"unit":"t","counter":true}\n' \
		"${dv%%:*}" "${dv#*:}" | publish 2>/dev/null
	sleep 0.3
done
for dv in 1:100 2:99.5 3:99.8 4:101; do
	printf 'energy/mine/rk-4j/raw_coal\t{"ts":"2024-08-0%sT00:00:00Z","value":%s,"unit":"t","counter":true}\n' \
		"${dv%%:*}" "${dv#*:}"
done | publish 2>/dev/null
wait_until 20 sh -c "[ \"\$(psql '$PGCONN' -XAtqc \"SELECT count(*) FROM reading WHERE site_id IN ('rk-4k', 'rk-4j')\")\" = 7 ]" ||
	fail "4: jitter readings (rk-4k, rk-4j)"
for s in rk-4k:"100 0 first, 99.5 0 jitter, 101 1" rk-4j:"100 0 first, 99.5 0 jitter, 99.8 0, 101 1"; do
	got=$(q "SELECT string_agg(counter_value || ' ' || value || coalesce(' ' || counter_step, ''), ', ' ORDER BY ts) FROM reading WHERE site_id = '${s%%:*}'")
	[ "$got" = "${s#*:}" ] || fail "4: jitter counted twice in ${s%%:*}: $got (sum $(q "SELECT sum(value) FROM reading WHERE site_id = '${s%%:*}'"))"
	log "ok: jitter once: ${s%%:*}: $got"
done
# the same through counter_delta (a replacement declared, then withdrawn,
# recomputes 101 one reading at a time): 1 again, not 1.5
q "INSERT INTO counter_replacement (site_id, metric, at, old_final, new_initial)
   VALUES ('rk-4k', 'raw_coal', '2024-08-02T12:00:00Z', 99.5, 0)"
got=$(q "SELECT value || ' ' || counter_step FROM reading WHERE site_id = 'rk-4k' AND counter_value = 101")
[ "$got" = "101 replaced" ] || fail "4: 101 after a replacement: $got"
q "DELETE FROM counter_replacement WHERE site_id = 'rk-4k'"
got=$(q "SELECT value || coalesce(' ' || counter_step, '') FROM reading WHERE site_id = 'rk-4k' AND counter_value = 101")
[ "$got" = "1" ] || fail "4: 101 recomputed after the replacement was withdrawn: $got"
log "ok: jitter once through counter_delta: 101 adds $got"
# a noisy meter, jitter after each rise: three falls of at most
# counter_jitter within 8 totals are no bounce, and it is not held. From 100
# to 103: 3 t (101 adds 1, 102 adds 1 from 101, 103 adds 1 from 102)
i=0
for t in 100 99.5 101 100.6 102 101.5 103; do
	i=$((i + 1))
	printf 'energy/mine/rk-4n/raw_coal\t{"ts":"2024-08-0%sT00:00:00Z","value":%s,"unit":"t","counter":true}\n' "$i" "$t"
	sleep 0.3
done | publish 2>/dev/null
wait_until 20 sh -c "[ \"\$(psql '$PGCONN' -XAtqc \"SELECT count(*) FROM reading WHERE site_id = 'rk-4n'\")\" = 7 ]" || fail "4: rk-4n readings"
got=$(q "SELECT string_agg(counter_value || ' ' || value || coalesce(' ' || counter_step, ''), ', ' ORDER BY ts) FROM reading WHERE site_id = 'rk-4n'")
[ "$(q "SELECT count(*) FROM counter_hold WHERE site_id = 'rk-4n'")" = 0 ] || fail "4: a noisy meter was held: $got"
[ "$(q "SELECT sum(value) FROM reading WHERE site_id = 'rk-4n'")" = 3 ] || fail "4: a noisy meter: $got"
log "ok: a noisy meter, not held: $got"

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
# The real consumption is 40 + 40 t, which no sum of these deltas can tell
# apart. 1000 is the first total (0); the alternation starts with the fall
# to 50, and from there every step is held: 0 t counted. (Held only from the
# second bounce, 50 + 960 + 60 = 1 070 t were counted.)
[ "$sum" = 0 ] ||
	fail "5: $sum t counted for 80 t: $(q "SELECT string_agg(counter_value || ':' || value || ':' || coalesce(counter_step, ''), ' ' ORDER BY ts) FROM reading WHERE site_id = 'rk-5'")"
[ "$(q "SELECT count(*) FROM counter_event WHERE site_id = 'rk-5' AND kind = 'alternating'")" = 1 ] ||
	fail "5: counter_event: $(q "SELECT string_agg(kind, ' ') FROM counter_event WHERE site_id = 'rk-5'")"
nheld=$(q "SELECT count(*) FROM reading WHERE site_id = 'rk-5' AND counter_step = 'held'")
[ "$nheld" = 9 ] || fail "5: $nheld readings held, not the 9 from the fall to 50"
log "ok: interleaved publishers held ($held), $sum t counted, $nheld readings held"
# a late reading inside the held stretch is held, and the one after it
# (1030 at 07:00, now after 75) stays held: still 0 t
printf 'energy/mine/rk-5/raw_coal\t{"ts":"2024-09-01T06:30:00Z","value":75,"unit":"t","counter":true}\n' |
	publish 2>/dev/null
wait_until 20 sh -c "[ \"\$(psql '$PGCONN' -XAtqc \"SELECT count(*) FROM reading WHERE site_id = 'rk-5'\")\" = 11 ]" || fail "5: the late reading"
sum=$(q "SELECT sum(value) FROM reading WHERE site_id = 'rk-5'")
[ "$sum" = 0 ] ||
	fail "5: a late reading un-held the stretch: $sum t: $(q "SELECT string_agg(counter_value || ':' || value || ':' || coalesce(counter_step, ''), ' ' ORDER BY ts) FROM reading WHERE site_id = 'rk-5'")"
log "ok: a late reading in the held stretch: still $sum t"

# An honest stretch, then the interleaving, all in one publish: 990, 995,
# 1000 count 5 + 5 = 10 t; from the fall to 50 on everything is held, so the
# sum is exactly 10 t (neither the alternation's steps nor 0 for all).
i=0
for t in 990 995 1000 50 1010 60 1020 70; do
	i=$((i + 1))
	printf 'energy/mine/rk-6/raw_coal\t{"ts":"2024-09-01T%02d:00:00Z","value":%s,"unit":"t","counter":true}\n' "$i" "$t"
done | publish 2>/dev/null
wait_until 20 sh -c "[ \"\$(psql '$PGCONN' -XAtqc \"SELECT count(*) FROM reading WHERE site_id = 'rk-6'\")\" = 8 ]" || fail "5: rk-6 readings"
got=$(q "SELECT string_agg(counter_value || ':' || value || ':' || coalesce(counter_step, ''), ' ' ORDER BY ts) FROM reading WHERE site_id = 'rk-6'")
[ "$(q "SELECT sum(value) FROM reading WHERE site_id = 'rk-6'")" = 10 ] || fail "5: an honest stretch then two publishers: $got"
[ "$(q "SELECT count(*) FROM counter_hold WHERE site_id = 'rk-6'")" = 1 ] || fail "5: rk-6 not held: $got"
log "ok: an honest stretch then two publishers: $got"
# the second publisher comes in above the first: 40, 45, 50 count 5 + 5 =
# 10 t; the alternation begins with the rise to 1000 (the fall after it
# lands at 60, above 50), which is held with the rest: exactly 10 t
i=0
for t in 40 45 50 1000 60 1010 70 1020; do
	i=$((i + 1))
	printf 'energy/mine/rk-7/raw_coal\t{"ts":"2024-09-01T%02d:00:00Z","value":%s,"unit":"t","counter":true}\n' "$i" "$t"
done | publish 2>/dev/null
wait_until 20 sh -c "[ \"\$(psql '$PGCONN' -XAtqc \"SELECT count(*) FROM reading WHERE site_id = 'rk-7'\")\" = 8 ]" || fail "5: rk-7 readings"
got=$(q "SELECT string_agg(counter_value || ':' || value || ':' || coalesce(counter_step, ''), ' ' ORDER BY ts) FROM reading WHERE site_id = 'rk-7'")
[ "$(q "SELECT sum(value) FROM reading WHERE site_id = 'rk-7'")" = 10 ] || fail "5: the second publisher above the first: $got"
log "ok: the second publisher above the first: $got"
stop_daemon
