/* SPDX-License-Identifier: MIT */
/* A suggestion for a mistyped time zone name (see tzname.h): the tz
 * database has no zone named after a country's capital when another city
 * stands for the zone, so the comments of zone.tab ("Beijing Time") are
 * searched before the names themselves. */
#include "enertrack/tzname.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* One zone.tab line's zone and comment, NUL-terminated copies. */
struct row {
	char zone[128], comment[256];
};

/* Reads the next data line from *p into r; false at the end. */
static bool next_row(const char **p, struct row *r)
{
	while (**p) {
		const char *l = *p, *e = strchr(l, '\n');
		size_t n = e ? (size_t)(e - l) : strlen(l);
		*p = e ? e + 1 : l + n;
		if (n == 0 || l[0] == '#')
			continue;
		const char *f[4] = {l, NULL, NULL, NULL};
		size_t k = 1;
		for (size_t i = 0; i < n && k < 4; i++)
			if (l[i] == '\t')
				f[k++] = l + i + 1;
		if (k < 3)
			continue;
		const char *zend = k > 3 ? f[3] - 1 : l + n;
		snprintf(r->zone, sizeof(r->zone), "%.*s", (int)(zend - f[2]), f[2]);
		snprintf(r->comment, sizeof(r->comment), "%.*s", k > 3 ? (int)(l + n - f[3]) : 0,
			 k > 3 ? f[3] : "");
		return true;
	}
	return false;
}

/* The city of a zone name: after the last '/', '_' read as a space. */
static void city_of(const char *name, char *out, size_t len)
{
	const char *s = strrchr(name, '/');
	snprintf(out, len, "%s", s ? s + 1 : name);
	for (char *c = out; *c; c++)
		*c = *c == '_' ? ' ' : (char)tolower((unsigned char)*c);
}

/* Whether word occurs in text as a whole word, ignoring case. */
static bool has_word(const char *text, const char *word)
{
	size_t n = strlen(word);
	if (n == 0)
		return false;
	for (const char *t = text; *t; t++) {
		if (t != text && isalnum((unsigned char)t[-1]))
			continue;
		if (strncasecmp(t, word, n) == 0 && !isalnum((unsigned char)t[n]))
			return true;
	}
	return false;
}

/* Levenshtein distance, ignoring case; names over 127 bytes are far. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[128];
	if (la > 127 || lb > 127)
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t sub = diag + (tolower((unsigned char)a[i - 1]) !=
					     tolower((unsigned char)b[j - 1]));
			size_t best = up + 1 < row[j - 1] + 1 ? up + 1 : row[j - 1] + 1;
			row[j] = sub < best ? sub : best;
			diag = up;
		}
	}
	return row[lb];
}

int et_tz_suggest(const char *bad, const char *zone_tab, char *out, size_t outlen)
{
	char city[128], zcity[128], best[128] = "";
	size_t best_d = (size_t)-1;
	int pass_found = 0; /* 1: by comment, 2: by city, 3: by distance */
	struct row r;
	city_of(bad, city, sizeof(city));
	for (const char *p = zone_tab; next_row(&p, &r);) {
		city_of(r.zone, zcity, sizeof(zcity));
		int pass = has_word(r.comment, city) ? 1 : strcmp(zcity, city) == 0 ? 2 : 3;
		size_t d = pass == 3 ? distance(bad, r.zone) : 0;
		if (pass_found && pass > pass_found)
			continue;
		if (pass < pass_found || !pass_found || d < best_d) {
			snprintf(best, sizeof(best), "%s", r.zone);
			best_d = d;
			pass_found = pass;
		}
	}
	size_t near = strlen(bad) / 4 > 2 ? strlen(bad) / 4 : 2;
	if (!pass_found || (pass_found == 3 && best_d > near)) {
		if (outlen)
			out[0] = '\0';
		return -ENOENT;
	}
	snprintf(out, outlen, "%s", best);
	return 0;
}
