/* SPDX-License-Identifier: MIT */
/* The daily digest: every target's status, what changed since the last
 * digest (alert events, silences, the drift then and now), rendered into a
 * mail (lib/mail.c et_mail_build_parts) and queued in alert_outbox, where
 * the daemon's mailer sends it like any alert. One per period: the
 * digest_sent row of the period is written in the same transaction as the
 * mail, under an advisory lock (sql/011_operator_views.sql). */
#include "common/digest.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/chart.h"
#include "common/evaluate.h"
#include "enertrack/buf.h"
#include "enertrack/i18n.h"
#include "enertrack/log.h"
#include "enertrack/mail.h"

#define DIGEST_LOCK "hashtext('enertrack.digest')"

struct dctx {
	PGconn *conn;
	char *err;
	size_t errlen;
};

static PGresult *q(struct dctx *d, const char *sql, int n, const char *const *p)
{
	PGresult *r = PQexecParams(d->conn, sql, n, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) == PGRES_TUPLES_OK || PQresultStatus(r) == PGRES_COMMAND_OK)
		return r;
	snprintf(d->err, d->errlen, "%s", PQresultErrorMessage(r));
	PQclear(r);
	return NULL;
}

/* Appends to a buffer; the first failure sticks. */
struct out {
	et_buf_t b;
	int rc;
};

static void put(struct out *o, const char *s)
{
	if (!o->rc)
		o->rc = et_buf_append(&o->b, s, strlen(s));
}

static void __attribute__((format(printf, 2, 3))) putf(struct out *o, const char *fmt, ...)
{
	char t[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(t, sizeof(t), fmt, ap);
	va_end(ap);
	if (n >= 0)
		put(o, t); /* a longer line is cut: only data-bounded formats come here */
}

static void put_esc(struct out *o, const char *s)
{
	for (; *s; s++) {
		char c[2] = {*s, 0};
		put(o, *s == '<'   ? "&lt;"
		       : *s == '>' ? "&gt;"
		       : *s == '&' ? "&amp;"
		       : *s == '"' ? "&quot;"
				   : c);
	}
}

/* The digest's own words; statuses and metric labels come from lib/i18n.c
 * and metric_label(). */
enum { W_DIGEST, W_TARGETS, W_SINCE, W_DAY, W_NOTHING, W_WAS, W_ALERT, W_SILENCED, W_SUBJECT, W_N };
static const char *const words[W_N][2] = {
	[W_DIGEST] = {"Digest of", "每日摘要"},
	[W_TARGETS] = {"Targets", "目标"},
	[W_SINCE] = {"Since the last digest", "自上次摘要以来"},
	[W_DAY] = {"In the last 24 hours", "过去24小时"},
	[W_NOTHING] = {"nothing changed", "无变化"},
	[W_WAS] = {"last digest", "上次摘要"},
	[W_ALERT] = {"Alert", "告警"},
	[W_SILENCED] = {"silenced", "已静默"},
	[W_SUBJECT] = {"digest", "每日摘要"},
};

static const char *word(et_lang_t lang, int w)
{
	return words[w][lang == ET_LANG_ZH_CN];
}

static const char *status_word(et_lang_t lang, const char *status)
{
	char key[64];
	snprintf(key, sizeof(key), "status.%s", status);
	const char *t = et_tr(lang, key);
	return t == key ? status : t;
}

static double num(PGresult *r, int i, int c)
{
	return PQgetisnull(r, i, c) ? NAN : strtod(PQgetvalue(r, i, c), NULL);
}

static void fmt_num(char *buf, size_t len, double v, const char *suffix)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.3g%s", v, suffix);
}

enum {
	T_ID,
	T_LABEL,
	T_SCOPE,
	T_STATUS,
	T_DRIFT,
	T_EXP,
	T_ACT,
	T_UNIT,
	T_STATE,
	T_SILENCED,
	T_WAS
};

/* Every target now, its alert state, whether it is silenced, and its drift
 * at the last digest ($2; NULL: none). */
static const char targets_sql[] =
	"SELECT p.target_id, coalesce(metric_label(p.metric, $3), p.label), p.scope, p.status,"
	" p.drift_pct,"
	" p.expected / p.display_div, p.actual / p.display_div, p.display_unit,"
	" coalesce(a.state, 'ok'), alert_silenced(p.target_id, $1::timestamptz) IS NOT NULL,"
	" w.drift_pct"
	" FROM target_progress_at($1::timestamptz) p"
	" LEFT JOIN alert_state a ON a.target_id = p.target_id"
	" LEFT JOIN (SELECT * FROM target_progress_at($2::timestamptz) WHERE $2 IS NOT NULL) w"
	"  ON w.target_id = p.target_id"
	" ORDER BY p.target_id";

/* What changed: alert events, and silences given, since $2 (or a day). */
static const char changes_sql[] =
	"SELECT to_char(c.at AT TIME ZONE $3, 'MM-DD HH24:MI'), c.what FROM ("
	" SELECT e.at, metric_label(x.name, $4) || ' [' || t.scope || ']: ' || e.event || ' ('"
	"  || coalesce(e.status, '') || coalesce(', drift ' || round(e.drift_pct::numeric, 1)"
	"  || ' %', '') || ')' || CASE WHEN e.silenced_by IS NOT NULL THEN ', silenced' ELSE '' END"
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

static void render(struct out *text, struct out *html, et_lang_t lang, const char *period,
		   const char *tz, const char *since, PGresult *t, PGresult *ch,
		   const char *const *cids)
{
	putf(html,
	     "<!DOCTYPE html><html lang=\"%s\"><head><meta charset=\"utf-8\"></head>"
	     "<body style=\"font-family:sans-serif\">",
	     et_lang_tag(lang));
	putf(text, "%s %s (%s)\r\n\r\n%s\r\n", word(lang, W_DIGEST), period, tz,
	     word(lang, W_TARGETS));
	putf(html, "<h2>%s %s (", word(lang, W_DIGEST), period);
	put_esc(html, tz);
	putf(html,
	     ")</h2><h3>%s</h3><table border=\"1\" cellpadding=\"3\" "
	     "style=\"border-collapse:collapse\"><tr><th>%s</th><th>%s</th>"
	     "<th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>",
	     word(lang, W_TARGETS), et_tr(lang, "word.target"), et_tr(lang, "word.status"),
	     et_tr(lang, "word.drift"), word(lang, W_WAS), et_tr(lang, "word.actual"),
	     et_tr(lang, "word.expected"), word(lang, W_ALERT));
	for (int i = 0; i < PQntuples(t); i++) {
		char drift[32], was[32], act[128], exp_s[128], unit[80];
		snprintf(unit, sizeof(unit), " %s", PQgetvalue(t, i, T_UNIT));
		fmt_num(drift, sizeof(drift), num(t, i, T_DRIFT), " %");
		fmt_num(was, sizeof(was), num(t, i, T_WAS), " %");
		fmt_num(act, sizeof(act), num(t, i, T_ACT), unit);
		fmt_num(exp_s, sizeof(exp_s), num(t, i, T_EXP), unit);
		bool silenced = PQgetvalue(t, i, T_SILENCED)[0] == 't';
		const char *status = status_word(lang, PQgetvalue(t, i, T_STATUS));
		putf(text, "  %s [%s]: %s, %s %s (%s %s), %s %s / %s %s; %s %s%s%s\r\n",
		     PQgetvalue(t, i, T_LABEL), PQgetvalue(t, i, T_SCOPE), status,
		     et_tr(lang, "word.drift"), drift, word(lang, W_WAS), was,
		     et_tr(lang, "word.actual"), act, et_tr(lang, "word.expected"), exp_s,
		     word(lang, W_ALERT), PQgetvalue(t, i, T_STATE), silenced ? ", " : "",
		     silenced ? word(lang, W_SILENCED) : "");
		put(html, "<tr><td>");
		put_esc(html, PQgetvalue(t, i, T_LABEL));
		put(html, " [");
		put_esc(html, PQgetvalue(t, i, T_SCOPE));
		put(html, "]</td><td>");
		put_esc(html, status);
		putf(html, "</td><td>%s</td><td>%s</td><td>", drift, was);
		put_esc(html, act);
		put(html, "</td><td>");
		put_esc(html, exp_s);
		put(html, "</td><td>");
		put_esc(html, PQgetvalue(t, i, T_STATE));
		if (silenced)
			putf(html, ", %s", word(lang, W_SILENCED));
		put(html, "</td></tr>");
	}
	put(html, "</table>");
	/* the charts, each under its target's name; alt text for blocked images */
	for (int i = 0; i < PQntuples(t); i++) {
		if (!cids || !cids[i])
			continue;
		put(html, "<h4>");
		put_esc(html, PQgetvalue(t, i, T_LABEL));
		put(html, " [");
		put_esc(html, PQgetvalue(t, i, T_SCOPE));
		putf(html,
		     "]</h4><img src=\"cid:%s\" width=\"560\" "
		     "style=\"max-width:100%%;height:auto\" alt=\"",
		     cids[i]);
		put_esc(html, et_tr(lang, "mail.chart_alt"));
		put(html, "\">");
	}
	if (since)
		putf(text, "\r\n%s (%s)\r\n", word(lang, W_SINCE), since);
	else
		putf(text, "\r\n%s\r\n", word(lang, W_DAY));
	put(html, "<h3>");
	put_esc(html, since ? word(lang, W_SINCE) : word(lang, W_DAY));
	if (since) {
		put(html, " (");
		put_esc(html, since);
		put(html, ")");
	}
	put(html, "</h3><ul>");
	for (int i = 0; i < PQntuples(ch); i++) {
		putf(text, "  %s %s\r\n", PQgetvalue(ch, i, 0), PQgetvalue(ch, i, 1));
		putf(html, "<li>%s ", PQgetvalue(ch, i, 0));
		put_esc(html, PQgetvalue(ch, i, 1));
		put(html, "</li>");
	}
	if (PQntuples(ch) == 0) {
		putf(text, "  %s\r\n", word(lang, W_NOTHING));
		putf(html, "<li>%s</li>", word(lang, W_NOTHING));
	}
	put(html, "</ul></body></html>");
}

/* The subject: "[enertrack] digest 2024-06-30: 1 behind, 2 on_track, 1 firing" */
static void subject_of(char *buf, size_t len, et_lang_t lang, const char *period, PGresult *t)
{
	static const char *const statuses[] = {"behind",   "over",	"ahead",
					       "on_track", "too_early", "insufficient_data"};
	int n = snprintf(buf, len, "[enertrack] %s %s:", word(lang, W_SUBJECT), period);
	const char *sep = " ";
	for (size_t k = 0; k < sizeof(statuses) / sizeof(statuses[0]); k++) {
		int c = 0;
		for (int i = 0; i < PQntuples(t); i++)
			c += strcmp(PQgetvalue(t, i, T_STATUS), statuses[k]) == 0;
		if (c && n >= 0 && (size_t)n < len) {
			n += snprintf(buf + n, len - (size_t)n, "%s%d %s", sep, c,
				      status_word(lang, statuses[k]));
			sep = ", ";
		}
	}
	int firing = 0;
	for (int i = 0; i < PQntuples(t); i++)
		firing += strcmp(PQgetvalue(t, i, T_STATE), "firing") == 0;
	if (firing && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, "%s%d %s", sep, firing,
			 lang == ET_LANG_ZH_CN ? "告警中" : "firing");
}

static bool make(struct dctx *d, const et_digest_cfg_t *c, const char *at, et_digest_result_t *ret)
{
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
	/* the period, whether it is due, and the last digest before it */
	const char *p[2] = {at, c->tz};
	r = q(d,
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
		return false;
	char period[16], since[48] = "", since_txt[48] = "", now_txt[48];
	snprintf(period, sizeof(period), "%s", PQgetvalue(r, 0, 0));
	int dow = atoi(PQgetvalue(r, 0, 1)), minute = atoi(PQgetvalue(r, 0, 2));
	bool done = PQgetvalue(r, 0, 3)[0] == 't';
	bool has_since = !PQgetisnull(r, 0, 4);
	if (has_since) {
		snprintf(since, sizeof(since), "%s", PQgetvalue(r, 0, 4));
		snprintf(since_txt, sizeof(since_txt), "%s", PQgetvalue(r, 0, 5));
	}
	int64_t date_us = (int64_t)llround(strtod(PQgetvalue(r, 0, 6), NULL) * 1e6);
	snprintf(now_txt, sizeof(now_txt), "%s", PQgetvalue(r, 0, 7));
	PQclear(r);
	if (done || !(c->dows & (1u << dow)) || minute < c->minute)
		return true;

	et_lang_t lang = et_lang_or_en(c->language);
	const char *tp[3] = {now_txt, has_since ? since : NULL, et_lang_tag(lang)};
	PGresult *t = q(d, targets_sql, 3, tp);
	if (!t)
		return false;
	const char *cp[4] = {now_txt, has_since ? since : NULL, c->tz, et_lang_tag(lang)};
	PGresult *ch = q(d, changes_sql, 4, cp);
	if (!ch) {
		PQclear(t);
		return false;
	}
	char rcptbuf[4096], msgid[64], subject[300], outbox_id[24] = "";
	const char *rcpt[ET_MAX_RCPT];
	size_t nrcpt = et_split_rcpt(c->smtp_to, rcptbuf, sizeof(rcptbuf), rcpt);
	bool ok = true;
	int nt = PQntuples(t);
	size_t nalloc = nrcpt && nt ? (size_t)nt : 0, nimg = 0;
	et_buf_t *pngs = nalloc ? calloc(nalloc, sizeof(*pngs)) : NULL;
	char(*cidbuf)[96] = nalloc ? calloc(nalloc, sizeof(*cidbuf)) : NULL;
	const char **cids = nalloc ? calloc(nalloc, sizeof(*cids)) : NULL;
	et_mail_image_t *imgs = nalloc ? calloc(nalloc, sizeof(*imgs)) : NULL;
	if (nalloc && (!pngs || !cidbuf || !cids || !imgs)) {
		snprintf(d->err, d->errlen, "out of memory");
		ok = false;
	}
	/* the charts; the digest goes without one that fails */
	for (size_t i = 0; ok && i < nalloc; i++) {
		char cerr[200];
		const char *tid = PQgetvalue(t, (int)i, T_ID);
		if (et_pq_exec(d->conn, "SAVEPOINT chart", d->err, d->errlen)) {
			ok = false;
			break;
		}
		if (et_chart_target_png(d->conn, atoi(tid), now_txt, et_lang_tag(lang), 560,
					&pngs[i], cerr, sizeof(cerr))) {
			log_warn("alerts: the digest goes without the chart of target %s: %s", tid,
				 cerr);
			et_buf_free(&pngs[i]);
			ok = et_pq_exec(d->conn, "ROLLBACK TO SAVEPOINT chart", d->err,
					d->errlen) == 0;
			continue;
		}
		ok = et_pq_exec(d->conn, "RELEASE SAVEPOINT chart", d->err, d->errlen) == 0;
		snprintf(cidbuf[i], sizeof(cidbuf[i]), "chart-%s.digest-%s@enertrack", tid, period);
		cids[i] = cidbuf[i];
		imgs[nimg++] = (et_mail_image_t){cids[i], (const unsigned char *)pngs[i].data,
						 pngs[i].len};
	}
	if (ok && nrcpt) {
		struct out text = {ET_BUF_INIT, 0}, html = {ET_BUF_INIT, 0};
		render(&text, &html, lang, period, c->tz, has_since ? since_txt : NULL, t, ch,
		       cids);
		subject_of(subject, sizeof(subject), lang, period, t);
		snprintf(msgid, sizeof(msgid), "digest-%s@enertrack", period);
		et_buf_t msg = ET_BUF_INIT;
		char merr[200] = "out of memory";
		int rc = text.rc ? text.rc : html.rc;
		if (!rc)
			rc = et_buf_append(&text.b, "", 1);
		if (!rc)
			rc = et_buf_append(&html.b, "", 1);
		if (!rc) {
			et_mail_parts_t mp = {.from = c->smtp_from,
					      .to = rcpt,
					      .nto = nrcpt,
					      .subject = subject,
					      .date_us = date_us,
					      .message_id = msgid,
					      .text = text.b.data,
					      .html = html.b.data,
					      .images = imgs,
					      .nimages = nimg};
			rc = et_mail_build_parts(&mp, &msg, merr, sizeof(merr));
		}
		if (!rc)
			rc = et_buf_append(&msg, "", 1);
		if (rc) {
			snprintf(d->err, d->errlen, "cannot build the digest: %s", merr);
			ok = false;
		} else {
			const char *op[3] = {subject, msg.data, c->smtp_to};
			r = q(d,
			      "INSERT INTO alert_outbox (subject, message, recipients, kind)"
			      " VALUES ($1, $2, $3, 'digest') RETURNING id",
			      3, op);
			ok = r != NULL;
			if (ok)
				snprintf(outbox_id, sizeof(outbox_id), "%s", PQgetvalue(r, 0, 0));
			PQclear(r);
		}
		et_buf_free(&msg);
		et_buf_free(&text.b);
		et_buf_free(&html.b);
	}
	for (size_t i = 0; pngs && i < nalloc; i++)
		et_buf_free(&pngs[i]);
	free(pngs);
	free(cidbuf);
	free(cids);
	free(imgs);
	PQclear(t);
	PQclear(ch);
	if (!ok)
		return false;
	const char *ip[3] = {period, outbox_id[0] ? outbox_id : NULL, now_txt};
	r = q(d,
	      "INSERT INTO digest_sent (period, outbox_id, created_at)"
	      " VALUES ($1::date, $2, $3::timestamptz) ON CONFLICT (period) DO NOTHING RETURNING "
	      "period",
	      3, ip);
	if (!r)
		return false;
	ret->made = PQntuples(r) == 1;
	ret->queued = ret->made && outbox_id[0];
	PQclear(r);
	snprintf(ret->period, sizeof(ret->period), "%s", period);
	return true;
}

int et_digest_run(PGconn *conn, const et_digest_cfg_t *c, const char *at, et_digest_result_t *ret,
		  char *err, size_t errlen)
{
	memset(ret, 0, sizeof(*ret));
	if (c->minute < 0)
		return 0;
	struct dctx d = {conn, err, errlen};
	if (et_pq_exec(conn, "BEGIN", err, errlen))
		return -EIO;
	bool ok = make(&d, c, at ? at : "now", ret);
	/* made: commit; not due, or another made it: nothing to keep */
	if (ok && ret->made && et_pq_exec(conn, "COMMIT", err, errlen) == 0)
		return 0;
	PQclear(PQexec(conn, "ROLLBACK"));
	if (ok && ret->made) {
		ret->made = ret->queued = false;
		return -EIO;
	}
	return ok ? 0 : -EIO;
}
