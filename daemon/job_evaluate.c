/* SPDX-License-Identifier: MIT */
/* The evaluation job: steps every target's alert state machine and queues
 * its mails (db/evaluate_targets.c, under its advisory lock, so that of several
 * daemons exactly one evaluates), and keeps the per-target gauges of the last
 * evaluation this daemon ran for /metrics. Jobs thread, except
 * et_alerts_metrics (the loop thread). */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "alerts_int.h"
#include "db/evaluate_targets.h"
#include "enertrack/buf.h"
#include "enertrack/log.h"

/* A Prometheus label value: backslash, double quote and newline escaped. */
static void label(et_buf_t *b, const char *name, const char *v, bool *oom)
{
	char esc[2] = {'\\', 0};
	*oom |= et_buf_append(b, name, strlen(name)) || et_buf_append(b, "=\"", 2);
	for (; *v; v++) {
		esc[1] = *v == '\n' ? 'n' : *v;
		if (*v == '\\' || *v == '"' || *v == '\n')
			*oom |= et_buf_append(b, esc, 2) != 0;
		else
			*oom |= et_buf_append(b, v, 1) != 0;
	}
	*oom |= et_buf_append(b, "\"", 1) != 0;
}

static void target_labels(et_buf_t *b, const et_eval_target_t *t, bool *oom)
{
	*oom |= et_buf_append(b, "{", 1) != 0;
	label(b, "target", t->id, oom);
	label(b, ",metric", t->metric, oom);
	label(b, ",year", t->year, oom);
	label(b, ",scope", t->scope, oom);
	label(b, ",kind", t->kind, oom);
}

/* et_eval_cfg_t.on_target: two gauges per target, drift and alert state */
static void on_target(void *ctx, const et_eval_target_t *t)
{
	et_alerts_t *al = ctx;
	et_buf_t *b = &al->tm_next;
	static const char *states[] = {"ok", "pending", "firing"};
	char num[64];
	bool oom = false;

	oom |= et_buf_append(b, "enertrack_target_drift_percent", 30) != 0;
	target_labels(b, t, &oom);
	label(b, ",status", t->status, &oom);
	snprintf(num, sizeof(num), "} %.6g\n", t->drift_pct);
	oom |= et_buf_append(b, num, strlen(num)) != 0;
	for (size_t k = 0; k < 3; k++) {
		oom |= et_buf_append(b, "enertrack_target_alert_state", 28) != 0;
		target_labels(b, t, &oom);
		label(b, ",state", states[k], &oom);
		snprintf(num, sizeof(num), "} %d\n", strcmp(t->state, states[k]) == 0);
		oom |= et_buf_append(b, num, strlen(num)) != 0;
	}
	al->tm_oom |= oom;
}

void et_alerts_metrics(et_alerts_t *al, et_buf_t *out)
{
	static const char head[] =
		"# HELP enertrack_target_drift_percent Drift from the time-proportional schedule "
		"at the last evaluation (%; NaN without data).\n"
		"# TYPE enertrack_target_drift_percent gauge\n"
		"# HELP enertrack_target_alert_state The alert state of each target (1: current).\n"
		"# TYPE enertrack_target_alert_state gauge\n";
	if (!al)
		return;
	pthread_mutex_lock(&al->mu);
	if (et_buf_append(out, head, sizeof(head) - 1) == 0 && al->tm.len)
		(void)!et_buf_append(out, al->tm.data, al->tm.len);
	pthread_mutex_unlock(&al->mu);
}

int job_evaluate(et_alerts_t *al, const struct alert_cfg *c, et_eval_result_t *ret)
{
	et_eval_cfg_t ec = {.tz = c->tz,
			    .min_elapsed_pct = c->min_elapsed_pct,
			    .stale_after_s = c->stale_after_s,
			    .store_settings = true,
			    .params = c->params,
			    .smtp_from = c->smtp_from,
			    .smtp_to = c->smtp_to,
			    .statistics_sources = c->statistics_sources,
			    .milestone_grace_days = c->milestone_grace_days,
			    .reconcile_pct = c->reconcile_pct,
			    .no_data_days = c->no_data_days,
			    .lang = c->lang,
			    .on_target = on_target,
			    .ctx = al};
	et_buf_reset(&al->tm_next);
	al->tm_oom = false;
	if (et_evaluate(al->eval_db.conn, &ec, NULL, ret, al->eval_db.err,
			sizeof(al->eval_db.err))) {
		log_error("alerts: evaluation failed: %s", al->eval_db.err);
		alerts_db_check(&al->eval_db);
		return -1;
	}
	return 0;
}

void job_evaluate_publish(et_alerts_t *al)
{
	pthread_mutex_lock(&al->mu);
	if (!al->tm_oom) {
		et_buf_t tmp = al->tm;
		al->tm = al->tm_next;
		al->tm_next = tmp;
	}
	pthread_mutex_unlock(&al->mu);
}
