#!/bin/sh
# SPDX-License-Identifier: MIT
# Alerts end to end with a real SMTP sink: a year running behind produces
# exactly one firing mail with the right figures; catching up produces
# exactly one resolved mail; with the sink stopped the next mail waits in
# alert_outbox and arrives when it is back; two daemons side by side send
# one mail each time, never two.
. "$(dirname "$0")/lib.sh"

start_pg
start_mosquitto
start_smtp
for n in a b; do
	write_config "$T/$n.conf" \
		"[targets]" "eval_interval_s = 1" "min_elapsed_pct = 1" "stale_after_s = 2592000" \
		"[alerts]" "fire_pct = 5" "resolve_pct = 3" "pending_s = 2" "repeat_s = 0" \
		"[smtp]" "url = smtp://127.0.0.1:$SMTPPORT" "tls = none" "from = enertrack@example.org" \
		"to = ops@example.org, chief@example.org" "retry_s = 1" "timeout_s = 5"
	sed -i "s/^client_id = .*/client_id = enertrack-alerts-$n/" "$T/$n.conf"
	sed -i "s|^spool_dir = .*|spool_dir = $T/spool-$n|" "$T/$n.conf"
done
cp "$T/a.conf" "$T/enertrack.conf"
migrate >/dev/null
YEAR=$(q "SELECT extract(year FROM now() AT TIME ZONE 'Asia/Shanghai')")
# only our target: raw coal this year, set below so that the city runs 20 % behind
q "DELETE FROM target"
# (next year's until the readings landed, so that no evaluation sees a half-set target)
q "INSERT INTO target (metric, year, kind, value, unit, tolerance_pct, scope, plan_text) VALUES ('raw_coal', $YEAR + 1, 'about', 1, 'Mt', 2, 'city', '原煤年产量稳定在1.7亿吨左右')"

start_daemon "$T/a.conf" "$T/daemon.log"
DA=$DPID
start_daemon "$T/b.conf" "$T/daemon-b.log"
DB=$DPID

# five mines, 100 t a day each, from 1 January to yesterday (Asia/Shanghai)
$PY - "$YEAR" >"$T/year.txt" <<'PY'
import datetime, json, sys
year = int(sys.argv[1])
tz = datetime.timezone(datetime.timedelta(hours=8))
today = datetime.datetime.now(tz).date()
d = datetime.date(year, 1, 1)
seq = 0
while d < today:
    seq += 1
    for m in range(5):
        ts = datetime.datetime(d.year, d.month, d.day, 23, 0, 0, tzinfo=tz).isoformat()
        print("energy/mine/al-%02d/raw_coal\t%s" % (m, json.dumps({"ts": ts, "value": 100, "unit": "t", "seq": seq, "county": "襄垣"})))
    d += datetime.timedelta(days=1)
PY
expect_rows=$(wc -l <"$T/year.txt")
publish <"$T/year.txt" 2>/dev/null || fail "publish failed"
wait_until 60 sh -c "[ \"\$(psql '$PGCONN' -XAtqc 'SELECT count(*) FROM reading')\" = $expect_rows ]" ||
	fail "readings did not land"
q "UPDATE target SET year = $YEAR; UPDATE target SET unit = 't', value = (SELECT actual / 0.8 / (elapsed_pct / 100) FROM target_progress WHERE metric = 'raw_coal')"
log "target set: $(q "SELECT round(target) || ' t, actual ' || round(actual) || ' t, drift ' || round(drift_pct::numeric, 1) || ' %' FROM target_progress")"

# 1. exactly one firing mail with the right figures
wait_until 30 sh -c "[ \$(ls '$T/mail' | grep -c eml) -ge 1 ]" || fail "no firing mail"
sleep 3
[ "$(mails)" = 1 ] || fail "expected one mail, got $(mails)"
# /metrics of the instance that evaluated: drift and state per target
TID=$(q "SELECT id FROM target")
L="target=\"$TID\",metric=\"raw_coal\",year=\"$YEAR\",scope=\"city\",kind=\"about\""
firing=$( (metric "enertrack_target_alert_state{$L,state=\"firing\"}" "$T/a.conf"
	metric "enertrack_target_alert_state{$L,state=\"firing\"}" "$T/b.conf") | sort -r | head -1)
[ "$firing" = 1 ] || fail "/metrics: target $TID not firing ($firing)"
drift=$( (metric "enertrack_target_drift_percent{$L,status=\"behind\"}" "$T/a.conf"
	metric "enertrack_target_drift_percent{$L,status=\"behind\"}" "$T/b.conf") | head -1)
awk -v d="$drift" 'BEGIN { exit !(d <= -19 && d >= -21) }' || fail "/metrics: drift $drift, expected about -20"
log "ok: /metrics: target $TID firing, drift $drift %"
m=$T/mail/000000.eml
grep -q "^Subject: \[enertrack\] Raw coal $YEAR: 2[0-9]\.[0-9]% behind schedule" "$m" ||
	fail "subject: $(grep '^Subject' "$m")"
grep -q "^to ops@example.org" "$T/mail/000000.env" && grep -q "^to chief@example.org" "$T/mail/000000.env" ||
	fail "envelope recipients: $(cat "$T/mail/000000.env")"
$PY - "$m" "$(q "SELECT actual FROM target_progress")" <<'PY' || fail "mail body"
import email, sys
from email import policy
msg = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=policy.default)
assert msg.get_content_type() == "multipart/alternative", msg.get_content_type()
text = msg.get_body(("plain",)).get_content()
html = msg.get_body(("html",)).get_content()
# the actual figure in Mt, as people read it (three significant digits)
actual = "%.3g" % (float(sys.argv[2]) / 1e6)
for needle in (actual, "Mt", "al-0", "原煤年产量稳定在1.7亿吨左右"):
    assert needle in text, "text part lacks %r:\n%s" % (needle, text)
    assert needle in html, "html part lacks %r" % needle
assert msg["Message-ID"] and msg["Date"], "headers"
print("mail ok")
PY
[ "$(q "SELECT string_agg(event, ',' ORDER BY id) FROM drift_event WHERE event <> 'none'")" = "pending,firing" ] ||
	fail "drift events: $(q "SELECT string_agg(event, ',' ORDER BY id) FROM drift_event")"

# 2. catching up: exactly one resolved mail
short=$(q "SELECT ceil((expected - actual) / 5) FROM target_progress")
now=$(q "SELECT to_char(now() AT TIME ZONE 'Asia/Shanghai' - interval '1 minute', 'YYYY-MM-DD\"T\"HH24:MI:SS+08:00')")
for i in 0 1 2 3 4; do
	printf 'energy/mine/al-%02d/raw_coal\t{"ts":"%s","value":%s,"unit":"t"}\n' "$i" "$now" "$short"
done | publish 2>/dev/null
wait_until 30 sh -c "[ \$(ls '$T/mail' | grep -c eml) -ge 2 ]" || fail "no resolved mail (drift $(q 'SELECT drift_pct FROM target_progress'))"
sleep 3
[ "$(mails)" = 2 ] || fail "expected two mails, got $(mails)"
grep -q "^Subject: \[enertrack\] Raw coal $YEAR: back on track" "$T/mail/000001.eml" ||
	fail "resolved subject: $(grep '^Subject' "$T/mail/000001.eml")"

# 3. the sink stopped: the mail waits, then arrives
stop_smtp
q "UPDATE target SET value = value * 1.3"
wait_until 30 sh -c "[ \"\$(psql '$PGCONN' -XAtqc 'SELECT count(*) FROM alert_outbox WHERE sent_at IS NULL AND attempts > 0')\" = 1 ]" ||
	fail "the mail was not queued and retried"
log "queued while the sink is down: $(q "SELECT attempts || ' attempts, last error: ' || last_error FROM alert_outbox WHERE sent_at IS NULL")"
sleep 2
start_smtp
wait_until 60 sh -c "[ \$(ls '$T/mail' | grep -c eml) -ge 3 ]" || fail "the queued mail never arrived"
sleep 3
[ "$(mails)" = 3 ] || fail "expected three mails, got $(mails)"
[ "$(q "SELECT count(*) FROM alert_outbox WHERE sent_at IS NULL")" = 0 ] || fail "outbox not drained"
[ "$(q "SELECT count(*) FROM alert_outbox")" = 3 ] || fail "outbox rows: $(q 'SELECT count(*) FROM alert_outbox')"

# 4. both daemons evaluated at some point (the lock moved), and each still runs
kill -0 "$DA" && kill -0 "$DB" || fail "a daemon died"
stop_daemon "$DA"
stop_daemon "$DB"
log "ok: 3 mails for 3 changes with two daemons; $(q "SELECT count(*) FROM drift_event") drift events"
