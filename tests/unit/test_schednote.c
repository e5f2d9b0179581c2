/* SPDX-License-Identifier: MIT */
/* lib/schednote.c: target_progress_at's English notes said again in each
 * language, the same in English as the SQL wrote them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "enertrack/schednote.h"

static void note_is(et_lang_t lang, const char *note, const char *want)
{
	char out[300];
	et_sched_note(out, sizeof(out), lang, note);
	assert_string_equal(out, want);
}

static void test_notes(void **state)
{
	(void)state;
	static const char *const en[] = {
		"10 milestones, 2 due",
		"last year's profile (2023 covers 98.6 % of its days)",
		"linear: 2023 covers 40.0 % of its days, under 90 %",
		"monthly weights",
		"linear, as the target asks",
		"linear",
		"no milestones; linear",
		"10 milestones, 2 due; the register is short by 60 MW",
		"the city's profile: 2023 covers 12.0 % of its days in county:襄垣, under 90 %",
		"no closed month of 2024 yet",
		"something new"};
	for (size_t i = 0; i < sizeof(en) / sizeof(en[0]); i++)
		note_is(ET_LANG_EN, en[i], en[i]);
	note_is(ET_LANG_ZH_CN, "10 milestones, 2 due", "10 个项目，2 个已到期");
	note_is(ET_LANG_ZH_CN, "last year's profile (2023 covers 98.6 % of its days)",
		"按去年同期分布（2023 年数据覆盖其 98.6% 的天数）");
	note_is(ET_LANG_ZH_CN, "no milestones; linear", "尚无项目计划；按时间均匀");
	/* a metric the note names by its id is said in words */
	note_is(ET_LANG_EN, "no gdp_real_growth for 2024-01..2024-05",
		"no GDP growth at comparable prices for 2024-01..2024-05");
	note_is(ET_LANG_EN, "no energy_consumption for 2024-01..2024-02 in both years",
		"no energy consumption for 2024-01..2024-02 in both years");
	note_is(ET_LANG_EN, "no new_metric for 2024-01", "no new_metric for 2024-01");
	note_is(ET_LANG_EN, "2024-01..2024-05, gdp_real_growth 5.2 %",
		"2024-01..2024-05, GDP growth at comparable prices 5.2 %");
	note_is(ET_LANG_ZH_CN, "2024-01..2024-05, gdp_real_growth -3 %",
		"2024-01..2024-05，可比价GDP增速 -3%");
	note_is(ET_LANG_ZH_CN, "weighted by approved capacity (2 of 3 sites)",
		"按核定产能加权（3 个站点中 2 个有核定产能）");
	note_is(ET_LANG_ZH_CN, "unweighted: no site has an approved capacity",
		"未加权：没有站点登记核定产能");
	/* the notes of the bureau's method: every one said in Chinese */
	note_is(ET_LANG_ZH_CN, "10 milestones, 2 due; the register is short by 60 MW",
		"10 个项目，2 个已到期；项目登记合计比目标少 60 MW");
	note_is(ET_LANG_ZH_CN,
		"the city's profile: 2023 covers 12.0 % of its days in county:襄垣, under 90 %",
		"按全市去年同期分布：county:襄垣 的 2023 年数据仅覆盖其 12.0% 的天数，不足 90%");
	note_is(ET_LANG_ZH_CN, "no closed month of 2024 yet", "2024 年尚无已结束的月份");
	note_is(ET_LANG_ZH_CN, "no gdp_real_growth for 2024-01..2024-05",
		"缺少 2024-01..2024-05 的可比价GDP增速");
	note_is(ET_LANG_ZH_CN, "no energy_consumption for 2024-01..2024-02 in both years",
		"缺少 2024-01..2024-02 两年的能源消费量");
}

static void test_sources(void **state)
{
	(void)state;
	et_text_t o = ET_TEXT_INIT;
	const char *l = "2024-01 statistics:a, 2024-02 statistics:a, 2024-03 telemetry";
	et_month_sources(&o, ET_LANG_EN, l);
	assert_string_equal(et_text_str(&o), "2024-01..2024-02 statistics:a, 2024-03 telemetry");
	et_text_free(&o);
	et_month_sources(&o, ET_LANG_ZH_CN, l);
	assert_string_equal(et_text_str(&o), "2024-01..2024-02 统计:a，2024-03 在线监测");
	et_text_free(&o);
	et_late_projects(&o, ET_LANG_ZH_CN, "p2 wind (due 2024-04-01), p4 (due 2024-05-01)");
	assert_string_equal(et_text_str(&o), "p2 wind（2024-04-01 到期），p4（2024-05-01 到期）");
	et_text_free(&o);
	et_late_projects(&o, ET_LANG_EN, "p2 wind (due 2024-04-01)");
	assert_string_equal(et_text_str(&o), "p2 wind (due 2024-04-01)");
	et_text_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_notes),
		cmocka_unit_test(test_sources),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
