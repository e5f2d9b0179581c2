/* SPDX-License-Identifier: MIT */
/* The member-down alarm job: after each evaluation, asks presence for the
 * group's members and mails about those down longer than [mqtt]
 * member_down_alarm_s (db/member_alarm.c). Jobs thread. */
#include <pthread.h>
#include <stdlib.h>

#include "alerts_int.h"
#include "common/clock.h"
#include "db/member_alarm.h"
#include "enertrack/log.h"

void job_member_alarm(et_alerts_t *al, const struct alert_cfg *c)
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
		alerts_db_check(&al->eval_db);
		return;
	}
	if (mails)
		alerts_kick_mailer(al);
}
