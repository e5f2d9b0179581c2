/* SPDX-License-Identifier: MIT */
/* The mails about the truth behind the targets (common/truth_mail.c): a
 * capacity project overdue by more than [alerts] milestone_grace_days (one
 * mail per project, ever), and a county whose telemetry is off its official
 * statistics by more than [alerts] reconcile_pct (one mail each time it
 * starts). Run inside et_evaluate's transaction. Blocking libpq. */
#ifndef ENERTRACK_COMMON_TRUTH_MAIL_H
#define ENERTRACK_COMMON_TRUTH_MAIL_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/evaluate.h"

/* Makes target_setting.statistics_sources of this session the list in
 * sources ("a, b c": first preferred; NULL or "": every source, by name):
 * until the end of the transaction when local; with store, also in the
 * stored row. Returns 0, or -EIO with the server's message in err. */
int et_truth_use_sources(PGconn *conn, const char *sources, bool local, bool store, char *err,
			 size_t errlen);

/* Queues the milestone and reconciliation mails due at `at` (a timestamptz
 * literal) and records them in truth_alert; adds the mails queued to
 * *ret_mails. Returns 0, or -EIO with the server's message in err. */
int et_truth_evaluate(PGconn *conn, const et_eval_cfg_t *c, const char *at, int *ret_mails,
		      char *err, size_t errlen) __attribute__((warn_unused_result));

#endif
