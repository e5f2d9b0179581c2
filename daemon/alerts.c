/* SPDX-License-Identifier: MIT */
/* The alerts' two threads as one part of the daemon: their settings (copied
 * per round, swapped on reload), their PostgreSQL connections, and their
 * start and stop on the loop thread. What the threads do is elsewhere: the
 * periodic jobs in daemon/jobs.c, the mail outbox in daemon/mailer.c.
 * Stopping aborts a mail in flight at once (its socket is shut down) and is
 * joined on the loop when both threads said they ended. */
#include "alerts.h"

#include <errno.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "alerts_int.h"
#include "common/clock.h"
#include "common/pgconn.h"
#include "enertrack/buf.h"
#include "enertrack/log.h"

/* How long stopping waits for the threads before the daemon exits without
 * them. A mail in flight is aborted at once; this bounds a PostgreSQL call. */
#define STOP_TIMEOUT_MS 5000

void alerts_cfg_free(struct alert_cfg *c)
{
	if (!c)
		return;
	free(c->smtp_url);
	free(c->smtp_tls);
	free(c->smtp_from);
	free(c->smtp_to);
	free(c->smtp_username);
	if (c->smtp_password) {
		memset(c->smtp_password, 0, strlen(c->smtp_password));
		free(c->smtp_password);
	}
	free(c->smtp_ca_file);
	free(c);
}

/* A deep copy of src (its strings duplicated), or NULL without memory. */
static struct alert_cfg *cfg_dup(const struct alert_cfg *src)
{
	struct alert_cfg *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	*c = *src;
	c->smtp_url = strdup(src->smtp_url);
	c->smtp_tls = strdup(src->smtp_tls);
	c->smtp_from = strdup(src->smtp_from);
	c->smtp_to = strdup(src->smtp_to);
	c->smtp_username = strdup(src->smtp_username);
	c->smtp_password = src->smtp_password ? strdup(src->smtp_password) : NULL;
	c->smtp_ca_file = strdup(src->smtp_ca_file);
	if (!c->smtp_url || !c->smtp_tls || !c->smtp_from || !c->smtp_to || !c->smtp_username ||
	    !c->smtp_ca_file || (src->smtp_password && !c->smtp_password)) {
		alerts_cfg_free(c);
		return NULL;
	}
	return c;
}

/* The thread's settings from a configuration: a cfg_dup of a view that
 * borrows cfg's strings. */
static struct alert_cfg *cfg_make(const et_config_t *cfg, const char *smtp_password)
{
	struct alert_cfg v = {
		.eval_interval_s = cfg->eval_interval_s,
		.eval_fail_s = cfg->eval_fail_s,
		.min_elapsed_pct = cfg->min_elapsed_pct,
		.stale_after_s = cfg->stale_after_s,
		.params = {.fire_pct = cfg->fire_pct,
			   .resolve_pct = cfg->resolve_pct,
			   .pending_us = (int64_t)cfg->pending_s * 1000000,
			   .repeat_us = (int64_t)cfg->repeat_s * 1000000},
		/* cfg_dup copies them and never writes through them */
		.smtp_url = (char *)cfg->smtp_url,
		.smtp_tls = (char *)cfg->smtp_tls,
		.smtp_from = (char *)cfg->smtp_from,
		.smtp_to = (char *)cfg->smtp_to,
		.smtp_username = (char *)cfg->smtp_username,
		.smtp_password = (char *)smtp_password,
		.smtp_ca_file = (char *)cfg->smtp_ca_file,
		.smtp_timeout_s = cfg->smtp_timeout_s,
		.smtp_retry_s = cfg->smtp_retry_s,
		.smtp_max_age_h = cfg->smtp_max_age_h,
		.member_down_alarm_s = cfg->mqtt_member_down_alarm_s,
		.maintain_interval_s = cfg->ret_interval_s,
		.maintain = {.ahead_months = cfg->ret_ahead_months,
			     .raw_months = cfg->ret_raw_months,
			     .rollup_months = cfg->ret_rollup_months,
			     .rejected_days = cfg->ret_rejected_days,
			     .corrections_days = cfg->ret_corrections_days},
		.digest_minute = cfg->digest_minute,
		.digest_dows = cfg->digest_dows,
	};
	snprintf(v.tz, sizeof(v.tz), "%s", cfg->tz);
	snprintf(v.statistics_sources, sizeof(v.statistics_sources), "%s", cfg->statistics_sources);
	v.milestone_grace_days = cfg->milestone_grace_days;
	v.reconcile_pct = cfg->reconcile_pct;
	v.no_data_days = cfg->no_data_days;
	v.lang = cfg->lang;
	return cfg_dup(&v);
}

/* ---- PostgreSQL ---- */

bool alerts_db_ensure(et_alerts_t *al, struct db *d)
{
	if (d->conn && PQstatus(d->conn) == CONNECTION_OK)
		return true;
	if (d->conn) {
		PQfinish(d->conn);
		d->conn = NULL;
	}
	d->conn = et_pg_connect(al->conninfo, al->pg_password, d->name, d->what);
	if (PQstatus(d->conn) != CONNECTION_OK) {
		if (d->failures++ == 0)
			log_error("%s: cannot connect to PostgreSQL: %s (retrying; logged once)",
				  d->what, PQerrorMessage(d->conn));
		PQfinish(d->conn);
		d->conn = NULL;
		return false;
	}
	if (d->failures)
		log_info("%s: connected to PostgreSQL again", d->what);
	d->failures = 0;
	return true;
}

/* After a failed statement: drop a connection that broke, to reconnect. */
void alerts_db_check(struct db *d)
{
	if (d->conn && PQstatus(d->conn) != CONNECTION_OK) {
		PQfinish(d->conn);
		d->conn = NULL;
	}
}

bool alerts_stopping(et_alerts_t *al)
{
	pthread_mutex_lock(&al->mu);
	bool stop = al->stop;
	pthread_mutex_unlock(&al->mu);
	return stop;
}

/* Each thread's last act: say so to the loop, unless it stopped waiting. */
void alerts_thread_ended(et_alerts_t *al, bool *ended)
{
	pthread_mutex_lock(&al->mu);
	*ended = true;
	if (!al->abandoned)
		uv_async_send(&al->ended);
	pthread_mutex_unlock(&al->mu);
}

/* Waits up to ms, or until stopped (or, with kick, until mail was queued). */
void alerts_wait_ms(et_alerts_t *al, int64_t ms, bool *kick)
{
	struct timespec until = et_deadline_ms(ms);
	pthread_mutex_lock(&al->mu);
	while (!al->stop && !(kick && *kick)) {
		if (pthread_cond_timedwait(&al->cv, &al->mu, &until) == ETIMEDOUT)
			break;
	}
	if (kick)
		*kick = false;
	pthread_mutex_unlock(&al->mu);
}

struct alert_cfg *alerts_cfg_take(et_alerts_t *al)
{
	/* a private copy per round: reload may swap al->cfg meanwhile */
	pthread_mutex_lock(&al->mu);
	struct alert_cfg *copy = cfg_dup(al->cfg);
	pthread_mutex_unlock(&al->mu);
	return copy;
}

void alerts_kick_mailer(et_alerts_t *al)
{
	pthread_mutex_lock(&al->mu);
	al->mail_kick = true;
	pthread_cond_broadcast(&al->cv);
	pthread_mutex_unlock(&al->mu);
}

/* ---- start and stop, on the loop thread ---- */

static void alerts_free(et_alerts_t *al)
{
	pthread_cond_destroy(&al->cv);
	pthread_mutex_destroy(&al->mu);
	alerts_cfg_free(al->cfg);
	job_evaluate_free(al);
	free(al->mbuf);
	free(al->conninfo);
	if (al->pg_password) {
		memset(al->pg_password, 0, strlen(al->pg_password));
		free(al->pg_password);
	}
	free(al);
}

static void on_handle_closed(uv_handle_t *h)
{
	et_alerts_t *al = h->data;
	if (--al->open_handles)
		return;
	void (*closed)(void *, bool) = al->closed;
	void *ctx = al->closed_ctx;
	bool joined = al->joined;
	/* left running, a thread still uses al: it is not freed then */
	if (joined)
		alerts_free(al);
	if (closed)
		closed(ctx, joined);
}

static void finish(et_alerts_t *al, bool joined)
{
	if (al->finishing)
		return;
	al->finishing = true;
	al->joined = joined;
	uv_timer_stop(&al->stop_timer);
	uv_close((uv_handle_t *)&al->ended, on_handle_closed);
	uv_close((uv_handle_t *)&al->stop_timer, on_handle_closed);
}

static void on_thread_ended(uv_async_t *h)
{
	et_alerts_t *al = h->data;
	pthread_mutex_lock(&al->mu);
	bool both = al->eval_ended && al->mail_ended && !al->abandoned;
	pthread_mutex_unlock(&al->mu);
	if (!both || al->finishing)
		return;
	/* both have returned or are about to: these joins do not wait */
	pthread_join(al->eval_thread, NULL);
	pthread_join(al->mail_thread, NULL);
	finish(al, true);
}

static void on_stop_timeout(uv_timer_t *t)
{
	et_alerts_t *al = t->data;
	pthread_mutex_lock(&al->mu);
	al->abandoned = true;
	bool eval = al->eval_ended, mail = al->mail_ended;
	pthread_mutex_unlock(&al->mu);
	log_warn("alerts: the %s did not stop within %d s; exiting without waiting for it",
		 !eval && !mail ? "evaluator and the mailer"
		 : !eval	? "evaluator"
				: "mailer",
		 STOP_TIMEOUT_MS / 1000);
	finish(al, false);
}

int et_alerts_start(et_alerts_t **ret, uv_loop_t *loop, const et_config_t *cfg,
		    const char *pg_password, const char *smtp_password)
{
	et_alerts_t *al = calloc(1, sizeof(*al));
	if (!al)
		return -ENOMEM;
	al->cfg = cfg_make(cfg, smtp_password);
	al->conninfo = strdup(cfg->pg_conninfo);
	al->pg_password = pg_password ? strdup(pg_password) : NULL;
	snprintf(al->client_id, sizeof(al->client_id), "%s", cfg->mqtt_client_id);
	al->session_expiry_s = cfg->mqtt_session_expiry_s;
	al->eval_db.name = "enertrackd-alerts";
	al->mail_db.name = "enertrackd-mail";
	al->eval_db.what = "alerts";
	al->mail_db.what = "alerts: mail";
	for (int i = 0; i < MAX_MAIL_FDS; i++)
		al->mail_fd[i] = -1;
	pthread_mutex_init(&al->mu, NULL);
	pthread_cond_init(&al->cv, NULL);
	if (!al->cfg || !al->conninfo || (pg_password && !al->pg_password)) {
		alerts_free(al);
		return -ENOMEM;
	}
	if (pthread_create(&al->eval_thread, NULL, jobs_main, al)) {
		alerts_free(al);
		return -EAGAIN;
	}
	if (pthread_create(&al->mail_thread, NULL, mailer_main, al)) {
		/* at start: the evaluator is waiting at most for PostgreSQL's connect_timeout */
		pthread_mutex_lock(&al->mu);
		al->stop = al->abandoned = true;
		pthread_cond_broadcast(&al->cv);
		pthread_mutex_unlock(&al->mu);
		pthread_join(al->eval_thread, NULL);
		alerts_free(al);
		return -EAGAIN;
	}
	/* the threads send to `ended` only once stopped: it can wait until now
	 * (a failure above then needs no handle closed before freeing) */
	uv_async_init(loop, &al->ended, on_thread_ended);
	uv_timer_init(loop, &al->stop_timer);
	al->ended.data = al->stop_timer.data = al;
	al->open_handles = 2;
	uv_unref((uv_handle_t *)&al->ended);
	uv_unref((uv_handle_t *)&al->stop_timer);
	*ret = al;
	return 0;
}

bool et_alerts_reap(et_alerts_t *al)
{
	pthread_mutex_lock(&al->mu);
	bool ended = al->eval_ended && al->mail_ended;
	pthread_mutex_unlock(&al->mu);
	if (!ended)
		return false;
	/* each set its flag as its last act: these joins do not wait */
	pthread_join(al->eval_thread, NULL);
	pthread_join(al->mail_thread, NULL);
	alerts_free(al);
	return true;
}

int et_alerts_reconfigure(et_alerts_t *al, const et_config_t *cfg, const char *smtp_password)
{
	struct alert_cfg *c = cfg_make(cfg, smtp_password);
	if (!c)
		return -ENOMEM;
	pthread_mutex_lock(&al->mu);
	struct alert_cfg *old = al->cfg;
	al->cfg = c;
	al->warned_no_smtp = false;
	pthread_cond_broadcast(&al->cv);
	pthread_mutex_unlock(&al->mu);
	alerts_cfg_free(old);
	return 0;
}

void et_alerts_stop(et_alerts_t *al, void (*closed)(void *ctx, bool joined), void *ctx)
{
	if (!al)
		return;
	al->closed = closed;
	al->closed_ctx = ctx;
	pthread_mutex_lock(&al->mu);
	al->stop = true;
	for (int i = 0; i < MAX_MAIL_FDS; i++)
		if (al->mail_fd[i] >= 0)
			shutdown(al->mail_fd[i], SHUT_RDWR);
	pthread_cond_broadcast(&al->cv);
	pthread_mutex_unlock(&al->mu);
	/* from now on the loop waits for the threads, but not for ever */
	uv_ref((uv_handle_t *)&al->ended);
	uv_ref((uv_handle_t *)&al->stop_timer);
	uv_timer_start(&al->stop_timer, on_stop_timeout, STOP_TIMEOUT_MS, 0);
}

void et_alerts_set_members(et_alerts_t *al, et_alerts_members_fn fn, void *ctx)
{
	if (!al)
		return;
	pthread_mutex_lock(&al->mu);
	al->members = fn;
	al->members_ctx = ctx;
	pthread_mutex_unlock(&al->mu);
}
