/* SPDX-License-Identifier: MIT */
/* The number formatter (include/enertrack/numfmt.h). Grouping is done on
 * the digits printf gives, so that rounding is printf's everywhere. */
#include "enertrack/numfmt.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* fixed-point text of v, grouped if asked; the one place digits are made */
static int fixed(char *out, size_t len, double v, int decimals, bool group)
{
	if (!isfinite(v))
		return snprintf(out, len, "%s", ET_NO_VALUE);
	if (decimals < 0)
		decimals = 0;
	if (decimals > 9)
		decimals = 9;
	char num[400]; /* DBL_MAX has 309 integer digits */
	snprintf(num, sizeof(num), "%.*f", decimals, fabs(v));
	/* "-0.00" is not a value anyone should read: no sign when all digits are 0 */
	bool neg = v < 0 && strspn(num, "0.") != strlen(num);
	char *dot = strchr(num, '.');
	size_t ilen = dot ? (size_t)(dot - num) : strlen(num);
	char text[560];
	size_t o = 0;
	if (neg)
		text[o++] = '-';
	for (size_t i = 0; i < ilen; i++) {
		if (group && i > 0 && (ilen - i) % 3 == 0)
			text[o++] = ',';
		text[o++] = num[i];
	}
	text[o] = '\0';
	return snprintf(out, len, "%s%s", text, dot ? dot : "");
}

int et_num_fixed(char *out, size_t len, double v, int decimals, bool group)
{
	return fixed(out, len, v, decimals, group);
}

int et_num(char *out, size_t len, double v, et_num_style_t style)
{
	if (!isfinite(v))
		return snprintf(out, len, "%s", ET_NO_VALUE);
	if (v == 0)
		v = 0; /* no "-0" */
	double a = fabs(v);
	switch (style) {
	case ET_NUM_SIG3:
		return snprintf(out, len, "%.3g", v);
	case ET_NUM_TABLE:
		return fixed(out, len, v, a < 100 ? 2 : a < 10000 ? 1 : 0, true);
	case ET_NUM_PROSE:
	default:
		break;
	}
	if (a < 10000) {
		int dec = a >= 100 ? 1 : 2;
		for (double t = a; t > 0 && t < 1 && dec < 6; t *= 10)
			dec++;
		return snprintf(out, len, "%.*f", dec, v);
	}
	if (a >= 1e15)
		return snprintf(out, len, "%.4g", v);
	return fixed(out, len, v, 0, true);
}

int et_num_pct(char *out, size_t len, double v, bool sign)
{
	if (!isfinite(v))
		return snprintf(out, len, "%s", ET_NO_VALUE);
	char n[400];
	fixed(n, sizeof(n), v, 1, false); /* no "-0.0" */
	bool plus = sign && n[0] != '-';
	return snprintf(out, len, "%s%s %%", plus ? "+" : "", n);
}

static const struct {
	const char *si, *bureau;
	double scale;
	int decimals; /* of the bureau's unit, as its statistics bulletins write it */
} units[] = {
	{"Mt", "万吨", 100, 1},
	{"MW", "万千瓦", 0.1, 1},
	{"Mtce", "万吨标准煤", 100, 1},
	{"GWh", "亿千瓦时", 0.01, 2},
};

const char *et_unit_local(const char *unit, bool bureau, double *ret_scale)
{
	*ret_scale = 1;
	if (!unit || !bureau)
		return unit ? unit : "";
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(unit, units[i].si) == 0) {
			*ret_scale = units[i].scale;
			return units[i].bureau;
		}
	return unit;
}

int et_unit_decimals(const char *unit)
{
	for (size_t i = 0; unit && i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(unit, units[i].bureau) == 0)
			return units[i].decimals;
	/* SI display units: Mt and Mtce in hundredths (168.21 Mt), the rest in tenths */
	if (unit && (strcmp(unit, "Mt") == 0 || strcmp(unit, "Mtce") == 0))
		return 2;
	return 1;
}
