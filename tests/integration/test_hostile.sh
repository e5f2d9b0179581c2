#!/bin/sh
# SPDX-License-Identifier: MIT
# Hostile input: a corpus of over 50 hostile messages (tabs,
# newlines, backslashes and quotes inside strings, invalid UTF-8, NUL bytes,
# 1 MB payloads, 10 000-element arrays, 1 000-deep nesting, huge and
# subnormal numbers, NaN and Infinity spelled every way, duplicate keys,
# topics with ', ; and %): the daemon keeps running, no row is corrupted,
# each message is stored right or rejected with a reason, memory stays
# bounded. And an alert mail whose site id is full of CR/LF and MIME tricks
# arrives with clean headers.
. "$(dirname "$0")/lib.sh"

start_pg
start_mosquitto
write_config "$T/enertrack.conf"
migrate >/dev/null
start_daemon
n=$($PY "$REPO/tests/integration/hostile.py" gen "$T/hostile.txt" "$T/expect.json")
[ "$n" -ge 50 ] || fail "the corpus has only $n messages"
publish --escaped <"$T/hostile.txt" 2>"$T/pub.log" || fail "publish failed: $(tail -3 "$T/pub.log")"
printf 'energy/mine/sentinel/raw_coal\t{"ts":"2024-06-01T00:00:00+08:00","value":1,"unit":"t"}\n' | publish 2>/dev/null
wait_until 60 sh -c "[ \"\$(psql '$PGCONN' -XAtqc \"SELECT count(*) FROM reading WHERE site_id = 'sentinel'\")\" = 1 ]" ||
	fail "the sentinel after the corpus was not written"
grep -qs '^State:.*[RSD]' "/proc/$DPID/status" || fail "enertrackd died"
got=$(metric enertrack_messages_received_total)
[ "$got" = $((n + 1)) ] || fail "received $got of $((n + 1)) messages"
$PY "$REPO/tests/integration/hostile.py" check "$T/expect.json" "$PGCONN" >"$T/check.txt" 2>&1 ||
	fail "$(cat "$T/check.txt")"
rss=$(sed -n 's/^VmHWM:[^0-9]*\([0-9]*\).*/\1/p' "/proc/$DPID/status")
[ "$rss" -lt 131072 ] || fail "peak RSS $rss kB on the hostile corpus"
stop_daemon
log "ok: $(tail -1 "$T/check.txt"); daemon peak RSS $((rss / 1024)) MB"

# The alert mail. A site id cannot carry CR/LF (the decoder refuses it and
# site.site_id has a CHECK), so the tricks go where text does reach the mail:
# the metric's label (subject) and the target's plan text (body).
start_smtp
sed -i '/^\[smtp\]/,$d' "$T/enertrack.conf"
cat >>"$T/enertrack.conf" <<EOC
[targets]
eval_interval_s = 1
min_elapsed_pct = 0
[alerts]
fire_pct = 5
resolve_pct = 3
pending_s = 0
# the drift mail is the one looked at: no no-data mail before it
no_data_days = 0
[smtp]
url = smtp://127.0.0.1:$SMTPPORT
tls = none
to = ops@example.org
retry_s = 1
EOC
YEAR=$(q "SELECT extract(year FROM now() AT TIME ZONE 'Asia/Shanghai')")
q "DELETE FROM target"
q "UPDATE metric SET label = E'Raw coal\\r\\nBcc: victim@evil.example\\r\\nContent-Type: text/html\\r\\n\\r\\n<script>' WHERE name = 'raw_coal'"
q "INSERT INTO target (metric, year, kind, value, unit, scope, plan_text) VALUES ('raw_coal', $YEAR, 'about', 1e9, 't', 'city',
	E'plan\\r\\n--b1_boundary\\r\\nContent-Type: text/plain\\r\\n\\r\\nforged part\\r\\n.\\r\\nMAIL FROM:<x@evil.example>')"
yday=$($PY -c 'import datetime; print((datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"))')
start_daemon
printf 'energy/mine/m-1/raw_coal	{"ts":"%s","value":100,"unit":"t"}
' "$yday" | publish 2>/dev/null
wait_until 60 sh -c "[ \$(ls '$T/mail' | grep -c eml) -ge 1 ]" ||
	fail "no alert mail: $(q 'SELECT count(*) FROM drift_event')"
stop_daemon
$PY - "$T/mail/000000.eml" "$T/mail/000000.env" <<'PY' || fail "the alert mail's headers are not clean"
import email, sys
from email import policy
raw = open(sys.argv[1], "rb").read()
env = open(sys.argv[2]).read().split("\n")
assert [l for l in env if l.startswith("to ")] == ["to ops@example.org"], env
msg = email.message_from_bytes(raw, policy=policy.default)
head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")   # headers are 7-bit
names = [l.split(":", 1)[0].lower() for l in head.split("\r\n") if l and l[0] not in " \t"]
assert "bcc" not in names, names
for h in ("subject", "to", "from", "content-type", "message-id"):
    assert names.count(h) == 1, (h, names)
assert msg.get_content_type() == "multipart/alternative", msg.get_content_type()
parts = [p.get_content_type() for p in msg.iter_parts()]
assert parts == ["text/plain", "multipart/related"], parts   # the HTML with its chart
related = [p.get_content_type() for p in list(msg.iter_parts())[1].iter_parts()]
assert related == ["text/html", "image/png"], related
assert "\r" not in str(msg["Subject"]) and "\n" not in str(msg["Subject"]), repr(msg["Subject"])
html = msg.get_body(("html",)).get_content()
assert "<script>" not in html, "unescaped HTML"
print("clean:", msg["Subject"])
PY
log "ok: the alert mail has clean headers: $(grep -a '^Subject' "$T/mail/000000.eml" | head -1)"

# A runaway publisher: 3 000 readings of one site stamped within one
# second, with max_site_readings_per_s = 100. It gets 100; a well-behaved
# site whose 3 000 readings of 1 Hz history arrive just as fast (a backlog,
# a backfill) gets all of them, and so do the quiet sites in between. The
# excess is counted, and kept once a second, not once per reading.
sed -i 's/^\[ingest\]$/[ingest]\nmax_site_readings_per_s = 100/' "$T/enertrack.conf"
start_daemon
$PY - >"$T/runaway.txt" <<'PY'
import json
for i in range(3000):
    print("energy/mine/runaway/raw_coal\t" + json.dumps({"ts": "2024-04-01T00:00:00.%06dZ" % i, "value": i, "unit": "t"}))
    print("energy/mine/backlog/raw_coal\t" + json.dumps({"ts": "2024-04-01T%02d:%02d:%02dZ" % (i // 3600, i // 60 % 60, i % 60), "value": i, "unit": "t"}))
    if i % 30 == 0:
        print("energy/mine/quiet-%d/raw_coal\t" % (i // 30) + json.dumps({"ts": "2024-04-01T00:00:00Z", "value": 1, "unit": "t"}))
PY
publish <"$T/runaway.txt" 2>/dev/null || fail "publish failed"
printf 'energy/mine/sentinel/raw_coal\t{"ts":"2024-06-01T00:00:09+08:00","value":9,"unit":"t"}\n' | publish 2>/dev/null
wait_until 60 sh -c "[ \"\$(psql '$PGCONN' -XAtqc \"SELECT count(*) FROM reading WHERE site_id = 'sentinel' AND value = 9\")\" = 1 ]" ||
	fail "the sentinel after the runaway was not written"
quiet=$(q "SELECT count(*) FROM reading WHERE site_id LIKE 'quiet-%'")
backlog=$(q "SELECT count(*) FROM reading WHERE site_id = 'backlog'")
run=$(q "SELECT count(*) FROM reading WHERE site_id = 'runaway'")
kept=$(q "SELECT count(*) FROM rejected_message WHERE reason = 'rate_limited'")
counted=$(metric 'enertrack_rejected_total{reason="rate_limited"}')
[ "$quiet" = 100 ] || fail "quiet sites: $quiet of 100 readings"
[ "$backlog" = 3000 ] || fail "the 1 Hz backlog: $backlog of 3000 readings"
[ "$run" = 100 ] || fail "the runaway site got $run readings, expected 100"
[ "$counted" = 2900 ] || fail "rate_limited counted $counted, expected 2900"
[ "$kept" -ge 1 ] && [ "$kept" -le $((10 * WAIT_SCALE)) ] || fail "rate_limited rows kept: $kept"
stop_daemon
log "ok: runaway site: $run of 3000 written, $counted refused and counted, $kept kept; backlog site: all $backlog; quiet sites: all $quiet"
