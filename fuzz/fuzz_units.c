/* SPDX-License-Identifier: MIT */
/* libFuzzer harness of lib/units.c. Input: one byte of dimension, eight of
 * a double, then a name used both as a unit and as a metric. The answers
 * are compared with the tables of docs/message-format.md (units, metrics)
 * written out again here: the right code for unknown and misfit units, and
 * the correctly rounded conversion (value * factor, or value / divisor for
 * the sub-units) for the others. The lookups must not read past len
 * (AddressSanitizer sees the exact-size input). */
#include "fuzz_util.h"

#include "enertrack/units.h"

static const struct {
	const char *name;
	enum et_dim dim;
	double mul, div; /* canonical = value * mul, or value / div when div != 0 */
} ref_units[] = {
	{"t", ET_DIM_MASS, 1, 0},	    {"kt", ET_DIM_MASS, 1e3, 0},
	{"Mt", ET_DIM_MASS, 1e6, 0},	    {"万吨", ET_DIM_MASS, 1e4, 0},
	{"亿吨", ET_DIM_MASS, 1e8, 0},	    {"kW", ET_DIM_POWER, 0, 1e3},
	{"MW", ET_DIM_POWER, 1, 0},	    {"GW", ET_DIM_POWER, 1e3, 0},
	{"万千瓦", ET_DIM_POWER, 10, 0},    {"kWh", ET_DIM_ENERGY, 0, 1e3},
	{"MWh", ET_DIM_ENERGY, 1, 0},	    {"GWh", ET_DIM_ENERGY, 1e3, 0},
	{"万千瓦时", ET_DIM_ENERGY, 10, 0}, {"亿千瓦时", ET_DIM_ENERGY, 1e5, 0},
	{"tce", ET_DIM_COAL_EQ, 1, 0},	    {"万吨标准煤", ET_DIM_COAL_EQ, 1e4, 0},
	{"CNY", ET_DIM_MONEY, 1, 0},	    {"元", ET_DIM_MONEY, 1, 0},
	{"万元", ET_DIM_MONEY, 1e4, 0},	    {"亿元", ET_DIM_MONEY, 1e8, 0},
	{"%", ET_DIM_SHARE, 1, 0},
};

static const struct {
	const char *name;
	enum et_dim dim;
} ref_metrics[] = {
	{"raw_coal", ET_DIM_MASS},
	{"capacity_commissioned", ET_DIM_POWER},
	{"retrofit_capacity", ET_DIM_POWER},
	{"generation", ET_DIM_ENERGY},
	{"energy_consumption", ET_DIM_COAL_EQ},
	{"gdp", ET_DIM_MONEY},
	{"advanced_capacity_share", ET_DIM_SHARE},
	{"gdp_real_growth", ET_DIM_SHARE},
};

static const char *const ref_dim_units[] = {"", "t", "MW", "MWh", "tce", "CNY", "%"};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static bool same(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

static bool same_double(double a, double b)
{
	return isnan(a) ? isnan(b) : a == b && signbit(a) == signbit(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = {data, size};
	uint8_t d = fz_u8(&in);
	/* mostly the real dimensions, sometimes a value out of the enum */
	enum et_dim dim = (enum et_dim)(d < 0xf0 ? d % 7 : d);
	double value = fz_double(&in);
	/* the rest, in a buffer of its own size, so that any over-read shows */
	size_t n = in.n;
	char *name = malloc(n ? n : 1);
	CHECK(name);
	memcpy(name, in.p, n);

	/* the metric table */
	enum et_dim want_dim = ET_DIM_NONE;
	for (size_t i = 0; i < NELEM(ref_metrics); i++)
		if (same(name, n, ref_metrics[i].name))
			want_dim = ref_metrics[i].dim;
	CHECK(et_metric_dim(name, n) == want_dim);

	/* the canonical unit of each dimension, and "" for anything else */
	const char *cu = et_dim_unit(dim);
	CHECK(cu != NULL);
	CHECK(strcmp(cu, (unsigned)dim < NELEM(ref_dim_units) ? ref_dim_units[dim] : "") == 0);

	/* the sane bound of one reading: positive and finite for any dim */
	double bound = et_dim_max(dim);
	CHECK(isfinite(bound) && bound > 0);

	/* the conversion */
	int found = -1;
	for (size_t i = 0; i < NELEM(ref_units); i++)
		if (same(name, n, ref_units[i].name))
			found = (int)i;
	double got = 0;
	int rc = et_unit_convert(dim, name, n, value, &got);
	if (found < 0) {
		CHECK(rc == -ENOENT);
	} else if (ref_units[found].dim != dim) {
		CHECK(rc == -EDOM);
	} else {
		CHECK(rc == 0);
		double want = ref_units[found].div != 0 ? value / ref_units[found].div
							: value * ref_units[found].mul;
		CHECK(same_double(got, want));
		/* a factor is positive: the sign stays, finite stays finite unless
		 * it overflows, and a value in the canonical unit is unchanged */
		if (!isnan(value) && got != 0)
			CHECK(signbit(got) == signbit(value));
		if (strcmp(ref_units[found].name, cu) == 0)
			CHECK(same_double(got, value));
	}

	/* the iteration agrees with the reference table, entry for entry */
	size_t i;
	for (i = 0;; i++) {
		enum et_dim td;
		double tf;
		const char *tn = et_unit_at(i, &td, &tf);
		if (!tn)
			break;
		CHECK(i < NELEM(ref_units));
		CHECK(strcmp(tn, ref_units[i].name) == 0 && td == ref_units[i].dim);
		CHECK(tf == (ref_units[i].div != 0 ? 1 / ref_units[i].div : ref_units[i].mul));
	}
	CHECK(i == NELEM(ref_units));
	free(name);
	return 0;
}
