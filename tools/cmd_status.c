/* SPDX-License-Identifier: MIT */
/* `enertrack status`: the targets table, read from target_progress_at(),
 * for a person at a terminal (plain units) or a program (--json), with the
 * [targets] settings of its own configuration. */
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/confload.h"
#include "db/plans.h"
#include "db/pq.h"
#include "cli.h"
#include "db.h"
#include "enertrack/drifttext.h"
#include "enertrack/i18n.h"
#include "enertrack/log.h"
#include "enertrack/numfmt.h"
#include "enertrack/schednote.h"
#include "enertrack/text.h"

enum {
	S_ID,
	S_LABEL,
	S_METRIC,
	S_YEAR,
	S_SCOPE,
	S_KIND,
	S_TARGET,
	S_DUNIT,
	S_DDIV,
	S_ELAPSED,
	S_EXPECTED,
	S_ACTUAL,
	S_DRIFT,
	S_PROJECTED,
	S_REQUIRED,
	S_REPORTING,
	S_STALE,
	S_STATUS,
	S_PLAN,
	S_TOL,
	S_AT,
	S_TZ,
	S_SCHED,
	S_SCHED_NOTE,
	S_MONTHS,
	S_LATE,
	S_NCOLS
};

static const char progress_sql[] =
	"SELECT p.target_id, coalesce(metric_label(p.metric, $2), p.label), p.metric, p.year, "
	"p.scope, p.kind, p.target, p.display_unit,"
	" p.display_div, p.elapsed_pct, p.expected, p.actual, p.drift_pct, p.projected,"
	" p.required_daily, p.sites_reporting, p.sites_stale, p.status, p.plan_text,"
	" p.tolerance_pct, to_char($1::timestamptz AT TIME ZONE s.timezone, 'YYYY-MM-DD HH24:MI'),"
	" s.timezone, p.schedule_used, p.schedule_note, p.month_sources, p.late_projects"
	" FROM target_progress_at($1::timestamptz) p, target_setting s ORDER BY p.target_id";

/* A canonical value in the target's display unit, e.g. "168.21 Mt", or in
 * the bureau's ("16821.0 万吨"): one number of decimals per unit. */
static void fmt_value(char *buf, size_t len, double v, PGresult *r, int i, bool bureau)
{
	if (isnan(v)) {
		snprintf(buf, len, "%s", ET_NO_VALUE);
		return;
	}
	double k;
	const char *unit = et_unit_local(PQgetvalue(r, i, S_DUNIT), bureau, &k);
	char n[24];
	et_num_fixed(n, sizeof(n), v / et_pq_num(r, i, S_DDIV) * k, et_unit_decimals(unit), false);
	snprintf(buf, len, "%s %s", n, unit);
}

static const char *kind_text(et_lang_t lang, const char *kind)
{
	if (strcmp(kind, "at_least") == 0)
		return et_msg(lang, ET_MSG_KIND_AT_LEAST);
	if (strcmp(kind, "reduce_by_pct") == 0)
		return et_msg(lang, ET_MSG_KIND_REDUCE_BY);
	return et_msg(lang, ET_MSG_KIND_ABOUT);
}

/* A status for the table: in English the code, as target_progress_at()
 * gives it (what scripts grep for); in Chinese its words. */
static const char *status_word(et_lang_t lang, const char *status)
{
	return lang == ET_LANG_EN ? status : et_status_text(lang, status);
}

/* printf's widths count bytes: pads s to `cols` terminal columns, a CJK
 * character (3 bytes in UTF-8) taking two. */
static void put_col(const char *s, int cols, bool right)
{
	int w = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p & 0xC0) != 0x80)
			w += *p >= 0xE0 ? 2 : 1;
	if (right)
		printf("%*s%s ", w < cols ? cols - w : 0, "", s);
	else
		printf("%s%*s ", s, w < cols ? cols - w : 0, "");
}

/* The table's columns: their names and widths (a negative one is
 * left-aligned); the last, unpadded. */
static const struct {
	et_msg_t name;
	int width;
} cols[] = {
	{ET_MSG_CLI_COL_TARGET, -30},	{ET_MSG_CLI_COL_KIND, -9},    {ET_MSG_CLI_COL_PLAN, 12},
	{ET_MSG_CLI_COL_EXPECTED, 12},	{ET_MSG_CLI_COL_ACTUAL, 12},  {ET_MSG_CLI_COL_DRIFT, 14},
	{ET_MSG_CLI_COL_PROJECTED, 12}, {ET_MSG_CLI_COL_STATUS, -17},
};

static void print_row(const char *const v[8], const char *last)
{
	for (int k = 0; k < 8; k++)
		put_col(v[k], abs(cols[k].width), cols[k].width > 0);
	printf("%s\n", last);
}

/* The label with its scope: "原煤产量 [襄垣]"; English shows the scope as
 * configured ("county:襄垣"). */
static void label_text(char *out, size_t len, PGresult *r, int i, et_lang_t lang)
{
	const char *scope = PQgetvalue(r, i, S_SCOPE);
	if (strcmp(scope, "city") == 0)
		snprintf(out, len, "%s", PQgetvalue(r, i, S_LABEL));
	else if (lang != ET_LANG_EN)
		snprintf(out, len, "%s [%s]", PQgetvalue(r, i, S_LABEL),
			 scope + strcspn(scope, ":") + (scope[strcspn(scope, ":")] ? 1 : 0));
	else
		snprintf(out, len, "%s [%s]", PQgetvalue(r, i, S_LABEL), scope);
}

static void print_targets(PGresult *r, et_lang_t lang, bool bureau)
{
	char line[512], a[32];
	snprintf(a, sizeof(a), "%.1f", et_pq_num(r, 0, S_ELAPSED));
	const char *tz = PQgetvalue(r, 0, S_TZ);
	if (lang != ET_LANG_EN && strcmp(tz, "Asia/Shanghai") == 0)
		tz = et_msg(lang, ET_MSG_TZ_ASIA_SHANGHAI);
	et_msg_fill(line, sizeof(line), lang, ET_MSG_CLI_HEADLINE, 4, PQgetvalue(r, 0, S_AT), tz, a,
		    PQgetvalue(r, 0, S_YEAR));
	printf("%s\n\n", line);
	const char *head[8];
	for (int k = 0; k < 8; k++)
		head[k] = et_msg(lang, cols[k].name);
	print_row(head, et_msg(lang, ET_MSG_CLI_COL_SITES));
	for (int i = 0; i < PQntuples(r); i++) {
		char plan[32], exp_s[32], act[32], proj[32], drift[48], label[64];
		fmt_value(plan, sizeof(plan), et_pq_num(r, i, S_TARGET), r, i, bureau);
		fmt_value(exp_s, sizeof(exp_s), et_pq_num(r, i, S_EXPECTED), r, i, bureau);
		fmt_value(act, sizeof(act), et_pq_num(r, i, S_ACTUAL), r, i, bureau);
		fmt_value(proj, sizeof(proj), et_pq_num(r, i, S_PROJECTED), r, i, bureau);
		et_drift_text(drift, sizeof(drift), lang, et_pq_num(r, i, S_DRIFT),
			      PQgetvalue(r, i, S_DUNIT));
		label_text(label, sizeof(label), r, i, lang);
		const char *v[8] = {label, kind_text(lang, PQgetvalue(r, i, S_KIND)),
				    plan,  exp_s,
				    act,   drift,
				    proj,  status_word(lang, PQgetvalue(r, i, S_STATUS))};
		et_msg_fill(line, sizeof(line), lang, ET_MSG_CLI_SITES, 2,
			    PQgetvalue(r, i, S_REPORTING), PQgetvalue(r, i, S_STALE));
		print_row(v, line);
	}
}

/* How each sum target is judged: its schedule and why, its sources. */
static void print_schedules(PGresult *r, et_lang_t lang)
{
	printf("\n");
	for (int i = 0; i < PQntuples(r); i++) {
		if (PQgetisnull(r, i, S_SCHED_NOTE))
			continue;
		char note[400], late[64];
		et_sched_note(note, sizeof(note), lang, PQgetvalue(r, i, S_SCHED_NOTE));
		printf("%s%s%s", PQgetvalue(r, i, S_LABEL), lang == ET_LANG_EN ? ": " : "：", note);
		et_text_t t = ET_TEXT_INIT;
		if (!PQgetisnull(r, i, S_LATE)) {
			et_msg_fill(late, sizeof(late), lang, ET_MSG_CLI_LATE, 1, "");
			et_text_put(&t, late);
			et_late_projects(&t, lang, PQgetvalue(r, i, S_LATE));
		} else if (strcmp(PQgetvalue(r, i, S_SCHED), "milestones") == 0) {
			et_text_put(&t, et_msg(lang, ET_MSG_CLI_NONE_LATE));
		}
		if (!PQgetisnull(r, i, S_MONTHS)) {
			et_text_put(&t, et_msg(lang, ET_MSG_CLI_MONTHS));
			et_month_sources(&t, lang, PQgetvalue(r, i, S_MONTHS));
		}
		printf("%s\n", et_text_str(&t));
		et_text_free(&t);
	}
}

/* Target i's sites furthest behind their own share (s: target_sites_behind). */
static void print_behind(PGresult *r, int i, PGresult *s, et_lang_t lang, bool bureau)
{
	char line[512];
	et_msg_fill(line, sizeof(line), lang, ET_MSG_CLI_BEHIND_HEAD, 2, PQgetvalue(r, i, S_LABEL),
		    status_word(lang, PQgetvalue(r, i, S_STATUS)));
	printf("\n%s\n", line);
	for (int k = 0; k < PQntuples(s); k++) {
		char a[32], e[32], g[32], pa[40], pe[40], pg[40];
		fmt_value(a, sizeof(a), et_pq_num(s, k, 2), r, i, bureau);
		fmt_value(e, sizeof(e), et_pq_num(s, k, 3), r, i, bureau);
		fmt_value(g, sizeof(g), et_pq_num(s, k, 4), r, i, bureau);
		snprintf(pa, sizeof(pa), "%12s", a);
		snprintf(pe, sizeof(pe), "%12s", e);
		snprintf(pg, sizeof(pg), "%12s", g);
		printf("  ");
		put_col(PQgetvalue(s, k, 0), 20, false);
		put_col(PQgetvalue(s, k, 1), 10, false);
		et_msg_fill(line, sizeof(line), lang, ET_MSG_CLI_SITE_LINE, 4, pa, pe, pg,
			    PQgetvalue(s, k, 5)[0] == 't' ? et_msg(lang, ET_MSG_CLI_STALE_MARK)
							  : "");
		printf("%s\n", line);
	}
}

static int print_table(PGconn *conn, PGresult *r, const char *at, et_lang_t lang, bool bureau)
{
	print_targets(r, lang, bureau);
	print_schedules(r, lang);
	/* where a target drifts, the sites furthest behind their own share */
	for (int i = 0; i < PQntuples(r); i++) {
		const char *st = PQgetvalue(r, i, S_STATUS);
		if (strcmp(st, "behind") != 0 && strcmp(st, "over") != 0 &&
		    strcmp(st, "insufficient_data") != 0)
			continue;
		const char *p[2] = {PQgetvalue(r, i, S_ID), at};
		PGresult *s =
			PQexecParams(conn,
				     "SELECT site_id, coalesce(county, ''), actual, expected, gap,"
				     " stale FROM target_sites_behind($1, $2::timestamptz, 5)"
				     " WHERE gap < 0",
				     2, NULL, p, NULL, NULL, 0);
		if (PQresultStatus(s) != PGRES_TUPLES_OK) {
			log_error("target_sites_behind: %s", PQresultErrorMessage(s));
			PQclear(s);
			return -1;
		}
		if (PQntuples(s) > 0)
			print_behind(r, i, s, lang, bureau);
		PQclear(s);
	}
	return 0;
}

/* Every silence and acknowledgement: those in force, then the last ten that
 * ended (kept as history). */
static const char silences_sql[] =
	"SELECT s.id, coalesce(metric_label(t.metric, $1), x.label), t.year, t.scope, s.kind,"
	" s.kind = 'ack' AND s.ended_at IS NULL, NULL,"
	" to_char(CASE WHEN s.kind = 'ack' THEN s.ended_at ELSE least(s.until, s.ended_at) END,"
	"  'YYYY-MM-DD HH24:MI'),"
	" s.created_by, to_char(s.created_at, 'YYYY-MM-DD HH24:MI'), s.reason,"
	" coalesce(alert_silenced(s.target_id, now()) = s.id, false)"
	" FROM alert_silence s JOIN target t ON t.id = s.target_id"
	" JOIN metric x ON x.name = t.metric ORDER BY s.id";

static void print_silence(PGresult *r, int i, et_lang_t lang, bool on)
{
	char what[300], scope[128], when[128], by[600];
	et_scope_text(lang, PQgetvalue(r, i, 3), scope, sizeof(scope));
	snprintf(what, sizeof(what), "%s %s [%s]", PQgetvalue(r, i, 1), PQgetvalue(r, i, 2),
		 lang == ET_LANG_EN ? PQgetvalue(r, i, 3) : scope);
	bool ack = strcmp(PQgetvalue(r, i, 4), "ack") == 0;
	if (PQgetvalue(r, i, 5)[0] == 't')
		snprintf(when, sizeof(when), "%s", et_msg(lang, ET_MSG_CLI_UNTIL_RESOLVED));
	else
		et_msg_fill(when, sizeof(when), lang,
			    ack ? ET_MSG_CLI_ENDED_AT : ET_MSG_CLI_UNTIL_AT, 1,
			    PQgetvalue(r, i, 7));
	et_msg_fill(by, sizeof(by), lang, ET_MSG_CLI_SILENCE_LINE, 3, PQgetvalue(r, i, 8),
		    PQgetvalue(r, i, 9), PQgetvalue(r, i, 10));
	printf("  ");
	put_col(et_msg(lang, on ? ET_MSG_CLI_IN_FORCE : ET_MSG_CLI_ENDED), 8, false);
	put_col(et_msg(lang, ack ? ET_MSG_CLI_KIND_ACK : ET_MSG_CLI_KIND_SILENCE), 7, false);
	put_col(what, 34, false);
	put_col(when, 24, false);
	printf("%s\n", by);
}

static int print_silences(PGconn *conn, et_lang_t lang)
{
	const char *p[1] = {et_lang_tag(lang)};
	PGresult *r = PQexecParams(conn, silences_sql, 1, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		log_error("alert_silence: %s", PQresultErrorMessage(r));
		PQclear(r);
		return 1;
	}
	int active = 0, n = PQntuples(r);
	for (int i = 0; i < n; i++)
		active += PQgetvalue(r, i, 11)[0] == 't';
	if (n > 0) {
		char line[200], a[16], e[16];
		snprintf(a, sizeof(a), "%d", active);
		snprintf(e, sizeof(e), "%d", n - active);
		et_msg_fill(line, sizeof(line), lang, ET_MSG_CLI_SILENCES, 2, a, e);
		printf("\n%s\n", line);
	}
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0, ended = 0; i < n; i++) {
			bool on = PQgetvalue(r, i, 11)[0] == 't';
			if (on != (pass == 0) || (!on && n - active - ++ended >= 10))
				continue;
			print_silence(r, i, lang, on);
		}
	PQclear(r);
	return 0;
}

/* The plans over several years (db/plans.c), logged when the query fails. */
static PGresult *query_plans(PGconn *conn, const char *at, et_lang_t lang)
{
	char err[400];
	PGresult *r = et_plans_query(conn, at, lang, err, sizeof(err));
	if (!r)
		log_error("target_plan_progress: %s", err);
	return r;
}

static void print_plan(PGresult *r, int i, et_lang_t lang)
{
	char what[300], scope[128], line[700], v[32];
	et_scope_text(lang, PQgetvalue(r, i, ET_PLAN_SCOPE), scope, sizeof(scope));
	et_num_fixed(v, sizeof(v), et_pq_num(r, i, ET_PLAN_VALUE), 1, false);
	/* "单位GDP能耗下降 2021–2025 [全市]，下降 14.5 %" */
	snprintf(what, sizeof(what), "%s %s–%s [%s]%s%s %s %%", PQgetvalue(r, i, ET_PLAN_LABEL),
		 PQgetvalue(r, i, ET_PLAN_FIRST), PQgetvalue(r, i, ET_PLAN_YEAR),
		 lang == ET_LANG_EN ? PQgetvalue(r, i, ET_PLAN_SCOPE) : scope,
		 lang == ET_LANG_EN ? ", " : "，", kind_text(lang, PQgetvalue(r, i, ET_PLAN_KIND)),
		 v);
	const char *status = PQgetvalue(r, i, ET_PLAN_STATUS);
	if (strcmp(status, "too_early") == 0) {
		et_msg_fill(line, sizeof(line), lang, ET_MSG_CLI_PLAN_NONE, 1, what);
	} else if (!PQgetisnull(r, i, ET_PLAN_MISSING)) {
		et_msg_fill(line, sizeof(line), lang, ET_MSG_CLI_PLAN_MISSING, 2, what,
			    PQgetvalue(r, i, ET_PLAN_MISSING));
	} else {
		char act[32], exp_s[32], drift[48], years[16];
		/* one decimal, as the plan's own sentence: "累计下降12.4%" */
		et_num_fixed(act, sizeof(act), et_pq_num(r, i, ET_PLAN_ACTUAL), 1, false);
		et_num_fixed(exp_s, sizeof(exp_s), et_pq_num(r, i, ET_PLAN_EXPECTED), 2, false);
		et_drift_text(drift, sizeof(drift), lang, et_pq_num(r, i, ET_PLAN_DRIFT), "%");
		snprintf(years, sizeof(years), "%d",
			 atoi(PQgetvalue(r, i, ET_PLAN_YEAR)) -
				 atoi(PQgetvalue(r, i, ET_PLAN_FIRST)) + 1);
		et_msg_fill(line, sizeof(line), lang, ET_MSG_CLI_PLAN_LINE, 8, what,
			    PQgetvalue(r, i, ET_PLAN_UPTO), act, et_plan_status_text(lang, status),
			    exp_s, PQgetvalue(r, i, ET_PLAN_DONE), years, drift);
	}
	printf("  %s\n", line);
}

/* The plans' section of the table; 0, or 1 when the query failed. */
static int print_plans(PGconn *conn, const char *at, et_lang_t lang)
{
	PGresult *r = query_plans(conn, at, lang);
	if (!r)
		return 1;
	if (PQntuples(r) > 0) {
		char head[200];
		et_msg_fill(head, sizeof(head), lang, ET_MSG_CLI_PLANS_HEAD, 1,
			    PQgetvalue(r, 0, ET_PLAN_CLOSED));
		printf("\n%s\n", head);
	}
	for (int i = 0; i < PQntuples(r); i++)
		print_plan(r, i, lang);
	PQclear(r);
	return 0;
}

static json_t *jnum(PGresult *r, int i, int c)
{
	double v = et_pq_num(r, i, c);
	return isnan(v) ? json_null() : json_real(v);
}

static int print_json(PGresult *r, PGresult *plans)
{
	json_t *arr = json_array();
	for (int i = 0; i < PQntuples(r); i++) {
		json_t *o = json_object();
		json_object_set_new(o, "target_id", json_integer(atoi(PQgetvalue(r, i, S_ID))));
		json_object_set_new(o, "label", json_string(PQgetvalue(r, i, S_LABEL)));
		json_object_set_new(o, "metric", json_string(PQgetvalue(r, i, S_METRIC)));
		json_object_set_new(o, "year", json_integer(atoi(PQgetvalue(r, i, S_YEAR))));
		json_object_set_new(o, "scope", json_string(PQgetvalue(r, i, S_SCOPE)));
		json_object_set_new(o, "kind", json_string(PQgetvalue(r, i, S_KIND)));
		json_object_set_new(o, "target", jnum(r, i, S_TARGET));
		json_object_set_new(o, "expected", jnum(r, i, S_EXPECTED));
		json_object_set_new(o, "actual", jnum(r, i, S_ACTUAL));
		json_object_set_new(o, "drift_pct", jnum(r, i, S_DRIFT));
		json_object_set_new(o, "projected", jnum(r, i, S_PROJECTED));
		json_object_set_new(o, "required_daily", jnum(r, i, S_REQUIRED));
		json_object_set_new(o, "elapsed_pct", jnum(r, i, S_ELAPSED));
		json_object_set_new(o, "tolerance_pct", jnum(r, i, S_TOL));
		/* "pp": drift_pct and tolerance_pct of a target in % are points */
		json_object_set_new(o, "drift_unit",
				    json_string(et_drift_unit(PQgetvalue(r, i, S_DUNIT))));
		json_object_set_new(o, "sites_reporting",
				    json_integer(atoi(PQgetvalue(r, i, S_REPORTING))));
		json_object_set_new(o, "sites_stale",
				    json_integer(atoi(PQgetvalue(r, i, S_STALE))));
		json_object_set_new(o, "status", json_string(PQgetvalue(r, i, S_STATUS)));
		json_object_set_new(o, "display_unit", json_string(PQgetvalue(r, i, S_DUNIT)));
		json_object_set_new(o, "schedule", json_string(PQgetvalue(r, i, S_SCHED)));
		json_object_set_new(o, "schedule_note",
				    json_string(PQgetvalue(r, i, S_SCHED_NOTE)));
		json_object_set_new(o, "month_sources",
				    PQgetisnull(r, i, S_MONTHS)
					    ? json_null()
					    : json_string(PQgetvalue(r, i, S_MONTHS)));
		json_object_set_new(o, "late_projects",
				    PQgetisnull(r, i, S_LATE)
					    ? json_null()
					    : json_string(PQgetvalue(r, i, S_LATE)));
		json_array_append_new(arr, o);
	}
	for (int i = 0; i < PQntuples(plans); i++)
		json_array_append_new(arr, et_plan_json(plans, i));
	char *s = json_dumps(arr, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
	json_decref(arr);
	if (!s)
		return -1;
	puts(s);
	free(s);
	return 0;
}

int status_main(int argc, char **argv)
{
	const char *config = NULL, *at = NULL;
	bool json = false;
	const et_opt_t opts[] = {
		ET_OPT_STR_ROW("config", 'c', &config, "FILE"),
		ET_OPT_STR_ROW("at", 'a', &at, "TIME"),
		ET_OPT_FLAG_ROW("json", 'j', &json),
	};
	static const char usage[] = "enertrack status [-c FILE] [--at TIME] [--json]";
	static const char help[] =
		"  TIME: any PostgreSQL timestamptz, e.g. 2024-06-30T12:00:00+08:00;\n"
		"  without an offset, in the targets' time zone\n";
	int rc = tool_parse_opts("status", usage, help, opts, TOOL_NOPTS(opts), argc, argv);
	if (rc)
		return rc < 0 ? 0 : rc;
	tool_session_t s;
	char err[400] = "";
	/* this configuration's [targets], not the daemon's stored ones; a TIME
	 * without an offset is a local time of this configuration's zone */
	rc = tool_open(&s, "status", config,
		       TOOL_READER | TOOL_SCHEMA | TOOL_SETTINGS | TOOL_LOCALTIME);
	if (rc || (rc = tool_check_time(s.conn, "status", "--at", at, s.cfg.tz)))
		goto out;
	rc = 1;
	if (et_truth_use_sources(s.conn, s.cfg.statistics_sources, false, false, err,
				 sizeof(err))) {
		log_error("%s", err);
		goto out;
	}
	if (!at)
		at = "now";
	et_lang_t lang = s.cfg.lang;
	PGconn *conn = s.conn;
	const char *p[2] = {at, et_lang_tag(lang)};
	PGresult *r = PQexecParams(conn, progress_sql, 2, NULL, p, NULL, NULL, 0);
	PGresult *plans = json ? query_plans(conn, at, lang) : NULL;
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		log_error("target_progress_at: %s", PQresultErrorMessage(r));
	} else if (json && !plans) {
		/* logged */
	} else if (PQntuples(r) == 0 && !json) {
		char line[300];
		et_msg_fill(line, sizeof(line), lang, ET_MSG_CLI_NO_TARGETS, 1,
			    strcmp(at, "now") == 0 ? et_msg(lang, ET_MSG_CLI_NOW) : at);
		printf("%s\n", line);
		rc = 0;
	} else {
		rc = (json ? print_json(r, plans)
			   : print_table(conn, r, at, lang, s.cfg.units_bureau))
			     ? 1
			     : 0;
	}
	PQclear(r);
	PQclear(plans);
	/* the plans over several years, after the year's targets */
	if (rc == 0 && !json)
		rc = print_plans(conn, at, lang);
	if (rc == 0 && !json)
		rc = print_silences(conn, lang);
out:
	tool_close(&s);
	return rc;
}
