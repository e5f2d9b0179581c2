/* SPDX-License-Identifier: MIT */
/* The evaluation job: steps every target's alert state machine and queues
 * its mails (db/evaluate_targets.c, under its advisory lock, so that of several
 * daemons exactly one evaluates), and keeps the per-target gauges of the last
 * evaluation this daemon ran for /metrics, with the evaluation's failures
 * (per target, for /metrics and /healthz). Jobs thread, except
 * et_alerts_metrics and et_alerts_unhealthy (the loop thread). */
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts_int.h"
#include "db/evaluate_targets.h"
#include "common/clock.h"
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
	et_buf_t *b = &al->tm_next, *st = &al->tm_state_next;
	static const char *states[] = {"ok", "pending", "firing"};
	char num[64];
	bool oom = false;

	oom |= et_buf_append(b, "enertrack_target_drift_percent", 30) != 0;
	target_labels(b, t, &oom);
	label(b, ",status", t->status, &oom);
	snprintf(num, sizeof(num), "} %.6g\n", t->drift_pct);
	oom |= et_buf_append(b, num, strlen(num)) != 0;
	/* the state lines into a buffer of their own: the text format wants
	 * each family's lines together, not target by target */
	b = st;
	for (size_t k = 0; k < 3; k++) {
		oom |= et_buf_append(b, "enertrack_target_alert_state", 28) != 0;
		target_labels(b, t, &oom);
		label(b, ",state", states[k], &oom);
		snprintf(num, sizeof(num), "} %d\n", strcmp(t->state, states[k]) == 0);
		oom |= et_buf_append(b, num, strlen(num)) != 0;
	}
	al->tm_oom |= oom;
}

/* The failure record of part, made when new (NULL without memory).
 * Caller holds mu. */
static struct eval_fail *fail_of(et_alerts_t *al, const char *part)
{
	for (size_t i = 0; i < al->nfails; i++)
		if (strcmp(al->fails[i].part, part) == 0)
			return &al->fails[i];
	if (al->nfails == al->capfails) {
		size_t cap = al->capfails ? 2 * al->capfails : 16;
		struct eval_fail *f = realloc(al->fails, cap * sizeof(*f));
		if (!f)
			return NULL;
		al->fails = f;
		al->capfails = cap;
	}
	struct eval_fail *f = &al->fails[al->nfails++];
	memset(f, 0, sizeof(*f));
	snprintf(f->part, sizeof(f->part), "%s", part);
	return f;
}

/* One part failed this round: counted, and failing since now unless it
 * already was. */
static void note_failure(et_alerts_t *al, const char *part, const char *reason)
{
	pthread_mutex_lock(&al->mu);
	struct eval_fail *f = fail_of(al, part);
	if (f) {
		f->count++;
		f->this_round = true;
		if (!f->since_us)
			f->since_us = et_wall_us();
		snprintf(f->reason, sizeof(f->reason), "%s", reason);
	}
	pthread_mutex_unlock(&al->mu);
}

/* et_eval_cfg_t.on_failure: the label is the target's id, or the part */
static void on_failure(void *ctx, const char *part, const char *target_id, const char *reason)
{
	note_failure(ctx, target_id ? target_id : part, reason);
}

/* After a round: what did not fail in it no longer fails. */
static void end_round(et_alerts_t *al, bool committed)
{
	pthread_mutex_lock(&al->mu);
	for (size_t i = 0; i < al->nfails; i++) {
		struct eval_fail *f = &al->fails[i];
		bool is_round = strcmp(f->part, "round") == 0;
		if (committed && !f->this_round)
			f->since_us = 0;
		else if (!committed && !is_round)
			continue; /* a failed round says nothing of the targets */
		f->this_round = false;
	}
	if (committed)
		al->last_eval_us = et_wall_us();
	pthread_mutex_unlock(&al->mu);
}

void et_alerts_metrics(et_alerts_t *al, et_buf_t *out)
{
	static const char drift_head[] =
		"# HELP enertrack_target_drift_percent Drift from the time-proportional schedule "
		"at the last evaluation (%, or percentage points for a target in %; NaN "
		"without data).\n"
		"# TYPE enertrack_target_drift_percent gauge\n";
	static const char state_head[] =
		"# HELP enertrack_target_alert_state The alert state of each target (1: current).\n"
		"# TYPE enertrack_target_alert_state gauge\n";
	static const char fail_head[] =
		"# HELP enertrack_evaluation_failures_total Evaluation rounds in which a target "
		"failed (rolled back alone; the others went on), or a row of the truth mails "
		"(truth:<kind>:<key>), or "
		"the round as a whole (round). See the view evaluation_failures.\n"
		"# TYPE enertrack_evaluation_failures_total counter\n";
	static const char last_head[] =
		"# HELP enertrack_last_evaluation_timestamp_seconds When this instance last "
		"committed an evaluation of the targets (0: not yet).\n"
		"# TYPE enertrack_last_evaluation_timestamp_seconds gauge\n";
	if (!al)
		return;
	bool oom = false;
	char line[160];
	pthread_mutex_lock(&al->mu);
	oom |= et_buf_append(out, drift_head, sizeof(drift_head) - 1) != 0;
	oom |= et_buf_append(out, al->tm.data, al->tm.len) != 0;
	oom |= et_buf_append(out, state_head, sizeof(state_head) - 1) != 0;
	oom |= et_buf_append(out, al->tm_state.data, al->tm_state.len) != 0;
	oom |= et_buf_append(out, fail_head, sizeof(fail_head) - 1) != 0;
	for (size_t i = 0; i < al->nfails && !oom; i++) {
		oom |= et_buf_append(out, "enertrack_evaluation_failures_total{", 36) != 0;
		label(out, "target", al->fails[i].part, &oom);
		int k = snprintf(line, sizeof(line), "} %" PRIu64 "\n", al->fails[i].count);
		oom |= et_buf_append(out, line, (size_t)k) != 0;
	}
	oom |= et_buf_append(out, last_head, sizeof(last_head) - 1) != 0;
	int k = snprintf(line, sizeof(line), "enertrack_last_evaluation_timestamp_seconds %.3f\n",
			 (double)al->last_eval_us / 1e6);
	oom |= et_buf_append(out, line, (size_t)k) != 0;
	pthread_mutex_unlock(&al->mu);
	(void)oom; /* a page cut short by memory is the caller's 500 either way */
}

bool et_alerts_unhealthy(et_alerts_t *al, int64_t now_us, char *why, size_t whylen)
{
	if (!al)
		return false;
	bool bad = false;
	pthread_mutex_lock(&al->mu);
	int64_t limit_us = (int64_t)(al->cfg ? al->cfg->eval_fail_s : 60) * 1000000;
	const struct eval_fail *worst = NULL;
	for (size_t i = 0; i < al->nfails; i++) {
		const struct eval_fail *f = &al->fails[i];
		if (f->since_us && now_us - f->since_us > limit_us &&
		    (!worst || f->since_us < worst->since_us))
			worst = f;
	}
	if (worst) {
		char what[400] = "";
		if (strcmp(worst->part, "truth") == 0)
			snprintf(what, sizeof(what), " of the truth mails");
		else if (strncmp(worst->part, "truth:", 6) == 0)
			snprintf(what, sizeof(what), " of the truth mail %s", worst->part + 6);
		else if (strcmp(worst->part, "round") != 0)
			snprintf(what, sizeof(what), " of target %s", worst->part);
		snprintf(why, whylen, "evaluation%s has failed for %lld s (eval_fail_s %lld): %s",
			 what, (long long)((now_us - worst->since_us) / 1000000),
			 (long long)(limit_us / 1000000), worst->reason);
		bad = true;
	}
	pthread_mutex_unlock(&al->mu);
	return bad;
}

void job_evaluate_free(et_alerts_t *al)
{
	et_buf_free(&al->tm);
	et_buf_free(&al->tm_next);
	et_buf_free(&al->tm_state);
	et_buf_free(&al->tm_state_next);
	free(al->fails);
	al->fails = NULL;
	al->nfails = al->capfails = 0;
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
			    .on_failure = on_failure,
			    .ctx = al};
	et_buf_reset(&al->tm_next);
	et_buf_reset(&al->tm_state_next);
	al->tm_oom = false;
	if (et_evaluate(al->eval_db.conn, &ec, NULL, ret, al->eval_db.err,
			sizeof(al->eval_db.err))) {
		/* retried every 5 s: logged when it starts failing, and when it
		 * works again (the view evaluation_failures has each reason) */
		if (!al->eval_failing)
			log_error(
				"alerts: evaluation failed (logged once until it works again): %s",
				al->eval_db.err);
		else
			log_debug("alerts: evaluation failed: %s", al->eval_db.err);
		al->eval_failing = true;
		note_failure(al, "round", al->eval_db.err);
		end_round(al, false);
		alerts_db_check(&al->eval_db);
		return -1;
	}
	if (al->eval_failing && !ret->busy)
		log_info("alerts: the evaluation works again");
	al->eval_failing = al->eval_failing && ret->busy;
	if (!ret->busy)
		end_round(al, true);
	return 0;
}

void job_evaluate_publish(et_alerts_t *al)
{
	pthread_mutex_lock(&al->mu);
	if (!al->tm_oom) {
		et_buf_t tmp = al->tm;
		al->tm = al->tm_next;
		al->tm_next = tmp;
		tmp = al->tm_state;
		al->tm_state = al->tm_state_next;
		al->tm_state_next = tmp;
	}
	pthread_mutex_unlock(&al->mu);
}
