/* SPDX-License-Identifier: MIT */
/* The alerts about the truth behind the targets: a capacity project overdue
 * by more than [alerts] milestone_grace_days (one mail per project, ever),
 * and a county whose telemetry is off its official statistics by more than
 * [alerts] reconcile_pct (one mail each time it starts). Run inside
 * et_evaluate's transaction: the mails are queued pending (their text in
 * the row), and db/eval_mails.c makes them whole after the commit.
 * Blocking libpq. */
#ifndef ENERTRACK_DB_TRUTH_ALERTS_H
#define ENERTRACK_DB_TRUTH_ALERTS_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "enertrack/i18n.h"

typedef struct et_truth_cfg {
	const char *smtp_to; /* [smtp] to; alert_route adds to it */
	int milestone_grace_days;
	double reconcile_pct;
	int no_data_days; /* [alerts] no_data_days; 0: no no-data mail */
	et_lang_t lang;
	/* optional: told of each row (part "truth:<kind>:<key>") or kind's
	 * query (part "truth:<kind>") that failed, with the error, after its
	 * work was rolled back to its own savepoint (the other rows' is kept);
	 * records it (evaluation_failure) and returns true, or false when the
	 * transaction is gone. Without it, the first failure ends the
	 * evaluation with -EIO. */
	bool (*on_failure)(void *ctx, const char *part, const char *reason);
	void *ctx;
} et_truth_cfg_t;

/* Queues the milestone, reconciliation, register, no-data and county-sum
 * mails due at `at` (a timestamptz literal) and records them in
 * truth_alert, each row in a savepoint of its own (one bad row stops no
 * other); adds the mails queued to *ret_mails. Returns 0, or -EIO with the
 * server's message in err (a failure on_failure could not record). */
int et_truth_evaluate(PGconn *conn, const et_truth_cfg_t *c, const char *at, int *ret_mails,
		      char *err, size_t errlen) __attribute__((warn_unused_result));

/* The Message-ID (without <>) of a truth mail: kind, a hash of the key (it
 * may hold a county's name) and the instant, in seconds. */
void et_truth_message_id(const char *kind, const char *key, long long at_s, char *out, size_t len);

#endif
