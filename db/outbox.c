/* SPDX-License-Identifier: MIT */
/* Queueing a mail (see outbox.h). The four mails (drift, milestone and
 * reconciliation, digest, member down) used to insert into alert_outbox
 * each its own way, and two of them went to [smtp] to whatever alert_route
 * said; now routing is this file's first step for every one. */
#include "db/outbox.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "db/pq.h"

size_t et_split_rcpt(const char *to, char *buf, size_t buflen, const char **out)
{
	size_t n = 0;
	snprintf(buf, buflen, "%s", to ? to : "");
	for (char *save = NULL, *t = strtok_r(buf, " ,\t", &save); t && n < ET_MAX_RCPT;
	     t = strtok_r(NULL, " ,\t", &save))
		out[n++] = t;
	return n;
}

/* The recipients of a mail about scope, as alert_recipients() lists them:
 * base and every matching route, each address once. "" when nobody. */
static int route(PGconn *conn, const char *scope, const char *base, char *out, size_t len,
		 char *err, size_t errlen)
{
	const char *p[2] = {scope, base ? base : ""};
	PGresult *r =
		PQexecParams(conn, "SELECT alert_recipients($1, $2)", 2, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		return et_pq_fail(r, err, errlen);
	snprintf(out, len, "%s", PQntuples(r) ? PQgetvalue(r, 0, 0) : "");
	PQclear(r);
	return 0;
}

int et_outbox_queue(PGconn *conn, const et_outbox_mail_t *m, char *ret_id, size_t idlen, char *err,
		    size_t errlen)
{
	char to[4096], rcptbuf[4096];
	const char *rcpt[ET_MAX_RCPT];
	ret_id[0] = '\0';
	int rc = route(conn, m->scope, m->base_to, to, sizeof(to), err, errlen);
	if (rc)
		return rc;
	size_t nrcpt = et_split_rcpt(to, rcptbuf, sizeof(rcptbuf), rcpt);
	if (nrcpt == 0)
		return 0;
	et_buf_t msg = ET_BUF_INIT;
	if (m->build) {
		rc = m->build(m->ctx, rcpt, nrcpt, &msg, err, errlen);
		if (rc == 0 && et_buf_append(&msg, "", 1))
			rc = -ENOMEM;
		if (rc) {
			if (rc == -ENOMEM)
				snprintf(err, errlen, "out of memory");
			et_buf_free(&msg);
			return rc;
		}
	}
	const char *p[6] = {m->drift_event_id,
			    m->subject,
			    m->build ? msg.data : (m->pending_text ? m->pending_text : ""),
			    to,
			    m->kind ? m->kind : "alert",
			    m->build ? "now" : "infinity"};
	PGresult *r = PQexecParams(conn,
				   "INSERT INTO alert_outbox (drift_event_id, subject, message,"
				   " recipients, kind, next_attempt_at)"
				   " VALUES ($1, $2, $3, $4, $5, $6::timestamptz) RETURNING id",
				   6, NULL, p, NULL, NULL, 0);
	et_buf_free(&msg);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		return et_pq_fail(r, err, errlen);
	snprintf(ret_id, idlen, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	return 1;
}

int et_outbox_finish(PGconn *conn, const char *id, const char *subject, const char *message,
		     char *err, size_t errlen)
{
	const char *p[3] = {id, subject, message};
	PGresult *r = PQexecParams(conn,
				   "UPDATE alert_outbox o SET subject = coalesce($2, o.subject),"
				   " message = $3, next_attempt_at = now()"
				   " WHERE o.id = $1 AND " ET_OUTBOX_PENDING_SQL,
				   3, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		return et_pq_fail(r, err, errlen);
	PQclear(r);
	return 0;
}
