/* SPDX-License-Identifier: MIT */
/* Target evaluation and the mail outbox, on two threads with a PostgreSQL
 * connection each: the evaluator never waits for a mail server, the mailer
 * never sends inside a transaction, and neither stalls ingest or the loop.
 * Stopping aborts a mail in flight at once (its socket is shut down) and is
 * joined on the loop when both threads said they ended. */
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
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "db/evaluate_targets.h"
#include "db/outbox.h"
#include "db/maintain.h"
#include "db/member_alarm.h"
#include "common/pgconn.h"
#include "db/digest.h"
#include "enertrack/alert.h"
#include "enertrack/backoff.h"
#include "enertrack/buf.h"
#include "enertrack/log.h"

/* The settings the thread reads, swapped whole under the mutex on reload. */
struct alert_cfg {
	char tz[80];
	char statistics_sources[512];
	int milestone_grace_days;
	double reconcile_pct;
	char language[8]; /* of the mails: en or zh-CN */
	int eval_interval_s;
	double min_elapsed_pct;
	int stale_after_s;
	et_alert_params_t params;
	char *smtp_url, *smtp_tls, *smtp_from, *smtp_to, *smtp_username, *smtp_password,
		*smtp_ca_file;
	int smtp_timeout_s;
	int smtp_retry_s;
	int member_down_alarm_s;
	int maintain_interval_s;
	et_maintain_cfg_t maintain;
	int digest_minute; /* -1: no digest */
	unsigned digest_dows;
};

/* How long stopping waits for the threads before the daemon exits without
 * them. A mail in flight is aborted at once; this bounds a PostgreSQL call. */
#define STOP_TIMEOUT_MS 5000
/* Sockets of one SMTP attempt (happy eyeballs may open two at once). */
#define MAX_MAIL_FDS 4

/* One thread's PostgreSQL connection. */
struct db {
	PGconn *conn;
	const char *name; /* application_name */
	const char *what; /* in the log: "alerts", "alerts: mail" */
	unsigned failures;
	char err[512];
};

struct et_alerts {
	uv_async_t ended;	/* a thread ended: join them once both have */
	uv_timer_t stop_timer;	/* bounds that wait */
	int open_handles;	/* the two above, until closed */
	bool finishing, joined; /* loop thread only */
	void (*closed)(void *ctx, bool joined);
	void *closed_ctx;
	pthread_t eval_thread, mail_thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	/* guarded by mu */
	bool stop;
	bool mail_kick;		     /* the evaluator queued mail */
	bool eval_ended, mail_ended; /* set by each thread as it returns */
	bool abandoned;		     /* the loop gave up waiting: no more async sends */
	int mail_fd[MAX_MAIL_FDS];   /* the mailer's SMTP sockets, -1 when free */
	bool warned_no_smtp;
	struct alert_cfg *cfg; /* guarded by mu; each thread takes a copy per round */
	char *conninfo;
	char *pg_password;
	struct db eval_db, mail_db; /* each owned by its thread */
	unsigned smtp_failures;	    /* mail thread */
	bool outbox_failing;	    /* mail thread: an outbox query failed, logged once */
	/* /metrics lines of the targets: built by the thread per evaluation,
	 * swapped in under mu when it committed */
	et_buf_t tm_next;
	et_buf_t tm; /* guarded by mu */
	bool tm_oom;
	/* the group's members (daemon/presence.c), for the member-down alarm */
	et_alerts_members_fn members; /* guarded by mu */
	void *members_ctx;
	char client_id[128];
	int session_expiry_s;
	et_member_t *mbuf;	  /* eval thread */
	int64_t next_maintain_ms; /* eval thread: when the history's upkeep runs next */
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
		cfg_free(c);
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
	snprintf(v.language, sizeof(v.language), "%s", cfg->language);
	return cfg_dup(&v);
}

/* ---- PostgreSQL ---- */

static bool db_ensure(et_alerts_t *al, struct db *d)
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
static void db_check(struct db *d)
{
	if (d->conn && PQstatus(d->conn) != CONNECTION_OK) {
		PQfinish(d->conn);
		d->conn = NULL;
	}
}

static bool stopping(et_alerts_t *al)
{
	pthread_mutex_lock(&al->mu);
	bool stop = al->stop;
	pthread_mutex_unlock(&al->mu);
	return stop;
}

/* Each thread's last act: say so to the loop, unless it stopped waiting. */
static void thread_ended(et_alerts_t *al, bool *ended)
{
	pthread_mutex_lock(&al->mu);
	*ended = true;
	if (!al->abandoned)
		uv_async_send(&al->ended);
	pthread_mutex_unlock(&al->mu);
}

/* Waits up to ms, or until stopped (or, with kick, until mail was queued). */
static void wait_ms(et_alerts_t *al, int64_t ms, bool *kick)
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

/* The mailer's sockets are known to et_alerts_stop, which shuts them down:
 * whatever curl waits for then (a reply, a TLS record, the QUIT at the end)
 * ends at once. Opened and closed under mu, so that a number is never shut
 * down after curl closed it and the system gave it to someone else. */
static curl_socket_t on_curl_open(void *ud, curlsocktype purpose, struct curl_sockaddr *addr)
{
	et_alerts_t *al = ud;
	(void)purpose;
	pthread_mutex_lock(&al->mu);
	curl_socket_t fd = CURL_SOCKET_BAD;
	int slot = -1;
	for (int i = 0; i < MAX_MAIL_FDS && slot < 0; i++)
		if (al->mail_fd[i] < 0)
			slot = i;
	if (!al->stop && slot >= 0) {
		fd = socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
		if (fd >= 0)
			al->mail_fd[slot] = fd;
	}
	pthread_mutex_unlock(&al->mu);
	return fd;
}

static int on_curl_close(void *ud, curl_socket_t fd)
{
	et_alerts_t *al = ud;
	pthread_mutex_lock(&al->mu);
	for (int i = 0; i < MAX_MAIL_FDS; i++)
		if (al->mail_fd[i] == fd)
			al->mail_fd[i] = -1;
	int rc = close(fd);
	pthread_mutex_unlock(&al->mu);
	return rc;
}

/* Called about once a second even while the server says nothing: a second
 * way out, should a wait not be on a socket of ours. */
static int on_curl_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
			    curl_off_t ulnow)
{
	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return stopping(ud);
}

/* Sends one message; returns 0, or -1 with a reason in err, or -EINTR when
 * stopping interrupted it. Mail thread. */
static int smtp_send(et_alerts_t *al, const struct alert_cfg *c, const char *to,
		     const char *message, char *err, size_t errlen)
{
	char rcptbuf[4096], from[300], addr[320];
	const char *rcpt[ET_MAX_RCPT];
	size_t n = et_split_rcpt(to, rcptbuf, sizeof(rcptbuf), rcpt);
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
	curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, on_curl_open);
	curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, al);
	curl_easy_setopt(curl, CURLOPT_CLOSESOCKETFUNCTION, on_curl_close);
	curl_easy_setopt(curl, CURLOPT_CLOSESOCKETDATA, al);
	curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_curl_progress);
	curl_easy_setopt(curl, CURLOPT_XFERINFODATA, al);
	curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
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
	/* a mail the server accepted counts as sent, stopping or not */
	if (rc == CURLE_OK)
		return 0;
	return stopping(al) ? -EINTR : -1;
}

/* ---- the outbox ---- */

/* A mail being sent is held by a session-level advisory lock on the
 * mailer's connection, not by a row lock: no transaction stays open while
 * the mail server takes its time, yet two daemons never send the same mail,
 * and a daemon that dies lets go of it with its connection. */
#define OUTBOX_KEY "hashtext('enertrack.outbox'), ($1::bigint % 2147483648)::integer"

static PGresult *outbox_query(et_alerts_t *al, const char *sql, int n, const char *const *p)
{
	if (!al->mail_db.conn)
		return NULL;
	PGresult *r = PQexecParams(al->mail_db.conn, sql, n, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) == PGRES_TUPLES_OK || PQresultStatus(r) == PGRES_COMMAND_OK) {
		al->outbox_failing = false;
		return r;
	}
	if (!al->outbox_failing)
		log_error("alerts: alert_outbox: %s (retrying; logged once)",
			  PQresultErrorMessage(r));
	al->outbox_failing = true;
	PQclear(r);
	db_check(&al->mail_db);
	return NULL;
}

/* Takes the first due mail after id `after` that no other daemon holds:
 * 1 with its id, message, attempts and recipients in *ret (to PQclear), and the lock
 * held; 0 when none is left; -1 on a database error. */
static int outbox_claim(et_alerts_t *al, long long *after, PGresult **ret)
{
	char last[24], id[24];
	for (int tries = 0; tries < 100; tries++) {
		snprintf(last, sizeof(last), "%lld", *after);
		const char *p[1] = {last};
		PGresult *r = outbox_query(
			al,
			"SELECT id FROM alert_outbox WHERE sent_at IS NULL"
			" AND next_attempt_at <= now() AND id > $1 ORDER BY id LIMIT 1",
			1, p);
		if (!r)
			return -1;
		if (PQntuples(r) == 0) {
			PQclear(r);
			return 0;
		}
		snprintf(id, sizeof(id), "%s", PQgetvalue(r, 0, 0));
		PQclear(r);
		*after = atoll(id);
		p[0] = id;
		r = outbox_query(al, "SELECT pg_try_advisory_lock(" OUTBOX_KEY ")", 1, p);
		if (!r)
			return -1;
		bool locked = PQgetvalue(r, 0, 0)[0] == 't';
		PQclear(r);
		if (!locked)
			continue; /* another daemon is sending it */
		/* it may have been sent between the two statements */
		r = outbox_query(
			al,
			"SELECT id, message, attempts, recipients FROM alert_outbox WHERE id = $1"
			" AND sent_at IS NULL AND next_attempt_at <= now()",
			1, p);
		if (r && PQntuples(r) == 1) {
			*ret = r;
			return 1;
		}
		PQclear(r);
		PQclear(outbox_query(al, "SELECT pg_advisory_unlock(" OUTBOX_KEY ")", 1, p));
		if (!r)
			return -1;
	}
	return 0;
}

/* Sends what is due, one mail at a time: claimed, sent with no transaction
 * open, its outcome recorded in one statement, let go. A mail that stopping
 * interrupted is left as it was, due, for the next start. */
static void send_due(et_alerts_t *al, const struct alert_cfg *c)
{
	pthread_mutex_lock(&al->mu);
	bool warn = !c->smtp_url[0] && !al->warned_no_smtp;
	if (!c->smtp_url[0])
		al->warned_no_smtp = true;
	pthread_mutex_unlock(&al->mu);
	if (warn)
		log_warn("alerts: no [smtp] url: mails wait in alert_outbox");
	if (!c->smtp_url[0])
		return;
	long long after = 0;
	for (int round = 0; round < 100 && !stopping(al); round++) {
		PGresult *r = NULL;
		if (outbox_claim(al, &after, &r) <= 0)
			return;
		char err[CURL_ERROR_SIZE + 64];
		const char *id = PQgetvalue(r, 0, 0);
		int attempts = atoi(PQgetvalue(r, 0, 2));
		/* the recipients the evaluation chose (routes included); older rows: [smtp] to */
		const char *to = PQgetisnull(r, 0, 3) ? c->smtp_to : PQgetvalue(r, 0, 3);
		int rc = smtp_send(al, c, to, PQgetvalue(r, 0, 1), err, sizeof(err));
		PGresult *u = NULL;
		if (rc == 0) {
			const char *p[1] = {id};
			u = outbox_query(
				al,
				"UPDATE alert_outbox SET sent_at = now(), attempts = attempts + 1,"
				" last_error = NULL WHERE id = $1",
				1, p);
			log_info("alerts: mail %s sent%s", id,
				 al->smtp_failures ? " (the mail server is back)" : "");
			al->smtp_failures = 0;
		} else if (rc == -EINTR) {
			log_info("alerts: mail %s interrupted by the shutdown; it stays in "
				 "alert_outbox for the next start",
				 id);
		} else {
			et_backoff_t bo = {.base_ms = (uint32_t)c->smtp_retry_s * 1000,
					   .max_ms = 3600000,
					   .attempt = (uint32_t)attempts};
			char delay[24];
			snprintf(delay, sizeof(delay), "%u",
				 et_backoff_next(&bo, (uint32_t)rand()));
			const char *p[3] = {id, err, delay};
			u = outbox_query(
				al,
				"UPDATE alert_outbox SET attempts = attempts + 1, last_error = $2,"
				" next_attempt_at = now() + $3::integer * interval '1 millisecond'"
				" WHERE id = $1",
				3, p);
			if (al->smtp_failures++ == 0)
				log_error(
					"alerts: cannot send mail %s: %s (retrying with back-off; "
					"logged once)",
					id, err);
		}
		PQclear(u);
		if (al->mail_db.conn) {
			const char *p[1] = {id};
			PQclear(outbox_query(al, "SELECT pg_advisory_unlock(" OUTBOX_KEY ")", 1,
					     p));
		}
		PQclear(r);
		if (rc != 0 || !al->mail_db.conn)
			return;
	}
}

static struct alert_cfg *cfg_take(et_alerts_t *al)
{
	/* a private copy per round: reload may swap al->cfg meanwhile */
	pthread_mutex_lock(&al->mu);
	struct alert_cfg *copy = cfg_dup(al->cfg);
	pthread_mutex_unlock(&al->mu);
	return copy;
}

/* ---- the threads ---- */

/* Returns false when the evaluation failed. */
static bool evaluate_once(et_alerts_t *al, const struct alert_cfg *c)
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
			    .language = c->language,
			    .on_target = on_target,
			    .ctx = al};
	et_eval_result_t res;
	et_buf_reset(&al->tm_next);
	al->tm_oom = false;
	if (et_evaluate(al->eval_db.conn, &ec, NULL, &res, al->eval_db.err,
			sizeof(al->eval_db.err))) {
		log_error("alerts: evaluation failed: %s", al->eval_db.err);
		db_check(&al->eval_db);
		return false;
	}
	/* the daily digest, when due and no daemon made it yet */
	et_digest_cfg_t dc = {.tz = c->tz,
			      .min_elapsed_pct = c->min_elapsed_pct,
			      .stale_after_s = c->stale_after_s,
			      .minute = c->digest_minute,
			      .dows = c->digest_dows,
			      .smtp_from = c->smtp_from,
			      .smtp_to = c->smtp_to,
			      .language = c->language};
	et_digest_result_t dr;
	if (et_digest_run(al->eval_db.conn, &dc, NULL, &dr, al->eval_db.err,
			  sizeof(al->eval_db.err))) {
		log_error("alerts: digest failed: %s", al->eval_db.err);
		db_check(&al->eval_db);
	} else if (dr.made) {
		log_info("alerts: digest of %s made%s", dr.period,
			 dr.queued ? "" : " (no [smtp] to: not mailed)");
		res.mails += dr.queued;
	}
	if (res.busy) {
		log_debug("alerts: another instance evaluates");
		if (dr.queued) {
			pthread_mutex_lock(&al->mu);
			al->mail_kick = true;
			pthread_cond_broadcast(&al->cv);
			pthread_mutex_unlock(&al->mu);
		}
		return true;
	}
	pthread_mutex_lock(&al->mu);
	if (!al->tm_oom) {
		et_buf_t tmp = al->tm;
		al->tm = al->tm_next;
		al->tm_next = tmp;
	}
	if (res.mails) {
		/* committed: the mailer may send them now */
		al->mail_kick = true;
		pthread_cond_broadcast(&al->cv);
	}
	pthread_mutex_unlock(&al->mu);
	return true;
}

/* The member-down alarm, after each evaluation. */
static void members_once(et_alerts_t *al, const struct alert_cfg *c)
{
	pthread_mutex_lock(&al->mu);
	et_alerts_members_fn fn = al->members;
	void *ctx = al->members_ctx;
	pthread_mutex_unlock(&al->mu);
	if (!fn || c->member_down_alarm_s <= 0)
		return;
	if (!al->mbuf && !(al->mbuf = calloc(ET_ALERTS_MAX_MEMBERS, sizeof(et_member_t))))
		return;
	size_t n = fn(ctx, al->mbuf, ET_ALERTS_MAX_MEMBERS);
	et_member_alarm_cfg_t mc = {.alarm_s = c->member_down_alarm_s,
				    .session_expiry_s = al->session_expiry_s,
				    .observer = al->client_id,
				    .smtp_from = c->smtp_from,
				    .smtp_to = c->smtp_to};
	int mails = 0;
	if (et_member_alarm(al->eval_db.conn, &mc, al->mbuf,
			    n < ET_ALERTS_MAX_MEMBERS ? n : ET_ALERTS_MAX_MEMBERS, et_wall_us(),
			    &mails, al->eval_db.err, sizeof(al->eval_db.err))) {
		log_error("alerts: member-down alarm: %s", al->eval_db.err);
		db_check(&al->eval_db);
		return;
	}
	if (mails) {
		pthread_mutex_lock(&al->mu);
		al->mail_kick = true;
		pthread_cond_broadcast(&al->cv);
		pthread_mutex_unlock(&al->mu);
	}
}

/* The history's upkeep (common/maintain.c), every [retention] interval_s,
 * first at the start; a failure is retried a minute later. */
static void maintain_once(et_alerts_t *al, const struct alert_cfg *c)
{
	int64_t now = et_mono_ms();
	if (c->maintain_interval_s <= 0 || now < al->next_maintain_ms)
		return;
	if (et_maintain(al->eval_db.conn, &c->maintain, NULL, al->eval_db.err,
			sizeof(al->eval_db.err)) < 0) {
		log_error("maintenance: %s (again in a minute)", al->eval_db.err);
		db_check(&al->eval_db);
		al->next_maintain_ms = now + 60000;
		return;
	}
	al->next_maintain_ms = now + (int64_t)c->maintain_interval_s * 1000;
}

/* Evaluates every eval_interval_s; never waits for a mail server. */
static void *eval_main(void *arg)
{
	et_alerts_t *al = arg;
	while (!stopping(al)) {
		struct alert_cfg *c = cfg_take(al);
		int64_t wait = 5000;
		if (c && db_ensure(al, &al->eval_db) && evaluate_once(al, c)) {
			wait = (int64_t)c->eval_interval_s * 1000;
			members_once(al, c);
			maintain_once(al, c);
		}
		cfg_free(c);
		wait_ms(al, wait, NULL);
	}
	if (al->eval_db.conn)
		PQfinish(al->eval_db.conn);
	al->eval_db.conn = NULL;
	thread_ended(al, &al->eval_ended);
	return NULL;
}

/* Sends what alert_outbox holds (from any daemon's evaluation): at once
 * when this daemon's evaluator queued mail, else every two seconds, which
 * is also how often retries are looked for. */
static void *mail_main(void *arg)
{
	et_alerts_t *al = arg;
	while (!stopping(al)) {
		struct alert_cfg *c = cfg_take(al);
		if (c && db_ensure(al, &al->mail_db))
			send_due(al, c);
		cfg_free(c);
		wait_ms(al, 2000, &al->mail_kick);
	}
	if (al->mail_db.conn)
		PQfinish(al->mail_db.conn);
	al->mail_db.conn = NULL;
	thread_ended(al, &al->mail_ended);
	return NULL;
}

/* ---- start and stop, on the loop thread ---- */

static void alerts_free(et_alerts_t *al)
{
	pthread_cond_destroy(&al->cv);
	pthread_mutex_destroy(&al->mu);
	cfg_free(al->cfg);
	et_buf_free(&al->tm);
	et_buf_free(&al->tm_next);
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
	if (pthread_create(&al->eval_thread, NULL, eval_main, al)) {
		alerts_free(al);
		return -EAGAIN;
	}
	if (pthread_create(&al->mail_thread, NULL, mail_main, al)) {
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
	cfg_free(old);
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
