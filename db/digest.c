/* SPDX-License-Identifier: MIT */
/* The daily digest: every target's status (db/progress.c, now and at the
 * last digest), what changed since the last digest (alert events,
 * silences) and each target's chart, worded by lib/digestmail.c, built by
 * lib/mail.c and queued through db/outbox.c, where the daemon's mailer
 * sends it like any alert. One per period: the digest_sent row of the
 * period is written in the same transaction as the mail, under an advisory
 * lock. */
#include "db/digest.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/chartdata.h"
#include "db/outbox.h"
#include "db/pq.h"
#include "db/progress.h"
#include "enertrack/buf.h"
#include "enertrack/digestmail.h"
#include "enertrack/i18n.h"
#include "enertrack/log.h"
#include "enertrack/mail.h"

#define DIGEST_LOCK "hashtext('enertrack.digest')"

struct dctx {
	PGconn *conn;
	const et_digest_cfg_t *c;
	et_lang_t lang;
	char *err;
	size_t errlen;
	/* the period, from period_of */
	char period[16], since[48], since_txt[48], now_txt[48];
	bool has_since;
	int64_t date_us;
};

static PGresult *q(struct dctx *d, const char *sql, int n, const char *const *p)
{
	PGresult *r = PQexecParams(d->conn, sql, n, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) == PGRES_TUPLES_OK || PQresultStatus(r) == PGRES_COMMAND_OK)
		return r;
	et_pq_fail(r, d->err, d->errlen);
	return NULL;
}

/* What changed: alert events, and silences given, since $2 (or a day). */
static const char changes_sql[] =
	"SELECT to_char(c.at AT TIME ZONE $3, 'MM-DD HH24:MI'), c.what FROM ("
	" SELECT e.at, metric_label(x.name, $4) || ' [' || t.scope || ']: ' || e.event || ' ('"
	"  || coalesce(e.status, '') || coalesce(', drift ' || round(e.drift_pct::numeric,"
	"   CASE WHEN x.display_unit = '%' THEN 2 ELSE 1 END)"
	"  || CASE WHEN x.display_unit = '%' THEN ' pp' ELSE ' %' END, '') || ')'"
	"  || CASE WHEN e.silenced_by IS NOT NULL THEN ', silenced' ELSE '' END"
	"  AS what FROM drift_event e JOIN target t ON t.id = e.target_id"
	"  JOIN metric x ON x.name = t.metric"
	"  WHERE e.at > coalesce($2::timestamptz, $1::timestamptz - interval '1 day')"
	"   AND e.at <= $1::timestamptz"
	" UNION ALL"
	" SELECT s.created_at, metric_label(x.name, $4) || ' [' || t.scope || ']: ' || s.kind"
	"  || ' by '"
	"  || s.created_by || coalesce(' until ' || to_char(s.until AT TIME ZONE $3,"
	"  'YYYY-MM-DD HH24:MI'), ' until it resolves') || ': ' || s.reason"
	"  FROM alert_silence s JOIN target t ON t.id = s.target_id"
	"  JOIN metric x ON x.name = t.metric"
	"  WHERE s.created_at > coalesce($2::timestamptz, $1::timestamptz - interval '1 day')"
	"   AND s.created_at <= $1::timestamptz) c"
	" ORDER BY c.at LIMIT 200";

/* The period of `at`, whether it is due, and the last digest before it:
 * 1 when due (d filled), 0 when not, -EIO. */
static int period_of(struct dctx *d, const char *at)
{
	const char *p[2] = {at, d->c->tz};
	PGresult *r = q(d,
			"SELECT l::date::text, extract(isodow FROM l)::integer,"
			" (extract(hour FROM l) * 60 + extract(minute FROM l))::integer,"
			" EXISTS (SELECT 1 FROM digest_sent WHERE period = l::date),"
			" (SELECT max(created_at) FROM digest_sent WHERE period < l::date)::text,"
			" (SELECT to_char(max(created_at) AT TIME ZONE $2, 'YYYY-MM-DD HH24:MI')"
			"  FROM digest_sent WHERE period < l::date),"
			" extract(epoch FROM x)::double precision, x::text"
			" FROM (SELECT $1::timestamptz AS x) a,"
			" LATERAL (SELECT x AT TIME ZONE $2 AS l) b",
			2, p);
	if (!r)
		return -EIO;
	snprintf(d->period, sizeof(d->period), "%s", PQgetvalue(r, 0, 0));
	int dow = atoi(PQgetvalue(r, 0, 1)), minute = atoi(PQgetvalue(r, 0, 2));
	bool done = PQgetvalue(r, 0, 3)[0] == 't';
	d->has_since = !PQgetisnull(r, 0, 4);
	if (d->has_since) {
		snprintf(d->since, sizeof(d->since), "%s", PQgetvalue(r, 0, 4));
		snprintf(d->since_txt, sizeof(d->since_txt), "%s", PQgetvalue(r, 0, 5));
	}
	d->date_us = et_pq_us(r, 0, 6);
	snprintf(d->now_txt, sizeof(d->now_txt), "%s", PQgetvalue(r, 0, 7));
	PQclear(r);
	return !(done || !(d->c->dows & (1u << dow)) || minute < d->c->minute);
}

/* What the mail shows and carries, freed by rows_free. */
struct rows {
	et_progress_set_t now, was;
	PGresult *changes;
	et_digest_target_t *targets;
	et_digest_change_t *ch;
	et_buf_t *pngs;
	char (*cids)[96];
	et_mail_image_t *images;
	size_t nimages;
};

static void rows_free(struct rows *w)
{
	for (size_t i = 0; w->pngs && i < w->now.n; i++)
		et_buf_free(&w->pngs[i]);
	free(w->pngs);
	free(w->cids);
	free(w->images);
	free(w->targets);
	free(w->ch);
	PQclear(w->changes);
	et_progress_free(&w->now);
	et_progress_free(&w->was);
}

static double per_div(double v, double div)
{
	return v / div; /* NaN stays NaN; a NULL divisor makes NaN, as in SQL */
}

/* Every target now and at the last digest, and the changes since. */
static int load(struct dctx *d, struct rows *w)
{
	if (et_progress_load(d->conn, d->now_txt, d->lang, &w->now, d->err, d->errlen) ||
	    (d->has_since &&
	     et_progress_load(d->conn, d->since, d->lang, &w->was, d->err, d->errlen)))
		return -EIO;
	const char *cp[4] = {d->now_txt, d->has_since ? d->since : NULL, d->c->tz,
			     et_lang_tag(d->lang)};
	w->changes = q(d, changes_sql, 4, cp);
	if (!w->changes)
		return -EIO;
	size_t nt = w->now.n, nc = (size_t)PQntuples(w->changes);
	w->targets = calloc(nt + 1, sizeof(*w->targets));
	w->ch = calloc(nc + 1, sizeof(*w->ch));
	if (!w->targets || !w->ch) {
		snprintf(d->err, d->errlen, "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < nt; i++) {
		const et_progress_t *p = &w->now.rows[i];
		const et_progress_t *was = et_progress_find(&w->was, p->target_id);
		w->targets[i] = (et_digest_target_t){
			.label = p->label,
			.scope = p->scope,
			.status = p->status,
			.drift_pct = p->drift_pct,
			.was_drift_pct = was ? was->drift_pct : NAN,
			.actual = per_div(p->actual, p->display_div),
			.expected = per_div(p->expected, p->display_div),
			.display_unit = p->display_unit,
			.alert_state = p->alert_state ? p->alert_state : "ok",
			.silenced = p->silenced_by != NULL,
		};
	}
	for (size_t i = 0; i < nc; i++)
		w->ch[i] = (et_digest_change_t){PQgetvalue(w->changes, (int)i, 0),
						PQgetvalue(w->changes, (int)i, 1)};
	return 0;
}

/* The charts; the digest goes without one that fails. */
static int charts(struct dctx *d, struct rows *w)
{
	size_t nt = w->now.n;
	w->pngs = calloc(nt + 1, sizeof(*w->pngs));
	w->cids = calloc(nt + 1, sizeof(*w->cids));
	w->images = calloc(nt + 1, sizeof(*w->images));
	if (!w->pngs || !w->cids || !w->images) {
		snprintf(d->err, d->errlen, "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < nt; i++) {
		char cerr[200];
		const char *tid = w->now.rows[i].id;
		if (et_pq_exec(d->conn, "SAVEPOINT chart", d->err, d->errlen))
			return -EIO;
		if (et_chart_target_png(d->conn, atoi(tid), d->now_txt, d->lang, 560, &w->pngs[i],
					cerr, sizeof(cerr))) {
			log_warn("alerts: the digest goes without the chart of target %s: %s", tid,
				 cerr);
			et_buf_free(&w->pngs[i]);
			if (et_pq_exec(d->conn, "ROLLBACK TO SAVEPOINT chart", d->err, d->errlen))
				return -EIO;
			continue;
		}
		if (et_pq_exec(d->conn, "RELEASE SAVEPOINT chart", d->err, d->errlen))
			return -EIO;
		snprintf(w->cids[i], sizeof(w->cids[i]), "chart-%s.digest-%s@enertrack", tid,
			 d->period);
		w->targets[i].chart_cid = w->cids[i];
		w->images[w->nimages++] = (et_mail_image_t){
			w->cids[i], (const unsigned char *)w->pngs[i].data, w->pngs[i].len};
	}
	return 0;
}

static et_digest_mail_t digest_of(const struct dctx *d, const struct rows *w)
{
	return (et_digest_mail_t){.lang = d->lang,
				  .period = d->period,
				  .tz = d->c->tz,
				  .since = d->has_since ? d->since_txt : NULL,
				  .targets = w->targets,
				  .ntargets = w->now.n,
				  .changes = w->ch,
				  .nchanges = (size_t)PQntuples(w->changes)};
}

/* Queues the mail pending, its text in the row: in the transaction that
 * records the period, so that a period made is a digest queued. Its outbox
 * id into ret_id ("" when nobody gets it). */
static int queue_pending(struct dctx *d, const struct rows *w, char *ret_id, size_t idlen)
{
	et_digest_mail_t dm = digest_of(d, w);
	char subject[300];
	et_buf_t text = ET_BUF_INIT, html = ET_BUF_INIT;
	(void)et_digest_subject(&dm, subject, sizeof(subject)); /* a cut subject still goes */
	int rc = et_digest_render(&dm, &text, &html);
	if (rc) {
		snprintf(d->err, d->errlen, "cannot build the digest: out of memory");
	} else {
		/* about every target: no scope, so [smtp] to and no route */
		et_outbox_mail_t m = {.kind = "digest",
				      .base_to = d->c->smtp_to,
				      .subject = subject,
				      .pending_text = text.data};
		rc = et_outbox_queue(d->conn, &m, ret_id, idlen, d->err, d->errlen);
	}
	et_buf_free(&text);
	et_buf_free(&html);
	return rc < 0 ? rc : 0;
}

/* The whole message with its charts, for the recipients the outbox routed
 * the row to, in the row. */
static int build(struct dctx *d, const struct rows *w, const char *recipients, const char *id)
{
	et_digest_mail_t dm = digest_of(d, w);
	char subject[300], msgid[64], rcptbuf[4096];
	const char *to[ET_MAX_RCPT];
	size_t nto = et_split_rcpt(recipients, rcptbuf, sizeof(rcptbuf), to);
	(void)et_digest_subject(&dm, subject, sizeof(subject));
	snprintf(msgid, sizeof(msgid), "digest-%s@enertrack", d->period);
	et_buf_t text = ET_BUF_INIT, html = ET_BUF_INIT, msg = ET_BUF_INIT;
	char merr[200] = "out of memory";
	int rc = et_digest_render(&dm, &text, &html);
	if (rc == 0) {
		et_mail_parts_t parts = {.from = d->c->smtp_from,
					 .to = to,
					 .nto = nto,
					 .subject = subject,
					 .date_us = d->date_us,
					 .message_id = msgid,
					 .text = text.data,
					 .html = html.data,
					 .images = w->images,
					 .nimages = w->nimages};
		rc = et_mail_build_parts(&parts, &msg, merr, sizeof(merr));
	}
	if (rc == 0)
		rc = et_buf_append(&msg, "", 1);
	if (rc)
		snprintf(d->err, d->errlen, "cannot build the digest: %s", merr);
	else
		rc = et_outbox_finish(d->conn, id, NULL, msg.data, d->err, d->errlen);
	et_buf_free(&text);
	et_buf_free(&html);
	et_buf_free(&msg);
	return rc;
}

/* After COMMIT: the charts and the message, in a transaction of their own
 * that holds the row (not the digest's lock), so that cairo never runs
 * while other daemons wait for the digest. A crash before this leaves the
 * row pending with its text; db/eval_mails.c sends that text later. */
static int finish(struct dctx *d, struct rows *w, const char *id)
{
	const et_digest_cfg_t *c = d->c;
	if (et_pq_exec(d->conn, "BEGIN", d->err, d->errlen))
		return -EIO;
	const char *p[1] = {id};
	PGresult *r = NULL;
	int rc = et_pq_use_settings(d->conn, c->tz, c->min_elapsed_pct, c->stale_after_s, true,
				    false, d->err, d->errlen);
	if (rc == 0) {
		r = q(d,
		      "SELECT o.recipients FROM alert_outbox o WHERE o.id = $1 "
		      "AND " ET_OUTBOX_PENDING_SQL " FOR UPDATE OF o SKIP LOCKED",
		      1, p);
		rc = r ? 0 : -EIO;
	}
	/* no row: another daemon finished it already */
	if (rc == 0 && PQntuples(r) == 1)
		rc = charts(d, w);
	if (rc == 0 && PQntuples(r) == 1)
		rc = build(d, w, PQgetvalue(r, 0, 0), id);
	PQclear(r);
	if (rc == 0 && et_pq_exec(d->conn, "COMMIT", d->err, d->errlen) == 0)
		return 0;
	PQclear(PQexec(d->conn, "ROLLBACK"));
	return -EIO;
}

/* Records the period as done, with its mail. */
static int mark_sent(struct dctx *d, const char *outbox_id, et_digest_result_t *ret)
{
	const char *ip[3] = {d->period, outbox_id[0] ? outbox_id : NULL, d->now_txt};
	PGresult *r = q(d,
			"INSERT INTO digest_sent (period, outbox_id, created_at)"
			" VALUES ($1::date, $2, $3::timestamptz) ON CONFLICT (period) DO NOTHING"
			" RETURNING period",
			3, ip);
	if (!r)
		return -EIO;
	ret->made = PQntuples(r) == 1;
	ret->queued = ret->made && outbox_id[0];
	PQclear(r);
	snprintf(ret->period, sizeof(ret->period), "%s", d->period);
	return 0;
}

static bool make(struct dctx *d, const char *at, struct rows *w, char *outbox_id, size_t idlen,
		 et_digest_result_t *ret)
{
	const et_digest_cfg_t *c = d->c;
	PGresult *r = q(d, "SELECT pg_try_advisory_xact_lock(" DIGEST_LOCK ")", 0, NULL);
	if (!r)
		return false;
	bool locked = PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	if (!locked)
		return true; /* another daemon is at it */
	if (et_pq_use_settings(d->conn, c->tz, c->min_elapsed_pct, c->stale_after_s, true, false,
			       d->err, d->errlen))
		return false;
	int due = period_of(d, at);
	if (due <= 0)
		return due == 0;
	char rcptbuf[4096];
	const char *rcpt[ET_MAX_RCPT];
	int rc = load(d, w);
	/* nobody to mail: the period is recorded, nothing queued */
	if (rc == 0 && et_split_rcpt(c->smtp_to, rcptbuf, sizeof(rcptbuf), rcpt) > 0)
		rc = queue_pending(d, w, outbox_id, idlen);
	if (rc == 0)
		rc = mark_sent(d, outbox_id, ret);
	return rc == 0;
}

int et_digest_run(PGconn *conn, const et_digest_cfg_t *c, const char *at, et_digest_result_t *ret,
		  char *err, size_t errlen)
{
	memset(ret, 0, sizeof(*ret));
	if (c->minute < 0)
		return 0;
	struct dctx d = {.conn = conn, .c = c, .lang = c->lang, .err = err, .errlen = errlen};
	struct rows w = {.now = ET_PROGRESS_SET_INIT, .was = ET_PROGRESS_SET_INIT};
	char outbox_id[24] = "";
	if (et_pq_exec(conn, "BEGIN", err, errlen))
		return -EIO;
	bool ok = make(&d, at ? at : "now", &w, outbox_id, sizeof(outbox_id), ret);
	/* made: commit; not due, or another made it: nothing to keep */
	if (ok && ret->made && et_pq_exec(conn, "COMMIT", err, errlen) == 0) {
		int rc = ret->queued ? finish(&d, &w, outbox_id) : 0;
		rows_free(&w);
		if (rc) {
			/* the digest is made and queued; its message waits (see finish) */
			char why[400];
			snprintf(why, sizeof(why), "%s", err);
			snprintf(err, errlen, "the digest of %s is made; its mail waits: %s",
				 d.period, why);
		}
		return rc;
	}
	rows_free(&w);
	PQclear(PQexec(conn, "ROLLBACK"));
	if (ok && ret->made) {
		ret->made = ret->queued = false;
		return -EIO;
	}
	return ok ? 0 : -EIO;
}
