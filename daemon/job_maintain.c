/* SPDX-License-Identifier: MIT */
/* The history's upkeep job (db/maintain.c: partitions ahead, old ones
 * dropped), every [retention] interval_s, first at the start; a failure is
 * retried a minute later. Jobs thread. */
#include <stdint.h>

#include "alerts_int.h"
#include "common/clock.h"
#include "db/maintain.h"
#include "enertrack/log.h"

void job_maintain(et_alerts_t *al, const struct alert_cfg *c)
{
	int64_t now = et_mono_ms();
	if (c->maintain_interval_s <= 0 || now < al->next_maintain_ms)
		return;
	if (et_maintain(al->eval_db.conn, &c->maintain, NULL, al->eval_db.err,
			sizeof(al->eval_db.err)) < 0) {
		log_error("maintenance: %s (again in a minute)", al->eval_db.err);
		alerts_db_check(&al->eval_db);
		al->next_maintain_ms = now + 60000;
		return;
	}
	al->next_maintain_ms = now + (int64_t)c->maintain_interval_s * 1000;
}
