/* SPDX-License-Identifier: MIT */
/* The mailer thread: sends what alert_outbox holds (queued by any daemon's
 * jobs), one mail at a time, with no transaction open while the mail server
 * takes its time, and records each outcome, with back-off on failure. The
 * SMTP client itself is daemon/smtp.c. */
#include <errno.h>
#include <stdbool.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "alerts_int.h"
#include "db/outbox.h"
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
/* What happened to one recipient of mail id, in alert_delivery. */
static void note_delivery(et_alerts_t *al, const char *id, const char *rcpt, const char *state,
			  const char *detail)
{
	const char *p[4] = {id, rcpt, state, detail};
	PQclear(outbox_query(al,
			     "INSERT INTO alert_delivery AS d (outbox_id, recipient, state, detail)"
			     " VALUES ($1, $2, $3, $4) ON CONFLICT (outbox_id, recipient) DO UPDATE"
			     " SET state = EXCLUDED.state, detail = EXCLUDED.detail, at = now(),"
			     " attempts = d.attempts + 1",
			     4, p));
}

/* Whether rcpt of mail id is done with: delivered, refused or given up. */
static bool delivery_final(et_alerts_t *al, const char *id, const char *rcpt)
{
	const char *p[2] = {id, rcpt};
	PGresult *r =
		outbox_query(al,
			     "SELECT 1 FROM alert_delivery WHERE outbox_id = $1 AND recipient = $2"
			     " AND state IN ('delivered', 'refused', 'given_up')",
			     2, p);
	bool done = r && PQntuples(r) > 0;
	PQclear(r);
	return done;
}

/* Sends mail id, in one SMTP transaction, to its recipients not yet done
 * with: those that accept get it, and each one's reply is recorded, so that
 * one refused mailbox no longer keeps the mail from the others (a
 * 'bad@@address' or a deleted mailbox once kept it from everyone, retried
 * for ever). A 5xx reply is final (refused, in the server's words); anything
 * else is tried again. Returns 0 when every recipient has it, 1 when every
 * one is done with and some refused it (err says who), -1 when some are to
 * be tried again (err says why), -EINTR when stopping. */
static int send_each(et_alerts_t *al, const struct alert_cfg *c, const char *id, const char *to,
		     const char *message, char *err, size_t errlen)
{
	char rcptbuf[4096], why[CURL_ERROR_SIZE + 300];
	const char *all[ET_MAX_RCPT], *rcpt[ET_MAX_RCPT];
	static smtp_rcpt_t res[ET_MAX_RCPT]; /* mail thread only */
	size_t nall = et_split_rcpt(to, rcptbuf, sizeof(rcptbuf), all), n = 0;
	for (size_t i = 0; i < nall; i++)
		if (!delivery_final(al, id, all[i]))
			rcpt[n++] = all[i];
	err[0] = '\0';
	if (n == 0)
		return 0;
	int rc = smtp_send(al, c, rcpt, n, message, res, why, sizeof(why));
	if (rc == -EINTR)
		return -EINTR;
	int again = 0, refused = 0;
	for (size_t i = 0; i < n; i++) {
		bool ok = rc == 0 && res[i].code >= 200 && res[i].code < 300;
		bool permanent = res[i].code >= 500 && res[i].code < 600;
		const char *words = res[i].words[0] ? res[i].words : why;
		note_delivery(al, id, rcpt[i],
			      ok	  ? "delivered"
			      : permanent ? "refused"
					  : "retrying",
			      ok ? NULL : words);
		if (ok)
			continue;
		if (permanent)
			refused++;
		else
			again++;
		size_t len = strlen(err);
		snprintf(err + len, errlen - len, "%s%s %s: %.200s", len ? "; " : "", rcpt[i],
			 permanent ? "refused" : "not yet", words);
	}
	return again ? -1 : refused ? 1 : 0;
}

/* A mail older than [smtp] max_age_h whose recipients still include some
 * refused for the time being: those are given up, the mail is done with. */
static bool give_up(et_alerts_t *al, const struct alert_cfg *c, const char *id, const char *err)
{
	char hours[16];
	snprintf(hours, sizeof(hours), "%d", c->smtp_max_age_h);
	const char *p[3] = {id, hours, err};
	PGresult *r = outbox_query(
		al,
		"WITH o AS (UPDATE alert_outbox SET sent_at = now(), attempts = attempts + 1,"
		"  last_error = 'given up after ' || $2 || ' h: ' || $3"
		"  WHERE id = $1 AND created_at < now() - $2::integer * interval '1 hour'"
		"  RETURNING id)"
		" UPDATE alert_delivery d SET state = 'given_up', at = now() FROM o"
		" WHERE d.outbox_id = o.id AND d.state = 'retrying' RETURNING 1",
		3, p);
	bool gave = r && PQntuples(r) > 0;
	PQclear(r);
	return gave;
}

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
		const char *id = PQgetvalue(r, 0, 0);
		int attempts = atoi(PQgetvalue(r, 0, 2));
		/* the recipients the evaluation chose (routes included); older rows: [smtp] to */
		const char *to = PQgetisnull(r, 0, 3) ? c->smtp_to : PQgetvalue(r, 0, 3);
		char err[CURL_ERROR_SIZE + 300];
		int rc = send_each(al, c, id, to, PQgetvalue(r, 0, 1), err, sizeof(err));
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
		} else if (rc == 1) {
			/* every recipient answered for good; some refused: never retried */
			const char *p[2] = {id, err};
			u = outbox_query(
				al,
				"UPDATE alert_outbox SET sent_at = now(), attempts = attempts + 1,"
				" last_error = $2 WHERE id = $1",
				2, p);
			log_warn("alerts: mail %s: %s", id, err);
			al->smtp_failures = 0;
		} else if (give_up(al, c, id, err)) {
			log_error("alerts: mail %s given up after [smtp] max_age_h %d: %s", id,
				  c->smtp_max_age_h, err);
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
		if ((rc != 0 && rc != 1) || !al->mail_db.conn)
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
