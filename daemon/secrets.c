/* SPDX-License-Identifier: MIT */
/* enertrackd's secrets: the password files (or systemd credentials) read
 * at the start, and wiped from memory once handed on. The TLS files are
 * checked here too, so that a typo is named at once rather than as a
 * failed handshake later. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "enertrack/file.h"
#include "enertrack/log.h"

int app_read_secrets(const et_config_t *cfg, char **mqtt_pw, char **pg_pw, char **smtp_pw)
{
	char err[300];
	/* the TLS files, so that a typo is named now rather than as a failed handshake */
	const struct {
		const char *key, *path;
	} files[] = {{"[mqtt] ca_file", cfg->mqtt_ca_file},
		     {"[mqtt] cert_file", cfg->mqtt_cert_file},
		     {"[mqtt] key_file", cfg->mqtt_key_file},
		     {"[smtp] ca_file", cfg->smtp_ca_file}};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (files[i].path[0] && access(files[i].path, R_OK)) {
			log_error("%s: cannot read %s: %s", files[i].key, files[i].path,
				  strerror(errno));
			return -1;
		}
	}
	if (et_secret_read_cred(cfg->smtp_password_file, "smtp-password", smtp_pw, err,
				sizeof(err))) {
		log_error("[smtp] password_file: %s", err);
		return -1;
	}
	if (et_secret_read_cred(cfg->mqtt_password_file, "mqtt-password", mqtt_pw, err,
				sizeof(err))) {
		log_error("[mqtt] password_file: %s", err);
		return -1;
	}
	if (et_secret_read_cred(cfg->pg_password_file, "postgres-password", pg_pw, err,
				sizeof(err))) {
		log_error("[postgres] password_file: %s", err);
		return -1;
	}
	return 0;
}

void app_wipe_free(char *s)
{
	if (s) {
		memset(s, 0, strlen(s));
		free(s);
	}
}
