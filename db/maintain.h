/* SPDX-License-Identifier: MIT */
/* The history's upkeep: one call of enertrack_maintain()
 * (sql/functions/enertrack_maintain.sql) with the [retention] settings, its actions
 * logged. Blocking libpq: the alerts thread, or a tool. */
#ifndef ENERTRACK_DB_MAINTAIN_H
#define ENERTRACK_DB_MAINTAIN_H

#include <libpq-fe.h>
#include <stddef.h>

typedef struct et_maintain_cfg {
	int ahead_months, raw_months, rollup_months, rejected_days, corrections_days;
} et_maintain_cfg_t;

/* Runs it at now() (at NULL) or at the timestamptz literal at. Returns
 * the number of actions taken (0 also when another daemon held the lock),
 * or -EIO with the server's message in err. */
int et_maintain(PGconn *conn, const et_maintain_cfg_t *c, const char *at, char *err, size_t errlen)
	__attribute__((warn_unused_result));

#endif
