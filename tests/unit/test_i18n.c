/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/i18n.c: language tags both ways, the catalogue's keys
 * unique with a text in both languages for every message, lookups by id,
 * key, status and English text, and an unknown key returned as it is. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "enertrack/i18n.h"

const char *et_i18n_key_at(size_t i);

static void test_parse(void **state)
{
	(void)state;
	et_lang_t l = ET_LANG_EN;
	assert_int_equal(et_lang_parse("zh-CN", &l), 0);
	assert_int_equal(l, ET_LANG_ZH_CN);
	assert_int_equal(et_lang_parse("en", &l), 0);
	assert_int_equal(l, ET_LANG_EN);
	assert_int_equal(et_lang_parse("ZH_cn", &l), 0);
	assert_int_equal(l, ET_LANG_ZH_CN);
	assert_int_equal(et_lang_parse("fr", &l), -EINVAL);
	assert_int_equal(l, ET_LANG_ZH_CN);
	assert_int_equal(et_lang_parse(NULL, &l), -EINVAL);
	assert_string_equal(et_lang_tag(ET_LANG_ZH_CN), "zh-CN");
	assert_string_equal(et_lang_tag(ET_LANG_EN), "en");
}

static void test_catalogue(void **state)
{
	(void)state;
	size_t n = 0;
	for (const char *k; (k = et_i18n_key_at(n)); n++) {
		for (size_t j = 0; j < n; j++)
			assert_true(strcmp(et_i18n_key_at(j), k) != 0);
		/* found by key, in both languages */
		assert_ptr_not_equal(et_tr(ET_LANG_EN, k), k);
		assert_ptr_not_equal(et_tr(ET_LANG_ZH_CN, k), k);
		assert_true(et_tr(ET_LANG_EN, k)[0] != '\0');
		assert_true(et_tr(ET_LANG_ZH_CN, k)[0] != '\0');
	}
	assert_true(n > 20);
	assert_string_equal(et_tr(ET_LANG_ZH_CN, "status.behind"), "落后");
	assert_string_equal(et_tr(ET_LANG_EN, "status.on_track"), "on track");
	assert_string_equal(et_tr(ET_LANG_ZH_CN, "no.such.key"), "no.such.key");
	assert_string_equal(et_tr(ET_LANG_EN, NULL), "");
	assert_int_equal(n, ET_MSG_N);
	assert_string_equal(et_msg(ET_LANG_ZH_CN, ET_MSG_STATUS_BEHIND), "落后");
	assert_string_equal(et_msg(ET_LANG_EN, ET_MSG_PAGE_TARGETS), "Targets");
	assert_string_equal(et_msg(ET_LANG_EN, ET_MSG_N), "");
	/* the months are in order: the charts count from January */
	assert_string_equal(et_msg(ET_LANG_EN, ET_MSG_MONTH_JAN + 11), "Dec");
	assert_string_equal(et_msg(ET_LANG_ZH_CN, ET_MSG_MONTH_JAN + 9), "10月");
	assert_string_equal(et_status_text(ET_LANG_ZH_CN, "on_track"), "正常");
	assert_string_equal(et_status_text(ET_LANG_EN, "on_track"), "on track");
	assert_string_equal(et_status_text(ET_LANG_ZH_CN, "weird"), "weird");
	assert_string_equal(et_tr_text(ET_LANG_ZH_CN, "report.", "Drift (%)"), "偏差（%）");
	assert_string_equal(et_tr_text(ET_LANG_EN, "report.", "Drift (%)"), "Drift (%)");
	assert_string_equal(et_tr_text(ET_LANG_ZH_CN, "report.", "Nope"), "Nope");
	/* the group decides: "Stale sites" is worded apart on the page */
	assert_string_equal(et_tr_text(ET_LANG_ZH_CN, "page.", "Stale sites"), "数据中断的站点");
	assert_string_equal(et_tr_text(ET_LANG_ZH_CN, "report.", "Stale sites"), "数据中断站点数");
}

static void test_fill(void **state)
{
	(void)state;
	char b[64];
	assert_int_equal(et_msg_fill(b, sizeof(b), ET_LANG_EN, ET_MSG_MAIL_SUBJ_BEHIND, 1, "8.1"),
			 strlen("8.1% behind schedule"));
	assert_string_equal(b, "8.1% behind schedule");
	/* the figure where Chinese grammar puts it */
	et_msg_fill(b, sizeof(b), ET_LANG_ZH_CN, ET_MSG_MAIL_SUBJ_BEHIND, 1, "8.1");
	assert_string_equal(b, "落后于序时进度 8.1%");
	et_msg_fill(b, sizeof(b), ET_LANG_EN, ET_MSG_MAIL_SITES_COUNT, 2, "3", NULL);
	assert_string_equal(b, "3 reporting,  stale");
	/* a placeholder without its argument stays */
	et_msg_fill(b, sizeof(b), ET_LANG_EN, ET_MSG_MAIL_SITES_COUNT, 1, "3");
	assert_string_equal(b, "3 reporting, {2} stale");
	/* cut at a character: "落后于" is 9 bytes, "落后于序" 12 */
	char s11[11];
	int n = et_msg_fill(s11, sizeof(s11), ET_LANG_ZH_CN, ET_MSG_MAIL_SUBJ_BEHIND, 1, "8.1");
	assert_int_equal(n, (int)strlen("落后于序时进度 8.1%"));
	assert_string_equal(s11, "落后于");
	char s1[1];
	et_msg_fill(s1, sizeof(s1), ET_LANG_EN, ET_MSG_MAIL_SUBJ_OFF, 0);
	assert_string_equal(s1, "");
}

static void test_scope(void **state)
{
	(void)state;
	char b[16];
	et_scope_text(ET_LANG_ZH_CN, "city", b, sizeof(b));
	assert_string_equal(b, "全市");
	et_scope_text(ET_LANG_EN, "city", b, sizeof(b));
	assert_string_equal(b, "city");
	et_scope_text(ET_LANG_EN, "county:襄垣", b, sizeof(b));
	assert_string_equal(b, "襄垣");
	et_scope_text(ET_LANG_EN, "site:xy-01", b, sizeof(b));
	assert_string_equal(b, "xy-01");
	et_scope_text(ET_LANG_EN, NULL, b, sizeof(b));
	assert_string_equal(b, "");
	/* cut at a character: 襄垣襄垣襄垣 is 18 bytes; 7 bytes hold two characters */
	char s7[7];
	et_scope_text(ET_LANG_EN, "county:襄垣襄垣襄垣", s7, sizeof(s7));
	assert_string_equal(s7, "襄垣");
}

/* A plan's status in the bureau's words; any other status as a target's. */
static void test_plan_status(void **state)
{
	(void)state;
	assert_string_equal(et_plan_status_text(ET_LANG_ZH_CN, "ahead"), "超序时进度");
	assert_string_equal(et_plan_status_text(ET_LANG_ZH_CN, "behind"), "落后序时进度");
	assert_string_equal(et_plan_status_text(ET_LANG_EN, "on_track"), "on schedule");
	assert_string_equal(et_plan_status_text(ET_LANG_ZH_CN, "insufficient_data"),
			    et_status_text(ET_LANG_ZH_CN, "insufficient_data"));
	assert_string_equal(et_plan_status_text(ET_LANG_EN, NULL), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),	    cmocka_unit_test(test_catalogue),
		cmocka_unit_test(test_scope),	    cmocka_unit_test(test_fill),
		cmocka_unit_test(test_plan_status),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
