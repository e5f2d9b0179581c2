/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/chartplan.c: round ticks that cover the range within
 * the tick budget, the degenerate ranges, pixel mapping, and the labels
 * (thousands grouped, decimals from the step, no "-0"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <string.h>

#include "enertrack/chartplan.h"

static void test_ticks(void **state)
{
	(void)state;
	static const struct {
		double lo, hi;
		int max;
		double alo, ahi, step;
	} cases[] = {
		{0, 97, 5, 0, 100, 25},		  {0, 1234, 6, 0, 1250, 250},
		{0, 0.93, 5, 0, 1, 0.25},	  {-3.2, 7.9, 6, -5, 10, 5},
		{12.5, 13.1, 5, 12.4, 13.2, 0.2}, {0, 366, 7, 0, 400, 100},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		et_axis_t ax;
		assert_int_equal(et_axis_plan(cases[i].lo, cases[i].hi, cases[i].max, &ax), 0);
		assert_true(ax.lo <= cases[i].lo && ax.hi >= cases[i].hi);
		assert_true(ax.nticks >= 2 && ax.nticks <= cases[i].max);
		assert_true(fabs(ax.lo - cases[i].alo) < 1e-9);
		assert_true(fabs(ax.hi - cases[i].ahi) < 1e-9);
		assert_true(fabs(ax.step - cases[i].step) < 1e-9);
	}
}

static void test_degenerate(void **state)
{
	(void)state;
	et_axis_t ax;
	assert_int_equal(et_axis_plan(0, 0, 5, &ax), 0);
	assert_true(ax.lo <= 0 && ax.hi > 0);
	assert_int_equal(et_axis_plan(50, 50, 5, &ax), 0);
	assert_true(ax.lo < 50 && ax.hi > 50);
	assert_int_equal(et_axis_plan(10, 0, 5, &ax), 0); /* swapped */
	assert_true(ax.lo <= 0 && ax.hi >= 10);
	assert_int_equal(et_axis_plan(NAN, 1, 5, &ax), -EINVAL);
	assert_int_equal(et_axis_plan(0, INFINITY, 5, &ax), -EINVAL);
	assert_int_equal(et_axis_plan(0, 1, 1, &ax), -EINVAL);
}

static void test_px(void **state)
{
	(void)state;
	assert_true(fabs(et_axis_px(50, 0, 100, 300, 100) - 200) < 1e-9);
	assert_true(fabs(et_axis_px(0, 0, 100, 10, 110) - 10) < 1e-9);
	assert_true(fabs(et_axis_px(7, 3, 3, 10, 110) - 10) < 1e-9);
}

static void test_labels(void **state)
{
	(void)state;
	char b[64];
	et_axis_label(1250, 250, b, sizeof(b));
	assert_string_equal(b, "1,250");
	et_axis_label(1234567, 100000, b, sizeof(b));
	assert_string_equal(b, "1,234,567");
	et_axis_label(0.25, 0.25, b, sizeof(b));
	assert_string_equal(b, "0.25");
	et_axis_label(3.5, 0.5, b, sizeof(b));
	assert_string_equal(b, "3.5");
	et_axis_label(-20, 10, b, sizeof(b));
	assert_string_equal(b, "-20");
	et_axis_label(-1e-17, 0.5, b, sizeof(b));
	assert_string_equal(b, "0.0");
	et_axis_label(2.5, 2.5, b, sizeof(b));
	assert_string_equal(b, "2.5");
	et_axis_label(5, 2.5, b, sizeof(b));
	assert_string_equal(b, "5.0");
	et_axis_label(-1500, 500, b, sizeof(b));
	assert_string_equal(b, "-1,500");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ticks),
		cmocka_unit_test(test_degenerate),
		cmocka_unit_test(test_px),
		cmocka_unit_test(test_labels),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
