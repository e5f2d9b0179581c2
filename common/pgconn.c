/* SPDX-License-Identifier: MIT */
/* PostgreSQL connections with the project's defaults (common/pgconn.h). */
#include "common/pgconn.h"

#include <stddef.h>

#include "enertrack/log.h"

PGconn *et_pg_connect(const char *conninfo, const char *password, const char *application_name,
		      const char *log_name)
{
	/* Defaults first; the conninfo (expanded from dbname) overrides them,
	 * and the password file overrides everything. */
	const char *keys[] = {"connect_timeout",
			      "keepalives",
			      "keepalives_idle",
			      "keepalives_interval",
			      "keepalives_count",
			      "tcp_user_timeout",
			      "fallback_application_name",
			      "dbname",
			      "password",
			      NULL};
	const char *vals[] = {"10",	"1",	  "10", "5", "3", "15000", application_name,
			      conninfo, password, NULL};
	if (!password)
		keys[8] = NULL;
	PGconn *conn = PQconnectdbParams(keys, vals, 1);
	/* the notice processor only reads its argument */
	if (conn)
		PQsetNoticeProcessor(conn, et_log_pq_notice, (void *)log_name);
	return conn;
}
