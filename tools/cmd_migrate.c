/* SPDX-License-Identifier: MIT */
/* `enertrack migrate`: applies sql/NNN_*.sql in order, each once, each in
 * its own transaction, recorded in schema_migration (which 000_*.sql makes:
 * no DDL here). Then the functions and views (sql/functions/, sql/views/,
 * in the order of sql/objects.list): each file whose checksum differs from
 * the one schema_object recorded is applied again, all in one transaction.
 * A session advisory lock makes two concurrent runs take turns, so running
 * it twice, or from two hosts at once, is safe. --seed then loads every
 * sql/data/NAME.sql, data files written to be loaded again without harm. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/confload.h"
#include "cli.h"
#include "db.h"
#include "db/pq.h"
#include "enertrack/file.h"
#include "enertrack/i18n.h"
#include "enertrack/log.h"

#define MIGRATE_LOCK "hashtext('enertrack.migrate')"

static int cmp_names(const void *a, const void *b);

/* The file dir/name (at most max bytes), NUL-terminated, for the caller to
 * free; NULL after logging why it cannot be read. */
static char *read_in(const char *dir, const char *name, size_t max)
{
	char path[PATH_MAX + 300], err[400], *text;
	size_t len;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (et_file_read(path, &text, &len, max, err, sizeof(err))) {
		log_error("cannot read %s", err);
		return NULL;
	}
	return text;
}

/* Runs the file dir/name in a transaction; with version >= 0, records it in
 * schema_migration in the same transaction. */
static int apply_file(PGconn *conn, const char *dir, const char *name, int version)
{
	char vbuf[16];
	char *sql = read_in(dir, name, 16u << 20);
	if (!sql)
		return -1;
	if (tool_exec(conn, "BEGIN", "begin")) {
		free(sql);
		return -1;
	}
	PGresult *r = PQexec(conn, sql);
	free(sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
		log_error("%s failed: %s", name, PQresultErrorMessage(r));
		PQclear(r);
		PQclear(PQexec(conn, "ROLLBACK"));
		return -1;
	}
	PQclear(r);
	int ok = 1;
	if (version >= 0) {
		snprintf(vbuf, sizeof(vbuf), "%d", version);
		const char *ip[2] = {vbuf, name};
		char perr[1024];
		ok = et_pq_run(conn, "INSERT INTO schema_migration (version, name) VALUES ($1, $2)",
			       2, ip, perr, sizeof(perr)) == 0;
		if (!ok)
			log_error("recording %s: %s", name, perr);
	}
	if (!ok || tool_exec(conn, "COMMIT", "commit")) {
		PQclear(PQexec(conn, "ROLLBACK"));
		return -1;
	}
	return 0;
}

/* Applies dir/rel, a function or view file, when its md5 differs from the
 * one schema_object holds, and records the new one; inside the caller's
 * transaction. Returns 1 when applied, 0 when unchanged, -1 on error (the
 * file and the server's error logged). */
static int apply_object(PGconn *conn, const char *dir, const char *rel)
{
	char *sql = read_in(dir, rel, 16u << 20);
	if (!sql)
		return -1;
	const char *p[2] = {rel, sql};
	char perr[1024];
	PGresult *r = et_pq_query(conn,
				  "SELECT md5($2) IS DISTINCT FROM"
				  " (SELECT checksum FROM schema_object WHERE name = $1)",
				  2, p, perr, sizeof(perr));
	int rc = -1;
	if (!r) {
		log_error("reading schema_object: %s", perr);
		goto out;
	}
	if (PQgetvalue(r, 0, 0)[0] != 't') {
		rc = 0;
		goto out;
	}
	PQclear(r);
	r = PQexec(conn, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
		log_error("%s failed: %s", rel, PQresultErrorMessage(r));
		goto out;
	}
	PQclear(r);
	r = NULL;
	if (et_pq_run(conn,
		      "INSERT INTO schema_object (name, checksum) VALUES ($1, md5($2))"
		      " ON CONFLICT (name) DO UPDATE SET checksum = EXCLUDED.checksum,"
		      " applied_at = now()",
		      2, p, perr, sizeof(perr)))
		log_error("recording %s: %s", rel, perr);
	else
		rc = 1;
out:
	PQclear(r);
	free(sql);
	return rc;
}

/* The functions and views of dir/objects.list (one path relative to dir a
 * line; '#' starts a comment), those that changed applied in list order in
 * one transaction: one failure leaves every object as it was. A directory
 * without the list (an older layout) has none. Returns 0 or -1; counts in
 * ret_applied and ret_total. */
/* One line of migrate's report in lang: msg with {1} = a and {2} = b. */
static void say(et_lang_t lang, et_msg_t msg, const char *a, const char *b)
{
	char line[600];
	et_msg_fill(line, sizeof(line), lang, msg, 2, a, b);
	printf("%s\n", line);
}

static int apply_objects(PGconn *conn, const char *dir, et_lang_t lang, int *ret_applied,
			 int *ret_total)
{
	char path[PATH_MAX + 32];
	*ret_applied = *ret_total = 0;
	snprintf(path, sizeof(path), "%s/objects.list", dir);
	if (access(path, F_OK) != 0)
		return 0;
	char *list = read_in(dir, "objects.list", 1u << 20);
	if (!list)
		return -1;
	if (tool_exec(conn, "BEGIN", "begin")) {
		free(list);
		return -1;
	}
	int rc = 0;
	char *save = NULL, *applied[1000];
	for (char *line = strtok_r(list, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		while (*line && isspace((unsigned char)*line))
			line++;
		size_t n = strlen(line);
		while (n > 0 && isspace((unsigned char)line[n - 1]))
			line[--n] = '\0';
		if (n == 0)
			continue;
		(*ret_total)++;
		int k = *ret_applied < 1000 ? apply_object(conn, dir, line) : -1;
		if (k < 0) {
			rc = -1;
			break;
		}
		if (k > 0)
			applied[(*ret_applied)++] = line;
	}
	if (rc || tool_exec(conn, "COMMIT", "commit")) {
		PQclear(PQexec(conn, "ROLLBACK"));
		log_error("no function or view was changed");
		rc = -1;
	} else {
		/* said once committed: a failed run applied nothing */
		for (int i = 0; i < *ret_applied; i++)
			say(lang, ET_MSG_TOOL_APPLIED, applied[i], NULL);
	}
	free(list);
	return rc;
}

/* A baseline (NNN_baseline.sql) stands for the migrations before it: it
 * cannot be applied over some of them. Returns 0 when the ledger holds none
 * of them, -1 (logged) otherwise. */
static int baseline_fits(PGconn *conn, const char *name, int version)
{
	if (!strstr(name, "_baseline"))
		return 0;
	char vbuf[16];
	snprintf(vbuf, sizeof(vbuf), "%d", version);
	const char *p[1] = {vbuf};
	PGresult *r = PQexecParams(conn,
				   "SELECT coalesce(max(version), 0) FROM schema_migration"
				   " WHERE version > 0 AND version < $1",
				   1, NULL, p, NULL, NULL, 0);
	int rc = -1;
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		log_error("reading schema_migration: %s", PQresultErrorMessage(r));
	else if (atoi(PQgetvalue(r, 0, 0)) > 0)
		log_error("the database holds the migrations up to %03d of an older layout, which "
			  "%s replaces: migrate it to %03d with the enertrack that made it first",
			  atoi(PQgetvalue(r, 0, 0)), name, version);
	else
		rc = 0;
	PQclear(r);
	return rc;
}

static int is_data_file(const char *name)
{
	size_t n = strlen(name);
	return n > 4 && name[0] != '.' && strcmp(name + n - 4, ".sql") == 0;
}

/* The names in dir that keep(), sorted; returns how many (at most max). */
static size_t list_files(const char *dir, int (*keep)(const char *), char **names, size_t max)
{
	size_t n = 0;
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL && n < max) {
		if (keep(de->d_name) && (names[n] = strdup(de->d_name)) != NULL)
			n++;
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_names);
	return n;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A migration file is NNN_name.sql; returns NNN or -1. */
static int file_version(const char *name)
{
	size_t n = strlen(name);
	if (n < 9 || strcmp(name + n - 4, ".sql") != 0)
		return -1;
	if (!(name[0] >= '0' && name[0] <= '9') || !(name[1] >= '0' && name[1] <= '9') ||
	    !(name[2] >= '0' && name[2] <= '9') || name[3] != '_')
		return -1;
	return (name[0] - '0') * 100 + (name[1] - '0') * 10 + (name[2] - '0');
}

/* The SQL files are found relative to the executable, so that one build
 * installs under any PREFIX (and DESTDIR) without being rebuilt: the
 * installed layout <bin>/../share/enertrack/sql first, then a build tree's
 * <repo>/build/enertrack -> <repo>/sql. Nothing is compiled in, so `make
 * install PREFIX=...` never relinks the binaries that tests are running. */
static const char *find_sql_dir(const char *given, char *buf, size_t len)
{
	static const char *const rel[] = {"../share/enertrack/sql", "../sql"};
	char exe[PATH_MAX];

	if (given)
		return given;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash = n > 0 ? memrchr(exe, '/', (size_t)n) : NULL;
	if (slash) {
		*slash = '\0';
		for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
			int w = snprintf(buf, len, "%s/%s", exe, rel[i]);
			if (w > 0 && (size_t)w < len && access(buf, R_OK) == 0)
				return buf;
		}
	}
	return "sql";
}

static int is_migration_file(const char *name)
{
	return file_version(name) >= 0;
}

/* Sessions of enertrack_reader (psql, Grafana) see local time: the role's
 * TimeZone is [targets] timezone, set again at each migrate so that a change
 * of the configuration reaches it. 0, or -1 (logged). */
static int reader_timezone(PGconn *conn, const char *tz, et_lang_t lang)
{
	const char *p[1] = {tz};
	/* an older sql/ (a test's, or a partial upgrade) has no such function */
	PGresult *r = PQexec(conn, "SELECT to_regprocedure('enertrack_reader_timezone(text)')"
				   " IS NOT NULL");
	bool have = PQresultStatus(r) == PGRES_TUPLES_OK && PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	if (!have)
		return 0;
	r = PQexecParams(conn, "SELECT enertrack_reader_timezone($1)", 1, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		log_error("enertrack_reader's TimeZone: %s", PQresultErrorMessage(r));
		PQclear(r);
		return -1;
	}
	bool changed = PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	if (changed) /* said once, when it changes: a migrate with nothing to do prints one line */
		say(lang, ET_MSG_TOOL_READER_TZ, tz, NULL);
	return 0;
}

int migrate_main(int argc, char **argv)
{
	const char *config = NULL, *sqldir = NULL;
	bool seed = false;
	const et_opt_t opts[] = {
		ET_OPT_STR_ROW("config", 'c', &config, "FILE"),
		ET_OPT_STR_ROW("sql-dir", 'd', &sqldir, "DIR"),
		ET_OPT_FLAG_ROW("seed", 's', &seed),
	};
	static const char usage[] = "enertrack migrate [-c FILE] [--sql-dir DIR] [--seed]";
	static const char help[] =
		"  Applies the numbered migrations not yet applied, then the functions\n"
		"  and views whose files changed; --seed loads the sample data too.\n";
	char dirbuf[PATH_MAX + 8], datadir[PATH_MAX + 16];
	int rc = tool_parse_opts("migrate", usage, help, opts, TOOL_NOPTS(opts), argc, argv);
	if (rc)
		return rc < 0 ? 0 : rc;
	rc = 1;
	sqldir = find_sql_dir(sqldir, dirbuf, sizeof(dirbuf));

	DIR *d = opendir(sqldir);
	if (!d) {
		log_error("cannot open the migrations directory %s: %s", sqldir, strerror(errno));
		return 1;
	}
	closedir(d);
	char *names[1000], *data[1000];
	size_t nnames = list_files(sqldir, is_migration_file, names, 1000), ndata = 0;
	if (seed) {
		snprintf(datadir, sizeof(datadir), "%s/data", sqldir);
		ndata = list_files(datadir, is_data_file, data, 1000);
	}
	if (nnames == 0 || file_version(names[0]) != 0) {
		log_error("%s has no 000_*.sql (the schema_migration ledger)", sqldir);
		goto out_names;
	}

	tool_session_t s;
	char tz[128] = "";
	et_lang_t lang = ET_LANG_EN;
	int orc = tool_open(&s, "migrate", config, 0);
	PGconn *conn = s.conn;
	if (s.cfg_loaded) {
		snprintf(tz, sizeof(tz), "%s", s.cfg.tz);
		lang = s.cfg.lang;
	}
	s.conn = NULL; /* closed below, after the unlock */
	tool_close(&s);
	if (orc) {
		rc = orc;
		PQfinish(conn);
		goto out_names;
	}
	if (tool_exec(conn, "SELECT pg_advisory_lock(" MIGRATE_LOCK ")", "lock"))
		goto out_conn;
	PGresult *r = PQexec(conn, "SELECT to_regclass('schema_migration') IS NOT NULL");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		log_error("looking for schema_migration: %s", PQresultErrorMessage(r));
		PQclear(r);
		goto out_unlock;
	}
	int ledger = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);

	int applied = 0;
	for (size_t i = 0; i < nnames; i++) {
		char vbuf[16];
		int version = file_version(names[i]);
		if (ledger) {
			snprintf(vbuf, sizeof(vbuf), "%d", version);
			const char *p[1] = {vbuf};
			r = PQexecParams(conn,
					 "SELECT name FROM schema_migration WHERE version = $1", 1,
					 NULL, p, NULL, NULL, 0);
			if (PQresultStatus(r) != PGRES_TUPLES_OK) {
				log_error("reading schema_migration: %s", PQresultErrorMessage(r));
				PQclear(r);
				goto out_unlock;
			}
			int done = PQntuples(r) > 0;
			PQclear(r);
			if (done)
				continue;
		}
		if ((ledger && baseline_fits(conn, names[i], version)) ||
		    apply_file(conn, sqldir, names[i], version))
			goto out_unlock;
		ledger = 1;
		say(lang, ET_MSG_TOOL_APPLIED, names[i], NULL);
		applied++;
	}
	int objs_applied, objs_total;
	if (apply_objects(conn, sqldir, lang, &objs_applied, &objs_total))
		goto out_unlock;
	if (!applied && !objs_applied) {
		char a[16], b[16];
		snprintf(a, sizeof(a), "%zu", nnames);
		snprintf(b, sizeof(b), "%d", objs_total);
		say(lang, ET_MSG_TOOL_UP_TO_DATE, a, b);
	}
	for (size_t i = 0; i < ndata; i++) {
		if (apply_file(conn, datadir, data[i], -1))
			goto out_unlock;
		say(lang, ET_MSG_TOOL_LOADED, data[i], NULL);
	}
	if (reader_timezone(conn, tz, lang))
		goto out_unlock;
	rc = 0;
out_unlock:
	PQclear(PQexec(conn, "SELECT pg_advisory_unlock(" MIGRATE_LOCK ")"));
out_conn:
	PQfinish(conn);
out_names:
	for (size_t i = 0; i < nnames; i++)
		free(names[i]);
	for (size_t i = 0; i < ndata; i++)
		free(data[i]);
	return rc;
}
