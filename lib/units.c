/* SPDX-License-Identifier: MIT */
/* Unit table. Linear search: 24 entries compare faster than hashing them. */
#include "enertrack/units.h"

#include <errno.h>
#include <string.h>

struct unit {
	const char *name;
	enum et_dim dim;
	double factor; /* canonical = value * factor */
};

static const struct unit units[] = {
	{"t", ET_DIM_MASS, 1.0},	   {"kt", ET_DIM_MASS, 1e3},
	{"Mt", ET_DIM_MASS, 1e6},	   {"万吨", ET_DIM_MASS, 1e4},
	{"亿吨", ET_DIM_MASS, 1e8},	   {"kW", ET_DIM_POWER, 1e-3},
	{"MW", ET_DIM_POWER, 1.0},	   {"GW", ET_DIM_POWER, 1e3},
	{"万千瓦", ET_DIM_POWER, 10.0},	   {"kWh", ET_DIM_ENERGY, 1e-3},
	{"MWh", ET_DIM_ENERGY, 1.0},	   {"GWh", ET_DIM_ENERGY, 1e3},
	{"万千瓦时", ET_DIM_ENERGY, 10.0}, {"亿千瓦时", ET_DIM_ENERGY, 1e5},
	{"tce", ET_DIM_COAL_EQ, 1.0},	   {"万吨标准煤", ET_DIM_COAL_EQ, 1e4},
	{"CNY", ET_DIM_MONEY, 1.0},	   {"元", ET_DIM_MONEY, 1.0},
	{"万元", ET_DIM_MONEY, 1e4},	   {"亿元", ET_DIM_MONEY, 1e8},
	{"%", ET_DIM_SHARE, 1.0},
};

static const struct metric {
	const char *name;
	enum et_dim dim;
} metrics[] = {
	{"raw_coal", ET_DIM_MASS},
	{"capacity_commissioned", ET_DIM_POWER},
	{"retrofit_capacity", ET_DIM_POWER},
	{"generation", ET_DIM_ENERGY},
	{"energy_consumption", ET_DIM_COAL_EQ},
	{"gdp", ET_DIM_MONEY},
	{"advanced_capacity_share", ET_DIM_SHARE},
	{"gdp_real_growth", ET_DIM_SHARE},
};

static const char *const dim_units[] = {"", "t", "MW", "MWh", "tce", "CNY", "%"};

static int eq(const char *a, size_t alen, const char *lit)
{
	size_t n = strlen(lit);
	return n == alen && memcmp(a, lit, n) == 0;
}

enum et_dim et_metric_dim(const char *metric, size_t len)
{
	for (size_t i = 0; i < sizeof(metrics) / sizeof(metrics[0]); i++)
		if (eq(metric, len, metrics[i].name))
			return metrics[i].dim;
	return ET_DIM_NONE;
}

const char *et_dim_unit(enum et_dim dim)
{
	if ((unsigned)dim >= sizeof(dim_units) / sizeof(dim_units[0]))
		return "";
	return dim_units[dim];
}

double et_dim_max(enum et_dim dim)
{
	/* Far above any one reading from a site of a city or a province (China
	 * mines about 4.7 Gt of coal and has about 3 TW of capacity in all),
	 * far below what a corrupt or hostile value looks like. */
	static const double max[] = {
		[ET_DIM_NONE] = 1e15,	[ET_DIM_MASS] = 1e10,	 [ET_DIM_POWER] = 1e7,
		[ET_DIM_ENERGY] = 1e11, [ET_DIM_COAL_EQ] = 1e11, [ET_DIM_MONEY] = 1e15,
		[ET_DIM_SHARE] = 100,
	};
	if ((unsigned)dim >= sizeof(max) / sizeof(max[0]))
		return 1e15;
	return max[dim];
}

int et_unit_convert(enum et_dim dim, const char *unit, size_t len, double value, double *ret)
{
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (!eq(unit, len, units[i].name))
			continue;
		if (units[i].dim != dim)
			return -EDOM;
		/* A sub-unit divides by the reciprocal (1 / 1e-3 is exactly 1000):
		 * 1e-3 is not exact in binary, and multiplying by it turns 9 kW
		 * into 0.009000000000000001 MW instead of the correctly rounded
		 * 0.009. */
		if (units[i].factor < 1.0)
			*ret = value / (1.0 / units[i].factor);
		else
			*ret = value * units[i].factor;
		return 0;
	}
	return -ENOENT;
}

const char *et_unit_at(size_t i, enum et_dim *ret_dim, double *ret_factor)
{
	if (i >= sizeof(units) / sizeof(units[0]))
		return NULL;
	*ret_dim = units[i].dim;
	*ret_factor = units[i].factor;
	return units[i].name;
}
