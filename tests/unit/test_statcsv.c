/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/statcsv.c: periods and their first and last days; a
 * good file in Excel's dialect (CRLF, quoting, thousands separators, a note
 * over two lines, empty rows); every kind of bad field with its line and
 * column, all of them and in order; repeated keys; the header; quoting
 * errors; unit conversion and bounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enertrack/buf.h"
#include "enertrack/statcsv.h"

#define H ET_STAT_COLUMNS "\r\n"

struct got {
	et_buf_t rows, errs;
	int stop_at; /* on_row returns -EIO at this row (1-based), 0: never */
	int nrows;
	size_t last_done, last_total;
	int progress_calls;
};

static void add(et_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(et_buf_t *b, const char *fmt, ...)
{
	char line[3000];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	assert_int_equal(et_buf_append(b, line, (size_t)n), 0);
}

static int on_row(void *ctx, const et_stat_row_t *r)
{
	struct got *g = ctx;
	if (++g->nrows == g->stop_at)
		return -EIO;
	add(&g->rows, "%u|%s|%s|%s|%s|%s|%.17g|%.17g|%s|%s|%s%s%s\n", r->line, r->scope, r->metric,
	    r->period, r->period_start, r->period_end, r->value, r->value_in, r->unit_in, r->source,
	    r->note, r->published[0] ? "|published " : "", r->published);
	return 0;
}

static void on_error(void *ctx, unsigned line, unsigned col, const char *reason)
{
	struct got *g = ctx;
	add(&g->errs, "%u:%u: %s\n", line, col, reason);
}

static void on_progress(void *ctx, size_t done, size_t total)
{
	struct got *g = ctx;
	assert_true(done <= total);
	assert_true(done >= g->last_done);
	g->last_done = done;
	g->last_total = total;
	g->progress_calls++;
}

/* Parses text; rows and errors come back as text (free with done()). */
static int parse(struct got *g, const char *text, et_statcsv_counts_t *n)
{
	et_statcsv_cb_t cb = {on_row, on_error, on_progress, g};
	int rc = et_statcsv_parse(text, strlen(text), &cb, n);
	assert_int_equal(et_buf_append(&g->rows, "", 1), 0);
	assert_int_equal(et_buf_append(&g->errs, "", 1), 0);
	return rc;
}

static void done(struct got *g)
{
	et_buf_free(&g->rows);
	et_buf_free(&g->errs);
}

static void expect(const char *text, const char *want_rows, const char *want_errs,
		   unsigned long want_bad)
{
	struct got g = {0};
	et_statcsv_counts_t n;
	assert_int_equal(parse(&g, text, &n), 0);
	if (strcmp(g.rows.data, want_rows) != 0)
		fail_msg("rows:\n%s\nwanted:\n%s", g.rows.data, want_rows);
	if (strcmp(g.errs.data, want_errs) != 0)
		fail_msg("errors:\n%s\nwanted:\n%s", g.errs.data, want_errs);
	assert_int_equal(n.bad_lines, want_bad);
	assert_true(g.progress_calls >= 1);
	assert_int_equal(g.last_done, strlen(text));
	done(&g);
}

/* The text rules of MQTT v1 everywhere: C1 controls and
 * right-to-left overrides are refused in every field, the note too. */
static void test_invisible_controls(void **state)
{
	(void)state;
	expect(H "county:a\xc2\x85"
		 "b,raw_coal,2024-01,1,t,s,\n"
		 "city,raw_coal,2024-01,1,t,s\xe2\x80\xae,\n"
		 "city,raw_coal,2024-02,1,t,s,note \xe2\x81\xa6x\n",
	       "",
	       "2:1: scope has a control character\n"
	       "3:6: source has a control character\n"
	       "4:7: note has a control character\n",
	       3);
}

static void test_periods(void **state)
{
	(void)state;
	static const struct {
		const char *in, *period, *start, *end;
	} ok[] = {
		{"2024-01", "2024-01", "2024-01-01", "2024-02-01"},
		{"2024-12", "2024-12", "2024-12-01", "2025-01-01"},
		{"2024-2", "2024-02", "2024-02-01", "2024-03-01"},
		{"2024-Q1", "2024-Q1", "2024-01-01", "2024-04-01"},
		{"2024-q3", "2024-Q3", "2024-07-01", "2024-10-01"},
		{"2024-Q4", "2024-Q4", "2024-10-01", "2025-01-01"},
		{"2023", "2023", "2023-01-01", "2024-01-01"},
		{"2199-12", "2199-12", "2199-12-01", "2200-01-01"},
		/* halves, and 累计 ranges from January (1–2月) */
		{"2024-H1", "2024-H1", "2024-01-01", "2024-07-01"},
		{"2024-h2", "2024-H2", "2024-07-01", "2025-01-01"},
		{"2024-01..2024-02", "2024-01..2024-02", "2024-01-01", "2024-03-01"},
		{"2024-1..2024-12", "2024-01..2024-12", "2024-01-01", "2025-01-01"},
		{"2024-01..2024-01", "2024-01", "2024-01-01", "2024-02-01"},
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char p[ET_STAT_PERIOD_MAX], s[11], e[11];
		if (et_stat_period_parse(ok[i].in, strlen(ok[i].in), p, s, e))
			fail_msg("%s refused", ok[i].in);
		assert_string_equal(p, ok[i].period);
		assert_string_equal(s, ok[i].start);
		assert_string_equal(e, ok[i].end);
	}
	static const char *const bad[] = {
		"", "202", "20245", "2024-00", "2024-13", "2024-Q0", "2024-Q5", "2024-Q", "2024/01",
		"2024-1-1", "Jan-24", "1899", "2200", "2024-001", "2024-", "２０２４", "2024-01 ",
		/* a range starts in January, within one year */
		"2024-02..2024-03", "2024-01..2025-02", "2024-01..2024-13", "2024-01.2024-02",
		"2024-01..", "2024-H3", "2024-H0"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char p[ET_STAT_PERIOD_MAX], s[11], e[11];
		if (et_stat_period_parse(bad[i], strlen(bad[i]), p, s, e) != -EINVAL)
			fail_msg("'%s' accepted", bad[i]);
	}
}

static void test_good_excel_file(void **state)
{
	(void)state;
	expect(H "city,raw_coal,2024-01,\"1,234.5\",万吨,统计局,\"a \"\"quoted\"\" note, with a "
		 "comma\"\r\n"
		 "\r\n"
		 "county:襄垣县,generation,2024-q1,12.5,亿千瓦时,nbs,\"two\r\nlines\"\r\n"
		 ",,,,,,\r\n"
		 "site:plant-1,capacity_commissioned,2024,9,kW,nbs,\r\n"
		 "  city , gdp , 2024-3 , 1e3 , 亿元 , nbs ,\r\n"
		 "city,advanced_capacity_share,2024-Q2,100,%,nbs,\"\"\r\n"
		 "city,raw_coal,2024-01,1.7,万吨,other source,",
	       "2|city|raw_coal|2024-01|2024-01-01|2024-02-01|12345000|1234.5|万吨|统计局|a "
	       "\"quoted\" "
	       "note, with a comma\n"
	       "4|county:襄垣县|generation|2024-Q1|2024-01-01|2024-04-01|1250000|12.5|亿千瓦时|nbs|"
	       "two\r\nlines\n"
	       "7|site:plant-1|capacity_commissioned|2024|2024-01-01|2025-01-01|0."
	       "0089999999999999993|9|"
	       "kW|nbs|\n"
	       "8|city|gdp|2024-03|2024-03-01|2024-04-01|100000000000|1000|亿元|nbs|\n"
	       "9|city|advanced_capacity_share|2024-Q2|2024-04-01|2024-07-01|100|100|%|nbs|\n"
	       "10|city|raw_coal|2024-01|2024-01-01|2024-02-01|17000|1.7|万吨|other source|\n",
	       "", 0);
	/* GDP growth at comparable prices may be negative */
	expect(H "city,gdp_real_growth,2024-02,-3.2,%,nbs,\r\n",
	       "2|city|gdp_real_growth|2024-02|2024-02-01|2024-03-01|-3.2000000000000002|"
	       "-3.2000000000000002|%|nbs|\n",
	       "", 0);
	/* LF only, header in capitals, trailing empty columns as Excel writes them */
	expect("SCOPE,Metric,period,value,unit,source,note,,\nsite:m1,raw_coal,2024-05,3,t,s,,,\n",
	       "2|site:m1|raw_coal|2024-05|2024-05-01|2024-06-01|3|3|t|s|\n", "", 0);
}

/* Issue 21: the optional published column, after note. */
static void test_published(void **state)
{
	(void)state;
	expect("scope,metric,period,value,unit,source,note,published\n"
	       "city,raw_coal,2024-01..2024-02,2,万吨,nbs,1–2月,2024-03-15\n"
	       "city,raw_coal,2024-03,1,万吨,nbs,,\n"
	       "city,raw_coal,2024-04,1,万吨,nbs,,2024-02-30\n"
	       "city,raw_coal,2024-05,1,万吨,nbs,,2024-06-15,x\n",
	       "2|city|raw_coal|2024-01..2024-02|2024-01-01|2024-03-01|20000|2|万吨|nbs|1–2月|"
	       "published 2024-03-15\n"
	       "3|city|raw_coal|2024-03|2024-03-01|2024-04-01|10000|1|万吨|nbs|\n",
	       "4:8: published \"2024-02-30\" is not a day YYYY-MM-DD (format the column as text "
	       "in Excel)\n"
	       "5:9: more than 8 fields (scope,metric,period,value,unit,source,note,published)\n",
	       2);
}

static void test_bad_fields(void **state)
{
	(void)state;
	expect(H "site:m-1,raw_coal,2024,3,吨x,nbs,\r\n"
		 "city,foo,2024-13,abc,MW,,\r\n"
		 "city,raw_coal,2024-02,3,MW,nbs,x,y\r\n"
		 "city,raw_coal\r\n"
		 "province,energy_intensity,2024-01,-1,%,nbs,\r\n"
		 "site:Mine-1,raw_coal,2024-01,\"1,23\",t,nbs,\r\n"
		 "county:,raw_coal,2024-01,0x10,t,nbs,\r\n"
		 "city,advanced_capacity_share,2024-01,100.5,%,nbs,\r\n"
		 "city,raw_coal,2024-01,inf,t,nbs,\r\n"
		 "city,raw_coal,2024-01,2,亿吨,nbs,\r\n"
		 "city,raw_coal,2024-03,101,亿吨,nbs,\r\n"
		 "city,raw_coal,2024-02,1,t,nbs,fine\r\n",
	       "11|city|raw_coal|2024-01|2024-01-01|2024-02-01|200000000|2|亿吨|nbs|\n"
	       "13|city|raw_coal|2024-02|2024-02-01|2024-03-01|1|1|t|nbs|fine\n",
	       "2:5: unit \"吨x\" is not known\n"
	       "3:2: metric \"foo\" is not known\n"
	       "3:3: period \"2024-13\" is not YYYY-MM, YYYY-Qn, YYYY-Hn, YYYY-01..YYYY-MM or YYYY "
	       "(format the column as text in Excel)\n"
	       "3:4: value \"abc\" is not a number\n"
	       "3:6: source is empty\n"
	       "4:5: unit \"MW\" does not fit raw_coal (a mass: t, kt, Mt, 万吨, 亿吨)\n"
	       "4:8: more than 7 fields (scope,metric,period,value,unit,source,note)\n"
	       "5:3: 2 fields, expected 7 (scope,metric,period,value,unit,source,note): no period\n"
	       "6:1: scope \"province\" is not city, county:<name> or site:<id>\n"
	       "6:2: metric \"energy_intensity\" is derived (energy_consumption and "
	       "gdp_real_growth): import those two\n"
	       "6:4: value -1 is negative\n"
	       "7:1: scope \"site:Mine-1\": a site id is 1-64 of a-z 0-9 _ . - (starting with a "
	       "letter or digit)\n"
	       "7:4: value \"1,23\" is not a number\n"
	       "8:1: scope \"county:\" has no county name\n"
	       "8:4: value \"0x10\" is not a number\n"
	       "9:4: value 100.5 % is above 100 %, the bound for advanced_capacity_share\n"
	       "10:4: value \"inf\" is not a number\n"
	       "12:4: value 101 亿吨 is above 1e+10 t, the bound for raw_coal\n",
	       10);
}

static void test_long_fields_cut_whole(void **state)
{
	(void)state;
	/* 27 three-byte characters: "%.80s" keeps 26 and two bytes of the
	 * 27th; the message stays valid UTF-8 */
	expect(H "city,raw_coal,2024-01,1,一二三四五六七八九十一二三四五六七八九十一二三四五六七,s,"
		 "\n",
	       "",
	       "2:5: unit \"一二三四五六七八九十一二三四五六七八九十一二三四五六??\" is not "
	       "known\n",
	       1);
}

static void test_lines_of_multiline_records(void **state)
{
	(void)state;
	/* a scope with a line break: the record starts on line 2, its value
	 * is on line 3; the next record starts on line 4 */
	expect(H "\"county:a\nb\",raw_coal,2024-01,x,t,s,\"note\n\nover three lines\"\n"
		 "city,raw_coal,2024-01,1,tt,s,\n",
	       "",
	       "2:1: scope has a control character\n"
	       "3:4: value \"x\" is not a number\n"
	       "6:5: unit \"tt\" is not known\n",
	       2);
}

static void test_repeated_keys(void **state)
{
	(void)state;
	/* 3000 keys (the set grows several times), then two repeats */
	et_buf_t b = ET_BUF_INIT;
	add(&b, "%s", H);
	for (int i = 0; i < 3000; i++)
		add(&b, "site:s%d,raw_coal,2024-%02d,%d,t,nbs,\r\n", i / 12, i % 12 + 1, i);
	add(&b, "site:s125,raw_coal,2024-1,7,t,nbs,\r\nsite:s125,raw_coal,2024-01,7,t,other,\r\n"
		"site:s0,raw_coal,2024-12,1,t,nbs,\r\n");
	add(&b, "%c", '\0');
	struct got g = {0};
	et_statcsv_counts_t n;
	assert_int_equal(parse(&g, b.data, &n), 0);
	assert_string_equal(g.errs.data,
			    "3002:1: site:s125 raw_coal 2024-01 from nbs is already on line 1502 "
			    "(one figure per scope, metric, period and source)\n"
			    "3004:1: site:s0 raw_coal 2024-12 from nbs is already on line 13 (one "
			    "figure per scope, metric, period and source)\n");
	assert_int_equal(n.rows, 3001);
	assert_int_equal(n.bad_lines, 2);
	assert_int_equal(n.lines, 3004);
	done(&g);
	et_buf_free(&b);
}

static void test_header(void **state)
{
	(void)state;
	expect("scope,metric,periode,value,unit,source,note\ncity,raw_coal,2024-01,1,t,s,\n", "",
	       "1:3: header column 3 is \"periode\", expected \"period\" (the header is "
	       "scope,metric,period,value,unit,source,note)\n",
	       1);
	expect("scope,metric,period\n", "",
	       "1:4: the header has 3 columns; expected "
	       "scope,metric,period,value,unit,source,note\n",
	       1);
	expect("city,raw_coal,2024-01,1,t,s,\n", "",
	       "1:1: header column 1 is \"city\", expected \"scope\" (the header is "
	       "scope,metric,period,value,unit,source,note)\n",
	       1);
	expect("", "",
	       "1:1: no header: the first line is scope,metric,period,value,unit,source,note\n", 1);
	expect("\r\n\r\n", "",
	       "1:1: no header: the first line is scope,metric,period,value,unit,source,note\n", 1);
	/* only a header: nothing to do, nothing wrong */
	expect(H, "", "", 0);
}

static void test_quoting_errors(void **state)
{
	(void)state;
	/* a stray quote: that line is reported and parsing goes on */
	expect(H "city,raw_coal,2024-0\"2,3,t,nbs,\r\n"
		 "city,raw_coal,\"2024-03\"x,3,t,nbs,\r\n"
		 "city,raw_coal,2024-04,3,t,nbs,\r\n",
	       "4|city|raw_coal|2024-04|2024-04-01|2024-05-01|3|3|t|nbs|\n",
	       "2:3: a quote inside an unquoted field, or text after a closing quote (quote a "
	       "field with \"...\" and double a quote inside it)\n"
	       "3:3: a quote inside an unquoted field, or text after a closing quote (quote a "
	       "field with \"...\" and double a quote inside it)\n",
	       2);
	/* a quote never closed swallows the rest of the file */
	expect(H "city,raw_coal,2024-01,3,t,nbs,\"open\r\ncity,raw_coal,2024-02,3,t,nbs,\r\n", "",
	       "2:7: the file ends inside a quoted field (a quote is not closed)\n", 1);
}

static void test_row_callback_stops(void **state)
{
	(void)state;
	struct got g = {.stop_at = 2};
	et_statcsv_counts_t n;
	assert_int_equal(parse(&g,
			       H "city,raw_coal,2024-01,1,t,s,\ncity,raw_coal,2024-02,1,t,s,\n"
				 "city,raw_coal,2024-03,1,t,s,\n",
			       &n),
			 -EIO);
	assert_int_equal(n.rows, 1);
	done(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_periods),
		cmocka_unit_test(test_good_excel_file),
		cmocka_unit_test(test_bad_fields),
		cmocka_unit_test(test_published),
		cmocka_unit_test(test_lines_of_multiline_records),
		cmocka_unit_test(test_long_fields_cut_whole),
		cmocka_unit_test(test_repeated_keys),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_invisible_controls),
		cmocka_unit_test(test_quoting_errors),
		cmocka_unit_test(test_row_callback_stops),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
