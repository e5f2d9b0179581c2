/* SPDX-License-Identifier: MIT */
/* The statistics CSV file of `enertrack import`: the header
 * scope,metric,period,value,unit,source,note and an optional published
 * (the day the figure was published, YYYY-MM-DD), one figure per record,
 * parsed with libcsv (RFC 4180: Excel's quoting, CRLF or LF) and checked
 * field by field. Every bad field is reported with its line and column;
 * good rows come out converted to the metric's canonical unit. Pure: the
 * text is in memory and already UTF-8 (lib/textenc.c); no I/O. */
#ifndef ENERTRACK_STATCSV_H
#define ENERTRACK_STATCSV_H

#include <stddef.h>

#define ET_STAT_COLUMNS "scope,metric,period,value,unit,source,note"
/* The longest normalised period and its NUL: "2024-01..2024-12". */
#define ET_STAT_PERIOD_MAX 17

/* One good row. The strings are borrowed for the duration of the callback. */
typedef struct et_stat_row {
	unsigned line;			 /* the record's first line, from 1 */
	const char *scope;		 /* city, county:<name>, site:<id> */
	const char *metric;		 /* a metric with a unit (lib/units.c) */
	char period[ET_STAT_PERIOD_MAX]; /* YYYY, YYYY-MM, YYYY-Qn, YYYY-Hn or
					  * YYYY-01..YYYY-MM (from January, 累计), normalised */
	char period_start[11];		 /* YYYY-MM-DD, first day */
	char period_end[11];		 /* YYYY-MM-DD, first day after */
	double value;			 /* in the metric's canonical unit */
	double value_in;		 /* as written, in unit_in */
	const char *unit_in;		 /* a unit of the metric's dimension */
	const char *source;		 /* not empty */
	const char *note;		 /* may be empty */
	char published[11];		 /* YYYY-MM-DD, or "" when the file gave none */
} et_stat_row_t;

typedef struct et_statcsv_cb {
	/* A good row. Returns 0, or a negative errno-style code that stops the
	 * parse (et_statcsv_parse returns it). */
	int (*on_row)(void *ctx, const et_stat_row_t *row);
	/* A bad field: line and column from 1 (column: the field's number, as
	 * a spreadsheet counts them), and why, e.g. unit "吨x" is not known.
	 * Called for every bad field of every line, in file order. */
	void (*on_error)(void *ctx, unsigned line, unsigned col, const char *reason);
	/* Optional: done of total bytes parsed, at most every 64 KiB. */
	void (*on_progress)(void *ctx, size_t done, size_t total);
	void *ctx;
} et_statcsv_cb_t;

typedef struct et_statcsv_counts {
	unsigned long rows;	 /* good rows (on_row calls) */
	unsigned long bad_lines; /* records with at least one error */
	unsigned long lines;	 /* physical lines in the text */
} et_statcsv_counts_t;

/* Parses text[0..len) (UTF-8 without a BOM), calling cb for each good row
 * and each error. A row whose key (scope, metric, period, source) an
 * earlier row had is an error. Blank lines and rows of empty fields are
 * skipped. Returns 0 when the text was parsed to its end (bad lines
 * included: see ret->bad_lines), -ENOMEM, or on_row's code. cb is borrowed. */
int et_statcsv_parse(const char *text, size_t len, const et_statcsv_cb_t *cb,
		     et_statcsv_counts_t *ret) __attribute__((warn_unused_result));

/* Parses a period (YYYY, YYYY-MM or YYYY-M, YYYY-Qn or YYYY-qn, YYYY-Hn
 * or YYYY-hn, a range from January YYYY-01..YYYY-MM of one year, the
 * cumulative 累计 figure the bureaus publish, e.g. 1–2月 as 2024-01..2024-02;
 * years 1900-2199) into its normalised text and its first day and first day
 * after (YYYY-MM-DD). Returns 0 or -EINVAL. */
int et_stat_period_parse(const char *s, size_t len, char ret_period[ET_STAT_PERIOD_MAX],
			 char ret_start[11], char ret_end[11]) __attribute__((warn_unused_result));

#endif
