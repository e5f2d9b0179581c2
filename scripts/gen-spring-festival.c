/* SPDX-License-Identifier: MIT */
/* Prints the Spring Festival (first day of the first month of the Chinese
 * calendar) of each year 2000-2050 as SQL rows of spring_festival, from
 * ICU's Chinese calendar. Not part of the build: run once, by hand, and the
 * output was pasted into sql/015_official_method.sql:
 *   cc scripts/gen-spring-festival.c -licui18n -licuuc -o /tmp/gsf && /tmp/gsf
 * ICU 72 (Debian 12) is a day off in two years of the range, whose new moon
 * falls within minutes of Beijing midnight (2027-02-06 23:56, 2030-02-03
 * 00:07): the published dates are 2027-02-06 and 2030-02-03 (the calendar as
 * the State Council publishes it; docs/targets.md); they override ICU's, and
 * the program says so. */
#include <stdio.h>
#include <unicode/ucal.h>

/* Published dates where ICU's astronomy misses Beijing midnight. */
static const struct {
	int y, m, d;
} published[] = {{2027, 2, 6}, {2030, 2, 3}};

int main(void)
{
	UErrorCode err = U_ZERO_ERROR;
	/* the calendar's days are Beijing days */
	UChar utc[] = {'A', 's', 'i', 'a', '/', 'S', 'h', 'a', 'n', 'g', 'h', 'a', 'i', 0};
	UCalendar *greg = ucal_open(utc, -1, "en_US@calendar=gregorian", UCAL_GREGORIAN, &err);
	UCalendar *cn = ucal_open(utc, -1, "zh_CN@calendar=chinese", UCAL_DEFAULT, &err);
	if (U_FAILURE(err)) {
		fprintf(stderr, "ucal_open: %s\n", u_errorName(err));
		return 1;
	}
	for (int y = 2000; y <= 2050; y++) {
		/* 1 July of y is in the Chinese year that began at y's festival */
		ucal_clear(greg);
		ucal_setDate(greg, y, UCAL_JULY, 1, &err);
		ucal_setMillis(cn, ucal_getMillis(greg, &err), &err);
		ucal_set(cn, UCAL_MONTH, 0);
		ucal_set(cn, UCAL_IS_LEAP_MONTH, 0);
		ucal_set(cn, UCAL_DATE, 1);
		ucal_set(cn, UCAL_HOUR_OF_DAY, 12);
		ucal_setMillis(greg, ucal_getMillis(cn, &err), &err);
		if (U_FAILURE(err)) {
			fprintf(stderr, "%d: %s\n", y, u_errorName(err));
			return 1;
		}
		int m = ucal_get(greg, UCAL_MONTH, &err) + 1, d = ucal_get(greg, UCAL_DATE, &err);
		for (size_t i = 0; i < sizeof(published) / sizeof(published[0]); i++)
			if (published[i].y == y && (published[i].m != m || published[i].d != d)) {
				fprintf(stderr, "%d: ICU says %02d-%02d, published %02d-%02d\n", y,
					m, d, published[i].m, published[i].d);
				m = published[i].m;
				d = published[i].d;
			}
		printf("    (%d, '%04d-%02d-%02d')%s\n", y, y, m, d, y < 2050 ? "," : ";");
	}
	ucal_close(cn);
	ucal_close(greg);
	return 0;
}
