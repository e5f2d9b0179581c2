/* SPDX-License-Identifier: MIT */
/* The languages and the message catalogue (include/enertrack/i18n.h). The
 * table is sorted by key (a unit test checks it) and searched by bisection.
 * Chinese wording follows the bureau's: 序时进度 is the time-proportional
 * schedule, 目标 the target, 预测 the projection. */
#include "enertrack/i18n.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct msg {
	const char *key, *en, *zh;
};

/* sorted by key, in strcmp order */
static const struct msg catalogue[] = {
	{"alert.behind", "behind schedule", "落后于序时进度"},
	{"alert.drift", "drift", "偏差"},
	{"alert.over", "over schedule", "超出序时进度"},
	{"alert.reminder", "reminder", "提醒"},
	{"alert.resolved", "back on track", "已恢复正常"},
	{"chart.actual", "Actual (year to date)", "实际累计"},
	{"chart.band", "Projection range", "预测区间"},
	{"chart.expected", "Expected (schedule)", "序时进度"},
	{"chart.gap_title", "Who drives the gap", "差距来源"},
	{"chart.last_year", "Last year", "去年同期"},
	{"chart.no_gap", "No per-site shares for this target", "该目标无分站点份额"},
	{"chart.no_gap_behind", "No site is behind", "无落后站点"},
	{"chart.projection", "Projection", "全年预测"},
	{"chart.target", "Target", "目标"},
	{"mail.chart_alt", "Progress chart: actual, expected schedule, target and projection",
	 "进度图：实际累计、序时进度、目标与全年预测"},
	{"mail.chart_in_html", "The chart of this target is in the HTML version of this mail.",
	 "本目标的进度图见本邮件的HTML版本。"},
	{"mail.expected_now", "Expected by now", "序时应完成"},
	{"mail.goal", "Goal", "目标值"},
	{"mail.kind_about", "about ", "约 "},
	{"mail.kind_at_least", "at least ", "不低于 "},
	{"mail.kind_reduce_by", "reduce by ", "下降 "},
	{"mail.per_day", "/day", "/日"},
	{"mail.plan", "Plan", "规划"},
	{"mail.projected", "Projected year-end", "全年预计"},
	{"mail.required", "Required from now", "此后每日需完成"},
	{"mail.sent_by", "Sent by enertrack.", "由 enertrack 发送。"},
	{"mail.site_actual", "actual ", "实际 "},
	{"mail.site_gap", " expected, gap ", "，差距 "},
	{"mail.site_last", "last data ", "最后数据 "},
	{"mail.site_of", " of ", "，应完成 "},
	{"mail.site_so_far", ", so far ", "，累计 "},
	{"mail.sites_behind", "Furthest behind", "落后最多的站点"},
	{"mail.sites_stale", "Stale sites", "数据中断的站点"},
	{"mail.stale", "stale", "数据中断"},
	{"page.alerts", "Firing alerts", "正在告警"},
	{"page.generated", "Generated", "生成时间"},
	{"page.no_alerts", "No alert is firing.", "当前无告警。"},
	{"page.no_stale", "No site is stale.", "无数据中断的站点。"},
	{"page.refresh", "This page refreshes itself every minute.", "本页每分钟自动刷新。"},
	{"page.stale", "Stale sites", "数据中断的站点"},
	{"page.targets", "Targets", "目标"},
	{"page.title", "enertrack: targets", "enertrack：目标进度"},
	{"scope.city", "city", "全市"},
	{"scope.county", "county", "区县"},
	{"scope.site", "site", "站点"},
	{"status.ahead", "ahead", "超前"},
	{"status.behind", "behind", "落后"},
	{"status.insufficient_data", "insufficient data", "数据不足"},
	{"status.on_track", "on track", "正常"},
	{"status.over", "over", "超出"},
	{"status.too_early", "too early", "为时尚早"},
	{"word.actual", "Actual", "实际"},
	{"word.county", "County", "区县"},
	{"word.drift", "Drift", "偏差"},
	{"word.elapsed", "Year elapsed", "时间进度"},
	{"word.expected", "Expected", "应完成"},
	{"word.gap", "Gap", "差距"},
	{"word.last_reading", "Last reading", "最后读数"},
	{"word.metric", "Metric", "指标"},
	{"word.projected", "Projected", "全年预测"},
	{"word.required_daily", "Needed per day", "每日需完成"},
	{"word.scope", "Scope", "范围"},
	{"word.since", "Since", "开始于"},
	{"word.site", "Site", "站点"},
	{"word.sites", "Sites", "站点"},
	{"word.state", "State", "状态"},
	{"word.status", "Status", "状态"},
	{"word.target", "Target", "目标"},
	{"word.year", "Year", "年度"},
};

int et_lang_parse(const char *s, et_lang_t *ret)
{
	if (!s)
		return -EINVAL;
	if (strcasecmp(s, "en") == 0) {
		*ret = ET_LANG_EN;
		return 0;
	}
	if (strcasecmp(s, "zh-CN") == 0 || strcasecmp(s, "zh_CN") == 0 ||
	    strcasecmp(s, "zh") == 0) {
		*ret = ET_LANG_ZH_CN;
		return 0;
	}
	return -EINVAL;
}

et_lang_t et_lang_or_en(const char *s)
{
	et_lang_t l = ET_LANG_EN;
	if (et_lang_parse(s, &l))
		return ET_LANG_EN;
	return l;
}

const char *et_lang_tag(et_lang_t lang)
{
	return lang == ET_LANG_ZH_CN ? "zh-CN" : "en";
}

static int cmp_key(const void *k, const void *m)
{
	return strcmp(k, ((const struct msg *)m)->key);
}

const char *et_tr(et_lang_t lang, const char *key)
{
	if (!key)
		return "";
	const struct msg *m = bsearch(key, catalogue, sizeof(catalogue) / sizeof(catalogue[0]),
				      sizeof(catalogue[0]), cmp_key);
	if (!m)
		return key;
	return lang == ET_LANG_ZH_CN ? m->zh : m->en;
}

/* For the unit test: the table's size and its i-th key (NULL past the end). */
const char *et_i18n_key_at(size_t i);
const char *et_i18n_key_at(size_t i)
{
	return i < sizeof(catalogue) / sizeof(catalogue[0]) ? catalogue[i].key : NULL;
}

void et_scope_text(et_lang_t lang, const char *scope, char *out, size_t len)
{
	if (!len)
		return;
	const char *s = scope ? scope : "";
	if (strcmp(s, "city") == 0)
		s = et_tr(lang, "scope.city");
	else if (strncmp(s, "county:", 7) == 0)
		s += 7;
	else if (strncmp(s, "site:", 5) == 0)
		s += 5;
	size_t n = strlen(s);
	if (n >= len) {
		n = len - 1;
		/* not in the middle of a UTF-8 sequence */
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(out, s, n);
	out[n] = '\0';
}
