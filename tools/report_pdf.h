/* SPDX-License-Identifier: MIT */
/* `enertrack report --format pdf`: a report for superiors on A4, drawn with
 * cairo's PDF surface and pango (fonts embedded, CJK text): the title and
 * as-of date, the targets table, then a page per target with its progress
 * chart and the sources of each month; page numbers on every page. */
#ifndef ENERTRACK_TOOLS_REPORT_PDF_H
#define ENERTRACK_TOOLS_REPORT_PDF_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "enertrack/i18n.h"

typedef struct report_pdf_in {
	PGconn *conn;
	const char *at; /* the instant, a timestamptz literal */
	et_lang_t lang;
	bool bureau;	   /* the bureau's units */
	const char *title; /* "enertrack：2024 年目标进度，截至 ..." */
	const char *as_of; /* "截至 2024-06-30 12:00（北京时间）" */
	const char *out;   /* the file */
} report_pdf_in_t;

/* Writes the PDF. Returns 0, or -1 after logging why. */
int report_pdf(const report_pdf_in_t *in);

#endif
