/* SPDX-License-Identifier: MIT */
/* The daily digest job: after each evaluation, makes and queues the digest
 * when it is due and no daemon made it yet (db/digest.c). Jobs thread. */
#include "alerts_int.h"
#include "db/digest.h"
#include "enertrack/log.h"

int job_digest(et_alerts_t *al, const struct alert_cfg *c)
{
	et_digest_cfg_t dc = {.tz = c->tz,
			      .min_elapsed_pct = c->min_elapsed_pct,
			      .stale_after_s = c->stale_after_s,
			      .minute = c->digest_minute,
			      .dows = c->digest_dows,
			      .smtp_from = c->smtp_from,
			      .smtp_to = c->smtp_to,
			      .lang = c->lang};
	et_digest_result_t dr;
	if (et_digest_run(al->eval_db.conn, &dc, NULL, &dr, al->eval_db.err,
			  sizeof(al->eval_db.err))) {
		log_error("alerts: digest failed: %s", al->eval_db.err);
		alerts_db_check(&al->eval_db);
		return 0;
	}
	if (!dr.made)
		return 0;
	log_info("alerts: digest of %s made%s", dr.period,
		 dr.queued ? "" : " (no [smtp] to: not mailed)");
	return dr.queued;
}
