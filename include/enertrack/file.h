/* SPDX-License-Identifier: MIT */
/* Reading whole files: configuration and secrets (password_file). */
#ifndef ENERTRACK_FILE_H
#define ENERTRACK_FILE_H

#include <stddef.h>

/* Reads path into a NUL-terminated malloc'd buffer (*ret, *ret_len).
 * Returns 0 or a negative errno; err gets "path: reason". */
int et_file_read(const char *path, char **ret, size_t *ret_len, size_t max, char *err,
		 size_t errlen) __attribute__((warn_unused_result));

/* Reads a secret (first line, trailing CR/LF removed). An empty path gives
 * *ret = NULL and 0. The caller frees (and should wipe) *ret. */
int et_secret_read(const char *path, char **ret, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* Same; when path is empty and $CREDENTIALS_DIRECTORY/<credential> exists
 * (systemd's LoadCredential=), reads that instead. */
int et_secret_read_cred(const char *path, const char *credential, char **ret, char *err,
			size_t errlen) __attribute__((warn_unused_result));

#endif
