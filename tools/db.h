/* SPDX-License-Identifier: MIT */
/* The operator tool's PostgreSQL helpers: connect as the configuration says. */
#ifndef ENERTRACK_TOOLS_DB_H
#define ENERTRACK_TOOLS_DB_H

#include <libpq-fe.h>

#include "enertrack/config.h"

/* Connects with the configured conninfo and password_file; logs and returns
 * NULL on failure. */
PGconn *tool_connect(const et_config_t *cfg);
/* The same with another conninfo. */
PGconn *tool_connect_to(const et_config_t *cfg, const char *conninfo);
/* For reads (status, reports): [postgres] reader_conninfo, or conninfo when
 * that is empty, in a read-only session (default_transaction_read_only). */
PGconn *tool_connect_reader(const et_config_t *cfg);

/* For the subcommands that read the targets (status, evaluate): logs one
 * line that says to run `enertrack migrate -c config` when the database was
 * never migrated or lacks a later migration they need. Returns 0 when the
 * schema is there, -1 otherwise (also when the check itself failed). */
int tool_check_schema(PGconn *conn, const char *config);

int migrate_main(int argc, char **argv);
int status_main(int argc, char **argv);
int evaluate_main(int argc, char **argv);
int import_main(int argc, char **argv);
int silence_main(int argc, char **argv);
int ack_main(int argc, char **argv);
int report_main(int argc, char **argv);
int chart_main(int argc, char **argv);

#endif
