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
#include <stddef.h>

#include "enertrack/i18n.h"

typedef struct et_truth_cfg {
	const char *smtp_to; /* [smtp] to; alert_route adds to it */
	int milestone_grace_days;
	double reconcile_pct;
	int no_data_days; /* [alerts] no_data_days; 0: no no-data mail */
	et_lang_t lang;
} et_truth_cfg_t;

/* Queues the milestone and reconciliation mails due at `at` (a timestamptz
 * literal) and records them in truth_alert; adds the mails queued to
 * *ret_mails. Returns 0, or -EIO with the server's message in err. */
int et_truth_evaluate(PGconn *conn, const et_truth_cfg_t *c, const char *at, int *ret_mails,
		      char *err, size_t errlen) __attribute__((warn_unused_result));

/* The Message-ID (without <>) of a truth mail: kind, a hash of the key (it
 * may hold a county's name) and the instant, in seconds. */
void et_truth_message_id(const char *kind, const char *key, long long at_s, char *out, size_t len);

#endif
