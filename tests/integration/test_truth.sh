#!/bin/sh
# SPDX-License-Identifier: MIT
# Targets judged against the truth, hand-computed against a real PostgreSQL
# (the zone is UTC here, so that every day is 24 whole hours):
#  1. the last_year schedule (a 2024 day in March, a leap day), the fallback
#     to linear when last year covers < 90 %, and what status says;
#  2. milestones: due, overdue and early; the late project in status; one
#     mail per project overdue by more than milestone_grace_days, none while
#     every project is on time;
#  3. statistics taking precedence over telemetry for closed months, in the
#     order of statistics_sources, and being revised;
#  4. telemetry_vs_statistics and one mail when a county's gap opens.
. "$(dirname "$0")/lib.sh"

start_pg
MQURI=tcp://127.0.0.1:1 write_config "$T/enertrack.conf" \
	"[targets]" "timezone = UTC" "min_elapsed_pct = 0" "statistics_sources = bureau, survey" \
	"[alerts]" "milestone_grace_days = 14" "reconcile_pct = 5" \
	"[smtp]" "from = enertrack@example.org" "to = bureau@example.org"
migrate >/dev/null
q "UPDATE target_setting SET timezone = 'UTC', min_elapsed_pct = 0"
q "DELETE FROM target"

q "CREATE FUNCTION t_add(s text, c text, m text, at timestamptz, v double precision, src text DEFAULT '')
   RETURNS void LANGUAGE sql AS \$\$
     INSERT INTO site (site_id, kind, county) VALUES (s, 'mine', c) ON CONFLICT DO NOTHING;
     INSERT INTO reading (site_id, metric, ts, value, unit_in, value_in, source, received_at)
       VALUES (s, m, at, v, 't', v, src, now());
   \$\$"

check() {
	got=$(q "$2")
	[ "$got" = "$3" ] || fail "$1: expected '$3', got '$got'"
	log "ok: $1"
}
is() { # is LABEL VALUE EXPECTED
	[ "$2" = "$3" ] || fail "$1: expected '$3', got '$2'"
	log "ok: $1"
}
prog() { # prog AT SCOPE COLUMN
	echo "SELECT $3 FROM target_progress_at('$1') WHERE scope = '$2'"
}
evaluate() { # evaluate FROM TO: one evaluation a day; prints the mails queued
	"$BIN/enertrack" evaluate -c "$T/enertrack.conf" --from "$1" --to "$2" --step "1 day" \
		>"$T/eval.out" 2>"$T/eval.log" || fail "enertrack evaluate: $(tail -3 "$T/eval.log")"
	sed -n 's/.* \([0-9]*\) mails\{0,1\} queued.*/\1/p' "$T/eval.out"
}

# ---- 1. last_year --------------------------------------------------------------
# Site sa (county A): 2023, one reading a day at noon: 100 t from 1 January to
# 30 June (181 days), 200 t from 1 July to 31 December (184 days): 54 900 t.
# The 7-day smoothing only moves weight within 28 June .. 3 July (its sum
# there stays 900), so the profile's total is 54 900 and every day of
# January to March weighs 100.
q "SELECT t_add('sa', 'A', 'raw_coal', '2023-01-01T12:00:00Z'::timestamptz + d * interval '1 day',
                CASE WHEN d < 181 THEN 100 ELSE 200 END) FROM generate_series(0, 364) d"
# 2024: 110 t a day from 1 January to 31 March (91 days): 10 010 t.
q "SELECT t_add('sa', 'A', 'raw_coal', '2024-01-01T12:00:00Z'::timestamptz + d * interval '1 day', 110)
   FROM generate_series(0, 90) d"
q "INSERT INTO target (metric, year, kind, value, unit, tolerance_pct, scope)
   VALUES ('raw_coal', 2024, 'about', 60000, 't', 3, 'county:A')"
# At 1 April 2024 00:00, 2024 is a leap year and 2023 is not: 28 and 29
# February 2024 share 2023's 28 February (50 each), so the days before
# 1 April weigh 31 × 100 + (27 × 100 + 2 × 50) + 31 × 100 = 9 000.
# expected = 60 000 × 9 000 / 54 900 = 9 836.07 t (linear would be
# 60 000 × 91 / 366 = 14 918.03); drift = (10 010 − 9 836.07) / 9 836.07 =
# +1.77 %; projected = 10 010 ÷ (9 000 / 54 900) = 61 061 t.
AT=2024-04-01T00:00:00Z
check "last_year: used" "$(prog $AT county:A schedule_used)" "last_year"
check "last_year: note" "$(prog $AT county:A schedule_note)" "last year's profile (2023 covers 100.0 % of its days)"
check "last_year: expected" "$(prog $AT county:A 'round(expected::numeric, 2)')" "9836.07"
check "last_year: drift" "$(prog $AT county:A 'round(drift_pct::numeric, 2)')" "1.77"
check "last_year: projected" "$(prog $AT county:A 'round(projected::numeric, 2)')" "61061.00"
check "last_year: status" "$(prog $AT county:A status)" "on_track"
# the same from the profile the evaluation keeps (target_profile)
is "profile kept" "$(q "SELECT target_profile_refresh('$AT')")" "1"
check "last_year: expected from the kept profile" "$(prog $AT county:A 'round(expected::numeric, 2)')" "9836.07"
# The leap day itself, at noon. January to March follow the Spring Festival:
# 2024's 91 days take 2023's flat 100 a day, scaled to 2023's
# quarter (9 000), so each weighs 9 000 / 91. Before it 59 days, plus half
# of its own: 59.5 × 9 000 / 91 = 5 884.62. expected = 60 000 × 5 884.62 /
# 54 900 = 6 431.27 (the calendar's profile gave 6 420.77).
check "leap day" "$(prog 2024-02-29T12:00:00Z county:A 'round(expected::numeric, 2)')" "6431.27"
# 1 March 00:00: 60 days of 9 000 / 91: 5 934.07 (the calendar gave 5 900,
# as on 1 March 2023). expected = 60 000 × 5 934.07 / 54 900 = 6 485.32.
check "after the leap day" "$(prog 2024-03-01T00:00:00Z county:A 'round(expected::numeric, 2)')" \
	"6485.32"
# Site sb (county B): 2023 readings on 300 days only (82.2 % of 365): linear,
# expected at 1 April = 60 000 × 91 / 366 = 14 918.03.
q "SELECT t_add('sb', 'B', 'raw_coal', '2023-01-01T12:00:00Z'::timestamptz + d * interval '1 day', 100)
   FROM generate_series(0, 299) d"
q "SELECT t_add('sb', 'B', 'raw_coal', '2024-01-01T12:00:00Z'::timestamptz + d * interval '1 day', 100)
   FROM generate_series(0, 90) d"
q "INSERT INTO target (metric, year, kind, value, unit, tolerance_pct, scope)
   VALUES ('raw_coal', 2024, 'about', 60000, 't', 3, 'county:B')"
check "fallback: used" "$(prog $AT county:B schedule_used)" "linear"
check "fallback: why" "$(prog $AT county:B schedule_note)" "linear: 2023 covers 82.2 % of its days, under 90 %"
check "fallback: expected" "$(prog $AT county:B 'round(expected::numeric, 2)')" "14918.03"
samples_agree 2024 # the charts' sampler: last year's profile, the leap day, too little of 2023
# a target may ask for linear whatever last year holds
q "UPDATE target SET schedule_kind = 'linear' WHERE scope = 'county:A'"
check "linear asked for" "$(prog $AT county:A 'round(expected::numeric, 2)')" "14918.03"
"$BIN/enertrack" status -c "$T/enertrack.conf" --at $AT >"$T/status1.out" 2>&1 || fail "status: $(cat "$T/status1.out")"
grep -q "under 90 %" "$T/status1.out" || fail "status does not say why linear: $(cat "$T/status1.out")"
samples_agree 2024 # the charts' sampler: linear asked for
q "DELETE FROM target"

# ---- 2. milestones -----------------------------------------------------------------
# County M, 2024, capacity_commissioned at least 230 MW, three projects:
#   p1 site m1, due 1 March, 100 MW: commissioned 20 February (early);
#   p2 site m2, due 1 April, 50 MW: commissioned 1 May (30 days late);
#   p3 site m3, due 1 September, 80 MW: commissioned 15 April (early).
q "INSERT INTO target (metric, year, kind, value, unit, tolerance_pct, scope)
   VALUES ('capacity_commissioned', 2024, 'at_least', 230, 'MW', 5, 'county:M')"
q "INSERT INTO target_milestone (target_id, site_id, name, due, value, unit)
   SELECT id, s, n, d::date, v, 'MW' FROM target,
          (VALUES ('m1', 'p1 Huguan solar', '2024-03-01', 100), ('m2', 'p2 Licheng wind', '2024-04-01', 50),
                  ('m3', 'p3 Qinxian biomass', '2024-09-01', 80)) x(s, n, d, v)"
q "SELECT t_add('m1', 'M', 'capacity_commissioned', '2024-02-20T10:00:00Z', 100, 'solar');
   SELECT t_add('m2', 'M', 'capacity_commissioned', '2024-05-01T10:00:00Z', 50, 'wind');
   SELECT t_add('m3', 'M', 'capacity_commissioned', '2024-04-15T10:00:00Z', 80, 'biomass')"
# 5 March: due p1 (100 MW), done 100: drift 0, nothing late.
check "milestones: one due" "$(prog 2024-03-05T00:00:00Z county:M "concat_ws(' ', expected, actual, status, coalesce(late_projects, '-'))")" \
	"100 100 on_track -"
# 10 April: due p1 + p2 = 150 MW, done 100 (p3 not yet): drift −33.3 %, p2 late.
check "milestones: overdue" "$(prog 2024-04-10T00:00:00Z county:M "concat_ws(' ', expected, actual, round(drift_pct::numeric, 1), status)")" \
	"150 100 -33.3 behind"
check "milestones: late listed" "$(prog 2024-04-10T00:00:00Z county:M late_projects)" "p2 Licheng wind (due 2024-04-01)"
# 20 April: p3 came early and counts: 180 against 150, +20 %, p2 still late.
check "milestones: early counts" "$(prog 2024-04-20T00:00:00Z county:M "concat_ws(' ', expected, actual, round(drift_pct::numeric, 1), milestones_due)")" \
	"150 180 20.0 2"
check "milestones: used" "$(prog 2024-04-20T00:00:00Z county:M schedule_used)" "milestones"
"$BIN/enertrack" status -c "$T/enertrack.conf" --at 2024-04-20T00:00:00Z >"$T/status2.out" 2>&1 || fail "status: $(cat "$T/status2.out")"
grep -q "late: p2 Licheng wind (due 2024-04-01)" "$T/status2.out" || fail "status does not list the late project: $(cat "$T/status2.out")"
# every project on time (1 to 31 March): no mail
is "no mail while on time" "$(evaluate 2024-03-01T12:00:00Z 2024-03-31T12:00:00Z)" "0"
# 1 to 30 April: p2 is more than 14 days overdue from 16 April: one mail,
# routed like a drift mail of the target's scope (alert_route)
q "INSERT INTO alert_route (scope_pattern, recipients, note) VALUES ('county:M', 'm-office@example.org', 'M')"
is "one mail for the late project" "$(evaluate 2024-04-01T12:00:00Z 2024-04-30T12:00:00Z)" "1"
is "the mail names it" "$(q "SELECT subject FROM alert_outbox ORDER BY id DESC LIMIT 1")" \
	"[enertrack] New-energy capacity 2024: p2 Licheng wind is 15 days overdue (due 2024-04-01, 50.0 MW)"
is "the milestone mail honours alert_route" "$(q "SELECT recipients FROM alert_outbox ORDER BY id DESC LIMIT 1")" \
	"bureau@example.org, m-office@example.org"
q "SELECT message FROM alert_outbox ORDER BY id DESC LIMIT 1" | tr -d '\r' >"$T/milestone.txt"
grep -q "^To: bureau@example.org, m-office@example.org$" "$T/milestone.txt" ||
	fail "the milestone mail's To: $(grep -A1 '^To:' "$T/milestone.txt")"
grep -q "^Message-ID: <milestone-[0-9a-f]*\.1713268800@enertrack>$" "$T/milestone.txt" ||
	fail "the milestone mail's Message-ID: $(grep '^Message-ID' "$T/milestone.txt")"
is "the mail is whole and due" "$(q "SELECT count(*) FROM alert_outbox WHERE next_attempt_at <= now() AND message LIKE 'Date: %'")" "1"
# its picture: the register of the target's projects, planned against commissioned
picture() {
	$PY - "$1" "$2" <<'PY'
import sys
from email import policy
from email.parser import BytesParser
m = BytesParser(policy=policy.default).parsebytes(open(sys.argv[1], "rb").read())
pngs = [p for p in m.walk() if p.get_content_type() == "image/png"]
html = m.get_body(("html",))
assert len(pngs) == 1 and pngs[0].get_content()[:8] == b"\x89PNG\r\n\x1a\n", [p.get_content_type() for p in m.walk()]
assert html is not None and "cid:" + pngs[0]["Content-ID"].strip("<>") in html.get_content(), "the HTML does not show the chart"
for want in sys.argv[2].split("|"):
    assert want in html.get_content(), (want, html.get_content()[-1500:])
print("ok")
PY
}
picture "$T/milestone.txt" "p2 Licheng wind" >/dev/null || fail "the milestone mail's picture"
q "DELETE FROM alert_route"
# a crash between the evaluation's COMMIT and the rendering leaves the row
# pending, with its text: the next round makes it whole, once
q "UPDATE alert_outbox SET message = 'left pending', next_attempt_at = 'infinity' WHERE id = (SELECT max(id) FROM alert_outbox)"
is "the mail was queued on 16 April" "$(q "SELECT to_char(since, 'YYYY-MM-DD') FROM truth_alert WHERE kind = 'milestone'")" "2024-04-16"
# evaluated again (the daemon every minute): no second mail
is "once per project" "$(evaluate 2024-04-20T12:00:00Z 2024-04-22T12:00:00Z)" "0"
q "SELECT message FROM alert_outbox ORDER BY id DESC LIMIT 1" | tr -d '\r' >"$T/milestone2.txt"
is "a pending mail is finished by the next round" \
	"$(q "SELECT count(*) FROM alert_outbox WHERE next_attempt_at <= now() AND message LIKE 'Date: %'")" "1"
grep -q "^Message-ID: <milestone-[0-9a-f]*\.1713268800@enertrack>$" "$T/milestone2.txt" ||
	fail "the finished mail's Message-ID: $(grep '^Message-ID' "$T/milestone2.txt")"
is "no drift alert for a milestone target" "$(q "SELECT count(*) FROM drift_event")" "0"
# a second project late in the same target is its own mail
q "INSERT INTO target_milestone (target_id, site_id, name, due, value, unit)
   SELECT id, 'm4', 'p4 Pingshun solar', '2024-05-01', 30, 'MW' FROM target"
is "a second late project" "$(evaluate 2024-05-10T12:00:00Z 2024-05-25T12:00:00Z)" "1"
samples_agree 2024 # the charts' sampler: the register
is "no milestones" "$(q "DELETE FROM target_milestone; SELECT schedule_note FROM target_progress_at('2024-04-10T00:00:00Z')")" \
	"no milestones; linear"
samples_agree 2024 # the charts' sampler: a register's metric without milestones
# a digest its daemon left pending (a crash after its COMMIT) goes as its
# text after ten minutes; a fresh one is left to the daemon that made it
q "WITH o AS (INSERT INTO alert_outbox (subject, message, recipients, kind, next_attempt_at, created_at)
   VALUES ('[enertrack] digest 2024-04-19: 1 behind', E'Digest of 2024-04-19\\r\\nline\\r\\n', 'bureau@example.org',
           'digest', 'infinity', now() - interval '1 hour'),
          ('[enertrack] digest 2024-04-20: 1 behind', 'fresh', 'bureau@example.org', 'digest', 'infinity', now())
   RETURNING id, subject)
   INSERT INTO digest_sent (period, outbox_id, created_at)
   SELECT substr(subject, 20, 10)::date, id, '2024-04-20T00:00:00Z' FROM o"
evaluate 2024-04-21T12:00:00Z 2024-04-21T12:00:00Z >/dev/null
q "SELECT message FROM alert_outbox WHERE subject LIKE '%2024-04-19%'" | tr -d '\r' >"$T/digest.txt"
grep -q "^Message-ID: <digest-2024-04-19@enertrack>$" "$T/digest.txt" || fail "the orphan digest: $(head -12 "$T/digest.txt")"
is "an orphan digest is sent as its text" "$(q "SELECT count(*) FROM alert_outbox WHERE kind = 'digest' AND next_attempt_at <= now()")" "1"
is "a fresh pending digest is its daemon's" "$(q "SELECT message FROM alert_outbox WHERE subject LIKE '%2024-04-20%' AND next_attempt_at = 'infinity'")" "fresh"
q "DELETE FROM digest_sent"
q "DELETE FROM target; DELETE FROM alert_outbox; DELETE FROM truth_alert"

# ---- 3. statistics take precedence for closed months --------------------------
# County S: site s1, 100 t a day at noon from 1 January to 14 March 2024.
# Telemetry: January 3 100, February 2 900, 1-14 March 1 400.
q "SELECT t_add('s1', 'S', 'raw_coal', '2024-01-01T12:00:00Z'::timestamptz + d * interval '1 day', 100)
   FROM generate_series(0, 73) d"
q "INSERT INTO target (metric, year, kind, value, unit, tolerance_pct, scope, schedule_kind)
   VALUES ('raw_coal', 2024, 'about', 36600, 't', 3, 'county:S', 'linear')"
stat() { # stat PERIOD SOURCE VALUE
	q "INSERT INTO statistic (scope, metric, period, period_start, period_end, value, unit_in, value_in, source)
	   VALUES ('county:S', 'raw_coal', '$1', date '$1-01', date '$1-01' + interval '1 month', $3, 't', $3, '$2')"
}
stat 2024-01 bureau 3500
stat 2024-02 bureau 2800
stat 2024-02 survey 9999
stat 2024-03 bureau 3000
AT=2024-03-15T00:00:00Z
# January 3 500 (bureau) + February 2 800 (bureau, first in the list) +
# March, open, whose figure is known (no publication day): in the share of
# March's telemetry stamped by 15 March 00:00 of the whole month's
# (docs/targets.md, one year end): the readings stop on 14 March, so all of
# March's is known, 1 400 of 1 400: 3 000 × 1 400 / 1 400 = 3 000 =
# 9 300 (the share of the time, 14 of 31 days, said 3 000 × 14 / 31 =
# 1 354.8387: 7 654.8387; its telemetry, 1 400, counted before: 7 700;
# telemetry alone: 5 800).
check "statistics: actual" "$(prog $AT county:S 'round(actual::numeric, 4)')" "9300.0000"
check "statistics: months" "$(prog $AT county:S month_sources)" \
	"2024-01 statistics:bureau, 2024-02 statistics:bureau, 2024-03 statistics:bureau pro rata of telemetry 1400/1400"
# published on 10 April, March's figure is not known on 15 March: its
# telemetry counts, 1 400: 7 700
q "UPDATE statistic SET published = '2024-04-10' WHERE scope = 'county:S' AND period = '2024-03'"
check "statistics: actual, March not yet published" "$(prog $AT county:S actual)" "7700"
check "statistics: months, March not yet published" "$(prog $AT county:S month_sources)" \
	"2024-01 statistics:bureau, 2024-02 statistics:bureau, 2024-03 telemetry"
# a revision of January (as a re-import writes it): 3 600
q "INSERT INTO statistic_revision (scope, metric, period, source, revision, value, unit_in, value_in, note, imported_at)
   SELECT scope, metric, period, source, revision, value, unit_in, value_in, note, imported_at
     FROM statistic WHERE scope = 'county:S' AND period = '2024-01';
   UPDATE statistic SET value = 3600, value_in = 3600, revision = revision + 1
    WHERE scope = 'county:S' AND period = '2024-01'"
check "statistics: revised" "$(prog $AT county:S actual)" "7800"
# survey first: February is 9 999: 3 600 + 9 999 + 1 400 = 14 999
sed -i 's/^statistics_sources = .*/statistics_sources = survey bureau/' "$T/enertrack.conf"
"$BIN/enertrack" status -c "$T/enertrack.conf" --at $AT --json >"$T/status3.json" 2>&1 || fail "status --json: $(cat "$T/status3.json")"
is "statistics: source order" "$(/usr/bin/python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))[0]; print(int(t["actual"]), t["month_sources"])' "$T/status3.json")" \
	"14999 2024-01 statistics:bureau, 2024-02 statistics:survey, 2024-03 telemetry"
sed -i 's/^statistics_sources = .*/statistics_sources = bureau, survey/' "$T/enertrack.conf"

samples_agree 2024 # the charts' sampler: statistics first, revised, by source
q "DELETE FROM target" # its drift alerts are not what this part counts

# ---- 4. reconciliation -------------------------------------------------------------
# January: telemetry 3 100 against 3 600: (3 100 − 3 600) / 3 600 = −13.89 %;
# February: 2 900 against 2 800 (bureau): +3.57 %; 9 999 (survey): −71.00 %.
is "gap January" "$(q "SELECT round(gap_pct::numeric, 2) FROM telemetry_vs_statistics WHERE period = '2024-01'")" "-13.89"
is "gap February" "$(q "SELECT string_agg(source || ' ' || telemetry || ' ' || official || ' ' || round(gap_pct::numeric, 2), '; ' ORDER BY source) FROM telemetry_vs_statistics WHERE period = '2024-02'")" \
	"bureau 2900 2800 3.57; survey 2900 9999 -71.00"
# 1 to 29 February: January's gap (−13.9 %, over 5 %) is the latest: one mail
is "one mail for the county" "$(evaluate 2024-02-01T12:00:00Z 2024-02-29T12:00:00Z)" "1"
is "the county mail" "$(q "SELECT subject FROM alert_outbox ORDER BY id DESC LIMIT 1")" \
	"[enertrack] S: Raw coal telemetry 13.9% below the statistics (2024-01)"
# 1 to 10 March: February's gap, +3.6 %, clears it; no mail
is "cleared without a mail" "$(evaluate 2024-03-01T12:00:00Z 2024-03-10T12:00:00Z)" "0"
is "cleared" "$(q "SELECT firing FROM truth_alert WHERE kind = 'reconcile'")" "f"
# the mail is whole: headers, a base64 text part
q "SELECT message FROM alert_outbox ORDER BY id DESC LIMIT 1" >"$T/mail.txt"
grep -q "^Subject: =?UTF-8?B?" "$T/mail.txt" || grep -q "^Subject: \[enertrack\]" "$T/mail.txt" || fail "no Subject: $(head -5 "$T/mail.txt")"
grep -q "^Content-Transfer-Encoding: base64" "$T/mail.txt" || fail "no base64 part"
# its picture: the county's months, and its sites with their share of the gap
picture "$T/mail.txt" "Share of the gap" >/dev/null || fail "the county mail's picture"
# both mails opened in headless Chromium at a phone's width (their HTML with
# the chart as a data: URL): the chart loaded and not blank
$PY - "$T" "$T/milestone.txt" "$T/mail.txt" <<'PY' || fail "the truth mails' HTML"
import base64, sys
from email import policy
from email.parser import BytesParser
for k, path in enumerate(sys.argv[2:], 1):
    m = BytesParser(policy=policy.default).parsebytes(open(path, "rb").read())
    html = m.get_body(("html",)).get_content()
    for p in m.walk():
        if p.get_content_type() == "image/png":
            cid = p["Content-ID"].strip("<>")
            html = html.replace("cid:" + cid, "data:image/png;base64," +
                                base64.b64encode(p.get_content()).decode())
    open("%s/mail-%d.html" % (sys.argv[1], k), "w").write(html)
PY
if [ -z "${ET_NO_BROWSER:-}" ]; then
	node "$REPO/tests/browser/shots.js" "$T/shots" 390 "mail-late=file://$T/mail-1.html" \
		"mail-county=file://$T/mail-2.html" >"$T/shots.log" 2>&1 ||
		fail "the truth mails in the browser: $(cat "$T/shots.log")"
	SHOTS=$REPO/tests/tmp/screenshots
	mkdir -p "$SHOTS"
	cp "$T"/shots/*.png "$SHOTS/" 2>/dev/null || true
	while IFS= read -r l; do log "$l"; done <"$T/shots.log"
fi
log "test_truth: ok"
