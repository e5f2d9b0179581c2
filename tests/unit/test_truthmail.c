/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/truthmail.c: the milestone and reconciliation mails'
 * subject, body and log line, in English and Chinese, from plain rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <string.h>

#include "enertrack/truthmail.h"

static const et_milestone_mail_t late = {
	.label = "New-energy capacity",
	.year = "2024",
	.scope = "county:襄垣",
	.name = "Xiangyuan PV 2",
	.site_id = "xy-pv2",
	.due = "2024-04-01",
	.days_late = "15",
	.value = 50e6,
	.commissioned = 20e6,
	.planned_to_here = 70e6,
	.display_unit = "MW",
	.display_div = 1e6,
	.grace_days = 14,
};

static void test_milestone_en(void **state)
{
	(void)state;
	et_truth_text_t t;
	assert_int_equal(et_truthmail_milestone(ET_LANG_EN, &late, &t), 0);
	assert_string_equal(t.subject, "[enertrack] New-energy capacity 2024: Xiangyuan PV 2 is 15 "
				       "days overdue (due 2024-04-01, 50.0 MW)");
	assert_non_null(
		strstr(t.body, "New-energy capacity 2024 county:襄垣: a project is late.\n"));
	assert_non_null(strstr(t.body, "Due:           2024-04-01 (15 days ago; mailed after 14 "
				       "days of grace)\n"));
	assert_non_null(strstr(t.body, "Commissioned:  20.0 MW at the site this year, 70.0 MW "
				       "planned by now\n"));
	assert_string_equal(t.detail, "Xiangyuan PV 2 due 2024-04-01 (50.0 MW) is 15 days overdue");
}

static void test_milestone_zh_city(void **state)
{
	(void)state;
	et_milestone_mail_t m = late;
	m.scope = "city";
	m.label = "新能源装机";
	m.display_div = NAN; /* no divisor: canonical units */
	et_truth_text_t t;
	assert_int_equal(et_truthmail_milestone(ET_LANG_ZH_CN, &m, &t), 0);
	assert_string_equal(t.subject, "[enertrack] 新能源装机 2024：项目 Xiangyuan PV 2 已逾期 15 "
				       "天（应于 2024-04-01 投运，5000000.0 万千瓦）");
	/* the city is not named after the year */
	assert_non_null(strstr(t.body, "新能源装机 2024：有项目逾期。\n"));
	assert_non_null(strstr(t.body, "宽限 14 天后发信"));
}

static const et_reconcile_mail_t off = {
	.scope = "county:襄垣",
	.metric = "raw_coal",
	.label = "Raw coal",
	.period = "2024-01",
	.source = "bureau",
	.telemetry = 861e3,
	.official = 1000e3,
	.gap_pct = -13.9,
	.display_unit = "kt",
	.display_div = 1e3,
	.reconcile_pct = 5,
};

static void test_reconcile(void **state)
{
	(void)state;
	et_truth_text_t t;
	assert_int_equal(et_truthmail_reconcile(ET_LANG_EN, &off, &t), 0);
	assert_string_equal(
		t.subject,
		"[enertrack] 襄垣: Raw coal telemetry 13.9% below the statistics (2024-01)");
	assert_non_null(strstr(t.body, "Telemetry:     861.00 kt\n"));
	assert_non_null(strstr(t.body, "Statistics:    1000.00 kt (bureau)\n"));
	assert_non_null(strstr(t.body, "Gap:           -13.9 % (mails above 5.0 %)\n"));
	assert_string_equal(t.detail, "襄垣 raw_coal 2024-01: telemetry -13.9 % against bureau");
	et_reconcile_mail_t up = off;
	up.gap_pct = 7.25;
	up.label = "原煤";
	assert_int_equal(et_truthmail_reconcile(ET_LANG_ZH_CN, &up, &t), 0);
	assert_string_equal(t.subject, "[enertrack] 襄垣：原煤 遥测值高于统计数据 7.2%（2024-01）");
	assert_non_null(strstr(t.body, "差距:     +7.2 %（超过 5.0 % 时发信）\n"));
}

/* 540 MW registered against 600: short by 60 MW; in zh-CN in the bureau's
 * 万千瓦 (54.0 against 60.0, short by 6.0). */
static void test_register(void **state)
{
	(void)state;
	et_register_mail_t m = {.label = "新能源装机",
				.year = "2024",
				.scope = "county:N",
				.target = 600,
				.planned = 540,
				.display_unit = "MW",
				.display_div = 1};
	et_truth_text_t t;
	assert_int_equal(et_truthmail_register(ET_LANG_ZH_CN, &m, &t), 0);
	assert_string_equal(t.subject, "[enertrack] 新能源装机 2024 county:N：项目登记合计 54.0 "
				       "万千瓦，比目标少 6.0 万千瓦");
	assert_non_null(strstr(t.body, "缺口:     6.0 万千瓦\n"));
	m.scope = "city";
	m.label = "New-energy capacity";
	assert_int_equal(et_truthmail_register(ET_LANG_EN, &m, &t), 0);
	assert_string_equal(t.subject, "[enertrack] New-energy capacity 2024: the register plans "
				       "540.0 MW, 60.0 MW short of the target");
	assert_string_equal(t.detail, "New-energy capacity 2024: the register plans 540.0 MW, "
				      "60.0 MW short of 600.0 MW");
}

static void test_nodata(void **state)
{
	(void)state;
	et_nodata_mail_t m = {.label = "Coal-power retrofits",
			      .year = "2024",
			      .scope = "city",
			      .missing = "no retrofit_capacity in city this year, and no project "
					 "registered",
			      .days = 30};
	et_truth_text_t t;
	assert_int_equal(et_truthmail_nodata(ET_LANG_EN, &m, &t), 0);
	assert_string_equal(t.subject,
			    "[enertrack] Coal-power retrofits 2024: no data for 30 days");
	assert_non_null(strstr(
		t.body, "Coal-power retrofits 2024 cannot be followed: no "
			"retrofit_capacity in city this year, and no project registered.\n"));
	assert_int_equal(et_truthmail_nodata(ET_LANG_ZH_CN, &m, &t), 0);
	assert_string_equal(t.subject, "[enertrack] Coal-power retrofits 2024：已 30 天无数据");
}

/* Issue 21: a late retrofit is not commissioned (投运) but done (完成). */
static void test_retrofit(void **state)
{
	(void)state;
	et_milestone_mail_t m = {.label = "煤电机组改造",
				 .year = "2024",
				 .scope = "city",
				 .name = "tunliu-power-u1 供热",
				 .site_id = "tunliu-power-u1",
				 .due = "2024-08-31",
				 .days_late = "15",
				 .value = 330,
				 .commissioned = 0,
				 .planned_to_here = 330,
				 .display_unit = "MW",
				 .display_div = 1,
				 .grace_days = 14,
				 .retrofit_kind = "供热"};
	et_truth_text_t t;
	assert_int_equal(et_truthmail_milestone(ET_LANG_ZH_CN, &m, &t), 0);
	assert_string_equal(t.subject,
			    "[enertrack] 煤电机组改造 2024：tunliu-power-u1 供热（供热改造）"
			    "已逾期 15 天（应于 2024-08-31 完成，33.0 万千瓦）");
}

static void test_countysum(void **state)
{
	(void)state;
	/* 2.4 + 2.1 Mt of counties against the city's 5 Mt: −10 % */
	et_countysum_mail_t m = {.label = "原煤产量",
				 .period = "2024-01..2024-02",
				 .source = "长治市统计局",
				 .city = 5e6,
				 .counties_sum = 4.5e6,
				 .gap_pct = -10,
				 .counties = 2,
				 .display_unit = "Mt",
				 .display_div = 1e6};
	et_truth_text_t t;
	assert_int_equal(et_truthmail_countysum(ET_LANG_ZH_CN, &m, &t), 0);
	assert_string_equal(t.subject,
			    "[enertrack] 原煤产量 2024-01..2024-02：各区县合计 450.0 万吨，"
			    "全市为 500.0 万吨（-10.0 %）");
	assert_non_null(strstr(t.body, "区县合计: 450.0 万吨（2 个区县）\n"));
}

static void test_cut(void **state)
{
	(void)state;
	char big[700];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	et_milestone_mail_t m = late;
	m.name = big;
	et_truth_text_t t;
	assert_int_equal(et_truthmail_milestone(ET_LANG_EN, &m, &t), -ENOSPC);
	assert_int_equal(strlen(t.subject), sizeof(t.subject) - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_milestone_en), cmocka_unit_test(test_milestone_zh_city),
		cmocka_unit_test(test_reconcile),    cmocka_unit_test(test_cut),
		cmocka_unit_test(test_register),     cmocka_unit_test(test_nodata),
		cmocka_unit_test(test_countysum),    cmocka_unit_test(test_retrofit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
