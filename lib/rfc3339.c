/* SPDX-License-Identifier: MIT */
/* RFC 3339 parsing and UTC formatting. Hand-written because strptime is
 * locale- and TZ-dependent and does not do offsets or fractions portably;
 * the grammar is small (RFC 3339 section 5.6). */
#include "enertrack/rfc3339.h"

#include <errno.h>
#include <stdbool.h>

#define MIN_US (-62135596800000000LL) /* 0001-01-01T00:00:00Z */
#define MAX_US 253402300799999999LL   /* 9999-12-31T23:59:59.999999Z */

/* Howard Hinnant's days_from_civil. */
int64_t et_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	const unsigned doe = (unsigned)(z - era * 146097);
	const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static bool is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(int64_t y, unsigned m)
{
	static const unsigned dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* Reads exactly n decimal digits at s[*i]. */
static bool digits(const char *s, size_t len, size_t *i, int n, unsigned *ret)
{
	unsigned v = 0;
	if (*i + (size_t)n > len)
		return false;
	for (int k = 0; k < n; k++) {
		char c = s[*i + (size_t)k];
		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (unsigned)(c - '0');
	}
	*i += (size_t)n;
	*ret = v;
	return true;
}

static bool expect(const char *s, size_t len, size_t *i, char c)
{
	if (*i >= len || s[*i] != c)
		return false;
	(*i)++;
	return true;
}

int et_rfc3339_parse(const char *s, size_t len, int64_t *ret_us)
{
	size_t i = 0;
	unsigned y, mo, d, h, mi, se, oh = 0, om = 0;
	int sign = 0;
	int64_t frac_us = 0;

	if (!digits(s, len, &i, 4, &y) || !expect(s, len, &i, '-') || !digits(s, len, &i, 2, &mo) ||
	    !expect(s, len, &i, '-') || !digits(s, len, &i, 2, &d))
		return -EINVAL;
	if (i >= len || (s[i] != 'T' && s[i] != 't' && s[i] != ' '))
		return -EINVAL;
	i++;
	if (!digits(s, len, &i, 2, &h) || !expect(s, len, &i, ':') || !digits(s, len, &i, 2, &mi) ||
	    !expect(s, len, &i, ':') || !digits(s, len, &i, 2, &se))
		return -EINVAL;
	if (i < len && s[i] == '.') {
		int n = 0;
		int64_t scale = 100000;
		i++;
		while (i < len && s[i] >= '0' && s[i] <= '9') {
			if (n < 6) {
				frac_us += (s[i] - '0') * scale;
				scale /= 10;
			}
			n++;
			i++;
		}
		if (n == 0 || n > 9)
			return -EINVAL;
	}
	if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
		i++;
	} else if (i < len && (s[i] == '+' || s[i] == '-')) {
		sign = s[i] == '+' ? 1 : -1;
		i++;
		if (!digits(s, len, &i, 2, &oh) || !expect(s, len, &i, ':') ||
		    !digits(s, len, &i, 2, &om))
			return -EINVAL;
		if (oh > 23 || om > 59)
			return -EINVAL;
	} else {
		return -EINVAL; /* RFC 3339 requires an offset */
	}
	if (i != len)
		return -EINVAL;
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 ||
	    se > 59)
		return -EINVAL;

	int64_t days = et_days_from_civil(y, mo, d);
	int64_t secs = days * 86400 + (int64_t)h * 3600 + (int64_t)mi * 60 + se;
	secs -= sign * ((int64_t)oh * 3600 + (int64_t)om * 60);
	int64_t us = secs * 1000000 + frac_us;
	/* An offset can move a date of year 1 or 9999 into year 0 or 10000 in
	 * UTC, which et_ts_format cannot write and PostgreSQL refuses (year 0)
	 * or would get wrong (year 10000, clamped). */
	if (us < MIN_US || us > MAX_US)
		return -EINVAL;
	*ret_us = us;
	return 0;
}

static char *put2(char *p, unsigned v)
{
	p[0] = (char)('0' + v / 10 % 10);
	p[1] = (char)('0' + v % 10);
	return p + 2;
}

size_t et_ts_format(int64_t us, char *buf)
{
	int64_t secs = us / 1000000;
	int64_t frac = us % 1000000;
	if (frac < 0) {
		frac += 1000000;
		secs--;
	}
	int64_t days = secs / 86400;
	int64_t rem = secs % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	int64_t y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	char *p = buf;
	if (y < 0 || y > 9999)
		y = y < 0 ? 0 : 9999; /* outside what the parser accepts */
	p = put2(p, (unsigned)(y / 100));
	p = put2(p, (unsigned)(y % 100));
	*p++ = '-';
	p = put2(p, m);
	*p++ = '-';
	p = put2(p, d);
	*p++ = ' ';
	p = put2(p, (unsigned)(rem / 3600));
	*p++ = ':';
	p = put2(p, (unsigned)(rem / 60 % 60));
	*p++ = ':';
	p = put2(p, (unsigned)(rem % 60));
	*p++ = '.';
	unsigned f = (unsigned)frac;
	for (int k = 5; k >= 0; k--) {
		p[k] = (char)('0' + f % 10);
		f /= 10;
	}
	p += 6;
	*p++ = '+';
	*p++ = '0';
	*p++ = '0';
	return (size_t)(p - buf);
}
