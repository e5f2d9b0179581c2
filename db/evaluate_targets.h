/* SPDX-License-Identifier: MIT */
/* Target evaluation against PostgreSQL (db/evaluate_targets.c): used by the
 * daemon's alerts thread and by `enertrack evaluate`. Blocking libpq: call it
 * from a thread that may block. The libpq helpers that were declared here
 * are db/pq.h; et_split_rcpt and ET_MAX_RCPT are db/outbox.h. */
#ifndef ENERTRACK_DB_EVALUATE_TARGETS_H
#define ENERTRACK_DB_EVALUATE_TARGETS_H

#include <libpq-fe.h>
#include <stdbool.h>
#include "enertrack/i18n.h"
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
	const char *smtp_to; /* empty: changes are recorded, no mail is queued */
	/* [targets] statistics_sources (NULL or "": every source, by name) and
	 * the milestone and reconciliation mails (db/truth_alerts.c) */
	const char *statistics_sources;
	int milestone_grace_days;
	double reconcile_pct;
	int no_data_days;
	et_lang_t lang; /* of the mails */
	/* optional: told each target, before the transaction commits */
	void (*on_target)(void *ctx, const et_eval_target_t *t);
	/* optional: told each part whose evaluation failed this round, after
	 * its changes were rolled back (the others' are kept): part is
	 * "target:<id>", "truth:<kind>:<key>" (one row of the truth mails,
	 * db/truth_alerts.c), "truth:<kind>" (its query) or "truth" (the truth
	 * mails as a whole), target_id the target's id or NULL, reason the
	 * error */
	void (*on_failure)(void *ctx, const char *part, const char *target_id, const char *reason);
	void *ctx;
} et_eval_cfg_t;

typedef struct et_eval_result {
	bool busy;  /* another instance held the lock: nothing was done */
	int events; /* drift_event rows written */
	int mails;  /* alert_outbox rows written */
	int failed; /* parts that failed (on_failure), the round committed all the same */
} et_eval_result_t;

/* Evaluates every target of the year of `at` (a timestamptz literal; NULL
 * means now()) in one transaction, which records the changes and queues
 * their mails pending; after COMMIT it renders them (db/eval_mails.c).
 * Each target, and the milestone and reconciliation mails, run in a
 * savepoint of their own: one that fails is rolled back alone, recorded in
 * evaluation_failure (logged when it starts failing and when it recovers)
 * and told to on_failure; the others commit. Returns 0 (ret->failed may be
 * non-zero), or -EIO with the database's message in err when the round
 * failed as a whole (rolled back and recorded as part 'round'; or, when
 * only the rendering failed, the mails stay pending for the next round). */
int et_evaluate(PGconn *conn, const et_eval_cfg_t *c, const char *at, et_eval_result_t *ret,
		char *err, size_t errlen) __attribute__((warn_unused_result));

#endif
