/* SPDX-License-Identifier: MIT */
/* The alert mail. Everything that came from data goes through clean_char
 * (no control characters, valid UTF-8) on its way anywhere, and through an
 * HTML escape on its way into the HTML part; headers are built only from
 * cleaned text, and the two bodies are base64, so no data can start a
 * header, a MIME part or a boundary line. Not here: SMTP, the outbox. */
#include "enertrack/utf8.h"
#include "enertrack/mail.h"
#include "enertrack/numfmt.h"
#include "enertrack/text.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- characters ---- */

/* Length of the valid UTF-8 sequence at p (at most n bytes), or 0. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
	return et_utf8_decode(p, n, NULL);
}

/* Reads one character of the NUL-terminated p (not at its end) and puts
 * its cleaned form in out[0..*outn). Returns the bytes consumed. A
 * continuation byte is never NUL, so looking up to 4 bytes ahead stops at
 * the terminator. */
static size_t clean_char(const unsigned char *p, char out[4], size_t *outn)
{
	unsigned c = p[0];
	*outn = 1;
	if (c < 0x20 || c == 0x7f) {
		out[0] = ' ';
		return 1;
	}
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	size_t k = utf8_seq(p, 4);
	if (k == 0) {
		out[0] = '?';
		return 1;
	}
	if (k == 2 && c == 0xc2 && p[1] < 0xa0) {
		out[0] = ' '; /* C1 control, U+0080..U+009F */
		return 2;
	}
	memcpy(out, p, k);
	*outn = k;
	return k;
}

size_t et_mail_header_sanitize(const char *s, char *out, size_t outlen)
{
	if (outlen == 0)
		return 0;
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t o = 0;
	while (*p) {
		char ch[4];
		size_t n;
		size_t k = clean_char(p, ch, &n);
		if (n >= outlen - o)
			break; /* a whole character, and room for the NUL */
		memcpy(out + o, ch, n);
		o += n;
		p += k;
	}
	out[o] = '\0';
	return o;
}

/* Appends data text, cleaned; in HTML also escaped. NULL is "". */
static void put_data(et_text_t *w, const char *s, bool html)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	while (*p) {
		char ch[4];
		size_t n;
		p += clean_char(p, ch, &n);
		if (html)
			et_text_htmln(w, ch, n);
		else
			et_text_putn(w, ch, n);
	}
}

/* ---- numbers and dates for people ---- */

/* Cleaned display unit and divisor of the report. */
struct units {
	char unit[32];
	double div;
};

static void units_of(const et_mail_report_t *r, struct units *u)
{
	et_mail_header_sanitize(r->display_unit, u->unit, sizeof(u->unit));
	u->div = isfinite(r->display_div) && r->display_div > 0 ? r->display_div : 1;
}

/* "84.30 Mt" from a canonical value; ET_NO_VALUE alone when unknown. */
static void fmt_qty(const struct units *u, double v, const char *suffix, char *out, size_t len)
{
	char num[48];
	et_num(num, sizeof(num), v / u->div, ET_NUM_PROSE);
	if (!isfinite(v))
		snprintf(out, len, "%s", num);
	else if (u->unit[0])
		snprintf(out, len, "%s %s%s", num, u->unit, suffix);
	else
		snprintf(out, len, "%s%s", num, suffix);
}

struct civil {
	int64_t y;
	unsigned mon, d, h, min, s, wday; /* mon 1-12, wday 0 = Sunday */
};

/* UTC calendar time of us (floor to the second), H. Hinnant's algorithm. */
static struct civil civil_of(int64_t us)
{
	int64_t secs = us / 1000000 - (us % 1000000 < 0);
	int64_t days = secs / 86400 - (secs % 86400 < 0);
	int64_t sod = secs - days * 86400;
	struct civil c;
	c.h = (unsigned)(sod / 3600);
	c.min = (unsigned)(sod / 60 % 60);
	c.s = (unsigned)(sod % 60);
	c.wday = (unsigned)((days % 7 + 11) % 7); /* 1970-01-01 was a Thursday */
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	uint64_t doe = (uint64_t)(z - era * 146097);
	uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	uint64_t mp = (5 * doy + 2) / 153;
	c.d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	c.mon = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	c.y = (int64_t)yoe + era * 400 + (c.mon <= 2);
	return c;
}

static const char wdays[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* "Sat, 28 Nov 2026 16:00:00 +0000" (RFC 5322 section 3.3). */
static void fmt_date(int64_t us, char *out, size_t len)
{
	struct civil c = civil_of(us);
	snprintf(out, len, "%s, %u %s %04lld %02u:%02u:%02u +0000", wdays[c.wday], c.d,
		 months[c.mon - 1], (long long)c.y, c.h, c.min, c.s);
}

/* "2024-11-01 08:00 UTC", for the last reading of a site. */
static void fmt_when(int64_t us, char *out, size_t len)
{
	if (us == 0) {
		snprintf(out, len, "%s", et_msg(ET_LANG_EN, ET_MSG_MAIL_NEVER));
		return;
	}
	struct civil c = civil_of(us);
	snprintf(out, len, "%04lld-%02u-%02u %02u:%02u UTC", (long long)c.y, c.mon, c.d, c.h,
		 c.min);
}

/* ---- the subject ---- */

/* A target in % (an intensity decline, a share) drifts in percentage
 * points (百分点): its drift_pct is actual - expected, not relative. */
static bool in_points(const et_mail_report_t *r)
{
	return r->display_unit && strcmp(r->display_unit, "%") == 0;
}

int et_mail_subject(const et_mail_report_t *r, char *buf, size_t len)
{
	if (!r || !r->label || !buf || !et_alert_event_notifies(r->event))
		return -EINVAL;
	char label[ET_MAIL_LABEL_MAX + 1];
	et_mail_header_sanitize(r->label, label, sizeof(label));
	double d = r->drift_pct;
	et_lang_t l = r->lang;
	/* "[enertrack] reminder: Raw coal 2024: 8.1% behind schedule",
	 * "[enertrack] 提醒：原煤产量 2024：落后于序时进度 8.1%" */
	char what[192], pct[32], year[16];
	bool pp = in_points(r);
	snprintf(pct, sizeof(pct), pp ? "%.2f" : "%.1f",
		 r->event == ET_AL_EV_RESOLVED ? d : fabs(d));
	if (r->event == ET_AL_EV_RESOLVED && isfinite(d))
		et_msg_fill(what, sizeof(what), l,
			    pp ? ET_MSG_MAIL_SUBJ_RESOLVED_DRIFT_PP
			       : ET_MSG_MAIL_SUBJ_RESOLVED_DRIFT,
			    1, pct);
	else if (r->event == ET_AL_EV_RESOLVED)
		snprintf(what, sizeof(what), "%s", et_msg(l, ET_MSG_ALERT_RESOLVED));
	else if (!isfinite(d))
		snprintf(what, sizeof(what), "%s", et_msg(l, ET_MSG_MAIL_SUBJ_OFF));
	else
		et_msg_fill(what, sizeof(what), l,
			    pp ? (d < 0 ? ET_MSG_MAIL_SUBJ_BEHIND_PP : ET_MSG_MAIL_SUBJ_OVER_PP)
			       : (d < 0 ? ET_MSG_MAIL_SUBJ_BEHIND : ET_MSG_MAIL_SUBJ_OVER),
			    1, pct);
	if (r->nrevisions) {
		/* the change came from a revised figure, not from the day's data */
		size_t k = strlen(what);
		snprintf(what + k, sizeof(what) - k, "%s", et_msg(l, ET_MSG_MAIL_SUBJ_REVISED));
	}
	snprintf(year, sizeof(year), "%d", r->year);
	int n = et_msg_fill(buf, len, l, ET_MSG_MAIL_SUBJECT, 4,
			    r->event == ET_AL_EV_REPEAT ? et_msg(l, ET_MSG_MAIL_SUBJ_REMINDER) : "",
			    label, year, what);
	if ((size_t)n >= len) {
		if (len)
			buf[0] = '\0';
		return -ENOSPC;
	}
	return n;
}

/* ---- base64 ---- */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t et_mail_base64(const unsigned char *p, size_t n, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		out[o++] = b64[v >> 18];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? b64[v & 63] : '=';
	}
	return o;
}

/* A body in base64, 76 characters (57 bytes) per CRLF-terminated line
 * (RFC 2045 section 6.8). */
static void put_b64_body(et_text_t *w, const et_buf_t *body)
{
	const unsigned char *p = (const unsigned char *)body->data;
	for (size_t i = 0; i < body->len; i += 57) {
		char line[80];
		size_t n = body->len - i < 57 ? body->len - i : 57;
		size_t k = et_mail_base64(p + i, n, line);
		line[k++] = '\r';
		line[k++] = '\n';
		et_text_putn(w, line, k);
	}
}

/* ---- headers ---- */

/* The Subject header. Plain when it is short printable ASCII without "=?"
 * (which a reader could take for an encoded word); otherwise RFC 2047 B
 * words of at most 42 bytes of whole UTF-8 characters each: 56 base64
 * characters, a 68-character word, so that "Subject: " plus the first word
 * is 77 characters and each folded line 69. */
static void put_subject(et_text_t *w, const char *s)
{
	size_t n = strlen(s);
	bool plain = 9 + n <= 78 && !strstr(s, "=?");
	for (size_t i = 0; plain && i < n; i++)
		plain = (unsigned char)s[i] < 0x80;
	et_text_put(w, "Subject: ");
	if (plain) {
		et_text_putn(w, s, n);
		et_text_put(w, "\r\n");
		return;
	}
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		size_t j = i;
		while (j < n) {
			size_t k = utf8_seq(p + j, n - j);
			if (k == 0)
				k = 1; /* cannot happen after cleaning; never loop */
			if (j + k - i > 42)
				break;
			j += k;
		}
		char word[80];
		size_t o = 0;
		memcpy(word, "=?UTF-8?B?", 10);
		o = 10 + et_mail_base64(p + i, j - i, word + 10);
		word[o++] = '?';
		word[o++] = '=';
		if (i > 0)
			et_text_put(w, "\r\n ");
		et_text_putn(w, word, o);
		i = j;
	}
	et_text_put(w, "\r\n");
}

/* "To: a@x, b@y" folded before an address that would pass 78 columns. */
static void put_to(et_text_t *w, const char *const *to, size_t nto)
{
	size_t col = 4;
	et_text_put(w, "To: ");
	for (size_t i = 0; i < nto; i++) {
		char a[256];
		size_t n = et_mail_header_sanitize(to[i], a, sizeof(a));
		if (i > 0) {
			if (col + 2 + n > 78) {
				et_text_put(w, ",\r\n ");
				col = 1;
			} else {
				et_text_put(w, ", ");
				col += 2;
			}
		}
		et_text_putn(w, a, n);
		col += n;
	}
	et_text_put(w, "\r\n");
}

/* The headers every message starts with, up to its Content-Type: date and
 * from already formatted and cleaned, the subject cleaned and encoded here. */
static void put_head(et_text_t *w, const char *date, const char *from, const char *const *to,
		     size_t nto, const char *subject, const char *message_id)
{
	et_text_printf(w, "Date: %s\r\nFrom: %s\r\n", date, from);
	put_to(w, to, nto);
	put_subject(w, subject);
	et_text_printf(w, "Message-ID: <%s>\r\n", message_id);
	et_text_put(w, "MIME-Version: 1.0\r\nAuto-Submitted: auto-generated\r\n");
}

/* The characters of a msg-id (RFC 5322 section 3.6.4, dot-atom-text on
 * either side of one '@'), and short enough for one header line. */
static bool msgid_ok(const char *id)
{
	static const char special[] = "!#$%&'*+-/=?^_`{|}~.@";
	size_t at = 0;
	if (!id || !*id || strlen(id) > 250)
		return false;
	for (const char *p = id; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '@')
			at++;
		if (c >= 0x80 || !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				   (c >= '0' && c <= '9') || strchr(special, c)))
			return false;
	}
	return at == 1 && id[0] != '@' && id[strlen(id) - 1] != '@';
}

/* ---- the bodies ---- */

static const char *kind_words(et_lang_t lang, const char *kind)
{
	if (!kind)
		return "";
	if (strcmp(kind, "about") == 0)
		return et_msg(lang, ET_MSG_KIND_ABOUT);
	if (strcmp(kind, "at_least") == 0)
		return et_msg(lang, ET_MSG_KIND_AT_LEAST);
	if (strcmp(kind, "reduce_by_pct") == 0)
		return et_msg(lang, ET_MSG_KIND_REDUCE_BY);
	return NULL; /* shown as data */
}

/* One "Name: value" line of the text part, or one row of the HTML table:
 * a small grey name above the value, one column, for narrow screens. */
static void row(et_text_t *w, bool html, const char *name, const char *value)
{
	if (html) {
		et_text_printf(w,
			       "<tr><td style=\"padding:6px 10px;border-bottom:1px solid #e5e5e5\">"
			       "<div style=\"color:#666;font-size:13px\">%s</div>",
			       name);
		put_data(w, value, true);
		et_text_put(w, "</td></tr>\r\n");
	} else {
		et_text_printf(w, "%s: ", name);
		put_data(w, value, false);
		et_text_put(w, "\r\n");
	}
}

static void section(et_text_t *w, bool html, const char *title)
{
	if (html)
		et_text_printf(w,
			       "<tr><td style=\"padding:14px 10px 4px;font-weight:bold;"
			       "border-bottom:2px solid #ccc\">%s</td></tr>\r\n",
			       title);
	else
		et_text_printf(w, "\r\n%s\r\n", title);
}

/* "xy-01 (襄垣)" and, for a stale site, a marker. */
static void site_name(et_text_t *w, bool html, et_lang_t lang, const et_mail_site_t *s)
{
	if (html)
		et_text_put(w, "<b>");
	put_data(w, s->site_id, html);
	if (html)
		et_text_put(w, "</b>");
	if (s->county && *s->county) {
		et_text_put(w, " (");
		put_data(w, s->county, html);
		et_text_put(w, ")");
	}
	if (s->stale)
		et_text_printf(w,
			       html ? " <span style=\"color:#b00020;font-weight:bold\">%s</span>"
				    : " [%s]",
			       et_msg(lang, ET_MSG_MAIL_STALE));
}

/* A site's entry opened: a table row's cell in HTML, a list item in text,
 * with the site's name on a line of its own; the caller closes it with
 * "</td></tr>" or the line's end. */
static void site_open(et_text_t *w, bool html, et_lang_t lang, const et_mail_site_t *s)
{
	if (html)
		et_text_put(w,
			    "<tr><td style=\"padding:6px 10px;border-bottom:1px solid #e5e5e5\">");
	else
		et_text_put(w, "- ");
	site_name(w, html, lang, s);
	et_text_put(w, html ? "<br>" : "\r\n  ");
}

static void site_behind(et_text_t *w, bool html, et_lang_t lang, const struct units *u,
			const et_mail_site_t *s)
{
	char act[64], exp[64], gap[64];
	fmt_qty(u, s->actual, "", act, sizeof(act));
	fmt_qty(u, s->expected, "", exp, sizeof(exp));
	fmt_qty(u, s->gap, "", gap, sizeof(gap));
	site_open(w, html, lang, s);
	/* units and figures are cleaned text already; escape them anyway */
	et_text_put(w, et_msg(lang, ET_MSG_MAIL_SITE_ACTUAL));
	put_data(w, act, html);
	et_text_put(w, et_msg(lang, ET_MSG_MAIL_SITE_OF));
	put_data(w, exp, html);
	et_text_put(w, et_msg(lang, ET_MSG_MAIL_SITE_GAP));
	put_data(w, gap, html);
	et_text_put(w, html ? "</td></tr>\r\n" : "\r\n");
}

static void site_stale(et_text_t *w, bool html, et_lang_t lang, const struct units *u,
		       const et_mail_site_t *s)
{
	char act[64], when[40];
	fmt_qty(u, s->actual, "", act, sizeof(act));
	fmt_when(s->last_us, when, sizeof(when));
	site_open(w, html, lang, s);
	et_text_put(w, et_msg(lang, ET_MSG_MAIL_SITE_LAST));
	put_data(w, when, html);
	et_text_put(w, et_msg(lang, ET_MSG_MAIL_SITE_SO_FAR));
	put_data(w, act, html);
	et_text_put(w, html ? "</td></tr>\r\n" : "\r\n");
}

/* The revised figures behind the change, each "Raw coal 2024-03 (bureau):
 * revised from 3300.0 t to 3500.0 t", at the top of the body. */
static void put_revisions(et_text_t *w, bool html, const et_mail_report_t *r)
{
	if (!r->nrevisions || !r->revisions)
		return;
	section(w, html, et_msg(r->lang, ET_MSG_MAIL_REVISED_HEAD));
	for (size_t i = 0; i < r->nrevisions; i++) {
		const et_mail_revision_t *v = &r->revisions[i];
		char o[48], n[48], os[96], ns[96], line[600];
		et_num(o, sizeof(o), v->old_value, ET_NUM_PROSE);
		et_num(n, sizeof(n), v->new_value, ET_NUM_PROSE);
		snprintf(os, sizeof(os), "%s %s", o, v->old_unit ? v->old_unit : "");
		snprintf(ns, sizeof(ns), "%s %s", n, v->new_unit ? v->new_unit : "");
		et_msg_fill(line, sizeof(line), r->lang, ET_MSG_MAIL_REVISED_LINE, 5,
			    v->metric_label, v->period, v->source, os, ns);
		if (html) {
			et_text_put(w, "<tr><td style=\"padding:6px 10px;border-bottom:1px solid "
				       "#e5e5e5\">");
			put_data(w, line, true);
			et_text_put(w, "</td></tr>\r\n");
		} else {
			et_text_put(w, "- ");
			put_data(w, line, false);
			et_text_put(w, "\r\n");
		}
	}
	if (!html)
		et_text_put(w, "\r\n");
}

/* The text (html false) or HTML body. headline is the subject without its
 * "[enertrack] " tag, already cleaned. */
#define T(id) et_msg(r->lang, ET_MSG_##id)

static void put_body(et_text_t *w, bool html, const et_mail_report_t *r, const char *headline)
{
	struct units u;
	units_of(r, &u);
	char v[320], t[64];
	static const char *const colour[] = {[ET_AL_EV_FIRING] = "#b00020",
					     [ET_AL_EV_REPEAT] = "#b35c00",
					     [ET_AL_EV_RESOLVED] = "#1b7f3b"};

	if (html) {
		et_text_printf(
			w, "<!DOCTYPE html>\r\n<html lang=\"%s\"><head><meta charset=\"utf-8\">",
			et_lang_tag(r->lang));
		et_text_put(
			w,
			"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
			"<title>");
		put_data(w, headline, true);
		et_text_put(
			w, "</title></head>\r\n"
			   "<body style=\"margin:0;padding:8px;background:#ffffff;color:#222222;"
			   "font-family:Helvetica,Arial,'PingFang SC','Microsoft YaHei','Noto Sans "
			   "CJK SC',sans-serif;font-size:15px;line-height:1.4\">\r\n"
			   "<table role=\"presentation\" style=\"width:100%;max-width:560px;"
			   "border-collapse:collapse\">\r\n");
		et_text_printf(
			w,
			"<tr><td style=\"padding:10px;background:%s;color:#ffffff;font-size:17px;"
			"font-weight:bold\">",
			colour[r->event]);
		put_data(w, headline, true);
		et_text_put(w, "</td></tr>\r\n");
	} else {
		put_data(w, headline, false);
		et_text_put(w, "\r\n");
	}

	if (html && r->chart_len && r->chart_png) {
		/* the chart right under the headline, as wide as the mail */
		et_text_put(w, "<tr><td style=\"padding:8px 0\"><img src=\"cid:");
		put_data(w, r->chart_cid, true);
		et_text_put(w, "\" alt=\"");
		put_data(w, T(MAIL_CHART_ALT), true);
		et_text_printf(w,
			       "\" width=\"%d\" style=\"display:block;width:100%%;max-width:%dpx;"
			       "height:auto;border:0\"></td></tr>\r\n",
			       ET_MAIL_CHART_W, ET_MAIL_CHART_W);
	}
	put_revisions(w, html, r);
	if (!html && !r->nrevisions)
		et_text_put(w, "\r\n"); /* the headline is the section title */
	char label[ET_MAIL_LABEL_MAX + 1], scope[256];
	et_mail_header_sanitize(r->label, label, sizeof(label));
	/* English mails show the scope as configured ("county:襄垣") */
	char scope_in[256];
	et_scope_text(r->lang, r->scope, scope_in, sizeof(scope_in));
	et_mail_header_sanitize(r->lang == ET_LANG_EN ? r->scope : scope_in, scope, sizeof(scope));
	snprintf(v, sizeof(v), "%s %d", label, r->year);
	row(w, html, T(WORD_TARGET), v);
	row(w, html, T(WORD_SCOPE), scope);
	if (r->plan_text && *r->plan_text) {
		/* the plan wording may be long: it goes in whole, cleaned */
		if (html) {
			et_text_put(w, "<tr><td style=\"padding:6px 10px;border-bottom:1px solid "
				       "#e5e5e5\"><div style=\"color:#666;font-size:13px\">");
			et_text_put(w, T(MAIL_PLAN));
			et_text_put(w, "</div>");
			put_data(w, r->plan_text, true);
			et_text_put(w, "</td></tr>\r\n");
		} else {
			et_text_printf(w, "%s: ", T(MAIL_PLAN));
			put_data(w, r->plan_text, false);
			et_text_put(w, "\r\n");
		}
	}
	const char *kw = kind_words(r->lang, r->kind);
	fmt_qty(&u, r->target, "", t, sizeof(t));
	if (kw) {
		snprintf(v, sizeof(v), "%s%s%s", kw, *kw ? " " : "", t);
	} else {
		char kind[48];
		et_mail_header_sanitize(r->kind, kind, sizeof(kind));
		snprintf(v, sizeof(v), "%s %s", kind, t);
	}
	row(w, html, T(MAIL_GOAL), v);

	et_num_pct(t, sizeof(t), r->elapsed_pct, false);
	et_msg_fill(v, sizeof(v), r->lang, ET_MSG_MAIL_PROGRESS, 1, t);
	section(w, html, v);
	fmt_qty(&u, r->expected, "", v, sizeof(v));
	row(w, html, T(MAIL_EXPECTED_NOW), v);
	fmt_qty(&u, r->actual, "", v, sizeof(v));
	row(w, html, T(WORD_ACTUAL), v);
	if (in_points(r) && isfinite(r->drift_pct)) {
		et_num_fixed(t, sizeof(t), r->drift_pct, 2, false);
		et_msg_fill(v, sizeof(v), r->lang, ET_MSG_MAIL_DRIFT_PP, 1, t);
	} else {
		et_num_pct(v, sizeof(v), r->drift_pct, true);
	}
	row(w, html, T(WORD_DRIFT), v);
	if (isfinite(r->projected)) {
		fmt_qty(&u, r->projected, "", v, sizeof(v));
		row(w, html, T(MAIL_PROJECTED), v);
	}
	if (isfinite(r->required_daily)) {
		fmt_qty(&u, r->required_daily, T(MAIL_PER_DAY), v, sizeof(v));
		row(w, html, T(MAIL_REQUIRED), v);
	}
	if (r->status && *r->status) {
		/* A resolved alert's subject says "back on track": its status
		 * line says so too, whatever the target's status (a drift back
		 * under the alert's resolve_pct may still be outside the
		 * target's tolerance, "behind", or well ahead of it). */
		const char *status = r->event == ET_AL_EV_RESOLVED ? "on_track" : r->status;
		char st[48];
		et_mail_header_sanitize(et_status_text(r->lang, status), st, sizeof(st));
		row(w, html, T(WORD_STATUS), st);
	}
	char nrep[16], nstale[16];
	snprintf(nrep, sizeof(nrep), "%d", r->sites_reporting);
	snprintf(nstale, sizeof(nstale), "%d", r->sites_stale);
	et_msg_fill(v, sizeof(v), r->lang, ET_MSG_MAIL_SITES_COUNT, 2, nrep, nstale);
	row(w, html, T(WORD_SITES), v);

	if (r->nbehind) {
		section(w, html, T(MAIL_SITES_BEHIND));
		for (size_t i = 0; i < r->nbehind; i++)
			site_behind(w, html, r->lang, &u, &r->behind[i]);
	}
	if (r->nstale) {
		section(w, html, T(MAIL_SITES_STALE));
		for (size_t i = 0; i < r->nstale; i++)
			site_stale(w, html, r->lang, &u, &r->stale[i]);
	}

	if (!html && r->chart_len && r->chart_png)
		et_text_printf(w, "\r\n%s\r\n", T(MAIL_CHART_IN_HTML));
	if (html) {
		et_text_printf(w,
			       "<tr><td style=\"padding:14px 10px;color:#888;font-size:12px\">"
			       "%s</td></tr>\r\n</table>\r\n</body></html>\r\n",
			       T(MAIL_SENT_BY));
	} else {
		et_text_printf(w, "\r\n-- \r\n%s\r\n", T(MAIL_SENT_BY));
	}
}

/* ---- the message ---- */

static int fail(char *err, size_t errlen, int rc, const char *why)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", why);
	return rc;
}

/* What every message needs: a From, recipients none of them empty, a
 * msg-id. 0, or -EINVAL with the reason in err. */
static int envelope_check(const char *from, const char *const *to, size_t nto,
			  const char *message_id, char *err, size_t errlen)
{
	if (!from || !*from)
		return fail(err, errlen, -EINVAL, "no From address");
	if (!to || nto == 0)
		return fail(err, errlen, -EINVAL, "no recipient");
	for (size_t i = 0; i < nto; i++)
		if (!to[i] || !*to[i])
			return fail(err, errlen, -EINVAL, "an empty recipient");
	if (!msgid_ok(message_id))
		return fail(err, errlen, -EINVAL, "message_id is not a valid msg-id (a@b)");
	return 0;
}

/* A boundary that cannot occur in the parts: "=_" never appears in base64
 * (a '=' there is only padding at the end of a line), and the part headers
 * are fixed. The hash of the bodies only makes it differ between mails. */
static void make_boundary(const et_buf_t *a, const et_buf_t *b, char *out, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	const et_buf_t *parts[2] = {a, b};
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < parts[k]->len; i++) {
			h ^= (unsigned char)parts[k]->data[i];
			h *= 0x100000001b3ULL;
		}
	snprintf(out, len, "=_enertrack_%016llx", (unsigned long long)h);
}

int et_mail_build(const et_mail_report_t *r, et_buf_t *out, char *err, size_t errlen)
{
	if (!r || !out)
		return fail(err, errlen, -EINVAL, "no report");
	if (!et_alert_event_notifies(r->event))
		return fail(err, errlen, -EINVAL, "this event sends no mail");
	if (!r->label)
		return fail(err, errlen, -EINVAL, "no label");
	int rc = envelope_check(r->from, r->to, r->nto, r->message_id, err, errlen);
	if (rc)
		return rc;
	if ((r->nbehind && !r->behind) || (r->nstale && !r->stale))
		return fail(err, errlen, -EINVAL, "a site list is missing");
	for (size_t i = 0; i < r->nbehind; i++)
		if (!r->behind[i].site_id)
			return fail(err, errlen, -EINVAL, "a site without an id");
	for (size_t i = 0; i < r->nstale; i++)
		if (!r->stale[i].site_id)
			return fail(err, errlen, -EINVAL, "a site without an id");

	bool chart = r->chart_png && r->chart_len;
	if (chart && !msgid_ok(r->chart_cid))
		return fail(err, errlen, -EINVAL, "chart_cid is not a valid content-id (a@b)");

	char subject[512];
	int sn = et_mail_subject(r, subject, sizeof(subject));
	if (sn < 0)
		return fail(err, errlen, sn, "cannot make the subject");
	const char *headline = subject + strlen("[enertrack] ");

	et_buf_t text = ET_BUF_INIT, html = ET_BUF_INIT;
	et_text_t tw = et_text_on(&text), hw = et_text_on(&html);
	put_body(&tw, false, r, headline);
	put_body(&hw, true, r, headline);
	rc = tw.rc ? tw.rc : hw.rc;
	if (rc) {
		et_buf_free(&text);
		et_buf_free(&html);
		return fail(err, errlen, rc, rc == -ENOMEM ? "out of memory" : "cannot format");
	}

	/* The message is made apart and appended in one piece, so that a
	 * failure cannot leave half a message in out. */
	et_buf_t msg = ET_BUF_INIT;
	et_text_t w = et_text_on(&msg);
	char date[48], from[256], boundary[40];
	fmt_date(r->date_us, date, sizeof(date));
	et_mail_header_sanitize(r->from, from, sizeof(from));
	make_boundary(&text, &html, boundary, sizeof(boundary));
	/* neither boundary a prefix of the other: a parser may match a
	 * delimiter line by its beginning (RFC 2046, 5.1.1) */
	char related[48];
	snprintf(related, sizeof(related), "=_related_%s", boundary + strlen("=_enertrack_"));

	put_head(&w, date, from, r->to, r->nto, subject, r->message_id);
	et_text_printf(&w, "Content-Type: multipart/alternative;\r\n boundary=\"%s\"\r\n",
		       boundary);
	et_text_put(&w, "\r\nThis is a message in MIME format: a text and an HTML version.\r\n");
	et_text_printf(&w,
		       "\r\n--%s\r\nContent-Type: text/plain; charset=UTF-8\r\n"
		       "Content-Transfer-Encoding: base64\r\n\r\n",
		       boundary);
	put_b64_body(&w, &text);
	if (chart) {
		/* the HTML and its image travel together (RFC 2387) */
		et_text_printf(
			&w,
			"\r\n--%s\r\nContent-Type: multipart/related; type=\"text/html\";\r\n"
			" boundary=\"%s\"\r\n",
			boundary, related);
		et_text_printf(&w, "\r\n--%s", related);
	} else {
		et_text_printf(&w, "\r\n--%s", boundary);
	}
	et_text_put(&w, "\r\nContent-Type: text/html; charset=UTF-8\r\n"
			"Content-Transfer-Encoding: base64\r\n\r\n");
	put_b64_body(&w, &html);
	if (chart) {
		et_buf_t png = {(char *)r->chart_png, r->chart_len, r->chart_len};
		et_text_printf(&w,
			       "\r\n--%s\r\nContent-Type: image/png\r\n"
			       "Content-Transfer-Encoding: base64\r\n"
			       "Content-Disposition: inline; filename=\"chart.png\"\r\n",
			       related);
		et_text_put(&w, "Content-ID: <");
		et_text_put(&w, r->chart_cid);
		et_text_put(&w, ">\r\n\r\n");
		put_b64_body(&w, &png);
		et_text_printf(&w, "\r\n--%s--\r\n", related);
	}
	et_text_printf(&w, "\r\n--%s--\r\n", boundary);
	if (!w.rc)
		w.rc = et_buf_append(out, msg.data, msg.len);

	et_buf_free(&msg);
	et_buf_free(&text);
	et_buf_free(&html);
	if (w.rc)
		return fail(err, errlen, w.rc, w.rc == -ENOMEM ? "out of memory" : "cannot format");
	return 0;
}

int et_mail_build_text(const char *from_addr, const char *const *to, size_t nto,
		       const char *subject, const char *body, int64_t date_us,
		       const char *message_id, et_buf_t *out, char *err, size_t errlen)
{
	if (!from_addr || !*from_addr || !to || nto == 0 || !subject || !body || !out)
		return fail(err, errlen, -EINVAL, "no From, recipient, subject or body");
	int rc = envelope_check(from_addr, to, nto, message_id, err, errlen);
	if (rc)
		return rc;
	char subj[512], from[256], date[48];
	et_mail_header_sanitize(subject, subj, sizeof(subj));
	et_mail_header_sanitize(from_addr, from, sizeof(from));
	fmt_date(date_us, date, sizeof(date));
	et_buf_t text = ET_BUF_INIT, msg = ET_BUF_INIT;
	et_text_t tw = et_text_on(&text), w = et_text_on(&msg);
	/* line by line: put_data cleans control characters, LF included */
	for (const char *l = body; *l;) {
		const char *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) : strlen(l);
		char *line = strndup(l, n);
		if (!line) {
			tw.rc = -ENOMEM;
			break;
		}
		put_data(&tw, line, false);
		free(line);
		et_text_put(&tw, "\r\n");
		l += n + (nl ? 1 : 0);
	}
	put_head(&w, date, from, to, nto, subj, message_id);
	et_text_put(&w, "Content-Type: text/plain; charset=UTF-8\r\n"
			"Content-Transfer-Encoding: base64\r\n\r\n");
	put_b64_body(&w, &text);
	rc = tw.rc ? tw.rc : w.rc;
	if (!rc)
		rc = et_buf_append(out, msg.data, msg.len);
	et_buf_free(&text);
	et_buf_free(&msg);
	if (rc)
		return fail(err, errlen, rc, rc == -ENOMEM ? "out of memory" : "cannot format");
	return 0;
}

/* ---- a message of given parts (the daily digest) ---- */

int et_mail_build_parts(const et_mail_parts_t *p, et_buf_t *out, char *err, size_t errlen)
{
	if (!p || !out || !p->text || !p->html || !p->subject)
		return fail(err, errlen, -EINVAL, "no parts");
	int rc = envelope_check(p->from, p->to, p->nto, p->message_id, err, errlen);
	if (rc)
		return rc;
	for (size_t i = 0; i < p->nimages; i++)
		if (!msgid_ok(p->images[i].cid) || !p->images[i].png)
			return fail(err, errlen, -EINVAL, "an image without a valid Content-ID");
	char subject[512];
	et_mail_header_sanitize(p->subject, subject, sizeof(subject));

	et_buf_t text = {(char *)p->text, strlen(p->text), 0};
	et_buf_t html = {(char *)p->html, strlen(p->html), 0};
	et_buf_t msg = ET_BUF_INIT;
	et_text_t w = et_text_on(&msg);
	char date[48], from[256], alt[40], rel[44];
	fmt_date(p->date_us, date, sizeof(date));
	et_mail_header_sanitize(p->from, from, sizeof(from));
	make_boundary(&text, &html, alt, sizeof(alt));
	snprintf(rel, sizeof(rel), "%s_r", alt);

	put_head(&w, date, from, p->to, p->nto, subject, p->message_id);
	/* with images: multipart/related holding the alternatives, then each
	 * image, referred to from the HTML as cid:<Content-ID> */
	if (p->nimages) {
		et_text_printf(
			&w,
			"Content-Type: multipart/related; type=\"multipart/alternative\";\r\n"
			" boundary=\"%s\"\r\n",
			rel);
		et_text_put(&w, "\r\nThis is a message in MIME format.\r\n");
		et_text_printf(&w, "\r\n--%s\r\n", rel);
	}
	et_text_printf(&w, "Content-Type: multipart/alternative;\r\n boundary=\"%s\"\r\n", alt);
	if (!p->nimages)
		et_text_put(
			&w,
			"\r\nThis is a message in MIME format: a text and an HTML version.\r\n");
	et_text_printf(&w,
		       "\r\n--%s\r\nContent-Type: text/plain; charset=UTF-8\r\n"
		       "Content-Transfer-Encoding: base64\r\n\r\n",
		       alt);
	put_b64_body(&w, &text);
	et_text_printf(&w,
		       "\r\n--%s\r\nContent-Type: text/html; charset=UTF-8\r\n"
		       "Content-Transfer-Encoding: base64\r\n\r\n",
		       alt);
	put_b64_body(&w, &html);
	et_text_printf(&w, "\r\n--%s--\r\n", alt);
	for (size_t i = 0; i < p->nimages; i++) {
		et_buf_t png = {(char *)p->images[i].png, p->images[i].len, 0};
		et_text_printf(&w, "\r\n--%s\r\nContent-Type: image/png\r\n", rel);
		et_text_put(&w, "Content-Transfer-Encoding: base64\r\nContent-ID: <");
		et_text_put(&w, p->images[i].cid);
		et_text_put(&w, ">\r\nContent-Disposition: inline\r\n\r\n");
		put_b64_body(&w, &png);
	}
	if (p->nimages)
		et_text_printf(&w, "\r\n--%s--\r\n", rel);
	if (!w.rc)
		w.rc = et_buf_append(out, msg.data, msg.len);
	et_buf_free(&msg);
	if (w.rc)
		return fail(err, errlen, w.rc, w.rc == -ENOMEM ? "out of memory" : "cannot format");
	return 0;
}
