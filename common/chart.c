/* SPDX-License-Identifier: MIT */
/* The charts of a target (common/chart.h): the figures come from
 * PostgreSQL (target_progress_at sampled over the year, reading_spans for
 * last year, target_sites_behind for the gap), the plan of the axes from
 * lib/chartplan.c, and the drawing is cairo with text laid out by pango, so
 * that Chinese labels render with Noto CJK. Sizes follow the width: a
 * chart 390 px wide (a phone) keeps 12 px text. */
#include "common/chart.h"

#include <cairo.h>
#include <errno.h>
#include <fontconfig/fontconfig.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "enertrack/chartplan.h"
#include "enertrack/i18n.h"
#include "enertrack/log.h"

#define FONT	 "Noto Sans CJK SC, Noto Sans, sans-serif"
#define MAX_PTS	 128
#define MAX_BARS 8

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

struct target_data {
	char label[256], scope[256], unit[64], aggregate[16], status[32];
	int year;
	double div, target, actual, expected_at, projected, tol;
	double t0, t1, at; /* epoch s: the local year's start and end, now */
	int n;
	double t[MAX_PTS], expected[MAX_PTS], actual_at[MAX_PTS];
	int nly;
	double ly[MAX_PTS]; /* last year, cumulative at t[i] - 1 year */
};

struct canvas {
	cairo_surface_t *sf;
	cairo_t *cr;
	PangoFontDescription *fd;
	int w, h;
	double fs; /* base font size, px */
	et_lang_t lang;
};

static double ms_between(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1e3 + (b->tv_nsec - a->tv_nsec) / 1e6;
}

static int db_fail(PGresult *r, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s", PQresultErrorMessage(r));
	PQclear(r);
	return -EIO;
}

static double num(PGresult *r, int row, int col)
{
	if (PQgetisnull(r, row, col))
		return NAN;
	return strtod(PQgetvalue(r, row, col), NULL);
}

/* The target's row at `at`, with its label in lang and the year's bounds. */
static const char head_sql[] =
	"SELECT CASE WHEN $3 = 'zh-CN' THEN coalesce(m.label_zh, p.label) ELSE p.label END,"
	" p.scope, p.display_unit, m.aggregate, p.status, p.year, p.display_div, p.target,"
	" p.actual, p.projected, p.tolerance_pct,"
	" extract(epoch FROM make_timestamptz(p.year, 1, 1, 0, 0, 0, s.timezone)),"
	" extract(epoch FROM make_timestamptz(p.year + 1, 1, 1, 0, 0, 0, s.timezone)),"
	" extract(epoch FROM $2::timestamptz), p.expected"
	" FROM target_progress_at($2::timestamptz) p JOIN metric m ON m.name = p.metric,"
	" target_setting s WHERE p.target_id = $1";

/* The schedule sampled over the whole year: the 1st and the 16th of every
 * local month and the year's last second (25 instants). A monthly schedule
 * is linear inside a month, so it is drawn exactly; a seasonal or milestone
 * one to within half a month. At each instant target_progress_at also gives
 * the actual to then, which later readings do not change (only late ones
 * do), so one sampling serves the charts of any `at` in the year. */
static const char samples_sql[] =
	"WITH s AS (SELECT timezone AS tz FROM target_setting),"
	" b AS (SELECT to_timestamp($1::double precision) AS y0,"
	" to_timestamp($2::double precision) AS y1, s.tz FROM s),"
	" pts AS (SELECT ((b.y0 AT TIME ZONE b.tz) + make_interval(months => k, days => d))"
	"  AT TIME ZONE b.tz AS g FROM b, generate_series(0, 11) k, (VALUES (0), (15)) v (d)"
	"  UNION ALL SELECT b.y1 - interval '1 second' FROM b)"
	" SELECT extract(epoch FROM pts.g), p.expected, p.actual, p.target_id"
	" FROM pts, LATERAL target_progress_at(pts.g) p ORDER BY p.target_id, pts.g";

/* Last year's cumulative at the same local instants a year earlier. */
static const char lastyear_sql[] =
	"WITH t AS (SELECT * FROM target WHERE id = $1), s AS (SELECT timezone AS tz FROM "
	"target_setting),"
	" c AS (SELECT array_agg(((to_timestamp(x) AT TIME ZONE s.tz) - interval '1 year')"
	"  AT TIME ZONE s.tz ORDER BY x) AS cuts FROM unnest($2::double precision[]) x, s)"
	" SELECT sp.span, sum(sp.value_sum) FROM t, c,"
	" LATERAL reading_spans(t.metric, CASE WHEN t.metric = 'capacity_commissioned'"
	"  THEN coalesce(t.sources, ARRAY['solar', 'wind', 'biomass']) END, c.cuts) sp"
	" JOIN site si ON si.id = sp.site_id"
	" WHERE t.scope = 'city' OR (t.scope LIKE 'county:%' AND si.county = substr(t.scope, 8))"
	"  OR (t.scope LIKE 'site:%' AND si.id = substr(t.scope, 6))"
	" GROUP BY sp.span ORDER BY sp.span";

/* The samples of every target of the year at once cost what one target's
 * do (target_progress_at evaluates them all at each instant; 0.3 to 0.8 s
 * an instant on a city's year of readings), so they are kept for
 * SAMPLES_TTL_S and the next chart of the same database and year is drawn
 * from them, whatever its `at`: the status page, a round of mails and a
 * replay of a year draw many. A target whose row changed is sampled again
 * (its row is in the key); a late reading shows after SAMPLES_TTL_S. */
#define SAMPLES_TTL_S 600
struct sample_row {
	int id;
	double t, expected, actual;
};
static struct {
	pthread_mutex_t mu;
	char key[512];
	time_t made;
	struct sample_row *rows;
	int n;
} cache = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* The target's samples, with `at` itself (its figures from the head
 * query) in its place and no actual after it. */
static void fill_from(const struct sample_row *rows, int n, int id, struct target_data *d)
{
	d->n = 0;
	bool at_done = false;
	for (int i = 0; i < n && d->n < MAX_PTS - 1; i++) {
		if (rows[i].id != id)
			continue;
		if (!at_done && rows[i].t >= d->at) {
			d->t[d->n] = d->at;
			d->expected[d->n] = d->expected_at;
			d->actual_at[d->n] = d->actual;
			d->n++;
			at_done = true;
			if (rows[i].t == d->at)
				continue;
		}
		d->t[d->n] = rows[i].t;
		d->expected[d->n] = rows[i].expected;
		d->actual_at[d->n] = at_done ? NAN : rows[i].actual;
		d->n++;
	}
}

static int samples(PGconn *conn, int id, struct target_data *d, char *err, size_t errlen)
{
	/* the year's targets as they are now: a changed one is sampled again */
	char t0[32], t1[32], digest[33] = "";
	snprintf(t0, sizeof(t0), "%.6f", d->t0);
	snprintf(t1, sizeof(t1), "%.6f", d->t1);
	char yr[16];
	snprintf(yr, sizeof(yr), "%d", d->year);
	const char *hp[1] = {yr};
	PGresult *h =
		PQexecParams(conn,
			     "SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t.id), ''))"
			     " FROM target t WHERE t.year = $1",
			     1, NULL, hp, NULL, NULL, 0);
	if (PQresultStatus(h) != PGRES_TUPLES_OK)
		return db_fail(h, err, errlen);
	snprintf(digest, sizeof(digest), "%s", PQgetvalue(h, 0, 0));
	PQclear(h);
	char key[512];
	snprintf(key, sizeof(key), "%s|%s|%s|%s|%.0f|%.0f|%s", PQhost(conn), PQport(conn),
		 PQdb(conn), PQuser(conn), d->t0, d->t1, digest);
	time_t now = time(NULL);
	pthread_mutex_lock(&cache.mu);
	if (cache.rows && strcmp(cache.key, key) == 0 && now - cache.made < SAMPLES_TTL_S) {
		fill_from(cache.rows, cache.n, id, d);
		pthread_mutex_unlock(&cache.mu);
		return 0;
	}
	pthread_mutex_unlock(&cache.mu);

	const char *sp[2] = {t0, t1};
	PGresult *r = PQexecParams(conn, samples_sql, 2, NULL, sp, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		return db_fail(r, err, errlen);
	int n = PQntuples(r);
	struct sample_row *rows = calloc(n ? (size_t)n : 1, sizeof(*rows));
	if (!rows) {
		PQclear(r);
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++)
		rows[i] = (struct sample_row){.id = atoi(PQgetvalue(r, i, 3)),
					      .t = num(r, i, 0),
					      .expected = num(r, i, 1),
					      .actual = num(r, i, 2)};
	PQclear(r);
	fill_from(rows, n, id, d);
	pthread_mutex_lock(&cache.mu);
	free(cache.rows);
	cache.rows = rows;
	cache.n = n;
	cache.made = now;
	snprintf(cache.key, sizeof(cache.key), "%s", key);
	pthread_mutex_unlock(&cache.mu);
	return 0;
}

static int load_target(PGconn *conn, int id, const char *at, et_lang_t lang, struct target_data *d,
		       char *err, size_t errlen)
{
	char ids[16];
	snprintf(ids, sizeof(ids), "%d", id);
	const char *p[3] = {ids, at ? at : "now", et_lang_tag(lang)};
	PGresult *r = PQexecParams(conn, head_sql, 3, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		return db_fail(r, err, errlen);
	if (PQntuples(r) != 1) {
		snprintf(err, errlen, "no target %d in the year of %s", id, at ? at : "now");
		PQclear(r);
		return -ENOENT;
	}
	snprintf(d->label, sizeof(d->label), "%s", PQgetvalue(r, 0, 0));
	et_scope_text(lang, PQgetvalue(r, 0, 1), d->scope, sizeof(d->scope));
	snprintf(d->unit, sizeof(d->unit), "%s", PQgetvalue(r, 0, 2));
	snprintf(d->aggregate, sizeof(d->aggregate), "%s", PQgetvalue(r, 0, 3));
	snprintf(d->status, sizeof(d->status), "%s", PQgetvalue(r, 0, 4));
	d->year = atoi(PQgetvalue(r, 0, 5));
	d->div = num(r, 0, 6);
	if (!(d->div > 0))
		d->div = 1;
	d->target = num(r, 0, 7);
	d->actual = num(r, 0, 8);
	d->projected = num(r, 0, 9);
	d->tol = num(r, 0, 10);
	d->t0 = num(r, 0, 11);
	d->t1 = num(r, 0, 12);
	d->at = num(r, 0, 13);
	d->expected_at = num(r, 0, 14);
	PQclear(r);

	int rc = samples(conn, id, d, err, errlen);
	if (rc)
		return rc;

	d->nly = 0;
	if (strcmp(d->aggregate, "sum") != 0 || d->n < 2)
		return 0;
	/* cuts: the sample instants, the first being the year's start */
	char arr[MAX_PTS * 24 + 4];
	size_t o = 0;
	arr[o++] = '{';
	for (int i = 0; i < d->n; i++)
		o += (size_t)snprintf(arr + o, sizeof(arr) - o, "%s%.6f", i ? "," : "", d->t[i]);
	snprintf(arr + o, sizeof(arr) - o, "}");
	const char *lp[2] = {ids, arr};
	r = PQexecParams(conn, lastyear_sql, 2, NULL, lp, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		return db_fail(r, err, errlen);
	if (PQntuples(r) > 0) {
		double span[MAX_PTS] = {0};
		for (int i = 0; i < PQntuples(r); i++) {
			int s = atoi(PQgetvalue(r, i, 0));
			if (s >= 1 && s < d->n)
				span[s] = num(r, i, 1);
		}
		double cum = 0;
		d->ly[0] = 0;
		for (int i = 1; i < d->n; i++) {
			cum += isnan(span[i]) ? 0 : span[i];
			d->ly[i] = cum;
		}
		d->nly = d->n;
	}
	PQclear(r);
	return 0;
}

/* --- drawing ----------------------------------------------------------- */

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

static const char *const months_en[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

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

static int render_target(const struct target_data *d, et_lang_t lang, int width, et_buf_t *out)
{
	struct canvas c;
	/* tall enough on a phone, not a wall on a desktop */
	int h = (int)lround(fmax(280, fmin(width * 0.72, 300 + width * 0.15)));
	if (canvas_open(&c, width, h, lang))
		return -ENOMEM;
	cairo_t *cr = c.cr;
	bool sum = strcmp(d->aggregate, "sum") == 0;

	/* the projection band: the 30-day pace (target_progress_at's
	 * projection) and the year-to-date pace carried to the year's end,
	 * widened by the target's tolerance */
	double plo = d->projected, phi = d->projected;
	if (sum && !isnan(d->actual) && !isnan(d->projected) && d->at > d->t0) {
		double pace = d->actual / (d->at - d->t0);
		double alt = d->actual + pace * (d->t1 - d->at);
		plo = fmin(plo, alt);
		phi = fmax(phi, alt);
	}
	double tol = isnan(d->tol) ? 0 : d->tol / 100;
	if (!isnan(plo)) {
		plo = fmin(plo, d->projected - fabs(d->projected) * tol);
		phi = fmax(phi, d->projected + fabs(d->projected) * tol);
		if (sum && !isnan(d->actual))
			plo = fmax(plo, d->actual);
	}

	/* the value range */
	double lo = sum ? 0 : INFINITY, hi = -INFINITY;
	const double *series[3] = {d->expected, d->actual_at, d->ly};
	int ns[3] = {d->n, d->n, d->nly};
	for (int s = 0; s < 3; s++)
		for (int i = 0; i < ns[s]; i++)
			if (!isnan(series[s][i])) {
				lo = fmin(lo, series[s][i] / d->div);
				hi = fmax(hi, series[s][i] / d->div);
			}
	double extra[3] = {d->target, plo, phi};
	for (int i = 0; i < 3; i++)
		if (!isnan(extra[i])) {
			lo = fmin(lo, extra[i] / d->div);
			hi = fmax(hi, extra[i] / d->div);
		}
	if (!isfinite(lo) || !isfinite(hi)) {
		lo = 0;
		hi = 1;
	}
	et_axis_t ax;
	if (et_axis_plan(lo, hi, width < 600 ? 5 : 7, &ax))
		ax = (et_axis_t){0, 1, 0.25, 5};

	/* title */
	char l1[600], l2[400];
	snprintf(l1, sizeof(l1), "%s %d · %s", d->label, d->year, d->scope);
	char key[64];
	snprintf(key, sizeof(key), "status.%s", d->status);
	snprintf(l2, sizeof(l2), "%s · %s", d->unit, et_tr(lang, key));
	double y = 6;
	draw_title(&c, l1, l2, &y);

	/* legend at the bottom */
	struct legend_item items[6];
	int ni = 0;
	items[ni++] = (struct legend_item){et_tr(lang, "chart.actual"), C_ACTUAL, 0};
	items[ni++] = (struct legend_item){et_tr(lang, "chart.expected"), C_EXPECTED, 1};
	if (d->nly)
		items[ni++] = (struct legend_item){et_tr(lang, "chart.last_year"), C_LASTYEAR, 0};
	items[ni++] = (struct legend_item){et_tr(lang, "chart.target"), C_TARGET, 1};
	if (!isnan(d->projected)) {
		items[ni++] = (struct legend_item){et_tr(lang, "chart.projection"), C_PROJ, 1};
		items[ni++] = (struct legend_item){et_tr(lang, "chart.band"), C_PROJ, 2};
	}
	double lh = legend_height(&c, items, ni, 8, false, 0);
	double ybot = h - lh - 4;

	/* axes */
	char lab[64];
	int ylw = 0;
	for (int i = 0; i < ax.nticks; i++) {
		et_axis_label(ax.lo + i * ax.step, ax.step, lab, sizeof(lab));
		int w = text_width(&c, lab, 0.85);
		if (w > ylw)
			ylw = w;
	}
	double px0 = 8 + ylw + 6, px1 = width - 10;
	double py0 = ybot - c.fs * 1.6, py1 = y + c.fs * 0.5;
	cairo_set_line_width(cr, 1);
	for (int i = 0; i < ax.nticks; i++) {
		double v = ax.lo + i * ax.step;
		double py = round(et_axis_px(v, ax.lo, ax.hi, py0, py1)) + 0.5;
		cairo_set_source_rgb(cr, C_GRID);
		cairo_move_to(cr, px0, py);
		cairo_line_to(cr, px1, py);
		cairo_stroke(cr);
		et_axis_label(v, ax.step, lab, sizeof(lab));
		cairo_set_source_rgb(cr, C_TEXT);
		text_at(&c, lab, px0 - 4, py - c.fs * 0.85 * 0.7, 1, 0.85, false, 0);
	}
	/* months along the bottom: every one when wide, every other on a phone */
	int every = width < 600 ? 2 : 1;
	for (int m = 0; m < 12; m++) {
		double tx = d->t0 + (d->t1 - d->t0) * m / 12.0;
		double px = round(et_axis_px(tx, d->t0, d->t1, px0, px1)) + 0.5;
		cairo_set_source_rgb(cr, C_GRID);
		cairo_move_to(cr, px, py0);
		cairo_line_to(cr, px, py0 + 4);
		cairo_stroke(cr);
		if (m % every)
			continue;
		if (lang == ET_LANG_ZH_CN)
			snprintf(lab, sizeof(lab), "%d月", m + 1);
		else
			snprintf(lab, sizeof(lab), "%s", months_en[m]);
		double mid = et_axis_px(d->t0 + (d->t1 - d->t0) * (m + 0.5) / 12.0, d->t0, d->t1,
					px0, px1);
		cairo_set_source_rgb(cr, C_TEXT);
		text_at(&c, lab, every == 1 ? mid : px + 2, py0 + 3, every == 1 ? 2 : 0, 0.85,
			false, 0);
	}
	cairo_set_source_rgb(cr, 0.5, 0.5, 0.5);
	cairo_move_to(cr, px0, round(py0) + 0.5);
	cairo_line_to(cr, px1, round(py0) + 0.5);
	cairo_stroke(cr);

	cairo_save(cr);
	cairo_rectangle(cr, px0, py1 - 2, px1 - px0, py0 - py1 + 4);
	cairo_clip(cr);
	cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
	/* the band, then the lines over it */
	double xa = et_axis_px(d->at, d->t0, d->t1, px0, px1);
	if (!isnan(d->projected) && !isnan(d->actual)) {
		double ya = et_axis_px(d->actual / d->div, ax.lo, ax.hi, py0, py1);
		cairo_set_source_rgba(cr, C_PROJ, 0.15);
		cairo_move_to(cr, xa, ya);
		cairo_line_to(cr, px1, et_axis_px(phi / d->div, ax.lo, ax.hi, py0, py1));
		cairo_line_to(cr, px1, et_axis_px(plo / d->div, ax.lo, ax.hi, py0, py1));
		cairo_close_path(cr);
		cairo_fill(cr);
	}
	double dash[] = {6, 4};
	if (!isnan(d->target)) {
		double ty = et_axis_px(d->target / d->div, ax.lo, ax.hi, py0, py1);
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
		polyline(cr, d->t, d->ly, d->nly, d->t0, d->t1, px0, px1, &ax, py0, py1, d->div);
	}
	cairo_set_source_rgb(cr, C_EXPECTED);
	cairo_set_line_width(cr, 1.8);
	cairo_set_dash(cr, dash, 2, 0);
	polyline(cr, d->t, d->expected, d->n, d->t0, d->t1, px0, px1, &ax, py0, py1, d->div);
	if (!isnan(d->projected) && !isnan(d->actual)) {
		cairo_set_source_rgb(cr, C_PROJ);
		cairo_set_line_width(cr, 1.8);
		cairo_move_to(cr, xa, et_axis_px(d->actual / d->div, ax.lo, ax.hi, py0, py1));
		cairo_line_to(cr, px1, et_axis_px(d->projected / d->div, ax.lo, ax.hi, py0, py1));
		cairo_stroke(cr);
	}
	cairo_set_dash(cr, NULL, 0, 0);
	cairo_set_source_rgb(cr, C_ACTUAL);
	cairo_set_line_width(cr, 3);
	polyline(cr, d->t, d->actual_at, d->n, d->t0, d->t1, px0, px1, &ax, py0, py1, d->div);
	cairo_restore(cr);

	legend_height(&c, items, ni, 8, true, ybot);
	return canvas_close(&c, out);
}

int et_chart_target_png(PGconn *conn, int target_id, const char *at, const char *lang, int width_px,
			et_buf_t *out, char *err, size_t errlen)
{
	if (width_px < 320 || width_px > 2000) {
		snprintf(err, errlen, "chart width %d px: 320 to 2000", width_px);
		return -EINVAL;
	}
	et_lang_t l = et_lang_or_en(lang);
	struct target_data *d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	struct timespec t0, t1, t2;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int rc = load_target(conn, target_id, at, l, d, err, errlen);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (rc == 0)
		rc = render_target(d, l, width_px, out);
	clock_gettime(CLOCK_MONOTONIC, &t2);
	log_debug("chart of target %d: %d samples, queries %.1f ms, drawing %.1f ms, %zu bytes",
		  target_id, d->n, ms_between(&t0, &t1), ms_between(&t1, &t2), out->len);
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	free(d);
	return rc;
}

/* --- the gap chart ---------------------------------------------------- */

struct bar {
	char name[128];
	double gap;
};

/* Per site, or per county for a city target: the gap to its share of the
 * expected figure (target_sites_behind), the furthest behind first. */
static const char gap_sql[] =
	"WITH t AS (SELECT * FROM target WHERE id = $1),"
	" g AS (SELECT CASE WHEN t.scope = 'city' THEN coalesce(b.county, b.site_id)"
	"  ELSE b.site_id END AS name, b.gap FROM t, target_sites_behind($1, $2::timestamptz, "
	"100000) b)"
	" SELECT name, sum(gap) FROM g GROUP BY name ORDER BY sum(gap) ASC, name LIMIT 8";

int et_chart_gap_png(PGconn *conn, int target_id, const char *at, const char *lang, int width_px,
		     et_buf_t *out, char *err, size_t errlen)
{
	if (width_px < 320 || width_px > 2000) {
		snprintf(err, errlen, "chart width %d px: 320 to 2000", width_px);
		return -EINVAL;
	}
	et_lang_t l = et_lang_or_en(lang);
	struct target_data *d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	struct bar bars[MAX_BARS];
	int nb = 0;
	char ids[16];
	snprintf(ids, sizeof(ids), "%d", target_id);
	const char *p[3] = {ids, at ? at : "now", et_lang_tag(l)};
	int rc = 0;
	PGresult *r = PQexecParams(conn, head_sql, 3, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		rc = db_fail(r, err, errlen);
		goto done;
	}
	if (PQntuples(r) != 1) {
		snprintf(err, errlen, "no target %d in the year of %s", target_id, at ? at : "now");
		PQclear(r);
		rc = -ENOENT;
		goto done;
	}
	snprintf(d->label, sizeof(d->label), "%s", PQgetvalue(r, 0, 0));
	et_scope_text(l, PQgetvalue(r, 0, 1), d->scope, sizeof(d->scope));
	snprintf(d->unit, sizeof(d->unit), "%s", PQgetvalue(r, 0, 2));
	snprintf(d->aggregate, sizeof(d->aggregate), "%s", PQgetvalue(r, 0, 3));
	d->year = atoi(PQgetvalue(r, 0, 5));
	d->div = num(r, 0, 6);
	if (!(d->div > 0))
		d->div = 1;
	PQclear(r);
	if (strcmp(d->aggregate, "sum") == 0) {
		r = PQexecParams(conn, gap_sql, 2, NULL, p, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			rc = db_fail(r, err, errlen);
			goto done;
		}
		for (int i = 0; i < PQntuples(r) && nb < MAX_BARS; i++) {
			snprintf(bars[nb].name, sizeof(bars[nb].name), "%s", PQgetvalue(r, i, 0));
			bars[nb].gap = num(r, i, 1) / d->div;
			if (!isnan(bars[nb].gap))
				nb++;
		}
		PQclear(r);
	}

	struct canvas c;
	int h = (int)lround(fmax(220, 90 + nb * 30 + width_px * 0.1));
	if (canvas_open(&c, width_px, h, l)) {
		rc = -ENOMEM;
		goto done;
	}
	char l1[600], l2[200], lab[64];
	snprintf(l1, sizeof(l1), "%s · %s %d · %s", et_tr(l, "chart.gap_title"), d->label, d->year,
		 d->scope);
	snprintf(l2, sizeof(l2), "%s (%s)", et_tr(l, "word.gap"), d->unit);
	double y = 6;
	draw_title(&c, l1, l2, &y);
	if (nb == 0) {
		cairo_set_source_rgb(c.cr, 0.4, 0.4, 0.4);
		text_at(&c,
			et_tr(l,
			      strcmp(d->aggregate, "sum") ? "chart.no_gap" : "chart.no_gap_behind"),
			width_px / 2.0, (y + h) / 2 - c.fs, 2, 1, false, width_px - 16);
		/* a frame, so that an empty chart is visibly a chart */
		cairo_set_source_rgb(c.cr, C_GRID);
		cairo_rectangle(c.cr, 8.5, y + 0.5, width_px - 17, h - y - 9);
		cairo_stroke(c.cr);
		rc = canvas_close(&c, out);
		goto done;
	}
	double lo = 0, hi = 0;
	for (int i = 0; i < nb; i++) {
		lo = fmin(lo, bars[i].gap);
		hi = fmax(hi, bars[i].gap);
	}
	et_axis_t ax;
	if (et_axis_plan(lo, hi, width_px < 600 ? 4 : 6, &ax))
		ax = (et_axis_t){-1, 0, 0.25, 5};
	int nlw = 0;
	for (int i = 0; i < nb; i++) {
		int w = text_width(&c, bars[i].name, 0.9);
		if (w > nlw)
			nlw = w;
	}
	if (nlw > width_px / 3)
		nlw = width_px / 3;
	double px0 = 8 + nlw + 8, px1 = width_px - 12;
	double top = y + 4, rowh = (h - top - c.fs * 2) / nb;
	double bottom = top + rowh * nb;
	cairo_set_line_width(c.cr, 1);
	for (int i = 0; i < ax.nticks; i++) {
		double v = ax.lo + i * ax.step;
		double px = round(et_axis_px(v, ax.lo, ax.hi, px0, px1)) + 0.5;
		cairo_set_source_rgb(c.cr, v == 0 ? 0.45 : 0.9, v == 0 ? 0.45 : 0.9,
				     v == 0 ? 0.45 : 0.9);
		cairo_move_to(c.cr, px, top);
		cairo_line_to(c.cr, px, bottom);
		cairo_stroke(c.cr);
		et_axis_label(v, ax.step, lab, sizeof(lab));
		cairo_set_source_rgb(c.cr, C_TEXT);
		text_at(&c, lab, px, bottom + 2, 2, 0.8, false, 0);
	}
	double zx = et_axis_px(0, ax.lo, ax.hi, px0, px1);
	for (int i = 0; i < nb; i++) {
		double by = top + rowh * i;
		double bx = et_axis_px(bars[i].gap, ax.lo, ax.hi, px0, px1);
		if (bars[i].gap < 0)
			cairo_set_source_rgb(c.cr, C_BEHIND);
		else
			cairo_set_source_rgb(c.cr, C_AHEAD);
		cairo_rectangle(c.cr, fmin(zx, bx), by + rowh * 0.18, fmax(1, fabs(bx - zx)),
				rowh * 0.64);
		cairo_fill(c.cr);
		cairo_set_source_rgb(c.cr, C_TEXT);
		PangoLayout *lay = text_layout(&c, bars[i].name, 0.9, false, 0);
		pango_layout_set_width(lay, nlw * PANGO_SCALE);
		pango_layout_set_ellipsize(lay, PANGO_ELLIPSIZE_END);
		int tw, th;
		pango_layout_get_pixel_size(lay, &tw, &th);
		cairo_move_to(c.cr, px0 - 6 - tw, by + (rowh - th) / 2);
		pango_cairo_show_layout(c.cr, lay);
		g_object_unref(lay);
	}
	rc = canvas_close(&c, out);
done:
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	free(d);
	return rc;
}

void et_chart_cleanup(void)
{
	pango_cairo_font_map_set_default(NULL);
	cairo_debug_reset_static_data();
	FcFini();
}
