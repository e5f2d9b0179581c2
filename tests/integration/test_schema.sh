#!/bin/sh
# SPDX-License-Identifier: MIT
# The schema as a DBA asks for it, checked against pg_catalog, and the write
# path in SQL:
#  1. an upgrade from migration 003 moves NULL sources to '' and numbers the
#     existing corrections (through the old layout's 004-013: the baseline
#     refuses to stand in for them);
#  2. reading_hourly agrees with a fresh aggregate of reading after inserts,
#     updates (value, ts across hours and partitions, source), deletes, an
#     upsert, DML on a partition, a TRUNCATE of one, and on a new partition;
#  3. ingest_apply() as the ingest role: new rows by the plain INSERT, the
#     same again as duplicates, a changed value as a correction, a key
#     repeated within a batch; the counts it returns;
#  4. keys, indexes, CHECKs, comments, privileges (default privileges for
#     enertrack_reader, SECURITY DEFINER functions with a fixed search_path),
#     the 2024 targets loaded as data, no DDL in the C sources.
. "$(dirname "$0")/lib.sh"

start_pg
MQURI=tcp://127.0.0.1:1 # no broker: nothing here connects to one
write_config "$T/enertrack.conf"

# ---- 1. upgrade from 003 (the migrations of the layout before the baseline,
# tests/data/schema-v0; then the baseline layout on top)
V0=$REPO/tests/data/schema-v0
mkdir -p "$T/sql3"
for f in "$V0"/00[0-3]_*.sql; do cp "$f" "$T/sql3/"; done
"$BIN/enertrack" migrate -c "$T/enertrack.conf" --sql-dir "$T/sql3" >"$T/m3.log" 2>&1 ||
	fail "migrate to 003: $(cat "$T/m3.log")"
q "INSERT INTO reading (site_id, metric, ts, value, unit_in, value_in, received_at)
   VALUES ('old', 'raw_coal', '2024-03-01T00:00:00Z', 1, 't', 1, now());
   INSERT INTO reading_correction (site_id, metric, ts, old_value, new_value, new_unit_in, new_value_in)
   VALUES ('old', 'raw_coal', '2024-03-01T00:00:00Z', 0, 1, 't', 1)"
# the baseline cannot stand in for 004-013 over 001-003: migrate says so
if migrate >"$T/m4.log" 2>&1; then fail "the baseline was applied over 003"; fi
grep -q "migrations up to 003 of an older layout" "$T/m4.log" || fail "migrate over 003: $(cat "$T/m4.log")"
"$BIN/enertrack" migrate -c "$T/enertrack.conf" --sql-dir "$V0" >"$T/m4.log" 2>&1 ||
	fail "migrate from 003: $(cat "$T/m4.log")"
migrate >"$T/m4.log" 2>&1 || fail "migrate from 013 to the baseline layout: $(cat "$T/m4.log")"
[ "$(q "SELECT count(*) FROM reading WHERE source IS NULL")" = 0 ] || fail "a NULL source is left in reading"
[ "$(q "SELECT source FROM reading WHERE site_id = 'old'")" = "" ] || fail "source not ''"
[ "$(q "SELECT attnotnull FROM pg_attribute WHERE attrelid = 'reading'::regclass AND attname = 'source'")" = t ] ||
	fail "reading.source may be NULL"
[ "$(q "SELECT count(*) FROM reading_correction WHERE id IS NOT NULL")" = 1 ] || fail "old correction not numbered"
[ "$(q "SELECT n FROM reading_hourly WHERE site_id = 'old'")" = 1 ] || fail "the upgrade lost the rollup of old rows"
q "DELETE FROM reading WHERE site_id = 'old'"

# ---- 2. the rollup follows reading, whoever changes it (a bucket holds
# (hour, hour + 1 h]: a reading counts in the period it ends)
hourly_ok() {
	bad=$(q "SELECT count(*) FROM (SELECT site_id, metric, coalesce(source, '') AS source,
		date_trunc('hour', (ts - interval '1 microsecond') AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS hour,
		sum(value) AS v, count(*) AS n, max(ts) AS l FROM reading GROUP BY 1, 2, 3, 4) r
		FULL JOIN reading_hourly h USING (site_id, metric, source, hour)
		WHERE r.n IS DISTINCT FROM h.n OR r.l IS DISTINCT FROM h.last_ts
		   OR NOT abs(r.v - h.value_sum) <= 1e-9 * greatest(1, abs(r.v))")
	[ "$bad" = 0 ] || fail "after $1, reading_hourly disagrees with reading in $bad hours"
}
# 120 readings of 3 sites every 7 minutes across the end of May 2024 (and
# so across two monthly partitions, whatever time zone made them)
q "INSERT INTO reading (site_id, metric, ts, value, unit_in, value_in, received_at)
   SELECT 's' || (i % 3), 'raw_coal', timestamptz '2024-05-31T17:00:00Z' + i * interval '7 minutes',
          i, 't', i, now() FROM generate_series(1, 120) i"
[ "$(q "SELECT count(DISTINCT tableoid) FROM reading")" = 2 ] || fail "the rows are not in two partitions"
hourly_ok "an INSERT"
q "UPDATE reading SET value = value * 2.5 WHERE site_id = 's1'"
hourly_ok "an UPDATE of values"
q "UPDATE reading SET ts = ts + interval '3 hours' WHERE site_id = 's2' AND value < 60"
hourly_ok "an UPDATE moving rows between hours and partitions"
q "UPDATE reading SET source = 'wind' WHERE site_id = 's0' AND value > 50"
hourly_ok "an UPDATE of sources"
q "DELETE FROM reading WHERE site_id = 's0' AND value > 100"
hourly_ok "a DELETE of the last rows of hours"
q "INSERT INTO reading (site_id, metric, ts, value, unit_in, value_in, received_at)
   VALUES ('s1', 'raw_coal', timestamptz '2024-05-31T17:00:00Z' + interval '7 minutes', 42, 't', 42, now()),
          ('s9', 'raw_coal', '2024-05-31T19:30:00Z', 7, 't', 7, now())
   ON CONFLICT (site_id, metric, source, ts) DO UPDATE SET value = EXCLUDED.value"
hourly_ok "an INSERT ... ON CONFLICT DO UPDATE"
part=$(q "SELECT tableoid::regclass FROM reading WHERE ts = (SELECT min(ts) FROM reading)")
q "UPDATE $part SET value = value + 1; DELETE FROM $part WHERE site_id = 's9'"
hourly_ok "DML on the partition $part"
q "TRUNCATE $part"
[ "$(q "SELECT count(*) FROM reading")" -gt 0 ] || fail "TRUNCATE emptied every partition"
hourly_ok "a TRUNCATE of the partition $part"
q "SELECT enertrack_add_partitions(2031, 2031)" >/dev/null
q "INSERT INTO reading (site_id, metric, ts, value, unit_in, value_in, received_at)
   VALUES ('s1', 'raw_coal', '2031-02-03T04:05:06Z', 3, 't', 3, now())"
q "UPDATE reading_2031_02 SET value = 4"
hourly_ok "DML on a new partition"
q "BEGIN; DELETE FROM reading_hourly; SELECT reading_hourly_rebuild(); COMMIT" >/dev/null
hourly_ok "reading_hourly_rebuild()"
log "ok: reading_hourly follows INSERT, UPDATE, DELETE, upsert, partition DML and TRUNCATE"
q "TRUNCATE reading"
[ "$(q "SELECT count(*) FROM reading_hourly")" = 0 ] || fail "TRUNCATE reading left reading_hourly rows"

# ---- 3. ingest_apply() as the ingest role
q "CREATE ROLE etd LOGIN IN ROLE enertrack_ingest; CREATE ROLE bureau LOGIN IN ROLE enertrack_reader"
ING="host=127.0.0.1 port=$PGPORT user=etd dbname=enertrack"
RD="host=127.0.0.1 port=$PGPORT user=bureau dbname=enertrack"
# apply TRY_INSERT MAY_REPEAT < COPY lines: ingest_apply's row, as etd
apply() {
	{
		echo "SELECT ingest_prepare();"
		echo "BEGIN;"
		echo "COPY pg_temp.et_stage_reading (n, site_id, kind, county, name, metric, ts, value, unit_in, value_in, seq, source, counter, received_at) FROM STDIN;"
		cat
		printf '\\.\n'
		echo "SELECT staged, inserted, duplicates, corrected, sites, fast FROM ingest_apply($1, $2);"
		echo "COMMIT;"
	} | psql "$ING" -X -Atq -v ON_ERROR_STOP=1 -f - 2>&1 | grep -v '^$'
}
row() { # row N SITE TS VALUE [SOURCE]
	printf '%s\t%s\tmine\t\\N\t\\N\traw_coal\t%s\t%s\tt\t%s\t%s\t%s\tf\t2024-06-01T00:00:00Z\n' \
		"$1" "$2" "$3" "$4" "$4" "$1" "${5:-\\N}"
}
batch() { for i in 1 2 3 4 5; do row "$i" "ap-$i" "2024-06-0${i}T01:00:00Z" "$i.5" solar; done; }
r=$(batch | apply true false) || fail "ingest_apply as etd: $r"
[ "$r" = "5|5|0|0|5|t" ] || fail "new rows: ingest_apply returned '$r', expected 5|5|0|0|5|t"
r=$(batch | apply true false) || fail "ingest_apply as etd: $r"
[ "$r" = "5|0|5|0|0|f" ] || fail "the same rows again: ingest_apply returned '$r', expected 5|0|5|0|0|f"
# (a correction is of the same source: since migration 016 another source
# at that instant is another reading)
r=$(row 1 ap-1 2024-06-01T01:00:00Z 9.5 solar | apply false false) || fail "$r"
[ "$r" = "1|0|0|1|0|f" ] || fail "a changed value: ingest_apply returned '$r', expected 1|0|0|1|0|f"
r=$({ row 1 ap-7 2024-06-07T01:00:00Z 1; row 2 ap-7 2024-06-07T01:00:00Z 2
	row 3 ap-7 2024-06-07T01:00:00Z 2; row 4 ap-7 2024-06-07T01:00:00Z 3; } | apply false true) || fail "$r"
[ "$r" = "4|1|1|2|1|f" ] || fail "a key 4 times in a batch: ingest_apply returned '$r', expected 4|1|1|2|1|f"
[ "$(q "SELECT value || ' ' || corrections FROM reading WHERE site_id = 'ap-7'")" = "3 2" ] ||
	fail "a key repeated in a batch: $(q "SELECT value, corrections FROM reading WHERE site_id = 'ap-7'")"
[ "$(q "SELECT value || ' ' || prev_value || ' ' || corrections FROM reading WHERE site_id = 'ap-1'")" = "9.5 1.5 1" ] ||
	fail "correction: $(q "SELECT value, prev_value, corrections FROM reading WHERE site_id = 'ap-1'")"
[ "$(q "SELECT count(*) FROM reading_correction WHERE site_id LIKE 'ap-%'")" = 3 ] || fail "corrections not recorded"
# the source as the message sent it; none is ''
[ "$(q "SELECT string_agg(site_id || '=' || source, ' ' ORDER BY site_id) FROM reading WHERE site_id LIKE 'ap-%'")" = \
	"ap-1=solar ap-2=solar ap-3=solar ap-4=solar ap-5=solar ap-7=" ] ||
	fail "sources: $(q "SELECT string_agg(site_id || '=' || source, ' ' ORDER BY site_id) FROM reading WHERE site_id LIKE 'ap-%'")"
hourly_ok "ingest_apply()"
psql "$ING" -X -Atq -v ON_ERROR_STOP=1 -c "SELECT ingest_refuse('a test', '\\x41'::bytea)" >/dev/null ||
	fail "ingest_refuse as etd"
[ "$(q "SELECT count(*) FROM rejected_message WHERE reason = 'db_refused' AND detail = 'a test'")" = 1 ] ||
	fail "ingest_refuse kept nothing"
denied() { # denied CONNINFO SQL
	if psql "$1" -XAtqc "$2" >"$T/denied.txt" 2>&1; then fail "allowed: $2"; fi
	grep -q "permission denied" "$T/denied.txt" || fail "$2: $(cat "$T/denied.txt")"
}
denied "$ING" "UPDATE reading SET value = 0"
denied "$ING" "INSERT INTO reading_hourly VALUES ('x', 'raw_coal', '', now(), 1, 1, now())"
denied "$ING" "INSERT INTO reading_correction (site_id, metric, ts, old_value, new_value, new_unit_in, new_value_in) VALUES ('x', 'y', now(), 1, 2, 't', 2)"
denied "$RD" "SELECT ingest_prepare()"
denied "$RD" "SELECT reading_hourly_rebuild()"
log "ok: ingest_apply() as the ingest role: new, duplicate, corrected, repeated keys"

# ---- 4. the schema
[ "$(q "SELECT count(*) FROM pg_constraint WHERE conrelid = 'reading_correction'::regclass AND contype = 'p'")" = 1 ] ||
	fail "reading_correction has no primary key"
# an index whose leading columns are the foreign key's
fk_indexed() { # fk_indexed TABLE COLUMN
	[ "$(q "SELECT count(*) FROM pg_index i WHERE i.indrelid = '$1'::regclass
		AND i.indkey[0] = (SELECT attnum FROM pg_attribute WHERE attrelid = '$1'::regclass AND attname = '$2')")" -ge 1 ] ||
		fail "no index on $1.$2"
}
fk_indexed alert_outbox drift_event_id
fk_indexed drift_event target_id
tid=$(q "SELECT min(id) FROM target")
for bad in "'ok', 'pending', 'bogus'" "'ok', 'bogus', 'pending'" "'bogus', 'pending', 'pending'"; do
	if q "INSERT INTO drift_event (target_id, from_state, to_state, event) VALUES ($tid, $bad)" 2>"$T/chk.txt"; then
		fail "drift_event took ($bad)"
	fi
	grep -q "check constraint" "$T/chk.txt" || fail "drift_event ($bad): $(cat "$T/chk.txt")"
done
q "INSERT INTO drift_event (target_id, from_state, to_state, event) VALUES ($tid, 'ok', 'pending', 'pending')"
# every table, view and column in public has a comment (partitions excepted)
missing=$(q "SELECT string_agg(x, ' ' ORDER BY x) FROM (
	SELECT c.relname AS x FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm') AND NOT c.relispartition
	  AND obj_description(c.oid, 'pg_class') IS NULL
	UNION ALL
	SELECT c.relname || '.' || a.attname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
	WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm') AND NOT c.relispartition
	  AND col_description(c.oid, a.attnum) IS NULL) m")
[ -z "$missing" ] || fail "no COMMENT ON: $missing"
[ "$(q "SELECT count(*) FROM pg_proc WHERE proname IN ('ingest_prepare', 'ingest_apply', 'ingest_refuse')
	AND obj_description(oid, 'pg_proc') IS NOT NULL")" = 3 ] || fail "ingest functions without a comment"
[ "$(q "SELECT count(*) FROM pg_proc WHERE proname IN ('ingest_prepare', 'ingest_apply') AND prosecdef
	AND 'search_path=pg_catalog, public, pg_temp' = ANY (proconfig)
	AND NOT has_function_privilege('public', oid, 'EXECUTE')")" = 2 ] ||
	fail "ingest_prepare/ingest_apply: not SECURITY DEFINER with a fixed search_path, or PUBLIC may run them"
# a table made after the migrations is readable by enertrack_reader
q "CREATE TABLE later_table (x int); INSERT INTO later_table VALUES (1)"
[ "$(psql "$RD" -XAtqc "SELECT x FROM later_table" 2>&1)" = 1 ] || fail "enertrack_reader cannot read a later table"
# the 2024 targets are data: not in a migration, loaded by migrate --seed, once
! grep -lE "^[[:space:]]*INSERT INTO target[[:space:]]" "$REPO"/sql/[0-9][0-9][0-9]_*.sql || fail "targets inside a schema migration"
[ "$(q "SELECT count(*) FROM target WHERE year = 2024")" = 5 ] || fail "the 2024 targets were not loaded"
migrate >/dev/null
[ "$(q "SELECT count(*) FROM target WHERE year = 2024")" = 5 ] || fail "migrate --seed twice doubled the targets"
# no DDL in the C sources: it lives in sql/
ddl=$(grep -nE '"[^"]*\b(CREATE|ALTER|DROP) +(TEMP|TEMPORARY|UNLOGGED|TABLE|INDEX|VIEW|FUNCTION|TRIGGER|ROLE|SCHEMA)\b' \
	"$REPO"/daemon/*.c "$REPO"/tools/*.c "$REPO"/common/*.c "$REPO"/db/*.c || true)
[ -z "$ddl" ] || fail "DDL in C: $ddl"
log "ok: keys, indexes, CHECKs, comments, privileges, targets as data, no DDL in C"
