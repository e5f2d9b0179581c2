#!/bin/sh
# SPDX-License-Identifier: MIT
# A database made by the layout before the baseline (its migrations
# 000-013, kept in tests/data/schema-v0) migrates to the layout of one file
# per function and view with no change to its data:
#  1. every table's rows (count and checksum, over the columns it had) are
#     the same after `enertrack migrate`, the ledger keeps 000-013 and adds
#     014, and target_progress_at and the views give the same rows;
#     021 renames site.id to site.site_id: the sites, the readings and the
#     Sparkplug mappings that name them are all still there, and the key,
#     its CHECK and the foreign key follow the new name;
#  2. a fresh database migrated by the new layout and the upgraded one have
#     the same schema (pg_dump --schema-only, its entries sorted);
#  3. migrate run again does nothing and says so; a changed function file is
#     applied again, alone; a broken one names itself and the server's error
#     and leaves every function as it was.
. "$(dirname "$0")/lib.sh"

start_pg
MQURI=tcp://127.0.0.1:1 # no broker: nothing here connects to one
write_config "$T/enertrack.conf"
V0=$REPO/tests/data/schema-v0

# ---- the old database, with data in most tables
"$BIN/enertrack" migrate -c "$T/enertrack.conf" --sql-dir "$V0" >"$T/m0.log" 2>&1 ||
	fail "migrate with the old layout: $(cat "$T/m0.log")"
psql "$PGCONN" -X -q -v ON_ERROR_STOP=1 -f "$REPO/sql/data/targets_2024.sql" >/dev/null
q "INSERT INTO site (id, kind, county, name) VALUES ('m1', 'mine', 'A', 'Mine 1'), ('p1', 'plant', 'A', NULL),
       ('p2', 'plant', 'B', NULL), ('e1', 'enterprise', 'B', NULL), ('city', 'region', NULL, NULL);
   INSERT INTO reading (site_id, metric, ts, value, unit_in, value_in, source, received_at)
   SELECT 'm1', 'raw_coal', timestamptz '2023-01-01T00:00:00+08:00' + d * interval '1 day', 4e5 + d, 't', 4e5 + d, '', now()
     FROM generate_series(0, 700) d;
   INSERT INTO reading (site_id, metric, ts, value, unit_in, value_in, source, received_at) VALUES
       ('p1', 'capacity_commissioned', '2024-02-01T10:00:00+08:00', 120, 'MW', 120, 'solar', now()),
       ('p2', 'capacity_commissioned', '2024-03-01T10:00:00+08:00', 80, 'MW', 80, 'wind', now()),
       ('p2', 'capacity_commissioned', '2024-03-05T10:00:00+08:00', 500, 'MW', 500, 'coal', now()),
       ('p1', 'retrofit_capacity', '2024-04-01T10:00:00+08:00', 600, 'MW', 600, '', now()),
       ('e1', 'energy_consumption', '2023-03-01T00:00:00+08:00', 1e6, 'tce', 1e6, '', now()),
       ('e1', 'energy_consumption', '2024-03-01T00:00:00+08:00', 9.7e5, 'tce', 9.7e5, '', now()),
       ('city', 'gdp', '2023-03-01T00:00:00+08:00', 1e10, 'CNY', 1e10, '', now()),
       ('city', 'gdp', '2024-03-01T00:00:00+08:00', 1.05e10, 'CNY', 1.05e10, '', now()),
       ('m1', 'advanced_capacity_share', '2024-05-01T00:00:00+08:00', 94, '%', 94, '', now());
   UPDATE reading SET value = value + 1 WHERE site_id = 'm1' AND ts = '2024-01-10T00:00:00+08:00';
   INSERT INTO target_milestone (target_id, site_id, name, due, value, unit)
   SELECT id, 'p1', 'p1 solar', '2024-02-15', 120, 'MW' FROM target WHERE metric = 'capacity_commissioned';
   SELECT statistic_put('county:A', 'raw_coal', '2024-01', '2024-01-01', '2024-02-01', 1.3e7, '万吨', 1300, 'bureau');
   INSERT INTO drift_event (target_id, from_state, to_state, event, status)
   SELECT id, 'ok', 'pending', 'pending', 'behind' FROM target WHERE metric = 'raw_coal';
   INSERT INTO alert_outbox (drift_event_id, subject, message) SELECT max(id), 'a subject', 'a message' FROM drift_event;
   INSERT INTO rejected_message (received_at, topic, reason, payload, payload_bytes, truncated)
   VALUES (now(), 'energy/mine/m1/raw_coal', 'bad_json', '\\x7b', 1, false);
   INSERT INTO sparkplug_map (group_id, edge_node, device, metric_name, site_id, metric, unit)
   VALUES ('g', 'n', '', 'coal', 'm1', 'raw_coal', 't'), ('g', 'n', 'd', 'solar', 'p1', 'capacity_commissioned', 'MW')" >/dev/null

# every table (partitions too) with the columns it has now
q "SELECT c.oid::regclass, string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
   FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
   WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND c.relname <> 'schema_migration'
   GROUP BY c.oid ORDER BY 1" >"$T/tables.txt"
[ "$(wc -l <"$T/tables.txt")" -gt 150 ] || fail "too few tables: $(wc -l <"$T/tables.txt")"
contents() { # every table's count and checksum, over its old columns
	while IFS='|' read -r tbl cols; do
		printf '%s %s\n' "$tbl" "$(q "SELECT count(*) || ' ' || coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '-')
			FROM (SELECT ROW($cols) AS x FROM $tbl) r")"
	done <"$T/tables.txt"
}
AT=2024-06-30T12:00:00+08:00
functions() { # what the functions and views give
	q "SELECT md5(string_agg(p::text, '|' ORDER BY p.target_id)) FROM target_progress_at('$AT') p"
	q "SELECT md5(string_agg(p::text, '|' ORDER BY p.target_id)) FROM target_progress_at('2024-12-31T12:00:00+08:00') p"
	q "SELECT md5(string_agg(s::text, '|' ORDER BY s::text)) FROM target, target_sites_behind(target.id, '$AT') s"
	q "SELECT md5(string_agg(m::text, '|' ORDER BY m::text)) FROM monthly m"
	q "SELECT md5(string_agg(v::text, '|' ORDER BY v::text)) FROM telemetry_vs_statistics v"
	# alert_history's drift events in its first columns (every
	# other mail, with id NULL, and columns at the end)
	q "SELECT md5(string_agg(h::text, '|' ORDER BY h::text)) FROM (SELECT id, at, target_id, label, metric,
	   year, scope, event, from_state, to_state, status, drift_pct, expected, actual, display_unit, delivery,
	   subject, recipients, sent_at, attempts, last_error, silenced_by FROM alert_history WHERE id IS NOT NULL) h"
}
contents >"$T/before.txt"
# the sites and what names them, by the old column (compared after 021)
sites() { # $1: the site's key column
	q "SELECT count(*) || ' ' || md5(string_agg(concat_ws('|', $1, kind, county, name, first_seen), ',' ORDER BY $1)) FROM site"
	q "SELECT count(*) || ' ' || md5(string_agg(concat_ws('|', s.$1, r.metric, r.ts, r.value), ',' ORDER BY s.$1, r.metric, r.ts))
	   FROM reading r JOIN site s ON s.$1 = r.site_id"
	q "SELECT string_agg(m.metric_name || '>' || s.$1 || '/' || s.kind, ',' ORDER BY m.metric_name)
	   FROM sparkplug_map m JOIN site s ON s.$1 = m.site_id"
}
sites id >"$T/sites-before.txt"
[ "$(sed -n 1p "$T/sites-before.txt" | cut -d' ' -f1)" = 5 ] && [ "$(sed -n 3p "$T/sites-before.txt")" = "coal>m1/mine,solar>p1/plant" ] ||
	fail "the old database's sites: $(cat "$T/sites-before.txt")"
q "SELECT count(*) || ' ' || md5(string_agg(ROW(name, dim, aggregate, label, display_unit, display_div, flow)::text, '|' ORDER BY name))
	FROM metric" >"$T/metric-before.txt"
functions >"$T/fn-before.txt"
[ "$(q "SELECT count(*) FROM target_progress_at('$AT')")" = 5 ] || fail "no progress before the upgrade"
q "SELECT version || ' ' || name FROM schema_migration ORDER BY version" >"$T/ledger-before.txt"

# ---- 1. the upgrade
"$BIN/enertrack" migrate -c "$T/enertrack.conf" --sql-dir "$REPO/sql" >"$T/m1.log" 2>&1 ||
	fail "migrate to the new layout: $(cat "$T/m1.log")"
grep -qx "applied 014_objects.sql" "$T/m1.log" || fail "014 not applied: $(cat "$T/m1.log")"
! grep -q "applied 013_baseline.sql" "$T/m1.log" || fail "the baseline was applied over 013"
nobj=$(grep -cvE '^[[:space:]]*(#|$)' "$REPO/sql/objects.list")
[ "$(grep -c '^applied functions/\|^applied views/' "$T/m1.log")" = "$nobj" ] ||
	fail "not every function and view file was applied: $(cat "$T/m1.log")"
# 021 renamed site.id: the same rows, read by the new name (ROW() of the
# same values gives the same text)
sed -i 's/^site|id, /site|site_id, /' "$T/tables.txt"
grep -q '^site|site_id, ' "$T/tables.txt" || fail "site's columns: $(grep '^site|' "$T/tables.txt")"
contents >"$T/after.txt"
# Migration 015 adds the metric gdp_real_growth and corrects
# 煤炭先进产能占比's label: metric is compared over its other rows and columns.
# Migration 018 rebuilds reading_hourly with the buckets (hour, hour + 1 h]
# (a reading counts in the period it ends): it must equal that aggregate of
# reading, over every reading.
grep -v '^metric \|^reading_hourly ' "$T/before.txt" >"$T/before-x.txt"
grep -v '^metric \|^reading_hourly ' "$T/after.txt" >"$T/after-x.txt"
[ "$(q "SELECT count(*) FROM (SELECT site_id, metric, source,
		date_trunc('hour', ts - interval '1 microsecond', 'UTC') AS hour, sum(value) AS v, count(*) AS n,
		max(ts) AS last_ts FROM reading GROUP BY 1, 2, 3, 4) r
		FULL JOIN reading_hourly h USING (site_id, metric, source, hour)
		WHERE r.n IS DISTINCT FROM h.n OR r.v IS DISTINCT FROM h.value_sum OR r.last_ts IS DISTINCT FROM h.last_ts")" = 0 ] ||
	fail "018: reading_hourly is not the aggregate of reading in (hour, hour + 1 h]"
[ "$(q "SELECT count(*) FROM reading_hourly")" = "$(grep '^reading_hourly ' "$T/before.txt" | cut -d' ' -f2)" ] ||
	fail "018: reading_hourly has another number of rows"
diff "$T/before-x.txt" "$T/after-x.txt" >"$T/diff.txt" || fail "the upgrade changed data: $(cat "$T/diff.txt")"
[ "$(q "SELECT count(*) || ' ' || md5(string_agg(ROW(name, dim, aggregate, label, display_unit, display_div, flow)::text, '|' ORDER BY name))
	FROM metric WHERE name <> 'gdp_real_growth'")" = "$(cat "$T/metric-before.txt")" ] ||
	fail "the upgrade changed the metrics"
functions >"$T/fn-after.txt"
# target_progress_at and target_sites_behind (lines 1-3) follow the bureau's
# method since 015 (energy intensity over closed months with GDP growth at
# comparable prices, capacity projected from its register): they give other
# rows on purpose. monthly and telemetry_vs_statistics (lines 4-5) count a
# reading in the period it ends since 018: m1's reading of 1 March 00:00 is
# February's (checked below). The rest must not change.
tail -n +6 "$T/fn-before.txt" >"$T/fn-before-x.txt"
tail -n +6 "$T/fn-after.txt" >"$T/fn-after-x.txt"
[ "$(q "SELECT round((total * (SELECT display_div FROM metric WHERE name = 'raw_coal'))::numeric) FROM monthly
	  WHERE metric = 'raw_coal' AND scope_kind = 'site' AND scope_name = 'm1' AND month = '2024-03-01'")" = \
	"$(q "SELECT round(sum(value)::numeric) FROM reading WHERE site_id = 'm1' AND metric = 'raw_coal'
	  AND ts > '2024-03-01T00:00:00+08:00' AND ts <= '2024-04-01T00:00:00+08:00'")" ] ||
	fail "018: monthly's March is not the readings of (1 March, 1 April]"
diff "$T/fn-before-x.txt" "$T/fn-after-x.txt" >"$T/diff.txt" || fail "the functions give other rows: $(cat "$T/diff.txt")"
[ "$(q "SELECT count(*) FROM target_progress_at('$AT')")" = 5 ] || fail "no progress after the upgrade"
q "SELECT version || ' ' || name FROM schema_migration WHERE version <= 13 ORDER BY version" >"$T/ledger-after.txt"
diff "$T/ledger-before.txt" "$T/ledger-after.txt" >/dev/null || fail "the ledger of 000-013 changed"
# 014 and every later migration of sql/, once each, in order
want=$(ls "$REPO"/sql/ | sed -n 's/^\([0-9][0-9][0-9]\)_.*\.sql$/\1 &/p' |
	awk '$1 > 13 { sub(/^0+/, "", $1); printf "%s%s %s", n++ ? "," : "", $1, $2 }')
[ "$(q "SELECT string_agg(version || ' ' || name, ',' ORDER BY version) FROM schema_migration WHERE version > 13")" = "$want" ] ||
	fail "ledger after 013: $(q "SELECT string_agg(version || ' ' || name, ',') FROM schema_migration WHERE version > 13")"
[ "$(q "SELECT count(*) FROM schema_object")" = "$nobj" ] || fail "schema_object does not list every file"
grep -qx "applied 021_site_id.sql" "$T/m1.log" || fail "021 not applied: $(cat "$T/m1.log")"
# site's key is site_id now, and id is gone
[ "$(q "SELECT string_agg(attname, ',' ORDER BY attname) FROM pg_attribute
        WHERE attrelid = 'site'::regclass AND attname IN ('id', 'site_id') AND NOT attisdropped")" = site_id ] ||
	fail "site's key column after 021: $(q "SELECT string_agg(attname, ',') FROM pg_attribute WHERE attrelid = 'site'::regclass AND attnum > 0")"
sites site_id >"$T/sites-after.txt"
diff "$T/sites-before.txt" "$T/sites-after.txt" >"$T/diff.txt" || fail "the sites or what names them changed: $(cat "$T/diff.txt")"
[ "$(q "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'site'::regclass AND contype = 'p'")" = "PRIMARY KEY (site_id)" ] ||
	fail "site's primary key: $(q "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'site'::regclass AND contype = 'p'")"
[ "$(q "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'sparkplug_map'::regclass AND contype = 'f' AND confrelid = 'site'::regclass")" = "FOREIGN KEY (site_id) REFERENCES site(site_id)" ] ||
	fail "sparkplug_map's foreign key: $(q "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'sparkplug_map'::regclass AND contype = 'f'")"
# the constraints still hold under the new name
refused() { # $1: a statement that must fail with $2 in its error
	if psql "$PGCONN" -XAtq -v ON_ERROR_STOP=1 -c "$1" >"$T/refused.log" 2>&1; then
		fail "accepted after 021: $1"
	fi
	grep -q "$2" "$T/refused.log" || fail "$1: $(cat "$T/refused.log")"
}
refused "DELETE FROM site WHERE site_id = 'm1'" 'violates foreign key constraint'
refused "INSERT INTO sparkplug_map (group_id, edge_node, device, metric_name, site_id, metric, unit)
         VALUES ('g', 'n', '', 'x', 'nosuch', 'raw_coal', 't')" 'violates foreign key constraint'
refused "INSERT INTO site (site_id, kind) VALUES ('m1', 'mine')" 'duplicate key value'
refused "INSERT INTO site (site_id, kind) VALUES ('Bad Id', 'mine')" 'violates check constraint'
refused "SELECT id FROM site" 'column "id" does not exist'
log "ok: 021 renamed site.id to site.site_id; the sites, their readings and mappings, the key, its CHECK and the foreign key are kept"
log "ok: the upgrade keeps every row of $(wc -l <"$T/tables.txt") tables, the ledger and what the functions give"

# ---- 2. the same schema as a fresh database
psql "$(echo "$PGCONN" | sed 's/dbname=enertrack/dbname=postgres/')" -XAtqc "CREATE DATABASE fresh" >/dev/null
sed "s/dbname=enertrack/dbname=fresh/" "$T/enertrack.conf" >"$T/fresh.conf"
"$BIN/enertrack" migrate -c "$T/fresh.conf" --sql-dir "$REPO/sql" >"$T/m2.log" 2>&1 ||
	fail "migrate a fresh database: $(cat "$T/m2.log")"
schema() { # pg_dump --schema-only, its entries sorted (their order follows OIDs)
	pg_dump --schema-only "$1" | $PY -c '
import re, sys
s = "".join(l for l in sys.stdin if not re.match(r"\\(un)?restrict ", l))
print("\n".join(sorted(b.strip() for b in re.split(r"\n(?=--\n-- Name: )", s))))'
}
schema "$PGCONN" >"$T/schema-upgraded.sql"
schema "$(echo "$PGCONN" | sed 's/dbname=enertrack/dbname=fresh/')" >"$T/schema-fresh.sql"
[ "$(grep -c 'CREATE FUNCTION' "$T/schema-fresh.sql")" -ge 50 ] || fail "the fresh schema has too few functions"
diff "$T/schema-upgraded.sql" "$T/schema-fresh.sql" >"$T/diff.txt" ||
	fail "the upgraded and the fresh schemas differ: $(head -40 "$T/diff.txt")"
log "ok: the upgraded and the fresh database have the same schema"

# ---- 3. again: nothing; a changed file alone; a broken file rolled back
"$BIN/enertrack" migrate -c "$T/enertrack.conf" --sql-dir "$REPO/sql" >"$T/m3.log" 2>&1 || fail "$(cat "$T/m3.log")"
grep -q "^schema is up to date" "$T/m3.log" && ! grep -q "^applied" "$T/m3.log" ||
	fail "a second migrate did something: $(cat "$T/m3.log")"
cp -r "$REPO/sql" "$T/sqlx"
printf -- '-- a comment that changes the checksum\n' >>"$T/sqlx/functions/metric_sources.sql"
"$BIN/enertrack" migrate -c "$T/enertrack.conf" --sql-dir "$T/sqlx" >"$T/m4.log" 2>&1 || fail "$(cat "$T/m4.log")"
[ "$(cat "$T/m4.log")" = "applied functions/metric_sources.sql" ] || fail "a changed file: $(cat "$T/m4.log")"
# objects.list applies metric_sources before target_scope_has: both change, the second fails
sums() { q "SELECT string_agg(name || '=' || checksum, ' ' ORDER BY name) FROM schema_object"; }
sum=$(sums)
sed -i 's/SELECT scope = /SELECT scope == /' "$T/sqlx/functions/target_scope_has.sql"
printf -- '-- changed again\n' >>"$T/sqlx/functions/metric_sources.sql"
if "$BIN/enertrack" migrate -c "$T/enertrack.conf" --sql-dir "$T/sqlx" >"$T/m5.log" 2>&1; then
	fail "a broken function file was applied: $(cat "$T/m5.log")"
fi
grep -q "functions/target_scope_has.sql failed: ERROR:  operator does not exist" "$T/m5.log" ||
	fail "the error does not name the file and the server's error: $(cat "$T/m5.log")"
[ "$(sums)" = "$sum" ] || fail "a file of the failed run was recorded (the run was not rolled back)"
! grep -q "^applied" "$T/m5.log" || fail "a failed run says it applied files: $(cat "$T/m5.log")"
[ "$(q "SELECT target_scope_has('county:A', 'x', 'A')")" = t ] || fail "target_scope_has broken"
log "ok: migrate again does nothing; a changed file is applied alone; a broken one is named and rolled back"
