#!/bin/sh
# SPDX-License-Identifier: MIT
# What operators decide, with two daemons and a real SMTP sink:
#  1. routing: the mails of a county's target also go to that county's office
#     (alert_route), those of the city's target do not; [smtp] to gets both;
#  2. exactly one daily digest for the period from two daemons, with every
#     target's status and what changed since yesterday's digest;
#  3. a silence stops the city target's reminders while the county target's
#     go on; enertrack status lists it; an acknowledgement ends when its alert
#     resolves; the resolution of the silenced target is still mailed;
#  4. alert_history shows the reminders the silence kept back.
# The digest is also opened in headless Chromium at 390 px (tests/browser):
# its charts load and are not blank.
. "$(dirname "$0")/lib.sh"

start_pg
start_mosquitto # readings go in by SQL; the daemons still connect
start_smtp
for n in a b; do
	write_config "$T/$n.conf" \
		"[targets]" "eval_interval_s = 1" "min_elapsed_pct = 1" "stale_after_s = 2592000" \
		"[alerts]" "fire_pct = 5" "resolve_pct = 3" "pending_s = 0" "repeat_s = 3" \
		"[smtp]" "url = smtp://127.0.0.1:$SMTPPORT" "tls = none" "from = enertrack@example.org" \
		"to = ops@example.org" "retry_s = 1" "timeout_s = 5" \
		"[digest]" "at = 00:00" "days = mon..sun"
	sed -i "s/^client_id = .*/client_id = enertrack-digest-$n/" "$T/$n.conf"
	sed -i "s|^spool_dir = .*|spool_dir = $T/spool-$n|" "$T/$n.conf"
done
cp "$T/a.conf" "$T/enertrack.conf"
migrate >/dev/null
YEAR=$(q "SELECT extract(year FROM now() AT TIME ZONE 'Asia/Shanghai')")

# five mines of 襄垣, 100 t a day each, from 1 January to yesterday
q "INSERT INTO site (site_id, kind, county) SELECT 'xy-0' || i, 'mine', '襄垣' FROM generate_series(1, 5) i"
q "INSERT INTO reading (site_id, metric, ts, value, unit_in, value_in, received_at)
   SELECT 'xy-0' || i, 'raw_coal', d + interval '23 hours', 100, 't', 100, now()
   FROM generate_series(1, 5) i,
        generate_series(make_timestamptz($YEAR, 1, 1, 0, 0, 0, 'Asia/Shanghai'),
                        date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai') AT TIME ZONE 'Asia/Shanghai'
                        - interval '1 day', interval '1 day') d"
# the city's and the county's target, both 20 % behind
q "DELETE FROM target"
q "INSERT INTO target (metric, year, kind, value, unit, tolerance_pct, scope) VALUES
   ('raw_coal', $YEAR, 'about', 1, 'Mt', 2, 'city'), ('raw_coal', $YEAR, 'about', 1, 'Mt', 2, 'county:襄垣')"
q "UPDATE target SET unit = 't', value = (SELECT actual / 0.8 / (elapsed_pct / 100) FROM target_progress WHERE scope = 'city')"
CITY=$(q "SELECT id FROM target WHERE scope = 'city'")
COUNTY=$(q "SELECT id FROM target WHERE scope = 'county:襄垣'")
q "INSERT INTO alert_route (scope_pattern, recipients, note) VALUES ('county:襄垣', 'xiangyuan@example.org', '襄垣县能源局')"
# yesterday's digest, so that today's reports what changed since
q "INSERT INTO digest_sent (period, created_at) VALUES
   ((now() AT TIME ZONE 'Asia/Shanghai')::date - 1, now() - interval '1 day')"

start_daemon "$T/a.conf" "$T/daemon.log"
DA=$DPID
start_daemon "$T/b.conf" "$T/daemon-b.log"
DB=$DPID

# every mail as one line: kind target-id msgid-kind "subject" recipients
mail_list() {
	$PY - "$T/mail" <<'PY'
import email, glob, os, re, sys
from email import policy
for f in sorted(glob.glob(os.path.join(sys.argv[1], "*.eml"))):
    msg = email.message_from_bytes(open(f, "rb").read(), policy=policy.default)
    rcpt = sorted(l.split(" ", 1)[1].strip() for l in open(f[:-4] + ".env") if l.startswith("to "))
    mid = msg["Message-ID"]
    m = re.search(r"target-(\d+)@", mid)
    kind = "digest" if mid.startswith("<digest-") else "alert"
    subj = msg["Subject"]
    what = "reminder" if "reminder" in subj else "resolved" if "back on track" in subj else "firing"
    print(os.path.basename(f), kind, m.group(1) if m else "-", what if kind == "alert" else "digest",
          ",".join(rcpt))
PY
}
count() { mail_list | awk -v k="$1" -v t="$2" -v w="$3" '$2 == k && ($3 == t || t == "*") && ($4 == w || w == "*")' | wc -l; }

# 1. firing mails, routed
wait_until 30 sh -c "[ \$(ls '$T/mail' | grep -c eml) -ge 3 ]" || fail "no firing mails: $(mail_list)"
wait_until 30 sh -c "[ \"\$(psql '$PGCONN' -XAtqc \"SELECT count(*) FROM drift_event WHERE event = 'firing'\")\" = 2 ]" ||
	fail "both targets did not fire"
wait_until 20 sh -c "[ \"\$(psql '$PGCONN' -XAtqc \"SELECT count(*) FROM alert_outbox WHERE sent_at IS NULL\")\" = 0 ]" ||
	fail "the outbox did not drain"
mail_list >"$T/list1.txt"
grep -q " alert $COUNTY firing ops@example.org,xiangyuan@example.org$" "$T/list1.txt" ||
	fail "the county's firing mail did not go to [smtp] to and the county office: $(cat "$T/list1.txt")"
grep -q " alert $CITY firing ops@example.org$" "$T/list1.txt" ||
	fail "the city's firing mail: $(cat "$T/list1.txt")"
[ "$(q "SELECT recipients FROM alert_history WHERE target_id = $COUNTY AND event = 'firing'")" = \
	"ops@example.org, xiangyuan@example.org" ] || fail "alert_history recipients"
log "ok: routing: county mail to ops@ and xiangyuan@, city mail to ops@ only"

# 2. one digest from two daemons, with both targets and the changes
[ "$(count digest '*' '*')" = 1 ] || fail "expected one digest: $(mail_list)"
[ "$(q "SELECT count(*) FROM digest_sent WHERE period = (now() AT TIME ZONE 'Asia/Shanghai')::date AND outbox_id IS NOT NULL")" = 1 ] ||
	fail "digest_sent: $(q 'SELECT * FROM digest_sent')"
DIGEST=$(mail_list | awk '$2 == "digest" { print $1 }')
$PY - "$T/mail/$DIGEST" <<'PY' || fail "digest content"
import email, sys
from email import policy
msg = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=policy.default)
assert msg["Subject"].startswith("[enertrack] digest "), msg["Subject"]
text = msg.get_body(("plain",)).get_content()
html = msg.get_body(("html",)).get_content()
for needle in ("Raw coal [city]: behind", "Raw coal [county:襄垣]: behind", "Since the last digest"):
    assert needle in text, "text lacks %r:\n%s" % (needle, text)
assert "county:襄垣" in html and "behind" in html, html
# a chart per target, inline, each shown by the HTML part
imgs = [p for p in msg.walk() if p.get_content_type() == "image/png"]
assert len(imgs) == 2, [p.get_content_type() for p in msg.walk()]
for p in imgs:
    png = p.get_content()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 2000, len(png)
    assert "cid:" + p["Content-ID"].strip("<>") in html, p["Content-ID"]
print("digest ok: %d charts" % len(imgs))
PY
# the digest opened in headless Chromium at a phone's width (its HTML with
# the charts as data: URLs): every chart loaded and not blank
if [ -z "${ET_NO_BROWSER:-}" ]; then
	$PY "$REPO/tests/integration/mail_html.py" "$T/mail/$DIGEST" "$T/digest.html" || fail "the digest's HTML"
	node "$REPO/tests/browser/shots.js" "$T/shots" 390 "mail-digest=file://$T/digest.html" >"$T/shots.log" 2>&1 ||
		fail "the digest in the browser: $(cat "$T/shots.log")"
	SHOTS=$REPO/tests/tmp/screenshots
	mkdir -p "$SHOTS"
	cp "$T"/shots/*.png "$SHOTS/" 2>/dev/null || true
	while IFS= read -r l; do log "$l"; done <"$T/shots.log"
	log "ok: the digest at 390 px in Chromium, its charts loaded and not blank"
fi

# 3. reminders, then a silence on the city's target and an ack on the county's
wait_until 30 sh -c "[ \$(ls '$T/mail' | grep -c eml) -ge 5 ]" || fail "no reminders: $(mail_list)"
[ "$(count alert "$CITY" reminder)" -ge 1 ] || fail "the city target sent no reminder: $(mail_list)"
UNTIL=$(q "SELECT to_char(now() AT TIME ZONE 'Asia/Shanghai' + interval '1 hour', 'YYYY-MM-DD\"T\"HH24:MI:SS')")
"$BIN/enertrack" silence -c "$T/a.conf" raw_coal --until "$UNTIL" --reason "mine xy-03 flooded, known" \
	>"$T/silence.out" 2>&1 || fail "enertrack silence: $(cat "$T/silence.out")"
grep -q "silenced Raw coal $YEAR \[city\] until" "$T/silence.out" || fail "silence output: $(cat "$T/silence.out")"
"$BIN/enertrack" silence -c "$T/a.conf" raw_coal --until "2000-01-01T00:00:00" --reason "past" \
	>"$T/past.out" 2>&1 && fail "a silence in the past was taken"
grep -q "not in the future" "$T/past.out" || fail "past silence: $(cat "$T/past.out")"
"$BIN/enertrack" silence -c "$T/a.conf" no_such_metric --until "$UNTIL" --reason "x" >/dev/null 2>&1 &&
	fail "a silence of no target was taken"
# a round that started before the silence may still queue one reminder
sleep 2
wait_until 20 sh -c "[ \"\$(psql '$PGCONN' -XAtqc \"SELECT count(*) FROM alert_outbox WHERE sent_at IS NULL\")\" = 0 ]" ||
	fail "the outbox did not drain"
city0=$(count alert "$CITY" reminder)
county0=$(count alert "$COUNTY" reminder)
sleep 8
city1=$(count alert "$CITY" reminder)
county1=$(count alert "$COUNTY" reminder)
[ "$city1" = "$city0" ] || fail "reminders of the silenced target went on: $city0 -> $city1"
[ "$county1" -gt "$county0" ] || fail "the county target's reminders stopped too: $county0 -> $county1"
log "ok: silence: city reminders $city0 -> $city1, county reminders $county0 -> $county1 in 8 s"
[ "$(q "SELECT count(*) FROM alert_history WHERE target_id = $CITY AND delivery = 'silenced'")" -ge 2 ] ||
	fail "alert_history shows no silenced reminder: $(q "SELECT event, delivery FROM alert_history WHERE target_id = $CITY")"
"$BIN/enertrack" ack -c "$T/a.conf" "raw_coal/county:襄垣" --reason "office informed" >"$T/ack.out" 2>&1 ||
	fail "enertrack ack: $(cat "$T/ack.out")"
"$BIN/enertrack" status -c "$T/a.conf" >"$T/status.out" 2>&1 || fail "status: $(cat "$T/status.out")"
grep -q "Silences (2 in force, 0 ended)" "$T/status.out" || fail "status: $(cat "$T/status.out")"
grep -q "mine xy-03 flooded, known" "$T/status.out" && grep -q "until resolved" "$T/status.out" ||
	fail "status lacks the silences: $(cat "$T/status.out")"
LISTEN=$(sed -n 's/^listen = //p' "$T/a.conf")
$PY - "http://$LISTEN/" <<'PY' || fail "the status page lacks the silences"
import sys, urllib.request
page = urllib.request.urlopen(sys.argv[1], timeout=30).read().decode()
assert 'id="silences"' in page and "mine xy-03 flooded, known" in page and "ack, until resolved" in page, page[-3000:]
print("page ok")
PY
[ "$(q "SELECT created_by LIKE '%@postgres' FROM alert_silence WHERE kind = 'silence'")" = t ] ||
	fail "created_by: $(q 'SELECT created_by FROM alert_silence')"

# catching up: both resolve, the silenced one is still mailed; the ack ends
q "INSERT INTO reading (site_id, metric, ts, value, unit_in, value_in, received_at)
   SELECT 'xy-0' || i, 'raw_coal', now() - interval '1 minute',
          (SELECT ceil((expected - actual) / 5) FROM target_progress WHERE scope = 'city'), 't', 0, now()
   FROM generate_series(1, 5) i"
wait_until 30 sh -c "[ \"\$(psql '$PGCONN' -XAtqc \"SELECT count(*) FROM drift_event WHERE event = 'resolved'\")\" = 2 ]" ||
	fail "the targets did not resolve"
wait_until 20 sh -c "[ \"\$(psql '$PGCONN' -XAtqc \"SELECT count(*) FROM alert_outbox WHERE sent_at IS NULL\")\" = 0 ]" ||
	fail "the outbox did not drain"
[ "$(count alert "$CITY" resolved)" = 1 ] || fail "the silenced target's resolution was not mailed: $(mail_list)"
[ "$(count alert "$COUNTY" resolved)" = 1 ] || fail "the county's resolution: $(mail_list)"
[ "$(q "SELECT ended_at IS NOT NULL FROM alert_silence WHERE kind = 'ack'")" = t ] || fail "the ack did not end"
[ "$(q "SELECT ended_at IS NULL FROM alert_silence WHERE kind = 'silence'")" = t ] || fail "the silence ended early"
[ "$(count digest '*' '*')" = 1 ] || fail "a second digest: $(mail_list)"
kill -0 "$DA" && kill -0 "$DB" || fail "a daemon died"
stop_daemon "$DA"
stop_daemon "$DB"
log "ok: $(mails) mails: $(mail_list | awk '{print $4}' | sort | uniq -c | tr -s ' \n' ' ')"
