/* SPDX-License-Identifier: MIT */
/* The daily digest's words: every target's status, what changed since the
 * last digest, and the charts' places, as a subject, a plain-text body and
 * an HTML body (rows in, text out). Pure: the queries, the charts and the
 * outbox are db/digest.c; lib/mail.c makes the RFC 5322 message. */
#ifndef ENERTRACK_DIGESTMAIL_H
#define ENERTRACK_DIGESTMAIL_H

#include <stdbool.h>
#include <stddef.h>

#include "enertrack/buf.h"
#include "enertrack/i18n.h"

/* One target now. Figures in display units; NaN when unknown. */
typedef struct et_digest_target {
	const char *label, *scope;	 /* metric label in the digest's language */
	const char *status;		 /* behind, on_track, ... (translated here) */
	double drift_pct, was_drift_pct; /* now and at the last digest */
	double actual, expected;
	const char *display_unit;
	const char *alert_state; /* ok, pending, firing */
	bool silenced;
	const char *chart_cid; /* its chart in the mail (without <>), or NULL */
} et_digest_target_t;

/* One change since the last digest: local "MM-DD HH:MI" and what. */
typedef struct et_digest_change {
	const char *when, *what;
} et_digest_change_t;

typedef struct et_digest_mail {
	et_lang_t lang;
	const char *period; /* YYYY-MM-DD */
	const char *tz;
	const char *since; /* the last digest, local "YYYY-MM-DD HH:MI"; NULL: none */
	const et_digest_target_t *targets;
	size_t ntargets;
	const et_digest_change_t *changes;
	size_t nchanges;
} et_digest_mail_t;

/* "[enertrack] digest 2024-06-30: 1 behind, 2 on_track, 1 firing" into buf
 * (NUL-terminated, cut at len). Returns its length, or -ENOSPC when cut. */
int et_digest_subject(const et_digest_mail_t *d, char *buf, size_t len);

/* Appends the text (CRLF lines) and the HTML body to text and html, each
 * NUL-terminated (the NUL not counted in len). Returns 0 or -ENOMEM. */
int et_digest_render(const et_digest_mail_t *d, et_buf_t *text, et_buf_t *html)
	__attribute__((warn_unused_result));

#endif
