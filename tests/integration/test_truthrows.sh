#!/bin/sh
# SPDX-License-Identifier: MIT
# One bad row of the truth mails stops no other row's mail: three late
# milestones of one target, of which PostgreSQL refuses the mail of the
# second (a trigger on alert_outbox, as any bad row would be refused).
#  1. the first and the third are mailed and recorded in truth_alert, round
#     after round, while the second fails (they used to share one savepoint:
#     none of the three was ever mailed);
#  2. the failure is recorded per row: in the view evaluation_failures as
#     truth:milestone:<id> with its reason, in the log once, in /metrics
#     (enertrack_evaluation_failures_total{target="truth:milestone:<id>"}),
#     and /healthz names it once it has lasted eval_fail_s;
#  3. fixed, the second is mailed, "evaluates again" is logged and its row
#     goes.
. "$(dirname "$0")/lib.sh"

start_pg
start_mosquitto
start_smtp
write_config "$T/enertrack.conf" \
	"[targets]" "eval_interval_s = 1" "min_elapsed_pct = 0" "stale_after_s = 315360000" \
	"[alerts]" "milestone_grace_days = 1" "eval_fail_s = 2" \
	"[smtp]" "url = smtp://127.0.0.1:$SMTPPORT" "tls = none" "from = enertrack@example.org" \
	"to = ops@example.org" "retry_s = 1" "timeout_s = 5"
HTTP=$(sed -n 's/^listen = //p' "$T/enertrack.conf")
migrate >/dev/null
YEAR=$(q "SELECT extract(year FROM now() AT TIME ZONE (SELECT timezone FROM target_setting))")
q "DELETE FROM target"
q "INSERT INTO target (metric, year, kind, value, unit, scope) VALUES ('capacity_commissioned', $YEAR, 'at_least', 300, 'MW', 'city');
   INSERT INTO target_milestone (target_id, site_id, name, due, value, unit)
   SELECT id, 'tr-' || n, n || ' project', (now() - interval '20 days')::date, 100, 'MW'
   FROM target, unnest(ARRAY['alpha', 'bravo', 'charlie']) n"
BRAVO=$(q "SELECT id FROM target_milestone WHERE name = 'bravo project'")
q "CREATE FUNCTION tr_refuse() RETURNS trigger LANGUAGE plpgsql AS \$\$
   BEGIN IF NEW.subject LIKE '%bravo project%' THEN RAISE EXCEPTION 'truthrows: the mail of bravo is refused'; END IF;
   RETURN NEW; END \$\$;
   CREATE TRIGGER tr_refuse BEFORE INSERT ON alert_outbox FOR EACH ROW EXECUTE FUNCTION tr_refuse()"
# the subjects of the mails received, decoded (RFC 2047), one a line
subjects() {
	$PY - "$T/mail" <<'EOP'
import email, email.header, glob, sys
for f in sorted(glob.glob(sys.argv[1] + "/*.eml")):
    m = email.message_from_binary_file(open(f, "rb"))
    print(str(email.header.make_header(email.header.decode_header(m["Subject"] or ""))))
EOP
}
has_mail() { subjects | grep -q "$1"; }
start_daemon

# ---- 1. the other rows' mails go --------------------------------------------
for n in alpha charlie; do
	wait_until 30 has_mail "$n project" ||
		fail "1: no mail for $n while bravo fails: truth_alert: $(q "SELECT string_agg(key, ' ') FROM truth_alert") failures: $(q "SELECT string_agg(part || ' ' || reason, '; ') FROM evaluation_failure")"
done
got=$(q "SELECT string_agg(m.name, ', ' ORDER BY m.name) FROM truth_alert a JOIN target_milestone m ON a.key = m.id::text WHERE a.kind = 'milestone'")
[ "$got" = "alpha project, charlie project" ] || fail "1: truth_alert: $got"
log "ok: alpha and charlie mailed while bravo fails ($got)"

# ---- 2. the failure, per row ---------------------------------------------------
part="truth:milestone:$BRAVO"
wait_until 20 sh -c "[ \"\$(psql '$PGCONN' -XAtqc \"SELECT rounds >= 3 FROM evaluation_failure WHERE part = '$part'\")\" = t ]" ||
	fail "2: $part: $(q "SELECT string_agg(part || ' ' || rounds || ' ' || reason, '; ') FROM evaluation_failure")"
reason=$(q "SELECT reason FROM evaluation_failures WHERE part = '$part'")
echo "$reason" | grep -q "truthrows: the mail of bravo is refused" || fail "2: evaluation_failures: '$reason'"
[ "$(q "SELECT string_agg(part, ' ') FROM evaluation_failure")" = "$part" ] ||
	fail "2: other parts fail: $(q "SELECT string_agg(part, ' ') FROM evaluation_failure")"
n=$(grep -c "$part fails, the others go on" "$T/daemon.log")
[ "$n" = 1 ] || fail "2: the failure was logged $n times, not once"
m=$(metric "enertrack_evaluation_failures_total{target=\"$part\"}")
[ "${m:-0}" -ge 3 ] || fail "2: enertrack_evaluation_failures_total{target=\"$part\"} is '$m'"
h=$(healthz_503)
echo "$h" | grep -q "^503 evaluation of the truth mail milestone:$BRAVO has failed for [0-9]* s (eval_fail_s 2): .*bravo is refused" ||
	fail "2: /healthz with $part failing: '$h'"
[ "$(q "SELECT count(*) FROM truth_alert")" = 2 ] || fail "2: $(q "SELECT count(*) FROM truth_alert") truth_alert rows"
[ "$(subjects | grep -c 'alpha project')" = 1 ] ||
	fail "2: alpha was mailed more than once"
log "ok: $part: view '$(echo "$reason" | head -1)', logged once, /metrics $m, /healthz '$h'"

# ---- 3. fixed ---------------------------------------------------------------------
q "DROP TRIGGER tr_refuse ON alert_outbox"
wait_until 20 has_mail "bravo project" || fail "3: bravo not mailed once fixed"
wait_until 10 grep -q "$part evaluates again" "$T/daemon.log" || fail "3: no recovery logged"
wait_until 10 sh -c "[ \"\$(psql '$PGCONN' -XAtqc 'SELECT count(*) FROM evaluation_failure')\" = 0 ]" ||
	fail "3: evaluation_failure: $(q "SELECT string_agg(part, ' ') FROM evaluation_failure")"
[ "$(q "SELECT count(*) FROM truth_alert")" = 3 ] || fail "3: $(q "SELECT count(*) FROM truth_alert") truth_alert rows"
log "ok: bravo mailed once fixed, its failure gone"
stop_daemon
