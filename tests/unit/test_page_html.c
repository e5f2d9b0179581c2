/* SPDX-License-Identifier: MIT */
/* Unit tests of daemon/page_html.c: the status page's HTML from query
 * results made in memory (libpq's PQmakeEmptyPGresult and PQsetvalue), no
 * database: data escaped, words in the page's language, figures through the
 * number formatter, the empty sections' sentences. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/page_html.h"

/* A result of ncols text columns and the rows given (NULL: SQL NULL). */
static PGresult *result(int ncols, int nrows, const char *const *cells)
{
	PGresult *r = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	assert_non_null(r);
	PGresAttDesc att[T_NOW + 1];
	char names[T_NOW + 1][8];
	assert_true(ncols <= T_NOW + 1);
	for (int c = 0; c < ncols; c++) {
		snprintf(names[c], sizeof(names[c]), "c%d", c);
		att[c] = (PGresAttDesc){
			.name = names[c], .typid = 25, .typlen = -1, .atttypmod = -1};
	}
	assert_int_equal(PQsetResultAttrs(r, ncols, att), 1);
	for (int i = 0; i < nrows; i++)
		for (int c = 0; c < ncols; c++) {
			const char *v = cells[i * ncols + c];
			assert_int_equal(PQsetvalue(r, i, c, (char *)v, v ? (int)strlen(v) : -1),
					 1);
		}
	return r;
}

static const char *const target_row[T_NOW + 1] = {
	[T_ID] = "7",
	[T_LABEL] = "Raw <coal>",
	[T_YEAR] = "2026",
	[T_SCOPE] = "county:襄垣",
	[T_KIND] = "about",
	[T_TARGET] = "84300000",
	[T_UNIT] = "Mt",
	[T_DIV] = "1000000",
	[T_ELAPSED] = "50",
	[T_EXPECTED] = "42150000",
	[T_ACTUAL] = "1234567890",
	[T_DRIFT] = NULL,
	[T_PROJECTED] = NULL,
	[T_REPORTING] = "3",
	[T_STALE] = "1",
	[T_STATUS] = "behind",
	[T_STATE] = "firing",
	[T_METRIC] = "raw_coal",
	[T_NOW] = "2026-07-01 12:00",
};

static char *render(et_lang_t lang, PGresult *t, PGresult *st, PGresult *fi, PGresult *si)
{
	et_text_t o = ET_TEXT_INIT;
	et_page_html_index(&o, lang, "Asia/Shanghai", t, st, fi, si);
	assert_int_equal(et_text_error(&o), 0);
	char *s = et_text_take(&o, NULL);
	assert_non_null(s);
	return s;
}

static void test_index_en(void **state)
{
	(void)state;
	PGresult *t = result(T_NOW + 1, 1, target_row);
	PGresult *st = result(4, 0, NULL);
	static const char *const firing[6] = {"7",    "Raw <coal>", "2026",
					      "city", "firing",	    "2026-06-30 08:00"};
	PGresult *fi = result(6, 1, firing);
	PGresult *si = result(9, 0, NULL);
	char *s = render(ET_LANG_EN, t, st, fi, si);
	assert_non_null(strstr(s, "<html lang=\"en\">"));
	assert_non_null(strstr(s, "Raw &lt;coal&gt; 2026<br><small>襄垣 · Mt</small>"));
	/* 84.3 Mt, 42.15 Mt, 1234.6 Mt grouped; no drift, no projection */
	assert_non_null(strstr(s,
			       "<td class=\"wide n\">84.30</td><td class=\"n\">42.15</td>"
			       "<td class=\"n\">1,234.6</td><td class=\"n\">n/a</td>"
			       "<td class=\"wide n\">n/a</td><td class=\"st-behind\">behind</td>"));
	assert_non_null(strstr(s, "No site is stale."));
	assert_non_null(strstr(s, "<a href=\"#target-7\">Raw &lt;coal&gt; 2026</a></td><td>city"));
	assert_null(strstr(s, "id=\"silences\"")); /* none: no section */
	assert_non_null(strstr(s, "src=\"/chart/7.png\""));
	assert_non_null(strstr(s, "srcset=\"/gap/7-390.png\""));
	assert_true(strlen(s) > 20 && strcmp(s + strlen(s) - 22, "</main></body></html>\n") == 0);
	free(s);
	PQclear(t);
	PQclear(st);
	PQclear(fi);
	PQclear(si);
}

static void test_index_zh(void **state)
{
	(void)state;
	PGresult *t = result(T_NOW + 1, 0, NULL);
	static const char *const stale[4] = {"xy-01", "襄垣", "2026-06-01 00:00", "原煤"};
	PGresult *st = result(4, 1, stale);
	PGresult *fi = result(6, 0, NULL);
	static const char *const sil[9] = {
		"原煤", "2026", "city", "ack", "", "ops@x", "2026-06-30 09:00", "flooded & known",
		"t"};
	PGresult *si = result(9, 1, sil);
	char *s = render(ET_LANG_ZH_CN, t, st, fi, si);
	assert_non_null(strstr(s, "<html lang=\"zh-CN\">"));
	assert_non_null(strstr(s, "<title>enertrack：目标进度</title>"));
	assert_non_null(strstr(s, "<tr><td colspan=\"7\">n/a</td></tr>"));
	assert_non_null(strstr(s, "<th class=\"wide\">指标</th>"));
	assert_non_null(strstr(s, "<td>xy-01</td><td>襄垣</td>"));
	assert_non_null(strstr(s, "当前无告警。"));
	assert_non_null(strstr(s, "<h2>静默与确认</h2>"));
	assert_non_null(strstr(s,
			       "原煤 2026 全市</td><td> 确认，至恢复</td>"
			       "<td class=\"wide\">flooded &amp; known (ops@x, 2026-06-30 09:00)"));
	free(s);
	PQclear(t);
	PQclear(st);
	PQclear(fi);
	PQclear(si);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index_en),
		cmocka_unit_test(test_index_zh),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
