/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/digestmail.c: the daily digest's subject, text and
 * HTML from plain rows, in English and Chinese, with HTML escaping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <string.h>

#include "enertrack/digestmail.h"

static const et_digest_target_t targets[3] = {
	{.label = "Raw coal",
	 .scope = "city",
	 .status = "behind",
	 .drift_pct = -20.04,
	 .was_drift_pct = -19.5,
	 .actual = 12.5,
	 .expected = 15.6,
	 .display_unit = "Mt",
	 .alert_state = "firing",
	 .silenced = true,
	 .chart_cid = "chart-1.digest-2024-06-30@enertrack"},
	{.label = "Raw coal",
	 .scope = "county:<x>&",
	 .status = "behind",
	 .drift_pct = -8,
	 .was_drift_pct = NAN,
	 .actual = NAN,
	 .expected = 2,
	 .display_unit = "Mt",
	 .alert_state = "ok"},
	{.label = "Generation",
	 .scope = "city",
	 .status = "on_track",
	 .drift_pct = 1,
	 .was_drift_pct = 1,
	 .actual = 3,
	 .expected = 3,
	 .display_unit = "TWh",
	 .alert_state = "ok"},
};
static const et_digest_change_t changes[1] = {
	{.when = "06-29 10:00", .what = "Raw coal [city]: firing (behind, drift -20.0 %)"},
};

static et_digest_mail_t digest(et_lang_t lang)
{
	return (et_digest_mail_t){.lang = lang,
				  .period = "2024-06-30",
				  .tz = "Asia/Shanghai",
				  .since = "2024-06-29 08:00",
				  .targets = targets,
				  .ntargets = 3,
				  .changes = changes,
				  .nchanges = 1};
}

static void test_subject(void **state)
{
	(void)state;
	et_digest_mail_t d = digest(ET_LANG_EN);
	char s[300];
	assert_true(et_digest_subject(&d, s, sizeof(s)) > 0);
	assert_string_equal(s, "[enertrack] digest 2024-06-30: 2 behind, 1 on track, 1 firing");
	d.lang = ET_LANG_ZH_CN;
	assert_true(et_digest_subject(&d, s, sizeof(s)) > 0);
	assert_non_null(strstr(s, "[enertrack] 每日摘要 2024-06-30: 2 "));
	assert_non_null(strstr(s, ", 1 告警中"));
	assert_int_equal(et_digest_subject(&d, s, 20), -ENOSPC);
}

static void test_render_en(void **state)
{
	(void)state;
	et_digest_mail_t d = digest(ET_LANG_EN);
	et_buf_t text = ET_BUF_INIT, html = ET_BUF_INIT;
	assert_int_equal(et_digest_render(&d, &text, &html), 0);
	assert_int_equal(strlen(text.data), text.len);
	assert_non_null(
		strstr(text.data, "Digest of 2024-06-30 (Asia/Shanghai)\r\n\r\nTargets\r\n"));
	assert_non_null(strstr(text.data, "  Raw coal [city]: "));
	assert_non_null(strstr(text.data, "-20 % (last digest -19.5 %)"));
	assert_non_null(strstr(text.data, "12.5 Mt / "));
	assert_non_null(strstr(text.data, "firing, silenced\r\n"));
	/* no value is n/a, as in every output */
	assert_non_null(strstr(text.data, "(last digest n/a)"));
	assert_non_null(strstr(text.data, "Actual n/a / Expected 2 Mt"));
	assert_non_null(strstr(text.data, "Since the last digest (2024-06-29 08:00)\r\n"
					  "  06-29 10:00 Raw coal [city]: firing"));
	/* data is escaped in the HTML, and the chart is shown by its cid */
	assert_non_null(strstr(html.data, "<html lang=\"en\">"));
	assert_non_null(strstr(html.data, "county:&lt;x&gt;&amp;"));
	assert_null(strstr(html.data, "<x>"));
	assert_non_null(strstr(html.data, "<img src=\"cid:chart-1.digest-2024-06-30@enertrack\""));
	assert_non_null(strstr(html.data, "</ul></body></html>"));
	/* a phone's width: the viewport is the device's, and the targets are
	 * one column of cells, not a table of seven columns (464 px in 390) */
	assert_non_null(strstr(html.data, "<meta name=\"viewport\" content=\"width=device-width"));
	assert_null(strstr(html.data, "<th>"));
	assert_non_null(strstr(html.data, "max-width:560px"));
	et_buf_free(&text);
	et_buf_free(&html);
}

static void test_render_zh_nothing(void **state)
{
	(void)state;
	et_digest_mail_t d = digest(ET_LANG_ZH_CN);
	d.since = NULL;
	d.nchanges = 0;
	et_buf_t text = ET_BUF_INIT, html = ET_BUF_INIT;
	assert_int_equal(et_digest_render(&d, &text, &html), 0);
	assert_non_null(strstr(text.data, "每日摘要 2024-06-30 (Asia/Shanghai)\r\n\r\n目标\r\n"));
	assert_non_null(strstr(text.data, "过去24小时\r\n  无变化\r\n"));
	assert_non_null(strstr(text.data, "已静默"));
	assert_non_null(strstr(html.data, "<html lang=\"zh-CN\">"));
	assert_non_null(strstr(html.data, "<li>无变化</li>"));
	et_buf_free(&text);
	et_buf_free(&html);
}

/* Issue 21: a target in % (an intensity decline) drifts in percentage
 * points in the digest, now and at the last digest. */
static void test_render_points(void **state)
{
	(void)state;
	for (int zh = 0; zh < 2; zh++) {
		et_digest_mail_t d = digest(zh ? ET_LANG_ZH_CN : ET_LANG_EN);
		et_digest_target_t t = d.targets[0];
		t.display_unit = "%";
		t.drift_pct = -0.6743;
		t.was_drift_pct = 0.1;
		d.targets = &t;
		d.ntargets = 1;
		et_buf_t text = ET_BUF_INIT, html = ET_BUF_INIT;
		assert_int_equal(et_digest_render(&d, &text, &html), 0);
		const char *now = zh ? "-0.67 个百分点" : "-0.67 pp",
			   *was = zh ? "+0.10 个百分点" : "+0.10 pp";
		if (!strstr(text.data, now) || !strstr(text.data, was) || !strstr(html.data, now))
			fail_msg("want %s and %s:\n%s", now, was, text.data);
		assert_null(strstr(text.data, "-0.674 %"));
		et_buf_free(&text);
		et_buf_free(&html);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_subject),
		cmocka_unit_test(test_render_en),
		cmocka_unit_test(test_render_zh_nothing),
		cmocka_unit_test(test_render_points),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
