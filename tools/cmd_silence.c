/* SPDX-License-Identifier: MIT */
/* `enertrack silence` and `enertrack ack`: a row of alert_silence that keeps
 * a target's reminder mails back (until a time, or until the alert
 * resolves), with who gave it, when and why. The evaluation reads them
 * (db/evaluate_targets.c); `enertrack status` lists them. Nothing is deleted:
 * an expired silence is history. */
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/confload.h"
#include "db.h"
#include "enertrack/log.h"

/* The target: an id, "metric" (the city's) or "metric/scope", of the year
 * of now in the targets' time zone when several years match. */
static const char find_sql[] =
	"SELECT t.id, x.label, t.year, t.scope FROM target t JOIN metric x ON x.name = t.metric"
	" WHERE CASE WHEN $1 ~ '^[0-9]+$' THEN t.id = $1::integer"
	"  ELSE t.metric = split_part($1, '/', 1)"
	"   AND t.scope = coalesce(nullif(substr($1, length(split_part($1, '/', 1)) + 2), ''),"
	"                          'city') END"
	" ORDER BY t.year = extract(year FROM now() AT TIME ZONE $2)::integer DESC, t.year DESC"
	" LIMIT 1";

static void usage(FILE *f, int ack)
{
	if (ack)
		fprintf(f, "usage: enertrack ack -c FILE TARGET --reason TEXT\n");
	else
		fprintf(f, "usage: enertrack silence -c FILE TARGET --until TIME --reason TEXT\n");
	fprintf(f, "  TARGET: a target id, a metric (the city's target: raw_coal) or\n"
		   "  metric/scope (raw_coal/county:襄垣)\n");
	if (!ack)
		fprintf(f,
			"  TIME: a PostgreSQL timestamptz (2024-07-01T08:00:00+08:00); without an\n"
			"  offset, in the targets' time zone\n");
}

/* Who: the login user (the one behind sudo, if any) and the database role. */
static void who(char *buf, size_t len)
{
	const char *u = getenv("SUDO_USER");
	if (!u || !u[0])
		u = getenv("USER");
	if (!u || !u[0]) {
		struct passwd *pw = getpwuid(getuid());
		u = pw ? pw->pw_name : "?";
	}
	snprintf(buf, len, "%s", u);
}

static int run(int ack, const char *config, const char *target, const char *until,
	       const char *reason)
{
	et_config_t cfg;
	if (et_config_load(config, &cfg))
		return 1;
	PGconn *conn = tool_connect(&cfg);
	int rc = 1;
	PGresult *r = NULL;
	if (!conn || tool_check_schema(conn, config))
		goto out;
	/* a TIME without an offset is a local time of the targets' zone */
	const char *tzp[1] = {cfg.tz};
	r = PQexecParams(conn, "SELECT set_config('TimeZone', $1, false)", 1, NULL, tzp, NULL, NULL,
			 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		log_error("%s", PQresultErrorMessage(r));
		goto out;
	}
	PQclear(r);
	const char *fp[2] = {target, cfg.tz};
	r = PQexecParams(conn, find_sql, 2, NULL, fp, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		log_error("%s", PQresultErrorMessage(r));
		goto out;
	}
	if (PQntuples(r) == 0) {
		fprintf(stderr,
			"enertrack %s: no target '%s' (enertrack status --json lists them)\n",
			ack ? "ack" : "silence", target);
		rc = 2;
		goto out;
	}
	char tid[16], what[300], user[128];
	snprintf(tid, sizeof(tid), "%s", PQgetvalue(r, 0, 0));
	snprintf(what, sizeof(what), "%s %s [%s]", PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2),
		 PQgetvalue(r, 0, 3));
	PQclear(r);
	who(user, sizeof(user));
	const char *ip[5] = {tid, ack ? "ack" : "silence", user, reason, until};
	r = PQexecParams(conn,
			 "INSERT INTO alert_silence (target_id, kind, created_by, reason, until)"
			 " SELECT $1, $2, $3 || '@' || current_user, $4, $5::timestamptz"
			 " WHERE $5::timestamptz IS NULL OR $5::timestamptz > now()"
			 " RETURNING id, coalesce(to_char(until, 'YYYY-MM-DD HH24:MI TZ'), '')",
			 5, NULL, ip, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		const char *m = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
		fprintf(stderr, "enertrack %s: %s\n", ack ? "ack" : "silence",
			m ? m : PQerrorMessage(conn));
		rc = 2;
		goto out;
	}
	if (PQntuples(r) == 0) {
		fprintf(stderr, "enertrack silence: --until %s is not in the future\n", until);
		rc = 2;
		goto out;
	}
	if (ack)
		printf("acknowledged %s (alert_silence %s): no reminders until it resolves\n", what,
		       PQgetvalue(r, 0, 0));
	else
		printf("silenced %s until %s (alert_silence %s): no reminders meanwhile\n", what,
		       PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 0));
	rc = 0;
out:
	PQclear(r);
	PQfinish(conn);
	et_config_free(&cfg);
	return rc;
}

static int silence_or_ack(int ack, int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"until", required_argument, NULL, 'u'},
		{"reason", required_argument, NULL, 'r'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *config = NULL, *until = NULL, *reason = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:u:r:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 'u':
			until = optarg;
			break;
		case 'r':
			reason = optarg;
			break;
		case 'h':
			usage(stdout, ack);
			return 0;
		default:
			usage(stderr, ack);
			return 2;
		}
	}
	if (!config || optind != argc - 1 || !reason || !reason[0] || (ack && until) ||
	    (!ack && !until)) {
		usage(stderr, ack);
		return 2;
	}
	return run(ack, config, argv[optind], until, reason);
}

int silence_main(int argc, char **argv)
{
	return silence_or_ack(0, argc, argv);
}

int ack_main(int argc, char **argv)
{
	return silence_or_ack(1, argc, argv);
}
