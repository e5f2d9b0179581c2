#!/bin/sh
# SPDX-License-Identifier: MIT
# Nothing fails in silence, with every feature on (Sparkplug B,
# a shared subscription group with its presence client, forty targets with
# long CJK scopes) and readings arriving all along:
#  1. [targets] timezone = Asia/Beijing fails --check-config and a reload,
#     with "did you mean Asia/Shanghai?";
#  2. every /metrics scrape passes `promtool check metrics`;
#  3. one target whose rows PostgreSQL refuses (a trigger) is rolled back
#     alone: another target's mail still goes, the failure is in the view
#     evaluation_failures, in the log once, and in /metrics
#     (enertrack_evaluation_failures_total); /healthz answers 503 once it
#     has lasted eval_fail_s, and 200 with "evaluates again" when it is
#     fixed; a round that fails as a whole likewise;
#  4. an alert_route pattern ending in a backslash or a bad address is
#     refused when written, and one already there stops nothing;
#  5. a milestone whose name is 200 CJK characters is mailed;
#  6. `enertrack ack` of a target that is not alerting and `silence --until
#     infinity` are refused; an ack records PostgreSQL's session_user;
#  7. a mail to three recipients of which the SMTP sink refuses one for good
#     (550) and one for the time being (450) reaches the third at once; the
#     first is never retried, the second is given up after [smtp] max_age_h;
#     alert_history says so per recipient.
. "$(dirname "$0")/lib.sh"

command -v promtool >/dev/null || fail "promtool (Debian package prometheus) is needed"
start_pg
start_mosquitto
start_smtp
write_config "$T/enertrack.conf" "[sparkplug]" "enabled = 1" \
	"[targets]" "eval_interval_s = 1" "min_elapsed_pct = 0" "stale_after_s = 315360000" \
	"[alerts]" "fire_pct = 5" "resolve_pct = 3" "pending_s = 0" "repeat_s = 0" "eval_fail_s = 3" \
	"milestone_grace_days = 1" \
	"[smtp]" "url = smtp://127.0.0.1:$SMTPPORT" "tls = none" "from = enertrack@example.org" \
	"to = ops@example.org" "retry_s = 1" "timeout_s = 5"
sed -i -e 's|^topics = .*|topics = $share/et/energy/#|' -e 's/^qos = 1$/qos = 1\nversion = 5/' "$T/enertrack.conf"
HTTP=$(sed -n 's/^listen = //p' "$T/enertrack.conf")
# until_q SECONDS SQL EXPECTED: waits until the query answers EXPECTED
until_q() {
	i=0
	while [ "$(q "$2" 2>/dev/null)" != "$3" ]; do
		i=$((i + 1))
		[ "$i" -lt $(($1 * 5)) ] || return 1
		sleep 0.2
	done
}

# ---- 1. a mistyped time zone -------------------------------------------------
sed 's/^\[targets\]$/[targets]\ntimezone = Asia\/Beijing/' "$T/enertrack.conf" >"$T/bad.conf"
out=$("$BIN/enertrackd" -c "$T/bad.conf" --check-config 2>&1) && fail "1: --check-config accepted Asia/Beijing: $out"
echo "$out" | grep -q "bad.conf:[0-9]*: \[targets\] timezone: unknown time zone Asia/Beijing.*did you mean Asia/Shanghai?" ||
	fail "1: --check-config said: $out"
log "ok: --check-config: $(echo "$out" | sed 's/.*timezone: //')"

migrate >/dev/null
YEAR=$(q "SELECT extract(year FROM now() AT TIME ZONE 'Asia/Shanghai')")
q "DELETE FROM target"
# the good target: far behind, it fires at once; the bad one: its alert_state
# row is refused by a trigger, as any bad row of one target would be
q "INSERT INTO target (metric, year, kind, value, unit, scope) VALUES
     ('raw_coal', $YEAR, 'at_least', 1e9, 't', 'city'),
     ('raw_coal', $YEAR, 'at_least', 1e9, 't', 'county:坏县')"
GOOD=$(q "SELECT id FROM target WHERE scope = 'city'")
BAD=$(q "SELECT id FROM target WHERE scope = 'county:坏县'")
q "CREATE FUNCTION nofail_refuse() RETURNS trigger LANGUAGE plpgsql AS \$\$
   BEGIN IF NEW.target_id = $BAD THEN RAISE EXCEPTION 'nofail: a bad row of target %', NEW.target_id; END IF;
   RETURN NEW; END \$\$;
   CREATE TRIGGER nofail_refuse BEFORE INSERT OR UPDATE ON alert_state FOR EACH ROW EXECUTE FUNCTION nofail_refuse()"
# forty targets with long CJK scopes: the label-heavy families are long
q "INSERT INTO target (metric, year, kind, value, unit, scope)
   SELECT 'raw_coal', $YEAR, 'about', 1000 + g, 't', 'county:' || repeat('长治市沁源县', 6) || g
   FROM generate_series(1, 40) g"

# a site behind, and readings all along (the load)
$PY - "$YEAR" >"$T/year.txt" <<'PY'
import datetime, json, sys
tz = datetime.timezone(datetime.timedelta(hours=8))
today = datetime.datetime.now(tz).date()
d = datetime.date(int(sys.argv[1]), 1, 1)
while d < today:
    ts = datetime.datetime(d.year, d.month, d.day, 12, 0, 0, tzinfo=tz).isoformat()
    print("energy/mine/nf-01/raw_coal\t%s" % json.dumps({"ts": ts, "value": 100, "unit": "t", "county": "坏县"}))
    d += datetime.timedelta(days=1)
PY
$PY - >"$T/load.txt" <<'PY'
import datetime, json
t0 = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) - datetime.timedelta(days=3)
for i in range(60000):
    ts = (t0 + datetime.timedelta(seconds=60 * (i // 200))).isoformat()
    print("energy/plant/ld-%03d/generation\t%s" % (i % 200, json.dumps({"ts": ts, "value": i % 97, "unit": "kWh"})))
PY
start_daemon
publish <"$T/year.txt" 2>/dev/null || fail "publish failed"
(publish <"$T/load.txt" >/dev/null 2>&1) &
LOADPID=$!
track $LOADPID
# a Sparkplug payload that is no protobuf: the Sparkplug families count it
mosquitto_pub -h 127.0.0.1 -p "$MQPORT" -t spBv1.0/G1/NDATA/edge1 -m garbage -q 1

# ---- 2. every scrape through promtool, while the rest runs -------------------
$PY "$REPO/tests/integration/scrape_check.py" "$HTTP" 40 0.2 "$T/badpage.txt" >"$T/scrapes.txt" 2>&1 &
SCRAPEPID=$!

# ---- 3. one target fails; the others go on -----------------------------------
wait_until 30 sh -c "grep -qs '^Subject: .*behind' '$T'/mail/*.eml" ||
	fail "3: no mail for the good target while target $BAD fails: $(grep -m3 'fail' "$T/daemon.log")"
log "ok: target $GOOD mailed while target $BAD fails"
reason=$(q "SELECT reason FROM evaluation_failures WHERE part = 'target:$BAD'")
echo "$reason" | grep -q "nofail: a bad row of target $BAD" || fail "3: evaluation_failures: '$reason'"
until_q 60 "SELECT rounds >= 3 FROM evaluation_failure WHERE part = 'target:$BAD'" t ||
	fail "3: the failure is not counted per round: $(q "SELECT rounds FROM evaluation_failure") $(q "SELECT application_name, state, wait_event, left(query, 200) FROM pg_stat_activity WHERE application_name LIKE 'enertrack%'")"
n=$(grep -c "target:$BAD fails" "$T/daemon.log")
[ "$n" = 1 ] || fail "3: the failure was logged $n times, not once"
m=$(metric "enertrack_evaluation_failures_total{target=\"$BAD\"}")
[ "${m:-0}" -ge 3 ] || fail "3: enertrack_evaluation_failures_total{target=\"$BAD\"} is '$m'"
ts=$(metric enertrack_last_evaluation_timestamp_seconds)
awk -v t="$ts" -v now="$(date +%s)" 'BEGIN { exit !(now - t < 10) }' ||
	fail "3: enertrack_last_evaluation_timestamp_seconds $ts, now $(date +%s)"
h=$(healthz_503)
echo "$h" | grep -q "^503 evaluation of target $BAD has failed for [0-9]* s (eval_fail_s 3): .*nofail" ||
	fail "3: /healthz with target $BAD failing: '$h'"
log "ok: failure of target $BAD: view, log once, /metrics $m, /healthz '$h'"
q "DROP TRIGGER nofail_refuse ON alert_state"
wait_until 10 grep -q "target:$BAD evaluates again" "$T/daemon.log" || fail "3: no recovery logged"
until_q 5 "SELECT count(*) FROM evaluation_failure" 0 || fail "3: evaluation_failure not cleared"
for i in $(seq 1 20); do h=$(healthz); [ "${h%% *}" = 200 ] && break; sleep 0.2; done
[ "${h%% *}" = 200 ] || fail "3: /healthz after the recovery: '$h'"
log "ok: target $BAD evaluates again, /healthz '$h'"

# a round that fails as a whole: logged once, 503, recovered
q "ALTER FUNCTION target_profile_refresh(timestamptz) RENAME TO nofail_hidden"
for i in $(seq 1 60); do
	h=$(healthz)
	case "$h" in "503 evaluation has failed"*) break ;; esac
	sleep 0.2
done
q "ALTER FUNCTION nofail_hidden(timestamptz) RENAME TO target_profile_refresh"
echo "$h" | grep -q "^503 evaluation has failed for [0-9]* s (eval_fail_s 3): .*target_profile_refresh" ||
	fail "3: /healthz with every round failing: '$h'"
[ "$(grep -c 'evaluation failed (logged once' "$T/daemon.log")" = 1 ] || fail "3: the round's failure was not logged once"
m=$(metric 'enertrack_evaluation_failures_total{target="round"}')
[ "${m:-0}" -ge 1 ] || fail "3: enertrack_evaluation_failures_total{target=\"round\"} is '$m'"
wait_until 15 grep -q "the evaluation works again" "$T/daemon.log" || fail "3: the round did not recover"
log "ok: a failed round: /healthz '$h', counted $m, logged once, recovered"

# ---- 4. routes checked when written ------------------------------------------
out=$(q "INSERT INTO alert_route (scope_pattern, recipients) VALUES ('county:\\', 'o@x.org')" 2>&1) &&
	fail "4: a pattern ending in a backslash was accepted"
echo "$out" | grep -q "backslash" || fail "4: $out"
out=$(q "INSERT INTO alert_route (scope_pattern, recipients) VALUES ('site:%', 'ops@example.org, bad@@address')" 2>&1) &&
	fail "4: bad@@address was accepted"
echo "$out" | grep -q "'bad@@address' is not a mail address" || fail "4: $out"
# one written before the check (or with triggers off) stops nothing
q "SET session_replication_role = replica; INSERT INTO alert_route (scope_pattern, recipients) VALUES ('county:\\', 'o@x.org')"
got=$(q "SELECT alert_recipients('county:坏县', 'ops@example.org')" 2>&1) || fail "4: alert_recipients: $got"
[ "$got" = "ops@example.org" ] || fail "4: alert_recipients gave '$got'"
q "UPDATE alert_state SET state = 'ok', since = now() WHERE target_id = $GOOD"
n0=$(mails)
wait_until 15 sh -c "[ \$(ls '$T/mail' | grep -c eml) -gt $n0 ]" || fail "4: no mail with the old bad route in place"
[ "$(q "SELECT count(*) FROM evaluation_failure")" = 0 ] || fail "4: $(q 'SELECT part, reason FROM evaluation_failure')"
log "ok: bad routes refused; one already there stops nothing"

# ---- 5. a milestone named in 200 CJK characters ------------------------------
q "INSERT INTO target (metric, year, kind, value, unit, scope) VALUES ('capacity_commissioned', $YEAR, 'at_least', 100, 'MW', 'county:坏县');
   INSERT INTO target_milestone (target_id, site_id, name, due, value, unit)
   SELECT id, 'nf-pv', repeat('沁源县光伏电站二期扩建工程', 16) || '项目', (now() - interval '20 days')::date, 50, 'MW'
   FROM target WHERE metric = 'capacity_commissioned'"
until_q 20 "SELECT count(*) FROM truth_alert WHERE kind = 'milestone'" 1 ||
	fail "5: the milestone mail was not queued: $(q 'SELECT part, reason FROM evaluation_failure')"
s=$(q "SELECT length(subject) FROM alert_outbox ORDER BY id DESC LIMIT 1")
log "ok: the milestone with a 209-character name is queued (subject of $s characters)"

# ---- 6. acknowledgements and silences that would silence the wrong thing ----
OKT=$(q "SELECT min(id) FROM target WHERE kind = 'about'")
out=$("$BIN/enertrack" ack -c "$T/enertrack.conf" "$OKT" --reason "nothing to see" 2>&1) &&
	fail "6: an ack of target $OKT, which is not alerting, was accepted: $out"
echo "$out" | grep -q "is not alerting" || fail "6: $out"
out=$("$BIN/enertrack" silence -c "$T/enertrack.conf" "$GOOD" --until infinity --reason "for ever" 2>&1) &&
	fail "6: a silence until infinity was accepted: $out"
echo "$out" | grep -q "needs an end" || fail "6: $out"
out=$(USER=somebody-else "$BIN/enertrack" ack -c "$T/enertrack.conf" "$GOOD" --reason "known" 2>&1) ||
	fail "6: an ack of the firing target $GOOD: $out"
[ "$(q "SELECT created_session = session_user FROM alert_silence WHERE target_id = $GOOD")" = t ] ||
	fail "6: created_session: $(q "SELECT created_by, created_session FROM alert_silence")"
log "ok: ack of a target not alerting and a silence without end refused; ack by $(q "SELECT created_by || ', session ' || created_session FROM alert_silence WHERE target_id = $GOOD")"

# ---- 7. one bad recipient does not block a mail for everyone -----------------
q "INSERT INTO alert_route (scope_pattern, recipients) VALUES ('city', 'gone@example.org, busy@example.org')"
O0=$(q "SELECT coalesce(max(id), 0) FROM alert_outbox")
q "UPDATE alert_state SET state = 'ok', since = now() WHERE target_id = $GOOD"
until_q 20 "SELECT count(*) FROM alert_delivery d JOIN alert_outbox o ON o.id = d.outbox_id WHERE o.id > $O0 AND d.recipient = 'ops@example.org' AND d.state = 'delivered'" 1 ||
	fail "7: ops@example.org did not get the mail: $(q "SELECT string_agg(recipient || ' ' || state, ', ') FROM alert_delivery")"
OID=$(q "SELECT min(outbox_id) FROM alert_delivery WHERE outbox_id > $O0")
until_q 10 "SELECT state FROM alert_delivery WHERE outbox_id = $OID AND recipient = 'gone@example.org'" refused ||
	fail "7: gone@: $(q "SELECT state || ' ' || detail FROM alert_delivery WHERE outbox_id = $OID")"
q "SELECT detail FROM alert_delivery WHERE outbox_id = $OID AND recipient = 'gone@example.org'" | grep -q "550 5.1.1 <gone@example.org>: no such mailbox" ||
	fail "7: the server's words: $(q "SELECT detail FROM alert_delivery WHERE outbox_id = $OID AND recipient = 'gone@example.org'")"
[ "$(q "SELECT state FROM alert_delivery WHERE outbox_id = $OID AND recipient = 'busy@example.org'")" = retrying ] ||
	fail "7: busy@: $(q "SELECT state FROM alert_delivery WHERE outbox_id = $OID AND recipient = 'busy@example.org'")"
grep -l "Subject: " "$T"/mail/*.env >/dev/null 2>&1 || true
[ "$(cat "$T"/mail/*.env | grep -c '^to gone@')" = 0 ] || fail "7: the sink took mail for gone@"
# a few retries later: gone@ was not asked again, busy@ was
sleep 4
[ "$(q "SELECT attempts FROM alert_delivery WHERE outbox_id = $OID AND recipient = 'gone@example.org'")" = 1 ] ||
	fail "7: gone@ was retried"
# past [smtp] max_age_h, the next attempt gives busy@ up
q "UPDATE alert_outbox SET created_at = now() - interval '100 hours', next_attempt_at = now() WHERE id = $OID"
until_q 15 "SELECT state FROM alert_delivery WHERE outbox_id = $OID AND recipient = 'busy@example.org'" given_up ||
	fail "7: busy@ not given up: $(q "SELECT state FROM alert_delivery WHERE outbox_id = $OID AND recipient = 'busy@example.org'")"
h=$(q "SELECT deliveries FROM alert_history WHERE id = (SELECT drift_event_id FROM alert_outbox WHERE id = $OID)")
echo "$h" | grep -q "^busy@example.org: given up (.*450.*); gone@example.org: refused (.*550 5.1.1.*); ops@example.org: delivered$" ||
	fail "7: alert_history: $h"
q "DELETE FROM alert_route WHERE scope_pattern = 'city'"
log "ok: per recipient: $h"

# ---- 1 again: a reload with a mistyped zone keeps the old one ----------------
cp "$T/enertrack.conf" "$T/good.conf"
cp "$T/bad.conf" "$T/enertrack.conf"
kill -HUP "$DPID"
wait_until 10 grep -q "keeping the old one" "$T/daemon.log" || fail "1: the reload took Asia/Beijing"
grep -q "did you mean Asia/Shanghai?" "$T/daemon.log" || fail "1: no suggestion in the reload's log"
cp "$T/good.conf" "$T/enertrack.conf"
log "ok: a reload with Asia/Beijing keeps the old configuration"

# ---- 2. the scrapes ----------------------------------------------------------
wait "$SCRAPEPID" || fail "2: promtool refused a scrape ($(cat "$T/scrapes.txt")): $(head -c 600 "$T/badpage.txt.why")"
log "ok: promtool: $(cat "$T/scrapes.txt")"
stop_daemon
