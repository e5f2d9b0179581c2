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
				    .projected = NAN};
	const et_page_firing_t f = {"7", "Raw <coal>", "2026", "city", "2026-06-30 08:00"};
	et_page_index_t pg = {.lang = ET_LANG_EN,
			      .tz = "Asia/Shanghai",
			      .generated = "2026-07-01 12:00",
			      .targets = &t,
			      .ntargets = 1,
			      .firing = &f,
			      .nfiring = 1};
	char *s = render(&pg);
	assert_non_null(strstr(s, "<html lang=\"en\">"));
	assert_non_null(strstr(s, "Generated 2026-07-01 12:00 (Asia/Shanghai)"));
	assert_non_null(strstr(s, "Raw &lt;coal&gt; 2026<br><small>襄垣 · Mt</small>"));
	/* grouped from 1,000; no drift, no projection */
	assert_non_null(strstr(s,
			       "<td class=\"wide n\">84.30</td><td class=\"n\">42.15</td>"
			       "<td class=\"n\">1,234.6</td><td class=\"n\">n/a</td>"
			       "<td class=\"wide n\">n/a</td><td class=\"st-behind\">behind</td>"));
	assert_non_null(strstr(s, "No site is stale."));
	assert_non_null(strstr(s, "<a href=\"#target-7\">Raw &lt;coal&gt; 2026</a></td><td>city"));
	assert_null(strstr(s, "id=\"silences\"")); /* none: no section */
	assert_non_null(strstr(s, "src=\"/chart/7.png\""));
	assert_non_null(strstr(s, "srcset=\"/gap/7-390.png\""));
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
	assert_non_null(strstr(s, "生成时间  (UTC)")); /* no figures: no time */
	assert_non_null(strstr(s, "<tr><td colspan=\"7\">n/a</td></tr>"));
	assert_non_null(strstr(s, "<th class=\"wide\">指标</th>"));
	assert_non_null(strstr(s, "<td>xy-01</td><td>襄垣</td>"));
	assert_non_null(strstr(s, "当前无告警。"));
	assert_non_null(strstr(s, "<h2>静默与确认</h2>"));
	assert_non_null(strstr(s,
			       "原煤 2026 全市</td><td> 确认，至恢复</td>"
			       "<td class=\"wide\">flooded &amp; known (ops@x, 2026-06-30 09:00)"));
	assert_non_null(strstr(s, "原煤 2026 xy-01</td><td>已结束 2026-06-01 00:00</td>"));
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index_en),
		cmocka_unit_test(test_index_zh),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
