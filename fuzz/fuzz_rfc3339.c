/* SPDX-License-Identifier: MIT */
/* libFuzzer harness of lib/rfc3339.c. The input is a candidate timestamp.
 * et_rfc3339_parse is compared with a reference written independently here
 * (fixed positions, timegm for the calendar): both must accept the same
 * strings and give the same instant. An accepted instant must format with
 * et_ts_format to the text gmtime_r gives and parse back to itself, since
 * that text is what PostgreSQL gets. The first 8 bytes, as an instant, are
 * formatted too: any int64 must give a well-formed 29-byte text. */
#include "fuzz_util.h"

#include "enertrack/rfc3339.h"

static bool dig(const char *s, size_t i, int n, int *ret)
{
	int v = 0;
	for (int k = 0; k < n; k++) {
		char c = s[i + (size_t)k];
		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*ret = v;
	return true;
}

/* RFC 3339 section 5.6 as the header describes it, refusing instants
 * outside years 1 to 9999 in UTC, which nothing downstream can hold. */
static bool ref_parse(const char *s, size_t n, int64_t *ret)
{
	int y, mo, d, h, mi, se, oh = 0, om = 0, sign = 0;
	if (n < 20 || !dig(s, 0, 4, &y) || s[4] != '-' || !dig(s, 5, 2, &mo) || s[7] != '-' ||
	    !dig(s, 8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    !dig(s, 11, 2, &h) || s[13] != ':' || !dig(s, 14, 2, &mi) || s[16] != ':' ||
	    !dig(s, 17, 2, &se))
		return false;
	size_t i = 19;
	int64_t frac = 0;
	if (s[i] == '.') {
		size_t start = ++i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		size_t nd = i - start;
		if (nd < 1 || nd > 9)
			return false;
		for (size_t k = 0; k < 6; k++)
			frac = frac * 10 + (k < nd ? s[start + k] - '0' : 0);
	}
	if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
		i++;
	} else if (i + 6 <= n && (s[i] == '+' || s[i] == '-') && dig(s, i + 1, 2, &oh) &&
		   s[i + 3] == ':' && dig(s, i + 4, 2, &om)) {
		sign = s[i] == '+' ? 1 : -1;
		i += 6;
	} else {
		return false;
	}
	if (i != n || y < 1 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || se > 59 ||
	    oh > 23 || om > 59)
		return false;
	struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d};
	time_t t = timegm(&tm);
	/* timegm normalises 31 April to 1 May: then the day did not exist */
	if (tm.tm_year != y - 1900 || tm.tm_mon != mo - 1 || tm.tm_mday != d)
		return false;
	int64_t secs = (int64_t)t + h * 3600 + mi * 60 + se - sign * (oh * 3600 + om * 60);
	int64_t us = secs * 1000000 + frac;
	if (us < FZ_US_MIN || us > FZ_US_MAX)
		return false;
	*ret = us;
	return true;
}

static void check_format(int64_t us)
{
	char buf[ET_TS_TEXT_MAX + 4];
	memset(buf, 'X', sizeof(buf));
	size_t n = et_ts_format(us, buf);
	CHECK(n == 29 && buf[n] == 'X');
	static const char shape[] = "dddd-dd-dd dd:dd:dd.dddddd+00";
	for (size_t i = 0; i < n; i++)
		CHECK(shape[i] == 'd' ? buf[i] >= '0' && buf[i] <= '9' : buf[i] == shape[i]);
	if (us < FZ_US_MIN || us > FZ_US_MAX)
		return; /* clamped: the parser never gives such an instant */
	struct fz_copy_field f = {.val = buf, .len = n};
	buf[n] = '\0';
	fz_check_ts(&f, us);
	memcpy(buf + n, ":00", 3);
	int64_t back;
	CHECK(et_rfc3339_parse(buf, n + 3, &back) == 0);
	CHECK(back == us);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	int64_t got = 0, want = 0;
	int rc = et_rfc3339_parse(s, size, &got);
	CHECK(rc == 0 || rc == -EINVAL);
	bool ok = ref_parse(s, size, &want);
	if (ok != (rc == 0)) {
		fprintf(stderr, "\"%.*s\": parser %s, reference %s\n", (int)size, s,
			rc == 0 ? "accepts" : "refuses", ok ? "accepts" : "refuses");
		CHECK(ok == (rc == 0));
	}
	if (rc == 0) {
		CHECK(got == want);
		check_format(got);
		/* a prefix of an accepted string is never accepted but the string
		 * itself: the parser stops at len */
		int64_t tmp;
		for (size_t cut = 0; cut < size; cut++)
			if (et_rfc3339_parse(s, cut, &tmp) == 0)
				CHECK(ref_parse(s, cut, &tmp));
	}
	if (size >= 8) {
		uint64_t u = 0;
		for (int i = 0; i < 8; i++)
			u = u << 8 | data[i];
		check_format((int64_t)u);
	}
	return 0;
}
