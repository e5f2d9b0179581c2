/* SPDX-License-Identifier: MIT */
/* `enertrack migrate`: applies sql/NNN_*.sql in order, each once, each in
 * its own transaction, recorded in schema_migration (which 000_*.sql makes:
 * no DDL here). A session advisory lock makes two concurrent runs take turns,
 * so running it twice, or from two hosts at once, is safe. --seed then loads
 * every sql/data/NAME.sql, data files written to be loaded again without
 * harm. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/confload.h"
#include "common/pgconn.h"
#include "db.h"
#include "enertrack/file.h"
#include "enertrack/log.h"

#define MIGRATE_LOCK "hashtext('enertrack.migrate')"

PGconn *tool_connect(const et_config_t *cfg)
{
	return tool_connect_to(cfg, cfg->pg_conninfo);
}

PGconn *tool_connect_reader(const et_config_t *cfg)
{
	PGconn *conn = tool_connect_to(cfg, cfg->pg_reader_conninfo[0] ? cfg->pg_reader_conninfo
								       : cfg->pg_conninfo);
	if (!conn)
		return NULL;
	/* reads never write, on a primary as on a standby */
	PGresult *r = PQexec(conn, "SET default_transaction_read_only = on");
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		log_error("cannot make the session read-only: %s", PQresultErrorMessage(r));
	PQclear(r);
	if (!ok) {
		PQfinish(conn);
		return NULL;
	}
	return conn;
}

PGconn *tool_connect_to(const et_config_t *cfg, const char *conninfo)
{
	char err[300], *pw = NULL;
	if (et_secret_read_cred(cfg->pg_password_file, "postgres-password", &pw, err,
				sizeof(err))) {
		log_error("[postgres] password_file: %s", err);
		return NULL;
	}
	PGconn *conn = et_pg_connect(conninfo, pw, "enertrack", NULL);
	if (pw) {
		memset(pw, 0, strlen(pw));
		free(pw);
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		log_error("cannot connect to PostgreSQL: %s", PQerrorMessage(conn));
		PQfinish(conn);
		return NULL;
	}
	PGresult *r = PQexec(conn, "SET client_min_messages = warning");
	PQclear(r);
	return conn;
}

/* The newest migration this build reads and writes (sql/NNN_*.sql): the
 * tools refuse an older schema rather than fail on a missing relation. */
#define SCHEMA_LATEST 13

int tool_check_schema(PGconn *conn, const char *config)
{
	PGresult *r = PQexec(conn, "SELECT to_regprocedure('target_progress_at(timestamptz)')"
				   " IS NOT NULL AND to_regclass('schema_migration') IS NOT NULL");
	int rc = -1;
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		log_error("cannot read the schema: %s", PQresultErrorMessage(r));
	} else if (PQgetvalue(r, 0, 0)[0] != 't') {
		log_error("the database has no enertrack schema (it was never migrated): run "
			  "enertrack migrate -c %s",
			  config);
	} else {
		PQclear(r);
		r = PQexec(conn, "SELECT coalesce(max(version), -1) FROM schema_migration");
		int latest = PQresultStatus(r) == PGRES_TUPLES_OK ? atoi(PQgetvalue(r, 0, 0)) : -1;
		if (PQresultStatus(r) != PGRES_TUPLES_OK)
			log_error("cannot read schema_migration: %s", PQresultErrorMessage(r));
		else if (latest < SCHEMA_LATEST)
			log_error(
				"the database's schema is older than this enertrack (migrations up "
				"to %03d applied, %03d needed): run enertrack migrate -c %s",
				latest, SCHEMA_LATEST, config);
		else
			rc = 0;
	}
	PQclear(r);
	return rc;
}

static int cmp_names(const void *a, const void *b);

static int exec_cmd(PGconn *conn, const char *sql, const char *what)
{
	PGresult *r = PQexec(conn, sql);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
	if (!ok)
		log_error("%s: %s", what, PQresultErrorMessage(r));
	PQclear(r);
	return ok ? 0 : -1;
}

/* Runs the file dir/name in a transaction; with version >= 0, records it in
 * schema_migration in the same transaction. */
static int apply_file(PGconn *conn, const char *dir, const char *name, int version)
{
	char path[PATH_MAX + 300], err[400], vbuf[16], *sql;
	size_t len;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (et_file_read(path, &sql, &len, 16u << 20, err, sizeof(err))) {
		log_error("cannot read %s", err);
		return -1;
	}
	if (exec_cmd(conn, "BEGIN", "begin")) {
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
		r = PQexecParams(conn,
				 "INSERT INTO schema_migration (version, name) VALUES ($1, $2)", 2,
				 NULL, ip, NULL, NULL, 0);
		ok = PQresultStatus(r) == PGRES_COMMAND_OK;
		if (!ok)
			log_error("recording %s: %s", name, PQresultErrorMessage(r));
		PQclear(r);
	}
	if (!ok || exec_cmd(conn, "COMMIT", "commit")) {
		PQclear(PQexec(conn, "ROLLBACK"));
		return -1;
	}
	return 0;
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

#define MIGRATE_USAGE "usage: enertrack migrate -c FILE [--sql-dir DIR] [--seed]\n"

int migrate_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"sql-dir", required_argument, NULL, 'd'},
		{"seed", no_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *config = NULL, *sqldir = NULL;
	char dirbuf[PATH_MAX + 8], datadir[PATH_MAX + 16];
	int c, rc = 1, seed = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:d:sh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 'd':
			sqldir = optarg;
			break;
		case 's':
			seed = 1;
			break;
		case 'h':
			printf(MIGRATE_USAGE);
			return 0;
		default:
			return 2;
		}
	}
	if (!config) {
		fprintf(stderr, MIGRATE_USAGE);
		return 2;
	}
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

	et_config_t cfg;
	if (et_config_load(config, &cfg))
		goto out_names;
	PGconn *conn = tool_connect(&cfg);
	et_config_free(&cfg);
	if (!conn)
		goto out_names;
	if (exec_cmd(conn, "SELECT pg_advisory_lock(" MIGRATE_LOCK ")", "lock"))
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
		if (apply_file(conn, sqldir, names[i], version))
			goto out_unlock;
		ledger = 1;
		printf("applied %s\n", names[i]);
		applied++;
	}
	if (!applied)
		printf("schema is up to date (%zu migrations)\n", nnames);
	for (size_t i = 0; i < ndata; i++) {
		if (apply_file(conn, datadir, data[i], -1))
			goto out_unlock;
		printf("loaded data/%s\n", data[i]);
	}
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
