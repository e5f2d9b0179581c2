/* SPDX-License-Identifier: MIT */
/* COPY text encoding. Text fields are escaped per the PostgreSQL manual
 * ("COPY", File Formats, Text Format); bytea goes in hex form (\\x...),
 * doubles with 17 significant digits so that they round-trip exactly. */
#include "enertrack/utf8.h"
#include "enertrack/copyenc.h"
#include "enertrack/rfc3339.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at p (at most n bytes), or 0. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
	return et_utf8_decode(p, n, NULL);
}

int et_copy_text(et_buf_t *b, const char *s, size_t n)
{
	/* Worst case: every byte becomes a 4-byte escape or U+FFFD (3 bytes).
	 * n * 4 must not wrap around, or the loop below would overrun. */
	if (n > (((size_t)-1) - 1) / 4)
		return -ENOMEM;
	int rc = et_buf_reserve(b, n * 4 + 1);
	if (rc)
		return rc;
	char *o = b->data + b->len;
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		unsigned char c = p[i];
		if (c >= 0x80) {
			size_t k = utf8_seq(p + i, n - i);
			if (k == 0) {
				memcpy(o, "\xef\xbf\xbd", 3);
				o += 3;
				i++;
			} else {
				memcpy(o, p + i, k);
				o += k;
				i += k;
			}
			continue;
		}
		switch (c) {
		case '\\':
			*o++ = '\\';
			*o++ = '\\';
			break;
		case '\t':
			*o++ = '\\';
			*o++ = 't';
			break;
		case '\n':
			*o++ = '\\';
			*o++ = 'n';
			break;
		case '\r':
			*o++ = '\\';
			*o++ = 'r';
			break;
		default:
			if (c < 0x20 || c == 0x7f) {
				if (c == 0) {
					/* text cannot hold NUL: show it */
					memcpy(o, "\\\\0", 3);
					o += 3;
				} else {
					*o++ = '\\';
					*o++ = (char)('0' + (c >> 6));
					*o++ = (char)('0' + ((c >> 3) & 7));
					*o++ = (char)('0' + (c & 7));
				}
			} else {
				*o++ = (char)c;
			}
		}
		i++;
	}
	b->len = (size_t)(o - b->data);
	return 0;
}

static int put_lit(et_buf_t *b, const char *s)
{
	return et_buf_append(b, s, strlen(s));
}

static int put_opt_text(et_buf_t *b, const char *s)
{
	if (!s || !*s)
		return put_lit(b, "\\N");
	return et_copy_text(b, s, strlen(s));
}

static int put_ts(et_buf_t *b, int64_t us)
{
	char t[ET_TS_TEXT_MAX];
	return et_buf_append(b, t, et_ts_format(us, t));
}

static int put_fmt_double(et_buf_t *b, double v)
{
	char t[40];
	int n = snprintf(t, sizeof(t), "%.17g", v);
	return et_buf_append(b, t, (size_t)n);
}

static int put_int(et_buf_t *b, long long v)
{
	char t[24];
	int n = snprintf(t, sizeof(t), "%lld", v);
	return et_buf_append(b, t, (size_t)n);
}

#define TAB(b) et_buf_append((b), "\t", 1)

int et_copy_reading(et_buf_t *b, uint32_t n, const et_reading_t *r, int64_t recv_us)
{
	size_t mark = b->len;
	int rc = 0;
	rc = rc ? rc : put_int(b, n);
	rc = rc ? rc : TAB(b);
	rc = rc ? rc : et_copy_text(b, r->site, strlen(r->site));
	rc = rc ? rc : TAB(b);
	rc = rc ? rc : et_copy_text(b, r->kind, strlen(r->kind));
	rc = rc ? rc : TAB(b);
	rc = rc ? rc : put_opt_text(b, r->county);
	rc = rc ? rc : TAB(b);
	rc = rc ? rc : put_opt_text(b, r->name);
	rc = rc ? rc : TAB(b);
	rc = rc ? rc : et_copy_text(b, r->metric, strlen(r->metric));
	rc = rc ? rc : TAB(b);
	rc = rc ? rc : put_ts(b, r->ts_us);
	rc = rc ? rc : TAB(b);
	rc = rc ? rc : put_fmt_double(b, r->value);
	rc = rc ? rc : TAB(b);
	rc = rc ? rc : et_copy_text(b, r->unit_in, strlen(r->unit_in));
	rc = rc ? rc : TAB(b);
	rc = rc ? rc : put_fmt_double(b, r->value_in);
	rc = rc ? rc : TAB(b);
	rc = rc ? rc : (r->has_seq ? put_int(b, r->seq) : put_lit(b, "\\N"));
	rc = rc ? rc : TAB(b);
	rc = rc ? rc : put_opt_text(b, r->source);
	rc = rc ? rc : TAB(b);
	rc = rc ? rc : put_lit(b, r->counter ? "t" : "f");
	rc = rc ? rc : TAB(b);
	rc = rc ? rc : put_ts(b, recv_us);
	rc = rc ? rc : TAB(b);
	/* rollover 0 is "none"; so is one that is not finite and positive (never
	 * from the decoder), which could otherwise fail the whole COPY */
	bool roll = r->rollover > 0 && isfinite(r->rollover);
	rc = rc ? rc : (roll ? put_fmt_double(b, r->rollover) : put_lit(b, "\\N"));
	rc = rc ? rc : TAB(b);
	rc = rc ? rc : (r->has_covers_from ? put_ts(b, r->covers_from_us) : put_lit(b, "\\N"));
	rc = rc ? rc : et_buf_append(b, "\n", 1);
	if (rc)
		b->len = mark; /* never leave half a line */
	return rc;
}

int et_copy_reject(et_buf_t *b, int64_t recv_us, const char *topic, size_t topic_len,
		   const char *reason, const char *detail, int element, const void *payload,
		   size_t len, size_t keep)
{
	static const char hex[] = "0123456789abcdef";
	size_t mark = b->len;
	size_t k = len < keep ? len : keep;
	int rc = 0;
	rc = rc ? rc : put_ts(b, recv_us);
	rc = rc ? rc : TAB(b);
	rc = rc ? rc : et_copy_text(b, topic, topic_len);
	rc = rc ? rc : TAB(b);
	rc = rc ? rc : put_opt_text(b, reason);
	rc = rc ? rc : TAB(b);
	rc = rc ? rc : put_opt_text(b, detail);
	rc = rc ? rc : TAB(b);
	rc = rc ? rc : (element >= 0 ? put_int(b, element) : put_lit(b, "\\N"));
	rc = rc ? rc : TAB(b);
	/* bytea hex input; the backslash itself is escaped for COPY */
	if (!rc && k > (((size_t)-1) - 3) / 2)
		rc = -ENOMEM; /* 3 + 2 * k would wrap around */
	rc = rc ? rc : et_buf_reserve(b, 3 + 2 * k);
	if (!rc) {
		char *o = b->data + b->len;
		*o++ = '\\';
		*o++ = '\\';
		*o++ = 'x';
		const unsigned char *p = payload;
		for (size_t i = 0; i < k; i++) {
			*o++ = hex[p[i] >> 4];
			*o++ = hex[p[i] & 15];
		}
		b->len = (size_t)(o - b->data);
	}
	rc = rc ? rc : TAB(b);
	rc = rc ? rc : put_int(b, (long long)len);
	rc = rc ? rc : TAB(b);
	rc = rc ? rc : put_lit(b, k < len ? "t" : "f");
	rc = rc ? rc : et_buf_append(b, "\n", 1);
	if (rc)
		b->len = mark;
	return rc;
}
