/* SPDX-License-Identifier: MIT */
/* The libpq helpers every SQL-side module shares: run a statement, read a
 * number or an instant from a result, and set this session's target
 * settings (time zone, thresholds, statistics sources). Blocking libpq:
 * call them from a thread that may block. Not here: connecting
 * (db/connect), queueing a mail (db/outbox). */
#ifndef ENERTRACK_DB_PQ_H
#define ENERTRACK_DB_PQ_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Runs one statement that returns no rows or some; 0, or -EIO with the
 * server's message in err. */
int et_pq_exec(PGconn *conn, const char *sql, char *err, size_t errlen);

/* Runs sql with the n text parameters p (NULL: SQL NULL); the result
 * (rows or none) for the caller to PQclear, or NULL with the server's
 * message in err. The one way a statement with parameters is run. */
PGresult *et_pq_query(PGconn *conn, const char *sql, int n, const char *const *p, char *err,
		      size_t errlen);

/* The same for a statement whose rows nobody reads: 0, or -EIO with the
 * server's message in err. */
int et_pq_run(PGconn *conn, const char *sql, int n, const char *const *p, char *err, size_t errlen);

/* Copies r's error message into err, clears r (taken) and returns -EIO:
 * the one way a failed statement ends. */
int et_pq_fail(PGresult *r, char *err, size_t errlen);

/* The value at (row, col) as a double; NaN when NULL. */
double et_pq_num(const PGresult *r, int row, int col);

/* The value at (row, col), seconds since the epoch (extract(epoch ...)), as
 * µs; 0 when NULL. */
int64_t et_pq_us(const PGresult *r, int row, int col);

/* The value at (row, col), or NULL when it is NULL (PQgetvalue gives ""). */
const char *et_pq_str(const PGresult *r, int row, int col);

/* Makes the target functions of this session use tz, min_elapsed_pct and
 * stale_after_s (the session settings enertrack.timezone, ... that the view
 * target_setting prefers, sql/views/target_setting.sql) instead of the stored row:
 * until the end of the transaction when local, else for the session. With
 * store, they also become the stored row (the daemon's, which the views use
 * in other sessions). Returns 0, or -EIO with the server's message in err. */
int et_pq_use_settings(PGconn *conn, const char *tz, double min_elapsed_pct, int stale_after_s,
		       bool local, bool store, char *err, size_t errlen);

/* Makes target_setting.statistics_sources of this session the list in
 * sources ("a, b c": first preferred; NULL or "": every source, by name):
 * until the end of the transaction when local; with store, also in the
 * stored row. Returns 0, or -EIO with the server's message in err. */
int et_truth_use_sources(PGconn *conn, const char *sources, bool local, bool store, char *err,
			 size_t errlen);

#endif
