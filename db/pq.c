/* SPDX-License-Identifier: MIT */
/* The libpq helpers (see pq.h). They were in the evaluation and the truth
 * mails, which included each other for them; here nothing includes back. */
#include "db/pq.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int et_pq_exec(PGconn *conn, const char *sql, char *err, size_t errlen)
{
	PGresult *r = PQexec(conn, sql);
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
	if (!ok)
		snprintf(err, errlen, "%s", PQresultErrorMessage(r));
	PQclear(r);
	return ok ? 0 : -EIO;
}

int et_pq_fail(PGresult *r, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s", r ? PQresultErrorMessage(r) : "out of memory");
	PQclear(r);
	return -EIO;
}

PGresult *et_pq_query(PGconn *conn, const char *sql, int n, const char *const *p, char *err,
		      size_t errlen)
{
	PGresult *r = PQexecParams(conn, sql, n, NULL, p, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(r);
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return r;
	et_pq_fail(r, err, errlen);
	return NULL;
}

int et_pq_run(PGconn *conn, const char *sql, int n, const char *const *p, char *err, size_t errlen)
{
	PGresult *r = et_pq_query(conn, sql, n, p, err, errlen);
	PQclear(r);
	return r ? 0 : -EIO;
}

double et_pq_num(const PGresult *r, int row, int col)
{
	if (PQgetisnull(r, row, col))
		return NAN;
	return strtod(PQgetvalue(r, row, col), NULL);
}

int64_t et_pq_us(const PGresult *r, int row, int col)
{
	if (PQgetisnull(r, row, col))
		return 0;
	return (int64_t)llround(strtod(PQgetvalue(r, row, col), NULL) * 1e6);
}

const char *et_pq_str(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

int et_pq_use_settings(PGconn *conn, const char *tz, double min_elapsed_pct, int stale_after_s,
		       bool local, bool store, char *err, size_t errlen)
{
	char mep[40], sas[24];
	snprintf(mep, sizeof(mep), "%.17g", min_elapsed_pct);
	snprintf(sas, sizeof(sas), "%d", stale_after_s);
	const char *p[4] = {tz, mep, sas, local ? "true" : "false"};
	/* the stored row first: the view prefers the session's values set below */
	if (store &&
	    et_pq_run(conn,
		      "UPDATE target_setting SET timezone = $1, min_elapsed_pct = $2,"
		      " stale_after_s = $3 WHERE (timezone, min_elapsed_pct, stale_after_s)"
		      " IS DISTINCT FROM ($1, $2::double precision, $3::integer)",
		      3, p, err, errlen))
		return -EIO;
	return et_pq_run(conn,
			 "SELECT set_config('enertrack.timezone', $1, $4::boolean),"
			 " set_config('enertrack.min_elapsed_pct', $2, $4::boolean),"
			 " set_config('enertrack.stale_after_s', $3, $4::boolean)",
			 4, p, err, errlen);
}

int et_truth_use_sources(PGconn *conn, const char *sources, bool local, bool store, char *err,
			 size_t errlen)
{
	/* "a, b c" -> "a,b,c"; '-' is the session's way to say "none listed" */
	char list[1024], buf[1024];
	size_t n = 0;
	snprintf(buf, sizeof(buf), "%s", sources ? sources : "");
	list[0] = '\0';
	for (char *save = NULL, *t = strtok_r(buf, " ,\t", &save); t && n < sizeof(list);
	     t = strtok_r(NULL, " ,\t", &save))
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", n ? "," : "", t);
	if (!list[0])
		snprintf(list, sizeof(list), "-");
	const char *p[2] = {list, local ? "true" : "false"};
	if (store && et_pq_run(conn,
			       "UPDATE target_setting SET statistics_sources = x.l"
			       " FROM (SELECT coalesce(array_remove(string_to_array("
			       "  nullif($1, '-'), ','), ''), '{}') AS l) x"
			       " WHERE statistics_sources IS DISTINCT FROM x.l",
			       1, p, err, errlen))
		return -EIO;
	return et_pq_run(conn, "SELECT set_config('enertrack.statistics_sources', $1, $2::boolean)",
			 2, p, err, errlen);
}
