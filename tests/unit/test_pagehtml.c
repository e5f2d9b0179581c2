/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/pagehtml.c: the status page's HTML from plain rows, in
 * both languages: data escaped, words from the catalogue, figures through
 * the number formatter (no value is n/a), the empty sections' sentences. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "enertrack/pagehtml.h"

static char *render(const et_page_index_t *pg)
{
	et_text_t o = ET_TEXT_INIT;
	et_page_html_index(&o, pg);
	assert_int_equal(et_text_error(&o), 0);
	char *s = et_text_take(&o, NULL);
	assert_non_null(s);
	return s;
}

static void test_index_en(void **state)
{
	(void)state;
	const et_page_target_t t = {.id = "7",
				    .label = "Raw <coal>",
				    .year = "2026",
				    .scope = "county:襄垣",
				    .unit = "Mt",
				    .status = "behind",
				    .target = 84.3,
				    .expected = 42.15,
				    .actual = 1234.56789,
				    .drift_pct = NAN,
				    .projected = NAN,
				    .sites_reporting = 3};
	const et_page_target_t none = {.id = "8",
				       .label = "Power",
				       .year = "2026",
				       .scope = "city",
				       .unit = "GWh",
				       .status = "insufficient_data",
				       .target = 1,
				       .expected = NAN,
				       .actual = NAN,
				       .drift_pct = NAN,
				       .projected = NAN};
	const et_page_target_t ts[2] = {t, none};
	const et_page_firing_t fs[3] = {
		{"7", "Raw <coal>", "2026", "city", "2026-06-30 08:00", ET_PAGE_DRIFT, ""},
		{"7", "Raw <coal>", "2026", "city", "2026-06-29 08:00", ET_PAGE_MILESTONE,
		 "Mine xy-01 shaft, due 2026-05-01, not commissioned"},
		{"", "Raw <coal>", "2026", "county:襄垣", "2026-06-28 08:00", ET_PAGE_RECONCILE,
		 "May: telemetry 12 % under the statistics"}};
	static const int years[] = {2025, 2026};
	et_page_index_t pg = {.lang = ET_LANG_EN,
			      .tz = "Asia/Shanghai",
			      .generated = "2026-07-01 12:00",
			      .year = 2026,
			      .asked_year = 2027,
			      .years = years,
			      .nyears = 2,
			      .chart_query = "?at=2026-07-01%2012%3A00",
			      .targets = ts,
			      .ntargets = 2,
			      .firing = fs,
			      .nfiring = 3};
	char *s = render(&pg);
	assert_non_null(strstr(s, "<html lang=\"en\">"));
	assert_non_null(strstr(s, "As of 2026-07-01 12:00 (Asia/Shanghai)"));
	/* the years with targets, the one shown in bold; why not the year asked */
	assert_non_null(
		strstr(s, "Years with targets: <a href=\"/?year=2025\">2025</a> <b>2026</b>"));
	assert_non_null(strstr(s, "2027 has no targets: this is 2026, the latest year that has."));
	assert_non_null(strstr(s, "Raw &lt;coal&gt; 2026<br><small>襄垣 · Mt</small>"));
	/* grouped from 1,000; no drift, no projection */
	/* every column labelled, so that a phone reflows them rather than hides them */
	assert_non_null(strstr(s, "<td class=\"n\" data-label=\"Target\">84.30</td>"
				  "<td class=\"n\" data-label=\"Expected\">42.15</td>"
				  "<td class=\"n\" data-label=\"Actual\">1,234.57</td>"
				  "<td class=\"n\" data-label=\"Drift\">n/a</td>"
				  "<td class=\"n\" data-label=\"Projected\">n/a</td>"
				  "<td class=\"st-behind\" data-label=\"Status\">behind</td>"));
	assert_null(strstr(s, "display:none}body"));
	assert_non_null(strstr(s, "No site is stale."));
	/* a drift, an overdue project and a county mismatch, all firing */
	assert_non_null(
		strstr(s, "<a href=\"#target-7\">Raw &lt;coal&gt; 2026</a> · <b>drift</b>"));
	assert_non_null(strstr(s, "<b>overdue project</b><br><small>Mine xy-01 shaft"));
	assert_non_null(strstr(s,
			       "Raw &lt;coal&gt; 2026 · <b>county differs from the statistics</b>"
			       "<br><small>May: telemetry"));
	assert_null(strstr(s, "id=\"silences\"")); /* none: no section */
	assert_non_null(strstr(s, "src=\"/chart/7.png?at=2026-07-01%2012%3A00\""));
	assert_non_null(strstr(s, "srcset=\"/gap/7-390.png?at=2026-07-01%2012%3A00\""));
	/* a target without sites: a sentence, no empty chart box */
	assert_null(strstr(s, "/chart/8.png"));
	assert_non_null(strstr(s, "No site reports to this target yet"));
	size_t n = strlen(s);
	assert_true(n > 22 && strcmp(s + n - 22, "</main></body></html>\n") == 0);
	free(s);
}

static void test_index_zh(void **state)
{
	(void)state;
	const et_page_stale_t st = {"xy-01", "襄垣", "2026-06-01 00:00", "原煤"};
	const et_page_silence_t si = {.label = "原煤",
				      .year = "2026",
				      .scope = "city",
				      .until = "",
				      .created_by = "ops@x",
				      .created_at = "2026-06-30 09:00",
				      .reason = "flooded & known",
				      .ack = true,
				      .in_force = true};
	const et_page_silence_t ended = {.label = "原煤",
					 .year = "2026",
					 .scope = "site:xy-01",
					 .until = "2026-06-01 00:00",
					 .created_by = "a",
					 .created_at = "b",
					 .reason = "c"};
	const et_page_silence_t sis[2] = {si, ended};
	et_page_index_t pg = {.lang = ET_LANG_ZH_CN,
			      .tz = "UTC",
			      .stale = &st,
			      .nstale = 1,
			      .silences = sis,
			      .nsilences = 2};
	char *s = render(&pg);
	assert_non_null(strstr(s, "<html lang=\"zh-CN\">"));
	assert_non_null(strstr(s, "<title>enertrack：目标进度</title>"));
	assert_non_null(strstr(s, "截至 n/a（UTC）")); /* no figures: no time */
	assert_non_null(strstr(s, "<tr><td colspan=\"7\">n/a</td></tr>"));
	assert_non_null(strstr(s, "<th class=\"wide\">指标</th>"));
	assert_non_null(
		strstr(s, "<td data-label=\"站点\">xy-01</td><td data-label=\"区县\">襄垣</td>"));
	assert_non_null(strstr(s, "当前无告警。"));
	assert_non_null(strstr(s, "<h2>静默与确认</h2>"));
	assert_non_null(
		strstr(s, "原煤 2026 全市</td><td data-label=\"截至\"> 确认，至恢复</td>"
			  "<td data-label=\"原因\">flooded &amp; known (ops@x, 2026-06-30 09:00)"));
	assert_non_null(strstr(
		s, "原煤 2026 xy-01</td><td data-label=\"截至\">已结束 2026-06-01 00:00</td>"));
	free(s);
}

/* Issue 21: a target in % (an intensity decline) drifts in percentage
 * points on the page, like the mails; a target in Mt in % of its schedule. */
static void test_index_points(void **state)
{
	(void)state;
	const et_page_target_t ts[2] = {
		{.id = "3",
		 .label = "单位GDP能耗降低率",
		 .year = "2024",
		 .scope = "county:B",
		 .unit = "%",
		 .status = "behind",
		 .target = 2.0,
		 .expected = 2.0,
		 .actual = 1.3257,
		 .drift_pct = -0.6743,
		 .projected = NAN,
		 .sites_reporting = 1},
		{.id = "4",
		 .label = "原煤",
		 .year = "2024",
		 .scope = "city",
		 .unit = "万吨",
		 .status = "on_track",
		 .target = 100,
		 .expected = 50,
		 .actual = 51,
		 .drift_pct = 2.0,
		 .projected = 102,
		 .sites_reporting = 3},
	};
	for (int zh = 0; zh < 2; zh++) {
		et_page_index_t pg = {.lang = zh ? ET_LANG_ZH_CN : ET_LANG_EN,
				      .tz = "UTC",
				      .targets = ts,
				      .ntargets = 2};
		char *s = render(&pg);
		const char *pp = zh ? "-0.67 个百分点</td>" : "-0.67 pp</td>";
		if (!strstr(s, pp) || !strstr(s, "+2.0 %</td>") || strstr(s, "-0.7 %"))
			fail_msg("lang %d: want \"%s\" and \"+2.0 %%\":\n%s", zh, pp, s);
		free(s);
	}
}

/* Issue 21: the plans over several years, after the year's targets: the
 * cumulative decline and 序时进度 in %, the drift in points, the status in
 * the bureau's words and, in zh-CN, the plan's own sentence; a plan without
 * a yearly figure names the year; no plans, no section. */
static void test_index_plans(void **state)
{
	(void)state;
	const et_page_target_t t = {.id = "3",
				    .label = "原煤",
				    .year = "2024",
				    .scope = "city",
				    .unit = "万吨",
				    .status = "on_track",
				    .target = 100,
				    .expected = 50,
				    .actual = 51,
				    .drift_pct = 2.0,
				    .projected = 102,
				    .sites_reporting = 3};
	const et_page_plan_t pl[2] = {
		{.label = "单位GDP能耗降低率",
		 .first_year = "2021",
		 .year = "2025",
		 .scope = "city",
		 .upto = "2023",
		 .status = "ahead",
		 .missing = "",
		 .sentence = "截至2023年累计下降12.4%，超序时进度",
		 .target = 14.5,
		 .expected = 8.971,
		 .actual = 12.4487,
		 .drift_pct = 3.4777},
		{.label = "Energy <intensity>",
		 .first_year = "2021",
		 .year = "2025",
		 .scope = "county:B",
		 .upto = "2023",
		 .status = "insufficient_data",
		 .missing = "2022",
		 .sentence = "",
		 .target = 13,
		 .expected = NAN,
		 .actual = NAN,
		 .drift_pct = NAN},
	};
	static const char *const want[2][6] = {
		{"<h2>Plans over several years, at the end of 2023</h2>\n<table id=\"plans\">",
		 "单位GDP能耗降低率 2021–2025<br><small>city · By 2023, down 12.4 % cumulatively, "
		 "ahead of schedule</small></td>",
		 "data-label=\"Schedule (cumulative)\">8.97 %</td>",
		 "data-label=\"Decline (cumulative)\">12.45 %</td>",
		 "+3.48 pp</td><td class=\"st-ahead\" data-label=\"Status\">ahead of schedule</td>",
		 "Energy &lt;intensity&gt; 2021–2025<br><small>B · no yearly figure for 2022"},
		{"<h2>多年规划目标（截至2023年底）</h2>\n<table id=\"plans\">",
		 "单位GDP能耗降低率 2021–2025<br><small>全市 · 截至2023年累计下降12.4%，超序时进度"
		 "</small></td>",
		 "data-label=\"序时进度（累计）\">8.97 %</td>",
		 "data-label=\"累计下降\">12.45 %</td>",
		 "+3.48 个百分点</td><td class=\"st-ahead\" data-label=\"状态\">超序时进度</td>",
		 "Energy &lt;intensity&gt; 2021–2025<br><small>B · 缺少 2022 年的数据"},
	};
	for (int zh = 0; zh < 2; zh++) {
		et_page_index_t pg = {.lang = zh ? ET_LANG_ZH_CN : ET_LANG_EN,
				      .tz = "UTC",
				      .targets = &t,
				      .ntargets = 1,
				      .plans = pl,
				      .nplans = 2,
				      .plans_closed = "2023"};
		char *s = render(&pg);
		for (int k = 0; k < 6; k++)
			if (!strstr(s, want[zh][k]))
				fail_msg("lang %d: want \"%s\" in:\n%s", zh, want[zh][k], s);
		/* after the year's targets, before their charts */
		const char *tg = strstr(s, "id=\"targets\""), *ps = strstr(s, "id=\"plans\""),
			   *ch = strstr(s, "id=\"target-3\"");
		if (!tg || !ps || !ch || !(tg < ps && ps < ch))
			fail_msg("lang %d: the plans not between the targets and the charts:\n%s",
				 zh, s);
		free(s);
		pg.nplans = 0;
		s = render(&pg);
		if (strstr(s, "id=\"plans\""))
			fail_msg("lang %d: a plans section without plans:\n%s", zh, s);
		free(s);
	}
}

static void test_query(void **state)
{
	(void)state;
	char path[64];
	et_page_query_t q;
	et_page_parse_query("/?year=2024&x=1&at=2024-06-30T12%3A00%2B08%3A00", path, sizeof(path),
			    &q);
	assert_string_equal(path, "/");
	assert_string_equal(q.year, "2024");
	assert_string_equal(q.at, "2024-06-30T12:00+08:00");
	et_page_parse_query("/chart/7-390.png", path, sizeof(path), &q);
	assert_string_equal(path, "/chart/7-390.png");
	assert_string_equal(q.year, "");
	assert_string_equal(q.at, "");
	et_page_parse_query("/targets.json?at=%26%25&year", path, sizeof(path), &q);
	assert_string_equal(path, "/targets.json");
	assert_string_equal(q.at, "&%");
	assert_string_equal(q.year, "");
	et_text_t o = ET_TEXT_INIT;
	et_page_url_encode(&o, "2024-12-31 23:59:59+08");
	assert_string_equal(et_text_str(&o), "2024-12-31%2023%3A59%3A59%2B08");
	et_text_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query),	    cmocka_unit_test(test_index_en),
		cmocka_unit_test(test_index_zh),    cmocka_unit_test(test_index_points),
		cmocka_unit_test(test_index_plans),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
