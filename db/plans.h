/* SPDX-License-Identifier: MIT */
/* The plans over several years (target.first_year; the 14th Five-Year
 * Plan's intensity decline) at the end of the last year closed before an
 * instant: one query (target_plan_progress) that `enertrack status` and the
 * status page (/ and /targets.json) both read, and the JSON object of one
 * plan they both write. Blocking libpq. */
#ifndef ENERTRACK_DB_PLANS_H
#define ENERTRACK_DB_PLANS_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stddef.h>

#include "enertrack/i18n.h"
#include "enertrack/pagehtml.h"

/* The columns of et_plans_query's rows. */
enum {
	ET_PLAN_ID,
	ET_PLAN_LABEL,
	ET_PLAN_METRIC,
	ET_PLAN_SCOPE,
	ET_PLAN_KIND,
	ET_PLAN_VALUE,
	ET_PLAN_FIRST,
	ET_PLAN_YEAR,
	ET_PLAN_UPTO,	  /* the last year counted: min(closed, year) */
	ET_PLAN_DONE,	  /* years of the plan done */
	ET_PLAN_ACTUAL,	  /* the cumulative decline, % */
	ET_PLAN_EXPECTED, /* the cumulative 序时进度, % */
	ET_PLAN_DRIFT,	  /* percentage points */
	ET_PLAN_TOL,
	ET_PLAN_MISSING, /* the years without a figure, NULL when none */
	ET_PLAN_STATUS,	 /* too_early, insufficient_data, behind, ahead, on_track */
	ET_PLAN_SENTENCE,
	ET_PLAN_CLOSED /* the last year closed before the instant */
};

/* Every plan shown at `at` (a timestamptz literal; "now"): from its first
 * year to the year after its last, labels in lang. The rows (PQclear them),
 * or NULL with the server's message in err. */
PGresult *et_plans_query(PGconn *conn, const char *at, et_lang_t lang, char *err, size_t errlen);

/* Row i as a JSON object, the fields of `enertrack status --json`'s plans
 * (expected and actual in %, drift_pct in points); NULL: out of memory. */
json_t *et_plan_json(PGresult *r, int i);

/* The rows of r as the status page's plans (borrowed strings: they live as
 * long as r); an array to free, or NULL when out of memory. */
et_page_plan_t *et_plans_page_rows(PGresult *r);

#endif
