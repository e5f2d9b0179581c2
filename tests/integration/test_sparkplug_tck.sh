#!/bin/sh
# SPDX-License-Identifier: MIT
# The official Sparkplug TCK's broker-side host checks, reproduced: enertrackd
# against an in-process aedes broker that records every CONNECT (clean
# session, the Will and its flags), SUBSCRIBE and PUBLISH
# (tests/integration/sptck/broker.js); tests/integration/sptck/check.js then
# judges each tck-id of SessionEstablishmentTest, SessionTerminationTest and
# SendCommandTest on that record. (EdgeSessionTermination and MessageOrdering
# need the database: tests/integration/test_sparkplug_rules.sh.)
. "$(dirname "$0")/lib.sh"

TCK=$REPO/tests/integration/sptck
command -v node >/dev/null || fail "node (Node.js 20) is needed"
[ -f "$TCK/node_modules/.package-lock.json" ] ||
	fail "$TCK has no node_modules: tests/integration/run.sh installs it with npm ci"

start_pg
AEPORT=$(free_port)
node "$TCK/broker.js" "$AEPORT" "$T/tck.log" 2>"$T/broker.err" &
track $!
wait_until 10 test -s "$T/tck.log" || fail "aedes did not start: $(cat "$T/broker.err")"
MQURI="tcp://127.0.0.1:$AEPORT"
write_config "$T/enertrack.conf" "[sparkplug]" "enabled = 1" "group_filter = Plant1" \
	"host_id = et-tck"
migrate >/dev/null
HOST=enertrack-test_sparkplug_tck/sparkplug
start_daemon
wait_until 10 grep -q "\"clientId\":\"$HOST\",\"topic\":\"spBv1.0/STATE/et-tck\"" "$T/tck.log" ||
	fail "no STATE from the host: $(tail -5 "$T/tck.log")"
# another process says the host is offline
mosquitto_pub -h 127.0.0.1 -p "$AEPORT" -q 1 -r -t spBv1.0/STATE/et-tck -m '{"online":false,"timestamp":1}'
wait_until 5 sh -c "[ \$(grep -c '\"clientId\":\"$HOST\",\"topic\":\"spBv1.0/STATE/et-tck\"' '$T/tck.log') -ge 2 ]" ||
	fail "the host did not answer the online:false"
"$BIN/enertrack" sparkplug rebirth -c "$T/enertrack.conf" Plant1/n1 >/dev/null ||
	fail "enertrack sparkplug rebirth failed"
sleep 0.5
stop_daemon
sleep 0.5
node "$TCK/check.js" "$T/tck.log" "$HOST" et-tck Plant1 enertrack-test_sparkplug_tck/sparkplug-cmd >"$T/tck.out" 2>&1
rc=$?
cat "$T/tck.out" >&2
[ "$rc" = 0 ] || fail "$(grep -c ^FAIL "$T/tck.out") TCK checks failed"
log "ok: $(grep -c ^PASS "$T/tck.out") TCK checks passed"
