/* SPDX-License-Identifier: MIT */
/* tools/cli.h: what every subcommand did for itself before (getopt, its
 * own usage line, config, connect, settings, time zone), once, so that all of
 * them speak alike: "enertrack: <subcommand>: <what>" and a hint, exit 2 for
 * a usage error. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "common/confload.h"
#include "db/connect.h"
#include "db/pq.h"
#include "enertrack/log.h"

int tool_parse(const et_cmdline_t *cl, int argc, char **argv)
{
	char err[1024];
	int rc = et_cmdline_parse(cl, argc, argv, err, sizeof(err));
	if (rc == ET_CMDLINE_HELP) {
		printf("usage: %s\n%s", cl->usage, cl->help ? cl->help : "");
		for (size_t i = 0; i < cl->nopts; i++)
			if (strcmp(cl->opts[i].name, "config") == 0)
				printf("  -c FILE defaults to $" TOOL_CONF_ENV
				       ", else " TOOL_CONF_DEFAULT ".\n");
		return -1;
	}
	if (rc) {
		fputs(err, stderr);
		return 2;
	}
	return 0;
}

int tool_parse_opts(const char *cmd, const char *usage, const char *help, const et_opt_t *opts,
		    size_t n, int argc, char **argv)
{
	const et_cmdline_t cl = {
		.prog = "enertrack",
		.cmd = cmd,
		.usage = usage,
		.help = help,
		.opts = opts,
		.nopts = n,
	};
	return tool_parse(&cl, argc, argv);
}

int tool_fail(const char *cmd, const char *hint, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "enertrack: %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (hint)
		fprintf(stderr, "%s\n", hint);
	return 2;
}

const char *tool_config_path(const char *given)
{
	if (given)
		return given;
	const char *env = getenv(TOOL_CONF_ENV);
	return env && env[0] ? env : TOOL_CONF_DEFAULT;
}

int tool_check_output(const char *cmd, const char *opt, const char *path)
{
	char copy[PATH_MAX];
	struct stat st;
	if (!path[0])
		return tool_fail(cmd, NULL, "%s: an empty file name", opt);
	snprintf(copy, sizeof(copy), "%s", path);
	const char *dir = dirname(copy);
	if (stat(dir, &st) != 0)
		return tool_fail(cmd, "hint: create the directory first, or name another",
				 "%s %s: the directory %s does not exist", opt, path, dir);
	if (!S_ISDIR(st.st_mode))
		return tool_fail(cmd, NULL, "%s %s: %s is not a directory", opt, path, dir);
	if (access(dir, W_OK | X_OK) != 0)
		return tool_fail(cmd, "hint: name a directory you may write into",
				 "%s %s: no permission to write into %s", opt, path, dir);
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return tool_fail(cmd, "hint: name a file, not a directory", "%s %s: is a directory",
				 opt, path);
	return 0;
}

int tool_check_time(PGconn *conn, const char *cmd, const char *opt, const char *val, const char *tz)
{
	if (!val)
		return 0;
	const char *p[1] = {val};
	PGresult *r = PQexecParams(conn, "SELECT $1::timestamptz", 1, NULL, p, NULL, NULL, 0);
	int ok = PQresultStatus(r) == PGRES_TUPLES_OK;
	PQclear(r);
	if (ok)
		return 0;
	char hint[300];
	snprintf(
		hint, sizeof(hint),
		"hint: write a time as 2024-06-30T12:00+08:00, or as 2024-06-30 12:00 in [targets] "
		"timezone (%s)",
		tz);
	return tool_fail(cmd, hint, "%s '%s' is not a time", opt, val);
}

int tool_exec(PGconn *conn, const char *sql, const char *what)
{
	char err[1024];
	if (et_pq_exec(conn, sql, err, sizeof(err)) == 0)
		return 0;
	log_error("%s: %s", what, err);
	return -1;
}

/* The session's time zone and this configuration's [targets]. */
static int prepare(tool_session_t *s, unsigned flags)
{
	char err[600] = "";
	if ((flags & TOOL_SETTINGS) &&
	    et_pq_use_settings(s->conn, s->cfg.tz, s->cfg.min_elapsed_pct, s->cfg.stale_after_s,
			       false, false, err, sizeof(err))) {
		log_error("%s", err);
		return 1;
	}
	if (flags & TOOL_LOCALTIME) {
		/* a time without an offset is a local time of the targets' zone */
		const char *tzp[1] = {s->cfg.tz};
		PGresult *r = PQexecParams(s->conn, "SELECT set_config('TimeZone', $1, false)", 1,
					   NULL, tzp, NULL, NULL, 0);
		int ok = PQresultStatus(r) == PGRES_TUPLES_OK;
		if (!ok)
			log_error("[targets] timezone: %s", PQresultErrorMessage(r));
		PQclear(r);
		if (!ok)
			return 1;
	}
	return 0;
}

int tool_check_config(const char *cmd, const char *config)
{
	const char *path = tool_config_path(config);
	if (config || access(path, F_OK) == 0)
		return 0;
	return tool_fail(cmd, "hint: name one with -c FILE, or set " TOOL_CONF_ENV,
			 "no configuration file %s (%s)", path, strerror(errno));
}

int tool_open(tool_session_t *s, const char *cmd, const char *config, unsigned flags)
{
	memset(s, 0, sizeof(*s));
	s->config = tool_config_path(config);
	if (tool_check_config(cmd, config))
		return 2;
	if (et_config_load(s->config, &s->cfg))
		return 1;
	s->cfg_loaded = true;
	if (flags & TOOL_NO_DB)
		return 0;
	s->conn = (flags & TOOL_READER) ? tool_connect_reader(&s->cfg) : tool_connect(&s->cfg);
	if (!s->conn)
		return 1;
	if ((flags & TOOL_SCHEMA) && tool_check_schema(s->conn, s->config))
		return 1;
	return prepare(s, flags);
}

void tool_close(tool_session_t *s)
{
	PQfinish(s->conn);
	s->conn = NULL;
	if (s->cfg_loaded)
		et_config_free(&s->cfg);
	s->cfg_loaded = false;
}
