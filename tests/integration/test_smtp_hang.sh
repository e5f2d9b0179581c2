#!/bin/sh
# SPDX-License-Identifier: MIT
# A mail server that answers EHLO and then says nothing, with [smtp]
# timeout_s = 3600 and a mail pending: evaluation goes on (a target added
# meanwhile is evaluated), no database session sits idle in a transaction,
# /healthz answers, and SIGTERM exits 0 within a few seconds. The mail the
# shutdown interrupted stays unsent and goes out at the next start; an
# evaluation that PostgreSQL holds up (a lock) delays SIGTERM by 5 s at most.
# Every check runs even when an earlier one failed, so that a run against a
# daemon with the defect shows each symptom.
. "$(dirname "$0")/lib.sh"

FAILED=""
check() { # check WHAT: after a test command; records a failure, carries on
	if [ "$1" = ok ]; then log "ok: $2"; else
		log "FAIL: $2"
		FAILED="$FAILED
  $2"
	fi
}

start_pg
start_mosquitto
HANGPORT=$(free_port)
$PY "$REPO/tests/integration/smtp_hang.py" "$HANGPORT" >"$T/hang.log" 2>&1 &
HANGPID=$!
PIDS="$PIDS $HANGPID"
wait_until 10 sh -c "ss -ltn | grep -q '127.0.0.1:$HANGPORT '" || fail "the hanging SMTP server did not start"
# (no_data_days = 0: its target of this year has no data, and the one mail
# looked at is the interrupted one)
write_config "$T/enertrack.conf" \
	"[targets]" "eval_interval_s = 1" "[alerts]" "no_data_days = 0" \
	"[smtp]" "url = smtp://127.0.0.1:$HANGPORT" "tls = none" "from = enertrack@example.org" \
	"to = ops@example.org" "retry_s = 1" "timeout_s = 3600"
HTTP=$(sed -n 's/^listen = //p' "$T/enertrack.conf")
migrate >/dev/null
YEAR=$(q "SELECT extract(year FROM now() AT TIME ZONE 'Asia/Shanghai')")
q "INSERT INTO alert_outbox (subject, message) VALUES ('hang', E'Subject: hang\\r\\n\\r\\nhello\\r\\n')"
start_daemon
wait_until 20 grep -q "MAIL FROM" "$T/hang.log" || fail "the daemon never tried the mail: $(cat "$T/hang.log")"
log "the daemon is stuck in the mail server: $(grep -c 'MAIL FROM' "$T/hang.log") MAIL FROM, no answer"

# 1. no session idle in a transaction for more than a second (sampled for 3 s)
idle=0
for i in 1 2 3 4 5 6; do
	sleep 0.5
	n=$(q "SELECT count(*) FROM pg_stat_activity WHERE datname = 'enertrack'
		AND state LIKE 'idle in transaction%' AND now() - state_change > interval '1 second'")
	[ "$n" -gt "$idle" ] && idle=$n
done
[ "$idle" = 0 ] && r=ok || r=bad
check $r "sessions idle in a transaction for over 1 s during the hang: $idle ($(q "SELECT string_agg(application_name || ' ' || state, ', ') FROM pg_stat_activity WHERE datname = 'enertrack' AND backend_type = 'client backend' AND pid <> pg_backend_pid()"))"

# 2. /healthz answers 200 while the mail server hangs
hz=$($PY -c 'import sys, urllib.request, urllib.error
try: print(urllib.request.urlopen("http://%s/healthz" % sys.argv[1], timeout=5).status)
except urllib.error.HTTPError as e: print(e.code)
except Exception as e: print("error: %s" % e)' "$HTTP")
[ "$hz" = 200 ] && r=ok || r=bad
check $r "/healthz during the hang: $hz"

# 3. evaluation goes on: a target added now gets its alert state
TID=$(q "INSERT INTO target (metric, year, kind, value, unit, tolerance_pct, scope) VALUES ('generation', $YEAR, 'at_least', 1, 'GWh', 2, 'city') RETURNING id")
t0=$(date +%s%N)
wait_until 10 sh -c "[ \"\$(psql '$PGCONN' -XAtqc 'SELECT count(*) FROM alert_state WHERE target_id = $TID')\" = 1 ]" && r=ok || r=bad
check $r "target $TID added during the hang evaluated after $((($(date +%s%N) - t0) / 1000000)) ms (limit 10 s)"

# 4. SIGTERM: exit 0 within 5 s. /healthz, polled meanwhile, answers until
# the very end (503 "stopping" once it stops); it is not refused for long
# while the daemon still runs.
$PY - "$HTTP" "$DPID" "$T/polling" >"$T/healthz-stop.log" 2>&1 <<'EOP' &
import os, sys, time, urllib.request, urllib.error
addr, pid = sys.argv[1], sys.argv[2]
seen = []  # [answer, count, first, last]
end = time.time() + 30
while os.path.exists("/proc/%s/status" % pid) and time.time() < end:
    t = time.time()
    try:
        r = urllib.request.urlopen("http://%s/healthz" % addr, timeout=2)
        what = "%d %s" % (r.status, r.read().decode().strip())
    except urllib.error.HTTPError as e:
        what = "%d %s" % (e.code, e.read().decode().strip())
    except Exception:
        what = "no answer"
    if not seen or seen[-1][0] != what:
        seen.append([what, 0, t, t])
    seen[-1][1] += 1
    seen[-1][3] = t
    if len(seen) == 1 and seen[0][1] == 1:
        open(sys.argv[3], "w").close()
    time.sleep(0.005)
print("; ".join("%s x%d for %.0f ms" % (w, n, 1000 * (b - a)) for w, n, a, b in seen))
sys.exit(any(w == "no answer" and b - a > 3 for w, n, a, b in seen))
EOP
POLL=$!
wait_until 10 test -e "$T/polling" || fail "the /healthz poller did not start"
t0=$(date +%s%N)
kill -TERM "$DPID"
# bounded: the defect made this take over 100 s
wait_until 20 sh -c "! grep -qs '^State:.*[RSD]' /proc/$DPID/status" || true
ms=$((($(date +%s%N) - t0) / 1000000))
if grep -qs '^State:.*[RSD]' "/proc/$DPID/status"; then
	kill -KILL "$DPID" 2>/dev/null || true
	wait "$DPID" 2>/dev/null || true
	check bad "SIGTERM during the hang: still running after $ms ms; killed"
else
	rc=0
	wait "$DPID" || rc=$?
	[ "$rc" = 0 ] && [ "$ms" -lt 5000 ] && r=ok || r=bad
	check $r "SIGTERM during the hang: exit $rc after $ms ms (limit 5000 ms)"
fi
wait "$POLL" && r=ok || r=bad
check $r "/healthz from SIGTERM to exit: $(cat "$T/healthz-stop.log")"

# 5. the interrupted mail is still unsent and goes out at the next start
# (not counted as a failed attempt, and due at once)
[ "$(q "SELECT count(*) FROM alert_outbox WHERE sent_at IS NULL AND attempts = 0 AND next_attempt_at <= now()")" = 1 ] && r=ok || r=bad
check $r "the interrupted mail is unsent and due: $(q "SELECT 'attempts ' || attempts || ', due ' || (next_attempt_at <= now()) || ', last error ' || coalesce(last_error, '-') FROM alert_outbox")"
start_smtp
sed -i "s|^url = smtp://127.0.0.1:$HANGPORT|url = smtp://127.0.0.1:$SMTPPORT|" "$T/enertrack.conf"
start_daemon
wait_until 30 sh -c "[ \$(ls '$T/mail' | grep -c eml) -ge 1 ]" && r=ok || r=bad
check $r "the interrupted mail went out after a restart ($(mails) mail)"

# 6. an evaluation that PostgreSQL holds up (a lock on target) does not hold
# back the shutdown for more than the alerts threads' 5 s
psql "$PGCONN" -X -q -c "BEGIN; LOCK TABLE target IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(60)" >/dev/null 2>&1 &
LOCKER=$!
PIDS="$PIDS $LOCKER"
wait_until 15 sh -c "[ \"\$(psql '$PGCONN' -XAtqc \"SELECT count(*) FROM pg_stat_activity WHERE application_name = 'enertrackd-alerts' AND wait_event_type = 'Lock'\")\" = 1 ]" ||
	fail "the evaluation did not wait for the lock"
t0=$(date +%s%N)
kill -TERM "$DPID"
wait_until 20 sh -c "! grep -qs '^State:.*[RSD]' /proc/$DPID/status" || true
ms=$((($(date +%s%N) - t0) / 1000000))
if grep -qs '^State:.*[RSD]' "/proc/$DPID/status"; then
	kill -KILL "$DPID" 2>/dev/null || true
	wait "$DPID" 2>/dev/null || true
	check bad "SIGTERM during a stuck evaluation: still running after $ms ms; killed"
else
	rc=0
	wait "$DPID" || rc=$?
	[ "$rc" = 0 ] && [ "$ms" -lt 8000 ] && r=ok || r=bad
	check $r "SIGTERM during a stuck evaluation: exit $rc after $ms ms (limit 8000 ms)"
fi
kill "$LOCKER" 2>/dev/null || true

[ -z "$FAILED" ] || fail "failed:$FAILED"
log "ok: a hanging mail server held back neither evaluation, nor a transaction, nor shutdown"
