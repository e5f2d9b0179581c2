/* SPDX-License-Identifier: MIT */
/* `enertrack silence` and `enertrack ack`: a row of alert_silence that keeps
 * a target's reminder mails back (until a time, or until the alert
 * resolves), with who gave it, when and why. The evaluation reads them
 * (db/evaluate_targets.c); `enertrack status` lists them. Nothing is deleted:
 * an expired silence is history. */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/confload.h"
#include "cli.h"
#include "db.h"
#include "db/pq.h"
#include "enertrack/i18n.h"
#include "enertrack/log.h"

/* The target: an id, "metric" (the city's) or "metric/scope", of the year
 * of now in the targets' time zone when several years match. */
static const char find_sql[] =
	"SELECT t.id, coalesce(metric_label(t.metric, $3), x.label), t.year, t.scope"
	" FROM target t JOIN metric x ON x.name = t.metric"
	" WHERE CASE WHEN $1 ~ '^[0-9]+$' THEN t.id = $1::integer"
	"  ELSE t.metric = split_part($1, '/', 1)"
	"   AND t.scope = coalesce(nullif(substr($1, length(split_part($1, '/', 1)) + 2), ''),"
	"                          'city') END"
	" ORDER BY t.year = extract(year FROM now() AT TIME ZONE $2)::integer DESC, t.year DESC"
	" LIMIT 1";

static const char target_help[] =
	"  TARGET: a target id, a metric (the city's target: raw_coal) or\n"
	"  metric/scope (raw_coal/county:襄垣)\n";
static const char until_help[] =
	"  TIME: a PostgreSQL timestamptz (2024-07-01T08:00:00+08:00); without an\n"
	"  offset, in the targets' time zone\n";

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
	const char *cmd = ack ? "ack" : "silence";
	tool_session_t s;
	int rc = tool_open(&s, cmd, config, TOOL_SCHEMA | TOOL_LOCALTIME);
	PGresult *r = NULL;
	if (rc || (rc = tool_check_time(s.conn, cmd, "--until", until, s.cfg.tz)))
		goto out;
	rc = 1;
	PGconn *conn = s.conn;
	et_lang_t lang = s.cfg.lang;
	const char *fp[3] = {target, s.cfg.tz, et_lang_tag(lang)};
	char perr[1024];
	r = et_pq_query(conn, find_sql, 3, fp, perr, sizeof(perr));
	if (!r) {
		log_error("%s", perr);
		goto out;
	}
	if (PQntuples(r) == 0) {
		rc = tool_fail(cmd, "hint: enertrack status --json lists them", "no target '%s'",
			       target);
		goto out;
	}
	char tid[16], what[300], user[128], scope[128], line[600], until_s[160];
	snprintf(tid, sizeof(tid), "%s", PQgetvalue(r, 0, 0));
	et_scope_text(lang, PQgetvalue(r, 0, 3), scope, sizeof(scope));
	snprintf(what, sizeof(what), "%s %s [%s]", PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2),
		 lang == ET_LANG_EN ? PQgetvalue(r, 0, 3) : scope);
	PQclear(r);
	who(user, sizeof(user));
	const char *ip[5] = {tid, ack ? "ack" : "silence", user, reason, until};
	r = PQexecParams(conn,
			 "INSERT INTO alert_silence (target_id, kind, created_by, reason, until)"
			 " SELECT $1, $2, $3 || '@' || current_user, $4, $5::timestamptz"
			 " WHERE $5::timestamptz IS NULL OR $5::timestamptz > now()"
			 " RETURNING id, coalesce(to_char(until, 'YYYY-MM-DD HH24:MI'), '')",
			 5, NULL, ip, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		const char *m = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
		rc = tool_fail(cmd, NULL, "%s", m ? m : PQerrorMessage(conn));
		goto out;
	}
	if (PQntuples(r) == 0) {
		rc = tool_fail(cmd,
			       "hint: a silence ends in the future; enertrack ack lasts until the "
			       "alert resolves",
			       "--until %s is not in the future", until);
		goto out;
	}
	/* the time in the targets' zone, named: "CST" would be ambiguous */
	const char *tz = s.cfg.tz;
	if (lang != ET_LANG_EN && strcmp(tz, "Asia/Shanghai") == 0)
		tz = et_msg(lang, ET_MSG_TZ_ASIA_SHANGHAI);
	snprintf(until_s, sizeof(until_s), lang == ET_LANG_EN ? "%s (%s)" : "%s（%s）",
		 PQgetvalue(r, 0, 1), tz);
	if (ack)
		et_msg_fill(line, sizeof(line), lang, ET_MSG_CLI_ACKED, 2, what,
			    PQgetvalue(r, 0, 0));
	else
		et_msg_fill(line, sizeof(line), lang, ET_MSG_CLI_SILENCED, 3, what, until_s,
			    PQgetvalue(r, 0, 0));
	printf("%s\n", line);
	rc = 0;
out:
	PQclear(r);
	tool_close(&s);
	return rc;
}

static int silence_or_ack(int ack, int argc, char **argv)
{
	const char *config = NULL, *until = NULL, *reason = NULL, *target = NULL;
	const et_opt_t opts[] = {
		ET_OPT_STR_ROW("config", 'c', &config, "FILE"),
		ET_OPT_STR_ROW("reason", 'r', &reason, "TEXT", .required = true),
		ET_OPT_STR_ROW("until", 'u', &until, "TIME", .required = true),
	};
	char help[600];
	snprintf(help, sizeof(help), "%s%s", target_help, ack ? "" : until_help);
	const et_cmdline_t cl = {
		.prog = "enertrack",
		.cmd = ack ? "ack" : "silence",
		.usage = ack ? "enertrack ack [-c FILE] TARGET --reason TEXT"
			     : "enertrack silence [-c FILE] TARGET --until TIME --reason TEXT",
		.help = help,
		.opts = opts,
		/* ack has no --until (the last row): it lasts until the alert resolves */
		.nopts = ack ? 2 : 3,
		.min_args = 1,
		.max_args = 1,
		.args_name = "TARGET",
		.args = &target,
	};
	int prc = tool_parse(&cl, argc, argv);
	if (prc)
		return prc < 0 ? 0 : prc;
	if (!reason[0])
		return tool_fail(cl.cmd, "hint: say why, for the next person on call",
				 "--reason is empty");
	return run(ack, config, target, until, reason);
}

int silence_main(int argc, char **argv)
{
	return silence_or_ack(0, argc, argv);
}

int ack_main(int argc, char **argv)
{
	return silence_or_ack(1, argc, argv);
}
