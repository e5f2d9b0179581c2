/* SPDX-License-Identifier: MIT */
/* One run of enertrack_maintain() (see maintain.h). Everything it does is
 * one transaction on the server side: a failure (a lock not granted within
 * the function's lock_timeout) leaves nothing half done, and the next run
 * does it. */
#include "db/maintain.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "enertrack/log.h"

int et_maintain(PGconn *conn, const et_maintain_cfg_t *c, const char *at, char *err, size_t errlen)
{
	char v[5][16];
	snprintf(v[0], sizeof(v[0]), "%d", c->ahead_months);
	snprintf(v[1], sizeof(v[1]), "%d", c->raw_months);
	snprintf(v[2], sizeof(v[2]), "%d", c->rollup_months);
	snprintf(v[3], sizeof(v[3]), "%d", c->rejected_days);
	snprintf(v[4], sizeof(v[4]), "%d", c->corrections_days);
	const char *p[6] = {at ? at : "now", v[0], v[1], v[2], v[3], v[4]};
	PGresult *r =
		PQexecParams(conn,
			     "SELECT action, object, n FROM enertrack_maintain($1::timestamptz,"
			     " $2::integer, $3::integer, $4::integer, $5::integer, $6::integer)",
			     6, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		snprintf(err, errlen, "%s", PQresultErrorMessage(r));
		PQclear(r);
		return -EIO;
	}
	int done = 0;
	for (int i = 0; i < PQntuples(r); i++) {
		const char *action = PQgetvalue(r, i, 0);
		if (strcmp(action, "busy") == 0) {
			log_debug("maintenance: another instance runs it");
			continue;
		}
		done++;
		if (strcmp(action, "left_in_default") == 0)
			log_warn("maintenance: %s readings older than raw_months stay in "
				 "reading_default",
				 PQgetvalue(r, i, 2));
		else
			log_info("maintenance: %s %s (%s rows)", action, PQgetvalue(r, i, 1),
				 PQgetvalue(r, i, 2));
	}
	PQclear(r);
	return done;
}
