#!/bin/sh
# SPDX-License-Identifier: MIT
# The soak (`make soak`, not in `make check`): SOAK_S seconds
# (default 3600) of ingest at SOAK_RATE messages a second (default 2000),
# with Sparkplug B on, a shared group and its presence client, forty-odd
# targets, and every hostile row of the issue inserted while it runs: a
# route ending in a backslash (written past its check), a target whose row
# PostgreSQL refuses, a milestone named in 209 CJK characters, a mistyped
# time zone on reload, solar and wind at one instant, two publishers on one
# counter, a recipient refused for good and one for the time being. It
# shows that the evaluation kept running for every other target (the last
# evaluation's age, the good target's state), that every /metrics scrape
# passed promtool, and that no reading was lost; the figures go to stdout.
# Usage: tests/soak/soak.sh [BUILD]   (run as root: it starts PostgreSQL)
REPO=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-build}
TEST_NAME=soak
. "$REPO/scripts/services.sh"
S=${SOAK_S:-3600}
RATE=${SOAK_RATE:-2000}

start_pg
start_mosquitto
export BIN MQURI
start_smtp
write_config "$T/enertrack.conf" "[sparkplug]" "enabled = 1" \
	"[targets]" "eval_interval_s = 5" "min_elapsed_pct = 0" "stale_after_s = 315360000" \
	"[alerts]" "pending_s = 0" "repeat_s = 0" "eval_fail_s = 60" "milestone_grace_days = 1" \
	"[smtp]" "url = smtp://127.0.0.1:$SMTPPORT" "tls = none" "from = enertrack@example.org" \
	"to = ops@example.org" "retry_s = 1" "timeout_s = 5"
sed -i -e 's|^topics = .*|topics = $share/et/energy/#|' -e 's/^qos = 1$/qos = 1\nversion = 5/' "$T/enertrack.conf"
HTTP=$(sed -n 's/^listen = //p' "$T/enertrack.conf")
migrate >/dev/null
YEAR=$(q "SELECT extract(year FROM now() AT TIME ZONE 'Asia/Shanghai')")
q "DELETE FROM target;
   INSERT INTO target (metric, year, kind, value, unit, scope) VALUES
     ('generation', $YEAR, 'at_least', 1e12, 'MWh', 'city'),
     ('generation', $YEAR, 'at_least', 1e12, 'MWh', 'county:坏县');
   INSERT INTO target (metric, year, kind, value, unit, scope)
   SELECT 'generation', $YEAR, 'about', 1000 + g, 'MWh', 'county:' || repeat('长治市沁源县', 6) || g
   FROM generate_series(1, 40) g"
GOOD=$(q "SELECT id FROM target WHERE scope = 'city'")
BAD=$(q "SELECT id FROM target WHERE scope = 'county:坏县'")
start_daemon

# the load: SITES sites, one reading each per message, paced
$PY - "$S" "$RATE" <<'PY' >"$T/load.count" 2>/dev/null &
import datetime, json, subprocess, sys, time
secs, rate = int(sys.argv[1]), int(sys.argv[2])
import os
pub = subprocess.Popen([os.environ["BIN"] + "/enertrack", "publish", "--uri", os.environ["MQURI"], "--qos", "1"],
                       stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
t0 = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) - datetime.timedelta(days=1)
n, start = 0, time.monotonic()
while time.monotonic() - start < secs:
    due = int((time.monotonic() - start) * rate)
    lines = []
    while n < due:
        ts = (t0 + datetime.timedelta(milliseconds=10 * (n // 200))).isoformat()
        lines.append("energy/plant/soak-%03d/generation\t%s\n" % (n % 200, json.dumps({"ts": ts, "value": 1, "unit": "MWh"})))
        n += 1
    pub.stdin.write("".join(lines).encode())
    pub.stdin.flush()
    time.sleep(0.05)
pub.stdin.close()
pub.wait()
print(n)
PY
LOADPID=$!
$PY "$REPO/tests/integration/scrape_check.py" "$HTTP" "$S" 1 "$T/badpage.txt" >"$T/scrapes.txt" 2>&1 &
SCRAPEPID=$!

# the hostile rows, a tenth of the way in
sleep $((S / 10))
q "CREATE FUNCTION soak_refuse() RETURNS trigger LANGUAGE plpgsql AS \$\$
   BEGIN IF NEW.target_id = $BAD THEN RAISE EXCEPTION 'soak: a bad row of target %', NEW.target_id; END IF;
   RETURN NEW; END \$\$;
   CREATE TRIGGER soak_refuse BEFORE INSERT OR UPDATE ON alert_state FOR EACH ROW EXECUTE FUNCTION soak_refuse();
   DELETE FROM alert_state WHERE target_id = $BAD"
q "SET session_replication_role = replica; INSERT INTO alert_route (scope_pattern, recipients) VALUES ('county:\\', 'o@x.org')"
q "INSERT INTO alert_route (scope_pattern, recipients) VALUES ('city', 'gone@example.org, busy@example.org');
   UPDATE alert_state SET state = 'ok', since = now() WHERE target_id = $GOOD"
q "INSERT INTO target (metric, year, kind, value, unit, scope) VALUES ('capacity_commissioned', $YEAR, 'at_least', 100, 'MW', 'county:坏县');
   INSERT INTO target_milestone (target_id, site_id, name, due, value, unit)
   SELECT id, 'soak-pv', repeat('沁源县光伏电站二期扩建工程', 16) || '项目', (now() - interval '20 days')::date, 50, 'MW'
   FROM target WHERE metric = 'capacity_commissioned'"
printf '%s\n' 'energy/plant/soak-sw/capacity_commissioned	[{"ts":"2024-06-01T00:00:00Z","value":10,"unit":"MW","source":"solar"},{"ts":"2024-06-01T00:00:00Z","value":5,"unit":"MW","source":"wind"}]' |
	publish 2>/dev/null
for t in 1000 50 1010 60 1020 70; do
	printf 'energy/mine/soak-ctr/raw_coal\t{"ts":"%s","value":%s,"unit":"t","counter":true}\n' \
		"$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)" "$t" | publish 2>/dev/null
	sleep 1
done
sed 's/^\[targets\]$/[targets]\ntimezone = Asia\/Beijing/' "$T/enertrack.conf" >"$T/bad.conf"
cp "$T/enertrack.conf" "$T/good.conf"
cp "$T/bad.conf" "$T/enertrack.conf"
kill -HUP "$DPID"
sleep 2
cp "$T/good.conf" "$T/enertrack.conf"

# watch the evaluation to the end
max_age=0
while kill -0 "$LOADPID" 2>/dev/null; do
	ts=$(metric enertrack_last_evaluation_timestamp_seconds)
	age=$(awk -v t="${ts:-0}" -v now="$(date +%s)" 'BEGIN { printf "%d", now - t }')
	[ "$age" -gt "$max_age" ] && max_age=$age
	sleep 5
done
published=$(cat "$T/load.count")
wait_until 120 sh -c "[ \"\$(psql '$PGCONN' -XAtqc \"SELECT count(*) FROM reading WHERE site_id ~ '^soak-[0-9]{3}\$'\")\" -ge $published ]" || true
scrape_rc=0
wait "$SCRAPEPID" || scrape_rc=$?
rows=$(q "SELECT count(*) FROM reading WHERE site_id ~ '^soak-[0-9]{3}\$'")
echo "soak: $S s at $RATE msg/s: $published readings published, $rows in reading ($((published - rows)) lost)"
echo "soak: /metrics: $(cat "$T/scrapes.txt") (promtool and one run per family)"
echo "soak: oldest last evaluation seen: $max_age s (eval_interval_s 5)"
echo "soak: target $GOOD (good): $(q "SELECT state FROM alert_state WHERE target_id = $GOOD"), $(q "SELECT count(*) FROM drift_event WHERE target_id = $GOOD") events; target $BAD (bad row): $(q "SELECT rounds || ' rounds failed: ' || left(reason, 60) FROM evaluation_failure WHERE part = 'target:$BAD'")"
echo "soak: evaluated targets: $(q "SELECT count(*) FROM alert_state") of $(q "SELECT count(*) FROM target WHERE metric <> 'capacity_commissioned'") drift targets"
echo "soak: milestone mail: $(q "SELECT count(*) FROM truth_alert WHERE kind = 'milestone'"); deliveries: $(q "SELECT string_agg(recipient || ' ' || state, ', ' ORDER BY recipient) FROM (SELECT DISTINCT recipient, state FROM alert_delivery) d")"
echo "soak: solar and wind at one instant: $(q "SELECT count(*) FROM reading WHERE site_id = 'soak-sw'") rows; two publishers on one counter: $(q "SELECT count(*) FROM counter_hold") held"
echo "soak: reload with Asia/Beijing: $(grep -c 'did you mean Asia/Shanghai' "$T/daemon.log") refusal(s) logged"
stop_daemon
[ "$rows" -ge "$published" ] && [ "$scrape_rc" = 0 ] && [ "$max_age" -lt 60 ]
