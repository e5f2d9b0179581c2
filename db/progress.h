/* SPDX-License-Identifier: MIT */
/* The one loader of target_progress_at() rows: every target of the year at
 * one instant, with its metric label in the reader's language and its alert
 * state, as plain C values. The evaluation, the digest, the status page,
 * `enertrack status`, `enertrack report` and the chart all read these rows;
 * they query nothing else of target_progress_at. Blocking libpq. */
#ifndef ENERTRACK_DB_PROGRESS_H
#define ENERTRACK_DB_PROGRESS_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "enertrack/i18n.h"

/* One target at the instant (the columns of target_progress_at). Strings
 * point into the set and live until et_progress_free; "" for a NULL text
 * except where said; NaN for a NULL number. */
typedef struct et_progress {
	int target_id;
	const char *id;	   /* target_id as text, for statement parameters */
	const char *label; /* metric_label(metric, lang), else target_progress_at's label */
	const char *metric;
	int year;
	const char *scope, *kind, *unit, *display_unit;
	double target, display_div; /* display value = canonical / display_div */
	double elapsed_pct, expected, actual, drift_pct, projected, required_daily;
	int sites_reporting, sites_stale;
	double stale_shortfall, tolerance_pct;
	const char *status;
	const char *plan_text; /* NULL when none */
	const char *schedule_used, *schedule_note, *month_sources, *late_projects;
	int milestones_due;
	/* alert_state: state NULL when the target has no row yet */
	const char *alert_state;
	int64_t alert_since_us, alert_last_mail_us; /* 0: none */
	/* alert_silenced(target, at): the silence that holds, NULL when none */
	const char *silenced_by;
} et_progress_t;

typedef struct et_progress_set {
	et_progress_t *rows; /* ordered by target_id */
	size_t n;
	int64_t at_us; /* the instant, µs since the epoch */
	PGresult *res; /* owns the strings */
} et_progress_set_t;

#define ET_PROGRESS_SET_INIT                                                                       \
	{                                                                                          \
		NULL, 0, 0, NULL                                                                   \
	}

/* Loads every target at `at` (a timestamptz literal: "now" is the
 * transaction's time). The session's settings apply (et_pq_use_settings).
 * On success *ret holds the rows (et_progress_free them); returns 0, or
 * -EIO (server's message in err) or -ENOMEM, and *ret is empty. */
int et_progress_load(PGconn *conn, const char *at, et_lang_t lang, et_progress_set_t *ret,
		     char *err, size_t errlen) __attribute__((warn_unused_result));

/* The row of target id, or NULL. */
const et_progress_t *et_progress_find(const et_progress_set_t *s, int target_id);

/* Frees the rows; s is empty afterwards; an empty set does nothing. */
void et_progress_free(et_progress_set_t *s);

#endif
