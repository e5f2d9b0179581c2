/* SPDX-License-Identifier: MIT */
/* The PDF report (report_pdf.h). Page 1: title, as-of, the targets table;
 * then one page per target: its progress chart (the PNG the mails and the
 * page show, scaled to the page's width) and how its months were counted.
 * Sizes in PDF points (A4 is 595 x 842). */
#include "report_pdf.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/chartdata.h"
#include "db/pq.h"
#include "enertrack/buf.h"
#include "enertrack/log.h"
#include "enertrack/drifttext.h"
#include "enertrack/numfmt.h"
#include "enertrack/schednote.h"
#include "enertrack/text.h"

#define A4_W   595.28
#define A4_H   841.89
#define MARGIN 42.0
#define FONT   "Noto Sans CJK SC, Noto Sans, sans-serif"

static const char targets_sql[] =
	"SELECT p.target_id, coalesce(metric_label(p.metric, $2), p.label), p.year, p.scope,"
	" p.kind, p.target / p.display_div, p.expected / p.display_div,"
	" p.actual / p.display_div, p.drift_pct, p.projected / p.display_div, p.display_unit,"
	" p.status, p.month_sources, p.schedule_note, p.sites_reporting"
	" FROM target_progress_at($1::timestamptz) p ORDER BY p.target_id";

struct pdf {
	cairo_t *cr;
	PangoFontDescription *fd;
	et_lang_t lang;
	int page, pages;
	const char *as_of;
};

/* Text at (x, y), size pt, wrapped at width (<= 0: none), right-aligned at
 * x when right; returns its height. */
static double text(struct pdf *p, const char *s, double x, double y, double size, bool bold,
		   double width, bool right)
{
	PangoLayout *lay = pango_cairo_create_layout(p->cr);
	pango_font_description_set_absolute_size(p->fd, size * PANGO_SCALE);
	pango_font_description_set_weight(p->fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
	pango_layout_set_font_description(lay, p->fd);
	if (width > 0) {
		pango_layout_set_width(lay, (int)(width * PANGO_SCALE));
		pango_layout_set_wrap(lay, PANGO_WRAP_WORD_CHAR);
	}
	pango_layout_set_text(lay, s, -1);
	int w, h;
	pango_layout_get_pixel_size(lay, &w, &h);
	cairo_move_to(p->cr, right ? x - w : x, y);
	pango_cairo_show_layout(p->cr, lay);
	g_object_unref(lay);
	return h;
}

/* The page's foot: the as-of date and "第 n 页，共 N 页"; then the next page. */
static void end_page(struct pdf *p)
{
	char a[32], b[32], line[120];
	snprintf(a, sizeof(a), "%d", p->page);
	snprintf(b, sizeof(b), "%d", p->pages);
	et_msg_fill(line, sizeof(line), p->lang, ET_MSG_REPORT_PAGE, 2, a, b);
	cairo_set_source_rgb(p->cr, 0.4, 0.4, 0.4);
	text(p, p->as_of, MARGIN, A4_H - MARGIN + 8, 8, false, 0, false);
	text(p, line, A4_W - MARGIN, A4_H - MARGIN + 8, 8, false, 0, true);
	cairo_show_page(p->cr);
	p->page++;
	cairo_set_source_rgb(p->cr, 0.1, 0.1, 0.1);
}

/* Page 1's table: one row per target. */
static void targets_table(struct pdf *p, PGresult *r, bool bureau, double y)
{
	static const struct {
		et_msg_t name;
		double w;
	} cols[] = {{ET_MSG_WORD_TARGET, 138},	   {ET_MSG_CLI_COL_PLAN, 62},
		    {ET_MSG_CLI_COL_EXPECTED, 62}, {ET_MSG_CLI_COL_ACTUAL, 62},
		    {ET_MSG_CLI_COL_DRIFT, 60},	   {ET_MSG_CLI_COL_PROJECTED, 62},
		    {ET_MSG_CLI_COL_STATUS, 60}};
	double x = MARGIN;
	for (size_t k = 0; k < sizeof(cols) / sizeof(cols[0]); k++) {
		bool num_col = k > 0 && k < 6;
		text(p, et_msg(p->lang, cols[k].name),
		     num_col ? x + cols[k].w - 4 : x + (k ? 6 : 0), y, 8.5, true, 0, num_col);
		x += cols[k].w;
	}
	y += 16;
	for (int i = 0; i < PQntuples(r); i++) {
		double k;
		const char *unit = et_unit_local(PQgetvalue(r, i, 10), bureau, &k);
		int dec = et_unit_decimals(unit);
		char label[300], where[128], v[5][48];
		et_scope_text(p->lang, PQgetvalue(r, i, 3), where, sizeof(where));
		snprintf(label, sizeof(label), "%s %s · %s · %s", PQgetvalue(r, i, 1),
			 PQgetvalue(r, i, 2), where, unit);
		const int c[5] = {5, 6, 7, 8, 9};
		for (int j = 0; j < 5; j++)
			if (c[j] == 8)
				et_drift_text(v[j], sizeof(v[j]), p->lang, et_pq_num(r, i, 8),
					      PQgetvalue(r, i, 10));
			else
				et_num_fixed(v[j], sizeof(v[j]), et_pq_num(r, i, c[j]) * k, dec,
					     true);
		x = MARGIN;
		double h = text(p, label, x, y, 8.5, false, cols[0].w - 6, false);
		x += cols[0].w;
		for (int j = 0; j < 5; j++) {
			x += cols[j + 1].w;
			text(p, v[j], x - 4, y, 8.5, false, 0, true);
		}
		text(p, et_status_text(p->lang, PQgetvalue(r, i, 11)), x + 6, y, 8.5, false, 0,
		     false);
		y += fmax(h, 12) + 6;
		cairo_set_source_rgb(p->cr, 0.85, 0.85, 0.85);
		cairo_rectangle(p->cr, MARGIN, y - 3, A4_W - 2 * MARGIN, 0.5);
		cairo_fill(p->cr);
		cairo_set_source_rgb(p->cr, 0.1, 0.1, 0.1);
	}
}

struct png_reader {
	const char *p;
	size_t left;
};

static cairo_status_t on_png_read(void *closure, unsigned char *data, unsigned int len)
{
	struct png_reader *rd = closure;
	if (rd->left < len)
		return CAIRO_STATUS_READ_ERROR;
	memcpy(data, rd->p, len);
	rd->p += len;
	rd->left -= len;
	return CAIRO_STATUS_SUCCESS;
}

/* A target's page: its chart, the schedule, the sources of each month. */
static void target_page(struct pdf *p, PGconn *conn, const char *at, PGresult *r, int i)
{
	double y = MARGIN;
	char line[2300], title[400], where[128];
	et_scope_text(p->lang, PQgetvalue(r, i, 3), where, sizeof(where));
	snprintf(title, sizeof(title), "%s %s · %s", PQgetvalue(r, i, 1), PQgetvalue(r, i, 2),
		 where);
	y += text(p, title, MARGIN, y, 14, true, A4_W - 2 * MARGIN, false) + 8;
	et_buf_t png = ET_BUF_INIT;
	char err[300];
	if (atoi(PQgetvalue(r, i, 14)) > 0 &&
	    et_chart_target_png(conn, atoi(PQgetvalue(r, i, 0)), at, p->lang, 1000, &png, err,
				sizeof(err)) == 0) {
		struct png_reader rd = {png.data, png.len};
		cairo_surface_t *img = cairo_image_surface_create_from_png_stream(on_png_read, &rd);
		if (cairo_surface_status(img) == CAIRO_STATUS_SUCCESS) {
			double s = (A4_W - 2 * MARGIN) / cairo_image_surface_get_width(img);
			cairo_save(p->cr);
			cairo_translate(p->cr, MARGIN, y);
			cairo_scale(p->cr, s, s);
			cairo_set_source_surface(p->cr, img, 0, 0);
			cairo_paint(p->cr);
			cairo_restore(p->cr);
			y += cairo_image_surface_get_height(img) * s + 12;
		}
		cairo_surface_destroy(img);
	} else {
		y += text(p, et_msg(p->lang, ET_MSG_PAGE_NO_SITES), MARGIN, y, 10, false,
			  A4_W - 2 * MARGIN, false) +
		     12;
	}
	et_buf_free(&png);
	if (!PQgetisnull(r, i, 13)) {
		char note[400];
		et_sched_note(note, sizeof(note), p->lang, PQgetvalue(r, i, 13));
		et_msg_fill(line, sizeof(line), p->lang, ET_MSG_PDF_SCHEDULE, 1, note);
		y += text(p, line, MARGIN, y, 9.5, false, A4_W - 2 * MARGIN, false) + 6;
	}
	if (PQgetisnull(r, i, 12))
		snprintf(line, sizeof(line), "%s", et_msg(p->lang, ET_MSG_PDF_NO_SOURCES));
	else {
		et_text_t t = ET_TEXT_INIT;
		et_month_sources(&t, p->lang, PQgetvalue(r, i, 12));
		et_msg_fill(line, sizeof(line), p->lang, ET_MSG_PDF_SOURCES, 1, et_text_str(&t));
		et_text_free(&t);
	}
	text(p, line, MARGIN, y, 9.5, false, A4_W - 2 * MARGIN, false);
	end_page(p);
}

int report_pdf(const report_pdf_in_t *in)
{
	const char *qp[2] = {in->at, et_lang_tag(in->lang)};
	PGresult *r = PQexecParams(in->conn, targets_sql, 2, NULL, qp, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		log_error("report: %s", PQresultErrorMessage(r));
		PQclear(r);
		return -1;
	}
	cairo_surface_t *sf = cairo_pdf_surface_create(in->out, A4_W, A4_H);
	if (cairo_surface_status(sf) != CAIRO_STATUS_SUCCESS) {
		log_error("report: cannot create %s: %s", in->out,
			  cairo_status_to_string(cairo_surface_status(sf)));
		cairo_surface_destroy(sf);
		PQclear(r);
		return -1;
	}
	cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_TITLE, in->title);
	cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_CREATOR, "enertrack");
	struct pdf p = {.cr = cairo_create(sf),
			.fd = pango_font_description_from_string(FONT),
			.lang = in->lang,
			.page = 1,
			.pages = 1 + PQntuples(r),
			.as_of = in->as_of};
	cairo_set_source_rgb(p.cr, 0.1, 0.1, 0.1);
	double y = MARGIN;
	y += text(&p, in->title, MARGIN, y, 16, true, A4_W - 2 * MARGIN, false) + 4;
	y += text(&p, in->as_of, MARGIN, y, 10, false, 0, false) + 18;
	targets_table(&p, r, in->bureau, y);
	end_page(&p);
	for (int i = 0; i < PQntuples(r); i++)
		target_page(&p, in->conn, in->at, r, i);
	pango_font_description_free(p.fd);
	cairo_destroy(p.cr);
	cairo_surface_finish(sf);
	cairo_status_t st = cairo_surface_status(sf);
	cairo_surface_destroy(sf);
	PQclear(r);
	if (st != CAIRO_STATUS_SUCCESS) {
		log_error("report: %s: %s", in->out, cairo_status_to_string(st));
		return -1;
	}
	return 0;
}
