/* SPDX-License-Identifier: MIT */
/* The simulator's calendar (sim/calendar.h). Pure. */
#include "calendar.h"

#include <stdio.h>

int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
int64_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = floor_div(y, 400);
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void civil_from_days(int64_t z, int *ry, int *rm, int *rd)
{
	z += 719468;
	int64_t era = floor_div(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int d = (int)(doy - (153 * mp + 2) / 5 + 1);
	int m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*ry = (int)(yoe + era * 400 + (m <= 2));
	*rm = m;
	*rd = d;
}

int year_of_day(int64_t day)
{
	int y, m, d;
	civil_from_days(day, &y, &m, &d);
	return y;
}

int days_in_month(int y, int m)
{
	return (int)(days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) -
		     days_from_civil(y, m, 1));
}

void format_ts(char *buf, size_t len, int64_t t)
{
	int64_t day = floor_div(t, DAY), sod = t - day * DAY;
	int y, m, d;
	civil_from_days(day, &y, &m, &d);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d+08:00", y, m, d, (int)(sod / 3600),
		 (int)(sod / 60 % 60), (int)(sod % 60));
}

/* Spring Festival (the first day of the lunar year), which empties the mines. */
int64_t spring_festival(int y)
{
	static const struct {
		int y, m, d;
	} sf[] = {
		{2010, 2, 14}, {2011, 2, 3},  {2012, 1, 23}, {2013, 2, 10}, {2014, 1, 31},
		{2015, 2, 19}, {2016, 2, 8},  {2017, 1, 28}, {2018, 2, 16}, {2019, 2, 5},
		{2020, 1, 25}, {2021, 2, 12}, {2022, 2, 1},  {2023, 1, 22}, {2024, 2, 10},
		{2025, 1, 29}, {2026, 2, 17}, {2027, 2, 6},  {2028, 1, 26}, {2029, 2, 13},
		{2030, 2, 3},
	};
	for (size_t i = 0; i < sizeof(sf) / sizeof(sf[0]); i++)
		if (sf[i].y == y)
			return days_from_civil(y, sf[i].m, sf[i].d);
	return days_from_civil(y, 2, 5); /* the middle of its range (Jan 21 - Feb 20) */
}

/* 00:00 on the 1st of the month after the one t is in. */
int64_t next_month_start(int64_t t)
{
	int y, m, d;
	civil_from_days(floor_div(t, DAY), &y, &m, &d);
	return days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) * DAY;
}
