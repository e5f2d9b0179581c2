/* SPDX-License-Identifier: MIT */
/* Connecting the operator's tool to PostgreSQL as the configuration says
 * (conninfo, reader_conninfo, password_file), and the check that the
 * database was migrated far enough for the subcommands that read it.
 * Blocking libpq: for the tools' main thread, not for the daemon's loop. */
#ifndef ENERTRACK_DB_CONNECT_H
#define ENERTRACK_DB_CONNECT_H

#include <libpq-fe.h>

#include "enertrack/config.h"

/* Connects with the configured conninfo and password_file; logs and returns
 * NULL on failure. The caller owns the connection (PQfinish). */
PGconn *tool_connect(const et_config_t *cfg);
/* The same with another conninfo (borrowed). */
PGconn *tool_connect_to(const et_config_t *cfg, const char *conninfo);
/* For reads (status, reports): [postgres] reader_conninfo, or conninfo when
 * that is empty, in a read-only session (default_transaction_read_only). */
PGconn *tool_connect_reader(const et_config_t *cfg);

/* For the subcommands that read the targets (status, evaluate): logs one
 * line that says to run `enertrack migrate -c config` when the database was
 * never migrated or lacks a later migration they need. Returns 0 when the
 * schema is there, -1 otherwise (also when the check itself failed). */
int tool_check_schema(PGconn *conn, const char *config);

#endif
