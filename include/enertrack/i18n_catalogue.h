/* SPDX-License-Identifier: MIT */
/* The message catalogue: every word enertrack writes for people, in each
 * language. One line per message: ET_MSG_DEF(ID, "key", "English", "中文").
 * The ID names it in C (ET_MSG_ID, through et_msg()); the dotted key is for
 * lookups by name (a status from the database: et_tr(lang, "status.behind")).
 * Adding a message is adding its line; include/enertrack/i18n.h makes the
 * enum and lib/i18n.c the table from this list. Groups: one per output.
 * Chinese wording follows the bureau's: 序时进度 is the time-proportional
 * schedule, 目标 the target, 预测 the projection. */
/* No include guard: i18n.h includes it for the enum and lib/i18n.c for the
 * table, each with its own ET_MSG_DEF. Keep the groups apart, so that
 * adding to one does not touch another's lines. */
/* alert */
ET_MSG_DEF(ALERT_BEHIND, "alert.behind", "behind schedule", "落后于序时进度")
ET_MSG_DEF(ALERT_DRIFT, "alert.drift", "drift", "偏差")
ET_MSG_DEF(ALERT_OVER, "alert.over", "over schedule", "超出序时进度")
ET_MSG_DEF(ALERT_REMINDER, "alert.reminder", "reminder", "提醒")
ET_MSG_DEF(ALERT_RESOLVED, "alert.resolved", "back on track", "已恢复正常")
/* chart */
ET_MSG_DEF(CHART_ACTUAL, "chart.actual", "Actual (year to date)", "实际累计")
ET_MSG_DEF(CHART_BAND, "chart.band", "Projection range", "预测区间")
ET_MSG_DEF(CHART_EXPECTED, "chart.expected", "Expected (schedule)", "序时进度")
ET_MSG_DEF(CHART_GAP_TITLE, "chart.gap_title", "Who drives the gap", "差距来源")
ET_MSG_DEF(CHART_LAST_YEAR, "chart.last_year", "Last year", "去年同期")
ET_MSG_DEF(CHART_NO_GAP, "chart.no_gap", "No per-site shares for this target", "该目标无分站点份额")
ET_MSG_DEF(CHART_NO_GAP_BEHIND, "chart.no_gap_behind", "No site is behind", "无落后站点")
ET_MSG_DEF(CHART_PROJECTION, "chart.projection", "Projection", "全年预测")
ET_MSG_DEF(CHART_TARGET, "chart.target", "Target", "目标")
/* the months on a chart's axis, in order (draw/chart.c counts from MONTH_JAN) */
ET_MSG_DEF(MONTH_JAN, "month.jan", "Jan", "1月")
ET_MSG_DEF(MONTH_FEB, "month.feb", "Feb", "2月")
ET_MSG_DEF(MONTH_MAR, "month.mar", "Mar", "3月")
ET_MSG_DEF(MONTH_APR, "month.apr", "Apr", "4月")
ET_MSG_DEF(MONTH_MAY, "month.may", "May", "5月")
ET_MSG_DEF(MONTH_JUN, "month.jun", "Jun", "6月")
ET_MSG_DEF(MONTH_JUL, "month.jul", "Jul", "7月")
ET_MSG_DEF(MONTH_AUG, "month.aug", "Aug", "8月")
ET_MSG_DEF(MONTH_SEP, "month.sep", "Sep", "9月")
ET_MSG_DEF(MONTH_OCT, "month.oct", "Oct", "10月")
ET_MSG_DEF(MONTH_NOV, "month.nov", "Nov", "11月")
ET_MSG_DEF(MONTH_DEC, "month.dec", "Dec", "12月")
/* a target's kind */
ET_MSG_DEF(KIND_ABOUT, "kind.about", "about", "约")
ET_MSG_DEF(KIND_AT_LEAST, "kind.at_least", "at least", "不低于")
ET_MSG_DEF(KIND_REDUCE_BY, "kind.reduce_by", "reduce by", "下降")
/* enertrack status */
ET_MSG_DEF(CLI_HEADLINE, "cli.headline", "Targets at {1} ({2}): {3} % of {4} elapsed",
	   "目标进度 {1}（{2}）：{4} 年时间已过 {3} %")
ET_MSG_DEF(CLI_COL_TARGET, "cli.col_target", "target", "目标")
ET_MSG_DEF(CLI_COL_KIND, "cli.col_kind", "kind", "类型")
ET_MSG_DEF(CLI_COL_PLAN, "cli.col_plan", "plan", "规划")
ET_MSG_DEF(CLI_COL_EXPECTED, "cli.col_expected", "expected", "序时应完成")
ET_MSG_DEF(CLI_COL_ACTUAL, "cli.col_actual", "actual", "实际")
ET_MSG_DEF(CLI_COL_DRIFT, "cli.col_drift", "drift", "偏差")
ET_MSG_DEF(CLI_COL_PROJECTED, "cli.col_projected", "projected", "全年预计")
ET_MSG_DEF(CLI_COL_STATUS, "cli.col_status", "status", "状态")
ET_MSG_DEF(CLI_COL_SITES, "cli.col_sites", "sites (stale)", "站点（中断）")
ET_MSG_DEF(CLI_SITES, "cli.sites", "{1} ({2})", "{1}（{2}）")
ET_MSG_DEF(CLI_BEHIND_HEAD, "cli.behind_head", "{1} {2}: the sites furthest behind their own share",
	   "{1}：{2}，落后于自身份额最多的站点")
ET_MSG_DEF(CLI_SITE_LINE, "cli.site_line", "actual {1}  expected {2}  gap {3}{4}",
	   "实际 {1}  应完成 {2}  差距 {3}{4}")
ET_MSG_DEF(CLI_STALE_MARK, "cli.stale_mark", "  (stale)", "  （数据中断）")
ET_MSG_DEF(CLI_NO_TARGETS, "cli.no_targets", "no targets for the year of {1}",
	   "{1} 所在年度没有目标")
/* mail */
ET_MSG_DEF(MAIL_CHART_ALT, "mail.chart_alt",
	   "Progress chart: actual, expected schedule, target and projection",
	   "进度图：实际累计、序时进度、目标与全年预测")
ET_MSG_DEF(MAIL_CHART_IN_HTML, "mail.chart_in_html",
	   "The chart of this target is in the HTML version of this mail.",
	   "本目标的进度图见本邮件的HTML版本。")
ET_MSG_DEF(MAIL_EXPECTED_NOW, "mail.expected_now", "Expected by now", "序时应完成")
ET_MSG_DEF(MAIL_GOAL, "mail.goal", "Goal", "目标值")
ET_MSG_DEF(MAIL_PER_DAY, "mail.per_day", "/day", "/日")
ET_MSG_DEF(MAIL_PLAN, "mail.plan", "Plan", "规划")
ET_MSG_DEF(MAIL_PROJECTED, "mail.projected", "Projected year-end", "全年预计")
ET_MSG_DEF(MAIL_REQUIRED, "mail.required", "Required from now", "此后每日需完成")
ET_MSG_DEF(MAIL_SENT_BY, "mail.sent_by", "Sent by enertrack.", "由 enertrack 发送。")
ET_MSG_DEF(MAIL_SITE_ACTUAL, "mail.site_actual", "actual ", "实际 ")
ET_MSG_DEF(MAIL_SITE_GAP, "mail.site_gap", " expected, gap ", "，差距 ")
ET_MSG_DEF(MAIL_SITE_LAST, "mail.site_last", "last data ", "最后数据 ")
ET_MSG_DEF(MAIL_SITE_OF, "mail.site_of", " of ", "，应完成 ")
ET_MSG_DEF(MAIL_SITE_SO_FAR, "mail.site_so_far", ", so far ", "，累计 ")
ET_MSG_DEF(MAIL_SITES_BEHIND, "mail.sites_behind", "Furthest behind", "落后最多的站点")
ET_MSG_DEF(MAIL_SITES_STALE, "mail.sites_stale", "Stale sites", "数据中断的站点")
ET_MSG_DEF(MAIL_STALE, "mail.stale", "stale", "数据中断")
ET_MSG_DEF(MAIL_NEVER, "mail.never", "never", "never")
ET_MSG_DEF(MAIL_PROGRESS, "mail.progress", "Progress ({1} of the year)", "进度（全年时间已过 {1}）")
ET_MSG_DEF(MAIL_SITES_COUNT, "mail.sites_count", "{1} reporting, {2} stale",
	   "{1} 个正常上报，{2} 个数据中断")
ET_MSG_DEF(MAIL_SUBJECT, "mail.subject", "[enertrack] {1}{2} {3}: {4}",
	   "[enertrack] {1}{2} {3}：{4}")
ET_MSG_DEF(MAIL_SUBJ_REMINDER, "mail.subj_reminder", "reminder: ", "提醒：")
ET_MSG_DEF(MAIL_SUBJ_RESOLVED_DRIFT, "mail.subj_resolved_drift", "back on track (drift {1}%)",
	   "已恢复正常（偏差 {1}%）")
ET_MSG_DEF(MAIL_SUBJ_OFF, "mail.subj_off", "off schedule", "偏离序时进度")
ET_MSG_DEF(MAIL_SUBJ_BEHIND, "mail.subj_behind", "{1}% behind schedule", "落后于序时进度 {1}%")
ET_MSG_DEF(MAIL_SUBJ_OVER, "mail.subj_over", "{1}% over schedule", "超出序时进度 {1}%")
/* page */
ET_MSG_DEF(PAGE_ALERTS, "page.alerts", "Firing alerts", "正在告警")
ET_MSG_DEF(PAGE_GENERATED, "page.generated", "Generated", "生成时间")
ET_MSG_DEF(PAGE_NO_ALERTS, "page.no_alerts", "No alert is firing.", "当前无告警。")
ET_MSG_DEF(PAGE_NO_STALE, "page.no_stale", "No site is stale.", "无数据中断的站点。")
ET_MSG_DEF(PAGE_REFRESH, "page.refresh", "This page refreshes itself every minute.",
	   "本页每分钟自动刷新。")
ET_MSG_DEF(PAGE_STALE, "page.stale", "Stale sites", "数据中断的站点")
ET_MSG_DEF(PAGE_TARGETS, "page.targets", "Targets", "目标")
ET_MSG_DEF(PAGE_TITLE, "page.title", "enertrack: targets", "enertrack：目标进度")
ET_MSG_DEF(PAGE_SILENCES, "page.silences", "Silences", "静默与确认")
ET_MSG_DEF(PAGE_UNTIL, "page.until", "Until", "截至")
ET_MSG_DEF(PAGE_REASON, "page.reason", "Reason", "原因")
ET_MSG_DEF(PAGE_ENDED, "page.ended", "ended", "已结束")
ET_MSG_DEF(PAGE_ACK_UNTIL_RESOLVED, "page.ack_until_resolved", "ack, until resolved",
	   "确认，至恢复")
/* scope */
ET_MSG_DEF(SCOPE_CITY, "scope.city", "city", "全市")
ET_MSG_DEF(SCOPE_COUNTY, "scope.county", "county", "区县")
ET_MSG_DEF(SCOPE_SITE, "scope.site", "site", "站点")
/* status */
ET_MSG_DEF(STATUS_AHEAD, "status.ahead", "ahead", "超前")
ET_MSG_DEF(STATUS_BEHIND, "status.behind", "behind", "落后")
ET_MSG_DEF(STATUS_INSUFFICIENT_DATA, "status.insufficient_data", "insufficient data", "数据不足")
ET_MSG_DEF(STATUS_ON_TRACK, "status.on_track", "on track", "正常")
ET_MSG_DEF(STATUS_OVER, "status.over", "over", "超出")
ET_MSG_DEF(STATUS_TOO_EARLY, "status.too_early", "too early", "为时尚早")
/* word */
ET_MSG_DEF(WORD_ACTUAL, "word.actual", "Actual", "实际")
ET_MSG_DEF(WORD_COUNTY, "word.county", "County", "区县")
ET_MSG_DEF(WORD_DRIFT, "word.drift", "Drift", "偏差")
ET_MSG_DEF(WORD_ELAPSED, "word.elapsed", "Year elapsed", "时间进度")
ET_MSG_DEF(WORD_EXPECTED, "word.expected", "Expected", "应完成")
ET_MSG_DEF(WORD_GAP, "word.gap", "Gap", "差距")
ET_MSG_DEF(WORD_LAST_READING, "word.last_reading", "Last reading", "最后读数")
ET_MSG_DEF(WORD_METRIC, "word.metric", "Metric", "指标")
ET_MSG_DEF(WORD_PROJECTED, "word.projected", "Projected", "全年预测")
ET_MSG_DEF(WORD_REQUIRED_DAILY, "word.required_daily", "Needed per day", "每日需完成")
ET_MSG_DEF(WORD_SCOPE, "word.scope", "Scope", "范围")
ET_MSG_DEF(WORD_SINCE, "word.since", "Since", "开始于")
ET_MSG_DEF(WORD_SITE, "word.site", "Site", "站点")
ET_MSG_DEF(WORD_SITES, "word.sites", "Sites", "站点")
ET_MSG_DEF(WORD_STATE, "word.state", "State", "状态")
ET_MSG_DEF(WORD_STATUS, "word.status", "Status", "状态")
ET_MSG_DEF(WORD_TARGET, "word.target", "Target", "目标")
ET_MSG_DEF(WORD_YEAR, "word.year", "Year", "年度")
/* the digest mail */
ET_MSG_DEF(DIGEST_TITLE, "digest.title", "Digest of", "每日摘要")
ET_MSG_DEF(DIGEST_TARGETS, "digest.targets", "Targets", "目标")
ET_MSG_DEF(DIGEST_SINCE, "digest.since", "Since the last digest", "自上次摘要以来")
ET_MSG_DEF(DIGEST_DAY, "digest.day", "In the last 24 hours", "过去24小时")
ET_MSG_DEF(DIGEST_NOTHING, "digest.nothing", "nothing changed", "无变化")
ET_MSG_DEF(DIGEST_WAS, "digest.was", "last digest", "上次摘要")
ET_MSG_DEF(DIGEST_ALERT, "digest.alert", "Alert", "告警")
ET_MSG_DEF(DIGEST_SILENCED, "digest.silenced", "silenced", "已静默")
ET_MSG_DEF(DIGEST_SUBJECT, "digest.subject", "digest", "每日摘要")
ET_MSG_DEF(DIGEST_FIRING, "digest.firing", "firing", "告警中")
/* the milestone and reconciliation mails (lib/truthmail.c) */
ET_MSG_DEF(TRUTH_MS_SUBJECT, "truth.ms_subject",
	   "[enertrack] {1} {2}: {3} is {4} days overdue (due {5}, {6} {7})",
	   "[enertrack] {1} {2}：项目 {3} 已逾期 {4} 天（应于 {5} 投运，{6} {7}）")
ET_MSG_DEF(TRUTH_MS_HEAD, "truth.ms_head", "{1} {2}{3}: a project is late.",
	   "{1} {2}{3}：有项目逾期。")
ET_MSG_DEF(TRUTH_MS_PROJECT, "truth.ms_project", "Project:       {1}", "项目:     {1}")
ET_MSG_DEF(TRUTH_MS_SITE, "truth.ms_site", "Site:          {1}", "站点:     {1}")
ET_MSG_DEF(TRUTH_MS_DUE, "truth.ms_due",
	   "Due:           {1} ({2} days ago; mailed after {3} days of grace)",
	   "应投运:   {1}（已逾期 {2} 天；宽限 {3} 天后发信）")
ET_MSG_DEF(TRUTH_MS_SIZE, "truth.ms_size", "Size:          {1} {2}", "规模:     {1} {2}")
ET_MSG_DEF(TRUTH_MS_DONE, "truth.ms_done",
	   "Commissioned:  {1} {2} at the site this year, {3} {4} planned by now",
	   "已投运:   本站今年 {1} {2}，按计划此时应为 {3} {4}")
ET_MSG_DEF(TRUTH_MS_ONCE, "truth.ms_once",
	   "This mail goes once for this project. `enertrack status` lists every\n"
	   "late project with its due date.",
	   "每个项目只发一次此邮件。`enertrack status` 列出所有逾期项目及其应投运日期。")
ET_MSG_DEF(TRUTH_RC_SUBJECT_BELOW, "truth.rc_subject_below",
	   "[enertrack] {1}: {2} telemetry {3}% below the statistics ({4})",
	   "[enertrack] {1}：{2} 遥测值低于统计数据 {3}%（{4}）")
ET_MSG_DEF(TRUTH_RC_SUBJECT_ABOVE, "truth.rc_subject_above",
	   "[enertrack] {1}: {2} telemetry {3}% above the statistics ({4})",
	   "[enertrack] {1}：{2} 遥测值高于统计数据 {3}%（{4}）")
ET_MSG_DEF(TRUTH_RC_HEAD, "truth.rc_head",
	   "The telemetry of {1} does not add up to its official statistics.",
	   "{1} 的遥测合计与官方统计数据不符。")
ET_MSG_DEF(TRUTH_RC_METRIC, "truth.rc_metric", "Metric:        {1}", "指标:     {1}")
ET_MSG_DEF(TRUTH_RC_MONTH, "truth.rc_month", "Month:         {1}", "月份:     {1}")
ET_MSG_DEF(TRUTH_RC_TELEMETRY, "truth.rc_telemetry", "Telemetry:     {1} {2}", "遥测:     {1} {2}")
ET_MSG_DEF(TRUTH_RC_STATISTICS, "truth.rc_statistics", "Statistics:    {1} {2} ({3})",
	   "统计:     {1} {2}（{3}）")
ET_MSG_DEF(TRUTH_RC_GAP, "truth.rc_gap", "Gap:           {1} (mails above {2})",
	   "差距:     {1}（超过 {2} 时发信）")
ET_MSG_DEF(TRUTH_RC_WHAT, "truth.rc_what",
	   "A meter or a publisher is wrong: check the county's sites first.\n"
	   "Targets count the official figure for closed months; the view\n"
	   "telemetry_vs_statistics shows every month.",
	   "有电表或上报方出错：请先检查该县的站点。\n"
	   "已结束的月份以官方数据计入目标；视图 telemetry_vs_statistics 列出每个月。")
/* enertrack report: column headers and sheet titles, found by their English
   text (et_tr_text), as the SQL names its columns */
ET_MSG_DEF(REPORT_TITLE, "report.title", "enertrack: the targets of {1} at {2}",
	   "enertrack：{1} 年目标进度，截至 {2}")
ET_MSG_DEF(REPORT_ID, "report.id", "Id", "编号")
ET_MSG_DEF(REPORT_TARGET, "report.target", "Target", "目标")
ET_MSG_DEF(REPORT_SCOPE, "report.scope", "Scope", "范围")
ET_MSG_DEF(REPORT_KIND, "report.kind", "Kind", "类型")
ET_MSG_DEF(REPORT_UNIT, "report.unit", "Unit", "单位")
ET_MSG_DEF(REPORT_PLAN_IN_UNIT, "report.plan_in_unit", "Plan (in Unit)", "规划（按单位列）")
ET_MSG_DEF(REPORT_EXPECTED_BY_THEN_IN_UNIT, "report.expected_by_then_in_unit",
	   "Expected by then (in Unit)", "序时应完成（按单位列）")
ET_MSG_DEF(REPORT_ACTUAL_IN_UNIT, "report.actual_in_unit", "Actual (in Unit)", "实际（按单位列）")
ET_MSG_DEF(REPORT_DRIFT, "report.drift", "Drift (%)", "偏差（%）")
ET_MSG_DEF(REPORT_PROJECTED_YEAR_END_IN_UNIT, "report.projected_year_end_in_unit",
	   "Projected year end (in Unit)", "全年预测（按单位列）")
ET_MSG_DEF(REPORT_YEAR_ELAPSED, "report.year_elapsed", "Year elapsed (%)", "时间进度（%）")
ET_MSG_DEF(REPORT_SITES_REPORTING, "report.sites_reporting", "Sites reporting", "上报站点")
ET_MSG_DEF(REPORT_SITES_STALE, "report.sites_stale", "Sites stale", "数据中断站点")
ET_MSG_DEF(REPORT_STATUS, "report.status", "Status", "状态")
ET_MSG_DEF(REPORT_PLAN_TEXT, "report.plan_text", "Plan text", "规划原文")
ET_MSG_DEF(REPORT_MONTH, "report.month", "Month", "月份")
ET_MSG_DEF(REPORT_EXPECTED_BY_MONTH_END_U, "report.expected_by_month_end_u",
	   "Expected by month end ({u})", "月末应完成（{u}）")
ET_MSG_DEF(REPORT_ACTUAL_BY_MONTH_END_U, "report.actual_by_month_end_u",
	   "Actual by month end ({u})", "月末实际累计（{u}）")
ET_MSG_DEF(REPORT_EXPECTED_IN_MONTH_U, "report.expected_in_month_u", "Expected in month ({u})",
	   "当月应完成（{u}）")
ET_MSG_DEF(REPORT_ACTUAL_IN_MONTH_U, "report.actual_in_month_u", "Actual in month ({u})",
	   "当月实际（{u}）")
ET_MSG_DEF(REPORT_COUNTY, "report.county", "County", "区县")
ET_MSG_DEF(REPORT_YEAR_TO_DATE_IN_UNIT, "report.year_to_date_in_unit", "Year to date (in Unit)",
	   "本年累计（按单位列）")
ET_MSG_DEF(REPORT_SAME_PERIOD_LAST_YEAR_IN_UNIT, "report.same_period_last_year_in_unit",
	   "Same period last year (in Unit)", "去年同期（按单位列）")
ET_MSG_DEF(REPORT_YEAR_ON_YEAR, "report.year_on_year", "Year on year (%)", "同比（%）")
ET_MSG_DEF(REPORT_SITES_COUNT, "report.sites_count", "Sites (count)", "站点数")
ET_MSG_DEF(REPORT_STALE_SITES, "report.stale_sites", "Stale sites", "数据中断站点数")
ET_MSG_DEF(REPORT_SITE, "report.site", "Site", "站点")
ET_MSG_DEF(REPORT_LAST_READING_LOCAL, "report.last_reading_local", "Last reading (local)",
	   "最后读数（当地时间）")
ET_MSG_DEF(REPORT_USUAL_INTERVAL_H, "report.usual_interval_h", "Usual interval (h)",
	   "通常间隔（小时）")
ET_MSG_DEF(REPORT_STALE, "report.stale", "Stale", "数据中断")
ET_MSG_DEF(REPORT_STALE_SITE, "report.stale_site", "Stale site", "数据中断站点")
ET_MSG_DEF(REPORT_METRIC, "report.metric", "Metric", "指标")
ET_MSG_DEF(REPORT_SILENT_FOR_H, "report.silent_for_h", "Silent for (h)", "已中断（小时）")
ET_MSG_DEF(REPORT_REJECTED_MESSAGES_REASON, "report.rejected_messages_reason",
	   "Rejected messages: reason", "被拒消息：原因")
ET_MSG_DEF(REPORT_MESSAGES, "report.messages", "Messages", "消息数")
ET_MSG_DEF(REPORT_FIRST_LOCAL, "report.first_local", "First (local)", "首次（当地时间）")
ET_MSG_DEF(REPORT_LAST_LOCAL, "report.last_local", "Last (local)", "最近（当地时间）")
ET_MSG_DEF(REPORT_TARGETS, "report.targets", "Targets", "目标")
ET_MSG_DEF(REPORT_PER_COUNTY, "report.per_county", "Per county", "分区县")
ET_MSG_DEF(REPORT_PER_SITE, "report.per_site", "Per site", "分站点")
ET_MSG_DEF(REPORT_COUNTIES, "report.counties", "Counties", "区县")
ET_MSG_DEF(REPORT_SITES, "report.sites", "Sites", "站点")
ET_MSG_DEF(REPORT_DATA_QUALITY, "report.data_quality", "Data quality", "数据质量")
ET_MSG_DEF(REPORT_DATA_QUALITY_STALE_SITES, "report.data_quality_stale_sites",
	   "Data quality: stale sites", "数据质量：数据中断站点")
ET_MSG_DEF(REPORT_DATA_QUALITY_REJECTED_MESSAGES_BY_REASON,
	   "report.data_quality_rejected_messages_by_reason",
	   "Data quality: rejected messages by reason", "数据质量：被拒消息（按原因）")
ET_MSG_DEF(REPORT_MONTHLY, "report.monthly", "Monthly", "逐月")
ET_MSG_DEF(REPORT_MONTH_BY_MONTH, "report.month_by_month", ": month by month", "：逐月")
/* page: the year shown, "as of", the firing problems of every kind */
ET_MSG_DEF(PAGE_AS_OF, "page.as_of", "As of", "截至")
ET_MSG_DEF(PAGE_YEARS, "page.years", "Years with targets:", "有目标的年份：")
ET_MSG_DEF(PAGE_LATEST_YEAR, "page.latest_year",
	   "{1} has no targets: this is {2}, the latest year that has.",
	   "{1} 年没有目标：此处显示有目标的最近一年 {2} 年。")
ET_MSG_DEF(PAGE_PAST_YEAR, "page.past_year",
	   "A past year: figures and stale sites as of {1}; alerts as they stand now.",
	   "往年：数据与中断站点按 {1} 计；告警为当前状态。")
ET_MSG_DEF(PAGE_NO_SITES, "page.no_sites",
	   "No site reports to this target yet, so there is nothing to chart.",
	   "尚无站点为该目标上报数据，暂无图表。")
ET_MSG_DEF(PAGE_KIND_DRIFT, "page.kind.drift", "drift", "偏差")
ET_MSG_DEF(PAGE_KIND_MILESTONE, "page.kind.milestone", "overdue project", "项目逾期")
ET_MSG_DEF(PAGE_KIND_RECONCILE, "page.kind.reconcile", "county differs from the statistics",
	   "区县数据与统计不符")
ET_MSG_DEF(PAGE_BAD_YEAR, "page.bad_year", "year={1}: not a year from 2000 to 2200",
	   "year={1}：不是 2000 至 2200 之间的年份")
ET_MSG_DEF(PAGE_BAD_AT, "page.bad_at", "at={1}: not a time; write it as 2024-06-30T12:00+08:00",
	   "at={1}：不是时间；请写作 2024-06-30T12:00+08:00")
ET_MSG_DEF(PAGE_AT_NOT_IN_YEAR, "page.at_not_in_year", "at={1} is not in year={2}",
	   "at={1} 不在 year={2} 之内")
/* cli: enertrack status's footnotes and silences, silence and ack */
ET_MSG_DEF(CLI_SCHED_MILESTONES, "cli.sched.milestones", "{1} milestones, {2} due",
	   "{1} 个项目，{2} 个已到期")
ET_MSG_DEF(CLI_SCHED_WEIGHTS, "cli.sched.weights", "monthly weights", "按月度权重")
ET_MSG_DEF(CLI_SCHED_LINEAR_ASKED, "cli.sched.linear_asked", "linear, as the target asks",
	   "按时间均匀（目标设定）")
ET_MSG_DEF(CLI_SCHED_LAST_YEAR, "cli.sched.last_year",
	   "last year's profile ({1} covers {2} % of its days)",
	   "按去年同期分布（{1} 年数据覆盖其 {2}% 的天数）")
ET_MSG_DEF(CLI_SCHED_LINEAR_SHORT, "cli.sched.linear_short",
	   "linear: {1} covers {2} % of its days, under 90 %",
	   "按时间均匀：{1} 年数据仅覆盖其 {2}% 的天数，不足 90%")
ET_MSG_DEF(CLI_SCHED_LINEAR, "cli.sched.linear", "linear", "按时间均匀")
ET_MSG_DEF(CLI_SCHED_NO_MILESTONES, "cli.sched.no_milestones", "no milestones; {1}",
	   "尚无项目计划；{1}")
ET_MSG_DEF(CLI_SCHED_CITY_PROFILE, "cli.sched.city_profile",
	   "the city's profile: {1} covers {2} % of its days in {3}, under 90 %",
	   "按全市去年同期分布：{3} 的 {1} 年数据仅覆盖其 {2}% 的天数，不足 90%")
ET_MSG_DEF(CLI_SCHED_REGISTER_SHORT, "cli.sched.register_short",
	   "; the register is short by {1} {2}", "；项目登记合计比目标少 {1} {2}")
ET_MSG_DEF(CLI_SCHED_NO_CLOSED_MONTH, "cli.sched.no_closed_month", "no closed month of {1} yet",
	   "{1} 年尚无已结束的月份")
ET_MSG_DEF(CLI_SCHED_NO_FOR, "cli.sched.no_for", "no {1} for {2}", "缺少 {2} 的{1}")
ET_MSG_DEF(CLI_SCHED_NO_FOR_BOTH, "cli.sched.no_for_both", "no {1} for {2} in both years",
	   "缺少 {2} 两年的{1}")
ET_MSG_DEF(CLI_SCHED_RATIO_PERIOD, "cli.sched.ratio_period", "{1}, {2} {3} %", "{1}，{2} {3}%")
ET_MSG_DEF(CLI_SCHED_WEIGHTED, "cli.sched.weighted",
	   "weighted by approved capacity ({1} of {2} sites)",
	   "按核定产能加权（{2} 个站点中 {1} 个有核定产能）")
ET_MSG_DEF(CLI_SCHED_UNWEIGHTED, "cli.sched.unweighted",
	   "unweighted: no site has an approved capacity", "未加权：没有站点登记核定产能")
/* the metrics that target_progress_at's notes name, by their id */
ET_MSG_DEF(METRIC_GDP_REAL_GROWTH, "metric.gdp_real_growth", "GDP growth at comparable prices",
	   "可比价GDP增速")
ET_MSG_DEF(METRIC_ENERGY_CONSUMPTION, "metric.energy_consumption", "energy consumption",
	   "能源消费量")
ET_MSG_DEF(METRIC_GDP, "metric.gdp", "GDP", "地区生产总值")
ET_MSG_DEF(CLI_LATE, "cli.late", "; late: {1}", "；逾期：{1}")
ET_MSG_DEF(CLI_DUE, "cli.due", "{1} (due {2})", "{1}（{2} 到期）")
ET_MSG_DEF(CLI_NONE_LATE, "cli.none_late", "; none late", "；无逾期")
ET_MSG_DEF(CLI_MONTHS, "cli.months", "; months: ", "；各月来源：")
ET_MSG_DEF(CLI_SRC_TELEMETRY, "cli.src.telemetry", "telemetry", "在线监测")
ET_MSG_DEF(CLI_SRC_STATISTICS, "cli.src.statistics", "statistics", "统计")
ET_MSG_DEF(CLI_NOW, "cli.now", "now", "当前")
ET_MSG_DEF(CLI_SILENCES, "cli.silences", "Silences ({1} in force, {2} ended)",
	   "静默与确认（{1} 条生效，{2} 条已结束）")
ET_MSG_DEF(CLI_IN_FORCE, "cli.in_force", "in force", "生效")
ET_MSG_DEF(CLI_ENDED, "cli.ended", "ended", "已结束")
ET_MSG_DEF(CLI_KIND_SILENCE, "cli.kind.silence", "silence", "静默")
ET_MSG_DEF(CLI_KIND_ACK, "cli.kind.ack", "ack", "确认")
ET_MSG_DEF(CLI_UNTIL_RESOLVED, "cli.until_resolved", "until resolved", "至恢复")
ET_MSG_DEF(CLI_ENDED_AT, "cli.ended_at", "ended {1}", "{1} 结束")
ET_MSG_DEF(CLI_UNTIL_AT, "cli.until_at", "until {1}", "至 {1}")
ET_MSG_DEF(CLI_SILENCE_LINE, "cli.silence_line", "by {1} at {2}: {3}", "由 {1} 于 {2} 设置：{3}")
ET_MSG_DEF(CLI_SILENCED, "cli.silenced",
	   "silenced {1} until {2} (alert_silence {3}): no reminders meanwhile",
	   "已静默 {1}，至 {2}（alert_silence {3}）：其间不发提醒")
ET_MSG_DEF(CLI_ACKED, "cli.acked",
	   "acknowledged {1} (alert_silence {2}): no reminders until it resolves",
	   "已确认 {1}（alert_silence {2}）：恢复前不再提醒")
ET_MSG_DEF(TZ_ASIA_SHANGHAI, "tz.asia_shanghai", "Asia/Shanghai", "北京时间")
/* truth mails' pictures: a county's months, a target's register */
ET_MSG_DEF(TRUTH_MONTHS_TITLE, "truth.months_title",
	   "{1} · {2}: telemetry against the statistics, {3}",
	   "{1} · {2}：在线监测与统计数据对比（{3} 年）")
ET_MSG_DEF(TRUTH_STATISTICS, "truth.statistics", "Statistics", "统计数据")
ET_MSG_DEF(TRUTH_TELEMETRY, "truth.telemetry", "Telemetry", "在线监测")
ET_MSG_DEF(TRUTH_DIFFERS, "truth.differs", "The month that differs", "不符的月份")
ET_MSG_DEF(TRUTH_REGISTER_TITLE, "truth.register_title",
	   "{1} {2}: the projects, planned against commissioned", "{1} {2}：项目计划与投运对比")
ET_MSG_DEF(TRUTH_PLANNED, "truth.planned", "Planned", "计划")
ET_MSG_DEF(TRUTH_COMMISSIONED, "truth.commissioned", "Commissioned", "已投运")
ET_MSG_DEF(TRUTH_LATE, "truth.late", "Late", "逾期")
ET_MSG_DEF(TRUTH_DAYS_LATE, "truth.days_late", "{1} days late", "逾期 {1} 天")
ET_MSG_DEF(TRUTH_DUE, "truth.due", "due {1}", "{1} 到期")
ET_MSG_DEF(TRUTH_SITES_HEAD, "truth.sites_head",
	   "The county's sites in {1}, and their share of the gap",
	   "该区县各站点 {1} 的数据及其在差额中的份额")
ET_MSG_DEF(TRUTH_COL_TELEMETRY, "truth.col_telemetry", "Telemetry ({1})", "在线监测（{1}）")
ET_MSG_DEF(TRUTH_COL_SHARE, "truth.col_share", "Share", "份额")
ET_MSG_DEF(TRUTH_COL_GAP, "truth.col_gap", "Share of the gap ({1})", "分摊差额（{1}）")
ET_MSG_DEF(TRUTH_CHART_IN_HTML, "truth.chart_in_html",
	   "The chart is in the HTML version of this mail.", "图表见本邮件的 HTML 版本。")
/* report: the workbook's words and the as-of line */
ET_MSG_DEF(REPORT_YES, "report.yes", "yes", "是")
ET_MSG_DEF(REPORT_NO, "report.no", "no", "否")
ET_MSG_DEF(REPORT_AS_OF, "report.as_of", "As of {1} ({2})", "截至 {1}（{2}）")
ET_MSG_DEF(REPORT_PAGE, "report.page", "Page {1} of {2}", "第 {1} 页，共 {2} 页")
ET_MSG_DEF(REPORT_CUMULATIVE_CHART, "report.cumulative_chart", "Year to date: expected and actual",
	   "累计：序时应完成与实际")
ET_MSG_DEF(REPORT_MONTHLY_CHART, "report.monthly_chart", "Each month: expected and actual",
	   "逐月：应完成与实际")
/* report pdf: the report for superiors */
ET_MSG_DEF(PDF_SOURCES, "pdf.sources", "Sources of each month: {1}", "各月数据来源：{1}")
ET_MSG_DEF(PDF_NO_SOURCES, "pdf.no_sources", "Sources of each month: telemetry only",
	   "各月数据来源：均为在线监测")
ET_MSG_DEF(PDF_SCHEDULE, "pdf.schedule", "Schedule: {1}", "序时进度依据：{1}")
ET_MSG_DEF(PDF_QUARTER, "pdf.quarter", "{1}, quarter {2}", "{1} 年第 {2} 季度")
/* the tools' messages */
ET_MSG_DEF(TOOL_APPLIED, "tool.applied", "applied {1}", "已应用 {1}")
ET_MSG_DEF(TOOL_UP_TO_DATE, "tool.up_to_date",
	   "schema is up to date ({1} migrations, {2} functions and views)",
	   "数据库结构已是最新（{1} 个迁移，{2} 个函数与视图）")
ET_MSG_DEF(TOOL_LOADED, "tool.loaded", "loaded data/{1}", "已载入 data/{1}")
ET_MSG_DEF(TOOL_READER_TZ, "tool.reader_tz", "enertrack_reader sees {1} time",
	   "enertrack_reader 的会话使用 {1} 时间")
ET_MSG_DEF(TOOL_EVALUATED, "tool.evaluated",
	   "{1} evaluation(s), {2} alert change(s), {3} mail(s) queued in alert_outbox",
	   "评估 {1} 次，告警状态变化 {2} 次，{3} 封邮件已排入 alert_outbox")
ET_MSG_DEF(TOOL_WROTE, "tool.wrote", "wrote {1} ({2}, the targets of {3} at {4})",
	   "已写入 {1}（{2}，{3} 年目标，截至 {4}）")
ET_MSG_DEF(TOOL_CHART, "tool.chart",
	   "{1}: {2} bytes, {3} px wide, drawn in {4} ms (queries included)",
	   "{1}：{2} 字节，宽 {3} 像素，绘制用时 {4} 毫秒（含查询）")
ET_MSG_DEF(TOOL_IMPORTED, "tool.imported",
	   "{1} ({2}): {3} rows: {4} new, {5} revised, {6} unchanged{7}",
	   "{1}（{2}）：{3} 行：新增 {4}，修订 {5}，未变 {6}{7}")
ET_MSG_DEF(TOOL_DRY_RUN, "tool.dry_run", " (dry run: nothing written)", "（试运行：未写入）")
/* a target in % drifts in percentage points (百分点) */
ET_MSG_DEF(MAIL_SUBJ_BEHIND_PP, "mail.subj_behind_pp", "{1} percentage points behind schedule",
	   "落后 {1} 个百分点")
ET_MSG_DEF(MAIL_SUBJ_OVER_PP, "mail.subj_over_pp", "{1} percentage points over schedule",
	   "超出 {1} 个百分点")
ET_MSG_DEF(MAIL_SUBJ_RESOLVED_DRIFT_PP, "mail.subj_resolved_drift_pp",
	   "back on track (drift {1} percentage points)", "已恢复正常（偏差 {1} 个百分点）")
ET_MSG_DEF(MAIL_DRIFT_PP, "mail.drift_pp", "{1} percentage points", "{1} 个百分点")
/* the register short of its target, a target without data (lib/truthmail.c) */
ET_MSG_DEF(TRUTH_RG_SUBJECT, "truth.rg_subject",
	   "[enertrack] {1} {2}{3}: the register plans {4} {5}, {6} {5} short of the target",
	   "[enertrack] {1} {2}{3}：项目登记合计 {4} {5}，比目标少 {6} {5}")
ET_MSG_DEF(TRUTH_RG_HEAD, "truth.rg_head",
	   "{1} {2}{3}: the project register cannot reach the target.",
	   "{1} {2}{3}：登记的项目不足以完成目标。")
ET_MSG_DEF(TRUTH_RG_TARGET, "truth.rg_target", "Target:        {1} {2}", "目标:     {1} {2}")
ET_MSG_DEF(TRUTH_RG_PLANNED, "truth.rg_planned",
	   "By the year's end: {1} {2} (commissioned, and registered and due this year)",
	   "年底预计: {1} {2}（已投运加上今年到期的登记项目）")
ET_MSG_DEF(TRUTH_RG_SHORT, "truth.rg_short", "Short by:      {1} {2}", "缺口:     {1} {2}")
ET_MSG_DEF(TRUTH_RG_WHAT, "truth.rg_what",
	   "Register the missing projects (target_milestone) or correct the target.\n"
	   "This mail goes once for this target.",
	   "请登记缺少的项目（target_milestone）或更正目标。\n每个目标只发一次此邮件。")
ET_MSG_DEF(TRUTH_MS_SUBJECT_RF, "truth.ms_subject_rf",
	   "[enertrack] {1} {2}: the {8} retrofit {3} is {4} days overdue (due {5}, {6} {7})",
	   "[enertrack] {1} {2}：{3}（{8}改造）已逾期 {4} 天（应于 {5} 完成，{6} {7}）")
ET_MSG_DEF(
	TRUTH_CS_SUBJECT, "truth.cs_subject",
	"[enertrack] {1} {2}: the counties add up to {3} {4}, the city's figure is {5} {4} ({6})",
	"[enertrack] {1} {2}：各区县合计 {3} {4}，全市为 {5} {4}（{6}）")
ET_MSG_DEF(TRUTH_CS_HEAD, "truth.cs_head",
	   "The official statistics of the counties do not add up to the city's.",
	   "各区县的官方统计数据合计与全市数据不符。")
ET_MSG_DEF(TRUTH_CS_COUNTIES, "truth.cs_counties", "Counties:      {1} {2} ({3} counties)",
	   "区县合计: {1} {2}（{3} 个区县）")
ET_MSG_DEF(TRUTH_CS_CITY, "truth.cs_city", "City:          {1} {2} ({3})",
	   "全市:     {1} {2}（{3}）")
ET_MSG_DEF(TRUTH_CS_WHAT, "truth.cs_what",
	   "One of the figures is wrong or missing: the view statistic_county_check\n"
	   "shows every period. This mail goes once for this metric and period.",
	   "有数据错误或缺失：视图 statistic_county_check "
	   "列出每个时期。\n每个指标和时期只发一次此邮件。")
ET_MSG_DEF(TRUTH_ND_SUBJECT, "truth.nd_subject", "[enertrack] {1} {2}{3}: no data for {4} days",
	   "[enertrack] {1} {2}{3}：已 {4} 天无数据")
ET_MSG_DEF(TRUTH_ND_HEAD, "truth.nd_head", "{1} {2}{3} cannot be followed: {4}.",
	   "{1} {2}{3} 无法跟踪：{4}。")
ET_MSG_DEF(TRUTH_ND_WHAT, "truth.nd_what",
	   "Check the sites' publishers, or import the official figures\n"
	   "(`enertrack import`). This mail goes once until data arrives again.",
	   "请检查站点的上报，或导入官方统计数据（`enertrack "
	   "import`）。\n在数据恢复之前只发一次此邮件。")
/* a drift in percentage points in a table (lib/drifttext.c), and the plans
 * over several years in `enertrack status` */
ET_MSG_DEF(DRIFT_PP, "drift.pp", "{1} pp", "{1} 个百分点")
ET_MSG_DEF(CLI_PLANS_HEAD, "cli.plans_head",
	   "Plans over several years, at the end of {1}:", "多年规划目标，截至{1}年底：")
ET_MSG_DEF(CLI_PLAN_LINE, "cli.plan_line",
	   "{1}: by {2} down {3} % cumulatively, {4} (schedule {5} % after {6} of {7} years, "
	   "drift {8})",
	   "{1}：截至{2}年累计下降{3}%，{4}（序时进度 {5}%，{7} 年中已过 {6} 年，偏差 {8}）")
ET_MSG_DEF(CLI_PLAN_MISSING, "cli.plan_missing", "{1}: no yearly figure for {2}",
	   "{1}：缺少 {2} 年的数据")
ET_MSG_DEF(CLI_PLAN_NONE, "cli.plan_none", "{1}: no year of the plan has ended",
	   "{1}：规划尚无已结束的年份")
ET_MSG_DEF(PLAN_AHEAD, "plan.ahead", "ahead of schedule", "超序时进度")
ET_MSG_DEF(PLAN_BEHIND, "plan.behind", "behind schedule", "落后序时进度")
ET_MSG_DEF(PLAN_ON_TRACK, "plan.on_track", "on schedule", "符合序时进度")
/* a status changed by a revision of the official statistics (lib/mail.c) */
ET_MSG_DEF(MAIL_SUBJ_REVISED, "mail.subj_revised", ", after a revision of the statistics",
	   "（统计数据修订后）")
ET_MSG_DEF(MAIL_REVISED_HEAD, "mail.revised_head",
	   "This change follows a revision of the official statistics:",
	   "本次状态变化源于官方统计数据的修订：")
ET_MSG_DEF(MAIL_REVISED_LINE, "mail.revised_line", "{1} {2} ({3}): revised from {4} to {5}",
	   "{1} {2}（{3}）：由 {4} 修订为 {5}")
/* the report's drift of a target in %, in percentage points */
ET_MSG_DEF(REPORT_DRIFT_UNIT, "report.drift_unit", "Drift unit", "偏差单位")
ET_MSG_DEF(REPORT_PERCENTAGE_POINTS, "report.percentage_points", "percentage points", "百分点")
/* the picture of a county_sum mail: each county's figure, then their sum
 * against the city's (db/truthcharts.c) */
ET_MSG_DEF(TRUTH_CS_TITLE, "truth.cs_title", "{1} {2}: the counties against the city",
	   "{1} {2}：各区县与全市")
ET_MSG_DEF(TRUTH_CS_PUBLISHED, "truth.cs_published", "Counties (statistics)", "区县（统计）")
ET_MSG_DEF(TRUTH_CS_CITY_FIGURE, "truth.cs_city_figure", "City (statistics)", "全市（统计）")
ET_MSG_DEF(TRUTH_CS_NOT_EQUAL, "truth.cs_not_equal", "Does not add up", "合计不符")
ET_MSG_DEF(TRUTH_CS_SUM_ROW, "truth.cs_sum_row", "Sum of the counties", "区县合计")
/* the plans over several years on the status page (lib/pagehtml.c) */
ET_MSG_DEF(PAGE_PLANS, "page.plans", "Plans over several years, at the end of {1}",
	   "多年规划目标（截至{1}年底）")
ET_MSG_DEF(PAGE_PLAN_SCHEDULE, "page.plan_schedule", "Schedule (cumulative)", "序时进度（累计）")
ET_MSG_DEF(PAGE_PLAN_CUMULATIVE, "page.plan_cumulative", "Decline (cumulative)", "累计下降")
ET_MSG_DEF(PAGE_PLAN_SENTENCE, "page.plan_sentence", "By {1}, down {2} % cumulatively, {3}",
	   "截至{1}年累计下降{2}%，{3}")
ET_MSG_DEF(PAGE_PLAN_MISSING, "page.plan_missing", "no yearly figure for {1}", "缺少 {1} 年的数据")
ET_MSG_DEF(PAGE_PLAN_NONE, "page.plan_none", "no year of the plan has ended",
	   "规划尚无已结束的年份")
