/* SPDX-License-Identifier: MIT */
/* The pictures of the truth mails (db/truth_alerts.c queues them, their
 * words come from lib/truthmail.c): a county whose telemetry differs from
 * its statistics gets a chart of its months (statistics against telemetry)
 * and a table of its sites with their share of the month's gap; a late
 * project gets the register of its target (planned against commissioned,
 * the late ones marked), and so does a target whose register falls short;
 * counties that do not add up get each county's figure, then their sum
 * against the city's; a target without data gets its progress chart
 * (db/chartdata.h). Loaded
 * here, drawn by draw/chart.c. Blocking libpq;
 * the mail finisher (db/eval_mails.c) calls it after the evaluation's
 * COMMIT. */
#ifndef ENERTRACK_DB_TRUTHCHARTS_H
#define ENERTRACK_DB_TRUTHCHARTS_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "enertrack/buf.h"
#include "enertrack/i18n.h"
#include "enertrack/text.h"

/* The chart of truth alert (kind, key) as of `at` (a timestamptz literal)
 * appended to png as PNG, width_px wide; for a reconciliation, the HTML
 * table of the county's sites appended to html (may be NULL). Figures in the
 * bureau's units when bureau. Returns 0, -ENOENT (nothing to draw), -EIO
 * (server's message in err) or -ENOMEM. */
int et_truth_chart(PGconn *conn, const char *kind, const char *key, const char *at, et_lang_t lang,
		   bool bureau, int width_px, et_buf_t *png, et_text_t *html, char *err,
		   size_t errlen) __attribute__((warn_unused_result));

#endif
