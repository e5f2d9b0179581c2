/* SPDX-License-Identifier: MIT */
/* The plans over several years (plans.h): the yearly declines compounded
 * (target_plan_progress()) against the plan's cumulative 序时进度, the
 * drift in percentage points, and a status judged on the target's
 * tolerance, at the end of the last year closed before the instant. */
#include "db/plans.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/pq.h"

/* The last year closed before $1 in the targets' zone; a plan is shown from
 * its first year to the year after its last. */
static const char plans_sql[] =
	"SELECT t.id, coalesce(metric_label(t.metric, $2), x.label), t.metric, t.scope, t.kind,"
	" t.value, t.first_year, t.year, least(u.y, t.year), p.years_done, p.cumulative_pct,"
	" p.expected_pct, p.cumulative_pct - p.expected_pct, t.tolerance_pct, p.missing,"
	" CASE WHEN p.years_done = 0 THEN 'too_early'"
	"  WHEN p.cumulative_pct IS NULL THEN 'insufficient_data'"
	"  WHEN p.cumulative_pct - p.expected_pct < -t.tolerance_pct THEN 'behind'"
	"  WHEN p.cumulative_pct - p.expected_pct > t.tolerance_pct THEN 'ahead'"
	"  ELSE 'on_track' END, p.sentence, u.y"
	" FROM target t JOIN metric x ON x.name = t.metric, target_setting s,"
	" LATERAL (SELECT extract(year FROM $1::timestamptz AT TIME ZONE s.timezone)::integer - 1"
	"  AS y) u, LATERAL target_plan_progress(t, u.y) p"
	" WHERE t.first_year IS NOT NULL AND u.y + 1 BETWEEN t.first_year AND t.year + 1"
	" ORDER BY t.id";

PGresult *et_plans_query(PGconn *conn, const char *at, et_lang_t lang, char *err, size_t errlen)
{
	const char *p[2] = {at, et_lang_tag(lang)};
	PGresult *r = PQexecParams(conn, plans_sql, 2, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) == PGRES_TUPLES_OK)
		return r;
	snprintf(err, errlen, "%s", PQresultErrorMessage(r));
	err[strcspn(err, "\n")] = '\0';
	PQclear(r);
	return NULL;
}

static json_t *jnum(PGresult *r, int i, int c)
{
	double v = et_pq_num(r, i, c);
	return isnan(v) ? json_null() : json_real(v);
}

static json_t *jtext(PGresult *r, int i, int c)
{
	return PQgetisnull(r, i, c) ? json_null() : json_string(PQgetvalue(r, i, c));
}

static json_t *jint(PGresult *r, int i, int c)
{
	return json_integer(atoi(PQgetvalue(r, i, c)));
}

/* The one-year rows' names where they mean the same (expected and actual:
 * the cumulative 序时进度 and decline, in %; drift_pct in points), and the
 * plan's own. */
json_t *et_plan_json(PGresult *r, int i)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "target_id", jint(r, i, ET_PLAN_ID));
	json_object_set_new(o, "label", json_string(PQgetvalue(r, i, ET_PLAN_LABEL)));
	json_object_set_new(o, "metric", json_string(PQgetvalue(r, i, ET_PLAN_METRIC)));
	json_object_set_new(o, "first_year", jint(r, i, ET_PLAN_FIRST));
	json_object_set_new(o, "year", jint(r, i, ET_PLAN_YEAR));
	json_object_set_new(o, "scope", json_string(PQgetvalue(r, i, ET_PLAN_SCOPE)));
	json_object_set_new(o, "kind", json_string(PQgetvalue(r, i, ET_PLAN_KIND)));
	json_object_set_new(o, "target", jnum(r, i, ET_PLAN_VALUE));
	json_object_set_new(o, "upto", jint(r, i, ET_PLAN_UPTO));
	json_object_set_new(o, "years_done", jint(r, i, ET_PLAN_DONE));
	json_object_set_new(o, "expected", jnum(r, i, ET_PLAN_EXPECTED));
	json_object_set_new(o, "actual", jnum(r, i, ET_PLAN_ACTUAL));
	json_object_set_new(o, "drift_pct", jnum(r, i, ET_PLAN_DRIFT));
	json_object_set_new(o, "drift_unit", json_string("pp"));
	json_object_set_new(o, "tolerance_pct", jnum(r, i, ET_PLAN_TOL));
	json_object_set_new(o, "status", json_string(PQgetvalue(r, i, ET_PLAN_STATUS)));
	json_object_set_new(o, "display_unit", json_string("%"));
	json_object_set_new(o, "missing", jtext(r, i, ET_PLAN_MISSING));
	json_object_set_new(o, "sentence", jtext(r, i, ET_PLAN_SENTENCE));
	return o;
}

et_page_plan_t *et_plans_page_rows(PGresult *r)
{
	int n = PQntuples(r);
	et_page_plan_t *pl = calloc((size_t)n + 1, sizeof(*pl));
	for (int i = 0; pl && i < n; i++)
		pl[i] = (et_page_plan_t){
			.label = PQgetvalue(r, i, ET_PLAN_LABEL),
			.first_year = PQgetvalue(r, i, ET_PLAN_FIRST),
			.year = PQgetvalue(r, i, ET_PLAN_YEAR),
			.scope = PQgetvalue(r, i, ET_PLAN_SCOPE),
			.upto = PQgetvalue(r, i, ET_PLAN_UPTO),
			.status = PQgetvalue(r, i, ET_PLAN_STATUS),
			.missing = PQgetvalue(r, i, ET_PLAN_MISSING),
			.sentence = PQgetvalue(r, i, ET_PLAN_SENTENCE),
			.target = et_pq_num(r, i, ET_PLAN_VALUE),
			.expected = et_pq_num(r, i, ET_PLAN_EXPECTED),
			.actual = et_pq_num(r, i, ET_PLAN_ACTUAL),
			.drift_pct = et_pq_num(r, i, ET_PLAN_DRIFT),
		};
	return pl;
}
