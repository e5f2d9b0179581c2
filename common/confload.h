/* SPDX-License-Identifier: MIT */
/* Reading the configuration file into an et_config_t (lib/config.c parses),
 * shared by enertrackd (start, SIGHUP, --check-config) and the enertrack
 * tool. Not in lib/: it reads a file and logs. */
#ifndef ENERTRACK_COMMON_CONFLOAD_H
#define ENERTRACK_COMMON_CONFLOAD_H

#include "enertrack/config.h"

/* The largest configuration file read. */
#define ET_CONFIG_MAX_BYTES (1u << 20)

/* Initialises cfg, reads path and parses it whole. On success returns 0 and
 * cfg is the caller's to et_config_free. On failure logs each error on a
 * line of its own (file, line and key) and returns a negative errno-style
 * code; cfg is then freed already. Any thread (it blocks on the file). */
int et_config_load(const char *path, et_config_t *cfg) __attribute__((warn_unused_result));

#endif
