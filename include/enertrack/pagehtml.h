/* SPDX-License-Identifier: MIT */
/* The HTML of the status page's index, from plain rows (daemon/page.c
 * reads them from PostgreSQL): every word from the message catalogue, every
 * figure through the number formatter, every datum HTML-escaped. Pure; any
 * thread. The strings in the rows are borrowed for the call. */
#ifndef ENERTRACK_PAGEHTML_H
#define ENERTRACK_PAGEHTML_H

#include <stdbool.h>
#include <stddef.h>

#include "enertrack/i18n.h"
#include "enertrack/text.h"

/* the page refreshes itself this often, s */
#define ET_PAGE_REFRESH_S 60
/* the chart widths served: a phone's, and the page's column */
#define ET_PAGE_W_PHONE 390
#define ET_PAGE_W_WIDE	640

/* A target's row; figures in display units, NaN when not known. */
typedef struct et_page_target {
	const char *id, *label, *year, *scope, *unit, *status;
	double target, expected, actual, drift_pct, projected;
} et_page_target_t;

typedef struct et_page_stale {
	const char *site_id, *county, *last_reading, *metric_label;
} et_page_stale_t;

typedef struct et_page_firing {
	const char *target_id, *label, *year, *scope, *since;
} et_page_firing_t;

/* A silence or acknowledgement: ack (until resolved) or until `until`. */
typedef struct et_page_silence {
	const char *label, *year, *scope, *until, *created_by, *created_at, *reason;
	bool ack, in_force;
} et_page_silence_t;

typedef struct et_page_index {
	et_lang_t lang;
	const char *tz;
	const char *generated; /* local time of the figures; NULL: not shown */
	const et_page_target_t *targets;
	size_t ntargets;
	const et_page_stale_t *stale;
	size_t nstale;
	const et_page_firing_t *firing;
	size_t nfiring;
	const et_page_silence_t *silences; /* none: no section */
	size_t nsilences;
} et_page_index_t;

/* The whole index page into o. Failures stick in o (et_text_error). */
void et_page_html_index(et_text_t *o, const et_page_index_t *pg);

#endif
