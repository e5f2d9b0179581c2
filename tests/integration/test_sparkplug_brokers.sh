#!/bin/sh
# SPDX-License-Identifier: MIT
# Two brokers in [mqtt] uri (paho's serverURIs): enertrackd connects to the
# first; when it is killed, both the v1 feed and the Sparkplug host fail over
# to the second, the host says online there with its own STATE birth
# (tck-id-operational-behavior-primary-application-state-with-multiple-servers-state,
# ...-host-application-multi-server-timestamp: a new timestamp per session),
# and readings of both feeds arrive through it (the issue's MultipleBroker
# case, on fail-over rather than on two brokers at once).
. "$(dirname "$0")/lib.sh"

TAHU=$REPO/tests/integration/tahu
command -v node >/dev/null || fail "node (Node.js 20) is needed"
[ -f "$TAHU/node_modules/.package-lock.json" ] ||
	fail "$TAHU has no node_modules: tests/integration/run.sh installs it with npm ci"

start_pg
start_mosquitto
P1=$MQPORT
P1PID=$MQPID
# the second broker, its own directory and port
P2=$(free_port)
mkdir -p "$T/mq2"
sed "s|^listener .*|listener $P2 127.0.0.1|; s|$T/mq/|$T/mq2/|g" "$T/mq/mosquitto.conf" >"$T/mq2/mosquitto.conf"
mosquitto -c "$T/mq2/mosquitto.conf" &
track $!
wait_until 10 sh -c "ss -ltn | grep -q '127.0.0.1:$P2 '" || fail "the second mosquitto did not start"
MQURI="tcp://127.0.0.1:$P1 tcp://127.0.0.1:$P2"
write_config "$T/enertrack.conf" "[sparkplug]" "enabled = 1" "group_filter = Plant1" \
	"host_id = et-mb"
migrate >/dev/null
q "INSERT INTO site (site_id, kind) VALUES ('mb-v1', 'mine'), ('mb-sp', 'mine');
   INSERT INTO sparkplug_map (group_id, edge_node, device, metric_name, site_id, metric, unit)
   VALUES ('Plant1', 'n1', '', 'Coal', 'mb-sp', 'raw_coal', 't')"
state() { # state PORT
	mosquitto_sub -h 127.0.0.1 -p "$1" -t spBv1.0/STATE/et-mb -C 1 -W 2 2>/dev/null || true
}
start_daemon
wait_until 10 sh -c "mosquitto_sub -h 127.0.0.1 -p $P1 -t spBv1.0/STATE/et-mb -C 1 -W 2 | grep -q '\"online\":true'" ||
	fail "not online on the first broker: $(state "$P1")"
ts1=$(state "$P1" | sed 's/.*"timestamp":\([0-9]*\).*/\1/')
[ -z "$(mosquitto_sub -h 127.0.0.1 -p "$P2" -t spBv1.0/STATE/et-mb -C 1 -W 1 2>/dev/null)" ] ||
	fail "a STATE on the second broker before the fail-over"
log "online on broker 1: $(state "$P1")"

kill -KILL "$P1PID"
wait "$P1PID" 2>/dev/null || true
wait_until 30 sh -c "mosquitto_sub -h 127.0.0.1 -p $P2 -t spBv1.0/STATE/et-mb -C 1 -W 2 | grep -q '\"online\":true'" ||
	fail "tck-id-operational-behavior-primary-application-state-with-multiple-servers-state: no online STATE on the second broker: $(state "$P2")"
ts2=$(state "$P2" | sed 's/.*"timestamp":\([0-9]*\).*/\1/')
[ "$ts2" -gt "$ts1" ] ||
	fail "tck-id-operational-behavior-host-application-multi-server-timestamp: the second broker's STATE timestamp $ts2 is not newer than $ts1"
log "failed over: broker 2 says $(state "$P2")"

NOW=$(( $(date +%s) * 1000 ))
wait_until 30 sh -c "grep -c 'mqtt: \(re\)\?connected' '$T/daemon.log' | grep -qv '^1$'" ||
	fail "the v1 feed did not reconnect: $(tail -5 "$T/daemon.log")"
printf 'energy/mine/mb-v1/raw_coal\t{"ts":"%s","value":4,"unit":"t"}\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" |
	"$BIN/enertrack" publish --uri "tcp://127.0.0.1:$P2" --qos 1 || fail "publish to broker 2 failed"
cat >"$T/birth.json" <<EOJ
[{"t": "spBv1.0/Plant1/NBIRTH/n1", "p": {"timestamp": $NOW, "seq": 0, "metrics": [
  {"name": "bdSeq", "datatype": 8, "longValue": 1},
  {"name": "Coal", "datatype": 10, "doubleValue": 6, "timestamp": $((NOW - 1000))}]}}]
EOJ
node "$TAHU/probe.js" "tcp://127.0.0.1:$P2" "$T/birth.json" >>"$T/probe.log" 2>&1 || fail "probe failed"
wait_until 20 sh -c "[ \$(psql '$PGCONN' -XAtqc \"SELECT count(*) FROM reading WHERE site_id IN ('mb-v1', 'mb-sp')\") = 2 ]" ||
	fail "through broker 2: $(q "SELECT site_id, value FROM reading")"
stop_daemon
[ "$(state "$P2" | grep -c '"online":false')" = 1 ] || fail "not offline on broker 2 after SIGTERM: $(state "$P2")"
log "ok: both feeds through broker 2 after broker 1 died"
