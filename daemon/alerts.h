/* SPDX-License-Identifier: MIT */
/* Target evaluation and alert mail, on two threads with a PostgreSQL
 * connection each. The evaluator, every eval_interval_s, under a
 * transaction-scoped advisory lock (so that of several daemons exactly one
 * evaluates), reads target_progress, steps each target's alert state machine
 * (lib/alert.c) and records each change in drift_event and each mail in
 * alert_outbox in the same transaction. The mailer sends what is due in
 * alert_outbox through libcurl's SMTP, with back-off, holding each mail by a
 * session advisory lock and no open transaction, so that a slow or silent
 * mail server holds back neither evaluation nor the database. Nothing here
 * runs on the loop thread except start, reconfigure and stop. */
#ifndef ENERTRACK_DAEMON_ALERTS_H
#define ENERTRACK_DAEMON_ALERTS_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "enertrack/buf.h"
#include "enertrack/config.h"
#include "enertrack/membermail.h"

typedef struct et_alerts et_alerts_t;

/* cfg is copied (the reloadable [targets], [alerts] and [smtp] keys and the
 * conninfo); passwords may be NULL. loop is where et_alerts_stop reports.
 * Returns 0 or a negative errno. Loop thread. */
int et_alerts_start(et_alerts_t **ret, uv_loop_t *loop, const et_config_t *cfg,
		    const char *pg_password, const char *smtp_password)
	__attribute__((warn_unused_result));

/* Applies a reloaded configuration (thread-safe). */
int et_alerts_reconfigure(et_alerts_t *al, const et_config_t *cfg, const char *smtp_password);

/* Asks both threads to stop and returns at once: a mail in flight is
 * aborted (it stays due in alert_outbox for the next start). The loop then
 * joins the threads when they say they ended, or gives up after 5 s; either
 * way `closed` (if any) runs on the loop, with joined false when a thread
 * was left running (al is then not freed, and libcurl may still be in use).
 * al stays valid for et_alerts_metrics until `closed` runs. NULL-safe; once. */
void et_alerts_stop(et_alerts_t *al, void (*closed)(void *ctx, bool joined), void *ctx);

/* After the loop ended, for an al that et_alerts_stop left behind (closed
 * said joined false): when its threads have ended since, joins them, frees
 * al and returns true; else returns false and al stays to the process's
 * exit (libcurl may still be in use). */
bool et_alerts_reap(et_alerts_t *al);

/* Appends the per-target gauges of the last evaluation this instance ran
 * (drift % and alert state, each family whole), the failures of the
 * evaluation per target and the time of the last evaluation to out, in the
 * Prometheus text format. */
void et_alerts_metrics(et_alerts_t *al, et_buf_t *out);

/* /healthz: when a round of the evaluation, a target or the truth mails
 * has failed for longer than [alerts] eval_fail_s, writes why into why and
 * returns true. Loop thread; NULL-safe (false). */
bool et_alerts_unhealthy(et_alerts_t *al, int64_t now_us, char *why, size_t whylen);

/* The group's members, copied into out (at most max); returns how many
 * there are. Called on the evaluator's thread. */
typedef size_t (*et_alerts_members_fn)(void *ctx, et_member_t *out, size_t max);
#define ET_ALERTS_MAX_MEMBERS 256

/* After each evaluation, the evaluator also mails about group members down
 * longer than [mqtt] member_down_alarm_s (db/member_alarm.c), asking fn
 * for them; fn NULL stops that. fn and ctx must stay callable while the
 * evaluator runs (until `closed` said joined). Loop thread. */
void et_alerts_set_members(et_alerts_t *al, et_alerts_members_fn fn, void *ctx);

#endif
