/* SPDX-License-Identifier: MIT */
/* Target evaluation and the mail outbox. Blocking libpq and libcurl on a
 * dedicated thread: evaluations are rare (once a minute) and a mail server
 * may take seconds to answer; neither may stall ingest. */
#include "alerts.h"

#include <curl/curl.h>
#include <errno.h>
#include <libpq-fe.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "enertrack/alert.h"
#include "enertrack/backoff.h"
#include "enertrack/buf.h"
#include "enertrack/deadline.h"
#include "enertrack/evaluate.h"
#include "enertrack/log.h"

/* The settings the thread reads, swapped whole under the mutex on reload. */
struct alert_cfg {
	char tz[80];
	int eval_interval_s;
	double min_elapsed_pct;
	int stale_after_s;
	et_alert_params_t params;
	char *smtp_url, *smtp_tls, *smtp_from, *smtp_to, *smtp_username, *smtp_password,
		*smtp_ca_file;
	int smtp_timeout_s;
	int smtp_retry_s;
};

struct et_alerts {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;
	struct alert_cfg *cfg; /* guarded by mu; the thread takes a copy per round */
	char *conninfo;
	char *pg_password;
	PGconn *conn;
	unsigned db_failures;
	unsigned smtp_failures;
	bool warned_no_smtp;
	char err[512];
	/* /metrics lines of the targets: built by the thread per evaluation,
	 * swapped in under mu when it committed */
	et_buf_t tm_next;
	et_buf_t tm; /* guarded by mu */
	bool tm_oom;
};

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

static void cfg_free(struct alert_cfg *c)
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

static struct alert_cfg *cfg_make(const et_config_t *cfg, const char *smtp_password)
{
	struct alert_cfg *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	snprintf(c->tz, sizeof(c->tz), "%s", cfg->tz);
	c->eval_interval_s = cfg->eval_interval_s;
	c->min_elapsed_pct = cfg->min_elapsed_pct;
	c->stale_after_s = cfg->stale_after_s;
	c->params.fire_pct = cfg->fire_pct;
	c->params.resolve_pct = cfg->resolve_pct;
	c->params.pending_us = (int64_t)cfg->pending_s * 1000000;
	c->params.repeat_us = (int64_t)cfg->repeat_s * 1000000;
	c->smtp_url = strdup(cfg->smtp_url);
	c->smtp_tls = strdup(cfg->smtp_tls);
	c->smtp_from = strdup(cfg->smtp_from);
	c->smtp_to = strdup(cfg->smtp_to);
	c->smtp_username = strdup(cfg->smtp_username);
	c->smtp_password = smtp_password ? strdup(smtp_password) : NULL;
	c->smtp_ca_file = strdup(cfg->smtp_ca_file);
	c->smtp_timeout_s = cfg->smtp_timeout_s;
	c->smtp_retry_s = cfg->smtp_retry_s;
	if (!c->smtp_url || !c->smtp_tls || !c->smtp_from || !c->smtp_to || !c->smtp_username ||
	    !c->smtp_ca_file || (smtp_password && !c->smtp_password)) {
		cfg_free(c);
		return NULL;
	}
	return c;
}

/* ---- PostgreSQL ---- */

static bool db_ensure(et_alerts_t *al)
{
	if (al->conn && PQstatus(al->conn) == CONNECTION_OK)
		return true;
	if (al->conn) {
		PQfinish(al->conn);
		al->conn = NULL;
	}
	const char *keys[] = {"connect_timeout",
			      "keepalives",
			      "keepalives_idle",
			      "keepalives_interval",
			      "keepalives_count",
			      "fallback_application_name",
			      "dbname",
			      "password",
			      NULL};
	const char *vals[] = {
		"10", "1", "10", "5", "3", "enertrackd-alerts", al->conninfo, al->pg_password,
		NULL};
	if (!al->pg_password)
		keys[7] = NULL;
	al->conn = PQconnectdbParams(keys, vals, 1);
	PQsetNoticeProcessor(al->conn, et_log_pq_notice, "alerts");
	if (PQstatus(al->conn) != CONNECTION_OK) {
		if (al->db_failures++ == 0)
			log_error(
				"alerts: cannot connect to PostgreSQL: %s (retrying; logged once)",
				PQerrorMessage(al->conn));
		PQfinish(al->conn);
		al->conn = NULL;
		return false;
	}
	if (al->db_failures)
		log_info("alerts: connected to PostgreSQL again");
	al->db_failures = 0;
	return true;
}

static bool exec_ok(et_alerts_t *al, const char *sql)
{
	return et_pq_exec(al->conn, sql, al->err, sizeof(al->err)) == 0;
}

/* ---- SMTP ---- */

struct upload {
	const char *data;
	size_t len, off;
};

static size_t on_curl_read(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct upload *u = ud;
	size_t n = size * nmemb;
	if (n > u->len - u->off)
		n = u->len - u->off;
	memcpy(ptr, u->data + u->off, n);
	u->off += n;
	return n;
}

/* Sends one message; returns 0 or -1 with a reason in err. */
static int smtp_send(const struct alert_cfg *c, const char *message, char *err, size_t errlen)
{
	char rcptbuf[1024], from[300], addr[320];
	const char *rcpt[ET_MAX_RCPT];
	size_t n = et_split_rcpt(c->smtp_to, rcptbuf, sizeof(rcptbuf), rcpt);
	CURL *curl = curl_easy_init();
	struct curl_slist *list = NULL;
	char ebuf[CURL_ERROR_SIZE] = "";
	struct upload u = {message, strlen(message), 0};
	if (!curl) {
		snprintf(err, errlen, "curl_easy_init failed");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		snprintf(addr, sizeof(addr), "<%s>", rcpt[i]);
		list = curl_slist_append(list, addr);
	}
	snprintf(from, sizeof(from), "<%s>", c->smtp_from);
	curl_easy_setopt(curl, CURLOPT_URL, c->smtp_url);
	curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, list);
	curl_easy_setopt(curl, CURLOPT_READFUNCTION, on_curl_read);
	curl_easy_setopt(curl, CURLOPT_READDATA, &u);
	curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)c->smtp_timeout_s);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT,
			 (long)(c->smtp_timeout_s < 10 ? c->smtp_timeout_s : 10));
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	if (strncmp(c->smtp_url, "smtp://", 7) == 0 && strcmp(c->smtp_tls, "starttls") == 0)
		curl_easy_setopt(curl, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (c->smtp_ca_file[0])
		curl_easy_setopt(curl, CURLOPT_CAINFO, c->smtp_ca_file);
	if (c->smtp_username[0]) {
		curl_easy_setopt(curl, CURLOPT_USERNAME, c->smtp_username);
		curl_easy_setopt(curl, CURLOPT_PASSWORD, c->smtp_password ? c->smtp_password : "");
	}
	CURLcode rc = curl_easy_perform(curl);
	if (rc != CURLE_OK)
		snprintf(err, errlen, "%s", ebuf[0] ? ebuf : curl_easy_strerror(rc));
	curl_slist_free_all(list);
	curl_easy_cleanup(curl);
	return rc == CURLE_OK ? 0 : -1;
}

/* Sends what is due, one row at a time, each under a row lock so that two
 * daemons never send the same mail. */
static void send_due(et_alerts_t *al, const struct alert_cfg *c)
{
	if (!c->smtp_url[0]) {
		if (!al->warned_no_smtp) {
			log_warn("alerts: no [smtp] url: mails wait in alert_outbox");
			al->warned_no_smtp = true;
		}
		return;
	}
	for (int round = 0; round < 100; round++) {
		if (!exec_ok(al, "BEGIN"))
			return;
		PGresult *r = PQexec(al->conn, "SELECT id, message, attempts FROM alert_outbox"
					       " WHERE sent_at IS NULL AND next_attempt_at <= now()"
					       " ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED");
		if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) == 0) {
			PQclear(r);
			exec_ok(al, "ROLLBACK");
			return;
		}
		char err[CURL_ERROR_SIZE + 64];
		int attempts = atoi(PQgetvalue(r, 0, 2));
		int rc = smtp_send(c, PQgetvalue(r, 0, 1), err, sizeof(err));
		const char *id = PQgetvalue(r, 0, 0);
		PGresult *u;
		if (rc == 0) {
			const char *p[1] = {id};
			u = PQexecParams(
				al->conn,
				"UPDATE alert_outbox SET sent_at = now(), attempts = attempts + 1,"
				" last_error = NULL WHERE id = $1",
				1, NULL, p, NULL, NULL, 0);
			log_info("alerts: mail %s sent%s", id,
				 al->smtp_failures ? " (the mail server is back)" : "");
			al->smtp_failures = 0;
		} else {
			et_backoff_t bo = {.base_ms = (uint32_t)c->smtp_retry_s * 1000,
					   .max_ms = 3600000,
					   .attempt = (uint32_t)attempts};
			char delay[24];
			snprintf(delay, sizeof(delay), "%u",
				 et_backoff_next(&bo, (uint32_t)rand()));
			const char *p[3] = {id, err, delay};
			u = PQexecParams(
				al->conn,
				"UPDATE alert_outbox SET attempts = attempts + 1, last_error = $2,"
				" next_attempt_at = now() + $3::integer * interval '1 millisecond'"
				" WHERE id = $1",
				3, NULL, p, NULL, NULL, 0);
			if (al->smtp_failures++ == 0)
				log_error(
					"alerts: cannot send mail %s: %s (retrying with back-off; "
					"logged once)",
					id, err);
		}
		PQclear(u);
		PQclear(r);
		if (!exec_ok(al, "COMMIT") || rc != 0)
			return;
	}
}

static struct alert_cfg *cfg_take(et_alerts_t *al)
{
	/* a private copy per round: reload may swap al->cfg meanwhile */
	pthread_mutex_lock(&al->mu);
	struct alert_cfg *c = al->cfg;
	struct alert_cfg *copy = calloc(1, sizeof(*copy));
	if (copy) {
		*copy = *c;
		copy->smtp_url = strdup(c->smtp_url);
		copy->smtp_tls = strdup(c->smtp_tls);
		copy->smtp_from = strdup(c->smtp_from);
		copy->smtp_to = strdup(c->smtp_to);
		copy->smtp_username = strdup(c->smtp_username);
		copy->smtp_password = c->smtp_password ? strdup(c->smtp_password) : NULL;
		copy->smtp_ca_file = strdup(c->smtp_ca_file);
		if (!copy->smtp_url || !copy->smtp_tls || !copy->smtp_from || !copy->smtp_to ||
		    !copy->smtp_username || !copy->smtp_ca_file ||
		    (c->smtp_password && !copy->smtp_password)) {
			cfg_free(copy);
			copy = NULL;
		}
	}
	pthread_mutex_unlock(&al->mu);
	return copy;
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *alerts_main(void *arg)
{
	et_alerts_t *al = arg;
	int64_t next_eval = 0;
	for (;;) {
		pthread_mutex_lock(&al->mu);
		bool stop = al->stop;
		pthread_mutex_unlock(&al->mu);
		if (stop)
			break;
		struct alert_cfg *c = cfg_take(al);
		int64_t wait_ms = 5000;
		if (c && db_ensure(al)) {
			if (mono_ms() >= next_eval) {
				et_eval_cfg_t ec = {.tz = c->tz,
						    .min_elapsed_pct = c->min_elapsed_pct,
						    .stale_after_s = c->stale_after_s,
						    .store_settings = true,
						    .params = c->params,
						    .smtp_from = c->smtp_from,
						    .smtp_to = c->smtp_to,
						    .on_target = on_target,
						    .ctx = al};
				et_eval_result_t res;
				et_buf_reset(&al->tm_next);
				al->tm_oom = false;
				if (et_evaluate(al->conn, &ec, NULL, &res, al->err,
						sizeof(al->err)) == 0) {
					if (res.busy)
						log_debug("alerts: another instance evaluates");
					else if (!al->tm_oom) {
						pthread_mutex_lock(&al->mu);
						et_buf_t tmp = al->tm;
						al->tm = al->tm_next;
						al->tm_next = tmp;
						pthread_mutex_unlock(&al->mu);
					}
					next_eval = mono_ms() + (int64_t)c->eval_interval_s * 1000;
				} else {
					log_error("alerts: evaluation failed: %s", al->err);
					if (PQstatus(al->conn) != CONNECTION_OK) {
						PQfinish(al->conn);
						al->conn = NULL;
					}
					next_eval = mono_ms() + 5000;
				}
			}
			send_due(al, c);
			int64_t until_eval = next_eval - mono_ms();
			/* mail retries are checked every few seconds */
			wait_ms = until_eval < 2000 ? (until_eval > 0 ? until_eval : 0) : 2000;
		}
		cfg_free(c);
		struct timespec until = et_deadline_ms(wait_ms);
		pthread_mutex_lock(&al->mu);
		while (!al->stop) {
			if (pthread_cond_timedwait(&al->cv, &al->mu, &until) == ETIMEDOUT)
				break;
		}
		pthread_mutex_unlock(&al->mu);
	}
	if (al->conn)
		PQfinish(al->conn);
	al->conn = NULL;
	return NULL;
}

int et_alerts_start(et_alerts_t **ret, const et_config_t *cfg, const char *pg_password,
		    const char *smtp_password)
{
	et_alerts_t *al = calloc(1, sizeof(*al));
	if (!al)
		return -ENOMEM;
	al->cfg = cfg_make(cfg, smtp_password);
	al->conninfo = strdup(cfg->pg_conninfo);
	al->pg_password = pg_password ? strdup(pg_password) : NULL;
	if (!al->cfg || !al->conninfo || (pg_password && !al->pg_password)) {
		cfg_free(al->cfg);
		free(al->conninfo);
		free(al->pg_password);
		free(al);
		return -ENOMEM;
	}
	pthread_mutex_init(&al->mu, NULL);
	pthread_cond_init(&al->cv, NULL);
	if (pthread_create(&al->thread, NULL, alerts_main, al)) {
		cfg_free(al->cfg);
		free(al->conninfo);
		free(al->pg_password);
		free(al);
		return -EAGAIN;
	}
	*ret = al;
	return 0;
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
	cfg_free(old);
	return 0;
}

void et_alerts_stop(et_alerts_t *al)
{
	if (!al)
		return;
	pthread_mutex_lock(&al->mu);
	al->stop = true;
	pthread_cond_broadcast(&al->cv);
	pthread_mutex_unlock(&al->mu);
	pthread_join(al->thread, NULL);
	pthread_cond_destroy(&al->cv);
	pthread_mutex_destroy(&al->mu);
	cfg_free(al->cfg);
	et_buf_free(&al->tm);
	et_buf_free(&al->tm_next);
	free(al->conninfo);
	if (al->pg_password) {
		memset(al->pg_password, 0, strlen(al->pg_password));
		free(al->pg_password);
	}
	free(al);
}
