/* SPDX-License-Identifier: MIT */
/* The words of the mails about the truth behind the targets: a capacity
 * project overdue (milestone) and a county's telemetry off its official
 * statistics (reconciliation). Rows in, subject, plain-text body and a log
 * line out, in English or Simplified Chinese. Pure: the queries and the
 * outbox are db/truth_alerts.c, the RFC 5322 message lib/mail.c. */
#ifndef ENERTRACK_TRUTHMAIL_H
#define ENERTRACK_TRUTHMAIL_H

#include <stddef.h>

#include "enertrack/i18n.h" /* et_lang_t, and the catalogue the words come from */

/* One late project (target_milestone_state). Values in canonical units;
 * display_div <= 0 or NaN is 1. Strings borrowed. */
typedef struct et_milestone_mail {
	const char *label, *year, *scope; /* the target's metric label, year, scope */
	const char *name, *site_id, *due; /* the project; due: YYYY-MM-DD */
	const char *days_late;
	double value, commissioned, planned_to_here;
	const char *display_unit;
	double display_div;
	int grace_days;		   /* [alerts] milestone_grace_days */
	const char *retrofit_kind; /* a retrofit (三改联动): 节能降碳, 供热 or 灵活性; NULL: a
				      project */
} et_milestone_mail_t;

/* One county's latest month (reconcile_latest). scope is "county:<name>". */
typedef struct et_reconcile_mail {
	const char *scope, *metric, *label, *period, *source;
	double telemetry, official, gap_pct;
	const char *display_unit;
	double display_div;
	double reconcile_pct; /* [alerts] reconcile_pct */
} et_reconcile_mail_t;

/* A target whose project register plans less than the target:
 * target and planned (commissioned plus registered and due this year) in
 * canonical units. */
typedef struct et_register_mail {
	const char *label, *year, *scope;
	double target, planned;
	const char *display_unit;
	double display_div;
} et_register_mail_t;

/* The counties' statistics that do not add up to the city's (a row of
 * statistic_county_check). */
typedef struct et_countysum_mail {
	const char *label, *period, *source;
	double city, counties_sum, gap_pct;
	int counties;
	const char *display_unit;
	double display_div;
} et_countysum_mail_t;

/* A target without data for [alerts] no_data_days: missing says what
 * (target_no_data, English). */
typedef struct et_nodata_mail {
	const char *label, *year, *scope, *missing;
	int days;
} et_nodata_mail_t;

/* The text of a mail: subject (one line), body (LF lines) and detail (one
 * line, English, for the log and truth_alert.detail). */
typedef struct et_truth_text {
	char subject[512], body[2048], detail[512];
} et_truth_text_t;

/* Word the mail in lang into *ret. Returns 0, or -ENOSPC when a part was
 * cut (it is still NUL-terminated and usable). */
int et_truthmail_milestone(et_lang_t lang, const et_milestone_mail_t *m, et_truth_text_t *ret);
int et_truthmail_reconcile(et_lang_t lang, const et_reconcile_mail_t *m, et_truth_text_t *ret);
int et_truthmail_register(et_lang_t lang, const et_register_mail_t *m, et_truth_text_t *ret);
int et_truthmail_countysum(et_lang_t lang, const et_countysum_mail_t *m, et_truth_text_t *ret);
int et_truthmail_nodata(et_lang_t lang, const et_nodata_mail_t *m, et_truth_text_t *ret);

#endif
