/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/units.c: the unit table of docs/message-format.md, the
 * dimension of each canonical metric, conversion factors, and the two kinds
 * of refusal (-EDOM for another dimension, -ENOENT for an unknown unit). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "enertrack/units.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Every unit of docs/message-format.md, its dimension and what 1, 1.5 and a value with
 * many digits come to in the canonical unit. The expectations are the
 * correctly rounded decimal results (what a person computes by hand), so a
 * factor like 1e-3 must not add a stray last digit. */
static const struct conv {
	const char *unit;
	enum et_dim dim;
	double one;	 /* 1 unit */
	double one_half; /* 1.5 units */
	double in, out;	 /* another value and its conversion */
} convs[] = {
	{"t", ET_DIM_MASS, 1, 1.5, 412.5, 412.5},
	{"kt", ET_DIM_MASS, 1e3, 1500, 0.25, 250},
	{"Mt", ET_DIM_MASS, 1e6, 1.5e6, 170, 170e6},
	{"万吨", ET_DIM_MASS, 1e4, 15000, 1.7, 17000},
	{"亿吨", ET_DIM_MASS, 1e8, 1.5e8, 1.7, 170000000},
	{"kW", ET_DIM_POWER, 0.001, 0.0015, 9, 0.009},
	{"MW", ET_DIM_POWER, 1, 1.5, 600, 600},
	{"GW", ET_DIM_POWER, 1e3, 1500, 2.25, 2250},
	{"万千瓦", ET_DIM_POWER, 10, 15, 60, 600},
	{"kWh", ET_DIM_ENERGY, 0.001, 0.0015, 13, 0.013},
	{"MWh", ET_DIM_ENERGY, 1, 1.5, 0.5, 0.5},
	{"GWh", ET_DIM_ENERGY, 1e3, 1500, 3.5, 3500},
	{"万千瓦时", ET_DIM_ENERGY, 10, 15, 2.5, 25},
	{"亿千瓦时", ET_DIM_ENERGY, 1e5, 1.5e5, 12.5, 1250000},
	{"tce", ET_DIM_COAL_EQ, 1, 1.5, 99.25, 99.25},
	{"万吨标准煤", ET_DIM_COAL_EQ, 1e4, 15000, 1.8, 18000},
	{"CNY", ET_DIM_MONEY, 1, 1.5, 1e9, 1e9},
	{"元", ET_DIM_MONEY, 1, 1.5, 123.45, 123.45},
	{"万元", ET_DIM_MONEY, 1e4, 15000, 2.5, 25000},
	{"亿元", ET_DIM_MONEY, 1e8, 1.5e8, 2500, 2.5e11},
	{"%", ET_DIM_SHARE, 1, 1.5, 95, 95},
};

#define CHECK_CONV(unit, dim, in, want)                                                            \
	do {                                                                                       \
		double got_ = -1;                                                                  \
		int rc_ = et_unit_convert((dim), (unit), strlen(unit), (in), &got_);               \
		if (rc_ != 0)                                                                      \
			fail_msg("%s: %.17g: rc %d", (unit), (double)(in), rc_);                   \
		if (got_ != (want))                                                                \
			fail_msg("%s: %.17g -> %.17g, want %.17g", (unit), (double)(in), got_,     \
				 (double)(want));                                                  \
	} while (0)

static void test_convert_every_unit(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(convs); i++) {
		const struct conv *c = &convs[i];
		CHECK_CONV(c->unit, c->dim, 1.0, c->one);
		CHECK_CONV(c->unit, c->dim, 1.5, c->one_half);
		CHECK_CONV(c->unit, c->dim, c->in, c->out);
		CHECK_CONV(c->unit, c->dim, 0.0, 0.0);
		CHECK_CONV(c->unit, c->dim, -2.0, -2.0 * c->one);
	}
}

/* Sub-unit factors (kW, kWh) must give the decimal result, correctly
 * rounded, for every whole number: 9 kW is 0.009 MW, not 0.009000000000000001. */
static void test_sub_unit_exact(void **state)
{
	(void)state;
	for (int v = 0; v <= 100000; v++) {
		double got;
		assert_int_equal(et_unit_convert(ET_DIM_POWER, "kW", 2, v, &got), 0);
		if (got != v / 1000.0)
			fail_msg("%d kW -> %.17g MW, want %.17g", v, got, v / 1000.0);
		assert_int_equal(et_unit_convert(ET_DIM_ENERGY, "kWh", 3, v, &got), 0);
		if (got != v / 1000.0)
			fail_msg("%d kWh -> %.17g MWh, want %.17g", v, got, v / 1000.0);
	}
}

/* The table holds exactly the units of docs/message-format.md, each with its dimension and
 * factor, and nothing else. */
static void test_table(void **state)
{
	(void)state;
	size_t i = 0;
	enum et_dim dim;
	double factor;
	const char *name;
	while ((name = et_unit_at(i, &dim, &factor)) != NULL) {
		size_t k;
		for (k = 0; k < ARRAY_LEN(convs); k++)
			if (strcmp(convs[k].unit, name) == 0)
				break;
		if (k == ARRAY_LEN(convs))
			fail_msg("unit \"%s\" is not in docs/message-format.md", name);
		if (dim != convs[k].dim)
			fail_msg("unit \"%s\": dimension %d, want %d", name, dim, convs[k].dim);
		if (factor != convs[k].one)
			fail_msg("unit \"%s\": factor %.17g, want %.17g", name, factor,
				 convs[k].one);
		i++;
	}
	assert_int_equal(i, ARRAY_LEN(convs));
	assert_null(et_unit_at(i, &dim, &factor));
	assert_null(et_unit_at((size_t)-1, &dim, &factor));
}

static const struct metric_case {
	const char *metric;
	enum et_dim dim;
	const char *canonical;
} metrics[] = {
	{"raw_coal", ET_DIM_MASS, "t"},
	{"capacity_commissioned", ET_DIM_POWER, "MW"},
	{"generation", ET_DIM_ENERGY, "MWh"},
	{"energy_consumption", ET_DIM_COAL_EQ, "tce"},
	{"gdp", ET_DIM_MONEY, "CNY"},
	{"advanced_capacity_share", ET_DIM_SHARE, "%"},
	/* not canonical: stored as they come */
	{"temperature", ET_DIM_NONE, ""},
	{"belt_speed", ET_DIM_NONE, ""},
	{"raw_coal_total", ET_DIM_NONE, ""},
	{"raw", ET_DIM_NONE, ""},
	{"Raw_coal", ET_DIM_NONE, ""},
	{"RAW_COAL", ET_DIM_NONE, ""},
	{"gdp ", ET_DIM_NONE, ""},
	{"", ET_DIM_NONE, ""},
};

static void test_metric_dim(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(metrics); i++) {
		enum et_dim d = et_metric_dim(metrics[i].metric, strlen(metrics[i].metric));
		if (d != metrics[i].dim)
			fail_msg("metric \"%s\": dim %d, want %d", metrics[i].metric, d,
				 metrics[i].dim);
		assert_string_equal(et_dim_unit(d), metrics[i].canonical);
	}
	/* The length bounds the name: a prefix is not the metric. */
	assert_int_equal(et_metric_dim("raw_coal", 3), ET_DIM_NONE);
	assert_int_equal(et_metric_dim("gdpx", 3), ET_DIM_MONEY);
	assert_string_equal(et_dim_unit((enum et_dim)99), "");
	assert_string_equal(et_dim_unit((enum et_dim) - 1), "");
}

/* A unit of another dimension is -EDOM, and the output is left alone. */
static void test_wrong_dimension(void **state)
{
	(void)state;
	static const enum et_dim dims[] = {ET_DIM_NONE,	  ET_DIM_MASS,	  ET_DIM_POWER,
					   ET_DIM_ENERGY, ET_DIM_COAL_EQ, ET_DIM_MONEY,
					   ET_DIM_SHARE};
	for (size_t i = 0; i < ARRAY_LEN(convs); i++) {
		for (size_t k = 0; k < ARRAY_LEN(dims); k++) {
			if (dims[k] == convs[i].dim)
				continue;
			double out = 42;
			int rc = et_unit_convert(dims[k], convs[i].unit, strlen(convs[i].unit), 1.0,
						 &out);
			if (rc != -EDOM)
				fail_msg("%s for dim %d: rc %d, want -EDOM", convs[i].unit, dims[k],
					 rc);
			assert_true(out == 42);
		}
	}
	/* The examples an operator is most likely to get wrong. */
	double out;
	assert_int_equal(et_unit_convert(ET_DIM_MASS, "MW", 2, 1, &out), -EDOM);
	assert_int_equal(et_unit_convert(ET_DIM_POWER, "MWh", 3, 1, &out), -EDOM);
	assert_int_equal(et_unit_convert(ET_DIM_ENERGY, "MW", 2, 1, &out), -EDOM);
	assert_int_equal(et_unit_convert(ET_DIM_COAL_EQ, "t", 1, 1, &out), -EDOM);
	assert_int_equal(et_unit_convert(ET_DIM_MASS, "万吨标准煤", strlen("万吨标准煤"), 1, &out),
			 -EDOM);
	assert_int_equal(et_unit_convert(ET_DIM_POWER, "万千瓦时", strlen("万千瓦时"), 1, &out),
			 -EDOM);
}

/* Unknown units are -ENOENT whatever the dimension: case matters, no
 * whitespace is trimmed, and the length bounds the name. */
static void test_unknown_unit(void **state)
{
	(void)state;
	static const char *const unknown[] = {
		"",    "T",   "tonnes", "KW",	"mw",	  "Mw", "kwh",	"MWH",	  "TCE",
		"cny", "RMB", " t",	"t ",	"MW ",	  "吨", "千瓦", "千瓦时", "万吨 ",
		"%%",  "pct", "kt\t",	"ktce", "万万吨", "tc", "k",	"W",	  "Wh",
	};
	static const enum et_dim dims[] = {ET_DIM_NONE,	  ET_DIM_MASS,	  ET_DIM_POWER,
					   ET_DIM_ENERGY, ET_DIM_COAL_EQ, ET_DIM_MONEY,
					   ET_DIM_SHARE};
	for (size_t i = 0; i < ARRAY_LEN(unknown); i++) {
		for (size_t k = 0; k < ARRAY_LEN(dims); k++) {
			double out = 42;
			int rc =
				et_unit_convert(dims[k], unknown[i], strlen(unknown[i]), 1.0, &out);
			if (rc != -ENOENT)
				fail_msg("\"%s\" for dim %d: rc %d, want -ENOENT", unknown[i],
					 dims[k], rc);
			assert_true(out == 42);
		}
	}
	double out;
	assert_int_equal(et_unit_convert(ET_DIM_MASS, "kt", 1, 1, &out), -ENOENT); /* "k" */
	assert_int_equal(et_unit_convert(ET_DIM_MASS, "tce", 1, 7, &out), 0);	   /* "t" */
	assert_true(out == 7);
	assert_int_equal(et_unit_convert(ET_DIM_POWER, "MWh", 2, 3, &out), 0); /* "MW" */
	assert_true(out == 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_convert_every_unit),
		cmocka_unit_test(test_sub_unit_exact),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_metric_dim),
		cmocka_unit_test(test_wrong_dimension),
		cmocka_unit_test(test_unknown_unit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
