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
#include "enertrack/log.h"
#include "enertrack/mail.h"

#define EVAL_LOCK "hashtext('enertrack.evaluate')"
#define MAX_RCPT 32

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
};

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

/* Splits "a@x, b@y c@z" into at most MAX_RCPT addresses in buf. */
static size_t split_rcpt(const char *to, char *buf, size_t buflen, const char **out)
{
	size_t n = 0;
	snprintf(buf, buflen, "%s", to);
	for (char *save = NULL, *t = strtok_r(buf, " ,\t", &save); t && n < MAX_RCPT;
	     t = strtok_r(NULL, " ,\t", &save))
		out[n++] = t;
	return n;
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
	const char *keys[] = { "connect_timeout",     "keepalives",	  "keepalives_idle",
			       "keepalives_interval", "keepalives_count", "fallback_application_name",
			       "dbname",	      "password",	  NULL };
	const char *vals[] = { "10", "1", "10", "5", "3", "enertrackd-alerts", al->conninfo,
			       al->pg_password, NULL };
	if (!al->pg_password)
		keys[7] = NULL;
	al->conn = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(al->conn) != CONNECTION_OK) {
		if (al->db_failures++ == 0)
			log_error("alerts: cannot connect to PostgreSQL: %s (retrying; logged once)",
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
	PGresult *r = PQexec(al->conn, sql);
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
	if (!ok)
		snprintf(al->err, sizeof(al->err), "%s", PQresultErrorMessage(r));
	PQclear(r);
	return ok;
}

static double num_or_nan(PGresult *r, int row, int col)
{
	if (PQgetisnull(r, row, col))
		return NAN;
	return strtod(PQgetvalue(r, row, col), NULL);
}

static int64_t ts_us(PGresult *r, int row, int col)
{
	if (PQgetisnull(r, row, col))
		return 0;
	return (int64_t)llround(strtod(PQgetvalue(r, row, col), NULL) * 1e6);
}

/* Site lists for a mail: the five furthest behind and the stale ones. */
static PGresult *query_sites(et_alerts_t *al, const char *tid, bool stale)
{
	const char *p[1] = { tid };
	const char *sql =
		stale ? "SELECT s.site_id, coalesce(s.county, ''), s.ytd, NULL, NULL, s.stale,"
			"  extract(epoch FROM s.last_ts)"
			" FROM target t, LATERAL target_site_stats(t, now()) s"
			" WHERE t.id = $1 AND s.stale ORDER BY s.last_ts LIMIT 20"
		      : "SELECT site_id, coalesce(county, ''), actual, expected, gap, stale,"
			"  extract(epoch FROM last_ts)"
			" FROM target_sites_behind($1, now(), 5) WHERE gap < 0";
	PGresult *r = PQexecParams(al->conn, sql, 1, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		snprintf(al->err, sizeof(al->err), "%s", PQresultErrorMessage(r));
		PQclear(r);
		return NULL;
	}
	return r;
}

static void fill_sites(PGresult *r, et_mail_site_t *out, size_t *n)
{
	*n = 0;
	for (int i = 0; r && i < PQntuples(r) && *n < 20; i++) {
		et_mail_site_t *s = &out[(*n)++];
		s->site_id = PQgetvalue(r, i, 0);
		s->county = PQgetvalue(r, i, 1);
		s->actual = num_or_nan(r, i, 2);
		s->expected = num_or_nan(r, i, 3);
		s->gap = num_or_nan(r, i, 4);
		s->stale = PQgetvalue(r, i, 5)[0] == 't';
		s->last_us = ts_us(r, i, 6);
	}
}

enum {
	C_ID,
	C_LABEL,
	C_METRIC,
	C_YEAR,
	C_SCOPE,
	C_KIND,
	C_TARGET,
	C_DUNIT,
	C_DDIV,
	C_ELAPSED,
	C_EXPECTED,
	C_ACTUAL,
	C_DRIFT,
	C_PROJECTED,
	C_REQUIRED,
	C_REPORTING,
	C_STALE,
	C_STATUS,
	C_PLAN,
	C_ASTATE,
	C_SINCE,
	C_LASTMAIL,
	C_NOW,
};

static const char progress_sql[] =
	"SELECT p.target_id, p.label, p.metric, p.year, p.scope, p.kind, p.target, p.display_unit,"
	" p.display_div, p.elapsed_pct, p.expected, p.actual, p.drift_pct, p.projected,"
	" p.required_daily, p.sites_reporting, p.sites_stale, p.status, p.plan_text,"
	" a.state, extract(epoch FROM a.since), extract(epoch FROM a.last_mail_at),"
	" extract(epoch FROM now())"
	" FROM target_progress_at(now()) p LEFT JOIN alert_state a ON a.target_id = p.target_id"
	" ORDER BY p.target_id";

/* Writes the state, the event and (when it notifies) the mail of one target. */
static bool record_change(et_alerts_t *al, const struct alert_cfg *c, PGresult *r, int i,
			  const et_alert_t *old, const et_alert_t *now_st, enum et_alert_event ev,
			  int64_t now_us)
{
	char state_buf[16], since[40], lastmail[40], eid[32];
	const char *tid = PQgetvalue(r, i, C_ID);
	snprintf(state_buf, sizeof(state_buf), "%s", et_alert_state_name(now_st->state));
	snprintf(since, sizeof(since), "%.6f", now_st->since_us / 1e6);
	snprintf(lastmail, sizeof(lastmail), "%.6f", now_st->last_mail_us / 1e6);
	const char *up[4] = { tid, state_buf, since, now_st->last_mail_us ? lastmail : NULL };
	PGresult *x = PQexecParams(
		al->conn,
		"INSERT INTO alert_state (target_id, state, since, last_mail_at, drift_pct, updated_at)"
		" VALUES ($1, $2, to_timestamp($3), to_timestamp($4), NULL, now())"
		" ON CONFLICT (target_id) DO UPDATE SET state = EXCLUDED.state, since = EXCLUDED.since,"
		" last_mail_at = EXCLUDED.last_mail_at, updated_at = now()",
		4, NULL, up, NULL, NULL, 0);
	bool ok = PQresultStatus(x) == PGRES_COMMAND_OK;
	if (!ok)
		snprintf(al->err, sizeof(al->err), "%s", PQresultErrorMessage(x));
	PQclear(x);
	if (!ok || ev == ET_AL_EV_NONE)
		return ok;

	const char *ep[8] = { tid,
			      et_alert_state_name(old->state),
			      et_alert_state_name(now_st->state),
			      et_alert_event_name(ev),
			      PQgetvalue(r, i, C_STATUS),
			      PQgetisnull(r, i, C_DRIFT) ? NULL : PQgetvalue(r, i, C_DRIFT),
			      PQgetisnull(r, i, C_EXPECTED) ? NULL : PQgetvalue(r, i, C_EXPECTED),
			      PQgetisnull(r, i, C_ACTUAL) ? NULL : PQgetvalue(r, i, C_ACTUAL) };
	x = PQexecParams(al->conn,
			 "INSERT INTO drift_event (target_id, from_state, to_state, event, status,"
			 " drift_pct, expected, actual) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
			 " RETURNING id",
			 8, NULL, ep, NULL, NULL, 0);
	ok = PQresultStatus(x) == PGRES_TUPLES_OK;
	if (!ok)
		snprintf(al->err, sizeof(al->err), "%s", PQresultErrorMessage(x));
	else
		snprintf(eid, sizeof(eid), "%s", PQgetvalue(x, 0, 0));
	PQclear(x);
	log_info("alerts: %s %d [%s]: %s -> %s (%s, drift %.1f %%)", PQgetvalue(r, i, C_LABEL),
		 atoi(PQgetvalue(r, i, C_YEAR)), PQgetvalue(r, i, C_SCOPE),
		 et_alert_state_name(old->state), et_alert_state_name(now_st->state),
		 PQgetvalue(r, i, C_STATUS), num_or_nan(r, i, C_DRIFT));
	if (!ok || !et_alert_event_notifies(ev))
		return ok;
	if (!c->smtp_to[0]) {
		/* no recipients configured: the change is recorded, no mail is queued */
		log_warn("alerts: no [smtp] to: no mail for this change");
		return true;
	}

	/* the mail, rendered now so that it says what was true at the change */
	PGresult *behind = query_sites(al, tid, false);
	PGresult *stale = query_sites(al, tid, true);
	et_mail_site_t bs[20], ss[20];
	size_t nb, ns;
	fill_sites(behind, bs, &nb);
	fill_sites(stale, ss, &ns);
	char rcptbuf[1024], msgid[96], subject[512];
	const char *rcpt[MAX_RCPT];
	size_t nrcpt = split_rcpt(c->smtp_to, rcptbuf, sizeof(rcptbuf), rcpt);
	snprintf(msgid, sizeof(msgid), "drift-%s.target-%s@enertrack", eid, tid);
	et_mail_report_t rep = {
		.event = ev,
		.label = PQgetvalue(r, i, C_LABEL),
		.year = atoi(PQgetvalue(r, i, C_YEAR)),
		.kind = PQgetvalue(r, i, C_KIND),
		.status = PQgetvalue(r, i, C_STATUS),
		.plan_text = PQgetisnull(r, i, C_PLAN) ? NULL : PQgetvalue(r, i, C_PLAN),
		.scope = PQgetvalue(r, i, C_SCOPE),
		.display_unit = PQgetvalue(r, i, C_DUNIT),
		.display_div = num_or_nan(r, i, C_DDIV),
		.target = num_or_nan(r, i, C_TARGET),
		.expected = num_or_nan(r, i, C_EXPECTED),
		.actual = num_or_nan(r, i, C_ACTUAL),
		.drift_pct = num_or_nan(r, i, C_DRIFT),
		.projected = num_or_nan(r, i, C_PROJECTED),
		.required_daily = num_or_nan(r, i, C_REQUIRED),
		.elapsed_pct = num_or_nan(r, i, C_ELAPSED),
		.sites_reporting = atoi(PQgetvalue(r, i, C_REPORTING)),
		.sites_stale = atoi(PQgetvalue(r, i, C_STALE)),
		.behind = bs,
		.nbehind = nb,
		.stale = ss,
		.nstale = ns,
		.from = c->smtp_from,
		.to = rcpt,
		.nto = nrcpt,
		.date_us = now_us,
		.message_id = msgid,
	};
	et_buf_t msg = ET_BUF_INIT;
	char err[200];
	int rc = et_mail_subject(&rep, subject, sizeof(subject));
	if (rc >= 0)
		rc = et_mail_build(&rep, &msg, err, sizeof(err));
	else
		snprintf(err, sizeof(err), "subject too long");
	if (rc >= 0 && et_buf_append(&msg, "", 1) == 0) {
		const char *mp[3] = { eid, subject, msg.data };
		x = PQexecParams(al->conn,
				 "INSERT INTO alert_outbox (drift_event_id, subject, message)"
				 " VALUES ($1, $2, $3)",
				 3, NULL, mp, NULL, NULL, 0);
		ok = PQresultStatus(x) == PGRES_COMMAND_OK;
		if (!ok)
			snprintf(al->err, sizeof(al->err), "%s", PQresultErrorMessage(x));
		PQclear(x);
	} else {
		snprintf(al->err, sizeof(al->err), "cannot build the mail: %s", err);
		ok = false;
	}
	et_buf_free(&msg);
	PQclear(behind);
	PQclear(stale);
	return ok;
}

/* One evaluation round. Returns false on a database error. */
static bool evaluate(et_alerts_t *al, const struct alert_cfg *c)
{
	if (!exec_ok(al, "BEGIN"))
		return false;
	PGresult *r = PQexec(al->conn, "SELECT pg_try_advisory_xact_lock(" EVAL_LOCK ")");
	bool locked = PQresultStatus(r) == PGRES_TUPLES_OK && PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	if (!locked) {
		/* another daemon evaluates this round */
		exec_ok(al, "ROLLBACK");
		log_debug("alerts: another instance holds the evaluation lock");
		return true;
	}
	char mep[40], sas[24];
	snprintf(mep, sizeof(mep), "%.17g", c->min_elapsed_pct);
	snprintf(sas, sizeof(sas), "%d", c->stale_after_s);
	const char *sp[3] = { c->tz, mep, sas };
	r = PQexecParams(al->conn,
			 "UPDATE target_setting SET timezone = $1, min_elapsed_pct = $2,"
			 " stale_after_s = $3 WHERE (timezone, min_elapsed_pct, stale_after_s)"
			 " IS DISTINCT FROM ($1, $2::double precision, $3::integer)",
			 3, NULL, sp, NULL, NULL, 0);
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		snprintf(al->err, sizeof(al->err), "%s", PQresultErrorMessage(r));
	PQclear(r);
	if (!ok)
		goto fail;

	r = PQexec(al->conn, progress_sql);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		snprintf(al->err, sizeof(al->err), "%s", PQresultErrorMessage(r));
		PQclear(r);
		goto fail;
	}
	for (int i = 0; i < PQntuples(r); i++) {
		int64_t now_us = ts_us(r, i, C_NOW);
		et_alert_t a = { .state = ET_AL_ST_OK, .since_us = now_us, .last_mail_us = 0 };
		bool known = !PQgetisnull(r, i, C_ASTATE);
		if (known) {
			if (et_alert_state_parse(PQgetvalue(r, i, C_ASTATE), &a.state))
				a.state = ET_AL_ST_OK;
			a.since_us = ts_us(r, i, C_SINCE);
			a.last_mail_us = ts_us(r, i, C_LASTMAIL);
		}
		const char *status = PQgetvalue(r, i, C_STATUS);
		double drift = num_or_nan(r, i, C_DRIFT);
		bool has_data = strcmp(status, "too_early") != 0 &&
				strcmp(status, "insufficient_data") != 0 && !isnan(drift);
		double bad = has_data ? et_alert_bad_pct(PQgetvalue(r, i, C_KIND), drift) : NAN;
		et_alert_t old = a;
		enum et_alert_event ev = et_alert_step(&a, &c->params, has_data, bad, now_us);
		if (!known || ev != ET_AL_EV_NONE || a.last_mail_us != old.last_mail_us) {
			if (!record_change(al, c, r, i, &old, &a, ev, now_us)) {
				PQclear(r);
				goto fail;
			}
		}
	}
	PQclear(r);
	if (!exec_ok(al, "COMMIT"))
		goto fail;
	return true;
fail:
	log_error("alerts: evaluation failed: %s", al->err);
	PQclear(PQexec(al->conn, "ROLLBACK"));
	return false;
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
	const char *rcpt[MAX_RCPT];
	size_t n = split_rcpt(c->smtp_to, rcptbuf, sizeof(rcptbuf), rcpt);
	CURL *curl = curl_easy_init();
	struct curl_slist *list = NULL;
	char ebuf[CURL_ERROR_SIZE] = "";
	struct upload u = { message, strlen(message), 0 };
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
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, (long)(c->smtp_timeout_s < 10 ? c->smtp_timeout_s : 10));
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
		PGresult *r = PQexec(al->conn,
				     "SELECT id, message, attempts FROM alert_outbox"
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
			const char *p[1] = { id };
			u = PQexecParams(al->conn,
					 "UPDATE alert_outbox SET sent_at = now(), attempts = attempts + 1,"
					 " last_error = NULL WHERE id = $1",
					 1, NULL, p, NULL, NULL, 0);
			log_info("alerts: mail %s sent%s", id,
				 al->smtp_failures ? " (the mail server is back)" : "");
			al->smtp_failures = 0;
		} else {
			et_backoff_t bo = { .base_ms = (uint32_t)c->smtp_retry_s * 1000,
					    .max_ms = 3600000,
					    .attempt = (uint32_t)attempts };
			char delay[24];
			snprintf(delay, sizeof(delay), "%u", et_backoff_next(&bo, (uint32_t)rand()));
			const char *p[3] = { id, err, delay };
			u = PQexecParams(al->conn,
					 "UPDATE alert_outbox SET attempts = attempts + 1, last_error = $2,"
					 " next_attempt_at = now() + $3::integer * interval '1 millisecond'"
					 " WHERE id = $1",
					 3, NULL, p, NULL, NULL, 0);
			if (al->smtp_failures++ == 0)
				log_error("alerts: cannot send mail %s: %s (retrying with back-off; "
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
				if (evaluate(al, c))
					next_eval = mono_ms() + (int64_t)c->eval_interval_s * 1000;
				else
					next_eval = mono_ms() + 5000;
			}
			send_due(al, c);
			int64_t until_eval = next_eval - mono_ms();
			/* mail retries are checked every few seconds */
			wait_ms = until_eval < 2000 ? (until_eval > 0 ? until_eval : 0) : 2000;
		}
		cfg_free(c);
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += wait_ms / 1000;
		until.tv_nsec += (long)(wait_ms % 1000) * 1000000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
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
	free(al->conninfo);
	if (al->pg_password) {
		memset(al->pg_password, 0, strlen(al->pg_password));
		free(al->pg_password);
	}
	free(al);
}
