/* SPDX-License-Identifier: MIT */
/* The figures of a target's charts, read from PostgreSQL into the plain
 * structs of include/enertrack/chartplan.h (target_progress_at sampled over
 * the year, reading_spans for last year, target_sites_behind for the gap),
 * and the chart entry points that load and then draw (draw/chart.h).
 * Blocking libpq: call from a thread that may block (the alerts thread, an
 * HTTP worker, a tool). Loading takes the queries' time (up to a second);
 * drawing a few milliseconds and no database: a caller inside a
 * transaction can load in it and draw after COMMIT. */
#ifndef ENERTRACK_DB_CHARTDATA_H
#define ENERTRACK_DB_CHARTDATA_H

#include <libpq-fe.h>
#include <stddef.h>

#include "enertrack/buf.h"
#include "enertrack/chartplan.h"
#include "enertrack/i18n.h"

/* The progress chart's figures of target `target_id` at `at` (a
 * timestamptz literal; NULL: now()), its label and scope in lang, into *ret
 * (the caller's; large, about 5 KB: allocate it). The session's target
 * settings are used as they are (call et_pq_use_settings first when they
 * matter). Returns 0; -ENOENT when no such target in the year of `at`;
 * -EIO (database, message in err) or -ENOMEM. */
int et_chartdata_target(PGconn *conn, int target_id, const char *at, et_lang_t lang,
			et_chart_target_t *ret, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* The gap chart's figures of the same target. Same arguments and returns. */
int et_chartdata_gap(PGconn *conn, int target_id, const char *at, et_lang_t lang,
		     et_chart_gap_t *ret, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Load, then draw: the progress chart (et_chartdata_target, then
 * et_draw_target_png) appended to out as PNG. width_px: 320..2000. Returns 0,
 * -ENOENT, -EINVAL (width), -EIO or -ENOMEM, with a message in err. */
int et_chart_target_png(PGconn *conn, int target_id, const char *at, et_lang_t lang, int width_px,
			et_buf_t *out, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* Load, then draw: the gap chart. Same arguments and returns. */
int et_chart_gap_png(PGconn *conn, int target_id, const char *at, et_lang_t lang, int width_px,
		     et_buf_t *out, char *err, size_t errlen) __attribute__((warn_unused_result));

#endif
