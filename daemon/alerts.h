/* SPDX-License-Identifier: MIT */
/* Target evaluation and alert mail, on a thread of their own with their own
 * PostgreSQL connection: every eval_interval_s, under a transaction-scoped
 * advisory lock (so that of several daemons exactly one evaluates), read
 * target_progress, step each target's alert state machine (lib/alert.c),
 * record each change in drift_event and each mail in alert_outbox in the
 * same transaction; then send what is due in alert_outbox through libcurl's
 * SMTP, with back-off. Nothing here runs on the loop thread except start,
 * reconfigure and stop. */
#ifndef ENERTRACK_DAEMON_ALERTS_H
#define ENERTRACK_DAEMON_ALERTS_H

#include "enertrack/buf.h"
#include "enertrack/config.h"

typedef struct et_alerts et_alerts_t;

/* cfg is copied (the reloadable [targets], [alerts] and [smtp] keys and the
 * conninfo); passwords may be NULL. Returns 0 or a negative errno. */
int et_alerts_start(et_alerts_t **ret, const et_config_t *cfg, const char *pg_password,
		    const char *smtp_password) __attribute__((warn_unused_result));

/* Applies a reloaded configuration (thread-safe). */
int et_alerts_reconfigure(et_alerts_t *al, const et_config_t *cfg, const char *smtp_password);

/* Stops and joins the thread, and frees al. NULL-safe. */
void et_alerts_stop(et_alerts_t *al);

/* Appends the per-target gauges of the last evaluation this instance ran
 * (drift % and alert state) to out, in the Prometheus text format. */
void et_alerts_metrics(et_alerts_t *al, et_buf_t *out);

#endif
