/* SPDX-License-Identifier: MIT */
/* The milestone and reconciliation mails. The SQL of migration 008 decides
 * what is late or off (target_milestone_state, reconcile_latest); this file
 * words the mail (lib/mail.c renders it), queues it in alert_outbox and
 * records it in truth_alert, in the evaluation's transaction, so that a
 * project is mailed once and a county once each time its gap opens. */
#include "common/truth_mail.h"
#include "enertrack/i18n.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enertrack/buf.h"
#include "enertrack/log.h"
#include "enertrack/mail.h"

static int pq_fail(PGresult *r, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s", PQresultErrorMessage(r));
	PQclear(r);
	return -EIO;
}

int et_truth_use_sources(PGconn *conn, const char *sources, bool local, bool store, char *err,
			 size_t errlen)
{
	/* "a, b c" -> "a,b,c"; '-' is the session's way to say "none listed" */
	char list[1024], buf[1024];
	size_t n = 0;
	snprintf(buf, sizeof(buf), "%s", sources ? sources : "");
	list[0] = '\0';
	for (char *save = NULL, *t = strtok_r(buf, " ,\t", &save); t;
	     t = strtok_r(NULL, " ,\t", &save))
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", n ? "," : "", t);
	if (!list[0])
		snprintf(list, sizeof(list), "-");
	const char *p[2] = {list, local ? "true" : "false"};
	PGresult *r;
	if (store) {
		r = PQexecParams(conn,
				 "UPDATE target_setting SET statistics_sources = x.l"
				 " FROM (SELECT coalesce(array_remove(string_to_array("
				 "  nullif($1, '-'), ','), ''), '{}') AS l) x"
				 " WHERE statistics_sources IS DISTINCT FROM x.l",
				 1, NULL, p, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			return pq_fail(r, err, errlen);
		PQclear(r);
	}
	r = PQexecParams(conn, "SELECT set_config('enertrack.statistics_sources', $1, $2::boolean)",
			 2, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		return pq_fail(r, err, errlen);
	PQclear(r);
	return 0;
}

static double num(PGresult *r, int i, int c)
{
	return PQgetisnull(r, i, c) ? NAN : strtod(PQgetvalue(r, i, c), NULL);
}

/* Queues one mail and records it; with no recipients, only records it. */
static int queue(PGconn *conn, const et_eval_cfg_t *c, const char *kind, const char *key,
		 bool firing, const char *subject, const char *body, const char *detail,
		 int64_t date_us, const char *at, int *ret_mails, char *err, size_t errlen)
{
	char outbox_id[32] = "";
	if (firing && c->smtp_to && c->smtp_to[0]) {
		char rcptbuf[1024], msgid[128];
		const char *rcpt[ET_MAX_RCPT];
		size_t nrcpt = et_split_rcpt(c->smtp_to, rcptbuf, sizeof(rcptbuf), rcpt);
		/* the key may hold a county's name: the id says kind, time and a hash */
		unsigned long h = 5381;
		for (const char *s = key; *s; s++)
			h = h * 33 + (unsigned char)*s;
		snprintf(msgid, sizeof(msgid), "%s-%lx.%lld@enertrack", kind, h,
			 (long long)(date_us / 1000000));
		et_buf_t msg = ET_BUF_INIT;
		char merr[200];
		if (et_mail_build_text(c->smtp_from, rcpt, nrcpt, subject, body, date_us, msgid,
				       &msg, merr, sizeof(merr)) ||
		    et_buf_append(&msg, "", 1)) {
			snprintf(err, errlen, "cannot build the mail: %s", merr);
			et_buf_free(&msg);
			return -EIO;
		}
		const char *mp[2] = {subject, msg.data};
		PGresult *r =
			PQexecParams(conn,
				     "INSERT INTO alert_outbox (subject, message) VALUES ($1, $2)"
				     " RETURNING id",
				     2, NULL, mp, NULL, NULL, 0);
		et_buf_free(&msg);
		if (PQresultStatus(r) != PGRES_TUPLES_OK)
			return pq_fail(r, err, errlen);
		snprintf(outbox_id, sizeof(outbox_id), "%s", PQgetvalue(r, 0, 0));
		PQclear(r);
		(*ret_mails)++;
	} else if (firing) {
		log_warn("alerts: no [smtp] to: no mail for %s", detail);
	}
	const char *p[6] = {kind, key,	  firing ? "true" : "false",
			    at,	  detail, outbox_id[0] ? outbox_id : NULL};
	PGresult *r =
		PQexecParams(conn,
			     "INSERT INTO truth_alert (kind, key, firing, since, detail, outbox_id)"
			     " VALUES ($1, $2, $3, $4::timestamptz, $5, $6)"
			     " ON CONFLICT (kind, key) DO UPDATE SET firing = EXCLUDED.firing,"
			     " since = EXCLUDED.since, detail = EXCLUDED.detail,"
			     " outbox_id = coalesce(EXCLUDED.outbox_id, truth_alert.outbox_id)",
			     6, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		return pq_fail(r, err, errlen);
	PQclear(r);
	log_info("alerts: %s %s", firing ? "mail:" : "cleared:", detail);
	return 0;
}

enum {
	M_ID,
	M_LABEL,
	M_YEAR,
	M_SCOPE,
	M_NAME,
	M_SITE,
	M_DUE,
	M_VALUE,
	M_DONE,
	M_PLANNED,
	M_LATE,
	M_DUNIT,
	M_DDIV,
	M_NOW
};

static int milestones(PGconn *conn, const et_eval_cfg_t *c, const char *at, int *ret_mails,
		      char *err, size_t errlen)
{
	char grace[16];
	snprintf(grace, sizeof(grace), "%d", c->milestone_grace_days);
	bool zh = et_lang_or_en(c->language) == ET_LANG_ZH_CN;
	const char *p[3] = {at, grace, et_lang_tag(et_lang_or_en(c->language))};
	PGresult *r = PQexecParams(
		conn,
		"SELECT m.milestone_id, coalesce(metric_label(me.name, $3), me.label), t.year, "
		"t.scope, m.name, m.site_id, m.due,"
		"  m.value, m.commissioned, m.planned_to_here, m.days_late, me.display_unit,"
		"  me.display_div, extract(epoch FROM $1::timestamptz)"
		" FROM target t JOIN metric me ON me.name = t.metric,"
		"  LATERAL target_milestone_state(t, $1::timestamptz) m"
		" WHERE t.year = extract(year FROM $1::timestamptz AT TIME ZONE"
		"        (SELECT timezone FROM target_setting))::int"
		"  AND m.late AND m.days_late > $2::integer"
		"  AND NOT EXISTS (SELECT 1 FROM truth_alert a"
		"                   WHERE a.kind = 'milestone' AND a.key = m.milestone_id::text)"
		" ORDER BY m.due, m.milestone_id",
		3, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		return pq_fail(r, err, errlen);
	int rc = 0;
	for (int i = 0; i < PQntuples(r) && rc == 0; i++) {
		double div = num(r, i, M_DDIV);
		if (!(div > 0))
			div = 1;
		const char *unit = PQgetvalue(r, i, M_DUNIT);
		const char *scope = PQgetvalue(r, i, M_SCOPE);
		char subject[512], body[2048], detail[512];
		/* the same arguments in either language: only the wording differs */
		snprintf(subject, sizeof(subject),
			 zh ? "[enertrack] %s %s：项目 %s 已逾期 %s 天（应于 %s 投运，%.1f %s）"
			    : "[enertrack] %s %s: %s is %s days overdue (due %s, %.1f %s)",
			 PQgetvalue(r, i, M_LABEL), PQgetvalue(r, i, M_YEAR),
			 PQgetvalue(r, i, M_NAME), PQgetvalue(r, i, M_LATE),
			 PQgetvalue(r, i, M_DUE), num(r, i, M_VALUE) / div, unit);
		snprintf(body, sizeof(body),
			 zh ? "%s %s%s%s：有项目逾期。\n\n"
			      "项目:     %s\n"
			      "站点:     %s\n"
			      "应投运:   %s（已逾期 %s 天；宽限 %d 天后发信）\n"
			      "规模:     %.1f %s\n"
			      "已投运:   本站今年 %.1f %s，按计划此时应为 %.1f %s\n\n"
			      "每个项目只发一次此邮件。`enertrack status` "
			      "列出所有逾期项目及其应投运日期。\n"
			    : "%s %s%s%s: a project is late.\n\n"
			      "Project:       %s\n"
			      "Site:          %s\n"
			      "Due:           %s (%s days ago; mailed after %d days of grace)\n"
			      "Size:          %.1f %s\n"
			      "Commissioned:  %.1f %s at the site this year, %.1f %s planned by "
			      "now\n\n"
			      "This mail goes once for this project. `enertrack status` lists "
			      "every\n"
			      "late project with its due date.\n",
			 PQgetvalue(r, i, M_LABEL), PQgetvalue(r, i, M_YEAR),
			 strcmp(scope, "city") ? " " : "", strcmp(scope, "city") ? scope : "",
			 PQgetvalue(r, i, M_NAME), PQgetvalue(r, i, M_SITE),
			 PQgetvalue(r, i, M_DUE), PQgetvalue(r, i, M_LATE), c->milestone_grace_days,
			 num(r, i, M_VALUE) / div, unit, num(r, i, M_DONE) / div, unit,
			 num(r, i, M_PLANNED) / div, unit);
		snprintf(detail, sizeof(detail), "%s due %s (%.1f %s) is %s days overdue",
			 PQgetvalue(r, i, M_NAME), PQgetvalue(r, i, M_DUE),
			 num(r, i, M_VALUE) / div, unit, PQgetvalue(r, i, M_LATE));
		int64_t now_us = (int64_t)llround(num(r, i, M_NOW) * 1e6);
		rc = queue(conn, c, "milestone", PQgetvalue(r, i, M_ID), true, subject, body,
			   detail, now_us, at, ret_mails, err, errlen);
	}
	PQclear(r);
	return rc;
}

enum {
	R_SCOPE,
	R_METRIC,
	R_LABEL,
	R_PERIOD,
	R_SOURCE,
	R_TEL,
	R_OFF,
	R_GAP,
	R_DUNIT,
	R_DDIV,
	R_FIRING,
	R_NOW
};

static int reconcile(PGconn *conn, const et_eval_cfg_t *c, const char *at, int *ret_mails,
		     char *err, size_t errlen)
{
	bool zh = et_lang_or_en(c->language) == ET_LANG_ZH_CN;
	const char *p[2] = {at, et_lang_tag(et_lang_or_en(c->language))};
	PGresult *r = PQexecParams(
		conn,
		"SELECT x.scope, x.metric, coalesce(metric_label(me.name, $2), me.label), "
		"x.period, x.source, x.telemetry, x.official,"
		"  x.gap_pct, me.display_unit, me.display_div, coalesce(a.firing, false),"
		"  extract(epoch FROM $1::timestamptz)"
		" FROM reconcile_latest($1::timestamptz) x JOIN metric me ON me.name = x.metric"
		" LEFT JOIN truth_alert a ON a.kind = 'reconcile' AND a.key = x.scope || '|' || "
		"x.metric"
		" ORDER BY x.scope, x.metric",
		2, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		return pq_fail(r, err, errlen);
	int rc = 0;
	for (int i = 0; i < PQntuples(r) && rc == 0; i++) {
		double gap = num(r, i, R_GAP);
		bool bad = isnan(gap) || fabs(gap) > c->reconcile_pct;
		bool firing = PQgetvalue(r, i, R_FIRING)[0] == 't';
		if (bad == firing)
			continue;
		double div = num(r, i, R_DDIV);
		if (!(div > 0))
			div = 1;
		const char *unit = PQgetvalue(r, i, R_DUNIT);
		const char *county = PQgetvalue(r, i, R_SCOPE) + strlen("county:");
		char key[256], subject[512], body[2048], detail[512];
		snprintf(key, sizeof(key), "%s|%s", PQgetvalue(r, i, R_SCOPE),
			 PQgetvalue(r, i, R_METRIC));
		if (zh) {
			snprintf(subject, sizeof(subject),
				 "[enertrack] %s：%s 遥测值%s统计数据 %.1f%%（%s）", county,
				 PQgetvalue(r, i, R_LABEL), gap < 0 ? "低于" : "高于", fabs(gap),
				 PQgetvalue(r, i, R_PERIOD));
			snprintf(body, sizeof(body),
				 "%s 的遥测合计与官方统计数据不符。\n\n"
				 "指标:     %s\n"
				 "月份:     %s\n"
				 "遥测:     %.2f %s\n"
				 "统计:     %.2f %s（%s）\n"
				 "差距:     %+.1f %%（超过 %.1f %% 时发信）\n\n"
				 "有电表或上报方出错：请先检查该县的站点。\n"
				 "已结束的月份以官方数据计入目标；视图 telemetry_vs_statistics "
				 "列出每个月。\n",
				 county, PQgetvalue(r, i, R_LABEL), PQgetvalue(r, i, R_PERIOD),
				 num(r, i, R_TEL) / div, unit, num(r, i, R_OFF) / div, unit,
				 PQgetvalue(r, i, R_SOURCE), gap, c->reconcile_pct);
		} else {
			snprintf(subject, sizeof(subject),
				 "[enertrack] %s: %s telemetry %.1f%% %s the statistics (%s)",
				 county, PQgetvalue(r, i, R_LABEL), fabs(gap),
				 gap < 0 ? "below" : "above", PQgetvalue(r, i, R_PERIOD));
			snprintf(
				body, sizeof(body),
				"The telemetry of %s does not add up to its official "
				"statistics.\n\n"
				"Metric:        %s\n"
				"Month:         %s\n"
				"Telemetry:     %.2f %s\n"
				"Statistics:    %.2f %s (%s)\n"
				"Gap:           %+.1f %% (mails above %.1f %%)\n\n"
				"A meter or a publisher is wrong: check the county's sites first.\n"
				"Targets count the official figure for closed months; the view\n"
				"telemetry_vs_statistics shows every month.\n",
				county, PQgetvalue(r, i, R_LABEL), PQgetvalue(r, i, R_PERIOD),
				num(r, i, R_TEL) / div, unit, num(r, i, R_OFF) / div, unit,
				PQgetvalue(r, i, R_SOURCE), gap, c->reconcile_pct);
		}
		snprintf(detail, sizeof(detail), "%s %s %s: telemetry %+.1f %% against %s", county,
			 PQgetvalue(r, i, R_METRIC), PQgetvalue(r, i, R_PERIOD), gap,
			 PQgetvalue(r, i, R_SOURCE));
		int64_t now_us = (int64_t)llround(num(r, i, R_NOW) * 1e6);
		rc = queue(conn, c, "reconcile", key, bad, subject, body, detail, now_us, at,
			   ret_mails, err, errlen);
	}
	PQclear(r);
	return rc;
}

int et_truth_evaluate(PGconn *conn, const et_eval_cfg_t *c, const char *at, int *ret_mails,
		      char *err, size_t errlen)
{
	int rc = milestones(conn, c, at, ret_mails, err, errlen);
	if (rc == 0)
		rc = reconcile(conn, c, at, ret_mails, err, errlen);
	return rc;
}
