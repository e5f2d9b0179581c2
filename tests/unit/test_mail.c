/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/mail.c. Each built message is parsed here as a mail
 * reader would: headers split from the body at the first CRLFCRLF and
 * unfolded, the MIME parts split at the boundary, base64 and RFC 2047
 * words decoded by the small decoders below; then the figures, the
 * escaping and the absence of injected headers are checked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "enertrack/buf.h"
#include "enertrack/mail.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define S	     1000000LL

/* ---- a small mail reader ---- */

static int b64_val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Decodes base64 s[0..n), skipping CRLF; fails the test on anything else
 * that is not base64. Returns a NUL-terminated malloc'd string. */
static char *b64_decode(const char *s, size_t n, size_t *ret_len)
{
	char *out = malloc(n + 1);
	assert_non_null(out);
	size_t o = 0;
	unsigned acc = 0;
	int bits = 0, pad = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '\r' || c == '\n')
			continue;
		if (c == '=') {
			pad++;
			continue;
		}
		if (pad)
			fail_msg("base64: data after padding at %zu", i);
		int v = b64_val(c);
		if (v < 0)
			fail_msg("base64: bad character 0x%02x at %zu", (unsigned char)c, i);
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	out[o] = '\0';
	if (ret_len)
		*ret_len = o;
	return out;
}

#define MAX_HDR 32
struct hdr {
	char name[64];
	char *value; /* unfolded: each CRLF + WSP becomes the WSP */
	size_t nlines;
};

struct parsed {
	char *raw; /* NUL-terminated copy of the message */
	struct hdr h[MAX_HDR];
	size_t nh;
	const char *body;
	char boundary[128];
	char *part_hdr[2]; /* the header block of each part, raw */
	char *part[2];	   /* decoded bodies */
	size_t part_len[2];
	char *part_b64[2]; /* the encoded bodies, raw */
};

static void parsed_free(struct parsed *m)
{
	for (size_t i = 0; i < m->nh; i++)
		free(m->h[i].value);
	for (int k = 0; k < 2; k++) {
		free(m->part_hdr[k]);
		free(m->part[k]);
		free(m->part_b64[k]);
	}
	free(m->raw);
	memset(m, 0, sizeof(*m));
}

static const char *header(const struct parsed *m, const char *name)
{
	for (size_t i = 0; i < m->nh; i++)
		if (strcmp(m->h[i].name, name) == 0)
			return m->h[i].value;
	return NULL;
}

/* Splits a message into unfolded headers and a multipart/alternative body
 * with two base64 parts, checking the syntax on the way. */
static void parse_message(const et_buf_t *b, struct parsed *m)
{
	memset(m, 0, sizeof(*m));
	m->raw = malloc(b->len + 1);
	assert_non_null(m->raw);
	memcpy(m->raw, b->data, b->len);
	m->raw[b->len] = '\0';
	if (strlen(m->raw) != b->len)
		fail_msg("a NUL in the message");
	/* CRLF only: no bare CR or LF anywhere */
	for (size_t i = 0; i < b->len; i++) {
		if (m->raw[i] == '\r' && m->raw[i + 1] != '\n')
			fail_msg("bare CR at %zu", i);
		if (m->raw[i] == '\n' && (i == 0 || m->raw[i - 1] != '\r'))
			fail_msg("bare LF at %zu", i);
	}
	if (b->len < 2 || memcmp(m->raw + b->len - 2, "\r\n", 2) != 0)
		fail_msg("the message does not end with CRLF");
	char *sep = strstr(m->raw, "\r\n\r\n");
	assert_non_null(sep);
	m->body = sep + 4;

	/* header lines */
	const char *p = m->raw;
	while (p < sep + 2) {
		const char *eol = strstr(p, "\r\n");
		size_t len = (size_t)(eol - p);
		if (len > 998)
			fail_msg("a header line of %zu characters", len);
		if (p[0] == ' ' || p[0] == '\t') {
			if (m->nh == 0)
				fail_msg("a continuation line first");
			struct hdr *h = &m->h[m->nh - 1];
			size_t old = strlen(h->value);
			h->value = realloc(h->value, old + len + 1);
			assert_non_null(h->value);
			memcpy(h->value + old, p, len);
			h->value[old + len] = '\0';
			h->nlines++;
		} else {
			const char *colon = memchr(p, ':', len);
			if (!colon)
				fail_msg("a header line without a colon: %.*s", (int)len, p);
			assert_true(m->nh < MAX_HDR);
			struct hdr *h = &m->h[m->nh++];
			size_t nl = (size_t)(colon - p);
			assert_true(nl > 0 && nl < sizeof(h->name));
			memcpy(h->name, p, nl);
			h->name[nl] = '\0';
			for (size_t i = 0; i < nl; i++)
				if (h->name[i] <= ' ' || h->name[i] > '~')
					fail_msg("a header name with 0x%02x",
						 (unsigned char)h->name[i]);
			const char *v = colon + 1;
			if (*v == ' ')
				v++;
			h->value = strndup(v, (size_t)(eol - v));
			assert_non_null(h->value);
			h->nlines = 1;
		}
		p = eol + 2;
	}

	/* the boundary */
	const char *ct = header(m, "Content-Type");
	assert_non_null(ct);
	if (strncmp(ct, "multipart/alternative;", 22) != 0)
		fail_msg("Content-Type: %s", ct);
	const char *bq = strstr(ct, "boundary=\"");
	assert_non_null(bq);
	bq += 10;
	const char *be = strchr(bq, '"');
	assert_non_null(be);
	assert_true((size_t)(be - bq) < sizeof(m->boundary) && be > bq);
	memcpy(m->boundary, bq, (size_t)(be - bq));
	m->boundary[be - bq] = '\0';
	assert_true(strlen(m->boundary) <= 70); /* RFC 2046 */

	/* the parts: delimiter lines are CRLF "--" boundary */
	char delim[160], close[160];
	snprintf(delim, sizeof(delim), "\r\n--%s\r\n", m->boundary);
	snprintf(close, sizeof(close), "\r\n--%s--\r\n", m->boundary);
	const char *d1 = strstr(m->body - 2, delim);
	assert_non_null(d1);
	const char *d2 = strstr(d1 + 1, delim);
	assert_non_null(d2);
	const char *d3 = strstr(d2 + 1, close);
	assert_non_null(d3);
	if (strstr(d2 + 1, delim))
		fail_msg("more than two parts");
	if (strcmp(d3, close) != 0)
		fail_msg("text after the closing delimiter");
	const char *starts[2] = {d1 + strlen(delim), d2 + strlen(delim)};
	const char *ends[2] = {d2, d3};
	for (int k = 0; k < 2; k++) {
		const char *hs = starts[k];
		const char *he = strstr(hs, "\r\n\r\n");
		assert_non_null(he);
		assert_true(he < ends[k]);
		m->part_hdr[k] = strndup(hs, (size_t)(he + 2 - hs));
		const char *bs = he + 4;
		m->part_b64[k] = strndup(bs, (size_t)(ends[k] - bs));
		/* base64 lines: 76 characters, the last one at most */
		const char *q = bs;
		while (q < ends[k]) {
			const char *e = strstr(q, "\r\n");
			size_t len = (size_t)((e && e < ends[k] ? e : ends[k]) - q);
			if (len > 76)
				fail_msg("a base64 line of %zu characters", len);
			if (e && e + 2 < ends[k] && len != 76)
				fail_msg("a short base64 line (%zu) before the last", len);
			if (!e || e >= ends[k])
				break;
			q = e + 2;
		}
		m->part[k] = b64_decode(bs, (size_t)(ends[k] - bs), &m->part_len[k]);
	}
}

/* Decodes an unfolded Subject value: RFC 2047 B words (whitespace between
 * words dropped) or plain text. Each word must hold whole characters. */
static void decode_subject(const char *v, char *out, size_t outlen)
{
	if (strncmp(v, "=?", 2) != 0) {
		snprintf(out, outlen, "%s", v);
		return;
	}
	size_t o = 0;
	const char *p = v;
	while (*p) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		if (strncmp(p, "=?UTF-8?B?", 10) != 0)
			fail_msg("not an encoded word: %s", p);
		const char *e = strstr(p + 10, "?=");
		assert_non_null(e);
		if (e + 2 - p > 75)
			fail_msg("an encoded word of %d characters", (int)(e + 2 - p));
		size_t n;
		char *d = b64_decode(p + 10, (size_t)(e - p - 10), &n);
		/* whole UTF-8 characters: no lead byte at the end, no
		 * continuation byte at the start */
		if (n && ((unsigned char)d[0] & 0xc0) == 0x80)
			fail_msg("an encoded word starts inside a character");
		for (size_t i = n; i > 0 && i + 4 > n; i--) {
			unsigned char c = (unsigned char)d[i - 1];
			size_t want = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
			if (c >= 0xc0 && i - 1 + want > n)
				fail_msg("an encoded word ends inside a character");
			if (c < 0x80 || c >= 0xc0)
				break;
		}
		assert_true(o + n < outlen);
		memcpy(out + o, d, n);
		o += n;
		free(d);
		p = e + 2;
		if (*p && *p != ' ')
			fail_msg("encoded words not separated by whitespace");
	}
	out[o] = '\0';
}

/* ---- a report ---- */

static const et_mail_site_t behind5[] = {
	{"xy-01", "襄垣", 3.1e6, 4.2e6, -1.1e6, false, 1730448000 * S},
	{"wz-02", "长子", 2.5e6, 3.1e6, -0.6e6, true, 1727712000 * S},
	{"tl-03", "屯留", 1.9e6, 2.3e6, -0.4e6, false, 1730448000 * S},
	{"lc-04", "潞城", 0.95e6, 1.2e6, -0.25e6, false, 1730448000 * S},
	{"pd-05", NULL, 0.5e6, 0.6e6, -0.1e6, false, 1730448000 * S},
};
static const et_mail_site_t stale2[] = {
	{"wz-02", "长子", 2.5e6, NAN, NAN, true, 1727712000 * S},
	{"qx-09", "", 0, NAN, NAN, true, 0},
};
static const char *const rcpt2[] = {"ops@example.org", "Energy Office <energy@example.org>"};

static et_mail_report_t sample(void)
{
	et_mail_report_t r = {
		.event = ET_AL_EV_FIRING,
		.label = "Raw coal",
		.year = 2024,
		.kind = "about",
		.status = "behind",
		.plan_text = "原煤产量稳定在1亿吨左右",
		.scope = "city",
		.display_unit = "Mt",
		.display_div = 1e6,
		.target = 100e6,
		.expected = 84.3e6,
		.actual = 77.48e6,
		.drift_pct = -8.09,
		.projected = 95.2e6,
		.required_daily = 0.3614e6,
		.elapsed_pct = 84.3,
		.sites_reporting = 12,
		.sites_stale = 2,
		.behind = behind5,
		.nbehind = 5,
		.stale = stale2,
		.nstale = 2,
		.from = "enertrack <alerts@example.org>",
		.to = rcpt2,
		.nto = 2,
		.date_us = 1795881600 * S,
		.message_id = "drift-42.target-1@enertrack",
	};
	return r;
}

/* Builds r and parses the result; fails the test if either fails. */
static void build_parse(const et_mail_report_t *r, struct parsed *m)
{
	et_buf_t b = ET_BUF_INIT;
	char err[128] = "";
	int rc = et_mail_build(r, &b, err, sizeof(err));
	if (rc)
		fail_msg("et_mail_build: %d (%s)", rc, err);
	parse_message(&b, m);
	et_buf_free(&b);
}

static const char *const want_headers[] = {"Date",	     "From",	    "To",
					   "Subject",	     "Message-ID",  "MIME-Version",
					   "Auto-Submitted", "Content-Type"};

/* Exactly the expected headers, in order, each once. */
static void check_header_names(const struct parsed *m, const char *what)
{
	if (m->nh != ARRAY_LEN(want_headers)) {
		for (size_t i = 0; i < m->nh; i++)
			print_message("  %s: %s\n", m->h[i].name, m->h[i].value);
		fail_msg("%s: %zu headers, want %zu", what, m->nh, ARRAY_LEN(want_headers));
	}
	for (size_t i = 0; i < m->nh; i++)
		if (strcmp(m->h[i].name, want_headers[i]) != 0)
			fail_msg("%s: header %zu is %s, want %s", what, i, m->h[i].name,
				 want_headers[i]);
}

static void expect_in(const char *hay, const char *needle, const char *what)
{
	if (!strstr(hay, needle))
		fail_msg("%s lacks \"%s\":\n%s", what, needle, hay);
}

static void expect_not_in(const char *hay, const char *needle, const char *what)
{
	if (strstr(hay, needle))
		fail_msg("%s has \"%s\":\n%s", what, needle, hay);
}

/* ---- tests ---- */

static void test_header_sanitize(void **state)
{
	(void)state;
	static const struct {
		const char *in, *out;
	} t[] = {
		{"", ""},
		{"plain", "plain"},
		{"a\r\nBcc: evil@x", "a  Bcc: evil@x"},
		{"\n\nContent-Type: text/html", "  Content-Type: text/html"},
		{"tab\there", "tab here"},
		{"\x01\x1f\x7f", "   "},
		{"襄垣县", "襄垣县"},
		{"=?utf-8?b?x?=", "=?utf-8?b?x?="},	/* printable: kept (encoded later) */
		{"c1\xc2\x85nel\xc2\x9f.", "c1 nel ."}, /* C1 (NEL, APC) */
		{"nbsp\xc2\xa0ok", "nbsp\xc2\xa0ok"},	/* U+00A0 is not a control */
		{"bad\xff", "bad?"},
		{"\xc0\xaf", "??"},	 /* overlong */
		{"\xed\xa0\x80", "???"}, /* surrogate */
		{"\xe8\xa5", "??"},	 /* cut short */
		{"\xe8\xa5x", "??x"},
		{"\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80"},
		{"\xf4\x90\x80\x80", "????"}, /* above U+10FFFF */
	};
	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		char out[64];
		memset(out, 'X', sizeof(out));
		size_t n = et_mail_header_sanitize(t[i].in, out, sizeof(out));
		if (strcmp(out, t[i].out) != 0 || n != strlen(t[i].out))
			fail_msg("case %zu: \"%s\" (%zu), want \"%s\"", i, out, n, t[i].out);
	}
	/* NULL is "" */
	char out[8] = "xxxxxxx";
	assert_int_equal(et_mail_header_sanitize(NULL, out, sizeof(out)), 0);
	assert_string_equal(out, "");
	/* outlen 0 writes nothing; 1 writes the NUL */
	out[0] = 'x';
	assert_int_equal(et_mail_header_sanitize("abc", out, 0), 0);
	assert_int_equal(out[0], 'x');
	assert_int_equal(et_mail_header_sanitize("abc", out, 1), 0);
	assert_int_equal(out[0], '\0');
	/* cutting never splits a character: 襄 is 3 bytes */
	static const struct {
		size_t outlen, len;
	} cut[] = {{2, 1}, {3, 1}, {4, 1}, {5, 4}, {7, 4}, {8, 7}, {11, 10}};
	for (size_t i = 0; i < ARRAY_LEN(cut); i++) {
		char o[16];
		memset(o, 'X', sizeof(o));
		size_t n = et_mail_header_sanitize("a襄垣县", o, cut[i].outlen);
		if (n != cut[i].len || strlen(o) != n || memcmp(o, "a襄垣县", n) != 0)
			fail_msg("outlen %zu: %zu bytes \"%s\", want %zu", cut[i].outlen, n, o,
				 cut[i].len);
		assert_int_equal(o[cut[i].outlen], 'X'); /* nothing past outlen */
	}
	/* every single byte value: the output is one printable ASCII byte */
	for (int c = 1; c < 256; c++) {
		char in[2] = {(char)c, 0}, o[8];
		assert_int_equal(et_mail_header_sanitize(in, o, sizeof(o)), 1);
		unsigned char u = (unsigned char)o[0];
		if (u < 0x20 || u >= 0x7f)
			fail_msg("byte 0x%02x gives 0x%02x", c, u);
		if (c >= 0x20 && c < 0x7f)
			assert_int_equal(u, c);
	}
}

/* Issue 21: a target in % (intensity decline, a share) drifts in 百分点:
 * 1.70 % against 1.80 % is "落后 0.10 个百分点", not "5.6 %" behind. */
static void test_points(void **state)
{
	(void)state;
	static const struct {
		enum et_alert_event ev;
		et_lang_t lang;
		double drift;
		const char *want;
	} t[] = {
		{ET_AL_EV_FIRING, ET_LANG_ZH_CN, -0.1, "落后 0.10 个百分点"},
		{ET_AL_EV_FIRING, ET_LANG_EN, -0.1, "0.10 percentage points behind schedule"},
		{ET_AL_EV_REPEAT, ET_LANG_ZH_CN, 0.31, "超出 0.31 个百分点"},
		{ET_AL_EV_RESOLVED, ET_LANG_ZH_CN, -0.05, "已恢复正常（偏差 -0.05 个百分点）"},
	};
	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		et_mail_report_t r = sample();
		r.event = t[i].ev;
		r.lang = t[i].lang;
		r.display_unit = "%";
		r.drift_pct = t[i].drift;
		char buf[512];
		int n = et_mail_subject(&r, buf, sizeof(buf));
		if (n < 0 || !strstr(buf, t[i].want))
			fail_msg("case %zu: %d \"%s\", want \"%s\" in it", i, n, buf, t[i].want);
	}
}

/* Issue 21: the resolved mail's status line agrees with its subject. The
 * alert resolves under resolve_pct, which may still be outside the target's
 * tolerance ("behind") or well ahead of it: before, the mail said "back on
 * track" in its subject and "Status: behind" (or "ahead") in its body. For a
 * target in Mt and one in %, in English and Chinese. */
static void test_resolved_status(void **state)
{
	(void)state;
	static const struct {
		const char *unit, *status;
		et_lang_t lang;
		double drift;
		const char *subj, *line, *not_has;
	} t[] = {
		{"Mt", "behind", ET_LANG_EN, -2.5, "back on track (drift -2.5%)",
		 "Status: on track\r\n", "Status: behind"},
		{"Mt", "ahead", ET_LANG_EN, 6.0, "back on track (drift 6.0%)",
		 "Status: on track\r\n", "Status: ahead"},
		{"Mt", "behind", ET_LANG_ZH_CN, -2.5, "已恢复正常（偏差 -2.5%）", "状态: 正常\r\n",
		 "状态: 落后"},
		{"%", "behind", ET_LANG_EN, -0.3, "back on track (drift -0.30 percentage points)",
		 "Status: on track\r\n", "Status: behind"},
		{"%", "behind", ET_LANG_ZH_CN, -0.3, "已恢复正常（偏差 -0.30 个百分点）",
		 "状态: 正常\r\n", "状态: 落后"},
		{"%", "ahead", ET_LANG_ZH_CN, 0.8, "已恢复正常（偏差 0.80 个百分点）",
		 "状态: 正常\r\n", "状态: 超前"},
	};
	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		et_mail_report_t r = sample();
		r.event = ET_AL_EV_RESOLVED;
		r.display_unit = t[i].unit;
		r.status = t[i].status;
		r.lang = t[i].lang;
		r.drift_pct = t[i].drift;
		r.nbehind = 0; /* no "Furthest behind" section */
		r.nstale = 0;
		char subj[512];
		assert_true(et_mail_subject(&r, subj, sizeof(subj)) > 0);
		expect_in(subj, t[i].subj, "subject");
		struct parsed m;
		build_parse(&r, &m);
		expect_in(m.part[0], t[i].line, "text part");
		expect_not_in(m.part[0], t[i].not_has, "text part");
		expect_not_in(m.part[1],
			      t[i].not_has +
				      strlen(t[i].lang == ET_LANG_EN ? "Status: " : "状态: "),
			      "HTML part");
		parsed_free(&m);
	}
	/* a firing mail keeps the target's status */
	et_mail_report_t r = sample();
	struct parsed m;
	build_parse(&r, &m);
	expect_in(m.part[0], "Status: behind\r\n", "firing text part");
	parsed_free(&m);
}

/* Issue 21: a status changed by a revision of the official statistics
 * says so: the subject, and at the body's top which figure (metric,
 * period, source) went from what to what, in English and Chinese. A mail
 * without revisions has neither. */
static void test_revision(void **state)
{
	(void)state;
	const et_mail_revision_t rev[1] = {{"Raw coal", "2024-03", "bureau", 3300, 3500, "t", "t"}};
	const et_mail_revision_t rev_zh[1] = {
		{"原煤产量", "2024-03", "统计局", 0.33, 0.35, "万吨", "万吨"}};
	et_mail_report_t r = sample();
	r.revisions = rev;
	r.nrevisions = 1;
	char subj[512];
	assert_true(et_mail_subject(&r, subj, sizeof(subj)) > 0);
	assert_string_equal(subj, "[enertrack] Raw coal 2024: 8.1% behind schedule, after a "
				  "revision of the statistics");
	struct parsed m;
	build_parse(&r, &m);
	expect_in(m.part[0],
		  "\r\nThis change follows a revision of the official statistics:\r\n"
		  "- Raw coal 2024-03 (bureau): revised from 3300.0 t to 3500.0 t\r\n",
		  "text part");
	expect_in(m.part[1], "Raw coal 2024-03 (bureau): revised from 3300.0 t to 3500.0 t",
		  "HTML part");
	parsed_free(&m);

	r.lang = ET_LANG_ZH_CN;
	r.label = "原煤产量";
	r.revisions = rev_zh;
	r.event = ET_AL_EV_RESOLVED;
	r.drift_pct = -1.2;
	assert_true(et_mail_subject(&r, subj, sizeof(subj)) > 0);
	assert_string_equal(
		subj, "[enertrack] 原煤产量 2024：已恢复正常（偏差 -1.2%）（统计数据修订后）");
	build_parse(&r, &m);
	expect_in(m.part[0],
		  "本次状态变化源于官方统计数据的修订：\r\n"
		  "- 原煤产量 2024-03（统计局）：由 0.330 万吨 修订为 0.350 万吨\r\n",
		  "zh text part");
	parsed_free(&m);

	r = sample();
	build_parse(&r, &m);
	expect_not_in(m.part[0], "revision", "a mail without revisions");
	assert_true(et_mail_subject(&r, subj, sizeof(subj)) > 0);
	expect_not_in(subj, "revision", "its subject");
	parsed_free(&m);
}

static void test_subject(void **state)
{
	(void)state;
	static const struct {
		enum et_alert_event ev;
		const char *label;
		int year;
		double drift;
		const char *want;
	} t[] = {
		{ET_AL_EV_FIRING, "Raw coal", 2024, -8.1,
		 "[enertrack] Raw coal 2024: 8.1% behind schedule"},
		{ET_AL_EV_FIRING, "Raw coal", 2024, -8.06,
		 "[enertrack] Raw coal 2024: 8.1% behind schedule"},
		{ET_AL_EV_FIRING, "Generation", 2025, 3.2,
		 "[enertrack] Generation 2025: 3.2% over schedule"},
		{ET_AL_EV_FIRING, "X", 2024, 0, "[enertrack] X 2024: 0.0% over schedule"},
		{ET_AL_EV_FIRING, "X", 2024, NAN, "[enertrack] X 2024: off schedule"},
		{ET_AL_EV_REPEAT, "Raw coal", 2024, -8.1,
		 "[enertrack] reminder: Raw coal 2024: 8.1% behind schedule"},
		{ET_AL_EV_REPEAT, "Raw coal", 2024, 12.25,
		 "[enertrack] reminder: Raw coal 2024: 12.2% over schedule"},
		{ET_AL_EV_RESOLVED, "Raw coal", 2024, 1.2,
		 "[enertrack] Raw coal 2024: back on track (drift 1.2%)"},
		{ET_AL_EV_RESOLVED, "Raw coal", 2024, -2.96,
		 "[enertrack] Raw coal 2024: back on track (drift -3.0%)"},
		{ET_AL_EV_RESOLVED, "Raw coal", 2024, NAN,
		 "[enertrack] Raw coal 2024: back on track"},
		{ET_AL_EV_FIRING, "原煤产量", 2024, -8.1,
		 "[enertrack] 原煤产量 2024: 8.1% behind schedule"},
		{ET_AL_EV_FIRING, "a\r\nBcc: evil@x", 2024, -8.1,
		 "[enertrack] a  Bcc: evil@x 2024: 8.1% behind schedule"},
		{ET_AL_EV_FIRING, "bad\xff\x01", 2024, -8.1,
		 "[enertrack] bad?  2024: 8.1% behind schedule"},
	};
	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		et_mail_report_t r = sample();
		r.event = t[i].ev;
		r.label = t[i].label;
		r.year = t[i].year;
		r.drift_pct = t[i].drift;
		char buf[512];
		int n = et_mail_subject(&r, buf, sizeof(buf));
		if (n < 0 || strcmp(buf, t[i].want) != 0 || (size_t)n != strlen(t[i].want))
			fail_msg("case %zu: %d \"%s\", want \"%s\"", i, n, buf, t[i].want);
	}
	/* events that send no mail have no subject */
	static const enum et_alert_event quiet[] = {ET_AL_EV_NONE, ET_AL_EV_PENDING,
						    ET_AL_EV_CANCELLED, (enum et_alert_event)77};
	for (size_t i = 0; i < ARRAY_LEN(quiet); i++) {
		et_mail_report_t r = sample();
		r.event = quiet[i];
		char buf[512];
		assert_int_equal(et_mail_subject(&r, buf, sizeof(buf)), -EINVAL);
	}
	et_mail_report_t r = sample();
	r.label = NULL;
	char buf[512];
	assert_int_equal(et_mail_subject(&r, buf, sizeof(buf)), -EINVAL);
	/* a buffer one byte short, and exactly enough */
	r = sample();
	size_t need = strlen("[enertrack] Raw coal 2024: 8.1% behind schedule") + 1;
	assert_int_equal(et_mail_subject(&r, buf, need - 1), -ENOSPC);
	assert_string_equal(buf, "");
	assert_int_equal(et_mail_subject(&r, buf, need), (int)need - 1);
	assert_int_equal(et_mail_subject(&r, buf, 0), -ENOSPC);
	/* a huge label is cut at a character boundary and fits in 512 */
	static char big[3 * 1000 + 1];
	for (int i = 0; i < 1000; i++)
		memcpy(big + 3 * i, "煤", 3);
	r.label = big;
	r.event = ET_AL_EV_REPEAT;
	int n = et_mail_subject(&r, buf, sizeof(buf));
	assert_true(n > 0 && n < 512);
	const char *after = strstr(buf, " 2024: ");
	assert_non_null(after);
	size_t lab = (size_t)(after - (buf + strlen("[enertrack] reminder: ")));
	assert_true(lab <= ET_MAIL_LABEL_MAX && lab > ET_MAIL_LABEL_MAX - 3);
	assert_int_equal(lab % 3, 0);
}

/* The Date header for fixed instants, and for many against gmtime_r. */
static void test_date(void **state)
{
	(void)state;
	static const struct {
		int64_t us;
		const char *want;
	} t[] = {
		{1795881600 * S, "Sat, 28 Nov 2026 16:00:00 +0000"},
		{1795881600 * S + 999999, "Sat, 28 Nov 2026 16:00:00 +0000"},
		{0, "Thu, 1 Jan 1970 00:00:00 +0000"},
		{-1, "Wed, 31 Dec 1969 23:59:59 +0000"},
		{-S, "Wed, 31 Dec 1969 23:59:59 +0000"},
		{-S - 1, "Wed, 31 Dec 1969 23:59:58 +0000"},
		{1709251199 * S + 999999, "Thu, 29 Feb 2024 23:59:59 +0000"},
		{951868800 * S, "Wed, 1 Mar 2000 00:00:00 +0000"},
		{2147483648 * S, "Tue, 19 Jan 2038 03:14:08 +0000"},
		{-2203848000 * S, "Thu, 1 Mar 1900 12:00:00 +0000"},
		{4133980799 * S, "Fri, 31 Dec 2100 23:59:59 +0000"},
	};
	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		et_mail_report_t r = sample();
		r.date_us = t[i].us;
		struct parsed m;
		build_parse(&r, &m);
		const char *d = header(&m, "Date");
		assert_non_null(d);
		if (strcmp(d, t[i].want) != 0)
			fail_msg("%lld: \"%s\", want \"%s\"", (long long)t[i].us, d, t[i].want);
		parsed_free(&m);
	}
	/* the same formatting against the C library, 1900..2200 */
	static const char wd[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char mo[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	uint64_t x = 88172645463325252ULL;
	for (int i = 0; i < 300; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		int64_t secs = -2208988800LL + (int64_t)(x % (300ULL * 366 * 86400));
		time_t tt = (time_t)secs;
		struct tm tm;
		assert_non_null(gmtime_r(&tt, &tm));
		char want[64];
		snprintf(want, sizeof(want), "%s, %d %s %04d %02d:%02d:%02d +0000", wd[tm.tm_wday],
			 tm.tm_mday, mo[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
			 tm.tm_sec);
		et_mail_report_t r = sample();
		r.date_us = secs * S + (int64_t)(x % 1000000);
		r.nbehind = r.nstale = 0;
		struct parsed m;
		build_parse(&r, &m);
		if (strcmp(header(&m, "Date"), want) != 0)
			fail_msg("%lld: \"%s\", want \"%s\"", (long long)secs, header(&m, "Date"),
				 want);
		parsed_free(&m);
	}
}

/* The whole message of the sample report: headers, parts, figures. */
static void test_build(void **state)
{
	(void)state;
	et_mail_report_t r = sample();
	struct parsed m;
	build_parse(&r, &m);
	check_header_names(&m, "sample");
	assert_string_equal(header(&m, "Date"), "Sat, 28 Nov 2026 16:00:00 +0000");
	assert_string_equal(header(&m, "From"), "enertrack <alerts@example.org>");
	assert_string_equal(header(&m, "To"),
			    "ops@example.org, Energy Office <energy@example.org>");
	assert_string_equal(header(&m, "Subject"),
			    "[enertrack] Raw coal 2024: 8.1% behind schedule");
	assert_string_equal(header(&m, "Message-ID"), "<drift-42.target-1@enertrack>");
	assert_string_equal(header(&m, "MIME-Version"), "1.0");
	assert_string_equal(header(&m, "Auto-Submitted"), "auto-generated");
	/* header lines within 78 characters */
	for (const char *p = m.raw; p < m.body;) {
		const char *e = strstr(p, "\r\n");
		if (e - p > 78)
			fail_msg("header line of %d characters: %.*s", (int)(e - p), (int)(e - p),
				 p);
		p = e + 2;
	}
	assert_string_equal(m.part_hdr[0], "Content-Type: text/plain; charset=UTF-8\r\n"
					   "Content-Transfer-Encoding: base64\r\n");
	assert_string_equal(m.part_hdr[1], "Content-Type: text/html; charset=UTF-8\r\n"
					   "Content-Transfer-Encoding: base64\r\n");
	/* the boundary is in neither part, encoded or decoded */
	for (int k = 0; k < 2; k++) {
		expect_not_in(m.part[k], m.boundary, "a decoded part");
		expect_not_in(m.part_b64[k], m.boundary, "an encoded part");
		expect_not_in(m.part_hdr[k], m.boundary, "a part header");
		assert_int_equal(strlen(m.part[k]), m.part_len[k]);
	}

	const char *text = m.part[0], *html = m.part[1];
	static const char *const text_has[] = {
		"Raw coal 2024: 8.1% behind schedule\r\n",
		"Target: Raw coal 2024\r\n",
		"Scope: city\r\n",
		"Plan: 原煤产量稳定在1亿吨左右\r\n",
		"Goal: about 100.0 Mt\r\n",
		"Progress (84.3 % of the year)\r\n",
		"Expected by now: 84.30 Mt\r\n",
		"Actual: 77.48 Mt\r\n",
		"Drift: -8.1 %\r\n",
		"Projected year-end: 95.20 Mt\r\n",
		"Required from now: 0.361 Mt/day\r\n",
		"Status: behind\r\n",
		"Sites: 12 reporting, 2 stale\r\n",
		"Furthest behind\r\n",
		"- xy-01 (襄垣)\r\n  actual 3.10 Mt of 4.20 Mt expected, gap -1.10 Mt\r\n",
		"- wz-02 (长子) [stale]\r\n  actual 2.50 Mt of 3.10 Mt expected, gap -0.600 Mt\r\n",
		"- lc-04 (潞城)\r\n  actual 0.950 Mt of 1.20 Mt expected, gap -0.250 Mt\r\n",
		"- pd-05\r\n  actual 0.500 Mt of 0.600 Mt expected, gap -0.100 Mt\r\n",
		"Stale sites\r\n",
		"- wz-02 (长子) [stale]\r\n  last data 2024-09-30 16:00 UTC, so far 2.50 Mt\r\n",
		"- qx-09 [stale]\r\n  last data never, so far 0.00 Mt\r\n",
	};
	for (size_t i = 0; i < ARRAY_LEN(text_has); i++)
		expect_in(text, text_has[i], "text part");
	/* short lines for a phone */
	for (const char *p = text; *p;) {
		const char *e = strstr(p, "\r\n");
		assert_non_null(e);
		if (e - p > 80)
			fail_msg("a text line of %d bytes: %.*s", (int)(e - p), (int)(e - p), p);
		p = e + 2;
	}

	static const char *const html_has[] = {
		"<!DOCTYPE html>",
		"<meta charset=\"utf-8\">",
		"<title>Raw coal 2024: 8.1% behind schedule</title>",
		"原煤产量稳定在1亿吨左右",
		"about 100.0 Mt",
		"84.30 Mt",
		"77.48 Mt",
		"-8.1 %",
		"95.20 Mt",
		"0.361 Mt/day",
		"12 reporting, 2 stale",
		"<b>xy-01</b> (襄垣)",
		"actual 3.10 Mt of 4.20 Mt expected, gap -1.10 Mt",
		"<b>wz-02</b> (长子) <span style=\"color:#b00020;font-weight:bold\">stale</span>",
		"last data 2024-09-30 16:00 UTC",
		"#b00020", /* red for firing */
	};
	for (size_t i = 0; i < ARRAY_LEN(html_has); i++)
		expect_in(html, html_has[i], "HTML part");
	/* no images, no external resources, no scripts, no style sheets */
	static const char *const html_not[] = {"<img",	 "src=", "href=", "<link", "<script",
					       "<style", "url(", "http:", "https:"};
	for (size_t i = 0; i < ARRAY_LEN(html_not); i++)
		expect_not_in(html, html_not[i], "HTML part");
	/* one column: no row has a second cell */
	expect_not_in(html, "</td><td", "HTML part");
	expect_not_in(html, "<th", "HTML part");
	parsed_free(&m);
}

/* Sections that have nothing to show are left out; unknown figures show
 * as n/a; other events have their own headline and colour. */
static void test_build_variants(void **state)
{
	(void)state;
	static const struct {
		enum et_alert_event ev;
		const char *kind;
		double projected, required, actual;
		size_t nbehind, nstale;
		const char *plan;
		const char *has[6], *not_has[6];
	} t[] = {
		{ET_AL_EV_RESOLVED,
		 "about",
		 95.2e6,
		 0.36e6,
		 77.48e6,
		 0,
		 0,
		 NULL,
		 {"Raw coal 2024: back on track (drift -8.1%)\r\n", "Actual: 77.48 Mt"},
		 {"Furthest behind", "Stale sites", "Plan:"}},
		{ET_AL_EV_REPEAT,
		 "at_least",
		 NAN,
		 NAN,
		 NAN,
		 1,
		 0,
		 "",
		 {"reminder: Raw coal 2024: 8.1% behind schedule\r\n", "Goal: at least 100.0 Mt",
		  "Actual: n/a\r\n", "Furthest behind"},
		 {"Projected", "Required", "Stale sites", "Plan:"}},
		{ET_AL_EV_FIRING,
		 "reduce_by_pct",
		 NAN,
		 NAN,
		 77.48e6,
		 0,
		 2,
		 "能耗强度下降",
		 {"Goal: reduce by 100.0 Mt", "Stale sites", "Plan: 能耗强度下降\r\n"},
		 {"Furthest behind"}},
		{ET_AL_EV_FIRING,
		 "some_new_kind",
		 NAN,
		 NAN,
		 77.48e6,
		 0,
		 0,
		 NULL,
		 {"Goal: some_new_kind 100.0 Mt"},
		 {NULL}},
		{ET_AL_EV_FIRING,
		 "about",
		 NAN,
		 NAN,
		 77.48e6,
		 0,
		 1,
		 NULL,
		 {"\r\nStale sites\r\n- wz-02 (长子) [stale]\r\n"},
		 {"qx-09", "Furthest behind"}},
	};
	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		et_mail_report_t r = sample();
		r.event = t[i].ev;
		r.kind = t[i].kind;
		r.projected = t[i].projected;
		r.required_daily = t[i].required;
		r.actual = t[i].actual;
		r.nbehind = t[i].nbehind;
		r.nstale = t[i].nstale;
		r.plan_text = t[i].plan;
		struct parsed m;
		build_parse(&r, &m);
		check_header_names(&m, "variant");
		for (size_t k = 0; k < ARRAY_LEN(t[i].has) && t[i].has[k]; k++)
			expect_in(m.part[0], t[i].has[k], "text part");
		for (size_t k = 0; k < ARRAY_LEN(t[i].not_has) && t[i].not_has[k]; k++)
			expect_not_in(m.part[0], t[i].not_has[k], "text part");
		if (t[i].ev == ET_AL_EV_RESOLVED)
			expect_in(m.part[1], "#1b7f3b", "HTML part");
		if (t[i].ev == ET_AL_EV_REPEAT)
			expect_in(m.part[1], "#b35c00", "HTML part");
		parsed_free(&m);
	}
}

/* Figures as people read them, in the "Actual" line. */
static void test_numbers(void **state)
{
	(void)state;
	static const struct {
		double div;
		const char *unit;
		double actual, drift;
		const char *want_actual, *want_drift;
	} t[] = {
		{1e6, "Mt", 84.3e6, -8.1, "84.30 Mt", "-8.1 %"},
		{1, "MW", 297.5, 3.24, "297.5 MW", "+3.2 %"},
		{1, "MW", 297.46, 0.04, "297.5 MW", "+0.0 %"},
		{1e3, "GWh", 12345678, -0.05, "12,346 GWh", "-0.1 %"},
		{1, "MWh", 1234567890123, 150, "1,234,567,890,123 MWh", "+150.0 %"},
		{1, "tce", -12345.6, NAN, "-12,346 tce", "n/a"},
		{1, "tce", 9999.94, -100, "9999.9 tce", "-100.0 %"},
		{1, "tce", 10000, 0, "10,000 tce", "+0.0 %"},
		{1e6, "Mt", 12345, 0, "0.0123 Mt", "+0.0 %"},
		{1e6, "Mt", 0, 0, "0.00 Mt", "+0.0 %"},
		{1e6, "Mt", -0.0, 0, "0.00 Mt", "+0.0 %"},
		/* a target in % drifts in percentage points */
		{1, "%", 1.8, 0, "1.80 %", "0.00 percentage points"},
		{1, "", 42, 0, "42.00", "+0.0 %"},
		{0, "MW", 5, 0, "5.00 MW", "+0.0 %"},	/* div 0 counts as 1 */
		{NAN, "MW", 5, 0, "5.00 MW", "+0.0 %"}, /* so does NaN */
		{-1e6, "MW", 5, 0, "5.00 MW", "+0.0 %"},
		{1e6, "Mt", NAN, 0, "n/a", "+0.0 %"},
		{1e6, "Mt", INFINITY, 0, "n/a", "+0.0 %"},
		{1, "MW", 1e300, 0, "1e+300 MW", "+0.0 %"},
		{1, "MW", 0.0000001, 0, "0.000000 MW", "+0.0 %"},
	};
	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		et_mail_report_t r = sample();
		r.display_div = t[i].div;
		r.display_unit = t[i].unit;
		r.actual = t[i].actual;
		r.drift_pct = t[i].drift;
		r.nbehind = r.nstale = 0;
		struct parsed m;
		build_parse(&r, &m);
		char want[128];
		snprintf(want, sizeof(want), "\r\nActual: %s\r\n", t[i].want_actual);
		expect_in(m.part[0], want, "text part");
		snprintf(want, sizeof(want), "\r\nDrift: %s\r\n", t[i].want_drift);
		expect_in(m.part[0], want, "text part");
		parsed_free(&m);
	}
}

/* Subject encoding: plain when short ASCII, RFC 2047 words otherwise,
 * folded within 78 columns, decoding to exactly et_mail_subject's text. */
static void test_subject_header(void **state)
{
	(void)state;
	static char long_ascii[161], long_cjk[3 * 80 + 1], mixed[400];
	memset(long_ascii, 'x', 160);
	for (int i = 0; i < 80; i++)
		memcpy(long_cjk + 3 * i, "煤", 3);
	snprintf(mixed, sizeof(mixed), "%s",
		 "Coal 原煤 \xf0\x9f\x98\x80 emoji é and more text to fold");
	static const struct {
		const char *label;
		bool plain;
		size_t min_lines;
	} t[] = {
		{"Raw coal", true, 1},
		{"原煤产量", false, 1},
		{"Génération", false, 1},
		{"=?utf-8?q?spoof?=", false, 1}, /* never left to look like a word */
		{"a =? b", false, 1},
		{"a\r\nBcc: evil@x", true, 1},
		{long_ascii, false, 4},
		{long_cjk, false, 5},
		{mixed, false, 2},
		/* "Subject: " + 69 = 78: the longest plain line (a 30-byte label) */
		{"123456789012345678901234567890", true, 1},
		{"1234567890123456789012345678901", false, 2},
	};
	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		et_mail_report_t r = sample();
		r.label = t[i].label;
		char want[512];
		assert_true(et_mail_subject(&r, want, sizeof(want)) > 0);
		et_buf_t b = ET_BUF_INIT;
		assert_int_equal(et_mail_build(&r, &b, NULL, 0), 0);
		struct parsed m;
		parse_message(&b, &m);
		check_header_names(&m, t[i].label);
		/* every line of the header block within 78 columns */
		for (const char *p = m.raw; p < m.body;) {
			const char *e = strstr(p, "\r\n");
			if (e - p > 78)
				fail_msg("%s: a line of %d: %.*s", t[i].label, (int)(e - p),
					 (int)(e - p), p);
			p = e + 2;
		}
		const char *v = header(&m, "Subject");
		size_t lines = 0;
		for (size_t k = 0; k < m.nh; k++)
			if (strcmp(m.h[k].name, "Subject") == 0)
				lines = m.h[k].nlines;
		if (t[i].plain) {
			assert_string_equal(v, want);
			assert_int_equal(lines, 1);
		} else {
			if (strncmp(v, "=?UTF-8?B?", 10) != 0)
				fail_msg("%s: not encoded: %s", t[i].label, v);
			for (const char *q = v; *q; q++)
				if ((unsigned char)*q >= 0x80)
					fail_msg("%s: 8-bit in Subject", t[i].label);
			if (lines < t[i].min_lines)
				fail_msg("%s: %zu lines, want >= %zu", t[i].label, lines,
					 t[i].min_lines);
			char got[1024];
			decode_subject(v, got, sizeof(got));
			if (strcmp(got, want) != 0)
				fail_msg("%s: decodes to \"%s\", want \"%s\"", t[i].label, got,
					 want);
		}
		parsed_free(&m);
		et_buf_free(&b);
	}
}

/* Hostile data wherever data goes: the header block keeps exactly its
 * headers, the HTML has no live markup from data, the parts stay whole. */
static void test_injection(void **state)
{
	(void)state;
	static const char *const evil[] = {
		"\r\nBcc: evil@x",
		"x\r\nBcc: evil@x\r\n",
		"\n\nContent-Type: text/html\n\n<b>hi</b>",
		"\r\n\r\n--=_enertrack_0000000000000000\r\nContent-Type: text/html",
		"=?utf-8?b?DQpCY2M6IGV2aWxAeA==?=",
		"<script>alert(1)</script>",
		"--boundary\r\n--boundary--",
		"\"><img src=x onerror=alert(1)>",
		"a&amp;b'\"",
		"\x85\xc2\x85\xe2\x80\xa8 \x00 tail",
		"\xff\xfe\x1b[31m",
	};
	for (size_t i = 0; i < ARRAY_LEN(evil); i++) {
		for (int where = 0; where < 9; where++) {
			et_mail_report_t r = sample();
			et_mail_site_t bs[5], ss[2];
			memcpy(bs, behind5, sizeof(bs));
			memcpy(ss, stale2, sizeof(ss));
			r.behind = bs;
			r.stale = ss;
			const char *to[2] = {rcpt2[0], rcpt2[1]};
			r.to = to;
			switch (where) {
			case 0:
				r.label = evil[i];
				break;
			case 1:
				r.scope = evil[i];
				break;
			case 2:
				bs[0].site_id = evil[i];
				break;
			case 3:
				bs[1].county = evil[i];
				break;
			case 4:
				r.plan_text = evil[i];
				break;
			case 5:
				ss[1].site_id = evil[i];
				break;
			case 6:
				r.status = evil[i];
				r.kind = evil[i];
				break;
			case 7:
				r.display_unit = evil[i];
				break;
			case 8:
				to[1] = evil[i];
				r.from = evil[i];
				break;
			}
			struct parsed m;
			build_parse(&r, &m);
			char what[64];
			snprintf(what, sizeof(what), "evil %zu in place %d", i, where);
			check_header_names(&m, what);
			/* no header line starts with a name from data */
			for (const char *p = m.raw; p < m.body;) {
				if (strncasecmp(p, "Bcc:", 4) == 0 ||
				    (strncasecmp(p, "Content-Type:", 13) == 0 &&
				     strncmp(p, "Content-Type: multipart/alternative;", 36) != 0))
					fail_msg("%s: injected header %.20s", what, p);
				p = strstr(p, "\r\n") + 2;
			}
			/* no control characters or 8-bit bytes in any header */
			for (const char *p = m.raw; p < m.body - 2; p++) {
				unsigned char c = (unsigned char)*p;
				if ((c < 0x20 && c != '\r' && c != '\n') || c == 0x7f)
					fail_msg("%s: control 0x%02x in the headers", what, c);
				if (c >= 0x80 && where != 8)
					fail_msg("%s: 8-bit byte in the headers", what);
			}
			/* the subject decodes to the cleaned subject */
			char want[512], got[1024];
			assert_true(et_mail_subject(&r, want, sizeof(want)) > 0);
			decode_subject(header(&m, "Subject"), got, sizeof(got));
			assert_string_equal(got, want);
			/* no live markup from data in the HTML */
			expect_not_in(m.part[1], "<script", what);
			expect_not_in(m.part[1], "<img", what);
			expect_not_in(m.part[1], "<b>hi", what);
			expect_not_in(m.part[1], "&amp;b'", what);
			/* no control characters in the parts except CRLF */
			for (int k = 0; k < 2; k++)
				for (size_t j = 0; j < m.part_len[k]; j++) {
					unsigned char c = (unsigned char)m.part[k][j];
					if (c < 0x20 && c != '\r' && c != '\n')
						fail_msg("%s: control 0x%02x in part %d", what, c,
							 k);
					if (c == '\r' && m.part[k][j + 1] != '\n')
						fail_msg("%s: bare CR in part %d", what, k);
					if (c == '\n' && (j == 0 || m.part[k][j - 1] != '\r'))
						fail_msg("%s: bare LF in part %d", what, k);
				}
			/* the text part still has all its sections */
			expect_in(m.part[0], "\r\nFurthest behind\r\n", what);
			expect_in(m.part[0], "\r\nStale sites\r\n", what);
			expect_in(m.part[0], "\r\nSent by enertrack.\r\n", what);
			parsed_free(&m);
		}
	}
	/* escaping, exactly */
	et_mail_report_t r = sample();
	et_mail_site_t bs[1] = {behind5[0]};
	bs[0].site_id = "<script>x</script>&\"'";
	r.behind = bs;
	r.nbehind = 1;
	r.scope = "county:<i>襄垣</i>";
	struct parsed m;
	build_parse(&r, &m);
	expect_in(m.part[1], "<b>&lt;script&gt;x&lt;/script&gt;&amp;&quot;&#39;</b>", "HTML");
	expect_in(m.part[1], "county:&lt;i&gt;襄垣&lt;/i&gt;", "HTML");
	expect_in(m.part[0], "- <script>x</script>&\"' (襄垣)", "text"); /* text is text */
	expect_in(m.part[0], "Scope: county:<i>襄垣</i>\r\n", "text");
	parsed_free(&m);
}

/* Long recipient lists fold between addresses; every address survives. */
static void test_to_folding(void **state)
{
	(void)state;
	/* lengths from 13 to 43, so that folds fall at every column */
	const char *to[12];
	char addrs[12][64];
	for (int i = 0; i < 12; i++) {
		snprintf(addrs[i], sizeof(addrs[i]), "op%02d@%.*sexample.org", i, (i * 7) % 31,
			 "abcdefghijklmnopqrstuvwxyz01234");
		to[i] = addrs[i];
	}
	for (size_t n = 1; n <= 12; n++) {
		et_mail_report_t r = sample();
		r.to = to;
		r.nto = n;
		struct parsed m;
		build_parse(&r, &m);
		check_header_names(&m, "to");
		const char *v = header(&m, "To");
		char want[1024] = "";
		for (size_t i = 0; i < n; i++) {
			if (i)
				strcat(want, ", ");
			strcat(want, to[i]);
		}
		/* unfolded, a fold leaves the single space of ", " */
		assert_string_equal(v, want);
		for (const char *p = m.raw; p < m.body;) {
			const char *e = strstr(p, "\r\n");
			assert_true(e - p <= 78);
			p = e + 2;
		}
		parsed_free(&m);
	}
}

/* Refusals: -EINVAL with a reason, and out left as it was. */
static void test_build_errors(void **state)
{
	(void)state;
	static const char *const empty_to[] = {""};
	static const char *const null_to[] = {NULL};
	static const et_mail_site_t noid[] = {{NULL, "x", 1, 2, -1, false, 0}};
	static const struct {
		int field;
		const char *why;
	} t[] = {
		{0, "event"},	    {1, "event"},	{2, "label"},	    {3, "From"},
		{4, "From"},	    {5, "recipient"},	{6, "recipient"},   {7, "recipient"},
		{8, "recipient"},   {9, "message_id"},	{10, "message_id"}, {11, "message_id"},
		{12, "message_id"}, {13, "message_id"}, {14, "site"},	    {15, "site"},
		{16, "site"},	    {17, "message_id"},
	};
	static char long_id[300];
	memset(long_id, 'a', 260);
	memcpy(long_id + 260, "@enertrack", 11);
	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		et_mail_report_t r = sample();
		switch (t[i].field) {
		case 0:
			r.event = ET_AL_EV_NONE;
			break;
		case 1:
			r.event = ET_AL_EV_PENDING;
			break;
		case 2:
			r.label = NULL;
			break;
		case 3:
			r.from = NULL;
			break;
		case 4:
			r.from = "";
			break;
		case 5:
			r.nto = 0;
			break;
		case 6:
			r.to = NULL;
			break;
		case 7:
			r.to = empty_to;
			r.nto = 1;
			break;
		case 8:
			r.to = null_to;
			r.nto = 1;
			break;
		case 9:
			r.message_id = NULL;
			break;
		case 10:
			r.message_id = "no-at-sign";
			break;
		case 11:
			r.message_id = "a b@c";
			break;
		case 12:
			r.message_id = "a>\r\nBcc: x@y";
			break;
		case 13:
			r.message_id = "@enertrack";
			break;
		case 14:
			r.behind = NULL;
			break;
		case 15:
			r.behind = noid;
			r.nbehind = 1;
			break;
		case 16:
			r.stale = noid;
			r.nstale = 1;
			break;
		case 17:
			r.message_id = long_id;
			break;
		}
		et_buf_t b = ET_BUF_INIT;
		assert_int_equal(et_buf_append(&b, "keep", 4), 0);
		char err[128] = "";
		int rc = et_mail_build(&r, &b, err, sizeof(err));
		if (rc != -EINVAL)
			fail_msg("case %zu: %d, want -EINVAL", i, rc);
		if (!strstr(err, t[i].why))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err, t[i].why);
		assert_int_equal(b.len, 4);
		assert_memory_equal(b.data, "keep", 4);
		et_buf_free(&b);
		/* no error buffer is fine too */
		assert_int_equal(et_mail_build(&r, &b, NULL, 0), -EINVAL);
		et_buf_free(&b);
	}
	et_buf_t b = ET_BUF_INIT;
	assert_int_equal(et_mail_build(NULL, &b, NULL, 0), -EINVAL);
	et_mail_report_t r = sample();
	assert_int_equal(et_mail_build(&r, NULL, NULL, 0), -EINVAL);
}

/* The message is appended after what the buffer held; two builds of the
 * same report are identical (nothing depends on the clock or chance), and
 * two different reports get different boundaries. */
static void test_append_deterministic(void **state)
{
	(void)state;
	et_mail_report_t r = sample();
	et_buf_t a = ET_BUF_INIT, b = ET_BUF_INIT;
	assert_int_equal(et_buf_append(&a, "prefix", 6), 0);
	assert_int_equal(et_mail_build(&r, &a, NULL, 0), 0);
	assert_int_equal(et_mail_build(&r, &b, NULL, 0), 0);
	assert_int_equal(a.len, b.len + 6);
	assert_memory_equal(a.data, "prefix", 6);
	assert_memory_equal(a.data + 6, b.data, b.len);

	struct parsed m1, m2;
	parse_message(&b, &m1);
	r.actual = 70e6;
	et_buf_reset(&b);
	assert_int_equal(et_mail_build(&r, &b, NULL, 0), 0);
	parse_message(&b, &m2);
	assert_string_not_equal(m1.boundary, m2.boundary);
	assert_memory_equal(m1.boundary, "=_", 2);
	parsed_free(&m1);
	parsed_free(&m2);
	et_buf_free(&a);
	et_buf_free(&b);
}

/* The plain-text mail: headers, the subject encoded, each body line CRLF
 * in one base64 part; control characters in a line become spaces. */
static void test_build_text(void **state)
{
	(void)state;
	const char *to[2] = {"a@example.org", "b@example.org"};
	et_buf_t out = ET_BUF_INIT;
	char err[128];
	assert_int_equal(et_mail_build_text("enertrack@example.org", to, 2,
					    "[enertrack] 沁源: Raw coal telemetry 8.0% below",
					    "line one\nline\ttwo\n", 1704067200000000LL,
					    "reconcile-1.1704067200@enertrack", &out, err,
					    sizeof(err)),
			 0);
	assert_int_equal(et_buf_append(&out, "", 1), 0);
	assert_non_null(strstr(out.data, "Date: Mon, 1 Jan 2024 00:00:00 +0000\r\n"));
	assert_non_null(strstr(out.data, "Subject: =?UTF-8?B?"));
	assert_non_null(strstr(out.data, "Message-ID: <reconcile-1.1704067200@enertrack>\r\n"));
	const char *body = strstr(out.data, "base64\r\n\r\n");
	assert_non_null(body);
	body += strlen("base64\r\n\r\n");
	size_t n;
	char *d = b64_decode(body, strcspn(body, "\r"), &n);
	assert_non_null(d);
	assert_int_equal(n, strlen("line one\r\nline two\r\n"));
	assert_memory_equal(d, "line one\r\nline two\r\n", n);
	free(d);
	et_buf_free(&out);
	/* bad input leaves out as it was */
	assert_int_equal(et_mail_build_text("", to, 2, "s", "b", 0, "a@b", &out, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(
		et_mail_build_text("f@x", to, 2, "s", "b", 0, "no-at", &out, err, sizeof(err)),
		-EINVAL);
	assert_int_equal(out.len, 0);
	et_buf_free(&out);
}

/* The body of the part whose headers contain `ctype`, decoded. */
static char *part_of(const char *msg, const char *ctype, size_t *ret_len)
{
	const char *h = strstr(msg, ctype);
	assert_non_null(h);
	const char *b = strstr(h, "\r\n\r\n");
	assert_non_null(b);
	b += 4;
	const char *e = strstr(b, "\r\n--");
	assert_non_null(e);
	return b64_decode(b, (size_t)(e - b), ret_len);
}

/* In zh-CN, the subject and the bodies are Chinese; with a chart, the HTML
 * and the PNG go in a multipart/related inside the alternative, the HTML
 * shows the image by its Content-ID with an alt text, and the text part
 * says where the chart is. A chart with a bad Content-ID is refused. */
static void test_zh_and_chart(void **state)
{
	(void)state;
	et_mail_report_t r = sample();
	r.lang = ET_LANG_ZH_CN;
	r.label = "原煤产量";
	char subj[512];
	assert_true(et_mail_subject(&r, subj, sizeof(subj)) > 0);
	assert_string_equal(subj, "[enertrack] 原煤产量 2024：落后于序时进度 8.1%");
	r.event = ET_AL_EV_REPEAT;
	assert_true(et_mail_subject(&r, subj, sizeof(subj)) > 0);
	assert_string_equal(subj, "[enertrack] 提醒：原煤产量 2024：落后于序时进度 8.1%");
	r.event = ET_AL_EV_RESOLVED;
	r.drift_pct = -1.2;
	assert_true(et_mail_subject(&r, subj, sizeof(subj)) > 0);
	assert_string_equal(subj, "[enertrack] 原煤产量 2024：已恢复正常（偏差 -1.2%）");
	r = sample();
	r.lang = ET_LANG_ZH_CN;

	static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 1, 2};
	r.chart_png = png;
	r.chart_len = sizeof(png);
	r.chart_cid = "chart-7.target-1@enertrack";
	et_buf_t b = ET_BUF_INIT;
	char err[100];
	assert_int_equal(et_mail_build(&r, &b, err, sizeof(err)), 0);
	assert_int_equal(et_buf_append(&b, "", 1), 0);
	expect_in(b.data, "Content-Type: multipart/alternative;", "top");
	expect_in(b.data, "Content-Type: multipart/related; type=\"text/html\";", "related");
	/* no boundary is a prefix of the other (RFC 2046 5.1.1: parsers may
	 * match delimiter lines by their beginning) */
	const char *ob = strstr(b.data, "boundary=\"") + 10;
	const char *ib = strstr(ob, "boundary=\"") + 10;
	size_t ol = strcspn(ob, "\""), il = strcspn(ib, "\"");
	assert_true(ol > 0 && il > 0);
	assert_false(strncmp(ob, ib, ol < il ? ol : il) == 0);
	expect_in(b.data, "Content-ID: <chart-7.target-1@enertrack>", "content-id");
	expect_in(b.data, "Content-Disposition: inline; filename=\"chart.png\"", "inline");
	size_t n;
	char *html = part_of(b.data, "Content-Type: text/html", &n);
	expect_in(html, "<img src=\"cid:chart-7.target-1@enertrack\" alt=\"", "img");
	expect_in(html, "<html lang=\"zh-CN\">", "lang");
	expect_in(html, "序时应完成", "zh label");
	expect_in(html, "落后", "zh status");
	char *text = part_of(b.data, "Content-Type: text/plain", &n);
	expect_in(text, "本目标的进度图见本邮件的HTML版本。", "text note");
	expect_in(text, "偏差: -8.1 %", "zh drift");
	char *img = part_of(b.data, "Content-Type: image/png", &n);
	assert_int_equal(n, sizeof(png));
	assert_memory_equal(img, png, sizeof(png));
	free(html);
	free(text);
	free(img);

	/* a Content-ID that could break the header or the HTML */
	r.chart_cid = "x\"><script>@y";
	et_buf_reset(&b);
	assert_int_equal(et_mail_build(&r, &b, err, sizeof(err)), -EINVAL);
	assert_int_equal(b.len, 0);
	r.chart_cid = NULL;
	assert_int_equal(et_mail_build(&r, &b, err, sizeof(err)), -EINVAL);
	et_buf_free(&b);
}

/* Large site lists: every site is in both parts. */
static void test_many_sites(void **state)
{
	(void)state;
	static et_mail_site_t s[20];
	static char ids[20][16];
	for (int i = 0; i < 20; i++) {
		snprintf(ids[i], sizeof(ids[i]), "site-%02d", i);
		s[i] = (et_mail_site_t){ids[i], "县", i * 1e5, NAN, NAN, true, 1730448000 * S};
	}
	et_mail_report_t r = sample();
	r.stale = s;
	r.nstale = 20;
	struct parsed m;
	build_parse(&r, &m);
	for (int i = 0; i < 20; i++) {
		char want[400];
		snprintf(want, sizeof(want), "- %s (县) [stale]\r\n", ids[i]);
		expect_in(m.part[0], want, "text part");
		snprintf(want, sizeof(want), "<b>%s</b>", ids[i]);
		expect_in(m.part[1], want, "HTML part");
	}
	parsed_free(&m);
}

/* A message of given parts: alternatives alone, or inside multipart/related
 * with each image as a base64 image/png part whose Content-ID the HTML
 * names; bad parts refused with out unchanged. */
static void test_build_parts(void **state)
{
	(void)state;
	const char *to[2] = {"ops@example.org", "chief@example.org"};
	static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 1, 2};
	et_mail_image_t img = {"chart-1.digest-2024-06-30@enertrack", png, sizeof(png)};
	et_mail_parts_t p = {.from = "enertrack@example.org",
			     .to = to,
			     .nto = 2,
			     .subject = "[enertrack] 每日摘要 2024-06-30: 1 落后",
			     .date_us = 1719705600000000LL,
			     .message_id = "digest-2024-06-30@enertrack",
			     .text = "Digest\r\n",
			     .html = "<img src=\"cid:chart-1.digest-2024-06-30@enertrack\">"};
	et_buf_t out = ET_BUF_INIT;
	char err[100];
	assert_int_equal(et_mail_build_parts(&p, &out, err, sizeof(err)), 0);
	assert_int_equal(et_buf_append(&out, "", 1), 0);
	assert_non_null(strstr(out.data, "Content-Type: multipart/alternative;"));
	assert_null(strstr(out.data, "multipart/related"));
	assert_non_null(strstr(out.data, "Subject: =?UTF-8?B?"));
	assert_non_null(strstr(out.data, "To: ops@example.org, chief@example.org\r\n"));
	et_buf_reset(&out);

	p.images = &img;
	p.nimages = 1;
	assert_int_equal(et_mail_build_parts(&p, &out, err, sizeof(err)), 0);
	assert_int_equal(et_buf_append(&out, "", 1), 0);
	const char *rel =
		strstr(out.data, "Content-Type: multipart/related; type=\"multipart/alternative\"");
	const char *alt = strstr(out.data, "Content-Type: multipart/alternative;");
	const char *image =
		strstr(out.data, "Content-Type: image/png\r\n"
				 "Content-Transfer-Encoding: base64\r\n"
				 "Content-ID: <chart-1.digest-2024-06-30@enertrack>\r\n");
	assert_non_null(rel);
	assert_non_null(alt);
	assert_non_null(image);
	assert_true(rel < alt && alt < image);
	assert_non_null(strstr(image, "\r\n\r\niVBORw0KGgoAAQI=\r\n")); /* the PNG's bytes */
	size_t len = out.len;

	/* refused: out as it was */
	et_mail_image_t bad = {"no-at-sign", png, sizeof(png)};
	p.images = &bad;
	assert_int_equal(et_mail_build_parts(&p, &out, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "an image without a valid Content-ID");
	p.images = &img;
	p.nto = 0;
	assert_int_equal(et_mail_build_parts(&p, &out, err, sizeof(err)), -EINVAL);
	p.nto = 2;
	p.html = NULL;
	assert_int_equal(et_mail_build_parts(&p, &out, err, sizeof(err)), -EINVAL);
	assert_int_equal(out.len, len);
	et_buf_free(&out);
}

/* RFC 4648 section 10's vectors: padding for 1 and 2 trailing bytes. */
static void test_base64_vectors(void **state)
{
	(void)state;
	static const char *const in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	static const char *const want[] = {"",	       "Zg==",	   "Zm8=",    "Zm9v",
					   "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
	for (size_t i = 0; i < 7; i++) {
		char out[16];
		size_t n = et_mail_base64((const unsigned char *)in[i], strlen(in[i]), out);
		assert_int_equal(n, strlen(want[i]));
		assert_memory_equal(out, want[i], n);
	}
	const unsigned char hi[] = {0xfb, 0xff, 0xbf};
	char out[4];
	assert_int_equal(et_mail_base64(hi, 3, out), 4);
	assert_memory_equal(out, "+/+/", 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_sanitize),
		cmocka_unit_test(test_build_text),
		cmocka_unit_test(test_subject),
		cmocka_unit_test(test_points),
		cmocka_unit_test(test_resolved_status),
		cmocka_unit_test(test_revision),
		cmocka_unit_test(test_date),
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_build_variants),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_subject_header),
		cmocka_unit_test(test_injection),
		cmocka_unit_test(test_to_folding),
		cmocka_unit_test(test_build_errors),
		cmocka_unit_test(test_append_deterministic),
		cmocka_unit_test(test_many_sites),
		cmocka_unit_test(test_zh_and_chart),
		cmocka_unit_test(test_build_parts),
		cmocka_unit_test(test_base64_vectors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
