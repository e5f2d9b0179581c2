/* SPDX-License-Identifier: MIT */
/* RFC 3339 timestamps: parsing (with offset or Z, fractions, leap days) into
 * microseconds since the Unix epoch, and formatting for PostgreSQL COPY.
 * Pure functions, no locale, no time zone database. */
#ifndef ENERTRACK_RFC3339_H
#define ENERTRACK_RFC3339_H

#include <stddef.h>
#include <stdint.h>

/* Parses s[0..len) as an RFC 3339 date-time ("2024-03-01T08:00:00+08:00",
 * 'T' or 't' or ' ' between date and time, optional fraction of up to 9
 * digits (truncated to microseconds), 'Z'/'z' or ±HH:MM). Years 0001-9999.
 * A leap second (:60) is refused: PostgreSQL cannot store it faithfully.
 * Returns 0 and *ret_us, or -EINVAL. */
int et_rfc3339_parse(const char *s, size_t len, int64_t *ret_us)
	__attribute__((warn_unused_result));

/* Days since 1970-01-01 of a proleptic Gregorian date (no validation). */
int64_t et_days_from_civil(int64_t y, unsigned m, unsigned d);

/* Writes "YYYY-MM-DD HH:MM:SS.ffffff+00" (UTC) into buf, which must hold
 * ET_TS_TEXT_MAX bytes; returns the length, without a NUL terminator. */
#define ET_TS_TEXT_MAX 40
size_t et_ts_format(int64_t us, char *buf);

#endif
