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

/* The charts' head row of each target (label, label_zh, scope, unit,
 * aggregate, status, year, ..., target_id, schedule_used), for a query
 * FROM target_progress_at(AT) p ET_CHART_HEAD_FROM("AT"), AT being the
 * query's parameter of the instant. A caller that reads target_progress_at
 * anyway (the status page) selects these too, and hands its result to
 * et_chartdata_heads_put: the charts of that instant then skip that query. */
#define ET_CHART_HEAD_COLS                                                                         \
	"p.label AS chart_head, m.label_zh, p.scope, p.display_unit, m.aggregate, p.status,"       \
	" p.year, p.display_div, p.target, p.actual, p.projected, p.tolerance_pct,"                \
	" extract(epoch FROM make_timestamptz(p.year, 1, 1, 0, 0, 0, s.timezone)),"                \
	" extract(epoch FROM make_timestamptz(p.year + 1, 1, 1, 0, 0, 0, s.timezone)),"            \
	" extract(epoch FROM x.at), p.expected, p.target_id, p.schedule_used"
#define ET_CHART_HEAD_FROM(at_param)                                                               \
	" JOIN metric m ON m.name = p.metric CROSS JOIN target_setting s"                          \
	" CROSS JOIN (SELECT " at_param "::timestamptz AS at) x"

/* Keeps the head rows of r (every target of the year of at; its columns
 * ET_CHART_HEAD_COLS from first_col) for the charts of `at` (NULL: now) on
 * conn's database. r is borrowed (copied). Nothing when r does not fit. Any
 * thread. */
void et_chartdata_heads_put(PGconn *conn, const char *at, const PGresult *r, int first_col);

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
