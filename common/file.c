/* SPDX-License-Identifier: MIT */
/* Whole-file reads for configuration and secrets. */
#include "enertrack/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "enertrack/log.h"

int et_file_read(const char *path, char **ret, size_t *ret_len, size_t max, char *err,
		 size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
		int e = errno ? errno : EINVAL;
		snprintf(err, errlen, "%s: not a regular file of at most %zu bytes", path, max);
		close(fd);
		return -e;
	}
	size_t cap = (size_t)st.st_size;
	char *buf = malloc(cap + 1);
	if (!buf) {
		close(fd);
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	size_t len = 0;
	while (len < cap) {
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			snprintf(err, errlen, "%s: %s", path, strerror(e));
			free(buf);
			close(fd);
			return -e;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	*ret = buf;
	*ret_len = len;
	return 0;
}

int et_secret_read(const char *path, char **ret, char *err, size_t errlen)
{
	return et_secret_read_cred(path, NULL, ret, err, errlen);
}

int et_secret_read_cred(const char *path, const char *credential, char **ret, char *err,
			size_t errlen)
{
	char cred[4096];
	*ret = NULL;
	if ((!path || !*path) && credential) {
		/* systemd's LoadCredential= puts secrets here (systemd.exec(5)) */
		const char *dir = getenv("CREDENTIALS_DIRECTORY");
		if (dir && *dir &&
		    snprintf(cred, sizeof(cred), "%s/%s", dir, credential) < (int)sizeof(cred) &&
		    access(cred, F_OK) == 0)
			path = cred;
	}
	if (!path || !*path)
		return 0;
	char *buf;
	size_t len;
	int rc = et_file_read(path, &buf, &len, 4096, err, errlen);
	if (rc)
		return rc;
	buf[strcspn(buf, "\r\n")] = '\0';
	*ret = buf;
	return 0;
}
