/* SPDX-License-Identifier: MIT */
/* A target's drift as people read it, the one rule for every output
 * (`enertrack status`, the status page, the reports): a target in % (an
 * intensity decline, a capacity share) drifts in percentage points (百分点:
 * its drift_pct is actual - expected), any other relative to its schedule
 * (%). The mails word it in sentences of their own (lib/mail.c). Pure, any
 * thread. */
#ifndef ENERTRACK_DRIFTTEXT_H
#define ENERTRACK_DRIFTTEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "enertrack/i18n.h"

/* True when a target shown in display_unit ("%") drifts in percentage
 * points; NULL is false. Its tolerance_pct is in points then too. */
bool et_drift_in_points(const char *display_unit);

/* The unit of drift_pct and tolerance_pct for programs (JSON): "pp" for a
 * target in %, else "%". Static. */
const char *et_drift_unit(const char *display_unit);

/* drift for a table, signed: "+1.2 %" (one decimal), or for a target in %
 * "-0.67 pp" / "-0.67 个百分点" (two decimals, as the bureau writes points);
 * ET_NO_VALUE when not finite. Writes at most len bytes, NUL-terminated;
 * returns snprintf's length. */
int et_drift_text(char *out, size_t len, et_lang_t lang, double drift, const char *display_unit);

#endif
