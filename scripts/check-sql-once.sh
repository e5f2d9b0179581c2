#!/bin/sh
# SPDX-License-Identifier: MIT
# One current version of every SQL function and view: each is made by one
# CREATE in sql/, in its own file sql/functions/NAME.sql or sql/views/NAME.sql
# (named after it, COMMENT ON'd), and sql/objects.list lists every such file
# once; the migrations (sql/NNN_*.sql) make none. Usage: check-sql-once.sh [SQLDIR]
set -eu
SQL=${1:-$(dirname "$0")/../sql}
bad=0
complain() { echo "check-sql-once: $*" >&2; bad=1; }

# every CREATE of a function or view, as "file name"
creates=$(grep -EiHo '^[[:space:]]*CREATE[[:space:]]+(OR[[:space:]]+REPLACE[[:space:]]+)?(FUNCTION|VIEW|PROCEDURE)[[:space:]]+[A-Za-z_.]+' \
	"$SQL"/*.sql "$SQL"/functions/*.sql "$SQL"/views/*.sql 2>/dev/null |
	sed -E 's/^([^:]*):.*[[:space:]]([A-Za-z_.]+)$/\1 \2/' | sed 's/ public\./ /')
dups=$(echo "$creates" | awk '{print tolower($2)}' | sort | uniq -d)
[ -z "$dups" ] || complain "made more than once in $SQL: $(echo $dups)"
echo "$creates" | while read -r f name; do
	[ -n "$f" ] || continue
	case "$f" in
	*/functions/*.sql | */views/*.sql)
		[ "$(basename "$f" .sql)" = "$name" ] || { echo "check-sql-once: $f makes $name" >&2; exit 1; } ;;
	*) echo "check-sql-once: $f, a migration, makes $name (its place: sql/functions/$name.sql)" >&2; exit 1 ;;
	esac
done || bad=1
for f in "$SQL"/functions/*.sql "$SQL"/views/*.sql; do
	rel=${f#"$SQL"/}
	n=$(grep -cEi '^[[:space:]]*CREATE[[:space:]]+(OR[[:space:]]+REPLACE[[:space:]]+)?(FUNCTION|VIEW)[[:space:]]' "$f" || true)
	[ "$n" = 1 ] || complain "$rel makes $n functions or views (one a file)"
	grep -qEi '^COMMENT ON (FUNCTION|VIEW) ' "$f" || complain "$rel has no COMMENT ON"
	[ "$(grep -cx "$rel" "$SQL/objects.list")" = 1 ] || complain "$rel is not in objects.list exactly once"
done
grep -vE '^[[:space:]]*(#|$)' "$SQL/objects.list" | while read -r rel; do
	[ -f "$SQL/$rel" ] || { echo "check-sql-once: objects.list names $rel, which does not exist" >&2; exit 1; }
done || bad=1
# The tools and the daemon refuse a schema older than the newest migration
# they know (SCHEMA_LATEST in db/connect.c): that must be the newest file.
newest=$(ls "$SQL" | sed -n 's/^\([0-9][0-9][0-9]\)_.*\.sql$/\1/p' | sort | tail -n 1 | sed 's/^0*//')
latest=$(sed -n 's/^#define SCHEMA_LATEST \([0-9]*\).*/\1/p' "$SQL/../db/connect.c")
[ "$newest" = "$latest" ] || complain "db/connect.c's SCHEMA_LATEST is $latest, the newest migration is $newest"
[ "$bad" = 0 ] && echo "check-sql-once: $(echo "$creates" | wc -l) functions and views, each made once"
exit "$bad"
