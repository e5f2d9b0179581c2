/* SPDX-License-Identifier: MIT */
/* The alert mail. Everything that came from data goes through clean_char
 * (no control characters, valid UTF-8) on its way anywhere, and through an
 * HTML escape on its way into the HTML part; headers are built only from
 * cleaned text, and the two bodies are base64, so no data can start a
 * header, a MIME part or a boundary line. Not here: SMTP, the outbox. */
#include "enertrack/utf8.h"
#include "enertrack/mail.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
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

/* ---- a writer with a sticky error ---- */

/* Appends to a buffer; after the first failure, every later call does
 * nothing, so that a long run of writes needs one check at the end. */
struct w {
	et_buf_t *b;
	int rc;
};

static void put(struct w *w, const char *s, size_t n)
{
	if (!w->rc)
		w->rc = et_buf_append(w->b, s, n);
}

static void puts_(struct w *w, const char *s)
{
	put(w, s, strlen(s));
}

static void __attribute__((format(printf, 2, 3))) putf(struct w *w, const char *fmt, ...)
{
	char t[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(t, sizeof(t), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(t)) {
		if (!w->rc)
			w->rc = -EINVAL; /* only fixed, short formats come here */
		return;
	}
	put(w, t, (size_t)n);
}

/* Appends data text, cleaned; in HTML also escaped. NULL is "". */
static void put_data(struct w *w, const char *s, bool html)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	while (*p) {
		char ch[4];
		size_t n;
		p += clean_char(p, ch, &n);
		if (html && n == 1) {
			switch (ch[0]) {
			case '&':
				puts_(w, "&amp;");
				continue;
			case '<':
				puts_(w, "&lt;");
				continue;
			case '>':
				puts_(w, "&gt;");
				continue;
			case '"':
				puts_(w, "&quot;");
				continue;
			case '\'':
				puts_(w, "&#39;");
				continue;
			}
		}
		put(w, ch, n);
	}
}

/* ---- numbers and dates for people ---- */

/* A display value: two decimals below 100 ("84.30"), one below 10000
 * ("297.5"), none above with thousands separators ("12,345"); three
 * significant digits below 1 ("0.0123"). "n/a" when not finite. */
static void fmt_num(double v, char *out, size_t len)
{
	if (!isfinite(v)) {
		snprintf(out, len, "n/a");
		return;
	}
	if (v == 0)
		v = 0; /* no "-0.00" */
	double a = fabs(v);
	if (a < 10000) {
		int dec = a >= 100 ? 1 : 2;
		for (double t = a; t > 0 && t < 1 && dec < 6; t *= 10)
			dec++;
		snprintf(out, len, "%.*f", dec, v);
		return;
	}
	if (a >= 1e15) {
		snprintf(out, len, "%.4g", v);
		return;
	}
	char digits[24];
	int n = snprintf(digits, sizeof(digits), "%.0f", a);
	size_t o = 0;
	if (v < 0 && o + 1 < len)
		out[o++] = '-';
	for (int i = 0; i < n && o + 2 < len; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
}

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

/* "84.30 Mt" from a canonical value; "n/a" alone when unknown. */
static void fmt_qty(const struct units *u, double v, const char *suffix, char *out, size_t len)
{
	char num[48];
	fmt_num(v / u->div, num, sizeof(num));
	if (!isfinite(v))
		snprintf(out, len, "%s", num);
	else if (u->unit[0])
		snprintf(out, len, "%s %s%s", num, u->unit, suffix);
	else
		snprintf(out, len, "%s%s", num, suffix);
}

static void fmt_pct(double v, bool sign, char *out, size_t len)
{
	if (!isfinite(v))
		snprintf(out, len, "n/a");
	else
		snprintf(out, len, sign ? "%+.1f %%" : "%.1f %%", v);
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
		snprintf(out, len, "never");
		return;
	}
	struct civil c = civil_of(us);
	snprintf(out, len, "%04lld-%02u-%02u %02u:%02u UTC", (long long)c.y, c.mon, c.d, c.h,
		 c.min);
}

/* ---- the subject ---- */

int et_mail_subject(const et_mail_report_t *r, char *buf, size_t len)
{
	if (!r || !r->label || !buf || !et_alert_event_notifies(r->event))
		return -EINVAL;
	char label[ET_MAIL_LABEL_MAX + 1];
	et_mail_header_sanitize(r->label, label, sizeof(label));
	double d = r->drift_pct;
	char what[64];
	if (r->lang == ET_LANG_ZH_CN) {
		/* "[enertrack] 提醒：原煤产量 2024：落后于序时进度 8.1%" */
		if (r->event == ET_AL_EV_RESOLVED && isfinite(d))
			snprintf(what, sizeof(what), "已恢复正常（偏差 %.1f%%）", d);
		else if (r->event == ET_AL_EV_RESOLVED)
			snprintf(what, sizeof(what), "已恢复正常");
		else if (!isfinite(d))
			snprintf(what, sizeof(what), "偏离序时进度");
		else
			snprintf(what, sizeof(what), "%s %.1f%%",
				 d < 0 ? "落后于序时进度" : "超出序时进度", fabs(d));
		int n = snprintf(buf, len, "[enertrack] %s%s %d：%s",
				 r->event == ET_AL_EV_REPEAT ? "提醒：" : "", label, r->year, what);
		if (n < 0)
			return -EINVAL;
		if ((size_t)n >= len) {
			if (len)
				buf[0] = '\0';
			return -ENOSPC;
		}
		return n;
	}
	if (r->event == ET_AL_EV_RESOLVED) {
		if (isfinite(d))
			snprintf(what, sizeof(what), "back on track (drift %.1f%%)", d);
		else
			snprintf(what, sizeof(what), "back on track");
	} else if (!isfinite(d)) {
		snprintf(what, sizeof(what), "off schedule");
	} else {
		snprintf(what, sizeof(what), "%.1f%% %s schedule", fabs(d),
			 d < 0 ? "behind" : "over");
	}
	int n = snprintf(buf, len, "[enertrack] %s%s %d: %s",
			 r->event == ET_AL_EV_REPEAT ? "reminder: " : "", label, r->year, what);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= len) {
		if (len)
			buf[0] = '\0';
		return -ENOSPC;
	}
	return n;
}

/* ---- base64 ---- */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Encodes p[0..n) without line breaks into out (4 * ceil(n / 3) bytes). */
static size_t b64_encode(const unsigned char *p, size_t n, char *out)
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
static void put_b64_body(struct w *w, const et_buf_t *body)
{
	const unsigned char *p = (const unsigned char *)body->data;
	for (size_t i = 0; i < body->len; i += 57) {
		char line[80];
		size_t n = body->len - i < 57 ? body->len - i : 57;
		size_t k = b64_encode(p + i, n, line);
		line[k++] = '\r';
		line[k++] = '\n';
		put(w, line, k);
	}
}

/* ---- headers ---- */

/* The Subject header. Plain when it is short printable ASCII without "=?"
 * (which a reader could take for an encoded word); otherwise RFC 2047 B
 * words of at most 42 bytes of whole UTF-8 characters each: 56 base64
 * characters, a 68-character word, so that "Subject: " plus the first word
 * is 77 characters and each folded line 69. */
static void put_subject(struct w *w, const char *s)
{
	size_t n = strlen(s);
	bool plain = 9 + n <= 78 && !strstr(s, "=?");
	for (size_t i = 0; plain && i < n; i++)
		plain = (unsigned char)s[i] < 0x80;
	puts_(w, "Subject: ");
	if (plain) {
		put(w, s, n);
		puts_(w, "\r\n");
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
		o = 10 + b64_encode(p + i, j - i, word + 10);
		word[o++] = '?';
		word[o++] = '=';
		if (i > 0)
			puts_(w, "\r\n ");
		put(w, word, o);
		i = j;
	}
	puts_(w, "\r\n");
}

/* "To: a@x, b@y" folded before an address that would pass 78 columns. */
static void put_to(struct w *w, const char *const *to, size_t nto)
{
	size_t col = 4;
	puts_(w, "To: ");
	for (size_t i = 0; i < nto; i++) {
		char a[256];
		size_t n = et_mail_header_sanitize(to[i], a, sizeof(a));
		if (i > 0) {
			if (col + 2 + n > 78) {
				puts_(w, ",\r\n ");
				col = 1;
			} else {
				puts_(w, ", ");
				col += 2;
			}
		}
		put(w, a, n);
		col += n;
	}
	puts_(w, "\r\n");
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
		return et_tr(lang, "mail.kind_about");
	if (strcmp(kind, "at_least") == 0)
		return et_tr(lang, "mail.kind_at_least");
	if (strcmp(kind, "reduce_by_pct") == 0)
		return et_tr(lang, "mail.kind_reduce_by");
	return NULL; /* shown as data */
}

/* One "Name: value" line of the text part, or one row of the HTML table:
 * a small grey name above the value, one column, for narrow screens. */
static void row(struct w *w, bool html, const char *name, const char *value)
{
	if (html) {
		putf(w,
		     "<tr><td style=\"padding:6px 10px;border-bottom:1px solid #e5e5e5\">"
		     "<div style=\"color:#666;font-size:13px\">%s</div>",
		     name);
		put_data(w, value, true);
		puts_(w, "</td></tr>\r\n");
	} else {
		putf(w, "%s: ", name);
		put_data(w, value, false);
		puts_(w, "\r\n");
	}
}

static void section(struct w *w, bool html, const char *title)
{
	if (html)
		putf(w,
		     "<tr><td style=\"padding:14px 10px 4px;font-weight:bold;"
		     "border-bottom:2px solid #ccc\">%s</td></tr>\r\n",
		     title);
	else
		putf(w, "\r\n%s\r\n", title);
}

/* "xy-01 (襄垣)" and, for a stale site, a marker. */
static void site_name(struct w *w, bool html, et_lang_t lang, const et_mail_site_t *s)
{
	if (html)
		puts_(w, "<b>");
	put_data(w, s->site_id, html);
	if (html)
		puts_(w, "</b>");
	if (s->county && *s->county) {
		puts_(w, " (");
		put_data(w, s->county, html);
		puts_(w, ")");
	}
	if (s->stale)
		putf(w,
		     html ? " <span style=\"color:#b00020;font-weight:bold\">%s</span>" : " [%s]",
		     et_tr(lang, "mail.stale"));
}

static void site_behind(struct w *w, bool html, et_lang_t lang, const struct units *u,
			const et_mail_site_t *s)
{
	char act[64], exp[64], gap[64];
	fmt_qty(u, s->actual, "", act, sizeof(act));
	fmt_qty(u, s->expected, "", exp, sizeof(exp));
	fmt_qty(u, s->gap, "", gap, sizeof(gap));
	if (html)
		puts_(w, "<tr><td style=\"padding:6px 10px;border-bottom:1px solid #e5e5e5\">");
	else
		puts_(w, "- ");
	site_name(w, html, lang, s);
	puts_(w, html ? "<br>" : "\r\n  ");
	/* units and figures are cleaned text already; escape them anyway */
	puts_(w, et_tr(lang, "mail.site_actual"));
	put_data(w, act, html);
	puts_(w, et_tr(lang, "mail.site_of"));
	put_data(w, exp, html);
	puts_(w, et_tr(lang, "mail.site_gap"));
	put_data(w, gap, html);
	puts_(w, html ? "</td></tr>\r\n" : "\r\n");
}

static void site_stale(struct w *w, bool html, et_lang_t lang, const struct units *u,
		       const et_mail_site_t *s)
{
	char act[64], when[40];
	fmt_qty(u, s->actual, "", act, sizeof(act));
	fmt_when(s->last_us, when, sizeof(when));
	if (html)
		puts_(w, "<tr><td style=\"padding:6px 10px;border-bottom:1px solid #e5e5e5\">");
	else
		puts_(w, "- ");
	site_name(w, html, lang, s);
	puts_(w, html ? "<br>" : "\r\n  ");
	puts_(w, et_tr(lang, "mail.site_last"));
	put_data(w, when, html);
	puts_(w, et_tr(lang, "mail.site_so_far"));
	put_data(w, act, html);
	puts_(w, html ? "</td></tr>\r\n" : "\r\n");
}

/* The text (html false) or HTML body. headline is the subject without its
 * "[enertrack] " tag, already cleaned. */
#define T(key) et_tr(r->lang, key)

static void put_body(struct w *w, bool html, const et_mail_report_t *r, const char *headline)
{
	struct units u;
	units_of(r, &u);
	char v[320], t[64];
	static const char *const colour[] = {[ET_AL_EV_FIRING] = "#b00020",
					     [ET_AL_EV_REPEAT] = "#b35c00",
					     [ET_AL_EV_RESOLVED] = "#1b7f3b"};

	if (html) {
		putf(w, "<!DOCTYPE html>\r\n<html lang=\"%s\"><head><meta charset=\"utf-8\">",
		     et_lang_tag(r->lang));
		puts_(w, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
			 "<title>");
		put_data(w, headline, true);
		puts_(w, "</title></head>\r\n"
			 "<body style=\"margin:0;padding:8px;background:#ffffff;color:#222222;"
			 "font-family:Helvetica,Arial,'PingFang SC','Microsoft YaHei','Noto Sans "
			 "CJK SC',sans-serif;font-size:15px;line-height:1.4\">\r\n"
			 "<table role=\"presentation\" style=\"width:100%;max-width:560px;"
			 "border-collapse:collapse\">\r\n");
		putf(w,
		     "<tr><td style=\"padding:10px;background:%s;color:#ffffff;font-size:17px;"
		     "font-weight:bold\">",
		     colour[r->event]);
		put_data(w, headline, true);
		puts_(w, "</td></tr>\r\n");
	} else {
		put_data(w, headline, false);
		puts_(w, "\r\n");
	}

	if (html && r->chart_len && r->chart_png) {
		/* the chart right under the headline, as wide as the mail */
		puts_(w, "<tr><td style=\"padding:8px 0\"><img src=\"cid:");
		put_data(w, r->chart_cid, true);
		puts_(w, "\" alt=\"");
		put_data(w, T("mail.chart_alt"), true);
		putf(w,
		     "\" width=\"%d\" style=\"display:block;width:100%%;max-width:%dpx;"
		     "height:auto;border:0\"></td></tr>\r\n",
		     ET_MAIL_CHART_W, ET_MAIL_CHART_W);
	}
	if (!html)
		puts_(w, "\r\n"); /* the headline is the section title */
	char label[ET_MAIL_LABEL_MAX + 1], scope[256];
	et_mail_header_sanitize(r->label, label, sizeof(label));
	/* English mails show the scope as configured ("county:襄垣") */
	char scope_in[256];
	et_scope_text(r->lang, r->scope, scope_in, sizeof(scope_in));
	et_mail_header_sanitize(r->lang == ET_LANG_EN ? r->scope : scope_in, scope, sizeof(scope));
	snprintf(v, sizeof(v), "%s %d", label, r->year);
	row(w, html, T("word.target"), v);
	row(w, html, T("word.scope"), scope);
	if (r->plan_text && *r->plan_text) {
		/* the plan wording may be long: it goes in whole, cleaned */
		if (html) {
			puts_(w, "<tr><td style=\"padding:6px 10px;border-bottom:1px solid "
				 "#e5e5e5\"><div style=\"color:#666;font-size:13px\">");
			puts_(w, T("mail.plan"));
			puts_(w, "</div>");
			put_data(w, r->plan_text, true);
			puts_(w, "</td></tr>\r\n");
		} else {
			putf(w, "%s: ", T("mail.plan"));
			put_data(w, r->plan_text, false);
			puts_(w, "\r\n");
		}
	}
	const char *kw = kind_words(r->lang, r->kind);
	fmt_qty(&u, r->target, "", t, sizeof(t));
	if (kw) {
		snprintf(v, sizeof(v), "%s%s", kw, t);
	} else {
		char kind[48];
		et_mail_header_sanitize(r->kind, kind, sizeof(kind));
		snprintf(v, sizeof(v), "%s %s", kind, t);
	}
	row(w, html, T("mail.goal"), v);

	fmt_pct(r->elapsed_pct, false, t, sizeof(t));
	if (r->lang == ET_LANG_ZH_CN)
		snprintf(v, sizeof(v), "进度（全年时间已过 %s）", t);
	else
		snprintf(v, sizeof(v), "Progress (%s of the year)", t);
	section(w, html, v);
	fmt_qty(&u, r->expected, "", v, sizeof(v));
	row(w, html, T("mail.expected_now"), v);
	fmt_qty(&u, r->actual, "", v, sizeof(v));
	row(w, html, T("word.actual"), v);
	fmt_pct(r->drift_pct, true, v, sizeof(v));
	row(w, html, T("word.drift"), v);
	if (isfinite(r->projected)) {
		fmt_qty(&u, r->projected, "", v, sizeof(v));
		row(w, html, T("mail.projected"), v);
	}
	if (isfinite(r->required_daily)) {
		fmt_qty(&u, r->required_daily, T("mail.per_day"), v, sizeof(v));
		row(w, html, T("mail.required"), v);
	}
	if (r->status && *r->status) {
		char st[48];
		char key[64];
		snprintf(key, sizeof(key), "status.%s", r->status);
		et_mail_header_sanitize(et_tr(r->lang, key), st, sizeof(st));
		row(w, html, T("word.status"), st);
	}
	if (r->lang == ET_LANG_ZH_CN)
		snprintf(v, sizeof(v), "%d 个正常上报，%d 个数据中断", r->sites_reporting,
			 r->sites_stale);
	else
		snprintf(v, sizeof(v), "%d reporting, %d stale", r->sites_reporting,
			 r->sites_stale);
	row(w, html, T("word.sites"), v);

	if (r->nbehind) {
		section(w, html, T("mail.sites_behind"));
		for (size_t i = 0; i < r->nbehind; i++)
			site_behind(w, html, r->lang, &u, &r->behind[i]);
	}
	if (r->nstale) {
		section(w, html, T("mail.sites_stale"));
		for (size_t i = 0; i < r->nstale; i++)
			site_stale(w, html, r->lang, &u, &r->stale[i]);
	}

	if (!html && r->chart_len && r->chart_png)
		putf(w, "\r\n%s\r\n", T("mail.chart_in_html"));
	if (html) {
		putf(w,
		     "<tr><td style=\"padding:14px 10px;color:#888;font-size:12px\">"
		     "%s</td></tr>\r\n</table>\r\n</body></html>\r\n",
		     T("mail.sent_by"));
	} else {
		putf(w, "\r\n-- \r\n%s\r\n", T("mail.sent_by"));
	}
}

/* ---- the message ---- */

static int fail(char *err, size_t errlen, int rc, const char *why)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", why);
	return rc;
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
	if (!r->from || !*r->from)
		return fail(err, errlen, -EINVAL, "no From address");
	if (!r->to || r->nto == 0)
		return fail(err, errlen, -EINVAL, "no recipient");
	for (size_t i = 0; i < r->nto; i++)
		if (!r->to[i] || !*r->to[i])
			return fail(err, errlen, -EINVAL, "an empty recipient");
	if (!msgid_ok(r->message_id))
		return fail(err, errlen, -EINVAL, "message_id is not a valid msg-id (a@b)");
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
	struct w tw = {&text, 0}, hw = {&html, 0};
	put_body(&tw, false, r, headline);
	put_body(&hw, true, r, headline);
	int rc = tw.rc ? tw.rc : hw.rc;
	if (rc) {
		et_buf_free(&text);
		et_buf_free(&html);
		return fail(err, errlen, rc, rc == -ENOMEM ? "out of memory" : "cannot format");
	}

	/* The message is made apart and appended in one piece, so that a
	 * failure cannot leave half a message in out. */
	et_buf_t msg = ET_BUF_INIT;
	struct w w = {&msg, 0};
	char date[48], from[256], boundary[40];
	fmt_date(r->date_us, date, sizeof(date));
	et_mail_header_sanitize(r->from, from, sizeof(from));
	make_boundary(&text, &html, boundary, sizeof(boundary));
	/* neither boundary a prefix of the other: a parser may match a
	 * delimiter line by its beginning (RFC 2046, 5.1.1) */
	char related[48];
	snprintf(related, sizeof(related), "=_related_%s", boundary + strlen("=_enertrack_"));

	putf(&w, "Date: %s\r\n", date);
	putf(&w, "From: %s\r\n", from);
	put_to(&w, r->to, r->nto);
	put_subject(&w, subject);
	puts_(&w, "Message-ID: <");
	puts_(&w, r->message_id);
	puts_(&w, ">\r\n");
	puts_(&w, "MIME-Version: 1.0\r\n");
	puts_(&w, "Auto-Submitted: auto-generated\r\n");
	putf(&w, "Content-Type: multipart/alternative;\r\n boundary=\"%s\"\r\n", boundary);
	puts_(&w, "\r\nThis is a message in MIME format: a text and an HTML version.\r\n");
	putf(&w,
	     "\r\n--%s\r\nContent-Type: text/plain; charset=UTF-8\r\n"
	     "Content-Transfer-Encoding: base64\r\n\r\n",
	     boundary);
	put_b64_body(&w, &text);
	if (chart) {
		/* the HTML and its image travel together (RFC 2387) */
		putf(&w,
		     "\r\n--%s\r\nContent-Type: multipart/related; type=\"text/html\";\r\n"
		     " boundary=\"%s\"\r\n",
		     boundary, related);
		putf(&w, "\r\n--%s", related);
	} else {
		putf(&w, "\r\n--%s", boundary);
	}
	puts_(&w, "\r\nContent-Type: text/html; charset=UTF-8\r\n"
		  "Content-Transfer-Encoding: base64\r\n\r\n");
	put_b64_body(&w, &html);
	if (chart) {
		et_buf_t png = {(char *)r->chart_png, r->chart_len, r->chart_len};
		putf(&w,
		     "\r\n--%s\r\nContent-Type: image/png\r\n"
		     "Content-Transfer-Encoding: base64\r\n"
		     "Content-Disposition: inline; filename=\"chart.png\"\r\n",
		     related);
		puts_(&w, "Content-ID: <");
		puts_(&w, r->chart_cid);
		puts_(&w, ">\r\n\r\n");
		put_b64_body(&w, &png);
		putf(&w, "\r\n--%s--\r\n", related);
	}
	putf(&w, "\r\n--%s--\r\n", boundary);
	if (!w.rc)
		w.rc = et_buf_append(out, msg.data, msg.len);

	et_buf_free(&msg);
	et_buf_free(&text);
	et_buf_free(&html);
	if (w.rc)
		return fail(err, errlen, w.rc, w.rc == -ENOMEM ? "out of memory" : "cannot format");
	return 0;
}

/* ---- a message of given parts (the daily digest) ---- */

int et_mail_build_parts(const et_mail_parts_t *p, et_buf_t *out, char *err, size_t errlen)
{
	if (!p || !out || !p->text || !p->html || !p->subject)
		return fail(err, errlen, -EINVAL, "no parts");
	if (!p->from || !*p->from)
		return fail(err, errlen, -EINVAL, "no From address");
	if (!p->to || p->nto == 0)
		return fail(err, errlen, -EINVAL, "no recipient");
	for (size_t i = 0; i < p->nto; i++)
		if (!p->to[i] || !*p->to[i])
			return fail(err, errlen, -EINVAL, "an empty recipient");
	if (!msgid_ok(p->message_id))
		return fail(err, errlen, -EINVAL, "message_id is not a valid msg-id (a@b)");
	for (size_t i = 0; i < p->nimages; i++)
		if (!msgid_ok(p->images[i].cid) || !p->images[i].png)
			return fail(err, errlen, -EINVAL, "an image without a valid Content-ID");
	char subject[512];
	et_mail_header_sanitize(p->subject, subject, sizeof(subject));

	et_buf_t text = {(char *)p->text, strlen(p->text), 0};
	et_buf_t html = {(char *)p->html, strlen(p->html), 0};
	et_buf_t msg = ET_BUF_INIT;
	struct w w = {&msg, 0};
	char date[48], from[256], alt[40], rel[44];
	fmt_date(p->date_us, date, sizeof(date));
	et_mail_header_sanitize(p->from, from, sizeof(from));
	make_boundary(&text, &html, alt, sizeof(alt));
	snprintf(rel, sizeof(rel), "%s_r", alt);

	putf(&w, "Date: %s\r\n", date);
	putf(&w, "From: %s\r\n", from);
	put_to(&w, p->to, p->nto);
	put_subject(&w, subject);
	puts_(&w, "Message-ID: <");
	puts_(&w, p->message_id);
	puts_(&w, ">\r\n");
	puts_(&w, "MIME-Version: 1.0\r\n");
	puts_(&w, "Auto-Submitted: auto-generated\r\n");
	/* with images: multipart/related holding the alternatives, then each
	 * image, referred to from the HTML as cid:<Content-ID> */
	if (p->nimages) {
		putf(&w,
		     "Content-Type: multipart/related; type=\"multipart/alternative\";\r\n"
		     " boundary=\"%s\"\r\n",
		     rel);
		puts_(&w, "\r\nThis is a message in MIME format.\r\n");
		putf(&w, "\r\n--%s\r\n", rel);
	}
	putf(&w, "Content-Type: multipart/alternative;\r\n boundary=\"%s\"\r\n", alt);
	if (!p->nimages)
		puts_(&w, "\r\nThis is a message in MIME format: a text and an HTML version.\r\n");
	putf(&w,
	     "\r\n--%s\r\nContent-Type: text/plain; charset=UTF-8\r\n"
	     "Content-Transfer-Encoding: base64\r\n\r\n",
	     alt);
	put_b64_body(&w, &text);
	putf(&w,
	     "\r\n--%s\r\nContent-Type: text/html; charset=UTF-8\r\n"
	     "Content-Transfer-Encoding: base64\r\n\r\n",
	     alt);
	put_b64_body(&w, &html);
	putf(&w, "\r\n--%s--\r\n", alt);
	for (size_t i = 0; i < p->nimages; i++) {
		et_buf_t png = {(char *)p->images[i].png, p->images[i].len, 0};
		putf(&w, "\r\n--%s\r\nContent-Type: image/png\r\n", rel);
		puts_(&w, "Content-Transfer-Encoding: base64\r\nContent-ID: <");
		puts_(&w, p->images[i].cid);
		puts_(&w, ">\r\nContent-Disposition: inline\r\n\r\n");
		put_b64_body(&w, &png);
	}
	if (p->nimages)
		putf(&w, "\r\n--%s--\r\n", rel);
	if (!w.rc)
		w.rc = et_buf_append(out, msg.data, msg.len);
	et_buf_free(&msg);
	if (w.rc)
		return fail(err, errlen, w.rc, w.rc == -ENOMEM ? "out of memory" : "cannot format");
	return 0;
}
