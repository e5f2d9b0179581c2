/* SPDX-License-Identifier: MIT */
/* The charts of a target, as PNG, from PostgreSQL (common/chart.c draws
 * them with cairo and pango; the plan of axes and ticks is lib/chartplan.c).
 * Blocking libpq: call from a thread that may block (the alerts thread, an
 * HTTP worker, a tool). */
#ifndef ENERTRACK_COMMON_CHART_H
#define ENERTRACK_COMMON_CHART_H

#include <libpq-fe.h>
#include <stddef.h>

#include "enertrack/buf.h"

/* The progress chart of target `target_id` at `at` (a timestamptz literal;
 * NULL: now()): the cumulative year-to-date actual, the expected schedule
 * the target is judged by (sampled from target_progress_at, whatever the
 * schedule), last year's cumulative where there is data, the target line,
 * and the projection to the year's end with its band. lang: "en" or
 * "zh-CN" (NULL or other: en). width_px: 320..2000 (the height follows).
 * Appends the PNG to out. The session's target settings are used as they
 * are (call et_pq_use_settings first when they matter). Returns 0; -ENOENT
 * when no such target of the year of `at`; -EIO (database, message in err)
 * or -ENOMEM. */
int et_chart_target_png(PGconn *conn, int target_id, const char *at, const char *lang, int width_px,
			et_buf_t *out, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* The gap chart of the same target: horizontal bars of the sites (for a
 * city target, the counties) that drive the gap, in display units, the
 * furthest behind first. Same arguments and returns as above. A target
 * without per-site shares (ratios, levels) gets a chart saying so. */
int et_chart_gap_png(PGconn *conn, int target_id, const char *at, const char *lang, int width_px,
		     et_buf_t *out, char *err, size_t errlen) __attribute__((warn_unused_result));

/* Frees what pango, cairo and fontconfig keep for the process (fonts,
 * caches), so that a leak checker sees nothing at exit: call once, at the
 * end, when no thread draws any more. Threads that drew charts free their
 * own font map when they end. */
void et_chart_cleanup(void);

#endif
