/* SPDX-License-Identifier: MIT */
/* `enertrack evaluate`: one evaluation of the targets now or at a given
 * instant, or a replay over a span (--from/--to/--step) that steps the alert
 * state machines through a past year as the daemon would have, recording
 * drift_event rows and queueing the mails a running daemon then sends. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "draw/chart.h"
#include "common/confload.h"
#include "db/evaluate_targets.h"
#include "db.h"
#include "enertrack/log.h"

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
static int check_args(PGconn *conn, const char *at, const char *from, const char *to,
		      const char *step)
{
	char err[300];
	const struct {
		const char *opt, *val;
	} times[] = {{"--at", at}, {"--from", from}, {"--to", to}};
	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		const char *p[1] = {times[i].val};
		if (times[i].val && pg_yes(conn, "SELECT $1::timestamptz IS NOT NULL", 1, p, err,
					   sizeof(err)) < 0) {
			fprintf(stderr, "enertrack evaluate: %s: %s\n", times[i].opt, err);
			return 2;
		}
	}
	if (!from)
		return 0;
	const char *sp[1] = {step};
	int yes = pg_yes(conn, "SELECT $1::interval > interval '0'", 1, sp, err, sizeof(err));
	if (yes < 0) {
		fprintf(stderr, "enertrack evaluate: --step: %s\n", err);
		return 2;
	}
	if (!yes) {
		fprintf(stderr,
			"enertrack evaluate: --step must be a positive interval such as '1 day' "
			"('%s' is not)\n",
			step);
		return 2;
	}
	const char *fp[2] = {from, to};
	if (pg_yes(conn, "SELECT $1::timestamptz <= $2::timestamptz", 2, fp, err, sizeof(err)) !=
	    1) {
		fprintf(stderr, "enertrack evaluate: --from (%s) is later than --to (%s)\n", from,
			to);
		return 2;
	}
	return 0;
}

int evaluate_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"at", required_argument, NULL, 'a'},
		{"from", required_argument, NULL, 'f'},
		{"to", required_argument, NULL, 't'},
		{"step", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *config = NULL, *at = NULL, *from = NULL, *to = NULL, *step = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:a:f:t:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 'a':
			at = optarg;
			break;
		case 'f':
			from = optarg;
			break;
		case 't':
			to = optarg;
			break;
		case 's':
			step = optarg;
			break;
		case 'h':
			printf("usage: enertrack evaluate -c FILE [--at TIME]\n"
			       "       enertrack evaluate -c FILE --from TIME --to TIME [--step "
			       "INTERVAL]\n"
			       "  Evaluates the targets and steps their alerts, as enertrackd "
			       "does;\n"
			       "  a replay (--from/--to, step default '1 day') goes through a past "
			       "span.\n"
			       "  Mails are queued in alert_outbox; a running enertrackd sends "
			       "them.\n"
			       "  A TIME without an offset is in [targets] timezone.\n");
			return 0;
		default:
			return 2;
		}
	}
	if (!config || (!from) != (!to) || (at && from) || (step && !from)) {
		fprintf(stderr,
			"usage: enertrack evaluate -c FILE [--at TIME | --from TIME --to TIME "
			"[--step INTERVAL]]\n");
		return 2;
	}
	et_config_t cfg;
	if (et_config_load(config, &cfg))
		return 1;
	PGconn *conn = tool_connect(&cfg);
	if (!conn) {
		et_config_free(&cfg);
		return 1;
	}
	if (!step)
		step = "1 day";
	int bad = check_args(conn, at, from, to, step);
	if (bad || tool_check_schema(conn, config)) {
		PQfinish(conn);
		et_config_free(&cfg);
		return bad ? bad : 1;
	}
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
	int rc = 1, n = 0, events = 0, mails = 0;
	char err[600];
	/* a TIME without an offset is a local time of the targets' zone */
	const char *tzp[1] = {cfg.tz};
	PGresult *r = PQexecParams(conn, "SELECT set_config('TimeZone', $1, false)", 1, NULL, tzp,
				   NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		log_error("[targets] timezone: %s", PQresultErrorMessage(r));
		goto out;
	}
	PQclear(r);
	r = NULL;
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
		if (et_evaluate(conn, &ec, when, &res, err, sizeof(err))) {
			log_error("evaluation at %s failed: %s", when ? when : "now", err);
			goto out;
		}
		if (res.busy) {
			log_error("another instance holds the evaluation lock; try again");
			goto out;
		}
		events += res.events;
		mails += res.mails;
	}
	printf("%d evaluation%s, %d alert change%s, %d mail%s queued in alert_outbox\n", n,
	       n == 1 ? "" : "s", events, events == 1 ? "" : "s", mails, mails == 1 ? "" : "s");
	rc = 0;
out:
	PQclear(r);
	PQfinish(conn);
	et_config_free(&cfg);
	et_chart_cleanup(); /* the mails' charts */
	return rc;
}
