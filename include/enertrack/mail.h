/* SPDX-License-Identifier: MIT */
/* The alert mail: subject line and whole RFC 5322 / MIME message (text and
 * HTML alternatives, both base64) for one alert event. Pure: the caller
 * supplies the figures and the time; sending and the outbox are in
 * daemon/alerts.c. Whatever came from data is sanitised before it reaches a
 * header and HTML-escaped in the HTML part. Any thread. */
#ifndef ENERTRACK_MAIL_H
#define ENERTRACK_MAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "enertrack/alert.h"
#include "enertrack/buf.h"
#include "enertrack/i18n.h"

/* One site in a list of the mail. Values in canonical units (the report's
 * display_div applies); NaN when unknown. Strings borrowed. */
typedef struct et_mail_site {
	const char *site_id;
	const char *county; /* may be NULL or "" */
	double actual, expected, gap;
	bool stale;
	int64_t last_us; /* last reading, µs since the epoch; 0 = none */
} et_mail_site_t;

/* A figure of the official statistics that an import revised, behind the
 * change the mail is about: the values as their files gave them. Strings
 * borrowed. */
typedef struct et_mail_revision {
	const char *metric_label; /* "Raw coal" / "原煤产量" */
	const char *period;	  /* "2024-03" */
	const char *source;	  /* "bureau" */
	double old_value, new_value;
	const char *old_unit, *new_unit; /* "万吨" */
} et_mail_revision_t;

/* Everything one mail says. All pointers are borrowed for the call. */
typedef struct et_mail_report {
	enum et_alert_event event; /* FIRING, REPEAT or RESOLVED */
	const char *label;	   /* "Raw coal" */
	int year;
	const char *kind;	  /* about / at_least / reduce_by_pct */
	const char *status;	  /* behind / over / on_track / ... */
	const char *plan_text;	  /* Chinese plan wording, may be NULL */
	const char *scope;	  /* "city", "county:襄垣", "site:xy-01" */
	const char *display_unit; /* "Mt", "MW", "%" */
	double display_div;	  /* canonical / display_div = display value; <= 0 or NaN: 1 */
	double target, expected, actual, drift_pct, projected, required_daily; /* NaN: unknown */
	double elapsed_pct;
	int sites_reporting, sites_stale;
	const et_mail_site_t *behind; /* the sites furthest behind, all shown */
	size_t nbehind;
	const et_mail_site_t *stale; /* stale sites, all shown */
	size_t nstale;
	const char *from;      /* "enertrack <alerts@example.org>" */
	const char *const *to; /* nto addresses, at least one */
	size_t nto;
	int64_t date_us; /* for the Date header, µs since the epoch */
	/* without <>: "drift-42.target-1@enertrack"; dot-atom@dot-atom, at
	 * most 250 bytes */
	const char *message_id;
	et_lang_t lang; /* of the subject and the bodies; ET_LANG_EN is 0 */
	/* The progress chart, optional (NULL or chart_len 0: none): a PNG
	 * carried inline beside the HTML part, which shows it by Content-ID
	 * chart_cid (without <>, dot-atom@dot-atom like message_id). */
	const void *chart_png; /* ET_MAIL_CHART_W px wide */
	size_t chart_len;
	const char *chart_cid;
	/* The revisions of the official statistics that changed the status
	 * (issue 21): the subject says so and the body names each, at its top.
	 * nrevisions 0: the change came from the data of the day. The subject
	 * needs only the count (revisions may be NULL for it). */
	const et_mail_revision_t *revisions;
	size_t nrevisions;
} et_mail_report_t;

/* The subject, UTF-8, sanitised (no CR, LF or other control characters):
 *   "[enertrack] Raw coal 2024: 8.1% behind schedule"    (FIRING, drift < 0)
 *   "[enertrack] Raw coal 2024: 3.2% over schedule"      (FIRING, drift >= 0)
 *   "[enertrack] Raw coal 2024: back on track (drift 1.2%)"      (RESOLVED)
 *   "[enertrack] reminder: Raw coal 2024: 8.1% behind schedule"  (REPEAT)
 *   "[enertrack] Raw coal 2024: 8.1% behind schedule, after a revision of
 *    the statistics"                                  (nrevisions > 0)
 * The label is cut to ET_MAIL_LABEL_MAX bytes at a character boundary, so
 * 512 bytes always suffice. Writes a NUL-terminated string into buf and
 * returns its length; -EINVAL for another event or no label, -ENOSPC when
 * len is too small. */
#define ET_MAIL_LABEL_MAX 200

/* The width of the chart in a mail: on a phone (374 px of a 390 px screen)
 * its 14.7 px text shows at 12.5 px; on a desk it is shown at its size. */
#define ET_MAIL_CHART_W 440
int et_mail_subject(const et_mail_report_t *r, char *buf, size_t len);

/* Appends the whole message to out, with CRLF line ends. Headers, in this
 * order: Date (RFC 5322, UTC: "Sat, 28 Nov 2026 16:00:00 +0000"), From, To
 * (comma-separated, folded between addresses), Subject (RFC 2047
 * "=?UTF-8?B?...?=" words when not plain ASCII, when it contains "=?" or
 * when it is long; folded so that no line exceeds 78 characters),
 * Message-ID, MIME-Version, Auto-Submitted: auto-generated (RFC 3834: no
 * vacation replies), Content-Type multipart/alternative with a boundary
 * that base64 cannot produce; then a text/plain and a text/html part, both
 * charset=UTF-8 and base64 in 76-character lines. With a chart, the HTML
 * part is inside a multipart/related with the image/png (base64,
 * Content-ID <chart_cid>, inline), which the HTML shows with an alt text;
 * the text part says the chart is in the HTML version. From and To are
 * sanitised as et_mail_header_sanitize does but not RFC 2047-encoded.
 * Returns 0, or -EINVAL (bad report: reason in err) or -ENOMEM; on error
 * out is as it was. err (errlen bytes) may be NULL. */
int et_mail_build(const et_mail_report_t *r, et_buf_t *out, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Copies s into out (outlen bytes) for use in a header: CR, LF and other
 * control characters (C0, DEL, and C1 in UTF-8) become a space, each
 * invalid UTF-8 byte a '?'. Stops before a character that does not fit, so
 * the result is whole characters; always NUL-terminates when outlen > 0; s
 * NULL is "". Returns the length written, without the NUL. */
size_t et_mail_header_sanitize(const char *s, char *out, size_t outlen);

/* Encodes p[0..n) as base64 (RFC 4648, with '=' padding) without line
 * breaks into out, which has room for 4 * ceil(n / 3) bytes; no NUL.
 * Returns the length written. Also the tools' data: URIs. */
size_t et_mail_base64(const unsigned char *p, size_t n, char *out);

/* A plain-text message (one text/plain UTF-8 part, base64) with the headers
 * of et_mail_build: for mails that are not about a drift event (a late
 * project, a county's telemetry off its statistics). body: lines separated
 * by LF, each cleaned as data is. Strings borrowed. Returns 0, or -EINVAL
 * (reason in err) or -ENOMEM; on error out is as it was. */
int et_mail_build_text(const char *from, const char *const *to, size_t nto, const char *subject,
		       const char *body, int64_t date_us, const char *message_id, et_buf_t *out,
		       char *err, size_t errlen) __attribute__((warn_unused_result));
/* A message made of given parts (the daily digest): a text and an HTML
 * body, UTF-8, and PNG images the HTML shows as <img src="cid:CID">.
 * Everything borrowed for the call. */
typedef struct et_mail_image {
	const char *cid; /* Content-ID without <>, a msg-id: "chart-1@enertrack" */
	const unsigned char *png;
	size_t len;
} et_mail_image_t;

typedef struct et_mail_parts {
	const char *from;
	const char *const *to; /* nto addresses, at least one */
	size_t nto;
	const char *subject; /* sanitised and encoded here */
	int64_t date_us;
	const char *message_id; /* without <> */
	const char *text, *html;
	const et_mail_image_t *images;
	size_t nimages;
} et_mail_parts_t;

/* Appends the whole message to out: headers as et_mail_build writes them,
 * then multipart/alternative (text, HTML; base64), inside multipart/related
 * with one base64 image/png part per image (Content-ID, inline) when there
 * are images. Returns 0, or -EINVAL (reason in err) or -ENOMEM; on error out
 * is as it was. */
int et_mail_build_parts(const et_mail_parts_t *p, et_buf_t *out, char *err, size_t errlen)
	__attribute__((warn_unused_result));

#endif
