/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/copyenc.c (PostgreSQL COPY text encoding: escaping,
 * U+FFFD for invalid UTF-8, reading and reject lines, 17-digit doubles) and
 * of lib/buf.c, the buffer it appends to. */
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

#include "enertrack/buf.h"
#include "enertrack/copyenc.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define FFFD	     "\xef\xbf\xbd"

/* Asserts that b holds exactly want (length-checked, NULs allowed). */
static void check_buf(const et_buf_t *b, const char *want, size_t want_len, const char *what)
{
	if (b->len != want_len || (want_len && memcmp(b->data, want, want_len) != 0))
		fail_msg("%s: got [%.*s] (%zu bytes), want [%.*s] (%zu bytes)", what, (int)b->len,
			 b->data ? b->data : "", b->len, (int)want_len, want, want_len);
}

/* ---- et_copy_text ---- */

static const struct text_case {
	const char *in;
	size_t in_len;
	const char *out;
} texts[] = {
#define T(in, out)                                                                                 \
	{                                                                                          \
		in, sizeof(in) - 1, out                                                            \
	}
	T("", ""),
	T("plain", "plain"),
	T("a\tb", "a\\tb"),
	T("a\nb", "a\\nb"),
	T("a\rb", "a\\rb"),
	T("\r\n", "\\r\\n"),
	T("back\\slash", "back\\\\slash"),
	T("\\N", "\\\\N"),			       /* never the NULL marker */
	T("\\.", "\\\\."),			       /* never the end-of-data marker */
	T("say \"hi\" 'there'", "say \"hi\" 'there'"), /* quotes mean nothing in text format */
	T("a,b;c|d", "a,b;c|d"),
	T("\x01", "\\001"),
	T("\x07", "\\007"),
	T("\x08", "\\010"),
	T("\x0b", "\\013"),
	T("\x0c", "\\014"),
	T("\x1b[31m", "\\033[31m"),
	T("\x1f", "\\037"),
	T("\x7f", "\\177"),
	T(" ~", " ~"),
	T("a\0b", "a\\\\0b"), /* text cannot hold NUL: it shows as \0 */
	T("\0", "\\\\0"),
	/* non-ASCII passes through unchanged */
	T("长治市", "长治市"),
	T("万吨标准煤", "万吨标准煤"),
	T("é", "é"),
	T("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80"),
	T("\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf"),
	T("\xc2\x85", "\xc2\x85"), /* valid UTF-8 (C1 control): kept */
	/* invalid UTF-8: each bad byte becomes U+FFFD */
	T("\xff", FFFD),
	T("a\xfe"
	  "b",
	  "a" FFFD "b"),
	T("\x80", FFFD),
	T("\xc0\xaf", FFFD FFFD),		    /* overlong */
	T("\xe0\x80\xaf", FFFD FFFD FFFD),	    /* overlong */
	T("\xed\xa0\x80", FFFD FFFD FFFD),	    /* surrogate */
	T("\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD), /* above U+10FFFF */
	T("\xf8\x88\x80\x80\x80", FFFD FFFD FFFD FFFD FFFD),
	T("\xe9\x95", FFFD FFFD), /* truncated at the end */
	T("\xe9\x95"
	  "A",
	  FFFD FFFD "A"),
	T("长\xe9\x95治", "长" FFFD FFFD "治"),
	T("\xe9\x95\xbf\xe9", "长" FFFD),
	T("\\\t\xff\x01", "\\\\\\t" FFFD "\\001"),
#undef T
};

static void test_copy_text(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(texts); i++) {
		et_buf_t b = ET_BUF_INIT;
		assert_int_equal(et_copy_text(&b, texts[i].in, texts[i].in_len), 0);
		char what[32];
		snprintf(what, sizeof(what), "case %zu", i);
		check_buf(&b, texts[i].out, strlen(texts[i].out), what);
		et_buf_free(&b);
	}
}

/* Every single byte value, alone: what comes out is either the byte, an
 * escape, or U+FFFD, and never a raw control byte. */
static void test_copy_text_every_byte(void **state)
{
	(void)state;
	et_buf_t b = ET_BUF_INIT;
	for (unsigned c = 0; c < 256; c++) {
		char in = (char)c;
		et_buf_reset(&b);
		assert_int_equal(et_copy_text(&b, &in, 1), 0);
		if (c >= 0x80) {
			check_buf(&b, FFFD, 3, "high byte");
		} else if (c == '\\') {
			check_buf(&b, "\\\\", 2, "backslash");
		} else if (c >= 0x20 && c < 0x7f) {
			check_buf(&b, &in, 1, "printable");
		} else {
			assert_true(b.len >= 2);
			assert_int_equal(b.data[0], '\\');
			for (size_t k = 0; k < b.len; k++)
				assert_true((unsigned char)b.data[k] >= 0x20 &&
					    (unsigned char)b.data[k] < 0x7f);
		}
	}
	et_buf_free(&b);
}

/* The worst case (every byte an escape) grows the buffer past its first
 * size and appends after what is there. */
static void test_copy_text_grows(void **state)
{
	(void)state;
	et_buf_t b = ET_BUF_INIT;
	assert_int_equal(et_buf_append(&b, "x|", 2), 0);
	char in[10000];
	memset(in, 0x01, sizeof(in));
	assert_int_equal(et_copy_text(&b, in, sizeof(in)), 0);
	assert_int_equal(b.len, 2 + 4 * sizeof(in));
	assert_memory_equal(b.data, "x|\\001\\001", 10);
	assert_memory_equal(b.data + b.len - 4, "\\001", 4);
	et_buf_reset(&b);
	memset(in, 0xff, sizeof(in));
	assert_int_equal(et_copy_text(&b, in, sizeof(in)), 0);
	assert_int_equal(b.len, 3 * sizeof(in));
	et_buf_free(&b);
}

/* Sizes so large that the worst-case arithmetic would wrap around are
 * refused up front, before a byte is read, and leave the buffer as it was. */
static void test_copy_size_overflow(void **state)
{
	(void)state;
	et_buf_t b = ET_BUF_INIT;
	assert_int_equal(et_buf_append(&b, "keep", 4), 0);
	assert_int_equal(et_copy_text(&b, "x", (size_t)-1 / 2), -ENOMEM);
	assert_int_equal(et_copy_text(&b, "x", (size_t)-1 / 4 + 1), -ENOMEM);
	assert_int_equal(b.len, 4);
	assert_int_equal(et_copy_reject(&b, 0, "t", 1, "r", "d", -1, "{}", (size_t)-1, (size_t)-1),
			 -ENOMEM);
	assert_int_equal(b.len, 4); /* never half a line */
	assert_memory_equal(b.data, "keep", 4);
	et_buf_free(&b);
}

/* ---- et_copy_reading ---- */

/* Splits a line (without its \n) at tabs; returns the number of fields. */
static size_t split_tabs(char *line, char **fields, size_t max)
{
	size_t n = 0;
	fields[n++] = line;
	for (char *p = line; *p; p++) {
		if (*p == '\t') {
			*p = '\0';
			if (n == max)
				fail_msg("too many fields");
			fields[n++] = p + 1;
		}
	}
	return n;
}

/* The column names of ET_COPY_READING_COLUMNS, in order. */
static size_t column_names(const char *cols, char names[][32], size_t max)
{
	size_t n = 0;
	const char *p = cols;
	while (*p) {
		while (*p == ' ' || *p == ',')
			p++;
		size_t k = strcspn(p, ", ");
		if (!k)
			break;
		assert_true(n < max && k < 32);
		memcpy(names[n], p, k);
		names[n][k] = '\0';
		n++;
		p += k;
	}
	return n;
}

static et_reading_t sample_reading(void)
{
	et_reading_t r;
	memset(&r, 0, sizeof(r));
	strcpy(r.site, "wangzhuang");
	strcpy(r.metric, "raw_coal");
	strcpy(r.kind, "mine");
	strcpy(r.unit_in, "万吨");
	strcpy(r.county, "长子县");
	strcpy(r.name, "王庄\\煤矿");
	r.ts_us = 1709251200123456LL; /* 2024-03-01T08:00:00.123456+08:00 */
	r.value = 15000;
	r.value_in = 1.5;
	r.seq = 1042;
	r.has_seq = true;
	strcpy(r.source, "coal");
	r.counter = true;
	r.rollover = 99.99999;
	r.covers_from_us = 1706716800000000LL; /* 2024-02-01T00:00:00+08:00: February */
	r.has_covers_from = true;
	return r;
}

#define RECV_US 1709280000000000LL /* 2024-03-01 08:00:00 UTC */

static void test_copy_reading_line(void **state)
{
	(void)state;
	et_reading_t r = sample_reading();
	et_buf_t b = ET_BUF_INIT;
	assert_int_equal(et_copy_reading(&b, 7, &r, RECV_US), 0);
	const char want[] = "7\twangzhuang\tmine\t长子县\t王庄\\\\煤矿\traw_coal\t"
			    "2024-03-01 00:00:00.123456+00\t15000\t万吨\t1.5\t1042\tcoal\tt\t"
			    "2024-03-01 08:00:00.000000+00\t99.999989999999997\t"
			    "2024-01-31 16:00:00.000000+00\n";
	check_buf(&b, want, sizeof(want) - 1, "reading");

	/* Column by column, against the names in ET_COPY_READING_COLUMNS. */
	char names[20][32];
	size_t ncols = column_names(ET_COPY_READING_COLUMNS, names, 20);
	assert_int_equal(ncols, 16);
	char line[512];
	assert_true(b.len < sizeof(line));
	memcpy(line, b.data, b.len - 1);
	line[b.len - 1] = '\0';
	char *f[20];
	assert_int_equal(split_tabs(line, f, 20), ncols);
	static const struct {
		const char *col, *val;
	} expect[] = {
		{"n", "7"},
		{"site_id", "wangzhuang"},
		{"kind", "mine"},
		{"county", "长子县"},
		{"name", "王庄\\\\煤矿"},
		{"metric", "raw_coal"},
		{"ts", "2024-03-01 00:00:00.123456+00"},
		{"value", "15000"},
		{"unit_in", "万吨"},
		{"value_in", "1.5"},
		{"seq", "1042"},
		{"source", "coal"},
		{"counter", "t"},
		{"received_at", "2024-03-01 08:00:00.000000+00"},
		{"rollover", "99.999989999999997"},
		{"covers_from", "2024-01-31 16:00:00.000000+00"},
	};
	assert_int_equal(ARRAY_LEN(expect), ncols);
	for (size_t i = 0; i < ncols; i++) {
		size_t k;
		for (k = 0; k < ARRAY_LEN(expect); k++)
			if (strcmp(expect[k].col, names[i]) == 0)
				break;
		if (k == ARRAY_LEN(expect))
			fail_msg("column %s is not expected", names[i]);
		if (strcmp(f[i], expect[k].val) != 0)
			fail_msg("column %zu (%s): \"%s\", want \"%s\"", i, names[i], f[i],
				 expect[k].val);
	}
	et_buf_free(&b);
}

/* Returns the field-th (0-based) tab-separated field of the line in b. */
static void field_of(const et_buf_t *b, int field, char *out, size_t outlen)
{
	const char *p = b->data, *end = b->data + b->len;
	for (int i = 0; i < field; i++) {
		p = memchr(p, '\t', (size_t)(end - p));
		assert_non_null(p);
		p++;
	}
	size_t n = strcspn(p, "\t\n");
	assert_true(n < outlen);
	memcpy(out, p, n);
	out[n] = '\0';
}

/* Absent seq, source, county, name and covers_from are NULL (\N); counter
 * false is f. */
static void test_copy_reading_nulls(void **state)
{
	(void)state;
	et_reading_t r = sample_reading();
	r.has_seq = false;
	r.seq = 99; /* ignored */
	r.source[0] = '\0';
	r.county[0] = '\0';
	r.name[0] = '\0';
	r.counter = false;
	r.rollover = 0;
	r.has_covers_from = false;
	r.covers_from_us = 5; /* ignored */
	r.ts_us = -1;	      /* before 1970 */
	r.value = -0.5;
	r.value_in = 0;
	strcpy(r.metric, "temperature");
	strcpy(r.unit_in, "°C");
	et_buf_t b = ET_BUF_INIT;
	assert_int_equal(et_copy_reading(&b, 4294967295u, &r, 0), 0);
	const char want[] = "4294967295\twangzhuang\tmine\t\\N\t\\N\ttemperature\t"
			    "1969-12-31 23:59:59.999999+00\t-0.5\t°C\t0\t\\N\t\\N\tf\t"
			    "1970-01-01 00:00:00.000000+00\t\\N\t\\N\n";
	check_buf(&b, want, sizeof(want) - 1, "reading with NULLs");

	/* seq 0 is a value, not NULL */
	r.has_seq = true;
	r.seq = 0;
	et_buf_reset(&b);
	assert_int_equal(et_copy_reading(&b, 0, &r, 0), 0);
	char f[64];
	field_of(&b, 10, f, sizeof(f));
	assert_string_equal(f, "0");
	/* and the largest seq */
	r.seq = INT64_MAX;
	et_buf_reset(&b);
	assert_int_equal(et_copy_reading(&b, 0, &r, 0), 0);
	field_of(&b, 10, f, sizeof(f));
	assert_string_equal(f, "9223372036854775807");
	et_buf_free(&b);
}

/* A rollover that is not finite and positive is written as NULL (none), so
 * that a bad value from any producer cannot fail the whole COPY. */
static void test_copy_reading_rollover(void **state)
{
	(void)state;
	static const double bad[] = {0, -1, NAN, INFINITY, -INFINITY};
	et_reading_t r = sample_reading();
	et_buf_t b = ET_BUF_INIT;
	char f[64];
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		r.rollover = bad[i];
		et_buf_reset(&b);
		assert_int_equal(et_copy_reading(&b, 0, &r, 0), 0);
		field_of(&b, 14, f, sizeof(f));
		assert_string_equal(f, "\\N");
	}
	r.rollover = 1e6;
	et_buf_reset(&b);
	assert_int_equal(et_copy_reading(&b, 0, &r, 0), 0);
	field_of(&b, 14, f, sizeof(f));
	assert_string_equal(f, "1000000");
	et_buf_free(&b);
}

/* Lines append one after another; text fields are escaped in a line. */
static void test_copy_reading_appends(void **state)
{
	(void)state;
	et_reading_t r = sample_reading();
	et_buf_t b = ET_BUF_INIT;
	for (uint32_t i = 0; i < 1000; i++)
		assert_int_equal(et_copy_reading(&b, i, &r, RECV_US), 0);
	size_t lines = 0;
	for (size_t i = 0; i < b.len; i++)
		lines += b.data[i] == '\n';
	assert_int_equal(lines, 1000);
	assert_true(b.len > 4096); /* grew past the first allocation */
	assert_memory_equal(b.data, "0\twangzhuang\t", 13);
	assert_int_equal(b.data[b.len - 1], '\n');
	et_buf_free(&b);
}

/* value and value_in come out with 17 significant digits and read back as
 * the same double, bit for bit. */
static void test_copy_doubles(void **state)
{
	(void)state;
	static const struct {
		double v;
		const char *text;
	} t[] = {
		{0.0, "0"},
		{-0.0, "-0"},
		{1.0, "1"},
		{412.5, "412.5"},
		{0.1, "0.10000000000000001"},
		{0.009, "0.0089999999999999993"},
		{1.0 / 3.0, "0.33333333333333331"},
		{170000000.0, "170000000"},
		{1e21, "1e+21"},
		{1e300, "1.0000000000000001e+300"},
		{-1.7976931348623157e308, "-1.7976931348623157e+308"},
		{4.9406564584124654e-324, "4.9406564584124654e-324"},
		{2.2250738585072014e-308, "2.2250738585072014e-308"},
		{9007199254740993.0, "9007199254740992"},
	};
	et_reading_t r = sample_reading();
	et_buf_t b = ET_BUF_INIT;
	char f[64];
	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		r.value = t[i].v;
		r.value_in = -t[i].v;
		et_buf_reset(&b);
		assert_int_equal(et_copy_reading(&b, 1, &r, 0), 0);
		field_of(&b, 7, f, sizeof(f));
		if (strcmp(f, t[i].text) != 0)
			fail_msg("%.17g: \"%s\", want \"%s\"", t[i].v, f, t[i].text);
		double back = strtod(f, NULL);
		assert_memory_equal(&back, &t[i].v, sizeof(double));
		field_of(&b, 9, f, sizeof(f));
		back = strtod(f, NULL);
		double neg = -t[i].v;
		assert_memory_equal(&back, &neg, sizeof(double));
	}
	/* pseudo-random bit patterns, NaN and infinities left out */
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	for (int i = 0; i < 20000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		double v;
		memcpy(&v, &x, sizeof(v));
		if (v != v || v - v != 0)
			continue;
		r.value = v;
		et_buf_reset(&b);
		assert_int_equal(et_copy_reading(&b, 1, &r, 0), 0);
		field_of(&b, 7, f, sizeof(f));
		double back = strtod(f, NULL);
		if (memcmp(&back, &v, sizeof(v)) != 0)
			fail_msg("%a printed as %s reads back as %a", v, f, back);
	}
	et_buf_free(&b);
}

/* ---- et_copy_reject ---- */

static void test_copy_reject(void **state)
{
	(void)state;
	static const struct {
		const char *topic;
		size_t topic_len;
		const char *reason, *detail;
		int element;
		const char *payload;
		size_t len, keep;
		const char *want;
	} t[] = {
		{"energy/mine/m1/raw_coal", 23, "bad_json",
		 "line 1 column 9: end of file expected near 'x'", -1, "{\"a\":1} x", 9, 4096,
		 "2024-03-01 08:00:00.000000+00\tenergy/mine/m1/raw_coal\tbad_json\t"
		 "line 1 column 9: end of file expected near 'x'\t\\N\t"
		 "\\\\x7b2261223a317d2078\t9\tf\n"},
		/* cut to keep bytes: truncated */
		{"energy/mine/m1/raw_coal", 23, "bad_json", "d", -1, "{\"a\":1} x", 9, 4,
		 "2024-03-01 08:00:00.000000+00\tenergy/mine/m1/raw_coal\tbad_json\td\t\\N\t"
		 "\\\\x7b226122\t9\tt\n"},
		/* keep == len is not truncated */
		{"t", 1, "bad_json", "d", -1, "{\"a\":1} x", 9, 9,
		 "2024-03-01 08:00:00.000000+00\tt\tbad_json\td\t\\N\t"
		 "\\\\x7b2261223a317d2078\t9\tf\n"},
		/* keep 0 */
		{"t", 1, "payload_too_large", "big", -1, "abc", 3, 0,
		 "2024-03-01 08:00:00.000000+00\tt\tpayload_too_large\tbig\t\\N\t\\\\x\t3\tt\n"},
		/* empty payload */
		{"t", 1, "bad_json", "empty", -1, "", 0, 100,
		 "2024-03-01 08:00:00.000000+00\tt\tbad_json\tempty\t\\N\t\\\\x\t0\tf\n"},
		/* an element of a batch; every byte value in hex; NULL detail */
		{"t", 1, "unit_mismatch", NULL, 3, "\x00\x01\x7f\x80\xff\t\\", 7, 100,
		 "2024-03-01 08:00:00.000000+00\tt\tunit_mismatch\t\\N\t3\t"
		 "\\\\x00017f80ff095c\t7\tf\n"},
		{"t", 1, "bad_kind", "", 0, "{}", 2, 2,
		 "2024-03-01 08:00:00.000000+00\tt\tbad_kind\t\\N\t0\t\\\\x7b7d\t2\tf\n"},
		/* the topic is escaped and cleaned; the detail escaped */
		{"a\tb/\xff/长治\n", 13, "bad_topic", "x\\y\r", -1, "{}", 2, 2,
		 "2024-03-01 08:00:00.000000+00\ta\\tb/" FFFD "/长治\\n\tbad_topic\t"
		 "x\\\\y\\r\t\\N\t\\\\x7b7d\t2\tf\n"},
		/* the topic is bounded by its length, NULs included */
		{"ab\0cd", 5, NULL, "d", -1, "{}", 2, 2,
		 "2024-03-01 08:00:00.000000+00\tab\\\\0cd\t\\N\td\t\\N\t\\\\x7b7d\t2\tf\n"},
	};
	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		et_buf_t b = ET_BUF_INIT;
		assert_int_equal(et_copy_reject(&b, RECV_US, t[i].topic, t[i].topic_len,
						t[i].reason, t[i].detail, t[i].element,
						t[i].payload, t[i].len, t[i].keep),
				 0);
		char what[32];
		snprintf(what, sizeof(what), "reject case %zu", i);
		check_buf(&b, t[i].want, strlen(t[i].want), what);
		et_buf_free(&b);
	}
}

/* Eight columns, as ET_COPY_REJECT_COLUMNS names; a long payload in full. */
static void test_copy_reject_columns(void **state)
{
	(void)state;
	char names[20][32];
	assert_int_equal(column_names(ET_COPY_REJECT_COLUMNS, names, 20), 8);
	assert_string_equal(names[0], "received_at");
	assert_string_equal(names[4], "element");
	assert_string_equal(names[5], "payload");
	assert_string_equal(names[6], "payload_bytes");
	assert_string_equal(names[7], "truncated");

	static unsigned char payload[70000];
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (unsigned char)(i * 7);
	et_buf_t b = ET_BUF_INIT;
	assert_int_equal(
		et_copy_reject(&b, 0, "t", 1, "bad_json", "d", -1, payload, sizeof(payload), 65536),
		0);
	char f[64];
	field_of(&b, 6, f, sizeof(f));
	assert_string_equal(f, "70000");
	field_of(&b, 7, f, sizeof(f));
	assert_string_equal(f, "t");
	const char *hex = memmem(b.data, b.len, "\\\\x", 3);
	assert_non_null(hex);
	hex += 3;
	for (size_t i = 0; i < 65536; i++) {
		char two[3];
		snprintf(two, sizeof(two), "%02x", payload[i]);
		if (memcmp(hex + 2 * i, two, 2) != 0)
			fail_msg("byte %zu: %.2s, want %s", i, hex + 2 * i, two);
	}
	assert_int_equal(hex[2 * 65536], '\t');
	et_buf_free(&b);
}

/* ---- et_buf ---- */

static void test_buf(void **state)
{
	(void)state;
	et_buf_t b = ET_BUF_INIT;
	assert_int_equal(et_buf_append(&b, "", 0), 0);
	assert_int_equal(b.len, 0);
	assert_int_equal(et_buf_reserve(&b, 1), 0);
	assert_int_equal(b.cap, 4096);
	assert_int_equal(et_buf_append(&b, "abc", 3), 0);
	char *first = b.data;
	assert_int_equal(et_buf_reserve(&b, 4093), 0);
	assert_ptr_equal(b.data, first); /* fits: no reallocation */
	assert_int_equal(et_buf_reserve(&b, 4094), 0);
	assert_int_equal(b.cap, 8192);
	assert_int_equal(et_buf_reserve(&b, 100000), 0);
	assert_int_equal(b.cap, 131072);
	assert_memory_equal(b.data, "abc", 3);
	et_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 131072);
	assert_int_equal(et_buf_reserve(&b, (size_t)-1), -ENOMEM);
	assert_int_equal(et_buf_reserve(&b, (size_t)-1 / 2 + 2), -ENOMEM);
	assert_int_equal(b.cap, 131072);
	/* len + extra must not wrap around to a small size */
	assert_int_equal(et_buf_append(&b, "abc", 3), 0);
	assert_int_equal(et_buf_reserve(&b, (size_t)-1 - 1), -ENOMEM);
	assert_int_equal(et_buf_reserve(&b, (size_t)-1 - 2), -ENOMEM);
	assert_int_equal(b.len, 3);
	assert_int_equal(b.cap, 131072);
	et_buf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	et_buf_free(&b); /* twice is harmless */
	assert_int_equal(et_buf_append(&b, "x", 1), 0);
	assert_int_equal(b.len, 1);
	et_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy_text),
		cmocka_unit_test(test_copy_text_every_byte),
		cmocka_unit_test(test_copy_text_grows),
		cmocka_unit_test(test_copy_size_overflow),
		cmocka_unit_test(test_copy_reading_line),
		cmocka_unit_test(test_copy_reading_nulls),
		cmocka_unit_test(test_copy_reading_appends),
		cmocka_unit_test(test_copy_doubles),
		cmocka_unit_test(test_copy_reading_rollover),
		cmocka_unit_test(test_copy_reject),
		cmocka_unit_test(test_copy_reject_columns),
		cmocka_unit_test(test_buf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
