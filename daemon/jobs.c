/* SPDX-License-Identifier: MIT */
/* The periodic jobs' thread and its schedule: every [alerts]
 * eval_interval_s, the evaluation, then the digest, the member-down alarm
 * and the history's upkeep (each a job_*.c adapter), all on this thread's
 * own PostgreSQL connection. It never waits for a mail server: what the
 * jobs queue, the mailer thread (daemon/mailer.c) sends. */
#include <stdbool.h>
#include <stdint.h>

#include "alerts_int.h"
#include "enertrack/log.h"

/* The evaluation and the digest; false when the evaluation failed (the
 * round is then retried in 5 s). */
static bool evaluate_round(et_alerts_t *al, const struct alert_cfg *c)
{
	et_eval_result_t res;
	if (job_evaluate(al, c, &res))
		return false;
	int digest_mails = job_digest(al, c);
	if (res.busy) {
		log_debug("alerts: another instance evaluates");
		if (digest_mails)
			alerts_kick_mailer(al);
		return true;
	}
	job_evaluate_publish(al);
	/* committed: the mailer may send them now */
	if (res.mails + digest_mails)
		alerts_kick_mailer(al);
	return true;
}

void *jobs_main(void *arg)
{
	et_alerts_t *al = arg;
	while (!alerts_stopping(al)) {
		struct alert_cfg *c = alerts_cfg_take(al);
		int64_t wait = 5000;
		if (c && alerts_db_ensure(al, &al->eval_db) && evaluate_round(al, c)) {
			wait = (int64_t)c->eval_interval_s * 1000;
			job_member_alarm(al, c);
			job_maintain(al, c);
		}
		alerts_cfg_free(c);
		alerts_wait_ms(al, wait, NULL);
	}
	if (al->eval_db.conn)
		PQfinish(al->eval_db.conn);
	al->eval_db.conn = NULL;
	alerts_thread_ended(al, &al->eval_ended);
	return NULL;
}
