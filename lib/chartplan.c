/* SPDX-License-Identifier: MIT */
/* Round ticks for chart axes (include/enertrack/chartplan.h): the step is
 * the smallest of 1, 2, 2.5, 5 x 10^k that keeps the tick count within bounds,
 * as rrdtool and most plotting libraries choose it. */
#include "enertrack/chartplan.h"

#include <errno.h>
#include <math.h>
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
	char num[64];
	snprintf(num, sizeof(num), "%.*f", dec, fabs(v));
	/* group the integer part by thousands */
	char *dot = strchr(num, '.');
	size_t ilen = dot ? (size_t)(dot - num) : strlen(num);
	char out[96];
	size_t o = 0;
	if (v < 0)
		out[o++] = '-';
	for (size_t i = 0; i < ilen; i++) {
		if (i > 0 && (ilen - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = num[i];
	}
	if (dot) {
		size_t rest = strlen(dot);
		memcpy(out + o, dot, rest);
		o += rest;
	}
	out[o] = '\0';
	return snprintf(buf, len, "%s", out);
}
