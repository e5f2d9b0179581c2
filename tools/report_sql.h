/* SPDX-License-Identifier: MIT */
/* The queries of `enertrack report` (tools/cmd_report.c includes this once):
 * each column's name is its English header, which the catalogue's "report."
 * group translates; "{u}" in a header is the target's display unit. */
#ifndef ENERTRACK_TOOLS_REPORT_SQL_H
#define ENERTRACK_TOOLS_REPORT_SQL_H

#include <libpq-fe.h>

#define OID_INT8    20
#define OID_INT2    21
#define OID_INT4    23
#define OID_TEXT    25
#define OID_FLOAT4  700
#define OID_FLOAT8  701
#define OID_TSTZ    1184
#define OID_NUMERIC 1700
#define OID_BOOL    16
#define OID_DATE    1082
#define OID_TS	    1114

/* $1 the instant (timestamptz), $2 the year, $3 the targets' time zone, $4
 * the language of the metric labels */
static const Oid param_types[4] = {OID_TSTZ, OID_INT4, OID_TEXT, OID_TEXT};

/* The headers and titles in Chinese ({u}: the display unit). */

static const char targets_sql[] =
	"SELECT p.target_id AS \"Id\", coalesce(metric_label(p.metric, $4), p.label) AS \"Target\","
	" p.scope AS \"Scope\","
	" p.kind AS \"Kind\", p.display_unit AS \"Unit\","
	" p.target / p.display_div AS \"Plan (in Unit)\","
	" p.expected / p.display_div AS \"Expected by then (in Unit)\","
	" p.actual / p.display_div AS \"Actual (in Unit)\", p.drift_pct AS \"Drift (%)\","
	" p.projected / p.display_div AS \"Projected year end (in Unit)\","
	" p.elapsed_pct AS \"Year elapsed (%)\", p.sites_reporting AS \"Sites reporting\","
	" p.sites_stale AS \"Sites stale\", p.status AS \"Status\", p.plan_text AS \"Plan text\","
	/* a target in % drifts in percentage points (issue 21); last, so
	 * that the columns before keep their places */
	" CASE WHEN p.display_unit = '%' THEN 'pp' ELSE '%' END AS \"Drift unit\""
	" FROM target_progress_at($1) p ORDER BY p.target_id";

/* Per target and month, cumulative at each month's end (or at $1 in the
 * month of $1); the first three columns say whose rows they are and are
 * not written. */
static const char monthly_sql[] =
	"WITH e AS (SELECT m, least($1, make_timestamptz($2 + m / 12, m % 12 + 1, 1, 0, 0, 0, $3)"
	"   - interval '1 microsecond') AS at_m"
	"  FROM generate_series(1, extract(month FROM $1 AT TIME ZONE $3)::integer) m)"
	" SELECT p.target_id, coalesce(metric_label(p.metric, $4), p.label) || ' [' || p.scope || "
	"']',"
	" p.display_unit, coalesce(metric_label(p.metric, $4), p.label), p.scope,"
	" make_date($2, e.m, 1) AS \"Month\","
	" p.expected / p.display_div AS \"Expected by month end ({u})\","
	" p.actual / p.display_div AS \"Actual by month end ({u})\","
	" CASE WHEN x.aggregate = 'sum' THEN (p.expected - coalesce(lag(p.expected) OVER w, 0))"
	"  / p.display_div END AS \"Expected in month ({u})\","
	" CASE WHEN x.aggregate = 'sum' THEN (p.actual - coalesce(lag(p.actual) OVER w, 0))"
	"  / p.display_div END AS \"Actual in month ({u})\","
	" p.drift_pct AS \"Drift (%)\", p.status AS \"Status\","
	" CASE WHEN p.display_unit = '%' THEN 'pp' ELSE '%' END AS \"Drift unit\""
	" FROM e CROSS JOIN LATERAL target_progress_at(e.at_m) p JOIN metric x ON x.name = p.metric"
	" WINDOW w AS (PARTITION BY p.target_id ORDER BY e.m)"
	" ORDER BY p.target_id, e.m";

static const char county_sql[] =
	"SELECT metric_label(x.name, $4) AS \"Target\", t.scope AS \"Scope\","
	" coalesce(s.county, '') AS \"County\","
	" x.display_unit AS \"Unit\", sum(s.ytd) / x.display_div AS \"Year to date (in Unit)\","
	" sum(s.prev_same) / x.display_div AS \"Same period last year (in Unit)\","
	" CASE WHEN sum(s.prev_same) > 0 THEN 100 * (sum(s.ytd) / sum(s.prev_same) - 1) END"
	"  AS \"Year on year (%)\", count(*)::integer AS \"Sites (count)\","
	" (count(*) FILTER (WHERE s.stale))::integer AS \"Stale sites\""
	" FROM target t JOIN metric x ON x.name = t.metric"
	" CROSS JOIN LATERAL target_site_stats(t, $1) s"
	" WHERE t.year = $2 AND x.aggregate = 'sum'"
	" GROUP BY t.id, x.name, t.scope, s.county, x.display_unit, x.display_div"
	" ORDER BY t.id, 3";

static const char site_sql[] =
	"SELECT metric_label(x.name, $4) AS \"Target\", t.scope AS \"Scope\", s.site_id AS "
	"\"Site\","
	" coalesce(s.county, '') AS \"County\", x.display_unit AS \"Unit\","
	" s.ytd / x.display_div AS \"Year to date (in Unit)\","
	" s.prev_same / x.display_div AS \"Same period last year (in Unit)\","
	" date_trunc('minute', s.last_ts AT TIME ZONE $3) AS \"Last reading (local)\","
	" s.interval_s / 3600 AS \"Usual interval (h)\", s.stale AS \"Stale\""
	" FROM target t JOIN metric x ON x.name = t.metric"
	" CROSS JOIN LATERAL target_site_stats(t, $1) s"
	" WHERE t.year = $2 AND x.aggregate = 'sum' ORDER BY t.id, s.site_id";

static const char stale_sql[] =
	"SELECT DISTINCT ON (s.site_id, x.name) s.site_id AS \"Stale site\","
	" coalesce(s.county, '') AS \"County\", metric_label(x.name, $4) AS \"Metric\","
	" date_trunc('minute', s.last_ts AT TIME ZONE $3) AS \"Last reading (local)\","
	" extract(epoch FROM $1 - s.last_ts)::double precision / 3600 AS \"Silent for (h)\","
	" s.interval_s / 3600 AS \"Usual interval (h)\""
	" FROM target t JOIN metric x ON x.name = t.metric"
	" CROSS JOIN LATERAL target_site_stats(t, $1) s"
	" WHERE t.year = $2 AND s.stale ORDER BY s.site_id, x.name";

static const char rejects_sql[] =
	"SELECT reason AS \"Rejected messages: reason\", count(*)::integer AS \"Messages\","
	" date_trunc('minute', min(received_at) AT TIME ZONE $3) AS \"First (local)\","
	" date_trunc('minute', max(received_at) AT TIME ZONE $3) AS \"Last (local)\""
	" FROM rejected_message"
	" WHERE received_at >= make_timestamptz($2, 1, 1, 0, 0, 0, $3) AND received_at <= $1"
	" GROUP BY reason ORDER BY 2 DESC, 1";

#endif
