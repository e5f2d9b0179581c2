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
	int sites_reporting; /* 0: no chart, a sentence why */
} et_page_target_t;

typedef struct et_page_stale {
	const char *site_id, *county, *last_reading, *metric_label;
} et_page_stale_t;

/* A problem that mails: a drift alert firing, an overdue project, a county
 * whose telemetry differs from its statistics. */
typedef enum { ET_PAGE_DRIFT, ET_PAGE_MILESTONE, ET_PAGE_RECONCILE } et_page_kind_t;

typedef struct et_page_firing {
	const char *target_id, *label, *year, *scope, *since;
	et_page_kind_t kind;
	const char *detail; /* what the mail said; "" for a drift */
} et_page_firing_t;

/* A plan over several years (db/plans.c) at the end of the last year
 * closed before the instant: figures in %, drift in percentage points, NaN
 * when not known. */
typedef struct et_page_plan {
	const char *label, *first_year, *year, *scope, *upto;
	const char *status;   /* too_early, insufficient_data, behind, ahead, on_track */
	const char *missing;  /* the years without a figure, "" when none */
	const char *sentence; /* the bureau's (zh-CN) sentence, "" when none */
	double target, expected, actual, drift_pct;
} et_page_plan_t;

/* A silence or acknowledgement: ack (until resolved) or until `until`. */
typedef struct et_page_silence {
	const char *label, *year, *scope, *until, *created_by, *created_at, *reason;
	bool ack, in_force;
} et_page_silence_t;

typedef struct et_page_index {
	et_lang_t lang;
	const char *tz;
	const char *generated; /* "as of": local time of the figures; NULL: not shown */
	int year;	       /* the year shown */
	int asked_year;	       /* the year asked for (the current one by default) */
	bool past;	       /* the instant is not now: alerts are as they stand now */
	const int *years;      /* the years that have targets, ascending: links */
	size_t nyears;
	const char *chart_query; /* "?at=..." after each chart's URL (encoded), or "" */
	const et_page_target_t *targets;
	size_t ntargets;
	const et_page_stale_t *stale;
	size_t nstale;
	const et_page_firing_t *firing;
	size_t nfiring;
	const et_page_silence_t *silences; /* none: no section */
	size_t nsilences;
	const et_page_plan_t *plans; /* none: no section */
	size_t nplans;
	const char *plans_closed; /* the last year closed before the instant */
} et_page_index_t;

/* What a request of the page asks: /?year=2024, /?at=2024-06-30T12:00+08:00 */
typedef struct et_page_query {
	char year[16], at[80]; /* decoded; "" when not given (cut when longer) */
} et_page_query_t;

/* Splits "/path?year=..&at=.." into the path (into path, pathlen) and the
 * arguments of q, %-decoded; other arguments are ignored. */
void et_page_parse_query(const char *full, char *path, size_t pathlen, et_page_query_t *q);

/* s percent-encoded for a URL's query into o (unreserved characters as
 * they are). */
void et_page_url_encode(et_text_t *o, const char *s);

/* The whole index page into o. Failures stick in o (et_text_error). */
void et_page_html_index(et_text_t *o, const et_page_index_t *pg);

#endif
