/* SPDX-License-Identifier: MIT */
/* Drawing the charts of a target as PNG, with cairo and pango, from the
 * plain figures of include/enertrack/chartplan.h (db/chartdata.c loads
 * them). No SQL here, and nothing that blocks on anything but the CPU: a
 * chart is drawn in a few milliseconds, on any thread (each thread keeps its
 * own pango font map). */
#ifndef ENERTRACK_DRAW_CHART_H
#define ENERTRACK_DRAW_CHART_H

#include "enertrack/buf.h"
#include "enertrack/chartplan.h"
#include "enertrack/i18n.h"

#include <stdbool.h>

/* The progress chart of d (borrowed): the cumulative year-to-date actual,
 * the expected schedule, last year's cumulative where there is data, the
 * target line, and the projection to the year's end with its band.
 * width_px: 320..2000 (the height follows). Appends the PNG to out.
 * Returns 0, -EINVAL (width) or -ENOMEM; out is as it was on failure. */
int et_draw_target_png(const et_chart_target_t *d, et_lang_t lang, int width_px, et_buf_t *out)
	__attribute__((warn_unused_result));

/* The gap chart of g (borrowed): horizontal bars of the sites (counties)
 * that drive the gap, the furthest behind first; a chart saying so when
 * there are none. Same width, out and returns as above. */
int et_draw_gap_png(const et_chart_gap_t *g, et_lang_t lang, int width_px, et_buf_t *out)
	__attribute__((warn_unused_result));

/* A chart of paired bars, one row per item: a (grey: what was planned or
 * published) against b (blue; red where marked: what happened), with a note
 * at the right of each row. The truth mails' pictures: a county's months
 * (statistics against telemetry, the month that differs marked) and a
 * target's register of projects (planned against commissioned, the late
 * ones marked). */
#define ET_CHART_MAX_PAIRS 24
typedef struct et_chart_pairs {
	char title[300], subtitle[200];
	char a_name[64], b_name[64], mark_name[64];
	int n;
	struct et_chart_pair {
		char name[128], note[64];
		double a, b; /* NaN: none */
		bool mark;
	} rows[ET_CHART_MAX_PAIRS];
} et_chart_pairs_t;

/* The chart of p (borrowed), width_px 320..2000. Same out and returns as
 * et_draw_target_png. */
int et_draw_pairs_png(const et_chart_pairs_t *p, et_lang_t lang, int width_px, et_buf_t *out)
	__attribute__((warn_unused_result));

/* Loads fontconfig's configuration and the fonts the charts use, so that
 * the first chart drawn later does not wait for them (about a second with
 * CJK fonts). Any thread; the status page calls it on a thread of its own
 * at start. */
void et_chart_warm(void);

/* Frees what pango, cairo and fontconfig keep for the process (fonts,
 * caches), so that a leak checker sees nothing at exit: call once, at the
 * end, when no thread draws any more. Threads that drew charts free their
 * own font map when they end. */
void et_chart_cleanup(void);

#endif
