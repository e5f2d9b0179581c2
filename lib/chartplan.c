/* SPDX-License-Identifier: MIT */
/* The plan of a chart (include/enertrack/chartplan.h): sizes, the value
 * range and the projection band, and round ticks for the axes: the step is
 * the smallest of 1, 2, 2.5, 5 x 10^k that keeps the tick count within bounds,
 * as rrdtool and most plotting libraries choose it. */
#include "enertrack/chartplan.h"

#include "enertrack/numfmt.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

int et_axis_plan(double lo, double hi, int max_ticks, et_axis_t *ret)
{
	if (!isfinite(lo) || !isfinite(hi) || max_ticks < 2)
		return -EINVAL;
	if (lo > hi) {
		double t = lo;
		lo = hi;
		hi = t;
	}
	if (hi - lo < 1e-12 * fmax(fabs(lo), fabs(hi)) || hi == lo) {
		double d = fabs(lo) > 0 ? fabs(lo) * 0.1 : 1;
		lo -= d;
		hi += d;
	}
	double span = hi - lo;
	double mag = pow(10, floor(log10(span / (max_ticks - 1))));
	static const double mult[] = {1, 2, 2.5, 5, 10, 20, 25, 50};
	double step = mag * 100;
	for (size_t i = 0; i < sizeof(mult) / sizeof(mult[0]); i++) {
		double s = mag * mult[i];
		double a = floor(lo / s) * s, b = ceil(hi / s) * s;
		if ((b - a) / s + 1 <= max_ticks + 1e-9) {
			step = s;
			break;
		}
	}
	ret->step = step;
	ret->lo = floor(lo / step + 1e-9) * step;
	ret->hi = ceil(hi / step - 1e-9) * step;
	if (ret->hi <= ret->lo)
		ret->hi = ret->lo + step;
	ret->nticks = (int)lround((ret->hi - ret->lo) / step) + 1;
	return 0;
}

double et_axis_px(double v, double a0, double a1, double p0, double p1)
{
	if (a1 == a0)
		return p0;
	return p0 + (v - a0) / (a1 - a0) * (p1 - p0);
}

int et_axis_label(double v, double step, char *buf, size_t len)
{
	/* as many decimals as the step has (0.25: two) */
	int dec = 0;
	for (double s = fabs(step); dec < 6 && s > 0 && fabs(s - round(s)) > 1e-9 * fmax(1, s);
	     s *= 10)
		dec++;
	if (fabs(v) < step * 1e-6)
		v = 0;
	return et_num_fixed(buf, len, v, dec, true);
}

void et_projection_band(const et_chart_target_t *d, double *ret_lo, double *ret_hi)
{
	bool sum = strcmp(d->aggregate, "sum") == 0;
	double plo = d->projected, phi = d->projected;
	if (sum && !isnan(d->actual) && !isnan(d->projected) && d->at > d->t0) {
		double pace = d->actual / (d->at - d->t0);
		double alt = d->actual + pace * (d->t1 - d->at);
		plo = fmin(plo, alt);
		phi = fmax(phi, alt);
	}
	double tol = isnan(d->tol) ? 0 : d->tol / 100;
	if (!isnan(plo)) {
		plo = fmin(plo, d->projected - fabs(d->projected) * tol);
		phi = fmax(phi, d->projected + fabs(d->projected) * tol);
		if (sum && !isnan(d->actual))
			plo = fmax(plo, d->actual);
	}
	*ret_lo = plo;
	*ret_hi = phi;
}

int et_target_plan(const et_chart_target_t *d, int width, et_target_plan_t *ret)
{
	ret->h = (int)lround(fmax(280, fmin(width * 0.72, 300 + width * 0.15)));
	ret->sum = strcmp(d->aggregate, "sum") == 0;
	et_projection_band(d, &ret->band_lo, &ret->band_hi);
	/* every series and line on the chart is within the axis; a cumulative
	 * metric starts at 0 */
	double lo = ret->sum ? 0 : INFINITY, hi = -INFINITY;
	const double *series[3] = {d->expected, d->actual_at, d->ly};
	int ns[3] = {d->n, d->n, d->nly};
	for (int s = 0; s < 3; s++)
		for (int i = 0; i < ns[s]; i++)
			if (!isnan(series[s][i])) {
				lo = fmin(lo, series[s][i] / d->div);
				hi = fmax(hi, series[s][i] / d->div);
			}
	double extra[3] = {d->target, ret->band_lo, ret->band_hi};
	for (int i = 0; i < 3; i++)
		if (!isnan(extra[i])) {
			lo = fmin(lo, extra[i] / d->div);
			hi = fmax(hi, extra[i] / d->div);
		}
	if (!isfinite(lo) || !isfinite(hi)) {
		lo = 0;
		hi = 1;
	}
	ret->lo = lo;
	ret->hi = hi;
	if (et_axis_plan(lo, hi, width < 600 ? 5 : 7, &ret->ax))
		ret->ax = (et_axis_t){0, 1, 0.25, 5};
	ret->month_every = width < 600 ? 2 : 1;
	return 0;
}

int et_gap_plan(const et_chart_gap_t *g, int width, et_gap_plan_t *ret)
{
	ret->h = (int)lround(fmax(220, 90 + g->nbars * 30 + width * 0.1));
	double lo = 0, hi = 0;
	for (int i = 0; i < g->nbars; i++) {
		lo = fmin(lo, g->bars[i].gap);
		hi = fmax(hi, g->bars[i].gap);
	}
	if (et_axis_plan(lo, hi, width < 600 ? 4 : 6, &ret->ax))
		ret->ax = (et_axis_t){-1, 0, 0.25, 5};
	return 0;
}
