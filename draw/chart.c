/* SPDX-License-Identifier: MIT */
/* Drawing the charts of a target (draw/chart.h): the plan (sizes, value
 * axis, projection band) comes from lib/chartplan.c, and this file only
 * puts it on a cairo surface, with text laid out by pango so that Chinese
 * labels render with Noto CJK. Sizes follow the width: a chart 390 px wide
 * (a phone) keeps 12 px text. */
#include "draw/chart.h"

#include <cairo.h>
#include <errno.h>
#include <fontconfig/fontconfig.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define FONT "Noto Sans CJK SC, Noto Sans, sans-serif"

/* colours: (r, g, b) in 0..1 */
#define C_ACTUAL   0.10, 0.35, 0.75
#define C_EXPECTED 0.35, 0.35, 0.35
#define C_LASTYEAR 0.65, 0.65, 0.65
#define C_TARGET   0.80, 0.15, 0.15
#define C_PROJ	   0.10, 0.35, 0.75
#define C_GRID	   0.90, 0.90, 0.90
#define C_TEXT	   0.12, 0.12, 0.12
#define C_BEHIND   0.80, 0.25, 0.20
#define C_AHEAD	   0.20, 0.60, 0.30

struct canvas {
	cairo_surface_t *sf;
	cairo_t *cr;
	PangoFontDescription *fd;
	int w, h;
	double fs; /* base font size, px */
	et_lang_t lang;
};

static int canvas_open(struct canvas *c, int w, int h, et_lang_t lang)
{
	c->w = w;
	c->h = h;
	c->lang = lang;
	/* 13 px on a phone-wide chart; the mail's 440 px chart shown on a phone
	 * (374 px) keeps 12.5 px text */
	c->fs = fmax(12, fmin(18, w / 30.0));
	c->sf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
	if (cairo_surface_status(c->sf) != CAIRO_STATUS_SUCCESS) {
		cairo_surface_destroy(c->sf);
		return -ENOMEM;
	}
	c->cr = cairo_create(c->sf);
	c->fd = pango_font_description_from_string(FONT);
	cairo_set_source_rgb(c->cr, 1, 1, 1);
	cairo_paint(c->cr);
	return 0;
}

static cairo_status_t on_png_write(void *closure, const unsigned char *data, unsigned int len)
{
	return et_buf_append(closure, data, len) ? CAIRO_STATUS_NO_MEMORY : CAIRO_STATUS_SUCCESS;
}

static int canvas_close(struct canvas *c, et_buf_t *out)
{
	size_t before = out->len;
	cairo_surface_flush(c->sf);
	cairo_status_t st = cairo_surface_write_to_png_stream(c->sf, on_png_write, out);
	pango_font_description_free(c->fd);
	cairo_destroy(c->cr);
	cairo_surface_destroy(c->sf);
	if (st != CAIRO_STATUS_SUCCESS) {
		out->len = before;
		return -ENOMEM;
	}
	return 0;
}

/* Lays out s at size scale * fs, bold or not, wrapped at width (<= 0: no
 * wrap); the caller unrefs. */
static PangoLayout *text_layout(struct canvas *c, const char *s, double scale, bool bold, int width)
{
	PangoLayout *lay = pango_cairo_create_layout(c->cr);
	pango_font_description_set_absolute_size(c->fd, c->fs * scale * PANGO_SCALE);
	pango_font_description_set_weight(c->fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
	pango_layout_set_font_description(lay, c->fd);
	if (width > 0) {
		pango_layout_set_width(lay, width * PANGO_SCALE);
		pango_layout_set_wrap(lay, PANGO_WRAP_WORD_CHAR);
	}
	pango_layout_set_text(lay, s, -1);
	return lay;
}

/* Draws s with its top-left at (x, y) (align: 0 left, 1 right-aligned at x,
 * 2 centred on x); returns its height. */
static int text_at(struct canvas *c, const char *s, double x, double y, int align, double scale,
		   bool bold, int width)
{
	PangoLayout *lay = text_layout(c, s, scale, bold, width);
	int w, h;
	pango_layout_get_pixel_size(lay, &w, &h);
	if (align == 1)
		x -= w;
	else if (align == 2)
		x -= w / 2.0;
	cairo_move_to(c->cr, x, y);
	pango_cairo_show_layout(c->cr, lay);
	g_object_unref(lay);
	return h;
}

static int text_width(struct canvas *c, const char *s, double scale)
{
	PangoLayout *lay = text_layout(c, s, scale, false, 0);
	int w, h;
	pango_layout_get_pixel_size(lay, &w, &h);
	g_object_unref(lay);
	return w;
}

/* A legend: swatches and names flowing in rows from y upwards to fit the
 * width; returns the height used. style: 0 line, 1 dashed, 2 box. */
struct legend_item {
	const char *name;
	double r, g, b;
	int style;
};

static double legend_height(struct canvas *c, const struct legend_item *it, int n, double x0,
			    bool draw, double y0)
{
	double sw = c->fs * 1.6, gap = c->fs * 0.9, lh = c->fs * 1.5;
	double x = x0, y = y0;
	for (int i = 0; i < n; i++) {
		double w = sw + 4 + text_width(c, it[i].name, 0.9);
		if (x > x0 && x + w > c->w - 6) {
			x = x0;
			y += lh;
		}
		if (draw) {
			cairo_set_source_rgb(c->cr, it[i].r, it[i].g, it[i].b);
			double my = y + lh / 2;
			if (it[i].style == 2) {
				cairo_set_source_rgba(c->cr, it[i].r, it[i].g, it[i].b, 0.25);
				cairo_rectangle(c->cr, x, my - c->fs * 0.35, sw, c->fs * 0.7);
				cairo_fill(c->cr);
			} else {
				double dash[] = {4, 3};
				cairo_set_dash(c->cr, dash, it[i].style == 1 ? 2 : 0, 0);
				cairo_set_line_width(c->cr, 2.5);
				cairo_move_to(c->cr, x, my);
				cairo_line_to(c->cr, x + sw, my);
				cairo_stroke(c->cr);
				cairo_set_dash(c->cr, NULL, 0, 0);
			}
			cairo_set_source_rgb(c->cr, C_TEXT);
			text_at(c, it[i].name, x + sw + 4, y + (lh - c->fs * 0.9 * 1.45) / 2, 0,
				0.9, false, 0);
		}
		x += w + gap;
	}
	return y + lh - y0;
}

static void draw_title(struct canvas *c, const char *l1, const char *l2, double *y)
{
	cairo_set_source_rgb(c->cr, C_TEXT);
	*y += text_at(c, l1, 8, *y, 0, 1.15, true, c->w - 16);
	if (l2 && l2[0]) {
		cairo_set_source_rgb(c->cr, 0.35, 0.35, 0.35);
		*y += text_at(c, l2, 8, *y, 0, 0.9, false, c->w - 16);
	}
	*y += c->fs * 0.4;
}

/* A chart's canvas w x h with its title lines on top; *y is below them.
 * -ENOMEM when there is no memory for the canvas (then nothing to close). */
static int canvas_titled(struct canvas *c, int w, int h, et_lang_t lang, const char *l1,
			 const char *l2, double *y)
{
	if (canvas_open(c, w, h, lang))
		return -ENOMEM;
	*y = 6;
	draw_title(c, l1, l2, y);
	return 0;
}

static void polyline(cairo_t *cr, const double *t, const double *v, int n, double t0, double t1,
		     double x0, double x1, const et_axis_t *ax, double y0, double y1, double div)
{
	bool pen = false;
	for (int i = 0; i < n; i++) {
		if (isnan(v[i])) {
			pen = false;
			continue;
		}
		double x = et_axis_px(t[i], t0, t1, x0, x1);
		double y = et_axis_px(v[i] / div, ax->lo, ax->hi, y0, y1);
		if (pen)
			cairo_line_to(cr, x, y);
		else
			cairo_move_to(cr, x, y);
		pen = true;
	}
	cairo_stroke(cr);
}

/* The value axis' grid and labels on the left, the months along the
 * bottom; the plot's box is (px0, py1)-(px1, py0). */
struct frame {
	double px0, px1, py0, py1;
};

static int value_label_width(struct canvas *c, const et_axis_t *ax)
{
	char lab[64];
	int ylw = 0;
	for (int i = 0; i < ax->nticks; i++) {
		et_axis_label(ax->lo + i * ax->step, ax->step, lab, sizeof(lab));
		int w = text_width(c, lab, 0.85);
		if (w > ylw)
			ylw = w;
	}
	return ylw;
}

static void draw_axes(struct canvas *c, const et_chart_target_t *d, const et_target_plan_t *pl,
		      const struct frame *f)
{
	cairo_t *cr = c->cr;
	const et_axis_t *ax = &pl->ax;
	char lab[64];
	cairo_set_line_width(cr, 1);
	for (int i = 0; i < ax->nticks; i++) {
		double v = ax->lo + i * ax->step;
		double py = round(et_axis_px(v, ax->lo, ax->hi, f->py0, f->py1)) + 0.5;
		cairo_set_source_rgb(cr, C_GRID);
		cairo_move_to(cr, f->px0, py);
		cairo_line_to(cr, f->px1, py);
		cairo_stroke(cr);
		et_axis_label(v, ax->step, lab, sizeof(lab));
		cairo_set_source_rgb(cr, C_TEXT);
		text_at(c, lab, f->px0 - 4, py - c->fs * 0.85 * 0.7, 1, 0.85, false, 0);
	}
	/* months along the bottom: every one when wide, every other on a phone */
	int every = pl->month_every;
	for (int m = 0; m < 12; m++) {
		double tx = d->t0 + (d->t1 - d->t0) * m / 12.0;
		double px = round(et_axis_px(tx, d->t0, d->t1, f->px0, f->px1)) + 0.5;
		cairo_set_source_rgb(cr, C_GRID);
		cairo_move_to(cr, px, f->py0);
		cairo_line_to(cr, px, f->py0 + 4);
		cairo_stroke(cr);
		if (m % every)
			continue;
		snprintf(lab, sizeof(lab), "%s", et_msg(c->lang, (et_msg_t)(ET_MSG_MONTH_JAN + m)));
		double mid = et_axis_px(d->t0 + (d->t1 - d->t0) * (m + 0.5) / 12.0, d->t0, d->t1,
					f->px0, f->px1);
		cairo_set_source_rgb(cr, C_TEXT);
		text_at(c, lab, every == 1 ? mid : px + 2, f->py0 + 3, every == 1 ? 2 : 0, 0.85,
			false, 0);
	}
	cairo_set_source_rgb(cr, 0.5, 0.5, 0.5);
	cairo_move_to(cr, f->px0, round(f->py0) + 0.5);
	cairo_line_to(cr, f->px1, round(f->py0) + 0.5);
	cairo_stroke(cr);
}

/* The band, then the lines over it, clipped to the plot. */
static void draw_series(struct canvas *c, const et_chart_target_t *d, const et_target_plan_t *pl,
			const struct frame *f)
{
	cairo_t *cr = c->cr;
	const et_axis_t *ax = &pl->ax;
	double px0 = f->px0, px1 = f->px1, py0 = f->py0, py1 = f->py1;
	cairo_save(cr);
	cairo_rectangle(cr, px0, py1 - 2, px1 - px0, py0 - py1 + 4);
	cairo_clip(cr);
	cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
	double xa = et_axis_px(d->at, d->t0, d->t1, px0, px1);
	if (!isnan(d->projected) && !isnan(d->actual)) {
		double ya = et_axis_px(d->actual / d->div, ax->lo, ax->hi, py0, py1);
		cairo_set_source_rgba(cr, C_PROJ, 0.15);
		cairo_move_to(cr, xa, ya);
		cairo_line_to(cr, px1, et_axis_px(pl->band_hi / d->div, ax->lo, ax->hi, py0, py1));
		cairo_line_to(cr, px1, et_axis_px(pl->band_lo / d->div, ax->lo, ax->hi, py0, py1));
		cairo_close_path(cr);
		cairo_fill(cr);
	}
	double dash[] = {6, 4};
	if (!isnan(d->target)) {
		double ty = et_axis_px(d->target / d->div, ax->lo, ax->hi, py0, py1);
		cairo_set_source_rgb(cr, C_TARGET);
		cairo_set_line_width(cr, 1.5);
		cairo_set_dash(cr, dash, 2, 0);
		cairo_move_to(cr, px0, ty);
		cairo_line_to(cr, px1, ty);
		cairo_stroke(cr);
	}
	if (d->nly) {
		cairo_set_dash(cr, NULL, 0, 0);
		cairo_set_source_rgb(cr, C_LASTYEAR);
		cairo_set_line_width(cr, 2);
		polyline(cr, d->t, d->ly, d->nly, d->t0, d->t1, px0, px1, ax, py0, py1, d->div);
	}
	cairo_set_source_rgb(cr, C_EXPECTED);
	cairo_set_line_width(cr, 1.8);
	cairo_set_dash(cr, dash, 2, 0);
	polyline(cr, d->t, d->expected, d->n, d->t0, d->t1, px0, px1, ax, py0, py1, d->div);
	if (!isnan(d->projected) && !isnan(d->actual)) {
		cairo_set_source_rgb(cr, C_PROJ);
		cairo_set_line_width(cr, 1.8);
		cairo_move_to(cr, xa, et_axis_px(d->actual / d->div, ax->lo, ax->hi, py0, py1));
		cairo_line_to(cr, px1, et_axis_px(d->projected / d->div, ax->lo, ax->hi, py0, py1));
		cairo_stroke(cr);
	}
	cairo_set_dash(cr, NULL, 0, 0);
	cairo_set_source_rgb(cr, C_ACTUAL);
	cairo_set_line_width(cr, 3);
	polyline(cr, d->t, d->actual_at, d->n, d->t0, d->t1, px0, px1, ax, py0, py1, d->div);
	cairo_restore(cr);
}

int et_draw_target_png(const et_chart_target_t *d, et_lang_t lang, int width, et_buf_t *out)
{
	if (width < 320 || width > 2000)
		return -EINVAL;
	et_target_plan_t pl;
	if (et_target_plan(d, width, &pl))
		return -EINVAL;
	char l1[600], l2[400];
	snprintf(l1, sizeof(l1), "%s %d · %s", d->label, d->year, d->scope);
	snprintf(l2, sizeof(l2), "%s · %s", d->unit, et_status_text(lang, d->status));
	struct canvas c;
	double y;
	if (canvas_titled(&c, width, pl.h, lang, l1, l2, &y))
		return -ENOMEM;

	/* legend at the bottom */
	struct legend_item items[6];
	int ni = 0;
	items[ni++] = (struct legend_item){et_msg(lang, ET_MSG_CHART_ACTUAL), C_ACTUAL, 0};
	items[ni++] = (struct legend_item){et_msg(lang, ET_MSG_CHART_EXPECTED), C_EXPECTED, 1};
	if (d->nly)
		items[ni++] =
			(struct legend_item){et_msg(lang, ET_MSG_CHART_LAST_YEAR), C_LASTYEAR, 0};
	items[ni++] = (struct legend_item){et_msg(lang, ET_MSG_CHART_TARGET), C_TARGET, 1};
	if (!isnan(d->projected)) {
		items[ni++] =
			(struct legend_item){et_msg(lang, ET_MSG_CHART_PROJECTION), C_PROJ, 1};
		items[ni++] = (struct legend_item){et_msg(lang, ET_MSG_CHART_BAND), C_PROJ, 2};
	}
	double lh = legend_height(&c, items, ni, 8, false, 0);
	double ybot = pl.h - lh - 4;

	struct frame f;
	f.px0 = 8 + value_label_width(&c, &pl.ax) + 6;
	f.px1 = width - 10;
	f.py0 = ybot - c.fs * 1.6;
	f.py1 = y + c.fs * 0.5;
	draw_axes(&c, d, &pl, &f);
	draw_series(&c, d, &pl, &f);
	legend_height(&c, items, ni, 8, true, ybot);
	return canvas_close(&c, out);
}

/* --- the gap chart ---------------------------------------------------- */

/* A gap chart with no bars: why, in a frame, so that it is visibly a chart. */
static void draw_no_bars(struct canvas *c, const et_chart_gap_t *g, double y)
{
	cairo_set_source_rgb(c->cr, 0.4, 0.4, 0.4);
	text_at(c,
		et_msg(c->lang, strcmp(g->aggregate, "sum") ? ET_MSG_CHART_NO_GAP
							    : ET_MSG_CHART_NO_GAP_BEHIND),
		c->w / 2.0, (y + c->h) / 2 - c->fs, 2, 1, false, c->w - 16);
	cairo_set_source_rgb(c->cr, C_GRID);
	cairo_rectangle(c->cr, 8.5, y + 0.5, c->w - 17, c->h - y - 9);
	cairo_stroke(c->cr);
}

/* The value axis of a bar chart: a grid line and a label per tick, the
 * zero line darker. */
static void value_ticks(struct canvas *c, const et_axis_t *ax, double px0, double px1, double top,
			double bottom)
{
	char lab[64];
	cairo_set_line_width(c->cr, 1);
	for (int i = 0; i < ax->nticks; i++) {
		double v = ax->lo + i * ax->step;
		double px = round(et_axis_px(v, ax->lo, ax->hi, px0, px1)) + 0.5;
		double grey = v == 0 ? 0.45 : 0.9;
		cairo_set_source_rgb(c->cr, grey, grey, grey);
		cairo_move_to(c->cr, px, top);
		cairo_line_to(c->cr, px, bottom);
		cairo_stroke(c->cr);
		et_axis_label(v, ax->step, lab, sizeof(lab));
		cairo_set_source_rgb(c->cr, C_TEXT);
		text_at(c, lab, px, bottom + 2, 2, 0.8, false, 0);
	}
}

/* A row's name, right-aligned before px0, cut with "…" at width px. */
static void row_label(struct canvas *c, const char *name, bool bold, int width, double px0,
		      double by, double rowh)
{
	PangoLayout *lay = text_layout(c, name, 0.9, bold, 0);
	pango_layout_set_width(lay, width * PANGO_SCALE);
	pango_layout_set_ellipsize(lay, PANGO_ELLIPSIZE_END);
	int tw, th;
	pango_layout_get_pixel_size(lay, &tw, &th);
	cairo_move_to(c->cr, px0 - 6 - tw, by + (rowh - th) / 2);
	pango_cairo_show_layout(c->cr, lay);
	g_object_unref(lay);
}

static void draw_bars(struct canvas *c, const et_chart_gap_t *g, const et_axis_t *ax, double y)
{
	int nb = g->nbars, width_px = c->w, h = c->h;
	int nlw = 0;
	for (int i = 0; i < nb; i++) {
		int w = text_width(c, g->bars[i].name, 0.9);
		if (w > nlw)
			nlw = w;
	}
	if (nlw > width_px / 3)
		nlw = width_px / 3;
	double px0 = 8 + nlw + 8, px1 = width_px - 12;
	double top = y + 4, rowh = (h - top - c->fs * 2) / nb;
	double bottom = top + rowh * nb;
	value_ticks(c, ax, px0, px1, top, bottom);
	double zx = et_axis_px(0, ax->lo, ax->hi, px0, px1);
	for (int i = 0; i < nb; i++) {
		double by = top + rowh * i;
		double bx = et_axis_px(g->bars[i].gap, ax->lo, ax->hi, px0, px1);
		if (g->bars[i].gap < 0)
			cairo_set_source_rgb(c->cr, C_BEHIND);
		else
			cairo_set_source_rgb(c->cr, C_AHEAD);
		cairo_rectangle(c->cr, fmin(zx, bx), by + rowh * 0.18, fmax(1, fabs(bx - zx)),
				rowh * 0.64);
		cairo_fill(c->cr);
		cairo_set_source_rgb(c->cr, C_TEXT);
		row_label(c, g->bars[i].name, false, nlw, px0, by, rowh);
	}
}

int et_draw_gap_png(const et_chart_gap_t *g, et_lang_t lang, int width_px, et_buf_t *out)
{
	if (width_px < 320 || width_px > 2000)
		return -EINVAL;
	et_gap_plan_t pl;
	if (et_gap_plan(g, width_px, &pl))
		return -EINVAL;
	char l1[600], l2[200];
	snprintf(l1, sizeof(l1), "%s · %s %d · %s", et_msg(lang, ET_MSG_CHART_GAP_TITLE), g->label,
		 g->year, g->scope);
	snprintf(l2, sizeof(l2), "%s (%s)", et_msg(lang, ET_MSG_WORD_GAP), g->unit);
	struct canvas c;
	double y;
	if (canvas_titled(&c, width_px, pl.h, lang, l1, l2, &y))
		return -ENOMEM;
	if (g->nbars == 0)
		draw_no_bars(&c, g, y);
	else
		draw_bars(&c, g, &pl.ax, y);
	return canvas_close(&c, out);
}

/* The rows of a pairs chart: two bars each, the note at the right. */
static void draw_pair_rows(struct canvas *c, const et_chart_pairs_t *p, const et_axis_t *ax,
			   double top, double rowh, double px0, double px1)
{
	double bottom = top + rowh * p->n;
	value_ticks(c, ax, px0, px1, top, bottom);
	double zx = et_axis_px(0, ax->lo, ax->hi, px0, px1);
	for (int i = 0; i < p->n; i++) {
		const struct et_chart_pair *r = &p->rows[i];
		double by = top + rowh * i;
		if (isfinite(r->a)) {
			double ax_ = et_axis_px(r->a, ax->lo, ax->hi, px0, px1);
			cairo_set_source_rgb(c->cr, 0.62, 0.62, 0.62);
			cairo_rectangle(c->cr, fmin(zx, ax_), by + rowh * 0.12,
					fmax(1, fabs(ax_ - zx)), rowh * 0.3);
			cairo_fill(c->cr);
		}
		if (isfinite(r->b)) {
			double bx = et_axis_px(r->b, ax->lo, ax->hi, px0, px1);
			if (r->mark)
				cairo_set_source_rgb(c->cr, C_BEHIND);
			else
				cairo_set_source_rgb(c->cr, C_ACTUAL);
			cairo_rectangle(c->cr, fmin(zx, bx), by + rowh * 0.45,
					fmax(1, fabs(bx - zx)), rowh * 0.3);
			cairo_fill(c->cr);
		}
		cairo_set_source_rgb(c->cr, C_TEXT);
		row_label(c, r->name, r->mark, (int)(px0 - 14), px0, by, rowh);
		if (r->note[0]) {
			if (r->mark)
				cairo_set_source_rgb(c->cr, C_BEHIND);
			text_at(c, r->note, c->w - 8, by + rowh * 0.72, 1, 0.75, r->mark, 0);
		}
	}
}

int et_draw_pairs_png(const et_chart_pairs_t *p, et_lang_t lang, int width_px, et_buf_t *out)
{
	if (width_px < 320 || width_px > 2000 || p->n < 0 || p->n > ET_CHART_MAX_PAIRS)
		return -EINVAL;
	double lo = 0, hi = 0;
	for (int i = 0; i < p->n; i++) {
		if (isfinite(p->rows[i].a))
			lo = fmin(lo, p->rows[i].a), hi = fmax(hi, p->rows[i].a);
		if (isfinite(p->rows[i].b))
			lo = fmin(lo, p->rows[i].b), hi = fmax(hi, p->rows[i].b);
	}
	if (hi <= lo)
		hi = lo + 1;
	et_axis_t ax;
	if (et_axis_plan(lo, hi, width_px < 600 ? 4 : 6, &ax))
		return -EINVAL;
	double fs = fmax(12, fmin(18, width_px / 30.0)), rowh = fs * 2.4;
	int n = p->n > 0 ? p->n : 1;
	int h = (int)(fs * 5.5 + rowh * n + fs * 4.5);
	struct canvas c;
	double y;
	if (canvas_titled(&c, width_px, h, lang, p->title, p->subtitle, &y))
		return -ENOMEM;
	/* the labels' column: the longest name, at most a third of the width */
	int nlw = 0;
	for (int i = 0; i < p->n; i++)
		nlw = (int)fmax(nlw,
				text_width(&c, p->rows[i].name, 0.9) * 1.15); /* bold when marked */
	nlw = (int)fmin(nlw, width_px / 3.0);
	if (p->n > 0)
		draw_pair_rows(&c, p, &ax, y + 4, rowh, 8 + nlw + 8, width_px - 12);
	struct legend_item it[3] = {{p->a_name, 0.62, 0.62, 0.62, 0},
				    {p->b_name, C_ACTUAL, 0},
				    {p->mark_name, C_BEHIND, 0}};
	legend_height(&c, it, p->mark_name[0] ? 3 : 2, 8, true, y + 4 + rowh * n + fs * 1.6);
	return canvas_close(&c, out);
}

void et_chart_warm(void)
{
	/* fontconfig's configuration and caches are the process's: loading them
	 * (and the CJK font's file) here spares the first chart a request waits
	 * for. Latin and CJK text, as the charts have. */
	struct canvas c;
	if (canvas_open(&c, 64, 32, ET_LANG_ZH_CN))
		return;
	PangoLayout *lay = text_layout(&c, "Mt 实际累计 0123", 1, true, 0);
	int w, h;
	pango_layout_get_pixel_size(lay, &w, &h);
	g_object_unref(lay);
	et_buf_t png = ET_BUF_INIT;
	(void)canvas_close(&c, &png);
	et_buf_free(&png);
}

void et_chart_cleanup(void)
{
	pango_cairo_font_map_set_default(NULL);
	cairo_debug_reset_static_data();
	FcFini();
}
