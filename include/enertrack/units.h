/* SPDX-License-Identifier: MIT */
/* The unit table: which units a canonical metric accepts and the factor to
 * its canonical unit (docs/message-format.md). A unit that does not fit the metric
 * is refused, never guessed. Pure, thread-safe (read-only tables). */
#ifndef ENERTRACK_UNITS_H
#define ENERTRACK_UNITS_H

#include <stddef.h>

enum et_dim {
	ET_DIM_NONE = 0, /* not a canonical metric: stored as it comes */
	ET_DIM_MASS,	 /* t */
	ET_DIM_POWER,	 /* MW */
	ET_DIM_ENERGY,	 /* MWh */
	ET_DIM_COAL_EQ,	 /* tce */
	ET_DIM_MONEY,	 /* CNY */
	ET_DIM_SHARE,	 /* % */
};

/* The dimension of a canonical metric, or ET_DIM_NONE for any other name. */
enum et_dim et_metric_dim(const char *metric, size_t len);

/* The canonical unit's name of a dimension ("t", "MW", ...), "" for NONE. */
const char *et_dim_unit(enum et_dim dim);

/* The largest value one reading may carry in the canonical unit of dim (a
 * sane bound: capacity 1e7 MW, mass 1e10 t, share 100 %, ...). */
double et_dim_max(enum et_dim dim);

/* Converts value in `unit` to the canonical unit of `dim`.
 * Returns 0 and *ret, -ENOENT if the unit is unknown to every dimension,
 * -EDOM if it is known but belongs to another dimension. */
int et_unit_convert(enum et_dim dim, const char *unit, size_t len, double value, double *ret)
	__attribute__((warn_unused_result));

/* Iteration over the table, for tests and documentation: returns the i-th
 * unit's name and sets *ret_dim and *ret_factor, or NULL past the end. */
const char *et_unit_at(size_t i, enum et_dim *ret_dim, double *ret_factor);

#endif
