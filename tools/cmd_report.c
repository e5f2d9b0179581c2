/* SPDX-License-Identifier: MIT */
/* `enertrack report`: a year's targets as an Excel workbook (libxlsxwriter)
 * or a self-contained printable HTML page. Both are written from the same
 * queries over target_progress_at() and target_site_stats(), so that the
 * report says what `enertrack status` and the alert mails say. A column
 * whose PostgreSQL type is a number is written as a number; a header may
 * carry "{u}", replaced by the target's display unit. */
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "db/chartdata.h"
#include "draw/chart.h"
#include "common/confload.h"
#include "db/pq.h"
#include "cli.h"
#include "report_pdf.h"
#include "report_sql.h"
#include "db.h"
#include "enertrack/i18n.h"
#include "enertrack/numfmt.h"
#include "enertrack/text.h"
#include "enertrack/log.h"
#include "enertrack/mail.h"

struct report {
	PGconn *conn;
	const char *params[4];
	et_lang_t lang;
	/* xlsx */
	bool bureau; /* the bureau's units ([alerts] units, zh-CN) */
	lxw_workbook *wb;
	lxw_format *head, *num, *title, *intf, *datef, *timef;
	const char *as_of; /* "截至 2024-06-30 12:00（北京时间）": on every sheet */
	char sheet[32];	   /* the sheet being written, for the charts' ranges */
	/* html */
	FILE *html;
};

static bool is_number(Oid t)
{
	return t == OID_INT2 || t == OID_INT4 || t == OID_INT8 || t == OID_FLOAT4 ||
	       t == OID_FLOAT8 || t == OID_NUMERIC;
}

static PGresult *query(struct report *rp, const char *sql)
{
	PGresult *r = PQexecParams(rp->conn, sql, 4, param_types, rp->params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		log_error("report: %s", PQresultErrorMessage(r));
		PQclear(r);
		return NULL;
	}
	return r;
}

/* s in the report's language: a column or sheet name, as the SQL writes it
 * in English, through the catalogue's "report." group. */
static const char *tr(const struct report *rp, const char *s)
{
	return et_tr_text(rp->lang, "report.", s);
}

/* A status in the report's language: "behind" -> "落后"; in English the
 * code, as target_progress_at() gives it. */
static const char *status_tr(const struct report *rp, const char *s)
{
	return rp->lang == ET_LANG_EN ? s : et_status_text(rp->lang, s);
}

/* A header with "{u}" replaced by unit. */
static void header_text(char *buf, size_t len, const char *name, const char *unit)
{
	const char *u = strstr(name, "{u}");
	if (u && unit)
		snprintf(buf, len, "%.*s%s%s", (int)(u - name), name, unit, u + 3);
	else
		snprintf(buf, len, "%s", name);
}

/* Data into the page, HTML-escaped by the one escape (lib/text.c). */
static void html_text(FILE *f, const char *s)
{
	et_text_t t = ET_TEXT_INIT;
	et_text_html(&t, s);
	fputs(et_text_str(&t), f);
	et_text_free(&t);
}

/* A text column that holds codes: the words of the report's language. */
static const char *word_of(const struct report *rp, const char *col, const char *v, char *buf,
			   size_t len)
{
	if (strcmp(col, "Status") == 0)
		return status_tr(rp, v);
	if (strcmp(col, "Drift unit") == 0 && strcmp(v, "pp") == 0)
		return et_msg(rp->lang, ET_MSG_REPORT_PERCENTAGE_POINTS);
	if (strcmp(col, "Scope") == 0) {
		et_scope_text(rp->lang, v, buf, len);
		return buf;
	}
	if (strcmp(col, "Kind") == 0)
		return et_msg(rp->lang, strcmp(v, "at_least") == 0	  ? ET_MSG_KIND_AT_LEAST
					: strcmp(v, "reduce_by_pct") == 0 ? ET_MSG_KIND_REDUCE_BY
									  : ET_MSG_KIND_ABOUT);
	return v;
}

/* "2024-05-19 23:00:00" or "2024-05-19" into an Excel date. */
static lxw_datetime excel_time(const char *v)
{
	lxw_datetime t = {0};
	sscanf(v, "%d-%d-%d %d:%d:%lf", &t.year, &t.month, &t.day, &t.hour, &t.min, &t.sec);
	return t;
}

/* Row i's unit as people read it (the bureau's in zh-CN): its "Unit" column,
 * else the table's; *ret_k turns a figure of its SI unit into it. */
static const char *row_unit(const struct report *rp, PGresult *r, int i, const char *unit,
			    double *ret_k)
{
	int uc = PQfnumber(r, "\"Unit\"");
	return et_unit_local(uc >= 0 ? PQgetvalue(r, i, uc) : unit, rp->bureau, ret_k);
}

/* A figure in the row's unit: a "{u}" or "(in Unit)" column, or the unit. */
static bool in_unit(PGresult *r, int c)
{
	const char *n = PQfname(r, c);
	return strstr(n, "{u}") || strstr(n, "(in Unit)");
}

/* One cell as its type: whole numbers as integers, other numbers with two
 * decimals, dates and times as Excel dates, yes/no as words; figures and
 * units in the bureau's units where they are shown. */
static void xlsx_cell(struct report *rp, lxw_worksheet *ws, lxw_row_t y, lxw_col_t x, PGresult *r,
		      int i, int c, const char *unit)
{
	const char *v = PQgetvalue(r, i, c);
	Oid t = PQftype(r, c);
	char buf[200];
	double k;
	const char *local = row_unit(rp, r, i, unit, &k);
	if (strcmp(PQfname(r, c), "Unit") == 0) {
		worksheet_write_string(ws, y, x, local, NULL);
	} else if (t == OID_INT2 || t == OID_INT4 || t == OID_INT8) {
		worksheet_write_number(ws, y, x, strtod(v, NULL), rp->intf);
	} else if (is_number(t)) {
		worksheet_write_number(ws, y, x, strtod(v, NULL) * (in_unit(r, c) ? k : 1),
				       rp->num);
	} else if (t == OID_BOOL) {
		worksheet_write_string(
			ws, y, x,
			et_msg(rp->lang, v[0] == 't' ? ET_MSG_REPORT_YES : ET_MSG_REPORT_NO), NULL);
	} else if (t == OID_DATE || t == OID_TS) {
		lxw_datetime dt = excel_time(v);
		worksheet_write_datetime(ws, y, x, &dt, t == OID_DATE ? rp->datef : rp->timef);
	} else {
		worksheet_write_string(ws, y, x, word_of(rp, PQfname(r, c), v, buf, sizeof(buf)),
				       NULL);
	}
}

/* The same cell in the page. */
static void html_cell(struct report *rp, PGresult *r, int i, int c, const char *unit)
{
	FILE *f = rp->html;
	const char *v = PQgetvalue(r, i, c);
	Oid t = PQftype(r, c);
	char n[400];
	double k;
	const char *local = row_unit(rp, r, i, unit, &k);
	if (PQgetisnull(r, i, c))
		fputs(ET_NO_VALUE, f);
	else if (strcmp(PQfname(r, c), "Unit") == 0)
		html_text(f, local);
	else if (t == OID_INT2 || t == OID_INT4 || t == OID_INT8)
		fputs(v, f);
	else if (is_number(t)) {
		et_num_fixed(n, sizeof(n), strtod(v, NULL) * (in_unit(r, c) ? k : 1), 2, false);
		fputs(n, f);
	} else if (t == OID_BOOL)
		html_text(f, et_msg(rp->lang, v[0] == 't' ? ET_MSG_REPORT_YES : ET_MSG_REPORT_NO));
	else if (t == OID_DATE)
		fprintf(f, "%.7s", v); /* the months of the report */
	else if (t == OID_TS)
		fprintf(f, "%.16s", v);
	else
		html_text(f, word_of(rp, PQfname(r, c), v, n, sizeof(n)));
}

/* Writes rows [from, to) of r, columns from col0 on, under a header row, at
 * row `row` of ws (xlsx) or as one table (html). Returns the next free row. */
static int write_table(struct report *rp, lxw_worksheet *ws, int row, PGresult *r, int from, int to,
		       int col0, const char *unit)
{
	int ncols = PQnfields(r);
	char h[200];
	double k;
	/* the headers' "{u}" in the unit shown; the cells convert from unit */
	const char *head_unit = unit ? et_unit_local(unit, rp->bureau, &k) : NULL;
	if (rp->wb) {
		for (int c = col0; c < ncols; c++) {
			header_text(h, sizeof(h), tr(rp, PQfname(r, c)), head_unit);
			worksheet_write_string(ws, (lxw_row_t)row, (lxw_col_t)(c - col0), h,
					       rp->head);
			double w = strlen(h) * 0.9 + 2;
			worksheet_set_column(ws, (lxw_col_t)(c - col0), (lxw_col_t)(c - col0),
					     w < 10 ? 10 : w, NULL);
		}
		for (int i = from; i < to; i++) {
			lxw_row_t y = (lxw_row_t)(row + 1 + i - from);
			for (int c = col0; c < ncols; c++) {
				lxw_col_t x = (lxw_col_t)(c - col0);
				if (!PQgetisnull(r, i, c))
					xlsx_cell(rp, ws, y, x, r, i, c, unit);
			}
		}
		return row + 1 + (to - from);
	}
	FILE *f = rp->html;
	fputs("<table>\n<thead><tr>", f);
	for (int c = col0; c < ncols; c++) {
		header_text(h, sizeof(h), tr(rp, PQfname(r, c)), head_unit);
		fputs("<th>", f);
		html_text(f, h);
		fputs("</th>", f);
	}
	fputs("</tr></thead>\n<tbody>\n", f);
	for (int i = from; i < to; i++) {
		fputs("<tr>", f);
		for (int c = col0; c < ncols; c++) {
			fputs(is_number(PQftype(r, c)) ? "<td class=\"n\">" : "<td>", f);
			html_cell(rp, r, i, c, unit);
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table>\n", f);
	return row + 1 + (to - from);
}

/* One sheet (or section) of one query. */
static lxw_worksheet *section(struct report *rp, const char *name, const char *title)
{
	if (rp->html) {
		fputs("<h2>", rp->html);
		html_text(rp->html, tr(rp, title));
		fputs("</h2>\n", rp->html);
		return NULL;
	}
	snprintf(rp->sheet, sizeof(rp->sheet), "%s", tr(rp, name));
	lxw_worksheet *ws = workbook_add_worksheet(rp->wb, rp->sheet);
	if (ws) {
		char hf[300];
		worksheet_freeze_panes(ws, 1, 0);
		/* printed: the as-of date at the top, the page at the bottom */
		snprintf(hf, sizeof(hf), "&L%s", rp->as_of);
		worksheet_set_header(ws, hf);
		worksheet_set_footer(ws, "&C&P / &N");
	}
	return ws;
}

/* The as-of date on the sheet itself, in row 0 beside its header. */
static void sheet_as_of(struct report *rp, lxw_worksheet *ws, int col)
{
	if (ws)
		worksheet_write_string(ws, 0, (lxw_col_t)col, rp->as_of, NULL);
}

static int simple_sheet(struct report *rp, const char *name, const char *title, const char *sql)
{
	PGresult *r = query(rp, sql);
	if (!r)
		return -1;
	lxw_worksheet *ws = section(rp, name, title);
	if (rp->wb && !ws) {
		PQclear(r);
		return -1;
	}
	write_table(rp, ws, 0, r, 0, PQntuples(r), 0, NULL);
	sheet_as_of(rp, ws, PQnfields(r) + 1);
	PQclear(r);
	return 0;
}

/* p[0..n) in base64, a chunk at a time (whole groups of three bytes). */
static void put_b64(FILE *f, const unsigned char *p, size_t n)
{
	char out[4 * 1024];
	for (size_t i = 0; i < n; i += 3 * 1024) {
		size_t k = n - i < 3 * 1024 ? n - i : 3 * 1024;
		fwrite(out, 1, et_mail_base64(p + i, k, out), f);
	}
}

/* A target's two charts in the page, as data: URIs (nothing is loaded from
 * elsewhere). A chart that cannot be drawn is left out, with a warning. */
static void charts(struct report *rp, int tid)
{
	for (int k = 0; k < 2; k++) {
		et_buf_t png = ET_BUF_INIT;
		char err[300];
		int rc = k == 0 ? et_chart_target_png(rp->conn, tid, rp->params[0], rp->lang, 900,
						      &png, err, sizeof(err))
				: et_chart_gap_png(rp->conn, tid, rp->params[0], rp->lang, 900,
						   &png, err, sizeof(err));
		if (rc) {
			log_warn("report: target %d goes without its %s chart: %s", tid,
				 k == 0 ? "progress" : "gap", err);
			et_buf_free(&png);
			continue;
		}
		fputs("<p><img alt=\"\" src=\"data:image/png;base64,", rp->html);
		put_b64(rp->html, (const unsigned char *)png.data, png.len);
		fputs("\"></p>\n", rp->html);
		et_buf_free(&png);
	}
}

/* The columns of monthly_sql before the table's (id, title, unit, label,
 * scope). */
#define MONTHLY_COL0 5

/* A target's sheet name: its label and scope ("原煤产量 襄垣"), at most 31
 * characters, without []:*?/\ (Excel's rules), its id added when the name
 * is taken already. */
static void sheet_name(struct report *rp, const char *label, const char *scope, const char *id,
		       char *out, size_t len)
{
	char where[128], raw[300];
	et_scope_text(rp->lang, scope, where, sizeof(where));
	snprintf(raw, sizeof(raw), "%s %s", label, where);
	size_t o = 0, chars = 0;
	for (const unsigned char *p = (const unsigned char *)raw; *p && o + 5 < len;) {
		size_t n = *p < 0x80 ? 1 : *p < 0xE0 ? 2 : *p < 0xF0 ? 3 : 4;
		if (chars == 26) /* room for " (id)" */
			break;
		if (n == 1 && strchr("[]:*?/\\'", *p))
			out[o++] = ' ', p++;
		else
			for (size_t k = 0; k < n && *p; k++)
				out[o++] = (char)*p++;
		chars++;
	}
	out[o] = '\0';
	if (rp->wb && workbook_get_worksheet_by_name(rp->wb, out))
		snprintf(out + o, len - o, " %s", id);
}

/* Excel's own charts beside a target's months (editable in Excel and WPS):
 * the cumulative expected and actual as lines, each month's as columns. */
static void native_charts(struct report *rp, lxw_worksheet *ws, int nrows, int col)
{
	static const struct {
		uint8_t type;
		int a, b; /* the table's columns: expected, actual */
		et_msg_t title;
	} kinds[2] = {{LXW_CHART_LINE, 1, 2, ET_MSG_REPORT_CUMULATIVE_CHART},
		      {LXW_CHART_COLUMN, 3, 4, ET_MSG_REPORT_MONTHLY_CHART}};
	for (int k = 0; k < 2; k++) {
		lxw_chart *ch = workbook_add_chart(rp->wb, kinds[k].type);
		if (!ch)
			return;
		for (int s = 0; s < 2; s++) {
			int c = s ? kinds[k].b : kinds[k].a;
			lxw_chart_series *se = chart_add_series(ch, NULL, NULL);
			chart_series_set_categories(se, rp->sheet, 1, 0, (lxw_row_t)nrows, 0);
			chart_series_set_values(se, rp->sheet, 1, (lxw_col_t)c, (lxw_row_t)nrows,
						(lxw_col_t)c);
			chart_series_set_name_range(se, rp->sheet, 0, (lxw_col_t)c);
		}
		chart_title_set_name(ch, et_msg(rp->lang, kinds[k].title));
		chart_legend_set_position(ch, LXW_CHART_LEGEND_BOTTOM);
		worksheet_insert_chart(ws, (lxw_row_t)(3 + 16 * k), (lxw_col_t)col, ch);
	}
}

/* One sheet per target: its months. */
static int monthly_sheets(struct report *rp)
{
	PGresult *r = query(rp, monthly_sql);
	if (!r)
		return -1;
	int n = PQntuples(r);
	for (int i = 0; i < n;) {
		int j = i;
		while (j < n && strcmp(PQgetvalue(r, j, 0), PQgetvalue(r, i, 0)) == 0)
			j++;
		char name[160], title[600];
		sheet_name(rp, PQgetvalue(r, i, 3), PQgetvalue(r, i, 4), PQgetvalue(r, i, 0), name,
			   sizeof(name));
		/* "原煤产量 [全市]" in Chinese; English keeps the scope's code */
		char who[400], where[128];
		et_scope_text(rp->lang, PQgetvalue(r, i, 4), where, sizeof(where));
		snprintf(who, sizeof(who), "%s [%s]", PQgetvalue(r, i, 3),
			 rp->lang == ET_LANG_EN ? PQgetvalue(r, i, 4) : where);
		snprintf(title, sizeof(title), "%s%s", who, tr(rp, ": month by month"));
		lxw_worksheet *ws = section(rp, name, title);
		if (rp->wb && !ws) {
			PQclear(r);
			return -1;
		}
		int right = PQnfields(r) - MONTHLY_COL0; /* the column after the table */
		if (ws) {
			/* the target's name in a column at the right, so that the
			 * frozen header stays one row */
			worksheet_write_string(ws, 0, (lxw_col_t)right, tr(rp, "Target"), rp->head);
			worksheet_write_string(ws, 1, (lxw_col_t)right, who, NULL);
			sheet_as_of(rp, ws, right + 1);
		}
		write_table(rp, ws, 0, r, i, j, MONTHLY_COL0, PQgetvalue(r, i, 2));
		if (ws)
			native_charts(rp, ws, j - i, right);
		else
			charts(rp, atoi(PQgetvalue(r, i, 0)));
		i = j;
	}
	PQclear(r);
	return 0;
}

static int quality_sheet(struct report *rp)
{
	PGresult *s = query(rp, stale_sql);
	PGresult *j = s ? query(rp, rejects_sql) : NULL;
	if (!j) {
		PQclear(s);
		return -1;
	}
	lxw_worksheet *ws = section(rp, "Data quality", "Data quality: stale sites");
	int rc = -1;
	if (!rp->wb || ws) {
		int row = write_table(rp, ws, 0, s, 0, PQntuples(s), 0, NULL);
		sheet_as_of(rp, ws, PQnfields(s) + 1);
		if (rp->html)
			section(rp, NULL, "Data quality: rejected messages by reason");
		write_table(rp, ws, row + 1, j, 0, PQntuples(j), 0, NULL);
		rc = 0;
	}
	PQclear(s);
	PQclear(j);
	return rc;
}

static const char html_head[] =
	"<meta charset=\"utf-8\">\n"
	"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	"<style>\n"
	"body{font-family:\"Noto Sans CJK SC\",\"Noto Sans\",sans-serif;margin:1.5em;color:#222}\n"
	"h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.6em}\n"
	"table{border-collapse:collapse;font-size:.8em;margin:.4em 0}\n"
	"th,td{border:1px solid #bbb;padding:.15em .4em;vertical-align:top}\n"
	"th{background:#eee;text-align:left}td.n{text-align:right;white-space:nowrap}\n"
	"img{max-width:100%;height:auto}\n"
	"@media print{body{margin:0}h2{break-after:avoid}table{break-inside:auto}"
	"tr{break-inside:avoid}}\n"
	"</style></head><body>\n";

static int write_report(struct report *rp, int year)
{
	if (rp->html) {
		char y[16], title[200];
		snprintf(y, sizeof(y), "%d", year);
		et_msg_fill(title, sizeof(title), rp->lang, ET_MSG_REPORT_TITLE, 2, y,
			    rp->params[0]);
		fprintf(rp->html, "<!DOCTYPE html>\n<html lang=\"%s\"><head><title>",
			et_lang_tag(rp->lang));
		html_text(rp->html, title);
		fputs("</title>", rp->html);
		fputs(html_head, rp->html);
		fputs("<h1>", rp->html);
		html_text(rp->html, title);
		fputs("</h1>\n<p>", rp->html);
		html_text(rp->html, rp->as_of);
		fputs("</p>\n", rp->html);
	}
	if (simple_sheet(rp, "Targets", "Targets", targets_sql) || monthly_sheets(rp) ||
	    simple_sheet(rp, "Counties", "Per county", county_sql) ||
	    simple_sheet(rp, "Sites", "Per site", site_sql) || quality_sheet(rp))
		return -1;
	if (rp->html)
		fputs("</body></html>\n", rp->html);
	return 0;
}

/* The workbook into out: 0, or 1 (logged). */
static int write_xlsx(struct report *rp, int year, const char *out)
{
	rp->wb = workbook_new(out);
	if (!rp->wb) {
		log_error("report: cannot create %s", out);
		return 1;
	}
	rp->head = workbook_add_format(rp->wb);
	format_set_bold(rp->head);
	format_set_bg_color(rp->head, 0xEEEEEE);
	format_set_text_wrap(rp->head);
	static const struct {
		size_t off;
		const char *fmt;
	} fmts[] = {{offsetof(struct report, num), "#,##0.00"},
		    {offsetof(struct report, intf), "0"},
		    {offsetof(struct report, datef), "yyyy-mm"},
		    {offsetof(struct report, timef), "yyyy-mm-dd hh:mm"}};
	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		lxw_format *f = workbook_add_format(rp->wb);
		format_set_num_format(f, fmts[i].fmt);
		*(lxw_format **)((char *)rp + fmts[i].off) = f;
	}
	int wr = write_report(rp, year);
	lxw_error le = workbook_close(rp->wb);
	if (le != LXW_NO_ERROR)
		log_error("report: %s: %s", out, lxw_strerror(le));
	return wr == 0 && le == LXW_NO_ERROR ? 0 : 1;
}

/* The printable page into out: 0, or 1 (logged). */
static int write_html(struct report *rp, int year, const char *out)
{
	rp->html = fopen(out, "w");
	if (!rp->html) {
		log_error("report: cannot create %s: %m", out);
		return 1;
	}
	int wr = write_report(rp, year);
	if (fclose(rp->html) != 0) {
		log_error("report: %s: %m", out);
		return 1;
	}
	return wr == 0 ? 0 : 1;
}

static const char *const formats[] = {"xlsx", "html", "pdf", NULL};

/* The report's instant ($1, else now, else the end of year $2, in zone $3),
 * whether it is in year $2, and how to show it. */
static const char instant_sql[] =
	"SELECT x,"
	" extract(year FROM (x - interval '1 microsecond') AT TIME ZONE $3)::integer = $2::integer,"
	" CASE WHEN x = make_timestamptz($2::integer + 1, 1, 1, 0, 0, 0, $3)"
	"  THEN $2 || '-12-31 24:00'"
	"  ELSE to_char(x AT TIME ZONE $3, 'YYYY-MM-DD HH24:MI') END"
	" FROM (SELECT coalesce($1::timestamptz, least(now(),"
	"  make_timestamptz($2::integer + 1, 1, 1, 0, 0, 0, $3))) AS x) a";

int report_main(int argc, char **argv)
{
	const char *config = NULL, *at = NULL, *out = NULL, *quarter = NULL;
	int year = 0, format = 0, q = 0;
	const et_opt_t opts[] = {
		ET_OPT_STR_ROW("config", 'c', &config, "FILE"),
		ET_OPT_INT_ROW("year", 'y', &year, "YEAR", .min = 2000, .max = 2200,
			       .why = "a year from 2000 to 2200"),
		ET_OPT_STR_ROW("quarter", 'q', &quarter, "YYYY-QN"),
		ET_OPT_STR_ROW("at", 'a', &at, "TIME"),
		ET_OPT_CHOICE_ROW("format", 'f', &format, "xlsx|html|pdf", formats,
				  .required = true),
		ET_OPT_STR_ROW("output", 'o', &out, "OUTPUT", .required = true),
	};
	static const char usage[] = "enertrack report [-c FILE] --year YEAR | --quarter YYYY-QN "
				    "[--at TIME]\n"
				    "                        --format xlsx|html|pdf -o OUTPUT";
	static const char help[] =
		"  TIME: a PostgreSQL timestamptz in YEAR (default: now, or the year's end);\n"
		"  without an offset, in the targets' time zone. --quarter 2024-Q2: the year\n"
		"  to date at the quarter's end, as cities report to the province.\n";
	int rc = tool_parse_opts("report", usage, help, opts, TOOL_NOPTS(opts), argc, argv);
	if (rc)
		return rc < 0 ? 0 : rc;
	char qend[64] = "";
	if (quarter) {
		char tail;
		if (sscanf(quarter, "%d-Q%d%c", &year, &q, &tail) != 2 || year < 2000 ||
		    year > 2200 || q < 1 || q > 4)
			return tool_fail("report", "hint: --quarter 2024-Q2",
					 "--quarter '%s' is not a quarter", quarter);
		/* the quarter's last second, in the targets' zone (a TIME without offset) */
		snprintf(qend, sizeof(qend), "%04d-%02d-%02d 23:59:59", year, q * 3,
			 q == 1 || q == 4 ? 31 : 30);
	} else if (!year) {
		return tool_fail("report", NULL, "missing --year YEAR (or --quarter YYYY-QN)");
	}
	if (tool_check_output("report", "-o", out))
		return 2;
	char err[400] = "", ys[16], at_buf[64];
	struct report rp = {0};
	PGresult *r = NULL;
	tool_session_t s;
	rc = tool_open(&s, "report", config, TOOL_SCHEMA | TOOL_SETTINGS | TOOL_LOCALTIME);
	rp.conn = s.conn;
	if (rc || (rc = tool_check_time(rp.conn, "report", "--at", at, s.cfg.tz)))
		goto out;
	rc = 1;
	/* JIT compiling target_progress_at's queries costs more than it saves */
	if (et_pq_exec(rp.conn, "SET jit = off", err, sizeof(err))) {
		log_error("%s", err);
		goto out;
	}
	const et_config_t cfg = s.cfg;
	if (qend[0] && !at)
		at = qend; /* later than now: the report says so below */
	/* the instant: as given, else now, else the end of a past year; in YEAR.
	 * An instant belongs to the year it ends (a reading is stamped at the
	 * end of what it covers, docs/targets.md), so the year's end is 1
	 * January 00:00, which counts the readings stamped then, shown as
	 * "12-31 24:00". */
	snprintf(ys, sizeof(ys), "%d", year);
	const char *ap[3] = {at, ys, cfg.tz};
	r = PQexecParams(rp.conn, instant_sql, 3, NULL, ap, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		log_error("the report's instant: %s", PQresultErrorMessage(r));
		goto out;
	}
	if (PQgetvalue(r, 0, 1)[0] != 't') {
		rc = tool_fail("report", "hint: leave --at out for the year's end (or now)",
			       "--at %s is not in %d (%s)", PQgetvalue(r, 0, 0), year, cfg.tz);
		goto out;
	}
	snprintf(at_buf, sizeof(at_buf), "%s", PQgetvalue(r, 0, 0));
	char when[32];
	snprintf(when, sizeof(when), "%s", PQgetvalue(r, 0, 2));
	PQclear(r);
	r = NULL;
	rp.params[0] = at_buf;
	rp.params[1] = ys;
	rp.params[2] = cfg.tz;
	rp.lang = cfg.lang;
	rp.bureau = cfg.units_bureau;
	rp.params[3] = et_lang_tag(rp.lang);
	/* "as of", on every sheet and at the top of the page */
	char as_of[200];
	const char *tzname = cfg.tz;
	if (rp.lang != ET_LANG_EN && strcmp(tzname, "Asia/Shanghai") == 0)
		tzname = et_msg(rp.lang, ET_MSG_TZ_ASIA_SHANGHAI);
	et_msg_fill(as_of, sizeof(as_of), rp.lang, ET_MSG_REPORT_AS_OF, 2, when, tzname);
	rp.as_of = as_of;

	if (format == 2) {
		char y[16], title[300], qt[64];
		snprintf(y, sizeof(y), "%d", year);
		et_msg_fill(title, sizeof(title), rp.lang, ET_MSG_REPORT_TITLE, 2, y, when);
		if (q) {
			char qn[8];
			snprintf(qn, sizeof(qn), "%d", q);
			et_msg_fill(qt, sizeof(qt), rp.lang, ET_MSG_PDF_QUARTER, 2, y, qn);
			snprintf(title + strlen(title), sizeof(title) - strlen(title), " · %s", qt);
		}
		report_pdf_in_t in = {.conn = rp.conn,
				      .at = at_buf,
				      .lang = rp.lang,
				      .bureau = cfg.units_bureau,
				      .title = title,
				      .as_of = as_of,
				      .out = out};
		if (report_pdf(&in) == 0)
			rc = 0;
	} else {
		rc = format == 0 ? write_xlsx(&rp, year, out) : write_html(&rp, year, out);
	}
	if (rc == 0) {
		char line[600], y[16];
		snprintf(y, sizeof(y), "%d", year);
		et_msg_fill(line, sizeof(line), rp.lang, ET_MSG_TOOL_WROTE, 4, out, formats[format],
			    y, at_buf);
		printf("%s\n", line);
	}
out:
	PQclear(r);
	tool_close(&s);
	et_chart_cleanup(); /* the charts' font caches */
	return rc;
}
