/* SPDX-License-Identifier: MIT */
/* The status page (page.h). Everything is read from PostgreSQL at each
 * request on the HTTP worker thread, through one connection of its own in
 * a read-only session, so that the page shows what psql would and cannot
 * change anything. Charts are the slow part (about a second each, most of
 * it sampling target_progress_at over the year): they are kept for
 * CHART_TTL_S, so that the page's own refresh and several viewers cost one
 * drawing each. */
#include "page.h"

#include <errno.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/pq.h"
#include "common/pgconn.h"
#include "db/chartdata.h"
#include "db/pageview.h"
#include "db/plans.h"
#include "draw/chart.h"
#include "enertrack/drifttext.h"
#include "enertrack/i18n.h"
#include "enertrack/log.h"
#include "enertrack/numfmt.h"
#include "enertrack/pagehtml.h"
#include "enertrack/text.h"

#define CHART_TTL_S 300
#define CACHE_MAX   64

struct chart_ent {
	bool used, gap;
	int id, width;
	et_lang_t lang;
	char at[80]; /* the instant asked (?at=), "" for now */
	time_t made;
	et_buf_t png;
};

struct et_page {
	pthread_mutex_t mu; /* guards the settings below */
	char tz[80];
	double min_elapsed_pct;
	int stale_after_s;
	et_lang_t lang;
	bool bureau; /* [alerts] units: the bureau's units in zh-CN */
	/* fixed */
	char *conninfo, *password;
	/* the worker's alone */
	PGconn *conn;
	bool conn_failed_logged;
	struct chart_ent cache[CACHE_MAX];
	pthread_t warm; /* loads the fonts at start (et_chart_warm) */
	bool warm_started;
};

/* ---- the connection ---- */

static bool connected(et_page_t *p, char *err, size_t errlen)
{
	if (p->conn && PQstatus(p->conn) == CONNECTION_OK)
		return true;
	PQfinish(p->conn);
	p->conn = et_pg_connect(p->conninfo, p->password, "enertrackd", "page");
	if (!p->conn || PQstatus(p->conn) != CONNECTION_OK) {
		snprintf(err, errlen, "%s", p->conn ? PQerrorMessage(p->conn) : "out of memory");
		err[strcspn(err, "\n")] = '\0';
		if (!p->conn_failed_logged)
			log_warn("page: cannot connect to PostgreSQL: %s", err);
		p->conn_failed_logged = true;
		PQfinish(p->conn);
		p->conn = NULL;
		return false;
	}
	if (p->conn_failed_logged)
		log_info("page: connected to PostgreSQL again");
	p->conn_failed_logged = false;
	/* read-only, and no query may hold the page for long */
	if (et_pq_exec(p->conn,
		       "SET default_transaction_read_only = on; SET statement_timeout = '30s'", err,
		       errlen)) {
		PQfinish(p->conn);
		p->conn = NULL;
		return false;
	}
	return true;
}

/* The session's target settings and language, as configured now. */
static bool use_settings(et_page_t *p, et_lang_t *ret_lang, char *tz, size_t tzlen, char *err,
			 size_t errlen)
{
	pthread_mutex_lock(&p->mu);
	snprintf(tz, tzlen, "%s", p->tz);
	double mep = p->min_elapsed_pct;
	int sas = p->stale_after_s;
	*ret_lang = p->lang;
	pthread_mutex_unlock(&p->mu);
	return et_pq_use_settings(p->conn, tz, mep, sas, false, false, err, errlen) == 0;
}

static int unavailable(et_buf_t *body, const char *why)
{
	et_text_t o = et_text_on(body);
	et_text_printf(&o, "unavailable: %.900s\n", why);
	return 503;
}

/* ---- the year and instant asked for: /?year=2024, /?at=2024-06-30T12:00+08:00 ---- */

/* ---- the queries ---- */

/* The columns of targets_sql. */
enum {
	T_ID,
	T_LABEL,
	T_YEAR,
	T_SCOPE,
	T_KIND,
	T_TARGET,
	T_UNIT,
	T_DIV,
	T_ELAPSED,
	T_EXPECTED,
	T_ACTUAL,
	T_DRIFT,
	T_PROJECTED,
	T_REPORTING,
	T_STALE,
	T_STATUS,
	T_STATE,
	T_METRIC,
	T_NOW,
};

static const char targets_sql[] =
	"SELECT p.target_id, metric_label(p.metric, $1), p.year, p.scope, p.kind, p.target,"
	" p.display_unit, p.display_div, p.elapsed_pct, p.expected, p.actual, p.drift_pct,"
	" p.projected, p.sites_reporting, p.sites_stale, p.status, coalesce(a.state, 'ok'),"
	/* the instant as the page's head shows it (pageview.c): a year's end,
	 * 1 January 00:00, as "12-31 24:00" */
	" p.metric, CASE WHEN $3::timestamptz = make_timestamptz(p.year + 1, 1, 1, 0, 0, 0, $2)"
	"  THEN p.year || '-12-31 24:00'"
	"  ELSE to_char($3::timestamptz AT TIME ZONE $2, 'YYYY-MM-DD HH24:MI') END,"
	/* and the charts' rows of the same instant (et_chartdata_heads_put) */
	" " ET_CHART_HEAD_COLS " FROM target_progress_at($3::timestamptz) p"
	" LEFT JOIN alert_state a ON a.target_id = p.target_id"
	/* clang-format off */
	ET_CHART_HEAD_FROM("$3")
	/* clang-format on */
	" ORDER BY p.target_id";

/* Sites stale for any target of the year, once each: stale as of the
 * instant shown, not as of now. */
static const char stale_sql[] =
	"SELECT DISTINCT ON (s.site_id) s.site_id, coalesce(s.county, ''),"
	" to_char(s.last_ts AT TIME ZONE $1, 'YYYY-MM-DD HH24:MI'), metric_label(t.metric, $2)"
	" FROM target t, LATERAL target_site_stats(t, $3::timestamptz) s"
	" WHERE t.year = $4::int AND s.stale"
	" ORDER BY s.site_id, s.last_ts";

/* What the page says of a truth alert: the subject of its mail, which is
 * in the configured language, without the "[enertrack] " tag; the row's
 * detail (English, written for the log) only when the mail is gone. */
#define TRUTH_DETAIL "coalesce(regexp_replace(o.subject, '^\\[enertrack\\] ', ''), x.detail, '')"

/* Everything that mails, for the year shown: a drift alert firing, an
 * overdue project (truth_alert milestone), a county whose telemetry differs
 * from its statistics (truth_alert reconcile, key "<scope>|<metric>"). */
static const char firing_sql[] =
	"SELECT a.target_id::text, metric_label(t.metric, $2), t.year::text, t.scope, 'drift',"
	" to_char(a.since AT TIME ZONE $1, 'YYYY-MM-DD HH24:MI'), '' AS detail, a.since"
	" FROM alert_state a JOIN target t ON t.id = a.target_id"
	" WHERE a.state = 'firing' AND t.year = $4::int"
	" UNION ALL"
	" SELECT t.id::text, metric_label(t.metric, $2), t.year::text, t.scope, 'milestone',"
	" to_char(x.since AT TIME ZONE $1, 'YYYY-MM-DD HH24:MI'), " TRUTH_DETAIL ", x.since"
	" FROM truth_alert x LEFT JOIN alert_outbox o ON o.id = x.outbox_id"
	" JOIN target_milestone m ON x.kind = 'milestone' AND x.key = m.id::text"
	" JOIN target t ON t.id = m.target_id"
	" WHERE x.firing AND t.year = $4::int AND x.since <= $3::timestamptz"
	" UNION ALL"
	" SELECT coalesce(t.id::text, ''), metric_label(split_part(x.key, '|', 2), $2), "
	"$4::int::text,"
	" split_part(x.key, '|', 1), 'reconcile',"
	" to_char(x.since AT TIME ZONE $1, 'YYYY-MM-DD HH24:MI'), " TRUTH_DETAIL ", x.since"
	" FROM truth_alert x LEFT JOIN alert_outbox o ON o.id = x.outbox_id"
	" LEFT JOIN target t ON t.year = $4::int"
	"  AND t.scope = split_part(x.key, '|', 1) AND t.metric = split_part(x.key, '|', 2)"
	" WHERE x.kind = 'reconcile' AND x.firing AND x.since <= $3::timestamptz"
	" ORDER BY 8";

/* Silences and acknowledgements: those in force, then the latest ended. */
static const char silence_sql[] =
	"SELECT metric_label(t.metric, $2), t.year, t.scope, s.kind,"
	" coalesce(to_char(s.until AT TIME ZONE $1, 'YYYY-MM-DD HH24:MI'), ''), s.created_by,"
	" to_char(s.created_at AT TIME ZONE $1, 'YYYY-MM-DD HH24:MI'), s.reason,"
	" coalesce(alert_silenced(s.target_id, now()) = s.id, false) AS in_force"
	" FROM alert_silence s JOIN target t ON t.id = s.target_id"
	" WHERE t.year = $3::int" /* the year shown */
	" ORDER BY in_force DESC, s.id DESC LIMIT 20";

static PGresult *query(et_page_t *p, const char *sql, int n, const char *const *params, char *err,
		       size_t errlen)
{
	PGresult *r = PQexecParams(p->conn, sql, n, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) == PGRES_TUPLES_OK)
		return r;
	snprintf(err, errlen, "%s", PQresultErrorMessage(r));
	err[strcspn(err, "\n")] = '\0';
	PQclear(r);
	return NULL;
}

static double num(PGresult *r, int i, int c)
{
	return PQgetisnull(r, i, c) ? NAN : strtod(PQgetvalue(r, i, c), NULL);
}

/* ---- / ---- */

/* The index page's rows from the query results (borrowed: the strings
 * live as long as the results). The arrays are the caller's to free. */
static int index_rows(et_page_index_t *pg, bool bureau, PGresult *t, PGresult *st, PGresult *fi,
		      PGresult *si)
{
	size_t nt = (size_t)PQntuples(t), ns = (size_t)PQntuples(st);
	size_t nf = (size_t)PQntuples(fi), nsi = (size_t)PQntuples(si);
	et_page_target_t *ts = calloc(nt + 1, sizeof(*ts));
	et_page_stale_t *ss = calloc(ns + 1, sizeof(*ss));
	et_page_firing_t *fs = calloc(nf + 1, sizeof(*fs));
	et_page_silence_t *sis = calloc(nsi + 1, sizeof(*sis));
	pg->targets = ts, pg->stale = ss, pg->firing = fs, pg->silences = sis;
	if (!ts || !ss || !fs || !sis)
		return -ENOMEM;
	pg->generated = nt ? PQgetvalue(t, 0, T_NOW) : pg->generated;
	for (int i = 0; i < (int)nt; i++) {
		double div = num(t, i, T_DIV), k;
		if (!(div > 0))
			div = 1;
		const char *unit = et_unit_local(PQgetvalue(t, i, T_UNIT), bureau, &k);
		div /= k;
		ts[i] = (et_page_target_t){
			.id = PQgetvalue(t, i, T_ID),
			.label = PQgetvalue(t, i, T_LABEL),
			.year = PQgetvalue(t, i, T_YEAR),
			.scope = PQgetvalue(t, i, T_SCOPE),
			.unit = unit,
			.status = PQgetvalue(t, i, T_STATUS),
			.target = num(t, i, T_TARGET) / div,
			.expected = num(t, i, T_EXPECTED) / div,
			.actual = num(t, i, T_ACTUAL) / div,
			.drift_pct = num(t, i, T_DRIFT),
			.projected = num(t, i, T_PROJECTED) / div,
			.sites_reporting = atoi(PQgetvalue(t, i, T_REPORTING)),
		};
	}
	for (int i = 0; i < (int)ns; i++)
		ss[i] = (et_page_stale_t){PQgetvalue(st, i, 0), PQgetvalue(st, i, 1),
					  PQgetvalue(st, i, 2), PQgetvalue(st, i, 3)};
	for (int i = 0; i < (int)nf; i++) {
		const char *kind = PQgetvalue(fi, i, 4);
		fs[i] = (et_page_firing_t){
			.target_id = PQgetvalue(fi, i, 0),
			.label = PQgetvalue(fi, i, 1),
			.year = PQgetvalue(fi, i, 2),
			.scope = PQgetvalue(fi, i, 3),
			.since = PQgetvalue(fi, i, 5),
			.kind = strcmp(kind, "milestone") == 0	 ? ET_PAGE_MILESTONE
				: strcmp(kind, "reconcile") == 0 ? ET_PAGE_RECONCILE
								 : ET_PAGE_DRIFT,
			.detail = PQgetvalue(fi, i, 6),
		};
	}
	for (int i = 0; i < (int)nsi; i++)
		sis[i] = (et_page_silence_t){
			.label = PQgetvalue(si, i, 0),
			.year = PQgetvalue(si, i, 1),
			.scope = PQgetvalue(si, i, 2),
			.ack = strcmp(PQgetvalue(si, i, 3), "ack") == 0,
			.until = PQgetvalue(si, i, 4),
			.created_by = PQgetvalue(si, i, 5),
			.created_at = PQgetvalue(si, i, 6),
			.reason = PQgetvalue(si, i, 7),
			.in_force = PQgetvalue(si, i, 8)[0] == 't',
		};
	pg->ntargets = nt, pg->nstale = ns, pg->nfiring = nf, pg->nsilences = nsi;
	return 0;
}

/* The queries of the index and of /targets.json: the targets, the stale
 * sites, what fires and the plans over several years (at the end of the
 * last year closed before the instant, as `enertrack status`), for the
 * year and instant of v. NULL results after
 * an error (in err). */
struct results {
	PGresult *t, *st, *fi, *pl;
};

static int run_queries(et_page_t *p, et_lang_t lang, const char *tz, const et_page_view_t *v,
		       struct results *res, char *err, size_t errlen)
{
	char ys[16];
	snprintf(ys, sizeof(ys), "%d", v->year);
	const char *tp[3] = {et_lang_tag(lang), tz, v->at};
	const char *sp[4] = {tz, et_lang_tag(lang), v->at, ys};
	res->t = query(p, targets_sql, 3, tp, err, errlen);
	/* the page's charts are drawn at the same instant: spare them that query
	 * (those of now at now: within the charts' TTL, the page's instant) */
	if (res->t)
		et_chartdata_heads_put(p->conn, v->past ? v->at : NULL, res->t,
				       PQfnumber(res->t, "chart_head"));
	res->st = res->t ? query(p, stale_sql, 4, sp, err, errlen) : NULL;
	res->fi = res->st ? query(p, firing_sql, 4, sp, err, errlen) : NULL;
	res->pl = res->fi ? et_plans_query(p->conn, v->at, lang, err, errlen) : NULL;
	return res->pl ? 0 : -EIO;
}

static void clear_results(struct results *res)
{
	PQclear(res->t);
	PQclear(res->st);
	PQclear(res->fi);
	PQclear(res->pl);
}

static int render_index(et_page_t *p, et_lang_t lang, const char *tz, const et_page_view_t *v,
			et_buf_t *body, char *err, size_t errlen)
{
	struct results res;
	int rc = run_queries(p, lang, tz, v, &res, err, errlen);
	PGresult *t = res.t, *st = res.st, *fi = res.fi;
	char ys[16];
	snprintf(ys, sizeof(ys), "%d", v->year);
	const char *sip[3] = {tz, et_lang_tag(lang), ys};
	PGresult *si = rc ? NULL : query(p, silence_sql, 3, sip, err, errlen);
	rc = -EIO;
	if (si) {
		/* the charts of a past instant are drawn at it; of now, at now */
		et_text_t q = ET_TEXT_INIT;
		if (v->past) {
			et_text_put(&q, "?at=");
			et_page_url_encode(&q, v->at);
		}
		et_page_index_t pg = {.lang = lang,
				      .tz = tz,
				      .generated = v->as_of,
				      .year = v->year,
				      .asked_year = v->asked_year,
				      .past = v->past,
				      .years = v->years,
				      .nyears = v->nyears,
				      .chart_query = v->past ? et_text_str(&q) : ""};
		pthread_mutex_lock(&p->mu);
		bool bureau = p->bureau;
		pthread_mutex_unlock(&p->mu);
		rc = index_rows(&pg, bureau, t, st, fi, si);
		pg.plans = et_plans_page_rows(res.pl);
		pg.nplans = (size_t)PQntuples(res.pl);
		pg.plans_closed = pg.nplans ? PQgetvalue(res.pl, 0, ET_PLAN_CLOSED) : NULL;
		rc = rc ? rc : pg.plans ? 0 : -ENOMEM;
		et_text_t o = et_text_on(body);
		if (!rc) {
			et_page_html_index(&o, &pg);
			rc = et_text_error(&o);
		}
		if (rc)
			snprintf(err, errlen, "out of memory");
		free((void *)pg.targets);
		free((void *)pg.stale);
		free((void *)pg.firing);
		free((void *)pg.silences);
		free((void *)pg.plans);
		et_text_free(&q);
	}
	clear_results(&res);
	PQclear(si);
	return rc;
}

/* ---- /targets.json ---- */

static json_t *jnum(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static int render_json(et_page_t *p, et_lang_t lang, const char *tz, const et_page_view_t *v,
		       et_buf_t *body, char *err, size_t errlen)
{
	struct results res;
	if (run_queries(p, lang, tz, v, &res, err, errlen)) {
		clear_results(&res);
		return -EIO;
	}
	PGresult *t = res.t, *st = res.st, *fi = res.fi;
	json_t *root = json_object(), *ts = json_array(), *ss = json_array(), *fs = json_array();
	json_t *ys = json_array();
	for (size_t i = 0; i < v->nyears; i++)
		json_array_append_new(ys, json_integer(v->years[i]));
	json_object_set_new(root, "language", json_string(et_lang_tag(lang)));
	json_object_set_new(root, "timezone", json_string(tz));
	json_object_set_new(root, "year", json_integer(v->year));
	json_object_set_new(root, "years", ys);
	json_object_set_new(root, "as_of", json_string(v->as_of));
	json_object_set_new(root, "generated_at", json_string(v->as_of));
	for (int i = 0; i < PQntuples(t); i++) {
		double div = num(t, i, T_DIV);
		if (!(div > 0))
			div = 1;
		int id = atoi(PQgetvalue(t, i, T_ID));
		char path[64];
		json_t *o = json_object();
		json_object_set_new(o, "id", json_integer(id));
		json_object_set_new(o, "label", json_string(PQgetvalue(t, i, T_LABEL)));
		json_object_set_new(o, "metric", json_string(PQgetvalue(t, i, T_METRIC)));
		json_object_set_new(o, "year", json_integer(atoi(PQgetvalue(t, i, T_YEAR))));
		json_object_set_new(o, "scope", json_string(PQgetvalue(t, i, T_SCOPE)));
		json_object_set_new(o, "kind", json_string(PQgetvalue(t, i, T_KIND)));
		json_object_set_new(o, "unit", json_string(PQgetvalue(t, i, T_UNIT)));
		json_object_set_new(o, "target", jnum(num(t, i, T_TARGET) / div));
		json_object_set_new(o, "expected", jnum(num(t, i, T_EXPECTED) / div));
		json_object_set_new(o, "actual", jnum(num(t, i, T_ACTUAL) / div));
		json_object_set_new(o, "drift_pct", jnum(num(t, i, T_DRIFT)));
		/* a target in % drifts in percentage points (issue 21) */
		json_object_set_new(o, "drift_unit",
				    json_string(et_drift_unit(PQgetvalue(t, i, T_UNIT))));
		json_object_set_new(o, "projected", jnum(num(t, i, T_PROJECTED) / div));
		json_object_set_new(o, "elapsed_pct", jnum(num(t, i, T_ELAPSED)));
		json_object_set_new(o, "sites_reporting",
				    json_integer(atoi(PQgetvalue(t, i, T_REPORTING))));
		json_object_set_new(o, "sites_stale",
				    json_integer(atoi(PQgetvalue(t, i, T_STALE))));
		json_object_set_new(o, "status", json_string(PQgetvalue(t, i, T_STATUS)));
		json_object_set_new(o, "alert_state", json_string(PQgetvalue(t, i, T_STATE)));
		snprintf(path, sizeof(path), "/chart/%d.png", id);
		json_object_set_new(o, "chart", json_string(path));
		snprintf(path, sizeof(path), "/gap/%d.png", id);
		json_object_set_new(o, "gap_chart", json_string(path));
		json_array_append_new(ts, o);
	}
	for (int i = 0; i < PQntuples(st); i++) {
		json_t *o = json_object();
		json_object_set_new(o, "site_id", json_string(PQgetvalue(st, i, 0)));
		json_object_set_new(o, "county", json_string(PQgetvalue(st, i, 1)));
		json_object_set_new(o, "last_reading", json_string(PQgetvalue(st, i, 2)));
		json_array_append_new(ss, o);
	}
	for (int i = 0; i < PQntuples(fi); i++) {
		json_t *o = json_object();
		json_object_set_new(o, "target_id",
				    PQgetvalue(fi, i, 0)[0]
					    ? json_integer(atoi(PQgetvalue(fi, i, 0)))
					    : json_null());
		json_object_set_new(o, "kind", json_string(PQgetvalue(fi, i, 4)));
		json_object_set_new(o, "label", json_string(PQgetvalue(fi, i, 1)));
		json_object_set_new(o, "scope", json_string(PQgetvalue(fi, i, 3)));
		json_object_set_new(o, "since", json_string(PQgetvalue(fi, i, 5)));
		json_object_set_new(o, "detail", json_string(PQgetvalue(fi, i, 6)));
		json_array_append_new(fs, o);
	}
	json_object_set_new(root, "targets", ts);
	json_object_set_new(root, "stale_sites", ss);
	json_object_set_new(root, "firing", fs);
	/* the plans over several years, as `enertrack status --json` has them */
	json_t *ps = json_array();
	for (int i = 0; i < PQntuples(res.pl); i++)
		json_array_append_new(ps, et_plan_json(res.pl, i));
	json_object_set_new(root, "plans", ps);
	clear_results(&res);
	char *s = json_dumps(root, JSON_INDENT(1));
	json_decref(root);
	int rc = s ? et_buf_append(body, s, strlen(s)) : -ENOMEM;
	if (!rc)
		rc = et_buf_append(body, "\n", 1);
	free(s);
	if (rc)
		snprintf(err, errlen, "out of memory");
	return rc;
}

/* ---- the charts ---- */

/* "/chart/12.png", "/chart/12-390.png" (and /gap/...): 0, or -ENOENT. */
static int parse_chart_path(const char *path, bool *gap, int *id, int *width)
{
	const char *rest;
	if (strncmp(path, "/chart/", 7) == 0) {
		*gap = false;
		rest = path + 7;
	} else if (strncmp(path, "/gap/", 5) == 0) {
		*gap = true;
		rest = path + 5;
	} else {
		return -ENOENT;
	}
	char *end;
	long v = strtol(rest, &end, 10);
	if (end == rest || v <= 0 || v > 2147483647L || rest[0] == '+' || rest[0] == '-')
		return -ENOENT;
	*id = (int)v;
	*width = ET_PAGE_W_WIDE;
	if (strcmp(end, "-390.png") == 0)
		*width = ET_PAGE_W_PHONE;
	else if (strcmp(end, ".png") != 0)
		return -ENOENT;
	return 0;
}

static int render_chart(et_page_t *p, et_lang_t lang, const char *path, const char *at,
			et_buf_t *body, char *err, size_t errlen)
{
	bool gap;
	int id, width;
	if (parse_chart_path(path, &gap, &id, &width)) {
		snprintf(err, errlen, "no such chart: try /chart/ID.png or /gap/ID.png");
		return -ENOENT;
	}
	time_t now = time(NULL);
	struct chart_ent *free_ent = NULL, *oldest = &p->cache[0];
	for (int i = 0; i < CACHE_MAX; i++) {
		struct chart_ent *e = &p->cache[i];
		if (!e->used) {
			if (!free_ent)
				free_ent = e;
			continue;
		}
		if (e->made < oldest->made)
			oldest = e;
		if (e->gap == gap && e->id == id && e->width == width && e->lang == lang &&
		    strcmp(e->at, at) == 0 && now - e->made < CHART_TTL_S)
			return et_buf_append(body, e->png.data, e->png.len);
	}
	et_buf_t png = ET_BUF_INIT;
	const char *when = at[0] ? at : NULL, *ap[1] = {at};
	if (when) { /* a bad ?at= is the request's fault, and said so */
		PGresult *r =
			PQexecParams(p->conn, "SELECT $1::timestamptz", 1, NULL, ap, NULL, NULL, 0);
		bool ok = PQresultStatus(r) == PGRES_TUPLES_OK;
		PQclear(r);
		if (!ok) {
			et_msg_fill(err, errlen, lang, ET_MSG_PAGE_BAD_AT, 1, at);
			return -EINVAL;
		}
	}
	int rc = gap ? et_chart_gap_png(p->conn, id, when, lang, width, &png, err, errlen)
		     : et_chart_target_png(p->conn, id, when, lang, width, &png, err, errlen);
	if (rc) {
		et_buf_free(&png);
		return rc;
	}
	rc = et_buf_append(body, png.data, png.len);
	struct chart_ent *e = free_ent ? free_ent : oldest;
	et_buf_free(&e->png);
	*e = (struct chart_ent){
		.used = true, .gap = gap, .id = id, .width = width, .lang = lang, .made = now};
	snprintf(e->at, sizeof(e->at), "%s", at);
	e->png = png; /* taken */
	return rc;
}

/* ---- the entry point ---- */

int et_page_render(void *ctx, const char *full_path, et_buf_t *body, const char **ret_type)
{
	et_page_t *p = ctx;
	char err[600], tz[80], path[256];
	et_lang_t lang;
	et_page_view_t v = {0};
	et_page_parse_query(full_path, path, sizeof(path), &v.q);
	if (!connected(p, err, sizeof(err)))
		return unavailable(body, err);
	if (!use_settings(p, &lang, tz, sizeof(tz), err, sizeof(err))) {
		PQfinish(p->conn); /* whatever went wrong, start afresh next time */
		p->conn = NULL;
		return unavailable(body, err);
	}
	int rc;
	bool index = strcmp(path, "/") == 0, json = strcmp(path, "/targets.json") == 0;
	if (index || json) {
		rc = et_page_view_resolve(p->conn, lang, tz, &v, err, sizeof(err));
		*ret_type = index ? "text/html; charset=utf-8" : "application/json";
		if (!rc)
			rc = index ? render_index(p, lang, tz, &v, body, err, sizeof(err))
				   : render_json(p, lang, tz, &v, body, err, sizeof(err));
	} else {
		*ret_type = "image/png";
		rc = render_chart(p, lang, path, v.q.at, body, err, sizeof(err));
	}
	if (rc == 0)
		return 200;
	et_buf_reset(body);
	*ret_type = NULL;
	et_text_t o = et_text_on(body);
	if (rc == -EINVAL) {
		et_text_printf(&o, "bad request: %.500s\n", err);
		return 400;
	}
	if (rc == -ENOENT) {
		et_text_printf(&o, "not found: %.500s\n", err);
		return 404;
	}
	log_warn("page: %s: %s", path, err);
	if (PQstatus(p->conn) != CONNECTION_OK) {
		PQfinish(p->conn);
		p->conn = NULL;
	}
	return unavailable(body, err);
}

/* ---- life ---- */

static void take_settings(et_page_t *p, const et_config_t *cfg)
{
	pthread_mutex_lock(&p->mu);
	snprintf(p->tz, sizeof(p->tz), "%s", cfg->tz);
	p->min_elapsed_pct = cfg->min_elapsed_pct;
	p->stale_after_s = cfg->stale_after_s;
	p->lang = cfg->lang;
	p->bureau = cfg->units_bureau;
	pthread_mutex_unlock(&p->mu);
}

static void *warm_main(void *arg)
{
	(void)arg;
	et_chart_warm();
	return NULL;
}

et_page_t *et_page_new(const et_config_t *cfg, const char *pg_password)
{
	et_page_t *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	pthread_mutex_init(&p->mu, NULL);
	p->conninfo = strdup(cfg->pg_conninfo);
	p->password = pg_password ? strdup(pg_password) : NULL;
	if (!p->conninfo || (pg_password && !p->password)) {
		et_page_free(p);
		return NULL;
	}
	take_settings(p, cfg);
	/* the cold page's first chart would wait a second for the fonts */
	p->warm_started = pthread_create(&p->warm, NULL, warm_main, NULL) == 0;
	return p;
}

void et_page_reconfigure(et_page_t *p, const et_config_t *cfg)
{
	if (p)
		take_settings(p, cfg);
}

void et_page_free(et_page_t *p)
{
	if (!p)
		return;
	if (p->warm_started)
		pthread_join(p->warm, NULL);
	PQfinish(p->conn);
	for (int i = 0; i < CACHE_MAX; i++)
		et_buf_free(&p->cache[i].png);
	if (p->password) {
		memset(p->password, 0, strlen(p->password));
		free(p->password);
	}
	free(p->conninfo);
	pthread_mutex_destroy(&p->mu);
	free(p);
}
