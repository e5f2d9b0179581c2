/* SPDX-License-Identifier: MIT */
/* `enertrack evaluate`: one evaluation of the targets now or at a given
 * instant, or a replay over a span (--from/--to/--step) that steps the alert
 * state machines through a past year as the daemon would have, recording
 * drift_event rows and queueing the mails a running daemon then sends. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "draw/chart.h"
#include "common/confload.h"
#include "db/evaluate_targets.h"
#include "cli.h"
#include "db.h"
#include "enertrack/i18n.h"
#include "enertrack/log.h"

/* How long `evaluate` waits for another instance's round (a daemon's takes
 * seconds), asking again every LOCK_RETRY_MS. */
#define LOCK_WAIT_MS  60000
#define LOCK_RETRY_MS 200

/* Asks PostgreSQL one yes-or-no question about command-line values (its own
 * parser reads them, as the evaluation will): 1 yes, 0 no, -1 when a value
 * does not parse, with the server's reason in err. */
static int pg_yes(PGconn *conn, const char *sql, int n, const char *const *p, char *err,
		  size_t errlen)
{
	PGresult *r = PQexecParams(conn, sql, n, NULL, p, NULL, NULL, 0);
	int rc = -1;
	if (PQresultStatus(r) == PGRES_TUPLES_OK) {
		rc = PQgetvalue(r, 0, 0)[0] == 't';
	} else {
		const char *m = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
		snprintf(err, errlen, "%s", m ? m : PQerrorMessage(conn));
	}
	PQclear(r);
	return rc;
}

/* Refuses what would evaluate nothing, or something else than meant: a time
 * that does not parse, a step that is not positive (generate_series would
 * give no instant and the replay would say "0 evaluations"), a span that
 * ends before it starts. Returns 0, or 2 (a usage error) after one line. */
static int check_args(PGconn *conn, const char *tz, const char *at, const char *from,
		      const char *to, const char *step)
{
	char err[300];
	if (tool_check_time(conn, "evaluate", "--at", at, tz) ||
	    tool_check_time(conn, "evaluate", "--from", from, tz) ||
	    tool_check_time(conn, "evaluate", "--to", to, tz))
		return 2;
	if (!from)
		return 0;
	const char *sp[1] = {step};
	int yes = pg_yes(conn, "SELECT $1::interval > interval '0'", 1, sp, err, sizeof(err));
	if (yes < 0)
		return tool_fail("evaluate", "hint: an interval such as '1 day' or '6 hours'",
				 "--step: %s", err);
	if (!yes)
		return tool_fail("evaluate", NULL,
				 "--step must be a positive interval such as '1 day' ('%s' is not)",
				 step);
	const char *fp[2] = {from, to};
	if (pg_yes(conn, "SELECT $1::timestamptz <= $2::timestamptz", 2, fp, err, sizeof(err)) != 1)
		return tool_fail("evaluate", NULL, "--from (%s) is later than --to (%s)", from, to);
	return 0;
}

int evaluate_main(int argc, char **argv)
{
	const char *config = NULL, *at = NULL, *from = NULL, *to = NULL, *step = NULL;
	const et_opt_t opts[] = {
		ET_OPT_STR_ROW("config", 'c', &config, "FILE"),
		ET_OPT_STR_ROW("at", 'a', &at, "TIME"),
		ET_OPT_STR_ROW("from", 'f', &from, "TIME"),
		ET_OPT_STR_ROW("to", 't', &to, "TIME"),
		ET_OPT_STR_ROW("step", 's', &step, "INTERVAL"),
	};
	static const char usage[] =
		"enertrack evaluate [-c FILE] [--at TIME]\n"
		"       enertrack evaluate [-c FILE] --from TIME --to TIME [--step INTERVAL]";
	static const char help[] =
		"  Evaluates the targets and steps their alerts, as enertrackd does;\n"
		"  a replay (--from/--to, step default '1 day') goes through a past span.\n"
		"  Mails are queued in alert_outbox; a running enertrackd sends them.\n"
		"  A TIME without an offset is in [targets] timezone.\n";
	int prc = tool_parse_opts("evaluate", usage, help, opts, TOOL_NOPTS(opts), argc, argv);
	if (prc)
		return prc < 0 ? 0 : prc;
	if ((!from) != (!to))
		return tool_fail("evaluate", "hint: a replay needs both --from and --to",
				 "%s without %s", from ? "--from" : "--to",
				 from ? "--to" : "--from");
	if (at && from)
		return tool_fail("evaluate", NULL, "--at and --from/--to: one or the other");
	if (step && !from)
		return tool_fail("evaluate", NULL, "--step without --from and --to");
	if (!step)
		step = "1 day";
	tool_session_t s;
	/* a TIME without an offset is a local time of the targets' zone */
	int rc = tool_open(&s, "evaluate", config, TOOL_SCHEMA | TOOL_LOCALTIME);
	if (rc || (rc = check_args(s.conn, s.cfg.tz, at, from, to, step))) {
		tool_close(&s);
		return rc;
	}
	const et_config_t cfg = s.cfg;
	PGconn *conn = s.conn;
	et_eval_cfg_t ec = {
		.tz = cfg.tz,
		.min_elapsed_pct = cfg.min_elapsed_pct,
		.stale_after_s = cfg.stale_after_s,
		.store_settings = false, /* the daemon's, not ours */
		.params = {.fire_pct = cfg.fire_pct,
			   .resolve_pct = cfg.resolve_pct,
			   .pending_us = (int64_t)cfg.pending_s * 1000000,
			   .repeat_us = (int64_t)cfg.repeat_s * 1000000},
		.smtp_from = cfg.smtp_from,
		.smtp_to = cfg.smtp_to,
		.statistics_sources = cfg.statistics_sources,
		.milestone_grace_days = cfg.milestone_grace_days,
		.reconcile_pct = cfg.reconcile_pct,
		.no_data_days = cfg.no_data_days,
		.lang = cfg.lang,
	};
	int n = 0, events = 0, mails = 0;
	char err[600];
	PGresult *r = NULL;
	rc = 1;
	if (from) {
		const char *p[3] = {from, to, step};
		r = PQexecParams(
			conn,
			"SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
			" FROM generate_series($1::timestamptz, $2::timestamptz, $3::interval) t",
			3, NULL, p, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			log_error("bad --from, --to or --step: %s", PQresultErrorMessage(r));
			goto out;
		}
		n = PQntuples(r);
	} else {
		n = 1;
	}
	for (int i = 0; i < n; i++) {
		const char *when = from ? PQgetvalue(r, i, 0) : at;
		et_eval_result_t res;
		/* a running enertrackd holds the lock for the seconds of its own
		 * round: wait for it rather than fail a replay by chance */
		int waited_ms = 0;
		for (;;) {
			if (et_evaluate(conn, &ec, when, &res, err, sizeof(err))) {
				log_error("evaluation at %s failed: %s", when ? when : "now", err);
				goto out;
			}
			if (!res.busy || waited_ms >= LOCK_WAIT_MS)
				break;
			if (waited_ms == 0)
				log_info("another instance holds the evaluation lock: waiting up "
					 "to %d s",
					 LOCK_WAIT_MS / 1000);
			nanosleep(&(struct timespec){0, LOCK_RETRY_MS * 1000000L}, NULL);
			waited_ms += LOCK_RETRY_MS;
		}
		if (res.busy) {
			log_error("another instance held the evaluation lock for %d s; try again",
				  LOCK_WAIT_MS / 1000);
			goto out;
		}
		events += res.events;
		mails += res.mails;
	}
	if (cfg.lang == ET_LANG_EN) { /* scripts read the English line */
		printf("%d evaluation%s, %d alert change%s, %d mail%s queued in alert_outbox\n", n,
		       n == 1 ? "" : "s", events, events == 1 ? "" : "s", mails,
		       mails == 1 ? "" : "s");
	} else {
		char a[16], b[16], c[16], line[300];
		snprintf(a, sizeof(a), "%d", n);
		snprintf(b, sizeof(b), "%d", events);
		snprintf(c, sizeof(c), "%d", mails);
		et_msg_fill(line, sizeof(line), cfg.lang, ET_MSG_TOOL_EVALUATED, 3, a, b, c);
		printf("%s\n", line);
	}
	rc = 0;
out:
	PQclear(r);
	tool_close(&s);
	et_chart_cleanup(); /* the mails' charts */
	return rc;
}
