/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/numfmt.c: table-driven, one row per style and edge
 * (no value, -0, grouping, the prose style's small and huge numbers). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "enertrack/numfmt.h"

static void test_styles(void **state)
{
	(void)state;
	static const struct {
		et_num_style_t style;
		double v;
		const char *want;
	} cases[] = {
		{ET_NUM_PROSE, 84.3, "84.30"},
		{ET_NUM_PROSE, 297.54, "297.5"},
		{ET_NUM_PROSE, 1297.5, "1297.5"},
		{ET_NUM_PROSE, 12345.4, "12,345"},
		{ET_NUM_PROSE, -12345.6, "-12,346"},
		{ET_NUM_PROSE, 0.0123, "0.0123"},
		{ET_NUM_PROSE, -0.0, "0.00"},
		{ET_NUM_PROSE, 2e15, "2e+15"},
		{ET_NUM_PROSE, NAN, "n/a"},
		{ET_NUM_PROSE, INFINITY, "n/a"},
		{ET_NUM_TABLE, 84.3, "84.30"},
		{ET_NUM_TABLE, 1297.54, "1,297.5"},
		{ET_NUM_TABLE, 1234567.8, "1,234,568"},
		{ET_NUM_TABLE, -0.001, "0.00"},
		{ET_NUM_TABLE, -5.5, "-5.50"},
		{ET_NUM_TABLE, NAN, "n/a"},
		{ET_NUM_SIG3, 12345, "1.23e+04"},
		{ET_NUM_SIG3, 84.31, "84.3"},
		{ET_NUM_SIG3, -NAN, "n/a"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char b[64];
		int n = et_num(b, sizeof(b), cases[i].v, cases[i].style);
		assert_string_equal(b, cases[i].want);
		assert_int_equal(n, (int)strlen(cases[i].want));
	}
}

static void test_fixed_pct(void **state)
{
	(void)state;
	char b[64];
	et_num_fixed(b, sizeof(b), 168.214, 2, false);
	assert_string_equal(b, "168.21");
	et_num_fixed(b, sizeof(b), 1234.5, 1, true);
	assert_string_equal(b, "1,234.5");
	et_num_fixed(b, sizeof(b), -1234567, 0, true);
	assert_string_equal(b, "-1,234,567");
	et_num_fixed(b, sizeof(b), 999.96, 1, true);
	assert_string_equal(b, "1,000.0");
	et_num_fixed(b, sizeof(b), NAN, 1, false);
	assert_string_equal(b, "n/a");
	et_num_pct(b, sizeof(b), 12.34, false);
	assert_string_equal(b, "12.3 %");
	et_num_pct(b, sizeof(b), -0.44, true);
	assert_string_equal(b, "-0.4 %");
	et_num_pct(b, sizeof(b), 0, true);
	assert_string_equal(b, "+0.0 %");
	/* never "-0.0 %": a drift that rounds to nothing reads as none */
	et_num_pct(b, sizeof(b), -0.04, true);
	assert_string_equal(b, "+0.0 %");
	et_num_pct(b, sizeof(b), 0.05001, true);
	assert_string_equal(b, "+0.1 %");
	et_num_pct(b, sizeof(b), -1234.56, false);
	assert_string_equal(b, "-1234.6 %");
	et_num_pct(b, sizeof(b), NAN, true);
	assert_string_equal(b, "n/a");
	/* cut to the buffer, NUL-terminated, the whole length returned */
	char small[4];
	assert_int_equal(et_num_fixed(small, sizeof(small), 12345, 0, true), 6);
	assert_string_equal(small, "12,");
}

static void test_units(void **state)
{
	(void)state;
	double k;
	assert_string_equal(et_unit_local("Mt", true, &k), "万吨");
	assert_true(k == 100);
	assert_string_equal(et_unit_local("MW", true, &k), "万千瓦");
	assert_true(k == 0.1);
	assert_string_equal(et_unit_local("Mtce", true, &k), "万吨标准煤");
	assert_true(k == 100);
	assert_string_equal(et_unit_local("GWh", true, &k), "亿千瓦时");
	assert_true(k == 0.01);
	assert_string_equal(et_unit_local("亿元", true, &k), "亿元");
	assert_true(k == 1);
	assert_string_equal(et_unit_local("Mt", false, &k), "Mt");
	assert_true(k == 1);
	assert_int_equal(et_unit_decimals("万吨"), 1);
	assert_int_equal(et_unit_decimals("亿千瓦时"), 2);
	assert_int_equal(et_unit_decimals("Mt"), 2);
	assert_int_equal(et_unit_decimals("%"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_styles),
		cmocka_unit_test(test_fixed_pct),
		cmocka_unit_test(test_units),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
