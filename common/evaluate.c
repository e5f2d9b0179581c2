/* SPDX-License-Identifier: MIT */
/* One evaluation of every target of the year at one instant: read
 * target_progress_at(), step each target's alert state machine (lib/alert.c),
 * and record each change in drift_event and each mail (lib/mail.c) in
 * alert_outbox, all in one transaction under an advisory lock so that of
 * several daemons exactly one evaluates. Used by enertrackd (at now()) and
 * by `enertrack evaluate` (at any instant, to replay a past year). */
#include "common/evaluate.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/chart.h"
#include "enertrack/buf.h"
#include "enertrack/i18n.h"
#include "enertrack/log.h"
#include "enertrack/mail.h"

#define EVAL_LOCK "hashtext('enertrack.evaluate')"

struct eval_ctx {
	PGconn *conn;
	const char *at; /* NULL: now() */
	char err[512];
	bool busy;
	int events, mails;
};

int et_pq_use_settings(PGconn *conn, const char *tz, double min_elapsed_pct, int stale_after_s,
		       bool local, bool store, char *err, size_t errlen)
{
	char mep[40], sas[24];
	snprintf(mep, sizeof(mep), "%.17g", min_elapsed_pct);
	snprintf(sas, sizeof(sas), "%d", stale_after_s);
	const char *p[4] = {tz, mep, sas, local ? "true" : "false"};
	PGresult *r = NULL;
	/* the stored row first: the view prefers the session's values set below */
	if (store) {
		r = PQexecParams(
			conn,
			"UPDATE target_setting SET timezone = $1, min_elapsed_pct = $2,"
			" stale_after_s = $3 WHERE (timezone, min_elapsed_pct, stale_after_s)"
			" IS DISTINCT FROM ($1, $2::double precision, $3::integer)",
			3, NULL, p, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			goto fail;
		PQclear(r);
	}
	r = PQexecParams(conn,
			 "SELECT set_config('enertrack.timezone', $1, $4::boolean),"
			 " set_config('enertrack.min_elapsed_pct', $2, $4::boolean),"
			 " set_config('enertrack.stale_after_s', $3, $4::boolean)",
			 4, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		goto fail;
	PQclear(r);
	return 0;
fail:
	snprintf(err, errlen, "%s", PQresultErrorMessage(r));
	PQclear(r);
	return -EIO;
}

size_t et_split_rcpt(const char *to, char *buf, size_t buflen, const char **out)
{
	size_t n = 0;
	snprintf(buf, buflen, "%s", to);
	for (char *save = NULL, *t = strtok_r(buf, " ,\t", &save); t && n < ET_MAX_RCPT;
	     t = strtok_r(NULL, " ,\t", &save))
		out[n++] = t;
	return n;
}

int et_pq_exec(PGconn *conn, const char *sql, char *err, size_t errlen)
{
	PGresult *r = PQexec(conn, sql);
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
	if (!ok)
		snprintf(err, errlen, "%s", PQresultErrorMessage(r));
	PQclear(r);
	return ok ? 0 : -EIO;
}

static bool exec_ok(struct eval_ctx *al, const char *sql)
{
	return et_pq_exec(al->conn, sql, al->err, sizeof(al->err)) == 0;
}

static double num_or_nan(PGresult *r, int row, int col)
{
	if (PQgetisnull(r, row, col))
		return NAN;
	return strtod(PQgetvalue(r, row, col), NULL);
}

static int64_t ts_us(PGresult *r, int row, int col)
{
	if (PQgetisnull(r, row, col))
		return 0;
	return (int64_t)llround(strtod(PQgetvalue(r, row, col), NULL) * 1e6);
}

/* Site lists for a mail: the five furthest behind and the stale ones. */
static PGresult *query_sites(struct eval_ctx *al, const char *tid, bool stale)
{
	const char *p[2] = {tid, al->at};
	const char *sql =
		stale ? "SELECT s.site_id, coalesce(s.county, ''), s.ytd, NULL, NULL, s.stale,"
			"  extract(epoch FROM s.last_ts)"
			" FROM target t, LATERAL target_site_stats(t, $2::timestamptz) s"
			" WHERE t.id = $1 AND s.stale ORDER BY s.last_ts LIMIT 20"
		      : "SELECT site_id, coalesce(county, ''), actual, expected, gap, stale,"
			"  extract(epoch FROM last_ts)"
			" FROM target_sites_behind($1, $2::timestamptz, 5) WHERE gap < 0";
	PGresult *r = PQexecParams(al->conn, sql, 2, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		snprintf(al->err, sizeof(al->err), "%s", PQresultErrorMessage(r));
		PQclear(r);
		return NULL;
	}
	return r;
}

static void fill_sites(PGresult *r, et_mail_site_t *out, size_t *n)
{
	*n = 0;
	for (int i = 0; r && i < PQntuples(r) && *n < 20; i++) {
		et_mail_site_t *s = &out[(*n)++];
		s->site_id = PQgetvalue(r, i, 0);
		s->county = PQgetvalue(r, i, 1);
		s->actual = num_or_nan(r, i, 2);
		s->expected = num_or_nan(r, i, 3);
		s->gap = num_or_nan(r, i, 4);
		s->stale = PQgetvalue(r, i, 5)[0] == 't';
		s->last_us = ts_us(r, i, 6);
	}
}

enum {
	C_ID,
	C_LABEL,
	C_METRIC,
	C_YEAR,
	C_SCOPE,
	C_KIND,
	C_TARGET,
	C_DUNIT,
	C_DDIV,
	C_ELAPSED,
	C_EXPECTED,
	C_ACTUAL,
	C_DRIFT,
	C_PROJECTED,
	C_REQUIRED,
	C_REPORTING,
	C_STALE,
	C_STATUS,
	C_PLAN,
	C_ASTATE,
	C_SINCE,
	C_LASTMAIL,
	C_NOW,
	C_SILENCED,
	C_RCPT,
};

static const char progress_sql[] =
	"SELECT p.target_id, coalesce(metric_label(p.metric, $2), p.label), p.metric, p.year, "
	"p.scope, p.kind, p.target, p.display_unit,"
	" p.display_div, p.elapsed_pct, p.expected, p.actual, p.drift_pct, p.projected,"
	" p.required_daily, p.sites_reporting, p.sites_stale, p.status, p.plan_text,"
	" a.state, extract(epoch FROM a.since), extract(epoch FROM a.last_mail_at),"
	" extract(epoch FROM $1::timestamptz),"
	" alert_silenced(p.target_id, $1::timestamptz), alert_recipients(p.scope, $3)"
	" FROM target_progress_at($1::timestamptz) p"
	" LEFT JOIN alert_state a ON a.target_id = p.target_id"
	" ORDER BY p.target_id";

/* Writes the state, the event and (when it notifies) the mail of one target. */
static bool record_change(struct eval_ctx *al, const et_eval_cfg_t *c, PGresult *r, int i,
			  const et_alert_t *old, const et_alert_t *now_st, enum et_alert_event ev,
			  int64_t now_us)
{
	char state_buf[16], since[40], lastmail[40], eid[32];
	const char *tid = PQgetvalue(r, i, C_ID);
	snprintf(state_buf, sizeof(state_buf), "%s", et_alert_state_name(now_st->state));
	snprintf(since, sizeof(since), "%.6f", now_st->since_us / 1e6);
	snprintf(lastmail, sizeof(lastmail), "%.6f", now_st->last_mail_us / 1e6);
	const char *up[4] = {tid, state_buf, since, now_st->last_mail_us ? lastmail : NULL};
	PGresult *x =
		PQexecParams(al->conn,
			     "INSERT INTO alert_state (target_id, state, since, last_mail_at, "
			     "drift_pct, updated_at)"
			     " VALUES ($1, $2, to_timestamp($3), to_timestamp($4), NULL, now())"
			     " ON CONFLICT (target_id) DO UPDATE SET state = EXCLUDED.state, since "
			     "= EXCLUDED.since,"
			     " last_mail_at = EXCLUDED.last_mail_at, updated_at = now()",
			     4, NULL, up, NULL, NULL, 0);
	bool ok = PQresultStatus(x) == PGRES_COMMAND_OK;
	if (!ok)
		snprintf(al->err, sizeof(al->err), "%s", PQresultErrorMessage(x));
	PQclear(x);
	if (!ok || ev == ET_AL_EV_NONE)
		return ok;

	/* a reminder while a silence or an acknowledgement holds: recorded, not mailed */
	const char *silenced = ev == ET_AL_EV_REPEAT && !PQgetisnull(r, i, C_SILENCED)
				       ? PQgetvalue(r, i, C_SILENCED)
				       : NULL;
	const char *ep[10] = {tid,
			      et_alert_state_name(old->state),
			      et_alert_state_name(now_st->state),
			      et_alert_event_name(ev),
			      PQgetvalue(r, i, C_STATUS),
			      PQgetisnull(r, i, C_DRIFT) ? NULL : PQgetvalue(r, i, C_DRIFT),
			      PQgetisnull(r, i, C_EXPECTED) ? NULL : PQgetvalue(r, i, C_EXPECTED),
			      PQgetisnull(r, i, C_ACTUAL) ? NULL : PQgetvalue(r, i, C_ACTUAL),
			      al->at,
			      silenced};
	x = PQexecParams(
		al->conn,
		"INSERT INTO drift_event (target_id, from_state, to_state, event, status,"
		" drift_pct, expected, actual, at, silenced_by)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::timestamptz, $10) RETURNING id",
		10, NULL, ep, NULL, NULL, 0);
	ok = PQresultStatus(x) == PGRES_TUPLES_OK;
	if (!ok)
		snprintf(al->err, sizeof(al->err), "%s", PQresultErrorMessage(x));
	else
		snprintf(eid, sizeof(eid), "%s", PQgetvalue(x, 0, 0));
	PQclear(x);
	log_info("alerts: %s %d [%s]: %s -> %s (%s, drift %.1f %%)", PQgetvalue(r, i, C_LABEL),
		 atoi(PQgetvalue(r, i, C_YEAR)), PQgetvalue(r, i, C_SCOPE),
		 et_alert_state_name(old->state), et_alert_state_name(now_st->state),
		 PQgetvalue(r, i, C_STATUS), num_or_nan(r, i, C_DRIFT));
	if (ok && ev == ET_AL_EV_RESOLVED) {
		/* an acknowledgement lasts until its alert resolves */
		const char *ap[2] = {tid, al->at};
		x = PQexecParams(al->conn,
				 "UPDATE alert_silence SET ended_at = $2::timestamptz"
				 " WHERE target_id = $1 AND kind = 'ack' AND ended_at IS NULL",
				 2, NULL, ap, NULL, NULL, 0);
		ok = PQresultStatus(x) == PGRES_COMMAND_OK;
		if (!ok)
			snprintf(al->err, sizeof(al->err), "%s", PQresultErrorMessage(x));
		PQclear(x);
	}
	if (!ok || !et_alert_event_notifies(ev))
		return ok;
	if (silenced) {
		log_info("alerts: reminder not mailed: silenced (alert_silence %s)", silenced);
		return true;
	}
	/* [smtp] to and the routes of alert_route that match the target's scope */
	const char *to = PQgetisnull(r, i, C_RCPT) ? "" : PQgetvalue(r, i, C_RCPT);
	if (!to[0]) {
		/* no recipients configured: the change is recorded, no mail is queued */
		log_warn("alerts: no [smtp] to and no alert_route for %s: no mail for this change",
			 PQgetvalue(r, i, C_SCOPE));
		return true;
	}

	/* the mail, rendered now so that it says what was true at the change */
	PGresult *behind = query_sites(al, tid, false);
	PGresult *stale = query_sites(al, tid, true);
	et_mail_site_t bs[20], ss[20];
	size_t nb, ns;
	fill_sites(behind, bs, &nb);
	fill_sites(stale, ss, &ns);
	char rcptbuf[4096], msgid[96], subject[512];
	const char *rcpt[ET_MAX_RCPT];
	size_t nrcpt = et_split_rcpt(to, rcptbuf, sizeof(rcptbuf), rcpt);
	snprintf(msgid, sizeof(msgid), "drift-%s.target-%s@enertrack", eid, tid);
	et_mail_report_t rep = {
		.event = ev,
		.label = PQgetvalue(r, i, C_LABEL),
		.year = atoi(PQgetvalue(r, i, C_YEAR)),
		.kind = PQgetvalue(r, i, C_KIND),
		.status = PQgetvalue(r, i, C_STATUS),
		.plan_text = PQgetisnull(r, i, C_PLAN) ? NULL : PQgetvalue(r, i, C_PLAN),
		.scope = PQgetvalue(r, i, C_SCOPE),
		.display_unit = PQgetvalue(r, i, C_DUNIT),
		.display_div = num_or_nan(r, i, C_DDIV),
		.target = num_or_nan(r, i, C_TARGET),
		.expected = num_or_nan(r, i, C_EXPECTED),
		.actual = num_or_nan(r, i, C_ACTUAL),
		.drift_pct = num_or_nan(r, i, C_DRIFT),
		.projected = num_or_nan(r, i, C_PROJECTED),
		.required_daily = num_or_nan(r, i, C_REQUIRED),
		.elapsed_pct = num_or_nan(r, i, C_ELAPSED),
		.sites_reporting = atoi(PQgetvalue(r, i, C_REPORTING)),
		.sites_stale = atoi(PQgetvalue(r, i, C_STALE)),
		.behind = bs,
		.nbehind = nb,
		.stale = ss,
		.nstale = ns,
		.from = c->smtp_from,
		.to = rcpt,
		.nto = nrcpt,
		.date_us = now_us,
		.message_id = msgid,
	};
	/* the chart beside the text; the mail goes without it if it fails */
	et_buf_t png = ET_BUF_INIT;
	char cid[128], err[600];
	snprintf(cid, sizeof(cid), "chart-%s.target-%s@enertrack", eid, tid);
	if (exec_ok(al, "SAVEPOINT chart")) {
		if (et_chart_target_png(al->conn, atoi(tid), al->at, c->language, ET_MAIL_CHART_W,
					&png, err, sizeof(err))) {
			log_warn("alerts: the mail of target %s goes without its chart: %s", tid,
				 err);
			et_buf_free(&png);
			exec_ok(al, "ROLLBACK TO SAVEPOINT chart");
		}
		exec_ok(al, "RELEASE SAVEPOINT chart");
	}
	rep.lang = et_lang_or_en(c->language);
	rep.chart_png = png.data;
	rep.chart_len = png.len;
	rep.chart_cid = cid;
	et_buf_t msg = ET_BUF_INIT;
	int rc = et_mail_subject(&rep, subject, sizeof(subject));
	if (rc >= 0)
		rc = et_mail_build(&rep, &msg, err, sizeof(err));
	else
		snprintf(err, sizeof(err), "subject too long");
	if (rc >= 0 && et_buf_append(&msg, "", 1) == 0) {
		const char *mp[4] = {eid, subject, msg.data, to};
		x = PQexecParams(
			al->conn,
			"INSERT INTO alert_outbox (drift_event_id, subject, message, recipients)"
			" VALUES ($1, $2, $3, $4)",
			4, NULL, mp, NULL, NULL, 0);
		ok = PQresultStatus(x) == PGRES_COMMAND_OK;
		if (!ok)
			snprintf(al->err, sizeof(al->err), "%s", PQresultErrorMessage(x));
		PQclear(x);
	} else {
		snprintf(al->err, sizeof(al->err), "cannot build the mail: %.400s", err);
		ok = false;
	}
	et_buf_free(&msg);
	et_buf_free(&png);
	PQclear(behind);
	PQclear(stale);
	return ok;
}

static bool evaluate(struct eval_ctx *al, const et_eval_cfg_t *c)
{
	if (!exec_ok(al, "BEGIN"))
		return false;
	PGresult *r = PQexec(al->conn, "SELECT pg_try_advisory_xact_lock(" EVAL_LOCK ")");
	bool locked = PQresultStatus(r) == PGRES_TUPLES_OK && PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	if (!locked) {
		/* another daemon evaluates this round */
		exec_ok(al, "ROLLBACK");
		al->busy = true;
		return true;
	}
	if (et_pq_use_settings(al->conn, c->tz, c->min_elapsed_pct, c->stale_after_s, true,
			       c->store_settings, al->err, sizeof(al->err)))
		goto fail;

	const char *ap[3] = {al->at, et_lang_tag(et_lang_or_en(c->language)), c->smtp_to};
	r = PQexecParams(al->conn, progress_sql, 3, NULL, ap, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		snprintf(al->err, sizeof(al->err), "%s", PQresultErrorMessage(r));
		PQclear(r);
		goto fail;
	}
	for (int i = 0; i < PQntuples(r); i++) {
		int64_t now_us = ts_us(r, i, C_NOW);
		et_alert_t a = {.state = ET_AL_ST_OK, .since_us = now_us, .last_mail_us = 0};
		bool known = !PQgetisnull(r, i, C_ASTATE);
		if (known) {
			if (et_alert_state_parse(PQgetvalue(r, i, C_ASTATE), &a.state))
				a.state = ET_AL_ST_OK;
			a.since_us = ts_us(r, i, C_SINCE);
			a.last_mail_us = ts_us(r, i, C_LASTMAIL);
		}
		const char *status = PQgetvalue(r, i, C_STATUS);
		double drift = num_or_nan(r, i, C_DRIFT);
		bool has_data = strcmp(status, "too_early") != 0 &&
				strcmp(status, "insufficient_data") != 0 && !isnan(drift);
		double bad = has_data ? et_alert_bad_pct(PQgetvalue(r, i, C_KIND), drift) : NAN;
		et_alert_t old = a;
		enum et_alert_event ev = et_alert_step(&a, &c->params, has_data, bad, now_us);
		if (!known || ev != ET_AL_EV_NONE || a.last_mail_us != old.last_mail_us) {
			if (!record_change(al, c, r, i, &old, &a, ev, now_us)) {
				PQclear(r);
				goto fail;
			}
			if (ev != ET_AL_EV_NONE)
				al->events++;
			if (et_alert_event_notifies(ev))
				al->mails++;
		}
		if (c->on_target) {
			et_eval_target_t t = {.id = PQgetvalue(r, i, C_ID),
					      .label = PQgetvalue(r, i, C_LABEL),
					      .metric = PQgetvalue(r, i, C_METRIC),
					      .year = PQgetvalue(r, i, C_YEAR),
					      .scope = PQgetvalue(r, i, C_SCOPE),
					      .kind = PQgetvalue(r, i, C_KIND),
					      .status = status,
					      .drift_pct = drift,
					      .state = et_alert_state_name(a.state)};
			c->on_target(c->ctx, &t);
		}
	}
	PQclear(r);
	if (!exec_ok(al, "COMMIT"))
		goto fail;
	return true;
fail:
	PQclear(PQexec(al->conn, "ROLLBACK"));
	return false;
}

int et_evaluate(PGconn *conn, const et_eval_cfg_t *c, const char *at, et_eval_result_t *ret,
		char *err, size_t errlen)
{
	/* "now" is PostgreSQL's transaction time, the same as now() */
	struct eval_ctx ctx = {.conn = conn, .at = at ? at : "now"};
	bool ok = evaluate(&ctx, c);
	if (ret) {
		ret->busy = ctx.busy;
		ret->events = ctx.events;
		ret->mails = ctx.mails;
	}
	if (!ok) {
		snprintf(err, errlen, "%s", ctx.err);
		return -EIO;
	}
	return 0;
}
