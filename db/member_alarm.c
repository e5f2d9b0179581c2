/* SPDX-License-Identifier: MIT */
/* The member-down alarm (see member_alarm.h). The mail itself is
 * lib/membermail.c, queued (and routed) by db/outbox.c. A member that comes
 * back is marked returned_at by the first observer that sees it online
 * again. */
#include "db/member_alarm.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "db/outbox.h"
#include "db/pq.h"
#include "enertrack/buf.h"
#include "enertrack/log.h"

/* The message for the recipients the outbox routed it to. */
static int build(void *ctx, const char *const *to, size_t nto, et_buf_t *out, char *err,
		 size_t errlen)
{
	et_member_mail_t mail = *(const et_member_mail_t *)ctx;
	mail.to = to;
	mail.nto = nto;
	int rc = et_member_mail_build(&mail, out);
	if (rc)
		snprintf(err, errlen, "cannot build the member-down mail");
	return rc;
}

/* One outage: the event row, and the mail when the row is new. In the
 * caller's transaction. Returns 1 when a mail was queued, 0, or -EIO. */
static int one_down(PGconn *conn, const et_member_alarm_cfg_t *c, const et_member_t *d,
		    const et_member_t *m, size_t n, int64_t now_us, char *err, size_t errlen)
{
	char started[32], conn_s[16], since[32];
	snprintf(started, sizeof(started), "%.6f", d->started_us / 1e6);
	snprintf(conn_s, sizeof(conn_s), "%u", d->conn);
	snprintf(since, sizeof(since), "%.6f", d->since_us / 1e6);
	const char *p[6] = {d->id, d->group, started, conn_s, since, c->observer};
	PGresult *r = et_pq_query(conn,
				  "INSERT INTO member_down_event (member, grp, started_at, conn,"
				  " down_since, noticed_by)"
				  " VALUES ($1, $2, to_timestamp($3), $4, to_timestamp($5), $6)"
				  " ON CONFLICT (member, started_at, conn) DO NOTHING RETURNING id",
				  6, p, err, errlen);
	if (!r)
		return -EIO;
	if (PQntuples(r) == 0) {
		PQclear(r); /* another daemon, or an earlier round, recorded it */
		return 0;
	}
	char eid[32];
	snprintf(eid, sizeof(eid), "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	log_warn("alerts: group member %s has been down for %lld s (member_down_alarm_s %d); "
		 "its share is queued at the broker",
		 d->id, (long long)((now_us - d->since_us) / 1000000), c->alarm_s);
	char msgid[200], subject[512], id[32];
	snprintf(msgid, sizeof(msgid), "member-down-%s@enertrack", eid);
	et_member_mail_t mail = {.down = d,
				 .members = m,
				 .nmembers = n,
				 .alarm_s = c->alarm_s,
				 .session_expiry_s = c->session_expiry_s,
				 .observer = c->observer,
				 .from = c->smtp_from,
				 .date_us = now_us,
				 .message_id = msgid};
	if (et_member_mail_subject(&mail, subject, sizeof(subject)) < 0) {
		snprintf(err, errlen, "cannot build the member-down mail");
		return -EIO;
	}
	/* routed as "group:<name>": alert_route can send a group's alarms to
	 * whoever runs that group */
	char scope[80];
	snprintf(scope, sizeof(scope), "group:%s", d->group);
	et_outbox_mail_t om = {.scope = scope,
			       .base_to = c->smtp_to,
			       .subject = subject,
			       .build = build,
			       .ctx = &mail};
	int rc = et_outbox_queue(conn, &om, id, sizeof(id), err, errlen);
	if (rc == 0)
		log_warn("alerts: no [smtp] to and no alert_route for %s: no mail for this member",
			 scope);
	return rc;
}

int et_member_alarm(PGconn *conn, const et_member_alarm_cfg_t *c, const et_member_t *m, size_t n,
		    int64_t now_us, int *ret_mails, char *err, size_t errlen)
{
	*ret_mails = 0;
	if (c->alarm_s <= 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		const et_member_t *d = &m[i];
		bool due = d->state == ET_MEMBER_DOWN &&
			   now_us - d->since_us >= (int64_t)c->alarm_s * 1000000;
		if (!due && d->state != ET_MEMBER_ONLINE)
			continue;
		if (et_pq_exec(conn, "BEGIN", err, errlen))
			return -EIO;
		int rc = 0;
		if (due) {
			rc = one_down(conn, c, d, m, n, now_us, err, errlen);
		} else {
			/* back: close its open outages (a cheap no-op when none) */
			const char *p[1] = {d->id};
			rc = et_pq_run(conn,
				       "UPDATE member_down_event SET returned_at = now()"
				       " WHERE member = $1 AND returned_at IS NULL",
				       1, p, err, errlen);
		}
		if (rc < 0 || et_pq_exec(conn, "COMMIT", err, errlen)) {
			PQclear(PQexec(conn, "ROLLBACK"));
			return -EIO;
		}
		*ret_mails += rc;
	}
	return 0;
}
