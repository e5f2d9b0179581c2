/* SPDX-License-Identifier: MIT */
/* The plan of a chart before it is drawn: the figures a chart shows (plain
 * structs: db/chartdata.c fills them, draw/chart.c draws them), a value axis
 * with round ticks, the projection band, the value range and the sizes, the
 * mapping of values and times to pixels, and compact number labels. Pure;
 * any thread. What needs font metrics (label widths) is left to draw/. */
#ifndef ENERTRACK_CHARTPLAN_H
#define ENERTRACK_CHARTPLAN_H

#include <stdbool.h>
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

#define ET_CHART_MAX_PTS  128
#define ET_CHART_MAX_BARS 8

/* The figures of a target's progress chart, in canonical units (divide by
 * div for display units). NaN: not known. */
typedef struct et_chart_target {
	char label[256], scope[256], unit[64], aggregate[16], status[32];
	int year;
	double div, target, actual, expected_at, projected, tol;
	double t0, t1, at; /* epoch s: the local year's start and end, the chart's instant */
	int n;		   /* samples: the schedule, and the actual up to `at` (NaN after) */
	double t[ET_CHART_MAX_PTS], expected[ET_CHART_MAX_PTS], actual_at[ET_CHART_MAX_PTS];
	int nly; /* 0, or n: last year's cumulative at t[i] - 1 year */
	double ly[ET_CHART_MAX_PTS];
} et_chart_target_t;

/* The figures of a target's gap chart: up to ET_CHART_MAX_BARS sites (for a
 * city target, counties) with their gap in display units, furthest behind
 * first. nbars is 0 for a target without per-site shares (aggregate is not
 * "sum") or when no site has a gap. */
typedef struct et_chart_gap {
	char label[256], scope[256], unit[64], aggregate[16];
	int year;
	int nbars;
	struct et_chart_bar {
		char name[128];
		double gap;
	} bars[ET_CHART_MAX_BARS];
} et_chart_gap_t;

/* The plan of a progress chart `width` pixels wide. */
typedef struct et_target_plan {
	int h;	  /* the height, px: tall enough on a phone, not a wall on a desktop */
	bool sum; /* a cumulative metric (aggregate "sum") */
	double band_lo, band_hi; /* the projection band at the year's end, canonical; NaN: none */
	double lo, hi;		 /* the display values the axis must cover */
	et_axis_t ax;		 /* the value axis */
	int month_every;	 /* label every month (1) or every other (2, a phone) */
} et_target_plan_t;

/* The plan of d's progress chart at width px (320..2000). Returns 0. */
int et_target_plan(const et_chart_target_t *d, int width, et_target_plan_t *ret);

/* The projection band of d: the 30-day pace (target_progress_at's
 * projection) and the year-to-date pace carried to the year's end, widened
 * by the target's tolerance, and for a cumulative metric never below what
 * is done. *ret_lo and *ret_hi are NaN when there is no projection. */
void et_projection_band(const et_chart_target_t *d, double *ret_lo, double *ret_hi);

/* The plan of a gap chart: its height and its value axis (covering 0). */
typedef struct et_gap_plan {
	int h;
	et_axis_t ax;
} et_gap_plan_t;
int et_gap_plan(const et_chart_gap_t *g, int width, et_gap_plan_t *ret);

#endif
