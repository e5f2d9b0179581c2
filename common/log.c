/* SPDX-License-Identifier: MIT */
/* Log lines to stderr, shared by the daemon and the operator's tool.
 * Not part of lib/: it does I/O. */
#include "enertrack/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

int et_log_current = ET_LOG_INFO;
static const char *log_prog = "enertrack";
static int log_journal;

static const char *const level_names[] = {"error", "warn", "info", "debug"};
/* syslog priorities for sd-daemon(3) prefixes */
static const int level_prio[] = {3, 4, 6, 7};

void et_log_init(const char *progname)
{
	log_prog = progname;
	log_journal = getenv("JOURNAL_STREAM") != NULL;
}

int et_log_set_level_name(const char *name)
{
	for (int i = 0; i <= ET_LOG_DEBUG; i++) {
		if (strcmp(name, level_names[i]) == 0) {
			et_log_current = i;
			return 0;
		}
	}
	return -EINVAL;
}

void et_log_write(int level, const char *fmt, ...)
{
	char line[2048];
	int n;

	if (level < 0 || level > ET_LOG_DEBUG)
		level = ET_LOG_ERROR;
	if (log_journal) {
		n = snprintf(line, sizeof(line), "<%d>%s: ", level_prio[level], level_names[level]);
	} else {
		struct timeval tv;
		struct tm tm;
		gettimeofday(&tv, NULL);
		gmtime_r(&tv.tv_sec, &tm);
		n = snprintf(line, sizeof(line),
			     "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s[%d] %s: ", tm.tm_year + 1900,
			     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
			     (long)(tv.tv_usec / 1000), log_prog, (int)getpid(),
			     level_names[level]);
	}
	if (n < 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		m = 0;
	size_t len = (size_t)n + (size_t)m;
	if (len > sizeof(line) - 2)
		len = sizeof(line) - 2;
	/* A log line is one line: line breaks and tabs (libpq's messages have
	 * several lines) become spaces, other control characters from peers
	 * are shown as '?'. */
	for (size_t i = (size_t)n; i < len; i++) {
		unsigned char c = (unsigned char)line[i];
		if (c == '\n' || c == '\r' || c == '\t')
			line[i] = ' ';
		else if (c < 0x20 || c == 0x7f)
			line[i] = '?';
	}
	while (len > (size_t)n && line[len - 1] == ' ')
		len--;
	line[len++] = '\n';
	ssize_t w = write(STDERR_FILENO, line, len);
	(void)w;
}

void et_log_pq_notice(void *arg, const char *message)
{
	static const struct {
		const char *prefix;
		int level;
	} sev[] = {{"PANIC:", ET_LOG_ERROR},  {"FATAL:", ET_LOG_ERROR}, {"ERROR:", ET_LOG_ERROR},
		   {"WARNING:", ET_LOG_WARN}, {"NOTICE:", ET_LOG_INFO}, {"INFO:", ET_LOG_INFO},
		   {"LOG:", ET_LOG_INFO},     {"DEBUG", ET_LOG_DEBUG}};
	int level = ET_LOG_WARN;
	for (size_t i = 0; i < sizeof(sev) / sizeof(sev[0]); i++) {
		if (strncmp(message, sev[i].prefix, strlen(sev[i].prefix)) == 0) {
			level = sev[i].level;
			break;
		}
	}
	const char *who = arg;
	et_log(level, "%s%sPostgreSQL: %s", who ? who : "", who ? ": " : "", message);
}
