/* SPDX-License-Identifier: MIT */
/* `enertrack publish`: publishes `topic<TAB>payload` lines from stdin, one
 * message a line. With --escaped, topic and payload are C-escaped (\n \t \r
 * \\ \0 \xNN) so that tests can send NUL bytes, newlines and invalid UTF-8.
 * It stops at the first bad line or failed send and exits 1. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "enertrack/file.h"
#include "enertrack/log.h"
#include "cli.h"
#include "tools.h"

static int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes the escapes of s[0..*len) in place (the result is never longer).
 * Returns 0, or -EINVAL with err naming the bad escape. */
static int unescape(char *s, size_t *len, char *err, size_t errlen)
{
	size_t o = 0, n = *len;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\') {
			s[o++] = s[i];
			continue;
		}
		if (++i == n) {
			snprintf(err, errlen, "a lone backslash at the end");
			return -EINVAL;
		}
		switch (s[i]) {
		case 'n':
			s[o++] = '\n';
			break;
		case 't':
			s[o++] = '\t';
			break;
		case 'r':
			s[o++] = '\r';
			break;
		case '\\':
			s[o++] = '\\';
			break;
		case '0':
			s[o++] = '\0';
			break;
		case 'x': {
			int hi = i + 1 < n ? hex_digit((unsigned char)s[i + 1]) : -1;
			int lo = i + 2 < n ? hex_digit((unsigned char)s[i + 2]) : -1;
			if (hi < 0 || lo < 0) {
				snprintf(err, errlen, "\\x needs two hex digits (at byte %zu)",
					 i - 1);
				return -EINVAL;
			}
			s[o++] = (char)(hi * 16 + lo);
			i += 2;
			break;
		}
		default:
			snprintf(err, errlen, "unknown escape \\%c (at byte %zu)",
				 (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?', i - 1);
			return -EINVAL;
		}
	}
	*len = o;
	return 0;
}

static double elapsed_s(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

struct publish_opts {
	const char *uri, *client_id, *username, *password_file;
	int qos;
	double rate;
	bool escaped;
};

static const char *const qos_values[] = {"0", "1", NULL};

/* The command line into o: 0, 1 after --help (exit 0), or 2 on a usage
 * error (said on stderr). */
static int publish_parse(int argc, char **argv, struct publish_opts *o)
{
	const et_opt_t opts[] = {
		ET_OPT_STR_ROW("uri", 0, &o->uri, "URI", .required = true),
		ET_OPT_STR_ROW("client-id", 0, &o->client_id, "ID"),
		ET_OPT_CHOICE_ROW("qos", 0, &o->qos, "0|1", qos_values, .why = "must be 0 or 1"),
		ET_OPT_STR_ROW("username", 0, &o->username, "U"),
		ET_OPT_STR_ROW("password-file", 0, &o->password_file, "F"),
		ET_OPT_NUM_ROW("rate", 0, &o->rate, "N", .min = 0, .max = 1e7,
			       .why = "must be a number of messages a second (0: as fast as "
				      "possible)"),
		ET_OPT_FLAG_ROW("escaped", 0, &o->escaped),
	};
	static const char usage[] =
		"enertrack publish --uri URI [--client-id ID] [--qos 0|1]\n"
		"                         [--username U --password-file F] [--rate N] "
		"[--escaped]";
	static const char help[] =
		"Reads lines `topic<TAB>payload` from stdin and publishes each (empty lines "
		"are\nskipped). --escaped: topic and payload use the C escapes \\n \\t \\r "
		"\\\\ \\0 \\xNN.\n"
		"--rate N paces to N messages a second (0, the default: as fast as "
		"possible).\n";
	int rc = tool_parse_opts("publish", usage, help, opts, TOOL_NOPTS(opts), argc, argv);
	if (rc)
		return rc < 0 ? 1 : rc;
	if (o->password_file && !o->username)
		return tool_fail("publish", NULL, "--password-file needs --username");
	return 0;
}

/* Connects as o says, the password read from its file and wiped after.
 * 0 with *ret, or -1 (logged). */
static int publish_connect(const struct publish_opts *o, et_pub_t **ret)
{
	char err[512], default_id[64];
	const char *client_id = o->client_id;
	if (!client_id) {
		snprintf(default_id, sizeof(default_id), "enertrack-publish-%ld", (long)getpid());
		client_id = default_id;
	}
	char *password = NULL;
	if (o->password_file && et_secret_read(o->password_file, &password, err, sizeof(err))) {
		log_error("--password-file: %s", err);
		return -1;
	}
	int rc = et_pub_open(ret, o->uri, client_id, o->username, password, o->qos, err,
			     sizeof(err));
	if (password) {
		explicit_bzero(password, strlen(password));
		free(password);
	}
	if (rc) {
		log_error("%s", err);
		return -1;
	}
	return 0;
}

/* Publishes one line (without its newline; may be changed in place).
 * 0, or -1 (logged) for a bad line or a failed send. */
static int publish_line(et_pub_t *pub, const struct publish_opts *o, char *line, size_t len,
			uint64_t lineno, uint64_t sent, const struct timespec *t0)
{
	char err[512];
	char *tab = memchr(line, '\t', len);
	if (!tab) {
		log_error("stdin:%" PRIu64 ": no TAB between the topic and the payload", lineno);
		return -1;
	}
	size_t tlen = (size_t)(tab - line);
	char *payload = tab + 1;
	size_t plen = len - tlen - 1;
	if (o->escaped && (unescape(line, &tlen, err, sizeof(err)) ||
			   unescape(payload, &plen, err, sizeof(err)))) {
		log_error("stdin:%" PRIu64 ": %s", lineno, err);
		return -1;
	}
	/* paho takes the topic as a C string. */
	if (tlen == 0 || memchr(line, '\0', tlen)) {
		log_error("stdin:%" PRIu64 ": the topic is empty or contains a NUL byte", lineno);
		return -1;
	}
	line[tlen] = '\0';
	et_pace_wait(t0, sent, o->rate);
	if (et_pub_send(pub, line, payload, plen)) {
		log_error("stdin:%" PRIu64 ": publish failed after %" PRIu64 " messages", lineno,
			  sent);
		return -1;
	}
	return 0;
}

int publish_main(int argc, char **argv)
{
	struct publish_opts o = {.qos = 1};
	int rc = publish_parse(argc, argv, &o);
	if (rc)
		return rc == 1 ? 0 : rc;
	et_pub_t *pub = NULL;
	if (publish_connect(&o, &pub))
		return 1;

	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	char *line = NULL;
	size_t cap = 0;
	ssize_t got;
	uint64_t lineno = 0, sent = 0;
	bool failed = false;
	while ((got = getline(&line, &cap, stdin)) != -1) {
		lineno++;
		size_t len = (size_t)got;
		if (len > 0 && line[len - 1] == '\n')
			len--;
		if (len == 0)
			continue;
		if (publish_line(pub, &o, line, len, lineno, sent, &t0)) {
			failed = true;
			break;
		}
		sent++;
	}
	if (!failed && ferror(stdin)) {
		log_error("reading stdin: %s", strerror(errno));
		failed = true;
	}
	free(line);
	/* Count what the broker acknowledged, not what was queued. */
	if (et_pub_flush(pub))
		failed = true;
	uint64_t delivered = et_pub_acked(pub);
	double s = elapsed_s(&t0);
	if (et_pub_close(pub))
		failed = true;
	fprintf(stderr, "published %" PRIu64 " messages in %.3f s (%.0f msg/s)\n", delivered, s,
		s > 0 ? (double)delivered / s : 0.0);
	return failed ? 1 : 0;
}
