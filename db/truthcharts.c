/* SPDX-License-Identifier: MIT */
/* The truth mails' pictures (truthcharts.h): one query for the rows of the
 * chart, one for the county's sites, then draw/chart.c's paired bars; a
 * target without data, its progress chart (db/chartdata.c). */
#include "db/truthcharts.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/pq.h"
#include "db/chartdata.h"
#include "draw/chart.h"
#include "enertrack/numfmt.h"

/* A county's closed months (ended by `at`) of the year of the latest: one
 * row per month (the first source when several publish it). */
static const char months_sql[] =
	"WITH y AS (SELECT max(left(period, 4)) AS y FROM statistic WHERE scope = $1"
	"  AND metric = $2 AND period ~ '^[0-9]{4}-[0-9]{2}$' AND period_end <= $3::timestamptz)"
	" SELECT DISTINCT ON (v.period) v.period, v.official, v.telemetry, v.gap_pct,"
	"  x.display_unit, x.display_div, coalesce(metric_label(x.name, $4), x.label), y.y"
	" FROM telemetry_vs_statistics v, y, metric x"
	" WHERE v.scope = $1 AND v.metric = $2 AND left(v.period, 4) = y.y AND x.name = v.metric"
	/* the closed months: the last of them is the one the mail is about */
	"  AND (v.period || '-01')::date + 1 * interval '1 month' <= $3::timestamptz"
	" ORDER BY v.period, v.source";

/* The scope's sites in a month, the largest first. */
static const char sites_sql[] =
	"WITH p AS (SELECT period_start, period_end FROM statistic WHERE scope = $1 AND metric = $2"
	"  AND period = $3 LIMIT 1), z AS (SELECT timezone FROM target_setting)"
	" SELECT s.site_id, coalesce(s.name, s.site_id), sum(h.value_sum)"
	" FROM p, z, site s JOIN reading_hourly h ON h.site_id = s.site_id AND h.metric = $2"
	" WHERE target_scope_has($1, s.site_id, s.county)"
	"  AND h.hour >= p.period_start::timestamp AT TIME ZONE z.timezone"
	"  AND h.hour < p.period_end::timestamp AT TIME ZONE z.timezone"
	" GROUP BY 1, 2 ORDER BY 3 DESC, 1 LIMIT 20";

/* The register of the late project's target: every project, due first. */
static const char register_sql[] =
	"SELECT s.name, s.value, s.commissioned, s.late, s.days_late, s.due,"
	" coalesce(metric_label(t.metric, $3), x.label), t.year, t.scope, m.unit"
	" FROM target_milestone m0 JOIN target t ON t.id = m0.target_id"
	" JOIN metric x ON x.name = t.metric"
	" CROSS JOIN LATERAL target_milestone_state(t, $2::timestamptz) s"
	" JOIN target_milestone m ON m.id = s.milestone_id"
	" WHERE m0.id::text = $1 ORDER BY s.due, s.milestone_id LIMIT 24";

/* The same register, of the target a short register's mail is about. */
static const char target_register_sql[] =
	"SELECT s.name, s.value, s.commissioned, s.late, s.days_late, s.due,"
	" coalesce(metric_label(t.metric, $3), x.label), t.year, t.scope, m.unit"
	" FROM target t JOIN metric x ON x.name = t.metric"
	" CROSS JOIN LATERAL target_milestone_state(t, $2::timestamptz) s"
	" JOIN target_milestone m ON m.id = s.milestone_id"
	" WHERE t.id::text = $1 ORDER BY s.due, s.milestone_id LIMIT 24";

/* The counties' figures of a county_sum mail (key metric|period|source),
 * the largest first, each with the metric's words and the city's figure. */
static const char counties_sql[] =
	"WITH k AS (SELECT split_part($1, '|', 1) AS metric, split_part($1, '|', 2) AS period,"
	"  substr($1, length(split_part($1, '|', 1)) + length(split_part($1, '|', 2)) + 3)"
	"  AS source)"
	" SELECT substr(x.scope, 8), x.value, coalesce(metric_label(me.name, $2), me.label),"
	"  k.period, me.display_unit, me.display_div,"
	"  (SELECT c.value FROM statistic c WHERE c.scope = 'city' AND c.metric = k.metric"
	"   AND c.period = k.period AND c.source = k.source)"
	" FROM k JOIN statistic x ON x.metric = k.metric AND x.period = k.period"
	"  AND x.source = k.source JOIN metric me ON me.name = k.metric"
	" WHERE x.scope LIKE 'county:%' ORDER BY x.value DESC, x.scope";

static double num(PGresult *r, int i, int c)
{
	return PQgetisnull(r, i, c) ? NAN : strtod(PQgetvalue(r, i, c), NULL);
}

/* The unit a chart reads in (the bureau's, with bureau) from the first row's
 * display unit (column ucol) and divisor (dcol); *div becomes what a value in
 * canonical units is divided by to read in it. */
static const char *row_unit(PGresult *r, int ucol, int dcol, bool bureau, double *div)
{
	double k, d = num(r, 0, dcol);
	const char *unit = et_unit_local(PQgetvalue(r, 0, ucol), bureau, &k);
	*div = (d > 0 ? d : 1) / k;
	return unit;
}

/* The county's sites and their share of the month's gap, as an HTML table. */
static int sites_table(PGconn *conn, const char *scope, const char *metric, const char *period,
		       double gap, double div, const char *unit, int decimals, et_lang_t lang,
		       et_text_t *html, char *err, size_t errlen)
{
	const char *p[3] = {scope, metric, period};
	PGresult *r = et_pq_query(conn, sites_sql, 3, p, err, errlen);
	if (!r)
		return -EIO;
	double total = 0;
	for (int i = 0; i < PQntuples(r); i++)
		total += num(r, i, 2);
	char line[400], a[64], b[64];
	et_msg_fill(line, sizeof(line), lang, ET_MSG_TRUTH_SITES_HEAD, 1, period);
	et_text_put(html, "<h3 style=\"font-size:15px;margin:12px 0 4px\">");
	et_text_html(html, line);
	et_text_put(html, "</h3>\n<table style=\"border-collapse:collapse;font-size:14px\">"
			  "<tr><th style=\"text-align:left;padding:2px 6px\">");
	et_text_html(html, et_msg(lang, ET_MSG_WORD_SITE));
	et_msg_fill(a, sizeof(a), lang, ET_MSG_TRUTH_COL_TELEMETRY, 1, unit);
	et_msg_fill(b, sizeof(b), lang, ET_MSG_TRUTH_COL_GAP, 1, unit);
	et_text_printf(html, "</th><th style=\"text-align:right;padding:2px 6px\">");
	et_text_html(html, a);
	et_text_put(html, "</th><th style=\"text-align:right;padding:2px 6px\">");
	et_text_html(html, et_msg(lang, ET_MSG_TRUTH_COL_SHARE));
	et_text_put(html, "</th><th style=\"text-align:right;padding:2px 6px\">");
	et_text_html(html, b);
	et_text_put(html, "</th></tr>\n");
	for (int i = 0; i < PQntuples(r); i++) {
		double v = num(r, i, 2), share = total > 0 ? v / total : NAN;
		char tv[64], sh[32], gv[64];
		et_num_fixed(tv, sizeof(tv), v / div, decimals, true);
		et_num_pct(sh, sizeof(sh), 100 * share, false);
		et_num_fixed(gv, sizeof(gv), share * gap / div, decimals, true);
		et_text_put(html, "<tr><td style=\"padding:2px 6px\">");
		et_text_html(html, PQgetvalue(r, i, 1));
		et_text_printf(html,
			       "</td><td style=\"text-align:right;padding:2px 6px\">%s</td>"
			       "<td style=\"text-align:right;padding:2px 6px\">%s</td>"
			       "<td style=\"text-align:right;padding:2px 6px\">%s</td></tr>\n",
			       tv, sh, gv);
	}
	et_text_put(html, "</table>\n");
	PQclear(r);
	return 0;
}

/* A chart's rows: the result when the query has some; else NULL with *rc
 * -ENOENT (nothing to draw) or -EIO (err says why). */
static PGresult *chart_rows(PGconn *conn, const char *sql, int n, const char *const *p, int *rc,
			    char *err, size_t errlen)
{
	PGresult *r = et_pq_query(conn, sql, n, p, err, errlen);
	*rc = r ? -ENOENT : -EIO;
	if (r && PQntuples(r) == 0) {
		PQclear(r);
		return NULL;
	}
	return r;
}

static int months_chart(PGconn *conn, const char *key, const char *at, et_lang_t lang, bool bureau,
			et_chart_pairs_t *p, et_text_t *html, char *err, size_t errlen)
{
	char scope[200], metric[100];
	const char *bar = strchr(key, '|');
	if (!bar)
		return -ENOENT;
	snprintf(scope, sizeof(scope), "%.*s", (int)(bar - key), key);
	snprintf(metric, sizeof(metric), "%s", bar + 1);
	const char *qp[4] = {scope, metric, at, et_lang_tag(lang)};
	int rc;
	PGresult *r = chart_rows(conn, months_sql, 4, qp, &rc, err, errlen);
	if (!r)
		return rc;
	int n = PQntuples(r);
	double div;
	const char *unit = row_unit(r, 4, 5, bureau, &div);
	char where[128];
	et_scope_text(lang, scope, where, sizeof(where));
	et_msg_fill(p->title, sizeof(p->title), lang, ET_MSG_TRUTH_MONTHS_TITLE, 3, where,
		    PQgetvalue(r, 0, 6), PQgetvalue(r, 0, 7));
	snprintf(p->subtitle, sizeof(p->subtitle), "%s", unit);
	snprintf(p->a_name, sizeof(p->a_name), "%s", et_msg(lang, ET_MSG_TRUTH_STATISTICS));
	snprintf(p->b_name, sizeof(p->b_name), "%s", et_msg(lang, ET_MSG_TRUTH_TELEMETRY));
	snprintf(p->mark_name, sizeof(p->mark_name), "%s", et_msg(lang, ET_MSG_TRUTH_DIFFERS));
	for (int i = n > ET_CHART_MAX_PAIRS ? n - ET_CHART_MAX_PAIRS : 0; i < n; i++) {
		struct et_chart_pair *row = &p->rows[p->n++];
		snprintf(row->name, sizeof(row->name), "%s", PQgetvalue(r, i, 0));
		row->a = num(r, i, 1) / div;
		row->b = (PQgetisnull(r, i, 2) ? 0 : num(r, i, 2)) / div;
		row->mark = i == n - 1; /* the latest month, the one the mail is about */
		et_num_pct(row->note, sizeof(row->note), num(r, i, 3), true);
	}
	rc = 0;
	if (html) {
		double gap = (PQgetisnull(r, n - 1, 2) ? 0 : num(r, n - 1, 2)) - num(r, n - 1, 1);
		rc = sites_table(conn, scope, metric, PQgetvalue(r, n - 1, 0), gap, div, unit,
				 et_unit_decimals(unit), lang, html, err, errlen);
	}
	PQclear(r);
	return rc;
}

/* The register of a late project (key: its milestone) or, of_target, of a
 * target whose register falls short (key: the target). */
static int register_chart(PGconn *conn, const char *key, bool of_target, const char *at,
			  et_lang_t lang, bool bureau, et_chart_pairs_t *p, char *err,
			  size_t errlen)
{
	const char *qp[3] = {key, at, et_lang_tag(lang)};
	int rc;
	PGresult *r = chart_rows(conn, of_target ? target_register_sql : register_sql, 3, qp, &rc,
				 err, errlen);
	if (!r)
		return rc;
	int n = PQntuples(r);
	double k;
	const char *unit = et_unit_local(PQgetvalue(r, 0, 9), bureau, &k);
	char where[128];
	et_scope_text(lang, PQgetvalue(r, 0, 8), where, sizeof(where));
	et_msg_fill(p->title, sizeof(p->title), lang, ET_MSG_TRUTH_REGISTER_TITLE, 2,
		    PQgetvalue(r, 0, 6), PQgetvalue(r, 0, 7));
	snprintf(p->subtitle, sizeof(p->subtitle), "%s · %s", where, unit);
	snprintf(p->a_name, sizeof(p->a_name), "%s", et_msg(lang, ET_MSG_TRUTH_PLANNED));
	snprintf(p->b_name, sizeof(p->b_name), "%s", et_msg(lang, ET_MSG_TRUTH_COMMISSIONED));
	snprintf(p->mark_name, sizeof(p->mark_name), "%s", et_msg(lang, ET_MSG_TRUTH_LATE));
	for (int i = 0; i < n && p->n < ET_CHART_MAX_PAIRS; i++) {
		struct et_chart_pair *row = &p->rows[p->n++];
		snprintf(row->name, sizeof(row->name), "%s", PQgetvalue(r, i, 0));
		row->a = num(r, i, 1) * k;
		row->b = num(r, i, 2) * k;
		row->mark = PQgetvalue(r, i, 3)[0] == 't';
		if (row->mark)
			et_msg_fill(row->note, sizeof(row->note), lang, ET_MSG_TRUTH_DAYS_LATE, 1,
				    PQgetvalue(r, i, 4));
		else
			et_msg_fill(row->note, sizeof(row->note), lang, ET_MSG_TRUTH_DUE, 1,
				    PQgetvalue(r, i, 5));
	}
	PQclear(r);
	return 0;
}

/* Each county's figure, then their sum against the city's, marked: where
 * the counties do not add up to the city. */
static int counties_chart(PGconn *conn, const char *key, et_lang_t lang, bool bureau,
			  et_chart_pairs_t *p, char *err, size_t errlen)
{
	const char *qp[2] = {key, et_lang_tag(lang)};
	int rc;
	PGresult *r = chart_rows(conn, counties_sql, 2, qp, &rc, err, errlen);
	if (!r)
		return rc;
	int n = PQntuples(r);
	double div;
	const char *unit = row_unit(r, 4, 5, bureau, &div);
	et_msg_fill(p->title, sizeof(p->title), lang, ET_MSG_TRUTH_CS_TITLE, 2, PQgetvalue(r, 0, 2),
		    PQgetvalue(r, 0, 3));
	snprintf(p->subtitle, sizeof(p->subtitle), "%s", unit);
	snprintf(p->a_name, sizeof(p->a_name), "%s", et_msg(lang, ET_MSG_TRUTH_CS_PUBLISHED));
	snprintf(p->b_name, sizeof(p->b_name), "%s", et_msg(lang, ET_MSG_TRUTH_CS_CITY_FIGURE));
	snprintf(p->mark_name, sizeof(p->mark_name), "%s", et_msg(lang, ET_MSG_TRUTH_CS_NOT_EQUAL));
	double sum = 0;
	for (int i = 0; i < n; i++) {
		sum += num(r, i, 1);
		if (p->n >= ET_CHART_MAX_PAIRS - 1)
			continue; /* the sum's row is the one that matters */
		struct et_chart_pair *row = &p->rows[p->n++];
		snprintf(row->name, sizeof(row->name), "%s", PQgetvalue(r, i, 0));
		row->a = num(r, i, 1) / div;
		row->b = NAN;
	}
	struct et_chart_pair *row = &p->rows[p->n++];
	snprintf(row->name, sizeof(row->name), "%s", et_msg(lang, ET_MSG_TRUTH_CS_SUM_ROW));
	row->a = sum / div;
	row->b = num(r, 0, 6) / div;
	row->mark = true;
	char a[30], b[30];
	/* as the mail's text writes them (0.000900 Mt, 1,250 万吨) */
	et_num(a, sizeof(a), row->a, ET_NUM_SIG3);
	et_num(b, sizeof(b), row->b, ET_NUM_SIG3);
	snprintf(row->note, sizeof(row->note), "%s / %s", a, b);
	PQclear(r);
	return 0;
}

int et_truth_chart(PGconn *conn, const char *kind, const char *key, const char *at, et_lang_t lang,
		   bool bureau, int width_px, et_buf_t *png, et_text_t *html, char *err,
		   size_t errlen)
{
	et_chart_pairs_t *p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	int rc;
	if (strcmp(kind, "no_data") == 0) {
		/* the target's progress chart: the schedule, and the actual that
		 * stopped (or never came) */
		free(p);
		char *end;
		long id = strtol(key, &end, 10);
		if (*end || end == key)
			return -ENOENT;
		return et_chart_target_png(conn, (int)id, at, lang, width_px, png, err, errlen);
	}
	if (strcmp(kind, "reconcile") == 0)
		rc = months_chart(conn, key, at, lang, bureau, p, html, err, errlen);
	else if (strcmp(kind, "county_sum") == 0)
		rc = counties_chart(conn, key, lang, bureau, p, err, errlen);
	else if (strcmp(kind, "milestone") == 0 || strcmp(kind, "register") == 0)
		rc = register_chart(conn, key, kind[0] == 'r', at, lang, bureau, p, err, errlen);
	else
		rc = -ENOENT;
	if (rc == -ENOENT)
		snprintf(err, errlen, "nothing to draw for %s %s", kind, key);
	if (rc == 0)
		rc = et_draw_pairs_png(p, lang, width_px, png);
	if (rc == -ENOMEM || rc == -EINVAL)
		snprintf(err, errlen, "cannot draw the chart of %s %s", kind, key);
	free(p);
	return rc;
}
