/* SPDX-License-Identifier: MIT */
/* Whether a time zone name is in the system's tz database (the one
 * PostgreSQL uses on Debian: /usr/share/zoneinfo), so that a mistyped
 * [targets] timezone fails --check-config, the start and a reload rather
 * than every evaluation. Not in lib/: it reads files. */
#ifndef ENERTRACK_COMMON_TZCHECK_H
#define ENERTRACK_COMMON_TZCHECK_H

#include <stddef.h>

/* The tz database's directory: $ET_ZONEINFO (the tests), else
 * /usr/share/zoneinfo. */
const char *et_tz_dir(void);

/* 0 when tz names a zone of the database (a TZif file under et_tz_dir());
 * else -ENOENT with a reason in why, with a suggestion from its zone.tab
 * when one is near ("unknown time zone Asia/Beijing; did you mean
 * Asia/Shanghai?"). When the database itself is missing, 0: nothing to
 * check against (PostgreSQL still refuses a bad name). Any thread. */
int et_tz_check(const char *tz, char *why, size_t whylen);

#endif
