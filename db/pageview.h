/* SPDX-License-Identifier: MIT */
/* The year and the instant the status page shows (daemon/page.c): what
 * /?year= and /?at= ask, or by default now in the current year, or the last
 * minute of the latest year that has targets when the current one has none;
 * with the years that have targets, for the links between them. Blocking
 * libpq, on the page worker. */
#ifndef ENERTRACK_DB_PAGEVIEW_H
#define ENERTRACK_DB_PAGEVIEW_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "enertrack/i18n.h"
#include "enertrack/pagehtml.h"

/* What a request asks to see. */
typedef struct et_page_view {
	et_page_query_t q; /* ?year= and ?at=, decoded; "" when not given */
	int year, asked_year;
	bool past;	/* the instant is not now */
	char at[80];	/* the instant, a timestamptz literal for the queries */
	char as_of[32]; /* its local time, for people */
	int years[64];	/* the years that have targets */
	size_t nyears;
} et_page_view_t;

/* Fills v's year, instant and years from v->q, in time zone tz. Returns 0;
 * -EINVAL with the words for a bad request (lang) in err; -EIO with the
 * server's message. */
int et_page_view_resolve(PGconn *conn, et_lang_t lang, const char *tz, et_page_view_t *v, char *err,
			 size_t errlen) __attribute__((warn_unused_result));

#endif
