/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/rfc3339.c: RFC 3339 parsing into microseconds since the
 * epoch (offsets, fractions, separators, leap days, refused forms) and the
 * UTC text formatting used by COPY, with round trips. Table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "enertrack/rfc3339.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

struct good_case {
	const char *in;
	int64_t us;
};

/* Expected values computed independently (Python datetime). */
static const struct good_case good[] = {
	/* offsets */
	{"2024-03-01T08:00:00+08:00", 1709251200000000LL},
	{"2024-03-01T00:00:00Z", 1709251200000000LL},
	{"2024-03-01T00:00:00z", 1709251200000000LL},
	{"2024-03-01T00:00:00+00:00", 1709251200000000LL},
	{"2024-03-01T00:00:00-00:00", 1709251200000000LL},
	{"2024-03-01T12:00:00-05:30", 1709314200000000LL},
	{"2024-03-01T05:30:00+05:30", 1709251200000000LL},
	{"2024-03-01T23:59:00+23:59", 1709251200000000LL},
	{"2024-02-29T00:01:00-23:59", 1709251200000000LL},
	/* separators */
	{"2024-03-01t00:00:00Z", 1709251200000000LL},
	{"2024-03-01 00:00:00Z", 1709251200000000LL},
	/* fractions: 1 to 9 digits, truncated (not rounded) to microseconds */
	{"2024-03-01T00:00:00.5Z", 1709251200500000LL},
	{"2024-03-01T00:00:00.12Z", 1709251200120000LL},
	{"2024-03-01T00:00:00.123Z", 1709251200123000LL},
	{"2024-03-01T00:00:00.1234Z", 1709251200123400LL},
	{"2024-03-01T00:00:00.12345Z", 1709251200123450LL},
	{"2024-03-01T00:00:00.123456Z", 1709251200123456LL},
	{"2024-03-01T00:00:00.1234567Z", 1709251200123456LL},
	{"2024-03-01T00:00:00.12345678Z", 1709251200123456LL},
	{"2024-03-01T00:00:00.123456789Z", 1709251200123456LL},
	{"2024-03-01T00:00:00.999999999Z", 1709251200999999LL},
	{"2024-03-01T00:00:00.000001Z", 1709251200000001LL},
	{"2024-03-01T00:00:00.0000009Z", 1709251200000000LL},
	{"2024-03-01T00:00:00.000000000Z", 1709251200000000LL},
	{"2024-03-01T08:00:00.25+08:00", 1709251200250000LL},
	/* leap days */
	{"2024-02-29T00:00:00Z", 1709164800000000LL},
	{"2000-02-29T12:00:00Z", 951825600000000LL},
	/* year start in Asia/Shanghai is the evening before in UTC */
	{"2024-01-01T00:00:00+08:00", 1704038400000000LL},
	{"2023-12-31T16:00:00Z", 1704038400000000LL},
	/* edges */
	{"1970-01-01T00:00:00Z", 0},
	{"1969-12-31T23:59:59Z", -1000000LL},
	{"1969-12-31T23:59:59.5Z", -500000LL},
	{"1970-01-01T08:00:00+08:00", 0},
	{"1900-01-01T00:00:00Z", -2208988800000000LL},
	{"0001-01-01T00:00:00Z", -62135596800000000LL},
	{"9999-12-31T23:59:59Z", 253402300799000000LL},
	{"2024-12-31T23:59:59Z", 1735689599000000LL},
	{"2024-12-31T23:59:59.999999Z", 1735689599999999LL},
};

static const char *const bad[] = {
	"",
	"2024-03-01",
	"2024-03-01T08:00:00",		   /* no offset */
	"2024-03-01T08:00:00.5",	   /* no offset after a fraction */
	"2024-03-01T08:00",		   /* no seconds */
	"2024-03-01T08:00Z",		   /* no seconds */
	"2024-03-01T23:59:60Z",		   /* leap second */
	"2016-12-31T23:59:60Z",		   /* a real leap second, still refused */
	"2024-03-01T24:00:00Z",		   /* hour 24 */
	"2024-03-01T12:60:00Z",		   /* minute 60 */
	"2024-13-01T00:00:00Z",		   /* month 13 */
	"2024-00-01T00:00:00Z",		   /* month 0 */
	"2024-03-00T00:00:00Z",		   /* day 0 */
	"2024-03-32T00:00:00Z",		   /* day 32 */
	"2024-04-31T00:00:00Z",		   /* April has 30 days */
	"2023-02-29T00:00:00Z",		   /* not a leap year */
	"1900-02-29T00:00:00Z",		   /* century, not a leap year */
	"2024-02-30T00:00:00Z",		   /* never */
	"0000-01-01T00:00:00Z",		   /* year 0 */
	"2024-03-01T00:00:00Zjunk",	   /* trailing garbage */
	"2024-03-01T00:00:00Z ",	   /* trailing space */
	"2024-03-01T00:00:00+08:00x",	   /* trailing garbage after an offset */
	"2024-03-01T00:00:00+08:00Z",	   /* two offsets */
	"2024-03-01T12:00:00.Z",	   /* empty fraction */
	"2024-03-01T12:00:00.+08:00",	   /* empty fraction */
	"2024-03-01T12:00:00.1234567890Z", /* 10-digit fraction */
	"2024-03-01T12:00:00,5Z",	   /* comma is not RFC 3339 */
	"2024-03-01T12:00:00+0800",	   /* offset without colon */
	"2024-03-01T12:00:00+08",	   /* offset without minutes */
	"2024-03-01T12:00:00+8:00",	   /* one-digit hour offset */
	"2024-03-01T12:00:00+24:00",	   /* offset hour 24 */
	"2024-03-01T12:00:00+08:60",	   /* offset minute 60 */
	"2024-03-01X12:00:00Z",		   /* bad separator */
	"2024-03-01_12:00:00Z",		   /* bad separator */
	"2024-03-01  12:00:00Z",	   /* two spaces */
	"2024/03/01T12:00:00Z",		   /* slashes */
	"24-03-01T12:00:00Z",		   /* two-digit year */
	"12024-03-01T12:00:00Z",	   /* five-digit year */
	"2024-3-01T12:00:00Z",		   /* one-digit month */
	"2024-03-1T12:00:00Z",		   /* one-digit day */
	"2024-03-01T8:00:00Z",		   /* one-digit hour */
	"2024-03-01T08:0:00Z",		   /* one-digit minute */
	"2024-03-01T08:00:0Z",		   /* one-digit second */
	"+2024-03-01T08:00:00Z",	   /* sign before year */
	"-2024-03-01T08:00:00Z",	   /* sign before year */
	" 2024-03-01T08:00:00Z",	   /* leading space */
	"2024-03-01T08:00:00z+08:00",	   /* both */
	"2024-03-01T08:00:00 Z",	   /* space before Z */
	"2024-03-01T0a:00:00Z",		   /* letter in a number */
	"1709251200",			   /* epoch seconds */
};

static void test_parse_good(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(good); i++) {
		int64_t us = 12345;
		int rc = et_rfc3339_parse(good[i].in, strlen(good[i].in), &us);
		if (rc != 0)
			fail_msg("case %zu \"%s\": rc %d, want 0", i, good[i].in, rc);
		if (us != good[i].us)
			fail_msg("case %zu \"%s\": %lld, want %lld", i, good[i].in, (long long)us,
				 (long long)good[i].us);
	}
}

static void test_parse_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		int64_t us = 12345;
		int rc = et_rfc3339_parse(bad[i], strlen(bad[i]), &us);
		if (rc != -EINVAL)
			fail_msg("case %zu \"%s\": rc %d, want -EINVAL", i, bad[i], rc);
		if (us != 12345)
			fail_msg("case %zu \"%s\": output written on failure", i, bad[i]);
	}
}

/* The input need not be NUL-terminated: only s[0..len) counts. */
static void test_parse_length_bounded(void **state)
{
	(void)state;
	const char *s = "2024-03-01T00:00:00Zjunk";
	int64_t us = 0;
	assert_int_equal(et_rfc3339_parse(s, 20, &us), 0);
	assert_true(us == 1709251200000000LL);
	/* Every proper prefix of a valid time is refused, never read past. */
	const char *full = "2024-03-01T08:00:00.123456+08:00";
	size_t n = strlen(full);
	for (size_t k = 0; k < n; k++) {
		char buf[64];
		memcpy(buf, full, k); /* no terminator inside the length */
		memset(buf + k, '9', sizeof(buf) - k);
		if (et_rfc3339_parse(buf, k, &us) != -EINVAL)
			fail_msg("prefix of length %zu accepted", k);
	}
	assert_int_equal(et_rfc3339_parse(full, n, &us), 0);
	assert_true(us == 1709251200123456LL);
	/* An embedded NUL is garbage, not an end. */
	const char nul[] = "2024-03-01T00:00:00Z\0";
	assert_int_equal(et_rfc3339_parse(nul, sizeof(nul) - 1, &us), -EINVAL);
}

/* Every day of a leap and a common year parses, and the day after the last
 * one of each month does not. */
static void test_parse_month_lengths(void **state)
{
	(void)state;
	static const struct {
		int year;
		int days[12];
	} years[] = {
		{2023, {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}},
		{2024, {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}},
		{1900, {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}},
		{2000, {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}},
		{2100, {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}},
	};
	for (size_t y = 0; y < ARRAY_LEN(years); y++) {
		int64_t prev = 0;
		int first = 1;
		for (int m = 1; m <= 12; m++) {
			for (int d = 1; d <= years[y].days[m - 1] + 1; d++) {
				char s[32];
				int64_t us;
				snprintf(s, sizeof(s), "%04d-%02d-%02dT00:00:00Z", years[y].year, m,
					 d);
				int rc = et_rfc3339_parse(s, strlen(s), &us);
				if (d > years[y].days[m - 1]) {
					if (rc != -EINVAL)
						fail_msg("%s accepted", s);
					continue;
				}
				if (rc != 0)
					fail_msg("%s refused", s);
				if (!first && us - prev != 86400LL * 1000000)
					fail_msg("%s is not one day after the day before", s);
				if (us !=
				    et_days_from_civil(years[y].year, (unsigned)m, (unsigned)d) *
					    86400LL * 1000000)
					fail_msg("%s disagrees with et_days_from_civil", s);
				prev = us;
				first = 0;
			}
		}
	}
}

/* Years 1 to 9999 hold in UTC too: an offset that moves the instant into
 * year 0 or 10000 is refused, because et_ts_format cannot write it and
 * PostgreSQL refuses year 0 (one such reading would fail a whole COPY).
 * Found by fuzz/fuzz_rfc3339.c: "9999-12-31T00:01:00-23:59". */
static void test_parse_utc_year_range(void **state)
{
	(void)state;
	static const char *const out[] = {
		"9999-12-31T00:01:00-23:59",	    "9999-12-31T23:59:59-00:01",
		"9999-12-31T23:59:59.999999-00:01", "9999-12-31T23:00:00-08:00",
		"0001-01-01T00:00:00+00:01",	    "0001-01-01T23:58:59.999999+23:59",
		"0001-01-01T08:00:00+08:01",
	};
	for (size_t i = 0; i < ARRAY_LEN(out); i++) {
		int64_t us = 12345;
		int rc = et_rfc3339_parse(out[i], strlen(out[i]), &us);
		if (rc != -EINVAL || us != 12345)
			fail_msg("\"%s\": rc %d (%lld), want -EINVAL", out[i], rc, (long long)us);
	}
	static const struct good_case edge[] = {
		{"0001-01-01T00:00:00+00:00", -62135596800000000LL},
		{"0001-01-01T23:59:00+23:59", -62135596800000000LL},
		{"0001-01-01T08:00:00+08:00", -62135596800000000LL},
		{"0001-01-01T00:00:00-23:59", -62135596800000000LL + 86340LL * 1000000},
		{"9999-12-31T23:59:59.999999Z", 253402300799999999LL},
		{"9999-12-31T00:00:59.999999-23:59", 253402300799999999LL},
		{"9999-12-31T23:59:59+23:59", 253402300799000000LL - 86340LL * 1000000},
	};
	for (size_t i = 0; i < ARRAY_LEN(edge); i++) {
		int64_t us = 0;
		int rc = et_rfc3339_parse(edge[i].in, strlen(edge[i].in), &us);
		if (rc != 0 || us != edge[i].us)
			fail_msg("\"%s\": rc %d, %lld, want %lld", edge[i].in, rc, (long long)us,
				 (long long)edge[i].us);
	}
}

static void test_days_from_civil(void **state)
{
	(void)state;
	static const struct {
		int64_t y;
		unsigned m, d;
		int64_t days;
	} t[] = {
		{1970, 1, 1, 0},	 {1970, 1, 2, 1},      {1969, 12, 31, -1},
		{2000, 3, 1, 11017},	 {2000, 2, 29, 11016}, {2024, 1, 1, 19723},
		{2024, 3, 1, 19783},	 {1900, 3, 1, -25508}, {1, 1, 1, -719162},
		{9999, 12, 31, 2932896},
	};
	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		int64_t got = et_days_from_civil(t[i].y, t[i].m, t[i].d);
		if (got != t[i].days)
			fail_msg("%lld-%u-%u: %lld, want %lld", (long long)t[i].y, t[i].m, t[i].d,
				 (long long)got, (long long)t[i].days);
	}
}

struct fmt_case {
	int64_t us;
	const char *text;
};

static const struct fmt_case fmts[] = {
	{0, "1970-01-01 00:00:00.000000+00"},
	{1, "1970-01-01 00:00:00.000001+00"},
	{999999, "1970-01-01 00:00:00.999999+00"},
	{1000000, "1970-01-01 00:00:01.000000+00"},
	{-1, "1969-12-31 23:59:59.999999+00"},
	{-500000, "1969-12-31 23:59:59.500000+00"},
	{-1000000, "1969-12-31 23:59:59.000000+00"},
	{-1000001, "1969-12-31 23:59:58.999999+00"},
	{-86400000000LL, "1969-12-31 00:00:00.000000+00"},
	{-86400000001LL, "1969-12-30 23:59:59.999999+00"},
	{1709251200000000LL, "2024-03-01 00:00:00.000000+00"},
	{1709251200123456LL, "2024-03-01 00:00:00.123456+00"},
	{1709251200000010LL, "2024-03-01 00:00:00.000010+00"},
	{1704038400000000LL, "2023-12-31 16:00:00.000000+00"},
	{1709164800000000LL, "2024-02-29 00:00:00.000000+00"},
	{951825600000000LL, "2000-02-29 12:00:00.000000+00"},
	{-2208988800000000LL, "1900-01-01 00:00:00.000000+00"},
	{-2203891200000001LL, "1900-02-28 23:59:59.999999+00"},
	{-62135596800000000LL, "0001-01-01 00:00:00.000000+00"},
	{253402300799999999LL, "9999-12-31 23:59:59.999999+00"},
	{1735689599999999LL, "2024-12-31 23:59:59.999999+00"},
};

static void test_format(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(fmts); i++) {
		char buf[ET_TS_TEXT_MAX + 1];
		memset(buf, 'X', sizeof(buf));
		size_t n = et_ts_format(fmts[i].us, buf);
		if (n != strlen(fmts[i].text) || memcmp(buf, fmts[i].text, n) != 0)
			fail_msg("case %zu %lld: \"%.*s\", want \"%s\"", i, (long long)fmts[i].us,
				 (int)n, buf, fmts[i].text);
		assert_true(n < ET_TS_TEXT_MAX);
		assert_int_equal(buf[n], 'X'); /* no terminator written */
	}
}

/* parse(format(us) + ":00") == us over a spread of instants, negative ones
 * included; and format(parse(text)) gives the UTC form of every good case. */
static void test_round_trip(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(fmts); i++) {
		char buf[ET_TS_TEXT_MAX + 4];
		size_t n = et_ts_format(fmts[i].us, buf);
		memcpy(buf + n, ":00", 3);
		int64_t back;
		assert_int_equal(et_rfc3339_parse(buf, n + 3, &back), 0);
		if (back != fmts[i].us)
			fail_msg("%lld came back as %lld", (long long)fmts[i].us, (long long)back);
	}
	/* A pseudo-random walk from year 1 to 9999, in steps that touch every
	 * microsecond digit and both signs. */
	uint64_t x = 88172645463325252ULL;
	for (int i = 0; i < 20000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		int64_t lo = -62135596800000000LL, hi = 253402300799999999LL;
		int64_t us = lo + (int64_t)(x % (uint64_t)(hi - lo + 1));
		char buf[ET_TS_TEXT_MAX + 4];
		size_t n = et_ts_format(us, buf);
		memcpy(buf + n, ":00", 3);
		int64_t back;
		if (et_rfc3339_parse(buf, n + 3, &back) != 0 || back != us)
			fail_msg("%lld -> \"%.*s\" does not round-trip", (long long)us, (int)n,
				 buf);
	}
	for (size_t i = 0; i < ARRAY_LEN(good); i++) {
		int64_t us, back;
		char buf[ET_TS_TEXT_MAX + 4];
		assert_int_equal(et_rfc3339_parse(good[i].in, strlen(good[i].in), &us), 0);
		size_t n = et_ts_format(us, buf);
		memcpy(buf + n, ":00", 3);
		assert_int_equal(et_rfc3339_parse(buf, n + 3, &back), 0);
		if (back != us)
			fail_msg("\"%s\" does not round-trip", good[i].in);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_parse_length_bounded),
		cmocka_unit_test(test_parse_month_lengths),
		cmocka_unit_test(test_parse_utc_year_range),
		cmocka_unit_test(test_days_from_civil),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
