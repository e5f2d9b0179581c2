#!/bin/sh
# SPDX-License-Identifier: MIT
# Sparkplug B against Eclipse Tahu's JavaScript edge node client (npm
# sparkplug-client, installed by run.sh's `npm ci` in tests/integration/tahu/):
#  1. enertrackd says it is online (retained spBv1.0/STATE/<host_id>);
#  2. an edge node with two devices publishes births and 5 000 DDATA by alias;
#     it is SIGKILLed: the broker publishes its NDEATH, the mapped sites are
#     stale at once;
#  3. it comes back with a new bdSeq (and a late NDEATH of the old session,
#     which must change nothing) and publishes 5 000 more; enertrackd is
#     SIGKILLed in the middle and restarted (its Will says offline; the
#     node, a Sparkplug 3.0 edge node, is born again when the host is back); an
#     injected seq gap draws a rebirth request (NCMD) that the node answers;
#  4. every mapped value is in reading exactly once with the value sent
#     (the negative Int32 values of Gen/Energy, 714 of them, are decoded as
#     negative and so rejected as out_of_range, as a v1 value would be), a
#     mapped counter arrives with counter = true, the node's unmapped metric
#     is counted and listed in sparkplug_unmapped, a garbage payload is in
#     rejected_message.
. "$(dirname "$0")/lib.sh"

TAHU=$REPO/tests/integration/tahu
command -v node >/dev/null || fail "node (Node.js 20) is needed"
[ -f "$TAHU/node_modules/.package-lock.json" ] ||
	fail "$TAHU has no node_modules: tests/integration/run.sh installs it with npm ci"

start_pg
start_mosquitto
write_config "$T/enertrack.conf" "[sparkplug]" "enabled = 1" "group_filter = Plant1" \
	"host_id = et-test" "rebirth_min_interval_s = 1"
migrate >/dev/null
q "INSERT INTO site (site_id, kind) VALUES ('sp-mine-a', 'mine'), ('sp-mine-c', 'mine'), ('sp-plant-b', 'plant');
   INSERT INTO sparkplug_map (group_id, edge_node, device, metric_name, site_id, metric, unit, counter, rollover) VALUES
     ('Plant1', 'edge1', 'dev1', 'Belt/Rate', 'sp-mine-a', 'raw_coal', 't', false, NULL),
     ('Plant1', 'edge1', 'dev1', 'Belt/Total', 'sp-mine-c', 'raw_coal', 't', true, 999999.9),
     ('Plant1', 'edge1', 'dev2', 'Gen/Energy', 'sp-plant-b', 'generation', 'kWh', false, NULL);
   INSERT INTO target (metric, year, kind, value, unit)
     VALUES ('raw_coal', extract(year FROM now())::int, 'about', 1000, 't')"

state() { # the retained host state
	mosquitto_sub -h 127.0.0.1 -p "$MQPORT" -t spBv1.0/STATE/et-test -C 1 -W 3 2>/dev/null || true
}
start_daemon
wait_until 10 sh -c "mosquitto_sub -h 127.0.0.1 -p $MQPORT -t spBv1.0/STATE/et-test -C 1 -W 2 |
	grep -q '\"online\":true'" || fail "no retained online state: $(state)"
log "host state: $(state)"

# timestamps every 100 ms from 20 minutes ago: all in the past, none stale by age
T0=$(( ($(date +%s) - 1200) * 1000 ))
EDGE=""
edge() { # edge DIR BDSEQ FIRST COUNT [GAP_AT PAUSE_AT]
	mkdir -p "$1"
	PRIMARY_HOST=et-test LATE_DEATH=${LATE:-} node "$TAHU/edge.js" "$MQURI" Plant1 edge1 "$2" "$3" "$4" "$T0" "$1" \
		${5:-} ${6:-} >>"$1/edge.log" 2>&1 &
	EDGE=$!
	track $EDGE
}
grid() { # grid SITE: readings of SITE on the 100 ms grid (births are at -50 ms)
	q "SELECT count(*) FROM reading WHERE site_id = '$1'
	   AND extract(milliseconds FROM ts)::int % 100 = 0"
}

# ---- 2. births, 5 000 DDATA, SIGKILL: the broker sends the NDEATH
edge "$T/e1" 1 0 5000
wait_until $((60 * WAIT_SCALE)) test -e "$T/e1/done" || fail "edge node 1 did not finish: $(tail -3 "$T/e1/edge.log")"
wait_until $((30 * WAIT_SCALE)) sh -c "[ \$(psql '$PGCONN' -XAtqc \"SELECT count(*) FROM reading WHERE site_id IN ('sp-mine-a', 'sp-plant-b')\") -ge 4643 ]" ||
	fail "phase 1: $(grid sp-mine-a) + $(grid sp-plant-b) readings of 4643"
stale() {
	q "SELECT s.stale FROM target t, target_site_stats(t, now()) s
	   WHERE t.metric = 'raw_coal' AND t.year = extract(year FROM now()) AND s.site_id = '$1'"
}
[ "$(stale sp-mine-a)" = f ] || fail "sp-mine-a is stale while its node is alive"
kill -KILL "$EDGE"
wait "$EDGE" 2>/dev/null || true
wait_until 20 sh -c "[ \"\$(psql '$PGCONN' -XAtqc \"SELECT count(*) FROM site WHERE offline_since IS NOT NULL AND site_id LIKE 'sp-%'\")\" = 3 ]" ||
	fail "the NDEATH did not mark the three sites offline"
[ "$(stale sp-mine-a)" = t ] || fail "sp-mine-a is not stale after its node's NDEATH"
log "NDEATH: 3 sites offline, sp-mine-a stale at once"

# ---- 3. a new session (bdSeq 2, a late NDEATH of bdSeq 1), SIGKILL of enertrackd, a seq gap
LATE=1 # after its births: an NDEATH with bdSeq 1
edge "$T/e2" 2 5000 5000 8500 7000
wait_until 60 test -e "$T/e2/paused" || fail "edge node 2 did not reach the pause: $(tail -3 "$T/e2/edge.log")"
wait_until 20 sh -c "[ \"\$(psql '$PGCONN' -XAtqc \"SELECT count(*) FROM site WHERE offline_since IS NOT NULL AND site_id LIKE 'sp-%'\")\" = 0 ]" ||
	fail "the new births did not bring the sites back"
sleep 0.3
[ "$(metric enertrack_sparkplug_deaths_total)" = 1 ] ||
	fail "the late NDEATH of bdSeq 1 counted as a death ($(metric enertrack_sparkplug_deaths_total))"
[ "$(q "SELECT count(*) FROM site WHERE offline_since IS NOT NULL AND site_id LIKE 'sp-%'")" = 0 ] ||
	fail "the late NDEATH of bdSeq 1 marked sites offline"
# The births file is saved (what changed appended) at most once a second
# (daemon/ingest.c): the SIGKILL must come after the save that holds these
# births, or the restart rightly has none to restore. This pause outlasts
# that period; it decides no result.
sleep 1.5
kill -KILL "$DPID"
wait "$DPID" 2>/dev/null || true
wait_until 10 sh -c "mosquitto_sub -h 127.0.0.1 -p $MQPORT -t spBv1.0/STATE/et-test -C 1 -W 2 |
	grep -q '\"online\":false'" || fail "the host's Will did not say offline: $(state)"
log "SIGKILL of enertrackd at i=7000; state: $(state)"
start_daemon
grep -q "births restored" "$T/daemon.log" || fail "the births were not restored after the SIGKILL"
# a Sparkplug 3.0 edge node is born again when its primary host is back
# (enertrackd trusts no restored birth until then)
wait_until 20 grep -q "host online again" "$T/e2/ncmd" || fail "the edge node did not see the host come back"
sleep 0.5
touch "$T/e2/go"
wait_until $((60 * WAIT_SCALE)) test -e "$T/e2/done" || fail "edge node 2 did not finish: $(tail -3 "$T/e2/edge.log")"
wait_until 20 grep -q rebirth "$T/e2/ncmd" || fail "no rebirth request after the seq gap"
wait_until $((30 * WAIT_SCALE)) sh -c "[ \$(psql '$PGCONN' -XAtqc \"SELECT count(*) FROM reading WHERE site_id IN ('sp-mine-a', 'sp-plant-b') AND extract(milliseconds FROM ts)::int % 100 = 0\") -ge 9286 ]" ||
	fail "phase 2: $(grid sp-mine-a) + $(grid sp-plant-b) readings of 9286"
sleep 0.5 # anything extra would have arrived by now

# ---- 4. every value, once
[ "$(grid sp-mine-a)" = 5000 ] || fail "sp-mine-a: $(grid sp-mine-a) readings, not 5000"
[ "$(grid sp-plant-b)" = 4286 ] || fail "sp-plant-b: $(grid sp-plant-b) readings, not 4286 (5000 less 714 negative)"
neg=$(q "SELECT count(DISTINCT convert_from(payload, 'UTF8')) FROM rejected_message
	 WHERE reason = 'out_of_range' AND topic = 'spBv1.0/Plant1/DDATA/edge1/dev2'
	   AND convert_from(payload, 'UTF8') ~ '^Gen/Energy = -[0-9]+$'")
[ "$neg" = 714 ] || fail "negative Gen/Energy values: $neg distinct out_of_range rows, not 714"
bad=$(q "SELECT count(*) FROM generate_series(0, 9999, 2) i
	 LEFT JOIN reading r ON r.site_id = 'sp-mine-a' AND r.metric = 'raw_coal'
	      AND r.ts = to_timestamp(($T0 + 100 * i) / 1000.0)
	 WHERE r.value IS DISTINCT FROM i * 0.25 OR r.unit_in <> 't' OR r.counter")
[ "$bad" = 0 ] || fail "sp-mine-a: $bad values differ from those published"
bad=$(q "SELECT count(*) FROM generate_series(1, 9999, 2) i
	 LEFT JOIN reading r ON r.site_id = 'sp-plant-b' AND r.metric = 'generation'
	      AND r.ts = to_timestamp(($T0 + 100 * i) / 1000.0)
	 CROSS JOIN LATERAL (SELECT CASE WHEN i % 7 = 0 THEN -i ELSE i END * 3 AS v) e
	 WHERE e.v >= 0 AND (r.value_in IS DISTINCT FROM e.v OR r.unit_in <> 'kWh'
	    OR abs(r.value - e.v * 1e-3) > 1e-12)")
[ "$bad" = 0 ] || fail "sp-plant-b: $bad values differ from those published"
[ "$(q "SELECT count(*) FROM reading WHERE site_id = 'sp-mine-c' AND NOT counter")" = 0 ] ||
	fail "the mapped counter Belt/Total arrived without counter = true"
[ "$(q "SELECT count(*) FROM reading WHERE site_id = 'sp-mine-c' AND counter")" -ge 5000 ] ||
	fail "Belt/Total: $(q "SELECT count(*) FROM reading WHERE site_id = 'sp-mine-c'") counter readings"
[ "$(q "SELECT count(*) FROM reading_correction WHERE site_id LIKE 'sp-%'")" = 0 ] ||
	fail "a replayed Sparkplug value became a correction"
hb=$(q "SELECT abs((SELECT sum(value_sum) FROM reading_hourly WHERE site_id = 'sp-mine-a')
	 - (SELECT sum(value) FROM reading WHERE site_id = 'sp-mine-a')) < 1e-6")
[ "$hb" = t ] || fail "reading_hourly of sp-mine-a disagrees with reading"
[ "$(q "SELECT count(*) FROM site WHERE offline_since IS NOT NULL AND site_id LIKE 'sp-%'")" = 0 ] ||
	fail "the rebirth (or the late NDEATH of bdSeq 1) left sites offline"
[ "$(stale sp-mine-a)" = f ] || fail "sp-mine-a is still stale after the rebirth"
[ "$(metric enertrack_sparkplug_rebirth_requests_total)" -ge 1 ] || fail "no rebirth request counted"
[ "$(q "SELECT n_values > 0 AND to_map LIKE 'INSERT INTO sparkplug_map%Node/Power%' FROM sparkplug_unmapped
	WHERE edge_node = 'edge1' AND device = '' AND metric_name = 'Node/Power'")" = t ] ||
	fail "Node/Power is not listed in sparkplug_unmapped: $(q "SELECT * FROM sparkplug_unmapped")"
addr=$(sed -n 's/^listen = //p' "$T/enertrack.conf")
$PY -c "import urllib.request,sys; b=urllib.request.urlopen('http://$addr/metrics').read().decode(); sys.exit(0 if 'enertrack_sparkplug_values_total{outcome=\"unmapped\"} 0' not in b else 1)" ||
	fail "the unmapped values are not counted in /metrics"

# a payload that is not Sparkplug, and a topic that is not
printf 'not protobuf \377' | mosquitto_pub -h 127.0.0.1 -p "$MQPORT" -q 1 -t spBv1.0/Plant1/NDATA/edge9 -s
mosquitto_pub -h 127.0.0.1 -p "$MQPORT" -q 1 -t spBv1.0/Plant1/XDATA/edge9 -m x
wait_until 10 sh -c "[ \$(psql '$PGCONN' -XAtqc \"SELECT count(*) FROM rejected_message WHERE reason IN ('sparkplug_bad_payload', 'sparkplug_bad_topic')\") = 2 ]" ||
	fail "malformed Sparkplug messages not in rejected_message: $(q "SELECT reason, detail FROM rejected_message")"

kill -KILL "$EDGE" 2>/dev/null || true
stop_daemon
# Sparkplug readings as they are in reading
psql "$PGCONN" -X -P pager=off -c "SELECT site_id, metric, ts, value, unit_in, value_in, source, counter
	FROM reading WHERE site_id LIKE 'sp-%'
	  AND ts >= (SELECT max(ts) FROM reading WHERE site_id = 'sp-mine-a') ORDER BY ts, site_id" >&2
log "ok: 10 000 DDATA by alias across an edge node SIGKILL and an enertrackd SIGKILL, every mapped value once"
