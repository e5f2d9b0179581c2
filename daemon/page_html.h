/* SPDX-License-Identifier: MIT */
/* The HTML of the status page's index (daemon/page.c queries, this file
 * writes): the query results in, the page out, every word from the message
 * catalogue, every figure through the number formatter, every datum
 * HTML-escaped. No I/O beyond reading the results. Any thread. */
#ifndef ENERTRACK_DAEMON_PAGE_HTML_H
#define ENERTRACK_DAEMON_PAGE_HTML_H

#include <libpq-fe.h>

#include "enertrack/i18n.h"
#include "enertrack/text.h"

/* the page refreshes itself this often, s */
#define REFRESH_S 60
/* the chart widths served: a phone's, and the page's column */
#define W_PHONE 390
#define W_WIDE	640

/* The columns of the targets query (targets_sql in daemon/page.c). */
enum {
	T_ID,
	T_LABEL,
	T_YEAR,
	T_SCOPE,
	T_KIND,
	T_TARGET,
	T_UNIT,
	T_DIV,
	T_ELAPSED,
	T_EXPECTED,
	T_ACTUAL,
	T_DRIFT,
	T_PROJECTED,
	T_REPORTING,
	T_STALE,
	T_STATUS,
	T_STATE,
	T_METRIC,
	T_NOW,
};

/* The whole index page into o, from the results of the targets, stale,
 * firing and silence queries of daemon/page.c (borrowed). Failures stick in
 * o (et_text_error). */
void et_page_html_index(et_text_t *o, et_lang_t lang, const char *tz, PGresult *t, PGresult *st,
			PGresult *fi, PGresult *si);

#endif
