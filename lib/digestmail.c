/* SPDX-License-Identifier: MIT */
/* The daily digest's subject, text and HTML (see digestmail.h), written
 * through the one text buffer (et_text, with its HTML escape), the one
 * number formatter (et_num: a value that is not there is "n/a") and the
 * catalogue (digest., word., status. messages). */
#include "enertrack/digestmail.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "enertrack/drifttext.h"
#include "enertrack/numfmt.h"
#include "enertrack/text.h"

static const char *s_(const char *s)
{
	return s ? s : "";
}

int et_digest_subject(const et_digest_mail_t *d, char *buf, size_t len)
{
	static const char *const statuses[] = {"behind",   "over",	"ahead",
					       "on_track", "too_early", "insufficient_data"};
	et_lang_t lang = d->lang;
	int n = snprintf(buf, len, "[enertrack] %s %s:", et_msg(lang, ET_MSG_DIGEST_SUBJECT),
			 s_(d->period));
	const char *sep = " ";
	for (size_t k = 0; k < sizeof(statuses) / sizeof(statuses[0]); k++) {
		int c = 0;
		for (size_t i = 0; i < d->ntargets; i++)
			c += strcmp(s_(d->targets[i].status), statuses[k]) == 0;
		if (c && n >= 0 && (size_t)n < len) {
			n += snprintf(buf + n, len - (size_t)n, "%s%d %s", sep, c,
				      et_status_text(lang, statuses[k]));
			sep = ", ";
		}
	}
	int firing = 0;
	for (size_t i = 0; i < d->ntargets; i++)
		firing += strcmp(s_(d->targets[i].alert_state), "firing") == 0;
	if (firing && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, "%s%d %s", sep, firing,
			      et_msg(lang, ET_MSG_DIGEST_FIRING));
	return n >= 0 && (size_t)n < len ? n : -ENOSPC;
}

/* A figure with its suffix ("12.5 Mt", "-20 %"), or n/a alone. */
static void figure(char *out, size_t len, double v, const char *suffix)
{
	char num[64];
	et_num(num, sizeof(num), v, ET_NUM_SIG3);
	if (strcmp(num, ET_NO_VALUE) == 0)
		snprintf(out, len, "%s", num);
	else
		snprintf(out, len, "%s%s", num, suffix);
}

/* The targets in one column, each a cell of its own (its name and status,
 * then its figures as lines that wrap): a table of seven columns was 464 px
 * wide in a phone's 390. */
static void table_head(et_text_t *html, et_lang_t lang)
{
	et_text_printf(
		html,
		"<h3>%s</h3><table role=\"presentation\" style=\"width:100%%;max-width:560px;"
		"border-collapse:collapse\">",
		et_msg(lang, ET_MSG_DIGEST_TARGETS));
}

/* One line of a target's cell: a name in grey, then its value. */
static void line(et_text_t *html, const char *name, const char *value)
{
	et_text_printf(html, "<br><span style=\"color:#666\">%s</span> ", name);
	et_text_html(html, value);
}

static void target_row(et_text_t *text, et_text_t *html, et_lang_t lang,
		       const et_digest_target_t *t)
{
	char drift[32], was[32], act[128], exp_s[128], unit[80];
	snprintf(unit, sizeof(unit), " %s", s_(t->display_unit));
	/* a target in % drifts in percentage points (issue 21) */
	if (et_drift_in_points(t->display_unit)) {
		et_drift_text(drift, sizeof(drift), lang, t->drift_pct, t->display_unit);
		et_drift_text(was, sizeof(was), lang, t->was_drift_pct, t->display_unit);
	} else {
		figure(drift, sizeof(drift), t->drift_pct, " %");
		figure(was, sizeof(was), t->was_drift_pct, " %");
	}
	figure(act, sizeof(act), t->actual, unit);
	figure(exp_s, sizeof(exp_s), t->expected, unit);
	const char *status = et_status_text(lang, s_(t->status));
	const char *silenced = et_msg(lang, ET_MSG_DIGEST_SILENCED);
	et_text_printf(text, "  %s [%s]: %s, %s %s (%s %s), %s %s / %s %s; %s %s%s%s\r\n",
		       s_(t->label), s_(t->scope), status, et_msg(lang, ET_MSG_WORD_DRIFT), drift,
		       et_msg(lang, ET_MSG_DIGEST_WAS), was, et_msg(lang, ET_MSG_WORD_ACTUAL), act,
		       et_msg(lang, ET_MSG_WORD_EXPECTED), exp_s, et_msg(lang, ET_MSG_DIGEST_ALERT),
		       s_(t->alert_state), t->silenced ? ", " : "", t->silenced ? silenced : "");
	et_text_put(html, "<tr><td style=\"padding:6px 4px;border-bottom:1px solid #e5e5e5\"><b>");
	et_text_html(html, t->label);
	et_text_put(html, " [");
	et_text_html(html, t->scope);
	et_text_put(html, "]</b> ");
	et_text_html(html, status);
	char both[160];
	snprintf(both, sizeof(both), "%s (%s %s)", drift, et_msg(lang, ET_MSG_DIGEST_WAS), was);
	line(html, et_msg(lang, ET_MSG_WORD_DRIFT), both);
	line(html, et_msg(lang, ET_MSG_WORD_ACTUAL), act);
	line(html, et_msg(lang, ET_MSG_WORD_EXPECTED), exp_s);
	line(html, et_msg(lang, ET_MSG_DIGEST_ALERT), s_(t->alert_state));
	if (t->silenced)
		et_text_printf(html, ", %s", silenced);
	et_text_put(html, "</td></tr>");
}

/* The charts, each under its target's name; alt text for blocked images. */
static void charts(et_text_t *html, const et_digest_mail_t *d)
{
	for (size_t i = 0; i < d->ntargets; i++) {
		const et_digest_target_t *t = &d->targets[i];
		if (!t->chart_cid)
			continue;
		et_text_put(html, "<h4>");
		et_text_html(html, t->label);
		et_text_put(html, " [");
		et_text_html(html, t->scope);
		et_text_put(html, "]</h4><img src=\"cid:");
		et_text_html(html, t->chart_cid);
		et_text_put(html, "\" width=\"560\" style=\"max-width:100%;height:auto\" alt=\"");
		et_text_html(html, et_msg(d->lang, ET_MSG_MAIL_CHART_ALT));
		et_text_put(html, "\">");
	}
}

static void changes(et_text_t *text, et_text_t *html, const et_digest_mail_t *d)
{
	et_lang_t lang = d->lang;
	const char *title = et_msg(lang, d->since ? ET_MSG_DIGEST_SINCE : ET_MSG_DIGEST_DAY);
	if (d->since)
		et_text_printf(text, "\r\n%s (%s)\r\n", title, d->since);
	else
		et_text_printf(text, "\r\n%s\r\n", title);
	et_text_put(html, "<h3>");
	et_text_html(html, title);
	if (d->since) {
		et_text_put(html, " (");
		et_text_html(html, d->since);
		et_text_put(html, ")");
	}
	et_text_put(html, "</h3><ul>");
	for (size_t i = 0; i < d->nchanges; i++) {
		const et_digest_change_t *c = &d->changes[i];
		et_text_printf(text, "  %s %s\r\n", s_(c->when), s_(c->what));
		et_text_put(html, "<li>");
		et_text_html(html, c->when);
		et_text_put(html, " ");
		et_text_html(html, c->what);
		et_text_put(html, "</li>");
	}
	if (d->nchanges == 0) {
		const char *nothing = et_msg(lang, ET_MSG_DIGEST_NOTHING);
		et_text_printf(text, "  %s\r\n", nothing);
		et_text_printf(html, "<li>%s</li>", nothing);
	}
}

int et_digest_render(const et_digest_mail_t *d, et_buf_t *text_b, et_buf_t *html_b)
{
	et_text_t text = et_text_on(text_b), html = et_text_on(html_b);
	et_lang_t lang = d->lang;
	const char *title = et_msg(lang, ET_MSG_DIGEST_TITLE);
	et_text_printf(&html,
		       "<!DOCTYPE html><html lang=\"%s\"><head><meta charset=\"utf-8\">"
		       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
		       "</head><body style=\"font-family:sans-serif\">",
		       et_lang_tag(lang));
	et_text_printf(&text, "%s %s (%s)\r\n\r\n%s\r\n", title, s_(d->period), s_(d->tz),
		       et_msg(lang, ET_MSG_DIGEST_TARGETS));
	et_text_printf(&html, "<h2>%s ", title);
	et_text_html(&html, d->period);
	et_text_put(&html, " (");
	et_text_html(&html, d->tz);
	et_text_put(&html, ")</h2>");
	table_head(&html, lang);
	for (size_t i = 0; i < d->ntargets; i++)
		target_row(&text, &html, lang, &d->targets[i]);
	et_text_put(&html, "</table>");
	charts(&html, d);
	changes(&text, &html, d);
	et_text_put(&html, "</ul></body></html>");
	/* NUL-terminated in the caller's buffers ("" is returned on failure) */
	bool ok = et_text_str(&text) == text_b->data && et_text_str(&html) == html_b->data;
	return ok && !et_text_error(&text) && !et_text_error(&html) ? 0 : -ENOMEM;
}
