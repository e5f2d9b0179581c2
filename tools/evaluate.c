/* SPDX-License-Identifier: MIT */
/* `enertrack evaluate`: one evaluation of the targets now or at a given
 * instant, or a replay over a span (--from/--to/--step) that steps the alert
 * state machines through a past year as the daemon would have, recording
 * drift_event rows and queueing the mails a running daemon then sends. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "enertrack/evaluate.h"
#include "enertrack/log.h"

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
	const char *config = NULL, *at = NULL, *from = NULL, *to = NULL, *step = "1 day";
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
	if (!config || (!from) != (!to) || (at && from)) {
		fprintf(stderr,
			"usage: enertrack evaluate -c FILE [--at TIME | --from TIME --to TIME "
			"[--step INTERVAL]]\n");
		return 2;
	}
	et_config_t cfg;
	if (tool_load_config(config, &cfg))
		return 1;
	PGconn *conn = tool_connect(&cfg);
	if (!conn) {
		et_config_free(&cfg);
		return 1;
	}
	et_eval_cfg_t ec = {
		.tz = cfg.tz,
		.min_elapsed_pct = cfg.min_elapsed_pct,
		.stale_after_s = cfg.stale_after_s,
		.params = {.fire_pct = cfg.fire_pct,
			   .resolve_pct = cfg.resolve_pct,
			   .pending_us = (int64_t)cfg.pending_s * 1000000,
			   .repeat_us = (int64_t)cfg.repeat_s * 1000000},
		.smtp_from = cfg.smtp_from,
		.smtp_to = cfg.smtp_to,
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
	return rc;
}
