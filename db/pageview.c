/* SPDX-License-Identifier: MIT */
/* The page's year and instant (pageview.h): one query decides them, the
 * years with targets come with it. */
#include "db/pageview.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The year shown and its instant: ?at= as given; ?year= at the year's end
 * (or now, within the current year; its start for a year to come, one
 * microsecond in: 1 January 00:00 itself is the year before's end,
 * docs/targets.md); neither,
 * now, in the latest year that has targets when the current one has none.
 * An instant is in the year it ends, so a past year's end is 1 January
 * 00:00 of the next, the report's instant, shown as "12-31 24:00" as
 * `enertrack report` shows it (tools/cmd_report.c). */
static const char view_sql[] =
	"WITH a AS (SELECT nullif($1, '')::int AS y, nullif($2, '')::timestamptz AS at),"
	" asked AS (SELECT coalesce(a.y, extract(year FROM (coalesce(a.at, now())"
	"  - interval '1 microsecond') AT TIME ZONE $3)::int) AS y, a.at FROM a),"
	" pick AS (SELECT CASE WHEN $1 = '' AND $2 = '' AND NOT EXISTS"
	"  (SELECT 1 FROM target t WHERE t.year = asked.y) THEN coalesce((SELECT max(year)"
	"  FROM target), asked.y) ELSE asked.y END AS y, asked.y AS asked, asked.at FROM asked),"
	" inst AS (SELECT y, asked, coalesce(at, greatest(make_timestamptz(y, 1, 1, 0, 0, 0, $3)"
	"  + interval '1 microsecond',"
	"  least(now(), make_timestamptz(y + 1, 1, 1, 0, 0, 0, $3))))"
	"  AS at, at IS NOT NULL AS given FROM pick)"
	" SELECT y, asked, at::text, CASE WHEN at = make_timestamptz(y + 1, 1, 1, 0, 0, 0, $3)"
	"  THEN y || '-12-31 24:00' ELSE to_char(at AT TIME ZONE $3, 'YYYY-MM-DD HH24:MI') END,"
	"  extract(year FROM (at - interval '1 microsecond') AT TIME ZONE $3)::int = y,"
	"  given OR at < now() - interval '1 minute',"
	"  (SELECT string_agg(DISTINCT year::text, ',') FROM target)"
	" FROM inst";

/* Fills v's year and instant. 0; -EINVAL with the words for a bad request
 * in err; -EIO. */
int et_page_view_resolve(PGconn *conn, et_lang_t lang, const char *tz, et_page_view_t *v, char *err,
			 size_t errlen)
{
	if (v->q.year[0]) {
		char *end;
		long y = strtol(v->q.year, &end, 10);
		if (*end || y < 2000 || y > 2200) {
			et_msg_fill(err, errlen, lang, ET_MSG_PAGE_BAD_YEAR, 1, v->q.year);
			return -EINVAL;
		}
	}
	const char *vp[3] = {v->q.year, v->q.at, tz};
	PGresult *r = PQexecParams(conn, view_sql, 3, NULL, vp, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		bool bad = state && strncmp(state, "22", 2) == 0; /* data exception: the value */
		if (bad)
			et_msg_fill(err, errlen, lang, ET_MSG_PAGE_BAD_AT, 1, v->q.at);
		else
			snprintf(err, errlen, "%s", PQresultErrorMessage(r));
		err[strcspn(err, "\n")] = '\0';
		PQclear(r);
		return bad ? -EINVAL : -EIO;
	}
	v->year = atoi(PQgetvalue(r, 0, 0));
	v->asked_year = atoi(PQgetvalue(r, 0, 1));
	snprintf(v->at, sizeof(v->at), "%s", PQgetvalue(r, 0, 2));
	snprintf(v->as_of, sizeof(v->as_of), "%s", PQgetvalue(r, 0, 3));
	bool in_year = PQgetvalue(r, 0, 4)[0] == 't';
	v->past = PQgetvalue(r, 0, 5)[0] == 't';
	for (const char *y = PQgetvalue(r, 0, 6); *y && v->nyears < 64;) {
		v->years[v->nyears++] = atoi(y);
		y += strcspn(y, ",");
		y += *y == ',';
	}
	PQclear(r);
	/* string_agg of text sorts as text: the same as numbers for four digits */
	if (!in_year) {
		et_msg_fill(err, errlen, lang, ET_MSG_PAGE_AT_NOT_IN_YEAR, 2, v->q.at, v->q.year);
		return -EINVAL;
	}
	return 0;
}
