/* SPDX-License-Identifier: MIT */
/* Shared helpers of the libFuzzer harnesses (fuzz/fuzz_*.c): an invariant
 * check that aborts, a reader that carves typed values out of the fuzzer's
 * bytes, an independent UTF-8 validator, and an independent decoder of
 * PostgreSQL COPY text lines (the rules of copyfrom_read.c) so that what
 * lib/copyenc.c writes can be checked by reading it back. Test code only:
 * every function is static, each harness includes this once. */
#ifndef ENERTRACK_FUZZ_UTIL_H
#define ENERTRACK_FUZZ_UTIL_H

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "enertrack/decode.h"

/* An invariant violation is a crash for libFuzzer: say which, then abort. */
#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: invariant violated: %s\n", __FILE__, __LINE__,     \
				#cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* ---- carving values out of the input ---- */

struct fz_in {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t fz_u8(struct fz_in *in)
{
	if (in->n == 0)
		return 0;
	in->n--;
	return *in->p++;
}

static inline uint64_t fz_u64(struct fz_in *in)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | fz_u8(in);
	return v;
}

static inline double fz_double(struct fz_in *in)
{
	uint64_t u = fz_u64(in);
	double d;
	memcpy(&d, &u, sizeof(d));
	return d;
}

/* A length-prefixed byte string of at most max bytes, borrowed from the input. */
static inline const uint8_t *fz_bytes(struct fz_in *in, size_t max, size_t *ret_len)
{
	size_t n = fz_u8(in);
	if (n > max)
		n = max;
	if (n > in->n)
		n = in->n;
	const uint8_t *p = in->p;
	in->p += n;
	in->n -= n;
	*ret_len = n;
	return p;
}

/* Like fz_bytes, copied into dst (size bytes) and NUL-terminated: what is
 * after an embedded NUL is invisible to strlen, as in a C string. */
static inline void fz_cstr(struct fz_in *in, char *dst, size_t size)
{
	size_t n;
	const uint8_t *p = fz_bytes(in, size - 1, &n);
	memcpy(dst, p, n);
	dst[n] = '\0';
}

/* ---- UTF-8, written independently of lib/utf8.c ---- */

/* Length of the well-formed sequence at p (RFC 3629, Table 3-7 of Unicode),
 * or 0. */
static inline size_t fz_utf8_len(const uint8_t *p, size_t n)
{
	uint8_t c = p[0];
	if (c < 0x80)
		return 1;
	uint8_t lo = 0x80, hi = 0xbf;
	size_t len;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t k = 2; k < len; k++)
		if (p[k] < 0x80 || p[k] > 0xbf)
			return 0;
	return len;
}

static inline bool fz_utf8_valid(const uint8_t *p, size_t n)
{
	size_t i = 0;
	while (i < n) {
		size_t k = fz_utf8_len(p + i, n - i);
		if (k == 0)
			return false;
		i += k;
	}
	return true;
}

/* ---- PostgreSQL COPY text format ---- */

#define FZ_COPY_MAX_COLS 16

struct fz_copy_field {
	bool is_null;	 /* the raw field was exactly \N */
	const char *raw; /* into the line */
	size_t raw_len;
	char *val; /* de-escaped, malloc'd, NUL-terminated; NULL when is_null */
	size_t len;
};

struct fz_copy_line {
	int ncols;
	struct fz_copy_field f[FZ_COPY_MAX_COLS];
};

static inline int fz_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* De-escapes one raw field as PostgreSQL's CopyReadAttributesText does. */
static inline void fz_copy_unescape(struct fz_copy_field *f)
{
	const char *s = f->raw;
	size_t n = f->raw_len;
	f->val = malloc(n + 1);
	CHECK(f->val);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '\\') {
			/* the encoder never ends a field with a lone backslash: it
			 * would escape the tab or newline that follows */
			CHECK(i + 1 < n);
			c = s[++i];
			if (c >= '0' && c <= '7') {
				int v = c - '0';
				for (int k = 0;
				     k < 2 && i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '7'; k++)
					v = v * 8 + (s[++i] - '0');
				c = (char)(v & 0377);
			} else if (c == 'x' && i + 1 < n && fz_hexval(s[i + 1]) >= 0) {
				int v = fz_hexval(s[++i]);
				if (i + 1 < n && fz_hexval(s[i + 1]) >= 0)
					v = v * 16 + fz_hexval(s[++i]);
				c = (char)v;
			} else {
				switch (c) {
				case 'b':
					c = '\b';
					break;
				case 'f':
					c = '\f';
					break;
				case 'n':
					c = '\n';
					break;
				case 'r':
					c = '\r';
					break;
				case 't':
					c = '\t';
					break;
				case 'v':
					c = '\v';
					break;
				default:
					break; /* any other character stands for itself */
				}
			}
		}
		f->val[o++] = c;
	}
	f->val[o] = '\0';
	f->len = o;
}

/* Checks that line[0..len) is exactly one COPY text line of ncols columns
 * (raw tabs only between fields, one newline at the end, no CR anywhere)
 * and decodes it into *ret. Every non-NULL field must de-escape to valid
 * UTF-8 without NUL, or PostgreSQL would fail the whole COPY. */
static inline void fz_copy_parse(const char *line, size_t len, int ncols, struct fz_copy_line *ret)
{
	CHECK(ncols <= FZ_COPY_MAX_COLS);
	CHECK(len >= 1 && line[len - 1] == '\n');
	CHECK(memchr(line, '\n', len - 1) == NULL);
	CHECK(memchr(line, '\r', len) == NULL);
	CHECK(memchr(line, '\0', len) == NULL);
	/* "\." alone on a line ends the data */
	CHECK(!(len == 3 && line[0] == '\\' && line[1] == '.'));
	memset(ret, 0, sizeof(*ret));
	const char *p = line, *end = line + len - 1;
	for (;;) {
		CHECK(ret->ncols < ncols);
		struct fz_copy_field *f = &ret->f[ret->ncols++];
		const char *tab = memchr(p, '\t', (size_t)(end - p));
		const char *fe = tab ? tab : end;
		f->raw = p;
		f->raw_len = (size_t)(fe - p);
		if (f->raw_len == 2 && p[0] == '\\' && p[1] == 'N') {
			f->is_null = true;
		} else {
			fz_copy_unescape(f);
			CHECK(memchr(f->val, '\0', f->len) == NULL);
			CHECK(fz_utf8_valid((const uint8_t *)f->val, f->len));
		}
		if (!tab)
			break;
		p = tab + 1;
	}
	CHECK(ret->ncols == ncols);
}

static inline void fz_copy_free(struct fz_copy_line *l)
{
	for (int i = 0; i < l->ncols; i++)
		free(l->f[i].val);
	l->ncols = 0;
}

/* What et_copy_text promises the database will hold for s[0..n): the
 * bytes themselves, except that each byte not part of a well-formed UTF-8
 * sequence becomes U+FFFD and a NUL (which text cannot hold) shows as the
 * two characters \0. Returns a malloc'd buffer and its length. */
static inline char *fz_copy_expected(const char *s, size_t n, size_t *ret_len)
{
	char *out = malloc(n * 3 + 1);
	CHECK(out);
	size_t o = 0, i = 0;
	const uint8_t *p = (const uint8_t *)s;
	while (i < n) {
		size_t k = fz_utf8_len(p + i, n - i);
		if (k == 0) {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
		} else if (p[i] == 0) {
			out[o++] = '\\';
			out[o++] = '0';
			i++;
		} else {
			memcpy(out + o, p + i, k);
			o += k;
			i += k;
		}
	}
	*ret_len = o;
	return out;
}

/* A non-NULL text field holds exactly what fz_copy_expected says. */
static inline void fz_check_text(const struct fz_copy_field *f, const char *s, size_t n)
{
	size_t want_len;
	char *want = fz_copy_expected(s, n, &want_len);
	CHECK(!f->is_null);
	CHECK(f->len == want_len && memcmp(f->val, want, want_len) == 0);
	free(want);
}

/* A field written by put_opt_text: \N for NULL or "", else the text. */
static inline void fz_check_opt_text(const struct fz_copy_field *f, const char *s)
{
	if (!s || !*s)
		CHECK(f->is_null);
	else
		fz_check_text(f, s, strlen(s));
}

static inline void fz_check_int(const struct fz_copy_field *f, long long want)
{
	char t[32];
	snprintf(t, sizeof(t), "%lld", want);
	CHECK(!f->is_null);
	CHECK(strcmp(f->val, t) == 0);
}

/* A double field reads back as exactly the same double (17 digits). */
static inline void fz_check_double(const struct fz_copy_field *f, double want)
{
	CHECK(!f->is_null);
	char *end;
	double got = strtod(f->val, &end);
	CHECK(end != f->val && *end == '\0');
	if (isnan(want))
		CHECK(isnan(got));
	else
		CHECK(got == want && signbit(got) == signbit(want));
}

/* Microseconds since the epoch of 0001-01-01T00:00:00Z and just before
 * 10000-01-01T00:00:00Z: the instants PostgreSQL gets as plain
 * "YYYY-MM-DD" timestamps, and what et_rfc3339_parse promises. */
#define FZ_US_MIN (-62135596800000000LL)
#define FZ_US_MAX (253402300799999999LL)

/* A timestamp field is "YYYY-MM-DD HH:MM:SS.ffffff+00" for the instant us,
 * checked against gmtime_r rather than against lib/rfc3339.c. */
static inline void fz_check_ts(const struct fz_copy_field *f, int64_t us)
{
	CHECK(us >= FZ_US_MIN && us <= FZ_US_MAX);
	int64_t secs = us / 1000000, frac = us % 1000000;
	if (frac < 0) {
		frac += 1000000;
		secs--;
	}
	time_t t = (time_t)secs;
	struct tm tm;
	CHECK(gmtime_r(&t, &tm) != NULL);
	char want[64];
	snprintf(want, sizeof(want), "%04d-%02d-%02d %02d:%02d:%02d.%06d+00", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)frac);
	CHECK(!f->is_null);
	CHECK(strcmp(f->val, want) == 0);
}

/* ---- whole lines of lib/copyenc.c ---- */

/* line[0..len) is the et_copy_reading line of (n, r, recv_us). */
static inline void fz_check_copy_reading(const char *line, size_t len, uint32_t n,
					 const et_reading_t *r, int64_t recv_us)
{
	struct fz_copy_line l;
	fz_copy_parse(line, len, 16, &l);
	fz_check_int(&l.f[0], n);
	fz_check_text(&l.f[1], r->site, strlen(r->site));
	fz_check_text(&l.f[2], r->kind, strlen(r->kind));
	fz_check_opt_text(&l.f[3], r->county);
	fz_check_opt_text(&l.f[4], r->name);
	fz_check_text(&l.f[5], r->metric, strlen(r->metric));
	fz_check_ts(&l.f[6], r->ts_us);
	fz_check_double(&l.f[7], r->value);
	fz_check_text(&l.f[8], r->unit_in, strlen(r->unit_in));
	fz_check_double(&l.f[9], r->value_in);
	if (r->has_seq)
		fz_check_int(&l.f[10], r->seq);
	else
		CHECK(l.f[10].is_null);
	fz_check_opt_text(&l.f[11], r->source);
	CHECK(!l.f[12].is_null && strcmp(l.f[12].val, r->counter ? "t" : "f") == 0);
	fz_check_ts(&l.f[13], recv_us);
	if (r->rollover > 0 && isfinite(r->rollover))
		fz_check_double(&l.f[14], r->rollover);
	else
		CHECK(l.f[14].is_null);
	if (r->has_covers_from)
		fz_check_ts(&l.f[15], r->covers_from_us);
	else
		CHECK(l.f[15].is_null);
	fz_copy_free(&l);
}

/* line[0..len) is the et_copy_reject line of these arguments. */
static inline void fz_check_copy_reject(const char *line, size_t len, int64_t recv_us,
					const char *topic, size_t topic_len, const char *reason,
					const char *detail, int element, const uint8_t *payload,
					size_t plen, size_t keep)
{
	struct fz_copy_line l;
	fz_copy_parse(line, len, 8, &l);
	fz_check_ts(&l.f[0], recv_us);
	fz_check_text(&l.f[1], topic, topic_len);
	fz_check_opt_text(&l.f[2], reason);
	fz_check_opt_text(&l.f[3], detail);
	if (element >= 0)
		fz_check_int(&l.f[4], element);
	else
		CHECK(l.f[4].is_null);
	/* bytea in hex form: \x and two digits per byte kept */
	size_t k = plen < keep ? plen : keep;
	const struct fz_copy_field *f = &l.f[5];
	CHECK(!f->is_null && f->len == 2 + 2 * k && memcmp(f->val, "\\x", 2) == 0);
	for (size_t i = 0; i < k; i++) {
		int hi = fz_hexval(f->val[2 + 2 * i]), lo = fz_hexval(f->val[3 + 2 * i]);
		CHECK(hi >= 0 && lo >= 0 && (hi << 4 | lo) == payload[i]);
	}
	fz_check_int(&l.f[6], (long long)plen);
	CHECK(!l.f[7].is_null && strcmp(l.f[7].val, k < plen ? "t" : "f") == 0);
	fz_copy_free(&l);
}

#endif
