/* SPDX-License-Identifier: MIT */
/* One way to open a PostgreSQL connection, for the daemon's writer and
 * alerts threads and for the enertrack tool: the same defaults (time-outs,
 * TCP keepalives), the same precedence of conninfo and password file, and
 * the server's notices in the log. Blocking libpq. */
#ifndef ENERTRACK_COMMON_PGCONN_H
#define ENERTRACK_COMMON_PGCONN_H

#include <libpq-fe.h>

/* Connects, blocking for at most connect_timeout (10 s) per address.
 * Defaults first: connect_timeout 10, TCP keepalives (idle 10 s, interval
 * 5 s, count 3) and tcp_user_timeout 15 s, so that a dead network is
 * noticed, and fallback_application_name application_name. conninfo ([postgres]
 * conninfo, a connection string or URI, borrowed) overrides them; password
 * (the password file's content, borrowed, may be NULL) overrides conninfo.
 * The connection's notices are logged through et_log_pq_notice, named
 * log_name (a string that outlives the connection, or NULL). Returns the
 * connection whatever its PQstatus (the caller checks it, and PQfinishes it
 * either way), or NULL when libpq had no memory. Any thread. */
PGconn *et_pg_connect(const char *conninfo, const char *password, const char *application_name,
		      const char *log_name);

#endif
