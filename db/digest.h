/* SPDX-License-Identifier: MIT */
/* The daily digest (db/digest.c): once per period (a local date of the
 * targets' time zone, on the configured weekdays, from the configured
 * local time on), one mail with every target's status and what changed
 * since the last digest, queued in alert_outbox like the alert mails.
 * Blocking libpq: call it from a thread that may block. */
#ifndef ENERTRACK_DB_DIGEST_H
#define ENERTRACK_DB_DIGEST_H

#include <libpq-fe.h>
#include <stdbool.h>
#include "enertrack/i18n.h"
#include <stddef.h>

typedef struct et_digest_cfg {
	const char *tz;
	double min_elapsed_pct;
	int stale_after_s;
	int minute;    /* minutes after local midnight; -1: no digest */
	unsigned dows; /* bit d: ISO weekday d (1 Monday .. 7 Sunday) */
	const char *smtp_from;
	const char *smtp_to; /* empty: the period is recorded, no mail is queued */
	et_lang_t lang;
} et_digest_cfg_t;

typedef struct et_digest_result {
	bool made;	 /* this call made the period's digest */
	bool queued;	 /* and queued its mail */
	char period[16]; /* YYYY-MM-DD when made */
} et_digest_result_t;

/* Makes the digest of the period of `at` (a timestamptz literal; NULL: now)
 * if it is due and no daemon made it yet: one transaction, under an
 * advisory lock, writes the digest_sent row of the period and queues the
 * mail pending (its text in the row), so that of several daemons exactly
 * one makes it; after COMMIT the charts are drawn and the message built
 * (db/outbox.h, et_outbox_finish). Returns 0 (made or not: see ret), or
 * -EIO with the database's message in err (rolled back; or, when only the
 * charts or the message failed, made and queued, the row left pending: the
 * evaluation's round sends its text, see db/eval_mails.h). */
int et_digest_run(PGconn *conn, const et_digest_cfg_t *c, const char *at, et_digest_result_t *ret,
		  char *err, size_t errlen) __attribute__((warn_unused_result));

#endif
