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
#include <stdio.h>
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

/* A target of 1200 for a year of 360 days (t in days for readability):
 * 300 done at day 90, so the year-to-date pace gives 1200 and the 30-day
 * projection says 1000. */
static void sample_target(et_chart_target_t *d)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->aggregate, sizeof(d->aggregate), "sum");
	d->year = 2026;
	d->div = 1;
	d->target = 1200;
	d->actual = 300;
	d->projected = 1000;
	d->tol = 5;
	d->t0 = 0;
	d->t1 = 360;
	d->at = 90;
	d->n = 3;
	double t[3] = {0, 90, 359}, e[3] = {0, 280, 1200}, a[3] = {0, 300, NAN};
	for (int i = 0; i < 3; i++) {
		d->t[i] = t[i];
		d->expected[i] = e[i];
		d->actual_at[i] = a[i];
	}
}

static void test_band(void **state)
{
	(void)state;
	et_chart_target_t d;
	sample_target(&d);
	double lo, hi;
	et_projection_band(&d, &lo, &hi);
	/* the 30-day projection less its tolerance, the year-to-date pace */
	assert_true(fabs(lo - 950) < 1e-9);
	assert_true(fabs(hi - 1200) < 1e-9);
	/* a level (not summed): no year-to-date pace, only the tolerance */
	snprintf(d.aggregate, sizeof(d.aggregate), "avg");
	et_projection_band(&d, &lo, &hi);
	assert_true(fabs(lo - 950) < 1e-9 && fabs(hi - 1050) < 1e-9);
	/* never below what is done, for a summed metric */
	snprintf(d.aggregate, sizeof(d.aggregate), "sum");
	d.projected = 290;
	d.tol = NAN;
	et_projection_band(&d, &lo, &hi);
	assert_true(fabs(lo - 300) < 1e-9);
	/* no projection: no band */
	d.projected = NAN;
	et_projection_band(&d, &lo, &hi);
	assert_true(isnan(lo) && isnan(hi));
}

static void test_target_plan(void **state)
{
	(void)state;
	et_chart_target_t d;
	sample_target(&d);
	et_target_plan_t pl;
	assert_int_equal(et_target_plan(&d, 390, &pl), 0);
	assert_int_equal(pl.h, 281); /* 390 * 0.72 */
	assert_true(pl.sum);
	assert_int_equal(pl.month_every, 2);
	assert_true(pl.lo == 0 && fabs(pl.hi - 1200) < 1e-9);
	assert_true(pl.ax.lo <= 0 && pl.ax.hi >= 1200 && pl.ax.nticks <= 5);
	assert_int_equal(et_target_plan(&d, 1000, &pl), 0);
	assert_int_equal(pl.h, 450); /* 300 + 1000 * 0.15 */
	assert_int_equal(pl.month_every, 1);
	/* display units: the axis follows div */
	d.div = 1000;
	assert_int_equal(et_target_plan(&d, 640, &pl), 0);
	assert_true(fabs(pl.hi - 1.2) < 1e-9);
	/* nothing known: a unit range */
	memset(&d, 0, sizeof(d));
	d.div = 1;
	d.target = d.actual = d.projected = NAN;
	assert_int_equal(et_target_plan(&d, 640, &pl), 0);
	assert_true(pl.lo == 0 && pl.hi == 1);
	assert_true(isnan(pl.band_lo));
}

static void test_gap_plan(void **state)
{
	(void)state;
	et_chart_gap_t g;
	memset(&g, 0, sizeof(g));
	et_gap_plan_t pl;
	assert_int_equal(et_gap_plan(&g, 640, &pl), 0);
	assert_int_equal(pl.h, 220);
	g.nbars = 3;
	g.bars[0].gap = -42;
	g.bars[1].gap = -7;
	g.bars[2].gap = 12;
	assert_int_equal(et_gap_plan(&g, 640, &pl), 0);
	assert_int_equal(pl.h, 90 + 90 + 64);
	assert_true(pl.ax.lo <= -42 && pl.ax.hi >= 12 && pl.ax.nticks <= 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ticks),	 cmocka_unit_test(test_degenerate),
		cmocka_unit_test(test_px),	 cmocka_unit_test(test_labels),
		cmocka_unit_test(test_band),	 cmocka_unit_test(test_target_plan),
		cmocka_unit_test(test_gap_plan),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
