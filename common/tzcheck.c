/* SPDX-License-Identifier: MIT */
/* A time zone name against the system's tz database (see tzcheck.h). */
#include "common/tzcheck.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "enertrack/file.h"
#include "enertrack/tzname.h"

const char *et_tz_dir(void)
{
	const char *d = getenv("ET_ZONEINFO");
	return d && *d ? d : "/usr/share/zoneinfo";
}

/* A zone file begins with the magic "TZif" (RFC 8536). */
static int is_zone_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char magic[4];
	if (!f)
		return 0;
	size_t n = fread(magic, 1, sizeof(magic), f);
	fclose(f);
	return n == 4 && memcmp(magic, "TZif", 4) == 0;
}

int et_tz_check(const char *tz, char *why, size_t whylen)
{
	const char *dir = et_tz_dir();
	char path[512], err[256];
	struct stat st;
	if (stat(dir, &st) || !S_ISDIR(st.st_mode))
		return 0;
	/* a name that climbs out of the directory is no zone */
	if (tz[0] != '/' && !strstr(tz, "..") &&
	    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, tz) < sizeof(path) &&
	    is_zone_file(path))
		return 0;
	char suggestion[128] = "", *tab = NULL;
	size_t len;
	const char *tabs[] = {"zone1970.tab", "zone.tab"};
	for (size_t i = 0; i < 2 && !suggestion[0]; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, tabs[i]);
		if (et_file_read(path, &tab, &len, 1u << 20, err, sizeof(err)) == 0) {
			(void)et_tz_suggest(tz, tab, suggestion, sizeof(suggestion));
			free(tab);
			tab = NULL;
		}
	}
	if (suggestion[0])
		snprintf(why, whylen, "unknown time zone %s (not in %s); did you mean %s?", tz, dir,
			 suggestion);
	else
		snprintf(why, whylen, "unknown time zone %s (not in %s)", tz, dir);
	return -ENOENT;
}
