/* SPDX-License-Identifier: MIT */
/* The milestone and reconciliation mails' words (see truthmail.h). The same
 * arguments go to either language's format, so that the two can differ
 * only in wording. */
#include "enertrack/truthmail.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Macros, not a table, so that the compiler checks each format against its
 * arguments. Subject: label, year, project, days late, due, size. */
#define MILESTONE_SUBJECT_EN "[enertrack] %s %s: %s is %s days overdue (due %s, %.1f %s)"
#define MILESTONE_SUBJECT_ZH "[enertrack] %s %s：项目 %s 已逾期 %s 天（应于 %s 投运，%.1f %s）"

/* Body: label, year, " " and scope (nothing for the city), project, site,
 * due, days late, grace, size, commissioned, planned. */
#define MILESTONE_BODY_EN \
	"%s %s%s%s: a project is late.\n\n" \
	"Project:       %s\n" \
	"Site:          %s\n" \
	"Due:           %s (%s days ago; mailed after %d days of grace)\n" \
	"Size:          %.1f %s\n" \
	"Commissioned:  %.1f %s at the site this year, %.1f %s planned by now\n\n" \
	"This mail goes once for this project. `enertrack status` lists every\n" \
	"late project with its due date.\n"
#define MILESTONE_BODY_ZH \
	"%s %s%s%s：有项目逾期。\n\n" \
	"项目:     %s\n" \
	"站点:     %s\n" \
	"应投运:   %s（已逾期 %s 天；宽限 %d 天后发信）\n" \
	"规模:     %.1f %s\n" \
	"已投运:   本站今年 %.1f %s，按计划此时应为 %.1f %s\n\n" \
	"每个项目只发一次此邮件。`enertrack status` 列出所有逾期项目及其应投运日期。\n"

/* Body: county, label, month, telemetry, official figure and its source,
 * gap, threshold. (The subjects differ in word order: see below.) */
#define RECONCILE_BODY_EN \
	"The telemetry of %s does not add up to its official statistics.\n\n" \
	"Metric:        %s\n" \
	"Month:         %s\n" \
	"Telemetry:     %.2f %s\n" \
	"Statistics:    %.2f %s (%s)\n" \
	"Gap:           %+.1f %% (mails above %.1f %%)\n\n" \
	"A meter or a publisher is wrong: check the county's sites first.\n" \
	"Targets count the official figure for closed months; the view\n" \
	"telemetry_vs_statistics shows every month.\n"
#define RECONCILE_BODY_ZH \
	"%s 的遥测合计与官方统计数据不符。\n\n" \
	"指标:     %s\n" \
	"月份:     %s\n" \
	"遥测:     %.2f %s\n" \
	"统计:     %.2f %s（%s）\n" \
	"差距:     %+.1f %%（超过 %.1f %% 时发信）\n\n" \
	"有电表或上报方出错：请先检查该县的站点。\n" \
	"已结束的月份以官方数据计入目标；视图 telemetry_vs_statistics 列出每个月。\n"

static double div_or_1(double div)
{
	return div > 0 ? div : 1;
}

static const char *s_(const char *s)
{
	return s ? s : "";
}

/* snprintf's result: whether it fit. */
static bool fit(int n, size_t len)
{
	return n >= 0 && (size_t)n < len;
}

int et_truthmail_milestone(et_lang_t lang, const et_milestone_mail_t *m, et_truth_text_t *ret)
{
	int zh = lang == ET_LANG_ZH_CN;
	double div = div_or_1(m->display_div);
	const char *unit = s_(m->display_unit), *scope = s_(m->scope);
	bool city = strcmp(scope, "city") == 0;
	bool ok = fit(snprintf(ret->subject, sizeof(ret->subject), zh ? MILESTONE_SUBJECT_ZH : MILESTONE_SUBJECT_EN,
			       s_(m->label), s_(m->year), s_(m->name), s_(m->days_late),
			       s_(m->due), m->value / div, unit),
		      sizeof(ret->subject));
	ok &= fit(snprintf(ret->body, sizeof(ret->body), zh ? MILESTONE_BODY_ZH : MILESTONE_BODY_EN, s_(m->label),
			   s_(m->year), city ? "" : " ", city ? "" : scope, s_(m->name),
			   s_(m->site_id), s_(m->due), s_(m->days_late), m->grace_days,
			   m->value / div, unit, m->commissioned / div, unit,
			   m->planned_to_here / div, unit),
		  sizeof(ret->body));
	ok &= fit(snprintf(ret->detail, sizeof(ret->detail), "%s due %s (%.1f %s) is %s days overdue",
			   s_(m->name), s_(m->due), m->value / div, unit, s_(m->days_late)),
		  sizeof(ret->detail));
	return ok ? 0 : -ENOSPC;
}

int et_truthmail_reconcile(et_lang_t lang, const et_reconcile_mail_t *m, et_truth_text_t *ret)
{
	int zh = lang == ET_LANG_ZH_CN;
	double div = div_or_1(m->display_div), gap = m->gap_pct;
	const char *unit = s_(m->display_unit), *scope = s_(m->scope);
	const char *county = strncmp(scope, "county:", 7) == 0 ? scope + 7 : scope;
	bool ok;
	if (zh)
		ok = fit(snprintf(ret->subject, sizeof(ret->subject),
				  "[enertrack] %s：%s 遥测值%s统计数据 %.1f%%（%s）", county,
				  s_(m->label), gap < 0 ? "低于" : "高于", fabs(gap),
				  s_(m->period)),
			 sizeof(ret->subject));
	else
		ok = fit(snprintf(ret->subject, sizeof(ret->subject),
				  "[enertrack] %s: %s telemetry %.1f%% %s the statistics (%s)",
				  county, s_(m->label), fabs(gap), gap < 0 ? "below" : "above",
				  s_(m->period)),
			 sizeof(ret->subject));
	ok &= fit(snprintf(ret->body, sizeof(ret->body), zh ? RECONCILE_BODY_ZH : RECONCILE_BODY_EN, county,
			   s_(m->label), s_(m->period), m->telemetry / div, unit,
			   m->official / div, unit, s_(m->source), gap, m->reconcile_pct),
		  sizeof(ret->body));
	ok &= fit(snprintf(ret->detail, sizeof(ret->detail),
			   "%s %s %s: telemetry %+.1f %% against %s", county, s_(m->metric),
			   s_(m->period), gap, s_(m->source)),
		  sizeof(ret->detail));
	return ok ? 0 : -ENOSPC;
}
