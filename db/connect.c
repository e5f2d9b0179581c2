/* SPDX-License-Identifier: MIT */
/* The tools' connection to PostgreSQL: the configured conninfo and password
 * file, a read-only session for reports, and the check that the schema is
 * new enough (db/connect.h). Shared by every subcommand that reads or writes
 * the database; `enertrack migrate` itself is tools/cmd_migrate.c. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/pgconn.h"
#include "db/connect.h"
#include "enertrack/file.h"
#include "enertrack/log.h"

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
#define SCHEMA_LATEST 21

int tool_check_schema(PGconn *conn, const char *config)
{
	PGresult *r = PQexec(conn, "SELECT to_regclass('schema_migration') IS NOT NULL");
	int rc = -1;
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		log_error("cannot read the schema: %s", PQresultErrorMessage(r));
	} else if (PQgetvalue(r, 0, 0)[0] != 't') {
		log_error("the database has no enertrack schema (it was never migrated): run "
			  "enertrack migrate -c %s",
			  config);
	} else {
		PQclear(r);
		/* the version first: a database that lacks a migration lacks the
		 * functions too (migrate applies them after the migrations) */
		r = PQexec(conn, "SELECT coalesce(max(version), -1),"
				 " to_regprocedure('target_progress_at(timestamptz)') IS NOT NULL"
				 " FROM schema_migration");
		int ok = PQresultStatus(r) == PGRES_TUPLES_OK;
		int latest = ok ? atoi(PQgetvalue(r, 0, 0)) : -1;
		if (!ok)
			log_error("cannot read schema_migration: %s", PQresultErrorMessage(r));
		else if (latest < SCHEMA_LATEST)
			log_error(
				"the database's schema is older than this enertrack (migrations up "
				"to %03d applied, %03d needed): run enertrack migrate -c %s",
				latest, SCHEMA_LATEST, config);
		else if (PQgetvalue(r, 0, 1)[0] != 't')
			log_error("the database has no function target_progress_at (its functions "
				  "were never applied): run enertrack migrate -c %s",
				  config);
		else
			rc = 0;
	}
	PQclear(r);
	return rc;
}
