/* SPDX-License-Identifier: MIT */
/* The statistics CSV: libcsv does the quoting; this file tracks lines,
 * checks the header and each field, and finds repeated keys.
 *
 * libcsv does not count lines, so the text is fed to it one physical line
 * at a time: a callback that fires while line L is fed belongs to line L.
 * A record starts on the first non-blank line fed after the previous one
 * ended, and a field on the line where the field before it ended (its
 * delimiter is there), so that a note with a line break in it does not
 * shift the numbers of what follows. */
#include "enertrack/statcsv.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "enertrack/buf.h"
#include "enertrack/units.h"
#include "enertrack/utf8.h"

enum { F_SCOPE, F_METRIC, F_PERIOD, F_VALUE, F_UNIT, F_SOURCE, F_NOTE, NF };
#define MAX_KEPT 32 /* fields kept of a record; more are only checked for being empty */
#define MAX_NAME 200
#define MAX_NOTE 2000

static const char *const names[NF] = {"scope", "metric", "period", "value",
				      "unit",  "source", "note"};

/* The repeated-key check: open addressing over key strings in an arena. */
struct keyset {
	struct slot {
		uint64_t hash;
		size_t off; /* into arena; 0 = empty (the arena starts with a byte) */
		unsigned line;
	} * slots;
	size_t cap, n;
	et_buf_t arena;
};

struct parser {
	const et_statcsv_cb_t *cb;
	et_statcsv_counts_t *counts;
	unsigned cur_line;	/* the line being fed */
	int in_record;		/* a record started and has not ended */
	unsigned rec_line;	/* its first line */
	unsigned nfields;	/* fields seen in the record */
	int extra_nonempty;	/* a field past MAX_KEPT is not empty */
	unsigned last_end_line; /* where the previous field ended */
	size_t off[MAX_KEPT], flen[MAX_KEPT];
	unsigned fline[MAX_KEPT];
	et_buf_t rec; /* the record's fields, each NUL-terminated */
	int header_done, header_bad;
	int has_published; /* the header's optional 8th column, published */
	int rc;		   /* first failure of a callback or of memory */
	/* a record's errors, passed on in line and column order */
	struct pending {
		unsigned line, col;
		char msg[400];
	} pending[16];
	unsigned npending;
	struct keyset keys;
};

static void report(struct parser *p, int *bad, unsigned line, unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void report(struct parser *p, int *bad, unsigned line, unsigned col, const char *fmt, ...)
{
	va_list ap;
	*bad = 1;
	if (p->npending == sizeof(p->pending) / sizeof(p->pending[0]))
		return;
	/* insertion in order; equal places keep the order of the checks */
	unsigned i = p->npending++;
	for (; i > 0 && (p->pending[i - 1].line > line ||
			 (p->pending[i - 1].line == line && p->pending[i - 1].col > col));
	     i--)
		p->pending[i] = p->pending[i - 1];
	p->pending[i].line = line;
	p->pending[i].col = col;
	va_start(ap, fmt);
	vsnprintf(p->pending[i].msg, sizeof(p->pending[i].msg), fmt, ap);
	va_end(ap);
	/* "%.80s" may have cut a field inside a character: the message stays
	 * UTF-8, with a '?' for each byte of the cut character */
	unsigned char *m = (unsigned char *)p->pending[i].msg;
	for (size_t k = 0, n = strlen((char *)m); k < n;) {
		size_t l = m[k] < 0x80 ? 1 : et_utf8_decode(m + k, n - k, NULL);
		if (l == 0)
			m[k++] = '?';
		else
			k += l;
	}
}

static void flush_errors(struct parser *p)
{
	for (unsigned i = 0; i < p->npending; i++)
		p->cb->on_error(p->cb->ctx, p->pending[i].line, p->pending[i].col,
				p->pending[i].msg);
	p->npending = 0;
}

static uint64_t fnv1a(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return h;
}

static int keyset_grow(struct keyset *k)
{
	size_t cap = k->cap ? k->cap * 2 : 1024;
	struct slot *s = calloc(cap, sizeof(*s));
	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < k->cap; i++) {
		if (!k->slots[i].off)
			continue;
		size_t j = k->slots[i].hash & (cap - 1);
		while (s[j].off)
			j = (j + 1) & (cap - 1);
		s[j] = k->slots[i];
	}
	free(k->slots);
	k->slots = s;
	k->cap = cap;
	return 0;
}

/* Adds key[0..n); returns 0 if new, the earlier line if it was there, or
 * a negative code. */
static long keyset_add(struct keyset *k, const char *key, size_t n, unsigned line)
{
	if (k->arena.len == 0 && et_buf_append(&k->arena, "", 1))
		return -ENOMEM;
	if ((k->n + 1) * 2 > k->cap && keyset_grow(k))
		return -ENOMEM;
	uint64_t h = fnv1a(key, n);
	size_t j = h & (k->cap - 1);
	for (; k->slots[j].off; j = (j + 1) & (k->cap - 1)) {
		const char *o = k->arena.data + k->slots[j].off;
		if (k->slots[j].hash == h && strlen(o) == n && memcmp(o, key, n) == 0)
			return k->slots[j].line;
	}
	size_t off = k->arena.len;
	if (et_buf_append(&k->arena, key, n) || et_buf_append(&k->arena, "", 1))
		return -ENOMEM;
	k->slots[j] = (struct slot){h, off, line};
	k->n++;
	return 0;
}

static void keyset_free(struct keyset *k)
{
	free(k->slots);
	et_buf_free(&k->arena);
}

/* A month, "M" or "MM" (1-12), the whole of s[0..len); 0 when it is not. */
static int month_of(const char *s, size_t len)
{
	if (len < 1 || len > 2 || s[0] < '0' || s[0] > '9' ||
	    (len == 2 && (s[1] < '0' || s[1] > '9')))
		return 0;
	int m = len == 1 ? s[0] - '0' : (s[0] - '0') * 10 + (s[1] - '0');
	return m >= 1 && m <= 12 ? m : 0;
}

/* A year "YYYY" (1900-2199) at s[0..4); -1 when it is not. */
static int year_of(const char *s)
{
	int y = 0;
	for (int i = 0; i < 4; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		y = y * 10 + (s[i] - '0');
	}
	return y >= 1900 && y <= 2199 ? y : -1;
}

/* A day "YYYY-MM-DD" (years 1900-2199, day 1-31 of its month). */
static bool date_ok(const char *s, size_t len)
{
	static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (len != 10 || s[4] != '-' || s[7] != '-' || year_of(s) < 0)
		return false;
	int m = month_of(s + 5, 2);
	if (!m || s[8] < '0' || s[8] > '9' || s[9] < '0' || s[9] > '9')
		return false;
	int d = (s[8] - '0') * 10 + (s[9] - '0');
	return d >= 1 && d <= mdays[m - 1];
}

int et_stat_period_parse(const char *s, size_t len, char ret_period[ET_STAT_PERIOD_MAX],
			 char ret_start[11], char ret_end[11])
{
	if (len < 4)
		return -EINVAL;
	int y = year_of(s);
	if (y < 0)
		return -EINVAL;
	int m0, months; /* first month and length */
	const char *dots = len > 5 ? memchr(s, '.', len) : NULL;
	if (len == 4) {
		snprintf(ret_period, ET_STAT_PERIOD_MAX, "%04d", y);
		m0 = 1;
		months = 12;
	} else if (s[4] != '-') {
		return -EINVAL;
	} else if (len == 7 && (s[5] == 'Q' || s[5] == 'q') && s[6] >= '1' && s[6] <= '4') {
		int q = s[6] - '0';
		snprintf(ret_period, ET_STAT_PERIOD_MAX, "%04d-Q%d", y, q);
		m0 = 3 * q - 2;
		months = 3;
	} else if (len == 7 && (s[5] == 'H' || s[5] == 'h') && s[6] >= '1' && s[6] <= '2') {
		int h = s[6] - '0';
		snprintf(ret_period, ET_STAT_PERIOD_MAX, "%04d-H%d", y, h);
		m0 = 6 * h - 5;
		months = 6;
	} else if (dots) {
		/* YYYY-MM..YYYY-MM: from January to a month of the same year */
		size_t a = (size_t)(dots - s);
		const char *t = dots + 2;
		size_t tl = len - a - 2;
		int first = month_of(s + 5, a - 5);
		if (a + 2 > len || dots[1] != '.' || first != 1 || tl < 6 || year_of(t) != y ||
		    t[4] != '-')
			return -EINVAL;
		int last = month_of(t + 5, tl - 5);
		if (!last)
			return -EINVAL;
		if (last == 1)
			snprintf(ret_period, ET_STAT_PERIOD_MAX, "%04d-01", y);
		else
			snprintf(ret_period, ET_STAT_PERIOD_MAX, "%04d-01..%04d-%02d", y, y, last);
		m0 = 1;
		months = last;
	} else {
		int m = month_of(s + 5, len - 5);
		if (!m)
			return -EINVAL;
		snprintf(ret_period, ET_STAT_PERIOD_MAX, "%04d-%02d", y, m);
		m0 = m;
		months = 1;
	}
	unsigned m1 = (unsigned)(m0 - 1 + months), y1 = (unsigned)y + m1 / 12;
	snprintf(ret_start, 11, "%04u-%02u-01", (unsigned)y % 10000u, (unsigned)m0 % 100u);
	snprintf(ret_end, 11, "%04u-%02u-01", y1 % 10000u, (m1 % 12 + 1) % 100u);
	return 0;
}

/* A number as a person or Excel writes it: 1234.5, -3, 1.2e6, 1,234,567.8
 * (thousands grouped by commas). No hex, inf or nan. */
static int parse_number(const char *s, size_t n, double *ret)
{
	char buf[64];
	size_t k = 0, i = 0, digits = 0;
	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	if (s[0] == '+' || s[0] == '-')
		buf[k++] = s[i++];
	/* the integer part, with commas only between groups of three */
	size_t group = 0, commas = 0;
	for (; i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == ','); i++) {
		if (s[i] == ',') {
			if (digits == 0 || (commas && group != 3) || (!commas && group > 3))
				return -EINVAL;
			commas++;
			group = 0;
			continue;
		}
		buf[k++] = s[i];
		digits++;
		group++;
	}
	if (commas && group != 3)
		return -EINVAL;
	for (; i < n; i++) {
		if (!strchr("0123456789.eE+-", s[i]))
			return -EINVAL;
		if (s[i] >= '0' && s[i] <= '9')
			digits++;
		buf[k++] = s[i];
	}
	if (!digits)
		return -EINVAL;
	buf[k] = '\0';
	char *end;
	errno = 0;
	double v = strtod(buf, &end);
	if (*end || errno == ERANGE || !isfinite(v))
		return -EINVAL;
	*ret = v;
	return 0;
}

/* The rule of MQTT messages (et_utf8_is_control): C0 and C1 controls and
 * bidirectional overrides; a note may break lines. The text is UTF-8 by
 * now (lib/textenc.c); a byte that is not is a control too. */
static int has_control(const char *s, size_t n, int allow_breaks)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		unsigned cp;
		size_t k = et_utf8_decode(p + i, n - i, &cp);
		if (k == 0)
			return 1;
		if (et_utf8_is_control(cp) &&
		    !(allow_breaks && (cp == '\t' || cp == '\n' || cp == '\r')))
			return 1;
		i += k;
	}
	return 0;
}

static int site_id_ok(const char *s, size_t n)
{
	if (n < 1 || n > 64)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			 (i > 0 && (c == '_' || c == '.' || c == '-'));
		if (!ok)
			return 0;
	}
	return 1;
}

static const char *dim_name(enum et_dim d)
{
	static const char *const n[] = {"",	 "mass", "power", "energy", "coal equivalent",
					"money", "share"};
	return (unsigned)d < sizeof(n) / sizeof(n[0]) ? n[d] : "";
}

/* "t, kt, Mt, 万吨, 亿吨": the units of a dimension. */
static void dim_units(enum et_dim d, char *buf, size_t len)
{
	size_t k = 0;
	enum et_dim ud;
	double f;
	const char *u;
	buf[0] = '\0';
	for (size_t i = 0; (u = et_unit_at(i, &ud, &f)) != NULL; i++)
		if (ud == d && k < len)
			k += (size_t)snprintf(buf + k, len - k, "%s%s", k ? ", " : "", u);
}

static const char *field(struct parser *p, int i)
{
	return p->rec.data + p->off[i];
}

static void check_header(struct parser *p)
{
	int bad = 0;
	for (int i = 0; i < NF; i++) {
		if ((unsigned)i >= p->nfields) {
			report(p, &bad, p->rec_line, (unsigned)i + 1,
			       "the header has %u columns; expected " ET_STAT_COLUMNS, p->nfields);
			break;
		}
		if (strcasecmp(field(p, i), names[i]) != 0) {
			report(p, &bad, p->fline[i], (unsigned)i + 1,
			       "header column %d is \"%.40s\", expected \"%s\" (the header "
			       "is " ET_STAT_COLUMNS ")",
			       i + 1, field(p, i), names[i]);
			break;
		}
	}
	p->has_published = !bad && p->nfields > NF && strcasecmp(field(p, NF), "published") == 0;
	for (unsigned i = NF + (unsigned)p->has_published; !bad && i < p->nfields && i < MAX_KEPT;
	     i++)
		if (p->flen[i])
			report(p, &bad, p->fline[i], i + 1, "the header has more than %d columns",
			       NF + p->has_published);
	if (!bad && p->extra_nonempty)
		report(p, &bad, p->rec_line, MAX_KEPT + 1, "the header has more than %d columns",
		       NF);
	p->header_bad = bad;
	p->header_done = 1;
	if (bad)
		p->counts->bad_lines++;
}

/* The row's columns: 1 when it is to be skipped (a row of empty cells, or
 * one too short to check, counted bad); else 0, *bad set for surplus ones. */
static int check_columns(struct parser *p, int *bad)
{
	unsigned nonempty = 0;
	for (unsigned i = 0; i < p->nfields && i < MAX_KEPT; i++)
		nonempty += p->flen[i] != 0;
	if (nonempty == 0 && !p->extra_nonempty)
		return 1; /* a row of empty cells, as Excel leaves them */
	if (p->nfields < NF) {
		report(p, bad, p->fline[p->nfields - 1], p->nfields + 1,
		       "%u fields, expected %d (" ET_STAT_COLUMNS "): no %s", p->nfields, NF,
		       names[p->nfields]);
		p->counts->bad_lines++;
		return 1;
	}
	for (unsigned i = NF + (unsigned)p->has_published; i < p->nfields && i < MAX_KEPT; i++)
		if (p->flen[i]) {
			report(p, bad, p->fline[i], i + 1,
			       "more than %d fields (" ET_STAT_COLUMNS "%s)", NF + p->has_published,
			       p->has_published ? ",published" : "");
			break;
		}
	if (!*bad && p->extra_nonempty)
		report(p, bad, p->rec_line, MAX_KEPT + 1,
		       "more than %d fields (" ET_STAT_COLUMNS ")", NF);
	return 0;
}

/* What every field must be (present, no control characters, not too long);
 * fbad[i] set for a field reported here, which is not checked further. */
static void check_fields(struct parser *p, int *bad, int *fbad)
{
	for (int i = 0; i < NF; i++) {
		const char *s = field(p, i);
		size_t n = p->flen[i];
		unsigned l = p->fline[i], c = (unsigned)i + 1;
		fbad[i] = 1;
		if (n == 0 && i != F_NOTE)
			report(p, bad, l, c, "%s is empty", names[i]);
		else if (has_control(s, n, i == F_NOTE))
			report(p, bad, l, c, "%s has a control character", names[i]);
		else if (n > (i == F_NOTE ? MAX_NOTE : MAX_NAME))
			report(p, bad, l, c, "%s is longer than %d bytes", names[i],
			       i == F_NOTE ? MAX_NOTE : MAX_NAME);
		else
			fbad[i] = 0;
	}
}

/* city, county:<name> or site:<id>. */
static void check_scope(struct parser *p, int *bad, const int *fbad)
{
	const char *scope = field(p, F_SCOPE);
	size_t sl = p->flen[F_SCOPE];
	if (fbad[F_SCOPE] || strcmp(scope, "city") == 0) {
	} else if (strncmp(scope, "county:", 7) == 0) {
		if (sl == 7)
			report(p, bad, p->fline[F_SCOPE], F_SCOPE + 1,
			       "scope \"county:\" has no county name");
	} else if (strncmp(scope, "site:", 5) == 0) {
		if (!site_id_ok(scope + 5, sl - 5))
			report(p, bad, p->fline[F_SCOPE], F_SCOPE + 1,
			       "scope \"%.80s\": a site id is 1-64 of a-z 0-9 _ . - (starting with "
			       "a "
			       "letter or digit)",
			       scope);
	} else {
		report(p, bad, p->fline[F_SCOPE], F_SCOPE + 1,
		       "scope \"%.80s\" is not city, county:<name> or site:<id>", scope);
	}
}

/* The metric's dimension; ET_DIM_NONE (reported) when it is not one to import. */
static enum et_dim check_metric(struct parser *p, int *bad, const int *fbad)
{
	const char *metric = field(p, F_METRIC);
	enum et_dim dim = et_metric_dim(metric, p->flen[F_METRIC]);
	if (fbad[F_METRIC]) {
	} else if (dim == ET_DIM_NONE && strcmp(metric, "energy_intensity") == 0) {
		report(p, bad, p->fline[F_METRIC], F_METRIC + 1,
		       "metric \"energy_intensity\" is derived (energy_consumption and "
		       "gdp_real_growth): import those two");
	} else if (dim == ET_DIM_NONE) {
		report(p, bad, p->fline[F_METRIC], F_METRIC + 1, "metric \"%.80s\" is not known",
		       metric);
	}
	return dim;
}

/* The value, a number (not negative but for a growth rate), in a unit of
 * the metric's dimension and under its bound; r->value_in and r->value. */
static void check_value(struct parser *p, int *bad, const int *fbad, enum et_dim dim,
			et_stat_row_t *r)
{
	const char *metric = field(p, F_METRIC), *unit = field(p, F_UNIT);
	int value_ok = 0;
	if (fbad[F_VALUE]) {
	} else if (parse_number(field(p, F_VALUE), p->flen[F_VALUE], &r->value_in))
		report(p, bad, p->fline[F_VALUE], F_VALUE + 1, "value \"%.80s\" is not a number",
		       field(p, F_VALUE));
	else if (r->value_in < 0 && !(p->flen[F_METRIC] == strlen("gdp_real_growth") &&
				      memcmp(metric, "gdp_real_growth", p->flen[F_METRIC]) == 0))
		/* a growth rate may fall; a quantity may not */
		report(p, bad, p->fline[F_VALUE], F_VALUE + 1, "value %.80s is negative",
		       field(p, F_VALUE));
	else
		value_ok = 1;
	double dummy;
	int urc = fbad[F_UNIT] ? 0
			       : et_unit_convert(dim == ET_DIM_NONE ? ET_DIM_MASS : dim, unit,
						 p->flen[F_UNIT], value_ok ? r->value_in : 0,
						 value_ok ? &r->value : &dummy);
	if (urc == -ENOENT) {
		report(p, bad, p->fline[F_UNIT], F_UNIT + 1, "unit \"%.80s\" is not known", unit);
	} else if (urc == -EDOM && dim != ET_DIM_NONE) {
		char list[200];
		dim_units(dim, list, sizeof(list));
		report(p, bad, p->fline[F_UNIT], F_UNIT + 1,
		       "unit \"%.80s\" does not fit %s (a %s: %s)", unit, metric, dim_name(dim),
		       list);
	} else if (urc == 0 && !fbad[F_UNIT] && dim != ET_DIM_NONE && value_ok &&
		   r->value > et_dim_max(dim)) {
		report(p, bad, p->fline[F_VALUE], F_VALUE + 1,
		       "value %.80s %s is above %g %s, the bound for %s", field(p, F_VALUE), unit,
		       et_dim_max(dim), et_dim_unit(dim), metric);
	}
}

/* The row, its checks in column order: reported and counted when bad,
 * else its key checked once per file and handed to on_row. */
static void check_row(struct parser *p)
{
	int bad = 0;
	if (check_columns(p, &bad))
		return;
	et_stat_row_t r = {.line = p->rec_line};
	int fbad[NF] = {0}; /* reported already: not checked further */
	check_fields(p, &bad, fbad);
	check_scope(p, &bad, fbad);
	enum et_dim dim = check_metric(p, &bad, fbad);
	/* period */
	if (!fbad[F_PERIOD] && et_stat_period_parse(field(p, F_PERIOD), p->flen[F_PERIOD], r.period,
						    r.period_start, r.period_end))
		report(p, &bad, p->fline[F_PERIOD], F_PERIOD + 1,
		       "period \"%.80s\" is not YYYY-MM, YYYY-Qn, YYYY-Hn, YYYY-01..YYYY-MM or "
		       "YYYY (format the column as text in Excel)",
		       field(p, F_PERIOD));

	/* published, when the header has the column: a day, or empty */
	if (p->has_published && p->nfields > NF && p->flen[NF] &&
	    !date_ok(field(p, NF), p->flen[NF]))
		report(p, &bad, p->fline[NF], NF + 1,
		       "published \"%.80s\" is not a day YYYY-MM-DD (format the column as text in "
		       "Excel)",
		       field(p, NF));

	check_value(p, &bad, fbad, dim, &r);
	const char *scope = field(p, F_SCOPE), *metric = field(p, F_METRIC),
		   *unit = field(p, F_UNIT);
	if (bad) {
		p->counts->bad_lines++;
		return;
	}

	/* the key, once per file */
	char key[3 * MAX_NAME + 16];
	int kn = snprintf(key, sizeof(key), "%s\x1f%s\x1f%s\x1f%s", scope, metric, r.period,
			  field(p, F_SOURCE));
	long earlier = keyset_add(&p->keys, key, (size_t)kn, p->rec_line);
	if (earlier < 0) {
		p->rc = (int)earlier;
		return;
	}
	if (earlier > 0) {
		report(p, &bad, p->rec_line, 1,
		       "%.80s %s %s from %.80s is already on line %ld (one figure per scope, "
		       "metric, period and source)",
		       scope, metric, r.period, field(p, F_SOURCE), earlier);
		p->counts->bad_lines++;
		return;
	}

	r.scope = scope;
	r.metric = metric;
	r.unit_in = unit;
	r.source = field(p, F_SOURCE);
	r.note = field(p, F_NOTE);
	if (p->has_published && p->nfields > NF && p->flen[NF])
		memcpy(r.published, field(p, NF), 11);
	int rc = p->cb->on_row(p->cb->ctx, &r);
	if (rc)
		p->rc = rc;
	else
		p->counts->rows++;
}

static void on_field(void *s, size_t len, void *data)
{
	struct parser *p = data;
	if (p->rc)
		return;
	unsigned i = p->nfields++;
	unsigned start = i == 0 ? p->rec_line : p->last_end_line;
	p->last_end_line = p->cur_line;
	if (i >= MAX_KEPT) {
		if (len)
			p->extra_nonempty = 1;
		return;
	}
	p->off[i] = p->rec.len;
	p->flen[i] = len;
	p->fline[i] = start;
	if (et_buf_append(&p->rec, s ? s : "", s ? len : 0) || et_buf_append(&p->rec, "", 1))
		p->rc = -ENOMEM;
}

static void end_record(struct parser *p)
{
	if (!p->rc && p->nfields > 0) {
		if (!p->header_done)
			check_header(p);
		else if (!p->header_bad)
			check_row(p);
		flush_errors(p);
	}
	p->in_record = 0;
	p->nfields = 0;
	p->extra_nonempty = 0;
	et_buf_reset(&p->rec);
}

static void on_record(int c, void *data)
{
	(void)c;
	end_record(data);
}

static int blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr(" \t\r\n", s[i]))
			return 0;
	return 1;
}

int et_statcsv_parse(const char *text, size_t len, const et_statcsv_cb_t *cb,
		     et_statcsv_counts_t *ret)
{
	struct parser p = {.cb = cb, .counts = ret};
	struct csv_parser csv;
	*ret = (et_statcsv_counts_t){0};
	const unsigned char opts = CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL;
	if (csv_init(&csv, opts))
		return -ENOMEM;
	size_t pos = 0, next_progress = 0;
	while (pos < len && !p.rc && !p.header_bad) {
		/* one physical line: up to LF, or a CR not followed by LF */
		size_t end = pos;
		while (end < len && text[end] != '\n' &&
		       !(text[end] == '\r' && (end + 1 == len || text[end + 1] != '\n')))
			end++;
		if (end < len && text[end] == '\r' && end + 1 < len && text[end + 1] == '\n')
			end++;
		if (end < len)
			end++;
		p.cur_line++;
		if (!p.in_record && !blank(text + pos, end - pos)) {
			p.in_record = 1;
			p.rec_line = p.cur_line;
		}
		size_t n = csv_parse(&csv, text + pos, end - pos, on_field, on_record, &p);
		if (n != end - pos && csv_error(&csv) == CSV_EPARSE) {
			/* a quote where RFC 4180 allows none: report it, drop the
			 * record and go on at the next line */
			int bad = 0;
			report(&p, &bad, p.cur_line, p.nfields + 1,
			       "a quote inside an unquoted field, or text after a closing quote "
			       "(quote a field with \"...\" and double a quote inside it)");
			ret->bad_lines++;
			flush_errors(&p);
			csv_free(&csv);
			if (csv_init(&csv, opts)) {
				p.rc = -ENOMEM;
				break;
			}
			p.in_record = 0;
			p.nfields = 0;
			p.extra_nonempty = 0;
			et_buf_reset(&p.rec);
		} else if (n != end - pos) {
			p.rc = -ENOMEM;
		}
		pos = end;
		if (cb->on_progress && pos >= next_progress) {
			cb->on_progress(cb->ctx, pos, len);
			next_progress = pos + 65536;
		}
	}
	ret->lines = p.cur_line;
	if (!p.rc && !p.header_bad) {
		if (csv_fini(&csv, on_field, on_record, &p) != 0 && csv_error(&csv) == CSV_EPARSE) {
			int bad = 0;
			report(&p, &bad, p.rec_line, p.nfields + 1,
			       "the file ends inside a quoted field (a quote is not closed)");
			ret->bad_lines++;
			flush_errors(&p);
		}
		if (!p.header_done && !p.rc) {
			int bad = 0;
			report(&p, &bad, 1, 1, "no header: the first line is " ET_STAT_COLUMNS);
			ret->bad_lines++;
			flush_errors(&p);
		}
	}
	if (cb->on_progress && !p.rc)
		cb->on_progress(cb->ctx, len, len);
	csv_free(&csv);
	et_buf_free(&p.rec);
	keyset_free(&p.keys);
	return p.rc;
}
