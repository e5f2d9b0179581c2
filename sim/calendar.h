/* SPDX-License-Identifier: MIT */
/* The simulator's calendar, in local civil seconds (UTC+8 as if it were
 * UTC): proleptic Gregorian days, timestamps, the Spring Festival. Pure. */
#ifndef ENERTRACK_SIM_CALENDAR_H
#define ENERTRACK_SIM_CALENDAR_H

#include <stddef.h>
#include <stdint.h>

#define DAY   86400
#define SHIFT (8 * 3600)

int64_t floor_div(int64_t a, int64_t b);
/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t days_from_civil(int y, int m, int d);
void civil_from_days(int64_t z, int *ry, int *rm, int *rd);
int year_of_day(int64_t day);
int days_in_month(int y, int m);
/* "YYYY-MM-DDThh:mm:ss+08:00" */
void format_ts(char *buf, size_t len, int64_t t);
/* The first day of the lunar year, which empties the mines. */
int64_t spring_festival(int y);
/* 00:00 on the 1st of the month after t's. */
int64_t next_month_start(int64_t t);

#endif
