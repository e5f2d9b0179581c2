/* SPDX-License-Identifier: MIT */
/* The one log API of enertrackd and enertrack: levelled lines on stderr.
 * Under journald (JOURNAL_STREAM set) lines carry a <N> priority prefix
 * instead of a timestamp. Thread-safe: one write(2) per line. */
#ifndef ENERTRACK_LOG_H
#define ENERTRACK_LOG_H

#include <stdarg.h>

enum et_log_level { ET_LOG_ERROR = 0, ET_LOG_WARN, ET_LOG_INFO, ET_LOG_DEBUG };

extern int et_log_current; /* read-mostly; set by et_log_set_level_name */

/* Sets the level ("error", "warn", "info", "debug"); returns 0 or -EINVAL. */
int et_log_set_level_name(const char *name);
void et_log_init(const char *progname);

void et_log_write(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A libpq notice processor: PQsetNoticeProcessor(conn, et_log_pq_notice,
 * "writer") on every connection, right after PQconnectdb*. The server's
 * notices, and the errors libpq reads while a connection is idle (the FATAL
 * that says why the server is about to close it), become log lines at the
 * level of their severity instead of raw lines on stderr. arg: a static
 * string naming the connection, or NULL. Any thread. (Declared without
 * libpq's types, so that this header needs no libpq-fe.h.) */
void et_log_pq_notice(void *arg, const char *message);

/* The level is tested before any formatting work. */
#define et_log(level, ...)                                                                         \
	do {                                                                                       \
		if ((level) <= et_log_current)                                                     \
			et_log_write((level), __VA_ARGS__);                                        \
	} while (0)
#define log_error(...) et_log(ET_LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  et_log(ET_LOG_WARN, __VA_ARGS__)
#define log_info(...)  et_log(ET_LOG_INFO, __VA_ARGS__)
#define log_debug(...) et_log(ET_LOG_DEBUG, __VA_ARGS__)

#endif
