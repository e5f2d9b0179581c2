/* SPDX-License-Identifier: MIT */
/* The configuration file, read and parsed whole; its errors logged one a
 * line. */
#include "common/confload.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/tzcheck.h"
#include "enertrack/buf.h"
#include "enertrack/file.h"
#include "enertrack/log.h"

int et_config_load(const char *path, et_config_t *cfg)
{
	char err[512];
	char *text;
	size_t len;
	et_buf_t errs = ET_BUF_INIT;

	if (et_config_init(cfg)) {
		log_error("out of memory");
		return -ENOMEM;
	}
	int rc = et_file_read(path, &text, &len, ET_CONFIG_MAX_BYTES, err, sizeof(err));
	if (rc) {
		log_error("cannot read the configuration: %s", err);
		et_config_free(cfg);
		return rc;
	}
	rc = et_config_parse(cfg, path, text, len, &errs);
	free(text);
	if (rc == 0 && et_tz_check(cfg->tz, err, sizeof(err))) {
		/* a zone PostgreSQL does not know fails every evaluation: refuse it
		 * here, at the start, on reload and in --check-config */
		char line[700];
		int n = snprintf(line, sizeof(line), "%s:%d: [targets] timezone: %s\n", path,
				 cfg->tz_line, err);
		if (n > 0 && et_buf_append(&errs, line, strlen(line)) == 0)
			rc = -EINVAL;
		else
			rc = -ENOMEM;
	}
	if (rc) {
		/* one log line per error, each naming file, line and key */
		char *save = NULL;
		if (et_buf_append(&errs, "", 1) == 0)
			for (char *l = strtok_r(errs.data, "\n", &save); l;
			     l = strtok_r(NULL, "\n", &save))
				log_error("%s", l);
		et_config_free(cfg);
		rc = rc < 0 ? rc : -EINVAL;
	}
	et_buf_free(&errs);
	return rc;
}
