/* SPDX-License-Identifier: MIT */
/* The mailer thread: sends what alert_outbox holds (queued by any daemon's
 * jobs), one mail at a time, with no transaction open while the mail server
 * takes its time, and records each outcome, with back-off on failure. The
 * SMTP client itself is daemon/smtp.c. */
#include <errno.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <curl/curl.h>

#include "alerts_int.h"
#include "enertrack/backoff.h"
#include "enertrack/log.h"

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
	alerts_db_check(&al->mail_db);
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
	for (int round = 0; round < 100 && !alerts_stopping(al); round++) {
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

/* Sends what alert_outbox holds (from any daemon's evaluation): at once
 * when this daemon's evaluator queued mail, else every two seconds, which
 * is also how often retries are looked for. */
void *mailer_main(void *arg)
{
	et_alerts_t *al = arg;
	while (!alerts_stopping(al)) {
		struct alert_cfg *c = alerts_cfg_take(al);
		if (c && alerts_db_ensure(al, &al->mail_db))
			send_due(al, c);
		alerts_cfg_free(c);
		alerts_wait_ms(al, 2000, &al->mail_kick);
	}
	if (al->mail_db.conn)
		PQfinish(al->mail_db.conn);
	al->mail_db.conn = NULL;
	alerts_thread_ended(al, &al->mail_ended);
	return NULL;
}
