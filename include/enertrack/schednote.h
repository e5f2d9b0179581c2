/* SPDX-License-Identifier: MIT */
/* target_progress_at()'s notes for people, in their language: the schedule
 * note ("last year's profile (2023 covers 98.6 % of its days)"), the
 * sources of each month ("2024-01..2024-02 statistics:bureau, 2024-03
 * telemetry") and the late projects ("p2 (due 2024-04-01)"). The SQL writes
 * them in English; these put them in lang. Pure, any thread. */
#ifndef ENERTRACK_SCHEDNOTE_H
#define ENERTRACK_SCHEDNOTE_H

#include <stddef.h>

#include "enertrack/i18n.h"
#include "enertrack/text.h"

/* The schedule note in lang into out (len bytes); a note it does not know,
 * as it is. */
void et_sched_note(char *out, size_t len, et_lang_t lang, const char *note);

/* The month sources, runs of months with the same source joined
 * ("2024-01..2024-03 统计:bureau"), appended to o. */
void et_month_sources(et_text_t *o, et_lang_t lang, const char *list);

/* The late projects, "name (due DATE)" each, appended to o in lang. */
void et_late_projects(et_text_t *o, et_lang_t lang, const char *list);

#endif
