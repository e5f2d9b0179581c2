/* SPDX-License-Identifier: MIT */
/* The milestone and reconciliation mails' words (see truthmail.h): every
 * line is a message of the catalogue (truth. group) with placeholders, so
 * that each language puts the figures where its grammar wants them; the
 * figures come from the one number formatter (a missing one is n/a). */
#include "enertrack/truthmail.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "enertrack/numfmt.h"
#include "enertrack/utf8.h"

/* A part being written: the first cut sticks. */
struct part {
	char *p;
	size_t len, n;
	bool cut;
};

static void add(struct part *w, const char *s)
{
	int k = snprintf(w->p + w->n, w->len - w->n, "%s", s);
	if (k < 0 || (size_t)k >= w->len - w->n) {
		/* never half a character: PostgreSQL refuses the row */
		w->n = et_utf8_cut(w->p, w->len - 1);
		w->cut = true;
	} else {
		w->n += (size_t)k;
	}
}

/* A filled message as a line (LF), after `blank` empty lines. */
static void line(struct part *w, const char *text, int blank)
{
	while (blank-- > 0)
		add(w, "\n");
	add(w, text);
	add(w, "\n");
}

static bool fit(int n, size_t len)
{
	return n >= 0 && (size_t)n < len;
}

static double div_or_1(double div)
{
	return div > 0 ? div : 1;
}

/* The unit a mail writes its figures in: in zh-CN the bureau's (2.5 万千瓦,
 * not 25.0 MW), as the drift mails and the charts do; *div becomes what a
 * value in canonical units is divided by to read in it. */
static const char *mail_unit(et_lang_t lang, const char *display_unit, double display_div,
			     double *div)
{
	double k = 1;
	const char *u = et_unit_local(display_unit ? display_unit : "", lang == ET_LANG_ZH_CN, &k);
	*div = div_or_1(display_div) / (k > 0 ? k : 1);
	return u;
}

static const char *s_(const char *s)
{
	return s ? s : "";
}

/* v / div with one or two decimals, not grouped (as the mails always were). */
static const char *fixed(char *buf, size_t len, double v, int decimals)
{
	et_num_fixed(buf, len, v, decimals, false);
	return buf;
}

int et_truthmail_milestone(et_lang_t lang, const et_milestone_mail_t *m, et_truth_text_t *ret)
{
	double div;
	const char *unit = mail_unit(lang, m->display_unit, m->display_div, &div);
	const char *scope = s_(m->scope);
	char value[48], done[48], planned[48], grace[16], where[160], l[512];
	fixed(value, sizeof(value), m->value / div, 1);
	fixed(done, sizeof(done), m->commissioned / div, 1);
	fixed(planned, sizeof(planned), m->planned_to_here / div, 1);
	snprintf(grace, sizeof(grace), "%d", m->grace_days);
	/* the city is not named after the year; a county or a site is */
	snprintf(where, sizeof(where), "%s%s", strcmp(scope, "city") ? " " : "",
		 strcmp(scope, "city") ? scope : "");
	/* a retrofit is done (完成), a project commissioned (投运) */
	bool ok = fit(
		et_msg_fill(ret->subject, sizeof(ret->subject), lang,
			    m->retrofit_kind ? ET_MSG_TRUTH_MS_SUBJECT_RF : ET_MSG_TRUTH_MS_SUBJECT,
			    8, m->label, m->year, m->name, m->days_late, m->due, value, unit,
			    s_(m->retrofit_kind)),
		sizeof(ret->subject));
	struct part b = {ret->body, sizeof(ret->body), 0, false};
	ret->body[0] = '\0';
	et_msg_fill(l, sizeof(l), lang, ET_MSG_TRUTH_MS_HEAD, 3, m->label, m->year, where);
	line(&b, l, 0);
	et_msg_fill(l, sizeof(l), lang, ET_MSG_TRUTH_MS_PROJECT, 1, m->name);
	line(&b, l, 1);
	et_msg_fill(l, sizeof(l), lang, ET_MSG_TRUTH_MS_SITE, 1, m->site_id);
	line(&b, l, 0);
	et_msg_fill(l, sizeof(l), lang, ET_MSG_TRUTH_MS_DUE, 3, m->due, m->days_late, grace);
	line(&b, l, 0);
	et_msg_fill(l, sizeof(l), lang, ET_MSG_TRUTH_MS_SIZE, 2, value, unit);
	line(&b, l, 0);
	et_msg_fill(l, sizeof(l), lang, ET_MSG_TRUTH_MS_DONE, 4, done, unit, planned, unit);
	line(&b, l, 0);
	line(&b, et_msg(lang, ET_MSG_TRUTH_MS_ONCE), 1);
	ok &= !b.cut;
	/* the log line is for operators' logs: always English */
	ok &= fit(snprintf(ret->detail, sizeof(ret->detail), "%s due %s (%s %s) is %s days overdue",
			   s_(m->name), s_(m->due), value, unit, s_(m->days_late)),
		  sizeof(ret->detail));
	et_utf8_cut(ret->detail, sizeof(ret->detail));
	return ok ? 0 : -ENOSPC;
}

int et_truthmail_reconcile(et_lang_t lang, const et_reconcile_mail_t *m, et_truth_text_t *ret)
{
	double div, gap = m->gap_pct;
	const char *unit = mail_unit(lang, m->display_unit, m->display_div, &div);
	const char *scope = s_(m->scope);
	const char *county = strncmp(scope, "county:", 7) == 0 ? scope + 7 : scope;
	char size[48], tel[48], off[48], gap_s[48], limit[48], l[512];
	fixed(size, sizeof(size), fabs(gap), 1);
	fixed(tel, sizeof(tel), m->telemetry / div, 2);
	fixed(off, sizeof(off), m->official / div, 2);
	et_num_pct(gap_s, sizeof(gap_s), gap, true);
	et_num_pct(limit, sizeof(limit), m->reconcile_pct, false);
	bool ok = fit(
		et_msg_fill(ret->subject, sizeof(ret->subject), lang,
			    gap < 0 ? ET_MSG_TRUTH_RC_SUBJECT_BELOW : ET_MSG_TRUTH_RC_SUBJECT_ABOVE,
			    4, county, m->label, size, m->period),
		sizeof(ret->subject));
	struct part b = {ret->body, sizeof(ret->body), 0, false};
	ret->body[0] = '\0';
	et_msg_fill(l, sizeof(l), lang, ET_MSG_TRUTH_RC_HEAD, 1, county);
	line(&b, l, 0);
	et_msg_fill(l, sizeof(l), lang, ET_MSG_TRUTH_RC_METRIC, 1, m->label);
	line(&b, l, 1);
	et_msg_fill(l, sizeof(l), lang, ET_MSG_TRUTH_RC_MONTH, 1, m->period);
	line(&b, l, 0);
	et_msg_fill(l, sizeof(l), lang, ET_MSG_TRUTH_RC_TELEMETRY, 2, tel, unit);
	line(&b, l, 0);
	et_msg_fill(l, sizeof(l), lang, ET_MSG_TRUTH_RC_STATISTICS, 3, off, unit, m->source);
	line(&b, l, 0);
	et_msg_fill(l, sizeof(l), lang, ET_MSG_TRUTH_RC_GAP, 2, gap_s, limit);
	line(&b, l, 0);
	line(&b, et_msg(lang, ET_MSG_TRUTH_RC_WHAT), 1);
	ok &= !b.cut;
	ok &= fit(snprintf(ret->detail, sizeof(ret->detail), "%s %s %s: telemetry %s against %s",
			   county, s_(m->metric), s_(m->period), gap_s, s_(m->source)),
		  sizeof(ret->detail));
	et_utf8_cut(ret->detail, sizeof(ret->detail));
	return ok ? 0 : -ENOSPC;
}

/* " county:X" after the year, nothing for the city */
static void where_of(const char *scope, char *out, size_t len)
{
	snprintf(out, len, "%s%s", strcmp(scope, "city") ? " " : "",
		 strcmp(scope, "city") ? scope : "");
}

int et_truthmail_register(et_lang_t lang, const et_register_mail_t *m, et_truth_text_t *ret)
{
	double div;
	const char *unit = mail_unit(lang, m->display_unit, m->display_div, &div);
	char tgt[48], planned[48], shortby[48], where[160], l[512];
	fixed(tgt, sizeof(tgt), m->target / div, 1);
	fixed(planned, sizeof(planned), m->planned / div, 1);
	fixed(shortby, sizeof(shortby), (m->target - m->planned) / div, 1);
	where_of(s_(m->scope), where, sizeof(where));
	bool ok = fit(et_msg_fill(ret->subject, sizeof(ret->subject), lang, ET_MSG_TRUTH_RG_SUBJECT,
				  6, m->label, m->year, where, planned, unit, shortby),
		      sizeof(ret->subject));
	struct part b = {ret->body, sizeof(ret->body), 0, false};
	ret->body[0] = '\0';
	et_msg_fill(l, sizeof(l), lang, ET_MSG_TRUTH_RG_HEAD, 3, m->label, m->year, where);
	line(&b, l, 0);
	et_msg_fill(l, sizeof(l), lang, ET_MSG_TRUTH_RG_TARGET, 2, tgt, unit);
	line(&b, l, 1);
	et_msg_fill(l, sizeof(l), lang, ET_MSG_TRUTH_RG_PLANNED, 2, planned, unit);
	line(&b, l, 0);
	et_msg_fill(l, sizeof(l), lang, ET_MSG_TRUTH_RG_SHORT, 2, shortby, unit);
	line(&b, l, 0);
	line(&b, et_msg(lang, ET_MSG_TRUTH_RG_WHAT), 1);
	ok &= !b.cut;
	ok &= fit(snprintf(ret->detail, sizeof(ret->detail),
			   "%s %s%s: the register plans %s %s, %s %s short of %s %s", s_(m->label),
			   s_(m->year), where, planned, unit, shortby, unit, tgt, unit),
		  sizeof(ret->detail));
	return ok ? 0 : -ENOSPC;
}

int et_truthmail_nodata(et_lang_t lang, const et_nodata_mail_t *m, et_truth_text_t *ret)
{
	char days[16], where[160], l[512];
	snprintf(days, sizeof(days), "%d", m->days);
	where_of(s_(m->scope), where, sizeof(where));
	bool ok = fit(et_msg_fill(ret->subject, sizeof(ret->subject), lang, ET_MSG_TRUTH_ND_SUBJECT,
				  4, m->label, m->year, where, days),
		      sizeof(ret->subject));
	struct part b = {ret->body, sizeof(ret->body), 0, false};
	ret->body[0] = '\0';
	et_msg_fill(l, sizeof(l), lang, ET_MSG_TRUTH_ND_HEAD, 4, m->label, m->year, where,
		    s_(m->missing));
	line(&b, l, 0);
	line(&b, et_msg(lang, ET_MSG_TRUTH_ND_WHAT), 1);
	ok &= !b.cut;
	ok &= fit(snprintf(ret->detail, sizeof(ret->detail), "%s %s%s: %s", s_(m->label),
			   s_(m->year), where, s_(m->missing)),
		  sizeof(ret->detail));
	return ok ? 0 : -ENOSPC;
}

int et_truthmail_countysum(et_lang_t lang, const et_countysum_mail_t *m, et_truth_text_t *ret)
{
	double div;
	const char *unit = mail_unit(lang, m->display_unit, m->display_div, &div);
	char sum[48], city[48], gap[48], n[16], l[512];
	/* a county's figure may be small in the city's unit: prose keeps 3 digits */
	et_num(sum, sizeof(sum), m->counties_sum / div, ET_NUM_PROSE);
	et_num(city, sizeof(city), m->city / div, ET_NUM_PROSE);
	et_num_pct(gap, sizeof(gap), m->gap_pct, true);
	snprintf(n, sizeof(n), "%d", m->counties);
	bool ok = fit(et_msg_fill(ret->subject, sizeof(ret->subject), lang, ET_MSG_TRUTH_CS_SUBJECT,
				  6, m->label, m->period, sum, unit, city, gap),
		      sizeof(ret->subject));
	struct part b = {ret->body, sizeof(ret->body), 0, false};
	ret->body[0] = '\0';
	line(&b, et_msg(lang, ET_MSG_TRUTH_CS_HEAD), 0);
	et_msg_fill(l, sizeof(l), lang, ET_MSG_TRUTH_RC_METRIC, 1, m->label);
	line(&b, l, 1);
	et_msg_fill(l, sizeof(l), lang, ET_MSG_TRUTH_RC_MONTH, 1, m->period);
	line(&b, l, 0);
	et_msg_fill(l, sizeof(l), lang, ET_MSG_TRUTH_CS_COUNTIES, 3, sum, unit, n);
	line(&b, l, 0);
	et_msg_fill(l, sizeof(l), lang, ET_MSG_TRUTH_CS_CITY, 3, city, unit, m->source);
	line(&b, l, 0);
	line(&b, et_msg(lang, ET_MSG_TRUTH_CS_WHAT), 1);
	ok &= !b.cut;
	ok &= fit(snprintf(ret->detail, sizeof(ret->detail),
			   "%s %s: the counties add up to %s %s, the city %s %s (%s)", s_(m->label),
			   s_(m->period), sum, unit, city, unit, s_(m->source)),
		  sizeof(ret->detail));
	return ok ? 0 : -ENOSPC;
}
