/* SPDX-License-Identifier: MIT */
/* The one way to queue a mail: a row of alert_outbox, which the daemon's
 * mailer sends with retries. Every mail is routed here: its recipients are
 * [smtp] to and those of every alert_route whose scope_pattern matches what
 * the mail is about (alert_recipients(), sql/functions/alert_recipients.sql), and they are both the
 * message's To and the row's envelope recipients. A mail may be queued
 * pending (not yet due, its text kept in the row) inside a transaction and
 * finished after it: see et_outbox_finish. Blocking libpq. */
#ifndef ENERTRACK_DB_OUTBOX_H
#define ENERTRACK_DB_OUTBOX_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "enertrack/buf.h"

#define ET_MAX_RCPT 32

/* Splits "a@x, b@y c@z" into at most ET_MAX_RCPT addresses, copied into buf
 * and pointed to from out. Returns how many. */
size_t et_split_rcpt(const char *to, char *buf, size_t buflen, const char **out);

/* Appends the whole RFC 5322 message for these recipients to out. Returns
 * 0, or a negative errno-style code with the reason in err. */
typedef int (*et_outbox_build_fn)(void *ctx, const char *const *to, size_t nto, et_buf_t *out,
				  char *err, size_t errlen);

/* One mail to queue. Strings borrowed for the call. */
typedef struct et_outbox_mail {
	const char *kind;	    /* alert_outbox.kind: "alert" (NULL) or "digest" */
	const char *drift_event_id; /* the drift event a mail is about, or NULL */
	/* What the mail is about, matched against alert_route.scope_pattern:
	 * a target's scope ("city", "county:襄垣"), "group:<name>" for a shared
	 * subscription group; NULL: no route matches, [smtp] to only. */
	const char *scope;
	const char *base_to; /* [smtp] to; NULL or "": routes only */
	const char *subject;
	/* Either build, called with the routed recipients, makes the message
	 * now; or (build NULL) the row is pending: message holds pending_text
	 * (the plain text, or "") and the mail is not due until
	 * et_outbox_finish gives it its message. */
	et_outbox_build_fn build;
	void *ctx;
	const char *pending_text;
} et_outbox_mail_t;

/* Routes and queues m in the caller's transaction (or alone). Returns 1 with
 * the row's id in ret_id (idlen bytes) when queued, 0 when nobody is to get
 * it (ret_id ""), or -EIO (server's message in err) or the build's error. */
int et_outbox_queue(PGconn *conn, const et_outbox_mail_t *m, char *ret_id, size_t idlen, char *err,
		    size_t errlen) __attribute__((warn_unused_result));

/* Gives the pending row id its subject (NULL: unchanged) and message and
 * makes it due now. A row that is no longer pending (another daemon finished
 * it) is left as it is. Returns 0, or -EIO with the server's message. */
int et_outbox_finish(PGconn *conn, const char *id, const char *subject, const char *message,
		     char *err, size_t errlen) __attribute__((warn_unused_result));

/* The pending state, for the query that finds pending rows:
 * "next_attempt_at = 'infinity'" (the mailer takes only rows that are due). */
#define ET_OUTBOX_PENDING_SQL "o.sent_at IS NULL AND o.next_attempt_at = 'infinity'"

#endif
