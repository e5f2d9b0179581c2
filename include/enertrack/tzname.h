/* SPDX-License-Identifier: MIT */
/* A suggestion for a mistyped time zone name ("Asia/Beijing": did you mean
 * Asia/Shanghai?), from the text of the tz database's zone.tab. Pure: the
 * file is read by common/tzcheck.c. */
#ifndef ENERTRACK_TZNAME_H
#define ENERTRACK_TZNAME_H

#include <stddef.h>

/* The zone of zone_tab (the text of zone.tab or zone1970.tab: country,
 * coordinates, zone, comment, tab-separated; '#' comments) that `bad` most
 * likely meant: first a zone whose comment names bad's city ("Beijing
 * Time"), then one whose city is bad's in another case, then the nearest
 * name by edit distance when it is near enough. Writes it into out and
 * returns 0, or returns -ENOENT (out "") when nothing is near. */
int et_tz_suggest(const char *bad, const char *zone_tab, char *out, size_t outlen);

#endif
