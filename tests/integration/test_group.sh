#!/bin/sh
# SPDX-License-Identifier: MIT
# Three daemons in one MQTT 5 shared subscription group ($share/et/energy/#)
# on one mosquitto, with presence and the member-down alarm:
#  1. one SIGKILLed and restarted after its outage raised the alarm:
#     nothing lost or duplicated;
#  2. one SIGKILLed and left down: its share waits at the broker, the
#     others say so in /metrics and /healthz, exactly one mail names it
#     although two daemons notice; everything lands once it returns;
#  3. one stopped with SIGTERM: it unsubscribes and its share goes to the
#     others, nothing lost, no alarm; how many messages the broker had
#     already sent it (and it still took) is logged.
. "$(dirname "$0")/lib.sh"

start_pg
start_mosquitto
start_smtp
for n in a b c; do
	write_config "$T/$n.conf" \
		"[targets]" "eval_interval_s = 1" \
		"[smtp]" "url = smtp://127.0.0.1:$SMTPPORT" "tls = none" "from = enertrack@example.org" \
		"to = ops@example.org" "retry_s = 1" "timeout_s = 5"
	sed -i -e "s/^client_id = .*/client_id = et-$n/" -e 's|^topics = .*|topics = $share/et/energy/#|' \
		-e "s|^spool_dir = .*|spool_dir = $T/spool-$n|" \
		-e 's/^qos = 1$/qos = 1\nversion = 5\nmember_down_alarm_s = 3\nsession_expiry_s = 3600/' "$T/$n.conf"
done
cp "$T/a.conf" "$T/enertrack.conf"
migrate >/dev/null
q "DELETE FROM target" # no drift mail: only member mails here
for n in a b c; do
	start_daemon "$T/$n.conf" "$T/$n.log"
	eval "P_$n=\$DPID"
done
online() { metric "enertrack_group_members{group=\"et\",state=\"$1\"}" "$T/$2.conf"; }
wait_until 15 sh -c "[ \"\$(sed -n 's/^listen = //p' '$T/a.conf' | xargs -I@ curl -s http://@/metrics |
	grep -c 'enertrack_group_members{group=\"et\",state=\"online\"} 3')\" = 1 ]" ||
	fail "a does not see three members online: $(online online a)"
log "ok: three members online"

# gen N PREFIX: readings into $T/PREFIX.txt, expected rows in $T/PREFIX.tsv
gen() {
	$PY "$REPO/tests/integration/gen_readings.py" --sites 20 --per-site "$1" --prefix "$2" \
		--expect "$T/$2.tsv" >"$T/$2.txt"
}
all_landed() {
	want=$(cat "$T"/*.tsv | wc -l)
	wait_until "$1" sh -c "[ \"\$(psql '$PGCONN' -XAtqc 'SELECT count(*) FROM reading')\" = $want ]"
}
check_all() {
	cat "$T"/g*.tsv >"$T/all.expect"
	[ "$(expect_missing "$T/all.expect")" = 0 ] || fail "$1: readings missing or wrong"
	[ "$(rows)" = "$(wc -l <"$T/all.expect")" ] || fail "$1: $(rows) rows, expected $(wc -l <"$T/all.expect")"
	dup=0
	for n in a b c; do
		d=$(metric 'enertrack_readings_total{outcome="duplicate"}' "$T/$n.conf")
		dup=$((dup + ${d:-0}))
	done
	log "ok: $1: $(rows) rows, each once ($dup redelivered after a kill, absorbed by the primary key)"
}

more_rows() { [ "$(rows)" -gt "$1" ]; }
mails_at_least() { [ "$(mails)" -ge "$1" ]; }
# NOTHING_MORE_S: how long a check that nothing more happens (no second
# mail) looks; a window, not a wait for a result: it cannot make a test
# fail when the machine is slow, only miss a late extra mail.
NOTHING_MORE_S=3

# 1. killed while messages flow, restarted once its outage has raised the
# alarm (member_down_alarm_s = 3)
gen 200 g1
publish <"$T/g1.txt" 2>>"$T/pub.log" &
PUB=$!
wait_until 10 more_rows 0 || fail "1: nothing landed"
kill -KILL "$P_b"
wait "$P_b" 2>/dev/null || true
wait "$PUB" || fail "publish 1 failed"
wait_until 20 mails_at_least 1 || fail "1: no mail for b's outage"
start_daemon "$T/b.conf" "$T/b.log"
P_b=$DPID
all_landed 30 || fail "1: $(rows) rows of $(cat "$T"/g*.tsv | wc -l)"
check_all "killed, restarted after its alarm"

# 2. killed and left down: its share waits; the alarm, once
wait_until 20 sh -c "[ \"\$(psql '$PGCONN' -XAtqc \"SELECT count(*) FROM member_down_event WHERE member = 'et-b' AND returned_at IS NOT NULL\")\" = 1 ]" ||
	fail "1: b's outage was not closed"
sleep $NOTHING_MORE_S
m0=$(mails)
[ "$m0" = 1 ] || fail "b's outage: $m0 mails, expected 1"
# from here, group et's alarms also go to whoever runs it (alert_route on "group:et")
q "INSERT INTO alert_route (scope_pattern, recipients, note) VALUES ('group:et', 'group-et@example.org', 'group et')"
kill -KILL "$P_c"
wait "$P_c" 2>/dev/null || true
gen 150 g2
t0=$(date +%s)
publish <"$T/g2.txt" 2>>"$T/pub.log" || fail "publish 2 failed"
both_down() { [ "$(online down a)" = 1 ] && [ "$(online down b)" = 1 ]; }
wait_until 15 both_down || fail "2: /metrics: down $(online down a) / $(online down b)"
addr=$(sed -n 's/^listen = //p' "$T/a.conf")
wait_until 15 sh -c "curl -s 'http://$addr/healthz' >'$T/healthz.txt' && grep -q '^  et-c down for .*queued at the broker' '$T/healthz.txt'" ||
	fail "2: /healthz: $(cat "$T/healthz.txt")"
wait_until 15 mails_at_least 2 || fail "2: no member-down mail"
# c's share cannot land while c is down, however long one waits
waiting=$(( $(cat "$T"/g*.tsv | wc -l) - $(rows) ))
[ "$waiting" -gt 0 ] || fail "2: nothing waits for the dead member"
sleep $NOTHING_MORE_S
[ "$(mails)" = 2 ] || fail "2: $(mails) mails, expected 2 (one per outage)"
m=$(ls "$T/mail"/*.eml | sort | tail -1)
grep -q "^Subject: \[enertrack\] group et: member et-c down for [0-9]* s; its share is queued at the broker" "$m" ||
	fail "2: subject: $(grep '^Subject' "$m")"
cp "$m" "$T/member-down.eml"
grep -q "^to group-et@example.org$" "${m%.eml}.env" && grep -q "^to ops@example.org$" "${m%.eml}.env" ||
	fail "2: the member-down mail did not honour alert_route: $(cat "${m%.eml}.env")"
[ "$(q "SELECT count(*) FROM member_down_event WHERE member = 'et-c'")" = 1 ] || fail "2: member_down_event"
log "ok: et-c down: $waiting readings waited at the broker $(( $(date +%s) - t0 )) s; one mail:"
tr -d '\r' <"$m" | sed -n '/^Subject/p;/^$/,$p' | sed 's/^/    /' >&2
start_daemon "$T/c.conf" "$T/c.log"
P_c=$DPID
all_landed 30 || fail "2: after c returned, $(rows) rows of $(cat "$T"/g*.tsv | wc -l)"
check_all "left down, then back"
wait_until 10 sh -c "[ \"\$(psql '$PGCONN' -XAtqc \"SELECT count(*) FROM member_down_event WHERE returned_at IS NULL\")\" = 0 ]" ||
	fail "2: the outage was not closed"

# 3. stopped cleanly while messages flow: it leaves the group
gen 200 g3
publish <"$T/g3.txt" 2>>"$T/pub.log" &
PUB=$!
r3=$(rows)
wait_until 10 more_rows "$r3" || fail "3: nothing of g3 landed"
stop_daemon "$P_b"
wait "$PUB" || fail "publish 3 failed"
all_landed 30 || fail "3: $(rows) rows of $(cat "$T"/g*.tsv | wc -l) with b stopped"
check_all "b stopped with SIGTERM"
grep -q "mqtt: left the shared group" "$T/b.log" || fail "3: b did not unsubscribe"
log "ok: b: $(grep -o 'left the shared group.*' "$T/b.log" | tail -1)"
a_sees_b_stopped() { [ "$(online stopped a)" = 1 ]; }
wait_until 10 a_sees_b_stopped || fail "3: a does not see b stopped"
sleep $NOTHING_MORE_S
[ "$(mails)" = 2 ] || fail "3: a clean stop raised an alarm ($(mails) mails)"
log "ok: no alarm for a clean stop"
# the others stop cleanly too (a sanitizer build reports leaks at exit)
stop_daemon "$P_a"
stop_daemon "$P_c"
