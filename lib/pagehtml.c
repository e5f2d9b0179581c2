/* SPDX-License-Identifier: MIT */
/* The HTML of the status page's index (include/enertrack/pagehtml.h): a
 * head, the targets' table, the plans over several years, the targets'
 * charts, the stale sites, the firing
 * alerts and the silences, one function each. The page works on a phone:
 * under 600 px each table row reflows into a small grid of labelled cells
 * (every column stays, none is hidden) and the charts come in a phone's
 * width. */
#include "enertrack/drifttext.h"
#include "enertrack/pagehtml.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "enertrack/numfmt.h"

static const char css[] =
	"body{margin:0;padding:8px;font-family:'Noto Sans CJK SC','PingFang SC','Microsoft "
	"YaHei',Helvetica,Arial,sans-serif;font-size:15px;line-height:1.4;color:#222;"
	"background:#fff}"
	"main{max-width:1000px;margin:0 auto}"
	"h1{font-size:20px;margin:4px 0}h2{font-size:17px;margin:18px 0 6px;"
	"border-bottom:2px solid #ccc}h3{font-size:15px;margin:12px 0 4px}"
	".meta{color:#666;font-size:13px;margin:0 0 8px}"
	"table{width:100%;border-collapse:collapse;table-layout:fixed}"
	"th,td{padding:4px 6px;border-bottom:1px solid #e5e5e5;text-align:left;"
	"vertical-align:top;overflow-wrap:anywhere;word-break:break-word}"
	"th{color:#666;font-weight:normal;font-size:13px}"
	"td.n,th.n{text-align:right}"
	".st-behind,.st-over{color:#b00020;font-weight:bold}"
	".st-on_track,.st-ahead{color:#1b7f3b}"
	".charts{display:flex;flex-wrap:wrap;gap:8px}"
	".charts picture{flex:1 1 380px;max-width:640px;min-width:0}"
	".charts img{display:block;box-sizing:border-box;width:100%;height:auto;"
	"border:1px solid #eee}"
	".years a,.years b{margin:0 4px}.note{background:#fff6d5;padding:4px 8px}"
	".nochart{color:#666;font-style:italic}"
	"@media (max-width:600px){body{font-size:14px}"
	"table,tbody,tr,td{display:block}thead{display:none}"
	"tr{display:grid;grid-template-columns:1fr 1fr;gap:2px 10px;padding:6px 0;"
	"border-bottom:1px solid #ddd}"
	"td{border:0;padding:1px 0}td.n{text-align:left}td:first-child{grid-column:1/-1}"
	"td[data-label]::before{content:attr(data-label);display:block;color:#666;"
	"font-size:12px}}";

/* put and html, short: the page is all appends */
#define PUT(s)	et_text_put(o, s)
#define HTML(s) et_text_html(o, s)
#define MSG(id) HTML(et_msg(lang, ET_MSG_##id))

/* A cell that says on a phone, where the table's head is not shown, what
 * it holds: <td class="cls" data-label="...">. */
static void td(et_text_t *o, et_lang_t lang, et_msg_t col, const char *cls)
{
	et_text_printf(o, "<td%s%s%s data-label=\"", cls ? " class=\"" : "", cls ? cls : "",
		       cls ? "\"" : "");
	et_text_html(o, et_msg(lang, col));
	et_text_put(o, "\">");
}

/* A heading or paragraph of the catalogue's words: <tag>text</tag> and a
 * line's end. */
static void msg_elem(et_text_t *o, et_lang_t lang, const char *tag, et_msg_t id)
{
	et_text_printf(o, "<%s>", tag);
	et_text_html(o, et_msg(lang, id));
	et_text_printf(o, "</%s>\n", tag);
}

/* A plain cell: the column's label for phones, text escaped, closed. */
static void td_text(et_text_t *o, et_lang_t lang, et_msg_t col, const char *text)
{
	td(o, lang, col, NULL);
	et_text_html(o, text);
	et_text_put(o, "</td>");
}

void et_page_url_encode(et_text_t *o, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *c = (const unsigned char *)(s ? s : ""); *c; c++) {
		if ((*c >= '0' && *c <= '9') || (*c >= 'A' && *c <= 'Z') ||
		    (*c >= 'a' && *c <= 'z') || *c == '-' || *c == '.' || *c == '_' || *c == '~') {
			char one[2] = {(char)*c, 0};
			et_text_put(o, one);
		} else {
			char three[4] = {'%', hex[*c >> 4], hex[*c & 15], 0};
			et_text_put(o, three);
		}
	}
}

/* n bytes of s, %-decoded, into out. */
static void url_decode(const char *s, size_t n, char *out, size_t outlen)
{
	size_t k = 0;
	for (size_t i = 0; i < n && k + 1 < outlen; i++) {
		unsigned v;
		if (s[i] == '%' && i + 2 < n && sscanf(s + i + 1, "%2x", &v) == 1) {
			out[k++] = (char)v;
			i += 2;
		} else {
			out[k++] = s[i];
		}
	}
	out[k] = '\0';
}

void et_page_parse_query(const char *full, char *path, size_t pathlen, et_page_query_t *q)
{
	const char *qs = strchr(full, '?');
	size_t n = qs ? (size_t)(qs - full) : strlen(full);
	snprintf(path, pathlen, "%.*s", (int)n, full);
	q->year[0] = q->at[0] = '\0';
	for (const char *a = qs ? qs + 1 : NULL; a && *a;) {
		const char *amp = strchr(a, '&'), *end = amp ? amp : a + strlen(a);
		const char *eq = memchr(a, '=', (size_t)(end - a));
		if (eq && eq - a == 4 && strncmp(a, "year", 4) == 0)
			url_decode(eq + 1, (size_t)(end - eq - 1), q->year, sizeof(q->year));
		else if (eq && eq - a == 2 && strncmp(a, "at", 2) == 0)
			url_decode(eq + 1, (size_t)(end - eq - 1), q->at, sizeof(q->at));
		a = amp ? amp + 1 : NULL;
	}
}

/* The years that have targets, each a link but the one shown; and why this
 * year when it is not the one asked for. */
static void index_years(et_text_t *o, const et_page_index_t *pg)
{
	et_lang_t lang = pg->lang;
	char a[300], y1[16], y2[16];
	if (pg->nyears) {
		PUT("<p class=\"years\">");
		MSG(PAGE_YEARS);
		for (size_t i = 0; i < pg->nyears; i++)
			if (pg->years[i] == pg->year)
				et_text_printf(o, " <b>%d</b>", pg->years[i]);
			else
				et_text_printf(o, " <a href=\"/?year=%d\">%d</a>", pg->years[i],
					       pg->years[i]);
		PUT("</p>\n");
	}
	if (pg->asked_year != pg->year) {
		snprintf(y1, sizeof(y1), "%d", pg->asked_year);
		snprintf(y2, sizeof(y2), "%d", pg->year);
		et_msg_fill(a, sizeof(a), lang, ET_MSG_PAGE_LATEST_YEAR, 2, y1, y2);
		PUT("<p class=\"note\">");
		HTML(a);
		PUT("</p>\n");
	}
	if (pg->past && pg->generated) {
		et_msg_fill(a, sizeof(a), lang, ET_MSG_PAGE_PAST_YEAR, 1, pg->generated);
		PUT("<p class=\"note\">");
		HTML(a);
		PUT("</p>\n");
	}
}

static void index_head(et_text_t *o, const et_page_index_t *pg)
{
	et_lang_t lang = pg->lang;
	et_text_printf(o,
		       "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
		       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
		       "<meta http-equiv=\"refresh\" content=\"%d\"><title>",
		       et_lang_tag(lang), ET_PAGE_REFRESH_S);
	MSG(PAGE_TITLE);
	PUT("</title><style>");
	PUT(css);
	PUT("</style></head>\n<body><main>\n<h1>");
	MSG(PAGE_TITLE);
	PUT("</h1>\n<p class=\"meta\" id=\"as-of\">");
	MSG(PAGE_AS_OF);
	PUT(" ");
	HTML(pg->generated ? pg->generated : ET_NO_VALUE);
	PUT(lang == ET_LANG_ZH_CN ? "（" : " (");
	/* the zone as the reader names it: 北京时间, not Asia/Shanghai */
	HTML(lang == ET_LANG_ZH_CN && pg->tz && strcmp(pg->tz, "Asia/Shanghai") == 0
		     ? et_msg(lang, ET_MSG_TZ_ASIA_SHANGHAI)
		     : pg->tz);
	PUT(lang == ET_LANG_ZH_CN ? "）· " : ") · ");
	MSG(PAGE_REFRESH);
	PUT("</p>\n");
	index_years(o, pg);
}

/* One target's row: label, year, scope and unit; the figures; the status. */
static void index_target_row(et_text_t *o, et_lang_t lang, const et_page_target_t *t)
{
	char a[128];
	PUT("<tr>");
	td(o, lang, ET_MSG_WORD_METRIC, NULL);
	HTML(t->label);
	et_text_printf(o, " %s<br><small>", t->year);
	et_scope_text(lang, t->scope, a, sizeof(a));
	HTML(a);
	PUT(" · ");
	HTML(t->unit);
	PUT("</small>");
	PUT("</td>");
	const struct {
		double v;
		et_msg_t col;
	} figs[] = {{t->target, ET_MSG_WORD_TARGET},
		    {t->expected, ET_MSG_WORD_EXPECTED},
		    {t->actual, ET_MSG_WORD_ACTUAL},
		    {NAN, ET_MSG_WORD_DRIFT},
		    {t->projected, ET_MSG_WORD_PROJECTED}};
	for (size_t k = 0; k < sizeof(figs) / sizeof(figs[0]); k++) {
		if (figs[k].col == ET_MSG_WORD_DRIFT)
			et_drift_text(a, sizeof(a), lang, t->drift_pct, t->unit);
		else /* one convention per unit, so that a column's figures line up */
			et_num_fixed(a, sizeof(a), figs[k].v, et_unit_decimals(t->unit), true);
		td(o, lang, figs[k].col, "n");
		et_text_printf(o, "%s</td>", a);
	}
	char cls[80];
	snprintf(cls, sizeof(cls), "st-%.60s", t->status);
	td(o, lang, ET_MSG_WORD_STATUS, cls);
	HTML(et_status_text(lang, t->status));
	PUT("</td></tr>\n");
}

static void index_targets(et_text_t *o, const et_page_index_t *pg)
{
	et_lang_t lang = pg->lang;
	PUT("<h2>");
	MSG(PAGE_TARGETS);
	PUT("</h2>\n<table id=\"targets\"><thead><tr>");
	static const struct {
		et_msg_t id;
		bool wide, num;
	} cols[] = {
		{ET_MSG_WORD_METRIC, false, false},  {ET_MSG_WORD_TARGET, true, true},
		{ET_MSG_WORD_EXPECTED, false, true}, {ET_MSG_WORD_ACTUAL, false, true},
		{ET_MSG_WORD_DRIFT, false, true},    {ET_MSG_WORD_PROJECTED, true, true},
		{ET_MSG_WORD_STATUS, false, false},
	};
	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
		et_text_printf(o, "<th class=\"%s%s\">", cols[i].wide ? "wide" : "",
			       cols[i].num ? " n" : "");
		HTML(et_msg(lang, cols[i].id));
		PUT("</th>");
	}
	PUT("</tr></thead><tbody>\n");
	for (size_t i = 0; i < pg->ntargets; i++)
		index_target_row(o, lang, &pg->targets[i]);
	if (pg->ntargets == 0)
		et_text_printf(o, "<tr><td colspan=\"7\">%s</td></tr>\n", ET_NO_VALUE);
	PUT("</tbody></table>\n");
}

/* What a plan's first cell says under its name: the bureau's sentence in
 * zh-CN (as the plan writes it), the catalogue's in English; or why there
 * is no figure. */
static void plan_sentence(char *a, size_t alen, et_lang_t lang, const et_page_plan_t *pl)
{
	char act[32];
	if (strcmp(pl->status, "too_early") == 0) {
		snprintf(a, alen, "%s", et_msg(lang, ET_MSG_PAGE_PLAN_NONE));
	} else if (pl->missing && pl->missing[0]) {
		et_msg_fill(a, alen, lang, ET_MSG_PAGE_PLAN_MISSING, 1, pl->missing);
	} else if (lang == ET_LANG_ZH_CN && pl->sentence && pl->sentence[0]) {
		snprintf(a, alen, "%s", pl->sentence);
	} else {
		/* one decimal, as the plan's own sentence: "累计下降12.4%" */
		et_num_fixed(act, sizeof(act), pl->actual, 1, false);
		et_msg_fill(a, alen, lang, ET_MSG_PAGE_PLAN_SENTENCE, 3, pl->upto, act,
			    et_plan_status_text(lang, pl->status));
	}
}

/* One plan's row: name, years and scope, its sentence; the target, the
 * cumulative 序时进度 and decline in %, the drift in points; the status. */
static void index_plan_row(et_text_t *o, et_lang_t lang, const et_page_plan_t *pl)
{
	char a[400], what[200], scope[128];
	et_scope_text(lang, pl->scope, scope, sizeof(scope));
	snprintf(what, sizeof(what), "%s %s–%s", pl->label, pl->first_year, pl->year);
	PUT("<tr>");
	td(o, lang, ET_MSG_WORD_METRIC, NULL);
	HTML(what);
	PUT("<br><small>");
	HTML(scope);
	PUT(" · ");
	plan_sentence(a, sizeof(a), lang, pl);
	HTML(a);
	PUT("</small></td>");
	const struct {
		double v;
		et_msg_t col;
		int decimals;
	} figs[] = {{pl->target, ET_MSG_WORD_TARGET, 1},
		    {pl->expected, ET_MSG_PAGE_PLAN_SCHEDULE, 2},
		    {pl->actual, ET_MSG_PAGE_PLAN_CUMULATIVE, 2}};
	for (size_t k = 0; k < sizeof(figs) / sizeof(figs[0]); k++) {
		et_num_fixed(a, sizeof(a), figs[k].v, figs[k].decimals, false);
		td(o, lang, figs[k].col, "n");
		et_text_printf(o, "%s%s</td>", a, isnan(figs[k].v) ? "" : " %");
	}
	et_drift_text(a, sizeof(a), lang, pl->drift_pct, "%");
	td(o, lang, ET_MSG_WORD_DRIFT, "n");
	et_text_printf(o, "%s</td>", a);
	char cls[80];
	snprintf(cls, sizeof(cls), "st-%.60s", pl->status);
	td(o, lang, ET_MSG_WORD_STATUS, cls);
	HTML(et_plan_status_text(lang, pl->status));
	PUT("</td></tr>\n");
}

/* The plans over several years, after the year's targets, when there are
 * any: one row each, reflowing on a phone as the targets' rows do. */
static void index_plans(et_text_t *o, const et_page_index_t *pg)
{
	et_lang_t lang = pg->lang;
	char a[200];
	if (pg->nplans == 0)
		return;
	et_msg_fill(a, sizeof(a), lang, ET_MSG_PAGE_PLANS, 1,
		    pg->plans_closed ? pg->plans_closed : ET_NO_VALUE);
	PUT("<h2>");
	HTML(a);
	PUT("</h2>\n<table id=\"plans\"><thead><tr>");
	static const et_msg_t cols[] = {ET_MSG_WORD_METRIC,	   ET_MSG_WORD_TARGET,
					ET_MSG_PAGE_PLAN_SCHEDULE, ET_MSG_PAGE_PLAN_CUMULATIVE,
					ET_MSG_WORD_DRIFT,	   ET_MSG_WORD_STATUS};
	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
		PUT(i > 0 && i < 5 ? "<th class=\"n\">" : "<th>");
		HTML(et_msg(lang, cols[i]));
		PUT("</th>");
	}
	PUT("</tr></thead><tbody>\n");
	for (size_t i = 0; i < pg->nplans; i++)
		index_plan_row(o, lang, &pg->plans[i]);
	PUT("</tbody></table>\n");
}

/* The charts of each target, a phone-sized picture on a phone. */
static void index_charts(et_text_t *o, const et_page_index_t *pg)
{
	et_lang_t lang = pg->lang;
	char a[128];
	for (size_t i = 0; i < pg->ntargets; i++) {
		const et_page_target_t *t = &pg->targets[i];
		et_scope_text(lang, t->scope, a, sizeof(a));
		et_text_printf(o, "<section class=\"target\" id=\"target-%s\"><h3>", t->id);
		HTML(t->label);
		et_text_printf(o, " %s · ", t->year);
		HTML(a);
		PUT("</h3>");
		if (t->sites_reporting <= 0) {
			/* an empty chart box says nothing; a sentence says why */
			PUT("<p class=\"nochart\">");
			MSG(PAGE_NO_SITES);
			PUT("</p></section>\n");
			continue;
		}
		PUT("<div class=\"charts\">");
		const char *q = pg->chart_query ? pg->chart_query : "";
		static const char *const kinds[2] = {"chart", "gap"};
		for (int k = 0; k < 2; k++) {
			et_text_printf(o,
				       "<picture><source media=\"(max-width: 600px)\" "
				       "srcset=\"/%s/%s-%d.png",
				       kinds[k], t->id, ET_PAGE_W_PHONE);
			HTML(q);
			et_text_printf(o, "\"><img class=\"chart\" src=\"/%s/%s.png", kinds[k],
				       t->id);
			HTML(q);
			et_text_printf(o, "\" width=\"%d\" alt=\"", ET_PAGE_W_WIDE);
			HTML(et_msg(lang, k ? ET_MSG_CHART_GAP_TITLE : ET_MSG_MAIL_CHART_ALT));
			PUT("\"></picture>");
		}
		PUT("</div></section>\n");
	}
}

/* A table head: <table id=...><thead><tr> and the columns' names. */
static void table_head(et_text_t *o, et_lang_t lang, const char *id, const et_msg_t *cols, int n,
		       int wide_from)
{
	et_text_printf(o, "<table id=\"%s\"><thead><tr>", id);
	for (int i = 0; i < n; i++) {
		PUT(i >= wide_from ? "<th class=\"wide\">" : "<th>");
		HTML(et_msg(lang, cols[i]));
		PUT("</th>");
	}
	PUT("</tr></thead><tbody>\n");
}

static void index_stale(et_text_t *o, const et_page_index_t *pg)
{
	et_lang_t lang = pg->lang;
	msg_elem(o, lang, "h2", ET_MSG_PAGE_STALE);
	if (pg->nstale == 0) {
		msg_elem(o, lang, "p", ET_MSG_PAGE_NO_STALE);
		return;
	}
	static const et_msg_t cols[] = {ET_MSG_WORD_SITE, ET_MSG_WORD_COUNTY,
					ET_MSG_WORD_LAST_READING, ET_MSG_WORD_METRIC};
	table_head(o, lang, "stale", cols, 4, 3);
	for (size_t i = 0; i < pg->nstale; i++) {
		const et_page_stale_t *s = &pg->stale[i];
		PUT("<tr>");
		td_text(o, lang, ET_MSG_WORD_SITE, s->site_id);
		td_text(o, lang, ET_MSG_WORD_COUNTY, s->county);
		td_text(o, lang, ET_MSG_WORD_LAST_READING, s->last_reading);
		td_text(o, lang, ET_MSG_WORD_METRIC, s->metric_label);
		PUT("</tr>\n");
	}
	PUT("</tbody></table>\n");
}

static void index_firing(et_text_t *o, const et_page_index_t *pg)
{
	et_lang_t lang = pg->lang;
	char a[128];
	msg_elem(o, lang, "h2", ET_MSG_PAGE_ALERTS);
	if (pg->nfiring == 0) {
		msg_elem(o, lang, "p", ET_MSG_PAGE_NO_ALERTS);
		return;
	}
	static const et_msg_t cols[] = {ET_MSG_WORD_TARGET, ET_MSG_WORD_SCOPE, ET_MSG_WORD_SINCE};
	table_head(o, lang, "firing", cols, 3, 3);
	for (size_t i = 0; i < pg->nfiring; i++) {
		const et_page_firing_t *f = &pg->firing[i];
		static const et_msg_t kinds[] = {ET_MSG_PAGE_KIND_DRIFT, ET_MSG_PAGE_KIND_MILESTONE,
						 ET_MSG_PAGE_KIND_RECONCILE};
		PUT("<tr>");
		td(o, lang, ET_MSG_WORD_TARGET, NULL);
		if (f->target_id[0])
			et_text_printf(o, "<a href=\"#target-%s\">", f->target_id);
		HTML(f->label);
		et_text_printf(o, " %s%s", f->year, f->target_id[0] ? "</a>" : "");
		PUT(" · <b>");
		HTML(et_msg(lang, kinds[f->kind]));
		PUT("</b>");
		if (f->detail && f->detail[0]) {
			PUT("<br><small>");
			HTML(f->detail);
			PUT("</small>");
		}
		PUT("</td>");
		et_scope_text(lang, f->scope, a, sizeof(a));
		td_text(o, lang, ET_MSG_WORD_SCOPE, a);
		td_text(o, lang, ET_MSG_WORD_SINCE, f->since);
		PUT("</tr>\n");
	}
	PUT("</tbody></table>\n");
}

/* Silences, when there are any: who, until when, why. */
static void index_silences(et_text_t *o, const et_page_index_t *pg)
{
	et_lang_t lang = pg->lang;
	char a[128];
	if (pg->nsilences == 0)
		return;
	msg_elem(o, lang, "h2", ET_MSG_PAGE_SILENCES);
	static const et_msg_t cols[] = {ET_MSG_WORD_TARGET, ET_MSG_PAGE_UNTIL, ET_MSG_PAGE_REASON};
	table_head(o, lang, "silences", cols, 3, 2);
	for (size_t i = 0; i < pg->nsilences; i++) {
		const et_page_silence_t *s = &pg->silences[i];
		PUT("<tr>");
		td(o, lang, ET_MSG_WORD_TARGET, NULL);
		HTML(s->label);
		et_text_printf(o, " %s ", s->year);
		et_scope_text(lang, s->scope, a, sizeof(a));
		HTML(a);
		PUT("</td>");
		td(o, lang, ET_MSG_PAGE_UNTIL, NULL);
		if (!s->in_force)
			MSG(PAGE_ENDED);
		PUT(" ");
		if (s->ack)
			MSG(PAGE_ACK_UNTIL_RESOLVED);
		else
			HTML(s->until);
		PUT("</td>");
		td(o, lang, ET_MSG_PAGE_REASON, NULL);
		HTML(s->reason);
		PUT(" (");
		HTML(s->created_by);
		PUT(", ");
		HTML(s->created_at);
		PUT(")</td></tr>\n");
	}
	PUT("</tbody></table>\n");
}

#undef PUT
#undef HTML
#undef MSG

void et_page_html_index(et_text_t *o, const et_page_index_t *pg)
{
	index_head(o, pg);
	index_targets(o, pg);
	index_plans(o, pg);
	index_charts(o, pg);
	index_stale(o, pg);
	index_firing(o, pg);
	index_silences(o, pg);
	et_text_put(o, "</main></body></html>\n");
}
