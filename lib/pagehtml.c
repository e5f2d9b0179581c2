/* SPDX-License-Identifier: MIT */
/* The HTML of the status page's index (include/enertrack/pagehtml.h): a
 * head, the targets' table, their charts, the stale sites, the firing
 * alerts and the silences, one function each. The page works on a phone:
 * the wide columns hide under 600 px and the charts come in a phone's
 * width. */
#include "enertrack/pagehtml.h"

#include <stdio.h>

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
	"@media (max-width:600px){.wide{display:none}body{font-size:14px}}";

/* put and html, short: the page is all appends */
#define PUT(s)	et_text_put(o, s)
#define HTML(s) et_text_html(o, s)
#define MSG(id) HTML(et_msg(lang, ET_MSG_##id))

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
	PUT("</h1>\n<p class=\"meta\">");
	MSG(PAGE_GENERATED);
	PUT(" ");
	HTML(pg->generated);
	PUT(" (");
	HTML(pg->tz);
	PUT(") · ");
	MSG(PAGE_REFRESH);
	PUT("</p>\n");
}

/* One target's row: label, year, scope and unit; the figures; the status. */
static void index_target_row(et_text_t *o, et_lang_t lang, const et_page_target_t *t)
{
	char a[128];
	PUT("<tr><td>");
	HTML(t->label);
	et_text_printf(o, " %s<br><small>", t->year);
	et_scope_text(lang, t->scope, a, sizeof(a));
	HTML(a);
	PUT(" · ");
	HTML(t->unit);
	PUT("</small>");
	const struct {
		double v;
		bool wide;
	} figs[] = {{t->target, true}, {t->expected, false}, {t->actual, false}};
	for (size_t k = 0; k < sizeof(figs) / sizeof(figs[0]); k++) {
		et_num(a, sizeof(a), figs[k].v, ET_NUM_TABLE);
		et_text_printf(o, "</td><td class=\"%sn\">%s", figs[k].wide ? "wide " : "", a);
	}
	et_num_pct(a, sizeof(a), t->drift_pct, true);
	et_text_printf(o, "</td><td class=\"n\">%s", a);
	et_num(a, sizeof(a), t->projected, ET_NUM_TABLE);
	et_text_printf(o, "</td><td class=\"wide n\">%s</td><td class=\"st-", a);
	HTML(t->status);
	PUT("\">");
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
		PUT("</h3><div class=\"charts\">");
		static const char *const kinds[2] = {"chart", "gap"};
		for (int k = 0; k < 2; k++) {
			et_text_printf(
				o,
				"<picture><source media=\"(max-width: 600px)\" "
				"srcset=\"/%s/%s-%d.png\"><img class=\"chart\" src=\"/%s/%s.png\" "
				"width=\"%d\" alt=\"",
				kinds[k], t->id, ET_PAGE_W_PHONE, kinds[k], t->id, ET_PAGE_W_WIDE);
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
	PUT("<h2>");
	MSG(PAGE_STALE);
	PUT("</h2>\n");
	if (pg->nstale == 0) {
		PUT("<p>");
		MSG(PAGE_NO_STALE);
		PUT("</p>\n");
		return;
	}
	static const et_msg_t cols[] = {ET_MSG_WORD_SITE, ET_MSG_WORD_COUNTY,
					ET_MSG_WORD_LAST_READING, ET_MSG_WORD_METRIC};
	table_head(o, lang, "stale", cols, 4, 3);
	for (size_t i = 0; i < pg->nstale; i++) {
		const et_page_stale_t *s = &pg->stale[i];
		PUT("<tr><td>");
		HTML(s->site_id);
		PUT("</td><td>");
		HTML(s->county);
		PUT("</td><td>");
		HTML(s->last_reading);
		PUT("</td><td class=\"wide\">");
		HTML(s->metric_label);
		PUT("</td></tr>\n");
	}
	PUT("</tbody></table>\n");
}

static void index_firing(et_text_t *o, const et_page_index_t *pg)
{
	et_lang_t lang = pg->lang;
	char a[128];
	PUT("<h2>");
	MSG(PAGE_ALERTS);
	PUT("</h2>\n");
	if (pg->nfiring == 0) {
		PUT("<p>");
		MSG(PAGE_NO_ALERTS);
		PUT("</p>\n");
		return;
	}
	static const et_msg_t cols[] = {ET_MSG_WORD_TARGET, ET_MSG_WORD_SCOPE, ET_MSG_WORD_SINCE};
	table_head(o, lang, "firing", cols, 3, 3);
	for (size_t i = 0; i < pg->nfiring; i++) {
		const et_page_firing_t *f = &pg->firing[i];
		et_text_printf(o, "<tr><td><a href=\"#target-%s\">", f->target_id);
		HTML(f->label);
		et_text_printf(o, " %s</a></td><td>", f->year);
		et_scope_text(lang, f->scope, a, sizeof(a));
		HTML(a);
		PUT("</td><td>");
		HTML(f->since);
		PUT("</td></tr>\n");
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
	PUT("<h2>");
	MSG(PAGE_SILENCES);
	PUT("</h2>\n");
	static const et_msg_t cols[] = {ET_MSG_WORD_TARGET, ET_MSG_PAGE_UNTIL, ET_MSG_PAGE_REASON};
	table_head(o, lang, "silences", cols, 3, 2);
	for (size_t i = 0; i < pg->nsilences; i++) {
		const et_page_silence_t *s = &pg->silences[i];
		PUT("<tr><td>");
		HTML(s->label);
		et_text_printf(o, " %s ", s->year);
		et_scope_text(lang, s->scope, a, sizeof(a));
		HTML(a);
		PUT("</td><td>");
		if (!s->in_force)
			MSG(PAGE_ENDED);
		PUT(" ");
		if (s->ack)
			MSG(PAGE_ACK_UNTIL_RESOLVED);
		else
			HTML(s->until);
		PUT("</td><td class=\"wide\">");
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
	index_charts(o, pg);
	index_stale(o, pg);
	index_firing(o, pg);
	index_silences(o, pg);
	et_text_put(o, "</main></body></html>\n");
}
