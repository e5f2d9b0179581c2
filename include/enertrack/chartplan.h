/* SPDX-License-Identifier: MIT */
/* The plan of a chart before it is drawn: a value axis with round ticks,
 * the mapping of values and times to pixels, and compact number labels.
 * Pure (common/chart.c draws with it); any thread. */
#ifndef ENERTRACK_CHARTPLAN_H
#define ENERTRACK_CHARTPLAN_H

#include <stddef.h>

typedef struct et_axis {
	double lo, hi; /* the axis range: lo <= every value <= hi, both on a tick */
	double step;   /* between ticks: 1, 2, 2.5 or 5 times a power of ten */
	int nticks;    /* lo, lo + step, ..., hi */
} et_axis_t;

/* A value axis covering [lo, hi] with at most max_ticks (>= 2) ticks on
 * round numbers. lo == hi (or both 0) gives a small range around them; NaN
 * or infinite bounds: -EINVAL. Returns 0. */
int et_axis_plan(double lo, double hi, int max_ticks, et_axis_t *ret)
	__attribute__((warn_unused_result));

/* v mapped linearly from [a0, a1] onto [p0, p1] (pixels; p1 < p0 for a y
 * axis that grows upwards). a0 == a1 maps to p0. */
double et_axis_px(double v, double a0, double a1, double p0, double p1);

/* A short label for v at the axis' step: "1,250", "3.5", "0.25", "-20";
 * no exponent, thousands grouped with ','. Returns snprintf's length. */
int et_axis_label(double v, double step, char *buf, size_t len);

#endif
