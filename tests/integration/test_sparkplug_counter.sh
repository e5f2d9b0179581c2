#!/bin/sh
# SPDX-License-Identifier: MIT
# Counter totals that arrive by Sparkplug B get every check a v1 total gets
# (test_readingkey.sh part 4), through a scripted edge node
# (tests/integration/tahu/probe.js):
#  1. a negative total of a metric with no dimension (-50, -1e15) and a total
#     above the map's rollover (150 of 100) are refused, with v1's words
#     (they were stored, and counted as deltas);
#  2. a step back of at most counter_jitter is jitter, counted once (50, 49,
#     60 adds 10 after 50);
# Each metric's birth certificate carries a value 0 ten minutes before: the
# first reading of each series.
#  3. two publishers on one counter are held from the alternation's first
#     step (0 at the birth, then 1000, 50, 1010, 60, 1020, 70 sums 0).
. "$(dirname "$0")/lib.sh"

TAHU=$REPO/tests/integration/tahu
command -v node >/dev/null || fail "node (Node.js 20) is needed"
[ -f "$TAHU/node_modules/.package-lock.json" ] ||
	fail "$TAHU has no node_modules: tests/integration/run.sh installs it with npm ci"

start_pg
start_mosquitto
write_config "$T/enertrack.conf" "[sparkplug]" "enabled = 1" "group_filter = Plant1" \
	"host_id = et-counter"
migrate >/dev/null
q "INSERT INTO metric (name, dim, aggregate, label, display_unit, display_div, flow)
     VALUES ('sc_total', NULL, 'sum', 'A total of no dimension', 't', 1, true);
   INSERT INTO site (site_id, kind) VALUES ('sc-neg', 'mine'), ('sc-roll', 'mine'), ('sc-alt', 'mine');
   INSERT INTO sparkplug_map (group_id, edge_node, device, metric_name, site_id, metric, unit, counter, rollover) VALUES
     ('Plant1', 'c1', 'd1', 'Neg', 'sc-neg', 'sc_total', 't', true, NULL),
     ('Plant1', 'c1', 'd1', 'Roll', 'sc-roll', 'raw_coal', 't', true, 100),
     ('Plant1', 'c1', 'd1', 'Alt', 'sc-alt', 'raw_coal', 't', true, NULL)"
start_daemon
wait_until 10 sh -c "mosquitto_sub -h 127.0.0.1 -p $MQPORT -t spBv1.0/STATE/et-counter -C 1 -W 2 | grep -q '\"online\":true'" ||
	fail "the host is not online"

NOW=$(( $(date +%s) * 1000 ))
$PY - "$T" "$NOW" <<'EOP'
import json, sys
T, now = sys.argv[1], int(sys.argv[2])
G = 'spBv1.0/Plant1/'
names = {'Neg': 10, 'Roll': 11, 'Alt': 12}
series = {'Neg': [5, -50, -1e15],
          'Roll': [50, 150, 49, 60],
          'Alt': [1000, 50, 1010, 60, 1020, 70]}
steps = [
    {'t': G + 'NBIRTH/c1', 'p': {'timestamp': now, 'seq': 0,
                                 'metrics': [{'name': 'bdSeq', 'datatype': 8, 'longValue': 1}]}},
    {'t': G + 'DBIRTH/c1/d1', 'p': {'timestamp': now, 'seq': 1, 'metrics': [
        {'name': n, 'alias': a, 'datatype': 10, 'doubleValue': 0, 'timestamp': now - 600000}
        for n, a in names.items()]}},
]
seq = 2
for n, values in series.items():
    for i, v in enumerate(values):
        steps.append({'t': G + 'DDATA/c1/d1', 'p': {'timestamp': now, 'seq': seq, 'metrics': [
            {'alias': names[n], 'doubleValue': v, 'timestamp': now - 300000 + 1000 * i}]}})
        seq += 1
json.dump(steps, open(T + '/counters.json', 'w'))
EOP
node "$TAHU/probe.js" "$MQURI" "$T/counters.json" >>"$T/probe.log" 2>&1 || fail "probe: $(tail -3 "$T/probe.log")"

rows() { q "SELECT string_agg(counter_value || ' ' || value || coalesce(' ' || counter_step, ''), ', ' ORDER BY ts) FROM reading WHERE site_id = '$1'"; }
n_rows() { [ "$(q "SELECT count(*) FROM reading WHERE site_id = '$1'")" = "$2" ]; }
wait_until 20 n_rows sc-alt 7 || fail "3: sc-alt: $(rows sc-alt); all: $(q "SELECT string_agg(site_id || ' ' || ts || ' ' || counter_value, '; ') FROM reading"); unmapped: $(q "SELECT string_agg(metric_name || ' ' || n_values, '; ') FROM sparkplug_unmapped_metric"); rejected: $(q "SELECT string_agg(reason || ' ' || detail, '; ') FROM rejected_message")"
wait_until 5 n_rows sc-roll 4 || fail "1: sc-roll: $(rows sc-roll); refused: $(q "SELECT string_agg(detail, '; ') FROM rejected_message")"
wait_until 5 n_rows sc-neg 2 || fail "1: sc-neg: $(rows sc-neg); refused: $(q "SELECT string_agg(detail, '; ') FROM rejected_message")"

# ---- 1. refused, with v1's words
why=$(q "SELECT string_agg(detail, '; ' ORDER BY id) FROM rejected_message WHERE reason = 'out_of_range' AND topic = 'spBv1.0/Plant1/DDATA/c1/d1'")
echo "$why" | grep -q "Neg (sc_total of site sc-neg): a counter total cannot be negative (-50 t); .*Neg (sc_total of site sc-neg): a counter total cannot be negative (-1e+15 t); .*Roll (raw_coal of site sc-roll): a counter total of 150 t is above its rollover (100)" ||
	fail "1: refused: '$why'; sc-neg $(rows sc-neg); sc-roll $(rows sc-roll)"
[ "$(rows sc-neg)" = "0 0 first, 5 5" ] || fail "1: sc-neg: $(rows sc-neg)"
log "ok: refused: $why"

# ---- 2. jitter, once: the birth's 0, 50, 49 jitter, 60 counts from 50: 10 t
[ "$(rows sc-roll)" = "0 0 first, 50 50, 49 0 jitter, 60 10" ] || fail "2: sc-roll: $(rows sc-roll)"
log "ok: jitter: $(rows sc-roll)"

# ---- 3. two publishers: the birth's 0 (first), then 1000, 50, 1010, ...:
# the fall to 50 lands above the 0 before the rise to 1000, so the
# alternation began with that rise (0 and 50 are one publisher, 1000 the
# other), and everything from it on is held: 0 t, exactly
sum=$(q "SELECT sum(value) FROM reading WHERE site_id = 'sc-alt'")
[ "$sum" = 0 ] || fail "3: sc-alt summed $sum t: $(rows sc-alt)"
[ "$(q "SELECT count(*) FROM counter_event WHERE site_id = 'sc-alt' AND kind = 'alternating'")" = 1 ] ||
	fail "3: sc-alt not in counter_event as alternating"
log "ok: two publishers held: $(rows sc-alt)"
stop_daemon
