/* SPDX-License-Identifier: MIT */
/* The daily digest's subject, text and HTML (see digestmail.h). Statuses
 * and the table's column names come from the catalogue (lib/i18n.c); the
 * digest's own words are the table below. */
#include "enertrack/digestmail.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Appends to a buffer; the first failure sticks. */
struct out {
	et_buf_t *b;
	int rc;
};

static void put(struct out *o, const char *s)
{
	if (!o->rc)
		o->rc = et_buf_append(o->b, s, strlen(s));
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
	for (; s && *s; s++) {
		char c[2] = {*s, 0};
		put(o, *s == '<'   ? "&lt;"
		       : *s == '>' ? "&gt;"
		       : *s == '&' ? "&amp;"
		       : *s == '"' ? "&quot;"
				   : c);
	}
}

enum { W_DIGEST, W_TARGETS, W_SINCE, W_DAY, W_NOTHING, W_WAS, W_ALERT, W_SILENCED, W_SUBJECT,
       W_FIRING, W_N };
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
	[W_FIRING] = {"firing", "告警中"},
};

static const char *word(et_lang_t lang, int w)
{
	return words[w][lang == ET_LANG_ZH_CN];
}

static const char *status_word(et_lang_t lang, const char *status)
{
	char key[64];
	snprintf(key, sizeof(key), "status.%s", status ? status : "");
	const char *t = et_tr(lang, key);
	return t == key ? status : t;
}

static void fmt_num(char *buf, size_t len, double v, const char *suffix)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.3g%s", v, suffix);
}

static const char *s_(const char *s)
{
	return s ? s : "";
}

int et_digest_subject(const et_digest_mail_t *d, char *buf, size_t len)
{
	static const char *const statuses[] = {"behind",   "over",	"ahead",
					       "on_track", "too_early", "insufficient_data"};
	et_lang_t lang = d->lang;
	int n = snprintf(buf, len, "[enertrack] %s %s:", word(lang, W_SUBJECT), s_(d->period));
	const char *sep = " ";
	for (size_t k = 0; k < sizeof(statuses) / sizeof(statuses[0]); k++) {
		int c = 0;
		for (size_t i = 0; i < d->ntargets; i++)
			c += strcmp(s_(d->targets[i].status), statuses[k]) == 0;
		if (c && n >= 0 && (size_t)n < len) {
			n += snprintf(buf + n, len - (size_t)n, "%s%d %s", sep, c,
				      status_word(lang, statuses[k]));
			sep = ", ";
		}
	}
	int firing = 0;
	for (size_t i = 0; i < d->ntargets; i++)
		firing += strcmp(s_(d->targets[i].alert_state), "firing") == 0;
	if (firing && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, "%s%d %s", sep, firing,
			      word(lang, W_FIRING));
	return n >= 0 && (size_t)n < len ? n : -ENOSPC;
}

static void table_head(struct out *html, et_lang_t lang)
{
	putf(html,
	     ")</h2><h3>%s</h3><table border=\"1\" cellpadding=\"3\" "
	     "style=\"border-collapse:collapse\"><tr><th>%s</th><th>%s</th>"
	     "<th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>",
	     word(lang, W_TARGETS), et_tr(lang, "word.target"), et_tr(lang, "word.status"),
	     et_tr(lang, "word.drift"), word(lang, W_WAS), et_tr(lang, "word.actual"),
	     et_tr(lang, "word.expected"), word(lang, W_ALERT));
}

static void target_row(struct out *text, struct out *html, et_lang_t lang,
		       const et_digest_target_t *t)
{
	char drift[32], was[32], act[128], exp_s[128], unit[80];
	snprintf(unit, sizeof(unit), " %s", s_(t->display_unit));
	fmt_num(drift, sizeof(drift), t->drift_pct, " %");
	fmt_num(was, sizeof(was), t->was_drift_pct, " %");
	fmt_num(act, sizeof(act), t->actual, unit);
	fmt_num(exp_s, sizeof(exp_s), t->expected, unit);
	const char *status = status_word(lang, s_(t->status));
	putf(text, "  %s [%s]: %s, %s %s (%s %s), %s %s / %s %s; %s %s%s%s\r\n", s_(t->label),
	     s_(t->scope), status, et_tr(lang, "word.drift"), drift, word(lang, W_WAS), was,
	     et_tr(lang, "word.actual"), act, et_tr(lang, "word.expected"), exp_s,
	     word(lang, W_ALERT), s_(t->alert_state), t->silenced ? ", " : "",
	     t->silenced ? word(lang, W_SILENCED) : "");
	put(html, "<tr><td>");
	put_esc(html, t->label);
	put(html, " [");
	put_esc(html, t->scope);
	put(html, "]</td><td>");
	put_esc(html, status);
	putf(html, "</td><td>%s</td><td>%s</td><td>", drift, was);
	put_esc(html, act);
	put(html, "</td><td>");
	put_esc(html, exp_s);
	put(html, "</td><td>");
	put_esc(html, t->alert_state);
	if (t->silenced)
		putf(html, ", %s", word(lang, W_SILENCED));
	put(html, "</td></tr>");
}

/* The charts, each under its target's name; alt text for blocked images. */
static void charts(struct out *html, const et_digest_mail_t *d)
{
	for (size_t i = 0; i < d->ntargets; i++) {
		const et_digest_target_t *t = &d->targets[i];
		if (!t->chart_cid)
			continue;
		put(html, "<h4>");
		put_esc(html, t->label);
		put(html, " [");
		put_esc(html, t->scope);
		put(html, "]</h4><img src=\"cid:");
		put_esc(html, t->chart_cid);
		put(html, "\" width=\"560\" style=\"max-width:100%;height:auto\" alt=\"");
		put_esc(html, et_tr(d->lang, "mail.chart_alt"));
		put(html, "\">");
	}
}

static void changes(struct out *text, struct out *html, const et_digest_mail_t *d)
{
	et_lang_t lang = d->lang;
	if (d->since)
		putf(text, "\r\n%s (%s)\r\n", word(lang, W_SINCE), d->since);
	else
		putf(text, "\r\n%s\r\n", word(lang, W_DAY));
	put(html, "<h3>");
	put_esc(html, d->since ? word(lang, W_SINCE) : word(lang, W_DAY));
	if (d->since) {
		put(html, " (");
		put_esc(html, d->since);
		put(html, ")");
	}
	put(html, "</h3><ul>");
	for (size_t i = 0; i < d->nchanges; i++) {
		const et_digest_change_t *c = &d->changes[i];
		putf(text, "  %s %s\r\n", s_(c->when), s_(c->what));
		put(html, "<li>");
		put_esc(html, c->when);
		put(html, " ");
		put_esc(html, c->what);
		put(html, "</li>");
	}
	if (d->nchanges == 0) {
		putf(text, "  %s\r\n", word(lang, W_NOTHING));
		putf(html, "<li>%s</li>", word(lang, W_NOTHING));
	}
}

int et_digest_render(const et_digest_mail_t *d, et_buf_t *text_b, et_buf_t *html_b)
{
	struct out text = {text_b, 0}, html = {html_b, 0};
	et_lang_t lang = d->lang;
	putf(&html,
	     "<!DOCTYPE html><html lang=\"%s\"><head><meta charset=\"utf-8\"></head>"
	     "<body style=\"font-family:sans-serif\">",
	     et_lang_tag(lang));
	putf(&text, "%s %s (%s)\r\n\r\n%s\r\n", word(lang, W_DIGEST), s_(d->period), s_(d->tz),
	     word(lang, W_TARGETS));
	putf(&html, "<h2>%s ", word(lang, W_DIGEST));
	put_esc(&html, d->period);
	put(&html, " (");
	put_esc(&html, d->tz);
	table_head(&html, lang);
	for (size_t i = 0; i < d->ntargets; i++)
		target_row(&text, &html, lang, &d->targets[i]);
	put(&html, "</table>");
	charts(&html, d);
	changes(&text, &html, d);
	put(&html, "</ul></body></html>");
	if (!text.rc)
		text.rc = et_buf_append(text_b, "", 1);
	if (!html.rc)
		html.rc = et_buf_append(html_b, "", 1);
	if (text.rc || html.rc)
		return -ENOMEM;
	text_b->len--;
	html_b->len--;
	return 0;
}
