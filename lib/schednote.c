/* SPDX-License-Identifier: MIT */
/* The notes of target_progress_at() in a language (schednote.h): each of the
 * SQL's few English forms is recognised and said again from the catalogue,
 * so that enertrack status, the PDF report and any other output say it the
 * same way. */
#include "enertrack/schednote.h"

#include <stdio.h>
#include <string.h>

/* A metric named in a note, by its id: its words where the catalogue has
 * them ("metric.<id>"), else the id. */
static const char *metric_words(et_lang_t lang, const char *id, char *key, size_t keylen)
{
	snprintf(key, keylen, "metric.%s", id);
	const char *w = et_tr(lang, key);
	return w == key ? id : w;
}

void et_sched_note(char *out, size_t len, et_lang_t lang, const char *note)
{
	static const char short_by[] = "; the register is short by ";
	char a[64], b[64], c[64], key[80], inner[256];
	const char *s;
	if (!note)
		note = "";
	if ((s = strstr(note, short_by)) != NULL) {
		/* "<note>; the register is short by 60 MW" */
		char head[256], tail[160];
		snprintf(head, sizeof(head), "%.*s", (int)(s - note), note);
		et_sched_note(inner, sizeof(inner), lang, head);
		if (sscanf(s + strlen(short_by), "%63s %63s", a, b) == 2)
			et_msg_fill(tail, sizeof(tail), lang, ET_MSG_CLI_SCHED_REGISTER_SHORT, 2, a,
				    b);
		else
			snprintf(tail, sizeof(tail), "%s", s);
		snprintf(out, len, "%s%s", inner, tail);
	} else if (sscanf(note,
			  "the city's profile: %63[0-9] covers %63[0-9.] %% of its days in %63[^,]",
			  a, b, c) == 3) {
		et_msg_fill(out, len, lang, ET_MSG_CLI_SCHED_CITY_PROFILE, 3, a, b, c);
	} else if (sscanf(note, "weighted by approved capacity (%63[0-9] of %63[0-9] site%1[s])", a,
			  b, c) == 3) {
		et_msg_fill(out, len, lang, ET_MSG_CLI_SCHED_WEIGHTED, 2, a, b);
	} else if (strcmp(note, "unweighted: no site has an approved capacity") == 0) {
		snprintf(out, len, "%s", et_msg(lang, ET_MSG_CLI_SCHED_UNWEIGHTED));
	} else if (sscanf(note, "%63[0-9.Q-], %63[a-z_] %63[-0-9.] %1[%]", a, b, c, key) == 4) {
		/* "2024-01..2024-05, gdp_real_growth 5.2 %": the period and the growth used */
		char words[80];
		snprintf(words, sizeof(words), "%s", metric_words(lang, b, key, sizeof(key)));
		et_msg_fill(out, len, lang, ET_MSG_CLI_SCHED_RATIO_PERIOD, 3, a, words, c);
	} else if (sscanf(note, "no closed month of %63[0-9] yet", a) == 1) {
		et_msg_fill(out, len, lang, ET_MSG_CLI_SCHED_NO_CLOSED_MONTH, 1, a);
	} else if (sscanf(note, "no %63[a-z_] for %63[0-9.Q-] in both year%1[s]", a, b, c) == 3) {
		et_msg_fill(out, len, lang, ET_MSG_CLI_SCHED_NO_FOR_BOTH, 2,
			    metric_words(lang, a, key, sizeof(key)), b);
	} else if (sscanf(note, "no %63[a-z_] for %63[0-9.Q-]", a, b) == 2) {
		et_msg_fill(out, len, lang, ET_MSG_CLI_SCHED_NO_FOR, 2,
			    metric_words(lang, a, key, sizeof(key)), b);
	} else if (strncmp(note, "no milestones; ", 15) == 0) {
		et_sched_note(inner, sizeof(inner), lang, note + 15);
		et_msg_fill(out, len, lang, ET_MSG_CLI_SCHED_NO_MILESTONES, 1, inner);
	} else if (sscanf(note, "%31[0-9] milestones, %31[0-9] due", a, b) == 2) {
		et_msg_fill(out, len, lang, ET_MSG_CLI_SCHED_MILESTONES, 2, a, b);
	} else if (sscanf(note, "last year's profile (%31[0-9] covers %31[0-9.] %%", a, b) == 2) {
		et_msg_fill(out, len, lang, ET_MSG_CLI_SCHED_LAST_YEAR, 2, a, b);
	} else if (sscanf(note, "linear: %31[0-9] covers %31[0-9.] %%", a, b) == 2) {
		et_msg_fill(out, len, lang, ET_MSG_CLI_SCHED_LINEAR_SHORT, 2, a, b);
	} else if (strcmp(note, "monthly weights") == 0) {
		snprintf(out, len, "%s", et_msg(lang, ET_MSG_CLI_SCHED_WEIGHTS));
	} else if (strcmp(note, "linear, as the target asks") == 0) {
		snprintf(out, len, "%s", et_msg(lang, ET_MSG_CLI_SCHED_LINEAR_ASKED));
	} else if (strcmp(note, "linear") == 0) {
		snprintf(out, len, "%s", et_msg(lang, ET_MSG_CLI_SCHED_LINEAR));
	} else {
		snprintf(out, len, "%s", note); /* a note this version does not know yet */
	}
}

static void put_source(et_text_t *o, et_lang_t lang, const char *src)
{
	if (strcmp(src, "telemetry") == 0)
		et_text_put(o, et_msg(lang, ET_MSG_CLI_SRC_TELEMETRY));
	else if (strncmp(src, "statistics", 10) == 0) {
		et_text_put(o, et_msg(lang, ET_MSG_CLI_SRC_STATISTICS));
		et_text_put(o, src + 10);
	} else
		et_text_put(o, src);
}

void et_month_sources(et_text_t *o, et_lang_t lang, const char *list)
{
	char buf[4096], first[16] = "", last[16] = "", src[128] = "";
	snprintf(buf, sizeof(buf), "%s", list ? list : "");
	const char *sep = "";
	for (char *save = NULL, *t = strtok_r(buf, ",", &save);; t = strtok_r(NULL, ",", &save)) {
		char mon[16] = "", what[128] = "";
		if (t && sscanf(t, " %15s %127s", mon, what) != 2)
			continue;
		if (src[0] && (!t || strcmp(what, src) != 0)) {
			if (strcmp(first, last) == 0)
				et_text_printf(o, "%s%s ", sep, first);
			else
				et_text_printf(o, "%s%s..%s ", sep, first, last);
			put_source(o, lang, src);
			sep = lang == ET_LANG_EN ? ", " : "，";
			src[0] = '\0';
		}
		if (!t)
			break;
		if (!src[0]) {
			snprintf(first, sizeof(first), "%s", mon);
			snprintf(src, sizeof(src), "%s", what);
		}
		snprintf(last, sizeof(last), "%s", mon);
	}
}

void et_late_projects(et_text_t *o, et_lang_t lang, const char *list)
{
	char buf[2048], name[512], due[32], one[600];
	snprintf(buf, sizeof(buf), "%s", list ? list : "");
	const char *sep = "";
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		t += strspn(t, " ");
		char *d = strstr(t, " (due ");
		if (!d || sscanf(d, " (due %31[0-9-])", due) != 1) {
			et_text_printf(o, "%s%s", sep, t);
		} else {
			snprintf(name, sizeof(name), "%.*s", (int)(d - t), t);
			et_msg_fill(one, sizeof(one), lang, ET_MSG_CLI_DUE, 2, name, due);
			et_text_printf(o, "%s%s", sep, one);
		}
		sep = lang == ET_LANG_EN ? ", " : "，";
	}
}
