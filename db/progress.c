/* SPDX-License-Identifier: MIT */
/* The target_progress_at() loader (see progress.h). One statement: the
 * function's columns in its order, then the label, the alert state and the
 * silence; the rows keep pointers into the PGresult, so loading copies no
 * string. */
#include "db/progress.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "db/pq.h"

enum {
	P_ID,
	P_LABEL,
	P_METRIC,
	P_YEAR,
	P_SCOPE,
	P_KIND,
	P_TARGET,
	P_UNIT,
	P_DUNIT,
	P_DDIV,
	P_ELAPSED,
	P_EXPECTED,
	P_ACTUAL,
	P_DRIFT,
	P_PROJECTED,
	P_REQUIRED,
	P_REPORTING,
	P_STALE,
	P_SHORTFALL,
	P_TOL,
	P_STATUS,
	P_PLAN,
	P_SCHED,
	P_SCHED_NOTE,
	P_MONTHS,
	P_MDUE,
	P_LATE,
	P_ASTATE,
	P_ASINCE,
	P_ALASTMAIL,
	P_SILENCED,
	P_AT,
};

static const char progress_sql[] =
	"SELECT p.target_id, coalesce(metric_label(p.metric, $2), p.label), p.metric, p.year,"
	" p.scope, p.kind, p.target, p.unit, p.display_unit, p.display_div, p.elapsed_pct,"
	" p.expected, p.actual, p.drift_pct, p.projected, p.required_daily, p.sites_reporting,"
	" p.sites_stale, p.stale_shortfall, p.tolerance_pct, p.status, p.plan_text,"
	" p.schedule_used, p.schedule_note, p.month_sources, p.milestones_due, p.late_projects,"
	" a.state, extract(epoch FROM a.since), extract(epoch FROM a.last_mail_at),"
	" alert_silenced(p.target_id, $1::timestamptz), extract(epoch FROM $1::timestamptz)"
	" FROM target_progress_at($1::timestamptz) p"
	" LEFT JOIN alert_state a ON a.target_id = p.target_id"
	" ORDER BY p.target_id";

static const char *str(const PGresult *r, int i, int c)
{
	return PQgetvalue(r, i, c); /* "" when NULL */
}

static int num_i(const PGresult *r, int i, int c)
{
	return atoi(PQgetvalue(r, i, c));
}

static void fill(const PGresult *r, int i, et_progress_t *p)
{
	*p = (et_progress_t){
		.target_id = num_i(r, i, P_ID),
		.id = str(r, i, P_ID),
		.label = str(r, i, P_LABEL),
		.metric = str(r, i, P_METRIC),
		.year = num_i(r, i, P_YEAR),
		.scope = str(r, i, P_SCOPE),
		.kind = str(r, i, P_KIND),
		.unit = str(r, i, P_UNIT),
		.display_unit = str(r, i, P_DUNIT),
		.target = et_pq_num(r, i, P_TARGET),
		.display_div = et_pq_num(r, i, P_DDIV),
		.elapsed_pct = et_pq_num(r, i, P_ELAPSED),
		.expected = et_pq_num(r, i, P_EXPECTED),
		.actual = et_pq_num(r, i, P_ACTUAL),
		.drift_pct = et_pq_num(r, i, P_DRIFT),
		.projected = et_pq_num(r, i, P_PROJECTED),
		.required_daily = et_pq_num(r, i, P_REQUIRED),
		.sites_reporting = num_i(r, i, P_REPORTING),
		.sites_stale = num_i(r, i, P_STALE),
		.stale_shortfall = et_pq_num(r, i, P_SHORTFALL),
		.tolerance_pct = et_pq_num(r, i, P_TOL),
		.status = str(r, i, P_STATUS),
		.plan_text = et_pq_str(r, i, P_PLAN),
		.schedule_used = str(r, i, P_SCHED),
		.schedule_note = str(r, i, P_SCHED_NOTE),
		.month_sources = str(r, i, P_MONTHS),
		.milestones_due = num_i(r, i, P_MDUE),
		.late_projects = str(r, i, P_LATE),
		.alert_state = et_pq_str(r, i, P_ASTATE),
		.alert_since_us = et_pq_us(r, i, P_ASINCE),
		.alert_last_mail_us = et_pq_us(r, i, P_ALASTMAIL),
		.silenced_by = et_pq_str(r, i, P_SILENCED),
	};
}

int et_progress_load(PGconn *conn, const char *at, et_lang_t lang, et_progress_set_t *ret,
		     char *err, size_t errlen)
{
	*ret = (et_progress_set_t)ET_PROGRESS_SET_INIT;
	const char *p[2] = {at ? at : "now", et_lang_tag(lang)};
	PGresult *r = PQexecParams(conn, progress_sql, 2, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		return et_pq_fail(r, err, errlen);
	int n = PQntuples(r);
	et_progress_t *rows = n ? calloc((size_t)n, sizeof(*rows)) : NULL;
	if (n && !rows) {
		PQclear(r);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++)
		fill(r, i, &rows[i]);
	ret->rows = rows;
	ret->n = (size_t)n;
	ret->res = r;
	/* the instant, even with no target: a second statement is not needed */
	if (n)
		ret->at_us = et_pq_us(r, 0, P_AT);
	return 0;
}

const et_progress_t *et_progress_find(const et_progress_set_t *s, int target_id)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->rows[i].target_id == target_id)
			return &s->rows[i];
	return NULL;
}

void et_progress_free(et_progress_set_t *s)
{
	free(s->rows);
	PQclear(s->res);
	*s = (et_progress_set_t)ET_PROGRESS_SET_INIT;
}
