/* SPDX-License-Identifier: MIT */
/* Finishing the evaluation's pending mails (see eval_mails.h).
 *
 * Why pending rows: a mail must go exactly once for a change, and the change
 * and its mail must not part. Queueing the row in the transaction that
 * records the change, and only filling in its message after COMMIT, keeps
 * both: a crash between the two leaves a row that is pending, never sent
 * half made and never lost, and the next evaluation round (of this daemon or
 * another) finishes it, because this file finishes every pending row, not
 * only the ones it just queued. That is also why a drift mail is rendered
 * from the database (the target at its event's instant, which later
 * evaluations do not change) rather than from the evaluation's memory: one
 * path serves the normal case and the recovery. */
#include "db/eval_mails.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/chartdata.h"
#include "db/truthcharts.h"
#include "db/outbox.h"
#include "db/pq.h"
#include "db/progress.h"
#include "db/truth_alerts.h"
#include "enertrack/buf.h"
#include "enertrack/log.h"
#include "enertrack/mail.h"
#include "enertrack/numfmt.h"
#include "enertrack/text.h"

enum {
	O_ID,
	O_SUBJECT,
	O_TEXT,
	O_RCPT,
	O_CREATED,
	O_EID,
	O_TID,
	O_EVENT,
	O_AT,
	O_KIND,
	O_KEY,
	O_SINCE,
	O_PERIOD,
	O_MADE,
};

/* Which pending rows this finishes. A digest is finished by the daemon that
 * made it, right after its COMMIT (db/digest.c); one still pending after
 * ten minutes is an orphan of a crash, and goes as its text. */
#define FINISHED_HERE                                                                              \
	" WHERE " ET_OUTBOX_PENDING_SQL                                                            \
	"  AND (o.kind <> 'digest' OR o.created_at < now() - interval '10 minutes')"

/* Most rounds queue nothing: one cheap look (the alert_outbox_due index)
 * instead of a transaction. */
static const char any_sql[] = "SELECT 1 FROM alert_outbox o" FINISHED_HERE " LIMIT 1";

static const char pending_sql[] =
	"SELECT o.id, o.subject, o.message, o.recipients, extract(epoch FROM o.created_at),"
	" o.drift_event_id, e.target_id, e.event, e.at, ta.kind, ta.key,"
	" extract(epoch FROM ta.since), ds.period, extract(epoch FROM ds.created_at)"
	" FROM alert_outbox o LEFT JOIN drift_event e ON e.id = o.drift_event_id"
	" LEFT JOIN truth_alert ta ON ta.outbox_id = o.id"
	" LEFT JOIN digest_sent ds ON ds.outbox_id = o.id" FINISHED_HERE
	" ORDER BY o.id FOR UPDATE OF o SKIP LOCKED";

struct fin {
	PGconn *conn;
	const et_eval_mail_cfg_t *c;
	et_progress_set_t progress; /* at progress_at: a round's events share it */
	char progress_at[64];
	char *err;
	size_t errlen;
};

static enum et_alert_event event_parse(const char *name)
{
	for (int e = ET_AL_EV_PENDING; e <= ET_AL_EV_RESOLVED; e++)
		if (strcmp(et_alert_event_name((enum et_alert_event)e), name) == 0)
			return (enum et_alert_event)e;
	return ET_AL_EV_NONE;
}

/* Site lists for a mail: the five furthest behind and the stale ones. */
static PGresult *query_sites(struct fin *f, const char *tid, const char *at, bool stale)
{
	const char *p[2] = {tid, at};
	const char *sql =
		stale ? "SELECT s.site_id, coalesce(s.county, ''), s.ytd, NULL, NULL, s.stale,"
			"  extract(epoch FROM s.last_ts)"
			" FROM target t, LATERAL target_site_stats(t, $2::timestamptz) s"
			" WHERE t.id = $1 AND s.stale ORDER BY s.last_ts LIMIT 20"
		      : "SELECT site_id, coalesce(county, ''), actual, expected, gap, stale,"
			"  extract(epoch FROM last_ts)"
			" FROM target_sites_behind($1, $2::timestamptz, 5) WHERE gap < 0";
	PGresult *r = PQexecParams(f->conn, sql, 2, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		et_pq_fail(r, f->err, f->errlen);
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
		s->actual = et_pq_num(r, i, 2);
		s->expected = et_pq_num(r, i, 3);
		s->gap = et_pq_num(r, i, 4);
		s->stale = PQgetvalue(r, i, 5)[0] == 't';
		s->last_us = et_pq_us(r, i, 6);
	}
}

/* The revised figures behind event eid (drift_event_revision), in the
 * mail's language and units as their files gave them; at most 10. */
static PGresult *query_revisions(struct fin *f, const char *eid)
{
	const char *p[2] = {eid, et_lang_tag(f->c->lang)};
	PGresult *r = PQexecParams(
		f->conn,
		"SELECT coalesce(metric_label(metric, $2), metric), period, source, old_value_in,"
		" old_unit_in, new_value_in, new_unit_in FROM drift_event_revision"
		" WHERE drift_event_id = $1::bigint ORDER BY metric, period, source LIMIT 10",
		2, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		et_pq_fail(r, f->err, f->errlen);
		return NULL;
	}
	return r;
}

static size_t fill_revisions(PGresult *r, et_mail_revision_t *out)
{
	size_t n = 0;
	for (int i = 0; i < PQntuples(r) && n < 10; i++, n++)
		out[n] = (et_mail_revision_t){.metric_label = PQgetvalue(r, i, 0),
					      .period = PQgetvalue(r, i, 1),
					      .source = PQgetvalue(r, i, 2),
					      .old_value = et_pq_num(r, i, 3),
					      .old_unit = PQgetvalue(r, i, 4),
					      .new_value = et_pq_num(r, i, 5),
					      .new_unit = PQgetvalue(r, i, 6)};
	return n;
}

/* The target at the instant of its event; NULL (and err set when the
 * database failed) when it is gone. */
static const et_progress_t *target_at(struct fin *f, const char *at, int tid, int *rc)
{
	*rc = 0;
	if (strcmp(f->progress_at, at) != 0) {
		et_progress_free(&f->progress);
		f->progress_at[0] = '\0';
		*rc = et_progress_load(f->conn, at, f->c->lang, &f->progress, f->err, f->errlen);
		if (*rc)
			return NULL;
		snprintf(f->progress_at, sizeof(f->progress_at), "%s", at);
	}
	return et_progress_find(&f->progress, tid);
}

/* The chart beside the text; the mail goes without it if it fails. */
static int chart(struct fin *f, const char *tid, const char *at, et_buf_t *png)
{
	char cerr[600];
	if (et_pq_exec(f->conn, "SAVEPOINT chart", f->err, f->errlen))
		return -EIO;
	if (et_chart_target_png(f->conn, atoi(tid), at, f->c->lang, ET_MAIL_CHART_W, png, cerr,
				sizeof(cerr))) {
		log_warn("alerts: the mail of target %s goes without its chart: %s", tid, cerr);
		et_buf_free(png);
		if (et_pq_exec(f->conn, "ROLLBACK TO SAVEPOINT chart", f->err, f->errlen))
			return -EIO;
	}
	return et_pq_exec(f->conn, "RELEASE SAVEPOINT chart", f->err, f->errlen);
}

et_mail_report_t et_eval_mail_report(const et_progress_t *p, enum et_alert_event ev, et_lang_t lang)
{
	return (et_mail_report_t){.event = ev,
				  .label = p->label,
				  .year = p->year,
				  .kind = p->kind,
				  .status = p->status,
				  .plan_text = p->plan_text,
				  .scope = p->scope,
				  .display_unit = p->display_unit,
				  .display_div = p->display_div,
				  .target = p->target,
				  .expected = p->expected,
				  .actual = p->actual,
				  .drift_pct = p->drift_pct,
				  .projected = p->projected,
				  .required_daily = p->required_daily,
				  .elapsed_pct = p->elapsed_pct,
				  .sites_reporting = p->sites_reporting,
				  .sites_stale = p->sites_stale,
				  .lang = lang};
}

/* The whole drift mail of row i into msg and subject; 1 when the target is
 * gone (the caller sends the stored subject as text), 0, or -EIO. */
static int drift_mail(struct fin *f, PGresult *o, int i, const char *const *to, size_t nto,
		      char *subject, size_t slen, et_buf_t *msg)
{
	const char *eid = PQgetvalue(o, i, O_EID), *tid = PQgetvalue(o, i, O_TID);
	const char *at = PQgetvalue(o, i, O_AT);
	int rc;
	const et_progress_t *p = target_at(f, at, atoi(tid), &rc);
	if (!p)
		return rc ? rc : 1;
	PGresult *behind = query_sites(f, tid, at, false);
	PGresult *stale = behind ? query_sites(f, tid, at, true) : NULL;
	PGresult *revs = stale ? query_revisions(f, eid) : NULL;
	if (!revs) {
		PQclear(behind);
		PQclear(stale);
		return -EIO;
	}
	et_mail_revision_t rv[10];
	size_t nrv = fill_revisions(revs, rv);
	et_mail_site_t bs[20], ss[20];
	size_t nb, ns;
	fill_sites(behind, bs, &nb);
	fill_sites(stale, ss, &ns);
	char msgid[96], cid[128], merr[200];
	snprintf(msgid, sizeof(msgid), "drift-%s.target-%s@enertrack", eid, tid);
	snprintf(cid, sizeof(cid), "chart-%s.target-%s@enertrack", eid, tid);
	et_buf_t png = ET_BUF_INIT;
	rc = chart(f, tid, at, &png);
	/* a county's or a site's target names its place in the subject: the
	 * bureau's 襄垣 office sorts its mails by it */
	char label[300], where[128];
	et_scope_text(f->c->lang, p->scope, where, sizeof(where));
	if (strcmp(p->scope, "city") == 0)
		snprintf(label, sizeof(label), "%s", p->label);
	else
		snprintf(label, sizeof(label), f->c->lang == ET_LANG_ZH_CN ? "%s（%s）" : "%s (%s)",
			 p->label, where);
	/* in Chinese, the bureau's units (万吨, not Mt), as the page and the chart */
	double k;
	const char *unit = et_unit_local(p->display_unit, f->c->lang == ET_LANG_ZH_CN, &k);
	et_mail_report_t rep =
		et_eval_mail_report(p, event_parse(PQgetvalue(o, i, O_EVENT)), f->c->lang);
	rep.label = label;
	rep.display_unit = unit;
	rep.display_div = p->display_div / k;
	rep.behind = bs;
	rep.nbehind = nb;
	rep.stale = ss;
	rep.nstale = ns;
	rep.from = f->c->smtp_from;
	rep.to = to;
	rep.nto = nto;
	rep.date_us = f->progress.at_us;
	rep.message_id = msgid;
	rep.chart_png = png.data;
	rep.chart_len = png.len;
	rep.chart_cid = cid;
	rep.revisions = rv;
	rep.nrevisions = nrv;
	if (rc == 0 && et_mail_subject(&rep, subject, slen) < 0)
		snprintf(subject, slen, "%s", PQgetvalue(o, i, O_SUBJECT));
	if (rc == 0 && et_mail_build(&rep, msg, merr, sizeof(merr))) {
		snprintf(f->err, f->errlen, "cannot build the mail: %.150s", merr);
		rc = -EIO;
	}
	et_buf_free(&png);
	PQclear(behind);
	PQclear(stale);
	PQclear(revs);
	return rc;
}

/* A truth mail with its picture: the text, and an HTML version that shows
 * the chart of its county's months or of its target's register (and the
 * county's sites). 1 when there is no picture (the caller sends the text
 * alone), 0, or negative. */
static int truth_picture_mail(struct fin *f, PGresult *o, int i, const char *const *to, size_t nto,
			      const char *msgid, int64_t date_us, const char *body, et_buf_t *msg)
{
	char at[64], cid[160], cerr[300], merr[200];
	time_t since = (time_t)(date_us / 1000000);
	struct tm tm;
	gmtime_r(&since, &tm);
	strftime(at, sizeof(at), "%Y-%m-%d %H:%M:%S+00", &tm);
	et_buf_t png = ET_BUF_INIT;
	et_text_t html = ET_TEXT_INIT, sites = ET_TEXT_INIT, text = ET_TEXT_INIT;
	if (et_pq_exec(f->conn, "SAVEPOINT truth_chart", f->err, f->errlen))
		return -EIO;
	int rc = et_truth_chart(f->conn, PQgetvalue(o, i, O_KIND), PQgetvalue(o, i, O_KEY), at,
				f->c->lang, f->c->lang == ET_LANG_ZH_CN, ET_MAIL_CHART_W, &png,
				&sites, cerr, sizeof(cerr));
	if (rc) {
		log_warn("alerts: the %s mail %s goes without its chart: %s",
			 PQgetvalue(o, i, O_KIND), PQgetvalue(o, i, O_KEY), cerr);
		rc = et_pq_exec(f->conn, "ROLLBACK TO SAVEPOINT truth_chart", f->err, f->errlen)
			     ? -EIO
			     : 1;
		goto out;
	}
	if (et_pq_exec(f->conn, "RELEASE SAVEPOINT truth_chart", f->err, f->errlen)) {
		rc = -EIO;
		goto out;
	}
	snprintf(cid, sizeof(cid), "chart-%.100s", msgid);
	et_text_printf(&text, "%s\n\n%s\n", body, et_msg(f->c->lang, ET_MSG_TRUTH_CHART_IN_HTML));
	et_text_printf(&html,
		       "<!DOCTYPE html><html lang=\"%s\"><head><meta charset=\"utf-8\">"
		       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
		       "</head><body style=\"margin:0;padding:8px;font-family:'Noto Sans CJK SC',"
		       "'PingFang SC','Microsoft YaHei',sans-serif;font-size:15px;line-height:1.45;"
		       "color:#222\"><div style=\"white-space:pre-wrap;overflow-wrap:anywhere\">",
		       et_lang_tag(f->c->lang));
	et_text_html(&html, body);
	et_text_printf(&html, "</div><p><img src=\"cid:%s\" alt=\"", cid);
	et_text_html(&html, PQgetvalue(o, i, O_SUBJECT));
	et_text_printf(&html,
		       "\" width=\"%d\" style=\"box-sizing:border-box;max-width:100%%;height:auto;"
		       "border:1px solid #eee\">"
		       "</p>\n",
		       ET_MAIL_CHART_W);
	et_text_put(&html, et_text_str(&sites));
	et_text_put(&html, "</body></html>\n");
	if (et_text_error(&html) || et_text_error(&text)) {
		snprintf(f->err, f->errlen, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	et_mail_image_t img = {.cid = cid, .png = (const unsigned char *)png.data, .len = png.len};
	et_mail_parts_t parts = {.from = f->c->smtp_from,
				 .to = to,
				 .nto = nto,
				 .subject = PQgetvalue(o, i, O_SUBJECT),
				 .date_us = date_us,
				 .message_id = msgid,
				 .text = et_text_str(&text),
				 .html = et_text_str(&html),
				 .images = &img,
				 .nimages = 1};
	if (et_mail_build_parts(&parts, msg, merr, sizeof(merr))) {
		snprintf(f->err, f->errlen, "cannot build the mail: %.150s", merr);
		rc = -EIO;
	}
out:
	et_buf_free(&png);
	et_text_free(&html);
	et_text_free(&sites);
	et_text_free(&text);
	return rc;
}

/* A mail whose text is in the row (a truth mail, a digest left pending by
 * a crash), or a drift mail whose target is gone (its subject says what
 * happened). The text may have CRLF line ends (the digest's): the message
 * wants LF. */
static int text_mail(struct fin *f, PGresult *o, int i, const char *const *to, size_t nto,
		     bool subject_only, et_buf_t *msg)
{
	char msgid[200], merr[200];
	int64_t date_us;
	if (!PQgetisnull(o, i, O_KIND)) {
		date_us = et_pq_us(o, i, O_SINCE);
		et_truth_message_id(PQgetvalue(o, i, O_KIND), PQgetvalue(o, i, O_KEY),
				    (long long)(date_us / 1000000), msgid, sizeof(msgid));
	} else if (!PQgetisnull(o, i, O_PERIOD)) {
		date_us = et_pq_us(o, i, O_MADE);
		snprintf(msgid, sizeof(msgid), "digest-%s@enertrack", PQgetvalue(o, i, O_PERIOD));
	} else {
		date_us = et_pq_us(o, i, O_CREATED);
		snprintf(msgid, sizeof(msgid), "outbox-%s@enertrack", PQgetvalue(o, i, O_ID));
	}
	const char *subject = PQgetvalue(o, i, O_SUBJECT);
	char *body = strdup(subject_only ? subject : PQgetvalue(o, i, O_TEXT));
	if (!body) {
		snprintf(f->err, f->errlen, "out of memory");
		return -ENOMEM;
	}
	char *w = body;
	for (const char *r = body; *r; r++)
		if (*r != '\r')
			*w++ = *r;
	*w = '\0';
	int rc = 1;
	if (!PQgetisnull(o, i, O_KIND) && !subject_only)
		rc = truth_picture_mail(f, o, i, to, nto, msgid, date_us, body, msg);
	if (rc < 0) {
		free(body);
		return rc;
	}
	if (rc == 1)
		rc = et_mail_build_text(f->c->smtp_from, to, nto, subject, body, date_us, msgid,
					msg, merr, sizeof(merr));
	free(body);
	if (rc) {
		snprintf(f->err, f->errlen, "cannot build the mail: %.150s", merr);
		return -EIO;
	}
	return 0;
}

static int finish_one(struct fin *f, PGresult *o, int i)
{
	char rcptbuf[4096], subject[512] = "";
	const char *to[ET_MAX_RCPT];
	size_t nto = et_split_rcpt(PQgetvalue(o, i, O_RCPT), rcptbuf, sizeof(rcptbuf), to);
	et_buf_t msg = ET_BUF_INIT;
	int rc = 1;
	if (!PQgetisnull(o, i, O_TID))
		rc = drift_mail(f, o, i, to, nto, subject, sizeof(subject), &msg);
	if (rc == 1) {
		et_buf_reset(&msg);
		rc = text_mail(f, o, i, to, nto, !PQgetisnull(o, i, O_TID), &msg);
	}
	if (rc == 0 && et_buf_append(&msg, "", 1)) {
		snprintf(f->err, f->errlen, "out of memory");
		rc = -ENOMEM;
	}
	if (rc == 0)
		rc = et_outbox_finish(f->conn, PQgetvalue(o, i, O_ID), subject[0] ? subject : NULL,
				      msg.data, f->err, f->errlen);
	et_buf_free(&msg);
	return rc;
}

int et_eval_mails_finish(PGconn *conn, const et_eval_mail_cfg_t *c, char *err, size_t errlen)
{
	struct fin f = {.conn = conn,
			.c = c,
			.progress = ET_PROGRESS_SET_INIT,
			.err = err,
			.errlen = errlen};
	PGresult *any = PQexec(conn, any_sql);
	if (PQresultStatus(any) != PGRES_TUPLES_OK)
		return et_pq_fail(any, err, errlen);
	bool none = PQntuples(any) == 0;
	PQclear(any);
	if (none)
		return 0;
	if (et_pq_exec(conn, "BEGIN", err, errlen))
		return -EIO;
	/* the settings the evaluation ran with, for the target as it was */
	int rc = et_pq_use_settings(conn, c->tz, c->min_elapsed_pct, c->stale_after_s, true, false,
				    err, errlen);
	if (rc == 0)
		rc = et_truth_use_sources(conn, c->statistics_sources, true, false, err, errlen);
	PGresult *o = NULL;
	if (rc == 0) {
		o = PQexec(conn, pending_sql);
		if (PQresultStatus(o) != PGRES_TUPLES_OK) {
			rc = et_pq_fail(o, err, errlen);
			o = NULL;
		}
	}
	int n = 0;
	for (int i = 0; o && rc == 0 && i < PQntuples(o); i++, n++)
		rc = finish_one(&f, o, i);
	PQclear(o);
	et_progress_free(&f.progress);
	if (rc == 0 && et_pq_exec(conn, "COMMIT", err, errlen) == 0)
		return n;
	PQclear(PQexec(conn, "ROLLBACK"));
	return -EIO;
}
