/* SPDX-License-Identifier: MIT */
/* The subcommands' shared command-line plumbing: the parser's messages
 * printed (include/enertrack/cmdline.h parses), the configuration file's
 * default (/etc/enertrack/enertrack.conf, or $ENERTRACK_CONF), the checks of
 * a time and of an output path that say what is wrong in words, and the
 * session every database subcommand opens first. Blocking; the tool's main
 * thread only. */
#ifndef ENERTRACK_TOOLS_CLI_H
#define ENERTRACK_TOOLS_CLI_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "enertrack/cmdline.h"
#include "enertrack/config.h"

#define TOOL_CONF_DEFAULT "/etc/enertrack/enertrack.conf"
#define TOOL_CONF_ENV	  "ENERTRACK_CONF"

/* Parses as cl says. Returns 0 to go on, -1 after printing --help on stdout
 * (the caller exits 0), or 2 after printing the usage error on stderr. The
 * help of a table with "config" says where -c defaults to. */
int tool_parse(const et_cmdline_t *cl, int argc, char **argv);

/* The same for a subcommand without positional arguments: cmd ("chart"),
 * its usage and help text and its table of options (n rows). */
int tool_parse_opts(const char *cmd, const char *usage, const char *help, const et_opt_t *opts,
		    size_t n, int argc, char **argv);
#define TOOL_NOPTS(opts) (sizeof(opts) / sizeof((opts)[0]))

/* Prints "enertrack: cmd: what" and the hint (a line of its own; NULL for
 * none) on stderr. Returns 2, the exit status of a usage error. */
int tool_fail(const char *cmd, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The configuration file: given (-c), else $ENERTRACK_CONF, else
 * TOOL_CONF_DEFAULT. */
const char *tool_config_path(const char *given);

/* 0 when config was given or the default configuration file is there;
 * else 2 after saying which file is missing and how to name another. */
int tool_check_config(const char *cmd, const char *config);

/* A file to be written at path: 0 when its directory exists and can be
 * written, else 2 after saying which directory is missing or not writable. */
int tool_check_output(const char *cmd, const char *opt, const char *path);

/* val, given as option opt ("--at"), parses as a PostgreSQL timestamptz in
 * conn's session: 0, or 2 after saying so in words with an example. NULL
 * val is fine. */
int tool_check_time(PGconn *conn, const char *cmd, const char *opt, const char *val,
		    const char *tz);

/* Runs one statement (rows or none): 0, or -1 after logging
 * "what: the server's message". */
int tool_exec(PGconn *conn, const char *sql, const char *what);

/* What a database subcommand opens: the configuration and a connection. */
typedef struct {
	const char *config; /* the file read (borrowed: argv, environment or a literal) */
	et_config_t cfg;
	bool cfg_loaded;
	PGconn *conn;
} tool_session_t;

enum {
	TOOL_READER = 1 << 0,	 /* reader_conninfo, read-only session */
	TOOL_SCHEMA = 1 << 1,	 /* tool_check_schema */
	TOOL_SETTINGS = 1 << 2,	 /* this configuration's [targets] for the target functions */
	TOOL_LOCALTIME = 1 << 3, /* the session's TimeZone is [targets] timezone */
	TOOL_NO_DB = 1 << 4,	 /* the configuration only */
};

/* Reads the configuration (config as given by -c, or NULL for the
 * default), connects and prepares the session as flags say. Returns 0, or
 * the exit status after saying why (1; 2 when no configuration file is there
 * and none was named). tool_close() must be called in both cases. */
int tool_open(tool_session_t *s, const char *cmd, const char *config, unsigned flags);

/* Closes the connection and frees the configuration; safe on a zeroed or
 * half-opened session. */
void tool_close(tool_session_t *s);

#endif
