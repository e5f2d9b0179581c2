/* SPDX-License-Identifier: MIT */
/* Target evaluation against PostgreSQL (common/evaluate.c): used by the
 * daemon's alerts thread and by `enertrack evaluate`. Blocking libpq: call it
 * from a thread that may block. */
#ifndef ENERTRACK_COMMON_EVALUATE_H
#define ENERTRACK_COMMON_EVALUATE_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "enertrack/alert.h"

/* One target as the evaluation left it (for /metrics). */
typedef struct et_eval_target {
	const char *id, *label, *metric, *year, *scope, *kind, *status;
	double drift_pct;  /* NAN without data */
	const char *state; /* ok, pending or firing, after this evaluation */
} et_eval_target_t;

typedef struct et_eval_cfg {
	/* the evaluation runs with these, whatever target_setting holds */
	const char *tz;
	double min_elapsed_pct;
	int stale_after_s;
	/* the daemon: also store them in target_setting, which psql, Grafana
	 * and the target_progress view read; `enertrack evaluate` does not */
	bool store_settings;
	et_alert_params_t params;
	const char *smtp_from;
	const char *smtp_to;  /* empty: changes are recorded, no mail is queued */
	const char *language; /* of the mails: "en" or "zh-CN"; NULL: en */
	/* optional: told each target, before the transaction commits */
	void (*on_target)(void *ctx, const et_eval_target_t *t);
	void *ctx;
} et_eval_cfg_t;

typedef struct et_eval_result {
	bool busy;  /* another instance held the lock: nothing was done */
	int events; /* drift_event rows written */
	int mails;  /* alert_outbox rows written */
} et_eval_result_t;

#define ET_MAX_RCPT 32

/* Runs one statement that returns no rows or some; 0, or -EIO with the
 * server's message in err. */
int et_pq_exec(PGconn *conn, const char *sql, char *err, size_t errlen);

/* Makes the target functions of this session use tz, min_elapsed_pct and
 * stale_after_s (the session settings enertrack.timezone, ... that the view
 * target_setting prefers, sql/006_settings.sql) instead of the stored row:
 * until the end of the transaction when local, else for the session. With
 * store, they also become the stored row (the daemon's, which the views use
 * in other sessions). Returns 0, or -EIO with the server's message in err. */
int et_pq_use_settings(PGconn *conn, const char *tz, double min_elapsed_pct, int stale_after_s,
		       bool local, bool store, char *err, size_t errlen);

/* Splits "a@x, b@y c@z" into at most ET_MAX_RCPT addresses, copied into buf
 * and pointed to from out. Returns how many. */
size_t et_split_rcpt(const char *to, char *buf, size_t buflen, const char **out);

/* Evaluates every target of the year of `at` (a timestamptz literal; NULL
 * means now()) in one transaction. Returns 0, or -EIO with the database's
 * message in err (the transaction is rolled back). */
int et_evaluate(PGconn *conn, const et_eval_cfg_t *c, const char *at, et_eval_result_t *ret,
		char *err, size_t errlen) __attribute__((warn_unused_result));

#endif
