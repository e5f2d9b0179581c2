/* SPDX-License-Identifier: MIT */
/* The milestone, reconciliation, register, no-data and county-sum alerts.
 * The SQL functions decide what is late, off, short, silent or does not add
 * up (target_milestone_state, reconcile_latest, target_progress_at,
 * target_no_data, statistic_county_check); this file
 * reads its rows, has lib/truthmail.c word the mail, queues it (db/outbox.c,
 * routed by the target's or the county's scope) and records it in
 * truth_alert, in the evaluation's transaction, so that a project is mailed
 * once and a county once each time its gap opens. Each row goes in a
 * savepoint of its own: one that fails is recorded (on_failure) and the
 * others' mails go. */
#include "db/truth_alerts.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/outbox.h"
#include "db/pq.h"
#include "enertrack/log.h"
#include "enertrack/truthmail.h"
#include "enertrack/utf8.h"

void et_truth_message_id(const char *kind, const char *key, long long at_s, char *out, size_t len)
{
	unsigned long h = 5381;
	for (const char *s = key; *s; s++)
		h = h * 33 + (unsigned char)*s;
	snprintf(out, len, "%s-%lx.%lld@enertrack", kind, h, at_s);
}

/* Queues one mail (pending: its text now, its message after the commit)
 * and records it; with no recipients, only records it. */
static int queue(PGconn *conn, const et_truth_cfg_t *c, const char *kind, const char *key,
		 const char *scope, bool firing, const et_truth_text_t *t, const char *at,
		 int *ret_mails, char *err, size_t errlen)
{
	char outbox_id[32] = "";
	if (firing) {
		et_outbox_mail_t m = {.scope = scope,
				      .base_to = c->smtp_to,
				      .subject = t->subject,
				      .pending_text = t->body};
		int rc = et_outbox_queue(conn, &m, outbox_id, sizeof(outbox_id), err, errlen);
		if (rc < 0)
			return rc;
		if (rc > 0)
			(*ret_mails)++;
		else
			log_warn("alerts: no [smtp] to and no alert_route for %s: no mail for %s",
				 scope, t->detail);
	}
	const char *p[6] = {kind, key,	     firing ? "true" : "false",
			    at,	  t->detail, outbox_id[0] ? outbox_id : NULL};
	if (et_pq_run(conn,
		      "INSERT INTO truth_alert (kind, key, firing, since, detail, outbox_id)"
		      " VALUES ($1, $2, $3, $4::timestamptz, $5, $6)"
		      " ON CONFLICT (kind, key) DO UPDATE SET firing = EXCLUDED.firing,"
		      " since = EXCLUDED.since, detail = EXCLUDED.detail,"
		      " outbox_id = coalesce(EXCLUDED.outbox_id, truth_alert.outbox_id)",
		      6, p, err, errlen))
		return -EIO;
	log_info("alerts: %s %s", firing ? "mail:" : "cleared:", t->detail);
	return 0;
}

/* What one row of a kind's query says: the mail's text, the alert's key,
 * the scope that routes it, and whether it fires (else it is cleared). */
typedef struct {
	et_truth_text_t t;
	const char *key, *scope;
	bool firing;
	char keybuf[256];
} alert_t;

/* Fills a from row i; false when the row changes nothing. */
typedef bool (*alert_row_fn)(const PGresult *r, int i, const et_truth_cfg_t *c, alert_t *a);

/* A row or a kind's query failed with err: rolls it back to its savepoint
 * sp and has on_failure record it under part. 0 when recorded (the others
 * go on), -EIO when the evaluation must fail. */
static int failed(PGconn *conn, const et_truth_cfg_t *c, const char *sp, const char *part,
		  char *err, size_t errlen)
{
	if (!c->on_failure || PQstatus(conn) != CONNECTION_OK)
		return -EIO;
	char reason[512], rb[96];
	snprintf(reason, sizeof(reason), "%s", err);
	/* released too: a savepoint left open per failed row would nest */
	snprintf(rb, sizeof(rb), "ROLLBACK TO SAVEPOINT %s; RELEASE SAVEPOINT %s", sp, sp);
	if (et_pq_exec(conn, rb, err, errlen))
		return -EIO;
	if (!c->on_failure(c->ctx, part, reason)) {
		snprintf(err, errlen, "%s: %s", part, reason);
		return -EIO;
	}
	return 0;
}

/* Queues and records one row in its own savepoint: a row that cannot be
 * (a mail PostgreSQL refuses, a trigger) stops no other row. */
static int row_in_savepoint(PGconn *conn, const et_truth_cfg_t *c, const char *kind,
			    const alert_t *a, const char *at, int *ret_mails, char *err,
			    size_t errlen)
{
	if (et_pq_exec(conn, "SAVEPOINT et_truth_row", err, errlen))
		return -EIO;
	int mails = 0;
	if (queue(conn, c, kind, a->key, a->scope, a->firing, &a->t, at, &mails, err, errlen) ==
	    0) {
		*ret_mails += mails;
		return et_pq_exec(conn, "RELEASE SAVEPOINT et_truth_row", err, errlen);
	}
	/* the key may hold a county's name: cut on a character boundary */
	char part[320];
	int n = snprintf(part, sizeof(part), "truth:%s:%s", kind, a->key);
	et_utf8_cut(part, n < 0 ? 0 : (size_t)n);
	return failed(conn, c, "et_truth_row", part, err, errlen);
}

/* Every kind of alert: runs its query (n parameters p), then words, queues
 * and records each row that row() says changes something, each in its own
 * savepoint, the whole kind in another (its query may fail). */
static int alerts(PGconn *conn, const et_truth_cfg_t *c, const char *kind, const char *sql, int n,
		  const char *const *p, alert_row_fn row, const char *at, int *ret_mails, char *err,
		  size_t errlen)
{
	char part[64];
	snprintf(part, sizeof(part), "truth:%s", kind);
	if (et_pq_exec(conn, "SAVEPOINT et_truth_kind", err, errlen))
		return -EIO;
	PGresult *r = et_pq_query(conn, sql, n, p, err, errlen);
	if (!r)
		return failed(conn, c, "et_truth_kind", part, err, errlen);
	int rc = 0;
	for (int i = 0; i < PQntuples(r) && rc == 0; i++) {
		alert_t a = {.firing = true};
		if (row(r, i, c, &a))
			rc = row_in_savepoint(conn, c, kind, &a, at, ret_mails, err, errlen);
	}
	PQclear(r);
	if (rc == 0)
		rc = et_pq_exec(conn, "RELEASE SAVEPOINT et_truth_kind", err, errlen);
	return rc;
}

enum {
	M_ID,
	M_LABEL,
	M_YEAR,
	M_SCOPE,
	M_NAME,
	M_SITE,
	M_DUE,
	M_VALUE,
	M_DONE,
	M_PLANNED,
	M_LATE,
	M_DUNIT,
	M_DDIV,
	M_RETROFIT,
};

static const char milestones_sql[] =
	"SELECT m.milestone_id, coalesce(metric_label(me.name, $3), me.label), t.year, "
	"t.scope, m.name, m.site_id, m.due,"
	"  m.value, m.commissioned, m.planned_to_here, m.days_late, me.display_unit,"
	"  me.display_div,"
	"  (SELECT tm.retrofit_kind FROM target_milestone tm WHERE tm.id = m.milestone_id)"
	" FROM target t JOIN metric me ON me.name = t.metric,"
	"  LATERAL target_milestone_state(t, $1::timestamptz) m"
	" WHERE t.year = extract(year FROM $1::timestamptz AT TIME ZONE"
	"        (SELECT timezone FROM target_setting))::int"
	"  AND m.late AND m.days_late > $2::integer"
	"  AND NOT EXISTS (SELECT 1 FROM truth_alert a"
	"                   WHERE a.kind = 'milestone' AND a.key = m.milestone_id::text)"
	" ORDER BY m.due, m.milestone_id";

static bool milestone_row(const PGresult *r, int i, const et_truth_cfg_t *c, alert_t *a)
{
	et_milestone_mail_t m = {.label = PQgetvalue(r, i, M_LABEL),
				 .year = PQgetvalue(r, i, M_YEAR),
				 .scope = PQgetvalue(r, i, M_SCOPE),
				 .name = PQgetvalue(r, i, M_NAME),
				 .site_id = PQgetvalue(r, i, M_SITE),
				 .due = PQgetvalue(r, i, M_DUE),
				 .days_late = PQgetvalue(r, i, M_LATE),
				 .value = et_pq_num(r, i, M_VALUE),
				 .commissioned = et_pq_num(r, i, M_DONE),
				 .planned_to_here = et_pq_num(r, i, M_PLANNED),
				 .display_unit = PQgetvalue(r, i, M_DUNIT),
				 .display_div = et_pq_num(r, i, M_DDIV),
				 .retrofit_kind = PQgetisnull(r, i, M_RETROFIT)
							  ? NULL
							  : PQgetvalue(r, i, M_RETROFIT),
				 .grace_days = c->milestone_grace_days};
	(void)et_truthmail_milestone(c->lang, &m, &a->t); /* a cut text still goes */
	a->key = PQgetvalue(r, i, M_ID);
	a->scope = m.scope;
	return true;
}

enum {
	R_SCOPE,
	R_METRIC,
	R_LABEL,
	R_PERIOD,
	R_SOURCE,
	R_TEL,
	R_OFF,
	R_GAP,
	R_DUNIT,
	R_DDIV,
	R_FIRING,
};

static const char reconcile_sql[] =
	"SELECT x.scope, x.metric, coalesce(metric_label(me.name, $2), me.label), "
	"x.period, x.source, x.telemetry, x.official,"
	"  x.gap_pct, me.display_unit, me.display_div, coalesce(a.firing, false)"
	" FROM reconcile_latest($1::timestamptz) x JOIN metric me ON me.name = x.metric"
	" LEFT JOIN truth_alert a ON a.kind = 'reconcile' AND a.key = x.scope || '|' || "
	"x.metric"
	" ORDER BY x.scope, x.metric";

static bool reconcile_row(const PGresult *r, int i, const et_truth_cfg_t *c, alert_t *a)
{
	double gap = et_pq_num(r, i, R_GAP);
	bool bad = isnan(gap) || fabs(gap) > c->reconcile_pct;
	bool firing = PQgetvalue(r, i, R_FIRING)[0] == 't';
	if (bad == firing)
		return false;
	et_reconcile_mail_t m = {.scope = PQgetvalue(r, i, R_SCOPE),
				 .metric = PQgetvalue(r, i, R_METRIC),
				 .label = PQgetvalue(r, i, R_LABEL),
				 .period = PQgetvalue(r, i, R_PERIOD),
				 .source = PQgetvalue(r, i, R_SOURCE),
				 .telemetry = et_pq_num(r, i, R_TEL),
				 .official = et_pq_num(r, i, R_OFF),
				 .gap_pct = gap,
				 .display_unit = PQgetvalue(r, i, R_DUNIT),
				 .display_div = et_pq_num(r, i, R_DDIV),
				 .reconcile_pct = c->reconcile_pct};
	snprintf(a->keybuf, sizeof(a->keybuf), "%s|%s", m.scope, m.metric);
	(void)et_truthmail_reconcile(c->lang, &m, &a->t);
	a->key = a->keybuf;
	a->scope = m.scope;
	a->firing = bad;
	return true;
}

/* A target whose register plans less than the target (target_progress_at
 * says so in its note): one mail per target, ever. */
static const char registers_sql[] =
	"SELECT p.target_id, coalesce(metric_label(p.metric, $2), p.label), p.year, "
	"p.scope,"
	"  p.target, p.projected, p.display_unit, p.display_div"
	" FROM target_progress_at($1::timestamptz) p"
	" WHERE p.schedule_used = 'milestones' AND p.projected < p.target * (1 - 1e-9)"
	"  AND p.schedule_note LIKE '%the register is short by%'"
	"  AND NOT EXISTS (SELECT 1 FROM truth_alert a"
	"                   WHERE a.kind = 'register' AND a.key = p.target_id::text)"
	" ORDER BY p.target_id";

static bool register_row(const PGresult *r, int i, const et_truth_cfg_t *c, alert_t *a)
{
	et_register_mail_t m = {.label = PQgetvalue(r, i, 1),
				.year = PQgetvalue(r, i, 2),
				.scope = PQgetvalue(r, i, 3),
				.target = et_pq_num(r, i, 4),
				.planned = et_pq_num(r, i, 5),
				.display_unit = PQgetvalue(r, i, 6),
				.display_div = et_pq_num(r, i, 7)};
	(void)et_truthmail_register(c->lang, &m, &a->t);
	a->key = PQgetvalue(r, i, 0);
	a->scope = m.scope;
	return true;
}

/* A target without data for no_data_days (target_no_data): one mail when
 * it starts, cleared (no mail) when data comes back. */
static const char no_data_sql[] =
	"SELECT t.id, coalesce(metric_label(t.metric, $3), me.label), t.year, t.scope,"
	"  n.missing, n.target_id IS NOT NULL, coalesce(a.firing, false)"
	" FROM target t JOIN metric me ON me.name = t.metric"
	" LEFT JOIN target_no_data($1::timestamptz, $2::integer) n ON n.target_id = t.id"
	" LEFT JOIN truth_alert a ON a.kind = 'no_data' AND a.key = t.id::text"
	" WHERE t.year = extract(year FROM $1::timestamptz AT TIME ZONE"
	"        (SELECT timezone FROM target_setting))::int AND t.first_year IS NULL"
	" ORDER BY t.id";

static bool no_data_row(const PGresult *r, int i, const et_truth_cfg_t *c, alert_t *a)
{
	bool bad = PQgetvalue(r, i, 5)[0] == 't', firing = PQgetvalue(r, i, 6)[0] == 't';
	if (bad == firing)
		return false;
	et_nodata_mail_t m = {.label = PQgetvalue(r, i, 1),
			      .year = PQgetvalue(r, i, 2),
			      .scope = PQgetvalue(r, i, 3),
			      .missing = bad ? PQgetvalue(r, i, 4) : "data again",
			      .days = c->no_data_days};
	(void)et_truthmail_nodata(c->lang, &m, &a->t);
	a->key = PQgetvalue(r, i, 0);
	a->scope = m.scope;
	a->firing = bad;
	return true;
}

/* The counties' statistics that do not add up to the city's by more than
 * reconcile_pct, for the periods of the year of `at` that have ended and
 * were published by then: one mail per metric, period and source, ever. */
static const char county_sums_sql[] =
	"WITH d AS (SELECT ($1::timestamptz AT TIME ZONE (SELECT timezone FROM "
	"target_setting))"
	"           ::date AS day)"
	" SELECT x.metric || '|' || x.period || '|' || x.source,"
	"  coalesce(metric_label(me.name, $3), me.label), x.period, x.source, x.city,"
	"  x.counties_sum, x.gap_pct, x.counties, me.display_unit, me.display_div"
	" FROM statistic_county_check x JOIN metric me ON me.name = x.metric, d"
	" WHERE x.period_end <= d.day AND extract(year FROM x.period_start) = extract(year "
	"FROM d.day)"
	"  AND (x.published IS NULL OR x.published <= d.day)"
	"  AND abs(x.gap_pct) > $2::double precision"
	"  AND NOT EXISTS (SELECT 1 FROM truth_alert a WHERE a.kind = 'county_sum'"
	"                   AND a.key = x.metric || '|' || x.period || '|' || x.source)"
	" ORDER BY x.period_start, x.metric, x.period, x.source";

static bool county_sum_row(const PGresult *r, int i, const et_truth_cfg_t *c, alert_t *a)
{
	et_countysum_mail_t m = {.label = PQgetvalue(r, i, 1),
				 .period = PQgetvalue(r, i, 2),
				 .source = PQgetvalue(r, i, 3),
				 .city = et_pq_num(r, i, 4),
				 .counties_sum = et_pq_num(r, i, 5),
				 .gap_pct = et_pq_num(r, i, 6),
				 .counties = atoi(PQgetvalue(r, i, 7)),
				 .display_unit = PQgetvalue(r, i, 8),
				 .display_div = et_pq_num(r, i, 9)};
	(void)et_truthmail_countysum(c->lang, &m, &a->t);
	a->key = PQgetvalue(r, i, 0);
	a->scope = "city";
	return true;
}

/* The kinds' own parameter, $2 of their query (then $3 is the language):
 * false when the kind is off. */
static bool grace_days(const et_truth_cfg_t *c, char *buf, size_t len)
{
	snprintf(buf, len, "%d", c->milestone_grace_days);
	return true;
}

static bool no_data_days(const et_truth_cfg_t *c, char *buf, size_t len)
{
	snprintf(buf, len, "%d", c->no_data_days);
	return c->no_data_days > 0;
}

static bool reconcile_pct(const et_truth_cfg_t *c, char *buf, size_t len)
{
	snprintf(buf, len, "%.17g", c->reconcile_pct);
	return true;
}

/* Each kind of alert, in the order they are evaluated: its query ($1 the
 * instant; $2 its own parameter when it has one, else the language, which
 * is then $3) and what a row of it says. */
static const struct kind {
	const char *name, *sql;
	alert_row_fn row;
	bool (*param)(const et_truth_cfg_t *c, char *buf, size_t len);
} kinds[] = {
	{"milestone", milestones_sql, milestone_row, grace_days},
	{"reconcile", reconcile_sql, reconcile_row, NULL},
	{"register", registers_sql, register_row, NULL},
	{"no_data", no_data_sql, no_data_row, no_data_days},
	{"county_sum", county_sums_sql, county_sum_row, reconcile_pct},
};

int et_truth_evaluate(PGconn *conn, const et_truth_cfg_t *c, const char *at, int *ret_mails,
		      char *err, size_t errlen)
{
	int rc = 0;
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]) && rc == 0; k++) {
		char own[32];
		const char *p[3] = {at, et_lang_tag(c->lang), NULL};
		if (kinds[k].param) {
			if (!kinds[k].param(c, own, sizeof(own)))
				continue;
			p[1] = own;
			p[2] = et_lang_tag(c->lang);
		}
		rc = alerts(conn, c, kinds[k].name, kinds[k].sql, kinds[k].param ? 3 : 2, p,
			    kinds[k].row, at, ret_mails, err, errlen);
	}
	return rc;
}
