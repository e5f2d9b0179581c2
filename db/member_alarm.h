/* SPDX-License-Identifier: MIT */
/* The member-down alarm against PostgreSQL: for each group member down
 * longer than member_down_alarm_s, one member_down_event row per outage
 * (member, its start, its connection number: the same for every observer)
 * and, when that row is new, one mail in alert_outbox, in one transaction.
 * Several daemons may notice the same outage: the unique key lets exactly
 * one of them record it and queue the mail. Blocking libpq: the alerts
 * thread. */
#ifndef ENERTRACK_DB_MEMBER_ALARM_H
#define ENERTRACK_DB_MEMBER_ALARM_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "enertrack/membermail.h"

typedef struct et_member_alarm_cfg {
	int alarm_s;	      /* 0: never */
	int session_expiry_s; /* said in the mail */
	const char *observer; /* this instance's client_id */
	const char *smtp_from;
	const char *smtp_to; /* empty: the event is recorded, no mail queued */
} et_member_alarm_cfg_t;

/* Looks at the n members (borrowed) at now_us. Returns 0 and the number of
 * mails queued in *ret_mails, or -EIO with the server's message in err. */
int et_member_alarm(PGconn *conn, const et_member_alarm_cfg_t *c, const et_member_t *m, size_t n,
		    int64_t now_us, int *ret_mails, char *err, size_t errlen)
	__attribute__((warn_unused_result));

#endif
