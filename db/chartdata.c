/* SPDX-License-Identifier: MIT */
/* The figures of a target's charts (db/chartdata.h), from PostgreSQL: the
 * target's row from target_progress_at, the schedule sampled over the year
 * (kept a while, for all the year's targets at once), last year's
 * cumulative from reading_spans, and the gap per site from
 * target_sites_behind. No drawing here: draw/chart.c draws the structs. */
#include "db/chartdata.h"

#include "enertrack/numfmt.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "draw/chart.h"
#include "enertrack/log.h"

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

/* Every target's head row at `at` (ET_CHART_HEAD_COLS), as the status page
 * selects it too. */
static const char head_sql[] =
	"SELECT " ET_CHART_HEAD_COLS
	" FROM target_progress_at($1::timestamptz) p" ET_CHART_HEAD_FROM("$1");

/* What the charts' figures depend on besides the readings: the targets and
 * the session's settings (et_pq_use_settings), digested. $1: a year, or
 * NULL for every year. */
static const char digest_sql[] =
	"SELECT md5(coalesce((SELECT string_agg(t::text, ',' ORDER BY t.id) FROM target t"
	" WHERE $1::integer IS NULL OR t.year = $1::integer), '')"
	" || (SELECT s::text FROM target_setting s))";

static int digest(PGconn *conn, const char *year, char *ret, size_t len, char *err, size_t errlen)
{
	const char *p[1] = {year};
	PGresult *r = PQexecParams(conn, digest_sql, 1, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		return db_fail(r, err, errlen);
	snprintf(ret, len, "%s|%s|%s|%s|%s", PQhost(conn), PQport(conn), PQdb(conn), PQuser(conn),
		 PQgetvalue(r, 0, 0));
	PQclear(r);
	return 0;
}

/* The schedule sampled over the whole year: the 1st and the 16th of every
 * local month and the year's end (25 instants). A monthly schedule
 * is linear inside a month, so it is drawn exactly; a seasonal or milestone
 * one to within half a month. An instant is in the year it ends
 * (docs/targets.md): the first is 1 January 00:00 and one microsecond,
 * 00:00 itself being the year before's end, and the last 1 January 00:00 of
 * the next year, the year's end as the report and the page take it.
 * At each instant the expected and actual are target_progress_at's
 * (target_progress_samples computes them with one pass over each target's
 * readings instead of one target_progress_at an instant); the actual to an
 * instant is not changed by later readings (only late ones change it), so
 * one sampling serves the charts of any `at` in the year. */
static const char samples_sql[] =
	"WITH s AS (SELECT timezone AS tz FROM target_setting),"
	" b AS (SELECT to_timestamp($1::double precision) AS y0,"
	" to_timestamp($2::double precision) AS y1, s.tz FROM s),"
	" pts AS (SELECT greatest(((b.y0 AT TIME ZONE b.tz)"
	"  + make_interval(months => k, days => d)) AT TIME ZONE b.tz,"
	"  b.y0 + interval '1 microsecond') AS g"
	"  FROM b, generate_series(0, 11) k, (VALUES (0), (15)) v (d)"
	"  UNION ALL SELECT b.y1 FROM b)"
	" SELECT extract(epoch FROM p.at), p.expected, p.actual, p.target_id"
	" FROM target_progress_samples((SELECT array_agg(g ORDER BY g) FROM pts)) p"
	" ORDER BY p.target_id, p.at";

/* Last year's cumulative at the same local instants a year earlier. */
static const char lastyear_sql[] =
	"WITH t AS (SELECT * FROM target WHERE id = $1), s AS (SELECT timezone AS tz FROM "
	"target_setting),"
	" c AS (SELECT array_agg(((to_timestamp(x) AT TIME ZONE s.tz) - interval '1 year')"
	"  AT TIME ZONE s.tz ORDER BY x) AS cuts FROM unnest($2::double precision[]) x, s)"
	" SELECT sp.span, sum(sp.value_sum) FROM t, c,"
	/* which sources count is the metric's rule (metric.default_sources) */
	" LATERAL reading_spans(t.metric, metric_sources(t.metric, t.sources), c.cuts) sp"
	" JOIN site si ON si.site_id = sp.site_id"
	" WHERE t.scope = 'city' OR (t.scope LIKE 'county:%' AND si.county = substr(t.scope, 8))"
	"  OR (t.scope LIKE 'site:%' AND si.site_id = substr(t.scope, 6))"
	" GROUP BY sp.span ORDER BY sp.span";

/* The samples of every target of the year at once cost what one target's
 * do (target_progress_samples reads them all; about 0.4 s on the demo's
 * two years of readings), so they are kept for
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
static void fill_from(const struct sample_row *rows, int n, int id, et_chart_target_t *d)
{
	d->n = 0;
	bool at_done = false;
	for (int i = 0; i < n && d->n < ET_CHART_MAX_PTS - 1; i++) {
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

static int samples(PGconn *conn, int id, et_chart_target_t *d, char *err, size_t errlen)
{
	/* the year's targets as they are now: a changed one is sampled again */
	char t0[32], t1[32], dg[400];
	snprintf(t0, sizeof(t0), "%.6f", d->t0);
	snprintf(t1, sizeof(t1), "%.6f", d->t1);
	char yr[16];
	snprintf(yr, sizeof(yr), "%d", d->year);
	int rc = digest(conn, yr, dg, sizeof(dg), err, errlen);
	if (rc)
		return rc;
	char key[512];
	snprintf(key, sizeof(key), "%s|%.0f|%.0f", dg, d->t0, d->t1);
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

/* Every target's head row at one `at` (head_sql) is kept HEADS_TTL_S:
 * target_progress_at computes every target of the year whichever one a
 * chart asks for (0.1 to 0.3 s on the demo's data), and a page, a round of
 * mails or a report draws two charts of each target at one instant. Like
 * the page's own PNG cache, a reading that arrives late for an instant
 * shows after the TTL; a changed target or setting at once (the digest).
 * `now` (at NULL) is kept HEADS_NOW_TTL_S, as what the page's charts of
 * now may lag. */
#define HEADS_TTL_S	300
#define HEADS_NOW_TTL_S 60
#define HEADS_MAX	4
enum { H_LABEL, H_LABEL_ZH, H_ID = 16, H_NCOLS = 18 };
static struct {
	pthread_mutex_t mu;
	struct head_ent {
		char key[640];
		time_t made;
		bool now;
		PGresult *r; /* H_NCOLS columns, every target; read-only, so shared */
	} e[HEADS_MAX];
} heads = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* ncols text columns of src from first, rows from row0 (rows: -1 every one)
 * into a new result, named as in src; NULL when out of memory. */
static PGresult *copy_cols(const PGresult *src, int first, int ncols, int row0, int rows)
{
	PGresult *r = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	PGresAttDesc att[H_NCOLS];
	if (!r || ncols > H_NCOLS)
		goto fail;
	for (int c = 0; c < ncols; c++)
		att[c] = (PGresAttDesc){.name = PQfname(src, first + c),
					.format = 0,
					.typid = 25 /* text */,
					.typlen = -1,
					.atttypmod = -1};
	if (!PQsetResultAttrs(r, ncols, att))
		goto fail;
	int n = rows < 0 ? PQntuples(src) - row0 : rows;
	for (int i = 0; i < n; i++)
		for (int c = 0; c < ncols; c++) {
			bool null = PQgetisnull(src, row0 + i, first + c);
			if (!PQsetvalue(r, i, c, null ? NULL : PQgetvalue(src, row0 + i, first + c),
					null ? -1 : PQgetlength(src, row0 + i, first + c)))
				goto fail;
		}
	return r;
fail:
	PQclear(r);
	return NULL;
}

/* Row `row` of a head result, as the loaders read it: column 0 the label in
 * lang, then the head's columns from the scope on. NULL: out of memory. */
static PGresult *one_row(const PGresult *all, int row, et_lang_t lang)
{
	PGresult *r = copy_cols(all, H_LABEL_ZH, H_NCOLS - 1, row, 1);
	if (!r)
		return NULL;
	int lc = lang == ET_LANG_ZH_CN && !PQgetisnull(all, row, H_LABEL_ZH) ? H_LABEL_ZH : H_LABEL;
	if (!PQsetvalue(r, 0, 0, PQgetvalue(all, row, lc), PQgetlength(all, row, lc))) {
		PQclear(r);
		return NULL;
	}
	return r;
}

static int find_row(const PGresult *all, int id)
{
	for (int i = 0; i < PQntuples(all); i++)
		if (atoi(PQgetvalue(all, i, H_ID)) == id)
			return i;
	return -1;
}

static int heads_key(PGconn *conn, const char *at, char *key, size_t len, char *err, size_t errlen)
{
	char dg[400];
	int rc = digest(conn, NULL, dg, sizeof(dg), err, errlen);
	if (rc == 0)
		snprintf(key, len, "%s|%s", dg, at ? at : "now");
	return rc;
}

/* Keeps all (taken) under key, in place of the oldest entry. */
static void heads_keep(const char *key, bool now_, PGresult *all)
{
	pthread_mutex_lock(&heads.mu);
	struct head_ent *old = &heads.e[0];
	for (int i = 1; i < HEADS_MAX; i++)
		if (heads.e[i].made < old->made)
			old = &heads.e[i];
	PQclear(old->r);
	*old = (struct head_ent){.made = time(NULL), .now = now_, .r = all};
	snprintf(old->key, sizeof(old->key), "%s", key);
	pthread_mutex_unlock(&heads.mu);
}

void et_chartdata_heads_put(PGconn *conn, const char *at, const PGresult *r, int first_col)
{
	char key[640], err[256];
	if (first_col < 0 || PQnfields(r) < first_col + H_NCOLS ||
	    heads_key(conn, at, key, sizeof(key), err, sizeof(err)))
		return; /* the charts query it themselves */
	PGresult *all = copy_cols(r, first_col, H_NCOLS, 0, -1);
	if (all)
		heads_keep(key, !at, all);
}

/* Target id's row at `at` (head_sql): 0, -ENOENT, -EIO or -ENOMEM; *ret_r
 * (one row) is the caller's to clear on 0. */
static int head_row(PGconn *conn, int id, const char *at, et_lang_t lang, PGresult **ret_r,
		    char *err, size_t errlen)
{
	char key[640];
	int rc = heads_key(conn, at, key, sizeof(key), err, errlen);
	if (rc)
		return rc;
	time_t now = time(NULL);
	PGresult *r = NULL;
	int found = -2;
	pthread_mutex_lock(&heads.mu);
	for (int i = 0; i < HEADS_MAX; i++) {
		struct head_ent *e = &heads.e[i];
		if (e->r && now - e->made < (e->now ? HEADS_NOW_TTL_S : HEADS_TTL_S) &&
		    strcmp(e->key, key) == 0) {
			found = find_row(e->r, id);
			r = found >= 0 ? one_row(e->r, found, lang) : NULL;
			break;
		}
	}
	pthread_mutex_unlock(&heads.mu);
	if (found == -2) {
		const char *p[1] = {at ? at : "now"};
		PGresult *all = PQexecParams(conn, head_sql, 1, NULL, p, NULL, NULL, 0);
		if (PQresultStatus(all) != PGRES_TUPLES_OK)
			return db_fail(all, err, errlen);
		found = find_row(all, id);
		r = found >= 0 ? one_row(all, found, lang) : NULL;
		heads_keep(key, !at, all);
	}
	if (found < 0) {
		snprintf(err, errlen, "no target %d in the year of %s", id, at ? at : "now");
		return -ENOENT;
	}
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	*ret_r = r;
	return 0;
}

/* Last year's cumulative at d's sample instants, for a summed metric. */
static int last_year(PGconn *conn, int id, et_chart_target_t *d, char *err, size_t errlen)
{
	d->nly = 0;
	if (strcmp(d->aggregate, "sum") != 0 || d->n < 2)
		return 0;
	char ids[16];
	snprintf(ids, sizeof(ids), "%d", id);
	/* cuts: the sample instants, the first being the year's start */
	char arr[ET_CHART_MAX_PTS * 24 + 4];
	size_t o = 0;
	arr[o++] = '{';
	for (int i = 0; i < d->n; i++)
		o += (size_t)snprintf(arr + o, sizeof(arr) - o, "%s%.6f", i ? "," : "", d->t[i]);
	snprintf(arr + o, sizeof(arr) - o, "}");
	const char *lp[2] = {ids, arr};
	PGresult *r = PQexecParams(conn, lastyear_sql, 2, NULL, lp, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		return db_fail(r, err, errlen);
	if (PQntuples(r) > 0) {
		double span[ET_CHART_MAX_PTS] = {0};
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

int et_chartdata_target(PGconn *conn, int id, const char *at, et_lang_t lang, et_chart_target_t *d,
			char *err, size_t errlen)
{
	memset(d, 0, sizeof(*d));
	PGresult *r;
	int rc = head_row(conn, id, at, lang, &r, err, errlen);
	if (rc)
		return rc;
	snprintf(d->label, sizeof(d->label), "%s", PQgetvalue(r, 0, 0));
	et_scope_text(lang, PQgetvalue(r, 0, 1), d->scope, sizeof(d->scope));
	/* a chart in Chinese is in the bureau's units (万吨, not Mt) */
	double k;
	const char *unit = et_unit_local(PQgetvalue(r, 0, 2), lang == ET_LANG_ZH_CN, &k);
	snprintf(d->unit, sizeof(d->unit), "%s", unit);
	snprintf(d->aggregate, sizeof(d->aggregate), "%s", PQgetvalue(r, 0, 3));
	snprintf(d->status, sizeof(d->status), "%s", PQgetvalue(r, 0, 4));
	d->year = atoi(PQgetvalue(r, 0, 5));
	d->div = num(r, 0, 6);
	if (!(d->div > 0))
		d->div = 1;
	d->div /= k;
	d->target = num(r, 0, 7);
	d->actual = num(r, 0, 8);
	d->projected = num(r, 0, 9);
	d->tol = num(r, 0, 10);
	d->t0 = num(r, 0, 11);
	d->t1 = num(r, 0, 12);
	d->at = num(r, 0, 13);
	d->expected_at = num(r, 0, 14);
	PQclear(r);

	rc = samples(conn, id, d, err, errlen);
	if (rc)
		return rc;
	return last_year(conn, id, d, err, errlen);
}

/* Per site, or per county for a city target: the gap to its share of the
 * expected figure (target_sites_behind_given, with the expected figure and
 * schedule of the head row: target_sites_behind would compute
 * target_progress_at again), the furthest behind first. */
static const char gap_sql[] =
	"WITH t AS (SELECT * FROM target WHERE id = $1),"
	" g AS (SELECT CASE WHEN t.scope = 'city' THEN coalesce(b.county, b.site_id)"
	"  ELSE b.site_id END AS name, b.gap FROM t, target_sites_behind_given($1, "
	"$2::timestamptz, "
	"100000, $3::double precision, $4) b)"
	" SELECT name, sum(gap) FROM g GROUP BY name ORDER BY sum(gap) ASC, name LIMIT 8";

int et_chartdata_gap(PGconn *conn, int target_id, const char *at, et_lang_t lang, et_chart_gap_t *g,
		     char *err, size_t errlen)
{
	memset(g, 0, sizeof(*g));
	PGresult *r;
	int rc = head_row(conn, target_id, at, lang, &r, err, errlen);
	if (rc)
		return rc;
	snprintf(g->label, sizeof(g->label), "%s", PQgetvalue(r, 0, 0));
	et_scope_text(lang, PQgetvalue(r, 0, 1), g->scope, sizeof(g->scope));
	double k;
	const char *unit = et_unit_local(PQgetvalue(r, 0, 2), lang == ET_LANG_ZH_CN, &k);
	snprintf(g->unit, sizeof(g->unit), "%s", unit);
	snprintf(g->aggregate, sizeof(g->aggregate), "%s", PQgetvalue(r, 0, 3));
	g->year = atoi(PQgetvalue(r, 0, 5));
	double div = num(r, 0, 6);
	if (!(div > 0))
		div = 1;
	div /= k;
	if (strcmp(g->aggregate, "sum") != 0) {
		PQclear(r);
		return 0; /* no per-site shares: the chart says so */
	}
	char ids[16];
	snprintf(ids, sizeof(ids), "%d", target_id);
	/* the expected figure as PostgreSQL printed it: exact (shortest round trip) */
	const char *p[4] = {ids, at ? at : "now",
			    PQgetisnull(r, 0, 14) ? NULL : PQgetvalue(r, 0, 14),
			    PQgetisnull(r, 0, 16) ? NULL : PQgetvalue(r, 0, 16)};
	PGresult *hr = r;
	r = PQexecParams(conn, gap_sql, 4, NULL, p, NULL, NULL, 0);
	PQclear(hr);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		return db_fail(r, err, errlen);
	for (int i = 0; i < PQntuples(r) && g->nbars < ET_CHART_MAX_BARS; i++) {
		struct et_chart_bar *b = &g->bars[g->nbars];
		snprintf(b->name, sizeof(b->name), "%s", PQgetvalue(r, i, 0));
		b->gap = num(r, i, 1) / div;
		if (!isnan(b->gap))
			g->nbars++;
	}
	PQclear(r);
	return 0;
}

/* --- load, then draw ------------------------------------------------- */

static int width_ok(int width_px, char *err, size_t errlen)
{
	if (width_px >= 320 && width_px <= 2000)
		return 0;
	snprintf(err, errlen, "chart width %d px: 320 to 2000", width_px);
	return -EINVAL;
}

int et_chart_target_png(PGconn *conn, int target_id, const char *at, et_lang_t lang, int width_px,
			et_buf_t *out, char *err, size_t errlen)
{
	int rc = width_ok(width_px, err, errlen);
	if (rc)
		return rc;
	et_chart_target_t *d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	struct timespec t0, t1, t2;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = et_chartdata_target(conn, target_id, at, lang, d, err, errlen);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (rc == 0)
		rc = et_draw_target_png(d, lang, width_px, out);
	clock_gettime(CLOCK_MONOTONIC, &t2);
	log_debug("chart of target %d: %d samples, queries %.1f ms, drawing %.1f ms, %zu bytes",
		  target_id, d->n, ms_between(&t0, &t1), ms_between(&t1, &t2), out->len);
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	free(d);
	return rc;
}

int et_chart_gap_png(PGconn *conn, int target_id, const char *at, et_lang_t lang, int width_px,
		     et_buf_t *out, char *err, size_t errlen)
{
	int rc = width_ok(width_px, err, errlen);
	if (rc)
		return rc;
	et_chart_gap_t *g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	rc = et_chartdata_gap(conn, target_id, at, lang, g, err, errlen);
	if (rc == 0)
		rc = et_draw_gap_png(g, lang, width_px, out);
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	free(g);
	return rc;
}
