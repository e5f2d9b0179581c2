/* SPDX-License-Identifier: MIT */
/* The one number formatter of everything people read: mails, the status
 * page, `enertrack status`, reports and chart labels. A value that is not
 * there (NaN, infinite) is spelled ET_NO_VALUE in every output. Decimal
 * point '.', thousands grouped with ','. Pure, any thread. Each function
 * writes at most len bytes, NUL-terminated, and returns snprintf's length. */
#ifndef ENERTRACK_NUMFMT_H
#define ENERTRACK_NUMFMT_H

#include <stdbool.h>
#include <stddef.h>

/* The one spelling of "no value". */
#define ET_NO_VALUE "n/a"

typedef enum et_num_style {
	/* For reading in prose (mails): two decimals below 100 ("84.30"), one
	 * below 10,000 ("297.5", not grouped), none above ("12,345", grouped);
	 * three significant digits below 1 ("0.0123"); from 1e15, "%.4g". */
	ET_NUM_PROSE,
	/* For a table column (the status page): two decimals below 100, one
	 * below 10,000, none above, always grouped ("1,297.5"). */
	ET_NUM_TABLE,
	/* Three significant digits, printf's %.3g ("84.3", "1.23e+04"). */
	ET_NUM_SIG3,
} et_num_style_t;

/* v in a style; ET_NO_VALUE when not finite. -0 prints as 0. */
int et_num(char *out, size_t len, double v, et_num_style_t style);

/* v with exactly `decimals` (0-9) decimals, thousands grouped if `group`
 * ("1,234.50"), ET_NO_VALUE when not finite. */
int et_num_fixed(char *out, size_t len, double v, int decimals, bool group);

/* A percentage with one decimal and a space: "12.3 %"; with sign, "+1.2 %"
 * and "-0.4 %". ET_NO_VALUE when not finite. */
int et_num_pct(char *out, size_t len, double v, bool sign);

/* The unit a figure is read in. With bureau (zh-CN, unless [alerts] units
 * = si) the units the bureau writes for the display units enertrack keeps:
 * Mt is 万吨 (x 100), MW 万千瓦 (/ 10), Mtce 万吨标准煤 (x 100), GWh 亿千瓦时
 * (/ 100); any other unit, and every unit without bureau, as it is. Returns
 * the unit (static or `unit` itself) and sets *ret_scale: a value in `unit`
 * times it is the value in the unit returned. */
const char *et_unit_local(const char *unit, bool bureau, double *ret_scale);

/* The decimals of a column of figures in `unit` (as et_unit_local returns
 * it): one convention per column, whatever the size of each figure. */
int et_unit_decimals(const char *unit);

#endif
