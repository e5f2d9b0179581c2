/* SPDX-License-Identifier: MIT */
/* The evaluation's mails, made whole after its transaction. The evaluation
 * (db/evaluate_targets.c, db/truth_alerts.c) queues each mail pending in
 * the transaction that records its change, and this draws the charts and
 * builds the MIME messages after COMMIT, so that the evaluation's lock is
 * never held while cairo draws. Blocking libpq. */
#ifndef ENERTRACK_DB_EVAL_MAILS_H
#define ENERTRACK_DB_EVAL_MAILS_H

#include <libpq-fe.h>
#include <stddef.h>

#include "db/progress.h"
#include "enertrack/i18n.h"
#include "enertrack/mail.h"

typedef struct et_eval_mail_cfg {
	/* the settings the evaluation ran with (et_pq_use_settings) */
	const char *tz;
	double min_elapsed_pct;
	int stale_after_s;
	const char *statistics_sources;
	const char *smtp_from;
	et_lang_t lang;
} et_eval_mail_cfg_t;

/* The drift mail of target p for event ev in lang: its figures as the
 * loader read them. The evaluation words its subject from it; the finished
 * mail then sets the label with its place, the reader's units, the sites,
 * the envelope and the chart. */
et_mail_report_t et_eval_mail_report(const et_progress_t *p, enum et_alert_event ev,
				     et_lang_t lang);

/* Makes every pending mail of alert_outbox whole and due: a drift mail is
 * rendered (lib/mail.c) from the target as it was at its event, with its
 * chart; a truth mail's text, kept in the row, becomes its message. Rows
 * another daemon is finishing are skipped. In its own transaction. Returns
 * how many it finished, or -EIO with the server's message in err. */
int et_eval_mails_finish(PGconn *conn, const et_eval_mail_cfg_t *c, char *err, size_t errlen)
	__attribute__((warn_unused_result));

#endif
